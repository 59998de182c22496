"""Label placement of the static map (:mod:`siteplan.export.staticmap`): the text of a chosen site's
label, the labels' priority order, and :func:`place_labels`, which keeps every label off the markers
and the other labels and draws a leader line to a label moved away from its marker."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D

from siteplan.export import style
from siteplan.export.staticmapbase import (GID_CANDIDATES, GID_DEMAND_LABEL, GID_LEADER, GID_SITE_LABEL, HALO,
                                           MARKER_GIDS, _plain)


def site_label_text(row, name: str) -> str:
    """Two lines for a chosen site: its name and IT MW; how it is powered, with the type and units of
    its on-site plant and its batteries (:func:`siteplan.export.style.power_short`: 'Tyler, TX · 356
    MW IT' / 'grid + 13 gas engines, 220 MW firm'; the grid's share of energy is in map.html)."""
    from siteplan.results.summary import fmt_mw

    return _plain(f"{name} · {fmt_mw(row['it_mw'])} MW IT\n{style.power_short(row, with_share=False)}")


def label_lists(plan, chosen, names, dem_tot) -> tuple[list, list]:
    """The site labels (tiny sites first, then by size) and the labels of the 12 largest demand regions,
    as (x, y, text) in priority order for :func:`place_labels`."""
    from siteplan.results.summary import tiny_threshold_mw

    # tiny sites first (the CHECK line names them; their label must not be the one left out), then by size
    tiny_mw = tiny_threshold_mw(plan.sites)  # the rule of the CHECK line (summary.tiny_site_checks)
    by_need = sorted(chosen.iterrows(), key=lambda ir: (float(ir[1]["it_mw"]) >= tiny_mw, -float(ir[1]["it_mw"])))
    site_labels = [(r.geometry.x, r.geometry.y, site_label_text(r, names[r["site_id"]])) for _, r in by_need]
    order = [i for i in np.argsort(-dem_tot)[:12] if dem_tot[i] > 0]
    dem_labels = [(plan.demand.geometry.x.iloc[i], plan.demand.geometry.y.iloc[i],
                   _plain(style.short_name(plan.demand.iloc[i].get("name", ""), plan.demand.iloc[i]["region_id"])))
                  for i in order]
    return site_labels, dem_labels


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
    # long: the nested leader/put helpers share the placement state (boxes placed, leaders, markers)
    """Place site labels (all of them) then demand labels (while there is room) on ``ax``.

    Each label is tried at growing distances in 16 directions around its point; a position is
    allowed when the label's box stays inside the axes and overlaps no chosen site, demand region or
    substation with new load drawn so far, no label already placed and no box in ``avoid``. Among
    the allowed positions the one with the least distance plus :data:`CANDIDATE_COST_PT` per
    candidate site it covers wins (a label covers a candidate site only to stay near its own). A label placed :data:`LEADER_FROM_PT` or more from its marker gets a
    grey leader line. A label with no allowed position anywhere is left out (never drawn over a
    marker): for a site the map then says how many chosen sites went unlabelled (map.html and the
    report list every site).

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
