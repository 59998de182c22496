"""Climate design conditions -> representative time slices per weather station.

Slices (``SLICES``): 12 months x {day, night} plus two peak slices, 26 in all. Weights: each
peak slice stands for 1 % of the year (87.6 h); the 24 month/day-part slices share the remaining
8584.8 h in proportion to the days of the month (day and night 50/50).

Day structure (``day``, ``order_in_day``, ``duration_h`` per slice): each month is a representative
day (id = the month) of a 12-h ``day`` slice (order 0) followed by a 12-h ``night`` slice (order 1),
standing for 0.98 x the month's days; ``peak_hot`` and ``peak_cold`` are each a one-slice
representative day of 24 h (3.65 days each). Weights are unchanged, so the temperatures, design
conditions and degree days do not depend on it.

Per station (method): dry bulb of the month/day-part slices follows
``T = Tmean - A cos(2 pi (doy_mid - 20) / 365) +/- D / 2`` (coldest ~20 Jan; ``D`` = day-night
difference of the 12-h means, a prior by ASHRAE moisture regime: A humid 6.5 K, B dry 10 K, C marine
6 K, adjusted by the fit where the degree days need it, e.g. on the foggy Pacific coast).
``peak_hot`` = the station's 1 % cooling design dry bulb, ``peak_cold`` = its 99 % heating design dry
bulb, exactly. ``Tmean``, ``A`` and ``D`` are fitted (least squares) so that every month/day-part slice stays
0.5 K inside the two design peaks and the slices reproduce the station's HDD18 and CDD10 computed as sum(weight_h / 24 x max(0, 18 - T)) and
sum(weight_h / 24 x max(0, T - 10)). Wet bulb: Stull (2011) from dry bulb and a relative humidity
assumed by moisture regime and slice (``RH``), capped at the dry bulb.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import least_squares

from .geo import haversine_km
from .regions import AREA_BUFFER_DEG, Region, in_bbox

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
PEAK_H = 87.6
SLICES = tuple(f"{m}_{p}" for m in MONTHS for p in ("day", "night")) + ("peak_hot", "peak_cold")
DAY_NIGHT_K = {"A": 6.5, "B": 10.0, "C": 6.0}
RH = {  # percent: (day, night, peak_hot, peak_cold)
    "A": (55.0, 85.0, 45.0, 75.0),
    "B": (25.0, 45.0, 15.0, 50.0),
    "C": (60.0, 85.0, 40.0, 80.0),
}
PEAK_MARGIN_K = 0.5
MAX_STATIONS = 60
SPACINGS_KM = (0.0, 20.0, 30.0, 40.0, 50.0, 60.0, 75.0, 90.0, 110.0, 130.0, 160.0)


def slice_weights() -> np.ndarray:
    scale = (8760.0 - 2 * PEAK_H) / 8760.0  # 0.98
    w = []
    for d in DAYS:
        w += [round(d * 12.0 * scale, 6)] * 2
    return np.array(w + [PEAK_H, PEAK_H])


def slice_days() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day id, order in the day, duration in hours) per slice of ``SLICES``."""
    day = [m for m in MONTHS for _ in ("day", "night")] + ["peak_hot", "peak_cold"]
    order = [0, 1] * len(MONTHS) + [0, 0]
    hours = [12.0, 12.0] * len(MONTHS) + [24.0, 24.0]
    return np.array(day, dtype=object), np.array(order, dtype=np.int32), np.array(hours)


def _doy_mid() -> np.ndarray:
    c = np.cumsum((0,) + DAYS)
    return (c[:-1] + c[1:]) / 2.0


def regime(zone: str) -> str:
    z = str(zone).split(" ")[0]
    return z[-1] if z and z[-1] in "ABC" else "A"


