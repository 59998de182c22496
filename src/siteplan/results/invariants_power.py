"""Invariants of firm power, checked on a solved Plan independently of the Pyomo model.

Contracts within their class and through a built connection; imports within contracts; headroom
less network upgrades; nameplate coverage (contract + on-site units, less the largest under N+1);
on-site caps; every option within the lead-time rule; the contracts deliverable at once over the
energy graph; no circulating corridor flow; the network-upgrade cost.
"""

from __future__ import annotations

import numpy as np

from siteplan.config import crf
from siteplan.solve.flows import circulating


def check_firm_power(plan, prep, tol: float = 1e-5) -> list[str]:
    """Violated firm-power invariants of ``plan`` (empty = consistent); see the module docstring."""
    ds = plan.ds
    cat, sc = prep.catalog, prep.scenario
    bad: list[str] = []
    S = list(ds["site"].values)
    rel = lambda x: tol * max(1.0, abs(float(x)))  # noqa: E731
    opt = prep.options
    open_ = ds["open"].values.astype(bool)

    # contracts and upgrades, option by option
    built = ds["option_built"].to_series()
    contract = ds["option_contracted_mw"].to_series()
    upgrade = ds["option_upgrade_mw"].to_series()
    for o in built.index:
        c, u, b = float(contract[o]), float(upgrade[o]), int(built[o])
        if c > (opt.at[o, "max_mw"] if b else 0.0) + rel(opt.at[o, "max_mw"]):
            bad.append(f"option {o}: {c:g} MW contracted (built={b}, class limit {opt.at[o, 'max_mw']:g} MW)")
        if u > c + rel(c) or (u > tol and not opt.at[o, "upgrade_ok"]):
            bad.append(f"option {o}: {u:g} MW beyond headroom of {c:g} MW contracted "
                       f"(upgrades allowed: {bool(opt.at[o, 'upgrade_ok'])})")
        if b and opt.at[o, "lead_time_yr"] > sc.horizon_yr:
            bad.append(f"option {o}: lead time {opt.at[o, 'lead_time_yr']:g} yr > horizon {sc.horizon_yr:g} yr")
    # imports within the contract, every slice
    cap = ds["interconnect_contracted_mw"].values[:, None]
    over = ds["grid_import_mw"].values - cap
    for i, j in zip(*np.nonzero(over > 1e-6 * np.maximum(1.0, cap))):
        bad.append(f"site {S[i]} slice {ds['slice'].values[j]}: import {float(ds['grid_import_mw'].values[i, j]):g} MW "
                   f"above {cap[i, 0]:g} MW contracted")
    # headroom is consumed by contracted MW, less what upgrades add
    for b, c, u, h in zip(ds["substation"].values, ds["connected_mw"].values, ds["upgrade_mw"].values,
                          ds["headroom_mw"].values):
        if c - u > h + rel(h):
            bad.append(f"substation {b}: {c:g} MW contracted - {u:g} MW upgraded > headroom {h:g} MW")

    # nameplate coverage: recomputed from the racks, not read from the plan
    K = list(ds["cooling"].values)
    racks = ds["racks"].transpose("site", "rack_type", "cooling").values
    kw = np.array([cat.rack_types[g].rack_kw for g in ds["rack_type"].values])
    it_sk = np.einsum("sgk,g->sk", racks, kw) / 1000.0
    pue_pk = prep.pue_peak.sel(site=S, cooling=K).values if K else np.zeros((len(S), 0))
    peak = sc.firm_power.peak_it_share * (it_sk * pue_pk).sum(axis=1)
    G = list(ds["generator"].values)
    units = ds["onsite_units"].transpose("site", "generator").values if G else np.zeros((len(S), 0))
    unit_mw = np.array([cat.onsite[g].unit_mw for g in G]) if G else np.zeros(0)
    onsite = units @ unit_mw
    largest = np.array([unit_mw[row > 0.5].max(initial=0.0) for row in units]) if G else np.zeros(len(S))
    firm = ds["interconnect_contracted_mw"].values + onsite
    if sc.firm_power.redundancy == "n_plus_1":
        firm = firm - largest
    for i in np.flatnonzero(peak > firm + 1e-6 * np.maximum(1.0, peak)):
        bad.append(f"site {S[i]}: peak {peak[i]:g} MW (nameplate IT x peak share x design-peak PUE) > firm "
                   f"{firm[i]:g} MW (contract {float(ds['interconnect_contracted_mw'].values[i]):g} + on-site "
                   f"{onsite[i]:g}" + (f" - largest unit {largest[i]:g}" if sc.firm_power.redundancy == "n_plus_1" else "")
                   + ")")
    cap_site = prep.onsite_max_mw.loc[S].values
    for i in np.flatnonzero(onsite > cap_site + 1e-6 * np.maximum(1.0, np.where(np.isfinite(cap_site), cap_site, 1.0))):
        bad.append(f"site {S[i]}: {onsite[i]:g} MW of on-site generators > cap {cap_site[i]:g} MW")
    for j, g in enumerate(G):
        if (units[:, j] > 0.5).any() and cat.onsite[g].lead_time_yr > sc.horizon_yr:
            bad.append(f"generator {g}: built with lead time {cat.onsite[g].lead_time_yr:g} yr > horizon")
        if ((units[:, j] > 0.5) & ~open_).any():
            bad.append(f"generator {g}: units at a closed site")

    bad += _deliverability(ds, prep, tol)
    costs = ds["cost_usd_per_yr"].to_series()
    r = cat.economics.discount_rate
    up_cost = sum(float(upgrade[o]) * opt.at[o, "upgrade_cost_usd_per_mw"] * crf(r, opt.at[o, "lifetime_yr"])
                  for o in upgrade.index if upgrade[o] > 0)
    if prep.period is None and abs(up_cost - costs.get("network_upgrade", 0.0)) > 1e-6 * max(1.0, up_cost):
        bad.append(f"network upgrade cost {costs.get('network_upgrade', 0.0):.6g} != upgrade MW x cost {up_cost:.6g}")
    return bad


