"""Summary, report, sites.csv and GeoPackage a reviewer reads (issue 18 items 2, 3, 5, 6, 7, 8, 9).

One unit (per H100e-hour served) with per physical GPU-hour beside it; headline figures from the
plan; the report regenerated from the results folder is the same byte for byte; names first with
ids in their own column; on-site plant, batteries and grid share everywhere; the map embedded; no
empty table rows. The example study is solved as the CLI solves it (results folder + exports).
"""

from __future__ import annotations

import copy
import csv
import html as html_mod
import json
import re
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner

import siteplan
from siteplan.export import export_all, style
from siteplan.export.headline import headline
from siteplan.export.report import report_blocks, render_markdown
from siteplan.results.folder import read_results, write_results

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example.yaml"


def _solve_folder(out: Path, overrides=(), values=None):
    study = siteplan.load(EXAMPLE, overrides, values or {})
    plan = siteplan.solve(study)
    write_results(plan, study, out)
    export_all(plan, out, study=study)
    return plan, study


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    plan, study = _solve_folder(out)
    return plan, study, out


@pytest.fixture(scope="module")
def offgrid(tmp_path_factory):
    """A one-year horizon: no interconnect is ready, the site runs on its own plant."""
    out = tmp_path_factory.mktemp("offgrid")
    plan, study = _solve_folder(out, values={"horizon_yr": 1})
    return plan, study, out


def _cli(args):
    from siteplan.cli import cli, main  # noqa: F401  (main registers the plugin commands)
    from siteplan.export.cli import commands

    for cmd in commands():
        if cmd.name not in cli.commands:
            cli.add_command(cmd)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return res


