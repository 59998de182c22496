"""The Plan's sites: what is built at each (design, racks, IT power, PUE, water), read from the
solved model, and the site table a person reads (sites.csv, the GeoPackage, the maps)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from siteplan.labels import display_name, place_names, plant_name
from siteplan.results.plan_read import EPS, clean, index_of, vals
from siteplan.results.plan_read import data_array as da


@dataclass
class SiteBuild:
    """What is built at each site of ``p.sites``, read from the solved model."""

    open_: np.ndarray  # (site,) 0/1
    design_oh: np.ndarray  # (site, cooling) one-hot
    racks: np.ndarray  # (site, rack_type, cooling)
    design: np.ndarray  # (site,) the chosen design, '' if closed
    gpus_per_rack: np.ndarray  # (rack_type,)
    h100e: np.ndarray  # (rack_type,) H100e per rack
    it_mw_sk: np.ndarray  # (site, cooling) nameplate IT MW
    it_mw: np.ndarray  # (site,)
    pue_skt: np.ndarray  # (site, cooling, slice)
    facility_mw: np.ndarray  # (site, slice)
    pue_st: np.ndarray  # (site, slice), NaN if closed
    water: np.ndarray  # (site,) m3/yr


def read_sites(m, p) -> SiteBuild:
    """Sites opened, designs, racks and what follows from them (IT and facility power, PUE, water)."""
    cat, u = p.catalog, p.scenario.it_utilisation
    S, K, G, T = p.sites, p.designs, p.rack_types, p.slices
    si, ki, gi = index_of(S), index_of(K), index_of(G)
    w_h = p.weight_h.values
    open_ = np.zeros(len(S))
    for s, v in vals(m.open).items():
        open_[si[s]] = round(v)
    design_oh = np.zeros((len(S), len(K)))
    for (s, k), v in vals(m.design).items():
        design_oh[si[s], ki[k]] = round(v)
    racks = np.zeros((len(S), len(G), len(K)))
    for (s, g, k), v in vals(m.racks).items():
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
    return SiteBuild(open_, design_oh, racks, design, gpus_per_rack, h100e, it_mw_sk, it_mw, pue_skt, facility_mw,
                     pue_st, water)


def site_vars(b: SiteBuild) -> dict:
    """The Dataset's variables of what is built at each site (``open`` to ``pue_by_design``)."""
    return {
        "open": da(b.open_.astype(np.int8), ("site",), "1", "site is developed"),
        "design": da(b.design.astype(str), ("site",), "", "cooling design ('' if closed)"),
        "design_chosen": da(b.design_oh.astype(np.int8), ("site", "cooling"), "1", "design one-hot"),
        "racks": da(clean(b.racks), ("site", "rack_type", "cooling"), "racks", "racks installed"),
        "gpus": da(np.einsum("sgk,g->sg", b.racks, b.gpus_per_rack), ("site", "rack_type"), "GPUs", "GPUs installed"),
        "compute_h100e": da(np.einsum("sgk,g->s", b.racks, b.h100e), ("site",), "H100e", "installed compute"),
        "it_mw": da(clean(b.it_mw), ("site",), "MW", "nameplate critical IT power"),
        "facility_mw": da(clean(b.facility_mw), ("site", "slice"), "MW", "facility power drawn"),
        "pue": da(b.pue_st, ("site", "slice"), "1", "effective PUE of the open site (NaN if closed)"),
        "pue_by_design": da(b.pue_skt, ("site", "cooling", "slice"), "1", "PUE of each design at the site"),
    }


def site_table(p, b: SiteBuild, ds, sites_gdf, ic, firm, plant, grid_st, served, emissions, site_capex,
               site_opex) -> gpd.GeoDataFrame:
    """The site table: every candidate site with its decisions, power, water, emissions and costs
    (``ic``, ``firm``, ``plant``: the sites' connections, firm capacity and on-site plant from
    :mod:`siteplan.results.plan_power`)."""
    cat, S, G, Pg, Pb = p.catalog, p.sites, p.rack_types, p.generators, p.batteries
    open_ = b.open_
    site_tab = gpd.GeoDataFrame({
        "site_id": S, "name": sites_gdf["name"].fillna("").values if "name" in sites_gdf else [""] * len(S),
        "zone": sites_gdf["zone"].values, "max_it_mw": sites_gdf["max_it_mw"].values,
        "open": open_.astype(bool), "design": b.design.astype(str), "it_mw": clean(b.it_mw),
        "compute_h100e": ds["compute_h100e"].values, "gpus": ds["gpus"].sum("rack_type").values,
        "peak_facility_mw": clean(firm.peak_mw),
        "pue_min": np.nanmin(np.where(open_[:, None] > 0, b.pue_st, np.inf), axis=1, initial=np.inf),
        "pue_max": np.nanmax(np.where(open_[:, None] > 0, b.pue_st, -np.inf), axis=1, initial=-np.inf),
        "substation_id": ic.substation.astype(str), "interconnect_class": ic.voltage_class.astype(str),
        "interconnect_mw": ic.contracted_mw, "upgrade_mw": ic.upgrade_mw, "onsite_mw": firm.onsite_cap_mw,
        "onsite_firm_mw": np.maximum(firm.firm_onsite, 0.0),
        "battery_mw": plant.bunits @ np.array([cat.onsite[q].unit_mw for q in Pb]) if Pb else 0.0,
        "water_m3_per_yr": clean(b.water), "emissions_t_per_yr": clean(emissions),
        "station": p.station.loc[S].values,
        "capex_usd_per_yr": site_capex, "opex_usd_per_yr": site_opex, "cost_usd_per_yr": site_capex + site_opex,
    }, geometry=sites_gdf.geometry.values, crs="EPSG:4326")
    for c in ("pue_min", "pue_max"):
        site_tab.loc[~np.isfinite(site_tab[c]), c] = np.nan
    for j, g in enumerate(G):
        site_tab[f"racks_{g}"] = b.racks[:, j, :].sum(axis=1)
    site_tab = _describe_sites(site_tab, sites_gdf, p.dataset.substations, cat, Pg, Pb, plant.units, plant.bunits,
                               plant.gen, grid_st, p.weight_h.values, served, ic.line_km, ic.voltage_kv, ic.max_mw,
                               ic.voltage_class)
    site_tab["limited_by"] = site_limits(site_tab, ic.max_mw, p.onsite_max_mw.loc[S].values,
                                         min((cat.onsite[g].unit_mw for g in Pg), default=np.inf))
    return site_tab


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
    tab["grid_mwh_per_yr"] = clean(grid_mwh)
    tab["onsite_mwh_per_yr"] = clean(onsite_mwh)
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
    tab["served_h100e"] = clean(srv)
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
