"""Preparation: validated inputs -> everything the model needs, as plain tables. No Pyomo here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from siteplan.config import Catalog, Scenario, catalog_problems, cross_check, revalidated
from siteplan.errors import InputError
from siteplan.io import YEARLY_DEMAND, Dataset, check_tables, slice_days
from siteplan.prepare.climate import pue_wue, site_stations
from siteplan.prepare.graphs import energy_graph, fiber_graph, rtt_matrix
from siteplan.prepare.interconnect import interconnect_options
from siteplan.zones import by_zone, zone_key_problems
from siteplan.prepare.slices import DESIGN_PEAK, aggregate_slices, auto_clusters

__all__ = ["Prepared", "prepare"]


@dataclass
class Prepared:
    """Model-ready data. All id lists are sorted; all tables are indexed by ids."""

    scenario: Scenario
    catalog: Catalog
    dataset: Dataset
    sites: list[str]
    designs: list[str]
    rack_types: list[str]
    slices: list[str]
    regions: list[str]
    workloads: list[str]
    generators: list[str]
    batteries: list[str]
    weight_h: pd.Series  # slice -> hours per year
    hours: dict  # slice -> hours per year as Python floats (numpy scalars x Pyomo vars are slow)
    site_design: list[tuple[str, str]]  # allowed (site, design)
    site_rack_design: list[tuple[str, str, str]]  # compatible (site, rack type, design)
    pue: xr.DataArray  # (site, cooling, slice)
    wue: xr.DataArray  # (site, cooling, slice) litres per kWh of IT energy
    station: pd.Series  # site -> weather station
    options: pd.DataFrame  # interconnect options, index option_id
    rtt_ms: pd.DataFrame  # site x region
    max_rtt_ms: pd.DataFrame  # region x workload
    demand_gpus: pd.DataFrame  # region x workload, H100e, scaled
    serve_pairs: list[tuple[str, str, str]]  # (site, region, workload) with rtt <= limit
    site_pop: pd.DataFrame
    region_pop: pd.DataFrame
    energy_nodes: list[str]  # substations in the flow model
    corridors: pd.DataFrame  # corridors in the flow model
    egraph: nx.MultiGraph
    fgraph: nx.Graph
    price: pd.DataFrame  # site x slice, USD/MWh (site's zone)
    carbon: pd.DataFrame  # site x slice, t/MWh
    serving_cost: pd.Series  # (site, region) -> USD per H100e-yr (0 where not given)
    pue_peak: xr.DataArray  # (site, cooling) PUE at the site's design-peak conditions (worst over slices)
    site_peak_max_mw: pd.Series  # site -> the most peak facility MW the site could ever draw
    gas_price: pd.Series  # site -> delivered gas USD/MMBtu (NaN without catalog gas_supply)
    onsite_max_mw: pd.Series  # site -> cap on on-site generator MW (inf = none)
    supply_mw_t: pd.DataFrame  # substation x slice: supply_mw x the zone's supply_factor
    corridor_mw_t: pd.DataFrame  # corridor x slice: capacity_mw x the lower corridor_rating_factor of its ends
    notes: list[str] = field(default_factory=list)
    # Day structure of the slices (see siteplan.io.slice_days), as plain dicts for the model:
    slice_day: dict = field(default_factory=dict)  # slice -> representative day id
    slice_order: dict = field(default_factory=dict)  # slice -> 0-based position in its day
    duration_h: dict = field(default_factory=dict)  # slice -> hours it lasts in one occurrence of its day
    period: object = None  # siteplan.prepare.periods.PeriodSpec in a build-out study; None: single period
    direct_km: pd.DataFrame | None = None  # site x region: km of a direct metro path where it is the route, else NaN


def _hosting_notes(sites, designs, rack_types, site_rack_design, catalog) -> list[str]:
    """Why racks cannot go where a planner may expect them: rack types no design can cool, sites
    that can host nothing (water, capacity), or no rack anywhere (then all demand is unmet)."""
    notes = []
    if not designs:
        return ["no cooling design is available (scenario cooling_designs / water policy): no site can host "
                "racks and all demand will be unmet"]
    hottest = max(designs, key=lambda k: catalog.cooling_designs[k].max_rack_kw)
    cap_kw = catalog.cooling_designs[hottest].max_rack_kw
    for g in rack_types:
        if catalog.rack_types[g].rack_kw > cap_kw:
            notes.append(f"rack type {g} ({catalog.rack_types[g].rack_kw:g} kW/rack) fits no cooling design of the "
                         f"study (the highest is {hottest}, {cap_kw:g} kW/rack): it cannot be used")
    if not site_rack_design:
        notes.append("no site can host any rack type with any cooling design of the study: all demand will be unmet")
    else:
        hosting = {s for s, _, _ in site_rack_design}
        idle = [s for s in sites if s not in hosting]
        if idle:
            notes.append(f"{len(idle)} site(s) can host no rack (water cap of 0 with only water-cooled designs, or "
                         f"max_it_mw below one rack): " + ", ".join(idle[:10]) + (" ..." if len(idle) > 10 else ""))
    return notes


def _limits_by_slice(dataset: Dataset, nodes: list, corridors: pd.DataFrame, slices: list) -> tuple:
    """Supply and corridor capacity per slice: the dataset's MW x the optional factors of prices.csv
    (per zone and slice; 1 where not given). A corridor takes the lower factor of its two ends."""
    subs = dataset.substations

    def factor(col):
        if col in dataset.prices:
            return dataset.prices[col].unstack("slice").reindex(columns=slices).fillna(1.0)
        return pd.DataFrame(1.0, index=sorted(set(subs["zone"])), columns=slices)
    sf, cf = factor("supply_factor"), factor("corridor_rating_factor")
    zone = subs["zone"]
    supply = pd.DataFrame(subs.loc[nodes, "supply_mw"].values.astype(float)[:, None]
                          * sf.loc[zone.loc[nodes].tolist()].values, index=nodes, columns=slices)
    if len(corridors):
        fa = cf.loc[zone.loc[corridors["from_id"]].tolist()].values
        fb = cf.loc[zone.loc[corridors["to_id"]].tolist()].values
        cap = corridors["capacity_mw"].values.astype(float)[:, None] * np.minimum(fa, fb)
    else:
        cap = np.zeros((0, len(slices)))
    return supply, pd.DataFrame(cap, index=list(corridors.index), columns=slices)


def _check_inputs(scenario: Scenario, dataset: Dataset, catalog: Catalog) -> None:
    """Validate the inputs again as they are now: a planner may have changed them in code since
    :func:`siteplan.load` (``model_copy(update=...)``, edits to the GeoDataFrames)."""
    probs = []
    try:
        revalidated(scenario, scenario.source_file)
    except InputError as exc:
        probs += exc.problems
    probs += catalog_problems(catalog, scenario.catalog)
    probs += cross_check(scenario, catalog)
    probs += check_tables(dataset, sorted(scenario.workloads))
    if not probs:
        probs += zone_key_problems(scenario, dataset)
    if probs:
        raise InputError(probs)


def substation_lead_times(scenario: Scenario, substations) -> pd.Series:
    """Per substation, a utility's wait for large loads there when one is given: the scenario's
    ``interconnect.lead_time_yr_by_zone`` for its zone (or state), else the dataset's ``lead_time_yr``
    of the substation; NaN = none. The scenario comes first: it is the study's explicit choice, the
    dataset's value a default. (A site's zone's wait applies too:
    :func:`siteplan.prepare.interconnect.interconnect_options`.)"""
    own = (substations["lead_time_yr"].astype(float) if "lead_time_yr" in substations
           else pd.Series(np.nan, index=substations.index))
    waits = scenario.interconnect.lead_time_yr_by_zone
    zone = substations["zone"].map(lambda z: by_zone(waits, z)).astype(float)
    return zone.where(np.isfinite(zone), own)


def prepare(scenario: Scenario, dataset: Dataset, catalog: Catalog, options: pd.DataFrame | None = None,
            year: int | None = None) -> Prepared:
    """Derive graphs, RTTs, interconnect options, PUE/WUE and sparse index sets.

    Parameters
    ----------
    scenario, dataset, catalog
        Validated inputs (see :func:`siteplan.api.load`).
    options : pandas.DataFrame, optional
        Interconnect options to use instead of deriving them (a period of a build-out study takes
        the ones energised by then; :mod:`siteplan.prepare.periods`).
    year : int, optional
        The first year of a build-out period: the demand layer's ``<class>_gpus_<year>`` columns,
        where given, replace ``<class>_gpus``.

    Returns
    -------
    Prepared
    """
    _check_inputs(scenario, dataset, catalog)
    sc = scenario
    notes = []
    k = sc.formulation.slice_clusters
    n_slices = dataset.climate.sizes["slice"]
    if k == "auto":
        k = auto_clusters(len(dataset.sites), n_slices)
    full_climate = None
    if k is not None and k < n_slices:
        full_climate = dataset.climate
        climate, prices, _ = aggregate_slices(dataset.climate, dataset.prices, k)
        dataset = replace(dataset, climate=climate, prices=prices)
        how = "automatically (formulation.slice_clusters: auto)" if sc.formulation.slice_clusters == "auto" \
            else "(formulation.slice_clusters)"
        n_merged = climate.sizes["slice"] - 1
        notes.append(f"time slices merged {n_slices} -> {n_merged} {how} (whole representative days)"
                     + ("" if n_merged <= k else f" (at least one day per day structure: {k} asked)")
                     + ", plus a zero-hour design-peak slice for capacity sizing; operating costs are on "
                       "the merged slices")
    sites_gdf = dataset.sites.sort_index()
    sites = list(sites_gdf.index)
    slices = [str(s) for s in dataset.climate["slice"].values]
    weight_h = pd.Series(dataset.climate["weight_h"].values.astype(float), index=slices)
    workloads = sorted(sc.workloads)

    def pick(names, available):
        return sorted(available) if names is None else sorted(names)

    designs = pick(sc.cooling_designs, catalog.cooling_designs)
    if not sc.water.allow_water_cooling:
        designs = [k for k in designs if not catalog.cooling_designs[k].needs_water]
    rack_types = pick(sc.rack_types, catalog.rack_types)
    onsite = pick(sc.onsite, catalog.onsite)
    late = [p for p in onsite if catalog.onsite[p].lead_time_yr > sc.horizon_yr]
    if late:
        notes.append("on-site option(s) excluded, lead time beyond the " f"{sc.horizon_yr:g}-yr horizon: "
                     + ", ".join(f"{p} ({catalog.onsite[p].lead_time_yr:g} yr)" for p in late))
    onsite = [p for p in onsite if p not in late]
    generators = [p for p in onsite if catalog.onsite[p].kind == "generator"]
    batteries = [p for p in onsite if catalog.onsite[p].kind == "battery"]

    station = site_stations(sites_gdf, dataset.climate)
    pue, wue = pue_wue({k: catalog.cooling_designs[k] for k in designs}, station, dataset.climate)
    if full_climate is not None:
        # the design-peak slice gets each site's worst PUE/WUE over the original slices (curves need
        # not be monotone, so not simply the curve at the peak temperature)
        pue_all, wue_all = pue_wue({k: catalog.cooling_designs[k] for k in designs}, station, full_climate)
        pue.loc[{"slice": DESIGN_PEAK}] = pue_all.max("slice")
        wue.loc[{"slice": DESIGN_PEAK}] = wue_all.max("slice")

    site_design = []
    for s in sites:
        water_ok = sites_gdf.at[s, "water_limit_m3_per_yr"] > 0
        for k in designs:
            if catalog.cooling_designs[k].needs_water and not water_ok:
                continue  # a zero water cap would force every rack of this design to zero
            site_design.append((s, k))
    site_rack_design = [(s, g, k) for (s, k) in site_design for g in rack_types
                        if catalog.rack_types[g].rack_kw <= catalog.cooling_designs[k].max_rack_kw
                        and catalog.rack_types[g].rack_kw <= 1000.0 * sites_gdf.at[s, "max_it_mw"]]
    site_rack_design.sort()
    notes += _hosting_notes(sites, designs, rack_types, site_rack_design, catalog)

    # capacity is sized on nameplate IT x peak share x the PUE at the site's design-peak conditions
    pue_peak = pue.max("slice").transpose("site", "cooling")
    share = sc.firm_power.peak_it_share
    worst_peak = pue_peak.max("cooling").to_series().reindex(sites).fillna(1.0) if designs else pd.Series(1.0, index=sites)
    site_peak_max_mw = sites_gdf["max_it_mw"].astype(float) * share * worst_peak
    if options is None:
        options = interconnect_options(
            sites_gdf, dataset.substations, catalog.interconnect_classes, sc.horizon_yr,
            sc.interconnect.max_distance_km, sc.interconnect.max_options_per_site,
            sc.interconnect.line_route_factor, sc.interconnect.cost_multiplier,
            sc.interconnect.allow_upgrades, site_peak_max_mw, substation_lead_times(sc, dataset.substations),
            sites_gdf["zone"].map(lambda z: by_zone(sc.interconnect.lead_time_yr_by_zone, z)).astype(float))
        # a demand charge bills the contracted MW every month, like a contract cost per kW-yr
        options["contract_cost_usd_per_mw_yr"] += 12.0 * sc.interconnect.demand_charge_usd_per_mw_month
    gas = catalog.gas_supply
    gas_price = pd.Series([gas.price_usd_per_mmbtu(z) if gas is not None else np.nan for z in sites_gdf["zone"]],
                          index=sites, dtype=float)
    default_cap = sc.firm_power.onsite_max_mw_per_site
    own_cap = sites_gdf["onsite_max_mw"].astype(float) if "onsite_max_mw" in sites_gdf else pd.Series(np.nan, index=sites)
    onsite_max_mw = own_cap.where(np.isfinite(own_cap), np.inf if default_cap is None else float(default_cap))

    egraph = energy_graph(dataset.substations, dataset.transmission)
    # The flow model needs only the connected components that contain an option's substation.
    used = set(options["substation_id"])
    nodes: set[str] = set()
    for comp in nx.connected_components(egraph):
        if comp & used:
            nodes |= comp
    energy_nodes = sorted(nodes)
    tr = dataset.transmission
    corridors = tr[tr["from_id"].isin(nodes) & tr["to_id"].isin(nodes)].sort_index() if len(tr) else tr

    fgraph = fiber_graph(dataset.pops, dataset.fiber, sc.network.route_factor)
    rtt, site_pop, region_pop, direct_km = rtt_matrix(
        sites_gdf, dataset.demand, dataset.pops, fgraph, sc.network.lateral_route_factor,
        sc.network.us_per_km, sc.network.rtt_overhead_ms, dataset.latency,
        sc.network.metro_max_km, sc.network.route_factor)
    regions = sorted(dataset.demand.index)
    max_rtt = pd.DataFrame(index=regions, columns=workloads, dtype=float)
    demand = pd.DataFrame(index=regions, columns=workloads, dtype=float)
    for w in workloads:
        own = dataset.demand[f"{w}_max_rtt_ms"].reindex(regions)
        max_rtt[w] = own.where(np.isfinite(own), sc.workloads[w].max_rtt_ms)
        gpus = dataset.demand[f"{w}_gpus"]
        if year is not None and f"{w}_gpus_{year}" in dataset.demand:
            gpus = dataset.demand[f"{w}_gpus_{year}"].fillna(gpus)
        demand[w] = gpus.reindex(regions) * sc.demand_scale
    # (site, region, workload) within the RTT limit, in sorted order (vectorised: national studies
    # have millions of combinations)
    rtt_v = rtt.loc[sites, regions].values
    ok = (rtt_v[:, :, None] <= max_rtt.loc[regions, workloads].values[None, :, :]) \
        & (demand.loc[regions, workloads].values[None, :, :] > 0)
    si_, ri_, wi_ = np.nonzero(ok)
    serve_pairs = [(sites[a], regions[b], workloads[c]) for a, b, c in zip(si_.tolist(), ri_.tolist(), wi_.tolist())]

    zone_of = sites_gdf["zone"].tolist()
    price_zt = dataset.prices["energy_price_usd_per_mwh"].unstack("slice")[slices]
    carbon_zt = dataset.prices["carbon_t_per_mwh"].unstack("slice")[slices]
    price = pd.DataFrame(price_zt.loc[zone_of].values * sc.energy_price_scale, index=sites, columns=slices)
    carbon = pd.DataFrame(carbon_zt.loc[zone_of].values, index=sites, columns=slices)
    supply_mw_t, corridor_mw_t = _limits_by_slice(dataset, list(dataset.substations.index), corridors, slices)
    if dataset.serving_cost is not None:
        serving = dataset.serving_cost["serving_cost_usd_per_gpu_yr"]
    else:
        serving = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["site_id", "region_id"]))

    with_option = set(options["site_id"])
    no_option = [s for s in sites if s not in with_option]
    if no_option:
        power = "on-site power only" if generators else "and no on-site generator option: they cannot be powered"
        notes.append(f"{len(no_option)} site(s) have no grid interconnect option within "
                     f"{sc.interconnect.max_distance_km:g} km / {sc.horizon_yr:g} yr ({power})")
    for col in sorted(c for c in dataset.demand.columns if c.endswith("_gpus") and c[: -len("_gpus")] not in workloads):
        total = float(dataset.demand[col].sum(skipna=True)) * sc.demand_scale  # a null is no demand here
        if total > 0:
            notes.append(f"demand of workload class {col[: -len('_gpus')]!r} ({total:,.0f} H100e in {col}) is not "
                         f"planned: the scenario's workloads are {', '.join(workloads)}")
    if year is None:
        yearly = sorted(c for c in dataset.demand.columns if YEARLY_DEMAND.match(str(c))
                        and YEARLY_DEMAND.match(str(c))["field"][: -len("_gpus")] in workloads)
        if yearly:
            notes.append("demand column(s) " + ", ".join(yearly) + " not used: they give the demand of build-out "
                         "periods (scenario periods), and this study has one period")
    reach = ok.any(axis=0)
    unreachable = [(r, w) for j, r in enumerate(regions) for k, w in enumerate(workloads)
                   if demand.at[r, w] > 0 and not reach[j, k]]
    for r, w in unreachable:
        notes.append(f"demand {r}/{w}: no candidate site within {max_rtt.at[r, w]:g} ms RTT; it will be unmet")
    if math.isinf(rtt.values.min(initial=math.inf)) and len(sites) and len(regions):
        notes.append("the fiber graph connects no site to any demand region")

    days = slice_days(dataset.climate)
    return Prepared(sc, catalog, dataset, sites, designs, rack_types, slices, regions, workloads,
                    generators, batteries, weight_h, {t: float(v) for t, v in weight_h.items()}, site_design, site_rack_design, pue, wue, station,
                    options, rtt, max_rtt, demand, serve_pairs, site_pop, region_pop, energy_nodes,
                    corridors, egraph, fgraph, price, carbon, serving, pue_peak, site_peak_max_mw, gas_price,
                    onsite_max_mw, supply_mw_t, corridor_mw_t, notes,
                    slice_day={t: str(d) for t, d in days["day"].items()},
                    slice_order={t: int(o) for t, o in days["order_in_day"].items()},
                    duration_h={t: float(h) for t, h in days["duration_h"].items()}, direct_km=direct_km)
