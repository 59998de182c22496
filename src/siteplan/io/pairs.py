"""The optional (site, region) pair files: latency.csv (round-trip time) and serving_cost.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.errors import Problem
from siteplan.io.limits import MAX_RTT_MS, MAX_SERVING_USD_PER_GPU_YR
from siteplan.io.readers import _read_csv


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
