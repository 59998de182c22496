"""Outputs a reviewer can trust (issue 18 review): honest site names, "at its limit" vs "slack",
manifest overrides, max_profit costs and revenue, labels and tidy numbers in sites.csv, API words."""

from __future__ import annotations

import pytest

import siteplan
from siteplan.results.plan import display_name, place_name, place_names

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


# --- (d) manifest: relative paths, overrides and set values recorded -------------------------------

def _abs_paths(node, out):
    import os

    if isinstance(node, dict):
        for v in node.values():
            _abs_paths(v, out)
    elif isinstance(node, list):
        for v in node:
            _abs_paths(v, out)
    elif isinstance(node, str) and os.path.isabs(node):
        out.append(node)
    return out


def test_manifest_scenario_paths_relative_and_changes_recorded(capped, tmp_path):
    import json

    import yaml

    from siteplan.results.folder import manifest, manifest_json

    plan, _, root = capped
    sc = yaml.safe_load((root / "scenario.yaml").read_text())
    sc["overrides"] = {"dear": {"unmet_penalty_usd_per_gpu_yr": 2e7}}
    (root / "scenario2.yaml").write_text(yaml.safe_dump(sc))
    study = siteplan.load(root / "scenario2.yaml", ("dear",), {"demand_scale": 0.5})
    man = json.loads(manifest_json(manifest(plan, study)))
    assert _abs_paths(man["scenario"], []) == []
    assert man["scenario"]["dataset"] == "data" and man["scenario"]["catalog"] == "catalog.yaml"
    assert man["scenario"]["source_file"] == "scenario2.yaml"
    assert man["scenario_changes"] == {"overrides": ["dear"], "set_values": {"demand_scale": 0.5}}
    # a study changed again in Python keeps the record, later values winning
    again = study.with_values({"demand_scale": 0.25, "carbon.price_usd_per_t": 10})
    man = json.loads(manifest_json(manifest(plan, again)))
    assert man["scenario_changes"] == {"overrides": ["dear"],
                                       "set_values": {"demand_scale": 0.25, "carbon.price_usd_per_t": 10}}


def test_cli_solve_records_override_and_set_in_manifest(capped, tmp_path):
    import json

    import yaml
    from click.testing import CliRunner

    from siteplan.cli import cli

    _, _, root = capped
    sc = yaml.safe_load((root / "scenario.yaml").read_text())
    sc["overrides"] = {"dear": {"unmet_penalty_usd_per_gpu_yr": 2e7}}
    (root / "scenario3.yaml").write_text(yaml.safe_dump(sc))
    out = tmp_path / "res"
    r = CliRunner().invoke(cli, ["solve", str(root / "scenario3.yaml"), "--out", str(out), "-o", "dear",
                                 "--set", "demand_scale=0.5", "--no-exports", "-q"])
    assert r.exit_code == 0, r.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario_changes"] == {"overrides": ["dear"], "set_values": {"demand_scale": 0.5}}
    assert _abs_paths(man["scenario"], []) == []


# --- (i) the API's own words -------------------------------------------------------------------

def test_api_set_values_mistake_names_the_argument(capped):
    from siteplan.errors import InputError

    _, _, root = capped
    with pytest.raises(InputError) as exc:
        siteplan.load(root / "scenario.yaml", set_values={"demand_scale": -1})
    text = str(exc.value)
    assert "set_values['demand_scale']=-1" in text and "--set" not in text
    study = siteplan.load(root / "scenario.yaml")
    with pytest.raises(InputError) as exc:
        siteplan.solve(study, set_values={"demand_scale": -1})
    assert "set_values['demand_scale']=-1" in str(exc.value) and "--set" not in str(exc.value)
    with pytest.raises(InputError) as exc:
        study.with_values({"demand_scale": -1})
    assert "values['demand_scale']=-1" in str(exc.value) and "--set" not in str(exc.value)


def test_cli_set_mistake_still_says_set(capped):
    from click.testing import CliRunner

    from siteplan.cli import cli

    _, _, root = capped
    r = CliRunner().invoke(cli, ["validate", str(root / "scenario.yaml"), "--set", "demand_scale=-1"])
    assert r.exit_code == 2 and "--set demand_scale=-1" in r.output, r.output


