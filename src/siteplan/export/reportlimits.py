"""Limits of the plan report: whether each limit binds (its value from the duals of the LP with the
integer decisions fixed, ``plan.ds["value_*"]``) or is at its limit, the "Which limits bind" section
with its details (substations, corridors, RTT, site water), and "What would change this plan" (the
most valuable limits).
"""

from __future__ import annotations

import numpy as np

from siteplan.export import style
from siteplan.export.reportpage import Block, Table
from siteplan.export.reporttables import _lookups, _named
from siteplan.labels import column_words, slice_name

REL_TOL, ABS_TOL = 1e-6, 1e-3  # a quantity is "at the limit" when the used amount is within this of it
# A limit *binds* when relaxing it by one unit is worth more than DUAL_TOL USD/yr (its value from the
# duals of the LP with the integer decisions fixed, plan.ds["value_*"], see siteplan.solve.duals): below
# that is solver noise (HiGHS's dual feasibility tolerance is 1e-7 on costs of 1e2-1e7 USD/yr per unit).
DUAL_TOL = 1e-3


def _binds(used: float, limit: float) -> bool:
    return used >= limit - max(ABS_TOL, REL_TOL * abs(limit))


# A limit is *at its limit* when the plan uses it to within this share: what is left is less than the
# plan's smallest step (one rack is ~0.15 MW of peak facility power, 0.05-0.1 % of a 200-400 MW
# connection), so the whole racks decided it, even though the fixed-integer LP gives it no value.
AT_LIMIT_SHARE = 1e-3


def _at_limit(used: float, limit: float) -> bool:
    return bool(np.isfinite(limit)) and used >= limit - max(ABS_TOL, AT_LIMIT_SHARE * abs(limit))


def _values(ds, name: str) -> np.ndarray | None:
    """The values of a limit family (USD/yr per unit), or None for a plan written before they existed."""
    return ds[name].values.astype(float).ravel() if name in ds else None


def _usd(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.3g}"


NEAR_SHARE = 0.95  # a scalar cap used to this share, with no value in the fixed LP, is reported as near its limit


AT_LIMIT_WORDS = "at its limit (no marginal value with the plan's racks held)"
AT_LIMITS_WORDS = "at their limit (no marginal value with the plan's racks held)"


def _status(values: np.ndarray | None, unit: str, at_limit: int = 0, scalar: bool = False) -> str:
    """Status of a family from its values: binds where the value exceeds DUAL_TOL, with the largest value.

    NaN members are not priced by the fixed-integer LP (rows of integer decisions only); if every
    member is NaN, the status says so and how many sit at their limit (a quantity, not a dual).
    A family with no value but ``at_limit`` members used to their limit is *at its limit* (the LP's
    dual there is degenerate: one more unit is worth nothing while the racks are held), never
    *slack*, which means real headroom.
    """
    if values is None:
        return "–"
    if len(values) and np.isnan(values).all():
        return "not priced (integer decisions)" + (f"; at the limit at {at_limit}" if at_limit else "")
    v = np.nan_to_num(values, nan=0.0)
    n = int((v > DUAL_TOL).sum())
    if not n:
        if at_limit:
            return AT_LIMIT_WORDS if scalar or (at_limit == 1 and len(values) == 1) else \
                f"{at_limit} of {len(values)} {AT_LIMITS_WORDS}"
        return "slack"
    top = f"{_usd(float(v.max()))} USD/yr per {unit}"
    more = f"; {at_limit - n} more {AT_LIMITS_WORDS}" if at_limit > n else ""
    return (f"**binds**: {top}" if scalar else f"**binds at {n}**, up to {top}") + more


def _one(values: np.ndarray | None, i: int, unit: str, at_limit: bool = False) -> str:
    """Status of one member: its value if it binds; *at its limit* when used to it without a value."""
    if values is None:
        return "–"
    v = float(values[i])
    if np.isnan(v):
        return "not priced" + ("; at the limit" if at_limit else "")
    if v > DUAL_TOL:
        return f"**binds**: {_usd(v)} USD/yr per {unit}"
    return AT_LIMIT_WORDS if at_limit else "slack"


FULL_IN_ROUTING_WORDS = "full in this routing (another routing of the same contracts may leave room)"


def _corridor_status(values: np.ndarray | None, i: int, peak_mw: float, cap_mw: float) -> str:
    """A corridor's status: its value if it binds; at capacity without a value, *full in this
    routing*: the flow shown is one of many that deliver the contracts (the least total flow), so
    neither "slack" nor "at its limit" would be honest."""
    st = _one(values, i, "MW")
    if st == "slack" and cap_mw > 0 and _at_limit(peak_mw, cap_mw):
        return FULL_IN_ROUTING_WORDS
    return st


