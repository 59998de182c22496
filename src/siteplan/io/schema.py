"""The field schema of each layer file, declared once as data (:data:`SCHEMAS`), and the demand
fields a scenario's workload classes add to it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from siteplan.io.limits import (MAX_GPUS, MAX_GRID_MW, MAX_LEAD_TIME_YR, MAX_M3_PER_YR, MAX_POPULATION,
                                MAX_ROUTE_KM, MAX_RTT_MS, MAX_SITE_MW, MAX_SITE_USD, MAX_VOLTAGE_KV)


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
