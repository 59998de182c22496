"""The :class:`Dataset` type, and the entry points: :func:`load_dataset` (read a folder and validate
it, every problem in one pass) and :func:`check_tables` (the same rules on tables changed in code)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siteplan._xarray import defer_dask_array_check
from siteplan.errors import InputError, Problem
from siteplan.io.area import _area_problems
from siteplan.io.climate import _load_climate, climate_at_sites
from siteplan.io.days import day_structure_problems
from siteplan.io.layers import _read_layer
from siteplan.io.limits import MAX_CARBON_T_PER_MWH, MAX_RATING_FACTOR, PRICE_FACTORS
from siteplan.io.meta import _ignore_fields, _read_meta
from siteplan.io.pairs import _load_pairs
from siteplan.io.prices import _energy_price_problem, _load_prices
from siteplan.io.readers import _check_refs
from siteplan.io.schema import SCHEMAS, _range_problem, demand_fields, yearly_demand_fields


@dataclass
class Dataset:
    """A loaded, validated regional dataset (tables indexed by their sorted string ids)."""

    path: Path
    name: str
    sites: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    transmission: gpd.GeoDataFrame
    pops: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    climate: xr.Dataset
    prices: pd.DataFrame  # index (zone, slice)
    latency: pd.DataFrame | None = None  # index (site_id, region_id) -> rtt_ms
    serving_cost: pd.DataFrame | None = None  # index (site_id, region_id) -> usd per gpu-yr
    files: dict[str, Path] = field(default_factory=dict)


def check_tables(ds: Dataset, workloads: list[str]) -> list[Problem]:
    """Check a loaded dataset's tables again, as held in memory (changed in code after loading).

    The same rules as on reading: ids unique, numeric fields finite and in range (a null default
    such as an unlimited water cap stays allowed), references resolve, prices and temperatures
    finite. Problems name the file with "(changed in code)".

    Parameters
    ----------
    ds : Dataset
        A dataset from :func:`load_dataset`, possibly edited since.
    workloads : list of str
        The scenario's workload classes.

    Returns
    -------
    list of Problem
        Sorted; empty when the tables hold.
    """
    probs: list[Problem] = []
    zones = set(ds.prices.index.get_level_values("zone")) if len(ds.prices) else set()
    refs = {("sites", "zone"): (zones, "zone"), ("substations", "zone"): (zones, "zone"),
            ("transmission", "from_id"): (set(ds.substations.index), "substation"),
            ("transmission", "to_id"): (set(ds.substations.index), "substation"),
            ("fiber", "from_id"): (set(ds.pops.index), "PoP"), ("fiber", "to_id"): (set(ds.pops.index), "PoP")}
    for stem, (id_field, _, specs) in SCHEMAS.items():
        table = getattr(ds, stem)
        fname = f"{ds.files.get(stem, ds.path / f'{stem}.geojson')} (changed in code)"
        specs = list(specs) + (demand_fields(workloads) if stem == "demand" else [])
        if stem == "demand":
            specs += yearly_demand_fields(table.columns, specs)
        ids = pd.Index(table.index)
        for d in sorted(set(map(str, ids[ids.duplicated()]))):
            probs.append(Problem(fname, d, id_field, "duplicate id"))
        for i, v in enumerate(ids):
            if not isinstance(v, str) or not v.strip():
                probs.append(Problem(fname, f"#{i}", id_field, f"id must be a non-empty string, got {v!r}"))
        for spec in specs:
            if spec.name == id_field:
                continue
            if spec.name not in table.columns:
                if spec.required and len(table):
                    probs.append(Problem(fname, None, spec.name, "required field is missing"))
                continue
            col = table[spec.name]
            if spec.kind != "float":
                if (stem, spec.name) in refs:
                    valid, what = refs[stem, spec.name]
                    for lab, v in zip(table.index, col):
                        if (v is not None or spec.required) and v not in valid:
                            probs.append(Problem(fname, lab, spec.name, f"unknown {what} {v!r}"))
                continue
            vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            default = spec.null_default
            allowed_null = (not spec.required) and default is not None
            for lab, raw, v in zip(table.index, col, vals):
                if allowed_null and (v == default or (math.isnan(v) and math.isnan(default))):
                    continue
                msg = f"missing or not a number: {raw!r}" if math.isnan(v) else _range_problem(spec, v)
                if msg:
                    probs.append(Problem(fname, lab, spec.name, msg))
    if {"min_it_mw", "max_it_mw"} <= set(ds.sites.columns):
        for lab in ds.sites.index[ds.sites["min_it_mw"] > ds.sites["max_it_mw"]]:
            probs.append(Problem(f"{ds.files.get('sites', 'sites')} (changed in code)", lab, "min_it_mw",
                                 "exceeds max_it_mw"))
    _changed_prices_climate_problems(ds, probs)
    return sorted(set(probs), key=lambda p: (p.file or "", p.feature_id or "", p.field or "", p.message))


def _changed_prices_climate_problems(ds: Dataset, probs: list[Problem]) -> None:
    """The prices and climate part of :func:`check_tables`: values finite and in range, the day structure."""
    fname = f"{ds.files.get('prices', ds.path / 'prices.csv')} (changed in code)"
    for c in ("energy_price_usd_per_mwh", "carbon_t_per_mwh", *PRICE_FACTORS):
        vals = pd.to_numeric(ds.prices[c], errors="coerce").to_numpy(dtype=float) if c in ds.prices else np.zeros(0)
        for (z, t), v in zip(ds.prices.index, vals):
            if (not np.isfinite(v) or (c == "carbon_t_per_mwh" and not 0 <= v <= MAX_CARBON_T_PER_MWH)
                    or (c == "energy_price_usd_per_mwh" and _energy_price_problem(v))
                    or (c in PRICE_FACTORS and not 0 <= v <= MAX_RATING_FACTOR)):
                probs.append(Problem(fname, f"{z}/{t}", c, f"not a finite number in range: {v!r}"))
    fname = f"{ds.files.get('climate', ds.path / 'climate.nc')} (changed in code)"
    for v in ("dry_bulb_c", "wet_bulb_c", "weight_h"):
        if v in ds.climate and not np.isfinite(ds.climate[v].values).all():
            probs.append(Problem(fname, None, v, "holds NaN or infinite values"))
    if "slice" in ds.climate.dims:
        day_structure_problems(ds.climate, fname, probs)


def _reference_problems(sites: gpd.GeoDataFrame, subs: gpd.GeoDataFrame, trans: gpd.GeoDataFrame,
                        pops: gpd.GeoDataFrame, fiber: gpd.GeoDataFrame, prices: pd.DataFrame,
                        files: dict[str, Path], probs: list[Problem]) -> None:
    """Problems between the loaded layers: zones not in the prices, edges to unknown or to their own
    nodes, no sites or PoPs at all, and a site's minimum IT MW above its maximum."""
    zones = set(prices.index.get_level_values("zone"))
    if "prices" in files and len(prices):  # a prices file that could not be read says so itself
        _check_refs(sites, str(files.get("sites")), ("zone",), zones, "zone", probs, " (not in prices.csv)")
        _check_refs(subs, str(files.get("substations")), ("zone",), zones, "zone", probs, " (not in prices.csv)")
    _check_refs(trans, str(files.get("transmission")), ("from_id", "to_id"), set(subs.index), "substation", probs)
    _check_refs(fiber, str(files.get("fiber")), ("from_id", "to_id"), set(pops.index), "PoP", probs)
    for tab, stem in ((trans, "transmission"), (fiber, "fiber")):
        if len(tab) and {"from_id", "to_id"} <= set(tab.columns):
            for lab in tab.index[tab["from_id"] == tab["to_id"]]:
                probs.append(Problem(str(files.get(stem)), lab, "to_id", "edge starts and ends at the same node"))
    if "sites" in files and len(sites) == 0:
        probs.append(Problem(str(files["sites"]), None, None, "no candidate sites"))
    if "pops" in files and len(pops) == 0:
        probs.append(Problem(str(files["pops"]), None, None, "no PoPs: sites cannot reach demand"))
    if "sites" in files and {"min_it_mw", "max_it_mw"} <= set(sites.columns):
        for lab in sites.index[(sites["min_it_mw"] > sites["max_it_mw"]) & (sites["max_it_mw"] > 0)]:
            probs.append(Problem(str(files["sites"]), lab, "min_it_mw", "exceeds max_it_mw"))


