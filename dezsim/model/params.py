"""Every model parameter, declared once: name, unit, default, bounds, distribution, source, doc.

Values that come from data/ say which figure ids they rest on; values that are modelling assumptions say so
and carry wide bounds, to be narrowed by calibration. Units are pint expressions (a test parses each).
An ensemble draws each uncertain parameter from its distribution within its bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from dezsim.base.errors import ConfigError
from dezsim.base.tables import nearest

DISTRIBUTIONS = ("uniform", "triangular", "fixed")


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes
    ----------
    name : str
        Identifier used in scenario files, designs and results.
    unit : str
        pint expression (``"1/year"``, ``"count / (1e8 * yuan)"``, ``"dimensionless"``).
    default : float
        Value of a single deterministic run.
    bounds : (float, float)
        Inclusive range of admissible values (checked on every override).
    distribution : {"uniform", "triangular", "fixed"}
        How an ensemble draws it: uniform on ``bounds``, triangular with mode ``default``, or always ``default``.
    source : str
        Figure ids in data/ or "assumption: <reason>".
    doc : str
        One line for the parameter table.
    group : str
        Sub-model the parameter belongs to.
    """

    name: str
    unit: str
    default: float
    bounds: tuple[float, float]
    distribution: str
    source: str
    doc: str
    group: str

    def __post_init__(self) -> None:
        lo, hi = self.bounds
        if not (lo <= self.default <= hi) or self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"parameter {self.name}: default {self.default} outside {self.bounds} "
                             f"or unknown distribution {self.distribution!r}")

    def check(self, value: float, where: str = "") -> float:
        """Return ``value`` as float, or raise :class:`ConfigError` naming the allowed range and unit."""
        lo, hi = self.bounds
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}parameter {self.name!r} = {value!r}: not a number "
                              f"(allowed: {lo} to {hi} {self.unit})") from None
        if not (lo <= number <= hi):
            raise ConfigError(f"{where}parameter {self.name!r} = {value!r}: out of range; "
                              f"allowed: {lo} to {hi} {self.unit}")
        return number

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from the parameter's distribution (float64)."""
        lo, hi = self.bounds
        if self.distribution == "fixed" or lo == hi:
            return np.full(n, self.default)
        if self.distribution == "uniform":
            return rng.uniform(lo, hi, n)
        return rng.triangular(lo, self.default, hi, n)


_A = "assumption: "


def _p(name, unit, default, bounds, distribution, source, doc, group) -> Param:
    return Param(name, unit, default, bounds, distribution, source, doc, group)


