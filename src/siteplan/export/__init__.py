"""Review exports of a Plan: static map, self-contained interactive map and a report.

Everything here reads the Plan (its xarray Dataset and GeoDataFrames) only, never a Pyomo model.

>>> from siteplan.export import export_all          # doctest: +SKIP
>>> export_all(plan, "results/example")              # doctest: +SKIP
{'map.png': ..., 'map.html': ..., 'report.html': ..., 'report.md': ...}
"""

from __future__ import annotations

from pathlib import Path


def export_all(plan, out_dir: str | Path, study=None, map_formats=("png",)) -> dict[str, Path]:
    """Write ``map.<fmt>``, ``map.html``, ``report.html`` and ``report.md`` into ``out_dir``.

    Parameters
    ----------
    plan : siteplan.Plan
        The solved plan (or one rebuilt by :func:`siteplan.results.folder.read_results`).
    out_dir : path
        Results folder (created if missing).
    study : siteplan.Study, optional
        Gives the report the scenario's limits; without it they are read from ``manifest.json`` in
        ``out_dir`` when present.
    map_formats : sequence of str
        Static map formats among ``png``, ``svg``, ``pdf`` (``map.png`` is always written: the
        report embeds it).

    Returns
    -------
    dict
        File name -> path of everything written.
    """
    from siteplan.export.htmlmap import write_html_map
    from siteplan.export.report import write_report
    from siteplan.export.staticmap import save_map

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    maps = save_map(plan, out, formats=tuple(map_formats) + (() if "png" in map_formats else ("png",)))
    written = {p.name: p for p in maps.values()}
    p = write_html_map(plan, out / "map.html")
    written[p.name] = p
    for p in write_report(plan, out, study=study, map_png=maps["png"].read_bytes()):
        written[p.name] = p
    return written


__all__ = ["export_all"]
