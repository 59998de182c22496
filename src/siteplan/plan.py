"""The Plan: every decision and derived quantity as an xarray Dataset, plus GeoDataFrames.

Extraction reads the solved Pyomo model once; everything downstream (exports, reports, batch
tables, invariant checks) reads the Plan only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr
from shapely.geometry import LineString

from siteplan import labels as _labels
from siteplan._xarray import defer_dask_array_check
from siteplan.config import crf
from siteplan.flows import least_flows
from siteplan.labels import display_name, place_names, plant_name
from siteplan.model.linear import linear_value, members
from siteplan.output import WritesFolder
from siteplan.solve import SolveResult

EPS = 1e-6
place_name = _labels.place_name  # siteplan.plan.place_name, as before the place names moved to labels


def _vals(var) -> dict:
    """Values of an indexed Pyomo Var as {index: float}; empty if the model has no such var."""
    return {} if var is None else {k: float(v.value) for k, v in var.items()}


def _scatter(shape: tuple, var, labels: tuple) -> np.ndarray:
    """An array of ``shape`` holding the values of the indexed Var ``var`` at the positions of its
    index tuples in ``labels`` (one list of labels per dimension), zeros elsewhere: ``_vals`` and a
    loop over it, in bulk (the serve variable has one member per site-region-workload pair)."""
    out = np.zeros(shape)
    data = members(var)
    if not data:
        return out
    keys = list(data)
    vals = np.fromiter((float(v.value) for v in data.values()), dtype=float, count=len(keys))
    pos = tuple(pd.Index(lab).get_indexer(list(part)) for lab, part in zip(labels, zip(*keys)))
    if any((q < 0).any() for q in pos):
        raise KeyError(f"{var.name}: an index not among the plan's labels")
    out[pos] = vals
    return out


def _clean(x: np.ndarray) -> np.ndarray:
    """Zero out solver noise below EPS in magnitude."""
    x = np.asarray(x, dtype=float)
    return np.where(np.abs(x) < EPS, 0.0, x)


@dataclass
class Plan(WritesFolder):
    """A solved study.

    Attributes
    ----------
    result : SolveResult
        Termination, objective, best bound, gap, sizes and timings.
    ds : xarray.Dataset
        Decisions and derived quantities with units in ``attrs["units"]``.
    sites : geopandas.GeoDataFrame
        Every candidate site with its decisions (``open``, ``design``, ``it_mw`` ...).
    interconnects : geopandas.GeoDataFrame
        Chosen interconnects as lines site -> substation.
    assignments : geopandas.GeoDataFrame
        Served demand as lines site -> demand region.
    substations : geopandas.GeoDataFrame
        Substations with headroom and connected capacity.
    demand : geopandas.GeoDataFrame
        Demand regions with served and unmet compute.
    fiber : geopandas.GeoDataFrame
        The fiber backbone: every link with its route length, whether served demand is routed
        over it (``used``) and how much (``served_h100e``).
    routes : geopandas.GeoDataFrame
        The fiber path of each served (site, region) pair: lateral to the site's PoP, the
        shortest fiber path, lateral to the region, with ``route_km``, ``rtt_ms``, the
        ``fiber_links`` it uses and ``rtt_source`` ("fiber", "metro" or "latency.csv").
    alternatives : list of Plan
        Near-optimal alternatives, when asked for (:mod:`siteplan.alternatives`).
    corridors : geopandas.GeoDataFrame or None
        The transmission corridors of the energy graph with their capacity, the flow that delivers
        every contract at once (``peak_flow_mw``), the largest flow of any slice and the value of
        one more MW of capacity; None for a Plan read from a folder written before they existed.
    """

    result: SolveResult
    ds: xr.Dataset
    sites: gpd.GeoDataFrame
    interconnects: gpd.GeoDataFrame
    assignments: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame | None = None
    alternatives: list = field(default_factory=list)
    corridors: gpd.GeoDataFrame | None = None

    @property
    def objective(self) -> float:
        return self.result.objective

    @property
    def violations(self) -> list[str]:
        """Invariants the plan breaks (checked on every solve; empty for a consistent plan)."""
        return [v for v in str(self.ds.attrs.get("invariant_violations", "")).split("\n") if v]

    def summary(self) -> str:
        """A short text table: status, costs, and one row per open site."""
        from siteplan.summary import summary_text

        return summary_text(self)


def extract_plan(m: pyo.ConcreteModel, p, result: SolveResult) -> Plan:
    """Read the solved model into a :class:`Plan` (the only place that reads Pyomo values)."""
    defer_dask_array_check()
    cat, sc = p.catalog, p.scenario
    S, K, G, T, R, W = p.sites, p.designs, p.rack_types, p.slices, p.regions, p.workloads
    si = {s: i for i, s in enumerate(S)}
    ki = {k: i for i, k in enumerate(K)}
    gi = {g: i for i, g in enumerate(G)}
    ti = {t: i for i, t in enumerate(T)}
    ri = {r: i for i, r in enumerate(R)}
    wi = {w: i for i, w in enumerate(W)}
    w_h = p.weight_h.values
    u = sc.it_utilisation

    open_ = np.zeros(len(S))
    for s, v in _vals(m.open).items():
        open_[si[s]] = round(v)
    design_oh = np.zeros((len(S), len(K)))
    for (s, k), v in _vals(m.design).items():
        design_oh[si[s], ki[k]] = round(v)
    racks = np.zeros((len(S), len(G), len(K)))
    for (s, g, k), v in _vals(m.racks).items():
        racks[si[s], gi[g], ki[k]] = round(v)
    design = np.array([K[int(np.argmax(design_oh[i]))] if design_oh[i].sum() > 0.5 else "" for i in range(len(S))],
                      dtype=object)
    rack_kw = np.array([cat.rack_types[g].rack_kw for g in G])
    gpus_per_rack = np.array([cat.rack_types[g].gpus_per_rack for g in G])
    h100e = gpus_per_rack * np.array([cat.rack_types[g].h100e_per_gpu for g in G])
    it_mw_sk = np.einsum("sgk,g->sk", racks, rack_kw) / 1000.0
    it_mw = it_mw_sk.sum(axis=1)
    pue_skt = p.pue.transpose("site", "cooling", "slice").sel(site=S, cooling=K).values if K else np.zeros((len(S), 0, len(T)))
    wue_skt = p.wue.transpose("site", "cooling", "slice").sel(site=S, cooling=K).values if K else np.zeros((len(S), 0, len(T)))
    facility_mw = u * np.einsum("sk,skt->st", it_mw_sk, pue_skt)
    with np.errstate(invalid="ignore", divide="ignore"):
        pue_st = np.where(it_mw[:, None] > 0, facility_mw / (u * it_mw[:, None]), np.nan)
    water = u * np.einsum("sk,skt,t->s", it_mw_sk, wue_skt, w_h)

    opt = p.options
    O = list(opt.index)
    oi = {o: i for i, o in enumerate(O)}
    connect = np.zeros(len(O))
    contract = np.zeros(len(O))
    upgrade = np.zeros(len(O))
    grid_st = np.zeros((len(S), len(T)))
    B = list(p.dataset.substations.index)
    bi = {b: i for i, b in enumerate(B)}
    sub_load = np.zeros((len(B), len(T)))  # grid imports landing at each substation
    if O:
        for o, v in _vals(m.connect).items():
            connect[oi[o]] = round(v)
        for o, v in _vals(m.contract_mw).items():
            contract[oi[o]] = v
        if hasattr(m, "upgrade_mw"):
            for o, v in _vals(m.upgrade_mw).items():
                upgrade[oi[o]] = v
        contract, upgrade = _clean(contract * connect), _clean(upgrade * connect)
        for (s, b, t), v in _vals(m.grid_import_mw).items():
            grid_st[si[s], ti[t]] += v
            sub_load[bi[b], ti[t]] += v
    chosen = {}
    for o in O:
        if connect[oi[o]] > 0.5:
            chosen[opt.at[o, "site_id"]] = o

    Pg, Pb = p.generators, p.batteries
    units = np.zeros((len(S), len(Pg)))
    gen = np.zeros((len(S), len(Pg), len(T)))
    if Pg:
        for (s, g), v in _vals(m.units).items():
            units[si[s], Pg.index(g)] = round(v)
        for (s, g, t), v in _vals(m.gen_mw).items():
            gen[si[s], Pg.index(g), ti[t]] = v
    bunits = np.zeros((len(S), len(Pb)))
    charge = np.zeros((len(S), len(Pb), len(T)))
    discharge = np.zeros((len(S), len(Pb), len(T)))
    soc = np.zeros((len(S), len(Pb), len(T)))  # 0 in one-slice days: they carry no energy
    if Pb:
        for (s, q), v in _vals(m.battery_units).items():
            bunits[si[s], Pb.index(q)] = round(v)
        for (s, q, t), v in _vals(m.charge_mw).items():
            charge[si[s], Pb.index(q), ti[t]] = v
        for (s, q, t), v in _vals(m.discharge_mw).items():
            discharge[si[s], Pb.index(q), ti[t]] = v
        for (s, q, t), v in _vals(m.battery_soc_mwh).items():
            soc[si[s], Pb.index(q), ti[t]] = v

    served = _scatter((len(S), len(R), len(W)), m.serve, (S, R, W))
    unmet = np.zeros((len(R), len(W)))
    for (r, w), v in _vals(m.unmet).items():
        unmet[ri[r], wi[w]] = v
    demand = p.demand_gpus.loc[R, W].values.astype(float)

    costs = {c: float(linear_value(m.cost[c])) for c in m.COST_CATEGORIES}
    cats = list(costs)
    emis_grid = np.einsum("st,st,t->s", grid_st, p.carbon.loc[S, T].values, w_h) if T else np.zeros(len(S))
    emis_fac = np.array([cat.onsite[g].emissions_t_per_mwh for g in Pg]) if Pg else np.zeros(0)
    emis_onsite = np.einsum("sgt,g,t->s", gen, emis_fac, w_h) if Pg else np.zeros(len(S))

    subs = p.dataset.substations
    connected = pd.Series(0.0, index=B)
    upgraded = pd.Series(0.0, index=B)
    for s, o in chosen.items():
        connected[opt.at[o, "substation_id"]] += contract[oi[o]]
        upgraded[opt.at[o, "substation_id"]] += upgrade[oi[o]]
    cor = p.corridors
    E = list(cor.index)
    # where power flows is not a decision: route each slice's imports, and the contracts, by the
    # least total flow (nothing circulates; see siteplan.flows)
    nodes = p.energy_nodes
    if nodes:
        ni = [bi[b] for b in nodes]
        loads = np.column_stack([sub_load[ni], connected.values[ni]])
        cap_t, sup_t = p.corridor_mw_t.loc[E, T].values, p.supply_mw_t.loc[nodes, T].values
        # the contracts are firm: routed at each element's lowest capacity over the slices
        cap_all = np.column_stack([cap_t, cap_t.min(axis=1, initial=np.inf) if T else cor["capacity_mw"].values])
        sup_all = np.column_stack([sup_t, sup_t.min(axis=1, initial=np.inf) if T else subs.loc[nodes, "supply_mw"].values])
        f_all, sup_all = least_flows(nodes, cor["from_id"].tolist(), cor["to_id"].tolist(), cap_all, sup_all, loads)
    else:
        f_all, sup_all = np.zeros((len(E), len(T) + 1)), np.zeros((0, len(T) + 1))
    flow, peak_flow = f_all[:, :len(T)], f_all[:, len(T)]
    sub_supply = np.zeros((len(B), len(T)))
    peak_supply = np.zeros(len(B))
    if nodes:
        sub_supply[ni] = sup_all[:, :len(T)]
        peak_supply[ni] = sup_all[:, len(T)]

    # firm capacity: nameplate IT x peak share x design-peak PUE, covered by contract + firm on-site
    share = sc.firm_power.peak_it_share
    pue_peak_sk = p.pue_peak.sel(site=S, cooling=K).values if K else np.zeros((len(S), 0))
    peak_mw = share * np.einsum("sk,sk->s", it_mw_sk, pue_peak_sk) if K else np.zeros(len(S))
    unit_g = np.array([cat.onsite[g].unit_mw for g in Pg]) if Pg else np.zeros(0)
    onsite_cap_mw = units @ unit_g if Pg else np.zeros(len(S))
    largest = np.array([unit_g[units[i] > 0.5].max(initial=0.0) for i in range(len(S))]) if Pg else np.zeros(len(S))
    firm_onsite = onsite_cap_mw - (largest if sc.firm_power.redundancy == "n_plus_1" else 0.0)

    ic_sub = np.array([opt.at[chosen[s], "substation_id"] if s in chosen else "" for s in S], dtype=object)
    ic_class = np.array([opt.at[chosen[s], "voltage_class"] if s in chosen else "" for s in S], dtype=object)
    ic_cap = np.array([contract[oi[chosen[s]]] if s in chosen else 0.0 for s in S])
    ic_max = np.array([opt.at[chosen[s], "max_mw"] if s in chosen else 0.0 for s in S])
    ic_up = np.array([upgrade[oi[chosen[s]]] if s in chosen else 0.0 for s in S])
    ic_kv = np.array([opt.at[chosen[s], "voltage_kv"] if s in chosen else 0.0 for s in S])
    ic_km = np.array([opt.at[chosen[s], "line_km"] if s in chosen else 0.0 for s in S])
    ic_capex = np.array([opt.at[chosen[s], "capex_usd"] if s in chosen else 0.0 for s in S])

    sites_gdf = p.dataset.sites.loc[S]
    # gas laterals as the model charged them (a plan that is not cost-optimal, e.g. a near-optimal
    # alternative, may pay for one at a site whose units are 0)
    gas_lateral = np.zeros(len(S))
    if hasattr(m, "gas_lateral"):
        for s_, v in _vals(m.gas_lateral).items():
            gas_lateral[si[s_]] = v
    site_capex, site_opex = _site_costs(p, open_, it_mw, it_mw_sk, racks, chosen, ic_cap, ic_up, gas_lateral, units, bunits, grid_st,
                                        gen, served, water, emis_grid + emis_onsite)
    coords = {"site": S, "cooling": K, "rack_type": G, "slice": T, "region": R, "workload": W,
              "generator": Pg, "battery": Pb, "cost_category": cats, "substation": B, "corridor": E,
              "option": O,
              # the day structure of the slices (siteplan.io.slice_days): batteries cycle within a day
              "day": ("slice", np.array([p.slice_day[t] for t in T], dtype=str),
                      {"description": "representative day the slice belongs to"}),
              "order_in_day": ("slice", np.array([p.slice_order[t] for t in T], dtype=np.int32),
                               {"description": "position of the slice in its day (0-based)"}),
              "duration_h": ("slice", np.array([p.duration_h[t] for t in T], dtype=float),
                             {"units": "h", "description": "hours the slice lasts in one occurrence of its day"})}

    def da(values, dims, units, desc):
        return xr.DataArray(values, dims=dims, attrs={"units": units, "description": desc})

    data = {
        "open": da(open_.astype(np.int8), ("site",), "1", "site is developed"),
        "design": da(design.astype(str), ("site",), "", "cooling design ('' if closed)"),
        "design_chosen": da(design_oh.astype(np.int8), ("site", "cooling"), "1", "design one-hot"),
        "racks": da(_clean(racks), ("site", "rack_type", "cooling"), "racks", "racks installed"),
        "gpus": da(np.einsum("sgk,g->sg", racks, gpus_per_rack), ("site", "rack_type"), "GPUs", "GPUs installed"),
        "compute_h100e": da(np.einsum("sgk,g->s", racks, h100e), ("site",), "H100e", "installed compute"),
        "it_mw": da(_clean(it_mw), ("site",), "MW", "nameplate critical IT power"),
        "facility_mw": da(_clean(facility_mw), ("site", "slice"), "MW", "facility power drawn"),
        "pue": da(pue_st, ("site", "slice"), "1", "effective PUE of the open site (NaN if closed)"),
        "pue_by_design": da(pue_skt, ("site", "cooling", "slice"), "1", "PUE of each design at the site"),
        "grid_import_mw": da(_clean(grid_st), ("site", "slice"), "MW", "grid import"),
        "interconnect_substation": da(ic_sub.astype(str), ("site",), "", "substation connected to"),
        "interconnect_class": da(ic_class.astype(str), ("site",), "", "interconnect voltage class"),
        "interconnect_contracted_mw": da(ic_cap, ("site",), "MW", "grid capacity contracted (firm)"),
        "interconnect_max_mw": da(ic_max, ("site",), "MW", "most the chosen connection can carry at this site"),
        "interconnect_upgrade_mw": da(ic_up, ("site",), "MW",
                                      "contracted MW beyond the substation's headroom (network upgrades)"),
        "peak_facility_mw": da(_clean(peak_mw), ("site",), "MW",
                               "capacity need: nameplate IT x peak IT share x design-peak PUE"),
        "onsite_firm_mw": da(_clean(np.maximum(firm_onsite, 0.0)), ("site",), "MW",
                             "on-site generator MW counted as firm (less the largest unit under N+1)"),
        "interconnect_voltage_kv": da(ic_kv, ("site",), "kV", "interconnect voltage"),
        "interconnect_line_km": da(ic_km, ("site",), "km", "interconnect line length"),
        "interconnect_capex_usd": da(ic_capex, ("site",), "USD", "interconnect capex (not annualised)"),
        "option_built": da(connect.astype(np.int8), ("option",), "1", "interconnect option built"),
        "option_contracted_mw": da(contract, ("option",), "MW", "MW contracted through the option"),
        "option_upgrade_mw": da(upgrade, ("option",), "MW", "MW of the option beyond the substation's headroom"),
        "onsite_units": da(units, ("site", "generator"), "units", "on-site generator units"),
        "onsite_mw": da(_clean(gen), ("site", "generator", "slice"), "MW", "on-site generation"),
        "battery_units": da(bunits, ("site", "battery"), "units", "battery units"),
        "battery_charge_mw": da(_clean(charge), ("site", "battery", "slice"), "MW", "battery charging"),
        "battery_discharge_mw": da(_clean(discharge), ("site", "battery", "slice"), "MW", "battery discharging"),
        "battery_soc_mwh": da(_clean(soc), ("site", "battery", "slice"), "MWh",
                              "battery state of charge at the end of the slice, cyclic within its representative "
                              "day (0 in one-slice days, which carry no energy)"),
        "served_h100e": da(_clean(served), ("site", "region", "workload"), "H100e", "compute served"),
        "unmet_h100e": da(_clean(unmet), ("region", "workload"), "H100e", "unmet demand"),
        "demand_h100e": da(demand, ("region", "workload"), "H100e", "demand (scaled)"),
        "rtt_ms": da(p.rtt_ms.loc[S, R].values.astype(float), ("site", "region"), "ms", "round-trip time"),
        "max_rtt_ms": da(p.max_rtt_ms.loc[R, W].values.astype(float), ("region", "workload"), "ms", "RTT limit"),
        "water_m3_per_yr": da(_clean(water), ("site",), "m3/yr", "site water use"),
        "emissions_t_per_yr": da(_clean(emis_grid + emis_onsite), ("site",), "t CO2/yr", "site emissions"),
        "cost_usd_per_yr": da(np.array([costs[c] for c in cats]), ("cost_category",), "USD/yr", "annual cost"),
        "site_capex_usd_per_yr": da(site_capex, ("site",), "USD/yr", "annualised capex of the site (land, fixed, "
                                    "fiber lateral, facility, cooling, IT, interconnect, on-site plant)"),
        "site_opex_usd_per_yr": da(site_opex, ("site",), "USD/yr", "operating cost of the site (grid energy, "
                                   "fuel and O&M, carbon, water, serving)"),
        "weight_h": da(w_h, ("slice",), "h", "hours per year the slice stands for"),
        "headroom_mw": da(subs["headroom_mw"].values.astype(float), ("substation",), "MW", "substation headroom"),
        "connected_mw": da(connected.values, ("substation",), "MW", "contracted MW landing here"),
        "upgrade_mw": da(upgraded.values, ("substation",), "MW", "contracted MW here beyond the headroom"),
        "corridor_capacity_mw": da(cor["capacity_mw"].values.astype(float) if E else np.zeros(0), ("corridor",),
                                   "MW", "corridor spare capacity"),
        "corridor_flow_mw": da(_clean(flow), ("corridor", "slice"), "MW",
                               "corridor flow from_id->to_id (least total flow delivering the slice's imports)"),
        "corridor_peak_flow_mw": da(_clean(peak_flow), ("corridor",), "MW",
                                    "corridor flow delivering every contract at once (least total flow)"),
        "substation_peak_supply_mw": da(_clean(peak_supply), ("substation",), "MW",
                                        "power injected to deliver every contract at once"),
        "corridor_capacity_by_slice_mw": da(p.corridor_mw_t.loc[E, T].values if E else np.zeros((0, len(T))),
                                            ("corridor", "slice"), "MW",
                                            "corridor capacity in the slice (capacity_mw x corridor_rating_factor)"),
        "supply_limit_by_slice_mw": da(p.supply_mw_t.loc[B, T].values, ("substation", "slice"), "MW",
                                       "supply in the slice (supply_mw x supply_factor)"),
        "supply_limit_mw": da(subs["supply_mw"].values.astype(float), ("substation",), "MW",
                              "power the substation can inject (dataset supply_mw)"),
        "substation_supply_mw": da(_clean(sub_supply), ("substation", "slice"), "MW", "power injected"),
        "substation_load_mw": da(_clean(sub_load), ("substation", "slice"), "MW",
                                 "grid imports of the sites connected here"),
    }
    data.update(_limit_values(result.duals, S, B, E, design, [chosen.get(s, "") for s in S]))
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(_duals_attrs(result))
    ds.attrs.update({
        "scenario": sc.name, "termination": result.termination.value, "objective_usd_per_yr": result.objective,
        "best_bound_usd_per_yr": result.best_bound, "mip_gap": result.gap, "it_utilisation": u,
        "decision_gap": result.decision_gap, "unavoidable_usd_per_yr": result.unavoidable_usd_per_yr,
        "build_s": result.timings.build_s, "handoff_s": result.timings.handoff_s, "solve_s": result.timings.solve_s,
        # what preparation changed or found (one per line; NetCDF-safe string)
        "notes": "\n".join(list(p.notes) + _duals_notes(result)),
        "objective": sc.objective,
    })
    if sc.objective == "max_profit":
        ds.attrs["gpu_hour_price_usd"] = sc.gpu_hour_price_usd

    site_tab = gpd.GeoDataFrame({
        "site_id": S, "name": sites_gdf["name"].fillna("").values if "name" in sites_gdf else [""] * len(S),
        "zone": sites_gdf["zone"].values, "max_it_mw": sites_gdf["max_it_mw"].values,
        "open": open_.astype(bool), "design": design.astype(str), "it_mw": _clean(it_mw),
        "compute_h100e": ds["compute_h100e"].values, "gpus": ds["gpus"].sum("rack_type").values,
        "peak_facility_mw": _clean(peak_mw),
        "pue_min": np.nanmin(np.where(open_[:, None] > 0, pue_st, np.inf), axis=1, initial=np.inf),
        "pue_max": np.nanmax(np.where(open_[:, None] > 0, pue_st, -np.inf), axis=1, initial=-np.inf),
        "substation_id": ic_sub.astype(str), "interconnect_class": ic_class.astype(str),
        "interconnect_mw": ic_cap, "upgrade_mw": ic_up, "onsite_mw": onsite_cap_mw,
        "onsite_firm_mw": np.maximum(firm_onsite, 0.0),
        "battery_mw": bunits @ np.array([cat.onsite[q].unit_mw for q in Pb]) if Pb else 0.0,
        "water_m3_per_yr": _clean(water), "emissions_t_per_yr": _clean(emis_grid + emis_onsite),
        "station": p.station.loc[S].values,
        "capex_usd_per_yr": site_capex, "opex_usd_per_yr": site_opex, "cost_usd_per_yr": site_capex + site_opex,
    }, geometry=sites_gdf.geometry.values, crs="EPSG:4326")
    for c in ("pue_min", "pue_max"):
        site_tab.loc[~np.isfinite(site_tab[c]), c] = np.nan
    for g in G:
        site_tab[f"racks_{g}"] = racks[:, gi[g], :].sum(axis=1)
    site_tab = _describe_sites(site_tab, sites_gdf, subs, cat, Pg, Pb, units, bunits, gen, grid_st, w_h, served,
                    ic_km, ic_kv, ic_max, ic_class)
    site_tab["limited_by"] = site_limits(site_tab, ic_max, p.onsite_max_mw.loc[S].values,
                                         min((cat.onsite[g].unit_mw for g in Pg), default=np.inf))

    ic_rows, ic_geom = [], []
    for s, o in sorted(chosen.items()):
        b = opt.at[o, "substation_id"]
        sp = sites_gdf.geometry.loc[s]
        bp = subs.geometry.loc[b]
        ic_rows.append({"site_id": s, "substation_id": b, "option_id": o, "voltage_class": opt.at[o, "voltage_class"],
                        "voltage_kv": float(opt.at[o, "voltage_kv"]), "contracted_mw": float(contract[oi[o]]),
                        "max_mw": float(opt.at[o, "max_mw"]), "upgrade_mw": float(upgrade[oi[o]]),
                        "line_km": float(opt.at[o, "line_km"]), "capex_usd": float(opt.at[o, "capex_usd"]),
                        "peak_import_mw": float(grid_st[si[s]].max()) if T else 0.0})
        ic_geom.append(LineString([(sp.x, sp.y), (bp.x, bp.y)]))
    ic_cols = ["site_id", "substation_id", "option_id", "voltage_class", "voltage_kv", "contracted_mw", "max_mw",
               "upgrade_mw", "line_km", "capex_usd", "peak_import_mw"]
    interconnects = gpd.GeoDataFrame(pd.DataFrame(ic_rows, columns=ic_cols), geometry=ic_geom, crs="EPSG:4326")

    dem = p.dataset.demand.loc[R]
    ii, jj, kk = np.nonzero(served > EPS)  # only the served triples, in (site, region, workload) order
    sx, sy = sites_gdf.geometry.x.values, sites_gdf.geometry.y.values
    rx, ry = dem.geometry.x.values, dem.geometry.y.values
    assignments = gpd.GeoDataFrame(
        {"site_id": np.asarray(S, dtype=object)[ii], "region_id": np.asarray(R, dtype=object)[jj],
         "workload": np.asarray(W, dtype=object)[kk], "served_h100e": served[ii, jj, kk],
         "rtt_ms": p.rtt_ms.loc[S, R].values[ii, jj].astype(float),
         "max_rtt_ms": p.max_rtt_ms.loc[R, W].values[jj, kk].astype(float)},
        geometry=[LineString([(sx[i], sy[i]), (rx[j], ry[j])]) for i, j in zip(ii, jj)], crs="EPSG:4326")

    sub_tab = gpd.GeoDataFrame({
        "substation_id": B,
        "name": subs["name"].fillna("").astype(str).values if "name" in subs else [""] * len(B),
        "voltage_kv": subs["voltage_kv"].values, "zone": subs["zone"].values,
        "headroom_mw": subs["headroom_mw"].values, "supply_mw": subs["supply_mw"].values,
        "connected_mw": connected.values, "upgrade_mw": upgraded.values,
        "remaining_headroom_mw": np.maximum(subs["headroom_mw"].values - (connected.values - upgraded.values), 0.0),
    }, geometry=subs.geometry.values, crs="EPSG:4326")
    dem_tab = gpd.GeoDataFrame({"region_id": R, "name": dem["name"].fillna("").values if "name" in dem else [""] * len(R)},
                               geometry=dem.geometry.values, crs="EPSG:4326")
    for k, w in enumerate(W):
        dem_tab[f"{w}_demand_h100e"] = demand[:, k]
        dem_tab[f"{w}_served_h100e"] = served[:, :, k].sum(axis=0)
        dem_tab[f"{w}_unmet_h100e"] = _clean(unmet[:, k])
    fib = p.dataset.fiber
    lengths = {(d["link_id"] if "link_id" in d else None): d["length_km"]
               for _, _, d in p.fgraph.edges(data=True)}
    routes, link_served = _routes(p, S, R, served.sum(axis=2), sites_gdf, dem)
    fiber_tab = gpd.GeoDataFrame({
        "link_id": list(fib.index), "from_id": fib["from_id"].values if len(fib) else [],
        "to_id": fib["to_id"].values if len(fib) else [],
        "length_km": [float(lengths.get(i, np.nan)) for i in fib.index],
        "used": [link_served.get(i, 0.0) > 0 for i in fib.index],
        "served_h100e": [float(link_served.get(i, 0.0)) for i in fib.index],
    }, geometry=fib.geometry.values, crs="EPSG:4326")
    cor_tab = _corridor_table(cor, ds)
    plan = Plan(result, ds, site_tab, interconnects, assignments, sub_tab, dem_tab, fiber_tab, routes,
                corridors=cor_tab)
    _name_connection_limits(plan)
    return plan


def _name_connection_limits(plan: Plan) -> None:
    """Name the one limit on each grid connection in the site table's words (sites.csv, the GeoPackage,
    the maps): 'at most 195.2 MW on this connection: the substation's headroom', in place of 'its
    class's limit or the substation's headroom' (:func:`siteplan.summary.connection_limits`)."""
    from siteplan.summary import connection_limits, interconnect_text, limited_by_text

    limits = connection_limits(plan)
    if not limits:
        return
    st = plan.sites
    st["interconnect"] = [interconnect_text(r, limits) for _, r in st.iterrows()]
    if "limited_by" in st:
        st["limited_by"] = [limited_by_text(r, limits) if isinstance(r.get("limited_by"), str) else r["limited_by"]
                            for _, r in st.iterrows()]


