"""Brute-force cross-check of build-out studies: enumerate when each site opens and which connection
it uses in every period, solve the rest exactly (racks and units, vintages, rentals, dispatch,
unmet demand), and compare with the build-out optimum."""

import itertools

import numpy as np
import pytest
import pyomo.environ as pyo

import siteplan
from siteplan.errors import SolveError
from siteplan.model.periods import build_buildout_model
from siteplan.prepare.periods import prepare_periods
from siteplan.solve import solve_model
from tiny import site, sub, write_tiny


def random_buildout(root, seed):
    rng = np.random.default_rng(seed)
    sites = [site(f"s{i}", lon=-97.0 + 0.05 * i, max_it_mw=float(rng.integers(4, 14)),
                  land_cost_usd=float(rng.integers(0, 3)) * 1e6) for i in range(2)]
    subs = [sub("b1", lon=-97.0, lat=31.02, headroom_mw=float(rng.choice([10.0, 150.0])))]
    cat = {"rack_types": {"r1": {"capex_usd_per_rack": float(rng.choice([0.0, 2e5])),
                                 "lifetime_yr": float(rng.choice([1, 5])),
                                 "capex_by_year": {2028: float(rng.choice([1e5, 3e5]))}}},
           "interconnect_classes": {"small": {"lead_time_yr": float(rng.choice([1, 2])),
                                              "substation_cost_usd": float(rng.integers(1, 4)) * 1e6},
                                    "big": {"lead_time_yr": float(rng.choice([1, 2, 3])),
                                            "substation_cost_usd": float(rng.integers(2, 6)) * 1e6}},
           "onsite": {"gas": {"lead_time_yr": 0, "lifetime_yr": float(rng.choice([1, 10])),
                              "rental_usd_per_kw_month": float(rng.choice([20.0, 80.0]))}}}
    sc = {"horizon_yr": None, "start_year": 2026, "cooling_designs": ["air"],
          "periods": [{"year": 2027, "length_yr": 1, "demand_scale": float(rng.choice([0.5, 1.0]))},
                      {"year": 2028, "length_yr": 2, "demand_scale": 1.0,
                       "energy_price_scale": float(rng.choice([0.8, 1.2]))}],
          "onsite": ["gas"], "bridging": {"rent": bool(rng.random() < 0.7)},
          "unmet_penalty_usd_per_gpu_yr": float(rng.choice([2e6, 1e7])),
          "firm_power": {"redundancy": str(rng.choice(["none", "n_plus_1"]))}}
    return write_tiny(root, sites=sites, substations=subs, demand_gpus=float(rng.integers(4, 16)),
                      price=float(rng.uniform(40, 150)), catalog=cat, scenario=sc)


def brute_force(m, preps) -> float:
    """Minimum over (opening period or never) x (connection option or none, per period) per site."""
    years = [p.period.year for p in preps]
    per_site = []
    for s in preps[0].sites:
        combos = [(None, (None,) * len(years))]
        for j0, _ in enumerate(years):
            opts_by_period = [[None] + ([o for o in preps[j].options.index if preps[j].options.at[o, "site_id"] == s]
                                        if j >= j0 else []) for j in range(len(years))]
            combos += [(j0, c) for c in itertools.product(*opts_by_period)]
        per_site.append((s, combos))
    best = np.inf
    for choice in itertools.product(*[c for _, c in per_site]):
        for (s, _), (j0, conn) in zip(per_site, choice):
            for j, y in enumerate(years):
                b = m.period[y]
                is_open = j0 is not None and j >= j0
                b.open[s].fix(int(is_open))
                for sk in b.SITE_DESIGN:
                    if sk[0] == s:
                        b.design[sk].fix(int(is_open))
                for o in b.OPTIONS:
                    if preps[j].options.at[o, "site_id"] == s:
                        b.connect[o].fix(int(o == conn[j]))
        try:
            res = solve_model(m, mip_rel_gap=0.0, duals=False, diagnose=False)
        except SolveError:
            continue
        best = min(best, res.objective)
    for v in m.component_data_objects(pyo.Var):
        v.unfix()
    return best


@pytest.mark.parametrize("seed", range(8))
def test_buildout_bruteforce_matches_milp(tmp_path, seed):
    study = siteplan.load(random_buildout(tmp_path, seed))
    bo = siteplan.solve(study, mip_rel_gap=0.0)
    assert bo.violations == []
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    best = brute_force(build_buildout_model(preps), preps)
    assert bo.objective == pytest.approx(best, rel=1e-7, abs=1e-3)
