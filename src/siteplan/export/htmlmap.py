"""Interactive map of a Plan as one self-contained HTML file (``map.html``).

The page is an SVG map drawn by siteplan's own small script (``mapview.js``, with ``mapview.css``)
from the plan data embedded as JSON; both are inlined, so the file opens offline, needs no tile
server and loads nothing from the network. The base layer is the bundled Census state boundaries.
Layers can be toggled; hovering shows a summary and clicking a site shows its details (IT MW, racks
by type, design, PUE range, interconnect, costs).
"""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box

from siteplan.export import style
from siteplan.export.headline import headline

COORD_DECIMALS = 4


def _num(x, nd: int = 3):
    """JSON-safe float (None for NaN/inf)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return round(x, nd) if math.isfinite(x) else None


def _coords(geom) -> list:
    return [[round(float(x), COORD_DECIMALS), round(float(y), COORD_DECIMALS)] for x, y, *_ in geom.coords]


def _line_parts(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    return [_coords(g) for g in getattr(geom, "geoms", [geom])]


def _states(extent) -> list[dict]:
    """Basemap polygons clipped to a margin around the map window."""
    x0, y0, x1, y1 = extent
    mx, my = (x1 - x0) * 1.5, (y1 - y0) * 1.5
    clip = box(x0 - mx, y0 - my, x1 + mx, y1 + my)
    out = []
    states = style.load_basemap((x0 - mx, y0 - my, x1 + mx, y1 + my))
    for _, st in states.iterrows():
        g = shapely.intersection(st.geometry, clip)
        if g.is_empty:
            continue
        rings = []
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon":
                continue
            rings.append(_coords(poly.exterior))
            rings += [_coords(r) for r in poly.interiors]
        pt = st.geometry.representative_point()
        out.append({"code": st["code"], "name": st["name"], "rings": rings,
                    "label": [round(pt.x, 3), round(pt.y, 3)]})
    return out


# per-site annual cost columns of the site table, as a person reads them (units in the label)
COST_ROW_LABELS = {
    "cost_usd_per_yr": "total cost (USD/yr)",
    "capex_usd_per_yr": "capital cost, annualised (USD/yr)",
    "opex_usd_per_yr": "operating cost (USD/yr)",
}


def cost_row_label(col: str) -> str:
    """A site-table cost column in words with its unit: 'cost_usd_per_yr' -> 'total cost (USD/yr)';
    other '<what>_usd_per_yr' columns -> '<what> (USD/yr)'."""
    if col in COST_ROW_LABELS:
        return COST_ROW_LABELS[col]
    what = col[: -len("_usd_per_yr")] if col.endswith("_usd_per_yr") else col
    what = what[len("cost_"):] if what.startswith("cost_") and len(what) > 5 else what
    return f"{style.category_label(what)} cost (USD/yr)"


def _site_rows(row, rack_cols, ic_by_site, cost_cols, name: str = "") -> list[list[str]]:
    """The details table of one chosen site: [label, value-html] pairs (numbers from the Plan). Labels
    are words with the unit of the value in brackets; designs and rack types by name."""
    from siteplan.labels import design_name, rack_name
    from siteplan.results.summary import fmt_mw

    def f(x, nd=1, unit=""):
        return "–" if x is None or not np.isfinite(float(x)) else f"{float(x):,.{nd}f}{unit}"

    rows = [["site", html.escape(name or str(row["site_id"]))], ["site id", html.escape(str(row["site_id"]))],
            ["cooling design", html.escape(design_name(row["design"]))],
            ["IT capacity (MW)", f"{fmt_mw(row['it_mw'])} of {f(row['max_it_mw'], 0)} at most"],
            ["peak facility power (MW)", f(row["peak_facility_mw"], 1)],
            ["PUE, lowest – highest time slice", f"{f(row['pue_min'], 3)} – {f(row['pue_max'], 3)}"],
            ["GPUs", f(row["gpus"], 0)], ["compute (H100-equivalents)", f(row["compute_h100e"], 0)]]
    if "served_h100e" in row:
        rows.append(["demand served (H100-equivalents)", f(row["served_h100e"], 0)])
    for c in rack_cols:
        if float(row[c]) > 0:
            rows.append([f"racks, {html.escape(rack_name(c[len('racks_'):]))}", f(row[c], 0)])
    rows.append(["power supply", html.escape(style.power_words(row))])
    share = float(row.get("grid_share", float("nan")))
    if np.isfinite(share):
        rows.append(["energy from the grid (share)", f"{share:.0%}"])
    ic = ic_by_site.get(row["site_id"])
    if ic is not None:
        sub = str(row.get("substation_name", "") or ic["substation_id"])
        rows += [["interconnect", f"{f(ic['voltage_kv'], 0, ' kV')} line to {html.escape(sub)}"],
                 ["substation id", html.escape(str(ic["substation_id"]))],
                 ["grid capacity contracted (MW)", f(ic["contracted_mw"], 1)],
                 ["line length (km)", f(ic["line_km"], 1)],
                 ["interconnect capital cost (USD)", style.fmt_usd(float(ic["capex_usd"]))],
                 ["peak grid import (MW)", f(ic["peak_import_mw"], 1)]]
    else:
        rows.append(["interconnect", "none (off-grid)"])
    plant = style.plant_words(row)
    if plant:  # type and units in words: '13 × 18.3 MW gas reciprocating engines (237.9 MW, 219.6 MW firm)'
        rows.append(["on-site plant (firm: with its largest unit out)", html.escape(plant)])
    if float(row.get("onsite_mw", 0) or 0) > 0:
        rows.append(["on-site plant capacity (MW)", f(row["onsite_mw"], 1)])
    if float(row.get("battery_mw", 0) or 0) > 0:
        mwh = row.get("battery_mwh", float("nan"))
        if np.isfinite(float(mwh)):
            rows.append(["battery (MW / MWh)", f(row["battery_mw"], 1) + " / " + f(mwh, 0)])
        else:
            rows.append(["battery (MW)", f(row["battery_mw"], 1)])
    rows += [["water use (m³/yr)", f(row["water_m3_per_yr"], 0)],
             ["emissions (t CO₂/yr)", f(row["emissions_t_per_yr"], 0)]]
    for c in cost_cols:  # per-site annual costs, when the Plan carries them
        rows.append([html.escape(cost_row_label(c)), style.fmt_usd(float(row[c]))])
    per_h = float(row.get("cost_usd_per_h100e_hour", float("nan")))
    if np.isfinite(per_h):
        rows.append(["cost per H100e-hour served (USD)", f"${per_h:,.3f}"])
    # what sizes the site (the plan's words, the one grid limit named: siteplan.results.plan)
    lim = row.get("limited_by", "")
    rows.append(["size limited by", html.escape(str(lim)) if isinstance(lim, str) and lim
                 else "none reached: sized by the demand it serves and cost"])
    return rows


def map_data(plan) -> dict:
    """Everything the page draws, as JSON-ready data (lon/lat, numbers from the Plan)."""
    extent = style.plan_extent(plan)
    sites = plan.sites
    is_open = sites["open"].astype(bool).to_numpy()
    chosen, cands = sites[is_open], sites[~is_open]
    colors = style.design_colors(chosen["design"].astype(str))
    used, vmax = _headroom_scale(plan.substations)
    from matplotlib import colormaps
    from matplotlib.colors import PowerNorm

    cmap, norm = colormaps[style.HEADROOM_CMAP], PowerNorm(0.5, 0.0, vmax)
    region = style.region_shape(plan, (extent[0] - 5, extent[1] - 5, extent[2] + 5, extent[3] + 5))
    data = {
        "view": {"extent": [round(v, 4) for v in extent], "lat0": (extent[1] + extent[3]) / 2},
        "states": _states(extent),
        "fiber": [{"id": str(r["link_id"]), "from": str(r["from_id"]), "to": str(r["to_id"]),
                   "length_km": _num(r["length_km"], 1), "served_h100e": _num(r.get("served_h100e", 0.0), 1),
                   "coords": part}
                  for _, r in plan.fiber.iterrows() for part in _line_parts(_in_region(r, region))],
        "substations": _substation_items(plan, cmap, norm),
        "interconnects": [{"site": str(c["site_id"]), "substation": str(c["substation_id"]), "voltage_class": str(c["voltage_class"]),
                           "voltage_kv": _num(c["voltage_kv"]), "contracted_mw": _num(c["contracted_mw"]),
                           "line_km": _num(c["line_km"]), "capex_usd": _num(c["capex_usd"], 0),
                           "peak_import_mw": _num(c["peak_import_mw"]), "color": style.voltage_color(c["voltage_kv"]),
                           "coords": _line_parts(c.geometry)[0]}
                          for _, c in plan.interconnects.iterrows()],
        "assignments": [{"site": str(a["site_id"]), "region": str(a["region_id"]), "workload": str(a["workload"]),
                         "served_h100e": _num(a["served_h100e"], 1), "rtt_ms": _num(a["rtt_ms"], 2),
                         "max_rtt_ms": _num(a["max_rtt_ms"], 2), "coords": _line_parts(a.geometry)[0]}
                        for _, a in plan.assignments.iterrows()],
        "demand": _demand_items(plan.demand),
        "candidates": [{"id": str(c["site_id"]), "name": style.short_name(c["name"], c["site_id"]),
                        "lon": _num(c.geometry.x, 5), "lat": _num(c.geometry.y, 5), "max_it_mw": _num(c["max_it_mw"])}
                       for _, c in cands.iterrows()],
        "chosen": _chosen_items(plan, chosen, colors),
    }
    data["layers"] = _layer_list(plan, data, used, cands, chosen, colors)
    data["legend"] = _legend_data(plan, chosen, colors, used, vmax, cmap, norm)
    return data


def _headroom_scale(subs) -> tuple[np.ndarray, float]:
    """Which substations take new load, and the top of the headroom colour scale (MW) over them."""
    rem = subs["remaining_headroom_mw"].to_numpy(float) if len(subs) else np.zeros(0)
    used = subs["connected_mw"].to_numpy(float) > 0 if len(subs) else np.zeros(0, bool)
    vmax = max(float(np.nanmax(rem[used])), 1.0) if used.any() else 1.0  # the scale of the used substations
    return used, vmax


def _substation_items(plan, cmap, norm) -> list[dict]:
    """The substations layer: one item per substation, coloured by its remaining headroom."""
    from matplotlib.colors import to_hex

    return [{"id": str(s["substation_id"]), "name": str(s.get("name", "") or ""),
             "lon": _num(s.geometry.x, 5), "lat": _num(s.geometry.y, 5),
             "voltage_kv": _num(s["voltage_kv"]), "zone": str(s["zone"]),
             "headroom_mw": _num(s["headroom_mw"]), "supply_mw": _num(s["supply_mw"]),
             "connected_mw": _num(s["connected_mw"]),
             "remaining_headroom_mw": _num(s["remaining_headroom_mw"]),
             "upgrade_mw": _num(s["upgrade_mw"]) if "upgrade_mw" in s else 0.0,
             "headroom_value_usd_per_mw_yr": _num(hv, 0) if np.isfinite(hv) else None,
             "color": to_hex(cmap(norm(max(float(s["remaining_headroom_mw"]), 0.0))))}
            for (_, s), hv in zip(plan.substations.iterrows(), style.headroom_values(plan))]


def _demand_items(demand) -> list[dict]:
    """The demand layer: one item per region, with its demand, served and unmet by workload."""
    workloads = [c[: -len("_demand_h100e")] for c in demand.columns if c.endswith("_demand_h100e")]
    out = []
    for _, d in demand.iterrows():
        wl = [{"workload": w, "demand_h100e": _num(d[f"{w}_demand_h100e"], 1),
               "served_h100e": _num(d[f"{w}_served_h100e"], 1), "unmet_h100e": _num(d[f"{w}_unmet_h100e"], 1)}
              for w in workloads]
        out.append({"id": d["region_id"], "name": style.short_name(d.get("name", ""), d["region_id"]),
                    "lon": _num(d.geometry.x, 5), "lat": _num(d.geometry.y, 5), "workloads": wl,
                    "total_h100e": _num(sum(float(d[f"{w}_demand_h100e"]) for w in workloads), 1)})
    return out


def _chosen_items(plan, chosen, colors: dict) -> list[dict]:
    """The chosen-sites layer: one item per open site, with its details table."""
    from siteplan.labels import design_name
    from siteplan.results.summary import fmt_mw

    sites = plan.sites
    rack_cols = [c for c in sites.columns if c.startswith("racks_")]
    cost_cols = [c for c in ("capex_usd_per_yr", "opex_usd_per_yr") if c in sites.columns] + \
        [c for c in sites.columns if c.startswith("cost_") and c.endswith("usd_per_yr")]
    names = dict(zip(sites["site_id"], style.site_names(sites)))
    ic_by_site = {r["site_id"]: r for _, r in plan.interconnects.iterrows()}
    return [{"id": str(c["site_id"]), "label": names[c["site_id"]],
             "lon": _num(c.geometry.x, 5), "lat": _num(c.geometry.y, 5), "design": str(c["design"]),
             "design_name": design_name(c["design"]),
             "color": colors[str(c["design"])], "it_mw": _num(c["it_mw"]), "it_mw_text": fmt_mw(c["it_mw"]),
             "power": style.power_kind(c), "power_text": style.power_words(c),
             "power_short": style.power_short(c), "plant_text": style.plant_words(c),
             "battery_text": style.battery_words(c),
             "pue_min": _num(c["pue_min"]), "pue_max": _num(c["pue_max"]),
             "rows": _site_rows(c, rack_cols, ic_by_site, cost_cols, names[c["site_id"]])}
            for _, c in chosen.iterrows()]


def _layer_list(plan, data: dict, used: np.ndarray, cands, chosen, colors: dict) -> list[dict]:
    """The layer switches, in drawing order, with their counts and swatches."""
    line_sw = style.voltage_color(float(plan.interconnects["voltage_kv"].max())) if len(plan.interconnects) else "#d6604d"
    return [
        {"id": "states", "title": "State boundaries", "count": len(data["states"]), "visible": True,
         "swatch": style.STATE_FILL},
        {"id": "fiber", "title": "Fiber backbone", "count": len(plan.fiber), "visible": True, "line": True,
         "swatch": style.FIBER_COLOR},
        {"id": "substations", "title": "Substations not used", "count": int((~used).sum()), "visible": True,
         "swatch": style.SUBSTATION_IDLE},
        {"id": "assignments", "title": "Demand served by site", "count": len(plan.assignments), "visible": True,
         "line": True, "swatch": style.DEMAND_COLOR},
        {"id": "demand", "title": "Demand regions", "count": len(plan.demand), "visible": True,
         "swatch": "#e7d4ee"},
        {"id": "candidates", "title": "Candidate sites (not chosen)", "count": len(cands), "visible": True,
         "swatch": "#ffffff"},
        {"id": "chosen", "title": "Chosen sites", "count": len(chosen), "visible": True,
         "swatch": next(iter(colors.values()), "#009E73")},
        {"id": "interconnects", "title": "Interconnects", "count": len(plan.interconnects), "visible": True,
         "line": True, "swatch": line_sw},
        {"id": "substations_used", "title": "Substations with new load (remaining headroom)", "count": int(used.sum()),
         "visible": True, "swatch": "#a6d96a"},
        {"id": "labels", "title": "Labels", "count": len(chosen), "visible": True, "swatch": "#111111"},
    ]


def _legend_data(plan, chosen, colors: dict, used: np.ndarray, vmax: float, cmap, norm) -> dict:
    """The legend's data: designs, power kinds, interconnect voltages and the headroom ramp."""
    from matplotlib.colors import to_hex

    from siteplan.labels import design_name

    return {"designs": colors, "design_names": {d: design_name(d) for d in colors}, "power": sorted({style.power_kind(c) for _, c in chosen.iterrows()}),
            "voltages": dict(style.voltage_legend(plan.interconnects["voltage_kv"])),
            "headroom": {"max_mw": vmax, "used": int(used.sum()),
                         "ramp": [to_hex(cmap(norm(vmax * (i / 8) ** 2))) for i in range(9)]}}


