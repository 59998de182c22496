"""Time-slice aggregation: merge many representative slices into fewer, keeping the extremes.

Slices are clustered on what drives the model in them: energy price and carbon intensity per zone,
dry- and wet-bulb temperature per weather station (each standardised). The hottest slice of the
hottest station always keeps a cluster of its own. Clusters are merged by hour-weighted means;
weights add up, so the year still has 8760 h. Deterministic: farthest-point initialisation from the
hottest slice, then weighted k-means (Lloyd) with ties broken by slice order.

Other stations peak in other slices, which merging averages away; a plan sized on the merged slices
could then not power its sites at their own hottest hours. So a zero-hour **design-peak slice**
(``DESIGN_PEAK``) is appended, carrying each station's highest temperatures; preparation gives it
each site's worst PUE and WUE over the original slices (see :func:`siteplan.prepare.prepare`).
Every capacity (interconnect, on-site units, substations, corridors) must carry it, but it adds no
hours, energy, cost, water or emissions (tsam's "append extreme periods", with zero weight).
Shared capacities (substation supply, corridors) see every site at its own peak at once, which is
stricter than any real slice when stations peak at different times: conservative, and what makes
the investments feasible at full resolution. Dispatch in this slice costs nothing, so its split
between grid, on-site units and corridors is arbitrary; reports leave it out of peaks.
Batteries may discharge in it without charging for it (zero hours carry no energy): peak hours are
few, so a battery of a few hours' duration could cover them, but the model does not check that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.io import RESERVED_SLICE

DESIGN_PEAK = RESERVED_SLICE  # the zero-hour slice carrying every station's peak conditions (datasets may not use it)

AUTO_SITE_SLICES = 16_000  # sites x slices above which ``slice_clusters: auto`` merges slices
AUTO_MIN_SLICES = 8


def auto_clusters(n_sites: int, n_slices: int) -> int | None:
    """Slice count for ``formulation.slice_clusters: auto``; None keeps every slice.

    The per-(site, slice) rows and columns (facility power, dispatch, grid imports) dominate large
    models. Measured on the 2,000-site national benchmark (2 cores): at 48 slices HiGHS does not
    finish the root LP in 10 minutes; at 12 slices the root LP alone takes over 2 minutes; at 8
    slices about 75 s. Below ``AUTO_SITE_SLICES`` (every bundled region) all slices are kept.
    """
    if n_sites * n_slices <= AUTO_SITE_SLICES:
        return None
    k = max(AUTO_MIN_SLICES, AUTO_SITE_SLICES // max(n_sites, 1))
    return k if k + 1 < n_slices else None  # + 1: the design-peak slice


def cluster_slices(features: np.ndarray, weights: np.ndarray, k: int, keep: int, iters: int = 100) -> np.ndarray:
    """Cluster label per slice (``keep`` gets a singleton cluster 0). Labels are 0..k-1."""
    n = features.shape[0]
    if k >= n:
        return np.arange(n)
    x = features
    others = np.array([i for i in range(n) if i != keep])
    centers = [keep]
    while len(centers) < k:
        d = np.min(((x[:, None, :] - x[None, centers, :]) ** 2).sum(-1), axis=1)
        d[centers] = -1
        centers.append(int(np.argmax(d)))
    c = x[centers].copy()
    labels = np.zeros(n, dtype=int)
    for _ in range(iters):
        d = ((x[others, None, :] - c[None, 1:, :]) ** 2).sum(-1)
        new = np.concatenate([[0], np.argmin(d, axis=1) + 1])
        order = np.concatenate([[keep], others])
        lab = np.empty(n, dtype=int)
        lab[order] = new
        if np.array_equal(lab, labels):
            break
        labels = lab
        for j in range(1, k):
            mask = labels == j
            if mask.any():
                c[j] = np.average(x[mask], axis=0, weights=weights[mask])
    # renumber by first appearance so labels are stable
    _, first = np.unique(labels, return_index=True)
    remap = {old: new for new, old in enumerate(labels[np.sort(first)])}
    return np.array([remap[v] for v in labels])


def aggregate_slices(climate: xr.Dataset, prices: pd.DataFrame, k: int) -> tuple[xr.Dataset, pd.DataFrame, dict]:
    """Return climate and prices with ``k`` merged slices, and the mapping original slice -> new slice."""
    slices = [str(s) for s in climate["slice"].values]
    w = climate["weight_h"].values.astype(float)
    dry = climate["dry_bulb_c"].transpose("station", "slice").values
    wet = climate["wet_bulb_c"].transpose("station", "slice").values
    price = prices["energy_price_usd_per_mwh"].unstack("slice")[slices].values
    carbon = prices["carbon_t_per_mwh"].unstack("slice")[slices].values
    feats = np.vstack([dry, wet, price, carbon]).T  # slice x features
    sd = feats.std(axis=0)
    feats = (feats - feats.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    keep = int(np.unravel_index(np.argmax(dry), dry.shape)[1])
    labels = cluster_slices(feats, w, k, keep)
    names = []
    for j in range(labels.max() + 1):
        members = [slices[i] for i in range(len(slices)) if labels[i] == j]
        names.append(members[0] if len(members) == 1 else f"{members[0]}+{len(members) - 1}")
    onehot = np.zeros((len(slices), len(names)))
    onehot[np.arange(len(slices)), labels] = 1.0
    wk = w @ onehot

    def merge(a: np.ndarray) -> np.ndarray:  # (..., slice) -> (..., cluster), hour-weighted mean
        return (a * w) @ onehot / wk

    new_climate = xr.Dataset(
        {"weight_h": ("slice", wk), "dry_bulb_c": (("station", "slice"), merge(dry)),
         "wet_bulb_c": (("station", "slice"), merge(wet))},
        coords={"station": climate["station"].values, "slice": names, "lat": ("station", climate["lat"].values),
                "lon": ("station", climate["lon"].values)})
    zones = list(prices["energy_price_usd_per_mwh"].unstack("slice").index)
    mp, mc = merge(price), merge(carbon)
    new_prices = pd.DataFrame(
        {"energy_price_usd_per_mwh": mp.ravel(), "carbon_t_per_mwh": mc.ravel()},
        index=pd.MultiIndex.from_product([zones, names], names=["zone", "slice"])).sort_index()
    mapping = {s: names[labels[i]] for i, s in enumerate(slices)}
    return _with_design_peak(new_climate, climate), _prices_with_peak(new_prices, prices), mapping


def _with_design_peak(new_climate: xr.Dataset, climate: xr.Dataset) -> xr.Dataset:
    """Append the zero-hour slice with each station's highest dry and wet bulb."""
    peak = xr.Dataset(
        {"weight_h": ("slice", [0.0]),
         "dry_bulb_c": (("station", "slice"), climate["dry_bulb_c"].max("slice").values[:, None]),
         "wet_bulb_c": (("station", "slice"), climate["wet_bulb_c"].max("slice").values[:, None])},
        coords={"station": climate["station"].values, "slice": [DESIGN_PEAK],
                "lat": ("station", climate["lat"].values), "lon": ("station", climate["lon"].values)})
    return xr.concat([new_climate, peak], dim="slice", data_vars="minimal", coords="minimal")


def _prices_with_peak(new_prices: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Prices for the design-peak slice: each zone's highest (they weigh zero hours, so cost nothing)."""
    top = prices.groupby(level="zone").max()
    top.index = pd.MultiIndex.from_product([top.index, [DESIGN_PEAK]], names=["zone", "slice"])
    return pd.concat([new_prices, top[new_prices.columns]]).sort_index()
