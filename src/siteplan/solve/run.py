"""Hand a Pyomo model to HiGHS, run it and read the result back: :func:`solve_model`.

The hand-off compiles the model to scipy CSC arrays (:mod:`siteplan.solve.compiler`, which gives the
same matrix as Pyomo's linear standard-form compiler in mixed form, faster; Pyomo's compiler stays
available as ``compile_model(m, "pyomo")``) and passes them straight into ``highspy`` with
``Highs.passModel`` (:func:`siteplan.solve.highs.load_highs`: no LP/MPS file, no per-element Python
calls into HiGHS). See ``benchmarks/handoff.py`` for the measured comparison with the LP-file and
persistent paths.

Around the run: the root cut loop (:mod:`~siteplan.solve.cutloop`), the MIP start
(:mod:`~siteplan.solve.mip_start`), the progress callbacks (:mod:`~siteplan.solve.progress_cb`) and,
after it, the fixed-integer LP duals (:mod:`~siteplan.solve.duals`) or the diagnosis of an infeasible
model (:mod:`~siteplan.solve.diagnose`). ``benchmarks/run.py`` replaces this module's
``compile_model`` (:func:`solve_model` looks it up here at call time) and
``siteplan.solve.highs.load_highs``, through which every HiGHS instance of the solve stage is made.
"""

from __future__ import annotations

import itertools
import operator
import time
from collections.abc import Callable

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from siteplan import interrupt
from siteplan._scipy import import_scipy
from siteplan.errors import SolveError
from siteplan.solve import highs
from siteplan.solve.compiler import LinearForm, compile_linear
from siteplan.solve.cutloop import ROOT_CUT_BUDGET, root_cut_loop
from siteplan.solve.decision_gap import decision_gap as decision_gap_of
from siteplan.solve.kernel_lp import whole_lp_seconds
from siteplan.solve.mip_start import (AUTO_START_MIN_GAP, INTERRUPTED_START_S, REFINE_BUDGET, REFINE_GAP,
                                      lp_fix_start, start_budget)
from siteplan.solve.progress_cb import _report_progress, _stop_on_decision_gap
from siteplan.solve.solve_result import _STATUS, CompiledModel, SolveResult, Termination, Timings

__all__ = ["BIG_MODEL_LP_SHARE", "BIG_MODEL_START_SHARE", "DUALS_BUDGET", "DUALS_MIN_S", "column_bounds",
           "compile_model", "solve_model"]


def compile_model(m: pyo.ConcreteModel, compiler: str = "siteplan") -> CompiledModel:
    """Compile the active linear model to matrix form (every active component, user additions too).

    ``compiler="siteplan"`` (default) uses :func:`siteplan.solve.compiler.compile_linear`, which reads
    flat rows directly and gives the same matrix as Pyomo's standard-form compiler;
    ``compiler="pyomo"`` uses Pyomo's ``LinearStandardFormCompiler`` (mixed form) itself.
    """
    import_scipy()  # scipy.sparse for the matrix, without Pyomo's 0.6-0.9 s scipy.stats import
    try:
        with PauseGC():  # as Pyomo's LP/MPS writers do: no cyclic-GC passes over the model mid-walk
            if compiler == "siteplan":
                lf = compile_linear(m)
            elif compiler == "pyomo":
                lf = _pyomo_standard_form(m)
            else:
                raise ValueError(f"compiler must be 'siteplan' or 'pyomo', not {compiler!r}")
    except InfeasibleConstraintException as exc:
        raise SolveError(f"the model is infeasible: {exc}") from None
    lb, ub, integ = column_bounds(lf.columns)
    return CompiledModel(lf.columns, lf.c, lf.offset, lf.A, lf.row_lower, lf.row_upper, lb, ub, integ, lf.rows)


