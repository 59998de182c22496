"""Batteries with chronology: the state of charge cycles within each representative day.

Hand-solved tiny studies (see ``tiny.py``: discount rate 0 and 1-year lifetimes, so annualised cost
= capex; 10 racks of 1 MW IT at PUE 1.1 = 11 MW facility power; the 20-MW interconnect class costs
$1M, the 100-MW class $5M; nothing else costs anything but energy and batteries). Imports include
what batteries charge, so they must fit the contract: the tests that are about energy, not
capacity, let the $1M class carry 100 MW.
"""

from dataclasses import replace

import numpy as np
import pytest

import siteplan
from siteplan.errors import PlanInvariantWarning
from siteplan.results.invariants import check_plan
from siteplan.io import load_dataset, slice_days
from siteplan.prepare import prepare
from siteplan.prepare.slices import DESIGN_PEAK, _prices_with_peak, _with_design_peak
from tiny import solve_checked, write_tiny

# 1 unit: 100 MW, 36 MWh, round trip 0.81 (0.9 each way), $5,000/MW = $500,000 per unit and year
BATTERY = {"onsite": {"bat": {"kind": "battery", "unit_mw": 100.0, "unit_mwh": 36.0, "capex_usd_per_mw": 5000.0,
                              "round_trip_efficiency": 0.81, "lead_time_yr": 1, "lifetime_yr": 1,
                              "source": "test"}}}
WITH_BATTERY = {"onsite": ["bat"]}
FACILITY_MW = 11.0


WIDE = {"interconnect_classes": {"small": {"max_mw": 100.0}}}


def _study(tmp_path, prices, days, slices=("s0", "s1"), weight_h=(4380.0, 4380.0), **kw):
    return write_tiny(tmp_path, slices=slices, weight_h=weight_h, price=list(prices), days=days,
                      catalog={**BATTERY, **WIDE}, scenario=WITH_BATTERY, **kw)


def test_battery_shifts_energy_within_a_day(tmp_path):
    """One representative day (365 of them): a 12-h night at $20/MWh, a 12-h day at $100/MWh.

    Per unit, the 36 MWh store limits the day's discharge to 36 x 0.9 / 12 = 2.7 MW, charged at
    2.7 / 0.81 = 3.333 MW by night. A unit saves 4380 h x (2.7 x 100 - 3.333 x 20) = $890,600 a year
    for $500,000: worth it up to 11 MW of discharge, i.e. 4 units (10.8 MW; a fifth would add 0.2 MW,
    saving 0.2 x 4380 x (100 - 20 / 0.81) = $65,970 < $500,000).
    """
    path = _study(tmp_path, (20.0, 100.0), [("d", 0, 12.0), ("d", 1, 12.0)], slices=("night", "day"))
    plan, prep = solve_checked(path, mip_rel_gap=0.0)
    ds = plan.ds
    assert float(ds["battery_units"].sum()) == 4
    dis, ch = 4 * 2.7, 4 * 2.7 / 0.81
    np.testing.assert_allclose(ds["battery_discharge_mw"].sel(site="s1", battery="bat").values, [0.0, dis], atol=1e-6)
    np.testing.assert_allclose(ds["battery_charge_mw"].sel(site="s1", battery="bat").values, [ch, 0.0], atol=1e-6)
    # the store is full after the night (4 x 36 MWh) and empty after the day
    np.testing.assert_allclose(ds["battery_soc_mwh"].sel(site="s1", battery="bat").values, [144.0, 0.0], atol=1e-6)
    energy = 4380.0 * (20.0 * (FACILITY_MW + ch) + 100.0 * (FACILITY_MW - dis))  # = 2,219,200
    assert plan.objective == pytest.approx(1e6 + energy + 4 * 500_000.0, rel=1e-9)
    assert plan.objective == pytest.approx(5_219_200.0, rel=1e-9)
    assert list(ds["day"].values) == ["d", "d"]
    np.testing.assert_allclose(ds["duration_h"].values, [12.0, 12.0])


