"""The Plan: every decision and derived quantity as an xarray Dataset, plus GeoDataFrames.

Extraction reads the solved Pyomo model once; everything downstream (exports, reports, batch
tables, invariant checks) reads the Plan only. It is split by concern: what is built at the sites
(:mod:`siteplan.results.plan_sites`), power (:mod:`siteplan.results.plan_power`: grid connections, on-site plant,
batteries, energy graph flows), demand served and fiber routes (:mod:`siteplan.results.plan_demand`), costs
(:mod:`siteplan.results.plan_costs`), values of limits and attributes (:mod:`siteplan.results.plan_limits`); this
module assembles them and re-exports the names code imports from ``siteplan.results.plan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyomo.environ as pyo
import xarray as xr

from siteplan import labels as _labels
from siteplan._xarray import defer_dask_array_check
from siteplan.export.write import WritesFolder
from siteplan.labels import display_name, place_names
from siteplan.results.plan_costs import category_costs, cost_vars, read_gas_laterals, site_costs, site_emissions
from siteplan.results.plan_demand import (assignment_table, demand_table, fiber_routes, fiber_table, read_service,
                                          service_vars)
from siteplan.results.plan_limits import VALUE_ATTRS, limit_values, plan_attrs
from siteplan.results.plan_power import (corridor_table, energy_flows, energy_vars, firm_capacity, interconnect_table,
                                         power_vars, read_grid, read_plant, site_connections, substation_table)
from siteplan.results.plan_read import EPS
from siteplan.results.plan_sites import (LIMIT_TOL_MW, LIMIT_TOL_SHARE, interconnect_words, read_sites, site_limits,
                                         site_table, site_vars)
from siteplan.solve import SolveResult

place_name = _labels.place_name  # siteplan.results.plan.place_name, as before the place names moved to labels

# the names code imports from siteplan.results.plan (some now defined in the modules above)
__all__ = ["EPS", "LIMIT_TOL_MW", "LIMIT_TOL_SHARE", "VALUE_ATTRS", "Plan", "display_name", "extract_plan",
           "interconnect_words", "place_name", "place_names", "site_limits"]


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
        from siteplan.results.summary import summary_text

        return summary_text(self)


def extract_plan(m: pyo.ConcreteModel, p, result: SolveResult) -> Plan:
    """Read the solved model into a :class:`Plan` (the only place that reads Pyomo values)."""
    defer_dask_array_check()
    S, R = p.sites, p.regions
    sites_gdf, dem = p.dataset.sites.loc[S], p.dataset.demand.loc[R]
    built = read_sites(m, p)
    grid, plant, service = read_grid(m, p), read_plant(m, p), read_service(m, p)
    firm = firm_capacity(p, built.it_mw_sk, plant.units)
    ic = site_connections(p, grid)
    flows = energy_flows(p, grid)
    costs = category_costs(m)
    emissions = site_emissions(p, grid.grid_st, plant.gen)
    site_capex, site_opex = site_costs(p, built.open_, built.it_mw, built.it_mw_sk, built.racks, grid.chosen,
                                       ic.contracted_mw, ic.upgrade_mw, read_gas_laterals(m, p), plant.units,
                                       plant.bunits, grid.grid_st, plant.gen, service.served, built.water, emissions)
    data = {**site_vars(built), **power_vars(grid, plant, firm, ic), **service_vars(p, service),
            **cost_vars(p, built.water, emissions, costs, site_capex, site_opex), **energy_vars(p, grid, flows)}
    data.update(limit_values(result.duals, S, grid.B, list(p.corridors.index), built.design, ic.option))
    ds = xr.Dataset(data, coords=_coords(p, list(costs), grid.B, grid.O))
    ds.attrs.update(plan_attrs(p, result))

    site_tab = site_table(p, built, ds, sites_gdf, ic, firm, plant, grid.grid_st, service.served, emissions,
                          site_capex, site_opex)
    routes, link_served = fiber_routes(p, S, R, service.served.sum(axis=2), sites_gdf, dem)
    plan = Plan(result, ds, site_tab, interconnect_table(p, grid, sites_gdf),
                assignment_table(p, service.served, sites_gdf, dem), substation_table(p, flows),
                demand_table(p, service, dem), fiber_table(p, link_served), routes,
                corridors=corridor_table(p.corridors, ds))
    _name_connection_limits(plan)
    return plan


def _coords(p, cats: list, B: list, O: list) -> dict:
    """The Dataset's coordinates, with the day structure of the slices."""
    T = p.slices
    return {"site": p.sites, "cooling": p.designs, "rack_type": p.rack_types, "slice": T, "region": p.regions,
            "workload": p.workloads, "generator": p.generators, "battery": p.batteries, "cost_category": cats,
            "substation": B, "corridor": list(p.corridors.index), "option": O,
            # the day structure of the slices (siteplan.io.slice_days): batteries cycle within a day
            "day": ("slice", np.array([p.slice_day[t] for t in T], dtype=str),
                    {"description": "representative day the slice belongs to"}),
            "order_in_day": ("slice", np.array([p.slice_order[t] for t in T], dtype=np.int32),
                             {"description": "position of the slice in its day (0-based)"}),
            "duration_h": ("slice", np.array([p.duration_h[t] for t in T], dtype=float),
                           {"units": "h", "description": "hours the slice lasts in one occurrence of its day"})}


def _name_connection_limits(plan: Plan) -> None:
    """Name the one limit on each grid connection in the site table's words (sites.csv, the GeoPackage,
    the maps): 'at most 195.2 MW on this connection: the substation's headroom', in place of 'its
    class's limit or the substation's headroom' (:func:`siteplan.results.summary.connection_limits`)."""
    from siteplan.results.summary import connection_limits, interconnect_text, limited_by_text

    limits = connection_limits(plan)
    if not limits:
        return
    st = plan.sites
    st["interconnect"] = [interconnect_text(r, limits) for _, r in st.iterrows()]
    if "limited_by" in st:
        st["limited_by"] = [limited_by_text(r, limits) if isinstance(r.get("limited_by"), str) else r["limited_by"]
                            for _, r in st.iterrows()]
