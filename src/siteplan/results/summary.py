"""Short text summaries of a Plan for the terminal."""

from __future__ import annotations

import numpy as np

from siteplan.labels import connection_limit, design_name, ids_in_words


def _fmt_usd(x: float) -> str:
    if x < 0:
        return "-" + _fmt_usd(-x)
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"${x / div:,.2f}{unit}"
    return f"${x:,.0f}"


def fmt_mw(x: float) -> str:
    """MW with the digits a small value needs: '1,234', '12.5', '0.30', '0.004' (never '0' for a
    site that exists); '–' for missing."""
    x = float(x)
    if not np.isfinite(x):
        return "–"
    a = abs(x)
    if a == 0 or a >= 100:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.1f}"
    if a >= 0.01:
        return f"{x:.2f}"
    return f"{x:.2g}"


def _col(sites, name, default=None):
    """A column of the site table, or ``default`` for a plan written before it existed."""
    return sites[name] if name in sites else default


def site_label(row) -> str:
    """The name a person reads for a site row: its place ('Big Spring, TX'), else the id."""
    from siteplan.labels import place_name

    place = row.get("place") if hasattr(row, "get") else None
    if isinstance(place, str) and place.strip():
        return place
    return place_name(str(row.get("name", "") or ""), str(row["site_id"]))


#: How siteplan.results.plan.interconnect_words names the limit when it does not know which one applies.
AMBIGUOUS_LIMIT = "its class's limit or the substation's headroom"


def connection_limits(plan) -> dict[str, str]:
    """{site id: the one limit that sets the most its grid connection may carry, in words} for the open
    sites with a connection (:func:`siteplan.labels.connection_limit`), read from the plan's dataset
    alone (so the same from a results folder): the substation's headroom, the voltage class's limit or
    the site's largest peak (its peak facility MW scaled to its max IT, at the worst design's PUE)."""
    ds, out = plan.ds, {}
    need = ("interconnect_max_mw", "interconnect_substation", "headroom_mw")
    if not all(v in ds for v in need):
        return out
    head = dict(zip(ds["substation"].values.astype(str).tolist(), ds["headroom_mw"].values.astype(float)))
    sites = ds["site"].values.astype(str).tolist()
    max_it = dict(zip(plan.sites["site_id"].astype(str), plan.sites["max_it_mw"].astype(float))) \
        if "max_it_mw" in plan.sites else {}
    for i, s in enumerate(sites):
        sub = str(ds["interconnect_substation"].values[i])
        mx = float(ds["interconnect_max_mw"].values[i])
        if not sub or sub == "nan" or not np.isfinite(mx) or mx <= 0:
            continue
        up = float(ds["interconnect_upgrade_mw"].values[i]) if "interconnect_upgrade_mw" in ds else 0.0
        kv = float(ds["interconnect_voltage_kv"].values[i]) if "interconnect_voltage_kv" in ds else float("nan")
        out[s] = connection_limit(mx, head.get(sub, float("nan")), up, kv, _largest_peak(ds, i, max_it.get(s)),
                                  with_mw=False)
    return out


def _largest_peak(ds, i: int, max_it_mw) -> float:
    """A site's peak facility MW at its max IT and the worst design's peak PUE (what caps a connection's
    most in preparation), from the plan's own peak: peak = IT x peak share x the design's peak PUE."""
    try:
        it, peak = float(ds["it_mw"].values[i]), float(ds["peak_facility_mw"].values[i])
        design = str(ds["design"].values[i])
        pue = ds["pue_by_design"].isel(site=i).max("slice")
        own, worst = float(pue.sel(cooling=design)), float(pue.max())
        if not (it > 0 and max_it_mw is not None and np.isfinite(max_it_mw) and own > 0 and np.isfinite(worst)):
            return float("nan")
        return float(max_it_mw) * peak / (it * own) * worst
    except (KeyError, ValueError, IndexError):
        return float("nan")


