"""Exports on the example study: static map, GeoPackage, results read-back, report, CLI.

The example scenario is solved once per module; every test reads real files it wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest

import siteplan
from siteplan.labels import design_name
from siteplan.export import export_all
from siteplan.export.headline import headline
from siteplan.geo import distance_matrix_km
from siteplan.export.staticmap import DESIGN_LEGEND_TITLE, PNG_SIZE_PX, render_map
from siteplan.results.folder import GPKG_LAYERS, GPKG_READABLE, read_results, write_results

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example.yaml"


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    study = siteplan.load(EXAMPLE)
    plan = siteplan.solve(study)
    out = tmp_path_factory.mktemp("example")
    write_results(plan, study, out)
    written = export_all(plan, out, study=study)
    return plan, study, out, written


def test_export_all_writes_every_file(solved):
    _, _, out, written = solved
    for name in ("map.png", "map.html", "report.html", "report.md", "plan.gpkg"):
        assert (out / name).stat().st_size > 1000, name
    assert set(written) >= {"map.png", "map.html", "report.html", "report.md"}


def test_png_size_and_not_blank(solved):
    from matplotlib.image import imread

    _, _, out, _ = solved
    img = imread(out / "map.png")
    assert (img.shape[1], img.shape[0]) == PNG_SIZE_PX
    rgb = img[..., :3]
    assert rgb.std() > 0.05  # not a blank canvas
    # the map area holds several distinct colours (states, sites, lines), not one fill
    assert len(np.unique((rgb[::7, ::7] * 255).astype(int).reshape(-1, 3), axis=0)) > 50


def test_png_legend_lists_exactly_the_designs_present(solved):
    plan, *_ = solved
    fig = render_map(plan)
    legends = [a for a in fig.axes[1].artists + [fig.axes[1].get_legend()] if a is not None
               and hasattr(a, "get_title")]
    design_leg = [lg for lg in legends if lg.get_title().get_text() == DESIGN_LEGEND_TITLE]
    assert len(design_leg) == 1
    entries = {t.get_text() for t in design_leg[0].get_texts()}
    from siteplan.labels import design_name

    assert entries == {design_name(d) for d in plan.sites.loc[plan.sites["open"], "design"]}
    titles = {lg.get_title().get_text() for lg in legends}
    assert {"IT capacity", "Layers"} <= titles


def test_static_map_svg_pdf(solved, tmp_path):
    from siteplan.export.staticmap import save_map

    plan, *_ = solved
    paths = save_map(plan, tmp_path, formats=("svg", "pdf"))
    assert paths["svg"].read_text().lstrip().startswith("<?xml")
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"


def test_geopackage_layers_counts_crs_columns(solved):
    plan, _, out, _ = solved
    path = out / "plan.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == set(GPKG_LAYERS)
    expected = {"sites": len(plan.sites), "chosen_sites": int(plan.sites["open"].sum()),
                "interconnects": len(plan.interconnects), "substations": len(plan.substations),
                "demand": len(plan.demand), "assignments": len(plan.assignments), "fiber": len(plan.fiber)}
    for name, n in expected.items():
        gdf = gpd.read_file(path, layer=name)
        assert len(gdf) == n, name
        assert gdf.crs.to_epsg() == 4326, name
        src = plan.sites if name == "chosen_sites" else getattr(plan, GPKG_LAYERS[name][0])
        if name in GPKG_READABLE:  # names in words, ids in *_id columns (as sites.csv)
            src = GPKG_READABLE[name][0](src)
        attrs = [c for c in src.columns if c != src.geometry.name]
        assert [c for c in gdf.columns if c != "geometry"] == attrs, name
    sites = gpd.read_file(path, layer="sites")
    assert sites["open"].dtype == bool
    for c in ("it_mw", "max_it_mw", "pue_min", "water_m3_per_yr"):
        assert sites[c].dtype == np.float64, c
    assert (gpd.read_file(path, layer="chosen_sites")["open"]).all()
    info = pyogrio.read_info(path, layer="interconnects")
    assert info["geometry_type"] == "LineString"
    assert info["fields"].tolist()[:2] == ["site_id", "substation_id"]


def test_read_results_round_trip(solved):
    plan, _, out, _ = solved
    back = read_results(out)
    assert back.result.termination is plan.result.termination
    assert back.result.objective == pytest.approx(plan.result.objective, rel=1e-12)
    assert back.result.gap == pytest.approx(plan.result.gap, abs=1e-12)
    assert back.ds["it_mw"].values.tolist() == pytest.approx(plan.ds["it_mw"].values.tolist())
    assert list(back.ds["design"].values) == list(plan.ds["design"].values)
    assert back.sites["site_id"].tolist() == plan.sites["site_id"].tolist()
    assert back.sites["open"].tolist() == plan.sites["open"].tolist()
    assert back.sites["it_mw"].to_numpy() == pytest.approx(plan.sites["it_mw"].to_numpy())
    assert len(back.fiber) == len(plan.fiber) and len(back.interconnects) == len(plan.interconnects)
    assert headline(back) == headline(plan)


def _md_table(md: str, first_col: str) -> dict[str, list[str]]:
    rows = {}
    for line in md.splitlines():
        if line.startswith("| "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.setdefault(cells[0], cells[1:])
    return rows


def test_report_numbers_equal_the_plan(solved):
    plan, _, out, _ = solved
    ds, r = plan.ds, plan.result
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    rows = _md_table(md, "quantity")
    fmt_usd = siteplan.export.style.fmt_usd
    assert rows["Annualised cost"][0] == f"{fmt_usd(r.objective)}/yr"
    assert rows["IT capacity (nameplate)"][0] == f"{float(ds['it_mw'].sum()):,.1f} MW"
    assert rows["GPUs installed"][0] == f"{float(ds['gpus'].sum()):,.0f}"
    assert rows["Water"][0] == f"{float(ds['water_m3_per_yr'].sum()):,.0f} m³/yr"
    assert rows["Emissions"][0] == f"{float(ds['emissions_t_per_yr'].sum()):,.0f} t CO₂/yr"
    assert rows["Unmet demand"][0] == f"{float(ds['unmet_h100e'].sum()):,.0f} H100e"
    assert rows["relative gap"][0] == f"{r.gap:.4%}"
    assert rows["termination"][0] == r.termination.value
    # per-site table: one row per open site, its name first and its id in a column of its own
    # (issue 18 item 7), with its IT MW and design (in words: siteplan.labels) from the Plan
    for _, s in plan.sites[plan.sites["open"]].iterrows():
        cells = rows[s["place"]]
        assert cells[0] == s["site_id"] and cells[1] == design_name(s["design"]) and cells[2] == f"{s['it_mw']:,.1f}"
    ids = set(plan.sites["site_id"])
    n_site_rows = sum(1 for line in md.splitlines() if line.startswith("| ") and line.split("|")[2].strip() in ids)
    assert n_site_rows == int(plan.sites["open"].sum())
    # cost categories
    for c, v in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values):
        if abs(v) > 0.5:
            assert rows[siteplan.export.style.category_label(c)][0] == fmt_usd(float(v))
    # machine-readable headline in the HTML equals the Plan's
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
                      .group(1))["headline"]
    assert data["annual_cost_usd"] == r.objective
    assert data["it_mw"] == pytest.approx(float(ds["it_mw"].sum()), rel=1e-12)
    assert data["unmet_h100e"] == pytest.approx(float(ds["unmet_h100e"].sum()), abs=1e-9)
    assert data["open_sites"] == int(ds["open"].sum())
    # stand-alone: the static map and three charts embedded (issue 18 item 9), nothing fetched
    assert page.count('src="data:image/png;base64,') == 4
    assert not re.search(r'(src|href)="https?://', page)


def test_report_lists_binding_limits(solved):
    _, _, out, _ = solved
    md = (out / "report.md").read_text()
    for limit in ("max sites", "substation headroom", "corridor capacity", "RTT", "water", "carbon"):
        assert f"| {limit} |" in md, limit
    assert "| carbon | 155,870 t CO₂/yr | no cap | – |" in md


def test_report_says_a_carbon_cap_binds(tmp_path):
    """Demand left unmet by a carbon cap: the limits table names the cap as binding."""
    from siteplan.export.report import write_report

    # (a cap the plan fills exactly: at 1,000 t the integer racks stop 5 t short, now that batteries
    # cannot move shoulder-season energy into summer; 2,000 t binds)
    study = siteplan.load(EXAMPLE, (), {"carbon.cap_t_per_yr": 2000})
    plan = siteplan.solve(study)
    assert float(plan.ds["unmet_h100e"].sum()) > 0
    md = next(p for p in write_report(plan, tmp_path, study=study) if p.suffix == ".md").read_text()
    # "binds" comes from the carbon cap's dual in the LP with the integer decisions fixed; here the
    # cap decides how many whole racks fit (~1,975 t of 2,000), and with them fixed nothing is left
    # to trade, so the value is 0 and the report says the cap is near its limit, not slack
    assert float(plan.ds["value_carbon_cap_usd_per_t"]) == 0.0
    line = next(x for x in md.splitlines() if x.startswith("| carbon |"))
    tot = float(plan.ds["emissions_t_per_yr"].sum())
    assert 0.95 * 2000 <= tot <= 2000
    assert line.startswith(f"| carbon | {tot:,.0f} t CO₂/yr | cap 2,000 t/yr | **near the limit** ({tot / 2000:.1%}): "
                           "binds through whole racks"), line


def test_cli_map_and_report_from_results_folder(solved, tmp_path):
    from click.testing import CliRunner

    from siteplan.cli import cli, main  # noqa: F401  (main registers the plugin commands)
    from siteplan.export.cli import commands

    _, _, out, _ = solved
    for cmd in commands():
        if cmd.name not in cli.commands:
            cli.add_command(cmd)
    runner = CliRunner()
    res = runner.invoke(cli, ["map", str(out), "--format", "png,svg", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "map.png").exists() and (tmp_path / "map.svg").exists() and (tmp_path / "map.html").exists()
    res = runner.invoke(cli, ["report", str(out), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "## Which limits bind" in (tmp_path / "report.md").read_text()
    res = runner.invoke(cli, ["report", str(tmp_path / "missing")])
    assert res.exit_code == 2


def test_html_map_is_self_contained(solved):
    plan, _, out, _ = solved
    page = (out / "map.html").read_text()
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', page)
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    data = json.loads(re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', page, re.S)
                      .group(1))
    assert len(data["chosen"]) == int(plan.sites["open"].sum())
    assert len(data["candidates"]) + len(data["chosen"]) == len(plan.sites)
    assert data["states"], "basemap missing"


def test_routes_are_the_fiber_paths_the_rtt_was_computed_on(solved):
    """Each served (site, region) pair has its fiber path: its length gives the model's RTT, it runs
    from the site to the region, and each fiber link carries the compute of the routes over it."""
    plan, study, out, _ = solved
    net = study.scenario.network
    routes = plan.routes
    assert len(routes) == len(plan.assignments.groupby(["site_id", "region_id"]))
    assert routes["served_h100e"].sum() == pytest.approx(plan.assignments["served_h100e"].sum())
    assert routes["rtt_source"].isin(["fiber", "metro"]).all()
    metro = routes[routes["rtt_source"] == "metro"]
    for _, r in metro.iterrows():  # a direct path: great circle x route factor, no backbone link
        a, b = r.geometry.coords[0], r.geometry.coords[-1]
        gc = distance_matrix_km([a[1]], [a[0]], [b[1]], [b[0]])[0, 0]
        assert r.fiber_links == "" and gc <= net.metro_max_km
        assert r.route_km == pytest.approx(gc * net.route_factor)
    np.testing.assert_allclose(routes["rtt_ms"], 2 * routes["route_km"] * net.us_per_km / 1000 + net.rtt_overhead_ms,
                               rtol=1e-9)
    sites, regions = plan.sites.set_index("site_id"), plan.demand.set_index("region_id")
    for _, r in routes.iterrows():
        first, last = r.geometry.coords[0], r.geometry.coords[-1]
        assert first == pytest.approx((sites.geometry[r.site_id].x, sites.geometry[r.site_id].y))
        assert last == pytest.approx((regions.geometry[r.region_id].x, regions.geometry[r.region_id].y))
    carried = {}
    for _, r in routes.iterrows():
        for link in filter(None, r.fiber_links.split(",")):
            carried[link] = carried.get(link, 0.0) + r.served_h100e
    assert carried, "the example routes demand over the backbone"
    got = plan.fiber.set_index("link_id")
    assert got.index[got["used"]].sort_values().tolist() == sorted(carried)
    for link, v in carried.items():
        assert got.at[link, "served_h100e"] == pytest.approx(v)
    back = read_results(out)
    assert len(back.routes) == len(routes) and back.fiber["used"].sum() == got["used"].sum()
