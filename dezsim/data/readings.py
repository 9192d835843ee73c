"""How each plan target is read: the closed sets a reading is declared with, and the threshold it implies.

Every target in ``data/figures`` has one row in ``data/target_readings.csv`` (see data/README.md) that says,
in these terms, what the plan counts: the :class:`Reading` (level in a year, compound growth over a period, new
within a period, cumulative since a start, cap), the counting :class:`Scope`, the :class:`ThresholdRule` of the
wording ("全覆盖", "基本实现", "超", "以上", "左右", …; each rule's threshold and reason are declared in
``data/threshold_rules.csv``) and its :class:`Role` (a target of its own, or a repeat or gloss of another).
Nothing downstream reads the wording of a quote, a note or a measure string.
"""

from __future__ import annotations

from enum import Enum

import numpy as np


class Reading(str, Enum):
    """What a target compares with its threshold (each run, target year ``y``, start ``s``)."""

    LEVEL = "level"                        # value(y) >= threshold
    GROWTH = "growth"                      # 100 * ((value(y) / value(s)) ** (1 / (y - s)) - 1) >= % per year
    NEW_IN_PERIOD = "new_in_period"        # value(y) - value(s): additions to a stock during s+1 .. y ("新增")
    CUMULATIVE_SINCE = "cumulative_since"  # value(y) - value(s): a counter accumulated since s ("累计")
    CAP = "cap"                            # value(y) <= threshold


#: Readings that compare the change since ``period_start`` (and so need it).
NEEDS_START = (Reading.GROWTH, Reading.NEW_IN_PERIOD, Reading.CUMULATIVE_SINCE)


class Role(str, Enum):
    """A target row's place in the count of unique targets."""

    TARGET = "target"  # a target of its own (counted once in the headline)
    REPEAT = "repeat"  # the same target stated again elsewhere in the plan (grouped under ``duplicate_of``)
    GLOSS = "gloss"    # a parenthetical note on another row (e.g. "(全覆盖)"), kept as a note on ``duplicate_of``


class Scope(str, Enum):
    """What a target counts. ``modelled`` says whether the model can count exactly that."""

    WHOLE_REGION = "whole_region"                   # the whole region / all of the indicator's units
    ABOVE_SCALE = "above_scale"                     # above-designated-size industrial firms only (规上)
    ABOVE_SCALE_STARTED = "above_scale_started"     # 规上 firms covered once they carried out a diagnosis or project
    SMES_STARTED = "smes_started"                   # manufacturing SMEs that carried out a diagnosis or project
    PROVINCIAL_ONLY = "provincial_only"             # recognitions on the provincial list only
    PROVINCIAL_AND_MUNICIPAL = "provincial_and_municipal"  # provincial plus municipal recognitions (省、市级)
    PLUS_INDUSTRIAL_INTERNET = "plus_industrial_internet"  # smart factories plus industrial-internet benchmark firms
    PLUS_DEMO_PROJECTS = "plus_demo_projects"       # smart workshops plus demonstration projects
    PROVINCIAL_STAR_CLOUD = "provincial_star_cloud"  # provincially star-rated cloud-enabled firms
    DIGITAL_ECONOMY_FIELD = "digital_economy_field"  # patents, applications, high-tech firms of the digital field
    NEW_BUILDS = "new_builds"                       # data centres built in the period
    KEY_AREAS = "key_areas"                         # core urban areas, public places, trunk lines, key parks
    VILLAGES = "villages"                           # administrative villages
    NAMED_SUBSET = "named_subset"                   # a subset named in the figure's scope (unmodelled indicators)
    SMART_MFG_DIAGNOSIS = "smart_mfg_diagnosis"     # a smart-manufacturing diagnosis service (智能制造诊断服务)
    ANY_TRANSFORMATION_PROJECT = "any_transformation_project"  # every 智能化改造数字化转型 project, several a firm

    @property
    def modelled(self) -> bool:
        """Whether the model counts this scope (else a target on it is not assessed)."""
        return self not in _NOT_MODELLED


_NOT_MODELLED = frozenset({Scope.PLUS_INDUSTRIAL_INTERNET, Scope.PLUS_DEMO_PROJECTS, Scope.KEY_AREAS,
                           Scope.VILLAGES, Scope.NAMED_SUBSET, Scope.SMART_MFG_DIAGNOSIS,
                           Scope.ANY_TRANSFORMATION_PROJECT})
#: Why a target on an unmodelled scope is not assessed.
SCOPE_GAPS = {
    Scope.PLUS_INDUSTRIAL_INTERNET: "the plan adds industrial-internet benchmark/demonstration firms, which the "
                                    "model does not count",
    Scope.PLUS_DEMO_PROJECTS: "the plan adds demonstration projects to the smart workshops; the model counts "
                              "recognised workshops only",
    Scope.KEY_AREAS: "the plan covers named key areas; the model's coverage is of the whole region",
    Scope.VILLAGES: "the plan covers administrative villages; the model's coverage is of the whole region",
    Scope.NAMED_SUBSET: "the plan counts a named subset the model does not represent",
    Scope.SMART_MFG_DIAGNOSIS: "the plan counts firms given a smart-manufacturing (smart workshop/factory) "
                               "diagnosis service, which may go to firms already diagnosed; the model counts first "
                               "digital diagnoses of any firm, SMEs included (about nine times the plan's number)",
    Scope.ANY_TRANSFORMATION_PROJECT: "the plan counts every transformation project (a firm may run several, and "
                                      "an ERP roll-out or a robot line is one); the model's project is a climb of "
                                      "one rung of its four-rung ladder (at most three per firm after the "
                                      "diagnosis), so its count is of another, coarser unit",
}


class ThresholdRule(str, Enum):
    """The wording that sets a target's threshold; values, relations and reasons in data/threshold_rules.csv."""

    AT_LEAST = "at_least"            # 达到 / 达 / 力争 / a plain figure
    OR_MORE = "or_more"              # 以上 / 不少于 / 不低于 / 至少
    EXCEED = "exceed"                # 超 / 超过 / 突破 / >
    FULL_COVERAGE = "full_coverage"  # 全覆盖 / 全面覆盖 / 覆盖全体
    BASICALLY = "basically"          # 基本实现 …全覆盖
    ABOUT = "about"                  # 左右 / 约 / 近
    AT_MOST = "at_most"              # 以下 / 不高于 / 不超过
    ABOVE_REGION = "above_region"    # 高于 <region> 平均水平: the difference to another region's value >= 0
    RANGE = "range"                  # X-Y: the lower end reached


def threshold(rule: dict, value: float | None) -> float:
    """The threshold a rule sets for a stated ``value`` (in the target's unit).

    Parameters
    ----------
    rule : dict
        A row of ``data/threshold_rules.csv``: ``level`` (a fixed threshold in percent, for coverage rules) or
        ``factor`` (multiplies the stated value).
    value : float or None
        The figure's stated value (None for a target relative to another region).
    """
    if rule["level"] is not None and not (isinstance(rule["level"], float) and np.isnan(rule["level"])):
        return float(rule["level"])
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return 0.0  # relative targets compare a difference with zero
    return float(value) * float(rule["factor"])
