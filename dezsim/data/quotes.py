"""Verify that every figure's quote is an exact substring of the document it cites."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dezsim.data.dataset import Dataset


def default_seeds(data: Path | None = None) -> Path | None:
    """The plan texts' folder (``plans/`` of the ``data`` folder in use; ``DEZSIM_SEEDS`` overrides it), if it
    exists."""
    from dezsim.resources import plans_root

    path = plans_root(data)
    return path if path.is_dir() else None


def missing_quotes(ds: Dataset, seeds: Path) -> pd.DataFrame:
    """Figures citing a seed file, and target readings of such figures, whose quote is not found verbatim in it.

    Parameters
    ----------
    ds : Dataset
        Loaded data.
    seeds : Path
        Folder holding the seed texts named in the ``source`` column.

    Returns
    -------
    pandas.DataFrame
        ``id, source, quote, problem`` for each failure (empty when all quotes are exact); a reading's id is
        ``reading:<figure id>``.
    """
    seed_sources = set(ds.sources.loc[ds.sources.kind == "seed", "source"])
    figures = ds.figures[ds.figures.source.isin(seed_sources)][["id", "source", "quote"]]
    if len(ds.readings):
        source_of = dict(zip(ds.figures.id, ds.figures.source, strict=True))
        readings = pd.DataFrame({"id": "reading:" + ds.readings.id, "source": ds.readings.id.map(source_of),
                                 "quote": ds.readings.quote})
        figures = pd.concat([figures, readings[readings.source.isin(seed_sources)]], ignore_index=True)
    rows, texts = [], {}
    for fig in figures.itertuples():
        if fig.source not in texts:
            # Only a plain file name directly in the seeds folder is read (data.load refuses others too).
            path = seeds / fig.source
            inside = path.name == fig.source and path.resolve().parent == seeds.resolve()
            texts[fig.source] = path.read_text(encoding="utf-8") if inside and path.is_file() else None
        text = texts[fig.source]
        if text is None:
            rows.append((fig.id, fig.source, fig.quote, "seed file missing"))
        elif "\n" in fig.quote or fig.quote not in text:
            rows.append((fig.id, fig.source, fig.quote, "quote not in seed"))
    return pd.DataFrame(rows, columns=["id", "source", "quote", "problem"])
