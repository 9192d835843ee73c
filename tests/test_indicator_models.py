"""Generic indicator models on synthetic cases with exact or analytic answers; seeding; plan-target assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dezsim.base.errors import ConfigError
from dezsim.targets import indicator_models as im
from dezsim.targets import indicator_priors
from dezsim.targets.outside_params import value

N = 20000
#: Monte Carlo checks allow 5 binomial standard errors (a false failure about once in 1.7 million runs).
Z = 5.0


def rng(i: int = 0) -> np.random.Generator:
    return im.target_rng(123, f"case-{i}")


def mc_band(p: float) -> float:
    return Z * np.sqrt(max(p * (1 - p), 1e-12) / N)


def test_tiers_and_models_are_declared():
    assert [t.value for t in im.Tier] == ["sd", "agents", "indicator_trend", "outside_view"]
    assert set(im.MODELS) == set(im.GenericModel)


@pytest.mark.parametrize("direction,target,want", [(1, 160.0, 1.0), (1, 170.0, 0.0), (-1, 170.0, 1.0),
                                                   (-1, 160.0, 0.0)])
def test_trend_without_noise_is_the_deterministic_path(direction, target, want):
    # 100 e^{5 x 0.1} = 164.87: above 160, below 170
    case = im.Case(100.0, target, 5, direction, rate=0.1)
    assert im.p_level_trend(case, rng(), 500).p == want


def test_trend_with_noise_matches_the_normal_law():
    case = im.Case(100.0, 180.0, 5, 1, rate=0.1, rate_sd=0.05, shock_sd=0.04)
    sd = np.sqrt((5 * 0.05) ** 2 + 5 * 0.04 ** 2)
    want = stats.norm.sf((np.log(1.8) - 0.5) / sd)
    assert abs(im.p_level_trend(case, rng(), N).p - want) < mc_band(want)


def test_diffusion_without_spread_is_zero_or_one_as_the_closed_form():
    for target, rate in [(90.0, 0.6), (99.0, 0.3), (100.0, 2.0)]:
        case = im.Case(60.0, target, 5, 1, rate=rate)
        want = im.diffusion_closed_form(case)
        assert want in (0.0, 1.0)
        assert im.p_logistic_diffusion(case, rng(), 200).p == want
    share = im.diffusion_share(60.0, np.array([0.6]), 5, value("coverage_ceiling"))[0]
    assert im.diffusion_closed_form(im.Case(60.0, 90.0, 5, 1, rate=0.6)) == float(share >= 90 - 0.5)


def test_diffusion_with_spread_matches_closed_form():
    case = im.Case(40.0, 95.0, 5, 1, rate=0.5, rate_sd=0.5)
    want = im.diffusion_closed_form(case)
    assert 0.05 < want < 0.95
    assert abs(im.p_logistic_diffusion(case, rng(), N).p - want) < mc_band(want)


def test_already_reached_share_is_certain():
    assert im.diffusion_closed_form(im.Case(100.0, 100.0, 5, 1, rate=0.3)) == 1.0


def test_poisson_count_equals_scipy():
    case = im.Case(0.0, 30.0, 3, 1, rate=8.0)
    assert im.p_period_count(case, rng(), 1).p == stats.poisson.sf(29, 24.0)


def test_negative_binomial_count_equals_gamma_poisson_mixture():
    case = im.Case(0.0, 30.0, 3, 1, rate=8.0, rate_sd=3.0)
    g = np.random.default_rng(5)
    lam = g.gamma((8 / 3) ** 2, 9 / 8, N)
    mc = np.mean(g.poisson(lam * 3) >= 30)
    p = im.p_period_count(case, rng(), 1).p
    assert abs(p - mc) < mc_band(p)
    assert p > stats.poisson.sf(29, 24.0)  # rate uncertainty fattens the upper tail


def test_same_seed_same_numbers_and_targets_independent():
    case = im.Case(100.0, 150.0, 5, 1, rate=0.08, rate_sd=0.05, shock_sd=0.03)
    a = im.p_level_trend(case, im.target_rng(9, "s001a-144"), 1000).p
    b = im.p_level_trend(case, im.target_rng(9, "s001a-144"), 1000).p
    assert a == b
    assert im.target_rng(9, "x").random() != im.target_rng(9, "y").random()
    assert im.target_rng(9, "x").random() != im.target_rng(10, "x").random()


def test_bad_cases_are_one_line_errors():
    with pytest.raises(ConfigError, match="years >= 1"):
        im.Case(1.0, 2.0, 0)
    with pytest.raises(ConfigError, match="baseline .* must be > 0"):
        im.p_level_trend(im.Case(0.0, 2.0, 3), rng(), 10)
    with pytest.raises(ConfigError, match="rate .* must be > 0"):
        im.p_period_count(im.Case(0.0, 2.0, 3), rng(), 10)


def test_plan_targets_get_models_only_with_a_baseline():
    from dezsim.data.loader import load
    from dezsim.targets.target_baselines import plan_targets

    ds = load()
    tab = indicator_priors.indicator_table(ds, seed=1, n_paths=500)
    pt = plan_targets(ds).set_index("target_id")
    used = tab[tab.tier == "indicator_trend"].target_id
    assert len(used) > 0
    assert pt.loc[used, "baseline_id"].notna().all()
    assert pt.loc[used, "baseline_year"].le(2020).all()
    assert tab.p_indicator.dropna().between(0, 1).all()


def test_baseline_is_the_latest_pre_2021_headline_figure():
    import pandas as pd

    from dezsim.targets.target_baselines import baseline_rows, pick_baseline

    f = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "region": "suzhou", "indicator": "x", "unit": "count",
                      "kind": ["baseline", "baseline", "baseline", "baseline", "target"],
                      "basis": "stock", "year": [2019, 2020, 2020, 2021, 2020],
                      "scope": [None, "one district", None, None, None], "value": [1.0, 2.0, 3.0, 4.0, 5.0]})
    base = baseline_rows(f)
    assert base.id.tolist() == ["a", "b", "c"]  # no 2021 figure, no target
    t = {"region": "suzhou", "indicator": "x", "unit": "count"}
    assert pick_baseline(t, base, {"stock"})["id"] == "c"  # latest year of the target's (whole-region) scope
    assert pick_baseline(t, base, {"flow"}) is None
    # a figure of another scope counts another population: never a baseline for it, and the only one for a
    # target of that very scope
    assert pick_baseline(t | {"scope": "one district"}, base, {"stock"})["id"] == "b"
    assert pick_baseline(t | {"scope": "another district"}, base, {"stock"}) is None
    assert pick_baseline(t, base[base.id == "b"], {"stock"}) is None


def test_jiangsu_2025_key_area_5g_coverage_does_not_grow_from_the_2020_town_coverage():
    """s003-031 (全面覆盖 of core areas, trunk lines and parks, 2025) and s003-023 (2020 full coverage of city and
    county centres) count different areas: the 2020 figure is no baseline for it (it gave p = 1 by construction)."""
    import dezsim
    from dezsim.targets.target_baselines import plan_targets

    pt = plan_targets(dezsim.load_data()).set_index("target_id")
    assert pt.loc["s003-031", "baseline_id"] is None or pd.isna(pt.loc["s003-031", "baseline_id"])
