"""The decision gap: the gap on the cost plans can differ in (siteplan.solve.decision_gap)."""

import math

import pytest

import siteplan
from siteplan.solve.decision_gap import decision_gap, unavoidable_cost
from siteplan.prepare import prepare
from tiny import site, solve_checked, write_tiny

H = 8760.0
RACK_1M = {"rack_types": {"r1": {"capex_usd_per_rack": 1e6}},
           "cooling_designs": {"liquid": {"capex_usd_per_mw_it": 200000.0}}}


def test_unavoidable_cost_by_hand(tmp_path):
    # 10 H100e of demand; a rack (1 H100e, 1 MW) costs $1M, air cooling nothing, facility nothing:
    # every plan pays at least 10 x $1M. The plan adds the $1M connection and 11 MW x 8760 h x $100.
    plan, prep = solve_checked(write_tiny(tmp_path, catalog=RACK_1M))
    assert unavoidable_cost(prep) == pytest.approx(10e6)
    assert plan.result.unavoidable_usd_per_yr == pytest.approx(10e6)
    assert plan.objective == pytest.approx(10e6 + 1e6 + 11 * H * 100, rel=1e-9)
    assert plan.result.decision_gap == pytest.approx(0.0, abs=1e-6)  # proven optimal
    assert plan.ds.attrs["unavoidable_usd_per_yr"] == pytest.approx(10e6)
    assert "decision gap" in plan.summary()


def test_decision_gap_is_the_gap_times_objective_over_avoidable():
    objective, bound, unavoidable = 20.636e6, 20.5e6, 10e6
    gap = (objective - bound) / objective
    assert decision_gap(objective, bound, unavoidable) == pytest.approx(gap * objective / (objective - unavoidable))
    assert decision_gap(objective, objective, unavoidable) == 0.0
    assert math.isnan(decision_gap(objective, bound, math.nan))


def test_unreachable_demand_is_unavoidable_at_the_penalty(tmp_path):
    # no site within the 1 ms limit: all 10 H100e go unmet at $10M each, whatever the plan
    lat = [dict(site_id="s1", region_id="r1", rtt_ms=5.0)]
    path = write_tiny(tmp_path, latency=lat, catalog=RACK_1M, scenario={"workloads": {"inf": {"max_rtt_ms": 1.0}}})
    plan, prep = solve_checked(path)
    assert unavoidable_cost(prep) == pytest.approx(10 * 1e7)
    assert plan.objective == pytest.approx(10 * 1e7)
    assert plan.result.decision_gap == 0.0


def test_cheaper_than_serving_demand_is_bounded_by_the_penalty(tmp_path):
    # a $20M rack is dearer than the $10M penalty: the bound takes the penalty
    path = write_tiny(tmp_path, catalog={"rack_types": {"r1": {"capex_usd_per_rack": 2e7}}})
    study = siteplan.load(path)
    assert unavoidable_cost(prepare(study.scenario, study.dataset, study.catalog)) == pytest.approx(10 * 1e7)


def test_max_profit_has_no_unavoidable_cost(tmp_path):
    path = write_tiny(tmp_path, scenario={"objective": "max_profit", "gpu_hour_price_usd": 200.0})
    plan, prep = solve_checked(path)
    assert math.isnan(unavoidable_cost(prep)) and math.isnan(plan.result.decision_gap)


def test_solve_stops_at_the_decision_gap():
    """With a target decision gap, HiGHS is stopped once (objective - bound) <= target x (objective -
    unavoidable), and the plan counts as optimal for that target. On the example, the first
    incumbents are 30 % and 3 % from the bound on the avoidable cost (~$28M/yr), so a 50 % and a 5 %
    target stop before the proof that a full solve reaches."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "models/example.yaml"
    full = siteplan.solve(example, set_values={"solver.mip_rel_gap": 0.0})
    assert full.result.highs_status == "Optimal" and full.result.decision_gap == pytest.approx(0.0, abs=1e-9)
    for target in (0.5, 0.05):
        # (no LP-guided start: it finds the optimum of this small study before the first check)
        plan = siteplan.solve(example, set_values={"solver.mip_rel_gap": 0.0, "solver.decision_gap": target,
                                                   "solver.mip_start": False})
        r = plan.result
        assert r.termination.value == "optimal"
        assert r.highs_status == f"Optimal within the decision gap {target:.2%}"
        assert 0 < r.decision_gap <= target
        assert r.objective - r.best_bound <= target * (r.objective - r.unavoidable_usd_per_yr) + 1e-6
        assert r.objective > full.objective  # stopped before the proven optimum
        assert plan.violations == []


def test_compare_two_plans(tmp_path):
    """siteplan.results.compare on two hand-solved plans: one grid-fed, one forced onto gas."""
    from siteplan.results.compare import compare, write_comparison

    grid, _ = solve_checked(write_tiny(tmp_path / "grid", scenario={"onsite": ["gas"]}))
    slow = {"interconnect_classes": {"small": {"lead_time_yr": 5}, "big": {"lead_time_yr": 5}}}
    gas, _ = solve_checked(write_tiny(tmp_path / "gas", catalog=slow, scenario={"onsite": ["gas"]}))
    cmp = compare(grid, gas, names=("grid", "gas"))
    # grid: $1M connection + 11 MW x 8760 h x $100; gas: 3 units x $5M + 11 MW x 8760 h x $50
    assert cmp.totals.at["annual cost (USD/yr)", "grid"] == pytest.approx(1e6 + 11 * H * 100)
    assert cmp.totals.at["annual cost (USD/yr)", "gas"] == pytest.approx(15e6 + 11 * H * 50)
    assert cmp.totals.at["annual cost (USD/yr)", "gas - grid"] == pytest.approx(15e6 + 11 * H * 50 - 1e6 - 11 * H * 100)
    assert cmp.sites.at["s1", "change"] == "repowered"
    assert cmp.sites.at["s1", "grid MW grid"] == pytest.approx(11.0) and cmp.sites.at["s1", "on-site MW gas"] == 15.0
    assert cmp.costs.at["grid_energy", "gas - grid"] == pytest.approx(-11 * H * 100)
    assert cmp.costs.at["onsite_capex", "gas - grid"] == pytest.approx(15e6)
    assert "gas costs $9.2M/yr more than grid" in cmp.text
    assert "grid 11 -> 0 MW contracted, on-site 0 -> 15 MW" in cmp.text
    md, png = write_comparison(cmp, tmp_path / "cmp")
    assert "| s1 | repowered |" in md.read_text() and png.stat().st_size > 1000
    same = compare(grid, grid)
    assert (same.sites["change"] == "same").all() and "cost the same" in same.text


def test_compare_cli(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from siteplan.results.folder import write_results

    a_path = write_tiny(tmp_path / "a")
    b_path = write_tiny(tmp_path / "b", sites=[site("s1", max_it_mw=5.0)])
    for path, out in ((a_path, tmp_path / "ra"), (b_path, tmp_path / "rb")):
        study = siteplan.load(path)
        write_results(siteplan.solve(study), study, out)
    run = subprocess.run([sys.executable, "-m", "siteplan", "compare", str(tmp_path / "ra"), str(tmp_path / "rb"),
                          "--out", str(tmp_path / "cmp")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "rb costs" in run.stdout and "more than ra" in run.stdout and "1 resized" in run.stdout
    assert Path(tmp_path / "cmp" / "compare.md").exists()
