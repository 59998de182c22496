"""Check a solved Plan against the study's constraints, independently of the Pyomo model.

A plan that violates a constraint is a bug even if the solver said "optimal"; the test suite runs
:func:`check_plan` on every plan it produces, and users can too.
"""

from __future__ import annotations

import warnings

import numpy as np

from siteplan.config import crf
from siteplan.results.invariants_power import check_firm_power
from siteplan.model.objective import COST_CATEGORIES
from siteplan.results.plan import EPS


def check_plan(plan, prep, tol: float = 1e-5) -> list[str]:
    """Return a list of violated invariants (empty = the plan is consistent with its inputs).

    Checks: one design per open site and none at closed sites; racks only with the chosen and a
    compatible design; IT within site limits; power balance per site and slice; at most one
    interconnect per site; firm power (:func:`siteplan.results.invariants_power.check_firm_power`: contracts,
    imports within them, headroom less upgrades, nameplate coverage with N+1, on-site caps, lead
    times, contracts deliverable at once, no circulating flow); corridor capacities; energy-graph node balance, supply limits and imports only through the chosen
    substation; on-site dispatch within installed units; battery charge and discharge within
    installed units, state of charge per representative day within installed MWh and cyclic (no
    energy carried across days); served demand only within RTT limits and
    within installed compute; served + unmet = demand; site and total water caps; the carbon cap;
    costs add up to the objective.
    """
    ds = plan.ds
    cat = prep.catalog
    sites = prep.dataset.sites.loc[list(ds["site"].values)]
    open_ = ds["open"].values.astype(bool)
    bad = _designs_and_racks(ds, cat, open_)
    bad += _it_limits(ds, prep.scenario, sites, open_, tol)
    bad += _power_balance(ds)
    bad += _interconnects_and_corridors(ds, prep, open_)
    bad += check_firm_power(plan, prep, tol)
    bad += _generators(ds, cat)
    bad += _energy_graph(ds, prep, tol)
    bad += _batteries(ds, cat, open_, tol)
    bad += _demand(ds)
    bad += _water_and_carbon(ds, prep.scenario, sites, tol)
    bad += _costs(plan, prep)
    return bad


def _scaled(tol: float, x) -> float:
    """``tol`` relative to ``x`` (absolute below 1)."""
    return tol * max(1.0, abs(float(x)))


def _designs_and_racks(ds, cat, open_) -> list[str]:
    """One design per open site and none at closed ones; racks at open sites, only with the chosen and a
    compatible design."""
    bad = []
    nd = ds["design_chosen"].sum("cooling").values
    for s, o, n in zip(ds["site"].values, open_, nd):
        if n != (1 if o else 0):
            bad.append(f"site {s}: open={o} but {n} designs chosen")
    S, K, G = ds["site"].values, ds["cooling"].values, ds["rack_type"].values
    racks = ds["racks"].transpose("site", "rack_type", "cooling").values
    for s, o, n in zip(S, open_, racks.sum(axis=(1, 2))):
        if o and n < 1:
            bad.append(f"site {s}: open but hosts no racks")
    per_design = racks.sum(axis=1)  # (site, cooling)
    chosen = ds["design_chosen"].transpose("site", "cooling").values
    for i, j in zip(*np.nonzero((per_design > 0) & (chosen == 0))):
        bad.append(f"site {S[i]}: {per_design[i, j]:g} racks with design {K[j]} that is not chosen")
    too_hot = np.array([[cat.rack_types[g].rack_kw > cat.cooling_designs[k].max_rack_kw for k in K] for g in G],
                       dtype=bool).reshape(len(G), len(K))
    for i, a, j in zip(*np.nonzero((racks > 0) & too_hot[None, :, :])):
        bad.append(f"site {S[i]}: rack type {G[a]} ({cat.rack_types[G[a]].rack_kw} kW) with design {K[j]}")
    return bad


