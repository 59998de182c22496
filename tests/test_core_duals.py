"""Values of limits from the LP with the integer decisions fixed (siteplan.solve.duals), on tiny studies
worked out by hand (tests/tiny.py conventions: 1 rack = 1 MW IT = 1 H100e, PUE 1.1 at 10 C, two
slices of 4380 h, gas at 10 MMBtu/MWh x $5 = $50/MWh, 5 MW units at $5M/yr)."""

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

import siteplan
from siteplan.solve.duals import LIMITS, fixed_lp_duals, limit
from siteplan.prepare import prepare
from siteplan.results.folder import read_results, write_results
from siteplan.solve import compile_model, solve_model
from tiny import site, solve_checked, sub, write_tiny

HALF = 4380.0  # hours per slice


def _corridor_study(root, cap_mw=6.5, price=30.0, **kw):
    """Site s1 at b_site (no supply of its own); power from b_gen over corridor c1 (cap_mw) or gas.

    10 racks need 11 MW of facility power. Grid energy costs `price` USD/MWh, gas $50/MWh: the
    corridor is used to its capacity and one 5 MW gas unit covers the other 11 - cap_mw MW.
    """
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0)]
    return write_tiny(root, substations=subs, corridors=[("c1", "b_gen", "b_site", cap_mw)], price=price,
                      scenario={"onsite": ["gas"], "interconnect": {"max_options_per_site": 1}}, **kw)


def _fixed_cost(path, plan):
    """The objective with every integer decision fixed at the plan's values (the fixed-integer LP)."""
    from siteplan.solve.warmstart import start_values

    study = siteplan.load(path)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    for v, val in start_values(m, plan):
        v.fix(val)
    res = solve_model(m)
    assert res.optimal
    return res.objective


def test_binding_corridor_value_equals_the_finite_difference(tmp_path):
    plan, _ = solve_checked(_corridor_study(tmp_path / "base"))
    # by hand: 1M big tier + 5M gas unit + 6.5 MW x 8760 h x $30 + 4.5 MW x 8760 h x $50
    assert plan.objective == pytest.approx(1e6 + 5e6 + 6.5 * 2 * HALF * 30 + 4.5 * 2 * HALF * 50, rel=1e-9)
    assert plan.ds.attrs["duals_status"] == "optimal"
    # one more MW over c1 is one more MW of contract delivered, replacing 1 MW of gas by grid all
    # year: (50 - 30) x 8760 = 175,200 USD/yr per MW
    value = float(plan.ds["value_corridor_usd_per_mw_yr"].sel(corridor="c1"))
    assert value == pytest.approx(20 * 2 * HALF, rel=1e-9)
    # finite difference: the same integer decisions with a 7.5 MW corridor
    wider = _corridor_study(tmp_path / "wider", cap_mw=7.5)
    assert _fixed_cost(wider, plan) == pytest.approx(plan.objective - value, rel=1e-9)
    # the supply behind it and the interconnect (20 MW class) do not bind; site size is integer decisions only
    assert float(plan.ds["value_supply_usd_per_mw_yr"].sel(substation="b_gen")) == 0.0
    assert float(plan.ds["value_interconnect_usd_per_mw_yr"].sel(site="s1")) == 0.0
    assert np.isnan(float(plan.ds["value_site_mw_usd_per_mw_yr"].sel(site="s1")))


def test_binding_supply_bound_is_valued_and_a_slack_one_is_zero(tmp_path):
    # As above, but b_gen may inject only 6 MW: the supply bound binds (the 6.5 MW corridor does not)
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=6.0)]
    path = write_tiny(tmp_path, substations=subs, corridors=[("c1", "b_gen", "b_site", 6.5)], price=30.0,
                      scenario={"onsite": ["gas"], "interconnect": {"max_options_per_site": 1}})
    plan, _ = solve_checked(path)
    assert float(plan.ds["value_supply_usd_per_mw_yr"].sel(substation="b_gen")) == pytest.approx(20 * 2 * HALF)
    assert float(plan.ds["value_corridor_usd_per_mw_yr"].sel(corridor="c1")) == 0.0