PARAMS: tuple[Param, ...] = (
    # --- GDP -------------------------------------------------------------------------------------------
    _p("gdp_growth", "1/year", 0.07, (0.02, 0.10), "triangular",
       "Suzhou nominal GDP 2015->2019 grew 7.3 %/yr (pub-044, pub-005); real growth 6-7.5 %/yr (pub-039..046)",
       "Nominal growth rate (continuous) of GDP outside the core industries (GDP = core VA + the rest)", "gdp"),
    _p("gdp_growth_shock", "1/year", 0.0, (-0.15, 0.05), "fixed",
       _A + "scenario lever: a demand shock added to nominal GDP growth in the years a scenario names",
       "Shock to GDP growth", "gdp"),
    # --- core industries -----------------------------------------------------------------------------
    _p("ei_trend_growth", "1/year", 0.09, (0.03, 0.15), "triangular",
       "Jiangsu electronic-information manufacturing revenue grew 9.54 %/yr in 2016-2020 (s003-004)",
       "Trend growth of electronic-information manufacturing revenue", "core"),
    _p("ei_supply_shock", "1/year", 0.0, (-0.3, 0.05), "fixed",
       _A + "scenario lever: a supply shock (e.g. chip shortage) added to EI revenue growth in the named years",
       "Shock to EI revenue growth", "core"),
    _p("sw_trend_growth", "1/year", 0.085, (0.03, 0.15), "triangular",
       "Jiangsu software & IT services revenue grew 8.87 %/yr in 2016-2020 (s003-005)",
       "Trend growth of software and IT-services revenue", "core"),
    _p("oc_trend_growth", "1/year", 0.10, (0.03, 0.18), "triangular",
       _A + "other core industries (platforms, digital-factor-driven) grow a little faster than EI and software",
       "Trend growth of the other core industries' revenue", "core"),
    _p("ei_va_ratio", "dimensionless", 0.15, (0.10, 0.25), "triangular",
       _A + "value added per unit revenue of electronics manufacturing is thin (assembly of bought-in components); "
       "0.10-0.25 spans the value-added rates of manufacturing branches; no plan target is used to bound it",
       "Value-added ratio of electronic-information manufacturing", "core"),
    _p("sw_va_ratio", "dimensionless", 0.35, (0.25, 0.55), "triangular",
       _A + "software and IT services are labour- and margin-intensive",
       "Value-added ratio of software and IT services", "core"),
    _p("oc_va_ratio", "dimensionless", 0.40, (0.25, 0.60), "triangular",
       _A + "digital-factor-driven services", "Value-added ratio of the other core industries", "core"),
    _p("oc_relative_size", "dimensionless", 0.10, (0.0, 0.5), "triangular",
       _A + "2020 value added of the other core industries relative to EI + software value added",
       "Initial other-core value added as a multiple of EI + software value added", "core"),
    _p("ei_investment_response", "1/year", 0.3, (0.0, 1.0), "triangular",
       _A + "revenue added per year per yuan/yr of extra digital investment", "EI response to extra investment",
       "core"),
    _p("sw_investment_response", "1/year", 0.2, (0.0, 1.0), "triangular",
       _A + "as above", "Software response to extra investment", "core"),
    _p("oc_investment_response", "1/year", 0.2, (0.0, 1.0), "triangular",
       _A + "as above", "Other-core response to extra investment", "core"),
    _p("ei_demand_capture", "dimensionless", 0.3, (0.0, 0.6), "triangular",
       _A + "share of firms' extra transformation spending bought from local EI makers",
       "EI share of extra transformation demand", "core"),
    _p("sw_demand_capture", "dimensionless", 0.4, (0.0, 0.7), "triangular",
       _A + "share bought from local software and IT-service firms", "Software share of extra demand", "core"),
    _p("oc_demand_capture", "dimensionless", 0.2, (0.0, 0.5), "triangular",
       _A + "share bought from other local core industries", "Other-core share of extra demand", "core"),
    _p("digital_investment_extra", "dimensionless", 0.0, (0.0, 0.05), "fixed",
       _A + "policy lever: digital investment above the 2020 regime, as a share of GDP (0 = trend)",
       "Extra digital investment, share of GDP", "core"),
    _p("transformation_demand_extra", "dimensionless", 0.0, (0.0, 0.05), "fixed",
       _A + "firms' transformation spending above the 2020 regime, share of GDP (the agents supply it when coupled)",
       "Extra transformation demand, share of GDP", "core"),
    # --- 5G ------------------------------------------------------------------------------------------
    _p("g5_ceiling_per_gdp", "count / (1e8 * yuan)", 1.89, (1.3, 3.8), "triangular",
       "pre-2021 evidence only: Jiangsu's March-2020 plan of 169000 stations by 2022 for urban areas and development "
       "zones (ia-016) over Jiangsu 2020 GDP 102719 (h-080) is 1.65; mode 1.89 adds 15 % for the rural remainder "
       "(assumption); low 1.3 = 0.8 x 1.65 for a region more urban than the province; high 3.8 = Jiangsu's whole 4G "
       "grid of 389000 stations (ia-009) per GDP, as 5G sites are co-built and shared (330000 of 580000 new in 2020, "
       "ia-060); Shenzhen declared full coverage at 46480 (ia-070) and Guangzhou planned 80000 for full coverage "
       "by 2022 from 46000 at end-2020 (ia-102, ia-103): full coverage needs well above the first-year stocks",
       "5G stations needed for full coverage per 100m yuan of 2020 GDP", "g5"),
    _p("g5_bass_p", "1/year", 0.15, (0.01, 0.5), "uniform",
       _A + "external (policy-driven) build coefficient of the Bass diffusion; calibrated to Suzhou 2019->2020 "
       "(pub-004, s001a-037)", "Bass innovation coefficient for 5G build-out", "g5"),
    _p("g5_bass_q", "1/year", 0.5, (0.05, 1.5), "uniform",
       _A + "internal (network-effect) build coefficient", "Bass imitation coefficient for 5G build-out", "g5"),
    _p("g5_capex_share_gdp", "dimensionless", 0.003, (0.0005, 0.01), "triangular",
       _A + "operators' 5G station capex as a share of GDP; Suzhou's 12039 stations of 2020 (s001a-036) at the "
       "default cost are 0.24 % of its GDP", "5G capex, share of GDP", "g5"),
    _p("g5_station_cost", "1e8 * yuan", 0.004, (0.002, 0.006), "triangular",
       _A + "about 400,000 yuan per macro station including its share of transmission", "Cost of one 5G station",
       "g5"),
    # --- data centres --------------------------------------------------------------------------------
    _p("dc_pue_existing", "dimensionless", 1.6, (1.4, 1.9), "triangular",
       _A + "IT-load-weighted PUE of racks in service at end-2020", "PUE of the pre-2021 rack vintage", "dc"),
    _p("dc_pue_new_2020", "dimensionless", 1.4, (1.25, 1.5), "triangular",
       _A + "PUE of racks built in 2020", "New-build PUE in 2020", "dc"),
    _p("dc_pue_floor", "dimensionless", 1.1, (1.04, 1.2), "triangular",
       _A + "physical floor of new-build PUE with today's cooling technology (must stay above 1.0)",
       "Floor of the new-build PUE learning curve", "dc"),
    _p("dc_pue_learning", "1/year", 0.10, (0.0, 0.3), "triangular",
       _A + "rate at which new-build PUE approaches its floor", "Learning rate of new-build PUE", "dc"),
    _p("dc_pue_cap", "dimensionless", 3.0, (1.04, 3.0), "fixed",
       _A + "policy lever: cap on new-build PUE; 3.0 = no cap (the plan scenarios set the plans' caps)",
       "Policy cap on new-build PUE", "dc"),
    _p("dc_retrofit_pue_penalty", "dimensionless", 0.05, (0.0, 0.2), "triangular",
       _A + "a retrofitted hall ends a little above a new build's PUE", "PUE of retrofits above new builds",
       "dc"),
    _p("dc_rack_lifetime", "year", 12.0, (8.0, 20.0), "triangular",
       _A + "mean service life of a rack", "Mean rack lifetime (retirement rate = 1/lifetime)", "dc"),
    _p("dc_retrofit_rate", "1/year", 0.02, (0.0, 0.10), "triangular",
       _A + "share of older racks retrofitted per year", "Retrofit rate of racks of earlier vintages", "dc"),
    _p("dc_demand_elasticity", "dimensionless", 1.0, (0.5, 1.5), "triangular",
       _A + "elasticity of desired racks to core-industry value added", "Rack demand elasticity", "dc"),
    _p("dc_adjustment_time", "year", 1.0, (0.25, 3.0), "triangular",
       _A + "time to close the gap between desired and installed racks", "Rack build adjustment time", "dc"),
    _p("dc_build_program", "count / year", 0.0, (0.0, 50000.0), "fixed",
       _A + "policy lever: racks built per year beyond demand (planned campuses)", "Extra racks built per year",
       "dc"),
    _p("dc_it_load_2020", "kW", 5.0, (3.0, 8.0), "triangular",
       _A + "mean IT load per rack of the 2020 vintage", "IT load per rack, 2020 vintage", "dc"),
    _p("dc_density_growth", "1/year", 0.05, (0.0, 0.15), "triangular",
       _A + "IT load per rack rises with each vintage", "Growth of IT load per rack by vintage", "dc"),
    _p("dc_utilisation", "dimensionless", 0.6, (0.3, 0.9), "triangular",
       _A + "average IT-load utilisation", "Average utilisation of rack IT capacity", "dc"),
    # --- patents ---------------------------------------------------------------------------------------
    _p("patent_rate", "count / (1e8 * yuan)", 0.5, (0.1, 2.0), "triangular",
       _A + "digital invention patents granted per year per 100m yuan of core value added",
       "Invention-patent grants per unit of core value added", "patents"),
    _p("patent_lapse", "1/year", 0.08, (0.03, 0.15), "triangular",
       _A + "share of valid invention patents lapsing per year", "Lapse rate of valid invention patents",
       "patents"),
    _p("pct_rate", "count / (1e8 * yuan)", 0.1, (0.02, 0.5), "triangular",
       _A + "PCT applications per year per 100m yuan of core value added", "PCT applications per core value added",
       "patents"),
)

