"""Deliverability of new load: a transport flow per slice over the energy graph from supply nodes."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from siteplan.model.linear import members


def define_energy_graph(m, p) -> None:
    """Node balance at every substation of the components that host an interconnect option.

    supply[b,t] + inflow - outflow = sum of grid imports through options landing at b.
    Corridor flow is a single free variable per (corridor, slice) bounded by +-capacity.
    """
    if len(p.options) == 0:
        return
    supply = p.dataset.substations["supply_mw"].to_dict()
    nodes = p.energy_nodes
    supply_nodes = [b for b in nodes if supply[b] > 0]
    cor = p.corridors
    cap = cor["capacity_mw"].to_dict()
    m.ENERGY_NODES = pyo.Set(initialize=nodes, ordered=True, doc="substations in the flow model")
    m.SUPPLY_NODES = pyo.Set(initialize=supply_nodes, ordered=True, doc="substations that inject power")
    m.CORRIDORS = pyo.Set(initialize=list(cor.index), ordered=True, doc="transmission corridors")
    m.supply_mw = pyo.Var(m.SUPPLY_NODES, m.SLICES, domain=pyo.NonNegativeReals,
                          bounds=lambda m, b, t: (0, supply[b]), doc="power injected (MW)")
    m.flow_mw = pyo.Var(m.CORRIDORS, m.SLICES, bounds=lambda m, e, t: (-cap[e], cap[e]),
                        doc="corridor flow from_id -> to_id (MW, negative = reverse)")
    into = {b: [] for b in nodes}
    out = {b: [] for b in nodes}
    for e, a, b in zip(cor.index, cor["from_id"], cor["to_id"]):
        out[a].append(e)
        into[b].append(e)
    at_sub = m._imports_at_sub
    is_supply = set(supply_nodes)

    flow, supply_mw = members(m.flow_mw), members(m.supply_mw)
    grid_import = members(m.grid_import_mw)  # exists: there are interconnect options

    def rule(m, b, t):
        # inflow - outflow + supply - imports, written flat (the row flat_difference(lhs, rhs) gives)
        terms = [flow[e, t] for e in into[b]]
        terms += [MonomialTermExpression((-1, flow[e, t])) for e in out[b]]
        if b in is_supply:
            terms.append(supply_mw[b, t])
        terms += [MonomialTermExpression((-1, grid_import[s, b, t])) for s in at_sub.get(b, [])]
        if not terms:
            return pyo.Constraint.Skip
        return LinearExpression(terms) == 0
    m.node_balance = pyo.Constraint(m.ENERGY_NODES, m.SLICES, rule=rule,
                                    doc="energy-graph node balance per slice (MW)")