# (variable, what, member dimension, unit) of the values of limits, for "what would change this plan"
VALUE_FAMILIES = (("value_headroom_usd_per_mw_yr", "substation headroom", "substation", "MW"),
                  ("value_corridor_usd_per_mw_yr", "corridor capacity", "corridor", "MW"),
                  ("value_supply_usd_per_mw_yr", "supply", "substation", "MW"),
                  ("value_interconnect_usd_per_mw_yr", "interconnect class limit", "site", "MW"),
                  ("value_site_mw_usd_per_mw_yr", "site max IT", "site", "MW"),
                  ("value_site_water_usd_per_m3", "site water limit", "site", "m³/yr"),
                  ("value_carbon_cap_usd_per_t", "carbon cap", None, "t CO₂/yr"),
                  ("value_water_cap_usd_per_m3", "total water cap", None, "m³/yr"),
                  ("value_max_sites_usd_per_site_yr", "max sites", None, "site"))
TOP_VALUES = 10


def limit_values(ds) -> list[tuple]:
    """``(USD/yr per unit, limit, member, unit)`` of every limit with a value in a plan's dataset
    (``value_*`` variables; one period of a build-out's timeline), largest first."""
    rows = []
    for var, what, dim, unit in VALUE_FAMILIES:
        if var not in ds:
            continue
        da = ds[var]
        if dim is None:
            v = float(da)
            if np.isfinite(v) and v > DUAL_TOL:
                rows.append((v, what, "–", unit))
            continue
        for member, v in zip(da[dim].values, da.values.astype(float)):
            if np.isfinite(v) and v > DUAL_TOL:
                rows.append((v, what, str(member), unit))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    return rows


def _what_would_change(plan) -> list[Block]:
    """The limits whose relaxation is worth the most, by family member (duals of the fixed LP)."""
    rows = limit_values(plan.ds)
    out = [Block("h2", "What would change this plan")]
    if not rows:
        out.append(Block("p", "No limit has a marginal value in the LP with the plan's sites, designs, racks, "
                              "connections and units fixed: with those held, one more unit of any limit would not "
                              "lower the cost of this plan (see `docs/duals.md`; limits made only of integer "
                              "decisions are not priced). That does not mean nothing limits the plan: the limits "
                              "that size each site, which whole racks, connections and units reach, are in the "
                              "'size limited by' column of the power table above, and 'Which limits bind' below "
                              "counts those at their limit."))
        return out
    out.append(Block("p", f"The {min(len(rows), TOP_VALUES)} most valuable limits: what one more unit would save a "
                          "year, with every integer decision of the plan held (duals of the fixed-integer LP; "
                          "`docs/duals.md`). A value is marginal: it holds for small changes of that limit alone."))
    names = _lookups(plan)
    kind = {what: dim for _, what, dim, _ in VALUE_FAMILIES}
    out.append(Block("table", table=Table(["limit", "where", "USD/yr per unit", "unit"],
                                          [[w, _named(names.get(kind.get(w) or "", {}), m) if m != "–" else m,
                                            f"{v:,.0f}", u] for v, w, m, u in rows[:TOP_VALUES]]),
                     extra={"id": "values"}))
    return out


def _substation_use(ds) -> tuple:
    """(headroom MW, contracted MW, of it upgraded MW, headroom values or None) by substation."""
    head, conn = ds["headroom_mw"].values.astype(float), ds["connected_mw"].values.astype(float)
    upg = ds["upgrade_mw"].values.astype(float) if "upgrade_mw" in ds else np.zeros_like(conn)
    return head, conn, upg, _values(ds, "value_headroom_usd_per_mw_yr")


def _corridor_use(ds) -> tuple:
    """(capacity MW, |flow| MW by slice, |contracts' flow| MW, capacity values or None) by corridor.

    The binding case is the flow that delivers every contract at once (firm capacity), at each
    corridor's lowest capacity over the slices.
    """
    if "corridor_capacity_by_slice_mw" in ds:
        cap = ds["corridor_capacity_by_slice_mw"].values.astype(float).min(axis=1, initial=np.inf) \
            if ds.sizes.get("slice", 0) else ds["corridor_capacity_mw"].values.astype(float)
    else:
        cap = ds["corridor_capacity_mw"].values.astype(float)
    flow = np.abs(ds["corridor_flow_mw"].values.astype(float))
    peak = np.abs(ds["corridor_peak_flow_mw"].values.astype(float)) if "corridor_peak_flow_mw" in ds \
        else (flow.max(axis=1) if flow.size else np.zeros(len(cap)))
    return cap, flow, peak, _values(ds, "value_corridor_usd_per_mw_yr")


