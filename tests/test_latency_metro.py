"""Direct metro/regional fiber paths where the backbone has no PoP near both ends."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from shapely.geometry import Point

import siteplan
from siteplan.geo import distance_matrix_km
from siteplan.prepare import prepare
from siteplan.prepare.graphs import rtt_matrix
from tiny import site, solve_checked, sub, write_tiny

REPO = Path(__file__).resolve().parents[1]


def _gdf(points: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(index=list(points), geometry=[Point(*xy) for xy in points.values()], crs="EPSG:4326")


def test_direct_path_used_only_when_shorter_and_near():
    # site and town 0.6 deg (~57 km) apart; their only PoP 3 deg (~290 km) west of both
    sites = _gdf({"s": (-102.0, 32.0)})
    towns = _gdf({"near": (-101.4, 32.0), "far": (-99.0, 32.0)})
    pops = _gdf({"p": (-105.0, 32.0)})
    g = nx.Graph()
    g.add_node("p")
    gc = distance_matrix_km([32.0], [-102.0], [32.0, 32.0], [-101.4, -99.0])[0]
    lat_s = distance_matrix_km([32.0], [-102.0], [32.0], [-105.0])[0, 0] * 1.2
    lat_near = distance_matrix_km([32.0], [-101.4], [32.0], [-105.0])[0, 0] * 1.2
    rtt, _, _, direct = rtt_matrix(sites, towns, pops, g, 1.2, 5.0, 0.5, None, metro_max_km=150.0, route_factor=1.3)
    assert direct.at["s", "near"] == pytest.approx(gc[0] * 1.3)
    assert rtt.at["s", "near"] == pytest.approx(2 * gc[0] * 1.3 * 5.0 / 1000 + 0.5)
    assert math.isnan(direct.at["s", "far"])  # 280 km apart: beyond metro_max_km, through the PoP
    off, _, _, none = rtt_matrix(sites, towns, pops, g, 1.2, 5.0, 0.5, None, metro_max_km=0.0, route_factor=1.3)
    assert none.isna().all().all()
    assert off.at["s", "near"] == pytest.approx(2 * (lat_s + lat_near) * 5.0 / 1000 + 0.5)
    # a backbone path shorter than the direct one wins
    short, _, _, d2 = rtt_matrix(sites, towns, _gdf({"p": (-101.7, 32.0)}), g, 1.0, 5.0, 0.5, None,
                                 metro_max_km=150.0, route_factor=2.0)
    assert math.isnan(d2.at["s", "near"])


def test_odessa_reaches_the_permian_sites():
    # The Odessa metro's backbone route went through El Paso (865 km for a site 66 km away): 3 of 120
    # sites within 10 ms before. Now every site within metro_max_km (150 km) is, by the direct path.
    study = siteplan.load(REPO / "models" / "texas.yaml")
    p = prepare(study.scenario, study.dataset, study.catalog)
    odessa = "dem_odessa_tx"
    town = study.dataset.demand.geometry.loc[odessa]
    sites = study.dataset.sites
    gc = distance_matrix_km(sites.geometry.y.values, sites.geometry.x.values, [town.y], [town.x])[:, 0]
    near = sites.index[gc <= study.scenario.network.metro_max_km]
    assert len(near) >= 5
    assert (p.rtt_ms.loc[near, odessa] <= 10.0).all()
    assert p.direct_km.loc[near, odessa].notna().all()


def test_plan_routes_show_the_metro_path(tmp_path):
    # the site 48 km east of the demand town; their only PoP 143 km west of the town: the town is
    # served over a direct metro path, drawn site -> town with no backbone link
    path = write_tiny(tmp_path, sites=[site("s1", lon=-96.5)], substations=[sub("b1", lon=-96.5)],
                      pop_xy=(-98.5, 31.0))
    plan, prep = solve_checked(path)
    routes = plan.routes
    assert len(routes) == 1 and routes.iloc[0]["rtt_source"] == "metro"
    gc = distance_matrix_km([31.0], [-96.5], [31.0], [-97.0])[0, 0]
    assert routes.iloc[0]["route_km"] == pytest.approx(gc * 1.3)
    assert routes.iloc[0]["fiber_links"] == ""
    assert list(routes.iloc[0].geometry.coords) == [(-96.5, 31.0), (-97.0, 31.0)]
    net = prep.scenario.network
    assert routes.iloc[0]["rtt_ms"] == pytest.approx(2 * gc * 1.3 * net.us_per_km / 1000 + net.rtt_overhead_ms)
