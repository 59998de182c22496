"""The regional dataset build: deterministic, and the bundled files are what the build produces.

The rebuild tests need the raw public data at ``<repo>/../shared/data-sources`` and are skipped
only when it is absent; the climate and price checks read the bundled files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import geopandas as gpd
import pandas as pd
import pytest
import xarray as xr

from siteplan.databuild import build, climate, prices
from siteplan.databuild.regions import REGIONS
from siteplan.io import day_structure_problems, slice_days

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
RAW = REPO.parent / "shared" / "data-sources"
BUILT = sorted(REGIONS)

needs_raw = pytest.mark.skipif(not (RAW / "usa-tamu-synthetic-grid").is_dir(),
                               reason=f"raw data sources not found at {RAW}")


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def raw_data():
    return build.RawData(RAW)


@needs_raw
def test_rebuild_is_byte_identical(tmp_path, raw_data):
    a = build.build_region("texas", RAW, tmp_path / "a", raw_data)
    b = build.build_region("texas", RAW, tmp_path / "b", build.RawData(RAW))
    assert [p.name for p in a] == [p.name for p in b]
    assert _digests(tmp_path / "a" / "texas") == _digests(tmp_path / "b" / "texas")


@needs_raw
@pytest.mark.parametrize("region", ["texas", "oklahoma"])
def test_bundled_data_is_current(tmp_path, raw_data, region):
    build.build_region(region, RAW, tmp_path, raw_data)
    assert _digests(tmp_path / region) == _digests(DATA / region), \
        f"data/{region} differs from a fresh build: run `siteplan data build --raw {RAW}`"


@needs_raw
def test_main_build_rejects_wrong_raw_dir(tmp_path):
    with pytest.raises(FileNotFoundError):
        build.main_build(tmp_path, tmp_path / "out", ["texas"])
    with pytest.raises(KeyError, match="unknown region"):
        build.build_all(RAW, tmp_path / "out", ["atlantis"])


@pytest.mark.parametrize("region", BUILT)
def test_climate_slices_reproduce_design_conditions(region):
    ds = xr.open_dataset(DATA / region / "climate.nc", engine="scipy")
    w = ds["weight_h"].values
    assert abs(w.sum() - 8760.0) < 1e-6
    assert ds.sizes["slice"] >= 12 and ds.sizes["station"] <= 60
    dry, wet = ds["dry_bulb_c"].values, ds["wet_bulb_c"].values
    assert (wet <= dry + 1e-9).all()
    # peak slices are the design temperatures and the extremes of each station
    np.testing.assert_allclose(ds["dry_bulb_c"].sel(slice="peak_hot"), ds["cooling_db_1pct_c"], atol=0.01)
    np.testing.assert_allclose(ds["dry_bulb_c"].sel(slice="peak_cold"), ds["heating_db_99pct_c"], atol=0.01)
    assert (dry.argmax(axis=1) == list(ds.slice.values).index("peak_hot")).all()
    assert (dry.argmin(axis=1) == list(ds.slice.values).index("peak_cold")).all()
    # day structure: each month a day of a 12-h day and a 12-h night slice, the peaks 24-h days; 365 days
    days = slice_days(ds)
    probs = []
    day_structure_problems(ds, region, probs)
    assert probs == []
    assert days.loc["jan_day"].tolist() == ["jan", 0, 12.0] and days.loc["jan_night"].tolist() == ["jan", 1, 12.0]
    assert days.loc["peak_hot"].tolist() == ["peak_hot", 0, 24.0]
    per_day = (w / days["duration_h"].values) / days.groupby("day")["day"].transform("size").values
    assert per_day.sum() == pytest.approx(365.0)
    for i in range(ds.sizes["station"]):
        hdd, cdd = climate.degree_days(dry[i], w)
        h0, c0 = float(ds["hdd18_c_days"][i]), float(ds["cdd10_c_days"][i])
        assert abs(hdd - h0) <= max(0.03 * h0, 15.0), (str(ds.station.values[i]), hdd, h0)
        assert abs(cdd - c0) <= max(0.03 * c0, 15.0), (str(ds.station.values[i]), cdd, c0)


def test_stull_wet_bulb_reference_value():
    # Stull (2011): T = 20 degC, RH = 50 % -> Tw = 13.7 degC
    assert climate.stull_wet_bulb(np.array([20.0]), np.array([50.0]))[0] == pytest.approx(13.7, abs=0.1)


def _hour_weighted_means(region: str) -> pd.DataFrame:
    """Per zone of ``region``: the hour-weighted means of price and carbon over the slices."""
    p = pd.read_csv(DATA / region / "prices.csv")
    ds = xr.open_dataset(DATA / region / "climate.nc", engine="scipy")
    w = ds["weight_h"].to_series()
    out = {}
    for zone, g in p.groupby("zone"):
        g = g.set_index("slice").loc[list(w.index)]
        out[zone] = {c: float((g[c] * w).sum() / w.sum()) for c in ("energy_price_usd_per_mwh", "carbon_t_per_mwh")}
    return pd.DataFrame.from_dict(out, orient="index")


@needs_raw
@pytest.mark.parametrize("region", BUILT)
def test_prices_weighted_mean_is_eia_state_price(region, raw_data):
    state_prices, year = raw_data.state_prices
    assert year == 2024  # the newest year of EIA SEDS in the raw data
    assert state_prices["TX"] == pytest.approx(61.2) and state_prices["VA"] == pytest.approx(89.9)  # SEDS 2024
    for zone, r in _hour_weighted_means(region).iterrows():
        assert r.energy_price_usd_per_mwh == pytest.approx(float(state_prices[zone.split("-")[0]]), abs=0.05)


@needs_raw
@pytest.mark.parametrize("region", BUILT)
def test_carbon_mean_is_the_egrid_rate_of_the_subregion(region, raw_data):
    rate = raw_data.subregions.rate_t_per_mwh
    assert rate["ERCT"] == pytest.approx(771.083 * 0.45359237e-3)  # eGRID2022 SRCO2RTA, lb -> t
    means = _hour_weighted_means(region)
    for zone, r in means.iterrows():
        assert r.carbon_t_per_mwh == pytest.approx(float(rate[zone.split("-")[1]]), abs=5e-4)
    # and the region's mean over its sites is the mean of its sites' subregion rates
    sites = gpd.read_file(DATA / region / "sites.geojson")
    by_site = [raw_data.subregions.locate(g.x, g.y)[0] for g in sites.geometry]
    assert sites["zone"].str.split("-").str[1].tolist() == by_site
    assert means.loc[sites["zone"], "carbon_t_per_mwh"].mean() == pytest.approx(
        float(rate.loc[by_site].mean()), abs=5e-4)


@needs_raw
def test_subregions_of_known_campuses(raw_data):
    locate = raw_data.subregions.locate
    assert locate(-77.49, 39.04)[0] == "SRVC"      # Ashburn, VA
    assert locate(-90.05, 35.15)[0] == "SRTV"      # Memphis, TN
    assert locate(-99.73, 32.45)[0] == "ERCT"      # Abilene, TX
    assert locate(-119.85, 47.23)[0] == "NWPP"     # Quincy, WA
    assert locate(-82.81, 40.08)[0] == "RFCW"      # New Albany, OH
    assert locate(-73.97, 40.78) == ("NYCW", True)  # Manhattan
    assert locate(-60.0, 30.0)[1] is False          # in the Atlantic: nearest, flagged


@needs_raw
def test_carbon_shape_and_basis_options(raw_data):
    from siteplan.databuild import carbon
    w = climate.slice_weights()
    shaped = carbon.carbon_by_slice(RAW, raw_data.subregions, ["ERCT", "SRTV"], "cambium")
    flat = carbon.carbon_by_slice(RAW, raw_data.subregions, ["ERCT", "SRTV"], "flat")
    assert (flat.nunique(axis=1) == 1).all()
    np.testing.assert_allclose((shaped.values * w).sum(1) / w.sum(), flat.iloc[:, 0].values)
    assert shaped.loc["ERCT"].std() > 0.02  # Texas: solar noon low, evening high
    # the Cambium swing is added in t/MWh, not scaled by eGRID / Cambium
    swing = carbon.cambium_slice_swing(RAW, "ERCT")
    np.testing.assert_allclose(shaped.loc["ERCT"].values - flat.loc["ERCT"].values, swing, atol=1e-9)
    nb = carbon.load_subregions(RAW, "nonbaseload")
    assert nb.year == 2019 and nb.rate_t_per_mwh["SRTV"] > 1.4 * raw_data.subregions.rate_t_per_mwh["SRTV"]
    with pytest.raises(KeyError, match="unknown carbon basis"):
        carbon.load_subregions(RAW, "marginal")


@needs_raw
def test_build_log_names_fallbacks_and_summarises(tmp_path, raw_data):
    lines = []
    build.build_region("northern_virginia", RAW, tmp_path, raw_data, lines.append)
    assert any("site site_9059" in t and "nearest is RFCE" in t for t in lines)
    summary = [t for t in lines if t.startswith("northern_virginia:")]
    assert len(summary) == 1 and "107 sites" in summary[0] and "VA-SRVC" in summary[0]


def test_hub_shape_has_summer_peak_and_unit_mean():
    w = climate.slice_weights()
    hub = np.array([1.0, 0.9, 0.85, 0.85, 0.9, 1.1, 1.3, 1.3, 1.0, 0.9, 0.9, 1.0])
    f = prices.shape(hub)
    assert (f * w).sum() / w.sum() == pytest.approx(1.0)
    assert f[list(climate.SLICES).index("jul_day")] > f[list(climate.SLICES).index("apr_day")]


def test_data_folder_is_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 30e6


def test_every_catalog_cost_has_a_source_and_one_dollar_year():
    from siteplan.config import load_catalog
    cat = load_catalog(DATA / "catalog.yaml")
    entries = {"facility": cat.facility, "network": cat.network, "gas_supply": cat.gas_supply,
               **{f"rack_types.{k}": v for k, v in cat.rack_types.items()},
               **{f"cooling_designs.{k}": v for k, v in cat.cooling_designs.items()},
               **{f"interconnect_classes.{k}": v for k, v in cat.interconnect_classes.items()},
               **{f"onsite.{k}": v for k, v in cat.onsite.items()}}
    assert len(entries) >= 20
    for name, e in entries.items():
        assert len(e.source) > 20, name
        assert e.dollar_year == 2025, name
    # interconnect costs: the MISO MTEP 2018 figures (2017 $) escalated by CPI-U to 2025 $
    kv069 = cat.interconnect_classes["kv069"]
    assert kv069.substation_cost_usd == pytest.approx(5.7e6 * 320.229 / 245.120, rel=1e-3)
    assert kv069.line_cost_usd_per_km == pytest.approx(1.70e6 / 1.609 * 1.6 * 320.229 / 245.120, rel=2e-3)
    # the battery: NREL ATB 2022 (2020 $) escalated the same way
    assert cat.onsite["battery"].capex_usd_per_mw == pytest.approx(1.256e6 * 320.229 / 258.811, rel=1e-3)


@pytest.mark.parametrize("region", BUILT)
def test_campus_belts_have_candidates(region):
    from siteplan.databuild.campuses import CAMPUS_MAX_KM, CAMPUS_MIN_TOWN_KM, CAMPUS_OFFSET_KM, CAMPUS_TOWNS
    from siteplan.geo import distance_matrix_km
    sites = gpd.read_file(DATA / region / "sites.geojson").set_index("site_id")
    cities = pd.read_csv(RAW / "us-cities-geonames" / "us_cities_pop15000.csv") if RAW.is_dir() else None
    assert len(sites) <= 120
    for town, state, why in CAMPUS_TOWNS[region]:
        sid = f"site_{town.lower().replace(' ', '_')}_{state.lower()}"
        assert sid in sites.index, (region, town)
        assert sites.at[sid, "name"].startswith(f"{town} campus belt, {state}") and why
        if cities is not None:
            t = cities[(cities["name"] == town) & (cities["state"] == state)].iloc[0]
            g = sites.geometry[sid]
            d = distance_matrix_km([g.y], [g.x], [t.latitude], [t.longitude])[0, 0]
            assert CAMPUS_MIN_TOWN_KM <= d <= CAMPUS_MAX_KM + CAMPUS_OFFSET_KM, (town, d)


@needs_raw
def test_queue_waits_by_iso(raw_data):
    from siteplan.databuild import leadtimes
    w = raw_data.waits
    assert w.at["ERCOT", "median"] == pytest.approx(3.91) and w.at["MISO", "median"] == pytest.approx(3.06)
    assert w.at["ERCOT", "p25"] < w.at["ERCOT", "median"] < w.at["ERCOT", "p75"]
    subs = gpd.read_file(DATA / "texas" / "substations.geojson")
    ercot = subs[subs.zone == "TX-ERCT"]
    assert (ercot.lead_time_yr == 3.9).all() and len(ercot) > 200
    assert subs[subs.zone == "TX-SPSO"].lead_time_yr.isna().all()  # SPP: no queue data
    assert leadtimes.wait_of_zone(w, "TN-SRTV") is None and leadtimes.wait_of_zone(w, "IA-MROW") == 3.1
    assert leadtimes.wait_of_zone(w, "NE-MROW") is None  # Omaha: SPP, not MISO
    assert leadtimes.wait_of_zone(w, "OK-ERCT") is None and leadtimes.wait_of_zone(w, "OH-RFCM") is None
