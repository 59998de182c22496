"""The Plan's power: grid connections, on-site plant and batteries and their dispatch, firm capacity,
and where the grid imports flow over the energy graph (corridors and substations)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry import LineString

from siteplan.solve.flows import least_flows
from siteplan.results.plan_read import clean, index_of, scatter, vals
from siteplan.results.plan_read import data_array as da


@dataclass
class GridUse:
    """The interconnect options built and what flows through them."""

    O: list  # option ids
    oi: dict  # option -> position
    connect: np.ndarray  # (option,) 0/1
    contract: np.ndarray  # (option,) MW contracted
    upgrade: np.ndarray  # (option,) MW beyond the substation's headroom
    grid_st: np.ndarray  # (site, slice) grid import MW
    B: list  # substation ids
    sub_load: np.ndarray  # (substation, slice) grid imports landing at each substation
    chosen: dict  # site -> its built option


def read_grid(m, p) -> GridUse:
    """Interconnect options built, MW contracted and upgraded, grid imports by site and substation."""
    S, T = p.sites, p.slices
    si, ti = index_of(S), index_of(T)
    opt = p.options
    O = list(opt.index)
    oi = index_of(O)
    connect = np.zeros(len(O))
    contract = np.zeros(len(O))
    upgrade = np.zeros(len(O))
    grid_st = np.zeros((len(S), len(T)))
    B = list(p.dataset.substations.index)
    bi = index_of(B)
    sub_load = np.zeros((len(B), len(T)))
    if O:
        for o, v in vals(m.connect).items():
            connect[oi[o]] = round(v)
        for o, v in vals(m.contract_mw).items():
            contract[oi[o]] = v
        if hasattr(m, "upgrade_mw"):
            for o, v in vals(m.upgrade_mw).items():
                upgrade[oi[o]] = v
        contract, upgrade = clean(contract * connect), clean(upgrade * connect)
        for (s, b, t), v in vals(m.grid_import_mw).items():
            grid_st[si[s], ti[t]] += v
            sub_load[bi[b], ti[t]] += v
    chosen = {}
    for o in O:
        if connect[oi[o]] > 0.5:
            chosen[opt.at[o, "site_id"]] = o
    return GridUse(O, oi, connect, contract, upgrade, grid_st, B, sub_load, chosen)


@dataclass
class Plant:
    """On-site generators and batteries: units built and their dispatch."""

    units: np.ndarray  # (site, generator)
    gen: np.ndarray  # (site, generator, slice) MW
    bunits: np.ndarray  # (site, battery)
    charge: np.ndarray  # (site, battery, slice) MW
    discharge: np.ndarray  # (site, battery, slice) MW
    soc: np.ndarray  # (site, battery, slice) MWh; 0 in one-slice days: they carry no energy


def read_plant(m, p) -> Plant:
    """On-site generator and battery units and their dispatch by slice."""
    S, T, Pg, Pb = p.sites, p.slices, p.generators, p.batteries
    units = np.zeros((len(S), len(Pg)))
    gen = np.zeros((len(S), len(Pg), len(T)))
    if Pg:
        units = _whole(scatter(units.shape, m.units, (S, Pg)))
        gen = scatter(gen.shape, m.gen_mw, (S, Pg, T))
    bunits = np.zeros((len(S), len(Pb)))
    charge = np.zeros((len(S), len(Pb), len(T)))
    discharge = np.zeros((len(S), len(Pb), len(T)))
    soc = np.zeros((len(S), len(Pb), len(T)))
    if Pb:
        bunits = _whole(scatter(bunits.shape, m.battery_units, (S, Pb)))
        charge = scatter(charge.shape, m.charge_mw, (S, Pb, T))
        discharge = scatter(discharge.shape, m.discharge_mw, (S, Pb, T))
        soc = scatter(soc.shape, m.battery_soc_mwh, (S, Pb, T))
    return Plant(units, gen, bunits, charge, discharge, soc)


def _whole(x: np.ndarray) -> np.ndarray:
    """Unit counts rounded as Python's ``round`` does (half to even), without a negative zero."""
    return np.round(x) + 0.0


