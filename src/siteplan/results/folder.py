"""A Plan as a results folder: NetCDF, GeoPackage, CSV site table and a JSON run manifest.

:func:`write_results` writes the folder; :func:`read_results` rebuilds the Plan from it, so maps
and reports can be re-made (``siteplan map <folder>``, ``siteplan report <folder>``) without
solving again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr

from siteplan import __version__
from siteplan._xarray import defer_dask_array_check
from siteplan.results.plan import Plan
from siteplan.solve import SolveResult, Termination, Timings

PACKAGES = ("siteplan", "pyomo", "highspy", "networkx", "geopandas", "xarray", "numpy", "pandas", "pydantic")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def _git_commit() -> str | None:
    """The commit of the siteplan source tree when it is a git checkout (an editable install), with
    ``+dirty`` when it has uncommitted changes; None otherwise (an installed wheel, no git)."""
    import subprocess

    src = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no", "--", "."],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def manifest_json(man: dict) -> str:
    """The manifest as strict JSON: a value that is not finite (no bound yet: -inf; a gap not known:
    NaN) is null, which JSON parsers accept and :func:`read_results` reads back from plan.nc."""
    def finite(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: finite(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [finite(x) for x in v]
        return v

    return json.dumps(finite(man), indent=2, sort_keys=True, allow_nan=False) + "\n"


def _relative_paths(node, base: Path):
    """Every absolute path in a dumped scenario (dataset, catalog, source_file, ...) relative to
    ``base`` (the scenario file's folder), as the scenario file writes them and the ``inputs`` section
    records them: a manifest names no folder of the machine that wrote it."""
    if isinstance(node, dict):
        return {k: _relative_paths(v, base) for k, v in node.items()}
    if isinstance(node, list):
        return [_relative_paths(v, base) for v in node]
    if isinstance(node, str) and os.path.isabs(node) and "\n" not in node:
        try:
            return os.path.relpath(node, base)
        except ValueError:  # another drive (Windows)
            return node
    return node


def manifest(plan: Plan, study) -> dict:
    """Everything needed to rerun: inputs with hashes (paths relative to the scenario file, in the
    scenario section too), the named overrides and values by dotted key applied to the scenario file
    (``scenario_changes``: ``-o``/``--set`` or ``overrides=``/``set_values=``; the CLI's ``--time-limit``,
    ``--gap`` and ``--threads`` are set values of ``solver.*``), options, versions (siteplan's git
    commit when it runs from a checkout), the UTC time and solver statistics."""
    sc = study.scenario
    r = plan.result
    inputs = {}
    files = dict(study.dataset.files)
    files["catalog"] = Path(sc.catalog)
    if sc.source_file:
        files["scenario"] = Path(sc.source_file)
    base = Path(sc.source_file).resolve().parent if sc.source_file else Path.cwd()
    for k, p in sorted(files.items()):  # paths relative to the scenario file, as the scenario writes them
        inputs[k] = {"path": os.path.relpath(Path(p).resolve(), base), "sha256": sha256(Path(p))}
    return {
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "siteplan": {"version": __version__, "git_commit": _git_commit()},
        "scenario": _relative_paths(sc.model_dump(mode="json"), base),
        "scenario_changes": {"overrides": list(getattr(study, "overrides", ()) or ()),
                             "set_values": dict(getattr(study, "set_values", {}) or {})},
        "inputs": inputs,
        "versions": _versions(),
        "platform": platform.platform(),
        "solver": {"termination": r.termination.value, "highs_status": r.highs_status, "objective": r.objective,
                   "best_bound": r.best_bound, "gap": r.gap, "decision_gap": r.decision_gap,
                   "unavoidable": r.unavoidable_usd_per_yr, "rows": r.num_rows, "cols": r.num_cols,
                   "nonzeros": r.num_nonzeros, "integer_cols": r.num_integer, "mip_nodes": r.mip_nodes,
                   "options": sc.solver.model_dump()},
        "timings_s": {"prepare": r.timings.prepare_s, "build": r.timings.build_s, "handoff": r.timings.handoff_s,
                      "solve": r.timings.solve_s, "extract": r.timings.extract_s, "duals": r.timings.duals_s,
                      "total": r.timings.total_s},
    }


# The CSV conventions, the same in every CSV siteplan writes (sites.csv, batch.csv, batch_sites.csv;
# docs/outputs.md): numbers rounded by unit (:data:`CSV_DECIMALS`), no -0.0, counts (racks, on-site
# units, GPUs, sites) as integers, booleans as True/False, a missing value an empty cell.
#
# Decimals kept per column, by the column's unit (the first suffix that matches); columns matching
# none are written as they are.
CSV_DECIMALS = (
    ("_usd_per_h100e_hour", 4),  # a few dollars per hour: to 0.01 cent
    ("_usd_per_yr", 2), ("_usd", 2),  # money: to the cent
    ("_mw", 4),  # MW: to 0.1 kW
    ("_mwh", 3), ("_mwh_per_yr", 3),  # to 1 kWh
    ("_m3_per_yr", 1), ("_t_per_yr", 2), ("_km", 3), ("_h100e", 2),
    ("grid_share", 4), ("pue_min", 4), ("pue_max", 4), ("_kv", 3),
    ("mip_gap", 6),  # a relative gap: to 0.0001 %
    ("_s", 3),  # seconds (batch.csv timings): to the millisecond
)

#: Columns that count things (written as integers): these names, and names with these prefixes.
COUNT_COLUMNS = ("gpus", "open_sites")
COUNT_PREFIXES = ("racks_", "units_")


def is_count(column: str) -> bool:
    """Whether a CSV column counts whole things (racks, on-site units, GPUs, sites)."""
    return column in COUNT_COLUMNS or column.startswith(COUNT_PREFIXES)


def csv_numbers(tab: pd.DataFrame, skip=(), by_unit: bool = True) -> pd.DataFrame:
    """Numbers as every siteplan CSV writes them: rounded by unit (:data:`CSV_DECIMALS`), -0.0 (a
    solver's zero) as 0, counts (:func:`is_count`) as integers with an empty cell where missing;
    other columns and the columns in ``skip`` (swept values) as they are.

    Parameters
    ----------
    tab : DataFrame
    skip : sequence of str, optional
        Columns left alone.
    by_unit : bool, default True
        Round by unit; False keeps every digit (the GeoPackage, which :func:`read_results` reads
        the plan back from) and only writes -0.0 as 0 and counts as integers.

    Returns
    -------
    DataFrame
        A copy.
    """
    import numpy as np

    tab = tab.copy()
    for c in tab.columns:
        col = tab[c]
        if c in skip or pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            continue
        if is_count(str(c)):
            v = col.astype(float)
            whole = v.round()
            if np.allclose(v[v.notna()], whole[v.notna()], rtol=0, atol=1e-6):
                tab[c] = (whole + 0.0).astype("Int64")
                continue
        if col.dtype.kind != "f":
            continue
        for suffix, nd in CSV_DECIMALS if by_unit else ():
            if str(c).endswith(suffix):
                col = col.round(nd)
                break
        tab[c] = col + 0.0  # -0.0 + 0.0 is 0.0
    return tab


def class_name(class_id: str, kv: float = float("nan")) -> str:
    """An interconnect voltage class in words: ``"161 kV"`` (from its voltage, else from an id such
    as ``kv161``); an id that names no voltage, tidied (:func:`siteplan.labels.tidy_id`); ``""``
    for no class (a closed or off-grid site)."""
    from siteplan.labels import tidy_id, voltage_class_name

    cid = "" if class_id is None else str(class_id)
    if not cid or cid.lower() == "nan":
        return ""
    name = voltage_class_name(cid, kv if kv is not None and kv == kv else None)
    return tidy_id(cid) if name == cid else name


def _words_beside_ids(tab: pd.DataFrame, col: str, words, id_col: str | None = None) -> None:
    """``col`` in words (``words``: one per row) with its ids in ``id_col`` (default ``<col>_id``)
    right after it, in place."""
    ids = tab[col].fillna("").astype(str)
    ids = ids.where(ids.str.lower() != "nan", "")
    tab[col] = list(words(ids))
    tab.insert(tab.columns.get_loc(col) + 1, id_col or f"{col}_id", ids.values)


def readable_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """The site table as sites.csv and the GeoPackage's ``sites`` and ``chosen_sites`` layers give
    it to a person: names in words, ids in their own ``*_id`` columns.

    * ``name`` first (the plan's ``place``: the short name a reader can tell apart, the one the
      report and maps use), ``site_id`` beside it;
    * ``design`` in words (:func:`siteplan.labels.design_name`), its id in ``design_id``;
    * ``interconnect_class`` in words (``"161 kV"``), its id in ``interconnect_class_id``;
    * the input dataset's own name for the site (``"66 km from Big Spring, TX (Sterling City 1)"``,
      the bracket naming the substation it was drawn near, not necessarily its connection) in
      ``dataset_name``, last, for tracing a row back to the dataset.

    :func:`plan_sites` turns it back into the Plan's table.
    """
    from siteplan.labels import design_name

    tab = sites.copy()
    if "place" in tab:
        dataset = tab["name"].fillna("").astype(str) if "name" in tab else pd.Series("", index=tab.index)
        tab = tab.drop(columns=[c for c in ("name",) if c in tab]).rename(columns={"place": "name"})
        tab["dataset_name"] = dataset.values
        first = [c for c in ("name", "site_id") if c in tab]
        geom = [c for c in tab.columns if c == getattr(tab, "_geometry_column_name", None)]
        tab = tab[first + [c for c in tab.columns if c not in first and c not in geom] + geom]
    if "design" in tab and "design_id" not in tab:
        _words_beside_ids(tab, "design", lambda ids: [design_name(d) if d else "" for d in ids])
    if "interconnect_class" in tab and "interconnect_class_id" not in tab:
        kv = tab["interconnect_kv"].astype(float) if "interconnect_kv" in tab else pd.Series(float("nan"), index=tab.index)
        _words_beside_ids(tab, "interconnect_class", lambda ids: [class_name(c, k) for c, k in zip(ids, kv)])
    return tab


def plan_sites(tab: pd.DataFrame) -> pd.DataFrame:
    """The Plan's site table from :func:`readable_sites`' (ids in ``design`` and
    ``interconnect_class``, the short name in ``place``, the dataset's name in ``name``, counts as
    floats); a table from before :func:`readable_sites` existed is returned as it is."""
    tab = tab.copy()
    for col in ("design", "interconnect_class"):
        if f"{col}_id" in tab:
            tab[col] = tab.pop(f"{col}_id").fillna("").astype(str).values
    if "dataset_name" in tab:
        dataset = tab.pop("dataset_name").fillna("").astype(str)
        tab = tab.rename(columns={"name": "place"})
        tab.insert(list(tab.columns).index("place") + 1, "name", dataset.values)
        first = ["site_id", "place", "name"]
        tab = tab[first + [c for c in tab.columns if c not in first]]
    for c in tab.columns:
        if is_count(str(c)) and pd.api.types.is_integer_dtype(tab[c]):
            tab[c] = tab[c].astype(float)
    return tab


def sites_csv_table(sites):
    """The site table as sites.csv writes it (:func:`readable_sites`): ``name`` first with
    ``site_id`` beside it, ``design`` and ``interconnect_class`` in words with their ids in
    ``design_id`` and ``interconnect_class_id``, the dataset's own name in ``dataset_name``; numbers
    as every siteplan CSV writes them (:func:`csv_numbers`: rounded by unit, money to the cent, MW to
    0.1 kW, ..., no -0.0, counts as integers); an unlimited ``water_limit_m3_per_yr`` (no limit) an
    empty cell."""
    import numpy as np

    tab = readable_sites(sites.drop(columns="geometry", errors="ignore"))
    if "geometry" in sites and len(sites):  # where the site is: WGS84 degrees beside its zone
        pts = sites.geometry.representative_point()
        at = tab.columns.get_loc("zone") + 1 if "zone" in tab else 2
        tab.insert(at, "lon", np.round(pts.x.to_numpy(float), 5))
        tab.insert(at + 1, "lat", np.round(pts.y.to_numpy(float), 5))
    tab = csv_numbers(tab)
    if "water_limit_m3_per_yr" in tab:
        w = tab["water_limit_m3_per_yr"].astype(float)
        tab["water_limit_m3_per_yr"] = w.where(np.isfinite(w), np.nan)  # empty: no limit
    if "open" in tab and "it_mw" in tab:  # the chosen sites first, largest first; then the candidates by id
        key = pd.DataFrame({"closed": ~tab["open"].astype(bool), "it": -tab["it_mw"].astype(float),
                            "id": tab["site_id"].astype(str)})
        tab = tab.loc[key.sort_values(["closed", "it", "id"], kind="stable").index].reset_index(drop=True)
    return tab


def write_results(plan: Plan, study, out_dir: str | Path) -> Path:
    """Write ``plan.nc``, ``plan.gpkg`` (layers), ``sites.csv``, ``summary.txt`` and ``manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan.ds.to_netcdf(out / "plan.nc")
    write_gpkg(plan, out / "plan.gpkg")
    sites_csv_table(plan.sites).to_csv(out / "sites.csv", index=False)
    (out / "summary.txt").write_text(plan.summary() + "\n")
    (out / "manifest.json").write_text(manifest_json(manifest(plan, study)))
    for j, alt in enumerate(plan.alternatives, start=1):  # near-optimal alternatives, each a results folder
        write_results(alt, study, out / "alternatives" / f"alt_{j}")
    return out


# GeoPackage layers: name -> (Plan attribute, geometry type). ``chosen_sites`` is ``sites`` where open.
GPKG_LAYERS = {
    "sites": ("sites", "Point"),
    "chosen_sites": ("sites", "Point"),
    "interconnects": ("interconnects", "LineString"),
    "substations": ("substations", "Point"),
    "demand": ("demand", "Point"),
    "assignments": ("assignments", "LineString"),
    "fiber": ("fiber", "LineString"),
    "routes": ("routes", "LineString"),
    "corridors": ("corridors", "LineString"),
}


def _typed(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns as GeoPackage-friendly types: bool, int64, float64 or str (no mixed objects), EPSG:4326."""
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.astype(bool)
        elif pd.api.types.is_integer_dtype(col):
            out[c] = col.astype("int64") if not col.isna().any() else col.astype("float64")
        elif pd.api.types.is_numeric_dtype(col):
            out[c] = col.astype("float64")
        else:
            out[c] = col.astype(str).where(col.notna(), "")
    if out.crs is None:
        out = out.set_crs("EPSG:4326")
    elif out.crs.to_epsg() != 4326:
        out = out.to_crs("EPSG:4326")
    return out


def readable_interconnects(ic: pd.DataFrame) -> pd.DataFrame:
    """The interconnects layer as the GeoPackage gives it: ``voltage_class`` in words (``"161 kV"``,
    from ``voltage_kv``), its id in ``voltage_class_id`` (as :func:`readable_sites`);
    :func:`plan_interconnects` turns it back."""
    tab = ic.copy()
    if "voltage_class" in tab and "voltage_class_id" not in tab:
        kv = tab["voltage_kv"].astype(float) if "voltage_kv" in tab else pd.Series(float("nan"), index=tab.index)
        _words_beside_ids(tab, "voltage_class", lambda ids: [class_name(c, k) for c, k in zip(ids, kv)])
    return tab


def plan_interconnects(tab: pd.DataFrame) -> pd.DataFrame:
    """The Plan's interconnects from :func:`readable_interconnects`' (the id in ``voltage_class``)."""
    tab = tab.copy()
    if "voltage_class_id" in tab:
        tab["voltage_class"] = tab.pop("voltage_class_id").fillna("").astype(str).values
    return tab


#: How each GeoPackage layer is given to a person (names in words, ids in ``*_id`` columns) and read
#: back into the Plan by :func:`read_results`: layer -> (to the GeoPackage, back to the Plan).
GPKG_READABLE = {
    "sites": (readable_sites, plan_sites),
    "chosen_sites": (readable_sites, plan_sites),
    "interconnects": (readable_interconnects, plan_interconnects),
}


def write_gpkg(plan: Plan, path: Path) -> None:
    """GeoPackage with one layer per kind (:data:`GPKG_LAYERS`), EPSG:4326, typed columns; the site
    and interconnect layers with names in words and ids in their own ``*_id`` columns, as sites.csv
    (:data:`GPKG_READABLE`); every digit kept (no rounding: :func:`read_results` reads the plan
    back from here), but no -0.0 and counts as integers (:func:`csv_numbers`)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    for name, (attr, geom_type) in GPKG_LAYERS.items():
        gdf = getattr(plan, attr)
        if gdf is None:  # a Plan built without routes (before they existed)
            continue
        if name == "chosen_sites":
            gdf = gdf[gdf["open"].astype(bool)]
        if name in GPKG_READABLE:
            gdf = GPKG_READABLE[name][0](gdf)
        gdf = csv_numbers(gdf, skip=(gdf.geometry.name,), by_unit=False)
        if geom_type == "LineString" and len(gdf) and (gdf.geom_type != "LineString").any():
            geom_type = "Unknown"
        _typed(gdf).to_file(path, layer=name, driver="GPKG", geometry_type=geom_type)


def read_manifest(folder: str | Path) -> dict:
    """The run manifest of a results folder ({} if the folder has none)."""
    p = Path(folder) / "manifest.json"
    return json.loads(p.read_text()) if p.exists() else {}


def _result_from(man: dict, ds: xr.Dataset) -> SolveResult:
    """Rebuild the solver outcome from the manifest (falling back to the NetCDF attributes)."""
    sv, tm, at = man.get("solver", {}), man.get("timings_s", {}), ds.attrs

    def pick(key_m, key_a, default=float("nan")):
        v = sv.get(key_m)
        return float(v) if v is not None else float(at.get(key_a, default))

    term = sv.get("termination") or at.get("termination") or "other"
    return SolveResult(
        termination=Termination(term), highs_status=str(sv.get("highs_status", "")),
        objective=pick("objective", "objective_usd_per_yr"), best_bound=pick("best_bound", "best_bound_usd_per_yr"),
        gap=pick("gap", "mip_gap"), has_solution=True, num_rows=int(sv.get("rows", 0)),
        decision_gap=pick("decision_gap", "decision_gap"),
        unavoidable_usd_per_yr=pick("unavoidable", "unavoidable_usd_per_yr"),
        num_cols=int(sv.get("cols", 0)), num_nonzeros=int(sv.get("nonzeros", 0)),
        num_integer=int(sv.get("integer_cols", 0)), mip_nodes=int(sv.get("mip_nodes", 0)),
        timings=Timings(**{f"{k}_s": float(tm.get(k, at.get(f"{k}_s", 0.0)) or 0.0)
                           for k in ("prepare", "build", "handoff", "solve", "extract", "duals")}))


def read_results(folder: str | Path) -> Plan:
    """Rebuild a :class:`~siteplan.results.plan.Plan` from a results folder written by :func:`write_results`.

    Reads ``plan.nc`` (Dataset), ``plan.gpkg`` (GeoDataFrames) and ``manifest.json`` (solver
    outcome; the NetCDF attributes are used when there is no manifest).

    Raises
    ------
    FileNotFoundError
        When ``plan.nc`` or ``plan.gpkg`` is missing.
    """
    defer_dask_array_check()
    folder = Path(folder)
    for f in ("plan.nc", "plan.gpkg"):
        if not (folder / f).exists():
            if (folder / "timeline.nc").exists():
                periods = sorted(p.name for p in folder.glob("period_*") if p.is_dir())
                raise FileNotFoundError(f"{folder} is a build-out results folder (timeline.nc): each period's plan "
                                        f"is a results folder of its own ({', '.join(periods) or 'period_<year>'})")
            raise FileNotFoundError(f"{folder / f} not found: not a siteplan results folder")
    ds = xr.load_dataset(folder / "plan.nc")
    for v in ds.data_vars:
        if ds[v].dtype.kind in "OS":
            ds[v] = ds[v].astype(str)
    layers = {}
    for name in ("sites", "interconnects", "assignments", "substations", "demand", "fiber", "routes", "corridors"):
        try:
            gdf = gpd.read_file(folder / "plan.gpkg", layer=name)
        except Exception:  # a results folder from before the layer existed
            gdf = None if name == "corridors" else gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        layers[name] = gdf
    for name in ("sites", "interconnects"):
        if layers[name] is not None:
            layers[name] = GPKG_READABLE[name][1](layers[name])
    sites = layers["sites"]
    if "open" in sites:
        sites["open"] = sites["open"].astype(bool)
    for c in ("pue_min", "pue_max"):
        if c in sites:
            sites[c] = sites[c].astype(float)
    alts = [read_results(p) for p in sorted((folder / "alternatives").glob("alt_*"), key=lambda p: int(p.name[4:]))
             if (p / "plan.nc").exists()]
    return Plan(_result_from(read_manifest(folder), ds), ds, sites, layers["interconnects"], layers["assignments"],
                layers["substations"], layers["demand"], layers["fiber"], layers["routes"], alts,
                corridors=layers["corridors"])