def _in_region(row, region):
    """A fiber link's geometry, clipped to the study region unless served demand uses it."""
    g = row.geometry
    if region is None or g is None or bool(row.get("used", False)):
        return g
    return g.intersection(region) if g.intersects(region) else None


def _asset(name: str) -> str:
    return resources.files("siteplan.export").joinpath(name).read_text(encoding="utf-8")


def _legend_html(legend: dict) -> str:
    rows = ["<h2>Cooling design</h2>"]
    rows += [f'<div class="legend-row design-entry"><span class="swatch" style="background:{c}"></span>'
             f"{html.escape(legend.get('design_names', {}).get(d, d))}</div>" for d, c in legend["designs"].items()] or ['<div class="legend-row">(none)</div>']
    words = {"grid": ("swatch power-grid", "grid only"),
             "grid + on-site": ("swatch power-onsite", "grid and on-site plant (red ring)"),
             "off-grid": ("swatch power-offgrid", "on-site plant only, off-grid (diamond)")}
    rows.append("<h2>Power supply</h2>")
    rows += [f'<div class="legend-row power-entry"><span class="{words[k][0]}"></span>{words[k][1]}</div>'
             for k in ("grid", "grid + on-site", "off-grid") if k in legend.get("power", [])] \
        or ['<div class="legend-row">(no site opened)</div>']
    if legend["voltages"]:
        rows.append("<h2>Interconnect voltage</h2>")
        rows += [f'<div class="legend-row voltage-entry"><span class="swatch line" style="background:{c}"></span>'
                 f"{html.escape(v)}</div>"
                 for v, c in legend["voltages"].items()]
    h = legend["headroom"]
    if not h.get("used", 1):  # no substation with new load: nothing on the map has this colour
        return "\n".join(rows)
    ramp = ", ".join(h["ramp"])
    rows.append("<h2>Remaining headroom, substations with new load</h2>"
                f'<div class="ramp" style="background:linear-gradient(to right, {ramp})"></div>'
                f'<div class="ramp-labels"><span>0 MW</span><span>{h["max_mw"] / 4:,.0f}</span>'
                f'<span>≥ {h["max_mw"]:,.0f} MW</span></div>')
    return "\n".join(rows)


