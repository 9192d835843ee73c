"""Saved page excerpts (``data/pages/*.txt``) and how quotes are compared with them.

A page file holds ``url: <address>``, ``title: <title>``, a blank line, then the verbatim text read on that page.
A quote is found in a page when it is a substring of the page text after every run of whitespace in both has been
collapsed to one space. Every loader of public figures (history, infrastructure history, reference targets)
reads pages through :func:`read_page`.
"""

from __future__ import annotations

import re
from pathlib import Path

from dezsim.base.errors import DataError

#: What the first lines of a page file must be.
HEADER_RULE = "a page excerpt must start with 'url: <address>', 'title: <title>', a blank line, then the text"


def collapse(text: str) -> str:
    """``text`` with every run of whitespace replaced by one space, stripped (how quotes are compared)."""
    return re.sub(r"\s+", " ", text).strip()


def read_page(path: Path) -> str:
    """The verbatim text of a page excerpt (after its header), whitespace collapsed.

    Raises
    ------
    DataError
        If the file cannot be read as UTF-8, or its header is not :data:`HEADER_RULE`'s.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise DataError(f"{path}: cannot read page excerpt: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: page excerpt is not UTF-8 text ({exc.reason})") from None
    if len(lines) < 4 or not lines[0].startswith("url: ") or not lines[1].startswith("title: ") or lines[2]:
        raise DataError(f"{path}:1: bad page header; {HEADER_RULE}")
    return collapse("\n".join(lines[3:]))
