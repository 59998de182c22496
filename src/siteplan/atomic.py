"""Results folders written whole or not at all.

A results folder is written into a temporary folder beside the target and renamed into place when
every file is there, so a folder never holds a half-written plan (a GeoPackage with 5 of its 8 layers
after a Ctrl-C) or the files of two studies (an earlier study's map.svg beside a later study's
plan). A target that exists is replaced only if it is a siteplan results folder (it has a
``manifest.json``) or empty: ``--out .`` must not delete a user's files. :func:`check_target` says so
before a solve starts.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["check_target", "atomic_folder", "is_results_folder", "creatable", "missing_files", "REQUIRED_FILES"]

# what a complete single-period results folder holds (siteplan.results.folder.write_results); a build-out
# folder holds timeline.nc instead of plan.nc and a complete folder per period
REQUIRED_FILES = ("manifest.json", "plan.nc", "plan.gpkg", "sites.csv", "summary.txt")
REQUIRED_BUILDOUT_FILES = ("manifest.json", "timeline.nc", "summary.txt")


def is_results_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a siteplan results folder: a ``manifest.json`` that siteplan wrote
    (a JSON object with its ``scenario``, ``inputs`` and ``solver`` sections), not any file of that
    name (a browser extension has one too)."""
    try:
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(man, dict) and {"scenario", "inputs", "solver"} <= set(man)


def check_target(out: str | Path, where: str = "folder") -> str | None:
    """Why ``out`` cannot take a results folder, or None when it can (absent, empty, or a results
    folder that will be replaced). A symbolic link is followed: its target is written. ``where``:
    what the caller calls ``out`` in the advice (``"--out"`` on the command line, an argument's name
    from Python)."""
    out = Path(os.path.abspath(Path(out).expanduser()))
    if out.is_symlink() and not out.exists():
        return "is a broken symbolic link"
    out = out.resolve()
    if out.exists():
        if not out.is_dir():
            return "exists and is not a folder"
        if any(out.iterdir()) and not is_results_folder(out):
            return ("exists and is not a siteplan results folder (no manifest.json written by siteplan): "
                    f"choose another {where} or empty it")
        if out.parent == out:
            return "is the file system's root"
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        return "is the current folder or contains it (it is replaced whole): choose a folder below it"
    return creatable(out)


def creatable(folder: str | Path) -> str | None:
    """Why a folder cannot be created at (or beside) ``folder``, or None: an existing non-folder there,
    or no permission / a read-only or virtual file system in its nearest existing parent."""
    folder = Path(os.path.abspath(Path(folder).expanduser()))
    if folder.exists() and not folder.is_dir():
        return "exists and is not a folder"
    parent = folder.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a folder"
    try:  # the only reliable test that a folder can be made there (permissions, read-only or virtual file systems)
        probe = Path(tempfile.mkdtemp(prefix=".siteplan-probe-", dir=parent))
        probe.rmdir()
    except OSError as exc:
        return f"cannot create a folder in {parent} ({exc.strerror or exc})"
    return None


@contextmanager
def atomic_folder(out: str | Path, where: str = "folder"):
    """Yield a temporary folder beside ``out``; when the block ends without an error, it replaces
    ``out`` (see :func:`check_target`; a symbolic link's target is replaced, the link kept); on an
    error (``KeyboardInterrupt`` included) it is deleted and ``out`` is left as it was. Temporary
    folders that a killed run left beside ``out`` are removed.

    Raises
    ------
    FileExistsError
        When ``out`` cannot take a results folder (:func:`check_target`; ``where`` names ``out``
        in its advice).
    """
    why = check_target(out, where)
    if why is not None:
        raise FileExistsError(f"{out}: {why}")
    out = Path(os.path.abspath(Path(out).expanduser())).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
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


def _remove_stale(out: Path) -> None:
    """Remove ``.<name>.partial-<pid>`` / ``.old-<pid>`` folders beside ``out`` whose process is gone."""
    for p in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = p.name[len(out.name) + 2:].rpartition("-")
        if kind not in ("partial", "old") or not pid.isdigit() or not p.is_dir() or p.is_symlink():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


def missing_files(folder: str | Path) -> list[str]:
    """The files a complete results folder has and ``folder`` lacks (every file, if it is not a
    folder); a build-out folder is recognised by its ``timeline.nc``."""
    folder = Path(folder)
    if not folder.is_dir():
        return list(REQUIRED_FILES)
    need = REQUIRED_BUILDOUT_FILES if (folder / "timeline.nc").is_file() else REQUIRED_FILES
    return [f for f in need if not (folder / f).is_file()]