#: Firm and district agents (dezsim.model.abm). Rungs: 0 none, 1 diagnosed, 2 cloud-enabled, 3 smart workshop,
#: 4 smart factory; a hazard is the yearly rate of climbing from the named rung's predecessor.
AGENT_PARAMS: tuple[Param, ...] = (
    _p("firms_per_gdp", "count / (1e8 * yuan)", 0.5453, (0.4, 0.7), "fixed",
       "Suzhou: about 11000 above-size industrial firms (pub-008) over 2020 GDP 20170.5 (pub-006); used where a "
       "region's count is not stated (Wuxi's 'more than 7000' in 2022, s004-007, is a later check)",
       "Above-size industrial firms per 100m yuan of GDP", "agents"),
    _p("smes_per_above_scale", "dimensionless", 10.4, (5.0, 20.0), "triangular",
       "Wuxi: over 80000 industrial firms (s004-006), over 7000 of them above size (s004-007): 73000/7000",
       "Below-size industrial firms (SMEs) per above-size firm", "agents"),
    _p("firm_size_mean", "1e8 * yuan", 3.166, (2.5, 4.0), "fixed",
       "Suzhou above-size industrial output 34823.9 (s001a-059) over about 11000 firms (pub-008)",
       "Mean annual revenue of an above-size industrial firm", "agents"),
    _p("firm_size_sigma", "dimensionless", 1.2, (0.6, 1.8), "triangular",
       _A + "log-normal spread of firm revenue", "Log-sd of above-size firm revenue", "agents"),
    _p("sme_size_mean", "1e8 * yuan", 0.05, (0.02, 0.1), "triangular",
       _A + "below the 20-million-yuan above-size threshold", "Mean annual revenue of an SME", "agents"),
    _p("hazard_diagnose", "1/year", 0.10, (0.01, 0.5), "triangular",
       _A + "no-policy yearly rate of a first digital diagnosis; calibrated later", "Base hazard, rung 0 -> 1",
       "agents"),
    _p("hazard_cloud", "1/year", 0.08, (0.01, 0.4), "triangular",
       _A + "no-policy yearly rate of moving onto the cloud", "Base hazard, rung 1 -> 2", "agents"),
    _p("hazard_workshop", "1/year", 0.04, (0.005, 0.2), "triangular",
       _A + "no-policy yearly rate of building a smart workshop", "Base hazard, rung 2 -> 3", "agents"),
    _p("hazard_factory", "1/year", 0.02, (0.002, 0.1), "triangular",
       _A + "no-policy yearly rate of becoming a smart factory", "Base hazard, rung 3 -> 4", "agents"),
    _p("programme_speed", "dimensionless", 1.0, (0.5, 2.0), "triangular",
       "pre-2021 programmes changed pace by about as much as this from year to year: Jiangsu's provincial "
       "smart-workshop recognitions went from 200 new in 2019 (ia-066) to about 379 in 2020 (ia-067, ia-068; "
       "x1.9, the high bound); Zhejiang's cloud-adoption programme (上云) ran at about 111,000 firms a year over "
       "2017 to mid-2020 (ia-086) against 75,000 a year in its first half-year (ia-033; x1.5); mode 1: the pace "
       "the hazards are calibrated to (Taicang 2019, group agent_flows) continues; low bound: a campaign that "
       "slows to half that pace (recognition batches are set by the province and can shrink)",
       "Persistent multiplier of every climb hazard from 2021 on (the 智改数转 campaign's pace relative to the "
       "pre-2021 pace; one draw per run)", "agents"),
    _p("cost_share_diagnose", "dimensionless", 0.0005, (0.0001, 0.002), "triangular",
       _A + "a digital diagnosis by a service provider costs of the order of 10^4 yuan, against a mean above-size "
       "firm's revenue of about 3 x 10^8 yuan (firm_size_mean); wide bounds", "Diagnosis cost / revenue^scale",
       "agents"),
    _p("cost_share_project", "dimensionless", 0.03, (0.01, 0.08), "triangular",
       _A + "capex of one rung of upgrade relative to revenue^scale", "Upgrade project cost / revenue^scale",
       "agents"),
    _p("cost_scale", "dimensionless", 0.8, (0.6, 1.0), "triangular",
       _A + "project cost grows less than proportionally with firm size", "Size exponent of project cost",
       "agents"),
    _p("attractiveness_elasticity", "dimensionless", 1.0, (0.0, 2.0), "triangular",
       _A + "hazard responds to a firm's benefit/cost (benefit ~ revenue, cost ~ revenue^cost_scale, net of "
       "subsidy) relative to that of a mean-size firm without support", "Elasticity of hazard to payoff",
       "agents"),
    _p("own_cost_floor", "dimensionless", 0.2, (0.05, 0.5), "triangular",
       _A + "share of a climb's cost a firm bears whatever the subsidy (staff time, disruption), so a free "
       "diagnosis raises the hazard at most 1/floor-fold", "Unsubsidisable share of a climb's cost", "agents"),
    _p("peer_effect", "dimensionless", 1.0, (0.0, 3.0), "triangular",
       _A + "hazard multiplier per unit share of upgraded peers (same region and sector)", "Peer effect", "agents"),
    _p("infra_effect", "dimensionless", 0.5, (0.0, 2.0), "triangular",
       _A + "hazard multiplier per unit 5G coverage for cloud and smart rungs", "Infrastructure effect", "agents"),
    _p("init_share_diagnosed", "dimensionless", 0.30, (0.1, 0.6), "triangular",
       _A + "share of above-size firms at rung >= 1 at end-2020", "Initial share diagnosed or higher", "agents"),
    _p("init_share_cloud", "dimensionless", 0.15, (0.05, 0.4), "triangular",
       _A + "share at rung >= 2 at end-2020", "Initial share cloud-enabled or higher", "agents"),
    _p("init_share_workshop", "dimensionless", 0.05, (0.01, 0.15), "triangular",
       _A + "share at rung >= 3 at end-2020", "Initial share with a smart workshop or higher", "agents"),
    _p("init_share_factory", "dimensionless", 0.002, (0.0001, 0.03), "triangular",
       _A + "share at rung 4 at end-2020 (wide: Jiangsu's 42 provincial smart factories, s003-009, pin only the "
       "product with the recognition share)", "Initial share of smart factories", "agents"),
    _p("sme_initial_factor", "dimensionless", 0.3, (0.1, 0.8), "triangular",
       _A + "SMEs start lower on the ladder than above-size firms", "SME initial shares / above-size shares",
       "agents"),
    _p("cloud_recognition", "dimensionless", 0.063, (0.03, 0.2), "triangular",
       "Wujiang: 189 provincial star-rated cloud firms (s001a-118) among over 3000 cloud firms (s001a-119)",
       "Share of new cloud-enabled firms rated as star cloud firms", "agents"),
    _p("workshop_recognition", "dimensionless", 0.3, (0.1, 0.8), "triangular",
       _A + "share of new smart workshops recognised as provincial or municipal demonstrations",
       "Recognition share of smart workshops", "agents"),
    _p("factory_recognition", "dimensionless", 0.3, (0.1, 0.8), "triangular",
       _A + "share of new smart factories recognised as demonstrations", "Recognition share of smart factories",
       "agents"),
    _p("recognition_batch_2020_share", "dimensionless", 0.29, (0.29, 0.29), "fixed",
       "Jiangsu's 2020 batch of provincial smart-workshop recognitions over its end-2020 list: (1307 - 928) / 1307 "
       "(s003-008, ia-067; ia-068 quotes the same 1307; tests/test_recognition_batches.py checks it against data/); "
       "assumed for the smart-factory list too (the same provincial programme; no factory batch on record)",
       "The province's 2020 recognition batch as a share of its end-2020 list (each region's 2021 quota is this "
       "share of its own end-2020 list, grown by recognition_batch_growth)", "agents"),
    _p("recognition_batch_growth", "1/year", 0.38, (-0.2, 0.64), "triangular",
       "yearly log growth of recognition batches before 2021: MIIT's national smart-manufacturing pilot lists 46 "
       "(2015, ia-112), 63 (2016, ia-113 less ia-112), 98 (2017, ia-114), 99 (2018, ia-115) and Jiangsu's "
       "provincial smart workshops 200 (2019, ia-066) -> about 379 (2020, ia-067, ia-068): growths 0.31, 0.44, "
       "0.01, 0.64; mode their median (0.38), high bound the fastest (0.64); low bound -0.2: a batch may shrink "
       "(the national lists stopped growing in 2018, and programme_speed allows a campaign at half its pace)",
       "Yearly log growth of the province's recognition batch from 2020's (one draw per run; recognition lists "
       "are granted in batches the province sets, not in proportion to adopters)", "agents"),
    _p("municipal_recognition", "dimensionless", 0.5, (0.05, 1.5), "triangular",
       "pre-2021 recognitions: Taicang held 46 Suzhou-municipal (pub-017) and 29 provincial (pub-015) smart "
       "workshops at end-2020, Wuzhong 37 provincial plus municipal (s001a-121); fitted in dezsim/calibration/calibrate.py "
       "(group agent_municipal); the same share is assumed for smart factories (no municipal factory figure up to "
       "2020); above 1 allowed: a city's list may recognise more workshops than the provincial share implies",
       "Municipal-list recognitions per smart workshop or factory (a workshop may be on both lists; the plans sum "
       "the two lists)", "agents"),
    _p("productivity_gain", "dimensionless", 0.03, (0.0, 0.1), "triangular",
       _A + "GDP level gain if every above-size firm climbed one rung", "GDP gain per unit upgraded share", "agents"),
    _p("racks_per_cloud_firm", "count", 0.2, (0.0, 1.0), "triangular",
       _A + "data-centre racks needed per firm newly on the cloud", "Racks per newly cloud-enabled firm", "agents"),
)

