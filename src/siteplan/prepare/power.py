"""Power for :func:`siteplan.prepare.prepare`: each site's peak draw, its grid interconnect options,
on-site generator caps and gas prices, the energy flow network, and prices, carbon and capacity per
time slice."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from siteplan.config import Catalog, Scenario
from siteplan.config.zones import by_zone
from siteplan.io import Dataset
from siteplan.prepare.graphs import energy_graph
from siteplan.prepare.interconnect import interconnect_options

__all__ = ["site_peaks", "grid_options", "onsite_caps", "flow_network", "zone_prices", "limits_by_slice",
           "substation_lead_times"]


def site_peaks(sc: Scenario, sites: list[str], sites_gdf, pue: xr.DataArray,
               designs: list[str]) -> tuple[xr.DataArray, pd.Series]:
    """PUE at each site's design-peak conditions per cooling design, and the most peak facility MW
    each site could ever draw."""
    # capacity is sized on nameplate IT x peak share x the PUE at the site's design-peak conditions
    pue_peak = pue.max("slice").transpose("site", "cooling")
    share = sc.firm_power.peak_it_share
    worst_peak = pue_peak.max("cooling").to_series().reindex(sites).fillna(1.0) if designs else pd.Series(1.0, index=sites)
    site_peak_max_mw = sites_gdf["max_it_mw"].astype(float) * share * worst_peak
    return pue_peak, site_peak_max_mw


def grid_options(sc: Scenario, dataset: Dataset, catalog: Catalog, sites_gdf,
                 site_peak_max_mw: pd.Series) -> pd.DataFrame:
    """The sites' grid interconnect options (:func:`~siteplan.prepare.interconnect.interconnect_options`),
    with the demand charge in the contract cost."""
    options = interconnect_options(
        sites_gdf, dataset.substations, catalog.interconnect_classes, sc.horizon_yr,
        sc.interconnect.max_distance_km, sc.interconnect.max_options_per_site,
        sc.interconnect.line_route_factor, sc.interconnect.cost_multiplier,
        sc.interconnect.allow_upgrades, site_peak_max_mw, substation_lead_times(sc, dataset.substations),
        sites_gdf["zone"].map(lambda z: by_zone(sc.interconnect.lead_time_yr_by_zone, z)).astype(float))
    # a demand charge bills the contracted MW every month, like a contract cost per kW-yr
    options["contract_cost_usd_per_mw_yr"] += 12.0 * sc.interconnect.demand_charge_usd_per_mw_month
    return options


def onsite_caps(sc: Scenario, catalog: Catalog, sites: list[str], sites_gdf) -> tuple[pd.Series, pd.Series]:
    """Per site, the delivered gas price (NaN without catalog gas_supply) and the cap on on-site
    generator MW (inf = none)."""
    gas = catalog.gas_supply
    gas_price = pd.Series([gas.price_usd_per_mmbtu(z) if gas is not None else np.nan for z in sites_gdf["zone"]],
                          index=sites, dtype=float)
    default_cap = sc.firm_power.onsite_max_mw_per_site
    own_cap = sites_gdf["onsite_max_mw"].astype(float) if "onsite_max_mw" in sites_gdf else pd.Series(np.nan, index=sites)
    onsite_max_mw = own_cap.where(np.isfinite(own_cap), np.inf if default_cap is None else float(default_cap))
    return gas_price, onsite_max_mw


def flow_network(dataset: Dataset, options: pd.DataFrame) -> tuple[nx.MultiGraph, list[str], pd.DataFrame]:
    """The energy graph, and the substations and corridors of the flow model."""
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
    return egraph, energy_nodes, corridors


def zone_prices(sc: Scenario, dataset: Dataset, sites: list[str], sites_gdf,
                slices: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Energy price (USD/MWh, scaled) and carbon (t/MWh) per site and slice, from the site's zone."""
    zone_of = sites_gdf["zone"].tolist()
    price_zt = dataset.prices["energy_price_usd_per_mwh"].unstack("slice")[slices]
    carbon_zt = dataset.prices["carbon_t_per_mwh"].unstack("slice")[slices]
    price = pd.DataFrame(price_zt.loc[zone_of].values * sc.energy_price_scale, index=sites, columns=slices)
    carbon = pd.DataFrame(carbon_zt.loc[zone_of].values, index=sites, columns=slices)
    return price, carbon


def limits_by_slice(dataset: Dataset, nodes: list, corridors: pd.DataFrame, slices: list) -> tuple:
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
