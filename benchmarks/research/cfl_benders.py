"""Benders decomposition of a CFL instance of ``benchmarks/cfl.py``, run around repeated HiGHS solves.

    python benchmarks/research/cfl_benders.py --seed 0 [--time-limit 600]
    python benchmarks/research/cfl_benders.py --seed 0 --probe UPPER [--restricted K]
    python benchmarks/research/cfl_benders.py --seed 0 --cardinality P_MIN P_MAX

HiGHS 1.16 has no lazy-constraint callback, so branch-and-Benders-cut (one tree, cuts added at its
nodes) cannot be hosted. This is the variant that can: the master problem

    min f.y + theta  s.t.  sum_i s_i y_i >= sum_j d_j,  theta >= const + sum_i g_i(lam) y_i  (cuts),

over the 100 site binaries only, is re-solved by HiGHS after every cut (with the best y so far as
its start; no tree or cuts carry over). The cuts come from the transportation problem T(y)
(x_ij <= d_j y_i as column bounds, sum_j x_ij <= s_i y_i, every demand met or paid at the 1e8
unmet penalty, as in siteplan's model): with lam its demand-row duals, ``g_i(lam)`` is site i's
continuous knapsack (``cfl_bounds.site_knapsacks``) and const = lam.d + sum_j min(0, penalty -
lam_j) d_j. Every such cut is valid for every y in [0, 1]^n (it is a Lagrangian bound) and tight
at the y it was made at, so the loop converges.

1. LP phase: the master's LP relaxation with in-out stabilisation (Ben-Ameur & Neto 2007: separate at
   ``alpha`` x the best point so far + (1 - alpha) x the master's point) until it is within 1e-6 of
   the strong LP bound.
2. MIP phase: solve the integer master, evaluate T at its y (an upper bound), add the cut, repeat
   until the master's bound is within ``gap`` of the best y found.

``--probe UPPER`` measures LP probing on this master instead (fix each y_i to 0 and to 1; Benders LP
rounds decide whether the bound passes UPPER, the cost of a known solution; fixings are kept), then
solves the strong compact MIP with those sites fixed, or with ``--restricted K``
``cfl_restricted``'s pruned-pairs relaxation over the sites left. ``--cardinality`` gives the strong
LP bound with exactly p sites open, for a disjunction on the number of open sites.
docs/performance.md has the numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # research/ siblings, then benchmarks/ (cfl.py)
from cfl import instance, strong_lp  # noqa: E402
from cfl_bounds import site_knapsacks  # noqa: E402

UNMET_PENALTY = 1.0e8  # per unit, as cfl.py's scenario; keeps T(y) finite for every y in [0, 1]


def _run(h, ok) -> None:
    """``h.run()``, and once more from scratch if the status is not in ``ok``: a warm-started
    HiGHS LP can end in "Unknown" where a cold solve does not."""
    h.run()
    if h.getModelStatus() not in ok:
        h.clearSolver()
        h.run()


class Benders:
    """Master (y, theta) and transportation subproblem, each a persistent ``highspy.Highs``."""

    def __init__(self, inst: dict):
        import highspy
        import scipy.sparse as sp

        self.hs = highspy
        self.inst = inst
        f, s, d, c = inst["fixed"], inst["capacity"], inst["demand"], inst["cost"]
        n, k = len(f), len(d)
        self.n, self.k = n, k
        # subproblem columns: x_ij at i*k + j, then unmet_j; rows: demand j, then capacity i
        nx = n * k
        self.xj = np.tile(np.arange(k), n)
        xi = np.repeat(np.arange(n), k)
        rows = np.concatenate([self.xj, k + xi, np.arange(k)])
        cols = np.concatenate([np.arange(nx), np.arange(nx), nx + np.arange(k)])
        A = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(k + n, nx + k))
        # 1 thread, as every other HiGHS run of these benchmarks: HiGHS keeps one thread pool per
        # process, and a later run asking for another size fails
        self.sub = highspy.Highs()
        self.sub.setOptionValue("output_flag", False)
        self.sub.setOptionValue("threads", 1)
        self.sub.passModel(nx + k, k + n, A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                           0.0, np.concatenate([c.ravel(), np.full(k, UNMET_PENALTY)]), np.zeros(nx + k),
                           np.concatenate([d[self.xj], d]), np.concatenate([d, np.full(n, -np.inf)]),
                           np.concatenate([d, s]), A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data,
                           np.zeros(nx + k, dtype=np.int32))
        self.master = highspy.Highs()
        self.master.setOptionValue("output_flag", False)
        self.master.setOptionValue("threads", 1)
        self.master.addVars(n + 1, np.zeros(n + 1), np.concatenate([np.ones(n), [np.inf]]))
        self.master.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), np.concatenate([f, [1.0]]))
        self.master.addRow(d.sum(), np.inf, n, np.arange(n, dtype=np.int32), s)
        # the master's rows other than cuts, {master row: [coefficients, lower, upper]}: in-out
        # separation points must satisfy them (a convex combination of two points that do)
        self.rows = {0: [s.astype(float), float(d.sum()), np.inf]}
        self.cuts = 0
        self.separations = 0

    def transport(self, y: np.ndarray) -> float:
        """T(y); adds the cut made at ``y`` to the master."""
        value, const, g = self.cut_at(y)
        n = self.n
        self.master.addRow(const, np.inf, n + 1, np.arange(n + 1, dtype=np.int32), np.concatenate([-g, [1.0]]))
        self.cuts += 1
        return value

    def cut_at(self, y: np.ndarray) -> tuple[float, float, np.ndarray]:
        """T(y) and the cut made there, T(y') >= const + g.y' for every y' in [0, 1]^n."""
        n, k, d, s = self.n, self.k, self.inst["demand"], self.inst["capacity"]
        self.sub.changeColsBounds(n * k, np.arange(n * k, dtype=np.int32), np.zeros(n * k), np.repeat(y, k) * d[self.xj])
        self.sub.changeRowsBounds(n, np.arange(k, k + n, dtype=np.int32), np.full(n, -np.inf), s * y)
        _run(self.sub, (self.hs.HighsModelStatus.kOptimal,))
        if self.sub.getModelStatus() != self.hs.HighsModelStatus.kOptimal:
            raise RuntimeError(f"transportation LP: {self.sub.modelStatusToString(self.sub.getModelStatus())}")
        lam = np.asarray(self.sub.getSolution().row_dual)[:k]
        g, _ = site_knapsacks(self.inst, lam)
        # the relaxed unmet columns add min(0, penalty - lam_j) d_j (zero unless a dual exceeds the penalty)
        const = float(lam @ d + np.minimum(0.0, UNMET_PENALTY - lam) @ d)
        self.separations += 1
        return float(self.sub.getInfo().objective_function_value), const, g

    def add_row(self, coefficients: np.ndarray, lower: float, upper: float) -> int:
        """Add a row over y (not a cut) to the master; returns its index for :meth:`set_row_bounds`."""
        self.master.addRow(lower, upper, self.n, np.arange(self.n, dtype=np.int32), coefficients)
        row = self.master.getNumRow() - 1
        self.rows[row] = [np.asarray(coefficients, dtype=float), lower, upper]
        return row

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self.master.changeRowBounds(row, lower, upper)
        self.rows[row][1:] = [lower, upper]

    def feasible(self, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float = 1e-9) -> bool:
        """Whether ``y`` is within the bounds and the master's rows other than cuts."""
        if np.any(y < lo - tol) or np.any(y > hi + tol):
            return False
        return all(a_lo - tol * max(1.0, abs(a_lo)) <= a @ y <= a_hi + tol * max(1.0, abs(a_hi))
                   for a, a_lo, a_hi in self.rows.values())

    def _master_solve(self, integer: bool = False) -> tuple[np.ndarray | None, float]:
        """Solve the master; its y (None if it has none) and bound (inf if infeasible)."""
        hs = self.hs
        if integer:
            self.master.run()
        else:
            _run(self.master, (hs.HighsModelStatus.kOptimal, hs.HighsModelStatus.kInfeasible))
        status = self.master.getModelStatus()
        if status == hs.HighsModelStatus.kInfeasible:
            return None, np.inf
        info = self.master.getInfo()
        if integer:
            has_y = status == hs.HighsModelStatus.kOptimal or (
                status == hs.HighsModelStatus.kTimeLimit and info.primal_solution_status == 2)  # 2: feasible
            if status not in (hs.HighsModelStatus.kOptimal, hs.HighsModelStatus.kTimeLimit):
                raise RuntimeError(f"integer master: {self.master.modelStatusToString(status)}")
            y = np.asarray(self.master.getSolution().col_value)[: self.n] if has_y else None
            return y, float(info.mip_dual_bound)
        if status != hs.HighsModelStatus.kOptimal:
            raise RuntimeError(f"master LP: {self.master.modelStatusToString(status)}")
        return np.asarray(self.master.getSolution().col_value)[: self.n], float(info.objective_function_value)

    def lp(self, lo: np.ndarray, hi: np.ndarray, alpha: float = 0.5, tol: float = 1e-6, stop_at: float | None = None,
           core: np.ndarray | None = None, max_rounds: int = 1000, deadline: float = np.inf
           ) -> tuple[float, float, np.ndarray | None]:
        """Benders on the master LP over lo <= y <= hi. Returns (bound, best value found, best point).

        The best value is f.y + T(y) at a point that meets the master's rows, so an upper bound on
        this LP; the loop ends when the two are within ``tol``. With ``stop_at``, it returns as
        soon as the bound reaches ``stop_at`` or a point below it is found. ``core``: the in-out
        stabilisation centre to start from (the first master point if None or if it breaks a row).
        """
        f = self.inst["fixed"]
        self.master.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), lo, hi)
        if core is not None:
            core = np.clip(core, lo, hi)
            if not self.feasible(core, lo, hi):
                core = None
        best = np.inf
        for _ in range(max_rounds):
            ybar, bound = self._master_solve()
            if ybar is None:
                return np.inf, np.inf, core
            if core is None:
                core = ybar
            if stop_at is not None and (bound >= stop_at or best < stop_at):
                break
            if (np.isfinite(best) and best - bound <= tol * abs(best)) or time.perf_counter() > deadline:
                break
            point = alpha * core + (1 - alpha) * ybar
            value = f @ point + self.transport(point)
            if value < best:
                best, core = value, point
        return bound, best, core

    def mip(self, gap: float, deadline: float, bound: float = -np.inf) -> dict:
        """The integer master loop from a known lower ``bound`` (e.g. the LP phase's); returns the
        best y, its cost, the best bound and the rounds. The master is an LP again afterwards."""
        hs, n, f = self.hs, self.n, self.inst["fixed"]
        cols = np.arange(n, dtype=np.int32)
        self.master.changeColsBounds(n, cols, np.zeros(n), np.ones(n))
        self.master.changeColsIntegrality(n, cols, np.full(n, hs.HighsVarType.kInteger))
        self.master.setOptionValue("mip_rel_gap", min(gap, 1e-6))
        upper, best, rounds = np.inf, None, 0
        while time.perf_counter() < deadline:
            rounds += 1
            self.master.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter()))
            if best is not None:  # the best y so far as the start; no tree or cuts carry over
                start = hs.HighsSolution()
                start.col_value = list(best[0]) + [best[1]]
                start.value_valid = True
                self.master.setSolution(start)
            y, master_bound = self._master_solve(integer=True)
            bound = max(bound, master_bound)
            if y is None:  # infeasible, or out of time before the master found a y
                break
            y = np.round(y)
            t = self.transport(y)
            if f @ y + t < upper:
                upper, best = f @ y + t, (y, t)
            if upper - bound <= max(gap, 1e-9) * abs(upper):
                break
        self.master.changeColsIntegrality(n, cols, np.full(n, hs.HighsVarType.kContinuous))
        self.master.setOptionValue("time_limit", np.inf)
        return dict(upper=upper, y=None if best is None else best[0], bound=bound, rounds=rounds)