#: District policy instruments (a scenario sets them per region; Wuxi's article gives the magnitudes).
POLICY_PARAMS: tuple[Param, ...] = (
    _p("policy_free_diagnosis", "dimensionless", 0.0, (0.0, 1.0), "fixed",
       _A + "policy lever: share of a diagnosis's cost the district pays (the Wuxi scenario sets 1 = free)",
       "Share of a diagnosis's cost the district pays", "policy"),
    _p("policy_capex_subsidy", "dimensionless", 0.0, (0.0, 0.5), "fixed",
       _A + "lever: share of an upgrade project's capex the district pays ('投入补助', s004-008)",
       "Capex subsidy rate", "policy"),
    _p("policy_interest_subsidy", "dimensionless", 0.0, (0.0, 0.05), "fixed",
       "lever; Wuxi paid over 1.1亿元 of interest subsidy on over 58亿元 of technical-renovation investment "
       "(s004-009, s004-010): about 0.019 of project cost", "Loan-interest subsidy as a share of project cost",
       "policy"),
    _p("policy_max_award", "1e8 * yuan", 0.1, (0.0, 1.0), "fixed",
       "Wuxi: at most 1000万元 per demonstration or key technical-renovation project (s004-015)",
       "Largest subsidy per project", "policy"),
    _p("policy_budget_share_gdp", "dimensionless", 0.0, (0.0, 0.005), "fixed",
       "lever; Wuxi 2022: 8000万元 for diagnoses (s004-011) plus over 1.1亿元 interest subsidy (s004-009) on 2020 "
       "GDP 12370 (pub-009): about 0.00015 of GDP", "Yearly district support budget, share of GDP", "policy"),
    _p("policy_adaptive", "dimensionless", 0.0, (0.0, 1.0), "fixed",
       "lever: 1 = raise the capex subsidy when behind the target path, 0 = fixed instruments",
       "Adaptive policy switch", "policy"),
    _p("policy_adaptive_step", "dimensionless", 0.05, (0.0, 0.2), "fixed",
       _A + "yearly rise of the capex subsidy rate while behind the target path", "Adaptive subsidy step", "policy"),
)

