"""MIP starts: the LP-guided restricted MIP (:func:`lp_fix_start`), the columns it closes, and the
shares of the time limit a start may use.

Used by :func:`siteplan.solve.run.solve_model`. :func:`lp_fix_start` makes its LP and restricted MIP
with :func:`siteplan.solve.highs.load_highs`, looked up at call time (so a replacement there, e.g. by
``benchmarks/run.py``, reaches the start too).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy
import numpy as np

from siteplan import interrupt
from siteplan.solve import highs
from siteplan.solve.kernel_lp import kernel_lp, use_kernel
from siteplan.solve.solve_result import CompiledModel

START_BUDGET = 0.2  # share of the time limit the LP-guided start may use
START_MIN_S = 30.0  # ... but at least this (at most half the limit): texas's LP relaxation takes 14-28 s on
# a shared 2-core machine; with 12 s of a 60 s limit the start found nothing and HiGHS's own first plan
# had 96.5 % gap (all 120 sites open at ~0.5 MW each, off-grid: texas -o small, 2026-12-03)


def start_budget(time_limit_s: float) -> float:
    """Seconds the LP-guided start may use within a solve of ``time_limit_s``."""
    return max(START_BUDGET * time_limit_s, min(START_MIN_S, 0.5 * time_limit_s))
# share of the time limit refining a given start may use (LP relaxation + restricted MIP). Measured on
# texas_buildout (3 periods, 111 k rows, 2 threads, machine shared): interior-point LP 40 s, the
# restricted MIP (6 of 120 sites) 0.5 % in 12 s, from the myopic start's 5.09 to 4.26 B USD/yr, which
# HiGHS on the whole model reached only after 400 s; 0.35 of the 520 s left leaves room on one thread.
REFINE_BUDGET = 0.35
INTERRUPTED_START_S = 1e-3  # HiGHS reads (and completes) a MIP start before it checks its time limit
REFINE_GAP = 0.005  # the refined start's gap within its restricted MIP: a start, the main MIP proves the gap
# mip_start "auto" needs a target gap at least this loose. Measured: on the 2,000-site national
# study (1 % target) the start took HiGHS from 1.54 % after 10 min to 0.62 % in 3.5 min; on the
# CFL benchmark (0.01 % target) it found the optimum but the proof took as long, so it only cost time.
AUTO_START_MIN_GAP = 0.005
# share of a start's budget its LP relaxation may take on a kernel of sites (siteplan.solve.kernel_lp), when the
# whole LP would take more: the rest is the restricted MIP's. On the national build-out's last period
# the kernel LP's first round took 10-16 s, the restricted MIP on the 347 kernel sites a first plan at 65 s
KERNEL_LP_SHARE = 0.5


def closed_columns(cols: np.ndarray, x: np.ndarray, start: list | None = None) -> np.ndarray:
    """The site-opening columns (``cols``) a restricted MIP fixes to 0: those the LP relaxation
    ``x`` leaves at 0, except those the partial start ``(column, value)`` pairs set to 1."""
    keep = {i for i, val in (start or []) if val > 0.5}
    return np.array([c for c in cols[x[cols] <= 1e-6] if c not in keep], dtype=np.int32)


def lp_fix_start(h: highspy.Highs, cm: CompiledModel, fix_vars: list, options: dict,
                 budget_s: float, lp_x: np.ndarray | None = None, start: list | None = None,
                 lp_solver: str | None = None, sub_gap: float | None = None,
                 kernel_vars: list | None = None,
                 progress: Callable[[str], None] | None = None) -> float | None:
    """LP-guided start: fix to 0 the binaries the LP relaxation leaves at 0 (closed sites), solve
    that restricted MIP within ``budget_s`` and hand its solution to ``h``.

    With ``start`` (sorted ``(column, value)`` pairs, a partial MIP start), the binaries the start
    sets to 1 stay free too and the restricted MIP starts from it, so its plan is at least as good.
    ``lp_solver`` is HiGHS's ``solver`` option for the relaxation (e.g. ``"ipm"``; default: HiGHS's
    choice). ``sub_gap`` overrides the restricted MIP's target gap.

    The LP relaxation is ``lp_x`` when given (e.g. the root cut loop's last LP), else solved here:
    whole, or, when the whole LP cannot finish in ``budget_s`` (:func:`siteplan.solve.kernel_lp.use_kernel`)
    and the model names a kernel of sites (``kernel_vars``, with the sites ``start`` opens added), on
    that kernel priced out (:func:`siteplan.solve.kernel_lp.kernel_lp`, within ``KERNEL_LP_SHARE`` of the
    budget).
    The restricted MIP stops at 10 x the target gap (at most 1 %, at least the target): it only
    has to be a good incumbent, the main MIP proves the gap. Closing sites never makes a siteplan
    model infeasible (unmet demand has a slack), so the restricted MIP normally has a solution; if
    not, nothing is passed. Returns the start's objective or None.
    """
    pos = {id(v): i for i, v in enumerate(cm.columns)}
    cols = np.array(sorted(pos[id(v)] for v in fix_vars if id(v) in pos), dtype=np.int32)
    if len(cols) == 0:
        return None
    t0 = time.perf_counter()
    x = lp_x
    if x is None and kernel_vars and use_kernel(cm, cols, budget_s):
        kernel = [pos[id(v)] for v in kernel_vars if id(v) in pos] + [i for i, val in (start or []) if val > 0.5]
        x, _ = kernel_lp(cm, cols, np.array(kernel, dtype=np.int32), options, KERNEL_LP_SHARE * budget_s,
                         lp_solver=lp_solver, progress=progress)
        if x is None:
            return None
    elif x is None:
        lp_opts = {k: v for k, v in options.items() if k != "mip_rel_gap"}
        lp_opts["time_limit"] = budget_s
        if lp_solver:
            lp_opts["solver"] = lp_solver
        lp = highs.load_highs(highs.relaxed(cm), lp_opts)
        if interrupt.run(lp):
            return None
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(lp.getSolution().col_value)
    close = closed_columns(cols, x, start)
    left = budget_s - (time.perf_counter() - t0)
    if left <= 0.05:
        return None
    target = float(options.get("mip_rel_gap", 0.0))
    sub_opts = dict(options, time_limit=left,
                    mip_rel_gap=max(target, min(0.01, 10.0 * target)) if sub_gap is None else sub_gap)
    sub = highs.load_highs(cm, sub_opts)
    if len(close):
        sub.changeColsBounds(len(close), close, np.zeros(len(close)), np.zeros(len(close)))
    if start:
        sub.setSolution(len(start), np.array([i for i, _ in start], dtype=np.int32),
                        np.array([val for _, val in start], dtype=float))
    interrupt.run(sub)  # interrupted or not: its incumbent, if any, is a start
    sol = sub.getSolution()
    if not sol.value_valid:
        return None
    h.setSolution(sol)
    return float(sub.getInfo().objective_function_value)
