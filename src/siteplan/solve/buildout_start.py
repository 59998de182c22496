"""A starting plan for a build-out: the periods solved one at a time (myopic), last period first.

The build-out MILP links its periods (sites stay open, vintages serve later periods), and on the
bundled regions its LP relaxation alone takes minutes (texas, 3 periods: 111,030 rows; dual simplex
did not finish in 240 s on one loaded core, interior point took 40-110 s), so HiGHS may reach the
time limit before its root heuristics find any plan. :func:`myopic_start` solves the periods as
single-period studies on merged time slices (:func:`coarse_periods`: seconds each) and returns every
integer decision as a MIP start for the build-out (HiGHS completes the continuous rest at full
resolution: vintages, rentals, dispatch).

By default the **last period comes first**: it has the most demand and every interconnect option
energised by then, so its plan is where the build-out ends up; each earlier period is then solved
among the sites open in the period after it, keeping their cooling designs (small restricted
studies), which is when the bridging (rented or owned on-site plant before the grid arrives) is
chosen. The start obeys the build-out's rules by construction: sites never close, designs never
change, and a period's study offers only the interconnect options energised by then. Measured on
texas_buildout (120 s limit, 2 threads, machine loaded by two other jobs, 2026-12-03): last first on
merged slices 4.256 B USD/yr in 42 s; in period order on merged slices 5.143 B in 54 s; last first on
all 26 slices 4.430 B in 60 s (its last period ran out of time); in order on all slices under a
120 s limit: no plan for any period (every demand unmet).

It is myopic: each period is costed as a steady state (assets annualised over their whole life), so
the build-out's own search (and the refinement among the sites its LP relaxation opens,
:func:`siteplan.solve.solve_model`'s ``refine_start``) improves on it; it only has to be a good plan.
"""

from __future__ import annotations

import time

__all__ = ["myopic_start", "myopic_budget", "coarse_periods", "START_SLICES", "MYOPIC_BUDGET", "MYOPIC_GAP", "LAST_SHARE"]

MYOPIC_BUDGET = 0.3  # share of the build-out's time limit the periods' solves may use together ...
MYOPIC_MIN_S = 90.0  # ... but at least this (at most MYOPIC_MAX_SHARE of the limit): under a short limit
MYOPIC_MAX_SHARE = 0.8  # the start is the plan. texas's single-period LP takes 14-28 s on the shared 2-core
# machine, and its last period alone found no plan in 25 s (36 s of a 120 s limit), while the build-out's
# own search cannot use a short limit at all (its LP relaxation takes 40-110 s)
MYOPIC_GAP = 0.02  # relative gap each period's solve stops at: a start, not a proof
# the periods are solved on this many merged time slices: texas's last period (2032) on its 26 slices
# found no plan in 63 s on the loaded 2-core machine (root LP and LP-guided start alone took 34 s); on
# 6 merged (7 with the design peak) a plan in 7 s, within 2 % in 14 s
START_SLICES = 6
LAST_SHARE = 0.7  # last period first: its share of the budget (the earlier, restricted periods take seconds)


def coarse_periods(preps: list) -> list | None:
    """The periods prepared again on ``START_SLICES`` merged time slices, for :func:`myopic_start`;
    None when they have no more slices than that already.

    Each period keeps its own scenario, catalog and interconnect options (so the integer decisions
    have the same names and indices). The integer decisions of a plan on merged slices are a plan at
    full resolution: every capacity is sized on the design-peak slice, which merging keeps
    (:mod:`siteplan.prepare.slices`); what the merged slices average away is dispatch, which the
    build-out's LP completes.
    """
    from siteplan.prepare import prepare

    if len(preps[0].slices) <= START_SLICES + 1:  # + the design-peak slice
        return None
    out = []
    for p in preps:
        f = p.scenario.formulation
        sc = p.scenario.model_copy(update={"formulation": f.model_copy(update={"slice_clusters": START_SLICES})})
        q = prepare(sc, p.dataset, p.catalog, options=p.options, year=p.period.year)
        q.period = p.period
        out.append(q)
    return out


def myopic_start(m, preps: list, opts: dict, progress=None, order: str = "last_first",
                 solve_preps: list | None = None) -> tuple[list, float]:
    """Integer decisions of a build-out plan solved period by period, and the seconds spent.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        The build-out model (:func:`siteplan.model.periods.build_buildout_model`); its period
        blocks have the components of a single-period model, by the same names and indices.
    preps : list of siteplan.prepare.Prepared
        One per period, in order.
    opts : dict
        The study's solver options (``time_limit_s``, ``threads``, ``seed``, ``mip_start``).
    order : {"last_first", "forward"}
        ``"last_first"`` (default): the last period (the most demand, every option energised by
        then) is solved alone with most of the budget (``LAST_SHARE``); each earlier period is then
        solved among the sites open in the period after it, with their cooling designs: small
        restricted studies that solve in seconds, and whose sites never close by construction.
        ``"forward"``: the periods in order, each with the sites opened before held open (the
        period stopped without a plan keeps the build before it).
    solve_preps : list of siteplan.prepare.Prepared, optional
        The periods to solve instead of ``preps`` (same sites, options and order), e.g. on merged
        time slices (:func:`coarse_periods`); their integer decisions are matched to ``m`` by name
        and index.

    Returns
    -------
    (list of (variable, value), float)
        ``(m.period[year].<var>[index], value)`` for every integer variable of every period. A
        period whose solve finds no plan within its share of the budget builds nothing (last
        first: that period and those before it) or keeps the build before it (forward).
    """
    if order not in ("last_first", "forward"):
        raise ValueError(f"order must be 'last_first' or 'forward', not {order!r}")
    t0 = time.perf_counter()
    budget = myopic_budget(float(opts.get("time_limit_s", 600.0)))
    seq = list(range(len(preps)))
    if order == "last_first":
        seq.reverse()
    plans: dict = {}  # period index -> integer decisions (name, index, value) of its own solve
    opened: set = set()  # forward: sites opened so far; last first: sites the later period opens
    designs: set = set()
    for n, k in enumerate(seq):
        p = (solve_preps or preps)[k]
        got = _next_period(p, n, seq, plans, opened, designs, budget - (time.perf_counter() - t0), opts, order)
        if got is not None:
            decisions, now_open, now_designs = got
            plans[k] = decisions
            if order == "forward":
                opened |= now_open
                designs |= now_designs
            else:
                opened, designs = now_open, now_designs
        elif order == "forward" and n > 0 and seq[n - 1] in plans:
            plans[k] = plans[seq[n - 1]]  # keeps the build of the period before it
        if progress is not None:
            how = ("solved alone" if order == "forward" or n == 0 else "solved among the later period's sites") \
                if got is not None else ("keeps the build before it" if k in plans else "builds nothing") + \
                " (no plan within its share of the budget)"
            progress(f"start: period {p.period.year} {how} ({len(opened)} site(s) open, "
                     f"{time.perf_counter() - t0:.0f} s)")
    return _all_periods(m, preps, plans), time.perf_counter() - t0


