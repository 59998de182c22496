"""Preparation: validated inputs -> everything the model needs, as plain tables. No Pyomo here.

:func:`prepare` runs the steps in order; they live by concern in :mod:`~siteplan.prepare.slicing`
(time slices, PUE/WUE), :mod:`~siteplan.prepare.hosting` (designs, rack types, on-site options,
what fits where), :mod:`~siteplan.prepare.power` (peaks, interconnect options, on-site caps, flow
network, prices) and :mod:`~siteplan.prepare.serving` (latency, demand, serving pairs, notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import pandas as pd
import xarray as xr

from siteplan.config import Catalog, Scenario, catalog_problems, cross_check, revalidated
from siteplan.config.zones import zone_key_problems
from siteplan.errors import InputError
from siteplan.io import Dataset, check_tables
from siteplan.prepare.climate import site_stations
from siteplan.prepare.hosting import catalog_choices, hosting_notes, site_designs
from siteplan.prepare.power import (flow_network, grid_options, limits_by_slice, onsite_caps, site_peaks,
                                    substation_lead_times, zone_prices)
from siteplan.prepare.serving import (demand_notes, latency, option_notes, regional_demand, serve_pairs,
                                      serving_costs)
from siteplan.prepare.slicing import cooling_pue_wue, day_structure, merge_slices, slice_weights

__all__ = ["Prepared", "prepare", "substation_lead_times"]


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
    dataset, full_climate = merge_slices(sc, dataset, notes)
    sites_gdf = dataset.sites.sort_index()
    sites = list(sites_gdf.index)
    slices, weight_h = slice_weights(dataset)
    workloads = sorted(sc.workloads)
    designs, rack_types, generators, batteries = catalog_choices(sc, catalog, notes)

    station = site_stations(sites_gdf, dataset.climate)
    pue, wue = cooling_pue_wue(designs, catalog, station, dataset.climate, full_climate)
    site_design, site_rack_design = site_designs(sites, sites_gdf, designs, rack_types, catalog)
    notes += hosting_notes(sites, designs, rack_types, site_rack_design, catalog)

    pue_peak, site_peak_max_mw = site_peaks(sc, sites, sites_gdf, pue, designs)
    if options is None:
        options = grid_options(sc, dataset, catalog, sites_gdf, site_peak_max_mw)
    gas_price, onsite_max_mw = onsite_caps(sc, catalog, sites, sites_gdf)
    egraph, energy_nodes, corridors = flow_network(dataset, options)

    fgraph, rtt, site_pop, region_pop, direct_km = latency(sc, dataset, sites_gdf)
    regions, max_rtt, demand = regional_demand(sc, dataset, workloads, year)
    ok, pairs = serve_pairs(sites, regions, workloads, rtt, max_rtt, demand)

    price, carbon = zone_prices(sc, dataset, sites, sites_gdf, slices)
    supply_mw_t, corridor_mw_t = limits_by_slice(dataset, list(dataset.substations.index), corridors, slices)
    serving = serving_costs(dataset)

    notes += option_notes(sc, sites, options, generators)
    notes += demand_notes(sc, dataset, workloads, year, sites, regions, rtt, max_rtt, demand, ok)

    return Prepared(sc, catalog, dataset, sites, designs, rack_types, slices, regions, workloads,
                    generators, batteries, weight_h, {t: float(v) for t, v in weight_h.items()}, site_design,
                    site_rack_design, pue, wue, station, options, rtt, max_rtt, demand, pairs, site_pop,
                    region_pop, energy_nodes, corridors, egraph, fgraph, price, carbon, serving, pue_peak,
                    site_peak_max_mw, gas_price, onsite_max_mw, supply_mw_t, corridor_mw_t, notes,
                    direct_km=direct_km, **day_structure(dataset.climate))
