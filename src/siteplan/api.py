"""The library entry points: load -> prepare -> build -> (extend) -> solve -> Plan."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from siteplan.config import (Catalog, Scenario, blame_set_values, cross_check, load_catalog, load_scenario,
                             revalidated)
from siteplan.config.zones import zone_key_problems
from siteplan.errors import InputError, Problem, SolveError
from siteplan.io import Dataset, load_dataset
from siteplan.model import build_model
from siteplan.results.plan import Plan, extract_plan
from siteplan.prepare import Prepared, prepare
from siteplan.solve import Termination, Timings, solve_model


@dataclass
class Study:
    """Validated inputs of one scenario.

    ``overrides`` and ``set_values`` record what was applied to the scenario file (named overrides
    in order, values by dotted key; the manifest writes them), not what to apply.
    """

    scenario: Scenario
    catalog: Catalog
    dataset: Dataset
    overrides: tuple[str, ...] = ()
    set_values: dict[str, Any] = field(default_factory=dict)

    def with_values(self, values: dict[str, Any] | None = None,
                    overrides: tuple[str, ...] | list[str] | str = (), *, where: str = "values") -> "Study":
        """A new study with named overrides of the scenario file and values by dotted key applied
        (in that order), validated like :func:`load`.

        Parameters
        ----------
        values : dict, optional
            ``{"demand_scale": 2, "carbon.price_usd_per_t": 50}``, as ``--set`` takes them.
        overrides : sequence of str, or str
            Names from the scenario file's ``overrides:`` section.
        where : str, default "values"
            What the caller calls ``values`` in messages (``"set_values"`` from :func:`solve`).

        Raises
        ------
        InputError
            Listing every problem of the changed study.
        """
        names = (overrides,) if isinstance(overrides, str) else tuple(overrides)
        applied = {"overrides": self.overrides + names, "set_values": {**self.set_values, **(values or {})}}
        sc = self.scenario.with_overrides(overrides)
        if values:
            try:
                sc = sc.with_values(values)
            except InputError as exc:
                from siteplan.config import _blame_set_value

                raise InputError([_blame_set_value(q, values, Path(sc.source_file or "scenario"), where)
                                  for q in exc.problems]) from None
        if (sc.dataset, sorted(sc.workloads), sc.catalog, sc.catalog_overrides) == \
                (self.scenario.dataset, sorted(self.scenario.workloads), self.scenario.catalog,
                 self.scenario.catalog_overrides):
            probs = cross_check(sc, self.catalog) + zone_key_problems(sc, self.dataset)
            if probs:
                raise InputError(blame_set_values(probs, values, sc.source_file, where))
            return Study(sc, self.catalog, self.dataset, **applied)  # the same files: not read again
        try:
            return replace(load(sc), **applied)
        except InputError as exc:
            raise InputError(blame_set_values(exc.problems, values, sc.source_file, where)) from None


def validate_scenario(path: str | Path, overrides: tuple[str, ...] = (),
                      set_values: dict[str, Any] | None = None, *, where: str = "set_values") -> list[Problem]:
    """Every problem with a scenario, its catalog and its dataset, in one list (empty = valid).
    ``where``: what the caller calls ``set_values`` in messages (``"--set"`` from the command line)."""
    try:
        sc = load_scenario(path, overrides, set_values, where=where)
    except InputError as exc:
        return exc.problems
    probs: list[Problem] = []
    try:
        cat = load_catalog(sc.catalog, sc.catalog_overrides)
        probs += cross_check(sc, cat)
    except InputError as exc:
        probs += exc.problems
    try:
        ds, dprobs = load_dataset(sc.dataset, sorted(sc.workloads), strict=False)
        probs += _blame_workloads(sc, ds, dprobs)
        if not dprobs:
            probs += zone_key_problems(sc, ds)
    except InputError as exc:
        probs += exc.problems
    return blame_set_values(probs, set_values, sc.source_file, where)


def load(scenario: str | Path | Scenario, overrides: tuple[str, ...] = (),
         set_values: dict[str, Any] | None = None, *, where: str = "set_values") -> Study:
    """Load and validate a scenario with its catalog and dataset.

    Parameters
    ----------
    scenario : str, Path or Scenario
        Scenario YAML file, or an already loaded :class:`~siteplan.config.Scenario`.
    overrides : tuple of str
        Named overrides from the scenario file.
    set_values : dict, optional
        Values by dotted key (``{"demand_scale": 2}``).
    where : str, default "set_values"
        What the caller calls ``set_values`` in messages (``"--set"`` from the command line).

    Raises
    ------
    InputError
        Listing every problem found.
    """
    if isinstance(scenario, Scenario):
        # validated again: a copy changed with model_copy(update=...) skips pydantic's checks
        sc = revalidated(scenario, scenario.source_file)
        if overrides or set_values:
            raise ValueError("overrides and set_values apply to a scenario file; use Scenario.with_values")
    else:
        sc = load_scenario(scenario, overrides, set_values, where=where)
    probs: list[Problem] = []
    cat = None
    try:
        cat = load_catalog(sc.catalog, sc.catalog_overrides)
        probs += cross_check(sc, cat)
    except InputError as exc:
        probs += exc.problems
    ds, dprobs = load_dataset(sc.dataset, sorted(sc.workloads), strict=False)
    probs += _blame_workloads(sc, ds, dprobs)
    if probs:
        raise InputError(blame_set_values(probs, set_values, sc.source_file, where))
    names = (overrides,) if isinstance(overrides, str) else tuple(overrides)
    return Study(sc, cat, ds, names, dict(set_values or {}))


def _blame_workloads(sc: Scenario, ds: Dataset | None, probs: list[Problem]) -> list[Problem]:
    """A demand column missing for a scenario's workload class is the scenario's mistake (a misspelt
    class) when the layer has other classes: say so there, with the classes it has."""
    from siteplan.config.suggest import did_you_mean

    cols = list(getattr(getattr(ds, "demand", None), "columns", []))
    layer = sorted({c[:-len("_gpus")] for c in cols if c.endswith("_gpus")})
    out = []
    for q in probs:
        w = q.field[:-len("_gpus")] if q.field and q.field.endswith("_gpus") else None
        have = [c for c in layer if c != w]
        if w in sc.workloads and q.feature_id is None and "missing from every feature" in q.message and have:
            out.append(Problem(str(sc.source_file) if sc.source_file else None, None, f"workloads.{w}",
                               f"no demand column {q.field!r} in {q.file} (its classes: {', '.join(have)})"
                               + did_you_mean(w, [c for c in have if c not in sc.workloads] or have)))
        else:
            out.append(q)
    return out


def solve(study: Study | str | Path, overrides: tuple[str, ...] = (),
          set_values: dict[str, Any] | None = None, warm_start: Plan | None = None,
          progress: Callable[[str], None] | None = None, alternatives: int | None = None,
          slack: float | None = None,
          **solver_options) -> Plan:
    """Run a study end to end and return its :class:`Plan` (a build-out study, with ``periods``:
    its :class:`siteplan.buildout.BuildOut`, a plan per period and the timeline).

    Parameters
    ----------
    study : Study, str or Path
        A loaded study or a scenario file.
    overrides, set_values
        As for :func:`load`; with a loaded study, applied with :meth:`Study.with_values`.
    warm_start : Plan, optional
        A previous plan of a similar study to start the MIP from (re-solves in a sweep).
    progress : callable, optional
        Called with a line of text after each stage and as HiGHS finds better plans (the CLI
        prints these on the terminal).
    alternatives, slack : int, float, optional
        Also find this many near-optimal alternatives within ``slack`` of the best plan's
        avoidable cost (:func:`siteplan.alternatives.find_alternatives`); in ``plan.alternatives``
        (of a build-out: ``BuildOut.alternatives``, each a build-out, compared period by period).
        Default: the scenario's ``alternatives.count`` and ``alternatives.slack``.
    **solver_options
        Override the scenario's solver settings (``time_limit_s``, ``mip_rel_gap``, ``threads``,
        ``seed``, ``output``).

    Notes
    -----
    Ctrl-C (``KeyboardInterrupt``) during the solve stops HiGHS at once and returns the best plan
    found so far, with ``plan.result.termination`` ``"interrupted"`` and its gap, and no
    alternatives or duals (:mod:`siteplan.interrupt`); if there was none yet, :class:`SolveError`.
    """
    from siteplan import interrupt

    _check_solver_options(solver_options, "siteplan.solve")
    if not isinstance(study, Study):
        study = load(study, overrides, set_values)
    elif overrides or set_values:
        study = study.with_values(set_values, overrides, where="set_values")
    interrupt.clear()  # a Ctrl-C stops this study's solve (siteplan.interrupt), not an earlier one's
    with interrupt.catching():
        result = _solve(study, warm_start, progress, alternatives, slack, solver_options)
    result.study = study  # for result.write(folder)
    return result


def _solve(study: Study, warm_start, progress, alternatives, slack, solver_options: dict):
    from siteplan import interrupt

    if study.scenario.periods:
        from siteplan.buildout import solve_buildout

        k = study.scenario.alternatives.count if alternatives is None else alternatives
        sl = study.scenario.alternatives.slack if slack is None else slack
        return solve_buildout(study, progress=progress, alternatives=k, slack=sl, **solver_options)
    t0 = time.perf_counter()
    prep = prepare(study.scenario, study.dataset, study.catalog)
    t1 = time.perf_counter()
    if progress is not None:
        progress(f"prepared {len(prep.sites):,} candidate sites, {len(prep.regions):,} demand regions x "
                 f"{len(prep.workloads)} workload classes, {len(prep.slices)} time slices, "
                 f"{len(prep.options):,} interconnect options ({t1 - t0:.2f} s)")
    m = build_model(prep)
    t2 = time.perf_counter()
    if progress is not None:
        progress(f"built the Pyomo model ({t2 - t1:.2f} s)")
        solver_options["progress"] = progress
    plan = solve_built(m, prep, prepare_s=t1 - t0, build_s=t2 - t1, warm_start=warm_start, **solver_options)
    k = study.scenario.alternatives.count if alternatives is None else alternatives
    if k and interrupt.requested():
        plan.ds.attrs["alternatives_search"] = "not searched: the solve was interrupted"
    elif k:
        from siteplan.alternatives import find_alternatives

        sl = study.scenario.alternatives.slack if slack is None else slack
        plan.alternatives = find_alternatives(m, prep, plan, k=k, slack=sl, progress=progress)
        other = [min(a.objective, float(a.ds.attrs.get("cheapest_other_usd_per_yr", a.objective)))
                 for a in plan.alternatives]
        if other and min(other) < plan.objective - 1e-6 * abs(plan.objective):
            # the best plan stopped within its gap, and a plan that differs from it costs less
            note = (f"a plan that differs from this one costs ${(plan.objective - min(other)) / 1e6:,.2f}M/yr less "
                    f"(this plan stopped within its gap): the choices where they differ are not decided by cost")
            plan.ds.attrs["notes"] = "\n".join(x for x in (plan.ds.attrs.get("notes", ""), note) if x)
    return plan


def solve_built(m, prep: Prepared, prepare_s: float = 0.0, build_s: float = 0.0, warm_start: Plan | None = None,
                **solver_options) -> Plan:
    """Solve a model from :func:`siteplan.model.build_model` (possibly extended) into a Plan.

    ``warm_start``: a previous plan of a similar study whose integer decisions start the search.
    """
    _check_solver_options(solver_options, "siteplan.solve_built")
    opts = prep.scenario.solver.model_dump()
    opts.update(solver_options)
    if warm_start is not None:
        from siteplan.solve.warmstart import start_values

        opts["start"] = start_values(m, warm_start)
    from siteplan.solve.decision_gap import unavoidable_cost
    from siteplan.results.invariants import record_invariants

    res = solve_model(m, unavoidable_usd=unavoidable_cost(prep, m), **opts)
    t0 = time.perf_counter()
    plan = extract_plan(m, prep, res)
    record_invariants(plan, prep)
    t1 = time.perf_counter()
    timings = Timings(prepare_s, build_s, res.timings.handoff_s, res.timings.solve_s, t1 - t0, res.timings.duals_s)
    plan.result = replace(res, timings=timings, duals=None)  # the Plan keeps the values, not the Pyomo rows
    plan.ds.attrs.update({"prepare_s": prepare_s, "build_s": build_s, "extract_s": t1 - t0})
    return plan


# solve_model's keywords a caller may not pass: the model, and what solve_built fills in itself
_INTERNAL_SOLVE_KEYS = ("m", "unavoidable_usd", "start")


def solver_option_names() -> list[str]:
    """The solver options :func:`solve` and :func:`solve_built` take as keywords (those of
    :func:`siteplan.solve.solve_model` a caller sets)."""
    import inspect

    return [k for k in inspect.signature(solve_model).parameters if k not in _INTERNAL_SOLVE_KEYS]


def _check_solver_options(options: dict, func: str) -> None:
    """A keyword that is no solver option is a TypeError naming it and the nearest valid one (before
    anything is solved), not solve_model's bare "unexpected keyword argument"."""
    from siteplan.config.suggest import did_you_mean

    valid = solver_option_names()
    bad = [k for k in options if k not in valid]
    if bad:
        k = bad[0]
        raise TypeError(f"{func}() got an unexpected keyword argument {k!r}{did_you_mean(k, valid)}; "
                        f"solver options: {', '.join(valid)}")


