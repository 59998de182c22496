"""Static map of a Plan (PNG, SVG or PDF) with matplotlib, on the bundled state boundaries.

Layers, bottom to top: states, fiber backbone (faint, clipped to the study's states) and the fiber
paths served demand uses, substations the plan does not use (light grey), demand assignment lines,
demand regions sized by demand, candidate sites (muted), chosen sites sized by IT MW, coloured by
cooling design and shaped by how they are powered (circle: grid; circle with a red ring: grid and
on-site plant; red-edged diamond: off-grid), then the interconnect lines coloured by voltage and the
substations with new load (shaded by remaining headroom) on top, so that a short interconnect
stays visible over its site. Every chosen site is labelled with its name, IT MW and power supply;
labels are placed so that no label covers a marker or another label (:func:`place_labels`), and a
label moved away from its marker gets a leader line. Demand regions are labelled while there is
room. Lon/lat are drawn equirectangular with the aspect of the map's mid latitude.
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
POWER_LEGEND_TITLE = "Power supply (chosen sites)"
PLANT_LEGEND_TITLE = "On-site plant (in the labels)"
MAX_SITE_PT2 = 900.0
MIN_SITE_PT2 = 45.0  # a tiny site stays visible
MAX_DEMAND_PT2 = 700.0
SPOKE_PT = 7.0  # an interconnect reaches at least this far beyond its site's marker on the map
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]
# gids of the artists a reader (and the tests) can find on the figure
GID_SITE_LABEL, GID_DEMAND_LABEL, GID_LEADER = "label-site", "label-demand", "leader"
GID_CHOSEN, GID_CANDIDATES, GID_DEMAND, GID_SUBS_USED = "sites-chosen", "sites-candidate", "demand", "substations-used"
MARKER_GIDS = (GID_CHOSEN, GID_CANDIDATES, GID_DEMAND, GID_SUBS_USED)
POWER_MARKERS = {"grid": ("o", "black", 1.0), "grid + on-site": ("o", style.ONSITE_COLOR, 2.6),
                 "off-grid": ("D", style.ONSITE_COLOR, 2.6)}
# a diamond's corners reach sqrt(2)/2 of its size from the centre, a circle's edge 1/2
_MARKER_HALF = {"o": 0.5, "s": 0.5, "D": math.sqrt(0.5)}


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


SIZE_REF_MW = 200.0  # marker area is proportional to IT MW up to the larger of this and the largest site


def _site_area(mw, mw_max):
    """Marker area (pt²) of a site of ``mw`` on a map whose largest site has ``mw_max``: small sites
    stay small next to a scale of at least :data:`SIZE_REF_MW`, and never below ``MIN_SITE_PT2``."""
    return np.maximum(MIN_SITE_PT2, MAX_SITE_PT2 * np.asarray(mw, float) / max(mw_max, SIZE_REF_MW))


HEADROOM_VALUE_TOL = 1e-3  # USD/yr per MW: below this a headroom does not bind (siteplan.duals)


def _plain(text: str) -> str:
    """Text drawn as written: a '$' does not start matplotlib's math mode."""
    return str(text).replace("$", r"\$")


def site_label_text(row, name: str) -> str:
    """Two lines for a chosen site: its name and IT MW; how it is powered, with the type and units of
    its on-site plant and its batteries (:func:`siteplan.export.style.power_short`: 'Tyler, TX · 356
    MW IT' / 'grid + 13 gas engines, 220 MW firm'; the grid's share of energy is in map.html)."""
    from siteplan.summary import fmt_mw

    return _plain(f"{name} · {fmt_mw(row['it_mw'])} MW IT\n{style.power_short(row, with_share=False)}")


