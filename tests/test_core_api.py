"""End-to-end use of the API and CLI on the bundled example: determinism, extension, results folder."""

import json
import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest
import xarray as xr

import siteplan
from siteplan.errors import SolveError
from siteplan.results.invariants import check_plan
from siteplan.prepare import prepare
from tiny import site, write_tiny

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "models/example.yaml"
TIMING_ATTRS = ("build_s", "handoff_s", "solve_s", "prepare_s", "extract_s", "duals_s")


def _solve(path, overrides=()):
    study = siteplan.load(path, overrides)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    plan = siteplan.solve_built(siteplan.build_model(prep), prep)
    assert check_plan(plan, prep) == []
    return plan


def _strip(ds):
    ds = ds.copy()
    for a in TIMING_ATTRS:
        ds.attrs.pop(a, None)
    return ds


def test_example_solves_and_is_deterministic():
    a, b = _solve(EXAMPLE), _solve(EXAMPLE)
    assert a.result.optimal
    xr.testing.assert_identical(_strip(a.ds), _strip(b.ds))
    assert a.ds["open"].sum() >= 1
    assert float(a.ds["unmet_h100e"].sum()) == 0.0


@pytest.mark.parametrize("override", ["carbon_price", "grid_now", "no_water"])
def test_example_overrides_solve_consistently(override):
    plan = _solve(EXAMPLE, (override,))
    if override == "grid_now":
        # with a 2-year horizon only 69 and 115 kV connections (lead time 2 yr) exist
        assert set(plan.ds["interconnect_class"].values) <= {"", "kv069", "kv115"}
        assert plan.ds["interconnect_contracted_mw"].max() <= 170.0 + 1e-6
    if override == "no_water":
        assert float(plan.ds["water_m3_per_yr"].sum()) == 0.0


def test_user_constraint_is_picked_up():
    study = siteplan.load(EXAMPLE)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    base = siteplan.solve_built(m, prep)
    chosen = [s for s in prep.sites if base.ds["open"].sel(site=s) == 1]
    m.user_forbid = pyo.Constraint(expr=sum(m.open[s] for s in chosen) == 0)
    plan = siteplan.solve_built(m, prep)
    assert all(plan.ds["open"].sel(site=s) == 0 for s in chosen)
    assert plan.objective >= base.objective
    assert check_plan(plan, prep) == []


def test_user_cost_term_is_in_objective_and_report():
    study = siteplan.load(EXAMPLE)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    siteplan.add_cost(m, "community_fund", 1e6 * sum(m.open[s] for s in prep.sites))
    plan = siteplan.solve_built(m, prep)
    costs = plan.ds["cost_usd_per_yr"].to_series()
    assert costs["community_fund"] == pytest.approx(1e6 * float(plan.ds["open"].sum()))
    assert costs.sum() == pytest.approx(plan.objective, rel=1e-9)


def test_infeasible_is_an_error_not_a_plan(tmp_path):
    # a carbon cap of 0 with only gas and grid power (both emit) and a minimum IT at the only site
    path = write_tiny(tmp_path, sites=[site("s1", min_it_mw=5.0)], scenario={"carbon": {"cap_t_per_yr": 0.0},
                                                                              "limits": {"min_it_mw_per_site": 5.0}})
    study = siteplan.load(path)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    m.must_open = pyo.Constraint(expr=m.open["s1"] == 1)
    with pytest.raises(SolveError, match="infeasible"):
        siteplan.solve_built(m, prep)


def test_time_limit_returns_incumbent_with_gap():
    plan = siteplan.solve(EXAMPLE, time_limit_s=0.3, mip_rel_gap=0.0)
    assert plan.result.termination.value in ("time_limit", "optimal")
    assert plan.result.gap >= 0
    if plan.result.termination.value == "time_limit":
        assert plan.ds.attrs["termination"] == "time_limit"


