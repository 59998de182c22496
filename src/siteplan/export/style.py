"""Shared look of the exports: colours, basemap, map extent and number formatting.

One place decides how a cooling design or a voltage looks, so the PNG, the HTML map and the report
agree with each other.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np

from siteplan import labels as _labels
from siteplan.labels import plant_name  # noqa: F401  (map labels call style.plant_name)
from siteplan.io.land import basemap_path

# Cooling designs of the default catalog get fixed colours (colour-blind-safe Okabe-Ito hues);
# designs from a user catalog take the next free colour in sorted order.
DESIGN_COLORS = {
    "air_economizer": "#E69F00",
    "rear_door": "#56B4E9",
    "direct_to_chip": "#009E73",
    "immersion": "#CC79A7",
}
EXTRA_COLORS = ("#0072B2", "#D55E00", "#F0E442", "#999999", "#882255", "#44AA99")

# Interconnect voltages: one colour per standard North American transmission voltage class, so
# neighbouring classes (138 and 161 kV, 345 and 500 kV) are told apart. Paul Tol's colour-blind-safe
# "muted" hues (69 kV a deeper yellow, 138 kV a stronger cyan, so both show on the pale basemap);
# every pair differs by at least ~14 CIELAB units also under simulated deuteranopia, protanopia and
# tritanopia (tests/test_map_labels2.py). A voltage off these classes takes the nearest class's colour.
VOLTAGE_CLASS_COLORS = {
    69.0: "#DDAA33",
    115.0: "#999933",
    138.0: "#33BBEE",
    161.0: "#CC6677",
    230.0: "#117733",
    345.0: "#332288",
    500.0: "#882255",
    765.0: "#AA4499",
}
VOLTAGE_CLASSES_KV = tuple(VOLTAGE_CLASS_COLORS)

CANDIDATE_COLOR = "#8c8c8c"
DEMAND_COLOR = "#7b3294"
FIBER_COLOR = "#b07d2b"
STATE_FILL = "#f4f1ea"
STATE_EDGE = "#b9b3a6"
WATER_BG = "#dfe9f0"
HEADROOM_CMAP = "RdYlGn"  # little headroom left = red, plenty = green
VALUE_COLOR = "#0571b0"  # rings on substations whose headroom has a value (duals)

KM_PER_DEG = 111.32


def design_colors(designs) -> dict[str, str]:
    """Colour per design id (deterministic for any set of ids)."""
    out, extra = {}, iter(EXTRA_COLORS * 4)
    for d in sorted(set(designs)):
        out[d] = DESIGN_COLORS.get(d) or next(extra)
    return out


def voltage_class(kv: float) -> float:
    """The standard voltage class (kV, :data:`VOLTAGE_CLASSES_KV`) nearest to ``kv`` (by ratio: 100 kV
    is the 115 kV class, 600 kV the 500 kV class)."""
    v = float(kv)
    if not math.isfinite(v) or v <= 0:
        return VOLTAGE_CLASSES_KV[0]
    return min(VOLTAGE_CLASSES_KV, key=lambda c: (abs(math.log(v / c)), c))


def voltage_color(kv: float) -> str:
    """Hex colour of a voltage: its class's (:func:`voltage_class`), the same in every map."""
    return VOLTAGE_CLASS_COLORS[voltage_class(kv)]


def voltage_legend(kvs) -> list[tuple[str, str]]:
    """(label, colour) per voltage class present among ``kvs``, lowest first: '138 kV', or
    '69 kV class (66 kV)' when a voltage of the plan is not the class's own."""
    by_class: dict[float, set[float]] = {}
    for v in kvs:
        if v is not None and math.isfinite(float(v)):
            by_class.setdefault(voltage_class(v), set()).add(float(v))
    out = []
    for c in sorted(by_class):
        other = sorted(v for v in by_class[c] if abs(v - c) > 1e-9)
        label = f"{c:g} kV" if not other else f"{c:g} kV class ({', '.join(f'{v:g}' for v in sorted(by_class[c]))} kV)"
        out.append((label, VOLTAGE_CLASS_COLORS[c]))
    return out


# cost categories in words: with the other words for ids in siteplan.labels (the terminal summary uses
# them too); the maps and the report read them here
CATEGORY_LABELS = _labels.CATEGORY_LABELS
category_label = _labels.category_label

ONSITE_COLOR = "#c0392b"  # edge of sites with on-site plant (and the off-grid diamond)
SUBSTATION_IDLE = "#9a9a9a"  # substations the plan does not use


def short_name(name: str, fallback: str) -> str:
    """'near Big Spring, TX (230 kV O Donnell 1)' -> 'Big Spring, TX'; the id if there is no name."""
    from siteplan.labels import place_name

    return place_name(name, fallback)


