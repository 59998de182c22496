"""Annual cost by category (one Expression per category) and the objective (their sum, minimised).

Under ``objective: max_profit`` the revenue of served compute is the category ``revenue``, a
negative cost, so minimising the sum maximises profit (= minus the objective).
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.registry import registry

COST_CATEGORIES = ("land", "site_fixed", "fiber_lateral", "facility", "cooling", "it_equipment",
                   "interconnect", "network_upgrade", "grid_contract", "onsite_capex", "onsite_fixed_om", "gas_supply",
                   "grid_energy", "onsite_fuel_om", "carbon", "water",
                   "serving", "unmet_penalty", "revenue")


def define_objective(m, p) -> None:
    """``cost[c]`` annual USD per category; ``objective`` = their sum (minimise)."""
    reg = registry(m)
    cats = [c for c in COST_CATEGORIES if c in reg.cost] + sorted(set(reg.cost) - set(COST_CATEGORIES))
    m.COST_CATEGORIES = pyo.Set(initialize=cats, ordered=True, doc="cost categories")
    m.cost = pyo.Expression(m.COST_CATEGORIES, rule=lambda m, c: sum(reg.cost[c]), doc="annual cost (USD)")
    m.objective = pyo.Objective(expr=sum(m.cost[c] for c in m.COST_CATEGORIES), sense=pyo.minimize)


def add_cost(m, name: str, expr) -> None:
    """Add a user cost term (annual USD) to the objective, reported under its own category.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        A model from :func:`siteplan.build_model`.
    name : str
        Category name (new, or an existing one to add to).
    expr : Pyomo expression
        Annual cost in USD.
    """
    reg = registry(m)
    reg.cost[name].append(expr)
    m.del_component(m.objective)
    m.del_component(m.cost)
    m.del_component(m.COST_CATEGORIES)
    define_objective(m, None)
