"""What the pre-2021 history says about shock sizes, their correlation and regional spread.

Every number here is computed from ``data/history`` (figures for 2020 or earlier only); the declared noise
parameters in :mod:`dezsim.model.params` quote these estimates, and ``tests/test_noise.py`` checks that each declared
default lies inside the range the evidence spans. Run ``python -m dezsim.model.noise_evidence`` to print them.

All rates are in percentage points a year (growth of 7 % a year = 7.0); shares and correlations are plain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dezsim.data.history import (MIN_OVERLAP_YEARS, detrended_sd, deviation_correlation, growth_summary, growth_table,
                            load_series, year_dispersion)
from dezsim.data.history_infra import load_infrastructure_history
from dezsim.model.drift import MIN_FIT_FIGURES, local_level_fit

#: Suzhou's ten boards (the only sibling set with same-year figures for all members).
SUZHOU_BOARDS = ("zhangjiagang", "changshu", "taicang", "kunshan", "wujiang", "wuzhong", "xiangcheng", "gusu",
                 "suzhou_sip", "suzhou_snd")
#: Cities (and the province) with a real-GDP growth series of >= 4 years.
CITY_SERIES = ("jiangsu", "suzhou", "wuxi")
#: (outcome id(s), plan id) pairs of build plans published by 2020 and what came of them: 5G Suzhou end-2019,
#: national 5G new builds 2020, national 4G additions 2017-2018 (outcome = stock 2018 - stock 2016), and
#: Guangdong's 2020 5G new-build attainment (a ratio stated directly, in per cent).
ATTAINMENT = {"suzhou_5g_2019": (("ia-017",), "ia-021"), "china_5g_2020": (("ia-060",), "ia-073"),
              "china_4g_2017_2018": (("ia-003", "-ia-001"), "ia-087")}
GUANGDONG_ATTAINMENT = "ia-106"


def gdp_shock_evidence(series: pd.DataFrame | None = None) -> dict[str, float]:
    """Yearly GDP shock sizes and their correlation.

    Returns
    -------
    dict
        ``city_real_detrended_sd`` (median over Jiangsu, Suzhou and Wuxi of the detrended sd of real growth),
        ``china_real_detrended_sd``, ``china_nominal_detrended_sd`` (pp a year) and the correlations of growth
        deviations ``corr_suzhou_china``, ``corr_jiangsu_china`` (2011-2020) and ``corr_suzhou_china_to_2019``.
    """
    s = load_series() if series is None else series
    summ = growth_summary(s).set_index(["region", "indicator", "basis"])
    corr, corr19 = deviation_correlation(s), deviation_correlation(s, last_year=2019)
    cities = [summ.loc[(r, "gdp", "real"), "sd_detrended_pct"] for r in CITY_SERIES]
    return {"city_real_detrended_sd": float(np.nanmedian(cities)),
            "china_real_detrended_sd": float(summ.loc[("china", "gdp", "real"), "sd_detrended_pct"]),
            "china_nominal_detrended_sd": float(summ.loc[("china", "gdp", "nominal"), "sd_detrended_pct"]),
            "corr_suzhou_china": float(corr.loc["suzhou", "china"]),
            "corr_jiangsu_china": float(corr.loc["jiangsu", "china"]),
            "corr_suzhou_china_to_2019": float(corr19.loc["suzhou", "china"])}


def software_shock_evidence(series: pd.DataFrame | None = None) -> dict[str, float]:
    """China's software-revenue growth: detrended sd (pp a year) over the years on file (see ``china_sw_n_years``)."""
    s = load_series() if series is None else series
    summ = growth_summary(s).set_index(["region", "indicator", "basis"])
    row = summ.loc[("china", "software_revenue", "nominal")]
    return {"china_sw_detrended_sd": float(row.sd_detrended_pct), "china_sw_n_years": int(row.n_years)}


def board_spread_evidence(series: pd.DataFrame | None = None) -> dict[str, float]:
    """Split the same-year spread of growth across Suzhou's boards into a persistent and a yearly part.

    The 2013 table gives every board's growth in one year (spread^2 = persistent^2 + yearly^2); the 2013 and 2020
    levels give each board's 7-year mean growth (spread^2 = persistent^2 + yearly^2 / 7). Solving the two gives
    both parts. Levels of 2013 and 2020 come from different vintages (the 2018 census revised them), which
    shifts all boards alike and leaves the spread across boards nearly unchanged.
    """
    s = load_series() if series is None else series
    year13 = year_dispersion(s, list(SUZHOU_BOARDS), "nominal").set_index("year").loc[2013]
    real20 = year_dispersion(s, list(SUZHOU_BOARDS), "real").set_index("year").loc[2020]
    levels = s[(s.kind == "level") & (s.indicator == "gdp") & s.region.isin(SUZHOU_BOARDS)]
    by_year = levels.groupby(["region", "year"]).value.mean().unstack("year")
    span = 2020 - 2013
    cagr = 100.0 * (np.log(by_year[2020] / by_year[2013]) / span)
    var_year, var_mean = float(year13.sd_pct) ** 2, float(cagr.std(ddof=1)) ** 2
    var_yearly = max(var_year - var_mean, 0.0) * span / (span - 1)
    var_persistent = max(var_mean - var_yearly / span, 0.0)
    return {"same_year_sd_2013": float(year13.sd_pct), "same_year_sd_2020_real": float(real20.sd_pct),
            "mean_growth_sd_2013_2020": float(np.sqrt(var_mean)),
            "board_yearly_sd": float(np.sqrt(var_yearly)), "board_persistent_sd": float(np.sqrt(var_persistent)),
            "n_boards": int(cagr.notna().sum())}


