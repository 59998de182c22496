"""The build-out report: a Gantt-style timeline per site and the periods side by side.

Reads only the timeline dataset of a build-out (``timeline.nc``, :func:`siteplan.buildout.timeline`),
so the report is a function of the results folder. Each period's own plan has its single-period
report in ``period_<year>/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siteplan.export import charts, style
from siteplan.export.report import Block, Table, write_blocks

__all__ = ["timeline_chart", "buildout_blocks", "write_buildout_report", "write_buildout_map"]

GRID, OWNED, RENTED, IDLE = "#4C72B0", "#937860", "#DD8452", "#DDDDDD"


def _years(ds) -> list[int]:
    return [int(y) for y in ds["period"].values]


def _open_sites(ds) -> list[int]:
    return [i for i in range(ds.sizes["site"]) if ds["open"].values[i].any()]


def timeline_chart(ds):
    """Gantt chart: one row per site, one bar per period it is open, coloured by how it is powered
    (grid; grid and owned plant; on-site plant owned or rented), labelled with IT MW and racks."""
    years = _years(ds)
    lengths = [int(v) for v in ds["length_yr"].values]
    rows = _open_sites(ds)
    fig = charts._fig(10.0, 1.2 + 0.55 * max(len(rows), 1))
    ax = fig.add_subplot(1, 1, 1)
    gen = ds.sizes.get("generator", 0)
    for r, i in enumerate(rows[::-1]):
        for j, (y, n) in enumerate(zip(years, lengths)):
            if not ds["open"].values[i, j]:
                continue
            grid = float(ds["interconnect_contracted_mw"].values[i, j]) > 1e-6
            owned = float(ds["onsite_units_owned"].values[i, :, j].sum()) if gen else 0.0
            rented = float(ds["onsite_units_rented"].values[i, :, j].sum()) if gen else 0.0
            color = RENTED if rented > 0 else OWNED if owned > 0 and not grid else GRID if grid else IDLE
            ax.barh(r, n, left=y, height=0.6, color=color, edgecolor="white")
            if grid and owned > 0:  # grid with on-site plant kept as backup: a hatched bar
                ax.barh(r, n, left=y, height=0.6, color="none", edgecolor=OWNED, hatch="//", linewidth=0)
            label = f"{float(ds['it_mw'].values[i, j]):,.0f} MW"
            if rented:
                label += f", {rented:.0f} rented"
            ax.text(y + n / 2, r, label, ha="center", va="center", fontsize=8, color="white" if color != IDLE else "#333")
    names = [style.short_name(str(ds["site_name"].values[i]), str(ds["site"].values[i])) for i in rows[::-1]]
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.set_xlim(years[0], years[-1] + lengths[-1])
    ax.set_xticks(years + [years[-1] + lengths[-1]])
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=GRID, label="grid"), Patch(color=OWNED, label="on-site plant (owned)"),
                       Patch(color=RENTED, label="rented bridge power"),
                       Patch(facecolor="white", edgecolor=OWNED, hatch="//", label="grid + owned plant")],
              loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=8, frameon=False)
    ax.set_title("When each site opens and how it is powered (IT MW in service)", fontsize=10)
    fig.subplots_adjust(left=0.3, bottom=0.25 if len(rows) > 3 else 0.35, right=0.97)
    return fig


def _gap_text(ds) -> str:
    """'gap 0.656%, decision gap 9.1% of the avoidable $...', or 'no bound yet' (siteplan.results.summary's
    words, from the timeline's attributes alone; a folder written before the bound was stored gets it
    back from the gap)."""
    from types import SimpleNamespace

    from siteplan.results.summary import _decision_gap_text, gap_words

    obj, gap = float(ds.attrs.get("objective_usd_per_yr", np.nan)), float(ds.attrs.get("gap", np.nan))
    bound = float(ds.attrs.get("best_bound_usd_per_yr", obj * (1.0 - gap)))
    r = SimpleNamespace(objective=obj, best_bound=bound, gap=gap,
                        decision_gap=float(ds.attrs.get("decision_gap", np.nan)),
                        unavoidable_usd_per_yr=float(ds.attrs.get("unavoidable_usd_per_yr", np.nan)))
    return gap_words(r, digits=3) + _decision_gap_text(r)


def buildout_blocks(ds, alternatives: list | None = None) -> list[Block]:
    """Headline, the periods, the per-site timeline, the Gantt chart, what binds by period, and the
    near-optimal build-outs (their timelines) when there are any."""
    years = _years(ds)
    f = style.fmt_num
    gen = ds.sizes.get("generator", 0)
    bat = ds.sizes.get("battery", 0)
    B = [Block("p", f"**Equivalent annual cost {style.fmt_usd(float(ds.attrs.get('objective_usd_per_yr', np.nan)))}/yr** "
                    f"over {years[0]}–{years[-1] + int(ds['length_yr'].values[-1]) - 1} (the discounted cost of every "
                    f"period over the discounted years, base year {ds.attrs.get('start_year')}); NPV "
                    f"{style.fmt_usd(float(ds.attrs.get('npv_usd', np.nan)))}; status {ds.attrs.get('status')}, "
                    f"{_gap_text(ds)}. "
                    f"Vintages still owe annuities worth {style.fmt_usd(float(ds.attrs.get('salvage_usd', 0.0)))} (present "
                    f"value at {ds.attrs.get('start_year')}) after the study: their salvage value, left out of the cost.")]
    bad = [v for v in str(ds.attrs.get("invariant_violations", "")).split("\n") if v]
    if bad:
        B.append(Block("p", "**The plan breaks these rules:** " + "; ".join(bad)))
    B.append(Block("h2", "Periods"))
    rows = []
    for j, y in enumerate(years):
        own = float(ds["onsite_units_owned"].values[:, :, j].sum()) if gen else 0.0
        rent = float(ds["onsite_units_rented"].values[:, :, j].sum()) if gen else 0.0
        brent = float(ds["battery_units_rented"].values[:, :, j].sum()) if bat else 0.0
        grid_e = float(ds["grid_mwh_per_yr"].values[:, j].sum())
        on_e = float(ds["onsite_mwh_per_yr"].values[:, j].sum())
        share = grid_e / (grid_e + on_e) if grid_e + on_e > 0 else np.nan
        rows.append([f"{y} ({int(ds['length_yr'].values[j])} yr)", f(float(ds["demand_h100e"].values[j]), 0),
                     f(float(ds["unmet_h100e"].values[j]), 0), str(int(ds["open"].values[:, j].sum())),
                     f(float(ds["it_mw"].values[:, j].sum()), 0),
                     f(float(ds["interconnect_contracted_mw"].values[:, j].sum()), 0),
                     f"{own:.0f} / {rent:.0f}", f"{brent:.0f}", f"{share:.0%}" if np.isfinite(share) else "–",
                     style.fmt_usd(float(ds["cost_usd_per_yr"].values[:, j].sum()))])
    B.append(Block("table", table=Table(["period", "demand H100e", "unmet H100e", "sites", "IT MW", "grid MW contracted",
                                         "generator units owned / rented", "battery units leased", "grid share of energy",
                                         "cost per year"], rows), extra={"id": "periods"}))
    B.append(Block("h2", "Sites over time"))
    rows = []
    for i in _open_sites(ds):
        op = ds["open"].values[i]
        grid = ds["grid_energised"].values[i]
        cls = [str(c) for c in ds["interconnect_class"].values[i] if str(c)]
        racks = []
        for j, y in enumerate(years):
            bought = ds["racks_bought"].values[i, :, j]
            if bought.sum():
                racks.append(f"{y}: " + ", ".join(f"{int(v)} {g}" for g, v in zip(ds["rack_type"].values, bought) if v))
        rows.append([style.short_name(str(ds["site_name"].values[i]), str(ds["site"].values[i])),
                     str(years[int(np.argmax(op > 0))]),
                     str(years[int(np.argmax(grid > 0))]) + (f" ({cls[0]})" if cls else "") if grid.any() else "never",
                     " → ".join(f(float(v), 0) for v in ds["it_mw"].values[i]),
                     " → ".join(f(float(v), 0) for v in ds["interconnect_contracted_mw"].values[i]),
                     " → ".join(f"{float(ds['onsite_units_owned'].values[i, :, j].sum()):.0f}/"
                                f"{float(ds['onsite_units_rented'].values[i, :, j].sum()):.0f}" for j in range(len(years)))
                     if gen else "–",
                     "; ".join(racks) or "–"])
    B.append(Block("table", table=Table(["site", "opens", "grid from", "IT MW by period", "grid MW by period",
                                         "units owned/rented by period", "racks bought"], rows, "lllllll"),
                   extra={"id": "timeline"}))
    B.append(Block("img", name="timeline", png=charts.png_bytes(timeline_chart(ds)), text="Timeline"))
    B += _limits_by_period(ds, years)
    if alternatives:
        B += _alternatives(ds, alternatives)
    B.append(Block("p", "Each period's plan (map, sites, costs, what binds) is in `period_<year>/report.md`."))
    return B


def _alternatives(ds, alts: list) -> list[Block]:
    """Near-optimal build-outs side by side; which openings and power choices are robust or ties."""
    from siteplan.results.buildout_alternatives import (buildout_alternatives_table, buildout_robust_choices,
                                                        buildout_shared_choices)

    f = style.fmt_num
    slack = float(alts[0].attrs.get("slack", float("nan")))
    out = [Block("h2", "Near-optimal build-outs"),
           Block("p", f"Build-outs costing at most {slack:.1%} of the avoidable cost more than the best (equivalent "
                      "annual cost), each as different as possible from the best and the ones before it: a choice is a "
                      "site open, an interconnect option built or a generator type present, in each period, so opening "
                      "the same site a period later is a different plan (`siteplan.alternatives`). Each is a results "
                      "folder in `alternatives/alt_<j>/`.")]
    tab = buildout_alternatives_table(ds, alts)
    rows = [[str(i), style.fmt_usd(r["equivalent annual cost (USD/yr)"]), style.fmt_usd(r["extra (USD/yr)"]),
             f(r["extra (% of avoidable)"], 1), str(r["choices apart from best"]), r["sites (opens)"],
             f(r["IT MW (last period)"], 0), f(r["grid MW (last period)"], 0), r["unmet H100e by period"],
             r.get("tiny sites", "") or "none"]
            for i, r in tab.iterrows()]
    out.append(Block("table", table=Table(["plan", "USD/yr", "extra USD/yr", "extra % of avoidable", "choices apart",
                                           "sites (opening year)", "IT MW, last period", "grid MW, last period",
                                           "unmet H100e by period", "tiny sites (check)"], rows),
                     extra={"id": "alternatives"}))
    out.append(Block("p", "**What every build-out within the slack shares**: "
                     + "; ".join(buildout_shared_choices(ds, alts)) + "."))
    rob = buildout_robust_choices(ds, alts)
    rows = [[str(r["site"]), r["open in"], str(r["opens (best)"]), r["opening"], r["power (best)"], r["power"]]
            for s, r in rob.iterrows()]
    out.append(Block("p", "*robust*: every build-out within the slack makes this choice in the same period; *tie*: some "
                          "does not, so cost alone does not decide it. Search: "
                          + str(ds.attrs.get("alternatives_search", "not recorded")) + "."))
    out.append(Block("table", table=Table(["site", "open in", "opens (best)", "opening", "power over time (best)",
                                           "power"], rows), extra={"id": "robust"}))
    return out


LIMITS_PER_PERIOD = 5


def _limits_by_period(ds, years: list) -> list[Block]:
    """The most valuable limits of each period (duals of the study's fixed-integer LP, in the
    period's own USD/yr per unit)."""
    from siteplan.export.report import limit_values

    if "period" not in ds.dims or not any(str(v).startswith("value_") for v in ds.data_vars):
        return []
    rows = []
    for j, y in enumerate(years):
        one = ds.isel(period=j)
        top = limit_values(one)[:LIMITS_PER_PERIOD]
        rows += [[str(y), w, str(m), f"{v:,.0f}", u] for v, w, m, u in top]
        priced = any(np.isfinite(one[v].values).any() for v in one.data_vars if str(v).startswith("value_"))
        if not top:
            rows.append([str(y), "none binds" if priced else "not priced (the fixed-integer LP was not solved)",
                         "–", "–", "–"])
    return [Block("h2", "What would change the plan, by period"),
            Block("p", f"The {LIMITS_PER_PERIOD} most valuable limits of each period: what one more unit in that "
                       "period would save, per year of the period, with every integer decision of the build-out "
                       "held (duals of the fixed-integer LP divided by the period's share of the objective, "
                       "`docs/buildout.md`; marginal values). Where relaxing the limit only changes the period's "
                       "own dispatch this is its saving in that period; where it also moves a purchase that "
                       "serves later periods (a network upgrade), it is the study-wide saving restated in the "
                       "period's dollars."),
            Block("table", table=Table(["period", "limit", "member", "USD/yr per unit", "unit"], rows),
                  extra={"id": "values"})]


def write_buildout_report(out_dir: str | Path) -> list[Path]:
    """Write ``report.md`` (+ ``report_files/timeline.png``) and ``report.html`` of a build-out
    results folder from its ``timeline.nc``."""
    from siteplan.results.buildout_folder import read_buildout_alternatives, read_buildout_timeline

    out = Path(out_dir)
    ds = read_buildout_timeline(out)
    title = f"siteplan build-out report · {ds.attrs.get('scenario', '')}"
    return write_blocks(buildout_blocks(ds, read_buildout_alternatives(out)), out, title, {"periods": _years(ds)})


def write_buildout_map(out_dir: str | Path) -> Path:
    """Write ``map.html`` of a build-out results folder: every period's interactive map
    (``period_<year>/map.html``) in one self-contained page, with a period control (buttons and the
    arrow keys) that shows one period at a time."""
    import html

    out = Path(out_dir)
    ds_years = sorted(int(p.name.split("_")[1]) for p in out.glob("period_*") if (p / "map.html").exists())
    if not ds_years:
        raise FileNotFoundError(f"no period_<year>/map.html in {out}: export the periods' maps first")
    frames, buttons = [], []
    for k, y in enumerate(ds_years):
        page = (out / f"period_{y}" / "map.html").read_text(encoding="utf-8")
        frames.append(f'<iframe class="period" data-year="{y}" title="plan in {y}" '
                      f'style="display:{"block" if k == 0 else "none"}" srcdoc="{html.escape(page, quote=True)}"></iframe>')
        buttons.append(f'<button type="button" data-year="{y}"{" class=on" if k == 0 else ""}>{y}</button>')
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>siteplan build-out map</title>
<style>
body {{ margin: 0; font: 14px system-ui, sans-serif; }}
#periods {{ padding: 8px 12px; border-bottom: 1px solid #ddd; }}
#periods button {{ margin-right: 6px; padding: 4px 12px; border: 1px solid #999; background: #fff; cursor: pointer; }}
#periods button.on {{ background: #4C72B0; color: #fff; border-color: #4C72B0; }}
iframe.period {{ width: 100%; height: calc(100vh - 48px); border: 0; }}
</style></head><body>
<div id="periods">period: {''.join(buttons)} <span style="color:#666">(← → to step)</span></div>
{''.join(frames)}
<script>
(function () {{
  var buttons = Array.prototype.slice.call(document.querySelectorAll("#periods button"));
  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe.period"));
  function show(year) {{
    frames.forEach(function (f) {{ f.style.display = f.dataset.year === year ? "block" : "none"; }});
    buttons.forEach(function (b) {{ b.className = b.dataset.year === year ? "on" : ""; }});
  }}
  buttons.forEach(function (b) {{ b.addEventListener("click", function () {{ show(b.dataset.year); }}); }});
  document.addEventListener("keydown", function (ev) {{
    var i = buttons.findIndex(function (b) {{ return b.className === "on"; }});
    if (ev.key === "ArrowRight" && i < buttons.length - 1) show(buttons[i + 1].dataset.year);
    if (ev.key === "ArrowLeft" && i > 0) show(buttons[i - 1].dataset.year);
  }});
}})();
</script>
</body></html>
"""
    path = out / "map.html"
    path.write_text(doc, encoding="utf-8")
    return path
