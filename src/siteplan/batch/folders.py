"""A batch's scenario folders: each written whole (its files, then ``status.json``, then renamed
into place), and read back by its status record.

The status words say whether a scenario has a plan (:data:`FINISHED`) or not (:data:`FAILED`).
Shared by the runner (:mod:`siteplan.batch.runner`), the progress display
(:mod:`siteplan.batch.progress`) and the combined tables (:mod:`siteplan.batch.combine`), so none of
those imports another back.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

__all__ = ["FINISHED", "FAILED", "STATUS_FILE", "scenario_dir", "write_scenario", "read_status"]

#: Statuses of a scenario that has a plan (resume skips these).
FINISHED = ("optimal", "time_limit", "stopped")
#: Statuses of a scenario that has no plan (resume re-runs these).
FAILED = ("input_error", "infeasible", "no_solution", "error", "worker_died", "invalid_plan")
STATUS_FILE = "status.json"


def scenario_dir(out: Path, sid: str) -> Path:
    return Path(out) / "scenarios" / sid


def write_scenario(out: Path, record: dict, files: dict[str, bytes]) -> Path:
    """Write one scenario's folder atomically: temp folder (files + status.json last), then rename."""
    final = scenario_dir(out, record["id"])
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".tmp-{record['id']}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for rel, data in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (tmp / STATUS_FILE).write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
        _fsync_dir(tmp)
        if final.exists():  # a previous failed/changed attempt: move it aside, then replace
            old = final.parent / f".old-{record['id']}-{uuid.uuid4().hex[:8]}"
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _fsync_dir(folder: Path) -> None:
    for p in folder.iterdir():
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())


def read_status(out: Path, sid: str) -> dict | None:
    """The status record of a scenario, or None if it has no (complete) folder."""
    p = scenario_dir(out, sid) / STATUS_FILE
    try:
        return json.loads(p.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