def test_battery_moves_no_energy_between_days(tmp_path):
    """Two representative days of 182.5 each: every hour of day A costs $20/MWh, every hour of day B
    $100/MWh. An annual energy balance would charge on A and discharge on B; chronology forbids it."""
    path = _study(tmp_path, (20.0, 20.0, 100.0, 100.0), [("A", 0, 12.0), ("A", 1, 12.0), ("B", 0, 12.0),
                                                          ("B", 1, 12.0)],
                  slices=("a_day", "a_night", "b_day", "b_night"), weight_h=(2190.0,) * 4)
    plan, _ = solve_checked(path, mip_rel_gap=0.0)
    assert float(plan.ds["battery_units"].sum()) == 0
    assert float(plan.ds["battery_discharge_mw"].sum()) == 0
    assert plan.objective == pytest.approx(1e6 + FACILITY_MW * 2190.0 * 2 * (20.0 + 100.0), rel=1e-9)


def test_without_day_structure_each_slice_is_its_own_day(tmp_path):
    """The cheap-night / dear-day prices of the first test, but no day structure in climate.nc:
    each slice is a one-slice day of weight_h / 365 hours, so nothing can be shifted."""
    path = _study(tmp_path, (20.0, 100.0), None, slices=("night", "day"))
    study = siteplan.load(path)
    days = slice_days(study.dataset.climate)
    assert list(days["day"]) == ["night", "day"] and list(days["order_in_day"]) == [0, 0]
    np.testing.assert_allclose(days["duration_h"].values, [12.0, 12.0])
    plan, _ = solve_checked(path, mip_rel_gap=0.0)
    assert float(plan.ds["battery_units"].sum()) == 0
    assert plan.objective == pytest.approx(1e6 + FACILITY_MW * 4380.0 * (20.0 + 100.0), rel=1e-9)


def test_zero_hour_peak_day_cannot_discharge_energy_never_charged(tmp_path):
    """The zero-hour design-peak day merged studies append (here at 40 degC: PUE 1.5, 15 MW) must be
    carried by the grid (air cooling only; batteries are no firm capacity): the $1M class is capped
    at 12 MW, so the $5M 100-MW class is needed. Without the state-of-charge rows a battery
    discharges energy never charged (here everywhere, so it replaces grid energy), and the
    invariants catch it."""
    path = write_tiny(tmp_path, slices=("s0", "s1"), weight_h=(4380.0, 4380.0), price=100.0,
                      days=[("d", 0, 12.0), ("d", 1, 12.0)], scenario={**WITH_BATTERY, "cooling_designs": ["air"]},
                      catalog={**BATTERY, "interconnect_classes": {"small": {"max_mw": 12}}})
    study = siteplan.load(path)
    cl = _with_design_peak(study.dataset.climate, study.dataset.climate)
    cl["dry_bulb_c"].loc[{"slice": DESIGN_PEAK}] = 40.0
    cl["wet_bulb_c"].loc[{"slice": DESIGN_PEAK}] = 30.0
    dataset = replace(study.dataset, climate=cl, prices=_prices_with_peak(study.dataset.prices, study.dataset.prices))
    prep = prepare(study.scenario, dataset, study.catalog)
    assert prep.slice_day[DESIGN_PEAK] == DESIGN_PEAK and prep.hours[DESIGN_PEAK] == 0.0
    assert prep.duration_h[DESIGN_PEAK] == 24.0
    plan = siteplan.solve_built(siteplan.build_model(prep), prep, mip_rel_gap=0.0)
    assert check_plan(plan, prep) == []
    ds = plan.ds
    peak = ds.sel(slice=DESIGN_PEAK)
    assert float((peak["battery_discharge_mw"] - peak["battery_charge_mw"]).sum()) <= 1e-9
    assert list(ds["interconnect_class"].values) == ["big"]
    assert plan.objective == pytest.approx(5e6 + FACILITY_MW * 8760.0 * 100.0, rel=1e-9)

    m = siteplan.build_model(prep)
    m.battery_soc.deactivate()
    with pytest.warns(PlanInvariantWarning):
        free = siteplan.solve_built(m, prep, mip_rel_gap=0.0)
    # (free energy in every slice then: one battery unit powers the site; the grid connection is
    # still needed for the peak, whose firm capacity no battery provides)
    assert list(free.ds["interconnect_class"].values) == ["big"]
    assert float(free.ds["battery_units"].sum()) == 1
    assert free.objective == pytest.approx(5e6 + 500_000.0, rel=1e-9)
    assert any(f"day {DESIGN_PEAK}: state of charge ends the day" in v for v in free.violations), free.violations