def site_names(sites) -> list[str]:
    """The name a person reads for each row of a site table: the ``place`` column (towns told apart
    where candidates share one, :func:`siteplan.labels.place_names`), else the dataset name's town."""
    from siteplan.labels import place_names

    if "place" in sites:
        return [str(p) if isinstance(p, str) and p.strip() else str(i) for p, i in zip(sites["place"], sites["site_id"])]
    names = sites["name"].fillna("").astype(str) if "name" in sites else [""] * len(sites)
    return place_names(list(names), list(sites["site_id"]))


def power_kind(row) -> str:
    """'grid', 'grid + on-site' or 'off-grid' for an open site row (how its marker is drawn)."""
    has_grid = bool(str(row.get("substation_id", "") or "").strip())
    has_gen = float(row.get("onsite_mw", 0.0) or 0.0) > 1e-6
    if has_grid and has_gen:
        return "grid + on-site"
    return "grid" if has_grid else "off-grid"


def power_words(row) -> str:
    """How an open site is powered, short: 'grid 230 kV', 'grid + 55 MW on-site (70 % grid)',
    'off-grid: 99 MW on-site'; batteries appended as '+ 10 MW / 40 MWh battery'."""
    from siteplan.results.summary import fmt_mw

    kind = power_kind(row)
    kv = float(row.get("interconnect_kv", float("nan")) or float("nan"))
    share = float(row.get("grid_share", float("nan")))
    if kind == "grid":
        text = f"grid {kv:g} kV" if math.isfinite(kv) and kv > 0 else "grid"
    elif kind == "grid + on-site":
        text = f"grid + {fmt_mw(row['onsite_mw'])} MW on-site" + (f" ({share:.0%} grid)" if math.isfinite(share) else "")
    else:
        text = f"off-grid: {fmt_mw(row.get('onsite_mw', 0.0))} MW on-site"
    bmw = float(row.get("battery_mw", 0.0) or 0.0)
    if bmw > 1e-6:
        mwh = float(row.get("battery_mwh", float("nan")))
        text += f" + {fmt_mw(bmw)} MW" + (f" / {fmt_mw(mwh)} MWh" if math.isfinite(mwh) else "") + " battery"
    return text


def plant_units(row) -> list[tuple[str, int]]:
    """(generator id, units) of each on-site generator type a site row has, most units first (from
    its ``units_<id>`` columns)."""
    out = []
    for col in row.index if hasattr(row, "index") else row:
        if str(col).startswith("units_"):
            n = float(row[col] or 0.0)
            if math.isfinite(n) and n > 0.5:
                out.append((str(col)[len("units_"):], int(round(n))))
    return sorted(out, key=lambda gn: (-gn[1], gn[0]))


def plant_unit_mw(row, gen_id: str) -> float:
    """Size (MW) of one unit of ``gen_id`` at a site row: read from its ``onsite_plant`` text ('13 × 18.3
    MW gas reciprocating engines = 237.9 MW'; results folders written before: '13 x gas recip 18.3 MW =
    237.9 MW'), else its on-site MW over its units when it has one type; NaN if unknown."""
    import re

    from siteplan.labels import onsite_name

    text = str(row.get("onsite_plant", "") or "")
    name = re.escape(str(gen_id).replace("_", " "))
    words = "|".join(re.escape(w) for w in (plant_name(gen_id, 1), plant_name(gen_id, 2), onsite_name(gen_id)))
    m = (re.search(rf"(?:^|; )\d+ × ([\d.,]+) MW (?:{words}) =", text)
         or re.search(rf"(?:^|; )\d+ x {name} ([\d.,]+) MW", text))
    if m:
        return float(m.group(1).replace(",", ""))
    units = plant_units(row)
    mw = float(row.get("onsite_mw", 0.0) or 0.0)
    if len(units) == 1 and units[0][0] == gen_id and mw > 0:
        return mw / units[0][1]
    return float("nan")


def plant_words(row, short: bool = False) -> str:
    """The on-site plant of a site row: '13 × 18.3 MW gas reciprocating engines (237.9 MW, 219.6 MW
    firm)', types joined with ' + '; '' without on-site plant. ``short`` for a map label: '13 gas
    engines, 220 MW firm'. Firm MW is what the plant supplies with its largest unit out (N+1)."""
    from siteplan.results.summary import fmt_mw

    units = plant_units(row)
    mw = float(row.get("onsite_mw", 0.0) or 0.0)
    firm = float(row.get("onsite_firm_mw", float("nan")))
    if not units:
        return "" if mw <= 1e-6 else f"{fmt_mw(mw)} MW on-site plant"
    if short:
        kinds = " + ".join(f"{n} {plant_name(g, n, short=True)}" for g, n in units)
        return kinds + (f", {fmt_mw(firm)} MW firm" if math.isfinite(firm) else "")

    def one(g, n):
        size = plant_unit_mw(row, g)
        return f"{n} × " + (f"{size:,.4g} MW " if math.isfinite(size) else "") + plant_name(g, n)

    size = f"{mw:,.1f} MW" + (f", {firm:,.1f} MW firm" if math.isfinite(firm) else "")
    return " + ".join(one(g, n) for g, n in units) + f" ({size})"


