"""The system-dynamics core: equations declared in sympy, the generated kernel, initial stocks, integration and
the indicators it reports (no agent imports; the coupling in :mod:`dezsim.model.coupling` sees both sides)."""
