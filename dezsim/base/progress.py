"""Progress for long computations, in a terminal and in Jupyter alike.

``tqdm.auto`` draws a widget in Jupyter when ipywidgets is installed (the ``notebook`` extra) and a text bar
elsewhere; without ipywidgets we pick tqdm's text bar ourselves, so a notebook never shows tqdm's
"IProgress not found" warning. A callable instead of ``True`` receives ``(done, total)`` (the dashboard's bar).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Iterator

#: What callers may pass as ``progress=``: off, a bar, or their own ``callback(done, total)``.
ProgressArg = bool | Callable[[int, int], None] | None


def _tqdm():
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto needs it for the Jupyter widget)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm


@contextmanager
def steps(progress: ProgressArg, total: int, desc: str) -> Iterator[Callable[[int], None]]:
    """Context yielding ``done(n)``: report that ``n`` of ``total`` steps are complete.

    ``progress`` False or None reports nothing; True shows a bar; a callable is called as ``progress(n, total)``.
    On a normal exit the count is completed to ``total``.
    """
    if not progress:
        yield lambda n: None
        return
    if callable(progress):
        yield lambda n: progress(n, total)
        progress(total, total)
        return
    bar = _tqdm()(total=total, desc=desc, unit="step", leave=True)
    try:
        yield lambda n: bar.update(max(0, n - bar.n))
        bar.update(total - bar.n)
    finally:
        bar.close()
