"""A smaller exact relaxation of a CFL instance of ``benchmarks/cfl.py``: does pruning serve pairs help?

    python benchmarks/research/cfl_restricted.py --seed 0 --k 20 30 [--no-aggregate] [--time-limit 300]

Every node LP of the CFL MIP carries all 100 x 1,000 serving columns, and HiGHS spends about 1 ms
per simplex iteration on them (docs/performance.md). Keeping only each region's ``k`` cheapest
sites shrinks the LP but, on its own, gives a *restricted* problem whose optimum is only an upper
bound. This script solves the relaxation L instead:

- serving columns x_ij only for each region's ``k`` cheapest sites (with x_ij <= d_j y_i);
- one overflow column o_j per region standing for everything served from its other sites, at the
  cost of the cheapest of them, with no capacity row and no link of its own;
- (unless ``--no-aggregate``) the sum of all capacity rows, sum_ij x_ij + sum_j o_j <= sum_i s_i y_i,
  so overflow still uses capacity in aggregate.

Any solution of the full problem maps to a solution of L that costs no more (the excluded flows go to
o_j), so L's optimum and HiGHS's bound on L are lower bounds of the full optimum. A solution of L
with no overflow is a solution of the full problem with the same cost, so then L's gap is the full
problem's gap: optimality is proved on the smaller model. If overflow is used, those regions need
more sites and L is solved again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # research/ siblings, then benchmarks/ (cfl.py)
from cfl import instance  # noqa: E402


def relaxation(inst: dict, k: int, aggregate: bool = True) -> dict:
    """The arrays of L (see the module docstring) for ``highspy.Highs.passModel``.

    Columns: y_0..y_{n-1}, the kept x_ij, then o_0..o_{m-1}. Returns the arrays and ``n_x`` (the
    number of kept pairs).
    """
    import scipy.sparse as sp

    f, s, d, c = inst["fixed"], inst["capacity"], inst["demand"], inst["cost"]
    n, m = len(f), len(d)
    k = min(k, n)
    order = np.argsort(c, axis=0, kind="stable")  # per region, its sites from cheapest
    keep = np.zeros((n, m), bool)
    keep[order[:k], np.arange(m)] = True
    pi, pj = np.nonzero(keep)
    # cheapest excluded per-unit cost; with every site kept, o_j stands for nothing: 0 with bound 0
    ell = np.where(keep, np.inf, c).min(axis=0)
    o_ub = np.where(np.isfinite(ell), np.inf, 0.0)
    ell = np.where(np.isfinite(ell), ell, 0.0)
    nx = len(pi)
    xcol, ocol = n + np.arange(nx), n + nx + np.arange(m)
    rows, cols, vals = [], [], []
    lo, hi = [], []
    rows += [pj, np.arange(m)]  # demand: sum of kept x + o_j = d_j
    cols += [xcol, ocol]
    vals += [np.ones(nx), np.ones(m)]
    lo += list(d)
    hi += list(d)
    r = m
    rows += [r + pi, r + np.arange(n)]  # capacity of the kept pairs: sum_j x_ij <= s_i y_i
    cols += [xcol, np.arange(n)]
    vals += [np.ones(nx), -s]
    lo += [-np.inf] * n
    hi += [0.0] * n
    r += n
    rows += [r + np.arange(nx), r + np.arange(nx)]  # links x_ij <= d_j y_i
    cols += [xcol, pi]
    vals += [np.ones(nx), -d[pj]]
    lo += [-np.inf] * nx
    hi += [0.0] * nx
    r += nx
    if aggregate:  # all flow, overflow included, within the total open capacity
        rows += [np.full(nx + m, r), np.full(n, r)]
        cols += [np.concatenate([xcol, ocol]), np.arange(n)]
        vals += [np.ones(nx + m), -s]
        lo.append(-np.inf)
        hi.append(0.0)
        r += 1
    n_col = n + nx + m
    A = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n_col))
    return dict(n_col=n_col, n_row=r, cost=np.concatenate([f, c[pi, pj], ell]),
                col_lower=np.zeros(n_col), col_upper=np.concatenate([np.ones(n), np.full(nx, np.inf), o_ub]),
                row_lower=np.array(lo, float), row_upper=np.array(hi, float), A=A,
                integrality=np.concatenate([np.ones(n, np.int32), np.zeros(nx + m, np.int32)]), n_x=nx)


def solve(inst: dict, k: int, aggregate: bool = True, time_limit_s: float = 300.0, gap: float = 1e-4,
          seed: int = 0, y_lower: np.ndarray | None = None) -> dict:
    """Solve L with HiGHS (1 thread); the optimum, bound, gap and the overflow the solution uses.
    ``y_lower``: lower bounds of the site columns (1 forces a site open)."""
    import highspy

    lp = relaxation(inst, k, aggregate)
    A = lp["A"]
    col_lower = lp["col_lower"].copy()
    if y_lower is not None:
        col_lower[: len(inst["fixed"])] = y_lower
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, v in {"time_limit": float(time_limit_s), "mip_rel_gap": gap, "threads": 1, "random_seed": seed}.items():
        h.setOptionValue(key, v)
    h.passModel(lp["n_col"], lp["n_row"], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                0.0, lp["cost"], col_lower, lp["col_upper"], lp["row_lower"], lp["row_upper"],
                A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data, lp["integrality"])
    t = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t
    info = h.getInfo()
    n = len(inst["fixed"])
    over = np.asarray(h.getSolution().col_value)[n + lp["n_x"]:]
    return dict(k=k, aggregate=aggregate, cols=lp["n_col"], status=h.modelStatusToString(h.getModelStatus()),
                objective=info.objective_function_value, bound=info.mip_dual_bound, gap=info.mip_gap,
                seconds=seconds, nodes=info.mip_node_count, overflow_regions=int((over > 1e-6).sum()),
                overflow_units=float(over.sum()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=int, nargs="+", default=[20, 30])
    ap.add_argument("--no-aggregate", action="store_true")
    ap.add_argument("--time-limit", type=float, default=300.0)
    a = ap.parse_args()
    inst = instance(a.seed)
    print("| seed | k | aggregate row | columns | status | objective | bound | gap | HiGHS s | nodes "
          "| regions using overflow (units) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in a.k:
        r = solve(inst, k, not a.no_aggregate, a.time_limit)
        print(f"| {a.seed} | {k} | {'yes' if r['aggregate'] else 'no'} | {r['cols']:,} | {r['status']} "
              f"| {r['objective']:,.2f} | {r['bound']:,.2f} | {100 * r['gap']:.4f} % | {r['seconds']:.1f} "
              f"| {r['nodes']} | {r['overflow_regions']} ({r['overflow_units']:g}) |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
