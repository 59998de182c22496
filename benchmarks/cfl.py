"""Facility location instances (capacitated: tight or loose; uncapacitated) in siteplan's own dataset format.

    python benchmarks/cfl.py --seed 0 --out /tmp/cfl0            # writes /tmp/cfl0/study.yaml + data/
    python benchmarks/cfl.py --seed 0 --out /tmp/cfl0 --solve    # ... and solves it with plain siteplan
    python benchmarks/cfl.py --seed 0 --out /tmp/cfl_s --sites 15 --regions 60 --check
        # small instance: siteplan's optimum == a hand-built CFL MIP's optimum (highspy directly)
    python benchmarks/cfl.py --kind uncapacitated --seed 0 --out /tmp/ufl0 --check
        # --kind tight (default) | loose (capacity/demand U[8, 12]) | uncapacitated (the textbook
        # strong UFL model without capacity rows is the hand-built MIP)

Data follow the classic generator of Cornuejols, Sridharan & Thizy (1991), used for the hard
OR-Library / Beasley capacitated instances: sites and regions uniform in a square, demand
d_j ~ U[5, 35], capacity s_i ~ U[10, 160] rescaled so that sum(s) = ratio x sum(d) (ratio drawn
from [1.5, 4] per seed unless --ratio is given), fixed cost f_i = U[0, 90] + U[100, 110] x sqrt(s_i)
(from the capacity before rescaling), serving cost per unit c_ij = 10 x Euclidean distance in the
unit square. All costs are multiplied by ``--cost-scale`` (100) to read as USD per year.

The siteplan encoding (everything else made trivial, so the model IS a CFL):

- site i: ``max_it_mw = s_i / 1000`` with one rack type of 1 kW carrying 1 H100e (capacity s_i
  H100e), ``land_cost_usd`` = f_i / CRF(discount, land lifetime) so the annualised land cost is f_i;
  fiber laterals, facility, cooling and rack capex are zero;
- one cooling design (PUE 1, no water) -> ``design[s] = open[s]``;
- power: no grid option (interconnect ``max_distance_km`` tiny) and one free on-site generator
  type (zero capex, fuel, O&M, emissions, lead time) big enough for any site: one integer unit
  per open site, at zero cost;
- one workload class ``inference`` with a loose RTT limit (1 s) (every site may serve every region), one
  time slice (its energy price, 30 USD/MWh, is never paid: there is no grid);
- ``serving_cost.csv`` holds c_ij for every (site, region); the unmet-demand penalty (1e6 per
  H100e-yr x scale) exceeds any per-unit cost in the LP relaxation too, so no demand goes unmet.

Objective = sum_i f_i open_i + sum_ij c_ij serve_ij: fixed cost + capacity + assignment cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from siteplan.config import crf
from siteplan.io.writer import write_dataset

BOX = (-100.0, -96.0, 29.0, 33.0)  # a 4 x 4 degree square; costs use the unit square, not km
LAND_LIFETIME_YR, DISCOUNT = 30.0, 0.08


KINDS = ("tight", "loose", "uncapacitated")
RATIO_RANGE = {"tight": (1.5, 4.0), "loose": (8.0, 12.0)}


def instance(seed: int, sites: int = 100, regions: int = 1000, ratio: float | None = None,
             cost_scale: float = 100.0, kind: str = "tight") -> dict:
    """The CFL data as arrays (unit-square coordinates, demand, capacity, fixed and per-unit costs).

    ``kind``: ``tight`` (total capacity / total demand drawn from U[1.5, 4], the classic recipe),
    ``loose`` (the ratio drawn from U[8, 12]: sites rarely fill up) or ``uncapacitated`` (every
    site can hold the whole demand: ``capacity`` is the total demand, ``ratio`` the number of
    sites). The same seed gives the same points, demands and fixed costs for every kind.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    rng = np.random.default_rng(seed)
    fxy = rng.uniform(0, 1, (sites, 2))
    cxy = rng.uniform(0, 1, (regions, 2))
    d = rng.integers(5, 36, regions).astype(float)
    s0 = rng.integers(10, 161, sites).astype(float)
    f = (rng.uniform(0, 90, sites) + rng.uniform(100, 110, sites) * np.sqrt(s0)) * cost_scale
    if kind == "uncapacitated":
        s = np.full(sites, d.sum())
        ratio = float(sites)
    else:
        if ratio is None:
            ratio = float(rng.uniform(*RATIO_RANGE[kind]))
        s = np.ceil(s0 * ratio * d.sum() / s0.sum())
    c = 10.0 * np.sqrt(((fxy[:, None, :] - cxy[None, :, :]) ** 2).sum(-1)) * cost_scale
    return dict(fxy=fxy, cxy=cxy, demand=d, capacity=s, fixed=f, cost=np.round(c, 2), ratio=ratio,
                cost_scale=cost_scale, kind=kind)


