"""Short text summaries of a Plan for the terminal."""

from __future__ import annotations

import numpy as np


def _fmt_usd(x: float) -> str:
    if x < 0:
        return "-" + _fmt_usd(-x)
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"${x / div:,.2f}{unit}"
    return f"${x:,.0f}"


def plan_notes(plan) -> list[str]:
    """What preparation changed or found (merged time slices, sites without options, unreachable demand)."""
    text = str(plan.ds.attrs.get("notes", ""))
    return [n for n in text.split("\n") if n]


def _objective_line(plan) -> str:
    r, ds = plan.result, plan.ds
    if ds.attrs.get("objective") != "max_profit":
        return f"annual cost {_fmt_usd(r.objective)}/yr (best bound {_fmt_usd(r.best_bound)}/yr)"
    costs = dict(zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values.astype(float)))
    revenue = -costs.get("revenue", 0.0)
    # profit = -objective; the solver's best bound on the objective is an upper bound on profit
    return (f"annual profit {_fmt_usd(-r.objective)}/yr = revenue {_fmt_usd(revenue)} - cost "
            f"{_fmt_usd(revenue + r.objective)} (upper bound on profit {_fmt_usd(-r.best_bound)}/yr)")


def summary_text(plan) -> str:
    """Status, headline numbers, cost by category and one row per open site."""
    r, ds = plan.result, plan.ds
    t = r.timings
    lines = [
        f"scenario {ds.attrs['scenario']}: {r.termination.value} (HiGHS: {r.highs_status}), "
        f"gap {r.gap:.4%}" + _decision_gap_text(r),
        _objective_line(plan),
        f"timings: prepare {t.prepare_s:.2f}s, build {t.build_s:.2f}s, hand-off {t.handoff_s:.2f}s, "
        f"HiGHS {t.solve_s:.2f}s, extract {t.extract_s:.2f}s, duals {t.duals_s:.2f}s; {r.num_rows} rows x {r.num_cols} cols "
        f"({r.num_integer} integer), {r.num_nonzeros} nonzeros",
    ]
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
    lines.append(f"demand {dem:,.0f} H100e, served {dem - unmet:,.0f}, unmet {unmet:,.0f}")
    lines.append(f"IT {float(ds['it_mw'].sum()):,.1f} MW; water {float(ds['water_m3_per_yr'].sum()):,.0f} m3/yr; "
                 f"emissions {float(ds['emissions_t_per_yr'].sum()):,.0f} t/yr")
    lines.append("cost by category (per year):")
    for c, v in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values):
        if abs(v) > 0.5:
            lines.append(f"  {c:<16} {_fmt_usd(float(v)):>14}")
    sites = plan.sites[plan.sites["open"]]
    lines.append(f"{len(sites)} open site(s):")
    hdr = f"  {'site':<20} {'design':<16} {'IT MW':>8} {'H100e':>9} {'PUE':>11} {'interconnect':<28} {'on-site MW':>10}"
    lines.append(hdr)
    for _, row in sites.iterrows():
        ic = f"{row['substation_id']} {row['interconnect_class']} {row['interconnect_mw']:,.0f} MW" if row["substation_id"] else "(none)"
        pue = f"{row['pue_min']:.2f}-{row['pue_max']:.2f}" if np.isfinite(row["pue_min"]) else "-"
        lines.append(f"  {row['site_id']:<20} {row['design']:<16} {row['it_mw']:>8.1f} {row['compute_h100e']:>9,.0f} "
                     f"{pue:>11} {ic:<28} {row['onsite_mw']:>10.1f}")
    return "\n".join(lines)


def _decision_gap_text(r) -> str:
    """', decision gap x % of the avoidable $y/yr' (the gap on what the choices cost), if known."""
    import math

    dg, u = getattr(r, "decision_gap", math.nan), getattr(r, "unavoidable_usd_per_yr", math.nan)
    if not (math.isfinite(dg) and math.isfinite(u)):
        return ""
    return f" (decision gap {dg:.2%} of the avoidable ${(r.objective - u) / 1e6:,.1f}M/yr)"
