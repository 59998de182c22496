"""Points in the sea: candidate sites and demand regions must be on land.

A coordinate mistyped by a few degrees can stay inside the dataset's area (:func:`siteplan.io.dataset_area`)
and yet land in the Gulf of Mexico, where siteplan would happily build. Land is the bundled Census
state boundaries (``data/basemap/us_states.geojson``, simplified, so a coastal point may sit a little
offshore: ``SEA_TOLERANCE_DEG``). The check applies to datasets the basemap covers: at least
``MIN_COVERED`` of the dataset's substations on land; a dataset elsewhere (or synthetic coordinates)
is not judged by US state boundaries.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["sea_problems", "basemap_path"]

# 0.25 deg ~ 28 km of latitude (~21 km of longitude at 40 N): wider than the basemap's simplification
# of the coastline (a few km) and the bundled coastal sites' distance to it, narrower than any mistyped
# coordinate that still falls inside a dataset's area (a degree or more)
SEA_TOLERANCE_DEG = 0.25
MIN_COVERED = 0.9  # share of substations on land for the basemap to be the dataset's land
LAYERS = ("sites", "demand")  # not substations: offshore ones exist (wind platforms; the synthetic grid
# places three ~30 km off the Oregon coast)


def basemap_path() -> Path | None:
    """The bundled Census state boundaries (``data/basemap/us_states.geojson``), if present."""
    import siteplan

    here = Path(siteplan.__file__).resolve().parent
    for cand in (here.parents[1] / "data" / "basemap" / "us_states.geojson",
                 here / "data" / "basemap" / "us_states.geojson"):
        if cand.exists():
            return cand
    return None


@lru_cache(maxsize=1)
def _land():
    import shapely

    path = basemap_path()
    if path is None:
        return None
    import geopandas as gpd

    states = gpd.read_file(path)
    land = shapely.union_all(states.geometry.values)
    shapely.prepare(land)
    return land


def sea_problems(layers: dict, files: dict[str, Path], probs: list) -> None:
    """Append a problem for every site or demand region more than ``SEA_TOLERANCE_DEG``
    from land, when the basemap covers the dataset (see the module docstring)."""
    import numpy as np
    import shapely

    from siteplan.errors import Problem

    land = _land()
    subs = layers.get("substations")
    if land is None or subs is None or not len(subs):
        return

    def on_land(geoms) -> np.ndarray:
        pts = [g.representative_point() if g is not None and not g.is_empty else None for g in geoms]
        ok = np.ones(len(pts), dtype=bool)
        idx = [i for i, p in enumerate(pts) if p is not None]
        if idx:
            ok[idx] = shapely.dwithin(np.array([pts[i] for i in idx], dtype=object), land, SEA_TOLERANCE_DEG)
        return ok

    if on_land(subs.geometry.values).mean() < MIN_COVERED:
        return
    for stem in LAYERS:
        table = layers.get(stem)
        if table is None or stem not in files or not len(table):
            continue
        for lab, g, ok in zip(table.index, table.geometry.values, on_land(table.geometry.values)):
            if not ok:
                p = g.representative_point()
                probs.append(Problem(str(files[stem]), lab, "geometry",
                                     f"({p.x:g}, {p.y:g}) is off US land: more than {SEA_TOLERANCE_DEG:g} deg outside "
                                     "the US state boundaries (data/basemap), in the sea or another country; "
                                     "a mistyped coordinate?"))