def _lonlat(xy):
    return BOX[0] + xy[:, 0] * (BOX[1] - BOX[0]), BOX[2] + xy[:, 1] * (BOX[3] - BOX[2])


def write(out: Path, inst: dict, seed: int) -> Path:
    """Write the dataset (``<out>/data``) and scenario (``<out>/study.yaml``); return the scenario path."""
    out = Path(out)
    n, k = len(inst["capacity"]), len(inst["demand"])
    slon, slat = _lonlat(inst["fxy"])
    rlon, rlat = _lonlat(inst["cxy"])
    land = inst["fixed"] / crf(DISCOUNT, LAND_LIFETIME_YR)
    site_rows = [dict(site_id=f"f{i:04d}", lon=slon[i], lat=slat[i], max_it_mw=inst["capacity"][i] / 1000.0,
                      land_cost_usd=float(land[i]), zone="Z") for i in range(n)]
    dem = [dict(region_id=f"c{j:05d}", lon=rlon[j], lat=rlat[j], inference_gpus=float(inst["demand"][j]))
           for j in range(k)]
    serving = [dict(site_id=f"f{i:04d}", region_id=f"c{j:05d}", serving_cost_usd_per_gpu_yr=float(inst["cost"][i, j]))
               for i in range(n) for j in range(k)]
    # One substation inside the box, so the dataset's area covers it (no interconnect option within the
    # tiny max distance: no site is within 1 m of it) and no corridors; one PoP in the middle, so every RTT is finite and far below the loose limit.
    kind = inst.get("kind", "tight")
    what = ("uncapacitated facility location" if kind == "uncapacitated" else
            f"capacitated facility location ({kind}), capacity/demand ratio {inst['ratio']:.3f}")
    write_dataset(out / "data", name=f"cfl-{n}x{k}-seed{seed}", description=what,
                  sites=site_rows,
                  substations=[dict(substation_id="b0", lon=0.5 * (BOX[0] + BOX[1]) + 0.0123,
                                    lat=0.5 * (BOX[2] + BOX[3]) + 0.0077, voltage_kv=345.0, headroom_mw=0.0,
                                    zone="Z", supply_mw=0.0)],
                  transmission=[], pops=[dict(pop_id="p0", lon=0.5 * (BOX[0] + BOX[1]), lat=0.5 * (BOX[2] + BOX[3]))],
                  fiber=[], demand=dem, stations=[dict(station="w0", lon=-98.0, lat=31.0)], slices=["t000"],
                  weight_h=[8760.0], dry_bulb_c=np.array([[20.0]]), wet_bulb_c=np.array([[15.0]]),
                  prices=[dict(zone="Z", slice="t000", energy_price_usd_per_mwh=30.0, carbon_t_per_mwh=0.0)],
                  serving_cost=serving, sources="synthetic (benchmarks/cfl.py, Cornuejols et al. 1991 generator)")
    repo = Path(__file__).resolve().parents[1]
    zero = "zero cost: CFL benchmark"
    sc = {
        "name": f"cfl_{kind}_{n}x{k}_seed{seed}",
        "description": f"{what[0].upper()}{what[1:]}, {n} sites x {k} regions",
        "dataset": "data", "catalog": str(repo / "data/catalog.yaml"),
        "horizon_yr": 5, "workloads": {"inference": {"max_rtt_ms": 1000}}, "it_utilisation": 1.0,
        "unmet_penalty_usd_per_gpu_yr": 1.0e6 * inst["cost_scale"],
        "rack_types": ["cfl_rack"], "cooling_designs": ["cfl_cooling"], "onsite": ["cfl_power"],
        "carbon": {"price_usd_per_t": 0}, "water": {"price_usd_per_m3": 0, "allow_water_cooling": True},
        "interconnect": {"max_distance_km": 0.001},
        "solver": {"time_limit_s": 600, "mip_rel_gap": 0.0001, "threads": 1, "seed": 0},
        "catalog_overrides": {
            "economics": {"discount_rate": DISCOUNT, "land_lifetime_yr": LAND_LIFETIME_YR},
            "facility": {"capex_usd_per_mw_it": 0.0},
            "network": {"fiber_lateral_cost_usd_per_km": 0.0},
            "rack_types": {"cfl_rack": {"name": "1 kW rack = 1 H100e", "gpus_per_rack": 1, "h100e_per_gpu": 1.0,
                                        "rack_kw": 1.0, "capex_usd_per_rack": 0.0, "lifetime_yr": 5, "source": zero}},
            "cooling_designs": {"cfl_cooling": {
                "name": "PUE 1, no water", "max_rack_kw": 1000.0, "capex_usd_per_mw_it": 0.0, "lifetime_yr": 20,
                "needs_water": False, "pue_curve": {"dry_bulb_c": [0.0], "pue": [1.0]},
                "wue_curve": {"wet_bulb_c": [0.0], "wue_l_per_kwh": [0.0]}, "source": zero}},
            "onsite": {"cfl_power": {
                "kind": "generator", "unit_mw": 1000.0, "capex_usd_per_mw": 0.0, "heat_rate_mmbtu_per_mwh": 0.0,
                "fuel_price_usd_per_mmbtu": 0.0, "vom_usd_per_mwh": 0.0, "emissions_t_per_mwh": 0.0,
                "lead_time_yr": 0.0, "lifetime_yr": 20, "source": zero}},
        },
    }
    (out / "study.yaml").write_text(yaml.safe_dump(sc, sort_keys=False))
    np.savez_compressed(out / "instance.npz", **{k: v for k, v in inst.items() if isinstance(v, np.ndarray)},
                        ratio=inst["ratio"], cost_scale=inst["cost_scale"])
    return out / "study.yaml"


