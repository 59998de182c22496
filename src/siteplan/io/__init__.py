"""Load a regional dataset folder and validate it, reporting every problem in one pass.

The field schema of each file is declared once, as data (:data:`SCHEMAS`); the checks are small
functions that append :class:`~siteplan.errors.Problem` entries. Nothing is dropped or defaulted
except where the schema says what a null means.
"""

from __future__ import annotations

import csv
import io as _io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siteplan._scipy import import_scipy
from siteplan._xarray import defer_dask_array_check
from siteplan.errors import InputError, Problem
from siteplan.safe_files import file_problem, read_head, read_text
from siteplan.safe_load import load_yaml, parse_json_with_duplicates

HOURS_PER_YEAR = 8760.0
# Plausibility limits that catch unit mix-ups: recorded surface air temperatures lie within about
# -90..57 degC, but no candidate data-center site's design conditions come near -70 or 60 degC
# (kelvin gives 250-320, Fahrenheit summer slices 80-115); the dirtiest fleets (lignite) emit
# about 1.2-1.4 t CO2/MWh, so 2 t/MWh is a generous ceiling (kg/MWh given as t gives 300-1,000).
TEMPERATURE_RANGE_C = (-70.0, 60.0)
MAX_CARBON_T_PER_MWH = 2.0
# Energy prices: the bundled regions' slices span 25-690 USD/MWh; no grid energy costs less than
# 1 USD/MWh over a slice (a USD/kWh file gives 0.02-0.7), and 10,000 is above every market's offer cap
# (ERCOT $5,000, was $9,000; cents/kWh given as USD/MWh give ~10x, USD/GWh 1,000x).
ENERGY_PRICE_RANGE_USD_PER_MWH = (1.0, 10_000.0)
# Ceilings of the layers' numbers, far beyond any real value (the bundled regions' range in brackets),
# so that only a unit mix-up or a typo reaches them; siteplan.config has the catalog's and scenario's.
MAX_SITE_MW = 10_000.0  # twice the largest campus announced (~5 GW of IT) [sites: 100-1,000 MW]
MAX_GRID_MW = 25_000.0  # more than the largest power station (22.5 GW) or HVDC line (~12 GW) [0-2,710 MW]
MAX_VOLTAGE_KV = 1_200.0  # the highest AC voltage in service is 1,100-1,150 kV [69-765]; volts as kV: 69,000+
MAX_SITE_USD = 1e11  # $100 bn: more than any single campus costs in all [land: $1.6 M-0.8 bn]
MAX_M3_PER_YR = 1e10  # 10 km3/yr: a mid-size country's water use [site limits: 2e5-2e6 m3/yr]
MAX_LEAD_TIME_YR = 100.0  # as the scenario's lead_time_yr_by_zone [3.1-3.9 yr]
MAX_ROUTE_KM = 40_075.0  # the Earth's circumference [fiber routes: 7-8,069 km]
MAX_POPULATION = 1e10  # more than the world's population (8.2 bn) [metros: 0.1-4.3 M]
MAX_GPUS = 1e9  # ~50x the world's installed AI accelerators in 2025 (~10-20 M H100e) [0-285 k per region]
MAX_RTT_MS = 1_000.0  # light in fiber goes half round the Earth and back in ~200 ms; seconds as ms give 1,000+
MAX_SERVING_USD_PER_GPU_YR = 1e9  # ~1e5x an H100e's full yearly cost (~$15 k); tests' 1 MW "GPUs" stay far below
# A site, substation, corridor, demand region or weather station farther than this outside the
# extent of the middle 96 % of the substations' coordinates is not in the dataset's region: the
# bundled regions' sites, demand and stations lie within 150 km of that extent, while a flipped
# longitude sign moves a US point ~10,000 km. PoPs and fiber are national backbones (the bundled
# ones reach Amsterdam and Costa Rica) and only need valid coordinates that are not (0, 0).
AREA_MARGIN_KM = 500.0
AREA_QUANTILES = (0.02, 0.98)
KM_PER_DEG_LAT = 111.2
RESERVED_SLICE = "design_peak"  # name of the zero-hour peak slice merged studies add (prepare/slices.py)
DAYS_PER_YEAR = 365.0
HOURS_PER_DAY = 24.0
DAY_VARIABLES = ("day", "order_in_day", "duration_h")  # optional day structure of the slices (climate.nc)


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a dataset file: name, type, whether required, bounds, meaning of null."""

    name: str
    kind: str  # "id", "ref", "str", "float"
    required: bool = True
    min_value: float | None = None
    positive: bool = False
    null_default: float | None = None  # for optional floats: what a null/absent value means
    description: str = ""
    max_value: float | None = None  # plausibility ceiling (see the MAX_* constants for why each)
    hint: str = ""  # what a value above max_value probably is (a unit mix-up)


F = FieldSpec
SCHEMAS: dict[str, tuple[str, tuple[str, ...], list[FieldSpec]]] = {
    # stem: (id field, allowed geometry types, fields)
    "sites": ("site_id", ("Point",), [
        F("site_id", "id"), F("name", "str", required=False),
        F("max_it_mw", "float", positive=True, description="maximum IT MW", max_value=MAX_SITE_MW,
          hint="kW given as MW?"),
        F("land_cost_usd", "float", min_value=0, max_value=MAX_SITE_USD),
        F("zone", "ref"),
        F("min_it_mw", "float", required=False, min_value=0, null_default=0.0, max_value=MAX_SITE_MW,
          hint="kW given as MW?"),
        F("water_limit_m3_per_yr", "float", required=False, min_value=0, null_default=math.inf,
          max_value=MAX_M3_PER_YR, hint="litres given as m3? null means no limit"),
        F("fixed_cost_usd", "float", required=False, min_value=0, null_default=0.0, max_value=MAX_SITE_USD),
        F("onsite_max_mw", "float", required=False, min_value=0, null_default=math.nan, max_value=MAX_SITE_MW,
          hint="kW given as MW?",
          description="cap on on-site generator MW (air permit); null = the scenario's firm_power default"),
    ]),
    "substations": ("substation_id", ("Point",), [
        F("substation_id", "id"), F("name", "str", required=False),
        F("voltage_kv", "float", positive=True, max_value=MAX_VOLTAGE_KV, hint="volts given as kV?"),
        F("headroom_mw", "float", min_value=0, max_value=MAX_GRID_MW, hint="kW given as MW?"),
        F("zone", "ref"),
        F("supply_mw", "float", required=False, min_value=0, null_default=0.0, max_value=MAX_GRID_MW,
          hint="kW given as MW?"),
        F("lead_time_yr", "float", required=False, min_value=0, null_default=math.nan, max_value=MAX_LEAD_TIME_YR,
          hint="months or days given as years?",
          description="a utility's wait for large loads here (years, upgrades included): no class connects sooner "
                      "than this unless the scenario gives the zone's wait; null = the zone's wait (scenario), or none"),
    ]),
    "transmission": ("corridor_id", ("LineString", "MultiLineString"), [
        F("corridor_id", "id"), F("from_id", "ref"), F("to_id", "ref"),
        F("capacity_mw", "float", min_value=0, max_value=MAX_GRID_MW, hint="kW given as MW?"),
        F("voltage_kv", "float", positive=True, max_value=MAX_VOLTAGE_KV, hint="volts given as kV?"),
    ]),
    "pops": ("pop_id", ("Point",), [F("pop_id", "id"), F("name", "str", required=False)]),
    "fiber": ("link_id", ("LineString", "MultiLineString"), [
        F("link_id", "id"), F("from_id", "ref"), F("to_id", "ref"),
        F("length_km", "float", required=False, positive=True, null_default=math.nan, max_value=MAX_ROUTE_KM,
          hint="metres given as km?"),
    ]),
    "demand": ("region_id", ("Point", "Polygon", "MultiPolygon"), [
        F("region_id", "id"), F("name", "str", required=False),
        F("population", "float", required=False, min_value=0, null_default=math.nan, max_value=MAX_POPULATION,
          description="informational (maps and reports); not used by the model"),
    ]),
}
DEMAND_FIELD_SUFFIXES = ("_gpus", "_max_rtt_ms")  # per workload class: <class>_gpus, <class>_max_rtt_ms


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


def _find(folder: Path, stem: str) -> Path | None:
    for ext in (".geojson", ".gpkg"):
        p = folder / f"{stem}{ext}"
        if p.exists():
            return p
    return None


_UNMODELLED = "demand of a workload class the scenario does not model"


def _unmodelled_demand_fields(columns, specs: list[FieldSpec], ignored: frozenset[str]) -> list[FieldSpec]:
    """Demand of workload classes the scenario does not model (``<class>_gpus``, and its
    ``<class>_max_rtt_ms``): validated and kept, so the plan's notes can say how much is left out.

    A null stays NaN (not 0), so a scenario that later models the class in code is told the value
    is missing, as loading the file for it would; a column in ``ignore_fields`` is not demand.
    """
    known = {s.name for s in specs}
    out = []
    for col in sorted(str(c) for c in columns):
        if col.endswith("_gpus") and col not in known and col not in ignored:
            out.append(F(col, "float", required=False, min_value=0, null_default=math.nan, description=_UNMODELLED,
                         max_value=MAX_GPUS))
            rtt = col[: -len("_gpus")] + "_max_rtt_ms"
            if rtt not in known and rtt not in ignored:  # a column (NaN = the scenario's limit), as for modelled classes
                out.append(F(rtt, "float", required=False, positive=True, null_default=math.nan, max_value=MAX_RTT_MS,
                             hint="seconds or microseconds given as ms?"))
    return out


YEARLY_DEMAND = re.compile(r"^(?P<field>.+_gpus)_(?P<year>\d{4})$")  # <class>_gpus_<year>: a build-out period's demand


def yearly_demand_fields(columns, specs: list[FieldSpec]) -> list[FieldSpec]:
    """``<class>_gpus_<year>`` of a modelled class: its demand in the build-out period that starts in
    that year (optional, >= 0; null = ``<class>_gpus``)."""
    known = {s.name for s in specs}
    out = []
    for col in sorted(str(c) for c in columns):
        hit = YEARLY_DEMAND.match(col)
        if hit and hit["field"] in known and col not in known:
            out.append(F(col, "float", required=False, min_value=0, null_default=math.nan, max_value=MAX_GPUS,
                         description=f"demand in the build-out period starting in {hit['year']}"))
    return out


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


def _range_problem(spec: FieldSpec, v: float) -> str | None:
    """What is wrong with a non-null number for its field, or None."""
    if math.isinf(v):
        return "must be finite"
    if spec.positive and v <= 0:
        return f"must be > 0, got {v:g}"
    if spec.min_value is not None and v < spec.min_value:
        return f"must be >= {spec.min_value:g}, got {v:g}"
    if spec.max_value is not None and v > spec.max_value:
        return (f"{v:g} is above {spec.max_value:g}, more than any real value" +
                (f" ({spec.hint})" if spec.hint else ""))
    return None


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


NULL_ISLAND = "at (0, 0), in the Gulf of Guinea: a missing coordinate written as zero?"


def _has_null_island(g) -> bool:
    """Whether a geometry has a vertex at exactly (0, 0)."""
    import shapely

    xy = shapely.get_coordinates(g)
    return bool(((xy[:, 0] == 0) & (xy[:, 1] == 0)).any())


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


def dataset_area(substations: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """The region a dataset covers: its substations' extent, widened by ``AREA_MARGIN_KM``.

    The extent is that of the middle 96 % of the substations' longitudes and latitudes
    (``AREA_QUANTILES``), so one misplaced substation does not stretch it.

    Parameters
    ----------
    substations : geopandas.GeoDataFrame
        The dataset's substations (Points, lon/lat).

    Returns
    -------
    (west, south, east, north) or None
        In degrees; None without a substation with valid coordinates.
    """
    ok = [g for g in substations.geometry if g is not None and not g.is_empty and g.geom_type == "Point"
          and -180 <= g.x <= 180 and -90 <= g.y <= 90 and not (g.x == 0 and g.y == 0)]
    if not ok:
        return None
    lon = np.array([g.x for g in ok])
    lat = np.array([g.y for g in ok])
    (w, e), (s, n) = np.quantile(lon, AREA_QUANTILES), np.quantile(lat, AREA_QUANTILES)
    dlat = AREA_MARGIN_KM / KM_PER_DEG_LAT
    widest = min(89.0, max(abs(s), abs(n)) + dlat)  # the margin in longitude at the area's widest latitude
    dlon = AREA_MARGIN_KM / (KM_PER_DEG_LAT * math.cos(math.radians(widest)))
    return (max(-180.0, w - dlon), max(-90.0, s - dlat), min(180.0, e + dlon), min(90.0, n + dlat))


def _area_problems(layers: dict[str, gpd.GeoDataFrame], substations: gpd.GeoDataFrame, climate: xr.Dataset | None,
                   files: dict[str, Path], probs: list[Problem]) -> None:
    """Name every feature (and weather station) outside the dataset's area (:func:`dataset_area`)."""
    import shapely

    area = dataset_area(substations)
    if area is None:
        return
    w, s, e, n = area
    where = (f"outside the dataset's area (lon {w:.1f} to {e:.1f}, lat {s:.1f} to {n:.1f}: its substations' "
             f"extent and {AREA_MARGIN_KM:g} km); a longitude's sign flipped, or lat and lon swapped?")

    def outside(x, y) -> bool:
        return not (w <= x <= e and s <= y <= n)

    for stem, table in layers.items():
        if stem not in files:
            continue
        for lab, g in zip(table.index, table.geometry):
            if g is None or g.is_empty:
                continue
            xy = shapely.get_coordinates(g)
            bad = [(x, y) for x, y in xy if -180 <= x <= 180 and -90 <= y <= 90 and not (x == 0 and y == 0)
                   and outside(x, y)]
            if bad:
                probs.append(Problem(str(files[stem]), lab, "geometry", f"({bad[0][0]:g}, {bad[0][1]:g}) is {where}"))
    if climate is not None and {"lat", "lon", "station"} <= set(climate.variables):
        for sid, la, lo in zip(climate["station"].values, climate["lat"].values, climate["lon"].values):
            if np.isfinite(la) and np.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180 \
                    and not (la == 0 and lo == 0) and outside(lo, la):
                probs.append(Problem(str(files["climate"]), str(sid), "lat/lon",
                                     f"station at lon {lo:g}, lat {la:g} is {where}"))


