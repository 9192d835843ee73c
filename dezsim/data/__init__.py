"""The figures: ``data/`` loaded and validated (:mod:`~dezsim.data.loader` into a :class:`~dezsim.data.dataset.Dataset`),
cross-level consistency, declared target readings, pre-2021 history, later (post-origin) figures, the plan texts'
quotes and the reference class of past plan targets.

Owns every number taken from a plan or a public source and its provenance. May import :mod:`dezsim.base` and
:mod:`dezsim.resources` only: data knows nothing of the model that uses it.
"""
