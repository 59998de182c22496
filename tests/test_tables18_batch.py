"""batch.csv and batch_sites.csv write numbers as sites.csv does (issue 18, review item 10): rounded by
unit, no -0.0, counts as integers, booleans True/False, a failed scenario's figures empty."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siteplan.batch.combine import batch_table, build_dataset, sites_table
from siteplan.batch.sweep import load_sweep

SWEEP = Path(__file__).resolve().parents[1] / "models/sweeps/example.yaml"


def _records(sw):
    recs = []
    for i, s in enumerate(sw.specs):
        head = {} if i == 0 else {
            "objective_usd_per_yr": 407236456.271234567, "best_bound_usd_per_yr": 407235293.7099,
            "mip_gap": 2.854321e-06, "open_sites": 3, "it_mw": 53.5920000001, "compute_h100e": 73080.0,
            "gpus": 29232.0, "demand_h100e": 73000.0, "unmet_h100e": -0.0, "emissions_t_per_yr": 155870.40012,
            "water_m3_per_yr": -0.0, "interconnect_mw": 63.667312345, "onsite_mw": 0.0,
            "cost_usd_per_yr": {"it_equipment": 315224493.7234, "carbon": -0.0},
            "timings_s": {"prepare": 0.0523456, "build": 0.02, "handoff": 0.007, "solve": 1.2391234,
                          "extract": 0.187, "total": 1.521}}
        recs.append({"id": s.id, "region": s.region, "params": s.params, "status": "failed" if i == 0 else "optimal",
                     "headline": head, "wall_s": None if i == 0 else 3.91812345})
    return recs


def _sites(i):
    if i == 0:  # the failed scenario has no sites.csv
        return pd.DataFrame()
    return pd.DataFrame({"name": ["Abilene", "Amarillo"], "site_id": ["tx_abilene", "tx_amarillo"],
                         "open": [True, False], "design": ["Direct-to-chip liquid", np.nan],
                         "it_mw": [53.5920000001, -0.0], "gpus": [29232, 0], "racks_gb200_nvl72": [406, 0],
                         "units_gas_recip": [13, 0], "cost_usd_per_yr": [407236456.271, -0.0]})


@pytest.fixture(scope="module")
def ds():
    sw = load_sweep(SWEEP)
    return build_dataset(sw, _records(sw), [_sites(i) for i in range(len(sw.specs))])


def _csv(df):
    text = df.to_csv(index=False)
    return text, list(csv.DictReader(io.StringIO(text)))


def test_batch_csv_rounded_by_unit_with_integer_counts(ds):
    text, rows = _csv(batch_table(ds))
    assert "-0.0" not in text
    failed, ok = rows[0], rows[1]
    assert failed["status"] == "failed" and failed["open_sites"] == "" and failed["gpus"] == "" \
        and failed["objective_usd_per_yr"] == ""
    assert ok["open_sites"] == "3" and ok["gpus"] == "29232"  # counts: not 3.0
    assert ok["objective_usd_per_yr"] == "407236456.27"  # money to the cent, as sites.csv
    assert ok["it_mw"] == "53.592" and ok["interconnect_mw"] == "63.6673"  # MW to 0.1 kW, as sites.csv
    assert ok["emissions_t_per_yr"] == "155870.4"
    assert ok["solve_s"] == "1.239" and ok["wall_s"] == "3.918"  # seconds to the millisecond
    assert float(ok["mip_gap"]) == 3e-06  # a relative gap to 0.0001 %
    assert ok["unmet_h100e"] == "0.0" and ok["cost_carbon_usd_per_yr"] == "0.0"
    assert ok["cost_it_equipment_usd_per_yr"] == "315224493.72"
    # swept values as given; a swept boolean True/False
    assert ok["water.allow_water_cooling"] in ("True", "False")


def test_batch_sites_csv_booleans_counts_and_name_first(ds):
    text, rows = _csv(sites_table(ds))
    assert "-0.0" not in text
    cols = list(rows[0])
    assert cols.index("name") + 1 == cols.index("site_id")
    assert {r["open"] for r in rows} == {"True", "False"}  # as sites.csv, not 1/0
    first = next(r for r in rows if r["site_id"] == "tx_abilene")
    assert first["racks_gb200_nvl72"] == "406" and first["units_gas_recip"] == "13" and first["gpus"] == "29232"
    assert first["it_mw"] == "53.592" and first["cost_usd_per_yr"] == "407236456.27"
    closed = next(r for r in rows if r["site_id"] == "tx_amarillo")
    assert closed["it_mw"] == "0.0" and closed["cost_usd_per_yr"] == "0.0" and closed["design"] == ""


def test_batch_nc_keeps_open_a_boolean(ds, tmp_path):
    assert ds["site_open"].dtype == bool
    ds.to_netcdf(tmp_path / "batch.nc")
    back = xr.load_dataset(tmp_path / "batch.nc")
    assert back["site_open"].dtype == bool
    assert back["site_open"].values.tolist() == ds["site_open"].values.tolist()
    _, rows = _csv(sites_table(back))
    assert {r["open"] for r in rows} == {"True", "False"}