def test_raw_duals_are_keyed_by_component_and_index(tmp_path):
    study = siteplan.load(_corridor_study(tmp_path))
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    res = solve_model(m)
    d = res.duals
    assert d.ok and d.objective == pytest.approx(res.objective, rel=1e-9)
    assert res.timings.duals_s > 0
    # HiGHS's sign: d objective / d bound. peak_flow_mw at its upper bound: raising it lowers the cost
    assert d.column("peak_flow_mw") == {"c1": pytest.approx(-20 * 2 * HALF)}
    # one more MW of facility demand at s1 in a slice is met by gas: 50 x 4380
    assert d.row(m.power_balance)[("s1", "a")] == pytest.approx(50 * HALF)
    assert d.row("power_balance") == d.row(m.power_balance)
    assert d.value(limit("corridor capacity"))["c1"] == pytest.approx(20 * 2 * HALF)
    assert d.value("max sites") == {}  # no such component in this model
    # every row of the compiled matrix names its Pyomo constraint
    cm = compile_model(m)
    assert len(cm.rows) == cm.A.shape[0]
    assert {c.parent_component().name for c in cm.rows} >= {"power_balance", "node_balance", "import_cap"}


def test_circulating_looking_flow_with_slack_capacity_is_not_binding(tmp_path):
    """A ring of three corridors around the supply: power may reach b_site both ways round and
    nothing pins the split, so flows can sit at capacity on some corridors (the old report counted
    those as binding). With ample total capacity, no corridor has any value."""
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0),
            sub("b_mid", lon=-97.2, lat=31.3, supply_mw=0.0)]
    cors = [("c1", "b_gen", "b_site", 11.0), ("c2", "b_gen", "b_mid", 11.0), ("c3", "b_mid", "b_site", 11.0)]
    path = write_tiny(tmp_path, substations=subs, corridors=cors, price=30.0,
                      scenario={"onsite": ["gas"], "interconnect": {"max_options_per_site": 1}})
    plan, _ = solve_checked(path)
    assert plan.ds["onsite_units"].sum().item() == 0  # the grid carries all 11 MW
    v = plan.ds["value_corridor_usd_per_mw_yr"].values
    np.testing.assert_array_equal(v, np.zeros(3))
    from siteplan.export.report import report_blocks

    rows = {r[0]: r for b in report_blocks(plan) if b.kind == "table" and b.extra.get("id") == "limits"
            for r in b.table.rows}
    # not "binds", and not plain "slack" where the least flow fills a corridor: that routing is one of many
    assert rows["corridor capacity"][3] in ("slack", "no value; 1 full in the routing shown (another routing may "
                                                     "leave room)")
    assert "binds" not in rows["corridor capacity"][3]


def test_binding_headroom_is_worth_the_upgrade_it_saves(tmp_path):
    # 5 MW of headroom, 11 MW peak: 6 MW of upgrades at $1M/MW (test_core_handsolved). One more MW
    # of headroom saves one MW of upgrade: 1M USD/yr per MW (lifetime 1 yr, rate 0).
    path = write_tiny(tmp_path / "base", substations=[sub("b1", headroom_mw=5.0)])
    plan, _ = solve_checked(path)
    value = float(plan.ds["value_headroom_usd_per_mw_yr"].sel(substation="b1"))
    assert value == pytest.approx(1e6, rel=1e-9)
    wider = write_tiny(tmp_path / "wider", substations=[sub("b1", headroom_mw=6.0)])
    assert _fixed_cost(wider, plan) == pytest.approx(plan.objective - value, rel=1e-9)


def test_slack_limits_have_value_zero_and_integer_only_limits_are_not_priced(tmp_path):
    # Two 10 MW sites (11 MW peaks), 20 H100e of demand, headroom 30 MW: contracts of 11 MW each fit,
    # so the headroom row cannot bind and is not even built: value 0. max_sites is a row of open
    # binaries only, which the fixed-integer LP cannot price: NaN, not 0.
    sites = [site("s1", max_it_mw=10.0), site("s2", lon=-97.01, max_it_mw=10.0)]
    path = write_tiny(tmp_path, sites=sites, substations=[sub("b1", headroom_mw=30.0)], demand_gpus=20.0,
                      scenario={"onsite": ["gas"], "limits": {"max_sites": 5}, "carbon": {"cap_t_per_yr": 1e9}})
    plan, _ = solve_checked(path)
    ds = plan.ds
    assert float(ds["value_headroom_usd_per_mw_yr"].sel(substation="b1")) == 0.0
    assert np.isnan(float(ds["value_max_sites_usd_per_site_yr"]))  # a row of open binaries only
    assert float(ds["value_carbon_cap_usd_per_t"]) == 0.0  # 1e9 t: slack
    built = ds["interconnect_substation"].values != ""
    assert (ds["value_interconnect_usd_per_mw_yr"].values[built] == 0.0).all()
    assert np.isnan(ds["value_interconnect_usd_per_mw_yr"].values[~built]).all()  # no interconnect, no value