def _deliverability(ds, prep, tol: float) -> list[str]:
    """Every contract delivered at once within supply and corridor limits; no flow circulates."""
    bad = []
    B = list(ds["substation"].values)
    bi = {b: i for i, b in enumerate(B)}
    # firm: the contracts are delivered at each element's lowest capacity over the slices
    supply = ds["substation_peak_supply_mw"].values
    limit = prep.supply_mw_t.loc[B].min(axis=1).values
    for i in np.flatnonzero(supply > limit + tol * np.maximum(1.0, limit)):
        bad.append(f"substation {B[i]}: {supply[i]:g} MW injected at peak > supply_mw {limit[i]:g}")
    net = supply - ds["connected_mw"].values
    E = list(ds["corridor"].values)
    if E:
        cor = prep.corridors.loc[E]
        flow = ds["corridor_peak_flow_mw"].values
        capc = prep.corridor_mw_t.loc[E].min(axis=1).values
        for k in np.flatnonzero(np.abs(flow) > capc + 1e-6 * np.maximum(1.0, capc)):
            bad.append(f"corridor {E[k]}: peak flow {flow[k]:g} MW > capacity {capc[k]:g}")
        for k, (a, b) in enumerate(zip(cor["from_id"], cor["to_id"])):
            net[bi[a]] -= flow[k]
            net[bi[b]] += flow[k]
        both = np.column_stack([ds["corridor_flow_mw"].transpose("corridor", "slice").values, flow])
        cases = list(ds["slice"].values) + ["the contracts"]
        for j in circulating(B, cor["from_id"].tolist(), cor["to_id"].tolist(), both):
            bad.append(f"corridor flows of {cases[j]} circulate (a directed cycle of flows)")
    for i in np.flatnonzero(np.abs(net) > 1e-4 * np.maximum(1.0, ds["connected_mw"].values)):
        bad.append(f"substation {B[i]}: contracts not delivered at peak (supply + inflow - outflow - contracts = "
                   f"{net[i]:g} MW)")
    return bad
