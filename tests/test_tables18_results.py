"""sites.csv and plan.gpkg a reviewer reads (issue 18, review items 5, 9, 10): one name per site with
its id beside it, cooling design and interconnect class in words with their ids in ``*_id`` columns
(the same in the GeoPackage as in sites.csv), no -0.0, counts as integers, and the plan read back
from the folder unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import siteplan
from siteplan.labels import design_name
from siteplan.results.folder import class_name, csv_numbers, read_results, write_results

ROOT = Path(__file__).resolve().parents[1]
COUNTS = ("racks_", "units_")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The example study, with a solver's -0.0 in a closed site's cost (as texas wrote it)."""
    study = siteplan.load(ROOT / "models" / "example.yaml")
    plan = siteplan.solve(study, threads=1)
    sites = plan.sites.copy()
    closed = np.flatnonzero(~sites["open"].to_numpy(bool))
    assert len(closed), "the example should leave a candidate closed"
    for c in ("opex_usd_per_yr", "cost_usd_per_yr", "grid_mwh_per_yr", "it_mw"):
        sites.iloc[closed[0], sites.columns.get_loc(c)] = -0.0
    plan.sites = sites
    out = tmp_path_factory.mktemp("tables18") / "res"
    write_results(plan, study, out)
    return plan, study, out


