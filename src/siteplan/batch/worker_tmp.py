"""Workers' private temporary folders (``<tmp>/siteplan-batch-<pid>-<random>/``) and the removal of
those left behind by workers that were killed."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

#: Prefix of a worker's private temporary folder: ``siteplan-batch-<worker pid>-<random>``.
TMP_PREFIX = "siteplan-batch-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:  # a killed worker not yet reaped by its nanny is a zombie: dead
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def clean_dead_worker_tmp(root: str | Path | None = None) -> list[Path]:
    """Remove the temporary folders of batch workers of this host whose process is gone.

    A worker writes each scenario into ``<tmp>/siteplan-batch-<pid>-<random>/`` and removes it when
    done; a worker killed by SIGKILL (or the OOM killer) cannot, so the next scenario started on
    this host, and the runner at the end of a batch, remove folders whose process no longer lives.

    Parameters
    ----------
    root : path, optional
        Folder holding them (default: :func:`tempfile.gettempdir`).

    Returns
    -------
    list of Path
        The folders removed.
    """
    root = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.glob(f"{TMP_PREFIX}*-*"))
    except OSError:
        return removed
    for p in entries:
        m = re.match(rf"{re.escape(TMP_PREFIX)}(\d+)-", p.name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed
