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
from siteplan.results.invariants import check_plan
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
    ({"carbon.cap_t_per_yr": 50000}, ("carbon_cap",), "emissions"),
    ({"water.cap_m3_per_yr": 1000, "cooling_designs": ["air_economizer", "rear_door"]}, ("total_water_cap",),
     "total water"),
    # capacity sized on the average draw (utilisation 0.8) instead of nameplate at the design peak
    ({}, ("firm_cover",), "(nameplate IT x peak share x design-peak PUE) > firm"),
    # on-site plant without its redundant unit (no grid class within 1.5 yr: gas carries the peak)
    ({"horizon_yr": 1.5, "onsite": ["gas_turbine_mobile", "gas_recip"]}, ("reserve_largest",), "- largest unit"),
    # free energy out of batteries: more out than in over a representative day
    ({"onsite": ["battery"]}, ("battery_soc",), "no energy carried across days"),
    # a store without its MWh limit: a few MW of units shift whole days of energy (prices x 5: at the
    # 2025-$ battery cost a store pays only on wide price swings)
    ({"onsite": ["battery"], "energy_price_scale": 5}, ("battery_soc_cap",), "more than the"),
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
    _, prep = solved

    def fn(ds):
        b = str(ds["substation"].values[int(np.argmax(ds["substation_supply_mw"].max("slice").values))])
        ds["substation_supply_mw"].loc[dict(substation=b)] = float(prep.supply_mw_t.loc[b].max()) + 5.0
    assert any("MW > supply_mw" in v for v in _tampered(solved, fn))


def test_import_above_the_contract(solved):
    def fn(ds):
        s = _open_site(ds)
        ds["interconnect_contracted_mw"].loc[dict(site=s)] = 0.5 * float(ds["grid_import_mw"].sel(site=s).max())
    out = _tampered(solved, fn)
    assert any("contracted" in v and "above" in v for v in out), out


def test_circulating_flow_is_caught():
    from siteplan.solve.flows import circulating, least_flows

    nodes, fr, to = ["a", "b", "c"], ["a", "b", "c"], ["b", "c", "a"]
    # 5 MW delivered from a to c: the least flow goes straight along c->a reversed, nothing circulates
    flow, supply = least_flows(nodes, fr, to, np.array([10.0, 10.0, 10.0]), np.array([100.0, 0.0, 0.0]),
                               np.array([[0.0], [0.0], [5.0]]))
    assert flow[:, 0].tolist() == pytest.approx([0.0, 0.0, -5.0])
    assert supply[:, 0].tolist() == pytest.approx([5.0, 0.0, 0.0])
    assert circulating(nodes, fr, to, flow) == []
    # the same delivery plus 8 MW around the triangle a->b->c->a still balances every node
    assert circulating(nodes, fr, to, flow + 8.0) == [0]


def test_corridor_flows_in_a_plan_do_not_circulate(solved):
    def fn(ds):
        ds["corridor_peak_flow_mw"].values[:] = 0.0
        ds["substation_peak_supply_mw"].values[:] = 0.0
    out = _tampered(solved, fn)
    assert any("contracts not delivered at peak" in v for v in out), out


@pytest.mark.parametrize("drop,expect", [
    # two 11 MW peaks on 15 MW of headroom, without paying for upgrades
    ("headroom", "upgraded > headroom"),
    # contracts with no supply or corridor behind them (the sites' substation has no supply and its
    # one corridor carries 6 MW)
    ("node_balance", "contracts not delivered at peak"),
])
def test_a_removed_grid_constraint_is_caught(tmp_path, drop, expect):
    from tiny import site, sub, write_tiny

    head = 15.0 if drop == "headroom" else 1000.0
    subs = [sub("b_site", supply_mw=0.0, headroom_mw=head), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0)]
    cap = 6.0 if drop == "node_balance" else 1000.0
    sites = [site("s1", max_it_mw=10.0), site("s2", lon=-97.01, max_it_mw=10.0)]
    path = write_tiny(tmp_path, sites=sites, substations=subs, corridors=[("c1", "b_gen", "b_site", cap)],
                      demand_gpus=20.0,
                      scenario={"interconnect": {"max_options_per_site": 1, "allow_upgrades": False}})
    study = siteplan.load(path)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    getattr(m, drop).deactivate()
    with pytest.warns(PlanInvariantWarning):
        plan = siteplan.solve_built(m, prep)
    assert any(expect in v for v in plan.violations), plan.violations


def test_corridor_flow_above_its_rating_in_a_slice(solved):
    _, prep = solved

    def fn(ds):
        e, t = str(ds["corridor"].values[0]), str(ds["slice"].values[0])
        ds["corridor_flow_mw"].loc[dict(corridor=e, slice=t)] = float(prep.corridor_mw_t.loc[e, t]) + 1.0
    out = _tampered(solved, fn)
    assert any("flow" in v and "> capacity" in v for v in out), out
