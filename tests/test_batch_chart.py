"""batch.png: one panel per swept axis with the other axes held at their base values, an emissions
row, zip groups as one axis; batch.csv numbers without -0.0 or blanks for absent costs (issue 18 #10)."""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from siteplan.batch.combine import batch_figure, batch_table, build_dataset  # noqa: E402
from siteplan.batch.sweep import load_sweep  # noqa: E402

SWEEP = Path(__file__).resolve().parents[1] / "models/sweeps/example.yaml"


def _cost(p):  # a made-up response: the carbon price and the demand both move the cost
    return 1e8 * p["demand_scale"] * (1 + p["carbon.price_usd_per_t"] / 100) + (5e6 if p["horizon_yr"] == 2 else 0)


def _records(sw):
    recs = []
    for i, s in enumerate(sw.specs):
        p = s.params
        recs.append({"id": s.id, "region": s.region, "params": p, "status": "optimal" if i else "failed",
                     "headline": {} if i == 0 else {
                         "objective_usd_per_yr": _cost(p), "it_mw": 100 * p["demand_scale"],
                         "emissions_t_per_yr": 1e5 * (1 - p["carbon.price_usd_per_t"] / 200),
                         "unmet_h100e": -0.0,
                         "cost_usd_per_yr": {"it": _cost(p)} | ({"carbon": 1.0} if p["carbon.price_usd_per_t"] else {})}})
    return recs


@pytest.fixture(scope="module")
def ds():
    sw = load_sweep(SWEEP)
    return build_dataset(sw, _records(sw), [pd.DataFrame({"site_id": []}) for _ in sw.specs]), sw


def test_held_values_are_the_base_scenarios(ds):
    _, sw = ds
    # example.yaml: carbon price 0, demand_scale 1.0, horizon_yr 4 (the zip's second position)
    assert sw.held_at == {"carbon.price_usd_per_t": 0, "demand_scale": 1.0, "horizon_yr": 4,
                          "water.allow_water_cooling": True}
    assert sw.axes == (("carbon.price_usd_per_t",), ("demand_scale",), ("horizon_yr", "water.allow_water_cooling"))


def test_one_panel_per_axis_with_the_others_held(ds):
    d, _ = ds
    fig = batch_figure(d)
    xlabels = {ax.get_xlabel() for ax in fig.axes}
    assert xlabels == {"carbon.price_usd_per_t", "demand_scale", "horizon_yr + water.allow_water_cooling"}
    assert len(fig.axes) == 3 * 3
    assert {ax.get_ylabel() for ax in fig.axes} >= {"annual cost ($M/yr)", "IT capacity (MW)", "emissions (kt CO2/yr)"}
    cost_vs_carbon = next(ax for ax in fig.axes if ax.get_xlabel() == "carbon.price_usd_per_t"
                          and ax.get_ylabel() == "annual cost ($M/yr)")
    (line,) = cost_vs_carbon.get_lines()
    # the others at demand 1.0 and horizon 4: 100 and 200 $M/yr, not an average over demand and horizon
    assert line.get_xdata().tolist() == [0.0, 100.0]
    assert line.get_ydata() == pytest.approx([100.0, 200.0])
    assert "demand_scale=1.0" in cost_vs_carbon.get_title()


def test_batch_csv_numbers_are_consistent(ds):
    d, _ = ds
    df = batch_table(d)
    ok = df["status"] == "optimal"
    assert not np.signbit(df.loc[ok, "unmet_h100e"]).any()  # -0.0 written as 0.0
    assert (df.loc[ok, "cost_carbon_usd_per_yr"].fillna(-1) >= 0).all()  # absent category: 0, not blank
    assert df.loc[~ok, "cost_it_usd_per_yr"].isna().all()  # a failed scenario: blank


def test_zip_panel_ticks_show_every_zipped_keys_value(ds):
    """A zip group's panel labels each position with all its keys' values (the first key's alone
    hid the second: horizon 2 and 4, not 2 / False and 4 / True)."""
    d, sw = ds
    fig = batch_figure(d)
    ax = next(a for a in fig.axes if a.get_xlabel() == "horizon_yr + water.allow_water_cooling")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    zipped = sorted({(s.params["horizon_yr"], s.params["water.allow_water_cooling"]) for s in sw.specs})
    assert labels == [f"{h:g} / {w}" for h, w in zipped], labels


def test_batch_csv_mip_gap_noise_is_zero(ds):
    d, _ = ds
    d = d.copy()
    gap = d["mip_gap"].values.copy()
    gap[1:] = [1e-16, -2e-17, 0.015][: len(gap) - 1] + [0.0] * max(0, len(gap) - 4)
    d["mip_gap"] = ("scenario", gap)
    tab = batch_table(d)
    assert tab["mip_gap"].iloc[1] == 0.0 and tab["mip_gap"].iloc[2] == 0.0
    assert tab["mip_gap"].iloc[3] == 0.015
