"""The model: declared parameters, the system-dynamics core (:mod:`~dezsim.model.sd`), the firm and district agents
(:mod:`~dezsim.model.abm`), their coupling and exchange types, process noise and drift, scenarios, the calibrated
ensemble it reads, and :func:`~dezsim.model.simulate.run` returning :class:`~dezsim.model.results.Results`.

Owns how a year is simulated. May import :mod:`dezsim.data`, :mod:`dezsim.base` and :mod:`dezsim.resources`;
never calibration, targets, outputs, sweep or the CLI.
"""
