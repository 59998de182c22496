"""Candidate sites: parcels next to HV substations, away from dense cities.

Method: every retained substation of the core area with voltage >= ``MIN_SITE_KV`` and
headroom >= ``MIN_HEADROOM_MW`` is a seed, taken in order (voltage desc, headroom desc, id). A parcel
is placed ``OFFSETS_KM`` from the substation, first on the bearing pointing away from the nearest
city, then on the other eight compass bearings, at the first point that is >= ``BIG_CITY_KM`` from
every city over ``BIG_CITY_POP`` and >= ``ANY_CITY_KM`` from every city of >= 15k (GeoNames), lies
in one of the region's states (Census polygons) and is >= ``SITE_SPACING_KM`` from earlier parcels.
At most ``MAX_SITES`` parcels, the campus-belt parcels of :mod:`siteplan.databuild.campuses` first
(placed by their own rule, near the towns the general rule avoids). A site is named after its nearest
city of >= 15k ("near Tyler, TX (Tyler 7)"; beyond ``NEAR_TOWN_KM``: "65 km from Big Spring, TX
(Sterling City 1)") and its seed substation, without a voltage (:func:`site_name`).

max_it_mw by the seed's voltage (``MAX_IT_BY_KV``); land area = ``ACRES_FIXED`` + ``ACRES_PER_MW`` x
max_it_mw; land_cost_usd = area x region $/acre x (1 + 1.5 exp(-d / 40 km)), d = distance to the
nearest city over 500k (closer to a metro = dearer). Arid regions (and Texas west of 100 W) get a
water cap of ``WATER_L_PER_KWH`` litres per kWh of IT energy at max_it_mw (enough for an adiabatic
economiser, not for open cooling towers at full load).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, shape

from .geo import dist_matrix_km, haversine_km, offset_point, slug
from .regions import Region, in_bbox

MIN_SITE_KV = 115.0
MIN_HEADROOM_MW = 20.0
BIG_CITY_POP = 500_000
BIG_CITY_KM = 15.0
ANY_CITY_KM = 5.0
SITE_SPACING_KM = 10.0
MAX_SITES = 120
OFFSETS_KM = (3.0, 6.0, 10.0)
MAX_IT_BY_KV = {115.0: 100.0, 138.0: 150.0, 161.0: 200.0, 230.0: 400.0, 345.0: 600.0, 500.0: 1000.0,
                765.0: 1000.0}
ACRES_FIXED = 30.0
ACRES_PER_MW = 1.0
WATER_L_PER_KWH = 0.25
NEAR_TOWN_KM = 20.0  # a site farther than this from its nearest town says how far (site_name)


def site_name(town: str, town_km: float, substation: str) -> str:
    """A site's dataset name: 'near Tyler, TX (Tyler 7)' within ``NEAR_TOWN_KM`` of its nearest town
    (GeoNames, population >= 15k), else how far it is: '65 km from Big Spring, TX (Sterling City 1)'.
    The bracket names the seed substation, without its voltage (the site may connect elsewhere, at
    another voltage)."""
    where = f"near {town}" if town_km <= NEAR_TOWN_KM else f"{town_km:.0f} km from {town}"
    return f"{where} ({substation})"


def _max_it(kv: float) -> float:
    return max(v for k, v in MAX_IT_BY_KV.items() if k <= kv)


def state_polygons(states_geojson: dict) -> dict[str, object]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in states_geojson["features"]}


def build_sites(region: Region, subs: pd.DataFrame, cities: pd.DataFrame,
                polygons: dict[str, object]) -> list[dict]:
    """Return a list of site records (dicts with lon, lat and the sites.geojson fields): the campus-belt
    parcels of :mod:`siteplan.databuild.campuses` first, then the general rule, ``MAX_SITES`` in all."""
    polys = {c: polygons[c] for c in region.states if c in polygons}
    for p in polys.values():
        shapely.prepare(p)
    core = subs[in_bbox(subs.lon, subs.lat, region.bbox) & subs.state.isin(region.states)
                & (subs.voltage_kv >= MIN_SITE_KV) & (subs.headroom_mw >= MIN_HEADROOM_MW)]
    order = sorted(core.index, key=lambda i: (-core.at[i, "voltage_kv"], -core.at[i, "headroom_mw"], i))
    near = cities[in_bbox(cities.longitude, cities.latitude, region.bbox, 1.0)]
    big = near[near.population > BIG_CITY_POP]
    clon, clat = near.longitude.to_numpy(), near.latitude.to_numpy()
    blon, blat = big.longitude.to_numpy(), big.latitude.to_numpy()

    def state_of(lon, lat):
        return next((c for c, p in sorted(polys.items()) if p.contains(Point(lon, lat))), None)

    def record(site_id, name, lon, lat, r, sid, zone, land_factor=1.0) -> dict:
        max_it = _max_it(float(r.voltage_kv))
        d_big = float(haversine_km(lon, lat, blon, blat).min()) if len(blon) else 500.0
        acres = ACRES_FIXED + ACRES_PER_MW * max_it
        land = acres * region.land_usd_per_acre * (1.0 + 1.5 * math.exp(-d_big / 40.0)) * land_factor
        water = None
        if region.arid or (region.name == "texas" and lon < -100.0):
            water = max_it * 8760.0 * 1000.0 * WATER_L_PER_KWH / 1000.0
        return {"site_id": site_id, "lon": lon, "lat": lat, "name": name,
                "max_it_mw": max_it, "land_cost_usd": round(land, -3), "zone": zone,
                "min_it_mw": None, "water_limit_m3_per_yr": water, "fixed_cost_usd": None,
                "substation_id": f"sub_{sid}", "land_acres": acres}

    sites = place_campus_sites(region, core, cities, state_of, record)
    for sid in order:
        if len(sites) >= MAX_SITES:
            break
        r = core.loc[sid]
        d_c = haversine_km(r.lon, r.lat, clon, clat)
        k = int(np.argmin(d_c))
        away = _bearing(clon[k], clat[k], r.lon, r.lat)
        bearings = [away] + [(away + 45.0 * j) % 360.0 for j in (1, -1, 2, -2, 3, -3, 4)]
        placed = None
        for off in OFFSETS_KM:
            for b in bearings:
                lon, lat = offset_point(float(r.lon), float(r.lat), b, off)
                if haversine_km(lon, lat, clon, clat).min() < ANY_CITY_KM:
                    continue
                if len(blon) and haversine_km(lon, lat, blon, blat).min() < BIG_CITY_KM:
                    continue
                if sites and haversine_km(lon, lat, np.array([s["lon"] for s in sites]),
                                          np.array([s["lat"] for s in sites])).min() < SITE_SPACING_KM:
                    continue
                zone = state_of(lon, lat)
                if zone is None:
                    continue
                placed = (lon, lat, zone)
                break
            if placed:
                break
        if not placed:
            continue
        lon, lat, zone = placed
        d_town = haversine_km(lon, lat, clon, clat)
        k = int(np.argmin(d_town))
        town = near.iloc[k]
        sites.append(record(f"site_{sid}", site_name(f"{town['name']}, {town['state']}", float(d_town[k]),
                                                     r["name"].title()), lon, lat, r, sid, zone))
    return sites


def place_campus_sites(region: Region, core: pd.DataFrame, cities: pd.DataFrame, state_of, record) -> list[dict]:
    """One parcel per campus belt of the region (method: :mod:`siteplan.databuild.campuses`)."""
    from .campuses import (CAMPUS_LAND_FACTOR, CAMPUS_MAX_KM, CAMPUS_MIN_TOWN_KM, CAMPUS_OFFSET_KM,
                           CAMPUS_LINE_MAX_KM, CAMPUS_SPACING_KM, CAMPUS_TOWN_KM, CAMPUS_TOWNS)

    out: list[dict] = []
    for town, state, _why in CAMPUS_TOWNS.get(region.name, []):
        hit = cities[(cities["name"] == town) & (cities["state"] == state)]
        if len(hit) != 1:
            raise KeyError(f"campus town {town}, {state} is not (uniquely) in the GeoNames cities")
        t = hit.iloc[0]
        d = haversine_km(float(t.longitude), float(t.latitude), core.lon.to_numpy(), core.lat.to_numpy())
        ok = np.flatnonzero(d <= CAMPUS_MAX_KM)
        if not len(ok):
            raise KeyError(f"campus town {town}, {state}: no substation >= {MIN_SITE_KV:g} kV with headroom "
                           f"within {CAMPUS_MAX_KM:g} km")
        j = ok[np.lexsort((core.index.to_numpy()[ok], d[ok]))[0]]
        sid, r = core.index[j], core.iloc[j]
        tlon, tlat = float(t.longitude), float(t.latitude)
        toward = _bearing(float(r.lon), float(r.lat), tlon, tlat)
        # in the town's belt: CAMPUS_TOWN_KM from its centre towards the substation (a line then joins
        # them); next to the substation when it is that close to the town
        from_town = max(CAMPUS_TOWN_KM, float(d[j]) - CAMPUS_LINE_MAX_KM)
        tries = [(tlon, tlat, (toward + 180.0) % 360.0, from_town)] if d[j] > CAMPUS_TOWN_KM + CAMPUS_OFFSET_KM else []
        tries += [(float(r.lon), float(r.lat), b, CAMPUS_OFFSET_KM) for b in (toward, (toward + 180.0) % 360.0)]
        for lon0, lat0, b, km in tries:
            lon, lat = offset_point(lon0, lat0, b, km)
            if haversine_km(lon, lat, tlon, tlat) < CAMPUS_MIN_TOWN_KM:
                continue
            if out and haversine_km(lon, lat, np.array([s["lon"] for s in out]),
                                    np.array([s["lat"] for s in out])).min() < CAMPUS_SPACING_KM:
                continue
            zone = state_of(lon, lat)
            if zone is not None:
                break
        else:
            raise KeyError(f"campus town {town}, {state}: no parcel near it or substation sub_{sid} fits")
        out.append(record(f"site_{slug(town)}_{state.lower()}",
                          f"{town} campus belt, {state} ({r['name'].title()})",
                          lon, lat, r, sid, zone, CAMPUS_LAND_FACTOR))
    return out


def _bearing(lon1, lat1, lon2, lat2) -> float:
    """Initial bearing from point 1 to point 2 (deg clockwise from north), rounded to 1 deg."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return round(math.degrees(math.atan2(x, y)) % 360.0)


__all__ = ["build_sites", "state_polygons", "dist_matrix_km"]