@dataclass
class Firm:
    """Firm capacity: the need (nameplate IT x peak share x design-peak PUE) and the on-site plant."""

    peak_mw: np.ndarray  # (site,) capacity need
    onsite_cap_mw: np.ndarray  # (site,) on-site generator MW installed
    firm_onsite: np.ndarray  # (site,) of it counted as firm (less the largest unit under N+1), may be < 0


def firm_capacity(p, it_mw_sk: np.ndarray, units: np.ndarray) -> Firm:
    """Firm capacity: nameplate IT x peak share x design-peak PUE, covered by contract + firm on-site."""
    cat, sc, S, K, Pg = p.catalog, p.scenario, p.sites, p.designs, p.generators
    share = sc.firm_power.peak_it_share
    pue_peak_sk = p.pue_peak.sel(site=S, cooling=K).values if K else np.zeros((len(S), 0))
    peak_mw = share * np.einsum("sk,sk->s", it_mw_sk, pue_peak_sk) if K else np.zeros(len(S))
    unit_g = np.array([cat.onsite[g].unit_mw for g in Pg]) if Pg else np.zeros(0)
    onsite_cap_mw = units @ unit_g if Pg else np.zeros(len(S))
    largest = np.array([unit_g[units[i] > 0.5].max(initial=0.0) for i in range(len(S))]) if Pg else np.zeros(len(S))
    firm_onsite = onsite_cap_mw - (largest if sc.firm_power.redundancy == "n_plus_1" else 0.0)
    return Firm(peak_mw, onsite_cap_mw, firm_onsite)


@dataclass
class SiteConnections:
    """Each site's built interconnect ('' and 0 where none)."""

    option: list  # option id
    substation: np.ndarray
    voltage_class: np.ndarray
    contracted_mw: np.ndarray
    max_mw: np.ndarray
    upgrade_mw: np.ndarray
    voltage_kv: np.ndarray
    line_km: np.ndarray
    capex_usd: np.ndarray


def site_connections(p, grid: GridUse) -> SiteConnections:
    """The built interconnect of each site, by site."""
    S, opt, chosen, oi = p.sites, p.options, grid.chosen, grid.oi
    return SiteConnections(
        [chosen.get(s, "") for s in S],
        np.array([opt.at[chosen[s], "substation_id"] if s in chosen else "" for s in S], dtype=object),
        np.array([opt.at[chosen[s], "voltage_class"] if s in chosen else "" for s in S], dtype=object),
        np.array([grid.contract[oi[chosen[s]]] if s in chosen else 0.0 for s in S]),
        np.array([opt.at[chosen[s], "max_mw"] if s in chosen else 0.0 for s in S]),
        np.array([grid.upgrade[oi[chosen[s]]] if s in chosen else 0.0 for s in S]),
        np.array([opt.at[chosen[s], "voltage_kv"] if s in chosen else 0.0 for s in S]),
        np.array([opt.at[chosen[s], "line_km"] if s in chosen else 0.0 for s in S]),
        np.array([opt.at[chosen[s], "capex_usd"] if s in chosen else 0.0 for s in S]),
    )