def strong_lp(inst: dict, integer: bool = True, capacity_rows: bool | None = None):
    """The strong CFL MIP as a ``highspy.HighsLp``: min f y + c x, sum_i x_ij = d_j,
    sum_j x_ij <= s_i y_i, x_ij <= d_j y_i (y integer in [0, 1] unless ``integer`` is False).

    The textbook model of the instance's kind: without the capacity rows for an uncapacitated
    instance (``capacity_rows`` None), i.e. the strong UFL model; ``capacity_rows`` True/False forces
    them in or out."""
    import highspy
    import scipy.sparse as sp

    f, s, d, c = inst["fixed"], inst["capacity"], inst["demand"], inst["cost"]
    n, k = len(f), len(d)
    ny, nx = n, n * k  # columns: y_0..y_{n-1}, then x_ij at n + i*k + j
    xi = np.repeat(np.arange(n), k)
    xj = np.tile(np.arange(k), n)
    xcol = n + np.arange(nx)
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    # demand rows
    rows.append(r + xj); cols.append(xcol); vals.append(np.ones(nx)); lo += list(d); hi += list(d); r += k
    if capacity_rows is None:
        capacity_rows = inst.get("kind", "tight") != "uncapacitated"
    if capacity_rows:  # capacity rows
        rows += [r + xi, r + np.arange(n)]; cols += [xcol, np.arange(n)]; vals += [np.ones(nx), -s]
        lo += [-np.inf] * n; hi += [0.0] * n; r += n
    # strong links
    rows += [r + np.arange(nx), r + np.arange(nx)]; cols += [xcol, xi]; vals += [np.ones(nx), -d[xj]]
    lo += [-np.inf] * nx; hi += [0.0] * nx; r += nx
    A = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, ny + nx))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = ny + nx, r
    lp.col_cost_ = np.concatenate([f, c.ravel()])
    lp.col_lower_ = np.zeros(ny + nx)
    lp.col_upper_ = np.concatenate([np.ones(ny), np.full(nx, np.inf)])
    lp.row_lower_, lp.row_upper_ = np.array(lo, float), np.array(hi, float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * ny + [highspy.HighsVarType.kContinuous] * nx
    return lp


def handbuilt(inst: dict, time_limit_s: float = 600.0, gap: float = 1e-4, threads: int = 1,
              open_between: tuple[int, int] | None = None, capacity_rows: bool | None = None):
    """The strong CFL MIP (:func:`strong_lp`) solved directly in highspy; with ``open_between``
    (lo, hi), the row lo <= sum_i y_i <= hi is added (e.g. the counts ``research/cfl_benders.py
    --cardinality`` cannot rule out). Returns (objective, bound, gap, seconds, status)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, v in {"time_limit": float(time_limit_s), "mip_rel_gap": gap, "threads": threads, "random_seed": 0}.items():
        h.setOptionValue(key, v)
    h.passModel(strong_lp(inst, capacity_rows=capacity_rows))
    if open_between is not None:
        n = len(inst["fixed"])
        h.addRow(float(open_between[0]), float(open_between[1]), n, np.arange(n, dtype=np.int32), np.ones(n))
    t = time.perf_counter()
    if h.run() == highspy.HighsStatus.kError:  # e.g. HiGHS's thread pool started with another size
        raise RuntimeError("HiGHS failed on the hand-built CFL MIP")
    dt_ = time.perf_counter() - t
    info = h.getInfo()
    return (info.objective_function_value, info.mip_dual_bound, info.mip_gap, dt_,
            h.modelStatusToString(h.getModelStatus()))


def solve_siteplan(scenario: Path, time_limit_s: float | None = None) -> dict:
    """Plain ``siteplan.solve`` of the scenario; timings, status, objective, bound, gap, and the
    check that only the CFL cost categories are non-zero."""
    import siteplan

    sv = {"solver.time_limit_s": time_limit_s} if time_limit_s else None
    t = time.perf_counter()
    plan = siteplan.solve(scenario, set_values=sv)
    wall = time.perf_counter() - t
    r = plan.result
    cost = plan.ds["cost_usd_per_yr"]
    costs = {str(c): float(v) for c, v in zip(cost["cost_category"].values, cost.values)}
    return dict(status=r.termination.value, objective=r.objective, bound=r.best_bound, gap=r.gap,
                build_s=r.timings.build_s, handoff_s=r.timings.handoff_s, highs_s=r.timings.solve_s,
                prepare_s=r.timings.prepare_s, wall_s=wall, rows=r.num_rows, cols=r.num_cols,
                nonzeros=r.num_nonzeros, integers=r.num_integer, nodes=r.mip_nodes,
                root_cuts=getattr(r, "root_cuts", 0), costs=costs,
                open_sites=int(plan.sites["open"].sum()) if "open" in plan.sites else None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--kind", choices=KINDS, default="tight",
                    help="tight: capacity/demand U[1.5, 4] (default); loose: U[8, 12]; uncapacitated")
    ap.add_argument("--ratio", type=float, default=None,
                    help="total capacity / total demand (default by --kind; ignored when uncapacitated)")
    ap.add_argument("--cost-scale", type=float, default=100.0)
    ap.add_argument("--solve", action="store_true", help="solve with plain siteplan (scenario solver settings)")
    ap.add_argument("--handbuilt", action="store_true", help="solve the hand-built strong CFL MIP with highspy")
    ap.add_argument("--check", action="store_true", help="--solve and --handbuilt, and compare the optima")
    ap.add_argument("--open-between", type=int, nargs=2, default=None, metavar=("LO", "HI"),
                    help="--handbuilt with LO <= number of open sites <= HI")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds (default: the scenario's 600)")
    a = ap.parse_args()
    inst = instance(a.seed, a.sites, a.regions, a.ratio, a.cost_scale, kind=a.kind)
    path = write(a.out, inst, a.seed)
    print(path, f"ratio {inst['ratio']:.3f}", flush=True)
    res = {"scenario": str(path), "kind": a.kind, "seed": a.seed, "sites": a.sites, "regions": a.regions, "ratio": inst["ratio"]}
    if a.solve or a.check:
        res["siteplan"] = solve_siteplan(path, a.time_limit)
        print("siteplan", json.dumps(res["siteplan"]), flush=True)
    if a.handbuilt or a.check:
        obj, bound, gap, sec, st = handbuilt(inst, a.time_limit or 600.0, open_between=a.open_between)
        res["handbuilt"] = dict(status=st, objective=obj, bound=bound, gap=gap, highs_s=sec)
        print("handbuilt", json.dumps(res["handbuilt"]), flush=True)
    if a.check:
        o1, o2 = res["siteplan"]["objective"], res["handbuilt"]["objective"]
        rel = abs(o1 - o2) / max(1.0, abs(o2))
        res["objective_rel_diff"] = rel
        print(f"objective siteplan {o1:.6f} hand-built {o2:.6f} rel diff {rel:.2e}")
    (Path(a.out) / "result.json").write_text(json.dumps(res, indent=1))
    if a.check and rel > 2e-4:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
