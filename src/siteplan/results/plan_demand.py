"""The Plan's demand side: compute served and unmet, who serves whom, and the fiber routes it takes."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from siteplan.results.plan_read import EPS, clean, index_of, scatter, vals
from siteplan.results.plan_read import data_array as da


@dataclass
class Service:
    """Compute served and unmet."""

    served: np.ndarray  # (site, region, workload) H100e
    unmet: np.ndarray  # (region, workload) H100e
    demand: np.ndarray  # (region, workload) H100e (scaled)


def read_service(m, p) -> Service:
    """Compute served by each site to each region and workload, and the demand left unmet."""
    S, R, W = p.sites, p.regions, p.workloads
    ri, wi = index_of(R), index_of(W)
    served = scatter((len(S), len(R), len(W)), m.serve, (S, R, W))
    unmet = np.zeros((len(R), len(W)))
    for (r, w), v in vals(m.unmet).items():
        unmet[ri[r], wi[w]] = v
    demand = p.demand_gpus.loc[R, W].values.astype(float)
    return Service(served, unmet, demand)


def service_vars(p, sv: Service) -> dict:
    """The Dataset's demand variables (``served_h100e`` to ``max_rtt_ms``)."""
    S, R, W = p.sites, p.regions, p.workloads
    return {
        "served_h100e": da(clean(sv.served), ("site", "region", "workload"), "H100e", "compute served"),
        "unmet_h100e": da(clean(sv.unmet), ("region", "workload"), "H100e", "unmet demand"),
        "demand_h100e": da(sv.demand, ("region", "workload"), "H100e", "demand (scaled)"),
        "rtt_ms": da(p.rtt_ms.loc[S, R].values.astype(float), ("site", "region"), "ms", "round-trip time"),
        "max_rtt_ms": da(p.max_rtt_ms.loc[R, W].values.astype(float), ("region", "workload"), "ms", "RTT limit"),
    }


def assignment_table(p, served: np.ndarray, sites_gdf, dem) -> gpd.GeoDataFrame:
    """Served demand as lines site -> demand region, one row per served (site, region, workload)."""
    S, R, W = p.sites, p.regions, p.workloads
    ii, jj, kk = np.nonzero(served > EPS)  # only the served triples, in (site, region, workload) order
    sx, sy = sites_gdf.geometry.x.values, sites_gdf.geometry.y.values
    rx, ry = dem.geometry.x.values, dem.geometry.y.values
    return gpd.GeoDataFrame(
        {"site_id": np.asarray(S, dtype=object)[ii], "region_id": np.asarray(R, dtype=object)[jj],
         "workload": np.asarray(W, dtype=object)[kk], "served_h100e": served[ii, jj, kk],
         "rtt_ms": p.rtt_ms.loc[S, R].values[ii, jj].astype(float),
         "max_rtt_ms": p.max_rtt_ms.loc[R, W].values[jj, kk].astype(float)},
        geometry=[LineString([(sx[i], sy[i]), (rx[j], ry[j])]) for i, j in zip(ii, jj)], crs="EPSG:4326")


def demand_table(p, sv: Service, dem) -> gpd.GeoDataFrame:
    """Demand regions with their demand, served and unmet compute by workload."""
    R, W = p.regions, p.workloads
    dem_tab = gpd.GeoDataFrame({"region_id": R, "name": dem["name"].fillna("").values if "name" in dem else [""] * len(R)},
                               geometry=dem.geometry.values, crs="EPSG:4326")
    for k, w in enumerate(W):
        dem_tab[f"{w}_demand_h100e"] = sv.demand[:, k]
        dem_tab[f"{w}_served_h100e"] = sv.served[:, :, k].sum(axis=0)
        dem_tab[f"{w}_unmet_h100e"] = clean(sv.unmet[:, k])
    return dem_tab


def fiber_table(p, link_served: dict) -> gpd.GeoDataFrame:
    """The fiber backbone: every link with its route length and the compute routed over it."""
    fib = p.dataset.fiber
    lengths = {(d["link_id"] if "link_id" in d else None): d["length_km"]
               for _, _, d in p.fgraph.edges(data=True)}
    return gpd.GeoDataFrame({
        "link_id": list(fib.index), "from_id": fib["from_id"].values if len(fib) else [],
        "to_id": fib["to_id"].values if len(fib) else [],
        "length_km": [float(lengths.get(i, np.nan)) for i in fib.index],
        "used": [link_served.get(i, 0.0) > 0 for i in fib.index],
        "served_h100e": [float(link_served.get(i, 0.0)) for i in fib.index],
    }, geometry=fib.geometry.values, crs="EPSG:4326")


def fiber_routes(p, S: list, R: list, served_sr: np.ndarray, sites_gdf, dem) -> tuple[gpd.GeoDataFrame, dict]:
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
