"""One test per kind of bad input: the message names the file, the feature id, the field and the problem."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import siteplan
from siteplan.errors import InputError
from tiny import site, solve_checked, write_tiny

REPO = Path(__file__).resolve().parents[1]


def _problems(path):
    return [str(p) for p in siteplan.validate_scenario(path)]


def _edit_geojson(path, fn):
    doc = json.loads(path.read_text())
    fn(doc["features"])
    path.write_text(json.dumps(doc))


def _one(probs, *parts):
    hits = [p for p in probs if all(x in p for x in parts)]
    assert hits, f"no problem mentions {parts}: {probs}"


def test_valid_tiny_has_no_problems(tmp_path):
    assert _problems(write_tiny(tmp_path)) == []


def test_missing_id(tmp_path):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].pop("site_id"))
    _one(_problems(path), "sites.geojson", "#0", "site_id", "missing id")


def test_duplicate_id(tmp_path):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f.append(json.loads(json.dumps(f[0]))))
    _one(_problems(path), "sites.geojson", "id=s1", "site_id", "duplicate id")


@pytest.mark.parametrize("value,msg", [(-5.0, "must be > 0"), (None, "missing value"), ("big", "must be a number")])
def test_bad_capacity(tmp_path, value, msg):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].update(max_it_mw=value))
    _one(_problems(path), "sites.geojson", "id=s1", "max_it_mw", msg)


def test_nan_headroom_is_not_zero(tmp_path):
    path = write_tiny(tmp_path)
    text = (tmp_path / "data/substations.geojson").read_text().replace('"headroom_mw":1000.0', '"headroom_mw":NaN')
    (tmp_path / "data/substations.geojson").write_text(text)
    _one(_problems(path), "substations.geojson", "id=b1", "headroom_mw", "missing value")


def test_dangling_graph_endpoint(tmp_path):
    from tiny import sub

    path = write_tiny(tmp_path, substations=[sub("b1"), sub("b2", lon=-97.2)], corridors=[("c1", "b1", "b2", 10.0)])
    _edit_geojson(tmp_path / "data/transmission.geojson", lambda f: f[0]["properties"].update(to_id="nowhere"))
    _one(_problems(path), "transmission.geojson", "id=c1", "to_id", "unknown substation 'nowhere'")


def test_unknown_zone(tmp_path):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].update(zone="MARS"))
    _one(_problems(path), "sites.geojson", "id=s1", "zone", "unknown zone 'MARS'")


def test_crs_problem(tmp_path):
    import geopandas as gpd

    path = write_tiny(tmp_path)
    gdf = gpd.read_file(tmp_path / "data/sites.geojson").to_crs("EPSG:3857")
    (tmp_path / "data/sites.geojson").unlink()
    gdf.to_file(tmp_path / "data/sites.gpkg", driver="GPKG")
    _one(_problems(path), "sites.gpkg", "CRS", "expected EPSG:4326")


def test_slice_weights_not_8760(tmp_path):
    path = write_tiny(tmp_path)
    ds = xr.load_dataset(tmp_path / "data/climate.nc")
    ds["weight_h"] = ("slice", [4000.0, 4000.0])
    ds.to_netcdf(tmp_path / "data/climate.nc", engine="scipy")
    _one(_problems(path), "climate.nc", "weight_h", "sum to 8000 h, expected 8760")


def test_unknown_yaml_key(tmp_path):
    path = write_tiny(tmp_path, scenario={"carbon": {"price_usd_per_tonne": 5}})
    _one(_problems(path), "scenario.yaml", "carbon.price_usd_per_tonne", "unknown key")


def test_wrong_yaml_type(tmp_path):
    path = write_tiny(tmp_path, scenario={"horizon_yr": "soon"})
    _one(_problems(path), "scenario.yaml", "horizon_yr", "valid number")


def test_catalog_problem_named(tmp_path):
    path = write_tiny(tmp_path, catalog={"rack_types": {"r1": {"rack_kw": -1}}})
    _one(_problems(path), "catalog.yaml", "rack_types.r1.rack_kw", "greater than 0")


def test_missing_file(tmp_path):
    path = write_tiny(tmp_path)
    (tmp_path / "data/prices.csv").unlink()
    _one(_problems(path), "prices.csv", "file not found")


def test_missing_price_row(tmp_path):
    path = write_tiny(tmp_path)
    p = tmp_path / "data/prices.csv"
    p.write_text("\n".join(p.read_text().splitlines()[:-1]) + "\n")
    _one(_problems(path), "prices.csv", "id=Z/b", "no row for this zone and slice")


def test_ids_like_na_are_ids_and_prices_must_be_finite(tmp_path):
    """A zone literally named "NA" is read as that id (pandas would read it as missing); an infinite
    price is an error, not a number."""
    path = write_tiny(tmp_path)
    for f in ("sites.geojson", "substations.geojson", "prices.csv"):
        p = tmp_path / "data" / f
        p.write_text(p.read_text().replace('"zone":"Z"', '"zone":"NA"').replace("\nZ,", "\nNA,"))
    assert _problems(path) == []
    p = tmp_path / "data/prices.csv"
    lines = p.read_text().splitlines()
    head = lines[0].split(",")
    last = lines[-1].split(",")
    last[head.index("energy_price_usd_per_mwh")] = "inf"
    p.write_text("\n".join(lines[:-1] + [",".join(last)]) + "\n")
    _one(_problems(path), "prices.csv", "id=NA/", "energy_price_usd_per_mwh", "finite")


def test_load_raises_with_every_problem(tmp_path):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].update(zone="MARS", max_it_mw=-1))
    with pytest.raises(InputError) as err:
        siteplan.load(path)
    assert len(err.value.problems) == 2


def test_cli_validate_lists_all_problems_of_a_broken_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data/example", data)
    shutil.copy(REPO / "data/catalog.yaml", tmp_path / "catalog.yaml")
    text = (REPO / "models/example.yaml").read_text().replace("../data/example", "data").replace(
        "../data/catalog.yaml", "catalog.yaml").replace("demand_scale: 1.0", "demand_scale: 1.0\nfoo: 1")
    (tmp_path / "s.yaml").write_text(text)
    _edit_geojson(data / "sites.geojson", lambda f: (f[0]["properties"].update(max_it_mw=None),
                                                     f[1]["properties"].update(zone="XX")))
    _edit_geojson(data / "fiber.geojson", lambda f: f[0]["properties"].update(to_id="nope"))
    out = subprocess.run([sys.executable, "-m", "siteplan.cli", "validate", str(tmp_path / "s.yaml")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    # the unknown key stops schema validation of the file; fix it and the dataset problems show
    assert "foo" in out.stderr and "unknown key" in out.stderr
    (tmp_path / "s.yaml").write_text(text.replace("\nfoo: 1", ""))
    out = subprocess.run([sys.executable, "-m", "siteplan.cli", "validate", str(tmp_path / "s.yaml")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "3 problem(s) found" in out.stderr, out.stderr
    for part in ("id=tx_abilene: field=max_it_mw", "id=tx_amarillo: field=zone", "id=f_dal_aus: field=to_id"):
        assert part in out.stderr


def test_bad_pair_rows_each_named_with_line(tmp_path):
    """serving_cost.csv / latency.csv: every bad row is reported (file, pair, line, field), none dropped."""
    path = write_tiny(tmp_path)
    import geopandas as gpd
    sites = sorted(gpd.read_file(tmp_path / "data/sites.geojson")["site_id"])
    regions = sorted(gpd.read_file(tmp_path / "data/demand.geojson")["region_id"])
    s, r = sites[0], regions[0]
    rows = ["site_id,region_id,serving_cost_usd_per_gpu_yr",
            f"{s},{r},10",            # line 2: fine
            f"nosuch,{r},10",         # line 3: unknown site
            f"{s},nowhere,10",        # line 4: unknown region
            f"{sites[-1]},{r},-1",    # line 5: negative
            f"{sites[-1]},{regions[-1]},abc",  # line 6: not a number
            f"{sites[-1]},{regions[-1]},",     # line 7: empty (NaN is not 0), also a duplicate pair
            f"{sites[-1]},{regions[0]},inf",   # line 8: not finite
            f"NA,{r},10",             # line 9: "NA" is an id (unknown here), not a missing value
            ]
    (tmp_path / "data/serving_cost.csv").write_text("\n".join(rows) + "\n")
    probs = _problems(path)
    _one(probs, "serving_cost.csv", "nosuch", "line 3", "site_id", "unknown site")
    _one(probs, "serving_cost.csv", "nowhere", "line 4", "region_id", "unknown region")
    _one(probs, "serving_cost.csv", "line 5", "serving_cost_usd_per_gpu_yr", ">= 0")
    _one(probs, "serving_cost.csv", "line 6", "serving_cost_usd_per_gpu_yr", "'abc'")
    _one(probs, "serving_cost.csv", "line 7", "serving_cost_usd_per_gpu_yr", "must be a finite number")
    _one(probs, "serving_cost.csv", "line 8", "serving_cost_usd_per_gpu_yr", "'inf'")
    _one(probs, "serving_cost.csv", "line 9", "site_id", "unknown site 'NA'")
    _one(probs, "serving_cost.csv", f"{sites[-1]}/{regions[-1]}", "duplicate row")
    assert not any("line 2" in p for p in probs)


def test_reserved_slice_name_is_rejected(tmp_path):
    path = write_tiny(tmp_path)
    nc = tmp_path / "data/climate.nc"
    ds = xr.load_dataset(nc)
    ds = ds.assign_coords(slice=["design_peak"] + [str(s) for s in ds["slice"].values[1:]])
    ds.to_netcdf(nc, engine="scipy")
    _one(_problems(path), "climate.nc", "design_peak", "slice", "reserved slice name")


def test_duplicate_pairs_with_missing_ids_do_not_crash(tmp_path):
    path = write_tiny(tmp_path)
    rows = ["site_id,region_id,serving_cost_usd_per_gpu_yr", ",r1,1", ",r1,2", "s1,r1,3"]
    (tmp_path / "data/serving_cost.csv").write_text("\n".join(rows) + "\n")
    probs = _problems(path)
    _one(probs, "serving_cost.csv", "line 2", "site_id", "unknown site")
    _one(probs, "serving_cost.csv", "duplicate row")


@pytest.mark.parametrize("layer,props,field,msg", [
    ("sites", {"water_limit_m3_yr": 0.0}, "water_limit_m3_yr", "unknown field (known: fixed_cost_usd"),
    ("substations", {"supply_MW": 50.0}, "supply_MW", "unknown field"),
    ("demand", {"batch_max_rtt_ms": 50.0}, "batch_max_rtt_ms",
     "workload class 'batch' is not in the scenario's workloads"),
    ("demand", {"inf_max_rtt": 3.0}, "inf_max_rtt", "unknown field"),
])
def test_unknown_layer_field_is_not_dropped(tmp_path, layer, props, field, msg):
    """A misspelt optional field would silently take its default; extra demand would vanish."""
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / f"data/{layer}.geojson", lambda f: f[0]["properties"].update(props))
    _one(_problems(path), f"{layer}.geojson", field, msg, "ignore_fields in dataset.yaml")


def test_ignore_fields_in_dataset_yaml(tmp_path):
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].update(county="Travis"))
    meta = tmp_path / "data/dataset.yaml"
    meta.write_text(meta.read_text() + "ignore_fields: {sites: [county]}\n")
    assert _problems(path) == []
    meta.write_text(meta.read_text().replace("[county]", "[county, max_it_mw]") + "ignore_fields_typo: 1\n")
    probs = _problems(path)
    _one(probs, "dataset.yaml", "id=sites", "ignore_fields", "'max_it_mw' is a siteplan field")
    _one(probs, "dataset.yaml", "ignore_fields_typo", "unknown key")


@pytest.mark.parametrize("text,msg", [("name: [unclosed\n", "cannot parse YAML"), ("- a\n- b\n", "must be a mapping")])
def test_broken_dataset_yaml_is_a_named_problem(tmp_path, text, msg):
    path = write_tiny(tmp_path)
    (tmp_path / "data/dataset.yaml").write_text(text)
    _one(_problems(path), "dataset.yaml", msg)
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(path)], capture_output=True, text=True)
    assert r.returncode == 2 and "dataset.yaml" in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_one_bad_number_is_reported_once_and_numeric_text_is_a_number(tmp_path):
    """A text value makes the reader return the whole column as text; only the bad feature is named."""
    path = write_tiny(tmp_path, sites=[site("s1"), site("s2"), site("s3")])
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: (f[0]["properties"].update(max_it_mw="abc"),
                                                              f[1]["properties"].update(max_it_mw="80")))
    probs = _problems(path)
    assert [p for p in probs if "max_it_mw" in p] == [p for p in probs if "id=s1" in p and "got 'abc'" in p], probs
    assert len(probs) == 1
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0]["properties"].update(max_it_mw=100.0))
    assert siteplan.load(path).dataset.sites.loc["s2", "max_it_mw"] == 80.0


@pytest.mark.parametrize("offset,scale", [(273.15, 1.0), (32.0, 1.8)])
def test_temperatures_in_kelvin_or_fahrenheit_are_caught(tmp_path, offset, scale):
    path = write_tiny(tmp_path, temps=(30.0, 35.0))
    ds = xr.load_dataset(tmp_path / "data/climate.nc")
    for v in ("dry_bulb_c", "wet_bulb_c"):
        ds[v] = ds[v] * scale + offset
    ds.to_netcdf(tmp_path / "data/climate.nc", engine="scipy")
    _one(_problems(path), "climate.nc", "dry_bulb_c", "outside the plausible range", "kelvin or Fahrenheit")


def test_carbon_in_kg_is_caught(tmp_path):
    path = write_tiny(tmp_path)
    p = tmp_path / "data/prices.csv"
    p.write_text(p.read_text().replace(",0.4", ",400.0"))
    _one(_problems(path), "prices.csv", "carbon_t_per_mwh", "400 t/MWh is above 2", "kg/MWh given as t/MWh")


def test_a_scenario_changed_in_code_is_validated(tmp_path):
    """``model_copy(update=...)`` skips pydantic's checks; load and prepare check it again."""
    from siteplan.config import load_scenario
    from siteplan.prepare import prepare

    path = write_tiny(tmp_path)
    sc = load_scenario(path)
    bad = sc.model_copy(update={"demand_scale": -3, "it_utilisation": 7})
    with pytest.raises(InputError) as exc:
        siteplan.load(bad)
    _one([str(p) for p in exc.value.problems], "(changed in code)", "demand_scale", "greater than or equal to 0")
    _one([str(p) for p in exc.value.problems], "it_utilisation", "less than or equal to 1")
    study = siteplan.load(path)
    with pytest.raises(InputError, match="demand_scale"):
        prepare(bad, study.dataset, study.catalog)
    with pytest.raises(InputError, match="limits.max_sitez: unknown key"):
        sc.with_values({"limits.max_sitez": 3})
    changed = sc.with_values({"carbon.price_usd_per_t": 50, "demand_scale": 2})
    assert (changed.carbon.price_usd_per_t, changed.demand_scale, changed.name) == (50, 2, sc.name)
    assert siteplan.load(changed).scenario == changed
    cat = study.catalog.model_copy(update={"economics": study.catalog.economics.model_copy(
        update={"discount_rate": -2.0})})
    with pytest.raises(InputError, match=r"catalog.yaml \(changed in code\).*economics.discount_rate"):
        prepare(sc, study.dataset, cat)


