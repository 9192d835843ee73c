"""Parameters and anchors of the derived indicators (:mod:`dezsim.model.derived`), each declared once.

They are drawn per run from each run's own ``"derived"`` stream after the simulation, so they are kept out of
:data:`dezsim.model.params.PARAMS` (whose members the SD core, the agents and the calibrated ensemble carry) but are
declared with the same :class:`~dezsim.model.params.Param` record. None is fitted: they are priors from evidence up
to 2020 (figure ids in data/figures, ``dv-`` rows in data/history/derived_to_2020.csv) or stated assumptions.
No source may cite a target figure (tests/test_no_circular_params.py reads these too).
"""

from __future__ import annotations

from dataclasses import dataclass

from dezsim.model.params import Param

_A = "assumption: "


def _p(name, unit, default, bounds, distribution, source, doc) -> Param:
    return Param(name, unit, default, bounds, distribution, source, doc, "derived")


PARAMS: tuple[Param, ...] = (
    # --- broad digital economy = multiplier x core-industry value added ----------------------------------------
    _p("de_multiplier_drift", "1/year", 0.050, (0.0, 0.08), "triangular",
       "China (CAICT): broad digital economy 36.2 % of GDP in 2019 (dv-005) and 38.6 % in 2020 (s001a-011); "
       "digital industrialisation 7.2 % (dv-007) and 7.3 % (s001a-019): the ratio of the two rose by "
       "ln(38.6/36.2) - ln(7.3/7.2) = 0.050 in a year (mode); 0 = industrial digitalisation only keeps pace with "
       "the core; 0.08 lies above the 2016-2020 drift of the whole share, ln(38.6/30.3)/4 = 0.061 (dv-001)",
       "Yearly log-growth of the broad-digital-economy multiplier (industrial digitalisation outgrowing the core)"),
    _p("de_multiplier_sd", "1/year", 0.017, (0.0, 0.04), "fixed",
       "China (CAICT) broad digital-economy share 30.3 (2016, dv-001), 32.9 (2017, dv-003), 36.2 (2019, dv-005), "
       "38.6 % (2020, s001a-011): yearly log-changes 0.082, 0.048 (2017-19 mean), 0.064 have sd 0.017",
       "sd of the yearly shock to the multiplier's log-growth"),
    # --- high-tech enterprises of the digital-economy field: a stock with inflow -------------------------------
    _p("hte_lapse_rate", "1/year", 0.08, (0.0, 0.2), "triangular",
       _A + "a certificate lasts three years (national rule of 2016), so a third of the stock faces renewal each "
       "year; if about a quarter of those do not renew, 1/3 x 1/4 = 0.08 of the stock lapses a year",
       "Share of certified enterprises whose certification lapses in a year"),
    _p("hte_core_elasticity", "dimensionless", 2.19, (0.5, 3.0), "triangular",
       "Suzhou's certified high-tech enterprises (all fields) rose from 2678 in mid 2014 (dv-008) to 9772 at the "
       "end of 2020 (s001a-104), ln(9772/2678)/6.5 = 0.199 a year, while Jiangsu's electronic-information revenue "
       "grew 9.54 %/yr in 2016-2020 (s003-004), ln(1.0954) = 0.091: ratio 2.19 (mode); " + _A + "the 2016-2020 "
       "certification drive may fade, so the lower bound 0.5 lets the stock grow at half the field's output, and "
       "3.0 allows a stronger push than 2014-2020",
       "Net growth of the stock per unit of log-growth of core-industry value added"),
    _p("hte_sd", "1/year", 0.03, (0.0, 0.1), "fixed",
       _A + "year-to-year variation of certification rounds (review batches, policy pushes), 3 % of the stock",
       "sd of the yearly shock to the inflow rate (share of last year's stock)"),
)

BY_NAME = {p.name: p for p in PARAMS}


@dataclass(frozen=True)
class Anchor:
    """The 2020 figure a derived indicator's level starts from in one region."""

    indicator: str
    region: str
    figure: str  # id in data/figures
    reason: str


#: 2020 levels of the derived stocks, each the figure named (its value is read from data/, never retyped).
ANCHORS: tuple[Anchor, ...] = (
    Anchor("digital_economy_size", "jiangsu", "s003-001",
           "Jiangsu plan: 全省数字经济规模超过4万亿元 (2020), read at the stated figure"),
    Anchor("digital_economy_size", "suzhou", "s001a-035",
           "Suzhou plan: 2020年苏州市数字经济规模超过8000亿元 (CAICT estimate), read at the stated figure"),
    Anchor("high_tech_enterprises_digital", "suzhou", "s001a-108",
           "Suzhou plan's account of its own base (the paragraph on Suzhou, after its 9772 high-tech enterprises of "
           "all fields): electronic-information-field high-tech enterprises 超 4000 at end-2020, read as Suzhou's "
           "digital-economy-field stock; the figure's note flags its 全省 as a likely slip for 全市, since the "
           "sentence sits between two statements about the city"),
)
