"""Write the golden baseline (run once, before the engine changes; see tests/test_golden.py).

Usage: python tests/golden/make_golden.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dezsim.model.simulate import run

HERE = Path(__file__).resolve().parent
SEED = 11
#: Coupled: enough runs for a paired test of the ensemble mean (see tests/test_golden.py).
COUPLED_RUNS = 32
COUPLED_REGIONS = ("jiangsu", "suzhou", "gusu")
COUPLED_INDICATORS = ("upgraded_firms_share", "smart_workshops", "upgrade_projects", "cloud_star_firms",
                      "core_industry_va")
SD_RUNS = 8
SD_REGIONS = ("jiangsu", "suzhou", "wuxi")
SD_SCENARIOS = (None, "scenarios/demand_shock_2022.yaml")


def keep(frame: pd.DataFrame, regions, indicators=None) -> pd.DataFrame:
    rows = frame[frame.region.isin(regions) & (frame.indicator.isin(indicators) if indicators else True)]
    out = rows[["run", "region", "year", "indicator", "value"]].copy()
    out["region"], out["indicator"] = out.region.astype(str), out.indicator.astype(str)
    return out.sort_values(["region", "indicator", "year", "run"]).reset_index(drop=True)


def main() -> None:
    coupled = run(runs=COUPLED_RUNS, seed=SEED, noise=False).frame  # the golden predates process noise
    keep(coupled, COUPLED_REGIONS, COUPLED_INDICATORS).to_parquet(HERE / "coupled.parquet", index=False)
    sd = []
    for scen in SD_SCENARIOS:
        frame = run(scen, runs=SD_RUNS, seed=SEED, agents=None, noise=False).frame
        sd.append(keep(frame, SD_REGIONS).assign(scenario=scen or "baseline"))
    pd.concat(sd).to_parquet(HERE / "sd_only.parquet", index=False)


if __name__ == "__main__":
    main()
