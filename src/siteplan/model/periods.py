"""A build-out study: one block per period, built by the same modules, linked by what is built when.

Each period's block (``m.period[year]``) holds the whole single-period model of that period
(:func:`siteplan.model.define_study` on the period's :class:`~siteplan.prepare.Prepared`): its sites,
racks, interconnects, on-site plant, dispatch, flows and demand, under the period's prices and with
the options energised by then. This module links the blocks:

- **Sites stay open** and keep their cooling design: ``open[s]`` and ``design[s,k]`` never fall
  from one period to the next (with one design per open site, the design is chosen once).
- **Vintages.** For every capital asset a module declared (:mod:`siteplan.model.assets`), a
  vintage ``build_<asset>[i, year]`` is bought at the start of a period at that period's price; what
  a period uses is at most the vintages still in service (bought in it or before, and less than
  their ``retire_yr`` earlier), plus what it rents (``rent_<asset>[i, year]``, on-site units with a
  rental rate, ``bridging.rent``). Racks thus retire after their lifetime and are replaced by the
  types on sale then; a site may run on rented turbines until its grid connection is energised and
  then return them, or buy plant and keep it.
- **Costs over time** (Switch-style). Each vintage pays its annuity (overnight cost x capital recovery
  factor over its lifetime) in every period it is in service, and fixed O&M while owned; rent,
  energy, fuel, water, carbon and unmet demand are paid per period. A vintage that outlives the
  study leaves its remaining annuities out of the objective: that is its salvage value, reported
  with the plan. The objective is the equivalent annual cost: ``sum_p w_p x cost_p / sum_p w_p``,
  with ``w_p`` the present value of one USD a year over the period's years, discounted to
  ``start_year`` (one period: exactly that period's annual cost).

An asset in service from a vintage counts for its period's block, so a period's plan is read from
its block as a single-period plan is read from its model.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siteplan.model.assets import annual_usd
from siteplan.model.linear import linear_sum
from siteplan.model.objective import define_costs
from siteplan.model.registry import registry

__all__ = ["build_buildout_model", "in_service", "salvage_usd", "vintage_costs"]

FREE_VINTAGE_USD = 1e-6  # objective tie-break per unit of a vintage that costs nothing (see _vintages)


def in_service(bought_year: int, year: int, retire_yr: float | None) -> bool:
    """A vintage bought at the start of ``bought_year`` serves the period starting in ``year``."""
    return bought_year <= year and (retire_yr is None or year < bought_year + retire_yr - 1e-9)


def build_buildout_model(preps: list) -> pyo.ConcreteModel:
    """Build the multi-period MILP from :func:`siteplan.prepare.periods.prepare_periods`.

    Parameters
    ----------
    preps : list of siteplan.prepare.Prepared
        One per period, in order, each with its ``period``.

    Returns
    -------
    pyomo.environ.ConcreteModel
        ``m.PERIODS`` (first years), ``m.period[year]`` (each a single-period model without an
        objective, with ``cost[c]`` the period's annual cost by category), ``m.build_<asset>`` and
        ``m.rent_<asset>`` per asset, and ``m.objective`` (equivalent annual cost).
    """
    from siteplan.model import define_study

    sc = preps[0].scenario
    years = [p.period.year for p in preps]
    with PauseGC():
        m = pyo.ConcreteModel(name=sc.name)
        m.PERIODS = pyo.Set(initialize=years, ordered=True, doc="periods (first year)")
        m.period = pyo.Block(m.PERIODS, doc="the study in each period")
        for y, p in zip(years, preps):
            define_study(m.period[y], p)
        _stay_open(m, years)
        m._siteplan_tie_break = []
        _vintages(m, preps, years, rent=bool(preps[0].scenario.bridging.rent))
        for y in years:
            define_costs(m.period[y])
        total_w = sum(p.period.weight for p in preps)
        m._siteplan_period_share = {y: p.period.weight / total_w for y, p in zip(years, preps)}
        m.objective = pyo.Objective(expr=sum(m._siteplan_period_share[y] * m.period[y].cost[c]
                                             for y in years for c in m.period[y].COST_CATEGORIES)
                                    + sum(m._siteplan_tie_break), sense=pyo.minimize)
        blocks = [m.period[y] for y in years]
        m._siteplan_start_fix = [v for b in blocks for v in getattr(b, "_siteplan_start_fix", [])]
        m._siteplan_start_kernel = [v for b in blocks for v in getattr(b, "_siteplan_start_kernel", [])]
        # the LP relaxation for a MIP start by interior point: on texas_buildout (111 k rows) dual
        # simplex did not finish in 240 s on one loaded core, interior point took 40-110 s
        m._siteplan_start_lp_solver = "ipm"
        cuts = [c for b in blocks for c in getattr(b, "_siteplan_root_cuts", [])]
        if cuts:
            m._siteplan_root_cuts = cuts
        if any(getattr(b, "_siteplan_prefer_start", False) for b in blocks):
            m._siteplan_prefer_start = True
    return m


def _stay_open(m, years: list) -> None:
    """open[s] and design[s,k] never fall from one period to the next."""
    pairs = list(zip(years[:-1], years[1:]))
    if not pairs:
        return
    sites = list(m.period[years[0]].SITES)
    m.stay_open = pyo.Constraint(
        [(s, b) for s in sites for _, b in pairs],
        rule=lambda m, s, y: m.period[y].open[s] >= m.period[years[years.index(y) - 1]].open[s],
        doc="a site open in one period is open in the next")
    sd = list(m.period[years[0]].SITE_DESIGN)
    m.keep_design = pyo.Constraint(
        [(s, k, b) for s, k in sd for _, b in pairs],
        rule=lambda m, s, k, y: m.period[y].design[s, k] >= m.period[years[years.index(y) - 1]].design[s, k],
        doc="a site keeps its cooling design")


def _key(i, y):
    return (*i, y) if isinstance(i, tuple) else (i, y)


def _vintages(m, preps: list, years: list, rent: bool) -> None:
    """Per declared asset: vintages bought per period, in service until they retire, rentals, costs."""
    rate = preps[0].catalog.economics.discount_rate
    blocks = {y: m.period[y] for y in years}
    by_name: dict[str, dict] = {}
    for y in years:
        for a in registry(blocks[y]).assets:
            by_name.setdefault(a.name, {})[y] = a
    for name, per_year in by_name.items():
        first = next(iter(per_year.values()))
        # Vintages and rentals are continuous: given integer use in every period, "use <= vintages in
        # service + rent" is a covering system whose columns are intervals of periods (a vintage serves
        # consecutive periods), so its matrix is totally unimodular and the cheapest vintages are
        # integral at a vertex. The integer decisions stay the use (sites open, racks, units).
        domain = pyo.NonNegativeReals
        index = sorted({(i, y) for y, a in per_year.items() for i in a.usage}, key=lambda iy: (str(iy[0]), iy[1]))
        ub = {}
        for i, y in index:
            u = per_year[y].usage[i]
            ub[_key(i, y)] = 1 if first.domain == "binary" else (u.ub if hasattr(u, "ub") else None)
        build = pyo.Var([_key(i, y) for i, y in index], domain=domain,
                        bounds=lambda m, *k: (0, ub[k]), doc=f"{name} bought at the start of the period")
        m.add_component(f"build_{name}", build)
        rentable = {(i, y) for i, y in index if rent and i in per_year[y].rent_usd_per_unit_yr}
        if rentable:
            rented = pyo.Var([_key(i, y) for i, y in sorted(rentable, key=lambda iy: (str(iy[0]), iy[1]))],
                             domain=domain, bounds=lambda m, *k: (0, ub[k]),
                             doc=f"{name} rented in the period")
            m.add_component(f"rent_{name}", rented)
        bought = {}  # i -> [(year bought, asset as declared then)]
        for i, y in index:
            bought.setdefault(i, []).append(y)

        # vintages of i in service in period y (bought then or before, not yet retired), once per
        # (i, y): the in-service rows and every cost part read them
        in_svc = {(i, y): [q for q in qs if in_service(q, y, per_year[q].retire_yr.get(i)
                                                     if per_year[q].retire_yr is not None else None)]
                  for i, qs in bought.items() for y in years}

        def serving(i, y):
            return in_svc[i, y]

        def rule(mm, *k):
            *i, y = k
            i = i[0] if len(i) == 1 else tuple(i)
            terms = [(1.0, build[_key(i, q)]) for q in serving(i, y)]
            if (i, y) in rentable:
                terms.append((1.0, m.component(f"rent_{name}")[_key(i, y)]))
            return per_year[y].usage[i] - linear_sum(terms) <= 0
        m.add_component(f"in_service_{name}", pyo.Constraint([_key(i, y) for i, y in index], rule=rule,
                                                             doc=f"{name} in use within what is in service"))
        # a vintage that costs nothing would be bought in any amount: a tie-break of 1e-6 USD/yr per
        # unit bought (objective only, not a cost category) keeps it to what is used
        free = [_key(i, q) for i, q in index
                if not any(part.usd_per_unit.get(i) for part in per_year[q].parts)
                and not per_year[q].fixed_usd_per_unit_yr.get(i)]
        if free:
            m._siteplan_tie_break.append(linear_sum((FREE_VINTAGE_USD, build[k]) for k in free))
        # costs, per period: annuities and fixed O&M of the vintages in service, rent
        for y in years:
            reg = registry(blocks[y])
            here = per_year.get(y, first)
            for part_no, part in enumerate(here.parts):
                terms = []
                for i in bought:
                    for q in serving(i, y):
                        vp = per_year[q].parts[part_no]  # the part as priced when the vintage was bought
                        # an annuity is paid while the vintage serves and within the part's own lifetime
                        if vp.usd_per_unit.get(i) and y < q + vp.lifetime_yr[i] - 1e-9:
                            terms.append((annual_usd(vp, rate, i), build[_key(i, q)]))
                reg.cost[part.category].append(linear_sum(terms))
            if first.fixed_usd_per_unit_yr:
                terms = [(per_year[q].fixed_usd_per_unit_yr[i], build[_key(i, q)])
                         for i in bought for q in serving(i, y) if per_year[q].fixed_usd_per_unit_yr.get(i)]
                reg.cost[first.fixed_category].append(linear_sum(terms))
            if rentable:
                rented = m.component(f"rent_{name}")
                terms = [(per_year[y].rent_usd_per_unit_yr[i], rented[_key(i, y)])
                         for i in per_year.get(y, first).usage if (i, y) in rentable]
                reg.cost[first.rent_category].append(linear_sum(terms))


def salvage_usd(m, preps: list) -> float:
    """What the vintages of a solved build-out model still owe after the study ends: the annuities of
    the years after its last one, while the vintage would still serve and within each part's
    lifetime, as a present value at ``start_year`` (as the NPV; the objective leaves them out)."""
    rate = preps[0].catalog.economics.discount_rate
    end = preps[-1].period.year + preps[-1].period.length_yr
    start = preps[0].period.year - preps[0].period.horizon_yr
    total = 0.0
    for p in preps:
        q = p.period.year
        for a in registry(m.period[q]).assets:
            build = m.component(f"build_{a.name}")
            retire = a.retire_yr or {}
            for i in a.usage:
                amount = build[_key(i, q)].value or 0.0
                if amount <= 1e-9:
                    continue
                for part in a.parts:
                    if not part.usd_per_unit.get(i):
                        continue
                    stop = q + min(part.lifetime_yr[i], retire.get(i, part.lifetime_yr[i]))
                    left = stop - end  # years of annuity after the study's end
                    if left > 0:
                        pay = annual_usd(part, rate, i)
                        at_end = amount * pay * ((1 - (1 + rate) ** -left) / rate if rate else left)
                        total += at_end * (1 + rate) ** -(end - start)
    return total


def vintage_costs(m, preps: list, year: int) -> list[tuple]:
    """Capital costs of the period starting in ``year`` from the solved vintages, term by term:
    ``(asset, index, category, USD/yr)`` for each vintage in service (its annuity within each part's
    lifetime, and fixed O&M) and each rental. Recomputed from the values, not read from the model's
    cost rows (so the invariants and the per-site costs can use it)."""
    rate = preps[0].catalog.economics.discount_rate
    years = [p.period.year for p in preps]
    out = []
    declared = {}
    for q in years:
        for a in registry(m.period[q]).assets:
            declared.setdefault(a.name, {})[q] = a
    for name, per_year in declared.items():
        build, rent = m.component(f"build_{name}"), m.component(f"rent_{name}")
        for q, a in per_year.items():
            if q > year:
                continue
            for i in a.usage:
                life = a.retire_yr.get(i) if a.retire_yr is not None else None
                amount = build[_key(i, q)].value or 0.0
                if amount <= 1e-9 or not in_service(q, year, life):
                    continue
                for part in a.parts:
                    if part.usd_per_unit.get(i) and year < q + part.lifetime_yr[i] - 1e-9:
                        out.append((name, i, part.category, amount * annual_usd(part, rate, i)))
                if a.fixed_usd_per_unit_yr.get(i):
                    out.append((name, i, a.fixed_category, amount * a.fixed_usd_per_unit_yr[i]))
        here = per_year.get(year)
        if rent is not None and here is not None:
            for i, usd in here.rent_usd_per_unit_yr.items():
                k = _key(i, year)
                if k in rent and (rent[k].value or 0.0) > 1e-9:
                    out.append((name, i, here.rent_category, rent[k].value * usd))
    return out
