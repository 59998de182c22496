"""Great-circle geometry on WGS84 lon/lat (no projection needed at regional scale)."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km; arguments broadcast like numpy arrays (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix_km(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    """All-pairs great-circle distances, shape (len(a), len(b))."""
    lat_a, lon_a = np.asarray(lat_a, float)[:, None], np.asarray(lon_a, float)[:, None]
    lat_b, lon_b = np.asarray(lat_b, float)[None, :], np.asarray(lon_b, float)[None, :]
    return haversine_km(lat_a, lon_a, lat_b, lon_b)


def line_length_km(geom) -> float:
    """Great-circle length of a (Multi)LineString in km (sum over its segments)."""
    parts = getattr(geom, "geoms", [geom])
    total = 0.0
    for part in parts:
        xy = np.asarray(part.coords)
        if len(xy) >= 2:
            total += float(haversine_km(xy[:-1, 1], xy[:-1, 0], xy[1:, 1], xy[1:, 0]).sum())
    return total