def _next_period(p, n: int, seq: list, plans: dict, opened: set, designs: set, left: float, opts: dict,
                 order: str):
    """Solve the ``n``-th period of ``seq`` within its share of the ``left`` seconds (see
    :func:`myopic_start`): :func:`_solve_period`'s result, or None."""
    if order == "last_first":
        # the last period's study is the whole problem's biggest; the earlier ones, restricted
        # to its sites, take seconds
        share = LAST_SHARE * left if n == 0 and len(seq) > 1 else left / (len(seq) - n)
        if n > 0 and seq[n - 1] not in plans:
            return None  # the period after it built nothing: nor does this one
        return _solve_period(p, share, opts, keep_open=set(), designs=designs, allowed=None if n == 0 else opened,
                             warm=None)
    before = plans.get(seq[n - 1]) if n > 0 else None
    # what is left, shared by the periods still to solve
    return _solve_period(p, left / (len(seq) - n), opts, keep_open=opened, designs=designs, allowed=None,
                         warm=before)


def _all_periods(m, preps: list, plans: dict) -> list:
    """``(variable, value)`` of every integer decision of every period of ``m``: a period's plan, or
    nothing built where it has none (demand unmet, when the study allows it)."""
    import pyomo.environ as pyo

    pairs: list = []
    for k, p in enumerate(preps):
        block = m.period[p.period.year]
        decisions = plans.get(k)
        if decisions is None:
            decisions = [(v.parent_component().local_name, v.index(), 0.0)
                         for v in block.component_data_objects(pyo.Var, descend_into=True) if v.is_integer()]
        pairs += _matched(block, decisions)
    return pairs


def myopic_budget(time_limit_s: float) -> float:
    """Seconds the periods' solves may use together within a build-out solve of ``time_limit_s``."""
    return max(MYOPIC_BUDGET * time_limit_s, min(MYOPIC_MIN_S, MYOPIC_MAX_SHARE * time_limit_s))


def _solve_period(p, share: float, opts: dict, keep_open: set, designs: set, allowed: set | None,
                  warm: list | None):
    """Solve one period's single-period study: ``(integer decisions, sites open, designs chosen)``,
    or None when there is no time or no plan. ``keep_open``: sites held open; ``allowed``: the only
    sites that may open (None: all), each with its design in ``designs``; ``warm``: decisions of a
    plan to start from."""
    import pyomo.environ as pyo

    from siteplan import interrupt
    from siteplan.errors import SolveError
    from siteplan.model import build_model
    from siteplan.solve.run import solve_model

    if share < 1.0 or interrupt.requested():
        return None
    mk = build_model(p)
    for s in keep_open:
        mk.open[s].fix(1)
    for key in designs:
        if allowed is None:
            mk.design[key].fix(1)
    if allowed is not None:
        for s in p.sites:
            if s not in allowed:
                mk.open[s].fix(0)
        for key in mk.design:
            if key[0] in allowed and key not in designs:
                mk.design[key].fix(0)  # the later period's design, or closed
    try:
        # from the period before's build (forward): a plan at least as good as keeping it, so a
        # period stopped at its time limit does not fall back to a poor first incumbent
        solve_model(mk, time_limit_s=share, mip_rel_gap=MYOPIC_GAP, threads=int(opts.get("threads", 1)),
                    seed=int(opts.get("seed", 0)), mip_start=opts.get("mip_start", "auto"),
                    start=_matched(mk, warm) if warm else None, duals=False, diagnose=False)
    except SolveError:
        return None
    decisions = [(v.parent_component().local_name, v.index(), float(round(v.value)))
                 for v in mk.component_data_objects(pyo.Var, descend_into=True)
                 if v.is_integer() and v.value is not None]
    now_open = {s for s in p.sites if (mk.open[s].value or 0.0) > 0.5}
    now_designs = {key for key in mk.design if (mk.design[key].value or 0.0) > 0.5}
    return decisions, now_open, now_designs


def _matched(block, decisions: list) -> list:
    """``(block.<name>[index], value)`` for each ``(name, index, value)`` the block has."""
    out = []
    for name, idx, val in decisions:
        comp = block.component(name)
        if comp is not None and idx in comp:
            out.append((comp[idx], val))
    return out