#: Process noise (dezsim.model.noise), regional spread (dezsim.model.regions_effects) and allocation uncertainty
#: (dezsim.model.sd.initial.allocation_draws). Estimates quoted here are printed by ``python -m dezsim.model.noise_evidence``
#: from data/history (figures up to 2020 only); pp = percentage points of yearly growth.
_H = "data/history (python -m dezsim.model.noise_evidence): "
_SHARE = "share of a city's shock variance common to all regions (= correlation of two cities' shocks); "
NOISE_PARAMS: tuple[Param, ...] = (
    _p("gdp_shock_sd", "1/year", 0.013, (0.007, 0.025), "triangular",
       _H + "detrended sd of yearly real GDP growth 0.81 pp (median of Jiangsu, Suzhou, Wuxi; 2011-2020), China "
       "real 0.99 pp, China nominal 1.56 pp; the model's GDP is nominal, so the mode sits between real and nominal",
       "Sd of a city's yearly shock to nominal GDP growth", "noise"),
    _p("gdp_shock_common", "dimensionless", 0.9, (0.6, 0.99), "triangular",
       _H + _SHARE + "growth deviations correlate 0.95 (Suzhou-China) and 0.94 (Jiangsu-China) over 2011-2020, "
       "0.99 (Suzhou-China) to 2019", "Common share of GDP shock variance", "noise"),
    _p("ei_shock_sd", "1/year", 0.045, (0.02, 0.09), "triangular",
       _A + "prior: no yearly electronic-information revenue series before 2021 was found (data/history README); "
       "export-driven electronics swing more than software (4.0 pp, sw_shock_sd)", "Sd of a city's yearly shock to "
       "EI revenue growth", "noise"),
    _p("ei_shock_common", "dimensionless", 0.7, (0.4, 0.95), "triangular",
       _A + "prior: " + _SHARE + "the export and chip cycle is shared; lower than GDP's 0.9 as firms are few and "
       "large", "Common share of EI shock variance", "noise"),
    _p("sw_shock_sd", "1/year", 0.040, (0.015, 0.07), "triangular",
       _H + "detrended sd of China's software-revenue growth 3.97 pp (8 years: 2011, 2013, 2015-2020, MIIT figures); "
       "no Jiangsu series", "Sd of a city's yearly shock to software revenue growth", "noise"),
    _p("sw_shock_common", "dimensionless", 0.7, (0.4, 0.95), "triangular",
       _A + "prior: " + _SHARE + "as for EI", "Common share of software shock variance", "noise"),
    _p("oc_shock_sd", "1/year", 0.04, (0.02, 0.09), "triangular",
       _A + "prior: no series; platforms and data services taken as a little more volatile than software",
       "Sd of a city's yearly shock to other-core revenue growth", "noise"),
    _p("oc_shock_common", "dimensionless", 0.7, (0.4, 0.95), "triangular",
       _A + "prior: " + _SHARE + "as for EI", "Common share of other-core shock variance", "noise"),
    _p("g5_build_shock_sd", "dimensionless", 0.3, (0.1, 0.65), "triangular",
       _H + "log sd of outcome/plan of build plans published by 2020 is 0.64 (Suzhou 5G 2019 1.09, China 5G 2020 "
       "1.16, China 4G 2017-18 0.55, Guangdong 5G 2020 2.58): the high bound; part of that gap is plans set "
       "low on purpose, not noise, so the mode is lower", "Sd of the yearly log shock to the 5G build rate", "noise"),
    _p("g5_build_shock_common", "dimensionless", 0.8, (0.5, 0.95), "triangular",
       "2019->2020 5G stock multiples were close across regions: Jiangsu x5.2 (ia-061), Guangdong x4.1 (ia-099, "
       "ia-105), China x5.5 (ia-100, ia-042): operators' capex is set nationally", "Common share of 5G build shock "
       "variance", "noise"),
    _p("rack_build_shock_sd", "dimensionless", 0.2, (0.05, 0.4), "triangular",
       _A + "prior: no regional rack series; national in-use racks grew 28.7 % in 2019 (ia-030) and two national "
       "counts differ by 18 % (ia-029, ia-084): campus-sized builds make yearly additions lumpy",
       "Sd of the yearly log shock to the rack build rate", "noise"),
    _p("rack_build_shock_common", "dimensionless", 0.5, (0.2, 0.9), "triangular",
       _A + "prior: campuses are sited city by city, so less common than GDP", "Common share of rack build shock "
       "variance", "noise"),
    _p("adoption_shock_sd", "dimensionless", 0.3, (0.1, 0.7), "triangular",
       _H + "Jiangsu's provincial smart-workshop recognitions went from 200 (2019, ia-066) to about 379 (2020, "
       "ia-067/ia-068): log change 0.64 in one year, trend and shock together: the high bound",
       "Sd of the yearly log shock to the adoption hazards", "noise"),
    _p("adoption_shock_common", "dimensionless", 0.6, (0.3, 0.9), "triangular",
       _A + "prior: recognition batches and programme funding are provincial; uptake differs by city",
       "Common share of adoption shock variance", "noise"),
    _p("gdp_drift_sd", "1/year", 0.008, (0.004, 0.014), "triangular",
       _H + "local-level fit of real GDP growth (drift_evidence; shock sd held at the pooled detrended sd): drift "
       "step sd 0.78 pp a year over 2011-2019 (4 series), 1.17 pp with the pandemic year 2020 (5 series; the "
       "high side: 2020 was a shock more than a change of trend)", "Sd of the yearly step of the GDP growth trend "
       "(random walk)", "noise"),
    _p("ei_drift_sd", "1/year", 0.02, (0.008, 0.04), "triangular",
       _A + "prior: no yearly electronic-information series before 2021 (data/history README); taken as software's",
       "Sd of the yearly step of the EI revenue growth trend (random walk)", "noise"),
    _p("sw_drift_sd", "1/year", 0.02, (0.008, 0.04), "triangular",
       _H + "local-level fit of China's software-revenue growth, 28 % (2011) to 13-15 % (2017-2020): drift step "
       "sd 3.0 pp (2011-2020) to 3.3 pp (to 2019), one national series (the high side); regional software grew "
       "more evenly (Jiangsu 8.9 %/yr over 2016-2020, s003-005), and the backtest with the fitted 3 pp held 9 of 9 "
       "outcomes inside the 50 % band (too wide): mode 2 pp", "Sd of the yearly step of the software revenue "
       "growth trend (random walk)", "noise"),
    _p("oc_drift_sd", "1/year", 0.02, (0.008, 0.04), "triangular",
       _A + "prior: no series; taken as software's", "Sd of the yearly step of the other-core revenue growth "
       "trend (random walk)", "noise"),
    _p("board_shock_ratio", "dimensionless", 1.6, (0.8, 2.5), "triangular",
       _H + "yearly own-shock sd of a Suzhou board is 2.5 pp (2013 same-year spread 2.83 pp split with 2013-2020 "
       "mean growth spread 1.60 pp) or 1.6 pp (2020 real spread 2.09 pp less the persistent 1.28 pp), against a "
       "city shock of about 1.3 pp (gdp_shock_sd): ratio 1.3-1.9; applied to every shocked rate",
       "A board's own shock sd relative to its city's shock sd", "noise"),
    _p("region_sd_city", "1/year", 0.004, (0.001, 0.012), "triangular",
       _H + "mean real growth above China's: Jiangsu 1.25, Suzhou 1.16, Wuxi 1.77 pp; sd across them 0.33 pp; "
       "high bound ~ the 1.33 pp sd of mean growth across ten regions of mixed years",
       "Sd of a city's persistent GDP growth offset from the province's", "regions"),
    _p("region_sd_board", "1/year", 0.012, (0.005, 0.02), "triangular",
       _H + "persistent part of the spread of Suzhou's boards' growth, 1.28 pp (2013-2020 mean growth spread 1.60 pp "
       "less the yearly part)", "Sd of a board's persistent GDP growth offset from its city's", "regions"),
    _p("region_core_ratio", "dimensionless", 2.0, (1.0, 4.0), "triangular",
       _H + "core industries' growth differs more across regions than GDP's: China's software-revenue shock sd "
       "(3.34 pp) is 2.1 x its nominal GDP's (1.56 pp); the same ratio is assumed for persistent offsets",
       "Regional offsets of EI, software and other-core growth relative to GDP's", "regions"),
    _p("alloc_concentration_econ", "dimensionless", 50.0, (10.0, 200.0), "triangular",
       _A + "Dirichlet concentration of GDP-keyed shares of EI and software revenue: 50 gives a 10 % share a "
       "coefficient of variation of 0.4; industry clusters (Kunshan, the Industrial Park) make GDP a rough key",
       "Concentration of EI/software allocation shares", "allocation"),
    _p("alloc_concentration_gdp", "dimensionless", 1200.0, (300.0, 5000.0), "triangular",
       "GDP shares keyed by an earlier year's GDP (origins before 2020, see dezsim.model.sd.initial): Suzhou's "
       "boards' nominal growth differs by about 2.5 pp a year around a persistent 1.3 pp (python -m "
       "dezsim.model.noise_evidence, board spread), so a share keyed 4-5 years back has a relative sd of 7-9 %; "
       "at a 10 % share that is a concentration of 1200-1800; the lower bound allows keys of other vintages",
       "Concentration of GDP shares split by an earlier year's GDP", "allocation"),
    _p("alloc_concentration_g5", "dimensionless", 100.0, (20.0, 400.0), "triangular",
       _A + "Dirichlet concentration of 5G station shares: stations follow people and output closely (Shenzhen "
       "and Guangzhou held 31 % and 24 % of Guangdong's 5G in Aug 2020, ia-036, ia-039, ia-040)",
       "Concentration of 5G station allocation shares", "allocation"),
    _p("alloc_concentration_racks", "dimensionless", 8.0, (3.0, 30.0), "triangular",
       "racks concentrate far from GDP: Beijing, Shanghai and Guangdong held 31.3 % of China's in-use racks "
       "(ia-032) and two national counts differ by 18 % (ia-029, ia-084); no pre-2021 city share for Jiangsu was "
       "found, so the GDP key gets a low concentration (a 20 % share has an sd of 13 points at 8)",
       "Concentration of data-centre rack allocation shares", "allocation"),
)

SD_PARAMS = PARAMS
PARAMS = SD_PARAMS + AGENT_PARAMS + POLICY_PARAMS + NOISE_PARAMS
BY_NAME: Mapping[str, Param] = {p.name: p for p in PARAMS}


def get(name: str, where: str = "") -> Param:
    """The declared parameter ``name``; unknown names raise :class:`ConfigError` with the nearest match."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError(f"{where}unknown parameter {name!r}{nearest(name, BY_NAME)}") from None


def defaults() -> dict[str, float]:
    """Default value of every parameter."""
    return {p.name: p.default for p in PARAMS}
