"""Words, not ids, in the report and the summary (issue 18 follow-up, item 4), and the two facility
peaks labelled so a reader sees why they differ (item 7)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import siteplan
from siteplan.export.headline import headline
from siteplan.export.report import report_blocks, render_markdown
from siteplan.labels import column_words, ids_in_words, slice_name, voltage_class_name

EXAMPLE = Path(__file__).resolve().parents[1] / "models" / "example.yaml"


@pytest.fixture(scope="module")
def example():
    plan = siteplan.solve(EXAMPLE)
    md = render_markdown(report_blocks(plan, scenario={}, map_png=b""), "t")
    return plan, md, plan.summary()


def _table(md: str, first: str) -> list[list[str]]:
    lines = md.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith(f"| {first} |"))
    out = []
    for x in lines[start:]:
        if not x.startswith("|"):
            break
        out.append([c.strip() for c in x.strip("|").split("|")])
    return [out[0]] + out[2:]


def test_label_words():
    assert slice_name("peak_hot") == "hot peak" and slice_name("jan_night") == "January night"
    assert column_words("headroom_mw") == "headroom (MW)" and column_words("max_rtt_ms") == "max RTT (ms)"
    assert voltage_class_name("kv069") == "69 kV" and voltage_class_name("kv138") == "138 kV"
    assert ids_in_words("lead time beyond the 5-yr horizon: gas_combined_cycle (6 yr)") == \
        "lead time beyond the 5-yr horizon: gas combined-cycle plant (6 yr)"


def test_no_ids_in_prose(example):
    plan, md, text = example
    # the example's horizon excludes the combined-cycle plant: the note names it in words
    assert "gas combined-cycle plant (6 yr)" in text and "gas_combined_cycle" not in text + md
    assert "gas combined-cycle plant (6 yr)" in md
    # no "Name (id)" cells: substations and regions by name, the id in a column of its own
    subs = _table(md, "substation")
    assert subs[0][:2] == ["substation", "id"]
    for row in subs[1:]:
        assert "(" not in row[0] and row[1].startswith("sub_")
    for row in _table(md, "region")[1:]:
        assert not re.search(r"\([a-z0-9_]+\)", row[0]), row
    # no column names used as words
    limits = _table(md, "limit")
    assert "headroom (MW)" in [r[2] for r in limits] and "max RTT (ms) per workload" in [r[2] for r in limits]
    code = re.findall(r"`([^`]+)`", md)
    assert all(c.startswith(("docs/", "siteplan.")) for c in code), code
    assert not re.search(r"\b[a-z]+_(mw|ms|mwh)\b", md.split("## Which limits bind")[1])


def test_tiny_check_has_no_id(example):
    import copy

    plan = copy.copy(example[0])
    plan.sites = plan.sites.copy()
    i = plan.sites.index[plan.sites["open"]][0]
    plan.sites.loc[i, "it_mw"] = 0.3
    line = next(x for x in plan.summary().splitlines() if "tiny site" in x)
    assert str(plan.sites.loc[i, "site_id"]) not in line


def test_both_peaks_labelled(example):
    plan, md, text = example
    h = headline(plan)
    o = plan.ds["open"].values.astype(bool)
    assert h.design_peak_mw == pytest.approx(float(plan.ds["peak_facility_mw"].values[o].sum()))
    assert h.design_peak_mw >= h.peak_facility_mw
    w = plan.ds["weight_h"].values
    totals = plan.ds["facility_mw"].values.sum(axis=0)
    assert h.peak_slice == str(plan.ds["slice"].values[int(np.argmax(np.where(w > 0, totals, -np.inf)))])
    rows = {r[0]: r[1] for r in _table(md, "quantity")[1:]}
    coinc = next(k for k in rows if k.startswith("Facility power, coincident peak"))
    design = next(k for k in rows if k.startswith("Sum of the sites' design peaks"))
    assert rows[coinc].startswith(f"{h.peak_facility_mw:,.1f} MW ({slice_name(h.peak_slice)})")
    assert rows[design] == f"{h.design_peak_mw:,.1f} MW"
    assert "¹ *Coincident peak*" in md and "*Design peak*" in md
    assert f"coincident peak {h.peak_facility_mw:,.1f} MW" in text
    assert f"sum of the sites' design peaks {h.design_peak_mw:,.1f} MW" in text


def test_one_name_table_for_onsite_plant():
    """Prose, unit counts and map labels read one table: one unit singular, more plural, the short
    form for maps; every bundled on-site option has all three, with the same words in the same order."""
    from pathlib import Path

    from siteplan.config import load_catalog
    from siteplan.export import style
    from siteplan.labels import ONSITE_NAMES, onsite_name, plant_name

    cat = load_catalog(Path(__file__).resolve().parents[1] / "data" / "catalog.yaml")
    assert set(cat.onsite) <= set(ONSITE_NAMES)
    assert plant_name("gas_recip", 1) == "gas reciprocating engine"
    assert plant_name("gas_recip", 13) == "gas reciprocating engines" == onsite_name("gas_recip")
    assert plant_name("gas_combined_cycle", 2) == "gas combined-cycle units"
    assert onsite_name("gas_combined_cycle") == "gas combined-cycle plant"
    assert plant_name("battery", 4) == "batteries" and plant_name("gas_recip", 3, short=True) == "gas engines"
    assert plant_name("fuel_cell", 2) == "fuel cells"
    assert style.plant_name is plant_name
    # a site row written with one unit reads back its unit size
    row = {"onsite_plant": "1 × 35 MW mobile gas turbine = 35.0 MW", "units_gas_turbine_mobile": 1.0,
           "onsite_mw": 35.0}
    import pandas as pd

    assert style.plant_unit_mw(pd.Series(row), "gas_turbine_mobile") == 35.0
