"""Near-optimal alternatives: plans nearly as cheap as the best that differ from it the most.

After the best plan, each alternative is found on the same model in two MIPs: (A) the cheapest plan
at least one choice away from every plan so far; if it costs more than ``slack`` of the cost plans
can differ in (the best plan's objective less the unavoidable cost of :mod:`siteplan.solve.decision_gap`)
above the best, there is no alternative; (B) from it, the plan within that cost that maximises its
smallest **distance** to the best plan and to every alternative found before it. The distance between two plans counts the binary choices where
they differ:

- a site open in one and closed in the other (``open``);
- an interconnect option (site, substation, voltage class) built in one and not the other
  (``connect``);
- a generator type present at a site in one and not the other (``has_gen``).

Step (B) stops at a distance gap, so (C) then takes the cheapest plan within the cap that is at
least as far as the one (B) found: of equally different plans, the alternative shown is the cheaper.
A choice that the best plan and every alternative share is **robust**: within the slack, the study
has no other way. That is proven only when the search ended because step (A)'s bound exceeded the
cap, or when all ``k`` alternatives were found; when a step stopped at its time limit first, the
labels say "unproven" (``best.ds.attrs["alternatives_search"]`` says which). Written against the model's components, not a
period structure, so any model with these binaries (one period or several) gets alternatives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siteplan.solve.decision_gap import decision_gap, unavoidable_cost
from siteplan.model.linear import linear_value

__all__ = ["find_alternatives", "alternatives_table", "robust_choices", "shared_choices", "proven", "DISTANCE_VARS"]

DISTANCE_VARS = ("open", "connect", "has_gen")  # the binary choices the distance counts
COST_WEIGHT = 0.01  # weight of (cost - best) / allowed slack in the objective: < 1 unit of distance
ALT_TIME_LIMIT_S = 60.0  # default time limit per alternative (at most the scenario's)
ALT_DISTANCE_GAP = 0.1  # relative gap on the distance objective at which an alternative is good enough
ALT_COST_GAP = 1e-4  # relative gap of the cheapest-different-plan step (phase A)
ALT_POLISH_LIMIT_S = 30.0  # time limit of the cheapest-at-that-distance step (phase C)


def _binaries(m) -> list:
    """The choices the distance counts: ``DISTANCE_VARS`` of the model and of each of its blocks (a
    build-out's ``m.period[year]``: a site open in 2027 in one plan and from 2029 in another differs)."""
    out = []
    for blk in [m, *m.component_data_objects(pyo.Block, descend_into=True)]:
        for name in DISTANCE_VARS:
            comp = blk.component(name)
            if comp is not None and comp.ctype is pyo.Var:
                out += [v for _, v in sorted(comp.items(), key=lambda kv: str(kv[0]))]
    return out


def find_alternatives(m, prep, best, k: int = 2, slack: float = 0.01, time_limit_s: float | None = None,
                      progress=None) -> list:
    """Up to ``k`` plans within ``slack`` of the best on the avoidable cost, as different as possible.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        The model ``best`` was solved from (as built, possibly extended); it is restored afterwards.
    prep : siteplan.prepare.Prepared, or a list of them (a build-out: one per period)
    best : siteplan.results.plan.Plan or siteplan.buildout.BuildOut
        The best plan (of a build-out: the whole build-out; its avoidable cost is its objective less
        the ``unavoidable_usd_per_yr`` of its solve).
    k : int
        Number of alternatives.
    slack : float
        Allowed extra cost, as a share of the best plan's avoidable cost (objective less
        :func:`siteplan.solve.decision_gap.unavoidable_cost`); under ``max_profit``, of the absolute
        objective.
    time_limit_s : float, optional
        Per step; default: the scenario's time limit for step A (the cheapest plan that differs: it
        proves what is robust), at most ``ALT_TIME_LIMIT_S`` for step B and ``ALT_POLISH_LIMIT_S``
        for step C. B stops at ``ALT_DISTANCE_GAP`` on its own objective (the distance): an
        alternative only has to be far from the others and within the slack, not provably the
        farthest.

    Returns
    -------
    list of siteplan.results.plan.Plan (of a build-out: of siteplan.buildout.BuildOut)
        Each with ``ds.attrs["alternative"]`` (1..k), ``distance_to_best``, ``min_distance`` (to
        the best and the earlier alternatives) and ``cheapest_other_usd_per_yr`` (the cost of the
        cheapest plan at least one choice away from the plans before it: below the best plan's
        cost when that stopped within its gap). Fewer than ``k`` if no plan
        within the slack differs from all earlier ones.
    """
    buildout = isinstance(prep, (list, tuple))
    sc = (prep[0] if buildout else prep).scenario
    obj_best, u, allowed, cap = _cost_cap(prep, best, slack, buildout)
    binaries = _binaries(m)
    if not binaries or k <= 0:
        return []
    saved = [(v, v.value) for v in m.component_data_objects(pyo.Var, descend_into=True)]
    search = f"all {k} requested alternatives found"
    prev = [_values_from(best, binaries, m)]
    opts, proof_limit_s = _step_options(sc, time_limit_s)
    obj_expr = _add_search_components(m, cap, len(binaries))
    st = _Search(m, prep, best, binaries, prev, opts, proof_limit_s, obj_expr, obj_best, u, allowed, cap, slack,
                 buildout)
    out = []
    try:
        for j in range(1, k + 1):
            plan, stop = _next_alternative(st, j, k, progress)
            if stop is not None:
                search = stop
                break
            out.append(plan)
    finally:
        _restore(m, saved)
    best.ds.attrs["alternatives_search"] = search
    best.ds.attrs["alternatives_slack"] = float(slack)
    return out


@dataclass
class _Search:
    """What the steps of the alternatives search share: the model, the plans so far, the cost cap, the options."""

    m: object
    prep: object
    best: object
    binaries: list
    prev: list  # the binary choices of the best plan and of each alternative found, in order
    opts: dict
    proof_limit_s: float
    obj_expr: object
    obj_best: float
    u: float
    allowed: float
    cap: float
    slack: float
    buildout: bool


def _cost_cap(prep, best, slack: float, buildout: bool) -> tuple:
    """``(best objective, unavoidable cost, allowed extra cost, cost cap)`` of the search."""
    obj_best = float(best.result.objective)
    u = float(best.result.unavoidable_usd_per_yr) if buildout else unavoidable_cost(prep)
    base = obj_best - u if np.isfinite(u) and obj_best - u > 0 else abs(obj_best)
    allowed = max(slack * base, 1e-6 * max(1.0, abs(obj_best)))
    return obj_best, u, allowed, obj_best + allowed


def _step_options(sc, time_limit_s: float | None) -> tuple[dict, float]:
    """The solver options of steps B and C, and the time limit of step A."""
    opts = sc.solver.model_dump()
    opts.pop("decision_gap", None)
    proof_limit_s = float(time_limit_s if time_limit_s is not None else opts["time_limit_s"])
    opts["time_limit_s"] = float(time_limit_s if time_limit_s is not None
                                 else min(opts["time_limit_s"], ALT_TIME_LIMIT_S))
    opts["mip_rel_gap"] = ALT_DISTANCE_GAP
    opts["mip_start"] = False  # the LP-guided start closes sites the LP closes: the opposite of what is wanted
    return opts, proof_limit_s


def _add_search_components(m, cap: float, n_binaries: int):
    """Deactivate the objective and add the cost cap, the distance and the cuts; returns the objective's expression."""
    obj_expr = m.objective.expr
    m.objective.deactivate()
    m._alt_cost_cap = pyo.Constraint(expr=obj_expr <= cap)
    m._alt_distance = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, n_binaries))
    m._alt_apart = pyo.ConstraintList()
    return obj_expr


