"""Time slices and climate for :func:`siteplan.prepare.prepare`: merging slices into representative
days, the per-site PUE/WUE over the slices, and the slices' day structure as plain dicts."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import xarray as xr

from siteplan.config import Catalog, Scenario
from siteplan.io import Dataset, slice_days
from siteplan.prepare.climate import pue_wue
from siteplan.prepare.slices import DESIGN_PEAK, aggregate_slices, auto_clusters

__all__ = ["merge_slices", "slice_weights", "cooling_pue_wue", "day_structure"]


def merge_slices(sc: Scenario, dataset: Dataset, notes: list[str]) -> tuple[Dataset, xr.Dataset | None]:
    """The dataset with its slices merged as ``formulation.slice_clusters`` asks (a note says so),
    and the full-resolution climate when they were merged (else None)."""
    k = sc.formulation.slice_clusters
    n_slices = dataset.climate.sizes["slice"]
    if k == "auto":
        k = auto_clusters(len(dataset.sites), n_slices)
    full_climate = None
    if k is not None and k < n_slices:
        full_climate = dataset.climate
        climate, prices, _ = aggregate_slices(dataset.climate, dataset.prices, k)
        dataset = replace(dataset, climate=climate, prices=prices)
        how = "automatically (formulation.slice_clusters: auto)" if sc.formulation.slice_clusters == "auto" \
            else "(formulation.slice_clusters)"
        n_merged = climate.sizes["slice"] - 1
        notes.append(f"time slices merged {n_slices} -> {n_merged} {how} (whole representative days)"
                     + ("" if n_merged <= k else f" (at least one day per day structure: {k} asked)")
                     + ", plus a zero-hour design-peak slice for capacity sizing; operating costs are on "
                       "the merged slices")
    return dataset, full_climate


def slice_weights(dataset: Dataset) -> tuple[list[str], pd.Series]:
    """The slice ids and their hours per year."""
    slices = [str(s) for s in dataset.climate["slice"].values]
    weight_h = pd.Series(dataset.climate["weight_h"].values.astype(float), index=slices)
    return slices, weight_h


def cooling_pue_wue(designs: list[str], catalog: Catalog, station: pd.Series, climate: xr.Dataset,
                    full_climate: xr.Dataset | None) -> tuple[xr.DataArray, xr.DataArray]:
    """PUE and WUE per (site, cooling, slice) of the study's cooling designs."""
    pue, wue = pue_wue({k: catalog.cooling_designs[k] for k in designs}, station, climate)
    if full_climate is not None:
        # the design-peak slice gets each site's worst PUE/WUE over the original slices (curves need
        # not be monotone, so not simply the curve at the peak temperature)
        pue_all, wue_all = pue_wue({k: catalog.cooling_designs[k] for k in designs}, station, full_climate)
        pue.loc[{"slice": DESIGN_PEAK}] = pue_all.max("slice")
        wue.loc[{"slice": DESIGN_PEAK}] = wue_all.max("slice")
    return pue, wue


def day_structure(climate: xr.Dataset) -> dict:
    """``slice_day``, ``slice_order`` and ``duration_h`` of :class:`~siteplan.prepare.Prepared`
    (see :func:`siteplan.io.slice_days`), as plain dicts."""
    days = slice_days(climate)
    return dict(slice_day={t: str(d) for t, d in days["day"].items()},
                slice_order={t: int(o) for t, o in days["order_in_day"].items()},
                duration_h={t: float(h) for t, h in days["duration_h"].items()})
