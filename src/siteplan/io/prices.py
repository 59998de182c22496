"""prices.csv / prices.nc: energy price, carbon and the optional rating factors per (zone, slice)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.errors import Problem
from siteplan.io.limits import ENERGY_PRICE_RANGE_USD_PER_MWH, MAX_CARBON_T_PER_MWH, MAX_RATING_FACTOR, PRICE_FACTORS
from siteplan.io.readers import _read_csv, _read_netcdf, _text_ids


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
    _price_row_problems(df, fname, cols, factors, line, probs)
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


def _price_row_problems(df: pd.DataFrame, fname: str, cols: list[str], factors: list[str], line: dict[int, str],
                        probs: list[Problem]) -> None:
    """Each row's rating factors, energy price and carbon intensity: finite and plausible."""
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


def _energy_price_problem(v: float) -> str | None:
    """What is wrong with a finite energy price (USD/MWh), or None (see ENERGY_PRICE_RANGE_USD_PER_MWH)."""
    lo, hi = ENERGY_PRICE_RANGE_USD_PER_MWH
    if v < lo:
        return (f"{v:g} USD/MWh is below {lo:g}: no grid energy is that cheap over a slice (USD/kWh given as "
                "USD/MWh? multiply by 1,000)")
    if v > hi:
        return f"{v:g} USD/MWh is above {hi:g}, every market's price cap (cents/kWh or USD/GWh given as USD/MWh?)"
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
