"""Both views joined on target_id, the basis of each target, the views-differ flag and the headline split."""

import numpy as np
import pandas as pd
import pytest

from dezsim.targets.reach import headline, headline_text
from dezsim.targets.views import VIEWS_DIFFER, with_views


def _reach() -> pd.DataFrame:
    return pd.DataFrame({
        "target_id": ["a", "b", "c", "d", "e"], "grouped": ["", "x; y", "", "", ""],
        "indicator": ["gdp", "smart_workshops", "gdp", "e_sports_events", "core_industry_va"],
        "assessed": [True, True, False, False, True], "p_reach": [0.9, 0.1, np.nan, np.nan, 0.5],
        "verdict": ["likely", "unlikely", np.nan, np.nan, "uncertain"]})


def _outside() -> pd.DataFrame:
    # one row per figure id: the grouped repeats x and y have rows too, which the join must not duplicate
    ids = ["a", "b", "c", "d", "e", "x", "y"]
    return pd.DataFrame({"target_id": ids, "p_outside": [0.6, 0.65, 0.7, 0.8, 0.5, 0.6, 0.6],
                         "p_outside_low": [0.4] * 7, "p_outside_high": [0.9] * 7, "class": ["money_level"] * 7,
                         "basis": ["base rate"] * 7, "p_indicator": [np.nan, np.nan, 0.15, np.nan, 0.3,
                                                                      np.nan, np.nan]})


def test_basis_inside_view_and_flag_per_target():
    v = with_views(_reach(), _outside()).set_index("target_id")
    assert len(v) == 5
    assert v.basis.to_dict() == {"a": "sd", "b": "agents", "c": "indicator_trend", "d": "none", "e": "sd"}
    # the model's p wins over the generic model's where both exist (e); the trend is the inside view of c
    assert v.p_inside.drop("d").to_dict() == {"a": 0.9, "b": 0.1, "c": 0.15, "e": 0.5}
    assert np.isnan(v.p_inside["d"])
    # |0.9-0.6| = 0.3, |0.1-0.65| = 0.55, |0.15-0.7| = 0.55, no inside view, |0.5-0.5| = 0
    assert v.views_differ.to_dict() == {"a": False, "b": True, "c": True, "d": False, "e": False}
    assert v.loc["a", "p_outside_low"] == 0.4 and v.loc["d", "outside_class"] == "money_level"


def test_flag_is_strictly_above_the_declared_gap():
    out = _outside().assign(p_outside=[0.9 - VIEWS_DIFFER, 0.5, 0.7, 0.8, 0.5, 0.6, 0.6])
    v = with_views(_reach(), out).set_index("target_id")
    assert not v.loc["a", "views_differ"]        # exactly 0.4 apart is not "more than"
    out = out.assign(p_outside=[0.9 - VIEWS_DIFFER - 0.01, 0.5, 0.7, 0.8, 0.5, 0.6, 0.6])
    assert with_views(_reach(), out).set_index("target_id").loc["a", "views_differ"]


def test_headline_splits_targets_by_basis():
    v = with_views(_reach(), _outside())
    h = headline(v)
    assert (h["targets"], h["by_sd"], h["by_agents"], h["by_indicator_trend"], h["no_inside_view"]) == (5, 2, 1, 1, 1)
    assert (h["likely"], h["uncertain"], h["unlikely"]) == (1, 1, 1)
    assert (h["trend_likely"], h["trend_uncertain"], h["trend_unlikely"]) == (0, 0, 1)
    assert (h["outside"], h["views_differ"], h["grouped"]) == (5, 2, 2)
    text = headline_text(v)
    assert "5 unique targets" in text and "3 by the model (1 likely, 1 uncertain, 1 unlikely)" in text
    assert "1 by an indicator trend (0 likely, 0 uncertain, 1 unlikely)" in text and "5 with an outside view" in text


def test_headline_without_views_is_the_model_only_sentence():
    text = headline_text(_reach())
    assert "3 assessed (1 likely, 1 uncertain, 1 unlikely), 2 not assessed" in text


def test_inside_interval_is_the_models_or_the_trends_own():
    reach = _reach().assign(p_low=[0.85, 0.05, np.nan, np.nan, 0.44], p_high=[0.94, 0.16, np.nan, np.nan, 0.56])
    out = _outside().assign(p_indicator_mc_se=[np.nan, np.nan, 0.01, np.nan, 0.2, np.nan, np.nan],
                            indicator_basis=["", "", "trend from 10 in 2020", "", "trend", "", ""])
    v = with_views(reach, out).set_index("target_id")
    # the model's Jeffreys interval where the model assesses (e, although a trend also exists for it)
    assert (v.loc["a", "p_inside_low"], v.loc["a", "p_inside_high"]) == (0.85, 0.94)
    assert (v.loc["e", "p_inside_low"], v.loc["e", "p_inside_high"]) == (0.44, 0.56)
    # the trend's: p +- z(0.95) se, 1.6449 for the 90 % level
    assert np.isclose(v.loc["c", "p_inside_low"], 0.15 - 1.6449 * 0.01, atol=1e-4)
    assert np.isclose(v.loc["c", "p_inside_high"], 0.15 + 1.6449 * 0.01, atol=1e-4)
    assert v.loc["c", "indicator_basis"] == "trend from 10 in 2020" and v.loc["d", "indicator_basis"] == ""
    assert np.isnan(v.loc["d", "p_inside_low"])


def test_trend_interval_stays_inside_zero_and_one():
    out = _outside().assign(p_indicator=[np.nan, np.nan, 0.02, np.nan, 0.3, np.nan, np.nan],
                            p_indicator_mc_se=[np.nan, np.nan, 0.05, np.nan, 0.2, np.nan, np.nan])
    v = with_views(_reach(), out).set_index("target_id")
    assert v.loc["c", "p_inside_low"] == 0.0 and v.loc["c", "p_inside_high"] < 1.0


def test_the_combined_p_pools_only_the_inside_views_the_backtest_scored():
    from dezsim.targets.pooling import Pool
    from dezsim.targets.views import combined

    pool = Pool(intercept=0.2, outside=1.5, inside=0.5, prior_sd=1.0, targets=30)
    p_in, p_out = np.array([0.9, 0.9, np.nan, 0.2]), np.array([0.5, 0.5, 0.7, np.nan])
    w, p = combined(p_in, p_out, ["software_revenue", "covered_firms_share", "gdp", "gdp"], pool=pool)
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    assert w.tolist() == [0.5, 0.0, 0.0, 0.0]
    assert logit(p[0]) == pytest.approx(0.2 + 1.5 * logit(0.5) + 0.5 * logit(0.9))
    assert logit(p[1]) == pytest.approx(0.2 + 1.5 * logit(0.5))  # an agents target: the outside view recalibrated
    assert logit(p[2]) == pytest.approx(0.2 + 1.5 * logit(0.7))
    assert p[3] == pytest.approx(0.2)  # no outside view: the inside view alone
    _, same = combined(p_in, p_out, ["gdp"] * 4, pool=Pool.outside_view())
    assert same[:3] == pytest.approx([0.5, 0.5, 0.7])


def test_the_shipped_pool_is_what_the_report_uses():
    from dezsim.targets import pooling
    from dezsim.targets.views import combined

    pool = pooling.stored()
    assert pool is not None and pool.targets >= 20
    w, p = combined(np.array([0.5]), np.array([0.6]), ["gdp"])
    assert w[0] == pool.inside and p[0] == pytest.approx(pool.predict(np.array([0.5]), np.array([0.6]))[0])
