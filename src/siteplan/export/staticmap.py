"""Static map of a Plan (PNG, SVG or PDF) with matplotlib, on the bundled state boundaries.

Layers, bottom to top: states, fiber backbone (faint), substations shaded by remaining headroom,
demand assignment lines, interconnect lines coloured by voltage, demand regions sized by demand,
candidate sites (muted), chosen sites sized by IT MW and coloured by cooling design. Only chosen
sites and the largest demand regions are labelled, and a label that would overlap another is
dropped. Lon/lat are drawn equirectangular with the aspect of the map's mid latitude.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib import patheffects

from siteplan.export import style
from siteplan.export.headline import headline

FIG_SIZE_IN = (12.0, 8.5)
DPI = 150
PNG_SIZE_PX = (int(FIG_SIZE_IN[0] * DPI), int(FIG_SIZE_IN[1] * DPI))
DESIGN_LEGEND_TITLE = "Cooling design (chosen sites)"
MAX_SITE_PT2 = 900.0
MAX_DEMAND_PT2 = 700.0
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def _used_fiber(plan):
    """The fiber links served demand is routed over (none for a plan without that column)."""
    fib = plan.fiber
    if not len(fib) or "used" not in fib:
        return fib.iloc[:0]
    return fib[fib["used"].astype(bool)]


def _lines(gdf):
    """Line coordinates of a GeoDataFrame of (Multi)LineStrings as a list of Nx2 arrays."""
    out = []
    for geom in gdf.geometry:
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            out.append(np.asarray(part.coords)[:, :2])
    return out


def _demand_total(plan) -> np.ndarray:
    cols = [c for c in plan.demand.columns if c.endswith("_demand_h100e")]
    return plan.demand[cols].sum(axis=1).to_numpy(float) if cols else np.zeros(len(plan.demand))


def _site_area(mw, mw_max):
    return np.maximum(25.0, MAX_SITE_PT2 * np.asarray(mw, float) / max(mw_max, 1e-9))


HEADROOM_VALUE_TOL = 1e-3  # USD/yr per MW: below this a headroom does not bind (siteplan.duals)


def render_map(plan, title: str | None = None) -> Figure:
    """Draw the plan map and return the (pyplot-free) matplotlib Figure."""
    fig = Figure(figsize=FIG_SIZE_IN, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.015, 0.045, 0.70, 0.84))
    lax = fig.add_axes((0.735, 0.045, 0.255, 0.84))
    lax.set_axis_off()
    x0, y0, x1, y1 = style.plan_extent(plan)
    lat0 = (y0 + y1) / 2
    aspect = 1.0 / math.cos(math.radians(lat0))
    # widen the window in x or y so that it fills the axes box at the right aspect
    box_w, box_h = 0.70 * FIG_SIZE_IN[0], 0.84 * FIG_SIZE_IN[1]
    w, h = x1 - x0, y1 - y0
    if h * aspect / w > box_h / box_w:
        w = h * aspect * box_w / box_h
    else:
        h = w * box_h / box_w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    ax.set_facecolor("#fbfbf9")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_edgecolor("#999999")

    # states
    states = style.load_basemap((x0 - 5, y0 - 5, x1 + 5, y1 + 5))
    if len(states):
        states.plot(ax=ax, facecolor=style.STATE_FILL, edgecolor=style.STATE_EDGE, linewidth=0.8, zorder=0)
        for _, st in states.iterrows():
            pt = st.geometry.representative_point()
            if x0 < pt.x < x1 and y0 < pt.y < y1:
                ax.text(pt.x, pt.y, st["code"], fontsize=16, color="#d9d3c5", ha="center", va="center",
                        fontweight="bold", zorder=0.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    # fiber
    if len(plan.fiber):
        ax.add_collection(LineCollection(_lines(plan.fiber), colors=style.FIBER_COLOR, linewidths=0.6,
                                         alpha=0.25 if len(plan.fiber) > 40 else 0.4, zorder=1))
    used = _used_fiber(plan)
    if len(used):  # the fiber paths served demand is routed over, wider for more compute
        carried = used["served_h100e"].to_numpy(float)
        widths = [1.2 + 3.0 * c / max(carried.max(), 1e-9)
                  for c, g in zip(carried, used.geometry) for _ in getattr(g, "geoms", [g])]
        ax.add_collection(LineCollection(_lines(used), colors=style.FIBER_COLOR, linewidths=widths, alpha=0.75,
                                         zorder=1.5, capstyle="round"))
    # substations by remaining headroom
    subs = plan.substations
    rem = subs["remaining_headroom_mw"].to_numpy(float) if len(subs) else np.zeros(0)
    vmax = float(np.nanpercentile(rem, 95)) if len(rem) else 1.0
    norm = PowerNorm(0.5, 0.0, max(vmax, 1.0))
    cmap = colormaps[style.HEADROOM_CMAP]
    if len(subs):
        conn = subs["connected_mw"].to_numpy(float) > 0
        sx, sy = subs.geometry.x.to_numpy(), subs.geometry.y.to_numpy()
        small = len(subs) > 60  # many substations: small marks so they stay a backdrop
        ax.scatter(sx[~conn], sy[~conn], s=10 if small else 26, marker="s", c=rem[~conn], cmap=cmap, norm=norm,
                   edgecolors="none" if small else "#555555", linewidths=0.4, alpha=0.6 if small else 0.9, zorder=2)
        ax.scatter(sx[conn], sy[conn], s=60, marker="s", c=rem[conn], cmap=cmap, norm=norm,
                   edgecolors="black", linewidths=1.0, zorder=5.5)
        # substations whose headroom has a value (duals of the fixed-integer LP): a ring sized by it
        val = style.headroom_values(plan)
        worth = np.isfinite(val) & (val > HEADROOM_VALUE_TOL)
        if worth.any():
            ax.scatter(sx[worth], sy[worth], s=120 + 480 * val[worth] / val[worth].max(), marker="o",
                       facecolors="none", edgecolors=style.VALUE_COLOR, linewidths=2.0, zorder=5.6)
    # demand assignments
    asg = plan.assignments
    if len(asg):
        served = asg["served_h100e"].to_numpy(float)
        lw = 0.5 + 2.5 * served / max(served.max(), 1e-9)
        ax.add_collection(LineCollection(_lines(asg), colors=style.DEMAND_COLOR, linewidths=lw, alpha=0.4,
                                         linestyles=(0, (4, 2)), zorder=3))
    # interconnects by voltage
    ic = plan.interconnects
    if len(ic):
        ax.add_collection(LineCollection(_lines(ic), colors=[style.voltage_color(v) for v in ic["voltage_kv"]],
                                         linewidths=3.0, zorder=5, capstyle="round"))
    # demand regions
    dem_tot = _demand_total(plan)
    if len(plan.demand):
        ds_ = MAX_DEMAND_PT2 * dem_tot / max(dem_tot.max(), 1e-9)
        ax.scatter(plan.demand.geometry.x, plan.demand.geometry.y, s=np.maximum(ds_, 12), facecolors="none",
                   edgecolors=style.DEMAND_COLOR, linewidths=1.4, zorder=6)
    # sites
    sites = plan.sites
    is_open = sites["open"].to_numpy(bool)
    ax.scatter(sites.geometry.x[~is_open], sites.geometry.y[~is_open], s=16, facecolors="white",
               edgecolors=style.CANDIDATE_COLOR, linewidths=0.8, zorder=6)
    chosen = sites[is_open].sort_values("it_mw", ascending=False)
    designs = sorted(set(chosen["design"].astype(str)))
    colors = style.design_colors(designs)
    mw_max = float(chosen["it_mw"].max()) if len(chosen) else 1.0
    if len(chosen):
        ax.scatter(chosen.geometry.x, chosen.geometry.y, s=_site_area(chosen["it_mw"], mw_max),
                   c=[colors[d] for d in chosen["design"].astype(str)], edgecolors="black", linewidths=1.0,
                   alpha=0.85, zorder=7)

    _labels(fig, ax, plan, chosen, dem_tot)
    _scale_bar(ax, lat0)
    _legends(fig, lax, designs, colors, chosen, mw_max, ic, norm, cmap, bool(len(plan.fiber)),
             bool(len(plan.assignments)), bool(len(used)), style.headroom_values(plan))

    h = headline(plan)
    fig.text(0.015, 0.965, title or f"siteplan · {h.scenario}", fontsize=17, fontweight="bold", va="top")
    fig.text(0.015, 0.925,
             f"{style.fmt_usd(h.annual_cost_usd)}/yr  ·  {h.open_sites} of {h.candidate_sites} sites  ·  "
             f"{h.it_mw:,.0f} MW IT  ·  {h.gpus:,.0f} GPUs  ·  unmet {h.unmet_h100e:,.0f} H100e  ·  "
             f"{h.termination}, gap {h.gap:.2%}", fontsize=11.5, color="#333333", va="top")
    fig.text(0.015, 0.012, "Base map: U.S. Census Bureau TIGER/Line state boundaries (simplified). "
             f"Equirectangular lon/lat, scaled at {lat0:.1f}°N.", fontsize=7.5, color="#777777")
    return fig


def _labels(fig, ax, plan, chosen, dem_tot) -> None:
    """Label chosen sites (by IT MW) then the largest demand regions; drop any label that collides."""
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    placed = []
    offsets = ((7, 7, "left", "bottom"), (7, -7, "left", "top"), (-7, 7, "right", "bottom"),
               (-7, -7, "right", "top"))

    def place(x, y, text, pad_pt, **kw):
        for dx, dy, ha, va in offsets:
            s = math.copysign(pad_pt, dx), math.copysign(pad_pt, dy)
            t = ax.annotate(text, (x, y), xytext=(dx + s[0], dy + s[1]), textcoords="offset points", ha=ha, va=va,
                            path_effects=HALO, zorder=9, **kw)
            bb = t.get_window_extent(renderer).expanded(1.05, 1.15)
            inside = axbox.contains(bb.x0, bb.y0) and axbox.contains(bb.x1, bb.y1)
            if inside and not any(bb.overlaps(p) for p in placed):
                placed.append(bb)
                return True
            t.remove()
        return False

    for _, row in chosen.iterrows():
        r_pt = math.sqrt(float(_site_area(row["it_mw"], float(chosen["it_mw"].max())))) / 2
        place(row.geometry.x, row.geometry.y, f"{style.short_name(row['name'], row['site_id'])}\n"
              f"{row['it_mw']:,.0f} MW {row['design']}", r_pt * 0.5, fontsize=8.5, fontweight="bold",
              color="#111111", linespacing=1.1)
    order = np.argsort(-dem_tot)
    for i in order[:12]:
        row = plan.demand.iloc[i]
        if dem_tot[i] <= 0:
            continue
        place(row.geometry.x, row.geometry.y, style.short_name(row.get("name", ""), row["region_id"]), 2,
              fontsize=7.5, fontstyle="italic", color=style.DEMAND_COLOR)


def _scale_bar(ax, lat0: float) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = style.KM_PER_DEG * math.cos(math.radians(lat0))
    width_km = (x1 - x0) * km_per_deg
    length_km = style.nice_number(width_km / 5)
    bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    dx = length_km / km_per_deg
    tick = 0.008 * (y1 - y0)
    ax.plot([bx, bx + dx], [by, by], color="black", lw=2.2, zorder=10, solid_capstyle="butt")
    ax.plot([bx, bx + dx / 2], [by, by], color="white", lw=1.0, zorder=10.5, solid_capstyle="butt")
    for xx in (bx, bx + dx / 2, bx + dx):
        ax.plot([xx, xx], [by - tick, by + tick], color="black", lw=1.0, zorder=10)
    ax.text(bx + dx / 2, by + 2 * tick, f"{length_km:g} km", ha="center", va="bottom", fontsize=8.5,
            zorder=10, path_effects=HALO)


def _legends(fig, lax, designs, colors, chosen, mw_max, ic, norm, cmap, has_fiber, has_assign,
             has_used_fiber=False, headroom_values=None) -> None:
    """Stack the legends top-down in the right-hand column."""
    renderer = fig.canvas.get_renderer()
    top = 1.0
    kw = dict(loc="upper left", frameon=False, fontsize=9, title_fontsize=10, alignment="left",
              borderaxespad=0.0, handletextpad=0.6, labelspacing=0.55)

    def add(handles, labels, title, **extra):
        nonlocal top
        leg = lax.legend(handles, labels, title=title, bbox_to_anchor=(0.0, top), **{**kw, **extra})
        leg.get_title().set_fontweight("bold")
        lax.add_artist(leg)
        bb = leg.get_window_extent(renderer).transformed(lax.transAxes.inverted())
        top = bb.y0 - 0.035
        return leg

    if designs:
        add([Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=colors[d], markeredgecolor="black")
             for d in designs], designs, DESIGN_LEGEND_TITLE)
    else:
        add([Line2D([], [], ls="")], ["(no site opened)"], DESIGN_LEGEND_TITLE)
    if len(chosen):
        vals = sorted({style.nice_number(mw_max * f) for f in (1.0, 0.35, 0.1) if mw_max * f > 0}, reverse=True)
        add([Line2D([], [], marker="o", ls="", markersize=math.sqrt(float(_site_area(v, mw_max))),
                    markerfacecolor="#dddddd", markeredgecolor="black") for v in vals],
            [f"{v:,.0f} MW" for v in vals], "IT capacity", labelspacing=1.3, borderpad=0.6, handlelength=3.2,
            handletextpad=1.0)
    kvs = sorted({float(v) for v in ic["voltage_kv"]}) if len(ic) else []
    if kvs:
        add([Line2D([], [], color=style.voltage_color(v), lw=3) for v in kvs], [f"{v:g} kV" for v in kvs],
            "Interconnect (site → substation)")
    other_h = [Line2D([], [], marker="o", ls="", markersize=6, markerfacecolor="white",
                      markeredgecolor=style.CANDIDATE_COLOR),
               Line2D([], [], marker="o", ls="", markersize=11, markerfacecolor="none",
                      markeredgecolor=style.DEMAND_COLOR, markeredgewidth=1.4)]
    other_l = ["candidate site (not chosen)", "demand region (size = H100e)"]
    if has_assign:
        other_h.append(Line2D([], [], color=style.DEMAND_COLOR, lw=1.8, ls=(0, (4, 2)), alpha=0.6))
        other_l.append("demand served by site")
    if has_fiber:
        other_h.append(Line2D([], [], color=style.FIBER_COLOR, lw=1.2, alpha=0.5))
        other_l.append("fiber backbone")
    if has_used_fiber:
        other_h.append(Line2D([], [], color=style.FIBER_COLOR, lw=3.0, alpha=0.75))
        other_l.append("fiber path of served demand")
    other_h += [Line2D([], [], marker="s", ls="", markersize=4, markerfacecolor="#bbbbbb", markeredgecolor="none"),
                Line2D([], [], marker="s", ls="", markersize=8, markerfacecolor="#bbbbbb", markeredgecolor="black")]
    other_l += ["substation", "substation with new load"]
    val = headroom_values if headroom_values is not None else np.zeros(0)
    if (np.isfinite(val) & (val > HEADROOM_VALUE_TOL)).any():
        top_v = float(np.nanmax(val))
        other_h.append(Line2D([], [], marker="o", ls="", markersize=12, markerfacecolor="none",
                              markeredgecolor=style.VALUE_COLOR, markeredgewidth=2.0))
        other_l.append(f"headroom worth up to ${top_v / 1e3:,.0f}k/MW-yr")
    add(other_h, other_l, "Layers")
    # remaining-headroom colour bar
    cax = lax.inset_axes((0.02, max(top - 0.06, 0.0), 0.8, 0.025))
    cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal", extend="max")
    cb.ax.tick_params(labelsize=8)
    cax.set_title("Substation remaining headroom (MW)", fontsize=9.5, fontweight="bold", loc="left")


def save_map(plan, out_dir: str | Path, formats=("png",), stem: str = "map") -> dict[str, Path]:
    """Write ``<stem>.<fmt>`` for each of ``formats`` (png, svg, pdf); return {fmt: path}."""
    from matplotlib import rc_context

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = render_map(plan)
    paths = {}
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"map format must be png, svg or pdf, not {fmt!r}")
        path = out / f"{stem}.{fmt}"
        meta = {"png": {"Software": "siteplan"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
        with rc_context({"svg.hashsalt": "siteplan", "svg.fonttype": "none"}):
            fig.savefig(path, format=fmt, dpi=DPI, metadata=meta)
        paths[fmt] = path
    return paths
