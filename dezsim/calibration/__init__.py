"""Fitting the model to the figures up to the origin and judging the fit: the rejection-ABC calibration and its
flows, the growth-equation backtests (validate), hindcasts against later figures, scores and drift estimators.

Writes the ensemble that :mod:`dezsim.model.calibration_store` reads. May import :mod:`dezsim.model`,
:mod:`dezsim.data`, :mod:`dezsim.base`; never targets, outputs, sweep or the CLI (it is independent of
:mod:`dezsim.targets`).
"""