LIMIT_TOL_MW = 0.05  # a quantity this close to its limit is at it (the solver's tolerances are ~1e-6 relative)
LIMIT_TOL_SHARE = 1e-3  # or this share of it: less than a whole rack's step is left (~0.15 MW of a 240 MW connection)


def site_limits(tab, option_max_mw, onsite_cap_mw, smallest_unit_mw: float) -> list[str]:
    """What caps each open site's size, in words: the site's own IT limit, its grid connection at the
    most it may carry (its class's limit or the substation's headroom), on-site plant at the site's cap
    (no further unit fits); '' where none is at its limit (the site is sized by the demand it serves and cost).

    The fixed-integer LP's duals price none of these when the plan's racks are held (one more MW of
    connection is worth nothing to a plan that cannot add racks); this is the quantity side.
    """
    open_ = tab["open"].astype(bool).to_numpy()
    it, mx = tab["it_mw"].to_numpy(float), tab["max_it_mw"].to_numpy(float)
    ic, om = tab["interconnect_mw"].to_numpy(float), np.asarray(option_max_mw, dtype=float)
    on, cap = tab["onsite_mw"].to_numpy(float), np.asarray(onsite_cap_mw, dtype=float)
    with np.errstate(invalid="ignore"):
        reasons = [
            (np.isfinite(mx) & (it >= mx - np.maximum(LIMIT_TOL_MW, LIMIT_TOL_SHARE * mx)),
             [f"site's IT limit ({v:,.0f} MW)" for v in mx]),
            (np.isfinite(om) & (om > 0) & (ic >= om - np.maximum(LIMIT_TOL_MW, LIMIT_TOL_SHARE * om)),
             [f"grid connection at its most ({v:,.1f} MW)" for v in om]),
            (np.isfinite(cap) & (on > 0) & (on + smallest_unit_mw > cap + LIMIT_TOL_MW),
             [f"on-site plant at the site's cap ({v:,.0f} MW)" for v in cap]),
        ]
    return ["; ".join(text[i] for hit, text in reasons if hit[i]) if open_[i] else "" for i in range(len(tab))]


