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
from siteplan.summary import plan_notes

REL_TOL, ABS_TOL = 1e-6, 1e-3  # a limit "binds" when the used amount is within this of it


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


def _yes(b: bool) -> str:
    return "**binds**" if b else "slack"


def _scenario_dict(study=None, scenario: dict | None = None) -> dict:
    if scenario is not None:
        return scenario
    if study is not None:
        return study.scenario.model_dump(mode="json")
    return {}


def _water_limits(plan, study=None) -> dict:
    if "water_limit_m3_per_yr" in plan.sites:
        return dict(zip(plan.sites["site_id"], plan.sites["water_limit_m3_per_yr"].astype(float)))
    if study is not None and "water_limit_m3_per_yr" in study.dataset.sites:
        return study.dataset.sites["water_limit_m3_per_yr"].astype(float).to_dict()
    return {}


def report_blocks(plan, study=None, scenario: dict | None = None) -> list[Block]:
    """The report's content, format-free."""
    sc = _scenario_dict(study, scenario)
    h = headline(plan)
    r, ds = plan.result, plan.ds
    f = style.fmt_num
    B: list[Block] = []
    if sc.get("description"):
        B.append(Block("p", f"*{sc['description']}*"))

    B.append(Block("h2", "Headline"))
    rows = [["Annualised cost", f"{style.fmt_usd(h.annual_cost_usd)}/yr"],
            ["  of which unmet-demand penalty", f"{style.fmt_usd(h.unmet_penalty_usd)}/yr"],
            ["Cost per GPU-hour (excl. penalty)", f"${h.cost_usd_per_gpu_hour:,.3f}" if np.isfinite(h.cost_usd_per_gpu_hour) else "–"],
            ["GPUs installed", f(h.gpus, 0)],
            ["Open sites", f"{h.open_sites} of {h.candidate_sites} candidates"],
            ["IT capacity (nameplate)", f"{f(h.it_mw, 1)} MW"],
            ["Facility power (coincident peak)", f"{f(h.peak_facility_mw, 1)} MW"],
            ["Facility energy", f"{f(h.facility_mwh_per_yr, 0)} MWh/yr"],
            ["Average PUE (energy-weighted)", f(h.avg_pue, 3)],
            ["Water", f"{f(h.water_m3_per_yr, 0)} m³/yr"],
            ["Emissions", f"{f(h.emissions_t_per_yr, 0)} t CO₂/yr"],
            ["Demand", f"{f(h.demand_h100e, 0)} H100e"],
            ["Served", f"{f(h.served_h100e, 0)} H100e"],
            ["Unmet demand", f"{f(h.unmet_h100e, 0)} H100e"]]
    if h.profit_usd is not None:  # objective max_profit
        price = ds.attrs.get("gpu_hour_price_usd")
        rows[:0] = [["Annual profit", f"{style.fmt_usd(h.profit_usd)}/yr"],
                    [f"Revenue (at ${float(price):,.2f} per H100e-hour)" if price else "Revenue",
                     f"{style.fmt_usd(h.revenue_usd)}/yr"]]
    B.append(Block("table", table=Table(["quantity", "value"], rows), extra={"id": "headline"}))

    B.append(Block("h2", "Solver"))
    t = r.timings
    B.append(Block("table", table=Table(["", ""], [
        ["termination", r.termination.value], ["HiGHS status", r.highs_status or "–"],
        ["objective", f"{style.fmt_usd(r.objective)}/yr"], ["best bound", f"{style.fmt_usd(r.best_bound)}/yr"],
        ["relative gap", f"{r.gap:.4%}"], ["size", f"{r.num_rows:,} rows × {r.num_cols:,} columns "
                                                   f"({r.num_integer:,} integer), {r.num_nonzeros:,} nonzeros"],
        ["branch-and-bound nodes", f"{r.mip_nodes:,}"],
        ["time (s)", f"prepare {t.prepare_s:.2f}, build {t.build_s:.2f}, hand-off {t.handoff_s:.2f}, "
                     f"HiGHS {t.solve_s:.2f}, extract {t.extract_s:.2f}"]]
        + [["note", n] for n in plan_notes(plan)])))

    B.append(Block("h2", "Cost by category"))
    cats = [str(c) for c in ds["cost_category"].values]
    vals = ds["cost_usd_per_yr"].values.astype(float)
    is_cost = np.array([c != "revenue" for c in cats], dtype=bool)  # max_profit: revenue is a negative cost
    tot = float(vals[is_cost].sum())
    rows = [[c.replace("_", " "), style.fmt_usd(float(v)), f"{v / tot:.1%}" if tot and cost else "–"]
            for c, v, cost in zip(cats, vals, is_cost) if abs(v) > 0.5]
    rows.append(["total cost" if not is_cost.all() else "total", style.fmt_usd(tot), "100%"])
    if not is_cost.all():
        rows.append(["objective (cost - revenue)", style.fmt_usd(float(vals.sum())), "–"])
    B.append(Block("table", table=Table(["category", "USD/yr", "share"], rows)))
    B.append(Block("img", name="cost_breakdown", png=charts.png_bytes(charts.cost_breakdown(plan)),
                   text="Annual cost by category"))

    B.append(Block("h2", "Sites"))
    B.append(Block("table", table=_site_table(plan)))
    B.append(Block("img", name="facility_power_by_slice",
                   png=charts.png_bytes(charts.facility_power_by_slice(plan)), text="Facility power by slice and site"))
    B.append(Block("img", name="pue_by_slice", png=charts.png_bytes(charts.pue_by_slice(plan)),
                   text="PUE by slice and cooling design"))

    B.append(Block("h2", "Demand"))
    B.append(Block("table", table=_demand_table(plan)))

    B.append(Block("h2", "Which limits bind"))
    B.extend(_limits(plan, sc, _water_limits(plan, study)))
    return B


