"""Recognition lists granted in yearly batches: the rule, its priors from data/ and its place in the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.data.history_infra import load_infrastructure_history
from dezsim.model import params as P
from dezsim.model.abm.recognition import recognised_in_batches


def _one(value: float) -> np.ndarray:
    return np.full((1, 1, 1), value)


def _history() -> pd.Series:
    h = load_infrastructure_history()
    return h.set_index("id").value


def test_the_2020_batch_share_is_jiangsus_2020_batch_over_its_list(dataset):
    stock = dataset.figures.set_index("id").value["s003-008"]
    before = _history()["ia-067"]
    # the declared value is the ratio rounded to two digits, as its source says
    assert abs(P.BY_NAME["recognition_batch_2020_share"].default - (stock - before) / stock) < 0.005


def test_the_batch_growth_prior_rests_on_the_batches_on_record(dataset):
    v = _history()
    national = [v["ia-112"], v["ia-113"] - v["ia-112"], v["ia-114"], v["ia-115"]]
    jiangsu_2020 = dataset.figures.set_index("id").value["s003-008"] - v["ia-067"]
    growths = list(np.diff(np.log(national))) + [np.log(jiangsu_2020 / v["ia-066"])]
    prior = P.BY_NAME["recognition_batch_growth"]
    assert abs(prior.default - np.median(growths)) < 0.005
    assert abs(prior.bounds[1] - max(growths)) < 0.005
    assert prior.bounds[0] < min(growths)  # a batch may shrink: the low bound lies below every growth on record


def test_plentiful_candidates_fill_the_quota_exactly():
    firms = np.array([[[1000.0, 5000, 20000, 80000]]])
    share, batch, growth = 0.3, 0.29, 0.2
    got = recognised_in_batches(firms, _one(share), _one(batch), _one(growth))[0, 0]
    start = share * 1000
    want = [start + batch * start * sum(np.exp(growth * j) for j in range(1, k + 1)) for k in range(4)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_no_new_candidates_means_no_new_recognitions():
    firms = np.array([[[1000.0, 1000, 1000]]])
    got = recognised_in_batches(firms, _one(0.3), _one(0.29), _one(0.5))[0, 0]
    np.testing.assert_allclose(got, [300, 300, 300])


def test_a_slow_campaign_caps_the_batch_at_the_candidates():
    firms = np.array([[[1000.0, 1010, 1030]]])  # 10 and 20 new workshop firms, 3 and 6 of them listable
    got = recognised_in_batches(firms, _one(0.3), _one(0.29), _one(0.0))[0, 0]
    np.testing.assert_allclose(got, [300, 303, 309])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 5000), min_size=2, max_size=7), st.floats(100, 5000),
       st.floats(0.1, 0.8), st.floats(-0.2, 0.64))
def test_lists_never_fall_and_never_exceed_the_listable_firms(steps, first, share, growth):
    firms = np.cumsum([first, *steps])[None, None, :]
    got = recognised_in_batches(firms, _one(share), _one(0.29), _one(growth))[0, 0]
    assert (np.diff(got) >= 0).all() and (got >= 0).all()
    assert (got <= share * firms[0, 0] * (1 + 1e-12)).all()


def test_the_coupled_run_reports_every_recognition_list():
    from dezsim.model.config import Scenario
    from dezsim.model.simulate import run

    res = run(Scenario(name="b", end=2023), runs=3, seed=5)
    present = set(res.frame.indicator.astype(str))
    assert {"smart_workshops", "smart_factories", "smart_workshops_municipal", "smart_factories_municipal",
            "smart_workshops_prov_muni", "smart_factories_prov_muni", "cloud_star_firms"} <= present


def _stated(rows):
    return pd.DataFrame(rows, columns=["id", "region", "indicator", "value"])


def _raw(prov, muni):
    """Two leaves, two runs, three years: provincial and municipal workshop lists (factories empty)."""
    zeros = np.zeros((2, 2, 3))
    return {"workshops_recognised": np.asarray(prov, float), "workshops_municipal": np.asarray(muni, float),
            "factories_recognised": zeros, "factories_municipal": zeros}


def test_a_leaf_starts_at_its_stated_lists_and_keeps_its_growth():
    from dezsim.model.abm.recognition import anchor_lists

    prov = [[[10, 15, 20], [4, 5, 6]], [[20, 25, 40], [8, 8, 8]]]
    muni = [[[5, 6, 7], [2, 2, 3]], [[10, 12, 14], [4, 5, 6]]]
    stated = _stated([("p", "a", "smart_workshops", 30.0), ("m", "a", "smart_workshops_municipal", 45.0),
                      ("b", "b", "smart_workshops_prov_muni", 12.0)])
    out = anchor_lists(_raw(prov, muni), stated, ["a", "b"])
    p, m = out["workshops_recognised"], out["workshops_municipal"]
    np.testing.assert_allclose(p[:, 0, 0], 30)
    np.testing.assert_allclose(m[:, 0, 0], 45)
    np.testing.assert_allclose(p[:, 0] / p[:, 0, :1], np.asarray(prov, float)[:, 0] / np.asarray(prov, float)[:, 0, :1])
    np.testing.assert_allclose(p[:, 1, 0] + m[:, 1, 0], 12)  # the summed figure scales both lists by one factor
    np.testing.assert_allclose(p[:, 1] / m[:, 1], np.asarray(prov, float)[:, 1] / np.asarray(muni, float)[:, 1])


def test_a_list_without_its_own_figure_follows_the_other_and_a_zero_start_is_lifted():
    from dezsim.model.abm.recognition import anchor_lists

    prov = [[[10, 15, 20], [0, 0, 1]], [[20, 25, 40], [0, 2, 3]]]
    muni = [[[5, 6, 7], [0, 0, 0]], [[10, 12, 14], [0, 1, 1]]]
    stated = _stated([("p", "a", "smart_workshops", 30.0), ("q", "b", "smart_workshops", 7.0)])
    out = anchor_lists(_raw(prov, muni), stated, ["a", "b"])
    np.testing.assert_allclose(out["workshops_municipal"][0, 0], np.array([5, 6, 7]) * 3)  # factor 30 / 10
    np.testing.assert_allclose(out["workshops_recognised"][:, 1], [[7, 7, 8], [7, 9, 10]])  # nothing to scale: lift


def test_coupled_runs_start_every_stated_leaf_list_at_its_figure(dataset):
    from dezsim.model.config import Scenario
    from dezsim.model.simulate import run

    res = run(Scenario(name="b", end=2022), runs=4, seed=1)
    at = lambda ind, reg: res.select(ind, reg, 2020).value  # noqa: E731
    figures = dataset.figures.set_index("id").value
    np.testing.assert_allclose(at("smart_workshops", "taicang"), figures["pub-015"])
    np.testing.assert_allclose(at("smart_workshops_municipal", "taicang"), figures["pub-017"])
    np.testing.assert_allclose(at("smart_workshops_prov_muni", "wuzhong"), figures["s001a-121"])
    np.testing.assert_allclose(at("smart_workshops", "suzhou_snd"), figures["s001a-138"])