def _site_water(ds) -> dict:
    """{site id: water m³/yr} of every candidate site."""
    return dict(zip(ds["site"].values.tolist(), ds["water_m3_per_yr"].values.astype(float)))


def _grid_rows(plan, sc: dict) -> list[list[str]]:
    """Summary rows of the limits on sites and power: max sites, substation headroom, corridors,
    supply, site max IT, interconnects, RTT."""
    ds = plan.ds
    lim = sc.get("limits", {}) or {}
    n_open = int(ds["open"].sum())
    max_sites = lim.get("max_sites")
    summary = []

    # max sites
    if max_sites is None:
        summary.append(["max sites", f"{n_open} open", "no limit", "–"])
    else:
        summary.append(["max sites", f"{n_open} open", str(max_sites),
                        _status(_values(ds, "value_max_sites_usd_per_site_yr"), "site", int(n_open >= max_sites),
                                scalar=True)])
    # substation headroom
    head, conn, upg, v_head = _substation_use(ds)
    used = conn > 0
    nb = sum(_at_limit(c - u, hd) for c, u, hd in zip(conn[used], upg[used], head[used]))
    summary.append(["substation headroom", f"{used.sum()} substation(s) with new load", column_words("headroom_mw"),
                    _status(None if v_head is None else v_head[used], "MW", nb)])
    # corridors
    cap, _flow, peak, v_cor = _corridor_use(ds)
    # no "at its limit" for corridors and supply: their flow is one of many that deliver the contracts
    # (the least total flow), so a corridor at capacity there may have room in another flow
    st_cor = _status(v_cor, "MW")
    n_full = sum(1 for a, b in zip(peak, cap) if b > 0 and _at_limit(float(a), float(b)))
    if st_cor == "slack" and n_full:
        st_cor = f"no value; {n_full} full in the routing shown (another routing may leave room)"
    summary.append(["corridor capacity", f"{int((peak > 0).sum())} of {len(cap)} corridors carry flow",
                    column_words("capacity_mw"), st_cor])
    # supply
    if "value_supply_usd_per_mw_yr" in ds:
        v_sup = _values(ds, "value_supply_usd_per_mw_yr")
        n_sup = int((ds["supply_limit_mw"].values > 0).sum())
        summary.append(["supply", f"{n_sup} substation(s) inject power", column_words("supply_mw"), _status(v_sup, "MW")])
    # site capacity
    is_open = plan.sites["open"].astype(bool).values
    op = plan.sites[is_open]
    v_site = _values(ds, "value_site_mw_usd_per_mw_yr")
    nsc = int(sum(_at_limit(a, b) for a, b in zip(op["it_mw"], op["max_it_mw"])))
    summary.append(["site max IT MW", f"{len(op)} open site(s)", column_words("max_it_mw"),
                    _status(None if v_site is None else v_site[is_open], "MW", nsc)])
    # interconnect capacity
    ic = plan.interconnects
    v_ic = _values(ds, "value_interconnect_usd_per_mw_yr")
    has_ic = np.array([bool(x) for x in ds["interconnect_substation"].values.tolist()], dtype=bool)
    # the limit priced is the contract within the connection's most (its class's max_mw or the headroom)
    nic = int(sum(_at_limit(a, b) for a, b in zip(ic["contracted_mw"], ic["max_mw"]))) if len(ic) else 0
    summary.append(["interconnect capacity", f"{len(ic)} interconnect(s)", "each connection's most (MW)",
                    _status(None if v_ic is None else v_ic[has_ic], "MW", nic)])
    # RTT
    asg = plan.assignments
    nrtt = int(sum(_binds(a, b) for a, b in zip(asg["rtt_ms"], asg["max_rtt_ms"]))) if len(asg) else 0
    summary.append(["RTT", f"{len(asg)} serving link(s)", column_words("max_rtt_ms") + " per workload",
                    f"**at the limit on {nrtt}**" if nrtt else "slack on every link"])
    return summary