def test_a_dataset_changed_in_code_is_validated(tmp_path):
    path = write_tiny(tmp_path, sites=[site("s1"), site("s2", water_limit_m3_per_yr=5.0)])
    study = siteplan.load(path)
    assert np.isinf(study.dataset.sites.loc["s1", "water_limit_m3_per_yr"])  # a null default stays allowed
    study.dataset.sites.loc["s1", "max_it_mw"] = -5.0
    study.dataset.sites.loc["s2", "water_limit_m3_per_yr"] = float("nan")
    study.dataset.demand.loc["r1", "inf_gpus"] = float("nan")
    study.dataset.sites.loc["s2", "zone"] = "nowhere"
    with pytest.raises(InputError) as exc:
        siteplan.solve(study)
    probs = [str(p) for p in exc.value.problems]
    _one(probs, "sites.geojson (changed in code)", "id=s1", "max_it_mw", "must be > 0, got -5")
    _one(probs, "sites.geojson (changed in code)", "id=s2", "water_limit_m3_per_yr", "not a number")
    _one(probs, "sites.geojson (changed in code)", "id=s2", "zone", "unknown zone 'nowhere'")
    _one(probs, "demand.geojson (changed in code)", "id=r1", "inf_gpus", "not a number")


def _grid_climate(path, dry_by_corner, lats=(30.0, 32.0), lons=(-98.0, -96.0)):
    """climate.nc in gridded form: dry bulb per (lat, lon) corner, the same in both slices; wet = dry - 5."""
    dry = np.array([[dry_by_corner[(la, lo)] for lo in lons] for la in lats])[:, :, None].repeat(2, axis=2)
    ds = xr.Dataset({"dry_bulb_c": (("lat", "lon", "slice"), dry), "wet_bulb_c": (("lat", "lon", "slice"), dry - 5.0),
                     "weight_h": ("slice", [4380.0, 4380.0])},
                    coords={"lat": list(lats), "lon": list(lons), "slice": ["a", "b"]})
    ds.to_netcdf(path, engine="scipy")