def _restore(m, saved: list) -> None:
    """Remove the search's components and put the best plan's objective and values back."""
    for name in ("_alt_objective", "_alt_apart", "_alt_distance", "_alt_cost_cap"):
        if hasattr(m, name):
            m.del_component(name)
    m.objective.activate()
    for v, val in saved:  # the model holds the best plan again
        v.set_value(val, skip_validation=True)


def _next_alternative(st: _Search, j: int, k: int, progress) -> tuple:
    """Alternative ``j`` by steps A, B and C: ``(plan, None)``, or ``(None, why the search stops)``."""
    m, opts = st.m, st.opts
    if progress:
        progress(f"alternative {j} of {k}: the farthest plan within +${st.allowed / 1e6:,.2f}M/yr "
                 f"(up to {st.proof_limit_s:g} s to find one, {opts['time_limit_s']:g} s to move away, "
                 f"{min(opts['time_limit_s'], ALT_POLISH_LIMIT_S):g} s to polish)")
    for pv in st.prev[-1:]:
        m._alt_apart.add(m._alt_distance <= _distance_expr(st.binaries, pv))
    res_a, stop = _cheapest_other(st, j)
    if stop is not None:
        return None, stop
    cheapest_other = float(linear_value(st.obj_expr))
    if cheapest_other > st.cap:
        # the cheapest plan that differs costs more than the slack allows: proven when its
        # lower bound is above the cap too
        if float(res_a.best_bound) > st.cap:
            return None, (f"complete: the cheapest plan that differs from these costs at least "
                          f"+${(float(res_a.best_bound) - st.obj_best) / 1e6:,.2f}M/yr, above the slack")
        return None, (f"unproven: the search for alternative {j} stopped ({res_a.termination.value}) with no "
                      f"plan within the slack but a bound below it; the choices read as robust are not proven so")
    res, stop = _farthest(st, j)
    if stop is not None:
        return None, stop
    dist = round(float(m._alt_distance.value or 0.0))
    if dist < 1:  # nothing within the slack differs from the plans found so far
        return None, f"unproven: step B of alternative {j} found no plan within the slack"
    _polish(st, dist)
    plan, cost, dist = _alternative_plan(st, j, res, cheapest_other)
    if progress:
        progress(f"alternative {j}: ${cost / 1e6:,.1f}M/yr (+${(cost - st.obj_best) / 1e6:,.1f}M), "
                 f"{dist} choice(s) apart")
    return plan, None