_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                  0x2028: "\\u2028", 0x2029: "\\u2029"}


def embed_json(data) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` (and the line separators U+2028/U+2029) are written as ``\\uXXXX``
    escapes, so data such as a site named ``<!--<script>`` or ``</script>`` can neither end the
    element nor switch the HTML parser into its script-escaped states (which blanked the map);
    ``JSON.parse`` gives back the same strings.

    Parameters
    ----------
    data : object
        JSON-serialisable data (NaN and infinities are refused).

    Returns
    -------
    str
    """
    return json.dumps(data, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_UNSAFE)


def render_html_map(plan) -> str:
    """The map page as one HTML string (script, style and data inlined)."""
    from siteplan.results.summary import plan_checks

    h = headline(plan)
    data = map_data(plan)
    payload = embed_json(data)
    per_h = f"${h.cost_usd_per_h100e_hour:,.3f} per H100e-hour · " if math.isfinite(h.cost_usd_per_h100e_hour) else ""
    sub = (f"{style.fmt_usd(h.annual_cost_usd)}/yr · {per_h}{h.open_sites} of {h.candidate_sites} sites · "
           f"{h.it_mw:,.0f} MW IT · {h.served_h100e:,.0f} of {h.demand_h100e:,.0f} H100e served · "
           f"avg PUE {h.avg_pue:.3f} · {h.termination}, "
           + (f"gap {h.gap:.2%}" if math.isfinite(h.gap) else "no gap known"))
    found = plan_checks(plan)
    checks = "".join(f'<div class="check">CHECK: {html.escape(c)}</div>' for c in found[:2])
    if len(found) > 2:
        checks += f'<div class="check">… and {len(found) - 2} more checks (summary.txt, report.html)</div>'
    title = html.escape(f"siteplan · {h.scenario}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — map</title>
<script>
window.addEventListener("error", function (e) {{
  var box = document.getElementById("js-errors");
  var msg = (e && e.message ? e.message : String(e)) + (e && e.lineno ? " (line " + e.lineno + ")" : "");
  if (box) {{ box.textContent += msg + "\\n"; }} else {{ window.__siteplanErrors = (window.__siteplanErrors || []).concat([msg]); }}
}});
</script>
<style>
{_asset("mapview.css")}
</style>
</head>
<body data-ready="0">
<pre id="js-errors"></pre>
<header><h1>{title}</h1><div class="sub">{html.escape(sub)}</div>{checks}</header>
<main>
<div id="mapwrap">
<svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="map of the plan"></svg>
<div class="controls"><button id="zoom-in" title="zoom in">+</button><button id="zoom-out" title="zoom out">−</button>
<button id="zoom-reset" title="fit the plan">⤢</button></div>
<div id="scalebar"><div class="bar"></div><span class="txt"></span></div>
<div id="attribution">Base map: U.S. Census Bureau TIGER/Line state boundaries</div>
<div id="tooltip"></div>
</div>
<aside>
<h2>Layers</h2>
<div class="layers" id="layer-list"></div>
<h2>Details</h2>
<div id="details"><span class="hint">Click a chosen site, substation or demand region.</span></div>
{_legend_html(data["legend"])}
</aside>
</main>
<script type="application/json" id="plan-data">{payload}</script>
<script>
{_asset("mapview.js")}
</script>
</body>
</html>
"""


def write_html_map(plan, path: str | Path) -> Path:
    """Write the self-contained interactive map to ``path`` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html_map(plan), encoding="utf-8")
    return path
