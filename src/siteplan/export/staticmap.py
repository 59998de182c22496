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

The drawing is split by concern: :mod:`siteplan.export.staticmapbase` (constants shared by the parts),
:mod:`siteplan.export.staticmaplayers` (the layers and the scale bar),
:mod:`siteplan.export.staticmaplabels` (label text and placement) and
:mod:`siteplan.export.staticmaplegend` (legends, colour bar, title and notes); this module assembles
the figure and writes the files, and re-exports the names used elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from siteplan.export import style
from siteplan.export.staticmapbase import (DESIGN_LEGEND_TITLE, DPI, FIG_SIZE_IN, GID_CANDIDATES, GID_CHOSEN,
                                           GID_DEMAND, GID_DEMAND_LABEL, GID_LEADER, GID_SITE_LABEL,
                                           GID_SUBS_USED, HALO, HEADROOM_VALUE_TOL, MARKER_GIDS, MAX_DEMAND_PT2,
                                           MAX_SITE_PT2, MIN_SITE_PT2, PLANT_LEGEND_TITLE, PNG_SIZE_PX,
                                           POWER_LEGEND_TITLE, POWER_MARKERS, SIZE_REF_MW, SPOKE_PT, _plain,
                                           _site_area)
from siteplan.export.staticmaplabels import (CANDIDATE_COST_PT, CROSSING_COST_PT, LEADER_FROM_PT, LEADER_GAP_PT,
                                             _marker_boxes, _overlaps, _segment_hits, label_lists, place_labels,
                                             site_label_text)
from siteplan.export.staticmaplayers import (_demand_total, _lines, _scale_bar, _used_fiber, draw_basemap,
                                             draw_demand, draw_idle_substations, draw_interconnects, draw_sites,
                                             draw_used_substations, map_frame)
from siteplan.export.staticmaplegend import (COLORBAR_ROOM, LEGEND_SCALES, _legends, _stack_legends, draw_titles,
                                             plant_legend_notes)

__all__ = [
    "COLORBAR_ROOM", "CANDIDATE_COST_PT", "CROSSING_COST_PT", "DESIGN_LEGEND_TITLE", "DPI", "FIG_SIZE_IN",
    "GID_CANDIDATES", "GID_CHOSEN", "GID_DEMAND", "GID_DEMAND_LABEL", "GID_LEADER", "GID_SITE_LABEL",
    "GID_SUBS_USED", "HALO", "HEADROOM_VALUE_TOL", "LEADER_FROM_PT", "LEADER_GAP_PT", "LEGEND_SCALES",
    "MARKER_GIDS", "MAX_DEMAND_PT2", "MAX_SITE_PT2", "MIN_SITE_PT2", "PLANT_LEGEND_TITLE", "PNG_SIZE_PX",
    "POWER_LEGEND_TITLE", "POWER_MARKERS", "SIZE_REF_MW", "SPOKE_PT", "_demand_total", "_legends", "_lines",
    "_marker_boxes", "_overlaps", "_plain", "_scale_bar", "_segment_hits", "_site_area", "_stack_legends",
    "_used_fiber", "draw_titles", "label_lists", "map_frame", "map_png_bytes", "place_labels",
    "plant_legend_notes", "render_map", "save_map", "site_label_text",
]

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
    fig = Figure(figsize=size_in, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax, lax, window, lat0 = map_frame(fig, plan, size_in)
    backbone, used = draw_basemap(ax, plan, window)
    subs = plan.substations
    conn, rem, norm, cmap, sx, sy = draw_idle_substations(ax, subs)
    dem_tot = draw_demand(ax, plan)
    chosen, names, designs, colors, mw_max, kinds = draw_sites(ax, plan.sites)
    ic = plan.interconnects
    drawn_at = draw_interconnects(fig, ax, ic, chosen, mw_max)
    draw_used_substations(ax, plan, subs, conn, rem, norm, cmap, sx, sy, drawn_at)

    sb = _scale_bar(ax, lat0)
    site_labels, dem_labels = label_lists(plan, chosen, names, dem_tot)
    place_labels(fig, ax, site_labels, dem_labels, avoid=[sb])
    _legends(fig, lax, designs, colors, chosen, mw_max, ic, norm, cmap, bool(backbone),
             bool(len(plan.assignments)), bool(len(used)), style.headroom_values(plan), set(kinds),
             bool((~conn).any()), bool(conn.any()))
    draw_titles(fig, plan, title, lat0)
    return fig


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