def battery_words(row) -> str:
    """'10 MW / 40 MWh battery' for a site row with batteries, else ''."""
    from siteplan.results.summary import fmt_mw

    bmw = float(row.get("battery_mw", 0.0) or 0.0)
    if bmw <= 1e-6:
        return ""
    mwh = float(row.get("battery_mwh", float("nan")))
    return f"{fmt_mw(bmw)} MW" + (f" / {fmt_mw(mwh)} MWh" if math.isfinite(mwh) and mwh > 0 else "") + " battery"


def power_short(row, with_share: bool = True) -> str:
    """How an open site is powered, for a map label: 'grid 69 kV', '24% grid + 13 gas engines, 220
    MW firm' ('grid + ...' without ``with_share``), 'off-grid: 13 gas engines, 220 MW firm';
    batteries appended ('+ 10 MW / 40 MWh battery')."""
    kind = power_kind(row)
    kv = float(row.get("interconnect_kv", float("nan")) or float("nan"))
    share = float(row.get("grid_share", float("nan")))
    plant = plant_words(row, short=True)
    if kind == "grid":
        text = f"grid {kv:g} kV" if math.isfinite(kv) and kv > 0 else "grid"
    elif kind == "grid + on-site":
        text = (f"{share:.0%} grid" if with_share and math.isfinite(share) else "grid") + f" + {plant}"
    else:
        text = f"off-grid: {plant}"
    bat = battery_words(row)
    return text + (f" + {bat}" if bat else "")


def region_shape(plan, bounds=None):
    """The study region: the union of the basemap states holding a candidate site or a demand region
    (None without a basemap). Backbone fiber is clipped to it on the maps."""
    pts = [g for g in list(plan.sites.geometry) + list(plan.demand.geometry) if g is not None and not g.is_empty]
    states = load_basemap(bounds)
    if not len(states) or not pts:
        return None
    import shapely

    keep = [geom for geom in states.geometry if any(geom.covers(pt) for pt in pts)]
    if not keep:
        return None
    return shapely.union_all(keep).buffer(0.05)


def load_basemap(bounds: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """State polygons (EPSG:4326), optionally only those touching ``bounds`` (minx, miny, maxx, maxy)."""
    path = basemap_path()
    if path is None:
        return gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs="EPSG:4326")
    states = gpd.read_file(path)
    if bounds is not None:
        states = states.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]
    return states


def plan_extent(plan, pad: float = 0.08, min_span_deg: float = 1.0) -> tuple[float, float, float, float]:
    """Map window (minx, miny, maxx, maxy) around sites, demand and connected substations."""
    parts = [plan.sites.geometry, plan.demand.geometry, plan.interconnects.geometry]
    xs, ys = [], []
    for g in parts:
        if len(g):
            b = g.total_bounds
            if np.all(np.isfinite(b)):
                xs += [b[0], b[2]]
                ys += [b[1], b[3]]
    if not xs:
        return (-125.0, 24.0, -66.0, 50.0)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    aspect = 1.0 / math.cos(math.radians(cy))
    w = max(x1 - x0, min_span_deg * aspect) * (1 + 2 * pad)
    h = max(y1 - y0, min_span_deg) * (1 + 2 * pad)
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def fmt_usd(x: float) -> str:
    """$1.23B / $45.6M / $7.8k / $12; negative amounts as -$1.23B."""
    if x is None or not np.isfinite(x):
        return "–"
    if x == 0:
        return "$0"
    if x < 0:
        return "-" + fmt_usd(-x)
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"${x / div:,.2f}{unit}"
    return f"${x:,.2f}" if abs(x) < 100 else f"${x:,.0f}"


def fmt_num(x: float, digits: int = 1) -> str:
    """Thousands separators, fixed decimals, '–' for missing."""
    if x is None or not np.isfinite(x):
        return "–"
    return f"{x:,.{digits}f}"


def nice_number(x: float) -> float:
    """1, 2 or 5 times a power of ten, not above ``x``."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * p <= x:
            return m * p
    return p


def headroom_values(plan) -> np.ndarray:
    """Value of one more MW of headroom per substation of ``plan.substations`` (USD/yr per MW; the
    duals of the fixed-integer LP, :mod:`siteplan.solve.duals`), NaN where not known."""
    ds = plan.ds
    if "value_headroom_usd_per_mw_yr" not in ds or not len(plan.substations):
        return np.full(len(plan.substations), np.nan)
    v = ds["value_headroom_usd_per_mw_yr"].to_series()
    return v.reindex(plan.substations["substation_id"].astype(str)).to_numpy(float)