def _site_table(plan) -> Table:
    s = plan.sites[plan.sites["open"].astype(bool)].sort_values("it_mw", ascending=False)
    rack_cols = [c for c in plan.sites.columns if c.startswith("racks_")]
    f = style.fmt_num
    rows = []
    for _, x in s.iterrows():
        racks = ", ".join(f"{c[6:]} {x[c]:,.0f}" for c in rack_cols if float(x[c]) > 0) or "–"
        ic = f"{x['substation_id']} ({x['interconnect_class']}, {x['interconnect_mw']:,.0f} MW)" if x["substation_id"] else "none"
        rows.append([str(x["site_id"]), style.short_name(x["name"], x["site_id"]), str(x["design"]), f(x["it_mw"], 1),
                     f(x["max_it_mw"], 0), f(x["peak_facility_mw"], 1), f"{f(x['pue_min'], 3)}–{f(x['pue_max'], 3)}",
                     f(x["gpus"], 0), racks, ic, f(x["onsite_mw"], 1), f(x["battery_mw"], 1),
                     f(x["water_m3_per_yr"], 0), f(x["emissions_t_per_yr"], 0)])
    return Table(["site", "name", "design", "IT MW", "max IT MW", "peak facility MW", "PUE", "GPUs", "racks",
                  "interconnect", "on-site MW", "battery MW", "water m³/yr", "t CO₂/yr"], rows, "lllrrrrrllrrrr")


