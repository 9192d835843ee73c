"""Outside view: base rates, LOO scores on synthetic tables with hand-computed answers, the page, every target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from dezsim.base.errors import DataError
from dezsim.data.loader import load
from dezsim.targets import outside_score as osc
from dezsim.targets import outside_view as ov
from dezsim.targets.outside_params import value

J = value("jeffreys_prior")
K = value("class_prior_strength")


def table(met, classes=None, g_req=None) -> pd.DataFrame:
    n = len(met)
    return pd.DataFrame({"id": [f"rt-{i:03d}" for i in range(n)], "class": classes or ["money_level"] * n,
                         "met": met, "direction": 1, "g_req": g_req if g_req is not None else [np.nan] * n,
                         "g_ach": np.nan})


def test_all_met_gives_jeffreys_posterior_near_one():
    rows = table([1] * 20)
    a, b = ov.pooled_posterior(rows.met.to_numpy())
    assert (a, b) == (20 + J, J)
    lo, hi = ov.beta_interval(a, b)
    assert lo == pytest.approx(stats.beta.ppf(0.05, 20.5, 0.5))
    assert hi == pytest.approx(stats.beta.ppf(0.95, 20.5, 0.5))
    assert a / (a + b) > 0.97 and hi > 0.999


def test_class_posterior_pools_toward_pooled_rate():
    rows = table([1, 1, 1, 0, 0, 0, 0, 0], classes=["coverage_share"] * 3 + ["money_level"] * 5)
    post = ov.class_posteriors(rows)
    m = (3 + J) / (8 + 2 * J)
    assert post.loc["coverage_share", "mean"] == pytest.approx((K * m + 3) / (K + 3))
    assert post.loc["money_level", "mean"] == pytest.approx((K * m + 0) / (K + 5))
    assert post.loc["projects_count", "mean"] == pytest.approx(m)  # no outcomes: the pooled rate
    assert post.loc["projects_count", "n"] == 0


def test_loo_brier_on_four_rows_by_hand():
    rows = table([1, 1, 0, 1])
    loo = osc.loo_predictions(rows)
    # constant, row left out: (met of the other three + 1/2) / (3 + 1)
    want_const = np.array([2.5, 2.5, 3.5, 2.5]) / 4
    assert loo["constant"].to_numpy() == pytest.approx(want_const)
    # one class: (K m + met) / (K + 3) with m the same leave-one-out pooled mean
    want_class = (K * want_const + np.array([2, 2, 3, 2])) / (K + 3)
    assert loo["class"].to_numpy() == pytest.approx(want_class)
    s = osc.scores(loo)
    y = np.array([1, 1, 0, 1])
    assert s.loc["constant", "brier"] == pytest.approx(np.mean((want_const - y) ** 2))
    assert s.loc["class", "brier"] == pytest.approx(np.mean((want_class - y) ** 2))
    assert s.loc["constant", "log_score"] == pytest.approx(-np.mean(np.log(np.where(y == 1, want_const,
                                                                                      1 - want_const))))
    assert s.loc["class", "d_brier"] == pytest.approx(s.loc["class", "brier"] - s.loc["constant", "brier"])
    assert s.loc["class", "d_brier_low"] <= s.loc["class", "d_brier"] <= s.loc["class", "d_brier_high"]


def test_ambition_fit_is_the_penalised_mode_and_learns_the_sign():
    g = np.linspace(0.0, 0.5, 40)
    rows = table([int(x < 0.25) for x in g], g_req=list(g))
    fit = ov.fit_ambition(rows)
    x = fit.design(rows["class"].to_numpy(), g)
    grad = x.T @ (rows.met.to_numpy() - special.expit(x @ fit.coef)) - ov.prior_precision() @ fit.coef
    assert np.max(np.abs(grad)) < 1e-8
    assert fit.coef[-1] < 0  # more required growth, fewer targets met
    p, lo, hi = fit.predict(np.array(["money_level", "money_level"]), np.array([0.0, 0.5]))
    assert p[0] > p[1] and np.all(lo <= p) and np.all(p <= hi)


def test_chosen_method_keeps_the_base_rate_unless_beaten():
    t = pd.DataFrame({"brier": [0.20, 0.21, 0.20]}, index=["constant", "class", "ambition"])
    assert osc.chosen_method(t) is ov.Method.CONSTANT
    t.loc["ambition", "brier"] = 0.19
    assert osc.chosen_method(t) is ov.Method.AMBITION


def test_required_growth():
    assert ov.required_growth(100, 2020, 200, 2025, ">=") == pytest.approx(np.log(2) / 5)
    assert ov.required_growth(1.5, 2020, 1.3, 2025, "<=") == pytest.approx(-np.log(1.3 / 1.5) / 5)
    assert np.isnan(ov.required_growth(np.nan, 2020, 200, 2025, ">="))
    assert np.isnan(ov.required_growth(100, 2025, 200, 2025, ">="))


def test_page_is_not_stale():
    assert osc.DOC.read_text(encoding="utf-8") == osc.render() + "\n", \
        "run `python -m dezsim.targets.outside_score --write` and commit"


@pytest.fixture(scope="module")
def joined():
    return ov.outside_and_indicator_table(load(), seed=7)


def test_every_plan_target_gets_one_row(joined):
    ids = load().targets().id
    assert sorted(joined.target_id) == sorted(ids)
    assert joined.target_id.is_unique
    assert joined[["p_outside", "p_outside_low", "p_outside_high"]].notna().all().all()
    assert (joined.p_outside_low <= joined.p_outside).all() and (joined.p_outside <= joined.p_outside_high).all()
    assert set(joined.tier) <= {"indicator_trend", "outside_view"}
    assert joined.p_indicator.notna().sum() == (joined.tier == "indicator_trend").sum()


def test_same_seed_same_table(joined):
    again = ov.outside_and_indicator_table(load(), seed=7)
    pd.testing.assert_frame_equal(joined, again)


def test_class_map_gap_is_a_one_line_error(tmp_path):
    import shutil

    root = tmp_path / "data"
    shutil.copytree(load().root, root, ignore=shutil.ignore_patterns("pages"))
    path = root / ov.CLASS_MAP
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("software_revenue,")) + "\n",
                    encoding="utf-8")
    from dezsim.targets.target_baselines import plan_targets

    with pytest.raises(DataError, match=r"class_map.csv: no row for indicator 'software_revenue', kind 'target'"):
        plan_targets(load(root))


def test_leave_one_plan_out_holds_out_the_whole_plan():
    rows = table([1, 1, 0, 1]).assign(plan=["a", "a", "b", "b"])
    loo = osc.loo_predictions(rows, group="plan")
    # plan a held out: the rest is (0, 1) -> (1 + 1/2) / 3; plan b held out: (1, 1) -> (2 + 1/2) / 3
    assert loo["constant"].to_numpy() == pytest.approx([1.5 / 3, 1.5 / 3, 2.5 / 3, 2.5 / 3])


def test_duplicate_class_map_row_is_a_one_line_error(tmp_path):
    folder = tmp_path / "reference_targets"
    folder.mkdir()
    (folder / "class_map.csv").write_text("indicator,kind,class,reason\nx,target,money_level,a\n"
                                          "x,target,other_count,b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"class_map.csv:3: column 'indicator' = 'x': second row for kind"):
        ov.load_class_map(tmp_path)


def test_horizon_table_leaves_out_annual_plans_only():
    # two annual rows, both missed, in growth_rate; multi-year rows met
    rows = table([0, 0, 1, 1, 1], classes=["growth_rate"] * 3 + ["money_level"] * 2).assign(
        plan_years=[1, 1, 5, 5, 5])
    h = osc.horizon_sensitivity(rows)
    assert h.loc["growth_rate", "n_all"] == 3 and h.loc["growth_rate", "n_multi_year"] == 1
    assert h.loc["money_level", "n_all"] == h.loc["money_level", "n_multi_year"] == 2
    m_multi = (3 + J) / (3 + 2 * J)
    assert h.loc["growth_rate", "mean_multi_year"] == pytest.approx((K * m_multi + 1) / (K + 1))
    assert h.loc["growth_rate", "mean_multi_year"] > h.loc["growth_rate", "mean_all"]