def test_values_round_trip_through_a_results_folder(tmp_path):
    path = _corridor_study(tmp_path / "s")
    study = siteplan.load(path)
    plan = siteplan.solve(study)
    write_results(plan, study, tmp_path / "out")
    back = read_results(tmp_path / "out")
    names = [v for v in plan.ds.data_vars if v.startswith("value_")]
    assert len(names) == 9
    for v in names:
        xr.testing.assert_identical(plan.ds[v], back.ds[v])
    assert back.ds.attrs["duals_status"] == "optimal"
    assert back.result.timings.duals_s == pytest.approx(plan.result.timings.duals_s)
    assert plan.result.duals is None  # the Plan keeps values, not the Pyomo rows


def test_an_infeasible_fixed_lp_is_skipped_with_nan_and_a_note(tmp_path):
    study = siteplan.load(_corridor_study(tmp_path))
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    solve_model(m)
    cm = compile_model(m)
    x = np.array([v.value for v in cm.columns])
    racks = [i for i, v in enumerate(cm.columns) if v.parent_component().name == "racks" and v.value > 0]
    x[racks] += 5  # 15 racks need 16.5 MW: more than the corridor and the one gas unit deliver
    d = fixed_lp_duals(cm, x, model=m)
    assert d.status.startswith("skipped") and not d.ok
    assert all(np.isnan(v) for v in d.value("corridor capacity").values())
    # the same through the Plan: NaN values, a note, the plan itself unharmed
    from siteplan.results.plan import extract_plan
    from siteplan.solve import SolveResult, Termination

    res = SolveResult(Termination.OPTIMAL, "Optimal", 0.0, 0.0, 0.0, True, 0, 0, 0, 0, 0, duals=d)
    plan = extract_plan(m, prep, res)
    assert np.isnan(plan.ds["value_corridor_usd_per_mw_yr"].values).all()
    assert "no values of limits" in plan.ds.attrs["notes"]


def test_limits_table_names_components_of_the_model(tmp_path):
    """Every family of the table is a component of a model that has all of them (guards renames)."""
    sites = [site("s1", water_limit_m3_per_yr=1e9)]
    wet = {"cooling_designs": {"air": {"wue_curve": {"wet_bulb_c": [0, 30], "wue_l_per_kwh": [1.0, 1.0]}}}}
    path = write_tiny(tmp_path, sites=sites, catalog=wet, corridors=[("c1", "b1", "b2", 50.0)],
                      substations=[sub("b1", headroom_mw=30.0), sub("b2", lat=31.02)],
                      scenario={"limits": {"max_sites": 1}, "carbon": {"cap_t_per_yr": 1e9},
                                "water": {"cap_m3_per_yr": 1e9}})
    study = siteplan.load(path)
    m = siteplan.build_model(prepare(study.scenario, study.dataset, study.catalog))
    for lim in LIMITS:
        comp = m.component(lim.component)
        assert comp is not None, lim
        assert comp.ctype is (pyo.Constraint if lim.kind == "row" else pyo.Var), lim


def test_report_and_map_show_what_headroom_is_worth(tmp_path):
    """The 5 MW headroom of test_binding_headroom_is_worth_the_upgrade_it_saves is worth $1M/MW-yr:
    the report's 'what would change this plan' table lists it first and the map rings the substation."""
    from matplotlib.text import Text

    from siteplan.export.report import report_blocks
    from siteplan.export.staticmap import render_map

    plan, _ = solve_checked(write_tiny(tmp_path, substations=[sub("b1", headroom_mw=5.0)]))
    rows = next(b.table.rows for b in report_blocks(plan) if b.kind == "table" and b.extra.get("id") == "values")
    assert rows[0] == ["substation headroom", "b1", "1,000,000", "MW"]
    texts = [t.get_text() for t in render_map(plan).findobj(Text)]
    assert "headroom worth up to $1,000k/MW-yr" in texts
    # no value, no ring and a sentence instead of the table
    plan, _ = solve_checked(write_tiny(tmp_path / "loose", substations=[sub("b1", headroom_mw=500.0)]))
    assert not any(b.extra.get("id") == "values" for b in report_blocks(plan) if b.kind == "table")
    assert not any(t.startswith("headroom worth") for t in (x.get_text() for x in render_map(plan).findobj(Text)))


def test_a_corridor_full_in_the_routing_shown_is_neither_slack_nor_at_its_limit():
    # the report's corridor flow is the least flow that delivers the contracts, one routing of many:
    # at capacity with no value it says so; with room it is slack; with a value it binds
    from siteplan.export.report import FULL_IN_ROUTING_WORDS, _corridor_status

    v = np.array([0.0, 0.0, 5e4])
    assert _corridor_status(v, 0, 137.0, 137.0) == FULL_IN_ROUTING_WORDS
    assert _corridor_status(v, 1, 67.3, 137.0) == "slack"
    assert _corridor_status(v, 2, 137.0, 137.0).startswith("**binds**")
