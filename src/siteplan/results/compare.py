"""Compare two plans: which sites open or close, how they are powered, and what it costs.

Reads :class:`~siteplan.results.plan.Plan` objects only (from a solve or from results folders), so it
works on plans of the same study solved differently (a variant, a user constraint, an alternative)
and on plans of different scenarios over the same region.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Comparison", "compare", "write_comparison"]

SITE_TOL_MW = 0.05  # IT MW changes below this are "same" (solver noise on whole racks is 0)


@dataclass
class Comparison:
    """What differs between plan ``a`` and plan ``b``.

    Attributes
    ----------
    names : tuple of str
        Labels of the two plans.
    sites : pandas.DataFrame
        One row per site open in either plan: ``change`` (opened, closed, resized, repowered,
        same), IT MW, contracted grid MW, on-site generator MW, battery MW, interconnect class and
        cooling design in each plan.
    costs : pandas.DataFrame
        Annual cost by category (USD/yr) in each plan and ``b - a``.
    totals : pandas.DataFrame
        Headline quantities in each plan and ``b - a``: annual cost, open sites, IT MW, compute,
        contracted grid MW, on-site MW, battery MW, emissions, water, unmet demand.
    text : str
        A short account of the differences.
    """

    names: tuple[str, str]
    sites: pd.DataFrame
    costs: pd.DataFrame
    totals: pd.DataFrame
    text: str

    def to_markdown(self) -> str:
        """The comparison as a Markdown document (text and three tables)."""
        a, b = self.names
        out = [f"# {a} vs {b}", "", self.text, "", "## Totals", "", _md(self.totals, 1), "",
               "## Cost by category (USD/yr)", "", _md(self.costs, 0), "", "## Sites", "", _md(self.sites, 1), ""]
        return "\n".join(out)


def _md(df: pd.DataFrame, digits: int) -> str:
    cols = [df.index.name or ""] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(["---"] * len(cols)) + "|"]
    for idx, row in df.iterrows():
        cells = [str(idx)]
        for v in row.values:
            cells.append(f"{v:,.{digits}f}" if isinstance(v, (float, np.floating)) and np.isfinite(v)
                         else ("–" if isinstance(v, (float, np.floating)) else str(v)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _site_frame(plan) -> pd.DataFrame:
    s = plan.sites.set_index("site_id")
    cols = {"open": s["open"].astype(bool), "it_mw": s["it_mw"].astype(float),
            "grid_mw": s["interconnect_mw"].astype(float), "onsite_mw": s["onsite_mw"].astype(float),
            "battery_mw": s["battery_mw"].astype(float),
            "class": s["interconnect_class"].astype(str) if "interconnect_class" in s else "",
            "design": s["design"].astype(str)}
    return pd.DataFrame(cols)


def compare(plan_a, plan_b, names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Compare two plans.

    Parameters
    ----------
    plan_a, plan_b : siteplan.results.plan.Plan
        Solved plans (``siteplan.solve``) or plans read back with ``siteplan.results.folder.read_results``.
    names : tuple of str
        Labels for the two plans in tables and text.

    Returns
    -------
    Comparison
    """
    a, b = names
    sa, sb = _site_frame(plan_a), _site_frame(plan_b)
    ids = sorted(set(sa.index[sa["open"]]) | set(sb.index[sb["open"]]))
    sa, sb = sa.reindex(ids), sb.reindex(ids)  # a site missing from a plan's study is closed there
    for df in (sa, sb):
        df["open"] = df["open"].astype(object).where(df["open"].notna(), False).astype(bool)
    rows = []
    for s in ids:
        oa, ob = bool(sa.at[s, "open"]), bool(sb.at[s, "open"])
        if oa and not ob:
            change = "closed"
        elif ob and not oa:
            change = "opened"
        elif abs(_f(sa, s, "it_mw") - _f(sb, s, "it_mw")) > SITE_TOL_MW:
            change = "resized"
        elif (abs(_f(sa, s, "grid_mw") - _f(sb, s, "grid_mw")) > SITE_TOL_MW
              or abs(_f(sa, s, "onsite_mw") - _f(sb, s, "onsite_mw")) > SITE_TOL_MW
              or abs(_f(sa, s, "battery_mw") - _f(sb, s, "battery_mw")) > SITE_TOL_MW):
            change = "repowered"
        else:
            change = "same"
        rows.append({"site_id": s, "change": change,
                     f"IT MW {a}": _f(sa, s, "it_mw"), f"IT MW {b}": _f(sb, s, "it_mw"),
                     f"grid MW {a}": _f(sa, s, "grid_mw"), f"grid MW {b}": _f(sb, s, "grid_mw"),
                     f"on-site MW {a}": _f(sa, s, "onsite_mw"), f"on-site MW {b}": _f(sb, s, "onsite_mw"),
                     f"battery MW {a}": _f(sa, s, "battery_mw"), f"battery MW {b}": _f(sb, s, "battery_mw"),
                     f"class {a}": _txt(sa, s, "class"), f"class {b}": _txt(sb, s, "class"),
                     f"design {a}": _txt(sa, s, "design"), f"design {b}": _txt(sb, s, "design")})
    sites = pd.DataFrame(rows).set_index("site_id") if rows else pd.DataFrame(columns=["change"])

    ca = plan_a.ds["cost_usd_per_yr"].to_series()
    cb = plan_b.ds["cost_usd_per_yr"].to_series()
    cats = list(dict.fromkeys([*ca.index, *cb.index]))
    costs = pd.DataFrame({a: ca.reindex(cats).fillna(0.0).values, b: cb.reindex(cats).fillna(0.0).values},
                         index=pd.Index(cats, name="category"))
    costs[f"{b} - {a}"] = costs[b] - costs[a]
    costs = costs[(costs[a] != 0) | (costs[b] != 0)]

    def totals_of(plan) -> dict:
        ds, st = plan.ds, plan.sites
        return {"annual cost (USD/yr)": float(plan.result.objective), "open sites": float(st["open"].sum()),
                "IT MW": float(ds["it_mw"].sum()), "compute (H100e)": float(ds["compute_h100e"].sum()),
                "grid contracted MW": float(st["interconnect_mw"].sum()), "on-site generator MW": float(st["onsite_mw"].sum()),
                "battery MW": float(st["battery_mw"].sum()), "emissions (t CO2/yr)": float(ds["emissions_t_per_yr"].sum()),
                "water (m3/yr)": float(ds["water_m3_per_yr"].sum()), "unmet (H100e)": float(ds["unmet_h100e"].sum())}
    ta, tb = totals_of(plan_a), totals_of(plan_b)
    totals = pd.DataFrame({a: ta, b: tb})
    totals.index.name = "quantity"
    totals[f"{b} - {a}"] = totals[b] - totals[a]
    return Comparison((a, b), sites, costs, totals, _text(a, b, sites, costs, ta, tb))


