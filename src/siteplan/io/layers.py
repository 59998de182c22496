"""The vector layers (sites, substations, transmission, pops, fiber, demand): each file read,
its fields type- and range-checked against :data:`~siteplan.io.schema.SCHEMAS`, its geometries checked."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siteplan.errors import InputError, Problem
from siteplan.io.limits import NULL_ISLAND
from siteplan.io.readers import _find
from siteplan.io.schema import (_UNMODELLED, DEMAND_FIELD_SUFFIXES, SCHEMAS, FieldSpec, _range_problem,
                                _unmodelled_demand_fields, yearly_demand_fields)
from siteplan.safe_files import file_problem, read_text
from siteplan.safe_load import parse_json_with_duplicates


def _read_layer(folder: Path, stem: str, probs: list[Problem], files: dict[str, Path],
                extra_float_fields: list[FieldSpec] = (), ignored: frozenset[str] = frozenset()) -> gpd.GeoDataFrame:
    id_field, geom_types, specs = SCHEMAS[stem]
    specs = list(specs) + list(extra_float_fields)
    path = _find(folder, stem)
    empty = gpd.GeoDataFrame({s.name: [] for s in specs}, geometry=[], crs="EPSG:4326").set_index(id_field)
    if path is None:
        probs.append(Problem(str(folder / f"{stem}.geojson"), None, None, "file not found"))
        return empty
    files[stem] = path
    fname = str(path)
    if not _layer_file_ok(path, fname, id_field, probs):
        return empty
    try:
        with warnings.catch_warnings():  # a column with a non-number in it: reported per feature below
            warnings.filterwarnings("ignore", message="Could not parse column", category=UserWarning)
            gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is an input problem
        probs.append(Problem(fname, None, None, f"cannot read: {exc}"))
        return empty
    if gdf.crs is None:
        probs.append(Problem(fname, None, None, "no CRS; expected EPSG:4326 (WGS84 lon/lat)"))
    elif gdf.crs.to_epsg() != 4326:
        probs.append(Problem(fname, None, None, f"CRS is {gdf.crs.to_string()}; expected EPSG:4326 (WGS84 lon/lat)"))
    if path.suffix == ".geojson":
        ignored = ignored | {"id"}  # GDAL's column for the feature-level "id" member (RFC 7946), not a property
    for f in sorted(ignored & {s.name for s in specs}):  # e.g. inference_max_rtt_ms of a modelled class
        probs.append(Problem(fname, None, f, "listed under ignore_fields in dataset.yaml, but the scenario uses it"))
    ignored = ignored - {s.name for s in specs}
    if stem == "demand":
        specs = specs + yearly_demand_fields(gdf.columns, specs)
        specs = specs + _unmodelled_demand_fields(gdf.columns, specs, ignored)
    _check_unknown_fields(gdf.columns, fname, specs, ignored, probs)
    table = _check_table(gdf, fname, id_field, specs, probs)
    geoms = list(gdf.geometry)
    for lab, g in zip(table.index, geoms):
        if g is None or g.is_empty:
            probs.append(Problem(fname, lab, "geometry", "missing or empty geometry"))
        elif g.geom_type not in geom_types:
            probs.append(Problem(fname, lab, "geometry", f"must be {' or '.join(geom_types)}, got {g.geom_type}"))
        else:
            minx, miny, maxx, maxy = g.bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                probs.append(Problem(fname, lab, "geometry", "coordinates outside lon/lat range (wrong CRS?)"))
            elif _has_null_island(g):
                probs.append(Problem(fname, lab, "geometry", NULL_ISLAND))
    out = gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")
    return out[~out.index.duplicated()].sort_index()


def _layer_file_ok(path: Path, fname: str, id_field: str, probs: list[Problem]) -> bool:
    """A layer file is a regular file; a GeoJSON one is non-empty UTF-8 text, without duplicate keys.

    The reader (GDAL) would block on a FIFO, read a folder or device as something else, and keep
    one of two equal keys without a word; these are problems instead (duplicate keys do not stop
    the reading: the file's other problems are found too).
    """
    if path.suffix != ".geojson":
        msg = file_problem(path)
        if msg:
            probs.append(Problem(fname, None, None, msg))
        return msg is None
    try:
        text = read_text(path, fname)
    except InputError as exc:
        probs.extend(exc.problems)
        return False
    if not text.strip():
        probs.append(Problem(fname, None, None, "file is empty (expected a GeoJSON FeatureCollection)"))
        return False
    parsed = parse_json_with_duplicates(text)
    if parsed is None:  # not JSON: the reader says why
        return True
    doc, dups = parsed
    where: dict[int, str] = {}  # id() of a feature or of its properties -> the feature's id
    feats = doc.get("features") if isinstance(doc, dict) else None
    for i, f in enumerate(feats if isinstance(feats, list) else []):
        if isinstance(f, dict):
            props = f.get("properties")
            fid = props.get(id_field) if isinstance(props, dict) else None
            lab = fid if isinstance(fid, str) and fid.strip() else f"#{i}"
            for obj in (f, props, f.get("geometry")):
                if isinstance(obj, dict):
                    where[id(obj)] = lab
    for obj, key in dups:
        probs.append(Problem(fname, where.get(id(obj)), key,
                             "duplicate key: a JSON reader keeps only one of the values; remove one"))
    return True


def _has_null_island(g) -> bool:
    """Whether a geometry has a vertex at exactly (0, 0)."""
    import shapely

    xy = shapely.get_coordinates(g)
    return bool(((xy[:, 0] == 0) & (xy[:, 1] == 0)).any())


def _check_unknown_fields(columns, fname: str, specs: list[FieldSpec], ignored: frozenset[str],
                          probs: list[Problem]) -> None:
    """Report every attribute that is neither in the schema nor listed in ``ignore_fields``.

    A misspelt optional field (``water_limit_m3_yr``) or the demand of a workload class the
    scenario does not model (``batch_gpus``) would otherwise be dropped without a word.
    """
    known = {s.name for s in specs}
    for col in sorted(str(c) for c in columns):
        if col == "geometry" or col in known or col in ignored:
            continue
        cls = next((col[: -len(sfx)] for sfx in DEMAND_FIELD_SUFFIXES if col.endswith(sfx)), None)
        if cls and any(s.name.endswith(DEMAND_FIELD_SUFFIXES) for s in specs):
            modelled = sorted(s.name[: -len("_gpus")] for s in specs if s.name.endswith("_gpus")
                              and not s.description.startswith(_UNMODELLED))
            why = (f"workload class {cls!r} is not in the scenario's workloads ({', '.join(modelled)}), so this "
                   "field would be ignored: add the class to the scenario's workloads")
        else:
            why = f"unknown field (known: {', '.join(sorted(known))}): correct its name"
        probs.append(Problem(fname, None, col, why + ", or list it under ignore_fields in dataset.yaml"))


def _check_table(gdf: pd.DataFrame, fname: str, id_field: str, specs: list[FieldSpec],
                 probs: list[Problem]) -> pd.DataFrame:
    """Type- and range-check the fields of one table; return it with clean dtypes."""
    ids = gdf[id_field] if id_field in gdf.columns else pd.Series([None] * len(gdf), index=gdf.index)
    labels = []
    for i, v in enumerate(ids):
        ok = isinstance(v, str) and v.strip() != ""
        labels.append(v if ok else f"#{i}")
        if not ok:
            probs.append(Problem(fname, f"#{i}", id_field,
                                 "missing id" if v is None or (isinstance(v, float) and math.isnan(v))
                                 else f"id must be a non-empty string, got {v!r}"))
    dup = pd.Series(labels)[pd.Series(labels).duplicated()]
    for d in sorted(set(dup)):
        probs.append(Problem(fname, d, id_field, "duplicate id"))
    out = pd.DataFrame(index=pd.Index(labels, name=id_field))
    for spec in specs:
        if spec.name == id_field:
            continue
        if spec.name not in gdf.columns:
            if spec.required and len(gdf):
                probs.append(Problem(fname, None, spec.name, "required field is missing from every feature"))
            if spec.kind == "float":
                out[spec.name] = spec.null_default if spec.null_default is not None else math.nan
            else:
                out[spec.name] = pd.Series([None] * len(out), index=out.index, dtype=object)
            continue
        col = list(gdf[spec.name])
        if spec.kind == "float":
            vals = np.empty(len(col))
            for lab, j, v in zip(labels, range(len(col)), col):
                isnull = v is None or (isinstance(v, float) and math.isnan(v))
                if isnull:
                    if spec.required:
                        probs.append(Problem(fname, lab, spec.name, "missing value (null/NaN)"))
                    vals[j] = spec.null_default if spec.null_default is not None else math.nan
                    continue
                if isinstance(v, str):
                    # One unparseable value makes the GDAL reader return the whole column as text, so
                    # numbers written as text are read as numbers and only the bad value is reported.
                    try:
                        v = float(v)
                    except ValueError:
                        pass
                if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                    probs.append(Problem(fname, lab, spec.name, f"must be a number, got {v!r}"))
                    vals[j] = math.nan
                    continue
                v = float(v)
                if math.isnan(v):
                    if spec.required:
                        probs.append(Problem(fname, lab, spec.name, "missing value (null/NaN)"))
                    vals[j] = spec.null_default if spec.null_default is not None else math.nan
                    continue
                msg = _range_problem(spec, v)
                if msg:
                    probs.append(Problem(fname, lab, spec.name, msg))
                vals[j] = v
            out[spec.name] = vals
        else:
            vals = []
            for lab, v in zip(labels, col):
                isnull = v is None or (isinstance(v, float) and math.isnan(v))
                if isnull:
                    if spec.required:
                        probs.append(Problem(fname, lab, spec.name, "missing value (null)"))
                    vals.append(None)
                elif not isinstance(v, str):
                    probs.append(Problem(fname, lab, spec.name, f"must be a string, got {v!r}"))
                    vals.append(str(v))
                else:
                    vals.append(v)
            out[spec.name] = pd.Series(vals, index=out.index, dtype=object)
    return out