def test_gridded_climate_is_interpolated_at_the_sites(tmp_path):
    """A site at (31.0, -97.5) on a 2 x 2 grid: bilinear weights 1/2 in lat, 3/4 / 1/4 in lon."""
    from siteplan.prepare import prepare

    path = write_tiny(tmp_path, sites=[site("s1", lon=-97.5, lat=31.0)])
    corners = {(30.0, -98.0): 10.0, (30.0, -96.0): 30.0, (32.0, -98.0): 20.0, (32.0, -96.0): 40.0}
    _grid_climate(tmp_path / "data/climate.nc", corners)
    study = siteplan.load(path)
    want = 0.5 * (0.75 * 10.0 + 0.25 * 30.0) + 0.5 * (0.75 * 20.0 + 0.25 * 40.0)  # 20.0
    got = study.dataset.climate["dry_bulb_c"].sel(station="s1").values
    np.testing.assert_allclose(got, [want, want])
    np.testing.assert_allclose(study.dataset.climate["wet_bulb_c"].sel(station="s1").values, [want - 5, want - 5])
    prep = prepare(study.scenario, study.dataset, study.catalog)
    design = sorted(study.catalog.cooling_designs)[0]
    curve = study.catalog.cooling_designs[design].pue_curve
    assert float(prep.pue.sel(site="s1", cooling=design, slice="a")) == pytest.approx(
        np.interp(want, curve.dry_bulb_c, curve.pue))
    plan, _ = solve_checked(path)  # end to end, every invariant checked
    assert plan.result.optimal


