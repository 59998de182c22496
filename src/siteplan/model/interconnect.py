"""Grid interconnect choice per site, imports within capacity, substation headroom, energy cost."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from siteplan.config import crf
from siteplan.model.linear import linear_sum, members, negated_terms
from siteplan.model.registry import registry


def define_interconnect(m, p) -> None:
    """``connect[i]`` binaries (at most one per open site), ``grid_import_mw[i,t]`` within capacity."""
    opt = p.options
    reg = registry(m)
    ids = opt.index.tolist()  # plain lists: iterating pandas columns goes element by element through pandas
    m.OPTIONS = pyo.Set(initialize=ids, ordered=True, doc="interconnect options site|substation|tier")
    if len(opt) == 0:
        return
    cap = {i: float(v) for i, v in opt["capacity_mw"].items()}
    site_of = opt["site_id"].to_dict()
    sub_of = opt["substation_id"].to_dict()
    m.connect = pyo.Var(m.OPTIONS, domain=pyo.Binary, doc="interconnect option built")
    # Imports are per (site, substation): tiers only change capacity and cost, and a site builds at
    # most one option, so sum_tier cap x connect bounds the import as tightly as per-option imports.
    pairs = sorted(set(zip(opt["site_id"].tolist(), opt["substation_id"].tolist())))
    opts_of_pair = {pr: [] for pr in pairs}
    for i in ids:
        opts_of_pair[site_of[i], sub_of[i]].append(i)
    pair_cap = {pr: max(cap[i] for i in opts_of_pair[pr]) for pr in pairs}
    m.CONNECTIONS = pyo.Set(initialize=pairs, dimen=2, ordered=True, doc="(site, substation) with options")
    m.grid_import_mw = pyo.Var(m.CONNECTIONS, m.SLICES, domain=pyo.NonNegativeReals,
                               bounds=lambda m, s, b, t: (0, pair_cap[s, b]), doc="grid import (MW)")
    options_of = {}
    for i in ids:
        options_of.setdefault(site_of[i], []).append(i)
    m.one_interconnect = pyo.Constraint(
        sorted(options_of), rule=lambda m, s: sum(m.connect[i] for i in options_of[s]) <= m.open[s],
        doc="at most one interconnect per site, only if open")
    # the capacity of a connection is the same in every slice: its (negated) terms are built once, and
    # each row is flat_difference(import, capacity) <= 0 without negating them again
    neg_cap = {pr: negated_terms(sum(cap[i] * m.connect[i] for i in opts_of_pair[pr])) for pr in pairs}
    grid_import = members(m.grid_import_mw)
    m.import_cap = pyo.Constraint(
        m.CONNECTIONS, m.SLICES, rule=lambda m, s, b, t: LinearExpression([grid_import[s, b, t], *neg_cap[s, b]]) <= 0,
        doc="import only through a built interconnect, within its capacity")

    at_sub = {}
    for i in ids:
        at_sub.setdefault(sub_of[i], []).append(i)
    headroom = p.dataset.substations["headroom_mw"].to_dict()
    # Sites choose at most one option each, so the headroom only binds where the largest option
    # of every site landing here could together exceed it.
    binding = []
    for b, opts in sorted(at_sub.items()):
        per_site = {}
        for i in opts:
            per_site[site_of[i]] = max(per_site.get(site_of[i], 0.0), cap[i])
        if sum(per_site.values()) > headroom[b] + 1e-9:
            binding.append(b)
    m.headroom = pyo.Constraint(
        binding, rule=lambda m, b: sum(cap[i] * m.connect[i] for i in at_sub[b]) <= headroom[b],
        doc="interconnect capacity landing on a substation within its headroom (MW)")

    for s_, b in pairs:
        for t in p.slices:
            reg.power_in[s_, t].append(grid_import[s_, b, t])
    m._imports_at_sub = {}
    for s_, b in pairs:
        m._imports_at_sub.setdefault(b, []).append(s_)

    r = p.catalog.economics.discount_rate
    capex = {i: float(c * crf(r, n)) for i, c, n in zip(ids, opt["capex_usd"].tolist(), opt["lifetime_yr"].tolist())}
    reg.cost["interconnect"].append(sum(capex[i] * m.connect[i] for i in ids))
    w = p.hours
    price, carbon = p.price, p.carbon
    pr_, cb_ = _by_row(price), _by_row(carbon)
    reg.cost["grid_energy"].append(linear_sum((w[t] * pr_[s_][t], grid_import[s_, b, t])
                                              for s_, b in pairs for t in p.slices))
    reg.emissions_t.append(linear_sum((w[t] * cb_[s_][t], grid_import[s_, b, t])
                                      for s_, b in pairs for t in p.slices if cb_[s_][t]))


def _by_row(table) -> dict:
    """A numeric DataFrame as {row: {column: float}} (faster than DataFrame.to_dict for this)."""
    cols = table.columns.tolist()
    return {i: dict(zip(cols, row)) for i, row in zip(table.index.tolist(), table.to_numpy(dtype=float).tolist())}