def interconnect_words(kv: float, km: float, substation: str, contracted_mw: float, max_mw: float,
                       upgrade_mw: float = 0.0) -> str:
    """An interconnect in words: '230 kV line, 12.3 km to O Donnell 1: 150.0 MW contracted (at most 400.0 MW
    on this connection: ...)'.

    Parameters
    ----------
    kv, km : float
        Voltage and line length of the chosen connection.
    substation : str
        Name (or id) of the substation connected to; empty for no interconnect.
    contracted_mw, max_mw, upgrade_mw : float
        MW contracted, the most the connection may carry (the smaller of its class's limit and, without
        upgrades, the substation's headroom), and MW beyond the substation's headroom.

    Returns
    -------
    str
        'none (off-grid)' when ``substation`` is empty.
    """
    if not substation:
        return "none (off-grid)"
    text = (f"{kv:g} kV line, {km:,.1f} km to {substation}: {contracted_mw:,.1f} MW contracted "
            f"(at most {max_mw:,.1f} MW on this connection: its class's limit or the substation's headroom)")
    if upgrade_mw > EPS:
        text += f", {upgrade_mw:,.1f} MW of it through network upgrades"
    return text


def _describe_sites(tab, sites_gdf, subs, cat, Pg, Pb, units, bunits, gen, grid_st, w_h, served,
                    ic_km, ic_kv, ic_max, ic_class) -> gpd.GeoDataFrame:
    """The site table with the columns a person reads: the place name, the interconnect in words,
    the on-site plant and batteries, the energy by source and the cost per H100e-hour; the columns
    a reader looks for first come first."""
    names = sites_gdf["name"].fillna("").astype(str).values if "name" in sites_gdf else [""] * len(tab)
    tab.insert(1, "place", place_names(names, tab["site_id"]))
    if "name" in tab:
        tab["name"] = [display_name(n) for n in tab["name"].fillna("").astype(str)]
    sub_name = subs["name"].fillna("").astype(str) if "name" in subs else None
    sid = tab["substation_id"].astype(str).values
    sname = [(sub_name.get(b, "") or b) if (b and sub_name is not None) else b for b in sid]
    tab["substation_name"] = sname
    tab["interconnect_kv"] = ic_kv.astype(float)
    tab["interconnect_km"] = ic_km.astype(float)
    tab["interconnect"] = [interconnect_words(kv, km, n, c, mx, up) if o else "" for kv, km, n, c, mx, up, o in
                           zip(ic_kv, ic_km, sname, tab["interconnect_mw"], ic_max, tab["upgrade_mw"], tab["open"])]
    plant = [[] for _ in range(len(tab))]
    for j, g in enumerate(Pg):
        tab[f"units_{g}"] = units[:, j].astype(float)
        for i in np.nonzero(units[:, j] > 0.5)[0]:
            n, mw = int(units[i, j]), cat.onsite[g].unit_mw
            plant[i].append(f"{n} × {mw:g} MW {plant_name(g, n)} = {n * mw:,.1f} MW")
    tab["onsite_plant"] = ["; ".join(p) for p in plant]
    unit_mwh = np.array([cat.onsite[q].unit_mwh or 0.0 for q in Pb]) if Pb else np.zeros(0)
    tab["battery_mwh"] = bunits @ unit_mwh if Pb else 0.0
    grid_mwh = grid_st @ w_h if len(w_h) else np.zeros(len(tab))
    onsite_mwh = np.einsum("sgt,t->s", gen, w_h) if Pg and len(w_h) else np.zeros(len(tab))
    tab["grid_mwh_per_yr"] = _clean(grid_mwh)
    tab["onsite_mwh_per_yr"] = _clean(onsite_mwh)
    total = grid_mwh + onsite_mwh
    with np.errstate(invalid="ignore", divide="ignore"):
        tab["grid_share"] = np.where(total > EPS, grid_mwh / np.where(total > EPS, total, 1.0), np.nan)
    power = []
    for i in range(len(tab)):
        if not tab["open"].iat[i]:
            power.append("")
            continue
        has_grid, has_gen = bool(sid[i]), bool(tab["onsite_mw"].iat[i] > EPS)
        text = "grid + on-site plant" if has_grid and has_gen else "grid" if has_grid else \
            "on-site plant (off-grid)" if has_gen else "none"
        if tab["battery_mw"].iat[i] > EPS:
            text += " + battery"
        power.append(text)
    tab["power_supply"] = power
    hours = float(np.sum(w_h))
    srv = served.sum(axis=(1, 2))
    tab["served_h100e"] = _clean(srv)
    with np.errstate(invalid="ignore", divide="ignore"):
        tab["cost_usd_per_h100e_hour"] = np.where(srv > EPS, tab["cost_usd_per_yr"].values
                                                  / (np.where(srv > EPS, srv, 1.0) * hours), np.nan)
    if "water_limit_m3_per_yr" in sites_gdf:
        tab["water_limit_m3_per_yr"] = sites_gdf["water_limit_m3_per_yr"].astype(float).values
    else:
        tab["water_limit_m3_per_yr"] = np.nan
    # what a reader looks for first, then the detail; racks and units by type, geometry last
    first = ["site_id", "place", "name", "zone", "open", "design", "it_mw", "max_it_mw", "compute_h100e", "gpus",
             "served_h100e", "power_supply", "grid_share", "interconnect", "substation_id", "substation_name",
             "interconnect_class", "interconnect_kv", "interconnect_km", "interconnect_mw", "upgrade_mw",
             "onsite_plant", "onsite_mw", "onsite_firm_mw"]
    first += [c for c in tab.columns if c.startswith("units_")]
    first += ["battery_mw", "battery_mwh", "grid_mwh_per_yr", "onsite_mwh_per_yr", "peak_facility_mw", "pue_min",
              "pue_max", "water_m3_per_yr", "water_limit_m3_per_yr", "emissions_t_per_yr", "station",
              "capex_usd_per_yr", "opex_usd_per_yr", "cost_usd_per_yr", "cost_usd_per_h100e_hour"]
    rest = [c for c in tab.columns if c not in first and c != "geometry"]
    order = [c for c in first if c in tab.columns] + rest + ["geometry"]
    return tab[order]