def render_map(plan, title: str | None = None, size_in: tuple[float, float] = FIG_SIZE_IN) -> Figure:
    """Draw the plan map and return the (pyplot-free) matplotlib Figure.

    Parameters
    ----------
    plan : siteplan.Plan
    title : str, optional
        Replaces the default title ``siteplan · <scenario>``.
    size_in : (float, float)
        Figure size in inches (labels are placed for this size).

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas; labels, leader lines and markers carry gids (``GID_*``).
    """
    from siteplan.summary import plan_checks

    fig = Figure(figsize=size_in, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
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
    # substations: the ones the plan does not use as a light backdrop
    subs = plan.substations
    conn = subs["connected_mw"].to_numpy(float) > 0 if len(subs) else np.zeros(0, bool)
    rem = subs["remaining_headroom_mw"].to_numpy(float) if len(subs) else np.zeros(0)
    vmax = float(np.nanmax(rem[conn])) if conn.any() else 1.0
    norm = PowerNorm(0.5, 0.0, max(vmax, 1.0))
    cmap = colormaps[style.HEADROOM_CMAP]
    sx, sy = (subs.geometry.x.to_numpy(), subs.geometry.y.to_numpy()) if len(subs) else (np.zeros(0), np.zeros(0))
    if (~conn).any():
        ax.scatter(sx[~conn], sy[~conn], s=5, marker="s", color=style.SUBSTATION_IDLE, edgecolors="none",
                   alpha=0.35, zorder=2)
    # demand assignments
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
    # sites
    sites = plan.sites
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
    # interconnects by voltage, over the sites; most are shorter than a site marker is wide, so one
    # ending inside its site's marker is drawn out to just beyond the marker's edge, toward its
    # substation, and the substation square is drawn at that end (schematic, said in the legend)
    ic = plan.interconnects
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

    sb = _scale_bar(ax, lat0)
    # tiny sites first (the CHECK line names them; their label must not be the one left out), then by size
    from siteplan.summary import tiny_threshold_mw

    tiny_mw = tiny_threshold_mw(plan.sites)  # the rule of the CHECK line (summary.tiny_site_checks)
    by_need = sorted(chosen.iterrows(), key=lambda ir: (float(ir[1]["it_mw"]) >= tiny_mw, -float(ir[1]["it_mw"])))
    site_labels = [(r.geometry.x, r.geometry.y, site_label_text(r, names[r["site_id"]])) for _, r in by_need]
    order = [i for i in np.argsort(-dem_tot)[:12] if dem_tot[i] > 0]
    dem_labels = [(plan.demand.geometry.x.iloc[i], plan.demand.geometry.y.iloc[i],
                   _plain(style.short_name(plan.demand.iloc[i].get("name", ""), plan.demand.iloc[i]["region_id"])))
                  for i in order]
    place_labels(fig, ax, site_labels, dem_labels, avoid=[sb])
    _legends(fig, lax, designs, colors, chosen, mw_max, ic, norm, cmap, bool(backbone),
             bool(len(plan.assignments)), bool(len(used)), style.headroom_values(plan), set(kinds),
             bool((~conn).any()), bool(conn.any()))

    h = headline(plan)
    fig.text(0.015, 0.965, _plain(title or f"siteplan · {h.scenario}"), fontsize=17, fontweight="bold", va="top")
    per_hour = (f"${h.cost_usd_per_h100e_hour:,.3f} per H100e-hour  ·  "
                if np.isfinite(h.cost_usd_per_h100e_hour) else "")
    fig.text(0.015, 0.925, _plain(
             f"{style.fmt_usd(h.annual_cost_usd)}/yr  ·  {per_hour}{h.open_sites} of {h.candidate_sites} sites  ·  "
             f"{h.it_mw:,.0f} MW IT  ·  {h.served_h100e:,.0f} of {h.demand_h100e:,.0f} H100e served  ·  "
             f"{h.termination}, gap {h.gap:.2%}" if np.isfinite(h.gap) else f"{h.termination}, no gap known"),
             fontsize=11, color="#333333", va="top")
    checks = plan_checks(plan)
    if checks:
        fig.text(0.015, 0.895, _plain("CHECK: " + checks[0].split(";")[0] + (f" (+{len(checks) - 1} more)" if len(checks) > 1
                                                                       else "")),
                 fontsize=10, color=style.ONSITE_COLOR, fontweight="bold", va="top")
    fig.text(0.015, 0.012, "Base map: U.S. Census Bureau TIGER/Line state boundaries (simplified). "
             f"Equirectangular lon/lat, scaled at {lat0:.1f}°N.", fontsize=7.5, color="#777777")
    return fig


def _marker_boxes(fig, ax) -> list[tuple[np.ndarray, bool]]:
    """Pixel boxes (x0, y0, x1, y1 per row) of the markers drawn so far, with whether labels must
    keep off them (chosen sites, demand regions, substations with new load) or should (candidate
    sites)."""
    out = []
    k = fig.dpi / 72.0
    for coll in ax.collections:
        gid = coll.get_gid()
        if gid not in MARKER_GIDS:
            continue
        xy = ax.transData.transform(np.asarray(coll.get_offsets(), float))
        sizes = np.broadcast_to(np.asarray(coll.get_sizes(), float), (len(xy),)) if len(coll.get_sizes()) else \
            np.zeros(len(xy))
        lws = np.broadcast_to(np.asarray(coll.get_linewidths(), float), (len(xy),)) if len(coll.get_linewidths()) \
            else np.zeros(len(xy))
        path = coll.get_paths()[0] if coll.get_paths() else None
        half_unit = float(np.abs(path.vertices).max()) if path is not None else 0.5
        half = (np.sqrt(sizes) * half_unit + lws / 2) * k + 1.0
        out.append((np.column_stack([xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half]),
                    gid != GID_CANDIDATES))
    return out


def _overlaps(box, boxes: np.ndarray) -> np.ndarray:
    if not len(boxes):
        return np.zeros(0, bool)
    return (box[0] < boxes[:, 2]) & (box[2] > boxes[:, 0]) & (box[1] < boxes[:, 3]) & (box[3] > boxes[:, 1])


def _segment_hits(p, q, boxes: np.ndarray) -> np.ndarray:
    """Whether the segment p-q passes through each box (x0, y0, x1, y1 per row; Liang-Barsky)."""
    if not len(boxes):
        return np.zeros(0, bool)
    d = np.asarray(q, float) - np.asarray(p, float)
    t0, t1 = np.zeros(len(boxes)), np.ones(len(boxes))
    ok = np.ones(len(boxes), bool)
    for axis in (0, 1):
        lo, hi = boxes[:, axis] - p[axis], boxes[:, axis + 2] - p[axis]
        if abs(d[axis]) < 1e-12:
            ok &= (lo <= 0) & (hi >= 0)
            continue
        a, b = lo / d[axis], hi / d[axis]
        t0, t1 = np.maximum(t0, np.minimum(a, b)), np.minimum(t1, np.maximum(a, b))
    return ok & (t0 < t1)


# directions tried around a marker, nearest-looking first (unit vectors, y up)
_DIRS = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1),
         (1, 0.5), (1, -0.5), (-1, 0.5), (-1, -0.5), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1)]