def load_dataset(folder: str | Path, workloads: list[str], strict: bool = True) -> tuple[Dataset, list[Problem]]:
    """Load and validate a regional dataset folder.

    Parameters
    ----------
    folder : str or Path
        Dataset folder (see ``docs/formats.md``).
    workloads : list of str
        Workload classes of the scenario; ``demand`` must have ``<class>_gpus`` for each.
    strict : bool, default True
        Raise :class:`InputError` listing every problem; with False, return them instead.

    Returns
    -------
    (Dataset, list of Problem)
    """
    defer_dask_array_check()  # before the first xarray object (climate.nc): no dask.array import
    folder = Path(folder)
    probs: list[Problem] = []
    files: dict[str, Path] = {}
    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, None, "dataset folder not found")])
    meta_path = folder / "dataset.yaml"
    name = folder.name
    ignore: dict[str, frozenset[str]] = {}
    if meta_path.exists() or meta_path.is_symlink():  # a link to nowhere: "file not found" from the reader
        files["dataset"] = meta_path
        meta = _read_meta(meta_path, probs)
        name = str(meta.get("name", name))
        ignore = _ignore_fields(meta, str(meta_path), probs)
    else:
        probs.append(Problem(str(meta_path), None, None, "file not found"))

    sites = _read_layer(folder, "sites", probs, files, ignored=ignore.get("sites", frozenset()))
    subs = _read_layer(folder, "substations", probs, files, ignored=ignore.get("substations", frozenset()))
    trans = _read_layer(folder, "transmission", probs, files, ignored=ignore.get("transmission", frozenset()))
    pops = _read_layer(folder, "pops", probs, files, ignored=ignore.get("pops", frozenset()))
    fiber = _read_layer(folder, "fiber", probs, files, ignored=ignore.get("fiber", frozenset()))
    demand = _read_layer(folder, "demand", probs, files, demand_fields(workloads), ignore.get("demand", frozenset()))
    climate = _load_climate(folder, probs, files)
    if climate is not None and climate.attrs.get("siteplan_form") == "grid":
        climate = climate_at_sites(climate, sites, str(files["climate"]), probs)
    slices = [str(s) for s in climate["slice"].values] if climate is not None else None
    prices = _load_prices(folder, slices, probs, files)

    _reference_problems(sites, subs, trans, pops, fiber, prices, files, probs)
    _area_problems({"sites": sites, "substations": subs, "transmission": trans, "demand": demand}, subs,
                   climate if climate is not None and "siteplan_form" not in climate.attrs else None, files, probs)
    from siteplan.io.land import sea_problems

    sea_problems({"sites": sites, "substations": subs, "demand": demand}, files, probs)
    if len(demand):
        demand = gpd.GeoDataFrame(demand.drop(columns="geometry"),
                                  geometry=demand.geometry.representative_point(), crs="EPSG:4326")

    latency = _load_pairs(folder, "latency", "rtt_ms", set(sites.index), set(demand.index), probs, files)
    serving = _load_pairs(folder, "serving_cost", "serving_cost_usd_per_gpu_yr", set(sites.index),
                          set(demand.index), probs, files)
    ds = Dataset(folder, name, sites, subs, trans, pops, fiber, demand,
                 climate if climate is not None else xr.Dataset(), prices, latency, serving, files)
    probs = sorted(set(probs), key=lambda p: (p.file or "", p.feature_id or "", p.field or "", p.message))
    if strict and probs:
        raise InputError(probs)
    return ds, probs
