"""Paragraphs of the Markdown pages dezsim writes (validation, hindcast, backtest), found by their opening words
so the report can quote a page's summary without parsing its layout."""

from __future__ import annotations


def lead_paragraph(text: str, lead: str) -> str:
    """The first blank-line-separated paragraph of ``text`` that starts with ``lead`` ("" when none does)."""
    return next((b.strip() for b in text.split("\n\n") if b.startswith(lead)), "")
