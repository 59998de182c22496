"""A build-out's results folder: the timeline and one single-period results folder per period.

::

    <out>/timeline.nc            the BuildOut's dataset (period dimension)
    <out>/timeline.csv           per site: opening year, first grid year, IT MW, grid MW, units by period
    <out>/sites_by_period.csv    every open site in every period, with its period (one row each)
    <out>/timeline.gpkg          GeoPackage, every layer with a ``period`` column: ``sites`` (each open site
                                 in each period, with its opening and first grid year), ``interconnects``
                                 (each contracted connection in each period), ``assignments``
    <out>/summary.txt, manifest.json
    <out>/period_<year>/         the period's plan, as a single-period results folder (plan.nc, plan.gpkg,
                                 sites.csv, ...; maps and report when exported)
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from siteplan.results.folder import manifest, manifest_json, write_results

__all__ = ["write_buildout", "read_buildout_timeline", "read_buildout_alternatives", "write_timeline_gpkg"]

#: timeline.gpkg layers: name -> (Plan attribute, geometry type, rows kept)
TIMELINE_LAYERS = {
    "sites": ("sites", "Point", lambda g: g[g["open"].astype(bool)]),
    "interconnects": ("interconnects", "LineString", lambda g: g),
    "assignments": ("assignments", "LineString", lambda g: g),
}


def write_buildout(bo, study, out_dir: str | Path) -> Path:
    """Write a :class:`~siteplan.buildout.BuildOut`'s results folder (see the module docstring)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bo.ds.to_netcdf(out / "timeline.nc")
    from siteplan.results.folder import csv_numbers, sites_csv_table

    # every CSV as sites.csv writes it (docs/outputs.md): name first, numbers rounded by unit, counts
    # as integers, True/False
    tl = bo.sites
    if len(tl):
        tl = csv_numbers(tl.reset_index()[["name", "site_id", *[c for c in tl.columns if c != "name"]]])
        for c in [c for c in tl.columns if re.search(r"_mw_\d{4}$", c)]:  # it_mw_2029: MW to 0.1 kW, as *_mw
            tl[c] = tl[c].astype(float).round(4) + 0.0  # + 0.0: no -0.0
    tl.to_csv(out / "timeline.csv", index=False)
    rows = []
    for y, plan in bo.plans.items():
        write_results(plan, study, out / f"period_{y}")
        st = sites_csv_table(plan.sites[plan.sites["open"].astype(bool)])
        st.insert(0, "period", y)
        rows.append(st)
    (pd.concat(rows) if rows else pd.DataFrame()).to_csv(out / "sites_by_period.csv", index=False)
    write_timeline_gpkg(bo, out / "timeline.gpkg")
    (out / "summary.txt").write_text(bo.summary() + "\n")
    man = manifest(next(iter(bo.plans.values())), study)
    r = bo.result
    man["solver"].update({"termination": r.termination.value, "highs_status": r.highs_status,
                          "objective": r.objective, "best_bound": r.best_bound, "gap": r.gap,
                          "decision_gap": r.decision_gap, "unavoidable": r.unavoidable_usd_per_yr,
                          "rows": r.num_rows, "cols": r.num_cols, "nonzeros": r.num_nonzeros,
                          "integer_cols": r.num_integer, "mip_nodes": r.mip_nodes})
    man["periods"] = [int(y) for y in bo.plans]
    man["objective_meaning"] = "equivalent annual cost: discounted cost of every period / discounted years"
    (out / "manifest.json").write_text(manifest_json(man))
    import shutil

    if (out / "alternatives").is_dir():  # never mix in the alternatives of an earlier run
        shutil.rmtree(out / "alternatives")
    for j, alt in enumerate(bo.alternatives, start=1):  # near-optimal build-outs, each a results folder
        write_buildout(alt, study, out / "alternatives" / f"alt_{j}")
    return out


def read_buildout_alternatives(folder: str | Path) -> list:
    """The timelines of a build-out results folder's ``alternatives/alt_<j>/``, in order."""
    alts = sorted((Path(folder) / "alternatives").glob("alt_*"), key=lambda p: int(p.name[4:]))
    return [read_buildout_timeline(a) for a in alts if (a / "timeline.nc").exists()]


def read_buildout_timeline(folder: str | Path):
    """The timeline dataset of a build-out results folder."""
    import xarray as xr

    with xr.open_dataset(Path(folder) / "timeline.nc") as ds:
        return ds.load()


def write_timeline_gpkg(bo, path: str | Path) -> Path:
    """A GeoPackage of the build-out in which every feature carries the ``period`` of its decision
    (:data:`TIMELINE_LAYERS`); sites also carry ``opens`` and ``grid_from`` (first years)."""
    import geopandas as gpd

    from siteplan.results.folder import GPKG_READABLE, _typed, csv_numbers

    path = Path(path)
    if path.exists():
        path.unlink()
    first = bo.sites  # site_id -> opens, grid_from
    for name, (attr, geom_type, keep) in TIMELINE_LAYERS.items():
        parts = []
        for y, plan in bo.plans.items():
            gdf = getattr(plan, attr)
            if gdf is None:
                continue
            gdf = keep(gdf).copy()
            if name in GPKG_READABLE:  # names in words, ids in *_id columns, as the plan's GeoPackage
                gdf = GPKG_READABLE[name][0](gdf)
            gdf = csv_numbers(gdf, skip=(gdf.geometry.name,), by_unit=False)
            gdf.insert(0, "period", pd.Series(int(y), index=gdf.index, dtype="int64"))
            parts.append(gdf)
        if not parts:
            continue
        # every layer is written, empty when nothing qualifies (no connection in an on-site build-out)
        gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=parts[0].geometry.name, crs=parts[0].crs)
        if name == "sites" and len(first):
            gdf.insert(1, "opens", gdf["site_id"].map(first["opens"]).astype("int64"))
            gdf.insert(2, "grid_from", gdf["site_id"].map(first["grid_from"]).fillna(0).astype("int64"))
        if geom_type == "LineString" and len(gdf) and (gdf.geom_type != "LineString").any():
            geom_type = "Unknown"
        _typed(gdf).to_file(path, layer=name, driver="GPKG", geometry_type=geom_type)
    return path
