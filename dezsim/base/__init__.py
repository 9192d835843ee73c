"""Foundations every layer uses: the error types, atomic file writes, the CSV table reader, seeding, progress,
units and physical ranges.

Owns no model knowledge. May import nothing of dezsim but :mod:`dezsim.resources`; everything else may import it.
"""