# (dx, dy, share of the label's width left of the marker for a label straight above or below it)
_SPOTS = [(dx, dy, 0.5) for dx, dy in _DIRS] + [(0, dy, f) for dy in (1, -1) for f in (0.2, 0.8, 0.05, 0.95)]
_RINGS_PT = (2, 8, 18, 30, 45, 65, 90, 120, 160, 210)  # gap between a marker and its label, points
LEADER_FROM_PT = 10  # a label this far from its marker (or farther) gets a leader line
# ... and so does any label whose box is this far from its marker's edge (a diagonal spot on a near
# ring can leave a gap wide enough for the label to read as a neighbour's: texas, Tyler's label)
LEADER_GAP_PT = 6
CANDIDATE_COST_PT = 15  # covering a candidate site costs as much as moving the label this much farther
CROSSING_COST_PT = 400  # a leader line through a marker or a label (or a label over a leader): a last resort


def place_labels(fig, ax, sites: list, demand: list, avoid=()) -> list:
    """Place site labels (all of them) then demand labels (while there is room) on ``ax``.

    Each label is tried at growing distances in 16 directions around its point; a position is
    allowed when the label's box stays inside the axes and overlaps no chosen site, demand region or
    substation with new load drawn so far, no label already placed and no box in ``avoid``. Among
    the allowed positions the one with the least distance plus :data:`CANDIDATE_COST_PT` per
    candidate site it covers wins (a label covers a candidate site only to stay near its own). A label placed :data:`LEADER_FROM_PT` or more from its marker gets a
    grey leader line. A site label with no allowed position anywhere is placed where it covers the
    fewest markers (never on another label); a demand label without one is left out.

    Parameters
    ----------
    fig, ax : matplotlib Figure and Axes
        The map; markers must already be drawn.
    sites, demand : list of (x, y, text)
        Data coordinates and text, in priority order.
    avoid : sequence of matplotlib.transforms.Bbox
        Pixel boxes labels must keep off (the scale bar).

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels placed.
    """
    renderer = fig.canvas.get_renderer()
    axb = ax.get_window_extent(renderer)
    k = fig.dpi / 72.0
    found = _marker_boxes(fig, ax)
    hard = [b for b, must in found if must]
    soft = [b for b, must in found if not must]
    marks = np.vstack(hard) if hard else np.zeros((0, 4))
    soft = np.vstack(soft) if soft else np.zeros((0, 4))
    placed = [np.array([b.x0, b.y0, b.x1, b.y1]) for b in avoid]
    leaders = []  # pixel segments of the leader lines drawn so far
    out = []

    def leader(px, py, r, box, ring, required=True):
        """The leader from a marker of half-size ``r`` at (px, py) to a label box: from the marker's
        edge toward the nearest point of the box; None when the box is close: on a ring nearer than
        :data:`LEADER_FROM_PT` and, for a site label (``required``), within :data:`LEADER_GAP_PT` of
        the marker's edge."""
        qx, qy = min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3])
        vx, vy = qx - px, qy - py
        dist = math.hypot(vx, vy)
        if dist <= r + 2 or (ring < LEADER_FROM_PT and (not required or dist - r < LEADER_GAP_PT * k)):
            return None
        return (px + vx / dist * r, py + vy / dist * r), (qx, qy)

    def own_half(px, py):
        """Half-size of the largest marker at this point (the label's own marker)."""
        if not len(marks):
            return 4.0 * k
        at = (marks[:, 0] <= px) & (marks[:, 2] >= px) & (marks[:, 1] <= py) & (marks[:, 3] >= py)
        if not at.any():
            return 4.0 * k
        m = marks[at]
        return float(np.max(np.minimum(m[:, 2] - px, px - m[:, 0])))

    def put(x, y, text, required, **kw):
        px, py = ax.transData.transform((x, y))
        t = ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", ha="left", va="bottom",
                        path_effects=HALO, zorder=9, annotation_clip=False, **kw)
        bb = t.get_window_extent(renderer)
        w, h = bb.width + 4, bb.height + 4  # the white halo around the glyphs
        r = own_half(px, py)
        # the markers a leader from this point must keep off: all but those under the point itself
        at = (marks[:, 0] <= px) & (marks[:, 2] >= px) & (marks[:, 1] <= py) & (marks[:, 3] >= py)
        others = marks[~at]
        best = None  # (box, ring, cost) covering no chosen site, demand region or used substation
        for ring in _RINGS_PT:
            if best is not None and ring > best[2]:
                break  # nothing farther can cost less
            d = r + ring * k
            for dx, dy, slide in _SPOTS:
                ax_, ay_ = px + dx * d, py + dy * d
                bx0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w * slide
                by0 = ay_ if dy > 0 else ay_ - h if dy < 0 else ay_ - h / 2
                box = np.array([bx0, by0, bx0 + w, by0 + h])
                if box[0] < axb.x0 + 2 or box[2] > axb.x1 - 2 or box[1] < axb.y0 + 2 or box[3] > axb.y1 - 2:
                    continue
                if placed and _overlaps(box, np.vstack(placed)).any():
                    continue
                n_marks = int(_overlaps(box, marks).sum())
                if n_marks == 0:
                    cost = ring + CANDIDATE_COST_PT * int(_overlaps(box, soft).sum())
                    if leaders and any(_segment_hits(a, b, box[None, :])[0] for a, b in leaders):
                        cost += CROSSING_COST_PT
                    seg = leader(px, py, r, box, ring, required)
                    if seg is not None:  # the leader keeps off the other markers and the labels
                        cost += CROSSING_COST_PT * int(_segment_hits(*seg, others).sum() + _segment_hits(
                            *seg, np.vstack(placed) if placed else np.zeros((0, 4))).sum())
                        cost += CANDIDATE_COST_PT / 2 * int(_segment_hits(*seg, soft).sum())
                    if best is None or cost < best[2]:
                        best = (box, ring, cost)
        if best is None:
            t.remove()
            return
        box, ring = best[0], best[1]
        placed.append(box)
        ha_x, va_y = box[0] + 2, box[1] + 2  # the text's own box inside the halo margin
        t.xyann = ((ha_x - px) / k, (va_y - py) / k)
        t.set_gid(GID_SITE_LABEL if required else GID_DEMAND_LABEL)
        out.append(t)
        seg = leader(px, py, r, box, ring, required)
        if seg is not None:
            leaders.append(seg)
            (lx0, ly0), (lx1, ly1) = ax.transData.inverted().transform(np.array(seg))
            ax.add_line(Line2D([lx0, lx1], [ly0, ly1], color="#555555", lw=0.8, zorder=8.5, gid=GID_LEADER,
                               solid_capstyle="butt"))

    for x, y, text in sites:
        put(x, y, text, True, fontsize=8.5, fontweight="bold", color="#111111", linespacing=1.15)
    n_site = len(out)
    for x, y, text in demand:
        put(x, y, text, False, fontsize=7.5, fontstyle="italic", color=style.DEMAND_COLOR)
    if n_site < len(sites):  # never a label over a marker: say which sites went without one
        ax.text(0.99, 0.01, f"{len(sites) - n_site} of {len(sites)} chosen sites not labelled for lack of room "
                "(map.html and the report list every site)", transform=ax.transAxes, ha="right", va="bottom",
                fontsize=8, color=style.ONSITE_COLOR, zorder=10, path_effects=HALO, gid="unlabelled-note")
    return out


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