def _corridor_table(cor, ds: xr.Dataset) -> gpd.GeoDataFrame:
    """The corridors of the energy graph with capacity, flows and the value of capacity (from ``ds``)."""
    E = list(cor.index)
    geom = cor.geometry.values if len(cor) and hasattr(cor, "geometry") else []
    flow = np.abs(ds["corridor_flow_mw"].values.astype(float)) if E else np.zeros((0, 0))
    busy = np.where((ds["weight_h"].values > 0)[None, :], flow, 0.0) if flow.size else np.zeros((len(E), 0))
    value = ds["value_corridor_usd_per_mw_yr"].values.astype(float) if "value_corridor_usd_per_mw_yr" in ds \
        else np.full(len(E), np.nan)
    tab = pd.DataFrame({
        "corridor_id": [str(e) for e in E],
        "from_id": cor["from_id"].astype(str).values if E else [],
        "to_id": cor["to_id"].astype(str).values if E else [],
        "voltage_kv": cor["voltage_kv"].astype(float).values if E and "voltage_kv" in cor else np.full(len(E), np.nan),
        "capacity_mw": ds["corridor_capacity_mw"].values.astype(float),
        "peak_flow_mw": np.abs(ds["corridor_peak_flow_mw"].values.astype(float)),
        "max_slice_flow_mw": busy.max(axis=1) if busy.size else np.zeros(len(E)),
        "value_usd_per_mw_yr": value,
    })
    return gpd.GeoDataFrame(tab, geometry=list(geom), crs="EPSG:4326")