def solve(inst: dict, gap: float = 1e-4, time_limit_s: float = 600.0, alpha: float = 0.5) -> dict:
    """Benders to ``gap``: the objective, bound, gap, seconds per phase, rounds and cuts."""
    t0 = time.perf_counter()
    b = Benders(inst)
    n = b.n
    lp_bound, _, _ = b.lp(np.zeros(n), np.ones(n), alpha=alpha, deadline=t0 + time_limit_s)
    t_lp = time.perf_counter() - t0
    lp_cuts = b.cuts
    r = b.mip(gap, t0 + time_limit_s, bound=lp_bound)
    seconds = time.perf_counter() - t0
    g = (r["upper"] - r["bound"]) / abs(r["upper"]) if np.isfinite(r["upper"]) else np.inf
    return dict(status="optimal" if g <= max(gap, 1e-9) else "time limit", objective=r["upper"], bound=r["bound"],
                gap=g, seconds=seconds, lp_seconds=t_lp, lp_bound=lp_bound, lp_cuts=lp_cuts, mip_rounds=r["rounds"],
                cuts=b.cuts, open=int(r["y"].sum()) if r["y"] is not None else 0)


def probe(inst: dict, upper: float, alpha: float = 0.5, time_limit_s: float = 400.0, k: int | None = None) -> dict:
    """LP probing on the Benders master with ``upper`` as the cutoff, then the strong compact MIP
    (``cfl.strong_lp``) with the fixed sites, solved by HiGHS (1 thread, 0.01 %).

    ``upper`` must be the cost of a known solution: sites are fixed where the other value cannot
    beat it, so the reported objective is the better of ``upper`` and the reduced MIP's. With
    ``k``, the reduced MIP is instead ``cfl_restricted``'s exact relaxation over the sites left
    open to choice and the fixed-open ones (each region's ``k`` cheapest of them plus an overflow
    column): its bound is a bound, and a solution of it without overflow is a solution."""
    import highspy

    from cfl_restricted import solve as solve_restricted

    t0 = time.perf_counter()
    b = Benders(inst)
    n = b.n
    lo, hi = np.zeros(n), np.ones(n)
    _, _, core = b.lp(lo, hi, alpha=alpha)
    cutoff = upper * (1 - 1e-9)
    for i in range(n):
        for v in (0.0, 1.0):
            plo, phi = lo.copy(), hi.copy()
            plo[i] = phi[i] = v
            bound, _, _ = b.lp(plo, phi, alpha=alpha, stop_at=cutoff, core=core)
            if bound >= cutoff:  # y_i = v cannot beat the upper bound
                lo[i] = hi[i] = 1.0 - v
                break
    t_probe = time.perf_counter() - t0
    t = time.perf_counter()
    if k is None:
        lp = strong_lp(inst)
        cl, cu = np.array(lp.col_lower_), np.array(lp.col_upper_)
        cl[:n], cu[:n] = lo, hi
        lp.col_lower_, lp.col_upper_ = cl, cu
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for key, v in {"mip_rel_gap": 1e-4, "threads": 1, "random_seed": 0, "time_limit": float(time_limit_s)}.items():
            h.setOptionValue(key, v)
        h.passModel(lp)
        if h.run() == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS failed on the reduced MIP")
        info = h.getInfo()
        r = dict(status=h.modelStatusToString(h.getModelStatus()), objective=info.objective_function_value,
                 bound=info.mip_dual_bound, nodes=info.mip_node_count, overflow_regions=0)
    else:  # closed sites left out, fixed-open ones forced open
        left = hi > 0
        sub = {key: inst[key][left] for key in ("fixed", "capacity", "cost")} | {"demand": inst["demand"]}
        r = solve_restricted(sub, k, time_limit_s=time_limit_s, y_lower=lo[left])
    status, overflow_regions = r["status"], r["overflow_regions"]
    # Probing fixed whatever cannot beat ``upper``, so the reduced MIP may hold nothing as good as it
    # (even be infeasible): the answer is the better of the two, the bound the lower of the two.
    found = r["objective"] if status in ("Optimal", "Time limit reached") else np.inf
    if overflow_regions:
        found = np.inf  # a relaxation's point, not a solution: only its bound counts
    reduced_bound = r["bound"] if status != "Infeasible" else np.inf
    objective, bound = min(upper, found), min(upper, reduced_bound)
    return dict(probe_seconds=t_probe, separations=b.separations, closed=int((hi == 0).sum()), opened=int((lo == 1).sum()),
                mip_seconds=time.perf_counter() - t, status=status, reduced_objective=found, objective=objective, bound=bound,
                overflow_regions=overflow_regions,
                gap=(objective - bound) / abs(objective), nodes=r["nodes"])


