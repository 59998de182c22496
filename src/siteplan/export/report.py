"""Plan report as Markdown (``report.md`` + chart PNGs in ``report_files/``) and stand-alone HTML
(``report.html``, charts embedded as base64 PNG).

Both are rendered from one list of blocks built by :func:`report_blocks`, and every number in it
is read from the Plan (``plan.ds``, ``plan.result``, the GeoDataFrames) or from
:func:`siteplan.export.headline.headline`; scenario limits (max sites, water cap) come from the
scenario. The HTML also carries the headline numbers as JSON (``<script id="report-data">``).

This module assembles the report's sections in order and writes it; the parts live beside it:
:mod:`siteplan.export.reportpage` (blocks, Markdown/HTML rendering, the writer),
:mod:`siteplan.export.reporttables` (sites, power, demand tables; readable names),
:mod:`siteplan.export.reportlimits` (which limits bind, what would change the plan) and
:mod:`siteplan.export.reportalternatives` (near-optimal alternatives). Every name other modules
and tests import from here is re-exported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siteplan.export import charts, style
from siteplan.export.headline import headline
from siteplan.export.reportalternatives import _alternatives
from siteplan.export.reportlimits import (FULL_IN_ROUTING_WORDS, _corridor_status, _limits, _what_would_change,
                                          limit_values)
from siteplan.export.reportpage import Block, Table, render_html, render_markdown, write_blocks
from siteplan.export.reporttables import _demand_table, _line_length_note, _power_table, _site_table
from siteplan.labels import slice_name
from siteplan.results.summary import plan_notes

# re-exported: imported from siteplan.export.report by siteplan.export.timeline, cli and the tests
__all__ = ["Block", "FULL_IN_ROUTING_WORDS", "Table", "_corridor_status", "_decision_gap_cell", "_line_length_note",
           "_power_table", "_site_table", "limit_values", "render_html", "render_markdown", "report_blocks",
           "write_blocks", "write_report"]


def _decision_gap_cell(r) -> str:
    """The gap on the avoidable cost (siteplan.solve.decision_gap), with the cost it is taken on."""
    from siteplan.results.summary import no_bound_words

    dg, u = getattr(r, "decision_gap", float("nan")), getattr(r, "unavoidable_usd_per_yr", float("nan"))
    if no_bound_words(r):
        return no_bound_words(r)
    if not (np.isfinite(dg) and np.isfinite(u)):
        return "–"
    return (f"{dg:.2%} of the avoidable {style.fmt_usd(r.objective - u)}/yr (objective less the "
            f"{style.fmt_usd(u)}/yr of IT, facility and cooling that every plan meeting the demand pays)")


def _scenario_dict(study=None, scenario: dict | None = None) -> dict:
    if scenario is not None:
        return scenario
    if study is not None:
        return study.scenario.model_dump(mode="json")
    return {}


def _water_limits(plan, study=None) -> dict:
    """{site id: water limit m³/yr} of the sites with a finite limit, from the plan's site table only
    (``study`` is not read: the report must come out the same from the results folder)."""
    if "water_limit_m3_per_yr" not in plan.sites:
        return {}
    lim = plan.sites["water_limit_m3_per_yr"].astype(float)
    return {s: float(v) for s, v in zip(plan.sites["site_id"], lim) if np.isfinite(v)}


def _lead(plan, h) -> str:
    """One sentence of what the plan is, every figure from the plan."""
    from siteplan.results.summary import fmt_mw

    sites = plan.sites[plan.sites["open"].astype(bool)]
    kinds = [style.power_kind(r) for _, r in sites.iterrows()]
    n_grid, n_both, n_off = kinds.count("grid"), kinds.count("grid + on-site"), kinds.count("off-grid")
    power = ", ".join(t for t in (f"{n_grid} on the grid only" if n_grid else "",
                                  f"{n_both} on the grid and on-site plant" if n_both else "",
                                  f"{n_off} off-grid on on-site plant" if n_off else "") if t)
    text = (f"The plan opens **{h.open_sites} of {h.candidate_sites}** candidate sites with **{fmt_mw(h.it_mw)} MW** of "
            f"IT ({h.compute_h100e:,.0f} H100e installed) and serves **{h.served_h100e:,.0f} of {h.demand_h100e:,.0f} "
            f"H100e** of demand at **{style.fmt_usd(h.annual_cost_usd)}/yr**")
    if np.isfinite(h.cost_usd_per_h100e_hour):
        text += f", **${h.cost_usd_per_h100e_hour:,.3f} per H100e-hour** served"
    text += "." + (f" Sites: {power}." if power else "")
    return text


def _peaks_note(h, utilisation: float) -> str:
    """Footnote ¹ of the headline: why the coincident peak and the sum of the design peaks differ."""
    f = style.fmt_num
    avg = f" ({utilisation:.0%} of nameplate)" if np.isfinite(utilisation) else ""
    text = ("¹ *Coincident peak*: the largest facility power all sites draw together in one of the study's time "
            f"slices, with IT at its average draw{avg}")
    text += f", here in the {slice_name(h.peak_slice)} slice. " if h.peak_slice else ". "
    text += ("*Design peak* (the sites table's peak facility MW): what each site's grid contract and on-site plant "
             "are sized for, its nameplate IT at the peak IT share with the PUE of its design-peak weather")
    if np.isfinite(h.design_peak_mw) and h.design_peak_mw > h.peak_facility_mw + 0.05:
        text += (f". Their sum, {f(h.design_peak_mw, 1)} MW, is {f(h.design_peak_mw - h.peak_facility_mw, 1)} MW above "
                 "the coincident peak: equipment is sized for a full draw in each site's worst weather, while the "
                 "slices carry the average draw, and the sites' worst weather need not come at the same time")
    return text + "."


def report_blocks(plan, study=None, scenario: dict | None = None, map_png: bytes | None = None) -> list[Block]:
    """The report's content, format-free.

    Parameters
    ----------
    plan : siteplan.Plan
    study : siteplan.Study, optional
        Only its scenario is read (the same as ``manifest.json["scenario"]``), so the report is the
        same whether it is written after the solve or from the results folder.
    scenario : dict, optional
        The scenario as a dict (``manifest.json["scenario"]``); takes precedence over ``study``.
    map_png : bytes, optional
        The static map to embed; drawn with :func:`siteplan.export.staticmap.render_map` if None.

    Returns
    -------
    list of Block
    """
    from siteplan.results.summary import plan_checks

    sc = _scenario_dict(study, scenario)
    h = headline(plan)
    B: list[Block] = [Block("p", _lead(plan, h))]
    checks = plan_checks(plan)
    if checks:
        B.append(Block("h2", "Check before relying on this plan"))
        B.extend(Block("p", f"**{c}**") for c in checks)
    B += _headline_blocks(plan, h)
    B += _map_blocks(plan, map_png)
    B += _solver_blocks(plan, sc)
    B += _cost_blocks(plan)
    B += _site_blocks(plan)
    B.append(Block("h2", "Demand"))
    B.append(Block("table", table=_demand_table(plan)))

    B.extend(_what_would_change(plan))
    B.append(Block("h2", "Which limits bind"))
    B.extend(_limits(plan, sc, _water_limits(plan, study)))
    if plan.alternatives:
        B.extend(_alternatives(plan))
    elif plan.ds.attrs.get("alternatives_search"):
        B.append(Block("h2", "Near-optimal alternatives"))
        B.append(Block("p", "No plan within the slack differs from the best one in which sites open or how they are "
                            "powered, so every choice is robust at that slack. Search: "
                            + str(plan.ds.attrs["alternatives_search"]) + "."))
    return B


def _headline_blocks(plan, h) -> list[Block]:
    """The headline table, its footnote on the two peaks and what an H100e is."""
    ds, f = plan.ds, style.fmt_num
    B = [Block("h2", "Headline")]
    sites = plan.sites[plan.sites["open"].astype(bool)]
    grid_mw = float(sites["interconnect_mw"].sum()) if "interconnect_mw" in sites else 0.0
    onsite_mw = float(sites["onsite_mw"].sum()) if "onsite_mw" in sites else 0.0
    bat_mw = float(sites["battery_mw"].sum()) if "battery_mw" in sites else 0.0
    bat_mwh = float(sites["battery_mwh"].sum()) if "battery_mwh" in sites else float("nan")
    e_grid = float(sites["grid_mwh_per_yr"].sum()) if "grid_mwh_per_yr" in sites else float("nan")
    e_ons = float(sites["onsite_mwh_per_yr"].sum()) if "onsite_mwh_per_yr" in sites else float("nan")
    rows = [["Annualised cost", f"{style.fmt_usd(h.annual_cost_usd)}/yr"]]
    if h.unmet_penalty_usd > 0.5:
        rows.append(["  of which unmet-demand penalty", f"{style.fmt_usd(h.unmet_penalty_usd)}/yr"])
    rows += [["Cost per H100e-hour served (excl. penalty)",
              f"${h.cost_usd_per_h100e_hour:,.3f}" if np.isfinite(h.cost_usd_per_h100e_hour) else "–"],
             ["  per physical GPU-hour installed",
              f"${h.cost_usd_per_gpu_hour:,.3f}"
              if np.isfinite(h.cost_usd_per_gpu_hour) else "–"],
             ["GPUs installed", f(h.gpus, 0)],
             ["Compute installed", f"{f(h.compute_h100e, 0)} H100e"],
             ["Open sites", f"{h.open_sites} of {h.candidate_sites} candidates"],
             ["IT capacity (nameplate)", f"{f(h.it_mw, 1)} MW"],
             ["Facility power, coincident peak (all sites in one time slice¹)",
              f"{f(h.peak_facility_mw, 1)} MW" + (f" ({slice_name(h.peak_slice)})" if h.peak_slice else "")]]
    if np.isfinite(h.design_peak_mw):
        rows.append(["Sum of the sites' design peaks (each site sized for its own worst case¹)",
                     f"{f(h.design_peak_mw, 1)} MW"])
    rows += [
             ["Grid contracts", f"{f(grid_mw, 1)} MW"],
             ["On-site generating plant", f"{f(onsite_mw, 1)} MW"]]
    if bat_mw > 0:
        rows.append(["Batteries", f"{f(bat_mw, 1)} MW / {f(bat_mwh, 0)} MWh"])
    if np.isfinite(e_grid) and np.isfinite(e_ons) and e_grid + e_ons > 0:
        rows.append(["Energy from the grid / on-site plant",
                     f"{e_grid / (e_grid + e_ons):.1%} / {e_ons / (e_grid + e_ons):.1%} "
                     f"({f(e_grid, 0)} / {f(e_ons, 0)} MWh/yr)"])
    rows += [["Facility energy", f"{f(h.facility_mwh_per_yr, 0)} MWh/yr"],
             ["Average PUE (energy-weighted)", f(h.avg_pue, 3)],
             ["Water", f"{f(h.water_m3_per_yr, 0)} m³/yr"],
             ["Emissions", f"{f(h.emissions_t_per_yr, 0)} t CO₂/yr"],
             ["Demand", f"{f(h.demand_h100e, 0)} H100e"],
             ["Served", f"{f(h.served_h100e, 0)} H100e"],
             ["Unmet demand", f"{f(h.unmet_h100e, 0)} H100e"]]
    if h.profit_usd is not None:  # objective max_profit
        price = h.price_usd_per_h100e_hour
        rows[:0] = [["Annual profit", f"{style.fmt_usd(h.profit_usd)}/yr"],
                    [f"Revenue (at ${float(price):,.3f} per H100e-hour served)" if price else "Revenue",
                     f"{style.fmt_usd(h.revenue_usd)}/yr"]]
    B.append(Block("table", table=Table(["quantity", "value"], rows), extra={"id": "headline"}))
    B.append(Block("p", _peaks_note(h, float(ds.attrs.get("it_utilisation", float("nan"))))))
    B.append(Block("p", "Compute is counted in H100-equivalents (**H100e**), the unit of the demand and of any price: "
                        "a GB200 GPU is 2.5 H100e, so a physical GPU-hour costs more than an H100e-hour. Costs per "
                        "H100e-hour divide the annual cost (less any unmet-demand penalty) by the H100e served x "
                        f"{f(h.h100e_hours_per_yr / h.served_h100e if h.served_h100e > 0 else float('nan'), 0)} "
                        "hours a year."))
    return B


def _map_blocks(plan, map_png: bytes | None) -> list[Block]:
    """The static map (drawn if not given) and the link to the interactive one."""
    B = [Block("h2", "Map")]
    if map_png is None:
        from siteplan.export.staticmap import map_png_bytes

        map_png = map_png_bytes(plan)
    B.append(Block("img", name="plan_map", png=map_png,
                   text="Chosen sites (colour: cooling design; ring or diamond: on-site plant), interconnects, "
                        "demand served and fiber paths"))
    B.append(Block("p", "[Open the interactive map](map.html) (map.html in the same folder: zoom, layers, "
                        "details of every site on click)."))
    return B


def _solver_blocks(plan, sc: dict) -> list[Block]:
    """How the solve went: termination, bound, gaps, size, timings, notes."""
    from siteplan.results.summary import gap_words, no_bound_words

    r = plan.result
    B = [Block("h2", "Solver")]
    t = r.timings
    B.append(Block("table", table=Table(["item", "value"], [
        ["termination", r.termination.value], ["HiGHS status", r.highs_status or "–"],
        ["objective", f"{style.fmt_usd(r.objective)}/yr"],
        ["best bound", "none yet" if no_bound_words(r) == "no bound yet" else f"{style.fmt_usd(r.best_bound)}/yr"],
        ["relative gap", gap_words(r).removeprefix("gap ")],
        ["decision gap", _decision_gap_cell(r)], ["size", f"{r.num_rows:,} rows × {r.num_cols:,} columns "
                                                   f"({r.num_integer:,} integer), {r.num_nonzeros:,} nonzeros"],
        ["branch-and-bound nodes", f"{r.mip_nodes:,}"],
        ["time (s)", f"prepare {t.prepare_s:.2f}, build {t.build_s:.2f}, hand-off {t.handoff_s:.2f}, "
                     f"HiGHS {t.solve_s:.2f}, extract {t.extract_s:.2f}, duals {t.duals_s:.2f}"]]
        + [["note", n] for n in plan_notes(plan)]
        + ([["scenario description (input text, not a result)", str(sc["description"])]]
           if sc.get("description") else []))))
    return B


def _cost_blocks(plan) -> list[Block]:
    """Annual cost by category, largest first (revenue and net profit under max_profit), and its chart."""
    ds = plan.ds
    B = [Block("h2", "Cost by category")]
    cats = [str(c) for c in ds["cost_category"].values]
    vals = ds["cost_usd_per_yr"].values.astype(float)
    is_cost = np.array([c != "revenue" for c in cats], dtype=bool)  # max_profit: revenue is a negative cost
    tot = float(vals[is_cost].sum())
    order = sorted(range(len(cats)), key=lambda i: (not is_cost[i], -abs(vals[i])))  # largest cost first
    rows = [[style.category_label(cats[i]), style.fmt_usd(float(vals[i])), f"{vals[i] / tot:.1%}" if tot and is_cost[i] else "–"]
            for i in order if abs(vals[i]) > 0.5 and is_cost[i]]
    rows.append(["**total cost**" if not is_cost.all() else "**total**", f"**{style.fmt_usd(tot)}**", "100%"])
    if not is_cost.all():  # max_profit: revenue (a negative cost in the objective) as income, then the net
        revenue = -float(vals[~is_cost].sum())
        rows += [["revenue of served compute", style.fmt_usd(revenue), "–"],
                 ["**net profit** (revenue − total cost)", f"**{style.fmt_usd(revenue - tot)}**", "–"]]
    B.append(Block("table", table=Table(["category", "USD/yr", "share"], rows)))
    B.append(Block("img", name="cost_breakdown", png=charts.png_bytes(charts.cost_breakdown(plan)),
                   text="Annual cost by category"))
    return B


def _site_blocks(plan) -> list[Block]:
    """The open sites, how each is powered, and the charts of power and PUE by slice."""
    B = [Block("h2", "Sites")]
    B.append(Block("table", table=_site_table(plan), extra={"id": "sites"}))
    B.append(Block("p", "**How each site is powered** (grid share: of the energy the site draws in a year; "
                        "on-site plant: units x unit size)"))
    B.append(Block("table", table=_power_table(plan), extra={"id": "power"}))
    note = _line_length_note(plan)
    if note:
        B.append(Block("p", note))
    B.append(Block("img", name="facility_power_by_slice",
                   png=charts.png_bytes(charts.facility_power_by_slice(plan)), text="Facility power by slice and site"))
    B.append(Block("img", name="pue_by_slice", png=charts.png_bytes(charts.pue_by_slice(plan)),
                   text="PUE by slice and cooling design"))
    return B


def write_report(plan, out_dir: str | Path, study=None, scenario: dict | None = None,
                 map_png: bytes | None = None) -> list[Path]:
    """Write ``report.md`` (+ ``report_files/*.png``) and ``report.html``; return the paths.

    The report reads the plan and the scenario only, so written after a solve or regenerated from
    the results folder (``siteplan report``) it is the same, byte for byte.

    Parameters
    ----------
    plan : siteplan.Plan
    out_dir : path
        Created if missing.
    study : siteplan.Study, optional
        Its scenario is used when ``scenario`` is not given.
    scenario : dict, optional
        The scenario as a dict (``manifest.json["scenario"]``); by default taken from ``study`` or,
        failing that, from the manifest in ``out_dir``.
    map_png : bytes, optional
        The static map (``map.png``) to embed; drawn again if None.

    Returns
    -------
    list of Path
        ``report.md``, ``report.html``, then the chart PNGs.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if scenario is None and study is None:
        from siteplan.results.folder import read_manifest

        scenario = read_manifest(out).get("scenario")
    blocks = report_blocks(plan, study=study, scenario=scenario, map_png=map_png)
    h = headline(plan)
    return write_blocks(blocks, out, f"siteplan plan report · {h.scenario}", {"headline": h.as_dict()})