def _it_limits(ds, sc, sites, open_, tol: float) -> list[str]:
    """IT within each site's limits; at most ``max_sites`` open."""
    bad = []
    it = ds["it_mw"].values
    for s, v, o in zip(ds["site"].values, it, open_):
        mx = sites.at[s, "max_it_mw"]
        mn = max(sites.at[s, "min_it_mw"], sc.limits.min_it_mw_per_site) if o else 0.0
        if v > mx + _scaled(tol, mx) or v < mn - _scaled(tol, mn):
            bad.append(f"site {s}: IT {v:g} MW outside [{mn:g}, {mx:g}]")
    if sc.limits.max_sites is not None and open_.sum() > sc.limits.max_sites:
        bad.append(f"{open_.sum()} open sites > max_sites {sc.limits.max_sites}")
    return bad


def _power_balance(ds) -> list[str]:
    """Power in (grid, on-site, battery discharge less charge) = facility power, per site and slice."""
    bad = []
    supply = (ds["grid_import_mw"] + ds["onsite_mw"].sum("generator")
              + ds["battery_discharge_mw"].sum("battery") - ds["battery_charge_mw"].sum("battery"))
    diff = np.abs(supply - ds["facility_mw"]).values
    for i, j in zip(*np.nonzero(diff > 1e-4 * np.maximum(1.0, ds["facility_mw"].values))):
        bad.append(f"site {ds['site'].values[i]} slice {ds['slice'].values[j]}: power in "
                   f"{float(supply.values[i, j]):g} MW != facility {float(ds['facility_mw'].values[i, j]):g} MW")
    return bad


def _interconnects_and_corridors(ds, prep, open_) -> list[str]:
    """At most one interconnect per site, none at closed sites; corridor flows within each slice's capacity."""
    bad = []
    opt = prep.options
    built = ds["option_built"].to_series()
    if len(built):
        per_site = built.groupby(opt.loc[built.index, "site_id"]).sum()
        for s, n in per_site.items():
            if n > 1 or (n == 1 and not open_[list(ds["site"].values).index(s)]):
                bad.append(f"site {s}: {n} interconnects built (open={bool(open_[list(ds['site'].values).index(s)])})")
    if ds.sizes.get("corridor", 0):
        flow = np.abs(ds["corridor_flow_mw"].transpose("corridor", "slice").values)
        # the capacity in each slice (capacity_mw x the corridor_rating_factor of prices.csv)
        capc = prep.corridor_mw_t.loc[list(ds["corridor"].values), list(ds["slice"].values)].values
        for i, j in zip(*np.nonzero(flow > capc + 1e-6 * np.maximum(1.0, capc))):
            bad.append(f"corridor {ds['corridor'].values[i]} slice {ds['slice'].values[j]}: flow {flow[i, j]:g} > "
                       f"capacity {capc[i, j]:g}")
    return bad


def _generators(ds, cat) -> list[str]:
    """On-site dispatch within installed units; no units at closed sites."""
    bad = []
    for gname in ds["generator"].values:
        unit = cat.onsite[gname].unit_mw
        g = ds["onsite_mw"].sel(generator=gname)
        lim = ds["onsite_units"].sel(generator=gname) * unit
        if (g > lim + 1e-6 * np.maximum(1.0, lim)).any():
            bad.append(f"generator {gname}: dispatch above installed units")
        if ((ds["onsite_units"].sel(generator=gname) > 0) & ~ds["open"].astype(bool)).any():
            bad.append(f"generator {gname}: units at a closed site")
    return bad


def _demand(ds) -> list[str]:
    """Served demand only within RTT limits and installed compute; served + unmet = demand; unmet >= 0."""
    bad = []
    served = ds["served_h100e"]
    allowed = ds["rtt_ms"] <= ds["max_rtt_ms"] + 1e-9
    if ((served > 1e-6) & ~allowed).any():
        bad.append("demand served beyond its RTT limit")
    cap_h = ds["compute_h100e"]
    if (served.sum(("region", "workload")) > cap_h + 1e-6 * np.maximum(1.0, cap_h)).any():
        bad.append("served compute above installed compute")
    bal = served.sum("site") + ds["unmet_h100e"] - ds["demand_h100e"]
    if (np.abs(bal) > 1e-5 * np.maximum(1.0, ds["demand_h100e"])).any():
        bad.append("served + unmet != demand")
    if (ds["unmet_h100e"] < -1e-9).any():
        bad.append("negative unmet demand")
    return bad


