"""Plan report as Markdown (``report.md`` + chart PNGs in ``report_files/``) and stand-alone HTML
(``report.html``, charts embedded as base64 PNG).

Both are rendered from one list of blocks built by :func:`report_blocks`, and every number in it
is read from the Plan (``plan.ds``, ``plan.result``, the GeoDataFrames) or from
:func:`siteplan.export.headline.headline`; scenario limits (max sites, water cap) come from the
scenario. The HTML also carries the headline numbers as JSON (``<script id="report-data">``).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siteplan.export import charts, style
from siteplan.export.headline import headline
from siteplan.export.htmlmap import _SCRIPT_UNSAFE
from siteplan.labels import column_words, slice_name
from siteplan.summary import plan_notes

REL_TOL, ABS_TOL = 1e-6, 1e-3  # a quantity is "at the limit" when the used amount is within this of it
# A limit *binds* when relaxing it by one unit is worth more than DUAL_TOL USD/yr (its value from the
# duals of the LP with the integer decisions fixed, plan.ds["value_*"], see siteplan.duals): below
# that is solver noise (HiGHS's dual feasibility tolerance is 1e-7 on costs of 1e2-1e7 USD/yr per unit).
DUAL_TOL = 1e-3


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    align: str = ""  # one char per column: l or r (default: first l, rest r)


@dataclass
class Block:
    kind: str  # h2 | p | table | img
    text: str = ""
    table: Table | None = None
    name: str = ""
    png: bytes = b""
    extra: dict = field(default_factory=dict)


def _binds(used: float, limit: float) -> bool:
    return used >= limit - max(ABS_TOL, REL_TOL * abs(limit))


# A limit is *at its limit* when the plan uses it to within this share: what is left is less than the
# plan's smallest step (one rack is ~0.15 MW of peak facility power, 0.05-0.1 % of a 200-400 MW
# connection), so the whole racks decided it, even though the fixed-integer LP gives it no value.
AT_LIMIT_SHARE = 1e-3


def _at_limit(used: float, limit: float) -> bool:
    return bool(np.isfinite(limit)) and used >= limit - max(ABS_TOL, AT_LIMIT_SHARE * abs(limit))


def _values(ds, name: str) -> np.ndarray | None:
    """The values of a limit family (USD/yr per unit), or None for a plan written before they existed."""
    return ds[name].values.astype(float).ravel() if name in ds else None


def _usd(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.3g}"


NEAR_SHARE = 0.95  # a scalar cap used to this share, with no value in the fixed LP, is reported as near its limit


AT_LIMIT_WORDS = "at its limit (no marginal value with the plan's racks held)"
AT_LIMITS_WORDS = "at their limit (no marginal value with the plan's racks held)"


def _status(values: np.ndarray | None, unit: str, at_limit: int = 0, scalar: bool = False) -> str:
    """Status of a family from its values: binds where the value exceeds DUAL_TOL, with the largest value.

    NaN members are not priced by the fixed-integer LP (rows of integer decisions only); if every
    member is NaN, the status says so and how many sit at their limit (a quantity, not a dual).
    A family with no value but ``at_limit`` members used to their limit is *at its limit* (the LP's
    dual there is degenerate: one more unit is worth nothing while the racks are held), never
    *slack*, which means real headroom.
    """
    if values is None:
        return "–"
    if len(values) and np.isnan(values).all():
        return "not priced (integer decisions)" + (f"; at the limit at {at_limit}" if at_limit else "")
    v = np.nan_to_num(values, nan=0.0)
    n = int((v > DUAL_TOL).sum())
    if not n:
        if at_limit:
            return AT_LIMIT_WORDS if scalar or (at_limit == 1 and len(values) == 1) else \
                f"{at_limit} of {len(values)} {AT_LIMITS_WORDS}"
        return "slack"
    top = f"{_usd(float(v.max()))} USD/yr per {unit}"
    more = f"; {at_limit - n} more {AT_LIMITS_WORDS}" if at_limit > n else ""
    return (f"**binds**: {top}" if scalar else f"**binds at {n}**, up to {top}") + more


def _decision_gap_cell(r) -> str:
    """The gap on the avoidable cost (siteplan.decision_gap), with the cost it is taken on."""
    from siteplan.summary import no_bound_words

    dg, u = getattr(r, "decision_gap", float("nan")), getattr(r, "unavoidable_usd_per_yr", float("nan"))
    if no_bound_words(r):
        return no_bound_words(r)
    if not (np.isfinite(dg) and np.isfinite(u)):
        return "–"
    return (f"{dg:.2%} of the avoidable {style.fmt_usd(r.objective - u)}/yr (objective less the "
            f"{style.fmt_usd(u)}/yr of IT, facility and cooling that every plan meeting the demand pays)")


def _one(values: np.ndarray | None, i: int, unit: str, at_limit: bool = False) -> str:
    """Status of one member: its value if it binds; *at its limit* when used to it without a value."""
    if values is None:
        return "–"
    v = float(values[i])
    if np.isnan(v):
        return "not priced" + ("; at the limit" if at_limit else "")
    if v > DUAL_TOL:
        return f"**binds**: {_usd(v)} USD/yr per {unit}"
    return AT_LIMIT_WORDS if at_limit else "slack"


FULL_IN_ROUTING_WORDS = "full in this routing (another routing of the same contracts may leave room)"


def _corridor_status(values: np.ndarray | None, i: int, peak_mw: float, cap_mw: float) -> str:
    """A corridor's status: its value if it binds; at capacity without a value, *full in this
    routing*: the flow shown is one of many that deliver the contracts (the least total flow), so
    neither "slack" nor "at its limit" would be honest."""
    st = _one(values, i, "MW")
    if st == "slack" and cap_mw > 0 and _at_limit(peak_mw, cap_mw):
        return FULL_IN_ROUTING_WORDS
    return st


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
    from siteplan.summary import fmt_mw

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


def _lookups(plan) -> dict:
    """Readable names by id: sites ('Big Spring, TX'), substations ('O Donnell 1'), corridors
    ('O Donnell 1 – Big Spring 5'), regions ('Abilene, TX')."""
    sites = dict(zip(plan.sites["site_id"].astype(str), style.site_names(plan.sites)))
    subs = {}
    if len(plan.substations):
        nm = plan.substations["name"] if "name" in plan.substations else [""] * len(plan.substations)
        subs = {str(i): (str(n) if isinstance(n, str) and n.strip() else str(i))
                for i, n in zip(plan.substations["substation_id"], nm)}
    cors = {}
    if plan.corridors is not None and len(plan.corridors):
        cors = {str(c): f"{subs.get(str(a), str(a))} – {subs.get(str(b), str(b))}"
                for c, a, b in zip(plan.corridors["corridor_id"], plan.corridors["from_id"], plan.corridors["to_id"])}
    regions = {str(r): style.short_name(n if isinstance(n, str) else "", str(r))
               for r, n in zip(plan.demand["region_id"], plan.demand.get("name", [""] * len(plan.demand)))}
    return {"site": sites, "substation": subs, "corridor": cors, "region": regions}


def _in_words(text: str, plan) -> str:
    """Text from :mod:`siteplan.alternatives` with site and substation ids replaced by their names
    and interconnect classes by their voltage ('kv161' -> '161 kV', 'gas_recip' -> 'gas recip')."""
    import re

    names = _lookups(plan)
    table = {**{k: v for k, v in names["substation"].items() if v != k}, **{k: v for k, v in names["site"].items() if v != k}}
    if table:
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")
        text = pattern.sub(lambda m: table[m.group(1)], str(text))
    text = re.sub(r"\bkv0*(\d+)\b", r"\1 kV", text)
    return re.sub(r"\b(gas|onsite|battery)_([a-z_]+)\b", lambda m: m.group(0).replace("_", " "), text)


def _named(names: dict, key: str) -> str:
    """The name a person reads ('Sterling City 1'), or the id when there is no name; ids have their
    own column where a table needs them."""
    return names.get(str(key), str(key))


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
    from siteplan.summary import gap_words, no_bound_words, plan_checks

    sc = _scenario_dict(study, scenario)
    h = headline(plan)
    r, ds = plan.result, plan.ds
    f = style.fmt_num
    B: list[Block] = [Block("p", _lead(plan, h))]
    checks = plan_checks(plan)
    if checks:
        B.append(Block("h2", "Check before relying on this plan"))
        B.extend(Block("p", f"**{c}**") for c in checks)

    B.append(Block("h2", "Headline"))
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

    B.append(Block("h2", "Map"))
    if map_png is None:
        from siteplan.export.staticmap import map_png_bytes

        map_png = map_png_bytes(plan)
    B.append(Block("img", name="plan_map", png=map_png,
                   text="Chosen sites (colour: cooling design; ring or diamond: on-site plant), interconnects, "
                        "demand served and fiber paths"))
    B.append(Block("p", "[Open the interactive map](map.html) (map.html in the same folder: zoom, layers, "
                        "details of every site on click)."))

    B.append(Block("h2", "Solver"))
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

    B.append(Block("h2", "Cost by category"))
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

    B.append(Block("h2", "Sites"))
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


# (variable, what, member dimension, unit) of the values of limits, for "what would change this plan"
VALUE_FAMILIES = (("value_headroom_usd_per_mw_yr", "substation headroom", "substation", "MW"),
                  ("value_corridor_usd_per_mw_yr", "corridor capacity", "corridor", "MW"),
                  ("value_supply_usd_per_mw_yr", "supply", "substation", "MW"),
                  ("value_interconnect_usd_per_mw_yr", "interconnect class limit", "site", "MW"),
                  ("value_site_mw_usd_per_mw_yr", "site max IT", "site", "MW"),
                  ("value_site_water_usd_per_m3", "site water limit", "site", "m³/yr"),
                  ("value_carbon_cap_usd_per_t", "carbon cap", None, "t CO₂/yr"),
                  ("value_water_cap_usd_per_m3", "total water cap", None, "m³/yr"),
                  ("value_max_sites_usd_per_site_yr", "max sites", None, "site"))
TOP_VALUES = 10


def limit_values(ds) -> list[tuple]:
    """``(USD/yr per unit, limit, member, unit)`` of every limit with a value in a plan's dataset
    (``value_*`` variables; one period of a build-out's timeline), largest first."""
    rows = []
    for var, what, dim, unit in VALUE_FAMILIES:
        if var not in ds:
            continue
        da = ds[var]
        if dim is None:
            v = float(da)
            if np.isfinite(v) and v > DUAL_TOL:
                rows.append((v, what, "–", unit))
            continue
        for member, v in zip(da[dim].values, da.values.astype(float)):
            if np.isfinite(v) and v > DUAL_TOL:
                rows.append((v, what, str(member), unit))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    return rows


def _what_would_change(plan) -> list[Block]:
    """The limits whose relaxation is worth the most, by family member (duals of the fixed LP)."""
    rows = limit_values(plan.ds)
    out = [Block("h2", "What would change this plan")]
    if not rows:
        out.append(Block("p", "No limit has a marginal value in the LP with the plan's sites, designs, racks, "
                              "connections and units fixed: with those held, one more unit of any limit would not "
                              "lower the cost of this plan (see `docs/duals.md`; limits made only of integer "
                              "decisions are not priced). That does not mean nothing limits the plan: the limits "
                              "that size each site, which whole racks, connections and units reach, are in the "
                              "'size limited by' column of the power table above, and 'Which limits bind' below "
                              "counts those at their limit."))
        return out
    out.append(Block("p", f"The {min(len(rows), TOP_VALUES)} most valuable limits: what one more unit would save a "
                          "year, with every integer decision of the plan held (duals of the fixed-integer LP; "
                          "`docs/duals.md`). A value is marginal: it holds for small changes of that limit alone."))
    names = _lookups(plan)
    kind = {what: dim for _, what, dim, _ in VALUE_FAMILIES}
    out.append(Block("table", table=Table(["limit", "where", "USD/yr per unit", "unit"],
                                          [[w, _named(names.get(kind.get(w) or "", {}), m) if m != "–" else m,
                                            f"{v:,.0f}", u] for v, w, m, u in rows[:TOP_VALUES]]),
                     extra={"id": "values"}))
    return out


def _alternatives(plan) -> list[Block]:
    """Near-optimal alternatives: a table, which choices are robust and which are ties, small maps."""
    from siteplan.alternatives import alternatives_checks, alternatives_table, robust_choices, shared_choices
    from siteplan.export.staticmap import render_map

    f = style.fmt_num
    slack = plan.alternatives[0].ds.attrs.get("slack", float("nan"))
    out = [Block("h2", "Near-optimal alternatives"),
           Block("p", f"Plans costing at most {slack:.1%} of the avoidable cost more than the best, each as different "
                      "as possible from the best and from the ones before it (distance: sites open in one plan and not "
                      "the other, interconnect options built in one and not the other, generator types present at a "
                      "site in one and not the other; `siteplan.alternatives`).")]
    tab = alternatives_table(plan, plan.alternatives)
    rows = [[str(i), style.fmt_usd(r["annual cost (USD/yr)"]), style.fmt_usd(r["extra (USD/yr)"]),
             f(r["extra (% of avoidable)"], 1), str(r["choices apart from best"]),
             "; ".join(_in_words(x, plan) for x in str(r["open sites"]).split(", ")),
             f(r["IT MW"], 1), f(r["grid MW"], 1), f(r["on-site MW"], 1),
             "; ".join(_in_words(x, plan) for x in str(r.get("tiny sites", "") or "").split(", ") if x) or "none"]
            for i, r in tab.iterrows()]
    out.append(Block("table", table=Table(["plan", "USD/yr", "extra USD/yr", "extra % of avoidable", "choices apart",
                                           "open sites", "IT MW", "grid MW", "on-site MW", "tiny sites"], rows,
                                          "lrrrrlrrrl"),
                     extra={"id": "alternatives"}))
    checks = alternatives_checks(plan.alternatives)
    if checks:
        out.append(Block("p", "**Check before relying on these alternatives**"))
        out.extend(Block("p", f"**{c}**") for c in checks)
    out.append(Block("p", "**What every plan within the slack shares**: "
                     + _in_words("; ".join(shared_choices(plan, plan.alternatives)), plan)
                     + "."))
    rob = robust_choices(plan, plan.alternatives)
    names = _lookups(plan)["site"]
    rows = [[_named(names, str(s)), r["open in"], r["siting"], _in_words(r["power (best)"], plan), r["power"]]
            for s, r in rob.iterrows()]
    out.append(Block("p", "*robust*: every plan within the slack makes this choice; *tie*: some plan within the slack "
                          "does not, so the choice is not decided by cost alone. Search: "
                          + str(plan.ds.attrs.get("alternatives_search", "not recorded")) + "."))
    out.append(Block("table", table=Table(["site", "open in", "siting", "power in the best plan", "power"], rows),
                     extra={"id": "robust"}))
    for j, alt in enumerate(plan.alternatives, start=1):
        fig = render_map(alt, title=f"alternative {j}: {style.fmt_usd(alt.result.objective)}/yr", size_in=(12.0, 8.5))
        out.append(Block("img", name=f"alternative_{j}", png=charts.png_bytes(fig), text=f"Alternative {j}"))
    return out


def _site_table(plan) -> Table:
    """One row per open site, largest first: name, id, size, cooling, cost per H100e-hour."""
    from siteplan.labels import design_name, rack_name
    from siteplan.summary import fmt_mw

    s = plan.sites[plan.sites["open"].astype(bool)].sort_values("it_mw", ascending=False)
    names = dict(zip(plan.sites["site_id"], style.site_names(plan.sites)))
    rack_cols = [c for c in plan.sites.columns if c.startswith("racks_")]
    f = style.fmt_num
    rows = []
    for _, x in s.iterrows():
        racks = ", ".join(f"{rack_name(c[6:])} {x[c]:,.0f}" for c in rack_cols if float(x[c]) > 0) or "–"
        per_h = x.get("cost_usd_per_h100e_hour", float("nan"))
        rows.append([names[x["site_id"]], str(x["site_id"]), design_name(str(x["design"])), fmt_mw(x["it_mw"]),
                     f(x["max_it_mw"], 0), f(x["peak_facility_mw"], 1), f"{f(x['pue_min'], 3)}–{f(x['pue_max'], 3)}",
                     f(x["gpus"], 0), racks, f(x.get("served_h100e", float("nan")), 0),
                     style.fmt_usd(float(x["cost_usd_per_yr"])) if "cost_usd_per_yr" in x else "–",
                     f"${per_h:,.3f}" if np.isfinite(per_h) else "–",
                     f(x["water_m3_per_yr"], 0), f(x["emissions_t_per_yr"], 0)])
    return Table(["site", "id", "cooling design", "IT MW", "max IT MW", "peak facility MW", "PUE", "GPUs", "racks",
                  "H100e served", "USD/yr", "USD per H100e-hour", "water m³/yr", "t CO₂/yr"], rows,
                 "lllrrrrrlrrrrr")


def _line_length_note(plan) -> str:
    """Where the interconnect lengths come from, and a warning when every line is as long as every
    other (a dataset that places its candidate parcels a fixed distance from a substation: the bundled
    regions place them 3, 6 or 10 km away by rule, data/SOURCES.md)."""
    ic = plan.interconnects
    if ic is None or not len(ic) or "line_km" not in ic:
        return ""
    km = np.round(ic["line_km"].astype(float).to_numpy(), 1)
    text = ("Interconnect lengths are the straight-line distance from the site to its substation times the "
            "line route factor: a screening estimate, not a surveyed route or easement.")
    if len(km) > 1 and np.unique(km).size == 1:
        text += (f" Every line here is {style.fmt_num(km[0], 1)} km: the dataset places candidate parcels a "
                 "fixed distance from a substation (the bundled regions: 3, 6 or 10 km by rule, data/SOURCES.md), "
                 "so the line cost does not tell the sites apart; check real parcels and routes before relying on it.")
    return text


def _power_table(plan) -> Table:
    """One row per open site: power supply, grid share, interconnect in words, on-site plant, batteries."""
    from siteplan.plan import interconnect_words
    from siteplan.summary import fmt_mw

    s = plan.sites[plan.sites["open"].astype(bool)].sort_values("it_mw", ascending=False)
    names = dict(zip(plan.sites["site_id"], style.site_names(plan.sites)))
    from siteplan.summary import connection_limits, interconnect_text, limited_by_text

    f = style.fmt_num
    rows = []
    limits = connection_limits(plan)
    for _, x in s.iterrows():
        if "interconnect" in x:
            ic = interconnect_text(x, limits)
        else:  # a plan written before the words existed
            ic = interconnect_words(float("nan"), float("nan"), str(x["substation_id"]), float(x["interconnect_mw"]),
                                    float("nan"))
        share = float(x.get("grid_share", float("nan")))
        plant = str(x.get("onsite_plant", "") or "") or (f"{fmt_mw(x['onsite_mw'])} MW"
                                                          if float(x.get("onsite_mw", 0) or 0) > 0 else "none")
        bmw = float(x.get("battery_mw", 0.0) or 0.0)
        battery = f"{fmt_mw(bmw)} MW / {fmt_mw(x.get('battery_mwh', float('nan')))} MWh" if bmw > 0 else "none"
        rows.append([names[x["site_id"]], style.power_kind(x), f"{share:.0%}" if np.isfinite(share) else "–", ic,
                     plant, f(x.get("onsite_firm_mw", float("nan")), 1), battery,
                     limited_by_text(x, limits) or "none reached: sized by the demand it serves and cost"])
    return Table(["site", "power supply", "grid share of energy", "interconnect", "on-site plant",
                  "on-site firm MW (N+1)", "battery", "size limited by"], rows, "lllllrll")


def _demand_table(plan) -> Table:
    d = plan.demand
    wls = [c[: -len("_demand_h100e")] for c in d.columns if c.endswith("_demand_h100e")]
    f = style.fmt_num
    rows = []
    for _, x in d.iterrows():
        row = [style.short_name(x.get("name", ""), x["region_id"]), str(x["region_id"])]
        for w in wls:
            row += [f(x[f"{w}_demand_h100e"], 0), f(x[f"{w}_unmet_h100e"], 0)]
        rows.append(row)
    hdr = ["region", "id"] + [h for w in wls for h in (f"{w} demand H100e", f"{w} unmet H100e")]
    return Table(hdr, rows, "ll" + "r" * (2 * len(wls)))


def _limits(plan, sc: dict, water_limits: dict) -> list[Block]:
    ds, f = plan.ds, style.fmt_num
    out: list[Block] = []
    lim = sc.get("limits", {}) or {}
    n_open = int(ds["open"].sum())
    max_sites = lim.get("max_sites")
    wat = sc.get("water", {}) or {}
    summary = []

    # max sites
    if max_sites is None:
        summary.append(["max sites", f"{n_open} open", "no limit", "–"])
    else:
        summary.append(["max sites", f"{n_open} open", str(max_sites),
                        _status(_values(ds, "value_max_sites_usd_per_site_yr"), "site", int(n_open >= max_sites),
                                scalar=True)])
    # substation headroom
    head, conn = ds["headroom_mw"].values.astype(float), ds["connected_mw"].values.astype(float)
    upg = ds["upgrade_mw"].values.astype(float) if "upgrade_mw" in ds else np.zeros_like(conn)
    used = conn > 0
    v_head = _values(ds, "value_headroom_usd_per_mw_yr")
    nb = sum(_at_limit(c - u, hd) for c, u, hd in zip(conn[used], upg[used], head[used]))
    summary.append(["substation headroom", f"{used.sum()} substation(s) with new load", column_words("headroom_mw"),
                    _status(None if v_head is None else v_head[used], "MW", nb)])
    # corridors: the binding case is the flow that delivers every contract at once (firm capacity),
    # at each corridor's lowest capacity over the slices
    if "corridor_capacity_by_slice_mw" in ds:
        cap = ds["corridor_capacity_by_slice_mw"].values.astype(float).min(axis=1, initial=np.inf) \
            if ds.sizes.get("slice", 0) else ds["corridor_capacity_mw"].values.astype(float)
    else:
        cap = ds["corridor_capacity_mw"].values.astype(float)
    flow = np.abs(ds["corridor_flow_mw"].values.astype(float))
    peak = np.abs(ds["corridor_peak_flow_mw"].values.astype(float)) if "corridor_peak_flow_mw" in ds \
        else (flow.max(axis=1) if flow.size else np.zeros(len(cap)))
    v_cor = _values(ds, "value_corridor_usd_per_mw_yr")
    # no "at its limit" for corridors and supply: their flow is one of many that deliver the contracts
    # (the least total flow), so a corridor at capacity there may have room in another flow
    st_cor = _status(v_cor, "MW")
    n_full = sum(1 for a, b in zip(peak, cap) if b > 0 and _at_limit(float(a), float(b)))
    if st_cor == "slack" and n_full:
        st_cor = f"no value; {n_full} full in the routing shown (another routing may leave room)"
    summary.append(["corridor capacity", f"{int((peak > 0).sum())} of {len(cap)} corridors carry flow",
                    column_words("capacity_mw"), st_cor])
    # supply
    if "value_supply_usd_per_mw_yr" in ds:
        v_sup = _values(ds, "value_supply_usd_per_mw_yr")
        n_sup = int((ds["supply_limit_mw"].values > 0).sum())
        summary.append(["supply", f"{n_sup} substation(s) inject power", column_words("supply_mw"), _status(v_sup, "MW")])
    # site capacity
    is_open = plan.sites["open"].astype(bool).values
    op = plan.sites[is_open]
    v_site = _values(ds, "value_site_mw_usd_per_mw_yr")
    nsc = int(sum(_at_limit(a, b) for a, b in zip(op["it_mw"], op["max_it_mw"])))
    summary.append(["site max IT MW", f"{len(op)} open site(s)", column_words("max_it_mw"),
                    _status(None if v_site is None else v_site[is_open], "MW", nsc)])
    # interconnect capacity
    ic = plan.interconnects
    v_ic = _values(ds, "value_interconnect_usd_per_mw_yr")
    has_ic = np.array([bool(x) for x in ds["interconnect_substation"].values.tolist()], dtype=bool)
    # the limit priced is the contract within the connection's most (its class's max_mw or the headroom)
    nic = int(sum(_at_limit(a, b) for a, b in zip(ic["contracted_mw"], ic["max_mw"]))) if len(ic) else 0
    summary.append(["interconnect capacity", f"{len(ic)} interconnect(s)", "each connection's most (MW)",
                    _status(None if v_ic is None else v_ic[has_ic], "MW", nic)])
    # RTT
    asg = plan.assignments
    nrtt = int(sum(_binds(a, b) for a, b in zip(asg["rtt_ms"], asg["max_rtt_ms"]))) if len(asg) else 0
    summary.append(["RTT", f"{len(asg)} serving link(s)", column_words("max_rtt_ms") + " per workload",
                    f"**at the limit on {nrtt}**" if nrtt else "slack on every link"])
    # water
    water = dict(zip(ds["site"].values.tolist(), ds["water_m3_per_yr"].values.astype(float)))
    wcap = wat.get("cap_m3_per_yr")
    tot_w = float(sum(water.values()))
    capped = [s for s, v in water_limits.items() if np.isfinite(v) and water.get(s, 0) > 0]
    nw = sum(_at_limit(water[s], water_limits[s]) for s in capped)
    wtxt = f"{f(tot_w, 0)} m³/yr; water cooling {'allowed' if wat.get('allow_water_cooling', True) else 'not allowed'}"
    wlim = f"cap {f(float(wcap), 0)} m³/yr" if wcap is not None else "no total cap"
    v_site_w = _values(ds, "value_site_water_usd_per_m3")
    v_w = []
    if wcap is not None and "value_water_cap_usd_per_m3" in ds:
        v_w.append(float(ds["value_water_cap_usd_per_m3"]))
    if capped and v_site_w is not None:
        pos = {s: i for i, s in enumerate(ds["site"].values.tolist())}
        v_w += [float(v_site_w[pos[s]]) for s in capped if s in pos]
    wat_at = int(wcap is not None and _at_limit(tot_w, float(wcap))) + nw
    summary.append(["water", wtxt, wlim + ("; site limits" if water_limits else ""),
                    _status(np.array(v_w), "m³/yr", wat_at) if v_w else ("slack" if v_site_w is not None else "–")])
    # carbon
    carb = sc.get("carbon", {}) or {}
    ccap, cprice = carb.get("cap_t_per_yr"), float(carb.get("price_usd_per_t") or 0.0)
    tot_c = float(ds["emissions_t_per_yr"].sum())
    ctxt = f"{f(tot_c, 0)} t CO₂/yr" + (f"; priced at {f(cprice, 0)} USD/t" if cprice > 0 else "")
    v_c = _values(ds, "value_carbon_cap_usd_per_t")
    c_status = _status(v_c, "t CO₂/yr", int(_at_limit(tot_c, float(ccap))), scalar=True) if ccap is not None else "–"
    if ccap is not None and c_status == "slack" and tot_c >= NEAR_SHARE * float(ccap):
        # the cap decided how many (whole) racks fit; with them fixed, the LP has nothing left to trade
        c_status = (f"**near the limit** ({tot_c / float(ccap):.1%}): binds through whole racks, which the "
                    "fixed-integer LP does not price")
    summary.append(["carbon", ctxt, f"cap {f(float(ccap), 0)} t/yr" if ccap is not None else "no cap", c_status])
    # unmet demand
    summary.append(["demand", f"unmet {f(float(ds['unmet_h100e'].sum()), 0)} H100e", "–",
                    "**demand not fully met**" if float(ds["unmet_h100e"].sum()) > 0.5 else "met"])
    out.append(Block("table", table=Table(["limit", "use", "limit", "status"], summary, "llll"),
                     extra={"id": "limits"}))
    out.append(Block("p", "*binds*: relaxing the limit by one unit would lower the annual cost by more than "
                          f"{DUAL_TOL:g} USD/yr, with every site, design, rack count, interconnect and on-site unit "
                          "held as planned (duals of the LP with the integer decisions fixed). *not priced*: every term of the limit is an integer decision, so that LP "
                          "cannot value it; *at the limit* counts quantities at their bound. *at its limit (no marginal value "
                          "with the plan's racks held)*: used to its limit (within "
                          f"{AT_LIMIT_SHARE:.1%} of it: less than a rack's or unit's step left), yet one more unit would not lower the cost while the "
                          "racks stay as planned (a zero dual); it may still have decided how many racks fit. "
                          "*slack*: real headroom left."
                     + (f" No values: {ds.attrs['duals_status']}." if str(ds.attrs.get("duals_status", "optimal"))
                        != "optimal" else "")))

    # details
    ids = ds["substation"].values
    names = _lookups(plan)
    rows = [[_named(names["substation"], str(ids[i])), str(ids[i]), f(conn[i], 1), f(upg[i], 1), f(head[i], 1), f(max(head[i] - (conn[i] - upg[i]), 0.0), 1),
             f"{(conn[i] - upg[i]) / head[i]:.0%}" if head[i] > 0 else "–", _one(v_head, i, "MW", _at_limit(conn[i] - upg[i], head[i]))]
            for i in np.argsort(-conn) if conn[i] > 0]
    if rows:
        out.append(Block("p", "**Substation headroom** (substations with new load: the MW contracted there, of which "
                              "the MW beyond the headroom through network upgrades, vs the headroom (MW))"))
        out.append(Block("table", table=Table(["substation", "id", "contracted MW", "upgraded MW", "headroom MW",
                                               "remaining MW", "use", "status"], rows, "llrrrrrl")))
    cids = ds["corridor"].values
    # the binding corridors first (largest value), then the most loaded
    v_sort = np.nan_to_num(v_cor, nan=0.0) if v_cor is not None else np.zeros(len(cap))
    key = np.lexsort((-(peak / np.maximum(cap, 1e-9)), -v_sort))
    order = [i for i in key if peak[i] > 0 or v_sort[i] > DUAL_TOL][:15]
    if order:
        sl = ds["slice"].values
        w_pos = (ds["weight_h"].values > 0)[None, :] if flow.size else None
        busy = np.where(w_pos, flow, 0.0) if flow.size else flow
        rows = [[_named(names["corridor"], str(cids[i])), str(cids[i]), f(peak[i], 1), f(cap[i], 1), f"{peak[i] / cap[i]:.0%}" if cap[i] > 0 else "–",
                 f(float(busy[i].max()), 1) if busy.size else "–",
                 slice_name(str(sl[int(np.argmax(busy[i]))])) if busy.size else "–", _corridor_status(v_cor, i, peak[i], cap[i])]
                for i in order]
        more = int(((peak > 0) | (v_sort > DUAL_TOL)).sum()) - len(order)
        out.append(Block("p", "**Corridor capacity** (binding first, then the most loaded: the flow in either direction, in "
                              "MW, of the least total flow that delivers every contract at once, vs the corridor's lowest capacity "
                              "over the slices; and the largest flow of any slice"
                              + (f"; {more} more carry flow" if more > 0 else "") + ")"))
        out.append(Block("table", table=Table(["corridor", "id", "contracts |flow| MW", "capacity MW", "use",
                                               "largest slice flow MW", "in slice", "status"], rows, "llrrrrll")))
    if len(asg):
        rows = []
        for (reg, wl), g in asg.groupby(["region_id", "workload"], sort=True):
            lim_ms = float(g["max_rtt_ms"].iloc[0])
            worst = float(g["rtt_ms"].max())
            n_in = int((ds["rtt_ms"].sel(region=reg).values <= lim_ms + 1e-9).sum())
            rows.append([_named(names["region"], str(reg)), str(wl), f(worst, 2), f(lim_ms, 1), f"{n_in} of {ds.sizes['site']}",
                         "**at the limit**" if _binds(worst, lim_ms) else "within"])
        out.append(Block("p", "**RTT** (worst round trip among the sites serving each region and workload vs its "
                              "limit; candidate sites within the limit)"))
        out.append(Block("table", table=Table(["region", "workload", "worst RTT ms", "limit ms",
                                               "sites within limit", "status"], rows, "llrrrl")))
    site_pos = {s: i for i, s in enumerate(ds["site"].values.tolist())}
    wl_rows = [[_named(names["site"], s), f(water[s], 0), f(v, 0), _one(v_site_w, site_pos[s], "m³/yr", _at_limit(water[s], v))
               if s in site_pos else "–"]
               for s, v in sorted(water_limits.items()) if np.isfinite(v) and water.get(s, 0) > 0]
    if wl_rows:
        out.append(Block("p", "**Site water limits**"))
        out.append(Block("table", table=Table(["site", "water m³/yr", "limit m³/yr", "status"], wl_rows)))
    return out


# --- rendering ----------------------------------------------------------------------------------

def _filled(rows: list) -> list:
    """The rows with something in them (a row of empty or '–' cells says nothing)."""
    return [r for r in rows if any(str(c).strip() not in ("", "–", "-") for c in r)]


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block], title: str, files_dir: str = "report_files") -> str:
    lines = [f"# {title}", ""]
    for b in blocks:
        if b.kind == "h2":
            lines += [f"## {b.text}", ""]
        elif b.kind == "p":
            lines += [b.text, ""]
        elif b.kind == "table":
            t = b.table
            al = t.align or ("l" + "r" * (len(t.headers) - 1))
            lines.append("| " + " | ".join(_md_cell(x) or " " for x in t.headers) + " |")
            lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in al) + "|")
            lines += ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in _filled(t.rows)]
            lines.append("")
        elif b.kind == "img":
            lines += [f"![{b.text}]({files_dir}/{b.name}.png)", ""]
    return "\n".join(lines)