def _pyomo_standard_form(m) -> LinearForm:
    info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=pyo.minimize)
    cols = info.columns
    n = len(cols)
    c = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(n)
    if c.shape[0] != n:
        c = np.zeros(n)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    rhs = np.asarray(info.rhs, dtype=float)
    mult = np.fromiter((r[1] for r in info.rows), dtype=np.int8, count=len(info.rows))
    row_lower = np.where(mult >= 0, np.where(mult == 0, rhs, -np.inf), rhs)
    row_upper = np.where(mult <= 0, np.where(mult == 0, rhs, np.inf), rhs)
    return LinearForm(cols, c, offset, info.A, row_lower, row_upper, [r[0] for r in info.rows])


_PLAIN_BOUND_TYPES = frozenset((type(None), int, float))


def column_bounds(cols: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds and integrality of Pyomo variables, read in bulk.

    Gives the same values as ``VarData.lb``, ``VarData.ub`` and ``VarData.is_integer()`` per
    variable, without a Python-level property call per column: bounds stored as plain numbers
    are converted as arrays, and the domain's bounds and integrality are resolved once per
    distinct domain. Variables with other kinds of bounds (Params, expressions, numpy scalars,
    infinities, NaN) go through ``VarData.bounds``, one at a time.

    Parameters
    ----------
    cols : list of pyomo.core.base.var.VarData
        The columns, e.g. ``LinearStandardFormInfo.columns``.

    Returns
    -------
    col_lower, col_upper : numpy.ndarray of float
        Bounds, ``-inf`` / ``inf`` where there is none.
    integrality : numpy.ndarray of uint8
        1 for integer (including binary) variables.
    """
    n = len(cols)
    if not n:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.uint8)
    if any(getattr(cls, a, None) is not getattr(VarData, a) for cls in set(map(type, cols))
           for a in ("bounds", "lb", "ub", "is_integer", "domain")):
        return _column_bounds_each(cols)  # a Var class with its own bound logic
    try:  # VarData's storage attributes (private: if a Pyomo release renames them, use the slow path)
        raw_lb = list(map(operator.attrgetter("_lb"), cols))
        raw_ub = list(map(operator.attrgetter("_ub"), cols))
        doms = list(map(operator.attrgetter("_domain"), cols))
    except AttributeError:
        return _column_bounds_each(cols)
    plain = (np.fromiter(map(_PLAIN_BOUND_TYPES.__contains__, map(type, raw_lb)), dtype=bool, count=n)
             & np.fromiter(map(_PLAIN_BOUND_TYPES.__contains__, map(type, raw_ub)), dtype=bool, count=n))
    lb = _plain_bounds(raw_lb, plain, -np.inf)
    ub = _plain_bounds(raw_ub, plain, np.inf)
    # values VarData.bounds treats specially (-inf lower / inf upper mean none; inf lower, -inf upper
    # and NaN are errors): let it handle them
    plain &= ~(np.isnan(lb) | np.isnan(ub) | (lb == np.inf) | (ub == -np.inf))
    dom_id = np.fromiter(map(id, doms), dtype=np.uint64, count=n)
    _, first, which = np.unique(dom_id, return_index=True, return_inverse=True)
    dom_lb, dom_ub, dom_int = np.empty(len(first)), np.empty(len(first)), np.empty(len(first), dtype=np.uint8)
    for j, i in enumerate(first):
        lo, hi = doms[i].bounds()
        dom_lb[j] = -np.inf if lo is None else lo
        dom_ub[j] = np.inf if hi is None else hi
        dom_int[j] = bool(cols[i].is_integer())
    which = which.ravel()
    lb = np.maximum(lb, dom_lb[which])
    ub = np.minimum(ub, dom_ub[which])
    for i in np.flatnonzero(~plain):
        lo, hi = cols[i].bounds
        lb[i] = -np.inf if lo is None else lo
        ub[i] = np.inf if hi is None else hi
    return lb, ub, dom_int[which]


def _plain_bounds(raw: list, plain: np.ndarray, none: float) -> np.ndarray:
    vals = np.array(raw, dtype=object)
    vals[~plain] = none  # filled in one at a time later
    vals[np.fromiter(map(operator.is_, raw, itertools.repeat(None)), dtype=bool, count=len(raw))] = none
    return vals.astype(float)


def _column_bounds_each(cols: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(cols)
    lb = np.fromiter((-np.inf if v.lb is None else v.lb for v in cols), dtype=float, count=n)
    ub = np.fromiter((np.inf if v.ub is None else v.ub for v in cols), dtype=float, count=n)
    integ = np.fromiter((1 if v.is_integer() else 0 for v in cols), dtype=np.uint8, count=n)
    return lb, ub, integ


def solve_model(m: pyo.ConcreteModel, time_limit_s: float = 600.0, mip_rel_gap: float = 1e-4,
                threads: int = 1, seed: int = 0, output: bool = False, root_cuts: bool = True,
                mip_start: bool | str = False, start: list | None = None,
                highs_options: dict | None = None, progress: Callable[[str], None] | None = None,
                duals: bool = True, decision_gap: float | None = None,
                unavoidable_usd: float | None = None, diagnose: bool = True,
                refine_start: bool = False) -> SolveResult:
    # long: its docstring documents each of its sixteen options (60 lines); the body is the solve's steps in order
    """Solve a (siteplan or user-extended) Pyomo model with HiGHS and load the values into it.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        Linear (MI)LP with one active objective.
    time_limit_s, mip_rel_gap, threads, seed, output
        HiGHS options (``output`` prints the HiGHS log).
    root_cuts : bool, default True
        If the model registered linking inequalities for a root cut loop
        (``m._siteplan_root_cuts``, see :mod:`siteplan.model.demand`), add the ones the LP
        relaxation violates before branching.
    decision_gap, unavoidable_usd : float, optional
        Stop as soon as (objective - bound) <= ``decision_gap`` x (objective - ``unavoidable_usd``),
        the gap on the avoidable cost (:mod:`siteplan.solve.decision_gap`); the result then counts as
        optimal for that target. ``unavoidable_usd`` also gives ``SolveResult.decision_gap``.
    diagnose : bool, default True
        When the model is infeasible, find why (:mod:`siteplan.solve.diagnose`) and say it in the error.
    mip_start : bool or "auto", default False
        Give HiGHS a starting incumbent from an LP-guided restricted MIP (see :func:`lp_fix_start`)
        when the model registered its site-opening variables (``m._siteplan_start_fix``). ``"auto"``
        does so only when the root cut loop ran, reusing its final LP relaxation (no extra LP), or
        the model asks for it (``m._siteplan_prefer_start``: on-site generators, whose N+1 and gas
        lateral structure leaves HiGHS's root heuristics without a useful incumbent: northern
        Virginia at 25 sites went from 98 % after 30 s to optimal in 1.4 s), and the target gap is at
        least ``AUTO_START_MIN_GAP`` (then a good incumbent is what is missing, not a proof).
    start : list of (variable, value), optional
        A partial MIP start (e.g. :func:`siteplan.solve.warmstart.start_values` from a previous plan);
        HiGHS completes and checks it. Used instead of the LP-guided start, unless ``refine_start``.
    refine_start : bool, default False
        With ``start`` and the model's site-opening variables: search for a better start among the
        sites the LP relaxation opens and the sites ``start`` opens (:func:`lp_fix_start` from
        ``start``, within ``REFINE_BUDGET`` of the time limit); HiGHS gets the better of the two.
        For starts built without sight of the whole model (a build-out's periods solved one by one).
    highs_options : dict, optional
        Any further HiGHS options by name.
    progress : callable, optional
        Called with a line of text as the solve goes: the model size, each better plan HiGHS
        finds (cost, bound, gap) and, every ``PROGRESS_EVERY_S`` seconds of branch and bound, the
        node count and gap. HiGHS's own log is ``output``.
    duals : bool, default True
        When there is a solution, solve the LP with every integer column fixed at its value and
        keep its duals (:func:`siteplan.solve.duals.fixed_lp_duals`; an LP's own duals when the model has
        no integer column) in ``SolveResult.duals``, within ``DUALS_BUDGET`` of the time limit.

    Returns
    -------
    SolveResult
        With ``timings.handoff_s`` (compile + pass to HiGHS), ``timings.solve_s`` (HiGHS run) and
        ``timings.duals_s`` (the fixed-integer LP).

    Raises
    ------
    SolveError
        When the model is infeasible or unbounded, or the solver stopped with no incumbent.
    """
    t0 = time.perf_counter()
    cm = compile_model(m)
    opts = {"time_limit": float(time_limit_s), "mip_rel_gap": float(mip_rel_gap), "threads": int(threads),
            "random_seed": int(seed), "output_flag": bool(output), "mip_feasibility_tolerance": 1e-7,
            "primal_feasibility_tolerance": 1e-7, **(highs_options or {})}
    _use_threads(int(threads))
    h = highs.load_highs(cm, opts)
    t1 = time.perf_counter()
    links = getattr(m, "_siteplan_root_cuts", None)
    n_cuts, lp_x = 0, None
    whole_lp_s = whole_lp_seconds(cm, getattr(m, "_siteplan_start_fix", None))
    big = whole_lp_s > BIG_MODEL_LP_SHARE * float(time_limit_s)  # HiGHS would not get past its root LP
    if root_cuts and links and cm.integrality.any() and whole_lp_s <= ROOT_CUT_BUDGET * float(time_limit_s):
        n_cuts, lp_x = root_cut_loop(h, cm, links, opts, budget_s=ROOT_CUT_BUDGET * float(time_limit_s))
    if mip_start == "auto":
        wants = lp_x is not None or bool(getattr(m, "_siteplan_prefer_start", False)) \
            or big
        # a loose target, on the total or on the avoidable cost: a good incumbent is what is missing
        loose = max(float(mip_rel_gap), float(decision_gap or 0.0)) >= AUTO_START_MIN_GAP
        mip_start = wants and loose
    start_obj = _give_start(m, h, cm, opts, lp_x, mip_start, start, refine_start, float(time_limit_s),
                            float(mip_rel_gap), progress, big)
    h.setOptionValue("time_limit", max(1e-3, float(time_limit_s) - (time.perf_counter() - t1)))
    if big and start_obj is not None:
        # HiGHS's root LP could not finish in the time left: it takes the start and stops
        h.setOptionValue("time_limit", INTERRUPTED_START_S)
        if progress is not None:
            progress("the model's LP relaxation is too big to solve whole in the time limit: the plan is "
                     "the start, with no bound")
    if progress is not None:
        _report_progress(h, cm, progress, float(time_limit_s), float(mip_rel_gap), t1, decision_gap)
    met = _stop_on_decision_gap(h, cm, decision_gap, unavoidable_usd)
    if interrupt.requested() and (start_obj is not None or (start and cm.integrality.any())):
        # interrupted before the search: let HiGHS read the start it was given (complete a partial
        # one: an LP), then stop at once on the tiny time limit; no callback would let it finish
        h.setOptionValue("time_limit", INTERRUPTED_START_S)
        h.run()
        interrupted = True
    else:
        interrupted = interrupt.run(h)
    t2 = time.perf_counter()
    term, status_text, sol = _outcome(h, cm, met, interrupted, decision_gap, diagnose, float(time_limit_s))
    x = _load_solution(m, cm, sol)
    info = h.getInfo()
    primal_feasible = (int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
                       or (len(cm.columns) == 0 and term is Termination.OPTIMAL))
    t3 = time.perf_counter()
    if duals and interrupt.requested():
        from siteplan.solve.duals import _skipped

        dual_res = _skipped(cm, "the solve was interrupted", 0.0, m)
    else:
        dual_res = _duals(m, h, cm, x, term, primal_feasible, opts, float(time_limit_s)) if duals else None
    t4 = time.perf_counter()
    return _result(cm, info, term, status_text, Timings(handoff_s=t1 - t0, solve_s=t2 - t1, duals_s=t4 - t3),
                   n_cuts, start_obj, primal_feasible, dual_res, unavoidable_usd)


def _give_start(m, h, cm: CompiledModel, opts: dict, lp_x, mip_start, start: list | None, refine_start: bool,
                time_limit_s: float, mip_rel_gap: float, progress, big: bool = False) -> float | None:
    """Hand HiGHS its MIP start, if any (given, refined, or LP-guided); returns the start's objective
    when siteplan found it (None for none, or a given start HiGHS completes itself).

    ``big``: the whole LP relaxation would take more than ``BIG_MODEL_LP_SHARE`` of the time limit, so
    HiGHS's own search would not get past its root LP and the start is the plan: it gets
    ``BIG_MODEL_START_SHARE`` of the limit, and its LP is solved on a kernel of sites."""
    fix_vars = getattr(m, "_siteplan_start_fix", None)
    kernel_vars = getattr(m, "_siteplan_start_kernel", None)
    start_obj = None
    if start and cm.integrality.any():
        pos = {id(v): i for i, v in enumerate(cm.columns)}
        pairs = sorted((pos[id(v)], val) for v, val in start if id(v) in pos)
        if refine_start and fix_vars and pairs:
            t_r = time.perf_counter()
            budget = (BIG_MODEL_START_SHARE if big else REFINE_BUDGET) * time_limit_s
            start_obj = lp_fix_start(h, cm, fix_vars, opts, budget_s=budget, lp_x=lp_x,
                                     start=pairs, lp_solver=getattr(m, "_siteplan_start_lp_solver", None),
                                     sub_gap=max(mip_rel_gap, REFINE_GAP),
                                     kernel_vars=kernel_vars, progress=progress)
            if progress is not None:
                progress("start refined among the sites the LP relaxation opens: "
                         + (f"objective {start_obj:,.0f} USD/yr" if start_obj is not None else "no plan, the start as given")
                         + f" ({time.perf_counter() - t_r:.0f} s)")
        if pairs and start_obj is None:
            h.setSolution(len(pairs), np.array([p_[0] for p_ in pairs], dtype=np.int32),
                          np.array([p_[1] for p_ in pairs], dtype=float))
    elif mip_start and fix_vars and cm.integrality.any():
        budget = BIG_MODEL_START_SHARE * time_limit_s if big else start_budget(time_limit_s)
        start_obj = lp_fix_start(h, cm, fix_vars, opts, budget_s=budget, lp_x=lp_x,
                                 lp_solver=getattr(m, "_siteplan_start_lp_solver", None),
                                 kernel_vars=kernel_vars, progress=progress)
    return start_obj


def _outcome(h: highspy.Highs, cm: CompiledModel, met: list | None, interrupted: bool, decision_gap: float | None,
             diagnose: bool, time_limit_s: float):
    """Termination, status text and solution of the finished run; raises :class:`SolveError` when
    there is no plan (infeasible, unbounded, or no incumbent)."""
    status = h.getModelStatus()
    term = _STATUS.get(status, Termination.OTHER)
    sol = h.getSolution()
    decision_met = bool(met) and status == highspy.HighsModelStatus.kInterrupt
    if decision_met:  # stopped by siteplan at the target decision gap, as HiGHS stops at mip_rel_gap
        term = Termination.OPTIMAL
    elif interrupted and term not in (Termination.OPTIMAL, Termination.INFEASIBLE, Termination.UNBOUNDED):
        term = Termination.INTERRUPTED  # by the user (Ctrl-C): the incumbent, if any, is the plan
    has_sol = bool(sol.value_valid) and len(cm.columns) > 0 or (len(cm.columns) == 0 and term is Termination.OPTIMAL)
    status_text = h.modelStatusToString(status) if not decision_met else \
        f"Optimal within the decision gap {decision_gap:.2%}"
    if term is Termination.INFEASIBLE and not diagnose:
        raise SolveError(f"the model is {term.value} (HiGHS: {status_text})")
    if term is Termination.INFEASIBLE:
        from siteplan.solve.diagnose import with_diagnosis

        raise with_diagnosis(SolveError(f"the model is {term.value} (HiGHS: {status_text})"), cm,
                             time_limit_s=max(5.0, 0.25 * time_limit_s))
    if term is Termination.UNBOUNDED:
        raise SolveError(f"the model is {term.value} (HiGHS: {status_text})")
    if not has_sol and term is Termination.INTERRUPTED:
        raise SolveError("interrupted before the solver found any plan")
    if not has_sol:
        raise SolveError(f"HiGHS stopped without a solution (status: {status_text})")
    return term, status_text, sol


def _load_solution(m: pyo.ConcreteModel, cm: CompiledModel, sol) -> np.ndarray:
    """Set every column's variable to its value (integers rounded); returns the values."""
    x = np.asarray(sol.col_value, dtype=float)
    is_int = cm.integrality.astype(bool)
    x[is_int] = np.round(x[is_int])
    for v, val in zip(cm.columns, x):
        v.set_value(float(val), skip_validation=True)
    # Variables the compiler left out (in no active row or objective) are free to take any value;
    # give them a defined one so extraction never meets None.
    _fill_unset(m)
    return x


def _result(cm: CompiledModel, info, term: Termination, status_text: str, timings: Timings, n_cuts: int,
            start_obj: float | None, primal_feasible: bool, dual_res, unavoidable_usd: float | None) -> SolveResult:
    obj = float(info.objective_function_value)
    if cm.integrality.any():
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap)
        nodes = int(info.mip_node_count)
    else:
        bound, gap, nodes = obj, 0.0, 0
    if term is Termination.OPTIMAL and not np.isfinite(gap):
        gap = 0.0
    return SolveResult(term, status_text, obj, bound, gap, True, cm.A.shape[0], len(cm.columns),
                       int(cm.A.nnz), int(cm.integrality.sum()), nodes, timings, root_cuts=n_cuts,
                       start_objective=start_obj, primal_feasible=primal_feasible, duals=dual_res,
                       unavoidable_usd_per_yr=float("nan") if unavoidable_usd is None else float(unavoidable_usd),
                       decision_gap=float("nan") if unavoidable_usd is None else
                       decision_gap_of(obj, bound, float(unavoidable_usd)))


# a model whose whole LP relaxation is estimated at over this share of the time limit ...
BIG_MODEL_LP_SHARE = 0.5
# ... gives its MIP start this share; HiGHS then only takes the start. On the national build-out
# (761,961 rows) no whole-model LP finished in 160 s, nor HiGHS's root in the 181 s left to it, nor in
# 75 s after a start (2026-12-03)
BIG_MODEL_START_SHARE = 0.9

DUALS_BUDGET = 0.25  # share of the time limit the fixed-integer LP may use (at least DUALS_MIN_S)
DUALS_MIN_S = 5.0


def _duals(m, h, cm: CompiledModel, x: np.ndarray, term: Termination, primal_feasible: bool, opts: dict,
           time_limit_s: float):
    """Duals of the LP with the integer decisions fixed (see :mod:`siteplan.solve.duals`)."""
    from siteplan.solve.duals import _skipped, duals_from_lp, fixed_lp_duals

    if not primal_feasible:
        return _skipped(cm, "the solver's point is not feasible (an unfinished LP)", 0.0, m)
    if not cm.integrality.any():  # an LP: its own duals, no re-solve
        return duals_from_lp(h, cm, m)
    return fixed_lp_duals(cm, x, opts, max(DUALS_MIN_S, DUALS_BUDGET * time_limit_s), m)


_SCHEDULER_THREADS: list[int] = []


def _use_threads(threads: int) -> None:
    """HiGHS keeps one global thread pool per process; a run asking for a different thread count
    than the pool was started with fails with status 'Not Set'. Reset the pool when it changes, and
    on siteplan's first solve in a process (highspy may have been used directly before, with its
    default thread count)."""
    if not _SCHEDULER_THREADS or _SCHEDULER_THREADS[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER_THREADS[:] = [threads]


def _fill_unset(m: pyo.ConcreteModel) -> None:
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            lo = v.lb if v.lb is not None else None
            v.set_value(max(0.0, lo) if lo is not None else 0.0, skip_validation=True)