def _water_carbon_rows(plan, sc: dict, water_limits: dict) -> list[list[str]]:
    """Summary rows of water (total cap and site limits), carbon and unmet demand."""
    ds, f = plan.ds, style.fmt_num
    wat = sc.get("water", {}) or {}
    summary = []
    # water
    water = _site_water(ds)
    wcap = wat.get("cap_m3_per_yr")
    tot_w = float(sum(water.values()))
    capped = [s for s, v in water_limits.items() if np.isfinite(v) and water.get(s, 0) > 0]
    nw = sum(_at_limit(water[s], water_limits[s]) for s in capped)
    wtxt = f"{f(tot_w, 0)} m³/yr; water cooling {'allowed' if wat.get('allow_water_cooling', True) else 'not allowed'}"
    wlim = f"cap {f(float(wcap), 0)} m³/yr" if wcap is not None else "no total cap"
    v_site_w = _values(ds, "value_site_water_usd_per_m3")
    v_w = []
    if wcap is not None and "value_water_cap_usd_per_m3" in ds:
        v_w.append(float(ds["value_water_cap_usd_per_m3"]))
    if capped and v_site_w is not None:
        pos = {s: i for i, s in enumerate(ds["site"].values.tolist())}
        v_w += [float(v_site_w[pos[s]]) for s in capped if s in pos]
    wat_at = int(wcap is not None and _at_limit(tot_w, float(wcap))) + nw
    summary.append(["water", wtxt, wlim + ("; site limits" if water_limits else ""),
                    _status(np.array(v_w), "m³/yr", wat_at) if v_w else ("slack" if v_site_w is not None else "–")])
    # carbon
    carb = sc.get("carbon", {}) or {}
    ccap, cprice = carb.get("cap_t_per_yr"), float(carb.get("price_usd_per_t") or 0.0)
    tot_c = float(ds["emissions_t_per_yr"].sum())
    ctxt = f"{f(tot_c, 0)} t CO₂/yr" + (f"; priced at {f(cprice, 0)} USD/t" if cprice > 0 else "")
    v_c = _values(ds, "value_carbon_cap_usd_per_t")
    c_status = _status(v_c, "t CO₂/yr", int(_at_limit(tot_c, float(ccap))), scalar=True) if ccap is not None else "–"
    if ccap is not None and c_status == "slack" and tot_c >= NEAR_SHARE * float(ccap):
        # the cap decided how many (whole) racks fit; with them fixed, the LP has nothing left to trade
        c_status = (f"**near the limit** ({tot_c / float(ccap):.1%}): binds through whole racks, which the "
                    "fixed-integer LP does not price")
    summary.append(["carbon", ctxt, f"cap {f(float(ccap), 0)} t/yr" if ccap is not None else "no cap", c_status])
    # unmet demand
    summary.append(["demand", f"unmet {f(float(ds['unmet_h100e'].sum()), 0)} H100e", "–",
                    "**demand not fully met**" if float(ds["unmet_h100e"].sum()) > 0.5 else "met"])
    return summary


def _limits_note(ds) -> Block:
    """What the status words of the limits table mean."""
    return Block("p", "*binds*: relaxing the limit by one unit would lower the annual cost by more than "
                      f"{DUAL_TOL:g} USD/yr, with every site, design, rack count, interconnect and on-site unit "
                      "held as planned (duals of the LP with the integer decisions fixed). *not priced*: every term of the limit is an integer decision, so that LP "
                      "cannot value it; *at the limit* counts quantities at their bound. *at its limit (no marginal value "
                      "with the plan's racks held)*: used to its limit (within "
                      f"{AT_LIMIT_SHARE:.1%} of it: less than a rack's or unit's step left), yet one more unit would not lower the cost while the "
                      "racks stay as planned (a zero dual); it may still have decided how many racks fit. "
                      "*slack*: real headroom left."
                 + (f" No values: {ds.attrs['duals_status']}." if str(ds.attrs.get("duals_status", "optimal"))
                    != "optimal" else ""))


def _substation_details(plan, names: dict) -> list[Block]:
    """The substations with new load: contracted, upgraded and remaining MW against the headroom."""
    ds, f = plan.ds, style.fmt_num
    head, conn, upg, v_head = _substation_use(ds)
    ids = ds["substation"].values
    rows = [[_named(names["substation"], str(ids[i])), str(ids[i]), f(conn[i], 1), f(upg[i], 1), f(head[i], 1), f(max(head[i] - (conn[i] - upg[i]), 0.0), 1),
             f"{(conn[i] - upg[i]) / head[i]:.0%}" if head[i] > 0 else "–", _one(v_head, i, "MW", _at_limit(conn[i] - upg[i], head[i]))]
            for i in np.argsort(-conn) if conn[i] > 0]
    if not rows:
        return []
    return [Block("p", "**Substation headroom** (substations with new load: the MW contracted there, of which "
                       "the MW beyond the headroom through network upgrades, vs the headroom (MW))"),
            Block("table", table=Table(["substation", "id", "contracted MW", "upgraded MW", "headroom MW",
                                        "remaining MW", "use", "status"], rows, "llrrrrrl"))]