def plant_legend_notes(chosen) -> list[str]:
    """Legend lines saying what the site labels' short forms of on-site plant mean: each generator
    type present ('gas engine: 18.3 MW gas reciprocating engine'), 'firm' and the grid share."""
    sizes: dict[str, set] = {}
    for _, r in chosen.iterrows():
        for g, _n in style.plant_units(r):
            mw = style.plant_unit_mw(r, g)
            sizes.setdefault(g, set()).update([round(mw, 3)] if math.isfinite(mw) else [])
    if not sizes:
        return []
    notes = []
    for g in sorted(sizes):
        size = "/".join(f"{v:.4g}" for v in sorted(sizes[g]))
        notes.append(f"{style.plant_name(g, 2, short=True)}: " + (f"{size} MW " if size else "")
                     + style.plant_name(g, 2).replace(" ", "\n", 1))
    return notes + ["firm: MW with the largest unit\nout (N+1)"]


def _legends(fig, lax, designs, colors, chosen, mw_max, ic, norm, cmap, has_fiber, has_assign,
             has_used_fiber=False, headroom_values=None, power_kinds=(), has_idle_subs=True,
             has_used_subs=True) -> None:
    """Stack the legends top-down in the right-hand column, smaller when they would not fit above the
    headroom colour bar (a plan with on-site plant notes, leaders and valued headroom fills it)."""
    args = (fig, lax, designs, colors, chosen, mw_max, ic, has_fiber, has_assign, has_used_fiber,
            headroom_values, power_kinds, has_idle_subs, has_used_subs)
    need = COLORBAR_ROOM if has_used_subs else 0.0
    for scale in LEGEND_SCALES:
        legs, top = _stack_legends(*args, scale=scale)
        if top >= need or scale == LEGEND_SCALES[-1]:
            break
        for leg in legs:
            leg.remove()
    if has_used_subs:  # remaining-headroom colour bar of the substations with new load
        cax = lax.inset_axes((0.02, max(top - 0.06, 0.0), 0.8, 0.025))
        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
        cb.ax.tick_params(labelsize=8)
        cax.set_title("Headroom left at used substations (MW)", fontsize=9.5, fontweight="bold", loc="left")