def test_site_outside_the_climate_grid_is_named(tmp_path):
    path = write_tiny(tmp_path, sites=[site("s1", lon=-97.5, lat=31.0), site("far", lon=-90.0, lat=31.0)])
    _grid_climate(tmp_path / "data/climate.nc", {(30.0, -98.0): 10.0, (30.0, -96.0): 30.0, (32.0, -98.0): 20.0,
                                                 (32.0, -96.0): 40.0})
    _one(_problems(path), "climate.nc", "id=far", "lat/lon", "outside the climate grid")


def test_prices_as_netcdf_give_the_same_study(tmp_path):
    """prices.nc (variables on zone x slice) loads to the table prices.csv gives; bad values are named."""
    import pandas as pd

    path = write_tiny(tmp_path)
    csv = tmp_path / "data/prices.csv"
    want = siteplan.load(path).dataset.prices
    df = pd.read_csv(csv, dtype={"zone": str, "slice": str})
    ds = df.set_index(["zone", "slice"]).to_xarray()
    ds.to_netcdf(tmp_path / "data/prices.nc", engine="scipy")
    _one(_problems(path), "prices.nc", "both prices.csv and prices.nc exist")
    csv.unlink()
    got = siteplan.load(path).dataset.prices
    pd.testing.assert_frame_equal(got, want)
    ds["carbon_t_per_mwh"][0, 0] = float("nan")
    ds["extra"] = ds["carbon_t_per_mwh"]
    ds.to_netcdf(tmp_path / "data/prices.nc", engine="scipy")
    probs = _problems(path)
    _one(probs, "prices.nc", "carbon_t_per_mwh", "missing or not a finite number")
    _one(probs, "prices.nc", "extra", "unknown variable")