def _corridor_details(plan, names: dict) -> list[Block]:
    """The binding corridors first (largest value), then the most loaded, at most 15."""
    ds, f = plan.ds, style.fmt_num
    cap, flow, peak, v_cor = _corridor_use(ds)
    cids = ds["corridor"].values
    v_sort = np.nan_to_num(v_cor, nan=0.0) if v_cor is not None else np.zeros(len(cap))
    key = np.lexsort((-(peak / np.maximum(cap, 1e-9)), -v_sort))
    order = [i for i in key if peak[i] > 0 or v_sort[i] > DUAL_TOL][:15]
    if not order:
        return []
    sl = ds["slice"].values
    w_pos = (ds["weight_h"].values > 0)[None, :] if flow.size else None
    busy = np.where(w_pos, flow, 0.0) if flow.size else flow
    rows = [[_named(names["corridor"], str(cids[i])), str(cids[i]), f(peak[i], 1), f(cap[i], 1), f"{peak[i] / cap[i]:.0%}" if cap[i] > 0 else "–",
             f(float(busy[i].max()), 1) if busy.size else "–",
             slice_name(str(sl[int(np.argmax(busy[i]))])) if busy.size else "–", _corridor_status(v_cor, i, peak[i], cap[i])]
            for i in order]
    more = int(((peak > 0) | (v_sort > DUAL_TOL)).sum()) - len(order)
    return [Block("p", "**Corridor capacity** (binding first, then the most loaded: the flow in either direction, in "
                       "MW, of the least total flow that delivers every contract at once, vs the corridor's lowest capacity "
                       "over the slices; and the largest flow of any slice"
                       + (f"; {more} more carry flow" if more > 0 else "") + ")"),
            Block("table", table=Table(["corridor", "id", "contracts |flow| MW", "capacity MW", "use",
                                        "largest slice flow MW", "in slice", "status"], rows, "llrrrrll"))]


def _rtt_details(plan, names: dict) -> list[Block]:
    """Worst round trip of each region and workload against its limit."""
    ds, f = plan.ds, style.fmt_num
    asg = plan.assignments
    if not len(asg):
        return []
    rows = []
    for (reg, wl), g in asg.groupby(["region_id", "workload"], sort=True):
        lim_ms = float(g["max_rtt_ms"].iloc[0])
        worst = float(g["rtt_ms"].max())
        n_in = int((ds["rtt_ms"].sel(region=reg).values <= lim_ms + 1e-9).sum())
        rows.append([_named(names["region"], str(reg)), str(wl), f(worst, 2), f(lim_ms, 1), f"{n_in} of {ds.sizes['site']}",
                     "**at the limit**" if _binds(worst, lim_ms) else "within"])
    return [Block("p", "**RTT** (worst round trip among the sites serving each region and workload vs its "
                       "limit; candidate sites within the limit)"),
            Block("table", table=Table(["region", "workload", "worst RTT ms", "limit ms",
                                        "sites within limit", "status"], rows, "llrrrl"))]


def _water_details(plan, names: dict, water_limits: dict) -> list[Block]:
    """The sites with a water limit that use water: use against the limit."""
    ds, f = plan.ds, style.fmt_num
    water = _site_water(ds)
    v_site_w = _values(ds, "value_site_water_usd_per_m3")
    site_pos = {s: i for i, s in enumerate(ds["site"].values.tolist())}
    wl_rows = [[_named(names["site"], s), f(water[s], 0), f(v, 0), _one(v_site_w, site_pos[s], "m³/yr", _at_limit(water[s], v))
               if s in site_pos else "–"]
               for s, v in sorted(water_limits.items()) if np.isfinite(v) and water.get(s, 0) > 0]
    if not wl_rows:
        return []
    return [Block("p", "**Site water limits**"),
            Block("table", table=Table(["site", "water m³/yr", "limit m³/yr", "status"], wl_rows))]


def _limits(plan, sc: dict, water_limits: dict) -> list[Block]:
    """The 'Which limits bind' section under its heading: the summary table, what its words mean,
    then the substations, corridors, RTT and site water limits in detail."""
    summary = _grid_rows(plan, sc) + _water_carbon_rows(plan, sc, water_limits)
    out = [Block("table", table=Table(["limit", "use", "limit", "status"], summary, "llll"), extra={"id": "limits"}),
           _limits_note(plan.ds)]
    names = _lookups(plan)
    return (out + _substation_details(plan, names) + _corridor_details(plan, names) + _rtt_details(plan, names)
            + _water_details(plan, names, water_limits))
