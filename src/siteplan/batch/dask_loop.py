"""The Dask submit/collect loop: submit every scenario, write each outcome as it arrives, re-submit
the scenarios only queued on a worker that died."""

from __future__ import annotations

import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from siteplan.batch.folders import write_scenario
from siteplan.batch.sweep import ScenarioSpec

#: Dask event topic on which a task says it started (so a dead worker's queued tasks are re-run).
STARTED_TOPIC = "siteplan-batch-started"
#: Times a scenario that never started is re-scheduled after its worker died.
MAX_REQUEUE = 3


def _started_task(task, tag: str, spec: dict, threads: int, exports: bool, **kw):
    """Runs on the worker: say that this attempt started (see ``_run``), then run the task."""
    try:
        from distributed import get_worker

        get_worker().log_event(STARTED_TOPIC, tag)
    except Exception:  # noqa: BLE001 - not on a Dask worker: nothing to tell
        pass
    return task(spec, threads, exports, **kw)


def _run(client, todo: list[ScenarioSpec], out: Path, threads: int, exports: bool, task, prog, as_completed,
         warm_start: bool = False, inputs: dict[str, dict] | None = None) -> None:
    """Submit every scenario and write each outcome as it arrives.

    When a worker process dies, Dask fails every task it held (``KilledWorker``), also those only
    queued on it. A task that never started (it did not report on ``STARTED_TOPIC``) is submitted
    again (at most ``MAX_REQUEUE`` times); only the ones that were running are recorded as
    ``worker_died``.
    """
    from distributed import KilledWorker

    extra = {"warm_start": True} if warm_start else {}
    futs: dict[str, tuple[Any, ScenarioSpec]] = {}
    requeued: dict[str, int] = {}

    def submit(s: ScenarioSpec):
        key = f"siteplan-{s.id}-{uuid.uuid4().hex[:6]}"
        f = client.submit(_started_task, task, key, s.to_dict(), threads, exports, key=key, pure=False, retries=0,
                          **extra)
        futs[f.key] = (f, s)
        return f

    ac = as_completed([submit(s) for s in todo])
    try:
        for f in ac:
            _, s = futs.pop(f.key)
            try:
                res = f.result()
                rec, files = res["record"], res["files"]
            except KilledWorker as exc:
                if f.key not in _started(client) and requeued.get(s.id, 0) < MAX_REQUEUE:
                    requeued[s.id] = requeued.get(s.id, 0) + 1
                    f.release()
                    ac.add(submit(s))  # it was only queued on the dead worker
                    continue
                rec, files = _failure(s, "worker_died", f"the worker process running it died ({exc})"), {}
            except Exception as exc:  # noqa: BLE001 - e.g. a task that could not be deserialised
                rec, files = _failure(s, "error", f"{type(exc).__name__}: {exc}"), {
                    "error.txt": traceback.format_exc().encode()}
            if requeued.get(s.id):
                rec["requeued"] = requeued[s.id]
            rec.update((inputs or {}).get(s.id, {}))
            write_scenario(out, rec, files)
            f.release()
            prog.update(rec)
    except BaseException:
        for f, _ in futs.values():
            f.cancel()
        raise


def _started(client) -> set[str]:
    """Keys of the task attempts that reported starting on a worker."""
    try:
        return {str(msg) for _, msg in client.get_events(STARTED_TOPIC)}
    except Exception:  # noqa: BLE001 - events unavailable: nothing is known to have started
        return set()


def _failure(s: ScenarioSpec, status: str, reason: str) -> dict:
    now = time.time()
    return {"id": s.id, "region": s.region, "params": s.params, "spec_hash": s.spec_hash, "status": status,
            "reason": reason, "headline": None, "started": None, "finished": now, "wall_s": None}