def _check_refs(table: pd.DataFrame, fname: str, fields: tuple[str, ...], valid: set[str], what: str,
                probs: list[Problem], note: str = "") -> None:
    for fld in fields:
        if fld not in table.columns:
            continue
        for lab, v in zip(table.index, table[fld]):
            if v is not None and v not in valid:
                probs.append(Problem(fname, lab, fld, f"unknown {what} {v!r}{note}"))


def _read_netcdf(path: Path, probs: list[Problem]) -> xr.Dataset | None:
    """A NetCDF file loaded into memory; a reader failure is a problem, not a traceback."""
    try:  # a regular file (a FIFO would block, a link to /dev/zero read for ever); only its magic number read
        head = read_head(path, 4)
    except InputError as exc:
        probs.extend(exc.problems)
        return None
    if not head:
        probs.append(Problem(str(path), None, None, "file is empty (expected NetCDF)"))
        return None
    try:
        # NetCDF3 files (magic b"CDF") go through scipy without mmap, so no array keeps the file open
        kwargs = {"engine": "scipy", "backend_kwargs": {"mmap": False}} if head[:3] == b"CDF" else {}
        if kwargs:
            import_scipy()
        return xr.load_dataset(path, **kwargs)
    except Exception as exc:  # noqa: BLE001 - any reader failure is an input problem
        probs.append(Problem(str(path), None, None, f"cannot read NetCDF: {exc}"))
        return None


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