VALUE_ATTRS = {  # variable -> (dims, unit, description); the values of limits from the fixed-integer LP
    "value_headroom_usd_per_mw_yr": (("substation",), "USD/yr per MW", "substation headroom"),
    "value_corridor_usd_per_mw_yr": (("corridor",), "USD/yr per MW",
                                     "corridor capacity, in both directions, for delivering every contract at once"),
    "value_supply_usd_per_mw_yr": (("substation",), "USD/yr per MW",
                                   "substation supply_mw, for delivering every contract at once"),
    "value_interconnect_usd_per_mw_yr": (("site",), "USD/yr per MW",
                                         "max_mw of the site's built connection (its voltage class)"),
    "value_site_mw_usd_per_mw_yr": (("site",), "USD/yr per MW", "site max_it_mw (chosen design)"),
    "value_site_water_usd_per_m3": (("site",), "USD/yr per m3/yr", "site water_limit_m3_per_yr"),
    "value_water_cap_usd_per_m3": ((), "USD/yr per m3/yr", "the scenario's total water cap"),
    "value_carbon_cap_usd_per_t": ((), "USD/yr per t CO2/yr", "the scenario's carbon cap"),
    "value_max_sites_usd_per_site_yr": ((), "USD/yr per site", "the scenario's max_sites"),
}
_VALUE_NOTE = ("value of relaxing the limit by one unit, from the duals of the LP with every integer decision "
               "(sites, designs, racks, interconnects, on-site units) fixed at the plan's values (siteplan.duals); "
               "0 = does not bind; NaN = not priced by that LP (every term of the row is an integer decision, or "
               "the limit does not apply here, or the LP was not solved; see the attribute 'duals_status')")