def interconnect_text(row, limits: dict[str, str]) -> str:
    """The site row's interconnect in words with the one limit that applies named (``limits``:
    :func:`connection_limits`) in place of "its class's limit or the substation's headroom"."""
    text = str(row.get("interconnect", "") or "")
    lim = limits.get(str(row["site_id"]))
    return text.replace(AMBIGUOUS_LIMIT, lim) if lim else text


def limited_by_text(row, limits: dict[str, str]) -> str:
    """The row's ``limited_by`` with the grid connection's limit named: 'grid connection at its most
    (195.2 MW: the substation's headroom)'."""
    import re

    text = str(row.get("limited_by", "") or "") if isinstance(row.get("limited_by"), str) else ""
    lim = limits.get(str(row["site_id"]))
    if not lim:
        return text
    return re.sub(r"(grid connection at its most \(([^()]*?) MW)\)", lambda m: f"{m.group(1)}: {lim})", text)


MAX_TINY_LISTED = 5  # tiny sites named one by one; the rest in one line
TINY_SITE_MW = 1.0  # an open site below this much IT is called out (summary, report, maps)
#: An open site is *tiny* below TINY_SITE_MW of IT or below this share of the plan's IT: a 2 MW site
#: beside 400 MW campuses is rarely worth its fixed costs, whatever its absolute size.
TINY_SHARE = 0.01


def tiny_threshold_mw(sites) -> float:
    """The IT MW below which an open site of ``sites`` (a plan's site table) is tiny: the larger of
    :data:`TINY_SITE_MW` and :data:`TINY_SHARE` of the open sites' IT."""
    op = sites[sites["open"].astype(bool)]
    return max(TINY_SITE_MW, TINY_SHARE * float(op["it_mw"].astype(float).sum()))


def tiny_site_checks(plan, why: str = "") -> list[str]:
    """One sentence per tiny open site of ``plan`` (:func:`tiny_threshold_mw`), smallest first, with
    the plant built beside it; ``why`` is added to the advice (e.g. the solver's gap)."""
    sites = plan.sites[plan.sites["open"].astype(bool)]
    limit = tiny_threshold_mw(plan.sites)
    tiny = sites[sites["it_mw"].astype(float) < limit].sort_values("it_mw")
    total = float(sites["it_mw"].astype(float).sum())
    out = []
    for k, (_, row) in enumerate(tiny.iterrows()):
        it = float(row["it_mw"])
        if k == MAX_TINY_LISTED and len(tiny) > MAX_TINY_LISTED + 1:
            rest = tiny.iloc[k:]
            out.append(f"{len(rest)} more tiny sites under {fmt_mw(limit)} MW of IT: "
                       + ", ".join(f"{site_label(x)} {fmt_mw(x['it_mw'])} MW" for _, x in rest.iterrows()))
            break
        beside = []
        if float(row.get("onsite_mw", 0.0) or 0.0) > 0:
            beside.append(f"{fmt_mw(row['onsite_mw'])} MW of on-site plant")
        if float(row.get("interconnect_mw", 0.0) or 0.0) > 0:
            beside.append(f"a {fmt_mw(row['interconnect_mw'])} MW grid contract")
        if float(row.get("battery_mw", 0.0) or 0.0) > 0:
            beside.append(f"{fmt_mw(row['battery_mw'])} MW of batteries")
        # flagged by its share of the plan (not its absolute size): say the share
        share = f" ({it / total:.1%} of the plan's {fmt_mw(total)} MW)" if it >= TINY_SITE_MW and total > 0 else ""
        out.append(f"tiny site: {site_label(row)} has only {fmt_mw(it)} MW of IT{share}"
                   + (f" beside {' and '.join(beside)}" if beside else "")
                   + f"; a site this small is rarely worth its fixed costs{why} - check it before relying on it")
    return out


