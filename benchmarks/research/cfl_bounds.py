"""Lower bounds on a CFL instance of ``benchmarks/cfl.py``: is a Lagrangian bound worth building?

    python benchmarks/research/cfl_bounds.py --seed 0 [--upper 5536670.43]

Prints the strong LP bound (the hand-built MIP's LP relaxation with x_ij <= d_j y_i, solved by
HiGHS) and the Lagrangian bound that relaxes the demand rows sum_i x_ij = d_j and keeps the
aggregate capacity inequality sum_i s_i y_i >= sum_j d_j:

    L(lam) = sum_j lam_j d_j + min { sum_i v_i(lam) y_i : sum_i s_i y_i >= D, y binary },
    v_i(lam) = f_i + min { sum_j (c_ij - lam_j) x_ij : sum_j x_ij <= s_i, 0 <= x_ij <= d_j },

where v_i is a continuous knapsack (greedy) and the outer problem a 0-1 covering knapsack (dynamic
programme over integer capacity). It is maximised over lam by subgradient steps (Polyak step to
``--upper``, halved after ``--patience`` non-improving steps). Without the knapsack the bound equals
the strong LP bound; the knapsack is what could make it stronger. docs/performance.md compares
the result with HiGHS's root bound after its own cuts.
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


def cover_knapsack(v: np.ndarray, s: np.ndarray, demand: float) -> tuple[float, np.ndarray]:
    """min v.y s.t. s.y >= demand, y binary (s integer): items with v < 0 are always taken."""
    y = v < 0
    need = int(max(0, np.ceil(demand - s[y].sum())))
    if need == 0:
        return float(v[y].sum()), y
    items = np.flatnonzero(~y)
    best = np.full(need + 1, np.inf)  # best[c]: least cost of covering at least c more units
    best[0] = 0.0
    take = np.zeros((len(items), need + 1), dtype=bool)
    for t, i in enumerate(items):
        si = int(s[i])
        shifted = np.full(need + 1, best[0])
        if si <= need:
            shifted[si:] = best[:need + 1 - si]
        cand = shifted + v[i]
        take[t] = cand < best
        best = np.minimum(best, cand)
    y = y.copy()
    c = need
    for t in range(len(items) - 1, -1, -1):
        if take[t, c]:
            y[items[t]] = True
            c = max(0, c - int(s[items[t]]))
    return float(v[v < 0].sum() + best[need]), y


def site_knapsacks(inst: dict, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per site i, g_i(lam) = min { sum_j (c_ij - lam_j) x_ij : sum_j x_ij <= s_i, 0 <= x_ij <= d_j }
    (a continuous knapsack, filled greedily by reduced cost) and the x that attains it."""
    s, d, c = inst["capacity"], inst["demand"], inst["cost"]
    red = c - lam[None, :]
    order = np.argsort(red, axis=1, kind="stable")
    red_sorted = np.take_along_axis(red, order, 1)
    d_sorted = d[order]
    filled_before = np.cumsum(d_sorted, 1) - d_sorted
    amount = np.where(red_sorted < 0, np.clip(s[:, None] - filled_before, 0, d_sorted), 0.0)
    x = np.zeros_like(c)
    np.put_along_axis(x, order, amount, 1)
    return (red_sorted * amount).sum(1), x


def lagrangian(inst: dict, lam: np.ndarray):
    """L(lam), the facilities' y and the assignment x of the relaxation at lam."""
    f, s, d = inst["fixed"], inst["capacity"], inst["demand"]
    g, x = site_knapsacks(inst, lam)
    value, y = cover_knapsack(f + g, s, d.sum())
    return lam @ d + value, y, x


def subgradient(inst: dict, upper: float, iters: int = 3000, patience: int = 60) -> tuple[float, int]:
    d, c = inst["demand"], inst["cost"]
    lam = np.sort(c, 0)[1].copy()  # second-cheapest serving cost per region
    best, theta, stall = -np.inf, 2.0, 0
    for it in range(iters):
        val, y, x = lagrangian(inst, lam)
        if val > best + 1e-9 * abs(val):
            best, stall = val, 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
        g = d - (x * y[:, None]).sum(0)
        norm = float(g @ g)
        if norm < 1e-12 or theta < 1e-6:
            break
        lam = lam + theta * (upper - val) / norm * g
    return best, it + 1


def strong_lp_bound(inst: dict) -> float:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(strong_lp(inst, integer=False))
    h.run()
    return float(h.getInfo().objective_function_value)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--upper", type=float, default=None,
                    help="a known objective (the optimum, e.g. from cfl.py --solve); default: strong LP x 1.005")
    ap.add_argument("--patience", type=int, default=60)
    ap.add_argument("--no-lp", action="store_true", help="skip the strong LP (100,000 link rows; ~1 min)")
    a = ap.parse_args()
    inst = instance(a.seed, a.sites, a.regions)
    lp = None if a.no_lp else strong_lp_bound(inst)
    upper = a.upper or (lp or 0.0) * 1.005
    t = time.perf_counter()
    lag, its = subgradient(inst, upper, patience=a.patience)
    dt = time.perf_counter() - t
    if lp is not None:
        print(f"strong LP bound            {lp:,.0f}")
    print(f"Lagrangian + knapsack      {lag:,.0f}  ({its} subgradient steps, {dt:.1f} s)")
    if a.upper:
        for name, b in (("strong LP", lp), ("Lagrangian", lag)):
            if b is not None:
                print(f"gap of {name} to upper {a.upper:,.0f}: {(a.upper - b) / a.upper:.3%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
