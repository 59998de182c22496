"""Near-optimal alternatives of a build-out, read side by side from their timelines.

:func:`siteplan.alternatives.find_alternatives` finds them on the build-out model (a choice is a site
open, an interconnect option built or a generator type present, in each period, so the same site
opened two years later is a different plan). These tables compare their timelines
(:func:`siteplan.buildout.timeline` datasets, as in ``timeline.nc`` of a results folder and of its
``alternatives/alt_<j>/``): what each costs, which sites open when, how each is powered over time,
and which of those choices every plan shares (robust) or not (a tie).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["buildout_alternatives_table", "buildout_robust_choices", "buildout_shared_choices"]


def _years(ds: xr.Dataset) -> list[int]:
    return [int(y) for y in ds["period"].values]


def _names(ds: xr.Dataset) -> dict:
    """``{site id: the short name the outputs use}`` (:func:`siteplan.labels.place_names`)."""
    from siteplan.labels import place_names

    ids = [str(s) for s in ds["site"].values]
    names = [str(n) for n in ds["site_name"].values] if "site_name" in ds else ids
    return dict(zip(ids, place_names(names, ids)))


def _opens(ds: xr.Dataset) -> dict:
    """``{site: first year open}`` of the sites a timeline opens."""
    years = _years(ds)
    out = {}
    for i, s in enumerate(ds["site"].values):
        op = ds["open"].values[i]
        if op.any():
            out[str(s)] = years[int(np.argmax(op > 0))]
    return out


def _power(ds: xr.Dataset, site: str) -> str:
    """How a site is powered over the periods, in words: 'grid 2029 (138 kV); rents mobile gas turbines 2027'."""
    from siteplan.labels import onsite_name, voltage_class_name

    years = _years(ds)
    i = list(map(str, ds["site"].values)).index(site)
    parts = []
    grid = ds["grid_energised"].values[i]
    if grid.any():
        j = int(np.argmax(grid > 0))
        cls = str(ds["interconnect_class"].values[i, j])
        kv = float(ds["interconnect_voltage_kv"].values[i, j]) if "interconnect_voltage_kv" in ds else None
        parts.append(f"grid {years[j]}" + (f" ({voltage_class_name(cls, kv)})" if cls and cls != "nan" else ""))
    else:
        parts.append("no grid")
    if ds.sizes.get("generator", 0):
        for name, what in (("onsite_units_owned", "owns"), ("onsite_units_rented", "rents")):
            units = ds[name].values[i]  # generator x period
            for g, row in zip(ds["generator"].values, units):
                on = [years[j] for j, v in enumerate(row) if v > 0.5]
                if on:
                    span = str(on[0]) if len(on) == 1 else f"{on[0]}–{on[-1]}"
                    parts.append(f"{what} {onsite_name(str(g))} {span}")
    return "; ".join(parts)


def buildout_alternatives_table(best: xr.Dataset, alts: list[xr.Dataset]) -> pd.DataFrame:
    """One row per build-out (the best, then each alternative): equivalent annual cost, extra cost
    (USD/yr and % of the best's avoidable cost), choices apart from the best, the sites with their
    opening years, IT and grid MW in the last period, unmet demand over the periods."""
    obj0 = float(best.attrs.get("objective_usd_per_yr", math.nan))
    u = float(best.attrs.get("unavoidable_usd_per_yr", math.nan))
    avoid = obj0 - u if np.isfinite(u) else math.nan
    rows = []
    names = _names(best)
    for i, ds in enumerate([best, *alts]):
        obj = float(ds.attrs.get("objective_usd_per_yr", math.nan))
        opens = _opens(ds)
        rows.append({"plan": "best" if i == 0 else f"alternative {i}",
                     "equivalent annual cost (USD/yr)": obj, "extra (USD/yr)": obj - obj0,
                     "extra (% of avoidable)": 100.0 * (obj - obj0) / avoid if avoid and np.isfinite(avoid) else math.nan,
                     "choices apart from best": int(ds.attrs.get("distance_to_best", 0)) if i else 0,
                     "sites (opens)": ", ".join(f"{names.get(s, s)} {y}"
                                                for s, y in sorted(opens.items(), key=lambda kv: (kv[1], kv[0]))),
                     "IT MW (last period)": float(ds["it_mw"].values[:, -1].sum()),
                     "grid MW (last period)": float(ds["interconnect_contracted_mw"].values[:, -1].sum()),
                     "unmet H100e by period": " → ".join(f"{float(v):,.0f}" for v in ds["unmet_h100e"].values),
                     "tiny sites": ", ".join(f"{names.get(s, s)} ({mw} MW in {y})" for s, y, mw in _tiny(ds))})
    return pd.DataFrame(rows).set_index("plan")


def _tiny(ds: xr.Dataset) -> list[tuple[str, int, str]]:
    """``(site, period, MW)`` of the tiny open sites of a build-out in each period, as for a single plan
    (:func:`siteplan.results.summary.tiny_threshold_mw`: below TINY_SITE_MW of IT or TINY_SHARE of the period's)."""
    from siteplan.results.summary import TINY_SHARE, TINY_SITE_MW, fmt_mw

    years, out = _years(ds), []
    it = ds["it_mw"].values.astype(float)  # site x period
    op = ds["open"].values > 0
    sites = [str(s) for s in ds["site"].values]
    for j, y in enumerate(years):
        limit = max(TINY_SITE_MW, TINY_SHARE * float(it[op[:, j], j].sum()))
        out += [(sites[i], y, fmt_mw(it[i, j])) for i in np.nonzero(op[:, j] & (it[:, j] < limit))[0]]
    return out


def buildout_alternatives_checks(alts: list[xr.Dataset], names: dict | None = None) -> list[str]:
    """Tiny sites of each near-optimal build-out, flagged as in a single plan: 'alternative 1: tiny site:
    West Odessa, TX has only 2.2 MW of IT in 2029 - check it before relying on it' (``names``: site id ->
    name)."""
    names = names or (_names(alts[0]) if alts else {})
    return [f"alternative {j}: tiny site: {names.get(s, s)} has only {mw} MW of IT in {y}; a site this small is "
            "rarely worth its fixed costs - check it before relying on it"
            for j, ds in enumerate(alts, start=1) for s, y, mw in _tiny(ds)]


def buildout_robust_choices(best: xr.Dataset, alts: list[xr.Dataset]) -> pd.DataFrame:
    """Per site open in any build-out: in how many it opens, its opening year in the best, whether
    every plan opens it in the same year (robust) or not (a tie), and the same for how it is powered
    over time (grid year and class, on-site units owned or rented). "robust (unproven)" when the
    search stopped at a time limit (:func:`siteplan.alternatives.proven`)."""
    plans = [best, *alts]
    n = len(plans)
    searched = str(best.attrs.get("alternatives_search", ""))
    robust = "robust (unproven)" if searched.startswith("unproven") else "robust"
    opens = [_opens(ds) for ds in plans]
    names = _names(best)
    rows = []
    for s in sorted(set().union(*opens), key=lambda x: (opens[0].get(x, 9999), x)):
        years = [o.get(s) for o in opens]
        power = [_power(ds, s) if y is not None else "closed" for ds, y in zip(plans, years)]
        rows.append({"site_id": s, "site": names.get(s, s), "open in": f"{sum(y is not None for y in years)} of {n}",
                     "opens (best)": years[0] if years[0] is not None else "closed",
                     "opening": robust if len(set(years)) == 1 else "tie",
                     "power (best)": power[0], "power": robust if len(set(power)) == 1 else "tie"})
    cols = ["site", "open in", "opens (best)", "opening", "power (best)", "power"]
    return pd.DataFrame(rows).set_index("site_id") if rows else pd.DataFrame(columns=cols)


def buildout_shared_choices(best: xr.Dataset, alts: list[xr.Dataset]) -> list[str]:
    """What every build-out has in common beyond single sites: how many sites by the last period,
    the first year on grid power, whether the bridge is rented, owned or absent."""
    plans = [best, *alts]
    out = []
    n_open = [len(_opens(ds)) for ds in plans]
    out.append(f"every plan opens {n_open[0]} site(s)" if len(set(n_open)) == 1
               else f"the plans open {min(n_open)} to {max(n_open)} sites (a tie)")
    first_grid = []
    for ds in plans:
        on = ds["grid_energised"].values.any(axis=0)
        first_grid.append(_years(ds)[int(np.argmax(on))] if on.any() else None)
    out.append(f"every plan takes grid power from {first_grid[0]}" if len(set(first_grid)) == 1 and first_grid[0]
               else "no plan takes grid power" if not any(first_grid)
               else "the plans take grid power from " + ", ".join(str(y or "never") for y in first_grid) + " (a tie)")
    bridge = []
    for ds in plans:
        kinds = []
        if ds.sizes.get("generator", 0):
            if float(ds["onsite_units_rented"].sum()) > 0.5:
                kinds.append("rented")
            if float(ds["onsite_units_owned"].sum()) > 0.5:
                kinds.append("owned")
        bridge.append(" and ".join(kinds) or "none")
    out.append(f"on-site generators: {bridge[0]} in every plan" if len(set(bridge)) == 1
               else "on-site generators differ (a tie): " + "; ".join(bridge))
    return out
