"""Layers of the static map (:mod:`siteplan.export.staticmap`), bottom to top: the map window and
frame, states and fiber, idle substations, demand lines and regions, candidate and chosen sites,
interconnects and the substations with new load, and the scale bar."""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import PowerNorm

from siteplan.export import style
from siteplan.export.staticmapbase import (GID_CANDIDATES, GID_CHOSEN, GID_DEMAND, GID_SUBS_USED, HALO,
                                           HEADROOM_VALUE_TOL, MAX_DEMAND_PT2, MIN_SITE_PT2, POWER_MARKERS,
                                           SPOKE_PT, _site_area)


def _used_fiber(plan):
    """The fiber links served demand is routed over (none for a plan without that column)."""
    fib = plan.fiber
    if not len(fib) or "used" not in fib:
        return fib.iloc[:0]
    return fib[fib["used"].astype(bool)]


def _lines(gdf_or_geoms):
    """Line coordinates of (Multi)LineStrings as a list of Nx2 arrays."""
    geoms = gdf_or_geoms.geometry if hasattr(gdf_or_geoms, "geometry") else gdf_or_geoms
    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "LineString" and len(part.coords) > 1:
                out.append(np.asarray(part.coords)[:, :2])
    return out


def _demand_total(plan) -> np.ndarray:
    cols = [c for c in plan.demand.columns if c.endswith("_demand_h100e")]
    return plan.demand[cols].sum(axis=1).to_numpy(float) if cols else np.zeros(len(plan.demand))



def map_frame(fig, plan, size_in):
    """The map axes and the legend column of ``fig``; the map window is the plan's extent widened in x
    or y to fill the axes box at the aspect of its mid latitude. Returns ``(ax, lax, window, lat0)``
    with ``window`` = (x0, y0, x1, y1)."""
    ax = fig.add_axes((0.015, 0.045, 0.70, 0.84))
    lax = fig.add_axes((0.735, 0.045, 0.255, 0.84))
    lax.set_axis_off()
    x0, y0, x1, y1 = style.plan_extent(plan)
    lat0 = (y0 + y1) / 2
    aspect = 1.0 / math.cos(math.radians(lat0))
    # widen the window in x or y so that it fills the axes box at the right aspect
    box_w, box_h = 0.70 * size_in[0], 0.84 * size_in[1]
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
    return ax, lax, (x0, y0, x1, y1), lat0


def draw_basemap(ax, plan, window):
    """States with their codes, the fiber backbone inside the study's states (faint) and the fiber
    paths served demand uses (wide). Returns ``(backbone, used)``."""
    x0, y0, x1, y1 = window
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
    # fiber: the backbone inside the study's states, faint; the paths served demand uses, wide
    region = style.region_shape(plan, (x0 - 5, y0 - 5, x1 + 5, y1 + 5))
    backbone = list(plan.fiber.geometry) if len(plan.fiber) else []
    if region is not None:
        backbone = [g.intersection(region) for g in backbone if g is not None and g.intersects(region)]
    if backbone:
        ax.add_collection(LineCollection(_lines(backbone), colors=style.FIBER_COLOR, linewidths=0.6,
                                         alpha=0.25 if len(backbone) > 40 else 0.4, zorder=1))
    used = _used_fiber(plan)
    if len(used):  # the fiber paths served demand is routed over, wider for more compute
        carried = used["served_h100e"].to_numpy(float)
        widths = [1.2 + 3.0 * c / max(carried.max(), 1e-9)
                  for c, g in zip(carried, used.geometry) for _ in getattr(g, "geoms", [g])]
        ax.add_collection(LineCollection(_lines(used), colors=style.FIBER_COLOR, linewidths=widths, alpha=0.75,
                                         zorder=1.5, capstyle="round"))
    return backbone, used


def draw_idle_substations(ax, subs):
    """The substations the plan does not use, as a light backdrop. Returns ``(conn, rem, norm, cmap, sx,
    sy)``: which have new load, their remaining headroom, its colour scale and their coordinates."""
    conn = subs["connected_mw"].to_numpy(float) > 0 if len(subs) else np.zeros(0, bool)
    rem = subs["remaining_headroom_mw"].to_numpy(float) if len(subs) else np.zeros(0)
    vmax = float(np.nanmax(rem[conn])) if conn.any() else 1.0
    norm = PowerNorm(0.5, 0.0, max(vmax, 1.0))
    cmap = colormaps[style.HEADROOM_CMAP]
    sx, sy = (subs.geometry.x.to_numpy(), subs.geometry.y.to_numpy()) if len(subs) else (np.zeros(0), np.zeros(0))
    if (~conn).any():
        ax.scatter(sx[~conn], sy[~conn], s=5, marker="s", color=style.SUBSTATION_IDLE, edgecolors="none",
                   alpha=0.35, zorder=2)
    return conn, rem, norm, cmap, sx, sy


def draw_demand(ax, plan) -> np.ndarray:
    """Demand assignment lines and demand regions sized by demand; returns each region's total demand."""
    asg = plan.assignments
    if len(asg):
        served = asg["served_h100e"].to_numpy(float)
        lw = 0.5 + 2.5 * served / max(served.max(), 1e-9)
        ax.add_collection(LineCollection(_lines(asg), colors=style.DEMAND_COLOR, linewidths=lw, alpha=0.4,
                                         linestyles=(0, (4, 2)), zorder=3))
    # demand regions
    dem_tot = _demand_total(plan)
    if len(plan.demand):
        ds_ = np.maximum(MAX_DEMAND_PT2 * dem_tot / max(dem_tot.max(), 1e-9), 12)
        ax.scatter(plan.demand.geometry.x, plan.demand.geometry.y, s=ds_, facecolors="none",
                   edgecolors=style.DEMAND_COLOR, linewidths=1.4, zorder=6, gid=GID_DEMAND)
    return dem_tot


