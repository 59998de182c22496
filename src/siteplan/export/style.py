"""Shared look of the exports: colours, basemap, map extent and number formatting.

One place decides how a cooling design or a voltage looks, so the PNG, the HTML map and the report
agree with each other.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np

# Cooling designs of the default catalog get fixed colours (colour-blind-safe Okabe-Ito hues);
# designs from a user catalog take the next free colour in sorted order.
DESIGN_COLORS = {
    "air_economizer": "#E69F00",
    "rear_door": "#56B4E9",
    "direct_to_chip": "#009E73",
    "immersion": "#CC79A7",
}
EXTRA_COLORS = ("#0072B2", "#D55E00", "#F0E442", "#999999", "#882255", "#44AA99")

# Interconnect voltages: a fixed scale from 60 kV (light blue) to 520 kV (dark red).
VOLTAGE_RANGE_KV = (60.0, 520.0)
VOLTAGE_CMAP = "plasma_r"

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


def voltage_color(kv: float) -> str:
    """Hex colour of a voltage on the fixed kV scale (same in every map)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    lo, hi = VOLTAGE_RANGE_KV
    t = min(max((float(kv) - lo) / (hi - lo), 0.0), 1.0)
    return to_hex(colormaps[VOLTAGE_CMAP](0.1 + 0.8 * t))


def short_name(name: str, fallback: str) -> str:
    """'near Big Spring, TX (230 kV O Donnell 1)' -> 'Big Spring, TX'; the id if there is no name."""
    name = (name or "").strip()
    if not name or name.lower() == "nan":
        return fallback
    name = name.split(" (")[0]
    return name[5:] if name.startswith("near ") else name


def basemap_path() -> Path | None:
    """The bundled Census state boundaries (``data/basemap/us_states.geojson``), if present."""
    import siteplan

    here = Path(siteplan.__file__).resolve().parent
    for cand in (here.parents[1] / "data" / "basemap" / "us_states.geojson",
                 here / "data" / "basemap" / "us_states.geojson"):
        if cand.exists():
            return cand
    return None


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
    duals of the fixed-integer LP, :mod:`siteplan.duals`), NaN where not known."""
    ds = plan.ds
    if "value_headroom_usd_per_mw_yr" not in ds or not len(plan.substations):
        return np.full(len(plan.substations), np.nan)
    v = ds["value_headroom_usd_per_mw_yr"].to_series()
    return v.reindex(plan.substations["substation_id"].astype(str)).to_numpy(float)
