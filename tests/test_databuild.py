"""The regional dataset build: deterministic, and the bundled files are what the build produces.

The rebuild tests need the raw public data at ``<repo>/../shared/data-sources`` and are skipped
only when it is absent; the climate and price checks read the bundled files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
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


@needs_raw
@pytest.mark.parametrize("region", BUILT)
def test_prices_weighted_mean_is_eia_state_price(region, raw_data):
    p = pd.read_csv(DATA / region / "prices.csv")
    ds = xr.open_dataset(DATA / region / "climate.nc", engine="scipy")
    w = ds["weight_h"].to_series()
    for zone, g in p.groupby("zone"):
        g = g.set_index("slice").loc[list(w.index)]
        mean = float((g.energy_price_usd_per_mwh * w).sum() / w.sum())
        assert mean == pytest.approx(float(raw_data.state_prices[zone]), abs=0.05)
        assert g.carbon_t_per_mwh.nunique() == 1
        assert g.carbon_t_per_mwh.iloc[0] == prices.CARBON_T_PER_MWH[zone]


def test_data_folder_is_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 30e6