def test_demand_of_an_unmodelled_class_is_kept_and_noted(tmp_path):
    """A scenario may model only some classes of a shared dataset; the rest is validated and the
    plan's notes say how much demand is left out (not silently dropped)."""
    from siteplan.prepare import prepare

    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/demand.geojson",
                  lambda f: f[0]["properties"].update(batch_gpus=5000.0, batch_max_rtt_ms=30.0))
    assert _problems(path) == []
    study = siteplan.load(path, (), {"demand_scale": 2})
    assert study.dataset.demand.loc["r1", "batch_gpus"] == 5000.0
    notes = prepare(study.scenario, study.dataset, study.catalog).notes
    assert any("workload class 'batch' (10,000 H100e in batch_gpus) is not planned" in n for n in notes), notes
    _edit_geojson(tmp_path / "data/demand.geojson", lambda f: f[0]["properties"].update(batch_gpus=-1.0))
    _one(_problems(path), "demand.geojson", "id=r1", "batch_gpus", "must be >= 0")


def test_geojson_feature_id_member_is_not_an_unknown_field(tmp_path):
    path = write_tiny(tmp_path)
    doc = json.loads((tmp_path / "data/sites.geojson").read_text())
    for f in doc["features"]:
        f["id"] = f["properties"]["site_id"]  # RFC 7946 feature id (geopandas' to_json writes one)
    (tmp_path / "data/sites.geojson").write_text(json.dumps(doc))
    assert _problems(path) == []


