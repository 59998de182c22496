"""Legends and notes of the static map (:mod:`siteplan.export.staticmap`): the legend column (cooling
design, power supply, on-site plant, IT capacity, interconnect voltages, layers) with the headroom
colour bar, and the title, headline, CHECK line and base-map credit."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.lines import Line2D

from siteplan.export import style
from siteplan.export.headline import headline
from siteplan.export.staticmapbase import (DESIGN_LEGEND_TITLE, GID_LEADER, HEADROOM_VALUE_TOL, PLANT_LEGEND_TITLE,
                                           POWER_LEGEND_TITLE, POWER_MARKERS, SIZE_REF_MW, _plain, _site_area)


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
    # long: one legend after another, in reading order; each block is a few lines of handles
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


def draw_titles(fig, plan, title, lat0: float) -> None:
    """The title, the headline numbers, the first CHECK line (if any) and the base-map credit."""
    from siteplan.results.summary import plan_checks

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