def draw_sites(ax, sites):
    """Candidate sites (muted) and chosen sites sized by IT MW, coloured by design, shaped by power
    supply. Returns ``(chosen, names, designs, colors, mw_max, kinds)``."""
    is_open = sites["open"].to_numpy(bool)
    if (~is_open).any():
        ax.scatter(sites.geometry.x[~is_open], sites.geometry.y[~is_open], s=16, facecolors="white",
                   edgecolors=style.CANDIDATE_COLOR, linewidths=0.8, zorder=6, gid=GID_CANDIDATES)
    names = dict(zip(sites["site_id"], style.site_names(sites)))
    chosen = sites[is_open].sort_values("it_mw", ascending=False)
    designs = sorted(set(chosen["design"].astype(str)))
    colors = style.design_colors(designs)
    mw_max = float(chosen["it_mw"].max()) if len(chosen) else 1.0
    kinds = [style.power_kind(r) for _, r in chosen.iterrows()]
    for kind, (marker, edge, lw_) in POWER_MARKERS.items():
        sel = np.array([k == kind for k in kinds], dtype=bool)
        if not sel.any():
            continue
        part = chosen[sel]
        ax.scatter(part.geometry.x, part.geometry.y, s=_site_area(part["it_mw"], mw_max), marker=marker,
                   c=[colors[d] for d in part["design"].astype(str)], edgecolors=edge, linewidths=lw_,
                   alpha=0.85, zorder=7, gid=GID_CHOSEN)
    return chosen, names, designs, colors, mw_max, kinds


def draw_interconnects(fig, ax, ic, chosen, mw_max) -> dict:
    """Interconnects by voltage, over the sites; returns where each substation's line ends (its id ->
    (x, y)), where its square is drawn."""
    # most are shorter than a site marker is wide, so one ending inside its site's marker is drawn out
    # to just beyond the marker's edge, toward its substation, and the substation square is drawn at
    # that end (schematic, said in the legend)
    ax.apply_aspect()
    drawn_at = {}
    if len(ic):
        k = fig.dpi / 72.0
        area = dict(zip(chosen["site_id"], _site_area(chosen["it_mw"], mw_max)))
        segs = []
        for _, c in ic.iterrows():
            (ax0, ay0), (bx1, by1) = c.geometry.coords[0][:2], c.geometry.coords[-1][:2]
            p0, p1 = ax.transData.transform([(ax0, ay0), (bx1, by1)])
            need = (math.sqrt(float(area.get(c["site_id"], MIN_SITE_PT2))) / 2 + 2.0 + SPOKE_PT) * k
            v = p1 - p0
            length = float(np.hypot(*v))
            if length < need:
                u = v / length if length > 1e-9 else np.array([math.sqrt(0.5), math.sqrt(0.5)])
                bx1, by1 = ax.transData.inverted().transform(p0 + u * need)
            segs.append(np.array([(ax0, ay0), (bx1, by1)]))
            drawn_at.setdefault(str(c["substation_id"]), (bx1, by1))
        ax.add_collection(LineCollection(segs, colors="white", linewidths=4.6, zorder=7.2, capstyle="round"))
        ax.add_collection(LineCollection(segs, colors=[style.voltage_color(v) for v in ic["voltage_kv"]],
                                         linewidths=2.6, zorder=7.3, capstyle="round"))
    return drawn_at


def draw_used_substations(ax, plan, subs, conn, rem, norm, cmap, sx, sy, drawn_at) -> None:
    """The substations with new load, shaded by remaining headroom and drawn at their interconnect's
    end, with a ring sized by the value of their headroom where it has one."""
    if conn.any():
        ids = subs["substation_id"].astype(str).to_numpy()
        dx_ = np.array([drawn_at.get(b, (x, y))[0] for b, x, y in zip(ids, sx, sy)])
        dy_ = np.array([drawn_at.get(b, (x, y))[1] for b, x, y in zip(ids, sx, sy)])
        ax.scatter(dx_[conn], dy_[conn], s=42, marker="s", c=rem[conn], cmap=cmap, norm=norm,
                   edgecolors="black", linewidths=1.0, zorder=7.5, gid=GID_SUBS_USED)
        # substations whose headroom has a value (duals of the fixed-integer LP): a ring sized by it
        val = style.headroom_values(plan)
        worth = np.isfinite(val) & (val > HEADROOM_VALUE_TOL)
        if worth.any():
            ax.scatter(dx_[worth], dy_[worth], s=120 + 480 * val[worth] / val[worth].max(), marker="o",
                       facecolors="none", edgecolors=style.VALUE_COLOR, linewidths=2.0, zorder=5.6,
                       gid=GID_SUBS_USED)


def _scale_bar(ax, lat0: float):
    """Draw a scale bar in the lower left; return its pixel box (labels keep off it)."""
    from matplotlib.transforms import Bbox

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
    t = ax.text(bx + dx / 2, by + 2 * tick, f"{length_km:g} km", ha="center", va="bottom", fontsize=8.5,
                zorder=10, path_effects=HALO)
    fig = ax.figure
    tb = t.get_window_extent(fig.canvas.get_renderer())
    (px0, py0), (px1, _) = ax.transData.transform([(bx, by - tick), (bx + dx, by)])
    return Bbox.union([tb, Bbox([[px0 - 4, py0 - 4], [px1 + 4, tb.y1]])])
