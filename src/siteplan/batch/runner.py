"""Run a sweep on Dask distributed: resource plan, failure isolation, atomic results, resume.

Workers receive :class:`~siteplan.batch.sweep.ScenarioSpec` dicts (plain data), load and build their
own models, solve, write the results folder into a private temporary folder and send its files
back. The runner (the client process) writes each scenario's folder atomically::

    <out>/scenarios/.tmp-<id>-<random>/   written completely (results + status.json), then
    <out>/scenarios/<id>/                 renamed into place in one step

so an interrupted batch never leaves a half-written scenario that looks finished, and workers need
no shared filesystem with the runner (a remote cluster works the same as a local one).

Every outcome is recorded in ``status.json``; a failing scenario (bad data, infeasible, solver
error, no solution in the time limit, a worker process dying) is recorded with its reason and the
batch goes on. ``status.json`` also holds the scenario's input hashes (:class:`InputHasher`: the
resolved scenario, the content of every dataset file and of the catalog). ``resume=True`` skips
scenarios whose folder holds a finished status with the same input hash, and re-runs the failed,
missing and changed ones, saying which finished ones are re-run because their inputs changed.

The concerns live in modules of their own, their public names re-exported here:
:mod:`~siteplan.batch.resources` (workers and threads), :mod:`~siteplan.batch.dask_loop` (submit,
collect, re-submit), :mod:`~siteplan.batch.bookkeeping` (output folder, ``batch.json``, resume),
:mod:`~siteplan.batch.input_hash`, :mod:`~siteplan.batch.worker_tmp`, :mod:`~siteplan.batch.headline`
and :mod:`~siteplan.batch.sigint`. The per-scenario task :func:`solve_spec` stays here (tests
replace ``runner._LAST_PLAN``).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from siteplan.batch.bookkeeping import _cleanup_tmp, _missing, _write_manifest, report_interrupt, select_todo
from siteplan.batch.dask_loop import MAX_REQUEUE, STARTED_TOPIC, _run
from siteplan.batch.folders import FAILED, FINISHED, read_status, write_scenario
from siteplan.batch.headline import _read_tree, headline
from siteplan.batch.input_hash import InputHasher, changed_inputs
from siteplan.batch.resources import BatchError, local_cores, plan_local, plan_remote
from siteplan.batch.sigint import _ignore_sigint, _restore_sigint
from siteplan.batch.sweep import ScenarioSpec, Sweep, load_sweep
from siteplan.batch.worker_tmp import TMP_PREFIX, clean_dead_worker_tmp

# --------------------------------------------------------------------------- worker side

# Last plan per dataset solved in this worker process (for --warm-start re-solves).
_LAST_PLAN: dict[str, Any] = {}


def solve_spec(spec: dict, threads: int = 1, exports: bool = False, warm_start: bool = False) -> dict:
    """Load, build and solve one scenario spec; never raises for a scenario's own failure.

    Runs on a Dask worker. Returns ``{"record": <status dict>, "files": {relative path: bytes}}``.
    With ``warm_start``, the previous plan this worker solved on the same dataset starts the MIP
    (faster re-solves of similar scenarios; the result can differ from a cold solve within the gap).
    """
    from siteplan.api import load, solve
    from siteplan.config import scenario_from_dict
    from siteplan.errors import InputError, SolveError
    from siteplan.results.folder import write_results

    t0 = time.time()
    clean_dead_worker_tmp()  # folders of workers of this host that were killed (SIGKILL, OOM)
    sp = ScenarioSpec.from_dict(spec)
    rec: dict[str, Any] = {"id": sp.id, "region": sp.region, "params": sp.params, "spec_hash": sp.spec_hash,
                           "worker": f"{socket.gethostname()}:{os.getpid()}", "threads": threads,
                           "started": t0, "status": None, "reason": "", "headline": None}
    files: dict[str, bytes] = {}
    src = Path(sp.source_file) if sp.source_file else None
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-"))  # named by pid: see clean_dead_worker_tmp
    try:
        sc = scenario_from_dict(sp.scenario, base_dir=src.parent if src else Path.cwd(), source_file=src)
        study = load(sc)
        key = str(sc.dataset)
        prev = _LAST_PLAN.get(key) if warm_start else None
        rec["warm_start"] = prev is not None
        plan = solve(study, threads=threads, warm_start=prev)
        if warm_start:
            _LAST_PLAN[key] = plan
        write_results(plan, study, tmp / "results")
        if exports:
            try:
                from siteplan.export import export_all
            except ImportError:
                pass
            else:
                export_all(plan, tmp / "results", study=study)
        files = _read_tree(tmp / "results")
        rec["headline"] = headline(plan)
        term = plan.result.termination.value
        rec["status"] = term if term in ("optimal", "time_limit") else "stopped"
        if term != "optimal":
            rec["reason"] = f"solver stopped ({plan.result.highs_status}) with a plan, gap {plan.result.gap:.4%}"
        if plan.violations:  # a failure: written for inspection, left out of the combined results
            rec["status"] = "invalid_plan"
            rec["violations"] = plan.violations
            rec["invalid_headline"], rec["headline"] = rec["headline"], None
            rec["reason"] = (f"the plan breaks {len(plan.violations)} invariant(s): "
                             + "; ".join(plan.violations[:5]))
    except InputError as exc:
        rec["status"], rec["reason"] = "input_error", f"{len(exc.problems)} input problem(s): " + "; ".join(
            str(p) for p in exc.problems[:5])
        rec["problems"] = [str(p) for p in exc.problems]
    except SolveError as exc:
        msg = str(exc)
        rec["status"] = "infeasible" if ("infeasible" in msg or "unbounded" in msg) else "no_solution"
        rec["reason"] = msg
    except Exception as exc:  # noqa: BLE001 - one scenario's bug must not stop the batch
        rec["status"], rec["reason"] = "error", f"{type(exc).__name__}: {exc}"
        files["error.txt"] = traceback.format_exc().encode()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rec["finished"] = time.time()
    rec["wall_s"] = rec["finished"] - t0
    return {"record": rec, "files": files}


# --------------------------------------------------------------------------- the batch


@dataclass
class BatchResult:
    """What a batch run produced."""

    out: Path
    records: list[dict]
    ran: int = 0
    skipped: int = 0
    elapsed_s: float = 0.0
    workers: int = 0
    threads_per_solve: int = 1
    files: dict[str, Path] = field(default_factory=dict)
    #: (scenario id, what changed) of finished scenarios re-run because their inputs changed
    changed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.records if r.get("status") not in FINISHED]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def throughput_per_min(self) -> float:
        return 60.0 * self.ran / self.elapsed_s if self.elapsed_s > 0 else float("nan")


def run_batch(sweep: str | Path | Sweep, *, out: str | Path | None = None, workers: int | None = None,
              threads_per_solve: int | None = None, scheduler: str | None = None, resume: bool = False,
              exports: bool = False, allow_oversubscribe: bool = False, progress: bool | Any = False,
              combine: bool = True, task: Callable | None = None, warm_start: bool = False,
              from_cli: bool = False) -> BatchResult:
    """Run every scenario of a sweep on Dask distributed and combine the results.

    Parameters
    ----------
    sweep : path or Sweep
        Sweep file (see :mod:`siteplan.batch.sweep`) or an already loaded sweep.
    out : path, optional
        Output folder (default ``results/batch/<sweep name>``).
    workers : int, optional
        Worker processes of the local cluster (default: cores // threads_per_solve). Ignored with
        ``scheduler``.
    threads_per_solve : int, optional
        HiGHS threads per solve (default: what fits the cores; 1 when neither is given).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:port``); default: a local cluster.
    resume : bool
        Keep finished scenarios already in ``out`` whose inputs are unchanged (same input hash in
        their ``status.json``) and run the rest; the finished ones re-run because their inputs
        changed are listed in ``BatchResult.changed`` and by the progress. Without it, an ``out``
        that already holds results of this sweep is an error.
    exports : bool
        Also write maps and the report of every scenario.
    progress : bool or Progress
        Show a progress bar and a summary (True), or report to the given object.
    combine : bool
        Write ``batch.nc``, ``batch.csv``, ``batch_sites.csv`` and ``batch.png`` at the end.
    task : callable, optional
        Replaces :func:`solve_spec` (same signature); for tests.
    warm_start : bool
        Start each solve from the previous plan the same worker solved on the same dataset.
        Faster for sweeps of small changes; plans may then differ from cold solves within the gap.
    from_cli : bool
        Messages name the command line's options (``--out``, ``--resume``) instead of the arguments.

    Returns
    -------
    BatchResult
    """
    from siteplan.batch.progress import NullProgress, Progress

    sw = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)
    out = Path(out) if out is not None else Path("results") / "batch" / sw.name
    out.mkdir(parents=True, exist_ok=True)
    _cleanup_tmp(out)
    todo, skipped, changed, inputs = select_todo(sw, out, resume, from_cli)

    prog = progress if not isinstance(progress, bool) else (Progress() if progress else NullProgress())
    t_start = time.time()
    n_workers, threads = 0, threads_per_solve or 1
    interrupted, sigint = False, None
    if todo:
        n_workers, threads, interrupted, sigint = _run_on_cluster(
            sw, todo, out, prog, skipped=skipped, changed=changed, inputs=inputs, workers=workers,
            threads_per_solve=threads_per_solve, scheduler=scheduler, resume=resume, exports=exports,
            allow_oversubscribe=allow_oversubscribe, task=task or solve_spec, warm_start=warm_start)
    else:
        prog.start(total=len(sw.specs), skipped=skipped, todo=0, workers=0, threads=threads, changed=changed)
    if interrupted:
        try:
            report_interrupt(sw, out, prog)
        finally:
            _restore_sigint(sigint)
        raise KeyboardInterrupt
    elapsed = time.time() - t_start
    records = [read_status(out, s.id) or _missing(s) for s in sw.specs]
    res = BatchResult(out, records, ran=len(todo), skipped=skipped, elapsed_s=elapsed, workers=n_workers,
                      threads_per_solve=threads, changed=changed)
    if combine:
        from siteplan.batch.combine import combine_batch

        res.files = combine_batch(out, sw)
    prog.finish(res)
    return res


def _run_on_cluster(sw: Sweep, todo: list[ScenarioSpec], out: Path, prog, *, skipped: int,
                    changed: list[tuple[str, str]], inputs: dict[str, dict], workers: int | None,
                    threads_per_solve: int | None, scheduler: str | None, resume: bool, exports: bool,
                    allow_oversubscribe: bool, task: Callable, warm_start: bool):
    """Start (or join) the cluster, run ``todo`` on it and shut it down.

    Returns ``(workers, threads per solve, interrupted, previous SIGINT handler or None)``.
    """
    import dask
    from distributed import Client, LocalCluster, as_completed

    n_workers, threads = 0, threads_per_solve or 1
    interrupted, sigint = False, None
    # A task whose worker dies while running it is not retried elsewhere: it is recorded as failed
    # (KilledWorker). Dask also fails the tasks only queued on that worker; _run re-submits those.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = client = None
        try:
            if scheduler:
                client = Client(scheduler, timeout="30s")
                client.wait_for_workers(1, timeout=120)
                n_workers, threads = plan_remote(client, threads_per_solve, allow_oversubscribe)
            else:
                n_workers, threads = plan_local(workers, threads_per_solve, local_cores(), len(todo),
                                                allow_oversubscribe)
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=":0", silence_logs=40,
                                       preload=["siteplan.batch.worker_setup"])  # workers ignore Ctrl-C
                client = Client(cluster)
            _write_manifest(out, sw, scheduler, n_workers, threads, resume)
            prog.start(total=len(sw.specs), skipped=skipped, todo=len(todo), workers=n_workers, threads=threads,
                       changed=changed)
            _run(client, todo, out, threads, exports, task, prog, as_completed, warm_start, inputs)
        except KeyboardInterrupt:
            interrupted = True
            sigint = _ignore_sigint()  # a second Ctrl-C must not break the shutdown into tracebacks
        finally:
            try:
                if client is not None:
                    client.close()
                if cluster is not None:
                    cluster.close()
            finally:
                _cleanup_tmp(out)
                if not scheduler:
                    clean_dead_worker_tmp()
    return n_workers, threads, interrupted, sigint


__all__ = ["run_batch", "solve_spec", "BatchResult", "BatchError", "FINISHED", "FAILED", "read_status",
           "write_scenario", "headline", "plan_local", "plan_remote", "InputHasher", "changed_inputs",
           "clean_dead_worker_tmp", "local_cores", "TMP_PREFIX", "STARTED_TOPIC", "MAX_REQUEUE"]
