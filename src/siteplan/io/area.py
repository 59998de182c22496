"""The region a dataset covers, and every feature or weather station outside it (a longitude's
sign flipped, lat and lon swapped)."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import xarray as xr

from siteplan.errors import Problem
from siteplan.io.limits import AREA_MARGIN_KM, AREA_QUANTILES, KM_PER_DEG_LAT


def dataset_area(substations: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """The region a dataset covers: its substations' extent, widened by ``AREA_MARGIN_KM``.

    The extent is that of the middle 96 % of the substations' longitudes and latitudes
    (``AREA_QUANTILES``), so one misplaced substation does not stretch it.

    Parameters
    ----------
    substations : geopandas.GeoDataFrame
        The dataset's substations (Points, lon/lat).

    Returns
    -------
    (west, south, east, north) or None
        In degrees; None without a substation with valid coordinates.
    """
    ok = [g for g in substations.geometry if g is not None and not g.is_empty and g.geom_type == "Point"
          and -180 <= g.x <= 180 and -90 <= g.y <= 90 and not (g.x == 0 and g.y == 0)]
    if not ok:
        return None
    lon = np.array([g.x for g in ok])
    lat = np.array([g.y for g in ok])
    (w, e), (s, n) = np.quantile(lon, AREA_QUANTILES), np.quantile(lat, AREA_QUANTILES)
    dlat = AREA_MARGIN_KM / KM_PER_DEG_LAT
    widest = min(89.0, max(abs(s), abs(n)) + dlat)  # the margin in longitude at the area's widest latitude
    dlon = AREA_MARGIN_KM / (KM_PER_DEG_LAT * math.cos(math.radians(widest)))
    return (max(-180.0, w - dlon), max(-90.0, s - dlat), min(180.0, e + dlon), min(90.0, n + dlat))


def _area_problems(layers: dict[str, gpd.GeoDataFrame], substations: gpd.GeoDataFrame, climate: xr.Dataset | None,
                   files: dict[str, Path], probs: list[Problem]) -> None:
    """Name every feature (and weather station) outside the dataset's area (:func:`dataset_area`)."""
    import shapely

    area = dataset_area(substations)
    if area is None:
        return
    w, s, e, n = area
    where = (f"outside the dataset's area (lon {w:.1f} to {e:.1f}, lat {s:.1f} to {n:.1f}: its substations' "
             f"extent and {AREA_MARGIN_KM:g} km); a longitude's sign flipped, or lat and lon swapped?")

    def outside(x, y) -> bool:
        return not (w <= x <= e and s <= y <= n)

    for stem, table in layers.items():
        if stem not in files:
            continue
        for lab, g in zip(table.index, table.geometry):
            if g is None or g.is_empty:
                continue
            xy = shapely.get_coordinates(g)
            bad = [(x, y) for x, y in xy if -180 <= x <= 180 and -90 <= y <= 90 and not (x == 0 and y == 0)
                   and outside(x, y)]
            if bad:
                probs.append(Problem(str(files[stem]), lab, "geometry", f"({bad[0][0]:g}, {bad[0][1]:g}) is {where}"))
    if climate is not None and {"lat", "lon", "station"} <= set(climate.variables):
        for sid, la, lo in zip(climate["station"].values, climate["lat"].values, climate["lon"].values):
            if np.isfinite(la) and np.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180 \
                    and not (la == 0 and lo == 0) and outside(lo, la):
                probs.append(Problem(str(files["climate"]), str(sid), "lat/lon",
                                     f"station at lon {lo:g}, lat {la:g} is {where}"))
