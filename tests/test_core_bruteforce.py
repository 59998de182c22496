"""Brute-force cross-check: enumerate every binary choice (site design, interconnect option), solve
the rest exactly (integer racks and units, which generator types a site has, contracted and
upgraded MW, battery units and their state of charge), and compare with siteplan's optimum."""

import itertools

import numpy as np
import pytest
import pyomo.environ as pyo

import siteplan
from siteplan.errors import SolveError
from siteplan.results.invariants import check_plan
from siteplan.prepare import prepare
from siteplan.solve import solve_model
from tiny import site, sub, write_tiny


def random_instance(root, seed):
    rng = np.random.default_rng(seed)
    sites = [site(f"s{i}", lon=-97.0 + 0.05 * i, max_it_mw=float(rng.integers(3, 16)),
                  land_cost_usd=float(rng.integers(0, 4)) * 1e6) for i in range(2)]
    subs = [sub("b1", lon=-97.0, lat=31.02, headroom_mw=float(rng.choice([25.0, 45.0, 150.0]))),
            sub("b2", lon=-96.95, lat=31.02, headroom_mw=float(rng.choice([25.0, 150.0])), voltage_kv=69.0)]
    stations = {f"st{i}": (-97.0 + 0.05 * i, 31.0, tuple(float(x) for x in rng.uniform(0, 40, 2))) for i in range(2)}
    latency = [dict(site_id=f"s{i}", region_id="r1", rtt_ms=float(rng.uniform(1, 20))) for i in range(2)]
    catalog = {"interconnect_classes": {"small": {"lead_time_yr": float(rng.choice([1, 5])),
                                                  "substation_cost_usd": float(rng.integers(1, 8)) * 1e6},
                                        "big": {"lead_time_yr": float(rng.choice([1, 5])),
                                                "substation_cost_usd": float(rng.integers(1, 8)) * 1e6}},
               "cooling_designs": {"liquid": {"capex_usd_per_mw_it": float(rng.integers(0, 5)) * 1e5}}}
    scenario = {"onsite": ["gas"] if rng.random() < 0.6 else [],
                "workloads": {"inf": {"max_rtt_ms": 12.0}},
                "unmet_penalty_usd_per_gpu_yr": float(rng.choice([2e6, 1e7]))}
    demand, price = float(rng.integers(5, 26)), float(rng.uniform(30, 150))
    # firm power: upgrades beyond headroom (at $0.2-1M/MW) or not, N+1 or not, a peak share, an
    # air-permit cap (drawn from a second generator so the instances above stay what they were)
    rng2 = np.random.default_rng(1000 + seed)
    for b in subs:  # some substations with little headroom, so that contracts compete or need upgrades
        b["headroom_mw"] *= float(rng2.choice([1.0, 0.2]))
    for c in ("small", "big"):
        catalog["interconnect_classes"][c]["upgrade_cost_usd_per_mw"] = float(rng2.choice([2e5, 1e6]))
        catalog["interconnect_classes"][c]["contract_cost_usd_per_kw_yr"] = float(rng2.choice([0.0, 5.0]))
    scenario["interconnect"] = {"allow_upgrades": bool(rng2.random() < 0.5)}
    scenario["firm_power"] = {"redundancy": str(rng2.choice(["none", "n_plus_1"])),
                              "peak_it_share": float(rng2.choice([1.0, 0.8])),
                              "onsite_max_mw_per_site": None if rng2.random() < 0.7 else float(rng2.integers(5, 20))}
    scenario["it_utilisation"] = float(rng2.choice([1.0, 0.7]))
    days = None
    if rng2.random() < 0.35:  # a battery and one representative day: cheap night, dear day
        catalog["onsite"] = {"bat": {"kind": "battery", "unit_mw": float(rng2.choice([2.0, 5.0])), "unit_mwh": 20.0,
                                     "capex_usd_per_mw": float(rng2.choice([5e4, 2e5])), "round_trip_efficiency": 0.85,
                                     "lead_time_yr": 1, "lifetime_yr": 1, "source": "test"}}
        scenario["onsite"] = scenario["onsite"] + ["bat"]
        days = [("d", 0, 12.0), ("d", 1, 12.0)]
        price = [0.4 * price, 1.6 * price]
    if rng.random() < 0.4:  # drawn last, so the min_cost instances stay what they were
        # $5-60 per H100e-hour against $3-23 of energy plus $1-7M substations: some demand pays, some not
        scenario.update(objective="max_profit", gpu_hour_price_usd=float(rng.uniform(5, 60)),
                        unmet_penalty_usd_per_gpu_yr=None if rng.random() < 0.5 else 1e5)
    return write_tiny(root, sites=sites, substations=subs, demand_gpus=demand, price=price, stations=stations,
                      latency=latency, catalog=catalog, scenario=scenario, days=days)


def brute_force(m, prep):
    """Minimum over all (design or closed) x (interconnect option or none) per site."""
    choices = []
    for s in prep.sites:
        designs = [k for (s2, k) in prep.site_design if s2 == s]
        opts = [o for o in prep.options.index if prep.options.at[o, "site_id"] == s]
        per_site = [(s, None, None)] + [(s, k, o) for k in designs for o in [None, *opts]]
        choices.append(per_site)
    best = np.inf
    for combo in itertools.product(*choices):
        for s, k, o in combo:
            m.open[s].fix(0 if k is None else 1)
            for (s2, k2) in prep.site_design:
                if s2 == s:
                    m.design[s2, k2].fix(1 if k2 == k else 0)
            for o2 in prep.options.index:
                if prep.options.at[o2, "site_id"] == s:
                    m.connect[o2].fix(1 if o2 == o else 0)
        try:
            res = solve_model(m, mip_rel_gap=0.0)
        except SolveError:
            continue
        best = min(best, res.objective)
    for v in m.component_data_objects(pyo.Var):
        v.unfix()
    return best


@pytest.mark.parametrize("seed", range(30))
def test_bruteforce_matches_milp(tmp_path, seed):
    path = random_instance(tmp_path, seed)
    study = siteplan.load(path)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    plan = siteplan.solve_built(m, prep, mip_rel_gap=0.0)
    assert check_plan(plan, prep) == []
    m2 = siteplan.build_model(prep)
    best = brute_force(m2, prep)
    assert plan.objective == pytest.approx(best, rel=1e-7, abs=1e-3)
    # every formulation / strategy reaches the same optimum
    for mode, start in (("none", False), ("cuts", False), ("cuts", True), ("rows", True)):
        study_m = siteplan.load(path, set_values={"formulation.serve_linking": mode, "solver.mip_start": start})
        prep_m = prepare(study_m.scenario, study_m.dataset, study_m.catalog)
        plan_m = siteplan.solve_built(siteplan.build_model(prep_m), prep_m, mip_rel_gap=0.0)
        assert check_plan(plan_m, prep_m) == []
        assert plan_m.objective == pytest.approx(best, rel=1e-7, abs=1e-3), mode
        if start and prep_m.serve_pairs:  # the LP-guided start (reusing the cut loop's LP in cuts mode)
            assert plan_m.result.start_objective is not None
            assert plan_m.result.start_objective >= best - 1e-3 * max(1.0, abs(best))