def _cheapest_other(st: _Search, j: int) -> tuple:
    """Step A: ``(result, None)``, or ``(None, why the search stops)``."""
    from siteplan.solve import SolveError, solve_model

    m = st.m
    # Phase A: the cheapest plan at least one choice away from every plan so far (a no-good
    # cut; HiGHS solves this like the study itself). If even that costs more than the cap,
    # there is no alternative within the slack.
    # (without the cost cap: a plan one choice away is easy to find, one within a tight cap
    # is not; the cap is checked on the result)
    m._alt_distance.setlb(1)
    m._alt_cost_cap.deactivate()
    _set_objective(m, st.obj_expr)
    # It has the study's whole time limit: this is the step that proves what is robust.
    # (Pruning at the cap with HiGHS's objective_bound was tried: texas's step A then took
    # ~200 s instead of seconds, and step B found plans 2 choices away instead of 20.)
    try:
        res_a = solve_model(m, duals=False, diagnose=False,
                            **{**st.opts, "mip_rel_gap": ALT_COST_GAP, "time_limit_s": st.proof_limit_s})
    except SolveError as exc:
        if "infeasible" in str(exc):
            return None, f"complete: no other plan exists beyond the {j - 1} alternative(s) found"
        return None, (f"unproven: the search for alternative {j} found no plan that differs ({exc}); "
                      "the choices read as robust are not proven so")
    finally:
        m._alt_cost_cap.activate()
    return res_a, None


