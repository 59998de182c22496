"""A solved study as a results folder with its maps and report, written whole (:mod:`siteplan.atomic`).

The command line (``siteplan solve``), :meth:`siteplan.results.plan.Plan.write` and
:meth:`siteplan.buildout.BuildOut.write` all write through :func:`write_folder`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_folder", "WritesFolder"]


class WritesFolder:
    """``write(folder)`` for a solved study (:class:`~siteplan.results.plan.Plan`,
    :class:`~siteplan.buildout.BuildOut`)."""

    def write(self, folder: str | Path, study=None, exports: bool = True, map_formats=("png",)) -> Path:
        """Write the results folder and, with ``exports``, its maps and report(s) (per period for a
        build-out), whole or not at all (:func:`write_folder`).

        Parameters
        ----------
        folder : str or Path
            An existing folder is replaced only if it is a siteplan results folder or empty.
        study : Study, optional
            The inputs, for the manifest; default: the study :func:`siteplan.solve` solved.
        exports : bool, default True
            Also draw the maps (``map_formats``: png, svg, pdf; and map.html) and write the report.

        Returns
        -------
        Path
        """
        study = study if study is not None else getattr(self, "study", None)
        if study is None:
            raise ValueError("no study to write the manifest from: pass study= (siteplan.load(...))")
        return write_folder(self, study, folder, exports=exports, map_formats=map_formats, where="folder")


def write_folder(result, study, out: str | Path, exports: bool = True, map_formats=("png",),
                 progress=None, where: str = "out") -> Path:
    """Write a plan (or a build-out) and, with ``exports``, its maps and report into ``out``.

    Parameters
    ----------
    result : Plan or BuildOut
        A solved study (:func:`siteplan.solve`).
    study : Study
        Its inputs (for the manifest: input hashes, scenario).
    out : str or Path
        The results folder. Written into a temporary folder beside it and renamed into place, so it
        is complete or left as it was; an existing folder is replaced only if it is a results folder
        or empty (:func:`siteplan.atomic.check_target`).
    exports : bool, default True
        Also draw map.png (``map_formats``), map.html and the report (per period for a build-out).
    progress : callable, optional
        Called with a line of text when the exports are written.
    where : str, default "out"
        What the caller calls ``out`` in messages (``"--out"`` from the command line, ``"folder"``
        from :meth:`WritesFolder.write`).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    FileExistsError
        When ``out`` exists and is not a results folder.
    """
    from siteplan.atomic import atomic_folder
    from siteplan.results.buildout_plan import BuildOut

    out = Path(out)
    with atomic_folder(out, where) as tmp:
        if isinstance(result, BuildOut):
            _write_buildout(result, study, tmp, exports, map_formats)
        else:
            from siteplan.results.folder import write_results

            write_results(result, study, tmp)
            if exports:
                _exports(result, study, tmp, map_formats)
    if progress is not None and exports:
        progress("maps and report(s) written")
    return out


def _write_buildout(bo, study, tmp: Path, exports: bool, map_formats) -> None:
    from siteplan.results.buildout_folder import write_buildout

    write_buildout(bo, study, tmp)
    if not exports:
        return
    for y, plan in bo.plans.items():
        _exports(plan, study, tmp / f"period_{y}", map_formats)
    try:
        from siteplan.export.timeline import write_buildout_map, write_buildout_report
    except ImportError:
        return
    write_buildout_report(tmp)
    write_buildout_map(tmp)


def _exports(plan, study, out: Path, map_formats=("png",)) -> None:
    """Maps and report, when the exports module is installed (see siteplan.export)."""
    try:
        from siteplan.export import export_all
    except ImportError:
        return
    export_all(plan, out, study=study, map_formats=tuple(map_formats))
