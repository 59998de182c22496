"""The optional day structure of the climate's slices: which representative day each slice
belongs to, in what order, for how long."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.errors import Problem
from siteplan.io.limits import DAY_VARIABLES, DAYS_PER_YEAR, HOURS_PER_DAY
from siteplan.io.readers import _as_text


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
