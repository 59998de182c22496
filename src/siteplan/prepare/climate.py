"""PUE and WUE per (site, cooling design, slice) from the nearest station's temperatures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.geo import distance_matrix_km


def site_stations(sites, climate: xr.Dataset) -> pd.Series:
    """Nearest weather station id for each site (ties to the lowest sorted id)."""
    st = np.array(climate["station"].values)
    d = distance_matrix_km(sites.geometry.y.values, sites.geometry.x.values,
                           climate["lat"].values, climate["lon"].values)
    return pd.Series(st[np.argmin(d, axis=1)], index=sites.index, name="station")


def pue_wue(designs: dict, stations: pd.Series, climate: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Piecewise-linear PUE(dry bulb) and WUE(wet bulb), clamped at the curve ends.

    Returns two DataArrays with dims (site, cooling, slice).
    """
    dry = climate["dry_bulb_c"].sel(station=stations.values).transpose("station", "slice").values
    wet = climate["wet_bulb_c"].sel(station=stations.values).transpose("station", "slice").values
    names = sorted(designs)
    pue = np.stack([np.interp(dry, designs[k].pue_curve.dry_bulb_c, designs[k].pue_curve.pue) for k in names], axis=1)
    wue = np.stack([np.interp(wet, designs[k].wue_curve.wet_bulb_c, designs[k].wue_curve.wue_l_per_kwh)
                    for k in names], axis=1)
    coords = {"site": stations.index.values, "cooling": names, "slice": climate["slice"].values}
    return (xr.DataArray(pue, dims=("site", "cooling", "slice"), coords=coords, name="pue"),
            xr.DataArray(wue, dims=("site", "cooling", "slice"), coords=coords, name="wue_l_per_kwh"))