LEGEND_SCALES = (1.0, 0.88, 0.77, 0.68)  # font and spacing factors tried in turn (the last one is kept)
COLORBAR_ROOM = 0.10  # axes fraction the colour bar and its title take below the legends


def _stack_legends(fig, lax, designs, colors, chosen, mw_max, ic, has_fiber, has_assign, has_used_fiber,
                   headroom_values, power_kinds, has_idle_subs, has_used_subs, scale=1.0) -> tuple[list, float]:
    """The legends of :func:`_legends` at ``scale``; returns them and the axes fraction left below."""
    renderer = fig.canvas.get_renderer()
    top = 1.0
    legs = []
    kw = dict(loc="upper left", frameon=False, fontsize=9 * scale, title_fontsize=10 * scale, alignment="left",
              borderaxespad=0.0, handletextpad=0.6, labelspacing=0.5 * scale)

    def add(handles, labels, title, **extra):
        nonlocal top
        if "labelspacing" in extra:
            extra["labelspacing"] *= scale
        leg = lax.legend(handles, labels, title=title, bbox_to_anchor=(0.0, top), **{**kw, **extra})
        leg.get_title().set_fontweight("bold")
        lax.add_artist(leg)
        legs.append(leg)
        bb = leg.get_window_extent(renderer).transformed(lax.transAxes.inverted())
        top = bb.y0 - 0.03 * scale
        return leg

    from siteplan.labels import design_name

    if designs:
        add([Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=colors[d], markeredgecolor="black")
             for d in designs], [design_name(d) for d in designs], DESIGN_LEGEND_TITLE)
    else:
        add([Line2D([], [], ls="")], ["(no site opened)"], DESIGN_LEGEND_TITLE)
    if len(chosen):
        words = {"grid": "grid only", "grid + on-site": "grid and on-site plant (red ring)",
                 "off-grid": "on-site plant only, off-grid (diamond)"}
        kinds = [k for k in POWER_MARKERS if k in set(power_kinds)] or list(POWER_MARKERS)
        notes = plant_legend_notes(chosen)
        add([Line2D([], [], marker=POWER_MARKERS[k][0], ls="", markersize=10 if POWER_MARKERS[k][0] == "o" else 9,
                    markerfacecolor="#dddddd", markeredgecolor=POWER_MARKERS[k][1], markeredgewidth=POWER_MARKERS[k][2])
             for k in kinds], [words[k] for k in kinds], POWER_LEGEND_TITLE)
        if notes:  # what the labels' short forms of on-site plant mean
            add([Line2D([], [], ls="") for _ in notes], notes, PLANT_LEGEND_TITLE, handlelength=0, handletextpad=0)

        ref = max(mw_max, SIZE_REF_MW)
        vals = sorted({style.nice_number(ref * f) for f in (1.0, 0.35, 0.1) if ref * f > 0}, reverse=True)
        add([Line2D([], [], marker="o", ls="", markersize=math.sqrt(float(_site_area(v, mw_max))),
                    markerfacecolor="#dddddd", markeredgecolor="black") for v in vals],
            [f"{v:,g} MW" for v in vals], "IT capacity", labelspacing=1.2, borderpad=0.6, handlelength=3.2,
            handletextpad=1.0)
    kvs = style.voltage_legend(ic["voltage_kv"]) if len(ic) else []
    if kvs:
        add([Line2D([], [], color=c, lw=3) for _, c in kvs], [lab for lab, _ in kvs],
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
        other_l.append("fiber backbone (study's states)")
    if has_used_fiber:
        other_h.append(Line2D([], [], color=style.FIBER_COLOR, lw=3.0, alpha=0.75))
        other_l.append("fiber path of served demand")
    if any(ln.get_gid() == GID_LEADER for ln in fig.axes[0].lines):
        other_h.append(Line2D([], [], color="#555555", lw=0.8))
        other_l.append("leader to a label moved off its site")
    if has_idle_subs:
        other_h.append(Line2D([], [], marker="s", ls="", markersize=3.5, markerfacecolor=style.SUBSTATION_IDLE,
                              markeredgecolor="none", alpha=0.6))
        other_l.append("substation, not used")
    if has_used_subs:
        other_h.append(Line2D([], [], marker="s", ls="", markersize=7, markerfacecolor="#bbbbbb",
                              markeredgecolor="black"))
        other_l.append("substation with new load (moved just\noutside its site's marker when nearer)")
    val = headroom_values if headroom_values is not None else np.zeros(0)
    if (np.isfinite(val) & (val > HEADROOM_VALUE_TOL)).any():
        top_v = float(np.nanmax(val))
        other_h.append(Line2D([], [], marker="o", ls="", markersize=12, markerfacecolor="none",
                              markeredgecolor=style.VALUE_COLOR, markeredgewidth=2.0))
        other_l.append(f"headroom worth up to ${top_v / 1e3:,.0f}k/MW-yr")
    add(other_h, other_l, "Layers")
    return legs, top


def save_map(plan, out_dir: str | Path, formats=("png",), stem: str = "map") -> dict[str, Path]:
    """Write ``<stem>.<fmt>`` for each of ``formats`` (png, svg, pdf).

    Parameters
    ----------
    plan : siteplan.Plan
    out_dir : path
        Created if missing.
    formats : sequence of str
        Among png, svg, pdf.
    stem : str
        File name without the suffix.

    Returns
    -------
    dict
        Format -> path written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = render_map(plan)
    paths = {}
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"map format must be png, svg or pdf, not {fmt!r}")
        path = out / f"{stem}.{fmt}"
        _save(fig, path, fmt)
        paths[fmt] = path
    return paths


def _save(fig, target, fmt: str) -> None:
    """Save the map figure in ``fmt`` with fixed metadata (the same bytes for the same plan)."""
    from matplotlib import rc_context

    meta = {"png": {"Software": "siteplan"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    with rc_context({"svg.hashsalt": "siteplan", "svg.fonttype": "none"}):
        fig.savefig(target, format=fmt, dpi=DPI, metadata=meta)


def map_png_bytes(plan) -> bytes:
    """``map.png`` of ``plan`` as bytes, exactly as :func:`save_map` writes it.

    Parameters
    ----------
    plan : siteplan.Plan

    Returns
    -------
    bytes
    """
    import io

    buf = io.BytesIO()
    _save(render_map(plan), buf, "png")
    return buf.getvalue()