def plan_checks(plan) -> list[str]:
    """What a reviewer must look at before trusting the plan: a solve stopped far from its bound,
    demand left unmet, and tiny open sites (:func:`tiny_site_checks`: below
    :data:`TINY_SITE_MW` of IT or :data:`TINY_SHARE` of the plan's) with the plant built
    beside them.

    Parameters
    ----------
    plan : siteplan.Plan

    Returns
    -------
    list of str
        One sentence per finding (empty for a plan without any).
    """
    out = []
    r = plan.result
    gap = float(getattr(r, "gap", float("nan")))
    if r.termination.value != "optimal" and (not np.isfinite(gap) or gap > 0.05):
        far = f"{gap:.1%} above the best bound" if np.isfinite(gap) and not no_bound_words(r) else "without a useful bound"
        out.append(f"not a converged plan: the solver stopped ({r.termination.value}) {far}, so better plans "
                   "may exist; solve longer before relying on it")
    ds = plan.ds
    unmet, demand = float(ds["unmet_h100e"].sum()), float(ds["demand_h100e"].sum())
    if unmet > 0.5:
        out.append(f"demand not met: {unmet:,.0f} of {demand:,.0f} H100e ({unmet / demand:.1%}) unmet"
                   if demand > 0 else f"demand not met: {unmet:,.0f} H100e unmet")
    why = f" (the solver stopped at a {gap:.2%} gap)" if np.isfinite(gap) and not no_bound_words(r) else ""
    out += tiny_site_checks(plan, why)
    return out


def plan_notes(plan) -> list[str]:
    """What preparation changed or found (merged time slices, sites without options, unreachable demand)."""
    text = str(plan.ds.attrs.get("notes", ""))
    return [ids_in_words(n) for n in text.split("\n") if n]


def _objective_line(plan) -> str:
    r, ds = plan.result, plan.ds
    if ds.attrs.get("objective") != "max_profit":
        bound = "no bound yet" if no_bound_words(r) == "no bound yet" else f"best bound {_fmt_usd(r.best_bound)}/yr"
        return f"annual cost {_fmt_usd(r.objective)}/yr ({bound})"
    costs = dict(zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values.astype(float)))
    revenue = -costs.get("revenue", 0.0)
    # profit = -objective; the solver's best bound on the objective is an upper bound on profit
    return (f"annual profit {_fmt_usd(-r.objective)}/yr = revenue {_fmt_usd(revenue)} - cost "
            f"{_fmt_usd(revenue + r.objective)} (upper bound on profit {_fmt_usd(-r.best_bound)}/yr)")


def summary_text(plan) -> str:
    """Status, headline numbers (costs per H100e-hour), cost by category (largest first, with the
    total; under ``max_profit`` then revenue, cost and net profit) and one row per open site (name, power supply, interconnect in words, on-site plant).

    Parameters
    ----------
    plan : siteplan.Plan

    Returns
    -------
    str
    """
    return "\n".join(_status_lines(plan) + _cost_lines(plan) + _site_table_lines(plan))


def _status_lines(plan) -> list[str]:
    """The summary's status, checks, notes and headline numbers (before the costs)."""
    r, ds = plan.result, plan.ds
    t = r.timings
    lines = [
        f"scenario {ds.attrs['scenario']}: {r.termination.value} (HiGHS: {r.highs_status}), "
        + (gap_words(r) if not no_bound_words(r) else f"{no_bound_words(r)} (gap not known)") + _decision_gap_text(r),
        _objective_line(plan),
        f"timings: prepare {t.prepare_s:.2f}s, build {t.build_s:.2f}s, hand-off {t.handoff_s:.2f}s, "
        f"HiGHS {t.solve_s:.2f}s, extract {t.extract_s:.2f}s, duals {t.duals_s:.2f}s; {r.num_rows} rows x {r.num_cols} cols "
        f"({r.num_integer} integer), {r.num_nonzeros} nonzeros",
    ]
    lines += [f"CHECK: {c}" for c in plan_checks(plan)]
    lines += [f"note: {n}" for n in plan_notes(plan)]
    lines += [f"INVARIANT VIOLATED: {v}" for v in plan.violations]
    if "full_resolution_objective_usd_per_yr" in ds.attrs:
        full = float(ds.attrs["full_resolution_objective_usd_per_yr"])
        rel = f" ({full / r.objective - 1.0:+.2%} against the merged-slice objective)" if r.objective else ""
        lines.append(f"at full time resolution these investments cost {_fmt_usd(full)}/yr{rel}")
    elif str(ds.attrs.get("full_resolution_status", "")).startswith("failed"):
        lines.append(f"full-resolution check {ds.attrs['full_resolution_status']}")
    dem = float(ds["demand_h100e"].sum())
    unmet = float(ds["unmet_h100e"].sum())
    lines.append(f"demand {dem:,.0f} H100e, served {dem - unmet:,.0f}, unmet {unmet:,.0f} "
                 "(H100e: H100-equivalents, the unit of demand and price)")
    lines.append(_unit_cost_line(plan))
    lines.append(_peaks_line(plan))
    lines.append(f"IT {float(ds['it_mw'].sum()):,.1f} MW; water {float(ds['water_m3_per_yr'].sum()):,.0f} m3/yr; "
                 f"emissions {float(ds['emissions_t_per_yr'].sum()):,.0f} t CO2/yr")
    return lines


