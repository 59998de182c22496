"""Grid connections: a voltage class at a substation plus a contracted MW, imports within the contract,
substation headroom consumed by contracted MW (network upgrades beyond it), energy cost.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from siteplan.model.assets import Asset, CostPart, declare_asset
from siteplan.model.linear import flat_difference, linear_sum, members, scaled, upper_bound_row
from siteplan.model.registry import registry


def define_interconnect(m, p) -> None:
    """``connect[i]`` binaries (at most one per open site), ``contract_mw[i]`` and ``grid_import_mw``.

    contract_mw[i] <= max_mw[i] x connect[i]                   (disaggregated: per option)
    upgrade_mw[i]  <= contract_mw[i]                           (only options that may go beyond headroom)
    sum_i at b (contract_mw[i] - upgrade_mw[i]) <= headroom[b]
    grid_import_mw[s,b,t] <= sum_i of (s, b) contract_mw[i]    (every slice)
    """
    opt = p.options
    reg = registry(m)
    ids = opt.index.tolist()  # plain lists: iterating pandas columns goes element by element through pandas
    m.OPTIONS = pyo.Set(initialize=ids, ordered=True, doc="interconnect options site|substation|class")
    m._contracts_of_site = {}
    m._contracts_at_sub = {}
    if len(opt) == 0:
        return
    cap = {i: float(v) for i, v in opt["max_mw"].items()}
    site_of = opt["site_id"].to_dict()
    sub_of = opt["substation_id"].to_dict()
    up_ok = [i for i, v in opt["upgrade_ok"].items() if bool(v)]
    connect, contract, upgrade = _contracts(m, cap, up_ok)
    pairs, grid_import = _imports(m, opt, ids, cap, site_of, sub_of, contract)
    _headroom(m, p, ids, cap, site_of, sub_of, up_ok, contract, upgrade)

    for s_, b in pairs:
        for t in p.slices:
            reg.power_in[s_, t].append(grid_import[s_, b, t])
    for i in ids:
        m._contracts_of_site.setdefault(site_of[i], []).append(contract[i])
        m._contracts_at_sub.setdefault(sub_of[i], []).append(contract[i])
    m._imports_at_sub = {}
    for s_, b in pairs:
        m._imports_at_sub.setdefault(b, []).append(s_)
    _interconnect_costs(m, p, ids, up_ok, connect, contract, upgrade)
    _grid_energy(m, p, pairs, grid_import)


def _contracts(m, cap: dict, up_ok: list) -> tuple[dict, dict, dict]:
    """``connect``, ``contract_mw`` within the option's limit and ``upgrade_mw`` within the contract."""
    m.connect = pyo.Var(m.OPTIONS, domain=pyo.Binary, doc="interconnect option built")
    # no upper bound of its own: contract_cap is the limit (one place for its dual, siteplan.solve.duals)
    m.contract_mw = pyo.Var(m.OPTIONS, domain=pyo.NonNegativeReals, doc="grid capacity contracted through the option (MW)")
    connect, contract = members(m.connect), members(m.contract_mw)
    m.contract_cap = pyo.Constraint(m.OPTIONS, rule=lambda m, i: upper_bound_row(contract[i], scaled(cap[i], connect[i])),
                                    doc="contract only through a built connection, within its class's limit")
    m.UPGRADE_OPTIONS = pyo.Set(initialize=up_ok, ordered=True, doc="options that may contract beyond headroom")
    m.upgrade_mw = pyo.Var(m.UPGRADE_OPTIONS, domain=pyo.NonNegativeReals, bounds=lambda m, i: (0, cap[i]),
                           doc="contracted MW beyond the substation's headroom (network upgrades)")
    upgrade = members(m.upgrade_mw)
    m.upgrade_within = pyo.Constraint(m.UPGRADE_OPTIONS, rule=lambda m, i: upper_bound_row(upgrade[i], contract[i]),
                                      doc="upgrades only for MW that are contracted")
    return connect, contract, upgrade


def _imports(m, opt, ids: list, cap: dict, site_of: dict, sub_of: dict, contract: dict) -> tuple[list, dict]:
    """``grid_import_mw`` per (site, substation) within its contracts, one interconnect per open site."""
    # Imports are per (site, substation): a site builds at most one option, so the sum of its options'
    # contracts at a substation bounds the import as tightly as per-option imports.
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
    neg_contract = {pr: [MonomialTermExpression((-1, contract[i])) for i in opts_of_pair[pr]] for pr in pairs}
    grid_import = members(m.grid_import_mw)
    m.import_cap = pyo.Constraint(
        m.CONNECTIONS, m.SLICES,
        rule=lambda m, s, b, t: LinearExpression([grid_import[s, b, t], *neg_contract[s, b]]) <= 0,
        doc="import only through a built interconnect, within its contracted MW")
    return pairs, grid_import


def _headroom(m, p, ids: list, cap: dict, site_of: dict, sub_of: dict, up_ok: list, contract: dict,
              upgrade: dict) -> None:
    """``headroom[b]``: contracts at a substation, less upgrades, within its headroom where that can bind."""
    at_sub = {}
    for i in ids:
        at_sub.setdefault(sub_of[i], []).append(i)
    headroom = p.dataset.substations["headroom_mw"].to_dict()
    # Sites choose at most one option each, so the headroom only binds where the largest contract
    # of every site landing here could together exceed it.
    binding = []
    for b, opts in sorted(at_sub.items()):
        per_site = {}
        for i in opts:
            per_site[site_of[i]] = max(per_site.get(site_of[i], 0.0), cap[i])
        if sum(per_site.values()) > headroom[b] + 1e-9:
            binding.append(b)
    up_set = set(up_ok)
    m.headroom = pyo.Constraint(
        binding, rule=lambda m, b: flat_difference([contract[i] for i in at_sub[b]],
                                                   [upgrade[i] for i in at_sub[b] if i in up_set]) <= headroom[b],
        doc="contracted MW within a substation's headroom, less what network upgrades add (MW)")


def _interconnect_costs(m, p, ids: list, up_ok: list, connect: dict, contract: dict, upgrade: dict) -> None:
    """The connections and network upgrades as assets, and the contract cost per MW-yr."""
    opt = p.options
    life = {i: float(n) for i, n in opt["lifetime_yr"].items()}
    declare_asset(m, Asset("connection", {i: connect[i] for i in ids}, "binary", [
        CostPart("interconnect", {i: float(c) for i, c in opt["capex_usd"].items()}, life)], retire_yr=life))
    if up_ok:
        declare_asset(m, Asset("network_upgrade", {i: upgrade[i] for i in up_ok}, "continuous", [
            CostPart("network_upgrade", {i: float(opt.at[i, "upgrade_cost_usd_per_mw"]) for i in up_ok},
                     {i: life[i] for i in up_ok})], retire_yr={i: life[i] for i in up_ok}))
    contract_cost = {i: float(v) for i, v in opt["contract_cost_usd_per_mw_yr"].items()}
    if any(contract_cost.values()):
        registry(m).cost["grid_contract"].append(linear_sum((contract_cost[i], contract[i]) for i in ids))


def _grid_energy(m, p, pairs: list, grid_import: dict) -> None:
    """The cost and emissions of the energy imported from the grid."""
    reg = registry(m)
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