def degree_days(t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """(HDD18, CDD10) in K-days from slice temperatures and hour weights."""
    hdd = float(np.sum(w / 24.0 * np.maximum(0.0, 18.0 - t)))
    cdd = float(np.sum(w / 24.0 * np.maximum(0.0, t - 10.0)))
    return hdd, cdd


def dry_bulb(tmean: float, amp: float, dn: float, t_cool: float, t_heat: float) -> np.ndarray:
    base = tmean - amp * np.cos(2 * math.pi * (_doy_mid() - 20.0) / 365.0)
    t = np.empty(26)
    t[0:24:2] = base + dn / 2
    t[1:24:2] = base - dn / 2
    t[24], t[25] = t_cool, t_heat
    return t


def fit_station(hdd: float, cdd: float, t_cool: float, t_heat: float, reg: str) -> tuple[np.ndarray, float, float]:
    """Fit (Tmean, A, D): degree days exact, D pulled weakly towards the regime value, and every
    month/day-part slice kept at least ``PEAK_MARGIN_K`` inside the design peaks."""
    w = slice_weights()
    dn0 = DAY_NIGHT_K[reg]

    def resid(x):
        t = dry_bulb(x[0], x[1], x[2], t_cool, t_heat)
        h, c = degree_days(t, w)
        over = max(0.0, t[:24].max() - (t_cool - PEAK_MARGIN_K)) + max(0.0, (t_heat + PEAK_MARGIN_K) - t[:24].min())
        return [(h - hdd) / max(hdd, 100.0), (c - cdd) / max(cdd, 100.0), 0.02 * (x[2] - dn0) / dn0, over]

    x0 = [(t_cool + t_heat) / 2.0, max((t_cool - t_heat) / 4.0, 1.0), dn0]
    sol = least_squares(resid, x0, bounds=([-30.0, 0.0, 1.0], [40.0, 30.0, 16.0]), xtol=1e-12, ftol=1e-12)
    return dry_bulb(sol.x[0], sol.x[1], sol.x[2], t_cool, t_heat), float(sol.x[0]), float(sol.x[1])


def stull_wet_bulb(t: np.ndarray, rh: np.ndarray) -> np.ndarray:
    """Stull (2011) wet bulb (degC) from dry bulb (degC) and RH (%), valid -20..50 degC; outside the
    range the depression at the clamped temperature is used. Capped at the dry bulb."""
    tc = np.clip(t, -20.0, 50.0)
    tw = (tc * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(tc + rh) - np.arctan(rh - 1.676331)
          + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
    return np.minimum(t, t - (tc - tw))


def wet_bulb(t: np.ndarray, reg: str) -> np.ndarray:
    d, n, ph, pc = RH[reg]
    rh = np.array([d, n] * 12 + [ph, pc])
    return stull_wet_bulb(t, rh)


def load_stations(raw: Path) -> pd.DataFrame:
    return pd.read_csv(raw / "us-climate-design-conditions" / "us_stations_design_conditions.csv",
                       dtype={"wmo": str})


def select_stations(region: Region, stations: pd.DataFrame) -> pd.DataFrame:
    s = stations[in_bbox(stations.longitude, stations.latitude, region.bbox, AREA_BUFFER_DEG)]
    s = s.dropna(subset=["heating_db_99pct_c", "cooling_db_1pct_c", "hdd18_c_days", "cdd10_c_days"])
    s = s.sort_values("wmo")
    for sp in SPACINGS_KM:
        kept_idx, kl, kt = [], [], []
        for i, r in zip(s.index, s.itertuples(index=False)):
            if sp > 0 and kl and haversine_km(r.longitude, r.latitude, np.array(kl), np.array(kt)).min() < sp:
                continue
            kept_idx.append(i)
            kl.append(r.longitude)
            kt.append(r.latitude)
        if len(kept_idx) <= MAX_STATIONS:
            return s.loc[kept_idx]
    return s.loc[kept_idx]


def build_climate(region: Region, stations: pd.DataFrame) -> tuple[xr.Dataset, pd.DataFrame]:
    s = select_stations(region, stations)
    w = slice_weights()
    dry, wet, rows = [], [], []
    for r in s.itertuples(index=False):
        reg = regime(r.ashrae_climate_zone)
        t, tm, amp = fit_station(float(r.hdd18_c_days), float(r.cdd10_c_days), float(r.cooling_db_1pct_c),
                                 float(r.heating_db_99pct_c), reg)
        t = np.round(t, 2)
        tw = np.round(wet_bulb(t, reg), 2)
        dry.append(t)
        wet.append(np.minimum(tw, t))
        h, c = degree_days(t, w)
        rows.append({"station": str(r.wmo), "hdd18": r.hdd18_c_days, "cdd10": r.cdd10_c_days,
                     "hdd_fit": h, "cdd_fit": c, "tmean": tm, "amp": amp})
    ids = [str(x) for x in s.wmo]
    day, order, hours = slice_days()
    ds = xr.Dataset(
        {
            "weight_h": (("slice",), w, {"units": "h", "long_name": "hours per year the slice stands for"}),
            "day": (("slice",), day, {"long_name": "representative day the slice belongs to"}),
            "order_in_day": (("slice",), order, {"long_name": "position of the slice in its day (0-based)"}),
            "duration_h": (("slice",), hours, {"units": "h", "long_name": "hours the slice lasts in one "
                                                                           "occurrence of its day"}),
            "dry_bulb_c": (("station", "slice"), np.array(dry), {"units": "degC"}),
            "wet_bulb_c": (("station", "slice"), np.array(wet), {"units": "degC"}),
            "lat": (("station",), np.round(s.latitude.to_numpy(dtype=float), 5), {"units": "degrees_north"}),
            "lon": (("station",), np.round(s.longitude.to_numpy(dtype=float), 5), {"units": "degrees_east"}),
            "station_name": (("station",), np.array([str(x) for x in s.station], dtype=object)),
            "cooling_db_1pct_c": (("station",), s.cooling_db_1pct_c.to_numpy(dtype=float), {"units": "degC"}),
            "heating_db_99pct_c": (("station",), s.heating_db_99pct_c.to_numpy(dtype=float), {"units": "degC"}),
            "hdd18_c_days": (("station",), s.hdd18_c_days.to_numpy(dtype=float)),
            "cdd10_c_days": (("station",), s.cdd10_c_days.to_numpy(dtype=float)),
        },
        coords={"station": np.array(ids, dtype=object), "slice": np.array(SLICES, dtype=object)},
        attrs={"title": f"siteplan representative climate slices, region {region.name}",
               "source": "climate.onebuilding.org TMYx design conditions (via idfkit); method in data/SOURCES.md"},
    )
    ds = ds.set_coords(["lat", "lon"])
    return ds, pd.DataFrame(rows)


def write_netcdf(ds: xr.Dataset, path: Path) -> Path:
    """NetCDF3 via scipy: no library timestamps, byte-identical on rebuild."""
    ds.to_netcdf(path, engine="scipy", format="NETCDF3_64BIT")
    return path