def _farthest(st: _Search, j: int) -> tuple:
    """Step B, from step A's plan: the plan farthest from all so far within the cap; ``(result, None)`` or
    ``(None, why the search stops)``."""
    from siteplan.solve import SolveError, solve_model

    m = st.m
    first = [(v, v.value) for v in m.component_data_objects(pyo.Var, active=True)
             if v.is_integer() and v.value is not None]
    _set_objective(m, -m._alt_distance + COST_WEIGHT * (st.obj_expr - st.obj_best) / st.allowed)
    try:
        res = solve_model(m, duals=False, diagnose=False, start=first, **st.opts)
    except SolveError as exc:
        return None, (f"unproven: step B of alternative {j} failed ({exc}); the choices read as robust "
                      "are not proven so")
    return res, None


def _polish(st: _Search, dist: int) -> None:
    """Step C: of the plans at least ``dist`` away, the cheapest (step B's plan kept if that fails)."""
    from siteplan.solve import SolveError, solve_model

    m, opts = st.m, st.opts
    # B stops at a distance gap, and its small cost weight does not decide among equally far plans then
    far_all = [(v, v.value) for v in m.component_data_objects(pyo.Var, active=True)]
    far = [(v, val) for v, val in far_all if v.is_integer() and val is not None]
    m._alt_distance.setlb(dist)
    _set_objective(m, st.obj_expr)
    try:
        solve_model(m, duals=False, diagnose=False, start=far,
                    **{**opts, "mip_rel_gap": ALT_COST_GAP,
                       "time_limit_s": min(opts["time_limit_s"], ALT_POLISH_LIMIT_S)})
    except SolveError:
        for v, val in far_all:  # keep B's plan
            v.set_value(val, skip_validation=True)
    finally:
        m._alt_distance.setlb(0)


def _alternative_plan(st: _Search, j: int, res, cheapest_other: float) -> tuple:
    """``(plan, cost, distance)`` of the model's current values as alternative ``j``; its choices join ``st.prev``."""
    from siteplan.results.invariants import record_invariants
    from siteplan.results.plan import extract_plan

    m, best, prev = st.m, st.best, st.prev
    dist = min(round(float(linear_value(_distance_expr(st.binaries, pv)))) for pv in prev)
    cost = float(linear_value(st.obj_expr))
    res = replace(res, objective=cost, best_bound=float(best.result.best_bound),
                  gap=max(0.0, (cost - best.result.best_bound) / abs(cost)) if cost else 0.0,
                  unavoidable_usd_per_yr=st.u, decision_gap=decision_gap(cost, best.result.best_bound, st.u))
    if st.buildout:
        from siteplan.results.buildout_plan import buildout_from_model

        plan = buildout_from_model(m, st.prep, res)
    else:
        plan = extract_plan(m, st.prep, res)
        record_invariants(plan, st.prep)
    x = np.array([round(v.value or 0.0) for v in st.binaries])
    plan.ds.attrs.update({"alternative": j, "min_distance": dist,
                          "distance_to_best": int(np.abs(x - prev[0]).sum()),
                          "slack": st.slack, "cost_cap_usd_per_yr": st.cap,
                          "cheapest_other_usd_per_yr": cheapest_other})
    prev.append(x)
    return plan, cost, dist


def _set_objective(m, expr) -> None:
    if hasattr(m, "_alt_objective"):
        m.del_component(m._alt_objective)
    m._alt_objective = pyo.Objective(expr=expr, sense=pyo.minimize)


def _values_from(best, binaries: list, m) -> np.ndarray:
    """The best plan's binary choices, read from the plan (the model's values may have moved); of a
    build-out, each period's from that period's plan."""
    known_by: dict = {}
    out = []
    for v in binaries:
        plan = _plan_of(best, v)
        if id(plan) not in known_by:
            known_by[id(plan)] = _choices(plan)
        name, idx = v.parent_component().local_name, v.index()
        key = (name, idx if not isinstance(idx, tuple) else tuple(str(i) for i in idx))
        out.append(known_by[id(plan)].get(key, round(v.value or 0.0)))
    return np.array(out)


