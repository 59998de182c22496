"""Table-driven bad-input suite: one case per kind of bad input, run through ``siteplan validate``.

Each case copies a small valid study (written once per session by :func:`tiny.write_tiny`), applies
one mutation and runs the CLI: the exit code must be 2 (EXIT_INPUT), there must be no traceback,
and one reported problem must name the file and the feature id or field (and what is wrong).
Cases that could block or exhaust memory without their check (a FIFO, /dev/zero, YAML alias
bombs) run in a subprocess with a timeout and a memory limit.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from click.testing import CliRunner

from siteplan.cli import EXIT_INPUT, cli
from tiny import sub, write_tiny

SUBPROCESS_TIMEOUT_S = 60


# --------------------------------------------------------------------------- the valid base study


@pytest.fixture(scope="session")
def base_study(tmp_path_factory) -> Path:
    """A valid tiny study: two substations and a corridor, a latency file, a fiber link."""
    root = tmp_path_factory.mktemp("base")
    write_tiny(root, substations=[sub("b1"), sub("b2", lon=-97.2)], corridors=[("c1", "b1", "b2", 10.0)],
               latency=[dict(site_id="s1", region_id="r1", rtt_ms=2.0)])
    pops = json.loads((root / "data/pops.geojson").read_text())
    p2 = json.loads(json.dumps(pops["features"][0]))
    p2["properties"]["pop_id"] = "p2"
    p2["geometry"]["coordinates"] = [-97.3, 31.1]
    pops["features"].append(p2)
    (root / "data/pops.geojson").write_text(json.dumps(pops))
    fiber = json.loads((root / "data/fiber.geojson").read_text())
    fiber["features"] = [{"type": "Feature", "properties": {"link_id": "f1", "from_id": "p1", "to_id": "p2",
                                                            "length_km": 35.0},
                          "geometry": {"type": "LineString", "coordinates": [[-97.0, 31.0], [-97.3, 31.1]]}}]
    (root / "data/fiber.geojson").write_text(json.dumps(fiber))
    code, out = _run(root / "scenario.yaml", [], in_subprocess=False)
    assert code == 0, out
    return root


# --------------------------------------------------------------------------- mutations


def _geojson(stem, fn):
    def mutate(root):
        p = root / "data" / f"{stem}.geojson"
        doc = json.loads(p.read_text())
        fn(doc["features"])
        p.write_text(json.dumps(doc))
    return mutate


def _props(stem, **values):
    """Set properties of the first feature of a layer."""
    return _geojson(stem, lambda f: f[0]["properties"].update(values))


def _point(stem, lon, lat):
    return _geojson(stem, lambda f: f[0]["geometry"].update(coordinates=[lon, lat]))


def _text(rel, old, new, count=1):
    def mutate(root):
        p = root / rel
        text = p.read_text()
        assert old in text, (rel, old)
        p.write_text(text.replace(old, new, count))
    return mutate


def _write(rel, data: bytes | str):
    def mutate(root):
        p = root / rel
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data)
    return mutate


def _append(rel, data: bytes | str):
    def mutate(root):
        p = root / rel
        p.write_bytes(p.read_bytes() + (data if isinstance(data, bytes) else data.encode()))
    return mutate


def _yaml_set(rel, dotted, value):
    def mutate(root):
        p = root / rel
        raw = yaml.safe_load(p.read_text())
        node = raw
        parts = dotted.split(".")
        for k in parts[:-1]:
            node = node.setdefault(k, {})
        node[parts[-1]] = value
        p.write_text(yaml.safe_dump(raw))
    return mutate


def _csv_cell(rel, row, col, value):
    def mutate(root):
        p = root / rel
        lines = p.read_text().splitlines()
        head = lines[0].split(",")
        cells = lines[row].split(",")
        cells[head.index(col)] = value
        lines[row] = ",".join(cells)
        p.write_text("\n".join(lines) + "\n")
    return mutate


def _nc(fn):
    def mutate(root):
        p = root / "data/climate.nc"
        ds = fn(xr.load_dataset(p))
        p.unlink()
        ds.to_netcdf(p, engine="scipy")
    return mutate


def _nc_value(var, value, index=(0, 0)):
    def fn(ds):
        arr = ds[var].values.copy()
        arr[index] = value
        ds[var] = (ds[var].dims, arr)
        return ds
    return _nc(fn)


def _byte_ids(coord, ids):
    return _nc(lambda ds: ds.assign_coords({coord: np.array(ids, dtype="S")}))


def _folder(rel):
    def mutate(root):
        p = root / rel
        p.unlink()
        p.mkdir()
        (p / "inside.txt").write_text("x")
    return mutate


def _fifo(rel):
    def mutate(root):
        p = root / rel
        p.unlink()
        os.mkfifo(p)
    return mutate


def _symlink(rel, target):
    def mutate(root):
        p = root / rel
        p.unlink()
        p.symlink_to(target)
    return mutate


def _remove(rel):
    return lambda root: (root / rel).unlink()


def _both(*mutations):
    def mutate(root):
        for m in mutations:
            m(root)
    return mutate


def _gpkg_in_3857(root):
    import geopandas as gpd

    p = root / "data/sites.geojson"
    gdf = gpd.read_file(p).to_crs("EPSG:3857")
    p.unlink()
    gdf.to_file(root / "data/sites.gpkg", driver="GPKG")


def _prices_nc_in_usd_per_kwh(root):
    import pandas as pd

    csv = root / "data/prices.csv"
    df = pd.read_csv(csv, dtype={"zone": str, "slice": str})
    df["energy_price_usd_per_mwh"] = df["energy_price_usd_per_mwh"] / 1000.0
    df.set_index(["zone", "slice"]).to_xarray().to_netcdf(root / "data/prices.nc", engine="scipy")
    csv.unlink()


def _alias_bomb(key):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(["_bomb:"] + [f"  {lv}" for lv in levels]) + f"\n{key}: *a8\n"


# --------------------------------------------------------------------------- the table

S, C, D = "scenario.yaml", "catalog.yaml", "data"
NON_UTF8 = b"\xff\xfe caf\xe9"

# (case id, mutation, extra CLI args, parts one problem line must contain, run in a subprocess)
CASES = [
    # ---- already handled before issue 20: kept so a regression shows
    ("site-missing-id", _geojson("sites", lambda f: f[0]["properties"].pop("site_id")), [],
     ["sites.geojson", "id=#0", "site_id", "missing id"], False),
    ("site-duplicate-id", _geojson("sites", lambda f: f.append(json.loads(json.dumps(f[0])))), [],
     ["sites.geojson", "id=s1", "duplicate id"], False),
    ("capacity-negative", _props("sites", max_it_mw=-5.0), [], ["sites.geojson", "id=s1", "max_it_mw", "> 0"], False),
    ("capacity-null", _props("sites", max_it_mw=None), [], ["sites.geojson", "id=s1", "max_it_mw", "missing"], False),
    ("capacity-text", _props("sites", max_it_mw="big"), [], ["sites.geojson", "id=s1", "max_it_mw", "number"], False),
    ("headroom-nan", _text(f"{D}/substations.geojson", '"headroom_mw":1000.0', '"headroom_mw":NaN'), [],
     ["substations.geojson", "id=b1", "headroom_mw", "missing"], False),
    ("corridor-dangling", _props("transmission", to_id="nowhere"), [],
     ["transmission.geojson", "id=c1", "to_id", "unknown substation"], False),
    ("corridor-self-loop", _props("transmission", to_id="b1"), [],
     ["transmission.geojson", "id=c1", "to_id", "same node"], False),
    ("site-unknown-zone", _props("sites", zone="MARS"), [], ["sites.geojson", "id=s1", "zone", "unknown zone"], False),
    ("site-unknown-field", _props("sites", water_limit_m3_yr=5.0), [],
     ["sites.geojson", "water_limit_m3_yr", "unknown field"], False),
    ("site-min-above-max", _props("sites", min_it_mw=500.0), [], ["sites.geojson", "id=s1", "min_it_mw", "exceeds"],
     False),
    ("site-polygon", _geojson("sites", lambda f: f[0].update(geometry={
        "type": "Polygon", "coordinates": [[[-97.1, 31.0], [-97.0, 31.0], [-97.0, 31.1], [-97.1, 31.0]]]})), [],
     ["sites.geojson", "id=s1", "geometry", "must be Point"], False),
    ("site-no-geometry", _geojson("sites", lambda f: f[0].update(geometry=None)), [],
     ["sites.geojson", "id=s1", "geometry", "missing"], False),
    ("site-lon-out-of-range", _point("sites", -197.0, 31.0), [], ["sites.geojson", "id=s1", "geometry", "lon/lat"],
     False),
    ("layer-crs-3857", _gpkg_in_3857, [], ["sites.gpkg", "EPSG:4326"], False),
    ("layer-not-json", _write(f"{D}/sites.geojson", "{not json"), [], ["sites.geojson", "cannot read"], False),
    ("demand-negative", _props("demand", inf_gpus=-1.0), [], ["demand.geojson", "id=r1", "inf_gpus", ">= 0"], False),
    ("climate-weights-not-8760", _nc(lambda ds: ds.assign(weight_h=("slice", [4000.0, 4000.0]))), [],
     ["climate.nc", "weight_h", "expected 8760"], False),
    ("climate-kelvin", _nc(lambda ds: ds.assign(dry_bulb_c=ds["dry_bulb_c"] + 273.15,
                                                wet_bulb_c=ds["wet_bulb_c"] + 273.15)), [],
     ["climate.nc", "id=st/a", "dry_bulb_c", "kelvin"], False),
    ("climate-wet-above-dry", _nc_value("wet_bulb_c", 40.0), [], ["climate.nc", "id=st/a", "wet_bulb_c", "exceeds"],
     False),
    ("climate-nan-temperature", _nc_value("dry_bulb_c", np.nan), [], ["climate.nc", "id=st/a", "dry_bulb_c", "NaN"],
     False),
    ("climate-missing-variable", _nc(lambda ds: ds.drop_vars("wet_bulb_c")), [],
     ["climate.nc", "wet_bulb_c", "missing"], False),
    ("climate-reserved-slice", _nc(lambda ds: ds.assign_coords(slice=["design_peak", "b"])), [],
     ["climate.nc", "id=design_peak", "reserved"], False),
    ("climate-station-lat", _nc(lambda ds: ds.assign_coords(lat=("station", [97.0]))), [],
     ["climate.nc", "id=st", "lat", "within"], False),
    ("climate-not-netcdf", _write(f"{D}/climate.nc", b"CDF\x01garbage"), [], ["climate.nc", "cannot read NetCDF"],
     False),
    ("prices-missing", _remove(f"{D}/prices.csv"), [], ["prices.csv", "file not found"], False),
    ("prices-missing-row", _write(f"{D}/prices.csv", "zone,slice,energy_price_usd_per_mwh,carbon_t_per_mwh\n"
                                                      "Z,a,100,0.4\n"), [], ["prices.csv", "id=Z/b", "no row"], False),
    ("prices-inf", _csv_cell(f"{D}/prices.csv", 1, "energy_price_usd_per_mwh", "inf"), [],
     ["prices.csv", "id=Z/a (line 2)", "energy_price_usd_per_mwh", "finite"], False),
    ("prices-carbon-kg", _csv_cell(f"{D}/prices.csv", 1, "carbon_t_per_mwh", "400"), [],
     ["prices.csv", "id=Z/a (line 2)", "carbon_t_per_mwh", "kg/MWh"], False),
    ("prices-unknown-column", _write(f"{D}/prices.csv", "zone,slice,energy_price_usd_per_mwh,carbon_t_per_mwh,x\nZ,a,100,0.4,1\nZ,b,100,0.4,1\n"),
     [], ["prices.csv", "field=x", "unknown column"], False),
    ("prices-factor-range", _write(f"{D}/prices.csv", "zone,slice,energy_price_usd_per_mwh,carbon_t_per_mwh,"
                                                      "supply_factor\nZ,a,100,0.4,50\nZ,b,100,0.4,1\n"), [],
     ["prices.csv", "id=Z/a (line 2)", "supply_factor", "factor"], False),
    ("prices-csv-and-nc", lambda root: shutil.copy(root / "data/climate.nc", root / "data/prices.nc"), [],
     ["prices.nc", "keep one"], False),
    ("latency-negative", _csv_cell(f"{D}/latency.csv", 1, "rtt_ms", "-3"), [],
     ["latency.csv", "id=s1/r1 (line 2)", "rtt_ms"], False),
    ("latency-unknown-site", _csv_cell(f"{D}/latency.csv", 1, "site_id", "nosuch"), [],
     ["latency.csv", "line 2", "site_id", "unknown site"], False),
    ("dataset-yaml-unparseable", _write(f"{D}/dataset.yaml", "name: [unclosed\n"), [],
     ["dataset.yaml", "cannot parse YAML"], False),
    ("dataset-yaml-not-mapping", _write(f"{D}/dataset.yaml", "- a\n- b\n"), [], ["dataset.yaml", "mapping"], False),
    ("dataset-folder-missing", _yaml_set(S, "dataset", "nowhere"), [], ["nowhere", "dataset folder not found"], False),
    ("scenario-unknown-key", _yaml_set(S, "carbon.price_usd_per_tonne", 5), [],
     ["scenario.yaml", "carbon.price_usd_per_tonne", "unknown key"], False),
    ("scenario-wrong-type", _yaml_set(S, "horizon_yr", "soon"), [], ["scenario.yaml", "horizon_yr", "number"], False),
    ("scenario-unparseable", _write(S, "name: [unclosed\n"), [], ["scenario.yaml", "YAML"], False),
    ("scenario-not-mapping", _write(S, "- a\n"), [], ["scenario.yaml", "mapping"], False),
    ("scenario-unknown-override", lambda root: None, ["-o", "nosuch"], ["scenario.yaml", "overrides.nosuch"], False),
    ("scenario-unknown-rack-type", _yaml_set(S, "rack_types", ["nosuch"]), [],
     ["scenario.yaml", "rack_types", "'nosuch' is not in the catalog"], False),
    ("catalog-missing", _remove(C), [], ["catalog.yaml", "file not found"], False),
    ("catalog-negative", _yaml_set(C, "rack_types.r1.rack_kw", -1), [],
     ["catalog.yaml", "rack_types.r1.rack_kw", "greater than 0"], False),

    # ---- item 4: plausibility ranges and infinite values
    ("prices-usd-per-kwh", _csv_cell(f"{D}/prices.csv", 1, "energy_price_usd_per_mwh", "0.1"), [],
     ["prices.csv", "id=Z/a (line 2)", "energy_price_usd_per_mwh", "USD/kWh"], False),
    ("prices-above-ceiling", _csv_cell(f"{D}/prices.csv", 2, "energy_price_usd_per_mwh", "100000"), [],
     ["prices.csv", "id=Z/b (line 3)", "energy_price_usd_per_mwh", "above"], False),
    ("prices-nc-usd-per-kwh", _prices_nc_in_usd_per_kwh, [],
     ["prices.nc", "id=Z/a", "energy_price_usd_per_mwh", "USD/kWh"], False),
    ("site-max-it-1e9", _props("sites", max_it_mw=1e9), [], ["sites.geojson", "id=s1", "max_it_mw", "above"], False),
    ("site-land-cost-1e15", _props("sites", land_cost_usd=1e15), [],
     ["sites.geojson", "id=s1", "land_cost_usd", "above"], False),
    ("site-water-limit-1e15", _props("sites", water_limit_m3_per_yr=1e15), [],
     ["sites.geojson", "id=s1", "water_limit_m3_per_yr", "above"], False),
    ("substation-volts-as-kv", _props("substations", voltage_kv=345000.0), [],
     ["substations.geojson", "id=b1", "voltage_kv", "above"], False),
    ("substation-headroom-1e9", _props("substations", headroom_mw=1e9), [],
     ["substations.geojson", "id=b1", "headroom_mw", "above"], False),
    ("substation-lead-time-500", _props("substations", lead_time_yr=500.0), [],
     ["substations.geojson", "id=b1", "lead_time_yr", "above"], False),
    ("corridor-capacity-1e9", _props("transmission", capacity_mw=1e9), [],
     ["transmission.geojson", "id=c1", "capacity_mw", "above"], False),
    ("fiber-length-1e6", _props("fiber", length_km=1e6), [], ["fiber.geojson", "id=f1", "length_km", "above"], False),
    ("demand-gpus-1e12", _props("demand", inf_gpus=1e12), [], ["demand.geojson", "id=r1", "inf_gpus", "above"], False),
    ("demand-rtt-1e6", _props("demand", inf_max_rtt_ms=1e6), [],
     ["demand.geojson", "id=r1", "inf_max_rtt_ms", "above"], False),
    ("site-at-null-island", _point("sites", 0.0, 0.0), [], ["sites.geojson", "id=s1", "geometry", "(0, 0)"], False),
    ("site-lon-sign-flipped", _point("sites", 97.0, 31.0), [],
     ["sites.geojson", "id=s1", "geometry", "outside the dataset's area"], False),
    ("demand-outside-area", _point("demand", -97.0, -31.0), [],
     ["demand.geojson", "id=r1", "geometry", "outside the dataset's area"], False),
    ("pop-at-null-island", _point("pops", 0.0, 0.0), [], ["pops.geojson", "id=p1", "geometry", "(0, 0)"], False),
    ("station-at-null-island", _nc(lambda ds: ds.assign_coords(lat=("station", [0.0]), lon=("station", [0.0]))), [],
     ["climate.nc", "id=st", "lat/lon", "(0, 0)"], False),
    ("station-outside-area", _nc(lambda ds: ds.assign_coords(lon=("station", [97.0]))), [],
     ["climate.nc", "id=st", "lat/lon", "outside the dataset's area"], False),
    ("latency-zero", _csv_cell(f"{D}/latency.csv", 1, "rtt_ms", "0"), [],
     ["latency.csv", "id=s1/r1 (line 2)", "rtt_ms", "> 0"], False),
    ("latency-seconds-as-ms", _csv_cell(f"{D}/latency.csv", 1, "rtt_ms", "1e6"), [],
     ["latency.csv", "id=s1/r1 (line 2)", "rtt_ms", "above"], False),
    ("scenario-demand-scale-1e12", _yaml_set(S, "demand_scale", 1e12), [], ["scenario.yaml", "demand_scale"], False),
    ("scenario-mip-gap-inf", _text(S, "mip_rel_gap: 0.0", "mip_rel_gap: .inf"), [],
     ["scenario.yaml", "solver.mip_rel_gap", "finite"], False),
    ("scenario-mip-gap-above-1", _yaml_set(S, "solver.mip_rel_gap", 5.0), [],
     ["scenario.yaml", "solver.mip_rel_gap", "less than or equal to 1"], False),
    ("cli-gap-inf", lambda root: None, ["--set", "solver.mip_rel_gap=.inf"], ["solver.mip_rel_gap", "finite"], False),
    ("scenario-time-limit-nan", _text(S, "time_limit_s: 60", "time_limit_s: .nan"), [],
     ["scenario.yaml", "solver.time_limit_s", "finite"], False),
    ("scenario-horizon-1e6", _yaml_set(S, "horizon_yr", 1e6), [], ["scenario.yaml", "horizon_yr"], False),
    ("scenario-penalty-inf", _text(S, "unmet_penalty_usd_per_gpu_yr: 10000000.0",
                                   "unmet_penalty_usd_per_gpu_yr: .inf"), [],
     ["scenario.yaml", "unmet_penalty_usd_per_gpu_yr", "finite"], False),
    ("scenario-workload-rtt-1e9", _yaml_set(S, "workloads.inf.max_rtt_ms", 1e9), [],
     ["scenario.yaml", "workloads.inf.max_rtt_ms"], False),
    ("scenario-carbon-price-1e12", _yaml_set(S, "carbon.price_usd_per_t", 1e12), [],
     ["scenario.yaml", "carbon.price_usd_per_t"], False),
    ("catalog-capex-inf", _text(C, "capex_usd_per_rack: 0.0", "capex_usd_per_rack: .inf"), [],
     ["catalog.yaml", "rack_types.r1.capex_usd_per_rack", "finite"], False),
    ("catalog-capex-1e15", _yaml_set(C, "rack_types.r1.capex_usd_per_rack", 1e15), [],
     ["catalog.yaml", "rack_types.r1.capex_usd_per_rack"], False),
    ("catalog-rack-kw-in-watts", _yaml_set(C, "rack_types.r1.rack_kw", 1.3e5), [],
     ["catalog.yaml", "rack_types.r1.rack_kw"], False),
    ("catalog-unit-mw-nan", _text(C, "unit_mw: 5.0", "unit_mw: .nan"), [],
     ["catalog.yaml", "onsite.gas.generator.unit_mw", "finite"], False),
    ("catalog-pue-curve-inf", _yaml_set(C, "cooling_designs.air.pue_curve.pue", [1.1, float("inf")]), [],
     ["catalog.yaml", "cooling_designs.air.pue_curve.pue", "finite"], False),
    ("catalog-discount-rate-nan", _text(C, "discount_rate: 0.0", "discount_rate: .nan"), [],
     ["catalog.yaml", "economics.discount_rate"], False),
    ("catalog-override-inf", _yaml_set(S, "catalog_overrides", {"facility": {"capex_usd_per_mw_it": float("inf")}}),
     [], ["catalog.yaml", "facility.capex_usd_per_mw_it", "finite"], False),

    # ---- item 5: duplicate keys, alias bombs
    ("scenario-duplicate-key", _append(S, "demand_scale: 1.0\ndemand_scale: 2.0\n"), [],
     ["scenario.yaml", "demand_scale", "duplicate key", "line"], False),
    ("scenario-duplicate-nested-key", _text(S, "  threads: 1\n", "  threads: 1\n  threads: 2\n"), [],
     ["scenario.yaml", "solver.threads", "duplicate key"], False),
    ("catalog-duplicate-key", _text(C, "    rack_kw: 1000.0\n", "    rack_kw: 1000.0\n    rack_kw: 10.0\n"), [],
     ["catalog.yaml", "rack_types.r1.rack_kw", "duplicate key"], False),
    ("dataset-yaml-duplicate-key", _append(f"{D}/dataset.yaml", "name: other\n"), [],
     ["dataset.yaml", "name", "duplicate key"], False),
    ("geojson-duplicate-property", _text(f"{D}/sites.geojson", '"max_it_mw":100.0',
                                         '"max_it_mw":100.0,"max_it_mw":1.0'), [],
     ["sites.geojson", "id=s1", "max_it_mw", "duplicate key"], False),
    ("geojson-duplicate-member", _text(f"{D}/substations.geojson", '"type":"Feature"',
                                       '"type":"Feature","properties":{"substation_id":"b9"}'), [],
     ["substations.geojson", "properties", "duplicate key"], False),
    ("scenario-alias-bomb", _append(S, _alias_bomb("description")), [], ["scenario.yaml", "alias"], True),
    ("catalog-alias-bomb", _append(C, _alias_bomb("notes")), [], ["catalog.yaml", "alias"], True),
    ("scenario-recursive-alias", _append(S, "loop: &loop [*loop]\n"), [], ["scenario.yaml", "alias"], True),

    # ---- item 6: no tracebacks on files that are not what they should be
    ("scenario-not-utf8", _append(S, b"description: " + NON_UTF8 + b"\n"), [], ["scenario.yaml", "UTF-8", "line"],
     False),
    ("catalog-not-utf8", _append(C, b"# " + NON_UTF8 + b"\n"), [], ["catalog.yaml", "UTF-8", "line"], False),
    ("dataset-yaml-not-utf8", _append(f"{D}/dataset.yaml", b"# " + NON_UTF8 + b"\n"), [],
     ["dataset.yaml", "UTF-8", "line"], False),
    ("geojson-not-utf8", lambda root: (root / "data/sites.geojson").write_bytes(
        (root / "data/sites.geojson").read_bytes().replace(b'"site_id":"s1"', b'"name":"' + NON_UTF8 +
                                                           b'","site_id":"s1"')), [],
     ["sites.geojson", "UTF-8", "line 1"], False),
    ("prices-not-utf8", _append(f"{D}/prices.csv", b"Z," + NON_UTF8 + b",100,0.4\n"), [],
     ["prices.csv", "UTF-8", "line 4"], False),
    ("latency-not-utf8", _append(f"{D}/latency.csv", NON_UTF8 + b",r1,2\n"), [], ["latency.csv", "UTF-8", "line 3"],
     False),
    ("prices-empty", _write(f"{D}/prices.csv", ""), [], ["prices.csv", "empty"], False),
    ("prices-ragged", _append(f"{D}/prices.csv", "Z,c,100,0.4,7\n"), [], ["prices.csv", "line 4", "5 fields"], False),
    ("prices-header-only", _write(f"{D}/prices.csv", "zone,slice,energy_price_usd_per_mwh,carbon_t_per_mwh\n"), [],
     ["prices.csv", "no rows"], False),
    ("latency-empty", _write(f"{D}/latency.csv", ""), [], ["latency.csv", "empty"], False),
    ("latency-ragged", _append(f"{D}/latency.csv", "s1,r1\n"), [], ["latency.csv", "line 3", "2 fields"], False),
    ("geojson-empty", _write(f"{D}/sites.geojson", ""), [], ["sites.geojson", "empty"], False),
    ("scenario-empty", _write(S, ""), [], ["scenario.yaml", "mapping"], False),
    ("prices-is-folder", _folder(f"{D}/prices.csv"), [], ["prices.csv", "folder"], False),
    ("latency-is-folder", _folder(f"{D}/latency.csv"), [], ["latency.csv", "folder"], False),
    ("sites-is-folder", _folder(f"{D}/sites.geojson"), [], ["sites.geojson", "folder"], False),
    ("climate-is-folder", _folder(f"{D}/climate.nc"), [], ["climate.nc", "folder"], False),
    ("dataset-yaml-is-folder", _folder(f"{D}/dataset.yaml"), [], ["dataset.yaml", "folder"], False),
    ("scenario-is-folder", _folder(S), [], ["scenario.yaml", "folder"], False),
    ("catalog-is-folder", _folder(C), [], ["catalog.yaml", "folder"], False),
    ("prices-fifo", _fifo(f"{D}/prices.csv"), [], ["prices.csv", "FIFO"], True),
    ("sites-fifo", _fifo(f"{D}/sites.geojson"), [], ["sites.geojson", "FIFO"], True),
    ("scenario-fifo", _fifo(S), [], ["scenario.yaml", "FIFO"], True),
    ("climate-dev-zero", _symlink(f"{D}/climate.nc", "/dev/zero"), [], ["climate.nc", "device"], True),
    # the scenario's paths are resolved, so the problem names the link's target
    ("catalog-dev-zero", _symlink(C, "/dev/zero"), [], ["/dev/zero", "character device"], True),
    ("dataset-yaml-dangling-link", _symlink(f"{D}/dataset.yaml", "/nonexistent/dataset.yaml"), [],
     ["dataset.yaml", "not found"], False),
    ("climate-bytes-ids-not-utf8", _byte_ids("station", [b"\xffst"]), [], ["climate.nc", "station", "UTF-8"], False),
    ("climate-bytes-slice-not-utf8", _byte_ids("slice", [b"a", b"\xe9b"]), [], ["climate.nc", "slice", "UTF-8"],
     False),
]


def _limit_memory():  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def _run(scenario: Path, args: list[str], in_subprocess: bool) -> tuple[int | str, str]:
    """Run ``siteplan validate``; returns (exit code, or "hang" / "traceback", and the output)."""
    if in_subprocess:
        try:
            r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(scenario), *args],
                               capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S, stdin=subprocess.DEVNULL,
                               preexec_fn=_limit_memory)
        except subprocess.TimeoutExpired:
            return "hang", ""
        out = r.stdout + r.stderr
        return ("traceback" if "Traceback" in out else r.returncode), out
    r = CliRunner().invoke(cli, ["validate", str(scenario), *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        import traceback

        return "traceback", r.output + "".join(traceback.format_exception(r.exception))
    return r.exit_code, r.output


@pytest.mark.parametrize("mutate,args,parts,in_subprocess", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_located_error(base_study, tmp_path, mutate, args, parts, in_subprocess):
    root = tmp_path / "study"
    shutil.copytree(base_study, root)
    mutate(root)
    code, out = _run(root / "scenario.yaml", args, in_subprocess)
    assert code == EXIT_INPUT, f"exit {code}:\n{out}"
    lines = out.splitlines()
    assert any(all(p in line for p in parts) for line in lines), f"no line has all of {parts}:\n{out}"


def test_case_ids_are_unique_and_many():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 60


def test_utf8_byte_string_ids_in_netcdf_are_their_text(base_study, tmp_path):
    """NetCDF-3 stores text as bytes: UTF-8 byte-string ids are read as their text, not as "b'a'"."""
    root = tmp_path / "study"
    shutil.copytree(base_study, root)
    _both(_byte_ids("slice", [b"a", b"b"]), _byte_ids("station", [b"st"]))(root)
    code, out = _run(root / "scenario.yaml", [], in_subprocess=False)
    assert code == 0, out
    import siteplan

    ds = siteplan.load(root / "scenario.yaml").dataset
    assert list(ds.climate["slice"].values) == ["a", "b"] and list(ds.climate["station"].values) == ["st"]