def _cost_lines(plan) -> list[str]:
    """Cost by category, largest first, with the total; under ``max_profit`` then revenue and profit."""
    ds = plan.ds
    cats = [str(c) for c in ds["cost_category"].values]
    vals = ds["cost_usd_per_yr"].values.astype(float)
    is_cost = [c != "revenue" for c in cats]
    lines = ["cost by category (USD per year, largest first):"]
    for i in sorted((i for i in range(len(cats)) if is_cost[i]), key=lambda i: -abs(vals[i])):
        if abs(vals[i]) > 0.5:
            lines.append(f"  {_category(cats[i]):<30} {_fmt_usd(float(vals[i])):>14}")
    total = float(sum(v for v, c in zip(vals, is_cost) if c))
    lines.append(f"  {'total cost':<30} {_fmt_usd(total):>14}")
    if not all(is_cost):  # max_profit: revenue is a negative cost in the objective; shown as income
        revenue = -float(sum(v for v, c in zip(vals, is_cost) if not c))
        lines.append("revenue and profit (USD per year):")
        lines.append(f"  {'revenue of served compute':<30} {_fmt_usd(revenue):>14}")
        lines.append(f"  {'less total cost':<30} {_fmt_usd(-total):>14}")
        lines.append(f"  {'net profit':<30} {_fmt_usd(revenue - total):>14}")
    return lines


def _site_table_lines(plan) -> list[str]:
    """The open sites, largest first, as an aligned table (one row per site)."""
    sites = plan.sites[plan.sites["open"]].sort_values("it_mw", ascending=False)
    lines = [f"{len(sites)} open site(s), largest first:"]
    limits = connection_limits(plan)
    rows = [_site_row(row, limits) for _, row in sites.iterrows()]
    hdr = ["site", "id", "design", "IT MW", "H100e", "PUE", "power", "on-site plant / battery", "interconnect"]
    right = {3, 4, 5}
    width = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(hdr)]
    for r in [hdr] + rows:
        cells = [c.rjust(width[j]) if j in right else c.ljust(width[j]) for j, c in enumerate(r)]
        lines.append("  " + " ".join(cells).rstrip())
    return lines


def _site_row(row, limits: dict[str, str]) -> list[str]:
    """One open site's cells of the summary's site table."""
    if "interconnect" in row:
        ic = interconnect_text(row, limits)
    elif row["substation_id"]:
        ic = f"{row['substation_id']} {row['interconnect_class']} {row['interconnect_mw']:,.0f} MW"
    else:
        ic = "none (off-grid)"
    pue = f"{row['pue_min']:.2f}-{row['pue_max']:.2f}" if np.isfinite(row["pue_min"]) else "-"
    plant = str(row.get("onsite_plant", "") or "")
    if not plant and float(row.get("onsite_mw", 0.0) or 0.0) > 0:
        plant = f"{fmt_mw(row['onsite_mw'])} MW"
    if float(row.get("battery_mw", 0.0) or 0.0) > 0:
        mwh = float(row.get("battery_mwh", float("nan")))
        plant = (plant + "; " if plant else "") + f"battery {fmt_mw(row['battery_mw'])} MW" + (
            f" / {fmt_mw(mwh)} MWh" if np.isfinite(mwh) else "")
    power = str(row.get("power_supply", "") or "")
    share = float(row.get("grid_share", float("nan")))
    if np.isfinite(share) and "on-site" in power:
        power += f" ({share:.0%} grid)"
    return [site_label(row), str(row["site_id"]), design_name(str(row["design"])), fmt_mw(row["it_mw"]),
            f"{row['compute_h100e']:,.0f}", pue, power or "-", plant or "-", ic]


