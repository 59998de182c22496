"""Shared constants of the static map (:mod:`siteplan.export.staticmap`): figure size, marker sizes
and shapes, the gids of the artists drawn, the site marker area and the plain-text escape."""

from __future__ import annotations

import math

import numpy as np
from matplotlib import patheffects

from siteplan.export import style

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

SIZE_REF_MW = 200.0  # marker area is proportional to IT MW up to the larger of this and the largest site


def _site_area(mw, mw_max):
    """Marker area (pt²) of a site of ``mw`` on a map whose largest site has ``mw_max``: small sites
    stay small next to a scale of at least :data:`SIZE_REF_MW`, and never below ``MIN_SITE_PT2``."""
    return np.maximum(MIN_SITE_PT2, MAX_SITE_PT2 * np.asarray(mw, float) / max(mw_max, SIZE_REF_MW))


HEADROOM_VALUE_TOL = 1e-3  # USD/yr per MW: below this a headroom does not bind (siteplan.solve.duals)


def _plain(text: str) -> str:
    """Text drawn as written: a '$' does not start matplotlib's math mode."""
    return str(text).replace("$", r"\$")