def test_gridded_climate_with_a_non_point_site_is_a_problem_not_a_crash(tmp_path):
    path = write_tiny(tmp_path, sites=[site("s1", lon=-97.5, lat=31.0)])
    _grid_climate(tmp_path / "data/climate.nc", {(30.0, -98.0): 10.0, (30.0, -96.0): 30.0, (32.0, -98.0): 20.0,
                                                 (32.0, -96.0): 40.0})
    _edit_geojson(tmp_path / "data/sites.geojson", lambda f: f[0].update(geometry={
        "type": "Polygon", "coordinates": [[[-97.6, 31.0], [-97.4, 31.0], [-97.5, 31.1], [-97.6, 31.0]]]}))
    _one(_problems(path), "sites.geojson", "id=s1", "geometry", "must be Point")


def test_with_values_resolves_paths_like_the_scenario_file(tmp_path):
    from siteplan.config import load_scenario

    path = write_tiny(tmp_path)
    sc = load_scenario(path)
    moved = sc.with_values({"dataset": "data"})  # relative to the scenario file, not the working directory
    assert moved.dataset == (tmp_path / "data").resolve()
    assert moved.dataset == load_scenario(path, (), {"dataset": "data"}).dataset


def test_unmodelled_demand_respects_ignore_fields_and_keeps_nulls(tmp_path):
    """A *_gpus column under ignore_fields is no demand (no check, no note); a null in an unmodelled
    class stays missing, so modelling the class in code later is told so; its RTT column exists."""
    from siteplan.prepare import prepare

    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/demand.geojson",
                  lambda f: f[0]["properties"].update(total_gpus="n/a", batch_gpus=None))
    meta = tmp_path / "data/dataset.yaml"
    meta.write_text(meta.read_text() + "ignore_fields: {demand: [total_gpus]}\n")
    assert _problems(path) == []
    study = siteplan.load(path)
    assert "total_gpus" not in study.dataset.demand and np.isnan(study.dataset.demand.loc["r1", "batch_gpus"])
    assert np.isnan(study.dataset.demand.loc["r1", "batch_max_rtt_ms"])
    notes = prepare(study.scenario, study.dataset, study.catalog).notes
    assert not any("'total'" in n or "'batch'" in n for n in notes), notes  # nothing to plan: no note
    both = study.scenario.with_values({"workloads": {"inf": {"max_rtt_ms": 100.0}, "batch": {"max_rtt_ms": 50.0}}})
    with pytest.raises(InputError, match="batch_gpus: missing or not a number"):
        prepare(both, study.dataset, study.catalog)
    study.dataset.demand.loc["r1", "batch_gpus"] = 3000.0
    prep = prepare(both, study.dataset, study.catalog)  # no KeyError for the RTT column
    assert prep.demand_gpus.loc["r1", "batch"] == 3000.0 and prep.max_rtt_ms.loc["r1", "batch"] == 50.0


def test_ignore_fields_and_workload_fields(tmp_path):
    """An ignored RTT column of an unmodelled class is not read; a modelled class's field cannot be
    ignored; the unknown-field message lists only the scenario's own workloads."""
    path = write_tiny(tmp_path)
    _edit_geojson(tmp_path / "data/demand.geojson", lambda f: f[0]["properties"].update(
        batch_gpus=5.0, batch_max_rtt_ms="see notes", foo_max_rtt_ms=10.0))
    meta = tmp_path / "data/dataset.yaml"
    meta.write_text(meta.read_text() + "ignore_fields: {demand: [batch_max_rtt_ms]}\n")
    probs = _problems(path)
    assert [p for p in probs if "batch_max_rtt_ms" in p] == []
    _one(probs, "foo_max_rtt_ms", "not in the scenario's workloads (inf)")
    meta.write_text(meta.read_text().replace("[batch_max_rtt_ms]", "[batch_max_rtt_ms, inf_max_rtt_ms, foo_max_rtt_ms]"))
    _edit_geojson(tmp_path / "data/demand.geojson", lambda f: f[0]["properties"].update(inf_max_rtt_ms=0.01))
    _one(_problems(path), "demand.geojson", "inf_max_rtt_ms", "listed under ignore_fields", "the scenario uses it")
