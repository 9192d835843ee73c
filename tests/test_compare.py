"""Scenario comparison: paired Δp with Newcombe's interval, exact on synthetic results; a smoke run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import dezsim
from dezsim.base.errors import DezsimError
from dezsim.model.config import SCENARIOS, Scenario
from dezsim.model.results import Results
from dezsim.outputs.compare import Comparison, compare, newcombe_paired, paired_delta
from dezsim.targets.reach import reachability

REPO_SCENARIOS = str(SCENARIOS) + "/"


def _wilson(k, n, level=0.90):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return ci.low, ci.high


def test_newcombe_without_correlation_is_the_unpaired_square_and_add():
    # a*d == b*c: phi = 0, so method 10 reduces to Newcombe's unpaired method 10 (Wilson square-and-add)
    both, only_base, only_other, neither = 4, 2, 6, 3
    assert both * neither == 12 == only_base * only_other
    n = 15
    p_other, p_base = (both + only_other) / n, (both + only_base) / n
    (l1, u1), (l2, u2) = _wilson(both + only_other, n), _wilson(both + only_base, n)
    delta, lo, hi = newcombe_paired(both, only_base, only_other, neither)
    assert delta == pytest.approx(p_other - p_base)
    assert lo == pytest.approx(delta - np.hypot(p_other - l1, u2 - p_base), abs=1e-12)
    assert hi == pytest.approx(delta + np.hypot(u1 - p_other, p_base - l2), abs=1e-12)


def test_newcombe_pairing_narrows_the_interval():
    # positively correlated pairs (most runs concordant) give a narrower interval than phi = 0 would
    d, lo, hi = newcombe_paired(10, 1, 3, 6)
    n = 20
    (l1, u1), (l2, u2) = _wilson(13, n), _wilson(11, n)
    assert d == pytest.approx(0.1)
    assert hi - lo < np.hypot(13 / n - l1, u2 - 11 / n) + np.hypot(u1 - 13 / n, 11 / n - l2)


def test_newcombe_no_discordant_runs_is_not_degenerate():
    d, lo, hi = newcombe_paired(5, 0, 0, 5)
    assert d == 0.0 and lo < 0.0 < hi


@pytest.fixture(scope="module")
def small(dataset):
    res = dezsim.run(Scenario(name="a", regions=["suzhou"]), runs=4, seed=3, data=dataset)
    reach = reachability(res, dataset)
    targets = dataset.targets().set_index("id")
    ok = reach[reach.assessed & (reach.region == "suzhou") & (reach.relation == ">=") & (reach.threshold > 0)]
    ok = ok[[targets.loc[t, "kind"] == "target" and pd.isna(targets.loc[t, "period_start"])
             and targets.loc[t, "basis"] in ("stock", "share") for t in ok.target_id]]
    return res, ok.iloc[0]


def _forced(res: Results, target, hits: set[int], name: str) -> Results:
    """``res`` with the target's indicator, from its year on, far above (runs in ``hits``) or at 0 (others)."""
    f = res.frame.copy()
    sel = (f.indicator == target.indicator) & (f.region == target.region) & (f.year >= target.year)
    factor = np.where(f.run.isin(sorted(hits)), 1e6, 0.0)
    f.loc[sel, "value"] = f.loc[sel, "value"].to_numpy() * factor[sel.to_numpy()] + 1e6 * abs(target.threshold) \
        * f.run.isin(sorted(hits))[sel].to_numpy()
    f["scenario"] = pd.Categorical([name] * len(f))
    return Results(f, res.design, res.provenance)


def test_paired_delta_exact_on_forced_outcomes(small, dataset):
    res, target = small
    a, b = _forced(res, target, {0, 1}, "a"), _forced(res, target, {1, 2, 3}, "b")
    row = paired_delta(a, b, dataset).set_index("target_id").loc[target.target_id]
    assert (row.p_baseline, row.p, row.delta) == (0.5, 0.75, 0.25)
    assert (row.runs_gained, row.runs_lost, row.runs) == (2, 1, 4)
    _, lo, hi = newcombe_paired(1, 1, 2, 0)
    assert (row.delta_low, row.delta_high) == pytest.approx((lo, hi))


def test_paired_delta_refuses_unpaired_runs(small, dataset):
    res, _ = small
    other = dezsim.run(Scenario(name="b", regions=["suzhou"]), runs=4, seed=4, data=dataset)
    with pytest.raises(DezsimError, match="same seed and runs"):
        paired_delta(res, other, dataset)


def test_compare_smoke_two_scenario_files(dataset, tmp_path):
    files = [REPO_SCENARIOS + "baseline.yaml", REPO_SCENARIOS + "wuxi_style_support.yaml"]
    cmp = compare(files, runs=3, seed=0, data=dataset)
    assert isinstance(cmp, Comparison) and cmp.scenarios == ["baseline", "wuxi_style_support"]
    t = cmp.table
    unique_targets = (dataset.readings.role == "target").sum()  # repeats and glosses are grouped under their target
    assert len(t) == unique_targets and set(t.scenario) == {"wuxi_style_support"}
    done = t.dropna(subset=["delta"])
    assert len(done) > 0 and ((done.delta_low <= done.delta) & (done.delta <= done.delta_high)).all()
    assert (done.delta == done.p - done.p_baseline).all()
    assert (t[t.delta.isna()].note.str.len() > 0).all()
    back = pd.read_csv(cmp.to_csv(tmp_path / "c.csv"))
    assert back.iloc[0].scenario == "unit" and back.iloc[0].delta.startswith("probability")
    assert len(cmp.plot().axes[0].lines) > 0


def test_compare_a_scenario_with_itself_changes_nothing(dataset):
    base = Scenario(name="x", regions=["taicang"])
    cmp = dezsim.outputs.compare([base, base.model_copy(update={"name": "y"})], runs=3, seed=1, data=dataset)  # public call
    done = cmp.table.dropna(subset=["delta"])
    assert len(done) > 0 and (done.delta == 0).all() and (done.runs_gained == 0).all() and (done.runs_lost == 0).all()
    assert isinstance(cmp, Comparison)


def test_met_by_run_is_the_reach_table_of_each_run_alone(small, dataset):
    # the vectorised flags must read every target exactly as the reach table of a one-run ensemble does
    from dezsim.targets.reach import met_by_run

    res, _ = small
    flags, reach = met_by_run(res, dataset)
    design = res.design.set_index("run")
    assert list(flags.columns) == sorted(res.frame.run.unique()) and flags.notna().any().all()
    for run, part in res.frame.groupby("run", observed=True):
        one = reachability(Results(part, design.loc[[run]].reset_index(), res.provenance), dataset).set_index(
            "target_id")
        alone = one.p_reach.where(one.assessed.astype(bool)).astype(float)
        pd.testing.assert_series_equal(flags[run], alone.reindex(flags.index), check_names=False)
    assert (flags.mean(axis=1).dropna() == reach.set_index("target_id").p_reach.dropna().astype(float)).all()