def _water_and_carbon(ds, sc, sites, tol: float) -> list[str]:
    """Site and total water caps; the carbon cap."""
    bad = []
    wl = sites["water_limit_m3_per_yr"].values
    for s, w, lim in zip(ds["site"].values, ds["water_m3_per_yr"].values, wl):
        if np.isfinite(lim) and w > lim + _scaled(tol, lim):
            bad.append(f"site {s}: water {w:g} m3/yr > limit {lim:g}")

    water_cap = sc.water.cap_m3_per_yr
    if water_cap is not None and float(ds["water_m3_per_yr"].sum()) > water_cap + _scaled(tol, water_cap):
        bad.append(f"total water {float(ds['water_m3_per_yr'].sum()):g} m3/yr > cap {water_cap:g}")
    carbon_cap = sc.carbon.cap_t_per_yr
    if carbon_cap is not None and float(ds["emissions_t_per_yr"].sum()) > carbon_cap + _scaled(tol, carbon_cap):
        bad.append(f"emissions {float(ds['emissions_t_per_yr'].sum()):g} t/yr > cap {carbon_cap:g}")
    return bad


def _costs(plan, prep) -> list[str]:
    """Costs add up to the objective; IT equipment, grid energy, unmet penalty and revenue recomputed;
    per-site costs add up to the objective less the penalty, revenue and user costs."""
    ds = plan.ds
    cat, sc = prep.catalog, prep.scenario
    bad = []
    total = float(ds["cost_usd_per_yr"].sum())
    if abs(total - plan.result.objective) > 1e-6 * max(1.0, abs(plan.result.objective)):
        bad.append(f"costs add up to {total:.6g}, objective is {plan.result.objective:.6g}")
    r = cat.economics.discount_rate
    costs = ds["cost_usd_per_yr"].to_series()
    vintages = prep.period is not None  # a build-out period pays its vintages (siteplan.results.invariants_periods)
    it_cost = costs.get("it_equipment", 0.0) if vintages else sum(float(ds["racks"].sel(rack_type=g).sum()) * cat.rack_types[g].capex_usd_per_rack
                  * crf(r, cat.rack_types[g].lifetime_yr) for g in ds["rack_type"].values)
    if abs(it_cost - costs.get("it_equipment", 0.0)) > 1e-6 * max(1.0, it_cost):
        bad.append(f"IT equipment cost {costs.get('it_equipment', 0.0):.6g} != racks x capex {it_cost:.6g}")
    energy = float((ds["grid_import_mw"] * prep.price.loc[list(ds['site'].values)].values * ds["weight_h"]).sum())
    if abs(energy - costs.get("grid_energy", 0.0)) > 1e-6 * max(1.0, energy):
        bad.append(f"grid energy cost {costs.get('grid_energy', 0.0):.6g} != imports x prices {energy:.6g}")
    unmet = float(ds["unmet_h100e"].sum()) * sc.unmet_penalty_usd_per_gpu_yr
    # the plan zeroes solver noise below EPS H100e per entry, which the cost still carries
    noise = EPS * ds["unmet_h100e"].size * sc.unmet_penalty_usd_per_gpu_yr
    if abs(unmet - costs.get("unmet_penalty", 0.0)) > 1e-6 * max(1.0, unmet) + noise:
        bad.append("unmet penalty != unmet x penalty")
    revenue = (float(ds["served_h100e"].sum()) * float(ds["weight_h"].sum()) * sc.gpu_hour_price_usd
               if sc.objective == "max_profit" else 0.0)
    if abs(-revenue - costs.get("revenue", 0.0)) > 1e-6 * max(1.0, revenue):
        bad.append(f"revenue {-costs.get('revenue', 0.0):.6g} != served x hours x price {revenue:.6g}")
    per_site = float(ds["site_capex_usd_per_yr"].sum() + ds["site_opex_usd_per_yr"].sum())
    user = sum(v for c, v in costs.items() if c not in _MODEL_CATEGORIES)
    expected = plan.result.objective - costs.get("unmet_penalty", 0.0) - costs.get("revenue", 0.0) - user
    if abs(per_site - expected) > 1e-6 * max(1.0, abs(plan.result.objective), revenue):
        bad.append(f"per-site costs add up to {per_site:.6g}, objective less unmet penalty and revenue "
                   f"is {expected:.6g}")
    return bad


