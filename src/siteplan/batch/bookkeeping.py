"""A batch's output folder: leftovers of an interrupted run, ``batch.json``, which scenarios to run
(resume: finished with unchanged inputs are kept) and the summary of an interrupted batch."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from siteplan.batch.folders import FINISHED, read_status
from siteplan.batch.input_hash import InputHasher, changed_inputs
from siteplan.batch.resources import BatchError, local_cores
from siteplan.batch.sweep import ScenarioSpec, Sweep


def _cleanup_tmp(out: Path) -> None:
    folder = Path(out) / "scenarios"
    if folder.is_dir():
        for p in folder.iterdir():
            if p.name.startswith((".tmp-", ".old-")):
                shutil.rmtree(p, ignore_errors=True)


def select_todo(sw: Sweep, out: Path, resume: bool, from_cli: bool):
    """Scenarios to run, the number skipped, the (id, why) of finished ones re-run, every input record."""
    existing = {s.id: read_status(out, s.id) for s in sw.specs}
    if not resume and any(existing.values()):
        n = sum(1 for v in existing.values() if v)
        resume_arg, out_arg = ("--resume", "--out") if from_cli else ("resume=True", "out=")
        raise BatchError(f"{out} already holds results of {n} scenario(s) of this sweep; pass {resume_arg} to keep "
                         f"the finished ones, or choose another {out_arg}")
    hasher = InputHasher()
    inputs = {s.id: hasher.record(s) for s in sw.specs}
    todo, skipped, changed = [], 0, []
    for s in sw.specs:
        st = existing[s.id]
        if resume and st and st.get("status") in FINISHED:
            why = changed_inputs(st, inputs[s.id])
            if not why:
                skipped += 1
                continue
            changed.append((s.id, why))
        todo.append(s)
    return todo, skipped, changed, inputs


def report_interrupt(sw: Sweep, out: Path, prog) -> None:
    """Tell the progress how many scenarios finished, failed and did not run, and how to resume."""
    done = [read_status(out, s.id) for s in sw.specs]
    ok = sum(1 for r in done if r and r.get("status") in FINISHED)
    failed = sum(1 for r in done if r and r.get("status") not in FINISHED)
    hint = f"siteplan batch {sw.source_file} --out {out} --resume"
    prog.interrupted(finished=ok, failed=failed, not_run=len(sw.specs) - ok - failed, resume=hint)


def _missing(s: ScenarioSpec) -> dict:
    return {"id": s.id, "region": s.region, "params": s.params, "status": "missing", "reason": "not run",
            "headline": None}


def _write_manifest(out: Path, sw: Sweep, scheduler, workers: int, threads: int, resume: bool) -> None:
    man = {"name": sw.name, "description": sw.description, "sweep_file": str(sw.source_file),
           "param_keys": list(sw.param_keys), "regions": list(sw.regions),
           "scenarios": [{"id": s.id, "region": s.region, "params": s.params, "spec_hash": s.spec_hash}
                         for s in sw.specs],
           "run": {"scheduler": scheduler or "local", "workers": workers, "threads_per_solve": threads,
                   "resume": resume, "started": time.time(), "cores": local_cores()}}
    tmp = out / f".batch.json.{uuid.uuid4().hex[:6]}"
    tmp.write_text(json.dumps(man, indent=2, default=str) + "\n")
    os.replace(tmp, out / "batch.json")
    shutil.copyfile(sw.source_file, out / "sweep.yaml")
