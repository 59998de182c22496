"""Annual cost by category (one Expression per category) and the objective (their sum, minimised).

Under ``objective: max_profit`` the revenue of served compute is the category ``revenue``, a
negative cost, so minimising the sum maximises profit (= minus the objective).
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.registry import registry

COST_CATEGORIES = ("land", "site_fixed", "fiber_lateral", "facility", "cooling", "it_equipment",
                   "interconnect", "network_upgrade", "grid_contract", "onsite_capex", "onsite_fixed_om", "gas_supply",
                   "onsite_rent", "grid_energy", "onsite_fuel_om", "carbon", "water",
                   "serving", "unmet_penalty", "revenue")


def define_costs(m) -> None:
    """``cost[c]``: annual USD per category from the registry of ``m`` (a model or a period's block)."""
    reg = registry(m)
    cats = [c for c in COST_CATEGORIES if c in reg.cost] + sorted(set(reg.cost) - set(COST_CATEGORIES))
    m.COST_CATEGORIES = pyo.Set(initialize=cats, ordered=True, doc="cost categories")
    m.cost = pyo.Expression(m.COST_CATEGORIES, rule=lambda m, c: sum(reg.cost[c]), doc="annual cost (USD)")


def define_objective(m, p) -> None:
    """``cost[c]`` annual USD per category; ``objective`` = their sum (minimise)."""
    define_costs(m)
    m.objective = pyo.Objective(expr=sum(m.cost[c] for c in m.COST_CATEGORIES), sense=pyo.minimize)


def add_cost(m, name: str, expr) -> None:
    """Add a user cost term (annual USD) to the objective, reported under its own category.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel or period block
        A model from :func:`siteplan.build_model`, or a period of a build-out model
        (``m.period[year]``, :func:`siteplan.model.periods.build_buildout_model`): the term is then
        that period's annual cost.
    name : str
        Category name (new, or an existing one to add to).
    expr : Pyomo expression
        Annual cost in USD.
    """
    if hasattr(m, "PERIODS") and not hasattr(m, "_siteplan_registry"):
        raise ValueError("a build-out model has a cost per period: add it to a period, "
                         "add_cost(m.period[year], name, expr)")
    reg = registry(m)
    reg.cost[name].append(expr)
    top = m.model()
    m.del_component(m.cost)
    m.del_component(m.COST_CATEGORIES)
    if top is m:
        m.del_component(m.objective)
        define_objective(m, None)
        return
    define_costs(m)
    share = top._siteplan_period_share
    top.del_component(top.objective)
    top.objective = pyo.Objective(expr=sum(share[y] * top.period[y].cost[c] for y in top.PERIODS
                                           for c in top.period[y].COST_CATEGORIES)
                                  + sum(top._siteplan_tie_break), sense=pyo.minimize)