def _demand_table(plan) -> Table:
    d = plan.demand
    wls = [c[: -len("_demand_h100e")] for c in d.columns if c.endswith("_demand_h100e")]
    f = style.fmt_num
    rows = []
    for _, x in d.iterrows():
        row = [str(x["region_id"]), style.short_name(x.get("name", ""), x["region_id"])]
        for w in wls:
            row += [f(x[f"{w}_demand_h100e"], 0), f(x[f"{w}_unmet_h100e"], 0)]
        rows.append(row)
    hdr = ["region", "name"] + [h for w in wls for h in (f"{w} demand H100e", f"{w} unmet")]
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
        summary.append(["max sites", f"{n_open} open", str(max_sites), _yes(n_open >= max_sites)])
    # substation headroom
    head, conn = ds["headroom_mw"].values.astype(float), ds["connected_mw"].values.astype(float)
    used = conn > 0
    nb = sum(_binds(c, hd) for c, hd in zip(conn[used], head[used]))
    summary.append(["substation headroom", f"{used.sum()} substation(s) with new load", "headroom_mw",
                    f"**binds at {nb}**" if nb else "slack"])
    # corridors
    cap = ds["corridor_capacity_mw"].values.astype(float)
    flow = np.abs(ds["corridor_flow_mw"].values.astype(float))
    # a zero-hour design-peak slice (merged studies) has arbitrary dispatch (it costs nothing): skip it
    flow = np.where((ds["weight_h"].values > 0)[None, :], flow, 0.0) if flow.size else flow
    peak = flow.max(axis=1) if flow.size else np.zeros(len(cap))
    nbc = int(sum(_binds(p_, c) for p_, c in zip(peak, cap) if p_ > 0))
    summary.append(["corridor capacity", f"{int((peak > 0).sum())} of {len(cap)} corridors carry flow",
                    "capacity_mw", f"**binds on {nbc}**" if nbc else "slack"])
    # site capacity
    op = plan.sites[plan.sites["open"].astype(bool)]
    nsc = int(sum(_binds(a, b) for a, b in zip(op["it_mw"], op["max_it_mw"])))
    summary.append(["site max IT MW", f"{len(op)} open site(s)", "max_it_mw", f"**binds at {nsc}**" if nsc else "slack"])
    # interconnect capacity
    ic = plan.interconnects
    nic = int(sum(_binds(a, b) for a, b in zip(ic["peak_import_mw"], ic["contracted_mw"]))) if len(ic) else 0
    summary.append(["interconnect capacity", f"{len(ic)} interconnect(s)", "capacity_mw",
                    f"**binds at {nic}**" if nic else "slack"])
    # RTT
    asg = plan.assignments
    nrtt = int(sum(_binds(a, b) for a, b in zip(asg["rtt_ms"], asg["max_rtt_ms"]))) if len(asg) else 0
    summary.append(["RTT", f"{len(asg)} serving link(s)", "max_rtt_ms per workload",
                    f"**at the limit on {nrtt}**" if nrtt else "slack on every link"])
    # water
    water = dict(zip(ds["site"].values.tolist(), ds["water_m3_per_yr"].values.astype(float)))
    wcap = wat.get("cap_m3_per_yr")
    tot_w = float(sum(water.values()))
    nw = sum(_binds(water[s], v) for s, v in water_limits.items() if np.isfinite(v) and water.get(s, 0) > 0)
    wtxt = f"{f(tot_w, 0)} m³/yr; water cooling {'allowed' if wat.get('allow_water_cooling', True) else 'not allowed'}"
    wlim = f"cap {f(float(wcap), 0)} m³/yr" if wcap is not None else "no total cap"
    wb = (wcap is not None and _binds(tot_w, float(wcap))) or nw > 0
    summary.append(["water", wtxt, wlim + ("; site limits" if water_limits else ""),
                    ("**binds**" + (f" at {nw} site(s)" if nw else "")) if wb else "slack"])
    # carbon
    carb = sc.get("carbon", {}) or {}
    ccap, cprice = carb.get("cap_t_per_yr"), float(carb.get("price_usd_per_t") or 0.0)
    tot_c = float(ds["emissions_t_per_yr"].sum())
    ctxt = f"{f(tot_c, 0)} t CO₂/yr" + (f"; priced at {f(cprice, 0)} USD/t" if cprice > 0 else "")
    summary.append(["carbon", ctxt, f"cap {f(float(ccap), 0)} t/yr" if ccap is not None else "no cap",
                    _yes(_binds(tot_c, float(ccap))) if ccap is not None else "–"])
    # unmet demand
    summary.append(["demand", f"unmet {f(float(ds['unmet_h100e'].sum()), 0)} H100e", "–",
                    "**demand not fully met**" if float(ds["unmet_h100e"].sum()) > 0.5 else "met"])
    out.append(Block("table", table=Table(["limit", "use", "limit", "status"], summary, "llll"),
                     extra={"id": "limits"}))

    # details
    ids = ds["substation"].values
    rows = [[str(ids[i]), f(conn[i], 1), f(head[i], 1), f(head[i] - conn[i], 1),
             f"{conn[i] / head[i]:.0%}" if head[i] > 0 else "–", _yes(_binds(conn[i], head[i]))]
            for i in np.argsort(-conn) if conn[i] > 0]
    if rows:
        out.append(Block("p", "**Substation headroom** (substations with new load: `connected_mw` vs `headroom_mw`)"))
        out.append(Block("table", table=Table(["substation", "connected MW", "headroom MW", "remaining MW", "use",
                                               "status"], rows)))
    cids = ds["corridor"].values
    order = [i for i in np.argsort(-(peak / np.maximum(cap, 1e-9))) if peak[i] > 0][:15]
    if order:
        sl = ds["slice"].values
        rows = [[str(cids[i]), f(peak[i], 1), f(cap[i], 1), f"{peak[i] / cap[i]:.0%}" if cap[i] > 0 else "–",
                 str(sl[int(np.argmax(flow[i]))]), _yes(_binds(peak[i], cap[i]))] for i in order]
        more = int((peak > 0).sum()) - len(order)
        out.append(Block("p", "**Corridor capacity** (most loaded: max over slices of |`corridor_flow_mw`| vs "
                              "`corridor_capacity_mw`" + (f"; {more} more carry flow" if more > 0 else "") + ")"))
        out.append(Block("table", table=Table(["corridor", "peak |flow| MW", "capacity MW", "use", "peak slice",
                                               "status"], rows)))
    if len(asg):
        rows = []
        for (reg, wl), g in asg.groupby(["region_id", "workload"], sort=True):
            lim_ms = float(g["max_rtt_ms"].iloc[0])
            worst = float(g["rtt_ms"].max())
            n_in = int((ds["rtt_ms"].sel(region=reg).values <= lim_ms + 1e-9).sum())
            rows.append([str(reg), str(wl), f(worst, 2), f(lim_ms, 1), f"{n_in} of {ds.sizes['site']}",
                         _yes(_binds(worst, lim_ms))])
        out.append(Block("p", "**RTT** (worst round trip among the sites serving each region and workload vs its "
                              "limit; candidate sites within the limit)"))
        out.append(Block("table", table=Table(["region", "workload", "worst RTT ms", "limit ms",
                                               "sites within limit", "status"], rows, "llrrrl")))
    wl_rows = [[s, f(water[s], 0), f(v, 0), _yes(_binds(water[s], v))]
               for s, v in sorted(water_limits.items()) if np.isfinite(v) and water.get(s, 0) > 0]
    if wl_rows:
        out.append(Block("p", "**Site water limits**"))
        out.append(Block("table", table=Table(["site", "water m³/yr", "limit m³/yr", "status"], wl_rows)))
    return out


