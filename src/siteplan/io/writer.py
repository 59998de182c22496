"""Write a regional dataset folder in the siteplan formats (deterministic bytes).

Used for the hand-made example, the tests' tiny instances and the benchmark generator; the
regional data builder writes the same formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import numpy as np
import xarray as xr
import yaml

from siteplan.io import PRICE_FACTORS


def _num(v):
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if v != v else v  # json writes repr(): the shortest text that reads back the same float
    if isinstance(v, np.integer):
        return int(v)
    return v


def write_geojson(path: Path, features: Iterable[dict], geom_key: str = "geometry") -> None:
    """Write features ``{..properties.., "geometry": {"type": ..., "coordinates": ...}}`` as GeoJSON.

    A feature may give ``lon``/``lat`` instead of ``geometry`` for a Point. Keys are written in
    sorted order; property numbers are written in full (they read back as the same floats); point
    coordinates given as ``lon``/``lat`` are rounded to 6 decimals (0.1 m).
    """
    feats = []
    for f in features:
        f = dict(f)
        if geom_key in f:
            geom = f.pop(geom_key)
        else:
            geom = {"type": "Point", "coordinates": [round(float(f.pop("lon")), 6), round(float(f.pop("lat")), 6)]}
        props = {k: _num(v) for k, v in f.items()}
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
           "features": feats}
    path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")


def line(a: tuple[float, float], b: tuple[float, float]) -> dict:
    """A two-point LineString geometry from (lon, lat) pairs."""
    return {"type": "LineString", "coordinates": [[round(a[0], 6), round(a[1], 6)], [round(b[0], 6), round(b[1], 6)]]}


def write_climate(path: Path, stations: list[dict], slices: list[str], weight_h: list[float],
                  dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, days: list[tuple[str, int, float]] | None = None) -> None:
    """Write ``climate.nc`` (NetCDF3 via scipy: byte-for-byte reproducible).

    ``days``, if given, is the day structure: ``(day, order_in_day, duration_h)`` per slice.
    """
    data = {"weight_h": ("slice", np.asarray(weight_h, float)),
            "dry_bulb_c": (("station", "slice"), np.asarray(dry_bulb_c, float)),
            "wet_bulb_c": (("station", "slice"), np.asarray(wet_bulb_c, float))}
    if days is not None:
        data["day"] = ("slice", np.array([str(d) for d, _, _ in days], dtype=object))
        data["order_in_day"] = ("slice", np.array([o for _, o, _ in days], dtype=np.int32))
        data["duration_h"] = ("slice", np.array([h for _, _, h in days], dtype=float))
    ds = xr.Dataset(
        data,
        coords={"station": [s["station"] for s in stations], "slice": list(slices),
                "lat": ("station", [float(s["lat"]) for s in stations]),
                "lon": ("station", [float(s["lon"]) for s in stations])})
    ds.to_netcdf(path, engine="scipy")


def write_dataset(folder: str | Path, *, name: str, sites: list[dict], substations: list[dict],
                  transmission: list[dict], pops: list[dict], fiber: list[dict], demand: list[dict],
                  stations: list[dict], slices: list[str], weight_h: list[float], dry_bulb_c, wet_bulb_c,
                  prices: list[dict], description: str = "", sources: str = "hand-made",
                  latency: list[dict] | None = None, serving_cost: list[dict] | None = None,
                  days: list[tuple[str, int, float]] | None = None) -> Path:
    """Write every file of a dataset folder; returns the folder path.

    ``days``: the slices' day structure, ``(day, order_in_day, duration_h)`` per slice (optional;
    see :func:`siteplan.io.slice_days`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text(yaml.safe_dump({"name": name, "description": description,
                                                          "sources": sources}, sort_keys=True))
    write_geojson(folder / "sites.geojson", sites)
    write_geojson(folder / "substations.geojson", substations)
    write_geojson(folder / "transmission.geojson", transmission)
    write_geojson(folder / "pops.geojson", pops)
    write_geojson(folder / "fiber.geojson", fiber)
    write_geojson(folder / "demand.geojson", demand)
    write_climate(folder / "climate.nc", stations, slices, weight_h, dry_bulb_c, wet_bulb_c, days)
    factors = [c for c in PRICE_FACTORS if any(c in r for r in prices)]  # optional columns, when given
    _write_csv(folder / "prices.csv", ["zone", "slice", "energy_price_usd_per_mwh", "carbon_t_per_mwh", *factors],
               prices)
    if latency is not None:
        _write_csv(folder / "latency.csv", ["site_id", "region_id", "rtt_ms"], latency)
    if serving_cost is not None:
        _write_csv(folder / "serving_cost.csv", ["site_id", "region_id", "serving_cost_usd_per_gpu_yr"], serving_cost)
    return folder


def _csv_cell(v) -> str:
    """One CSV cell; a float is written as ``repr`` (shortest text that reads back as the same float),
    without a trailing ``.0`` (``58`` rather than ``58.0``)."""
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v)


def _write_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    out = [",".join(cols)]
    for r in rows:
        out.append(",".join(_csv_cell(r[c]) for c in cols))
    path.write_text("\n".join(out) + "\n")