def _plan_of(best, v):
    """The plan a binary belongs to: ``best``, or of a build-out the plan of the variable's period block."""
    plans = getattr(best, "plans", None)
    if not plans:
        return best
    return plans[v.parent_block().index()]


def _choices(plan) -> dict:
    """``{(variable name, index): 0 or 1}`` of the distance's choices in a plan's dataset."""
    ds = plan.ds
    known = {}
    for s, v in zip(ds["site"].values, ds["open"].values):
        known[("open", str(s))] = int(v)
    if "option_built" in ds and ds.sizes.get("option", 0):
        for o, v in zip(ds["option"].values, ds["option_built"].values):
            known[("connect", str(o))] = int(v)
    if ds.sizes.get("generator", 0):
        units = ds["onsite_units"].transpose("site", "generator")
        for i, s in enumerate(ds["site"].values):
            for j, g in enumerate(ds["generator"].values):
                known[("has_gen", (str(s), str(g)))] = int(units.values[i, j] > 0.5)
    return known


def _distance_expr(binaries: list, values: np.ndarray):
    """sum over b of (1 - x_b) where the plan has 1, x_b where it has 0."""
    ones = [v for v, p in zip(binaries, values) if p == 1]
    zeros = [v for v, p in zip(binaries, values) if p != 1]
    return len(ones) - sum(ones) + sum(zeros)


def alternatives_table(best, alts: list) -> pd.DataFrame:
    """One row per plan (the best, then each alternative): cost, extra cost, distances, sites, power."""
    u = best.result.unavoidable_usd_per_yr
    rows = []
    for i, p in enumerate([best, *alts]):
        st = p.sites[p.sites["open"].astype(bool)]
        extra = p.result.objective - best.result.objective
        avoid = best.result.objective - u if np.isfinite(u) else math.nan
        rows.append({"plan": "best" if i == 0 else f"alternative {i}",
                     "annual cost (USD/yr)": p.result.objective, "extra (USD/yr)": extra,
                     "extra (% of avoidable)": 100.0 * extra / avoid if avoid and np.isfinite(avoid) else math.nan,
                     "choices apart from best": int(p.ds.attrs.get("distance_to_best", 0)) if i else 0,
                     "open sites": ", ".join(st["site_id"]), "IT MW": float(st["it_mw"].sum()),
                     "grid MW": float(st["interconnect_mw"].sum()), "on-site MW": float(st["onsite_mw"].sum()),
                     "tiny sites": _tiny(p)})
    return pd.DataFrame(rows).set_index("plan")


def _tiny(plan) -> str:
    """'site_id (2.2 MW), ...' of a plan's tiny open sites
    (:func:`siteplan.results.summary.tiny_threshold_mw`), or ''."""
    from siteplan.results.summary import fmt_mw, tiny_threshold_mw

    st = plan.sites[plan.sites["open"].astype(bool)]
    small = st[st["it_mw"].astype(float) < tiny_threshold_mw(plan.sites)].sort_values("it_mw")
    return ", ".join(f"{s} ({fmt_mw(mw)} MW)" for s, mw in zip(small["site_id"], small["it_mw"]))


def alternatives_checks(alts: list) -> list[str]:
    """What a reviewer must look at in the near-optimal alternatives, as for the best plan
    (:func:`siteplan.results.summary.tiny_site_checks`): 'alternative 2: tiny site: West Odessa, TX has only 2.2 MW
    of IT (0.3 % of the plan's 796 MW) ...'."""
    from siteplan.results.summary import tiny_site_checks

    return [f"alternative {j}: {c}" for j, alt in enumerate(alts, start=1) for c in tiny_site_checks(alt)]