def _inline_md(s: str) -> str:
    """The little Markdown the blocks use (**bold**, *italic*, `code`) as HTML."""
    import re

    s = html.escape(str(s))
    s = re.sub(r"\[([^\]]+)\]\(([^()\s]+)\)", r'<a href="\2">\1</a>', s)
    s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
    s = re.sub(r"\*(.+?)\*", r"<em>\1</em>", s)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", s)


CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
       max-width: 1180px; margin: 24px auto; padding: 0 20px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 30px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e6e6e6; } th { background: #f5f5f5; text-align: left; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #fafafa; } strong { color: #b2182b; } code { font-size: 12px; color: #555; }
figure { margin: 10px 0 20px; } figure img { max-width: 100%; height: auto; } figcaption { color: #666; font-size: 12px; }
.wide { overflow-x: auto; }
"""


def render_html(blocks: list[Block], title: str, data: dict) -> str:
    out = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{html.escape(title)}</title>",
           f"<style>{CSS}</style>", "</head>\n<body>", f"<h1>{html.escape(title)}</h1>"]
    for b in blocks:
        if b.kind == "h2":
            out.append(f"<h2>{html.escape(b.text)}</h2>")
        elif b.kind == "p":
            out.append(f"<p>{_inline_md(b.text)}</p>")
        elif b.kind == "table":
            t = b.table
            al = t.align or ("l" + "r" * (len(t.headers) - 1))
            tid = f' id="{b.extra["id"]}"' if "id" in b.extra else ""
            rows = ["<tr>" + "".join(f'<th class="{a}">{html.escape(h)}</th>' for h, a in zip(t.headers, al)) + "</tr>"]
            rows += ["<tr>" + "".join(f'<td class="{a}">{_inline_md(c)}</td>' for c, a in zip(r, al)) + "</tr>"
                     for r in _filled(t.rows)]
            out.append(f'<div class="wide"><table{tid}>' + "\n".join(rows) + "</table></div>")
        elif b.kind == "img":
            b64 = base64.b64encode(b.png).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(b.text)}" data-chart="{b.name}" '
                       f'src="data:image/png;base64,{b64}"><figcaption>{html.escape(b.text)}</figcaption></figure>')
    # < > & as \uXXXX (siteplan.export.htmlmap.embed_json): a name like "<!--<script>" must not end
    # or re-parse the element; NaN kept as JSON's NaN token, as before
    payload = json.dumps(data, sort_keys=True, allow_nan=True).translate(_SCRIPT_UNSAFE)
    out.append(f'<script type="application/json" id="report-data">{payload}</script>')
    out.append("</body>\n</html>\n")
    return "\n".join(out)


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
        from siteplan.results import read_manifest

        scenario = read_manifest(out).get("scenario")
    blocks = report_blocks(plan, study=study, scenario=scenario, map_png=map_png)
    h = headline(plan)
    return write_blocks(blocks, out, f"siteplan plan report · {h.scenario}", {"headline": h.as_dict()})


def write_blocks(blocks: list[Block], out: Path, title: str, data: dict) -> list[Path]:
    """Write ``report.md`` with its charts in ``report_files/`` and ``report.html`` (charts inlined,
    ``data`` as embedded JSON) into ``out``; return the paths."""
    files = out / "report_files"
    files.mkdir(exist_ok=True)
    paths = []
    for b in blocks:
        if b.kind == "img":
            p = files / f"{b.name}.png"
            p.write_bytes(b.png)
            paths.append(p)
    md = out / "report.md"
    md.write_text(render_markdown(blocks, title), encoding="utf-8")
    page = out / "report.html"
    page.write_text(render_html(blocks, title, data), encoding="utf-8")
    return [md, page] + paths
