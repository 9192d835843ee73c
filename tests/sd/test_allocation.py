"""Region baselines: better keys than GDP where pre-2021 history has one, and the allocation's uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from dezsim.base.errors import ConfigError
from dezsim.data.history_infra import load_infrastructure_history
from dezsim.model import params as P
from dezsim.model.sd import initial as I

RUNS = 4000


@pytest.fixture(scope="module")
def conc():
    d = P.defaults()
    return {k: d[k] for k in set(I.CONCENTRATION.values())}


@pytest.fixture(scope="module")
def draws(dataset, conc):
    return I.allocation_draws(2, range(RUNS), dataset, dataset.leaves(), conc)


def test_wuxi_5g_uses_its_pre_2021_plan_not_gdp(dataset):
    g5 = I.derive(dataset, "g5_base_stations")
    plan = load_infrastructure_history().set_index("id").value["ia-023"]
    assert g5.loc["wuxi", "value"] == pytest.approx(plan)
    assert "ia-023" in g5.loc["wuxi", "how"]
    assert g5.loc["rest_of_jiangsu", "value"] == pytest.approx(71000 - 17500 - plan)


def test_draws_keep_stated_figures_and_every_split_sums_to_its_parent(dataset, draws):
    leaves = dataset.leaves()
    table = I.initial_table(dataset, leaves)
    boards = [leaves.index(b) for b in dataset.leaves("suzhou")]
    for ind in I.SEEDED:  # totals of the province and of Suzhou's boards are those of the derivation, every run
        base = table[ind].to_numpy()
        assert np.allclose(draws[ind].sum(axis=1), base.sum(), rtol=1e-9), ind
        if I.derive(dataset, ind).loc["suzhou", "how"].startswith("data"):  # else Suzhou's own value is drawn
            assert np.allclose(draws[ind][:, boards].sum(axis=1), base[boards].sum(), rtol=1e-9), ind
        assert (draws[ind] >= 0).all()
        stated = [i for i, leaf in enumerate(leaves) if I.derive(dataset, ind).loc[leaf, "how"].startswith("data")]
        assert np.ptp(draws[ind][:, stated], axis=0).max(initial=0.0) == 0.0, ind
    assert np.ptp(draws["gdp"], axis=0).max() == 0.0  # every GDP figure is stated: nothing to draw


def test_draws_are_centred_on_the_key_with_the_declared_spread(dataset, draws, conc):
    leaves = dataset.leaves()
    table = I.initial_table(dataset, leaves)
    alpha = conc["alloc_concentration_g5"]
    split = next(s for s in I.splits(dataset, "g5_base_stations") if s.parent == "suzhou")
    remainder = I.derive(dataset, "g5_base_stations").loc["suzhou", "value"] - split.known
    k = leaves.index("kunshan")
    share = draws["g5_base_stations"][:, k] / remainder
    s = split.shares[split.children.index("kunshan")]
    sd = np.sqrt(s * (1 - s) / (alpha + 1))  # Dirichlet marginal: Beta(alpha s, alpha (1 - s))
    assert share.mean() == pytest.approx(s, abs=4 * sd / np.sqrt(RUNS))
    kurtosis = np.mean((share - share.mean()) ** 4) / share.var() ** 2  # se of a sample sd: sqrt((k - 1) / 4n)
    assert share.std() == pytest.approx(sd, rel=4 * np.sqrt((kurtosis - 1) / (4 * RUNS)))
    for ind in I.SEEDED:  # every leaf's mean stock is the deterministic derivation
        mean, se = draws[ind].mean(0), draws[ind].std(0) / np.sqrt(RUNS)
        assert np.all(np.abs(mean - table[ind].to_numpy()) <= 4 * se + 1e-9 * table[ind].to_numpy()), ind


def test_allocation_is_deterministic_and_chunk_invariant(dataset, draws, conc):
    again = I.allocation_draws(2, [17, 3], dataset, dataset.leaves(), conc)
    for ind in I.SEEDED:
        assert np.array_equal(again[ind][0], draws[ind][17]) and np.array_equal(again[ind][1], draws[ind][3])
    other = I.allocation_draws(3, [17], dataset, dataset.leaves(), conc)
    assert not np.allclose(other["dc_racks"][0], draws["dc_racks"][17])


def test_bad_concentration_is_a_config_error(dataset, conc):
    with pytest.raises(ConfigError, match="alloc_concentration_racks.*allowed"):
        I.allocation_draws(0, [0], dataset, dataset.leaves(), conc | {"alloc_concentration_racks": 0.0})


def test_workshop_intensity_follows_wujiangs_count_and_keeps_the_province_total(dataset):
    leaves = dataset.leaves()
    out = I.workshop_intensity(dataset, leaves)
    gdp = I.derive(dataset, "gdp").value.reindex(leaves)
    counts = load_infrastructure_history().set_index("id").value
    share = counts["ia-095"] / counts["ia-067"]
    assert out.loc["wujiang", "intensity"] == pytest.approx(share / (gdp["wujiang"] / gdp.sum()))
    assert out.loc["wujiang", "intensity"] > 3  # far above its GDP share: why GDP is a poor key here
    assert float((out.intensity * gdp).sum() / gdp.sum()) == pytest.approx(1.0)
