"""Energy and fiber graphs (networkx) and the site x region RTT matrix. No Pyomo here."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from siteplan.geo import distance_matrix_km, line_length_km


def energy_graph(substations, transmission) -> nx.MultiGraph:
    """Substations as nodes (voltage, headroom, supply) and corridors as keyed edges."""
    g = nx.MultiGraph()
    for sid, row in substations.sort_index().iterrows():
        g.add_node(sid, voltage_kv=row["voltage_kv"], headroom_mw=row["headroom_mw"],
                   supply_mw=row["supply_mw"], zone=row["zone"])
    for cid, row in transmission.sort_index().iterrows():
        g.add_edge(row["from_id"], row["to_id"], key=cid, capacity_mw=row["capacity_mw"],
                   voltage_kv=row["voltage_kv"])
    return g


def route_km(geometry, route_factor: float) -> float:
    """Route length of a fiber link without ``length_km``: a traced route (more than two distinct
    points) is its own geodesic length; a straight line between two points only says which PoPs it
    joins, so its great-circle length is scaled by ``route_factor``.

    Parameters
    ----------
    geometry : shapely LineString or MultiLineString
    route_factor : float
        Route length over great-circle length for straight links.

    Returns
    -------
    float
        Kilometres.
    """
    points = [xy for part in getattr(geometry, "geoms", [geometry]) for xy in part.coords]
    if len(set(points)) <= 2:  # two distinct points, whatever the geometry type (GIS tools write Multi*)
        return line_length_km(geometry) * route_factor
    return line_length_km(geometry)


def fiber_graph(pops, fiber, route_factor: float) -> nx.Graph:
    """PoPs as nodes; links weighted by route length in km (``length_km``, else :func:`route_km`).

    Parallel links between the same PoPs keep the shortest length.
    """
    g = nx.Graph()
    g.add_nodes_from(sorted(pops.index))
    for lid, row in fiber.sort_index().iterrows():
        length = row["length_km"]
        if not np.isfinite(length):
            length = route_km(row.geometry, route_factor)
        a, b = row["from_id"], row["to_id"]
        if g.has_edge(a, b) and g[a][b]["length_km"] <= length:
            continue
        g.add_edge(a, b, length_km=float(length), link_id=lid)
    return g


def nearest(points_from, points_to) -> tuple[np.ndarray, np.ndarray]:
    """Index of, and great-circle km to, the nearest ``points_to`` for each of ``points_from``."""
    d = distance_matrix_km(points_from.geometry.y.values, points_from.geometry.x.values,
                           points_to.geometry.y.values, points_to.geometry.x.values)
    idx = np.argmin(d, axis=1)  # ties: lowest index = lowest sorted id, deterministic
    return idx, d[np.arange(len(idx)), idx]


def rtt_matrix(sites, demand, pops, fgraph: nx.Graph, lateral_route_factor: float,
               us_per_km: float, overhead_ms: float, explicit: pd.DataFrame | None = None,
               metro_max_km: float = 0.0, route_factor: float = 1.0):
    """Round-trip time (ms) site x region over lateral + shortest fiber path + lateral, or over a
    direct metro/regional path where that is shorter.

    A direct path joins a site and a region at most ``metro_max_km`` apart (great circle) with
    ``route_factor`` x their distance of fiber: backbone data list long-haul PoPs only, and a town
    without one would otherwise reach its neighbour through the nearest PoP (Odessa and West Odessa,
    66 km apart, through El Paso 389 km away).

    Returns
    -------
    rtt : pandas.DataFrame, index site_id, columns region_id (inf where not connected)
    site_pop, region_pop : pandas.DataFrame with the attached PoP id and lateral km
    direct_km : pandas.DataFrame, site x region: route km of the direct path where it is the one used, else NaN
    """
    pop_ids = np.array(sorted(pops.index))
    pops = pops.loc[pop_ids]
    si, sd = nearest(sites, pops)
    ri, rd = nearest(demand, pops)
    site_pop = pd.DataFrame({"pop_id": pop_ids[si], "lateral_km": sd * lateral_route_factor}, index=sites.index)
    region_pop = pd.DataFrame({"pop_id": pop_ids[ri], "lateral_km": rd * lateral_route_factor}, index=demand.index)
    backbone = {}
    for p in sorted(set(site_pop["pop_id"])):
        backbone[p] = nx.single_source_dijkstra_path_length(fgraph, p, weight="length_km")
    # backbone km between the PoPs that sites and regions attach to, then add both laterals
    s_pops, r_pops = sorted(backbone), sorted(set(region_pop["pop_id"]))
    pop_km = np.full((len(s_pops), len(r_pops)), math.inf)
    for i, a in enumerate(s_pops):
        pop_km[i] = [backbone[a].get(b, math.inf) for b in r_pops]
    sa = np.searchsorted(s_pops, site_pop["pop_id"].values)
    rb = np.searchsorted(r_pops, region_pop["pop_id"].values)
    km = pop_km[np.ix_(sa, rb)] + site_pop["lateral_km"].values[:, None] + region_pop["lateral_km"].values[None, :]
    gc = distance_matrix_km(sites.geometry.y.values, sites.geometry.x.values,
                            demand.geometry.y.values, demand.geometry.x.values)
    direct = np.where(gc <= metro_max_km, gc * route_factor, math.inf)
    use_direct = direct < km
    km = np.where(use_direct, direct, km)
    rtt = pd.DataFrame(2.0 * km * us_per_km / 1000.0 + overhead_ms, index=sites.index, columns=demand.index)
    direct_km = pd.DataFrame(np.where(use_direct, direct, np.nan), index=sites.index, columns=demand.index)
    if explicit is not None:
        for (s, r), v in explicit["rtt_ms"].items():
            rtt.loc[s, r] = v
    return rtt, site_pop, region_pop, direct_km