def power_vars(grid: GridUse, plant: Plant, firm: Firm, ic: SiteConnections) -> dict:
    """The Dataset's power variables (``grid_import_mw`` to ``battery_soc_mwh``)."""
    return {
        "grid_import_mw": da(clean(grid.grid_st), ("site", "slice"), "MW", "grid import"),
        "interconnect_substation": da(ic.substation.astype(str), ("site",), "", "substation connected to"),
        "interconnect_class": da(ic.voltage_class.astype(str), ("site",), "", "interconnect voltage class"),
        "interconnect_contracted_mw": da(ic.contracted_mw, ("site",), "MW", "grid capacity contracted (firm)"),
        "interconnect_max_mw": da(ic.max_mw, ("site",), "MW", "most the chosen connection can carry at this site"),
        "interconnect_upgrade_mw": da(ic.upgrade_mw, ("site",), "MW",
                                      "contracted MW beyond the substation's headroom (network upgrades)"),
        "peak_facility_mw": da(clean(firm.peak_mw), ("site",), "MW",
                               "capacity need: nameplate IT x peak IT share x design-peak PUE"),
        "onsite_firm_mw": da(clean(np.maximum(firm.firm_onsite, 0.0)), ("site",), "MW",
                             "on-site generator MW counted as firm (less the largest unit under N+1)"),
        "interconnect_voltage_kv": da(ic.voltage_kv, ("site",), "kV", "interconnect voltage"),
        "interconnect_line_km": da(ic.line_km, ("site",), "km", "interconnect line length"),
        "interconnect_capex_usd": da(ic.capex_usd, ("site",), "USD", "interconnect capex (not annualised)"),
        "option_built": da(grid.connect.astype(np.int8), ("option",), "1", "interconnect option built"),
        "option_contracted_mw": da(grid.contract, ("option",), "MW", "MW contracted through the option"),
        "option_upgrade_mw": da(grid.upgrade, ("option",), "MW", "MW of the option beyond the substation's headroom"),
        "onsite_units": da(plant.units, ("site", "generator"), "units", "on-site generator units"),
        "onsite_mw": da(clean(plant.gen), ("site", "generator", "slice"), "MW", "on-site generation"),
        "battery_units": da(plant.bunits, ("site", "battery"), "units", "battery units"),
        "battery_charge_mw": da(clean(plant.charge), ("site", "battery", "slice"), "MW", "battery charging"),
        "battery_discharge_mw": da(clean(plant.discharge), ("site", "battery", "slice"), "MW", "battery discharging"),
        "battery_soc_mwh": da(clean(plant.soc), ("site", "battery", "slice"), "MWh",
                              "battery state of charge at the end of the slice, cyclic within its representative "
                              "day (0 in one-slice days, which carry no energy)"),
    }


def interconnect_table(p, grid: GridUse, sites_gdf) -> gpd.GeoDataFrame:
    """The chosen interconnects as lines site -> substation."""
    opt, subs, si, oi, T = p.options, p.dataset.substations, index_of(p.sites), grid.oi, p.slices
    ic_rows, ic_geom = [], []
    for s, o in sorted(grid.chosen.items()):
        b = opt.at[o, "substation_id"]
        sp = sites_gdf.geometry.loc[s]
        bp = subs.geometry.loc[b]
        ic_rows.append({"site_id": s, "substation_id": b, "option_id": o, "voltage_class": opt.at[o, "voltage_class"],
                        "voltage_kv": float(opt.at[o, "voltage_kv"]), "contracted_mw": float(grid.contract[oi[o]]),
                        "max_mw": float(opt.at[o, "max_mw"]), "upgrade_mw": float(grid.upgrade[oi[o]]),
                        "line_km": float(opt.at[o, "line_km"]), "capex_usd": float(opt.at[o, "capex_usd"]),
                        "peak_import_mw": float(grid.grid_st[si[s]].max()) if T else 0.0})
        ic_geom.append(LineString([(sp.x, sp.y), (bp.x, bp.y)]))
    ic_cols = ["site_id", "substation_id", "option_id", "voltage_class", "voltage_kv", "contracted_mw", "max_mw",
               "upgrade_mw", "line_km", "capex_usd", "peak_import_mw"]
    return gpd.GeoDataFrame(pd.DataFrame(ic_rows, columns=ic_cols), geometry=ic_geom, crs="EPSG:4326")


@dataclass
class EnergyFlows:
    """Contracts by substation and the least flows over the energy graph that deliver the imports."""

    connected: pd.Series  # (substation,) contracted MW landing here
    upgraded: pd.Series  # (substation,) of it beyond the headroom
    flow: np.ndarray  # (corridor, slice)
    peak_flow: np.ndarray  # (corridor,) delivering every contract at once
    sub_supply: np.ndarray  # (substation, slice) power injected
    peak_supply: np.ndarray  # (substation,) injected to deliver every contract at once


