"""Catalogue of bad inputs, grouped by door (scenario, data, observed file, output paths, invariants, ...)."""
