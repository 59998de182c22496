"""Report charts (matplotlib, no pyplot state): cost by category, facility power by slice per
site, PUE by slice per cooling design. Each function reads the Plan and returns a Figure."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from siteplan.export import style

DPI = 110
MAX_SITES_STACKED = 8
SITE_COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C")


def _fig(w: float, h: float) -> Figure:
    fig = Figure(figsize=(w, h), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _label(plan, site_id: str) -> str:
    """The site's name as the report and maps give it (:func:`siteplan.export.style.site_names`)."""
    names = dict(zip(plan.sites["site_id"], style.site_names(plan.sites)))
    return names.get(site_id, site_id)


def cost_breakdown(plan) -> Figure:
    """Horizontal bars: annual cost by category (``ds.cost_usd_per_yr``), largest first."""
    ds = plan.ds
    cats = [str(c) for c in ds["cost_category"].values]
    vals = ds["cost_usd_per_yr"].values.astype(float)
    keep = [i for i in np.argsort(-np.abs(vals)) if abs(vals[i]) > 0.5]
    fig = _fig(7.5, 0.45 * max(len(keep), 2) + 1.1)
    ax = fig.add_subplot()
    y = np.arange(len(keep))
    v = vals[keep] / 1e6
    colors = ["#b2182b" if cats[i] == "unmet_penalty" else "#4C72B0" for i in keep]
    ax.barh(y, v, color=colors)
    ax.set_yticks(y, [style.category_label(cats[i]) for i in keep])
    ax.invert_yaxis()
    ax.set_xlabel("USD million per year")
    ax.set_title(f"Annual cost by category (total {style.fmt_usd(float(vals.sum()))}/yr)", loc="left",
                 fontsize=11, fontweight="bold")
    xmax = max(float(v.max()) if len(v) else 1.0, 1e-9)
    for yi, vi, i in zip(y, v, keep):
        ax.text(vi + xmax * 0.01, yi, style.fmt_usd(float(vals[i])), va="center", fontsize=8.5)
    ax.set_xlim(min(0.0, float(v.min()) if len(v) else 0.0), xmax * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def facility_power_by_slice(plan) -> Figure:
    """Stacked bars: facility MW of each open site (largest first, the rest as 'other') per slice."""
    ds = plan.ds
    slices = [str(s) for s in ds["slice"].values]
    fac = ds["facility_mw"]
    open_ids = [str(s) for s, o in zip(ds["site"].values, ds["open"].values) if o]
    open_ids.sort(key=lambda s: -float(ds["it_mw"].sel(site=s)))
    fig = _fig(max(7.5, 0.32 * len(slices) + 3.5), 4.2)
    ax = fig.add_subplot()
    x = np.arange(len(slices))
    bottom = np.zeros(len(slices))
    shown = open_ids[:MAX_SITES_STACKED - 1] if len(open_ids) > MAX_SITES_STACKED else open_ids
    for i, s in enumerate(shown):
        v = fac.sel(site=s).values.astype(float)
        ax.bar(x, v, bottom=bottom, color=SITE_COLORS[i % len(SITE_COLORS)], label=_label(plan, s), width=0.75)
        bottom += v
    rest = [s for s in open_ids if s not in shown]
    if rest:
        v = fac.sel(site=rest).sum("site").values.astype(float)
        ax.bar(x, v, bottom=bottom, color="#cccccc", label=f"{len(rest)} other sites", width=0.75)
        bottom += v
    ax.set_xticks(x, slices, rotation=45 if len(slices) > 8 else 0, ha="right" if len(slices) > 8 else "center",
                  fontsize=8.5)
    ax.set_ylabel("facility power (MW)")
    ax.set_title("Facility power by time slice and site", loc="left", fontsize=11, fontweight="bold")
    if open_ids:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        ax.text(0.5, 0.5, "no site opened", transform=ax.transAxes, ha="center")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def pue_by_slice(plan) -> Figure:
    """PUE of each cooling design per slice (``ds.pue_by_design``): mean over the open sites, band
    from the lowest to the highest site; the designs actually chosen are drawn bold."""
    ds = plan.ds
    from siteplan.labels import design_name

    slices = [str(s) for s in ds["slice"].values]
    designs = [str(k) for k in ds["cooling"].values]
    is_open = ds["open"].values.astype(bool)
    sites = ds["site"].values[is_open] if is_open.any() else ds["site"].values
    chosen = {str(d) for d in ds["design"].values[is_open]}
    colors = style.design_colors(designs)
    fig = _fig(max(7.5, 0.32 * len(slices) + 3.5), 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(slices))
    for k in designs:
        v = ds["pue_by_design"].sel(site=sites, cooling=k).values.astype(float)  # (site, slice)
        if v.size == 0 or not np.isfinite(v).any():
            continue
        bold = k in chosen
        ax.plot(x, np.nanmean(v, axis=0), color=colors[k], lw=2.6 if bold else 1.2, ls="-" if bold else "--",
                marker="o" if bold else None, ms=4, label=design_name(k) + (" (chosen)" if bold else ""))
        if v.shape[0] > 1:
            ax.fill_between(x, np.nanmin(v, axis=0), np.nanmax(v, axis=0), color=colors[k], alpha=0.12, lw=0)
    ax.set_xticks(x, slices, rotation=45 if len(slices) > 8 else 0, ha="right" if len(slices) > 8 else "center",
                  fontsize=8.5)
    ax.set_ylabel("PUE")
    where = "open sites" if is_open.any() else "all candidate sites"
    ax.set_title(f"PUE by time slice and cooling design (mean over {where})", loc="left", fontsize=11,
                 fontweight="bold")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", color="#eeeeee")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


CHARTS = {"cost_breakdown": cost_breakdown, "facility_power_by_slice": facility_power_by_slice,
          "pue_by_slice": pue_by_slice}


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": "siteplan"})
    return buf.getvalue()
