"""The LP relaxation of a model too big to solve whole in its time budget: on a kernel of sites,
priced out until no closed site would lower its cost.

Why: on the national build-out (2,000 sites x 100 regions) the LP relaxation of the start's last
period alone (227,759 rows x 402,614 columns) took 126 s by interior point and 211-278 s by dual
simplex, and the whole three-period model's (761,961 rows) did not finish in 160 s, so every stage
that rested on it stopped at its time share with nothing (docs/performance.md, "National build-out").
Almost every row belongs to one site (its generators, batteries, dispatch, racks, imports and serving
pairs), and the LP opens a few dozen sites at most: the same period restricted to the 347 sites
nearest its demand regions had the same LP optimum (6,380.9 against 6,380.3 M USD/yr, 0.01 %) in
16 s.

:func:`kernel_lp` solves the LP with every site-opening column outside the kernel fixed at 0 (HiGHS's
presolve then removes the site's rows), reads the reduced costs of those fixed columns, frees the
sites whose reduced cost is most negative (opening a fraction of them would lower the LP's cost) and
solves again, until none is negative, a round gains too little, or the budget would not hold another
round. When it stops because none is negative, its solution is optimal for the whole LP (within
``PRICE_TOL``): the duals stay feasible with every opening column free, and only those columns'
bounds were changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy
import numpy as np

from siteplan import interrupt
from siteplan.solve import highs

__all__ = ["LP_S_PER_ROW", "KERNEL_MIN_ROWS", "lp_seconds", "whole_lp_seconds", "use_kernel", "kernel_lp"]

# Seconds of LP relaxation per row of a siteplan model, on one core of this shared 2-core machine, for
# deciding whether an LP can finish within a budget. Measured 2026-12-03/04 by interior point: texas_buildout
# 111,030 rows 40-110 s (0.36-0.99 ms/row); the national build-out's last period 227,759 rows 126 s
# and 211 s (0.55-0.93 ms/row), dual simplex 278 s. The upper end is taken: a stage that starts an LP
# which cannot finish wastes its whole share.
LP_S_PER_ROW = 1.0e-3
# Models with fewer rows solve their LP whole, as before the kernel existed: the largest measured to
# do so within its budget is the single-period national study (141,471 rows; root LP and LP-guided start
# within a 600 s limit, 0.4 % plan in ~220 s), and every bundled study is smaller (texas_buildout 111,030)
KERNEL_MIN_ROWS = 150_000
MAX_ROUNDS = 20
PRICE_TOL = 1e-6  # a reduced cost below -PRICE_TOL x max(1, |cost|) frees the site
# The reduced costs of the closed sites are those of one dual solution among many (the LP is degenerate
# there): on the national last period the first round priced in 1,653 of the 1,653 closed sites, and
# freeing them all (five rounds, warm dual simplex) took 397 s for a 0.008 % lower LP cost. So each
# round frees only the most negative quarter of the free count (at least MIN_ADD), and the rounds stop
# once a round lowers the cost by less than STOP_GAIN.
MIN_ADD = 20
STOP_GAIN = 1e-4
# a round starts only with this many times the last round's seconds left: each frees more sites, and
# on the national build-out (3 periods) round 1 took 74 s and round 2 151 s, on its last period 9 and 12 s
ROUND_GROWTH = 2.0


def lp_seconds(n_rows: int, open_cols: np.ndarray, col_upper: np.ndarray) -> float:
    """Estimated seconds of the LP relaxation of a model of ``n_rows`` rows, counting only the share
    of its sites not fixed closed (``col_upper`` of the site-opening columns ``open_cols`` above 0):
    the rows are almost all per site, and presolve removes a closed site's."""
    share = 1.0
    if len(open_cols):
        share = max(float(np.mean(col_upper[open_cols] > 0.5)), 1.0 / len(open_cols))
    return LP_S_PER_ROW * n_rows * share


def whole_lp_seconds(cm, fix_vars: list | None) -> float:
    """Estimated seconds of the LP relaxation of ``cm`` (:func:`lp_seconds`) with ``fix_vars`` its
    site-opening variables; 0 below ``KERNEL_MIN_ROWS`` rows, where every stage solves it whole."""
    if cm.A.shape[0] < KERNEL_MIN_ROWS or not fix_vars:
        return 0.0
    pos = {id(v): i for i, v in enumerate(cm.columns)}
    cols = np.array([pos[id(v)] for v in fix_vars if id(v) in pos], dtype=np.int32)
    return lp_seconds(cm.A.shape[0], cols, cm.col_upper)