def _rows(out: Path) -> list[dict]:
    with open(out / "sites.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _is_count(c: str) -> bool:
    return c == "gpus" or c.startswith(COUNTS)


# --- item 9: one name per site --------------------------------------------------------------------

def test_sites_csv_has_one_name_then_the_id(folder):
    plan, _, out = folder
    rows = _rows(out)
    cols = list(rows[0])
    assert cols[:2] == ["name", "site_id"]
    assert "place" not in cols and cols.count("name") == 1
    # the one name is the report's and the maps' (the plan's place); the dataset's own, traced, last
    assert {r["site_id"]: r["name"] for r in rows} == dict(zip(plan.sites["site_id"], plan.sites["place"]))
    assert cols[-1] == "dataset_name"
    assert {r["site_id"]: r["dataset_name"] for r in rows} == dict(zip(plan.sites["site_id"], plan.sites["name"]))


# --- item 5: words and ids, the same in the GeoPackage as in sites.csv ----------------------------

@pytest.mark.parametrize("layer", ["sites", "chosen_sites"])
def test_geopackage_sites_layers_match_sites_csv(folder, layer):
    plan, _, out = folder
    gdf = gpd.read_file(out / "plan.gpkg", layer=layer)
    rows = {r["site_id"]: r for r in _rows(out)}
    # the same columns; sites.csv gives the point as lon/lat where the GeoPackage has its geometry
    assert [c for c in gdf.columns if c != "geometry"] == [c for c in next(iter(rows.values()))
                                                            if c not in ("lon", "lat")]
    assert len(gdf) == (int(plan.sites["open"].sum()) if layer == "chosen_sites" else len(plan.sites))
    by_id = plan.sites.set_index("site_id")
    open_ = gdf[gdf["open"]]
    assert len(open_)
    for _, g in open_.iterrows():
        s = by_id.loc[g["site_id"]]
        assert g["name"] == s["place"] and g["dataset_name"] == s["name"]
        assert g["design_id"] == s["design"] and g["design"] == design_name(s["design"]) != s["design"]
        assert g["interconnect_class_id"] == s["interconnect_class"]
        if s["interconnect_class"]:
            assert g["interconnect_class"] == f"{s['interconnect_kv']:g} kV"
        r = rows[g["site_id"]]
        for c in ("name", "design", "design_id", "interconnect_class", "interconnect_class_id"):
            assert r[c] == g[c], c


def test_geopackage_interconnects_class_in_words(folder):
    plan, _, out = folder
    ic = gpd.read_file(out / "plan.gpkg", layer="interconnects")
    assert len(ic) and list(ic.columns[:5]) == ["site_id", "substation_id", "option_id", "voltage_class",
                                                "voltage_class_id"]
    assert ic["voltage_class_id"].tolist() == plan.interconnects["voltage_class"].tolist()
    assert ic["voltage_class"].tolist() == [f"{kv:g} kV" for kv in plan.interconnects["voltage_kv"]]


def test_geopackage_counts_are_integers_and_no_negative_zero(folder):
    _, _, out = folder
    gdf = gpd.read_file(out / "plan.gpkg", layer="sites")
    counts = [c for c in gdf.columns if _is_count(c)]
    assert "gpus" in counts and any(c.startswith("racks_") for c in counts)
    for c in counts:
        assert gdf[c].dtype == np.int64, c
    for c in gdf.columns:
        if gdf[c].dtype.kind == "f":
            assert not np.signbit(gdf[c].to_numpy()[gdf[c].to_numpy() == 0]).any(), c


def test_read_back_plan_has_ids_and_names_as_solved(folder):
    """The report and maps are drawn from the Plan read back: its site table is the solved one's
    (ids in design and interconnect_class, place and the dataset name, counts as floats)."""
    plan, _, out = folder
    back = read_results(out)
    assert [c for c in back.sites.columns if c != "geometry"] == [c for c in plan.sites.columns if c != "geometry"]
    for c in ("site_id", "place", "name", "design", "interconnect_class", "open"):
        assert back.sites[c].tolist() == plan.sites[c].tolist(), c
    for c in plan.sites.columns:
        if _is_count(c):
            assert back.sites[c].dtype == np.float64
            np.testing.assert_array_equal(back.sites[c].to_numpy(), plan.sites[c].to_numpy(float))
    assert back.interconnects["voltage_class"].tolist() == plan.interconnects["voltage_class"].tolist()
    assert "voltage_class_id" not in back.interconnects


# --- item 10: tidy numbers ------------------------------------------------------------------------

def test_sites_csv_no_negative_zero_and_integer_counts(folder):
    _, _, out = folder
    text = (out / "sites.csv").read_text()
    assert ",-0.0," not in text and ",-0," not in text and "-0.0\n" not in text
    rows = _rows(out)
    counts = [c for c in rows[0] if _is_count(c)]
    assert "gpus" in counts and any(c.startswith("racks_") for c in counts) \
        and any(c.startswith("units_") for c in counts)
    for r in rows:
        for c in counts:
            assert r[c].isdigit(), (c, r[c])  # "13", not "13.0"
        assert r["open"] in ("True", "False")


def test_csv_numbers_rules():
    df = pd.DataFrame({"it_mw": [-0.0, 1.234567891], "racks_x": [13.0, np.nan], "gpus": [0.0, 72.0],
                       "cost_usd_per_yr": [-1e-9, 2.345], "open": [True, False], "swept_mw": [-0.0, 1.0],
                       "mip_gap": [0.01234567891, 0.0], "solve_s": [1.23456, 0.0]})
    out = csv_numbers(df, skip=("swept_mw",))
    text = out.to_csv(index=False)
    lines = text.splitlines()
    assert lines[1] == "0.0,13,0,0.0,True,-0.0,0.012346,1.235"
    assert lines[2] == "1.2346,,72,2.35,False,1.0,0.0,0.0"
    assert str(out["racks_x"].dtype) == "Int64"


def test_class_name():
    assert class_name("kv161", 161.0) == "161 kV"
    assert class_name("kv069") == "69 kV" and class_name("kv_34.5") == "34.5 kV"
    assert class_name("") == "" and class_name("nan") == ""
    assert class_name("dedicated_line") == "Dedicated line"


def test_sites_csv_says_where_each_site_is_and_lists_the_chosen_first(folder):
    """lon/lat of every site (a reviewer without a GIS can find it), the open sites first, largest first."""
    plan, _, out = folder
    rows = _rows(out)
    n_open = int(plan.sites["open"].sum())
    assert n_open and all(r["open"] == "True" for r in rows[:n_open]) and all(r["open"] == "False" for r in rows[n_open:])
    its = [float(r["it_mw"]) for r in rows[:n_open]]
    assert its == sorted(its, reverse=True)
    by_id = plan.sites.set_index("site_id").geometry
    for r in rows:
        p = by_id[r["site_id"]].representative_point()
        assert abs(float(r["lon"]) - p.x) < 1e-4 and abs(float(r["lat"]) - p.y) < 1e-4
