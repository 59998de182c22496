"""Results folders written whole or not at all.

A results folder is written into a temporary folder beside the target and renamed into place when
every file is there, so a folder never holds a half-written plan (a GeoPackage with 5 of its 8 layers
after a Ctrl-C) or the files of two studies (an earlier study's map.svg beside a later study's
plan). A target that exists is replaced only if it is a siteplan results folder (it has a
``manifest.json``) or empty: ``--out .`` must not delete a user's files. :func:`check_target` says so
before a solve starts.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

__all__ = ["check_target", "atomic_folder", "missing_files", "REQUIRED_FILES"]

# what a complete single-period results folder holds (siteplan.results.write_results); a build-out
# folder holds timeline.nc instead of plan.nc and a complete folder per period
REQUIRED_FILES = ("manifest.json", "plan.nc", "plan.gpkg", "sites.csv", "summary.txt")
REQUIRED_BUILDOUT_FILES = ("manifest.json", "timeline.nc", "summary.txt")


def check_target(out: str | Path) -> str | None:
    """Why ``out`` cannot take a results folder, or None when it can (absent, empty, or a results
    folder that will be replaced)."""
    out = Path(out)
    if not out.exists() and not out.is_symlink():
        parent = out.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            return f"{parent} is not a folder"
        if not os.access(parent, os.W_OK):
            return f"cannot write in {parent}"
        return None
    if not out.is_dir():
        return "exists and is not a folder"
    if not any(out.iterdir()) or (out / "manifest.json").is_file():
        return None if os.access(out.parent, os.W_OK) else f"cannot write in {out.parent}"
    return "exists and is not a siteplan results folder (no manifest.json): choose another --out or empty it"


@contextmanager
def atomic_folder(out: str | Path):
    """Yield a temporary folder beside ``out``; when the block ends without an error, it replaces
    ``out`` (see :func:`check_target`); on an error (``KeyboardInterrupt`` included) it is deleted
    and ``out`` is left as it was.

    Raises
    ------
    FileExistsError
        When ``out`` exists and is not a results folder (:func:`check_target`).
    """
    out = Path(out)
    why = check_target(out)
    if why is not None:
        raise FileExistsError(f"{out}: {why}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def missing_files(folder: str | Path) -> list[str]:
    """The files a complete results folder has and ``folder`` lacks (every file, if it is not a
    folder); a build-out folder is recognised by its ``timeline.nc``."""
    folder = Path(folder)
    if not folder.is_dir():
        return list(REQUIRED_FILES)
    need = REQUIRED_BUILDOUT_FILES if (folder / "timeline.nc").is_file() else REQUIRED_FILES
    return [f for f in need if not (folder / f).is_file()]