def _tables(md: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells (header first, the :--- line dropped)."""
    out, cur = [], []
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                cur.append(cells)
        elif cur:
            out.append(cur)
            cur = []
    return out + ([cur] if cur else [])


def _table(md: str, first_header: str, second_header: str | None = None) -> list[list[str]]:
    for t in _tables(md):
        if t[0][0] == first_header and (second_header is None or t[0][1] == second_header):
            return t
    raise AssertionError(f"no table with headers {first_header!r}, {second_header!r}")


# --- item 5: the report is a function of the results folder ---------------------------------------

def test_report_and_map_identical_when_regenerated_from_the_folder(folder, tmp_path):
    plan, _, out = folder
    # the example has a site water limit (Amarillo): the row that lost "site limits" before
    assert np.isfinite(plan.sites["water_limit_m3_per_yr"]).any()
    again = tmp_path / "again"
    _cli(["report", str(out), "--out", str(again)])
    _cli(["map", str(out), "--out", str(again)])
    for name in ("report.md", "report.html", "map.png", "map.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    written = sorted(p.name for p in (out / "report_files").iterdir())
    assert written == sorted(p.name for p in (again / "report_files").iterdir())
    for name in written:
        assert (again / "report_files" / name).read_bytes() == (out / "report_files" / name).read_bytes(), name
    water = next(x for x in (out / "report.md").read_text().splitlines() if x.startswith("| water |"))
    assert "site limits" in water


def test_report_with_alternatives_identical_from_the_folder(tmp_path):
    """With near-optimal alternatives (their maps and tables, names instead of ids) the report
    regenerated from the folder is the same too."""
    study = siteplan.load(EXAMPLE)
    plan = siteplan.solve(study, alternatives=1)
    assert plan.alternatives
    out = tmp_path / "alt"
    write_results(plan, study, out)
    export_all(plan, out, study=study)
    again = tmp_path / "again"
    _cli(["report", str(out), "--out", str(again)])
    for name in ("report.md", "report.html", "report_files/alternative_1.png"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    md = (out / "report.md").read_text()
    best = next(x for x in md.splitlines() if x.startswith("| best |"))
    assert plan.sites.loc[plan.sites["open"], "place"].iloc[0] in best
    assert not re.search(r"\bkv\d{3}\b", md.split("## Near-optimal alternatives")[1])


# --- items 2 and 3: one unit, said; headline figures from the plan ----------------------------------

def _per_h100e_hour(plan) -> float:
    ds = plan.ds
    cats = [str(c) for c in ds["cost_category"].values]
    costs = dict(zip(cats, ds["cost_usd_per_yr"].values.astype(float)))
    real = sum(v for c, v in costs.items() if c not in ("revenue", "unmet_penalty"))
    return real / (float(ds["served_h100e"].sum()) * float(ds["weight_h"].sum()))


def test_units_in_summary_report_and_maps(folder):
    plan, _, out = folder
    want = f"${_per_h100e_hour(plan):,.3f}"
    summary = (out / "summary.txt").read_text()
    assert f"cost per H100e-hour served {want}" in summary
    assert "per physical GPU-hour installed $" in summary
    md = (out / "report.md").read_text()
    head = {r[0]: r[1] for r in _table(md, "quantity", "value")}
    assert head["Cost per H100e-hour served (excl. penalty)"] == want
    gpu_h = (float(plan.ds["cost_usd_per_yr"].sum())) / (float(plan.ds["gpus"].sum()) * 8760.0)
    assert head["per physical GPU-hour installed"] == f"${gpu_h:,.3f}"
    for text in (summary, md):  # never a bare "per GPU-hour"
        assert not re.search(r"(?<!physical )per GPU-hour", text)
    page = (out / "map.html").read_text()
    assert f"{want} per H100e-hour" in page
    from siteplan.export.staticmap import render_map

    assert any(f"{want} per H100e-hour" in t.get_text().replace("\\$", "$") for t in render_map(plan).texts)


def test_max_profit_revenue_and_cost_in_the_same_unit(tmp_path):
    plan, _ = _solve_folder(tmp_path, overrides=("max_profit",))
    md = (tmp_path / "report.md").read_text()
    head = {r[0]: r[1] for r in _table(md, "quantity", "value")}
    assert "Revenue (at $2.500 per H100e-hour served)" in head
    assert head["Cost per H100e-hour served (excl. penalty)"] == f"${_per_h100e_hour(plan):,.3f}"
    summary = (tmp_path / "summary.txt").read_text()
    assert "price $2.500 per H100e-hour" in summary and "cost per H100e-hour served $" in summary
    assert headline(plan).price_usd_per_h100e_hour == 2.5


def test_report_lead_is_the_plan_not_the_scenario_description(folder):
    plan, study, out = folder
    md = (out / "report.md").read_text()
    lead = md.split("\n## ")[0]
    assert f"**{float(plan.ds['it_mw'].sum()):,.1f} MW** of IT" in lead
    assert f"**{int(plan.sites['open'].sum())} of {len(plan.sites)}**" in lead
    desc = study.scenario.description
    assert desc and desc not in lead
    # the description is only shown as input text
    rows = [r for r in _table(md, "item", "value") if desc in r[1]]
    assert [r[0] for r in rows] == ["scenario description (input text, not a result)"]


# --- item 7: names first, ids in their own column; interconnect in words; costs sorted ----------

def test_names_ids_and_interconnect_words(folder):
    plan, _, out = folder
    open_ = plan.sites[plan.sites["open"]]
    summary = (out / "summary.txt").read_text()
    md = (out / "report.md").read_text()
    sites = _table(md, "site", "id")
    for _, s in open_.iterrows():
        assert re.search(rf"^  {re.escape(s['place'])}\s+{re.escape(s['site_id'])}\s", summary, re.M)
        row = next(r for r in sites[1:] if r[1] == s["site_id"])
        assert row[0] == s["place"] != s["site_id"]
        sub = plan.substations.set_index("substation_id").loc[s["substation_id"]]
        ic = plan.interconnects.set_index("site_id").loc[s["site_id"]]
        words = f"{ic['voltage_kv']:g} kV line, {ic['line_km']:,.1f} km to {sub['name']}"
        assert s["interconnect"].startswith(words)
        power = next(r for r in _table(md, "site", "power supply")[1:] if r[0] == s["place"])
        assert power[3].startswith(words) and power[1] == "grid"
    with open(out / "sites.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:2] == ["name", "site_id"]  # one name (the report's and maps'), the id beside it
    assert {r["site_id"]: r["name"] for r in rows} == dict(zip(plan.sites["site_id"], plan.sites["place"]))


def test_cost_categories_largest_first_with_total(folder):
    plan, _, out = folder
    md = (out / "report.md").read_text()
    rows = _table(md, "category", "USD/yr")[1:]
    ds = plan.ds
    vals = {style.category_label(c): float(v) for c, v in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values)
            if abs(v) > 0.5}
    listed = [r[0] for r in rows if not r[0].startswith("**")]
    assert listed == sorted(vals, key=lambda c: -vals[c])
    assert rows[len(listed)][0] == "**total**"
    assert rows[len(listed)][1] == f"**{style.fmt_usd(sum(vals.values()))}**"
    lines = (out / "summary.txt").read_text().splitlines()
    i = lines.index("cost by category (USD per year, largest first):")
    names = [ln.split("$")[0].strip() for ln in lines[i + 1:i + 1 + len(vals)]]
    assert names == listed
    assert lines[i + 1 + len(vals)].split("$")[0].strip() == "total cost"


# --- item 8: on-site plant, batteries and grid share in every output ------------------------------

def test_onsite_plant_and_grid_share_everywhere(offgrid):
    plan, study, out = offgrid
    s = plan.sites[plan.sites["open"]].iloc[0]
    gens = {g: c for g, c in study.catalog.onsite.items() if f"units_{g}" in plan.sites}
    built = {g: int(s[f"units_{g}"]) for g in gens if s[f"units_{g}"] > 0}
    assert built, "the one-year horizon should build on-site plant"
    assert s["onsite_mw"] == pytest.approx(sum(n * gens[g].unit_mw for g, n in built.items()))
    for g, n in built.items():
        from siteplan.labels import plant_name

        assert f"{n} × {gens[g].unit_mw:g} MW {plant_name(g, n)}" in s["onsite_plant"]
    total = s["grid_mwh_per_yr"] + s["onsite_mwh_per_yr"]
    assert s["grid_share"] == pytest.approx(s["grid_mwh_per_yr"] / total)
    assert s["power_supply"].startswith("on-site plant (off-grid)")
    # sites.csv and the GeoPackage carry the same columns
    with open(out / "sites.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["site_id"] == s["site_id"])
    for c in ("onsite_plant", "power_supply", "interconnect"):
        assert row[c] == str(s[c])
    for c in ("onsite_mw", "battery_mw", "battery_mwh", "grid_share", "cost_usd_per_h100e_hour"):
        # sites.csv rounds by unit (siteplan.results.folder.CSV_DECIMALS: 3-4 decimals here)
        assert float(row[c]) == pytest.approx(float(s[c]), abs=1e-3)
    back = read_results(out)
    bs = back.sites.set_index("site_id").loc[s["site_id"]]
    assert bs["onsite_plant"] == s["onsite_plant"] and bs["grid_share"] == pytest.approx(s["grid_share"])
    # the report says it, both maps show it
    md = (out / "report.md").read_text()
    power = next(r for r in _table(md, "site", "power supply")[1:] if r[0] == s["place"])
    assert power[1] == "off-grid" and power[4] == s["onsite_plant"] and power[2] == f"{s['grid_share']:.0%}"
    page = (out / "map.html").read_text()
    data = json.loads(re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', page, re.S).group(1))
    site = next(c for c in data["chosen"] if c["id"] == s["site_id"])
    assert site["power"] == "off-grid" and "off-grid" in site["power_text"]
    from siteplan.export import style

    assert any(r[0].startswith("on-site plant") and html_mod.unescape(r[1]) == style.plant_words(s) for r in site["rows"])
    for g, n in built.items():  # type and units in words on both maps
        assert f"{n} × " in site["plant_text"] and style.plant_name(g, n) in site["plant_text"]
    from siteplan.export.staticmap import GID_SITE_LABEL, POWER_LEGEND_TITLE, render_map

    fig = render_map(plan)
    label = next(t for t in fig.axes[0].texts if t.get_gid() == GID_SITE_LABEL)
    assert "off-grid: " + style.plant_words(s, short=True) in label.get_text()
    legends = [a for a in fig.axes[1].artists if hasattr(a, "get_title")]
    power_leg = next(lg for lg in legends if lg.get_title().get_text() == POWER_LEGEND_TITLE)
    assert [t.get_text() for t in power_leg.get_texts()] == ["on-site plant only, off-grid (diamond)"]


def test_geopackage_corridors_layer(folder):
    plan, _, out = folder
    layers = dict(pyogrio.list_layers(out / "plan.gpkg"))
    assert layers.get("corridors") == "LineString"
    import geopandas as gpd

    cor = gpd.read_file(out / "plan.gpkg", layer="corridors")
    ds = plan.ds
    assert cor["corridor_id"].tolist() == [str(c) for c in ds["corridor"].values]
    np.testing.assert_allclose(cor["capacity_mw"], ds["corridor_capacity_mw"].values)
    np.testing.assert_allclose(cor["peak_flow_mw"], np.abs(ds["corridor_peak_flow_mw"].values))
    assert {"from_id", "to_id", "voltage_kv", "max_slice_flow_mw", "value_usd_per_mw_yr"} <= set(cor.columns)
    assert cor.crs.to_epsg() == 4326


# --- item 9: the map in the report, no empty rows ---------------------------------------------------

def test_report_embeds_the_map_and_has_no_empty_rows(folder):
    _, _, out = folder
    page = (out / "report.html").read_text()
    img = re.search(r'<img alt="[^"]*" data-chart="plan_map" src="data:image/png;base64,([^"]+)"', page)
    assert img is not None
    import base64

    assert base64.b64decode(img.group(1)) == (out / "map.png").read_bytes()
    assert '<a href="map.html">' in page
    for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [html_mod.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        assert any(c not in ("", "–") for c in cells), tr
    md = (out / "report.md").read_text()
    assert "(map.html)" in md and "](report_files/plan_map.png)" in md
    for t in _tables(md):
        for row in t:
            assert any(c not in ("", "–") for c in row), row


def test_blocks_with_an_empty_row_render_without_it(folder):
    """The renderers drop a row with nothing in it (a table built with one still reads whole)."""
    from siteplan.export.report import Block, Table, render_html

    blocks = [Block("table", table=Table(["a", "b"], [["x", "1"], ["", "–"], ["y", "2"]]))]
    md = render_markdown(blocks, "t")
    assert md.count("\n| ") == 3  # header and two rows
    assert render_html(blocks, "t", {}).count("<tr>") == 3


# --- item 6: a tiny site is said, not shown as "0 MW" ---------------------------------------------

def test_tiny_site_is_said_in_summary_and_report(folder):
    plan, _, _ = folder
    tiny = copy.copy(plan)
    tiny.sites = plan.sites.copy()
    i = tiny.sites.index[tiny.sites["open"]][0]
    tiny.sites.loc[i, "it_mw"] = 0.3
    text = tiny.summary()
    name = tiny.sites.loc[i, "place"]
    assert f"CHECK: tiny site: {name} has only 0.30 MW of IT" in text  # the id in its column, not the prose
    md = render_markdown(report_blocks(tiny, scenario={}, map_png=b""), "t")
    assert "## Check before relying on this plan" in md and "tiny site" in md
    row = next(r for r in _table(md, "site", "id")[1:] if r[0] == name)
    assert row[3] == "0.30"
    assert "CHECK" not in plan.summary()