_MODEL_CATEGORIES = set(COST_CATEGORIES)


def record_invariants(plan, prep) -> None:
    """Check a solved plan against the study's rules (:func:`check_plan`); record what it breaks in
    ``plan.ds.attrs`` (``invariant_violations``, ``invariants_checked``) and warn about it
    (:class:`~siteplan.errors.PlanInvariantWarning`). Every solve (:func:`siteplan.solve`, build-out
    periods, alternatives) checks its plans with this."""
    from siteplan.errors import PlanInvariantWarning

    if not plan.result.primal_feasible:  # an unfinished LP: its point is not a plan to check
        plan.ds.attrs["invariant_violations"] = ""
        plan.ds.attrs["invariants_checked"] = 0
        return
    violations = check_plan(plan, prep)
    plan.ds.attrs["invariant_violations"] = "\n".join(violations)  # NetCDF-safe string; "" = none
    plan.ds.attrs["invariants_checked"] = 1
    if violations:
        shown = "; ".join(violations[:5]) + (f"; and {len(violations) - 5} more" if len(violations) > 5 else "")
        warnings.warn(f"the plan of {prep.scenario.name!r} breaks {len(violations)} of its invariants: {shown}",
                      PlanInvariantWarning, stacklevel=3)


def _energy_graph(ds, prep, tol: float) -> list[str]:
    """Supply within limits, node balance at every substation, imports only where connected."""
    bad = []
    B, T = list(ds["substation"].values), list(ds["slice"].values)
    supply, load = ds["substation_supply_mw"].values, ds["substation_load_mw"].values
    limit = prep.supply_mw_t.loc[B, T].values  # supply_mw x the supply_factor of the slice
    for i, j in zip(*np.nonzero(supply > limit + tol * np.maximum(1.0, limit))):
        bad.append(f"substation {B[i]} slice {T[j]}: supply {supply[i, j]:g} MW > supply_mw {limit[i, j]:g}")
    bi = {b: i for i, b in enumerate(B)}
    net = supply - load  # + inflow - outflow below: must be 0 at every node
    cor = prep.corridors.loc[list(ds["corridor"].values)] if ds.sizes.get("corridor", 0) else None
    if cor is not None:
        flow = ds["corridor_flow_mw"].values
        for k, (a, b) in enumerate(zip(cor["from_id"], cor["to_id"])):
            net[bi[a]] -= flow[k]
            net[bi[b]] += flow[k]
    # substations outside the flow model (no interconnect option in their component) carry no flow,
    # supply or load, so the same balance holds there
    scale = np.maximum(1.0, np.maximum(supply, load))
    for i, j in zip(*np.nonzero(np.abs(net) > 1e-4 * scale)):
        bad.append(f"substation {B[i]} slice {T[j]}: supply + inflow - outflow - load = {net[i, j]:g} MW, not 0")
    # the load at each substation is the import of the sites whose chosen interconnect lands there
    via = np.zeros_like(load)
    for s, b, imp in zip(ds["site"].values, ds["interconnect_substation"].values, ds["grid_import_mw"].values):
        if b:
            via[bi[b]] += imp
        elif (imp > tol).any():
            bad.append(f"site {s}: imports {imp.max():g} MW without an interconnect")
    for i, j in zip(*np.nonzero(np.abs(via - load) > 1e-4 * np.maximum(1.0, load))):
        bad.append(f"substation {B[i]} slice {T[j]}: load {load[i, j]:g} MW but its connected sites import "
                   f"{via[i, j]:g} MW (import through a substation that is not the site's interconnect)")
    return bad