def evaluate_full_resolution(plan: Plan, study: Study, **solver_options) -> Plan:
    """Re-dispatch a plan's investments over every time slice of the dataset.

    When a study was solved on merged time slices (``formulation.slice_clusters``), its operating
    costs are those of the merged slices. This fixes every integer decision of ``plan`` (sites,
    designs, racks, interconnects, on-site units) in a model built on all of the dataset's slices
    and solves the remaining LP (dispatch, flows, unmet demand): the result is what those
    investments cost at full time resolution, a feasible solution of the full model. The PyPSA
    analogue is re-running the operation with optimal capacities fixed.

    Parameters
    ----------
    plan : Plan
        A plan of ``study`` (any slice aggregation).
    study : Study
        The loaded study the plan came from.
    **solver_options
        As for :func:`solve`.

    Returns
    -------
    Plan
        The full-resolution plan; ``plan.objective`` is the investments' annual cost over all slices.

    Raises
    ------
    SolveError
        If the investments cannot be operated at some original slice, or the LP stops early (time
        limit: the LP gets the scenario's full ``time_limit_s`` again unless given one).
    ValueError
        If ``plan`` does not fix every integer decision of the full-resolution model.

    Notes
    -----
    The model is rebuilt from the study, so constraints or costs added to the merged model by hand
    are not in it; integer decisions of the plan that the rebuilt model does not have are ignored.
    """
    from siteplan.solve.warmstart import start_values

    _check_solver_options(solver_options, "siteplan.evaluate_full_resolution")
    sc = study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": None})})
    t0 = time.perf_counter()
    prep = prepare(sc, study.dataset, study.catalog)
    t1 = time.perf_counter()
    m = build_model(prep)
    fixed = start_values(m, plan)
    covered = {id(v) for v, _ in fixed}
    missing = [v.name for v in m.component_data_objects(pyo.Var, descend_into=True)
               if not v.is_continuous() and id(v) not in covered]
    if missing:
        raise ValueError(f"the plan does not fix {len(missing)} integer decision(s) of the full-resolution "
                         f"model, e.g. {missing[:3]}; was it solved from this study?")
    for v, val in fixed:
        v.fix(val)
    t2 = time.perf_counter()
    full = solve_built(m, prep, prepare_s=t1 - t0, build_s=t2 - t1, **solver_options)
    if full.result.termination is not Termination.OPTIMAL:
        # an LP stopped early still has values, but they are neither feasible nor a cost
        raise SolveError(f"the full-resolution LP did not finish ({full.result.highs_status}); "
                         f"no full-resolution cost")
    return full
