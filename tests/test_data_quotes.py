"""Every figure quoted from a plan is found verbatim in that plan."""

from __future__ import annotations

import pytest

from dezsim.data.quotes import missing_quotes

from .conftest import SEEDS



def test_every_quote_is_an_exact_substring_of_its_seed(dataset):
    bad = missing_quotes(dataset, SEEDS)
    assert bad.empty, bad.to_string()


def test_every_seed_file_contributes_figures_and_targets(dataset):
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    per_source = dataset.figures.groupby("source").size()
    targets = dataset.targets().groupby("source").size()
    for name in seeds:
        assert per_source.get(name, 0) >= 10, f"{name} contributes {per_source.get(name, 0)} figures"
        assert targets.get(name, 0) >= 1, f"{name} contributes no target"


def test_seed_sources_are_declared_with_their_titles(dataset):
    seeds = dataset.sources[dataset.sources.kind == "seed"]
    assert len(seeds) == 5
    assert seeds.title.str.len().min() > 4


def test_public_figures_cite_a_url_and_stop_at_2020(dataset):
    urls = set(dataset.sources.loc[dataset.sources.kind == "url", "source"])
    public = dataset.figures[dataset.figures.source.isin(urls)]
    assert len(public) > 0
    assert public.source.str.match(r"https?://").all()
    assert (public.year <= 2020).all(), "figures after 2020 from outside the seeds are for validation only"