def test_plan_write_says_folder_not_out(capped, tmp_path):
    plan, _, _ = capped
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError) as exc:
        plan.write(busy, exports=False)
    assert "choose another folder" in str(exc.value) and "--out" not in str(exc.value)


def test_misspelt_solver_option_names_the_nearest(capped):
    _, study, _ = capped
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'time_limt_s' \(did you mean 'time_limit_s'\?\)"):
        siteplan.solve(study, time_limt_s=5)


# --- (e) max_profit: costs largest first with a total, revenue separately, net ------------------------

@pytest.fixture(scope="module")
def profit():
    from pathlib import Path

    study = siteplan.load(Path(__file__).parents[1] / "models" / "example.yaml", ("max_profit",))
    return siteplan.solve(study), study


def _usd(text: str) -> float:
    text = text.strip().replace("$", "").replace(",", "").replace("**", "")
    mult = {"k": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1.0)
    return float(text.rstrip("kMB")) * mult


def test_max_profit_summary_lists_costs_then_revenue_and_net(profit):
    plan, _ = profit
    text = plan.summary()
    lines = text.splitlines()
    i = lines.index("cost by category (USD per year, largest first):")
    j = next(k for k in range(i, len(lines)) if lines[k].strip().startswith("total cost"))
    costs = [_usd(x[32:]) for x in lines[i + 1:j]]
    assert costs and all(c > 0 for c in costs) and costs == sorted(costs, reverse=True), lines[i:j]
    assert not any("revenue" in x for x in lines[i:j + 1])
    assert lines[j + 1] == "revenue and profit (USD per year):"
    revenue, less, net = (_usd(lines[j + k][32:]) for k in (2, 3, 4))
    assert "revenue" in lines[j + 2] and revenue > 0 and "net profit" in lines[j + 4]
    assert net == pytest.approx(revenue + less, rel=0.02, abs=0.02e6)
    assert net == pytest.approx(-plan.objective, rel=0.01)


def test_max_profit_report_costs_then_revenue_and_net(profit):
    from siteplan.export.report import render_markdown, report_blocks

    plan, study = profit
    md = render_markdown(report_blocks(plan, study=study), "t")
    block = md.split("## Cost by category")[1].split("\n\n")[1]
    rows = [[c.strip() for c in r.strip("|").split("|")] for r in block.splitlines()[2:]]
    names = [r[0] for r in rows]
    k = names.index("**total cost**")
    assert "revenue" not in " ".join(names[:k])
    assert [_usd(r[1]) for r in rows[:k]] == sorted((_usd(r[1]) for r in rows[:k]), reverse=True)
    assert names[k + 1] == "revenue of served compute" and _usd(rows[k + 1][1]) > 0
    assert names[k + 2].startswith("**net profit**")
    assert _usd(rows[k + 2][1]) == pytest.approx(-plan.objective, rel=0.01)


# --- (f) labels and tidy numbers ------------------------------------------------------------------

def test_sites_csv_design_words_rounded_numbers_and_empty_unlimited_water(capped, tmp_path):
    import csv

    from siteplan.labels import design_name
    from siteplan.results.folder import write_results

    plan, study, _ = capped
    sites = plan.sites.copy()
    sites["cost_usd_per_yr"] = sites["cost_usd_per_yr"] + 0.0000000001 + 531174.0
    plan.sites = sites
    write_results(plan, study, tmp_path / "res")
    with open(tmp_path / "res" / "sites.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    r = next(x for x in rows if x["site_id"] == "s1")
    d = str(plan.sites.set_index("site_id").loc["s1", "design"])
    assert r["design_id"] == d and r["design"] == design_name(d) != d
    assert r["water_limit_m3_per_yr"] == ""  # no limit
    for c, v in r.items():
        if c.endswith(("_usd", "_usd_per_yr")) and v:
            assert len(v.split(".")[-1]) <= 2 or "." not in v, (c, v)
        if c.endswith("_mw") and v and "." in v:
            assert len(v.split(".")[-1]) <= 4, (c, v)


def test_report_site_table_names_designs_and_racks(capped):
    from siteplan.export.report import _site_table

    plan, _, _ = capped
    tab = _site_table(plan)
    row = tab.rows[0]
    assert row[2] == "Air" and "r1" not in row[8] and row[8].startswith("R1 ")