# --- rendering ----------------------------------------------------------------------------------

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
            lines += ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in t.rows]
            lines.append("")
        elif b.kind == "img":
            lines += [f"![{b.text}]({files_dir}/{b.name}.png)", ""]
    return "\n".join(lines)


def _inline_md(s: str) -> str:
    """The little Markdown the blocks use (**bold**, *italic*, `code`) as HTML."""
    import re

    s = html.escape(str(s))
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
                     for r in t.rows]
            out.append(f'<div class="wide"><table{tid}>' + "\n".join(rows) + "</table></div>")
        elif b.kind == "img":
            b64 = base64.b64encode(b.png).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(b.text)}" data-chart="{b.name}" '
                       f'src="data:image/png;base64,{b64}"><figcaption>{html.escape(b.text)}</figcaption></figure>')
    payload = json.dumps(data, sort_keys=True, allow_nan=True).replace("</", "<\\/")
    out.append(f'<script type="application/json" id="report-data">{payload}</script>')
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def write_report(plan, out_dir: str | Path, study=None, scenario: dict | None = None) -> list[Path]:
    """Write ``report.md`` (+ ``report_files/*.png``) and ``report.html``; return the paths.

    ``scenario`` is the scenario as a dict (``manifest.json["scenario"]``); by default it is taken
    from ``study`` or, failing that, from the manifest in ``out_dir``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if scenario is None and study is None:
        from siteplan.results import read_manifest

        scenario = read_manifest(out).get("scenario")
    blocks = report_blocks(plan, study=study, scenario=scenario)
    h = headline(plan)
    title = f"siteplan plan report · {h.scenario}"
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
    page.write_text(render_html(blocks, title, {"headline": h.as_dict()}), encoding="utf-8")
    return [md, page] + paths
