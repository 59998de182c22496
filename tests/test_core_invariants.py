"""The invariant checker catches each rule a plan can break, and every solve runs it.

Each case removes one of siteplan's constraints from a real model (as a careless user extension
could), solves it with HiGHS, and expects the checker to name the broken rule; the tampered-plan
cases break the decisions of a solved plan directly.
"""

from pathlib import Path

import numpy as np
import pytest

import siteplan
from siteplan.errors import PlanInvariantWarning
from siteplan.invariants import check_plan
from siteplan.prepare import prepare

EXAMPLE = Path(__file__).resolve().parents[1] / "models/example.yaml"


def _solve_without(set_values, drop):
    study = siteplan.load(EXAMPLE, (), set_values)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    for name in drop:
        getattr(m, name).deactivate()
    with pytest.warns(PlanInvariantWarning) as rec:
        plan = siteplan.solve_built(m, prep)
    assert plan.violations == check_plan(plan, prep) != []
    assert str(len(plan.violations)) in str(rec[0].message)
    assert any(line.startswith("INVARIANT VIOLATED") for line in plan.summary().splitlines())
    return plan


@pytest.mark.parametrize("set_values,drop,expect", [
    # without the node balance, imports need no supply or corridor behind them
    ({"demand_scale": 4}, ("node_balance",), "supply + inflow - outflow - load"),
    ({"carbon.cap_t_per_yr": 50000}, ("carbon_cap",), "emissions"),
    ({"water.cap_m3_per_yr": 1000, "cooling_designs": ["air_economizer", "rear_door"]}, ("total_water_cap",),
     "total water"),
    # free energy out of batteries: more out than in over a representative day
    ({"onsite": ["battery"], "horizon_yr": 1.5}, ("battery_soc",), "no energy carried across days"),
    # a store without its MWh limit: a few MW of units shift whole days of energy
    ({"onsite": ["battery"], "energy_price_scale": 3}, ("battery_soc_cap",), "more than the"),
])
def test_a_removed_constraint_is_caught(set_values, drop, expect):
    plan = _solve_without(set_values, drop)
    assert any(expect in v for v in plan.violations), plan.violations


@pytest.fixture(scope="module")
def solved():
    study = siteplan.load(EXAMPLE)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    plan = siteplan.solve_built(siteplan.build_model(prep), prep)
    assert plan.violations == [] and plan.ds.attrs["invariant_violations"] == ""
    return plan, prep


def _tampered(solved, fn):
    plan, prep = solved
    ds = plan.ds.copy(deep=True)
    fn(ds)
    return check_plan(type(plan)(plan.result, ds, *[None] * 6), prep)


def _open_site(ds):
    return str(ds["site"].values[int(np.argmax(ds["open"].values))])


def test_racks_with_a_design_not_chosen(solved):
    def fn(ds):
        s = _open_site(ds)
        k = next(k for k in ds["cooling"].values if ds["design_chosen"].sel(site=s, cooling=k) == 0)
        ds["racks"].loc[dict(site=s, cooling=k)] = 1
    assert any("that is not chosen" in v for v in _tampered(solved, fn))


def test_rack_too_hot_for_its_design(solved):
    plan, prep = solved
    cat = prep.catalog
    hot = [(g, k) for g in plan.ds["rack_type"].values for k in plan.ds["cooling"].values
           if cat.rack_types[g].rack_kw > cat.cooling_designs[k].max_rack_kw]
    assert hot, "the example should have a rack type some design cannot cool"
    g, k = hot[0]

    def fn(ds):
        s = _open_site(ds)
        ds["design_chosen"].loc[dict(site=s)] = 0
        ds["design_chosen"].loc[dict(site=s, cooling=k)] = 1
        ds["racks"].loc[dict(site=s)] = 0
        ds["racks"].loc[dict(site=s, rack_type=g, cooling=k)] = 1
    assert any(f"rack type {g}" in v and f"with design {k}" in v for v in _tampered(solved, fn))


def test_import_through_a_substation_not_connected(solved):
    def fn(ds):
        s = _open_site(ds)
        ic = ds["interconnect_substation"].values.astype(object)
        i = list(ds["site"].values).index(s)
        ic[i] = next(b for b in ds["substation"].values if b != ic[i])
        ds["interconnect_substation"] = ("site", ic)
    out = _tampered(solved, fn)
    assert any("not the site's interconnect" in v for v in out), out


def test_supply_above_its_limit(solved):
    def fn(ds):
        b = str(ds["substation"].values[int(np.argmax(ds["substation_supply_mw"].max("slice").values))])
        ds["supply_limit_mw"].loc[dict(substation=b)] = 0.0
    assert any("> supply_mw 0" in v for v in _tampered(solved, fn))