def _f(df: pd.DataFrame, s: str, col: str) -> float:
    v = df.at[s, col] if s in df.index else np.nan
    return float(v) if v == v and v is not None else 0.0


def _txt(df: pd.DataFrame, s: str, col: str) -> str:
    v = df.at[s, col] if s in df.index else ""
    return "" if v != v or v is None else str(v)


def _text(a: str, b: str, sites: pd.DataFrame, costs: pd.DataFrame, ta: dict, tb: dict) -> str:
    d = tb["annual cost (USD/yr)"] - ta["annual cost (USD/yr)"]
    lines = [f"{b} costs ${abs(d) / 1e6:,.1f}M/yr {'more' if d > 0 else 'less'} than {a} "
             f"(${tb['annual cost (USD/yr)'] / 1e6:,.1f}M against ${ta['annual cost (USD/yr)'] / 1e6:,.1f}M, "
             f"{d / max(abs(ta['annual cost (USD/yr)']), 1.0):+.2%})." if abs(d) >= 0.5
             else f"{a} and {b} cost the same (${ta['annual cost (USD/yr)'] / 1e6:,.1f}M/yr)."]
    if len(sites):
        by = sites["change"].value_counts()
        parts = [f"{n} {c}" for c, n in by.items() if c != "same"]
        moved = ", ".join(parts) if parts else "none changed"
        lines.append(f"Sites: {int(ta['open sites'])} open in {a}, {int(tb['open sites'])} in {b}; {moved}"
                     + (f" ({', '.join(sites.index[sites['change'] == 'opened'])} opened; "
                        f"{', '.join(sites.index[sites['change'] == 'closed'])} closed)"
                        if by.get("opened", 0) or by.get("closed", 0) else "") + ".")
    lines.append(f"Power: grid {ta['grid contracted MW']:,.0f} -> {tb['grid contracted MW']:,.0f} MW contracted, "
                 f"on-site {ta['on-site generator MW']:,.0f} -> {tb['on-site generator MW']:,.0f} MW, batteries "
                 f"{ta['battery MW']:,.0f} -> {tb['battery MW']:,.0f} MW.")
    lines.append(f"Emissions {ta['emissions (t CO2/yr)']:,.0f} -> {tb['emissions (t CO2/yr)']:,.0f} t/yr; water "
                 f"{ta['water (m3/yr)']:,.0f} -> {tb['water (m3/yr)']:,.0f} m3/yr; unmet "
                 f"{ta['unmet (H100e)']:,.0f} -> {tb['unmet (H100e)']:,.0f} H100e.")
    diff = costs[f"{b} - {a}"]
    big = diff.reindex(diff.abs().sort_values(ascending=False).index)
    big = big[big.abs() >= 0.5e6][:3]
    if len(big):
        lines.append("Largest cost changes: " + ", ".join(f"{c} {v / 1e6:+,.1f}M" for c, v in big.items()) + ".")
    return " ".join(lines)


def comparison_chart(cmp: Comparison):
    """A matplotlib Figure: annual cost by category, ``b - a`` (USD M/yr), largest changes first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    a, b = cmp.names
    diff = cmp.costs[f"{b} - {a}"] / 1e6
    diff = diff[diff.abs() > 1e-6].sort_values(key=np.abs)
    fig = Figure(figsize=(7.5, 0.4 * max(len(diff), 2) + 1.4), dpi=110, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = np.arange(len(diff))
    ax.barh(y, diff.values, color=["#b2182b" if v > 0 else "#2166ac" for v in diff.values])
    ax.set_yticks(y, [str(c) for c in diff.index])
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel(f"{b} − {a}, USD M/yr\n(red: {b} costs more)")
    ax.set_title(f"{a} vs {b}: change in annual cost by category", fontsize=10)
    fig.tight_layout()
    return fig


def write_comparison(cmp: Comparison, out_dir: str | Path) -> list[Path]:
    """Write ``compare.md`` and ``compare.png`` into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "compare.md"
    md.write_text(cmp.to_markdown() + "\n![cost change](compare.png)\n")
    png = out / "compare.png"
    comparison_chart(cmp).savefig(png)
    return [md, png]
