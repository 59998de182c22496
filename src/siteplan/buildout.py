"""Build-out studies (``periods:`` in the scenario): solved at once, read as one plan per period and
a timeline across them.

:func:`solve_buildout` prepares every period (:mod:`siteplan.prepare.periods`), builds the linked
model (:mod:`siteplan.model.periods`), solves it with HiGHS as any siteplan model, and reads each
period's block as a single-period :class:`~siteplan.results.plan.Plan` (so every single-period output and
invariant applies per period), plus a :class:`BuildOut` with the ``period`` dimension: when each site
opens, its IT and racks by type, what is bought and retired, when its grid connection is energised,
bridge power owned and rented, and costs per period. The reading is :mod:`siteplan.results.buildout_plan`
(:func:`buildout_from_model`, :class:`BuildOut`, :func:`timeline`, all importable from here too): a
module of its own, so that :mod:`siteplan.alternatives` reads a build-out without importing this
module back.
"""

from __future__ import annotations

import time
from dataclasses import replace

from siteplan.results.buildout_plan import BuildOut, buildout_from_model, site_timeline, timeline
from siteplan.solve import solve_model

__all__ = ["BuildOut", "solve_buildout", "solve_built_buildout", "buildout_from_model", "timeline", "site_timeline"]


def solve_buildout(study, progress=None, alternatives: int = 0, slack: float = 0.01, **solver_options) -> BuildOut:
    """Prepare, build and solve a build-out study; see :func:`siteplan.solve`.

    With ``alternatives > 0``, also the near-optimal build-outs within ``slack`` of its avoidable
    cost that differ from it most (:func:`siteplan.alternatives.find_alternatives`: a choice is a
    site open, an interconnect option built or a generator type present, in each period), in
    ``BuildOut.alternatives``.
    """
    from siteplan.model.periods import build_buildout_model
    from siteplan.prepare.periods import prepare_periods

    t0 = time.perf_counter()
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    t1 = time.perf_counter()
    if progress is not None:
        progress(f"prepared {len(preps)} periods ({', '.join(str(p.period.year) for p in preps)}), "
                 f"{len(preps[0].sites):,} candidate sites ({t1 - t0:.2f} s)")
    m = build_buildout_model(preps)
    t2 = time.perf_counter()
    if progress is not None:
        progress(f"built the build-out model ({t2 - t1:.2f} s)")
        solver_options["progress"] = progress
    bo = solve_built_buildout(m, preps, prepare_s=t1 - t0, build_s=t2 - t1, **solver_options)
    from siteplan import interrupt

    if alternatives and interrupt.requested():
        bo.ds.attrs["alternatives_search"] = "not searched: the solve was interrupted"
    elif alternatives:
        from siteplan.alternatives import find_alternatives

        bo.alternatives = find_alternatives(m, preps, bo, k=alternatives, slack=slack, progress=progress)
    return bo


def solve_built_buildout(m, preps: list, prepare_s: float = 0.0, build_s: float = 0.0, **solver_options) -> BuildOut:
    """Solve a model from :func:`siteplan.model.periods.build_buildout_model` (possibly extended)
    into a :class:`BuildOut`; every period's plan and the timeline are checked against the rules."""
    from siteplan.solve.decision_gap import unavoidable_cost

    sc = preps[0].scenario
    opts = sc.solver.model_dump()
    opts.update(solver_options)
    share = m._siteplan_period_share
    u = sum(share[p.period.year] * unavoidable_cost(_cheapest_vintage(p, preps), m.period[p.period.year])
            for p in preps)
    if opts.get("mip_start") and not opts.get("start") and len(preps) > 1:
        # HiGHS may find no plan before the time limit on its own (the build-out's root LP alone
        # takes minutes on the bundled regions): start from the periods solved one by one. One period
        # is the single-period study and is solved as one (mip_start as set: solve_model's LP-guided
        # start); the start would solve it twice (generated 300-site study, 1 period: start 17.7 s of
        # 31 s against HiGHS alone on the matrix in 7 s, docs/performance.md "Build-out studies").
        from siteplan.solve.buildout_start import coarse_periods, myopic_start

        t_c = time.perf_counter()
        # the periods on merged time slices: seconds each, where all slices take minutes
        coarse = coarse_periods(preps)
        start, _ = myopic_start(m, preps, opts, progress=opts.get("progress"), solve_preps=coarse)
        spent = time.perf_counter() - t_c
        if start:
            opts.update(start=start, time_limit_s=max(1.0, float(opts["time_limit_s"]) - spent))
    else:
        spent = 0.0
    # the myopic start never saw the periods together: refine it among the sites the build-out's LP
    # relaxation opens (solve_model's refine_start)
    res = solve_model(m, unavoidable_usd=u, refine_start=bool(opts.get("start")) and spent > 0.0, **opts)
    out = buildout_from_model(m, preps, res, prepare_s, build_s)
    out.ds.attrs["start_s"] = spent  # the periods solved alone for a start (within the time limit)
    return out


def _cheapest_vintage(p, preps):
    """``p`` with each rack type at the lowest price of any period up to it: a vintage bought then
    may serve in ``p``, so the unavoidable cost of ``p`` is bounded with the cheapest one."""
    before = [q for q in preps if q.period.year <= p.period.year]
    racks = {g: rt.model_copy(update={"capex_usd_per_rack": min(q.catalog.rack_types[g].capex_usd_per_rack
                                                                for q in before)})
             for g, rt in p.catalog.rack_types.items()}
    return replace(p, catalog=p.catalog.model_copy(update={"rack_types": racks}))