def _problems(tmp_path, days, weight_h=(4380.0, 4380.0)):
    write_tiny(tmp_path, weight_h=weight_h, days=days)
    _, probs = load_dataset(tmp_path / "data", ["inf"], strict=False)
    return [(p.feature_id, p.field, p.message) for p in probs if p.file.endswith("climate.nc")]


@pytest.mark.parametrize("days,weight_h,feature,field,expect", [
    ([("d", 0, 12.0), ("d", 0, 12.0)], (4380.0, 4380.0), "d", "order_in_day", "orders 0..1, each once"),
    ([("d", 0, 12.0), ("d", 2, 12.0)], (4380.0, 4380.0), "d", "order_in_day", "orders 0..1"),
    ([("d", 0, 12.0), ("d", -1, 12.0)], (4380.0, 4380.0), "b", "order_in_day", "integer >= 0"),
    ([("d", 0, 12.0), ("d", 1, 0.0)], (4380.0, 4380.0), "b", "duration_h", "positive number of hours"),
    ([("d", 0, 12.0), ("d", 1, 13.0)], (4380.0, 4380.0), "d", "duration_h", "more than 24 h"),
    ([("d", 0, 12.0), ("d", 1, 12.0)], (4000.0, 4760.0), "d", "duration_h", "different numbers of days"),
    ([("d", 0, 12.0), ("", 0, 12.0)], (4380.0, 4380.0), "b", "day", "non-empty string"),
])
def test_bad_day_structure_is_reported(tmp_path, days, weight_h, feature, field, expect):
    probs = _problems(tmp_path, days, weight_h)
    assert any(f == feature and fld == field and expect in msg for f, fld, msg in probs), probs


def test_day_structure_is_all_or_nothing(tmp_path):
    write_tiny(tmp_path, days=[("d", 0, 12.0), ("d", 1, 12.0)])
    import xarray as xr
    nc = tmp_path / "data" / "climate.nc"
    ds = xr.load_dataset(nc, engine="scipy").drop_vars("order_in_day")
    ds.to_netcdf(nc, engine="scipy")
    _, probs = load_dataset(tmp_path / "data", ["inf"], strict=False)
    assert any(p.field == "order_in_day" and "needs all of" in p.message for p in probs), probs


def test_a_good_day_structure_loads(tmp_path):
    assert _problems(tmp_path, [("d", 1, 12.0), ("d", 0, 12.0)]) == []
    assert _problems(tmp_path / "x", [("d", 0, 11.0), ("d", 1, 11.0)]) == []  # days may be shorter than 24 h


def test_gridded_climate_keeps_its_day_structure(tmp_path):
    """The day structure of a gridded climate.nc survives interpolation at the sites."""
    import xarray as xr

    path = write_tiny(tmp_path)
    dry = np.full((2, 2, 2), 10.0)
    xr.Dataset({"dry_bulb_c": (("lat", "lon", "slice"), dry), "wet_bulb_c": (("lat", "lon", "slice"), dry - 5.0),
                "weight_h": ("slice", [4380.0, 4380.0]), "day": ("slice", np.array(["d", "d"], dtype=object)),
                "order_in_day": ("slice", np.array([1, 0], dtype=np.int32)), "duration_h": ("slice", [12.0, 12.0])},
               coords={"lat": [30.0, 32.0], "lon": [-98.0, -96.0], "slice": ["a", "b"]}
               ).to_netcdf(tmp_path / "data/climate.nc", engine="scipy")
    study = siteplan.load(path)
    days = slice_days(study.dataset.climate)
    assert days.loc["a"].tolist() == ["d", 1, 12.0] and days.loc["b"].tolist() == ["d", 0, 12.0]