def _as_text(v) -> str | None:
    """An id read from NetCDF as text: NetCDF-3 stores text as bytes, read here as UTF-8 (None if not)."""
    if isinstance(v, (bytes, np.bytes_)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(v)


def _text_ids(values, fname: str, dim: str, probs: list[Problem]) -> list[str]:
    """The ids along a NetCDF dimension as text; a byte string that is not UTF-8 is a problem
    (and kept as its escaped form, so the other checks still run)."""
    out = []
    for i, v in enumerate(values):
        t = _as_text(v)
        if t is None:
            t = bytes(v).decode("utf-8", "backslashreplace")
            probs.append(Problem(fname, f"#{i} ({t})", dim, "id is a byte string that is not UTF-8 text"))
        out.append(t)
    return out


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


def slice_days(climate: xr.Dataset) -> pd.DataFrame:
    """The day structure of a climate's slices: which representative day each belongs to, when.

    Parameters
    ----------
    climate : xarray.Dataset
        A (validated) climate with ``weight_h(slice)`` and, optionally, ``day(slice)`` (str),
        ``order_in_day(slice)`` (int, 0-based) and ``duration_h(slice)`` (hours the slice lasts
        within one occurrence of its day).

    Returns
    -------
    pandas.DataFrame
        Indexed by slice (in the climate's order), columns ``day`` (str), ``order_in_day`` (int)
        and ``duration_h`` (float). Without the day variables, each slice is its own one-slice
        day lasting ``weight_h / 365`` hours (so it stands for 365 days): no chronology at all.
    """
    slices = [str(t) for t in climate["slice"].values]
    w = np.asarray(climate["weight_h"].values, dtype=float)
    if all(v in climate.variables for v in DAY_VARIABLES):
        day = [_as_text(d) or "" for d in climate["day"].values]
        order = np.asarray(climate["order_in_day"].values).astype(int)
        dur = np.asarray(climate["duration_h"].values, dtype=float)
    else:
        day, order, dur = slices, np.zeros(len(slices), dtype=int), w / DAYS_PER_YEAR
    return pd.DataFrame({"day": day, "order_in_day": order, "duration_h": dur}, index=pd.Index(slices, name="slice"))


def day_structure_problems(ds: xr.Dataset, fname: str, probs: list[Problem]) -> None:
    """Check the optional day structure of a climate's slices (see :func:`slice_days`).

    All three variables or none; on dims ``(slice,)``; ``day`` non-empty strings; ``duration_h``
    positive; ``order_in_day`` the integers 0..n-1 of a day's n slices, each once; a day's
    durations sum to at most 24 h; and every slice of a day with hours in the year implies the
    same number of days ``weight_h / duration_h`` (within 1e-6 relative).
    """
    have = [v for v in DAY_VARIABLES if v in ds.variables]
    if not have:
        return
    for v in DAY_VARIABLES:
        if v not in have:
            probs.append(Problem(fname, None, v, f"missing: the day structure needs all of {', '.join(DAY_VARIABLES)} "
                                                 f"(found {', '.join(have)})"))
    bad_dims = [v for v in have if ds[v].dims != ("slice",)]
    for v in bad_dims:
        probs.append(Problem(fname, None, v, f"must have dims ('slice',), has {ds[v].dims}"))
    if len(have) < len(DAY_VARIABLES) or bad_dims or "weight_h" not in ds.variables or ds["weight_h"].dims != ("slice",):
        return
    slices = [str(t) for t in ds["slice"].values]
    w = np.asarray(ds["weight_h"].values, dtype=float)
    day = list(ds["day"].values)
    ok_day = [isinstance(d, (str, bytes)) and (_as_text(d) or "").strip() != "" for d in day]
    for sl, d, ok in zip(slices, day, ok_day):
        if not ok:
            probs.append(Problem(fname, sl, "day", f"must be a non-empty string (the representative day's id), got {d!r}"))
    order_raw = np.asarray(ds["order_in_day"].values)
    try:
        order = order_raw.astype(float)
    except (TypeError, ValueError):
        order = np.full(len(slices), np.nan)
    ok_order = np.isfinite(order) & (order == np.round(order)) & (order >= 0)
    for sl, o, ok in zip(slices, order_raw, ok_order):
        if not ok:
            probs.append(Problem(fname, sl, "order_in_day", f"must be an integer >= 0, got {o!r}"))
    try:
        dur = np.asarray(ds["duration_h"].values).astype(float)
    except (TypeError, ValueError):
        dur = np.full(len(slices), np.nan)
    ok_dur = np.isfinite(dur) & (dur > 0)
    for sl, v, ok in zip(slices, ds["duration_h"].values, ok_dur):
        if not ok:
            probs.append(Problem(fname, sl, "duration_h", f"must be a positive number of hours, got {v!r}"))
    members: dict[str, list[int]] = {}
    for i, (d, ok) in enumerate(zip(day, ok_day)):
        if ok:
            members.setdefault(_as_text(d), []).append(i)
    for d in sorted(members):
        idx = members[d]
        orders = sorted(int(order[i]) for i in idx if ok_order[i])
        if len(orders) == len(idx) and orders != list(range(len(idx))):
            dup = sorted({o for o in orders if orders.count(o) > 1})
            got = ", ".join(str(o) for o in orders)
            probs.append(Problem(fname, d, "order_in_day",
                                 f"the day's {len(idx)} slices ({', '.join(slices[i] for i in idx)}) must have orders "
                                 f"0..{len(idx) - 1}, each once; got {got}" + (f" ({dup} repeated)" if dup else "")))
        if not all(ok_dur[i] for i in idx):
            continue
        total = float(sum(dur[i] for i in idx))
        if total > HOURS_PER_DAY * (1 + 1e-9):
            probs.append(Problem(fname, d, "duration_h", f"the day's slices last {total:g} h in all, more than 24 h"))
        if all(np.isfinite(w[i]) and w[i] >= 0 for i in idx) and sum(w[i] for i in idx) > 0:
            days = [w[i] / dur[i] for i in idx]
            if max(days) - min(days) > 1e-6 * max(days):
                probs.append(Problem(fname, d, "duration_h",
                                     "the day's slices stand for different numbers of days (weight_h / duration_h: "
                                     + ", ".join(f"{slices[i]} {x:g}" for i, x in zip(idx, days))
                                     + "); every slice of a representative day occurs once in each of its days"))


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


PRICE_FACTORS = ("supply_factor", "corridor_rating_factor")  # optional per (zone, slice), default 1
MAX_RATING_FACTOR = 3.0  # a rating factor above this is a unit mistake (MW given as a factor?)


def _load_prices(folder: Path, slices: list[str] | None, probs: list[Problem],
                 files: dict[str, Path]) -> pd.DataFrame:
    """prices.csv / prices.nc: energy price and carbon per (zone, slice), and the optional factors
    ``supply_factor`` (on ``supply_mw`` of the zone's substations) and ``corridor_rating_factor``
    (on ``capacity_mw`` of corridors touching the zone) per slice, 1 where not given."""
    path, nc = folder / "prices.csv", folder / "prices.nc"
    cols = ["energy_price_usd_per_mwh", "carbon_t_per_mwh"]
    empty = pd.DataFrame(columns=cols + list(PRICE_FACTORS),
                         index=pd.MultiIndex.from_tuples([], names=["zone", "slice"]))
    if path.exists() and nc.exists():
        probs.append(Problem(str(nc), None, None, "both prices.csv and prices.nc exist; keep one"))
        return empty
    if nc.exists():
        path = nc
    fname = str(path)
    if not path.exists():
        probs.append(Problem(fname, None, None, "file not found (prices.csv or prices.nc)"))
        return empty
    files["prices"] = path
    if path.suffix == ".nc":
        df = _prices_nc_table(path, cols, probs, optional=PRICE_FACTORS)
        if df is None:
            return empty
        line = {}
    else:
        df = _read_csv(path, {"zone": str, "slice": str}, probs)
        if df is None:
            return empty
        if not len(df):
            probs.append(Problem(fname, None, None, "has a header but no rows (a row per zone and slice)"))
            return empty
        line = {i: f" (line {i + 2})" for i in range(len(df))}
    for c in ["zone", "slice", *cols]:
        if c not in df.columns:
            probs.append(Problem(fname, None, c, "required column is missing"))
    if any(c not in df.columns for c in ["zone", "slice", *cols]):
        return empty
    for c in df.columns:
        if c not in ["zone", "slice", *cols, *PRICE_FACTORS]:
            probs.append(Problem(fname, None, c, "unknown column"))
    factors = [c for c in PRICE_FACTORS if c in df.columns]
    for i, row in df.iterrows():
        lab = f"{row['zone']}/{row['slice']}{line.get(i, '')}"
        for c in factors:
            v = pd.to_numeric(row[c], errors="coerce")
            if pd.isna(v) or not np.isfinite(v) or not 0 <= v <= MAX_RATING_FACTOR:
                probs.append(Problem(fname, lab, c, f"must be a number in [0, {MAX_RATING_FACTOR:g}] (a factor on "
                                                    f"the MW of the dataset), got {row[c]!r}"))
        for c in cols:
            v = pd.to_numeric(row[c], errors="coerce")
            if pd.isna(v) or not np.isfinite(v):
                probs.append(Problem(fname, lab, c, f"missing or not a finite number: {row[c]!r}"))
            elif c == "energy_price_usd_per_mwh" and _energy_price_problem(v):
                probs.append(Problem(fname, lab, c, _energy_price_problem(v)))
            elif c == "carbon_t_per_mwh" and v < 0:
                probs.append(Problem(fname, lab, c, f"must be >= 0, got {v:g}"))
            elif c == "carbon_t_per_mwh" and v > MAX_CARBON_T_PER_MWH:
                probs.append(Problem(fname, lab, c, f"{v:g} t/MWh is above {MAX_CARBON_T_PER_MWH:g}, more than any "
                                                    "generation mix emits (kg/MWh given as t/MWh?)"))
    for c in cols + factors:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    for c in PRICE_FACTORS:
        if c not in df.columns:
            df[c] = 1.0
    key = df.set_index(["zone", "slice"]).index
    for z, s in sorted(set(key[key.duplicated()])):
        probs.append(Problem(fname, f"{z}/{s}", "zone,slice", "duplicate row"))
    df = df.drop_duplicates(["zone", "slice"]).set_index(["zone", "slice"]).sort_index()
    if slices is not None:
        known = set(slices)
        for z, s in df.index:
            if s not in known:
                probs.append(Problem(fname, f"{z}/{s}", "slice", "slice not in climate.nc"))
        for z in sorted(set(df.index.get_level_values("zone"))):
            have = set(df.loc[z].index)
            for s in slices:
                if s not in have:
                    probs.append(Problem(fname, f"{z}/{s}", "slice", "no row for this zone and slice"))
    return df[cols + list(PRICE_FACTORS)]


def _energy_price_problem(v: float) -> str | None:
    """What is wrong with a finite energy price (USD/MWh), or None (see ENERGY_PRICE_RANGE_USD_PER_MWH)."""
    lo, hi = ENERGY_PRICE_RANGE_USD_PER_MWH
    if v < lo:
        return (f"{v:g} USD/MWh is below {lo:g}: no grid energy is that cheap over a slice (USD/kWh given as "
                "USD/MWh? multiply by 1,000)")
    if v > hi:
        return f"{v:g} USD/MWh is above {hi:g}, every market's price cap (cents/kWh or USD/GWh given as USD/MWh?)"
    return None


def _plain_rows_of_one_width(text: str) -> bool:
    """True when ``text`` has no quote, carriage return or NUL (so the csv module's rows are its lines
    split at commas) and every non-blank line has as many fields as the others: nothing for the row
    check of :func:`_read_csv` to report, found without its row loop (a third of the time on 100k rows)."""
    if '"' in text or "\r" in text or "\x00" in text:
        return False
    return len({ln.count(",") for ln in text.split("\n") if ln}) <= 1


def _read_csv(path: Path, dtype: dict[str, type], probs: list[Problem]) -> pd.DataFrame | None:
    """A CSV input file as a table of text ids and values; None (with problems) when it cannot be.

    Only a regular UTF-8 file is read; an empty file and rows whose number of fields differs from
    the header's are problems (with the line), not pandas errors. ``keep_default_na=False``: an id
    such as "NA" or "null" is an id, not a missing value (an empty value cell stays "").
    """
    fname = str(path)
    try:
        text = read_text(path, fname)
    except InputError as exc:
        probs.extend(exc.problems)
        return None
    if not text.strip():
        probs.append(Problem(fname, None, None, "file is empty (expected a header line and rows)"))
        return None
    n0 = len(probs)
    reader = () if _plain_rows_of_one_width(text) else csv.reader(_io.StringIO(text))
    width = None
    for row in reader:
        if not row:  # a blank line: skipped, as pandas does
            continue
        if width is None:
            width = len(row)
        elif len(row) != width and len(probs) - n0 < 20:
            probs.append(Problem(fname, f"line {reader.line_num}", None,
                                 f"has {len(row)} fields, the header has {width}"))
    if len(probs) > n0:
        return None
    try:
        return pd.read_csv(_io.StringIO(text), dtype=dtype, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:  # e.g. an unclosed quote
        probs.append(Problem(fname, None, None, f"cannot read CSV: {' '.join(str(exc).split())}"))
        return None


def _prices_nc_table(path: Path, cols: list[str], probs: list[Problem], optional=()) -> pd.DataFrame | None:
    """prices.nc as the rows prices.csv would hold: variables ``cols`` (and any of ``optional``) on
    dims (zone, slice)."""
    fname = str(path)
    ds = _read_netcdf(path, probs)
    if ds is None:
        return None
    ok = True
    for c in cols:
        if c not in ds.data_vars:
            probs.append(Problem(fname, None, c, "required variable is missing"))
            ok = False
        elif set(ds[c].dims) != {"zone", "slice"}:
            probs.append(Problem(fname, None, c, f"must have dims (zone, slice), has {ds[c].dims}"))
            ok = False
    have = [c for c in optional if c in ds.data_vars]
    for c in have:
        if set(ds[c].dims) != {"zone", "slice"}:
            probs.append(Problem(fname, None, c, f"must have dims (zone, slice), has {ds[c].dims}"))
            ok = False
    for v in ds.data_vars:
        if v not in cols and v not in optional:
            probs.append(Problem(fname, None, str(v), "unknown variable"))
    if not ok:
        return None
    ds = ds.assign_coords(zone=_text_ids(ds["zone"].values, fname, "zone", probs),
                          slice=_text_ids(ds["slice"].values, fname, "slice", probs))
    df = ds[cols + have].to_dataframe().reset_index()
    return df[["zone", "slice", *cols, *have]]


# per pair file: the value's lower bound, whether the bound itself is allowed, its ceiling, and what a
# value above it probably is (see the MAX_* constants); a round trip takes time, so RTT 0 is an error
PAIR_VALUE_RANGES = {"rtt_ms": (0.0, False, MAX_RTT_MS, "seconds or microseconds given as ms?"),
                     "serving_cost_usd_per_gpu_yr": (0.0, True, MAX_SERVING_USD_PER_GPU_YR, "")}


def _load_pairs(folder: Path, stem: str, value: str, sites: set[str], regions: set[str],
                probs: list[Problem], files: dict[str, Path]) -> pd.DataFrame | None:
    path = folder / f"{stem}.csv"
    if not path.exists() and not path.is_symlink():
        return None
    files[stem] = path
    fname = str(path)
    # an empty value cell stays "" and is reported as not a number below
    df = _read_csv(path, {"site_id": str, "region_id": str}, probs)
    if df is None:
        return None
    for c in ("site_id", "region_id", value):
        if c not in df.columns:
            probs.append(Problem(fname, None, c, "required column is missing"))
            return None
    for c in df.columns:
        if c not in ("site_id", "region_id", value):
            probs.append(Problem(fname, None, c, "unknown column"))
    # Vectorised checks (these files hold one row per site x region pair: 100k+ rows); only the
    # offending rows are visited in Python, in file order.
    num = pd.to_numeric(df[value], errors="coerce")
    bad_site = ~df["site_id"].isin(sites).to_numpy()
    bad_region = ~df["region_id"].isin(regions).to_numpy()
    lo, lo_ok, hi, hint = PAIR_VALUE_RANGES[value]
    bad_value = ~(np.isfinite(num) & ((num >= lo) if lo_ok else (num > lo)) & (num <= hi)).to_numpy()  # NaN, inf too
    for i in np.flatnonzero(bad_site | bad_region | bad_value):
        sid, rid, raw = df["site_id"].iat[i], df["region_id"].iat[i], df[value].iat[i]
        raw = raw.item() if isinstance(raw, np.generic) else raw  # 0, not np.int64(0)
        lab = f"{sid}/{rid} (line {i + 2})"
        if bad_site[i]:
            probs.append(Problem(fname, lab, "site_id", f"unknown site {sid!r}"))
        if bad_region[i]:
            probs.append(Problem(fname, lab, "region_id", f"unknown region {rid!r}"))
        if bad_value[i]:
            v = num.iat[i]
            probs.append(Problem(fname, lab, value, f"{v:g} is above {hi:g}, more than any real value"
                                 + (f" ({hint})" if hint else "") if np.isfinite(v) and v > hi else
                                 f"must be a finite number {'>=' if lo_ok else '>'} {lo:g}, got {raw!r}"))
    df[value] = num
    key = pd.MultiIndex.from_arrays([df["site_id"], df["region_id"]])  # once: half the time of two set_index
    dup = key.duplicated()
    for a, b in sorted(set(key[dup]), key=str):  # str: ids may be NaN (reported above)
        probs.append(Problem(fname, f"{a}/{b}", "site_id,region_id", "duplicate row"))
    return df.loc[~dup, [value]].set_axis(key[~dup], axis=0).sort_index()  # the first of each pair, as drop_duplicates


def _read_meta(path: Path, probs: list[Problem]) -> dict:
    """``dataset.yaml`` as a mapping; a parse error or a non-mapping is a problem, not a traceback."""
    try:  # a regular UTF-8 file without duplicate keys or alias bombs
        meta = load_yaml(path, parse_error="cannot parse YAML")
    except InputError as exc:
        probs.extend(exc.problems)
        return {}
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        probs.append(Problem(str(path), None, None, f"must be a mapping of keys (name, description, sources, "
                                                    f"ignore_fields), got a {type(meta).__name__}"))
        return {}
    for key in sorted(set(map(str, meta)) - {"name", "description", "sources", "ignore_fields"}):
        probs.append(Problem(str(path), None, key, "unknown key (known: description, ignore_fields, name, sources)"))
    return meta


def _ignore_fields(meta: dict, fname: str, probs: list[Problem]) -> dict[str, frozenset[str]]:
    """``ignore_fields: {layer: [field, ...]}``: attributes a layer may carry that siteplan does not use."""
    raw = meta.get("ignore_fields") or {}
    if not isinstance(raw, dict):
        probs.append(Problem(fname, None, "ignore_fields", "must map a layer name to a list of field names"))
        return {}
    out = {}
    for layer, fields in sorted(raw.items(), key=lambda kv: str(kv[0])):
        if layer not in SCHEMAS:
            probs.append(Problem(fname, str(layer), "ignore_fields", f"unknown layer (known: {', '.join(sorted(SCHEMAS))})"))
        elif not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            probs.append(Problem(fname, str(layer), "ignore_fields", "must be a list of field names"))
        else:
            id_field, _, specs = SCHEMAS[layer]
            for f in sorted(set(fields) & {s.name for s in specs}):
                probs.append(Problem(fname, str(layer), "ignore_fields", f"{f!r} is a siteplan field and cannot be ignored"))
            out[layer] = frozenset(fields)
    return out


def demand_fields(workloads: list[str]) -> list[FieldSpec]:
    """The demand fields of a scenario's workload classes.

    Parameters
    ----------
    workloads : list of str
        The scenario's workload classes.

    Returns
    -------
    list of FieldSpec
        ``<class>_gpus`` (required, >= 0) and ``<class>_max_rtt_ms`` (optional, > 0) per class.
    """
    out = []
    for w in workloads:
        out.append(F(f"{w}_gpus", "float", min_value=0, max_value=MAX_GPUS))
        out.append(F(f"{w}_max_rtt_ms", "float", required=False, positive=True, null_default=math.nan,
                     max_value=MAX_RTT_MS, hint="seconds or microseconds given as ms?"))
    return out


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
    return sorted(set(probs), key=lambda p: (p.file or "", p.feature_id or "", p.field or "", p.message))


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
    _area_problems({"sites": sites, "substations": subs, "transmission": trans, "demand": demand}, subs,
                   climate if climate is not None and "siteplan_form" not in climate.attrs else None, files, probs)
    from siteplan.land import sea_problems

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
