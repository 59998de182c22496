"""Grid carbon per eGRID subregion and slice.

Level: the EPA eGRID subregion CO2 output emission rate of the newest eGRID year available for the
chosen basis (``RATES``): ``average`` = total output rate (eGRID2022 ``SRCO2RTA``, what a load draws
on average), ``nonbaseload`` = non-baseload output rate (eGRID2019 ``SRNBCO2``, the newest year with it;
closer to what an added load displaces). lb/MWh x 0.45359237 / 1000 = t/MWh.

Subregion of a point: the eGRID polygon containing it; a point in none (the web-map polygons are
simplified at coasts and borders) takes the nearest polygon, and the build log names it.

Shape over the slices (``shape="cambium"``, the default): NREL Cambium 2022 Mid-case hourly average
emission rate of load (modelled 2024) of the subregion's Cambium region (``<SUBRGN>c``; New York
subregions -> ``NYSTc``), averaged per slice: a month's ``day`` slice = hours 07-18 of that month
(hour 0 = the file's first row; Cambium's local standard time is assumed, not verified in the
source), ``night`` = hours 19-06; ``peak_hot`` = all hours of the June-September month with the
highest mean, ``peak_cold`` = all hours of the December-February month with the highest mean. The
slice values minus their hour-weighted mean are **added** to the eGRID rate (clipped at 0 and
re-centred): Cambium gives the swing in t/MWh, eGRID the level. The swing is added rather than
multiplied because Cambium's modelled levels are far below eGRID's (SPSOc 138 vs SPSO 440
kg/MWh): scaling would triple the swing. A subregion without a Cambium file is flat (logged).
``shape="flat"`` gives every slice the eGRID rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, shape

from .climate import DAYS, SLICES, slice_weights

T_PER_LB = 0.45359237 / 1000.0
#: carbon basis -> (metric in egrid_subregion_rates_long.csv, eGRID data year)
RATES = {"average": ("co2_total_output", 2022), "nonbaseload": ("co2_nonbaseload_output", 2019)}
SHAPES = ("cambium", "flat")
DAY_HOURS = range(7, 19)
SUMMER_MONTHS = (6, 7, 8, 9)
WINTER_MONTHS = (12, 1, 2)
CAMBIUM_ALIAS = {"NYCW": "NYST", "NYLI": "NYST", "NYUP": "NYST"}


@dataclass
class Subregions:
    """eGRID subregion polygons and rates (t CO2/MWh) for one basis."""

    polygons: dict[str, object]
    rate_t_per_mwh: pd.Series
    basis: str
    year: int

    def locate(self, lon: float, lat: float) -> tuple[str, bool]:
        """(subregion, exact): the polygon containing the point, else the nearest one (exact False)."""
        p = Point(lon, lat)
        for code in sorted(self.polygons):
            if self.polygons[code].contains(p):
                return code, True
        d = {code: shapely.distance(poly, p) for code, poly in self.polygons.items()}
        return min(sorted(d), key=d.get), False


def load_subregions(raw: Path, basis: str = "average") -> Subregions:
    """eGRID subregion polygons and the rate of ``basis`` (see :data:`RATES`)."""
    if basis not in RATES:
        raise KeyError(f"unknown carbon basis {basis!r} (choose from {', '.join(RATES)})")
    metric, year = RATES[basis]
    folder = raw / "egrid-subregions" / "derived"
    gj = json.loads((folder / "egrid_subregions.geojson").read_text())
    polys = {f["properties"]["SUBRGN"]: shape(f["geometry"]) for f in gj["features"]}
    r = pd.read_csv(folder / "egrid_subregion_rates_long.csv")
    r = r[(r.metric == metric) & (r.data_year == year)].set_index("subregion")["lb_per_mwh"].astype(float)
    return Subregions(polys, (r * T_PER_LB).sort_index(), basis, year)


def cambium_slice_swing(raw: Path, subregion: str) -> np.ndarray | None:
    """Cambium AER per slice minus its hour-weighted mean over the slices, t/MWh (None: no file)."""
    code = CAMBIUM_ALIAS.get(subregion, subregion)
    f = raw / "cambium-hourly-emissions" / "raw" / "AER_MidCase_1" / f"{code}c.csv"
    if not f.is_file():
        return None
    v = np.loadtxt(f) / 1000.0  # kg -> t CO2e per MWh
    if v.shape != (8760,):
        raise ValueError(f"{f}: expected 8,760 hourly values, got {v.shape}")
    month = np.repeat(np.arange(1, 13), np.array(DAYS) * 24)
    hour = np.tile(np.arange(24), 365)
    day = np.isin(hour, DAY_HOURS)
    vals = []
    for k in range(1, 13):
        vals += [v[(month == k) & day].mean(), v[(month == k) & ~day].mean()]
    monthly = {k: v[month == k].mean() for k in range(1, 13)}
    vals += [max(monthly[k] for k in SUMMER_MONTHS), max(monthly[k] for k in WINTER_MONTHS)]
    x = np.array(vals)
    w = slice_weights()
    return x - np.sum(w * x) / np.sum(w)


def _add_swing(level: float, swing: np.ndarray) -> np.ndarray:
    """``level`` + ``swing``, clipped at 0 and re-centred so the hour-weighted mean stays ``level``."""
    w = slice_weights()
    x = np.maximum(level + swing, 0.0)
    for _ in range(50):
        mean = np.sum(w * x) / np.sum(w)
        if abs(mean - level) < 1e-12:
            break
        pos = x > 0
        x = np.maximum(np.where(pos, x + (level - mean) * np.sum(w) / np.sum(w[pos]), 0.0), 0.0)
    return x


def carbon_by_slice(raw: Path, subs: Subregions, subregions: list[str], shape_kind: str = "cambium",
                    log=None) -> pd.DataFrame:
    """t CO2/MWh per subregion (rows) and slice (columns); hour-weighted mean = the eGRID rate."""
    if shape_kind not in SHAPES:
        raise KeyError(f"unknown carbon shape {shape_kind!r} (choose from {', '.join(SHAPES)})")
    rows = {}
    for code in sorted(set(subregions)):
        if code not in subs.rate_t_per_mwh.index:
            raise KeyError(f"eGRID subregion {code} has no {subs.basis} rate for {subs.year}")
        level = float(subs.rate_t_per_mwh[code])
        swing = cambium_slice_swing(raw, code) if shape_kind == "cambium" else None
        if shape_kind == "cambium" and swing is None and log is not None:
            log(f"  eGRID subregion {code}: no Cambium file, carbon flat over the slices")
        rows[code] = _add_swing(level, swing) if swing is not None else np.full(len(SLICES), level)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(SLICES))