def _category(c: str) -> str:
    from siteplan.labels import CATEGORY_LABELS

    return CATEGORY_LABELS.get(c, c.replace("_", " "))


def _peaks_line(plan) -> str:
    """Facility power: the coincident peak over the time slices beside the sum of the sites' design peaks."""
    from siteplan.export.headline import headline
    from siteplan.labels import slice_name

    h = headline(plan)
    where = f" ({slice_name(h.peak_slice)} slice, IT at its average draw)" if h.peak_slice else ""
    text = f"facility power: coincident peak {h.peak_facility_mw:,.1f} MW{where}"
    if np.isfinite(h.design_peak_mw):
        text += (f"; sum of the sites' design peaks {h.design_peak_mw:,.1f} MW (IT at its peak share in each site's worst "
                 "weather: what grid contracts and plant are sized for)")
    return text


def _unit_cost_line(plan) -> str:
    """Cost per H100e-hour served (the unit of demand and price) and, beside it, per physical GPU-hour."""
    from siteplan.export.headline import headline

    h = headline(plan)
    if not np.isfinite(h.cost_usd_per_h100e_hour):
        return "cost per H100e-hour: - (no compute served)"
    text = (f"cost per H100e-hour served ${h.cost_usd_per_h100e_hour:,.3f} (excl. unmet-demand penalty; "
            f"per physical GPU-hour installed ${h.cost_usd_per_gpu_hour:,.3f})")
    if h.price_usd_per_h100e_hour is not None:
        text += f"; price ${h.price_usd_per_h100e_hour:,.3f} per H100e-hour"
    return text


def no_bound_words(r) -> str:
    """Why a solve's bound says nothing about its plan, or '' when it does: 'no bound yet' when HiGHS
    has none (missing, or 0 on a positive cost: the trivial bound it reports before any), 'no useful
    bound yet (...)' when the bound is below the cost every plan pays (a decision gap over 100 %)."""
    import math

    obj, bound = float(getattr(r, "objective", math.nan)), float(getattr(r, "best_bound", math.nan))
    u = float(getattr(r, "unavoidable_usd_per_yr", math.nan))
    if not math.isfinite(bound) or (math.isfinite(obj) and obj > 0 and bound <= 0):
        return "no bound yet"
    if math.isfinite(u) and math.isfinite(obj) and obj > u and bound < u:
        return (f"no useful bound yet (the best bound, {_fmt_usd(bound)}/yr, is below the "
                f"{_fmt_usd(u)}/yr every plan pays)")
    return ""


def gap_words(r, digits: int = 4) -> str:
    """'gap 0.0524%', or the words of :func:`no_bound_words` when the bound says nothing."""
    import math

    none = no_bound_words(r)
    if none or not math.isfinite(float(getattr(r, "gap", math.nan))):
        return none or "no bound yet"
    return f"gap {r.gap:.{digits}%}"


def _decision_gap_text(r) -> str:
    """', decision gap x % of the avoidable $y/yr' (the gap on what the choices cost), if known."""
    import math

    dg, u = getattr(r, "decision_gap", math.nan), getattr(r, "unavoidable_usd_per_yr", math.nan)
    if not (math.isfinite(dg) and math.isfinite(u)) or no_bound_words(r):
        return ""
    return f" (decision gap {dg:.2%} of the avoidable ${(r.objective - u) / 1e6:,.1f}M/yr)"