def robust_choices(best, alts: list) -> pd.DataFrame:
    """Per site open in any plan: in how many plans it is open, and whether its siting and its power
    (substation, voltage class, generator types) are the same in all: robust, or a tie."""
    plans = [best, *alts]
    n = len(plans)
    robust = "robust" if proven(best) else "robust (unproven)"
    frames = [p.sites.set_index("site_id") for p in plans]
    ids = sorted(set().union(*[set(f.index[f["open"].astype(bool)]) for f in frames]))
    rows = []
    for s in ids:
        opened = [bool(f.at[s, "open"]) for f in frames]
        power = []
        for p, f in zip(plans, frames):
            if not f.at[s, "open"]:
                power.append("closed")
                continue
            gens = []
            if p.ds.sizes.get("generator", 0):
                units = p.ds["onsite_units"].sel(site=s)
                gens = [str(g).replace("_", " ") for g, v in zip(units["generator"].values, units.values) if v > 0.5]
            power.append(_grid_words(f.loc[s]) + (" + " + ", ".join(gens) if gens else ""))
        rows.append({"site_id": s, "open in": f"{sum(opened)} of {n}",
                     "siting": robust if all(opened) else "tie",
                     "power (best)": power[0] if opened[0] else "closed",
                     "power": robust if all(opened) and len(set(power)) == 1 else "tie"})
    return pd.DataFrame(rows).set_index("site_id") if rows else pd.DataFrame(columns=["open in", "siting", "power"])


def _grid_words(row) -> str:
    """A site's grid connection in words: '161 kV to Sterling City 1', or 'no grid'."""
    kv = float(row.get("interconnect_kv", np.nan))
    if not np.isfinite(kv):
        return "no grid"
    sub = str(row.get("substation_name") or "") or str(row.get("substation_id") or "")
    return f"{kv:g} kV to {sub}" if sub else f"{kv:g} kV"


def proven(best) -> bool:
    """False when the alternatives search stopped at a time limit before it proved that no other plan
    is within the slack (``best.ds.attrs["alternatives_search"]``): a "robust" choice is then unproven."""
    return not str(best.ds.attrs.get("alternatives_search", "")).startswith("unproven")


def shared_choices(best, alts: list) -> list[str]:
    """What the best plan and every alternative have in common, beyond single sites: how many sites
    open, whether they are grid-only or carry on-site gas, which voltage classes they connect at.
    A parcel can be a tie while the shape of the plan is robust."""
    plans = [best, *alts]
    out = []
    n_open = [int(p.sites["open"].astype(bool).sum()) for p in plans]
    out.append(f"every plan opens {n_open[0]} site(s)" if len(set(n_open)) == 1
               else f"the plans open {min(n_open)} to {max(n_open)} sites (a tie)")
    onsite = [float(p.sites.loc[p.sites["open"].astype(bool), "onsite_mw"].sum()) for p in plans]
    if all(v < 0.5 for v in onsite):
        out.append("every plan is grid-only (no on-site generators)")
    elif all(v >= 0.5 for v in onsite):
        out.append(f"every plan has on-site generators ({_span(onsite)} MW)")
    else:
        out.append("on-site generators in some plans, not in others (a tie)")
    classes = [tuple(f"{kv:g} kV" for kv in sorted({float(v) for v in p.sites.loc[p.sites["open"].astype(bool),
                                                                                 "interconnect_kv"] if np.isfinite(v)}))
               for p in plans]
    out.append(f"every plan connects at {', '.join(classes[0]) or 'no grid'}" if len(set(classes)) == 1
               else "the plans connect at different voltage classes (a tie): "
               + "; ".join(", ".join(c) or "none" for c in classes))
    it = [float(p.sites["it_mw"].sum()) for p in plans]
    big = [float(p.sites["it_mw"].max()) for p in plans]
    out.append(f"the largest campus has {_span(big)} MW of IT ({_span(it)} MW in all)")
    return out


def _span(values: list) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:,.0f}" if round(lo) == round(hi) else f"{lo:,.0f}-{hi:,.0f}"