def _batteries(ds, cat, open_, tol: float) -> list[str]:
    """Charge and discharge within installed MW; the state of charge, recomputed from them per
    representative day, within installed MWh and back to its start at the end of each day (no energy
    carried across days); the plan's reported state of charge consistent with both."""
    bad = []
    if not ds.sizes.get("battery", 0):
        return bad
    S, T = ds["site"].values, [str(t) for t in ds["slice"].values]
    dur = ds["duration_h"].values.astype(float)
    days: dict[str, list[int]] = {}  # day -> slice positions in chronological order
    for j, d in enumerate(ds["day"].values):
        days.setdefault(str(d), []).append(j)
    order = ds["order_in_day"].values
    days = {d: sorted(js, key=lambda j: order[j]) for d, js in days.items()}
    for q in ds["battery"].values:  # vectorised over sites; Python only for what is broken
        spec = cat.onsite[q]
        root = np.sqrt(spec.round_trip_efficiency)
        n = ds["battery_units"].sel(battery=q).transpose("site").values
        ch = ds["battery_charge_mw"].sel(battery=q).transpose("site", "slice").values
        dis = ds["battery_discharge_mw"].sel(battery=q).transpose("site", "slice").values
        soc = ds["battery_soc_mwh"].sel(battery=q).transpose("site", "slice").values
        mw, mwh = n * spec.unit_mw, n * spec.unit_mwh
        peak = np.maximum(ch.max(axis=1, initial=0.0), dis.max(axis=1, initial=0.0))
        for i in np.flatnonzero((n > 0) & ~open_.astype(bool)):
            bad.append(f"battery {q}: {n[i]:g} units at closed site {S[i]}")
        for i in np.flatnonzero(peak > mw + 1e-6 * np.maximum(1.0, mw)):
            bad.append(f"site {S[i]} battery {q}: charge/discharge above {mw[i]:g} MW installed")
        net = (root * ch - dis / root) * dur  # MWh into storage per slice
        for d, js in days.items():
            level = np.cumsum(net[:, js], axis=1)  # state of charge after each slice, from 0 at the day's start
            moved = np.abs(ch[:, js] * dur[js]).sum(axis=1) + np.abs(dis[:, js] * dur[js]).sum(axis=1)
            scale = 1e-5 * np.maximum(1.0, moved)
            for i in np.flatnonzero(np.abs(level[:, -1]) > scale):
                bad.append(f"site {S[i]} battery {q} day {d}: state of charge ends the day {level[i, -1]:+g} MWh "
                           f"from where it started (sqrt(efficiency) x charge - discharge / sqrt(efficiency), "
                           f"over the day's slices, must be 0: no energy carried across days)")
            swing = np.maximum(level.max(axis=1), 0.0) - np.minimum(level.min(axis=1), 0.0)
            for i in np.flatnonzero(swing > mwh + scale):
                bad.append(f"site {S[i]} battery {q} day {d}: state of charge swings {swing[i]:g} MWh within the "
                           f"day, more than the {mwh[i]:g} MWh installed")
            if len(js) > 1:  # the reported state of charge follows the flows (one-slice days report 0)
                prev = [js[-1], *js[:-1]]
                step = soc[:, js] - soc[:, prev] - net[:, js]
                for i, k in zip(*np.nonzero(np.abs(step) > scale[:, None])):
                    bad.append(f"site {S[i]} battery {q} slice {T[js[k]]}: state of charge {soc[i, js[k]]:g} MWh != "
                               f"previous {soc[i, prev[k]]:g} + net charge {net[i, js[k]]:g} MWh")
        for i, j in zip(*np.nonzero((soc < -1e-6) | (soc > mwh[:, None] + 1e-6 * np.maximum(1.0, mwh[:, None])))):
            bad.append(f"site {S[i]} battery {q} slice {T[j]}: state of charge {soc[i, j]:g} MWh outside "
                       f"[0, {mwh[i]:g}] installed")
    return bad