def _limit_values(duals, S: list, B: list, E: list, design, ic_opt) -> dict:
    """The values of the limits (:data:`siteplan.duals.LIMITS`) as DataArrays over the Plan's dims.

    Members without a row (a headroom that cannot bind is not generated) are 0; sites without an
    interconnect or a design, and everything when there are no duals, are NaN.
    """
    nan = np.nan

    def val(name):
        return duals.value(name) if duals is not None else {}

    def vec(index, values, default):
        return np.array([values.get(k, default) for k in index], dtype=float)

    ok = duals is not None and duals.ok
    miss = 0.0 if ok else nan  # a member with no row / bound: the limit cannot bind there
    contract = val("interconnect capacity")  # {option: value}; the site's built option
    it_max, site_water = val("site max IT MW"), val("site water cap")
    values = {
        "value_headroom_usd_per_mw_yr": vec(B, val("substation headroom"), miss),
        "value_corridor_usd_per_mw_yr": vec(E, val("corridor capacity"), miss),
        "value_supply_usd_per_mw_yr": vec(B, val("supply"), miss),
        "value_interconnect_usd_per_mw_yr": np.array([contract.get(o, nan) if o else nan for o in ic_opt], dtype=float),
        "value_site_mw_usd_per_mw_yr": np.array([it_max.get((s, k), nan) if k else nan
                                                 for s, k in zip(S, design)], dtype=float),
        "value_site_water_usd_per_m3": vec(S, site_water, miss),
    }
    for name, lim in (("value_water_cap_usd_per_m3", "total water cap"), ("value_carbon_cap_usd_per_t", "carbon cap"),
                      ("value_max_sites_usd_per_site_yr", "max sites")):
        values[name] = np.array(val(lim).get(None, nan), dtype=float)  # a scalar; NaN: no such cap
    out = {}
    for name, v in values.items():
        dims, unit, what = VALUE_ATTRS[name]
        desc = f"{what}: {_VALUE_NOTE}"
        out[name] = xr.DataArray(v, dims=dims, attrs={"units": unit, "description": desc})
    return out


