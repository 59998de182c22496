"""climate.nc: dry and wet bulb per (station, slice), or on a (lat, lon) grid interpolated at
the sites, and the slices' weights."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siteplan._scipy import import_scipy
from siteplan.errors import Problem
from siteplan.io.days import day_structure_problems
from siteplan.io.limits import DAY_VARIABLES, HOURS_PER_YEAR, NULL_ISLAND, RESERVED_SLICE, TEMPERATURE_RANGE_C
from siteplan.io.readers import _read_netcdf, _text_ids


def _load_climate(folder: Path, probs: list[Problem], files: dict[str, Path]) -> xr.Dataset | None:
    path = folder / "climate.nc"
    fname = str(path)
    if not path.exists() and not path.is_symlink():
        probs.append(Problem(fname, None, None, "file not found"))
        return None
    files["climate"] = path
    ds = _read_netcdf(path, probs)
    if ds is None:
        return None
    if "station" not in ds.dims and {"lat", "lon"} <= set(ds.dims):
        return _load_climate_grid(ds, fname, probs)
    missing = [v for v in ("weight_h", "dry_bulb_c", "wet_bulb_c", "lat", "lon") if v not in ds.variables]
    for v in missing:
        probs.append(Problem(fname, None, v, "required variable is missing"))
    for d in ("station", "slice"):
        if d not in ds.dims:
            probs.append(Problem(fname, None, d, "required dimension is missing"))
    if missing or any(d not in ds.dims for d in ("station", "slice")):
        return None
    ds = ds.assign_coords(station=_text_ids(ds["station"].values, fname, "station", probs))
    idx = pd.Index(ds["station"].values)
    for dup in sorted(set(idx[idx.duplicated()])):
        probs.append(Problem(fname, dup, "station", "duplicate id"))
    ds = _check_slices(ds, fname, probs)
    for v in ("dry_bulb_c", "wet_bulb_c"):
        arr = ds[v]
        if set(arr.dims) != {"station", "slice"}:
            probs.append(Problem(fname, None, v, f"must have dims (station, slice), has {arr.dims}"))
            return None
        bad = ~np.isfinite(arr.transpose("station", "slice").values)
        for i, j in zip(*np.nonzero(bad)):
            probs.append(Problem(fname, f"{ds['station'].values[i]}/{ds['slice'].values[j]}", v, "missing value (NaN)"))
    for v in ("dry_bulb_c", "wet_bulb_c"):  # plausibility: catches kelvin or Fahrenheit given as Celsius
        vals = ds[v].transpose("station", "slice").values
        out = np.isfinite(vals) & ((vals < TEMPERATURE_RANGE_C[0]) | (vals > TEMPERATURE_RANGE_C[1]))
        for i, j in zip(*np.nonzero(out)):
            probs.append(Problem(fname, f"{ds['station'].values[i]}/{ds['slice'].values[j]}", v,
                                 f"{vals[i, j]:g} is outside the plausible range {TEMPERATURE_RANGE_C[0]:g} to "
                                 f"{TEMPERATURE_RANGE_C[1]:g} degC (kelvin or Fahrenheit?)"))
    wet_gt = (ds["wet_bulb_c"] > ds["dry_bulb_c"] + 1e-9).transpose("station", "slice").values
    for i, j in zip(*np.nonzero(wet_gt)):
        probs.append(Problem(fname, f"{ds['station'].values[i]}/{ds['slice'].values[j]}", "wet_bulb_c",
                             "wet bulb exceeds dry bulb"))
    for v, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        vals = ds[v].values
        for s, x in zip(ds["station"].values, vals):
            if not np.isfinite(x) or not lo <= x <= hi:
                probs.append(Problem(fname, s, v, f"must be within [{lo}, {hi}], got {x}"))
    for s, la, lo in zip(ds["station"].values, ds["lat"].values, ds["lon"].values):
        if la == 0 and lo == 0:
            probs.append(Problem(fname, s, "lat/lon", NULL_ISLAND))
    return ds.sortby("station")


def _check_slices(ds: xr.Dataset, fname: str, probs: list[Problem]) -> xr.Dataset:
    """Slice ids (strings, unique, not reserved) and ``weight_h`` (positive, summing to 8760)."""
    ds = ds.assign_coords(slice=_text_ids(ds["slice"].values, fname, "slice", probs))
    idx = pd.Index(ds["slice"].values)
    for dup in sorted(set(idx[idx.duplicated()])):
        probs.append(Problem(fname, dup, "slice", "duplicate id"))
    if RESERVED_SLICE in set(ds["slice"].values):
        probs.append(Problem(fname, RESERVED_SLICE, "slice", "reserved slice name (merged studies add a slice "
                                                            "of this name for peak conditions); rename it"))
    w = ds["weight_h"]
    if w.dims != ("slice",):
        probs.append(Problem(fname, None, "weight_h", f"must have dims ('slice',), has {w.dims}"))
    else:
        for sl, v in zip(ds["slice"].values, w.values):
            if not np.isfinite(v) or v <= 0:
                probs.append(Problem(fname, sl, "weight_h", f"must be a positive number of hours, got {v}"))
        total = float(np.nansum(w.values))
        if abs(total - HOURS_PER_YEAR) > 1e-6 * HOURS_PER_YEAR:
            probs.append(Problem(fname, None, "weight_h", f"slice weights sum to {total:g} h, expected 8760"))
    day_structure_problems(ds, fname, probs)
    return ds


def _load_climate_grid(ds: xr.Dataset, fname: str, probs: list[Problem]) -> xr.Dataset | None:
    """The gridded form of climate.nc: ``dry_bulb_c``/``wet_bulb_c`` on (lat, lon, slice).

    Returned as read (lat and lon ascending), marked ``attrs["siteplan_form"] = "grid"``;
    :func:`climate_at_sites` interpolates it at the sites once they are loaded.
    """
    n0 = len(probs)
    for v in ("weight_h", "dry_bulb_c", "wet_bulb_c"):
        if v not in ds.variables:
            probs.append(Problem(fname, None, v, "required variable is missing"))
    if "slice" not in ds.dims:
        probs.append(Problem(fname, None, "slice", "required dimension is missing"))
    if len(probs) > n0:
        return None
    for c, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        vals = np.asarray(ds[c].values, dtype=float)
        if len(vals) < 2 or not np.isfinite(vals).all() or vals.min() < lo or vals.max() > hi:
            probs.append(Problem(fname, None, c, f"grid coordinate must hold >= 2 finite values within [{lo}, {hi}]"))
        elif len(np.unique(vals)) != len(vals):
            probs.append(Problem(fname, None, c, "grid coordinate has repeated values"))
    if len(probs) > n0:
        return None
    ds = _check_slices(ds.sortby(["lat", "lon"]), fname, probs)
    for v in ("dry_bulb_c", "wet_bulb_c"):
        if set(ds[v].dims) != {"lat", "lon", "slice"}:
            probs.append(Problem(fname, None, v, f"must have dims (lat, lon, slice), has {ds[v].dims}"))
            return None
        vals = ds[v].transpose("lat", "lon", "slice").values
        bad = ~np.isfinite(vals) | (vals < TEMPERATURE_RANGE_C[0]) | (vals > TEMPERATURE_RANGE_C[1])
        for i, j, k in list(zip(*np.nonzero(bad)))[:20]:
            probs.append(Problem(fname, f"lat {ds['lat'].values[i]:g}/lon {ds['lon'].values[j]:g}/{ds['slice'].values[k]}",
                                 v, f"{vals[i, j, k]:g} is missing or outside the plausible range "
                                    f"{TEMPERATURE_RANGE_C[0]:g} to {TEMPERATURE_RANGE_C[1]:g} degC (kelvin or Fahrenheit?)"))
    wet_gt = (ds["wet_bulb_c"] > ds["dry_bulb_c"] + 1e-9).transpose("lat", "lon", "slice").values
    for i, j, k in list(zip(*np.nonzero(wet_gt)))[:20]:
        probs.append(Problem(fname, f"lat {ds['lat'].values[i]:g}/lon {ds['lon'].values[j]:g}/{ds['slice'].values[k]}",
                             "wet_bulb_c", "wet bulb exceeds dry bulb"))
    ds.attrs["siteplan_form"] = "grid"
    return ds


def climate_at_sites(grid: xr.Dataset, sites: gpd.GeoDataFrame, fname: str,
                     probs: list[Problem]) -> xr.Dataset | None:
    """Interpolate a gridded climate bilinearly at each site: one station per site (id = site id).

    Linear interpolation keeps wet bulb <= dry bulb (it holds at every grid node). A site outside
    the grid's extent is a problem, not an extrapolation.

    Parameters
    ----------
    grid : xarray.Dataset
        The gridded climate (``dry_bulb_c``/``wet_bulb_c`` on lat, lon, slice; ``weight_h``).
    sites : geopandas.GeoDataFrame
        Candidate sites (Points), indexed by site id.
    fname, probs
        The file name for problems, and the list they are appended to.

    Returns
    -------
    xarray.Dataset or None
        Station form (one station per site), or None when a site cannot be interpolated.
    """
    import_scipy()  # xarray's interp uses scipy
    points = np.array([g is not None and not g.is_empty and g.geom_type == "Point" for g in sites.geometry], dtype=bool)
    if not points.all():  # those sites' geometry is already reported; nothing to interpolate at
        return None
    lat, lon = sites.geometry.y.values, sites.geometry.x.values
    la, lo = grid["lat"].values, grid["lon"].values
    outside = (lat < la.min()) | (lat > la.max()) | (lon < lo.min()) | (lon > lo.max())
    for sid, la_, lo_ in zip(sites.index[outside], lat[outside], lon[outside]):
        probs.append(Problem(fname, sid, "lat/lon", f"site at ({la_:g}, {lo_:g}) is outside the climate grid "
                                                   f"(lat {la.min():g}..{la.max():g}, lon {lo.min():g}..{lo.max():g})"))
    if outside.any() or not len(sites):
        return None
    ids = list(sites.index)
    at = grid[["dry_bulb_c", "wet_bulb_c"]].interp(lat=xr.DataArray(lat, dims="station"),
                                                    lon=xr.DataArray(lon, dims="station"), method="linear")
    out = xr.Dataset({v: at[v].transpose("station", "slice").drop_vars(["lat", "lon"], errors="ignore")
                      for v in ("dry_bulb_c", "wet_bulb_c")})
    out = out.assign_coords(station=ids, slice=grid["slice"].values)
    out["lat"] = ("station", lat.astype(float))
    out["lon"] = ("station", lon.astype(float))
    out["weight_h"] = grid["weight_h"]
    for v in DAY_VARIABLES:  # the day structure of the slices, if the grid has one
        if v in grid.variables:
            out[v] = ("slice", grid[v].values)
    out.attrs.update(grid.attrs)
    out.attrs["siteplan_form"] = "grid interpolated at the sites"
    return out.sortby("station")