def energy_flows(p, grid: GridUse) -> EnergyFlows:
    """Contracts by substation, and where power flows: not a decision; each slice's imports, and the
    contracts, routed by the least total flow (nothing circulates; see siteplan.solve.flows)."""
    opt, subs, cor, T, B = p.options, p.dataset.substations, p.corridors, p.slices, grid.B
    bi = index_of(B)
    connected = pd.Series(0.0, index=B)
    upgraded = pd.Series(0.0, index=B)
    for s, o in grid.chosen.items():
        connected[opt.at[o, "substation_id"]] += grid.contract[grid.oi[o]]
        upgraded[opt.at[o, "substation_id"]] += grid.upgrade[grid.oi[o]]
    E = list(cor.index)
    nodes = p.energy_nodes
    if nodes:
        ni = [bi[b] for b in nodes]
        loads = np.column_stack([grid.sub_load[ni], connected.values[ni]])
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
    return EnergyFlows(connected, upgraded, flow, peak_flow, sub_supply, peak_supply)


def energy_vars(p, grid: GridUse, ef: EnergyFlows) -> dict:
    """The Dataset's substation and corridor variables (``headroom_mw`` to ``substation_load_mw``)."""
    subs, cor, T, B = p.dataset.substations, p.corridors, p.slices, grid.B
    E = list(cor.index)
    return {
        "headroom_mw": da(subs["headroom_mw"].values.astype(float), ("substation",), "MW", "substation headroom"),
        "connected_mw": da(ef.connected.values, ("substation",), "MW", "contracted MW landing here"),
        "upgrade_mw": da(ef.upgraded.values, ("substation",), "MW", "contracted MW here beyond the headroom"),
        "corridor_capacity_mw": da(cor["capacity_mw"].values.astype(float) if E else np.zeros(0), ("corridor",),
                                   "MW", "corridor spare capacity"),
        "corridor_flow_mw": da(clean(ef.flow), ("corridor", "slice"), "MW",
                               "corridor flow from_id->to_id (least total flow delivering the slice's imports)"),
        "corridor_peak_flow_mw": da(clean(ef.peak_flow), ("corridor",), "MW",
                                    "corridor flow delivering every contract at once (least total flow)"),
        "substation_peak_supply_mw": da(clean(ef.peak_supply), ("substation",), "MW",
                                        "power injected to deliver every contract at once"),
        "corridor_capacity_by_slice_mw": da(p.corridor_mw_t.loc[E, T].values if E else np.zeros((0, len(T))),
                                            ("corridor", "slice"), "MW",
                                            "corridor capacity in the slice (capacity_mw x corridor_rating_factor)"),
        "supply_limit_by_slice_mw": da(p.supply_mw_t.loc[B, T].values, ("substation", "slice"), "MW",
                                       "supply in the slice (supply_mw x supply_factor)"),
        "supply_limit_mw": da(subs["supply_mw"].values.astype(float), ("substation",), "MW",
                              "power the substation can inject (dataset supply_mw)"),
        "substation_supply_mw": da(clean(ef.sub_supply), ("substation", "slice"), "MW", "power injected"),
        "substation_load_mw": da(clean(grid.sub_load), ("substation", "slice"), "MW",
                                 "grid imports of the sites connected here"),
    }


def substation_table(p, ef: EnergyFlows) -> gpd.GeoDataFrame:
    """Substations with headroom and connected capacity."""
    subs = p.dataset.substations
    B = list(subs.index)
    return gpd.GeoDataFrame({
        "substation_id": B,
        "name": subs["name"].fillna("").astype(str).values if "name" in subs else [""] * len(B),
        "voltage_kv": subs["voltage_kv"].values, "zone": subs["zone"].values,
        "headroom_mw": subs["headroom_mw"].values, "supply_mw": subs["supply_mw"].values,
        "connected_mw": ef.connected.values, "upgrade_mw": ef.upgraded.values,
        "remaining_headroom_mw": np.maximum(subs["headroom_mw"].values - (ef.connected.values - ef.upgraded.values), 0.0),
    }, geometry=subs.geometry.values, crs="EPSG:4326")


def corridor_table(cor, ds: xr.Dataset) -> gpd.GeoDataFrame:
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
