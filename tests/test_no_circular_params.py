"""No parameter may rest on a target it is later used to assess (issue 13, item 3).

A parameter's ``source`` names the figure ids it rests on; none may be a row of kind ``target`` or
``growth_target`` in data/figures. Ranges written ``s004-011..013`` count every id in the range. The derived
indicators' parameters (dezsim.model.derived_params, drawn after the run) and their 2020 anchors are checked too.
"""

from __future__ import annotations

import re

from dezsim.model import derived_params as D
from dezsim.model import params as P

ID = re.compile(r"\b([a-z]+\d*[a-z]?)-(\d+)([a-z]?)(?:\.\.(\d+))?")


def cited_ids(text: str) -> list[str]:
    """Every figure id a source text cites, ranges expanded."""
    out = []
    for prefix, first, suffix, last in ID.findall(text):
        if last:
            out += [f"{prefix}-{k:0{len(first)}d}" for k in range(int(first), int(last) + 1)]
        else:
            out.append(f"{prefix}-{first}{suffix}")
    return out


def test_cited_ids_reads_single_ids_and_ranges():
    assert cited_ids("37000 stations (s001a-158) over GDP (pub-006)") == ["s001a-158", "pub-006"]
    assert cited_ids("paid for 3000 + 1000 (s004-011..013)") == ["s004-011", "s004-012", "s004-013"]


def test_no_parameter_source_cites_a_target(dataset):
    f = dataset.figures
    targets = set(f.loc[f.kind.isin(["target", "growth_target"]), "id"])
    assert "s001a-158" in targets  # the check would catch the former 5G ceiling source
    circular = {p.name: sorted(set(cited_ids(p.source)) & targets) for p in P.PARAMS + D.PARAMS}
    assert {k: v for k, v in circular.items() if v} == {}


def test_derived_sources_and_anchors_cite_no_target(dataset):
    f = dataset.figures.set_index("id")
    targets = set(f.index[f.kind.isin(["target", "growth_target"])])
    cited = [i for p in D.PARAMS for i in cited_ids(p.source)]
    assert cited and all(i in f.index or i.startswith("dv-") for i in cited)  # every cited id exists
    anchors = {a.figure for a in D.ANCHORS}
    assert anchors <= set(f.index) and not anchors & targets
    assert all(f.kind[a] == "baseline" and int(f.year[a]) == 2020 for a in anchors)
