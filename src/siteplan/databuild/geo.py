"""Distances and deterministic writers (GeoJSON, CSV) shared by the builders."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np

EARTH_RADIUS_KM = 6371.0088
COORD_DECIMALS = 5


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km; numpy-broadcasting."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def dist_matrix_km(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    """|a| x |b| great-circle distances in km."""
    return haversine_km(np.asarray(lon_a)[:, None], np.asarray(lat_a)[:, None],
                        np.asarray(lon_b)[None, :], np.asarray(lat_b)[None, :])


def offset_point(lon: float, lat: float, bearing_deg: float, dist_km: float) -> tuple[float, float]:
    """Point at ``dist_km`` along ``bearing_deg`` (clockwise from north), spherical earth."""
    d = dist_km / EARTH_RADIUS_KM
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(l2), math.degrees(p2)


def _coord(x: float) -> float:
    v = round(float(x), COORD_DECIMALS)
    return 0.0 if v == 0 else v


def clean_number(v: Any, ndigits: int) -> Any:
    """Round floats to ``ndigits``; keep None, ints, strings; normalise -0.0."""
    if v is None:
        return None
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)
    if math.isnan(f):
        return None
    f = round(f, ndigits)
    return 0.0 if f == 0 else f


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [_coord(lon), _coord(lat)]}


def line(coords: Iterable[tuple[float, float]]) -> dict:
    return {"type": "LineString", "coordinates": [[_coord(x), _coord(y)] for x, y in coords]}


def write_geojson(path: Path, features: list[tuple[dict, dict]], id_field: str) -> Path:
    """Write a FeatureCollection deterministically.

    ``features`` are (properties, geometry) pairs; they are sorted by ``properties[id_field]``,
    keys are sorted, one feature per line, LF line endings, no timestamps.
    """
    feats = sorted(features, key=lambda f: str(f[0][id_field]))
    lines = ['{"type": "FeatureCollection", "features": [']
    for i, (props, geom) in enumerate(feats):
        s = json.dumps({"type": "Feature", "properties": props, "geometry": geom},
                       sort_keys=True, ensure_ascii=False, allow_nan=False)
        lines.append(s + ("," if i < len(feats) - 1 else ""))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "_" for c in text)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "x"
