"""Deliverability of contracted grid capacity: one transport flow over the energy graph.

The grid must be able to deliver every site's contracted MW at once (firm capacity): supply nodes
inject at most their ``supply_mw``, corridors carry at most their spare ``capacity_mw`` either way,
and every substation's contracts are met. Imports in each slice are at most the contracts, and
supply and corridor limits are the same in every slice, so a flow that delivers the contracts also
delivers every slice's imports (scale each path of it down): one flow, not one per slice. Where
supply or corridor capacity varies by slice (the optional ``supply_factor`` and
``corridor_rating_factor`` of prices.csv), the contracts must be deliverable at each element's
lowest capacity over the slices: firm means deliverable in every slice, and then every slice's
imports are again delivered. The
flows per slice reported in a plan are the least total flow that delivers that slice's imports
(:mod:`siteplan.solve.flows`), found after the solve with every decision fixed, so nothing circulates.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from siteplan.model.linear import members


def define_energy_graph(m, p) -> None:
    """Node balance at every substation of the components that host an interconnect option.

    supply[b] + inflow - outflow = sum of the contracted MW of the options landing at b.
    Corridor flow is a single free variable per corridor bounded by +-capacity (lowest over slices).
    """
    if len(p.options) == 0:
        return
    # firm: the lowest supply and corridor capacity over the slices
    supply = {b: float(v) for b, v in p.supply_mw_t.min(axis=1).items()} if len(p.slices) else {}
    nodes = p.energy_nodes
    supply_nodes = [b for b in nodes if supply.get(b, 0.0) > 0]
    cor = p.corridors
    cap = {e: float(v) for e, v in p.corridor_mw_t.min(axis=1).items()} if len(p.slices) else {}
    m.ENERGY_NODES = pyo.Set(initialize=nodes, ordered=True, doc="substations in the flow model")
    m.SUPPLY_NODES = pyo.Set(initialize=supply_nodes, ordered=True, doc="substations that inject power")
    m.CORRIDORS = pyo.Set(initialize=list(cor.index), ordered=True, doc="transmission corridors")
    m.peak_supply_mw = pyo.Var(m.SUPPLY_NODES, domain=pyo.NonNegativeReals, bounds=lambda m, b: (0, supply[b]),
                               doc="power injected to deliver every contract at once (MW)")
    m.peak_flow_mw = pyo.Var(m.CORRIDORS, bounds=lambda m, e: (-cap[e], cap[e]),
                             doc="corridor flow from_id -> to_id delivering every contract (MW, negative = reverse)")
    into = {b: [] for b in nodes}
    out = {b: [] for b in nodes}
    for e, a, b in zip(cor.index, cor["from_id"], cor["to_id"]):
        out[a].append(e)
        into[b].append(e)
    at_sub = m._contracts_at_sub
    is_supply = set(supply_nodes)
    flow, supply_mw = members(m.peak_flow_mw), members(m.peak_supply_mw)

    def rule(m, b):
        # inflow - outflow + supply - contracts, written flat
        terms = [flow[e] for e in into[b]]
        terms += [MonomialTermExpression((-1, flow[e])) for e in out[b]]
        if b in is_supply:
            terms.append(supply_mw[b])
        terms += [MonomialTermExpression((-1, c)) for c in at_sub.get(b, [])]
        if not terms:
            return pyo.Constraint.Skip
        return LinearExpression(terms) == 0
    m.node_balance = pyo.Constraint(m.ENERGY_NODES, rule=rule, doc="energy-graph node balance at peak (MW)")
