"""Time-slice aggregation: merge whole representative days into fewer, keeping the extremes.

Slices belong to representative days (``day``, ``order_in_day``, ``duration_h`` in climate.nc; see
:func:`siteplan.io.slice_days`). Days are clustered, never single slices, so chronology within a
day survives (batteries keep their day cycle): days with the same number of slices are compared on
what drives the model in each of their slices, in order: energy price and carbon intensity per
zone, dry- and wet-bulb temperature per weather station (each standardised over slices). The day
of the hottest slice of the hottest station always keeps a cluster of its own. Clusters are merged
slice by slice (same position in the day) by hour-weighted means; weights add up, so the year still
has 8760 h. Deterministic: farthest-point initialisation, then weighted k-means (Lloyd) with ties
broken by day order; clusters are shared between structures by d'Hondt on hours.

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
The design-peak slice is its own one-slice representative day lasting ``DESIGN_PEAK_DURATION_H``
(24 h): a battery's state of charge must come back to where it was within it, so it can discharge
there only what it charges there, and the peak is sized without battery support (it cannot be
served from energy never charged).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.io import HOURS_PER_DAY, PRICE_FACTORS, RESERVED_SLICE, slice_days

DESIGN_PEAK = RESERVED_SLICE  # the zero-hour slice carrying every station's peak conditions (datasets may not use it)
DESIGN_PEAK_DURATION_H = HOURS_PER_DAY  # its one-slice day lasts a whole day: no battery can ride through it

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


def cluster_slices(features: np.ndarray, weights: np.ndarray, k: int, keep: int | None, iters: int = 100) -> np.ndarray:
    """Cluster label per row of ``features`` (``keep``, if given, gets a singleton cluster 0). Labels are 0..k-1.

    Weighted k-means (Lloyd) from a farthest-point start at ``keep`` (or at the heaviest row, the
    first of equals, when no row is kept); ties go to the lower cluster; labels are renumbered by
    first appearance.
    """
    n = features.shape[0]
    if k >= n:
        return np.arange(n)
    x = features
    first = keep if keep is not None else int(np.argmax(weights))
    fixed = 1 if keep is not None else 0  # clusters not re-assigned (the kept row's)
    others = np.array([i for i in range(n) if i != keep])
    centers = [first]
    while len(centers) < k:
        d = np.min(((x[:, None, :] - x[None, centers, :]) ** 2).sum(-1), axis=1)
        d[centers] = -1
        centers.append(int(np.argmax(d)))
    c = x[centers].copy()
    labels = np.full(n, -1, dtype=int)
    for _ in range(iters):
        d = ((x[others, None, :] - c[None, fixed:, :]) ** 2).sum(-1)
        lab = np.empty(n, dtype=int)
        lab[others] = np.argmin(d, axis=1) + fixed
        if keep is not None:
            lab[keep] = 0
        if np.array_equal(lab, labels):
            break
        labels = lab
        for j in range(fixed, k):
            mask = labels == j
            if mask.any():
                c[j] = np.average(x[mask], axis=0, weights=weights[mask])
    # renumber by first appearance so labels are stable
    _, first_at = np.unique(labels, return_index=True)
    remap = {old: new for new, old in enumerate(labels[np.sort(first_at)])}
    return np.array([remap[v] for v in labels])


def _apportion(groups: list[dict], k: int) -> list[int]:
    """Clusters per group of days: at least one (two where the kept day has others beside it),
    then one more at a time, by largest hours per cluster (d'Hondt; the first group of equals),
    while the slices stay within ``k`` and a group has days left to split."""
    n = [min(len(g["days"]), 2 if g["keep"] is not None else 1) for g in groups]
    used = sum(ni * g["length"] for ni, g in zip(n, groups))
    while True:
        best, score = None, -1.0
        for j, g in enumerate(groups):
            if n[j] < len(g["days"]) and used + g["length"] <= k and g["hours"] / (n[j] + 1) > score:
                best, score = j, g["hours"] / (n[j] + 1)
        if best is None:
            return n
        n[best] += 1
        used += groups[best]["length"]


def aggregate_slices(climate: xr.Dataset, prices: pd.DataFrame, k: int) -> tuple[xr.Dataset, pd.DataFrame, dict]:
    """Merge whole representative days into about ``k`` slices, keeping each day's chronology.

    Days with the same number of slices (the same *structure*) are clustered together; a cluster
    of days becomes one representative day whose slice at each position is the hour-weighted mean
    of its days' slices at that position (weights add up; ``duration_h`` = merged hours / merged
    days, so every merged slice still implies the same number of days). The day of the hottest
    slice of the hottest station keeps a cluster of its own. Each structure keeps at least one
    day, so a ``k`` below the number of structures (+ 1 for the kept day) gives that many slices.

    Parameters
    ----------
    climate : xarray.Dataset
        The dataset's climate (``weight_h``, temperatures and, optionally, the day structure; see
        :func:`siteplan.io.slice_days`).
    prices : pandas.DataFrame
        Prices indexed by (zone, slice).
    k : int
        Target number of slices (the design-peak slice comes on top).

    Returns
    -------
    (xarray.Dataset, pandas.DataFrame, dict)
        The merged climate (with ``day``, ``order_in_day``, ``duration_h`` and the design-peak day
        appended), the merged prices, and the mapping original slice -> merged slice.
    """
    slices = [str(s) for s in climate["slice"].values]
    w = climate["weight_h"].values.astype(float)
    dry = climate["dry_bulb_c"].transpose("station", "slice").values
    wet = climate["wet_bulb_c"].transpose("station", "slice").values
    price = prices["energy_price_usd_per_mwh"].unstack("slice")[slices].values
    carbon = prices["carbon_t_per_mwh"].unstack("slice")[slices].values
    feats = _standardised(np.vstack([dry, wet, price, carbon]).T)  # slice x features
    hot = int(np.unravel_index(np.argmax(dry), dry.shape)[1])
    day_slices, n_days, groups = _day_groups(climate, slices, w, hot)
    clusters = _cluster_days(groups, day_slices, n_days, feats, k)
    names, new_day, new_order, new_days_n, onehot, mapping = _merged_slices(clusters, day_slices, n_days, slices)
    wk = w @ onehot
    new_climate = xr.Dataset(
        {"weight_h": ("slice", wk), "dry_bulb_c": (("station", "slice"), _merge(dry, w, onehot, wk)),
         "wet_bulb_c": (("station", "slice"), _merge(wet, w, onehot, wk)),
         "day": ("slice", np.array(new_day, dtype=object)), "order_in_day": ("slice", np.array(new_order)),
         "duration_h": ("slice", wk / np.array(new_days_n))},
        coords={"station": climate["station"].values, "slice": names, "lat": ("station", climate["lat"].values),
                "lon": ("station", climate["lon"].values)})
    new_prices = _merged_prices(prices, slices, names, price, carbon, w, onehot, wk)
    return _with_design_peak(new_climate, climate), _prices_with_peak(new_prices, prices), mapping


def _standardised(feats: np.ndarray) -> np.ndarray:
    """Each feature (column) centred and scaled to unit standard deviation (a constant one left unscaled)."""
    sd = feats.std(axis=0)
    return (feats - feats.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _day_groups(climate: xr.Dataset, slices: list[str], w: np.ndarray, hot: int) -> tuple[dict, dict, list[dict]]:
    """The days' slice positions, each day's number of days, and the days grouped by number of slices."""
    struct = slice_days(climate)
    pos = {t: i for i, t in enumerate(slices)}
    day_slices: dict[str, list[int]] = {}  # day -> slice positions in chronological order
    for d, g in struct.groupby("day", sort=False):
        day_slices[d] = [pos[t] for t in g.sort_values("order_in_day").index]
    n_days = {d: float(np.mean(w[idx] / struct["duration_h"].values[idx])) for d, idx in day_slices.items()}
    hot_day = struct["day"].iat[hot]
    groups: list[dict] = []
    by_length: dict[int, dict] = {}
    for d, idx in day_slices.items():  # in order of first appearance
        g = by_length.get(len(idx))
        if g is None:
            g = by_length[len(idx)] = {"length": len(idx), "days": [], "hours": 0.0, "keep": None}
            groups.append(g)
        if d == hot_day:
            g["keep"] = len(g["days"])
        g["days"].append(d)
        g["hours"] += float(w[idx].sum())
    return day_slices, n_days, groups


def _cluster_days(groups: list[dict], day_slices: dict, n_days: dict, feats: np.ndarray, k: int) -> dict:
    """``{(group, cluster): [day, ...]}``, clusters in order of first appearance of their days."""
    n_clusters = _apportion(groups, k)
    cluster_of: dict[str, tuple[int, int]] = {}  # day -> (group, cluster)
    for j, (g, nc) in enumerate(zip(groups, n_clusters)):
        x = np.array([feats[day_slices[d]].ravel() for d in g["days"]])
        lab = cluster_slices(x, np.array([n_days[d] for d in g["days"]]), nc, g["keep"])
        for d, c in zip(g["days"], lab):
            cluster_of[d] = (j, int(c))
    clusters: dict[tuple[int, int], list[str]] = {}  # in order of first appearance of their days
    for d in day_slices:
        clusters.setdefault(cluster_of[d], []).append(d)
    return clusters


def _merged_slices(clusters: dict, day_slices: dict, n_days: dict, slices: list[str]):
    """Names, days, positions and numbers of days of the merged slices, the original -> merged
    one-hot matrix and the mapping original slice -> merged slice."""
    names, new_day, new_order, new_days_n = [], [], [], []
    onehot = np.zeros((len(slices), sum(len(day_slices[days[0]]) for days in clusters.values())))
    mapping = {}
    col = 0
    for days in clusters.values():
        lead = days[0]
        day_name = lead if len(days) == 1 else f"{lead}+{len(days) - 1}"
        for o, i0 in enumerate(day_slices[lead]):
            name = slices[i0] if len(days) == 1 else f"{slices[i0]}+{len(days) - 1}"
            names.append(name)
            new_day.append(day_name)
            new_order.append(o)
            new_days_n.append(sum(n_days[d] for d in days))
            for d in days:
                onehot[day_slices[d][o], col] = 1.0
                mapping[slices[day_slices[d][o]]] = name
            col += 1
    return names, new_day, new_order, new_days_n, onehot, mapping


def _merge(a: np.ndarray, w: np.ndarray, onehot: np.ndarray, wk: np.ndarray) -> np.ndarray:
    """(..., slice) -> (..., merged slice), hour-weighted mean."""
    return (a * w) @ onehot / wk


def _merged_prices(prices: pd.DataFrame, slices: list[str], names: list[str], price: np.ndarray,
                   carbon: np.ndarray, w: np.ndarray, onehot: np.ndarray, wk: np.ndarray) -> pd.DataFrame:
    """Prices and carbon on the merged slices (hour-weighted means), capacity factors at their lowest."""
    zones = list(prices["energy_price_usd_per_mwh"].unstack("slice").index)
    mp, mc = _merge(price, w, onehot, wk), _merge(carbon, w, onehot, wk)
    cols = {"energy_price_usd_per_mwh": mp.ravel(), "carbon_t_per_mwh": mc.ravel()}
    member = onehot.T.astype(bool)  # merged slice x original slice
    for c in PRICE_FACTORS:  # capacity factors: the lowest of the merged slices (a capacity must hold in each)
        if c in prices:
            f = prices[c].unstack("slice")[slices].values
            cols[c] = np.stack([f[:, row].min(axis=1) for row in member], axis=1).ravel()
    return pd.DataFrame(cols, index=pd.MultiIndex.from_product([zones, names], names=["zone", "slice"])).sort_index()


def _with_design_peak(new_climate: xr.Dataset, climate: xr.Dataset) -> xr.Dataset:
    """Append the zero-hour slice with each station's highest dry and wet bulb, as its own one-slice day."""
    peak = xr.Dataset(
        {"weight_h": ("slice", [0.0]), "day": ("slice", np.array([DESIGN_PEAK], dtype=object)),
         "order_in_day": ("slice", np.array([0])), "duration_h": ("slice", [DESIGN_PEAK_DURATION_H]),
         "dry_bulb_c": (("station", "slice"), climate["dry_bulb_c"].max("slice").values[:, None]),
         "wet_bulb_c": (("station", "slice"), climate["wet_bulb_c"].max("slice").values[:, None])},
        coords={"station": climate["station"].values, "slice": [DESIGN_PEAK],
                "lat": ("station", climate["lat"].values), "lon": ("station", climate["lon"].values)})
    return xr.concat([new_climate, peak], dim="slice", data_vars="minimal", coords="minimal")


def _prices_with_peak(new_prices: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Prices for the design-peak slice: each zone's highest (they weigh zero hours, so cost nothing);
    capacity factors: each zone's lowest."""
    top = prices.groupby(level="zone").max()
    for c in PRICE_FACTORS:
        if c in prices:
            top[c] = prices[c].groupby(level="zone").min()
    top.index = pd.MultiIndex.from_product([top.index, [DESIGN_PEAK]], names=["zone", "slice"])
    return pd.concat([new_prices, top[new_prices.columns]]).sort_index()