def test_cli_solve_writes_results_folder(tmp_path):
    out = tmp_path / "res"
    run = subprocess.run([sys.executable, "-m", "siteplan.cli", "solve", str(EXAMPLE), "--out", str(out),
                          "--no-exports", "--time-limit", "77"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "open site(s)" in run.stdout and "annual cost" in run.stdout
    # progress on the terminal (stderr): each stage, the model size, the better plans HiGHS finds
    for part in ("loaded example", "prepared 5 candidate sites", "built the Pyomo model", "rows x",
                 "time limit 77 s", "better plan, objective", "optimal, gap"):
        assert part in run.stderr, (part, run.stderr)
    for f in ("plan.nc", "plan.gpkg", "manifest.json", "sites.csv", "summary.txt"):
        assert (out / f).exists(), f
    man = json.loads((out / "manifest.json").read_text())
    assert man["solver"]["termination"] == "optimal"
    assert man["solver"]["options"]["time_limit_s"] == 77  # what the run used, for a rerun
    quiet = subprocess.run([sys.executable, "-m", "siteplan.cli", "solve", str(EXAMPLE), "--out", str(out),
                            "--no-exports", "--quiet"], capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == "" and "annual cost" in quiet.stdout
    assert set(man["inputs"]) >= {"sites", "climate", "catalog", "scenario"}
    assert len(man["inputs"]["sites"]["sha256"]) == 64
    ds = xr.load_dataset(out / "plan.nc")
    assert ds.attrs["objective_usd_per_yr"] == pytest.approx(man["solver"]["objective"])


def test_cli_exit_codes(tmp_path):
    run = subprocess.run([sys.executable, "-m", "siteplan.cli", "solve", str(tmp_path / "nope.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "file not found" in run.stderr


def test_warm_start_from_another_plan_gives_the_same_optimum():
    base = siteplan.solve(EXAMPLE)
    cold = siteplan.solve(EXAMPLE, ("carbon_price",), mip_rel_gap=0.0)
    warm = siteplan.solve(EXAMPLE, ("carbon_price",), warm_start=base, mip_rel_gap=0.0)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)


def test_warm_start_values_match_by_id(tmp_path):
    from siteplan.solve.warmstart import start_values

    base = siteplan.solve(EXAMPLE)
    study = siteplan.load(EXAMPLE)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    vals = {v.name: x for v, x in start_values(m, base)}
    for s in prep.sites:
        assert vals[f"open[{s}]"] == float(base.ds["open"].sel(site=s))


def test_cli_solve_map_formats(tmp_path):
    out = tmp_path / "res"
    run = subprocess.run([sys.executable, "-m", "siteplan.cli", "solve", str(EXAMPLE), "--out", str(out),
                          "--map-format", "svg"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (out / "map.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    assert (out / "map.html").exists() and (out / "report.html").exists()


@pytest.mark.parametrize("gap,expect_start", [(0.01, True), (1e-4, False)])
def test_auto_mip_start_only_with_cut_loop_and_loose_gap(gap, expect_start):
    """mip_start: auto reuses the root cut loop's LP for a start, only for loose target gaps."""
    sv = {"formulation.serve_linking": "cuts", "solver.mip_rel_gap": gap}
    plan = siteplan.solve(REPO / "models/example.yaml", set_values=sv)
    assert (plan.result.start_objective is not None) == expect_start
    assert plan.result.gap <= gap + 1e-12
    rows = siteplan.solve(REPO / "models/example.yaml", set_values={"formulation.serve_linking": "rows",
                                                                    "solver.mip_rel_gap": gap})
    # no cut loop, no LP to reuse; but the example has on-site generators, which ask for a start
    # (m._siteplan_prefer_start) when the target gap is loose
    assert (rows.result.start_objective is not None) == expect_start
    assert plan.objective == pytest.approx(rows.objective, rel=2 * gap)


def test_cli_full_resolution_check_on_merged_slices(tmp_path):
    out = tmp_path / "res"
    run = subprocess.run([sys.executable, "-m", "siteplan.cli", "solve", str(EXAMPLE), "--out", str(out),
                          "--no-exports", "--set", "formulation.slice_clusters=3", "--full-resolution"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "note: time slices merged 7 -> 3" in run.stdout
    assert "at full time resolution these investments cost" in run.stdout
    ds = xr.load_dataset(out / "plan.nc")
    assert ds.sizes["slice"] == 4  # 3 clusters + the design-peak slice
    assert ds.attrs["full_resolution_objective_usd_per_yr"] > 0
    assert "merged 7 -> 3" in ds.attrs["notes"]


@pytest.mark.parametrize("set_values,expect,absent", [
    ({"cooling_designs": ["air_economizer"], "rack_types": ["gb200_nvl72"]},
     ["rack type gb200_nvl72 (132 kW/rack) fits no cooling design", "no site can host any rack"], []),
    ({"horizon_yr": 0.5, "onsite": []}, ["no on-site generator option: they cannot be powered"],
     ["on-site power only"]),
    ({"horizon_yr": 2, "onsite": ["gas_turbine_frame", "gas_recip"]},
     ["on-site option(s) excluded, lead time beyond the 2-yr horizon: gas_turbine_frame (5 yr)"], []),
])
def test_notes_say_why_demand_cannot_be_served(set_values, expect, absent):
    """Unmet demand or a dropped option comes with the reason in the plan's notes."""
    study = siteplan.load(EXAMPLE, (), set_values)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    for e in expect:
        assert any(e in n for n in prep.notes), (e, prep.notes)
    for a in absent:
        assert not any(a in n for n in prep.notes), (a, prep.notes)
