"""A starting plan for a build-out: the periods solved one after the other (myopic).

The build-out MILP links its periods (sites stay open, vintages serve later periods), and on the
bundled regions its LP relaxation alone takes minutes (texas, 3 periods: 117,765 rows; dual simplex
did not finish in 240 s on one loaded core, interior point took 110 s), so HiGHS may reach the time
limit before its root heuristics find any plan. Each period as a single-period study solves in
seconds. :func:`myopic_start` solves them in order, each with the sites opened before held open and
their cooling designs kept, and returns every integer decision as a MIP start for the build-out
(HiGHS completes the continuous rest: vintages, rentals, dispatch). The start obeys the build-out's
rules by construction: sites never close, designs never change, and a period's single-period study
offers only the interconnect options energised by then.

It is myopic: each period is costed as a steady state (assets annualised over their whole life) and
does not see later demand, so the build-out's own search improves on it; it only has to be a plan.
"""

from __future__ import annotations

import time

__all__ = ["myopic_start", "MYOPIC_BUDGET", "MYOPIC_GAP"]

MYOPIC_BUDGET = 0.3  # share of the build-out's time limit the periods' solves may use together
MYOPIC_GAP = 0.02  # relative gap each period's solve stops at: a start, not a proof


def myopic_start(m, preps: list, opts: dict, progress=None) -> tuple[list, float]:
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

    Returns
    -------
    (list of (variable, value), float)
        ``(m.period[year].<var>[index], value)`` for every integer variable of every period. A
        period whose solve finds no plan within its share of the budget keeps the build of the
        period before it (the first period: nothing built).
    """
    import pyomo.environ as pyo

    from siteplan import interrupt
    from siteplan.model import build_model
    from siteplan.solve import SolveError, solve_model

    t0 = time.perf_counter()
    budget = MYOPIC_BUDGET * float(opts.get("time_limit_s", 600.0))
    opened: set = set()
    designs: set = set()
    pairs: list = []
    before: list = []  # (variable name, index, value) of the period before's integer decisions
    for k, p in enumerate(preps):
        y = p.period.year
        block = m.period[y]
        left = budget - (time.perf_counter() - t0)
        share = left / (len(preps) - k)  # what is left, shared by the periods still to solve
        mk = build_model(p) if share >= 1.0 and not interrupt.requested() else None
        solved = False
        if mk is not None:
            for s in opened:
                mk.open[s].fix(1)
            for key in designs:
                mk.design[key].fix(1)
            # from the period before's build (its integer decisions, where this period has them): a
            # plan at least as good as keeping it, so a period stopped at its time limit does not fall
            # back to a poor first incumbent
            warm = _matched(mk, before)
            try:
                solve_model(mk, time_limit_s=share, mip_rel_gap=MYOPIC_GAP, threads=int(opts.get("threads", 1)),
                            seed=int(opts.get("seed", 0)), mip_start=opts.get("mip_start", "auto"),
                            start=warm or None, duals=False, diagnose=False)
                solved = True
            except SolveError:
                solved = False
        if solved:
            before = [(v.parent_component().local_name, v.index(), float(round(v.value)))
                      for v in mk.component_data_objects(pyo.Var, descend_into=True)
                      if v.is_integer() and v.value is not None]
            opened |= {s for s in p.sites if (mk.open[s].value or 0.0) > 0.5}
            designs |= {key for key in mk.design if (mk.design[key].value or 0.0) > 0.5}
        elif not before:
            # no plan for the first period within its share: nothing built yet (demand unmet, when
            # the study allows it; otherwise HiGHS rejects the start and searches on its own)
            before = [(v.parent_component().local_name, v.index(), 0.0)
                      for v in block.component_data_objects(pyo.Var, descend_into=True) if v.is_integer()]
        # else: no plan for this period within its share: it keeps the period before's build
        pairs += _matched(block, before)
        if progress is not None:
            how = "solved alone" if solved else "keeps the build before it (no plan within its share of the budget)"
            progress(f"start: period {y} {how} ({len(opened)} site(s) open by then, "
                     f"{time.perf_counter() - t0:.0f} s)")
    return pairs, time.perf_counter() - t0



def _matched(block, decisions: list) -> list:
    """``(block.<name>[index], value)`` for each ``(name, index, value)`` the block has."""
    out = []
    for name, idx, val in decisions:
        comp = block.component(name)
        if comp is not None and idx in comp:
            out.append((comp[idx], val))
    return out