def _duals_attrs(result: SolveResult) -> dict:
    d = result.duals
    if d is None:
        return {"duals_status": "not computed", "duals_s": 0.0}
    return {"duals_status": d.status, "duals_s": float(result.timings.duals_s),
            "duals_objective_usd_per_yr": float(d.objective)}


def _duals_notes(result: SolveResult) -> list[str]:
    d = result.duals
    if d is None or d.ok:
        return []
    return [f"no values of limits (the LP with the integer decisions fixed: {d.status})"]


def _routes(p, S: list, R: list, served_sr: np.ndarray, sites_gdf, dem) -> tuple[gpd.GeoDataFrame, dict]:
    """The fiber path of every served (site, region) pair and the compute each link carries.

    The path is the one the RTT was computed on: lateral to the site's PoP, the shortest fiber path
    (by route km) to the region's PoP, lateral to the region; or, where it is shorter, a direct
    metro/regional path (a straight line, ``rtt_source`` "metro", no backbone links). A pair whose RTT
    came from ``latency.csv`` still gets its path (``rtt_source`` says which RTT the model used).
    """
    import networkx as nx

    g = p.fgraph
    fib = p.dataset.fiber
    explicit = set(p.dataset.latency.index) if p.dataset.latency is not None else set()
    pops = p.dataset.pops
    rows, geoms, link_served = [], [], {}
    ii, jj = np.nonzero(served_sr > EPS)
    # every per-pair lookup from arrays read once (a pandas .loc/.at per pair cost ~0.1 s at 1,000 pairs)
    sx, sy = sites_gdf.geometry.x.to_numpy(), sites_gdf.geometry.y.to_numpy()
    rx, ry = dem.geometry.x.to_numpy(), dem.geometry.y.to_numpy()
    rtt = p.rtt_ms.loc[S, R].to_numpy()
    direct_sr = p.direct_km.loc[S, R].to_numpy() if p.direct_km is not None else None
    site_pop, site_lat = p.site_pop.loc[S, "pop_id"].tolist(), p.site_pop.loc[S, "lateral_km"].tolist()
    region_pop, region_lat = p.region_pop.loc[R, "pop_id"].tolist(), p.region_pop.loc[R, "lateral_km"].tolist()
    pop_xy = dict(zip(pops.index, zip(pops.geometry.x.tolist(), pops.geometry.y.tolist())))
    link_coords, link_from = {}, fib["from_id"].to_dict() if len(fib) else {}
    paths: dict = {}
    for i, j in zip(ii.tolist(), jj.tolist()):
        s, r = S[i], R[j]
        spx, spy, rpx, rpy = float(sx[i]), float(sy[i]), float(rx[j]), float(ry[j])
        direct = direct_sr[i, j] if direct_sr is not None else np.nan
        if np.isfinite(direct):  # a metro/regional path, not the backbone
            geoms.append(LineString([(spx, spy), (rpx, rpy)]))
            rows.append({"site_id": s, "region_id": r, "served_h100e": float(served_sr[i, j]), "route_km": float(direct),
                         "rtt_ms": float(rtt[i, j]), "fiber_links": "",
                         "rtt_source": "latency.csv" if (s, r) in explicit else "metro"})
            continue
        a, b = site_pop[i], region_pop[j]
        if a not in paths:
            paths[a] = nx.single_source_dijkstra_path(g, a, weight="length_km")
        nodes = paths[a].get(b)
        coords = [(spx, spy)]
        links = []
        backbone_km = 0.0
        if nodes is None:  # only an explicit latency.csv RTT connects them
            coords.append((rpx, rpy))
        else:
            coords.append(pop_xy[a])
            for u, v in zip(nodes[:-1], nodes[1:]):
                edge = g[u][v]
                lid = edge["link_id"]
                links.append(lid)
                backbone_km += float(edge["length_km"])
                link_served[lid] = link_served.get(lid, 0.0) + float(served_sr[i, j])
                if lid not in link_coords:
                    geom = fib.geometry.loc[lid]
                    link_coords[lid] = list(geom.coords) if geom.geom_type == "LineString" else \
                        [xy for part_ in geom.geoms for xy in part_.coords]
                part = link_coords[lid]
                if link_from[lid] != u:
                    part = part[::-1]
                coords.extend(part)
            coords += [pop_xy[b], (rpx, rpy)]
        dedup = [xy for k, xy in enumerate(coords) if k == 0 or xy != coords[k - 1]]
        if len(dedup) < 2:
            dedup = dedup * 2  # site, PoPs and region at one point
        geoms.append(LineString(dedup))
        rows.append({"site_id": s, "region_id": r, "served_h100e": float(served_sr[i, j]),
                     "route_km": float(site_lat[i] + backbone_km + region_lat[j]) if nodes is not None else float("nan"),
                     "rtt_ms": float(rtt[i, j]), "fiber_links": ",".join(links),
                     "rtt_source": "latency.csv" if (s, r) in explicit else "fiber"})
    cols = ["site_id", "region_id", "served_h100e", "route_km", "rtt_ms", "fiber_links", "rtt_source"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=geoms, crs="EPSG:4326"), link_served