def cardinality(inst: dict, counts: list[int], alpha: float = 0.5) -> dict[int, float]:
    """The strong LP bound with the number of open sites fixed, sum_i y_i = p, for each p in
    ``counts`` (inf where no p sites have enough capacity); the cuts are shared across p."""
    b = Benders(inst)
    n = b.n
    b.lp(np.zeros(n), np.ones(n), alpha=alpha)
    row = b.add_row(np.ones(n), 0.0, float(n))
    bounds = {}
    for p in counts:
        b.set_row_bounds(row, float(p), float(p))
        bounds[p], _, _ = b.lp(np.zeros(n), np.ones(n), alpha=alpha)
    return bounds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--probe", type=float, default=None, metavar="UPPER",
                    help="LP probing with this upper bound (e.g. the known optimum), then the reduced compact MIP; "
                         "sites are fixed where the other value cannot beat it")
    ap.add_argument("--restricted", type=int, default=None, metavar="K",
                    help="with --probe: solve cfl_restricted's relaxation with each region's K cheapest sites "
                         "instead of the compact MIP")
    ap.add_argument("--cardinality", type=int, nargs=2, default=None, metavar=("P_MIN", "P_MAX"),
                    help="the strong LP bound with exactly p sites open, for p from P_MIN to P_MAX")
    a = ap.parse_args()
    inst = instance(a.seed)
    if a.cardinality is not None:
        for p, bound in cardinality(inst, list(range(a.cardinality[0], a.cardinality[1] + 1)), a.alpha).items():
            print(f"seed {a.seed}: {p} sites open: LP bound {bound:,.2f}")
        return 0
    if a.probe is not None:
        r = probe(inst, a.probe, a.alpha, a.time_limit, k=a.restricted)
        print(f"seed {a.seed}: probing {r['probe_seconds']:.1f} s ({r['separations']} transportation LPs) fixed "
              f"{r['closed']} closed + {r['opened']} open; reduced MIP {r['status']}; best {r['objective']:,.2f} gap "
              f"{100 * r['gap']:.4f} % in {r['mip_seconds']:.1f} s, {r['nodes']} nodes"
              + (f", {r['overflow_regions']} regions on overflow (k = {a.restricted})" if a.restricted else ""))
        return 0
    r = solve(inst, time_limit_s=a.time_limit, alpha=a.alpha)
    print(f"seed {a.seed}: {r['status']} {r['objective']:,.2f} bound {r['bound']:,.2f} gap {100 * r['gap']:.4f} % "
          f"in {r['seconds']:.1f} s; LP phase {r['lp_seconds']:.1f} s ({r['lp_cuts']} cuts, bound {r['lp_bound']:,.2f}); "
          f"{r['mip_rounds']} integer master solves, {r['cuts']} cuts, {r['open']} sites open")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
