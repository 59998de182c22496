"""The root cut loop: linking inequalities ``x <= c * y`` added to the MIP from repeated LP relaxations.

Run by :func:`siteplan.solve.run.solve_model` before branching. Its LP is made by
:func:`siteplan.solve.highs.load_highs`, looked up at call time (so a replacement there, e.g. by
``benchmarks/run.py``, reaches this loop too).
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from siteplan import interrupt
from siteplan.solve import highs
from siteplan.solve.solve_result import CompiledModel

ROOT_CUT_BUDGET = 0.25  # share of the time limit the root cut loop may use (all LP rounds together)


def root_cut_loop(h: highspy.Highs, cm: CompiledModel, links: list, options: dict, max_rounds: int = 30,
                  max_per_round: int = 20000, tol: float = 1e-6,
                  budget_s: float | None = None) -> tuple[int, np.ndarray | None]:
    """Add violated linking inequalities ``x <= c * y`` to ``h`` from repeated LP relaxations.

    The LP relaxation is solved on a continuous copy of the model; each round adds the most
    violated inequalities (at most ``max_per_round``) and re-solves (dual simplex warm start),
    until none is violated or ``budget_s`` (all rounds together) is spent. The same rows are then
    added to the MIP in ``h``. Returns the count and the last optimal LP solution (None if no LP
    round finished), which :func:`lp_fix_start` can reuse.
    """
    pos = {id(v): i for i, v in enumerate(cm.columns)}
    trip = [(pos[id(x)], pos[id(y)], c) for x, y, c in links if id(x) in pos and id(y) in pos]
    if not trip:
        return 0, None
    xi = np.fromiter((t[0] for t in trip), dtype=np.int32, count=len(trip))
    yi = np.fromiter((t[1] for t in trip), dtype=np.int32, count=len(trip))
    coef = np.fromiter((t[2] for t in trip), dtype=float, count=len(trip))
    lp_opts = {k: v for k, v in options.items() if k not in ("mip_rel_gap",)}
    lp = highs.load_highs(highs.relaxed(cm), lp_opts)
    added = np.zeros(len(trip), dtype=bool)
    x_opt = None
    t0 = time.perf_counter()
    budget = float(options.get("time_limit", np.inf)) if budget_s is None else budget_s
    for _ in range(max_rounds):
        left = budget - (time.perf_counter() - t0)
        if left <= 0:
            break
        set_time_left(lp, left)
        if interrupt.run(lp):
            break
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        x = x_opt = np.asarray(lp.getSolution().col_value)
        viol = x[xi] - coef * x[yi]
        cand = np.nonzero((viol > tol * np.maximum(1.0, coef)) & ~added)[0]
        if len(cand) == 0:
            break
        cand = cand[np.argsort(-viol[cand], kind="stable")][:max_per_round]
        added[cand] = True
        for target in (lp, h):
            _add_link_rows(target, xi[cand], yi[cand], coef[cand])
    return int(added.sum()), x_opt


def set_time_left(h: highspy.Highs, seconds: float) -> None:
    """Let the next ``h.run()`` take at most ``seconds``.

    HiGHS checks ``time_limit`` against the *cumulative* run time of the instance, so a re-solve
    after a 115 s first LP with ``time_limit=35`` stops at once (seen in the root cut loop on the
    national study); the limit has to be the run time so far plus what is left.
    """
    h.setOptionValue("time_limit", float(h.getRunTime()) + float(seconds))


def _add_link_rows(h: highspy.Highs, xi: np.ndarray, yi: np.ndarray, coef: np.ndarray) -> None:
    n = len(xi)
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    idx = np.empty(2 * n, dtype=np.int32)
    idx[0::2], idx[1::2] = xi, yi
    val = np.empty(2 * n)
    val[0::2], val[1::2] = 1.0, -coef
    h.addRows(n, np.full(n, -np.inf), np.zeros(n), 2 * n, starts, idx, val)