def city_spread_evidence(series: pd.DataFrame | None = None) -> dict[str, float]:
    """Spread of persistent growth differences between Jiangsu, Suzhou and Wuxi: sd across them of their mean
    real growth above China's over the years each shares with China (pp a year)."""
    s = load_series() if series is None else series
    g = growth_table(s, "real").xs("gdp", axis=1, level="indicator")
    gaps = {r: float((g[r] - g["china"]).dropna().mean()) for r in CITY_SERIES}
    return {"city_mean_gap_sd": float(np.std(list(gaps.values()), ddof=1)), **{f"gap_{r}": v for r, v in gaps.items()}}


def build_attainment_evidence(infra: pd.DataFrame | None = None) -> dict[str, float]:
    """Outcome / plan ratios of build plans published by 2020, and the sd of their logarithms."""
    d = (load_infrastructure_history() if infra is None else infra).set_index("id").value
    ratios = {}
    for name, (outcome, plan) in ATTAINMENT.items():
        got = sum(-d[i[1:]] if i.startswith("-") else d[i] for i in outcome)
        ratios[name] = float(got / d[plan])
    ratios["guangdong_5g_2020"] = float(d[GUANGDONG_ATTAINMENT] / 100.0)
    logs = np.log(list(ratios.values()))
    return {**{f"ratio_{k}": v for k, v in ratios.items()}, "log_ratio_sd": float(np.std(logs, ddof=1))}


def workshop_evidence(infra: pd.DataFrame | None = None) -> dict[str, float]:
    """Jiangsu's provincial smart-workshop recognitions: 200 new in 2019, about 379 in 2020 (1307 - 928)."""
    d = (load_infrastructure_history() if infra is None else infra).set_index("id").value
    new_2019, new_2020 = float(d["ia-066"]), float(d["ia-068"] - d["ia-067"])
    return {"new_2019": new_2019, "new_2020": new_2020, "log_change": float(np.log(new_2020 / new_2019)),
            "wujiang_share_2019": float(d["ia-095"] / d["ia-067"])}


def _pooled_detrended_sd(table: pd.DataFrame) -> float:
    """Detrended sd (pp a year) pooled over the columns of a growth table by residual degrees of freedom."""
    num = den = 0.0
    for col in table.columns:
        x = table[col].dropna()
        if len(x) >= MIN_OVERLAP_YEARS:
            num += (len(x) - 2) * detrended_sd(x) ** 2
            den += len(x) - 2
    return float(np.sqrt(num / den)) if den else float("nan")


def drift_evidence(series: pd.DataFrame | None = None, last_year: int = 2020) -> dict[str, float]:
    """How far the trend growth itself moved: pooled local-level fits (:func:`dezsim.model.drift.local_level_fit`).

    ``gdp_real_*``: every real-GDP growth series with enough figures (Jiangsu, its cities, China, ...);
    ``sw_*``: every software-revenue series (nominal). The shock sd is held at the pooled detrended sd of the same
    series (the estimator of the declared ``*_shock_sd``) and the drift sd fitted given it. sds in pp a year;
    ``*_n_series`` counts the series used. ``last_year`` cuts the history (2019 leaves the pandemic year out).
    """
    s = load_series() if series is None else series
    out: dict[str, float] = {}
    for label, basis, indicator in (("gdp_real", "real", "gdp"), ("sw", "nominal", "software_revenue")):
        table = growth_table(s, basis).loc[:last_year]
        cols = [c for c in table.columns if c[1] == indicator]
        arrays = [np.log1p(table[c].to_numpy(dtype=float) / 100.0) for c in cols]
        arrays = [a for a in arrays if np.isfinite(a).sum() >= MIN_FIT_FIGURES]
        eps = _pooled_detrended_sd(table[[c for c in cols if np.isfinite(table[c]).sum() >= MIN_FIT_FIGURES]])
        fit = local_level_fit(arrays, sigma_eps=eps / 100.0) if np.isfinite(eps) else None
        out[f"{label}_n_series"] = float(len(arrays))
        out[f"{label}_eps_sd"], out[f"{label}_drift_sd"] = (100 * fit[0], 100 * fit[1]) if fit else (np.nan, np.nan)
    return out


def main() -> int:
    """Print every estimate (``python -m dezsim.model.noise_evidence``)."""
    for name, fn in (("GDP shocks", gdp_shock_evidence), ("software shocks", software_shock_evidence),
                     ("board spread", board_spread_evidence), ("city spread", city_spread_evidence),
                     ("build plans", build_attainment_evidence), ("smart workshops", workshop_evidence),
                     ("drift", drift_evidence), ("drift to 2019", lambda: drift_evidence(last_year=2019))):
        print(f"{name}: " + ", ".join(f"{k}={v:.3f}" for k, v in fn().items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
