"""Outputs a reviewer can trust (issue 18 review): honest site names, "at its limit" vs "slack",
manifest overrides, max_profit costs and revenue, labels and tidy numbers in sites.csv, API words."""

from __future__ import annotations

import pytest

import siteplan
from siteplan.plan import display_name, place_name, place_names

import tiny

AT_LIMIT = "at its limit (no marginal value with the plan's racks held)"


# --- (b) site names ---------------------------------------------------------------------------

def test_far_town_is_said_with_its_distance():
    assert place_name("near Tyler, TX (Tyler 7)", "x") == "Tyler, TX"
    assert place_name("66 km from Big Spring, TX (Sterling City 1)", "x") == "near Big Spring, TX (66 km)"
    assert place_names(["66 km from Big Spring, TX (Sterling City 1)", "74 km from Big Spring, TX (O Donnell 1)",
                        "near Laredo, TX (230 kV Laredo 1)", "near Laredo, TX (Laredo 4)"], list("abcd")) == [
        "near Big Spring, TX (66 km)", "near Big Spring, TX (74 km)", "Laredo, TX (Laredo 1)", "Laredo, TX (Laredo 4)"]
    assert place_names(["66 km from Big Spring, TX (Sterling City 1)", "66 km from Big Spring, TX (Snyder 2)"],
                       ["a", "b"]) == ["near Big Spring, TX (66 km; Sterling City 1)",
                                       "near Big Spring, TX (66 km; Snyder 2)"]


def test_databuild_names_say_distance_and_no_voltage():
    from siteplan.databuild.sites import NEAR_TOWN_KM, site_name

    assert site_name("Tyler, TX", 8.2, "Tyler 7") == "near Tyler, TX (Tyler 7)"
    assert site_name("Big Spring, TX", 65.7, "Sterling City 1") == "66 km from Big Spring, TX (Sterling City 1)"
    assert NEAR_TOWN_KM <= 25


def test_bundled_site_names_hold_no_voltage():
    import json
    from pathlib import Path

    for f in sorted((Path(__file__).parents[1] / "data").glob("*/sites.geojson")):
        for feat in json.loads(f.read_text())["features"]:
            name = feat["properties"].get("name") or ""
            assert " kV " not in name, (f, name)


def test_display_name_drops_a_voltage_the_connection_may_contradict():
    assert display_name("near Big Spring, TX (230 kV Sterling City 1)") == "near Big Spring, TX (Sterling City 1)"
    assert display_name("Abilene") == "Abilene"


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    """One site whose only useful connection is used to its class's limit (125 MW = 100 racks x PUE 1.25),
    the rest of the demand unmet: the connection's dual is 0 with the racks held."""
    root = tmp_path_factory.mktemp("capped")
    flat = {"dry_bulb_c": [20, 40], "pue": [1.25, 1.25]}
    path = tiny.write_tiny(
        root, demand_gpus=150.0,
        sites=[tiny.site("s1", max_it_mw=200.0, name="near Town, TX (345 kV Far Sub 1)")],
        substations=[tiny.sub("b1", voltage_kv=138.0)],
        catalog={"interconnect_classes": {"big": {"max_mw": 125}},
                 "cooling_designs": {"air": {"pue_curve": flat}, "liquid": {"pue_curve": flat}}})
    study = siteplan.load(path)
    plan = siteplan.solve(study)
    return plan, study, root


def test_site_name_column_has_no_contradicting_voltage(capped):
    plan, _, _ = capped
    row = plan.sites.set_index("site_id").loc["s1"]
    assert row["interconnect_kv"] == 138.0
    assert row["name"] == "near Town, TX (Far Sub 1)"
    assert row["place"] == "Town, TX"


# --- (c) at its limit, not slack ------------------------------------------------------------------

def test_interconnect_used_to_its_limit_is_not_called_slack(capped, tmp_path):
    from siteplan.export.report import render_markdown, report_blocks

    plan, study, _ = capped
    ic = plan.interconnects.iloc[0]
    assert ic["contracted_mw"] == pytest.approx(ic["max_mw"]) == pytest.approx(125.0)
    assert float(plan.ds["value_interconnect_usd_per_mw_yr"].sel(site="s1")) == pytest.approx(0.0, abs=1e-3)
    md = render_markdown(report_blocks(plan, study=study), "t")
    line = next(x for x in md.splitlines() if x.startswith("| interconnect capacity |"))
    assert AT_LIMIT in line and "slack" not in line, line
    # a limit with real headroom is still slack
    line = next(x for x in md.splitlines() if x.startswith("| substation headroom |"))
    assert "slack" in line, line