def _site_costs(p, open_, it_mw, it_mw_sk, racks, chosen, contract_mw, upgrade_mw, gas_lateral, units, bunits, grid_st, gen, served, water,
                emissions):
    """Annual cost per site from the decisions, with the model's annualisation.

    Their sum plus the unmet-demand penalty equals the objective (checked by the invariants).
    """
    cat, sc = p.catalog, p.scenario
    r = cat.economics.discount_rate
    sites = p.dataset.sites.loc[p.sites]
    capex = open_ * (sites["land_cost_usd"].values * crf(r, cat.economics.land_lifetime_yr)
                     + sites["fixed_cost_usd"].values * crf(r, cat.facility.lifetime_yr)
                     + p.site_pop.loc[p.sites, "lateral_km"].values * cat.network.fiber_lateral_cost_usd_per_km
                     * crf(r, cat.network.lateral_lifetime_yr))
    capex = capex + it_mw * cat.facility.capex_usd_per_mw_it * crf(r, cat.facility.lifetime_yr)
    if p.designs:
        cool = np.array([cat.cooling_designs[k].capex_usd_per_mw_it * crf(r, cat.cooling_designs[k].lifetime_yr)
                         for k in p.designs])
        capex = capex + it_mw_sk @ cool
    rack = np.array([cat.rack_types[g].capex_usd_per_rack * crf(r, cat.rack_types[g].lifetime_yr)
                     for g in p.rack_types])
    capex = capex + np.einsum("sgk,g->s", racks, rack)
    opt = p.options
    opex_contract = np.zeros(len(p.sites))
    for i, s in enumerate(p.sites):
        if s in chosen:
            o = chosen[s]
            capex[i] += opt.at[o, "capex_usd"] * crf(r, opt.at[o, "lifetime_yr"])
            capex[i] += upgrade_mw[i] * opt.at[o, "upgrade_cost_usd_per_mw"] * crf(r, opt.at[o, "lifetime_yr"])
            opex_contract[i] = contract_mw[i] * opt.at[o, "contract_cost_usd_per_mw_yr"]
    w = p.weight_h.values
    opex = np.einsum("st,st,t->s", grid_st, p.price.loc[p.sites, p.slices].values, w) if p.slices else 0 * capex
    gas_price = p.gas_price.loc[p.sites].values
    for j, g in enumerate(p.generators):
        c = cat.onsite[g]
        capex = capex + units[:, j] * c.unit_mw * (c.capex_usd_per_mw * crf(r, c.lifetime_yr)
                                                  + 1000.0 * c.fixed_om_usd_per_kw_yr)
        fuel = gas_price if c.fuel_price_usd_per_mmbtu is None else c.fuel_price_usd_per_mmbtu
        opex = opex + gen[:, j, :] @ w * (c.heat_rate_mmbtu_per_mwh * fuel + c.vom_usd_per_mwh)
    if gas_lateral.any() and cat.gas_supply is not None:
        gs = cat.gas_supply
        capex = capex + gas_lateral * (gs.tap_cost_usd + gs.lateral_km * gs.lateral_cost_usd_per_km) * crf(r, gs.lifetime_yr)
    for j, q in enumerate(p.batteries):
        c = cat.onsite[q]
        capex = capex + bunits[:, j] * c.unit_mw * c.capex_usd_per_mw * crf(r, c.lifetime_yr)
    opex = opex + opex_contract + sc.carbon.price_usd_per_t * emissions + sc.water.price_usd_per_m3 * water
    if len(p.serving_cost):
        cost_sr = p.serving_cost.unstack("region_id").reindex(index=p.sites, columns=p.regions).fillna(0.0)
        opex = opex + (cost_sr.values * served.sum(axis=2)).sum(axis=1)  # pairs not listed cost nothing
    return capex, opex