def use_kernel(cm, open_cols: np.ndarray, budget_s: float) -> bool:
    """Whether the LP relaxation of ``cm`` should be solved on a kernel of sites: it has at least
    ``KERNEL_MIN_ROWS`` rows and its estimated time (:func:`lp_seconds`) is over ``budget_s``."""
    n_rows = cm.A.shape[0]
    return n_rows >= KERNEL_MIN_ROWS and lp_seconds(n_rows, open_cols, cm.col_upper) > budget_s


def kernel_lp(cm, open_cols: np.ndarray, kernel_cols: np.ndarray, options: dict, budget_s: float,
              lp_solver: str | None = None,
              progress: Callable[[str], None] | None = None) -> tuple[np.ndarray | None, bool]:
    """The LP relaxation of ``cm`` solved on a kernel of sites and priced out.

    Parameters
    ----------
    cm : siteplan.solve.CompiledModel
        The model (its integer columns are relaxed here).
    open_cols : numpy.ndarray of int
        Columns of the site-opening binaries.
    kernel_cols : numpy.ndarray of int
        The ones free in the first LP; every other opening column is fixed at 0 until its reduced
        cost frees it.
    options : dict
        HiGHS options (``mip_rel_gap`` is dropped); ``time_limit`` is set from ``budget_s``.
    budget_s : float
        Seconds for all rounds together.
    lp_solver : str, optional
        HiGHS's ``solver`` for the first round (later rounds re-solve warm from its basis).
    progress : callable, optional
        Called with one line per round.

    Returns
    -------
    (numpy.ndarray or None, bool)
        The last optimal LP solution (None when no round finished), and whether it is optimal for the
        whole LP (no closed site left with a negative reduced cost).
    """
    t0 = time.perf_counter()
    opts = {k: v for k, v in options.items() if k != "mip_rel_gap"}
    opts["time_limit"] = float(budget_s)
    if lp_solver:
        opts["solver"] = lp_solver
    lp = highs.load_highs(highs.relaxed(cm), opts)
    open_cols = np.asarray(open_cols, dtype=np.int32)
    free = np.isin(open_cols, np.asarray(kernel_cols, dtype=np.int32)) | (cm.col_lower[open_cols] > 0.5)
    upper = cm.col_upper[open_cols].astype(float)
    closed = open_cols[~free]
    lp.changeColsBounds(len(closed), closed, cm.col_lower[closed], np.zeros(len(closed)))
    x, last = None, None
    round_s = 0.0
    for n in range(MAX_ROUNDS):
        left = budget_s - (time.perf_counter() - t0)
        if left <= 0.05 or left < ROUND_GROWTH * round_s:
            break  # the next round, with more sites free, would not finish: keep the last
        t_round = time.perf_counter()
        lp.setOptionValue("time_limit", float(lp.getRunTime()) + left)
        if interrupt.run(lp) or interrupt.requested() or lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        x = np.asarray(lp.getSolution().col_value)
        round_s = time.perf_counter() - t_round
        # minimised (siteplan's objective is annual cost): a negative reduced cost at the bound 0 means
        # the LP would open some of that site
        rc = np.asarray(lp.getSolution().col_dual)[open_cols]
        cost = np.abs(cm.c[open_cols])
        want = np.flatnonzero(~free & (upper > 0.5) & (rc < -PRICE_TOL * np.maximum(1.0, cost)))
        if progress is not None:
            progress(f"kernel LP round {n + 1}: {int(free.sum())} of {len(open_cols)} sites free, objective "
                     f"{lp.getInfo().objective_function_value:,.0f} USD/yr, {len(want)} priced in "
                     f"({time.perf_counter() - t0:.0f} s)")
        if len(want) == 0:
            return x, True
        obj = lp.getInfo().objective_function_value
        if last is not None and last - obj <= STOP_GAIN * abs(obj):
            break  # the sites priced in last round no longer lower the LP's cost: near enough for a start
        last = obj
        want = want[np.argsort(rc[want], kind="stable")][:max(MIN_ADD, int(free.sum()) // 4)]
        free[want] = True
        cols = open_cols[want]
        lp.changeColsBounds(len(cols), cols, cm.col_lower[cols], upper[want])
    return x, False
