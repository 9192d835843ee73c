"""The plans' targets judged: required paths and baselines, reachability of each target by the model
(:mod:`~dezsim.targets.reach`), indicator trend models, the outside view from the reference class, the two views
side by side, and the lever search.

May import :mod:`dezsim.model`, :mod:`dezsim.data`, :mod:`dezsim.base`; never calibration (it is independent of
:mod:`dezsim.calibration`), outputs, sweep or the CLI.
"""
