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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from siteplan.batch.folders import FAILED, FINISHED, read_status, write_scenario
from siteplan.batch.sweep import ScenarioSpec, Sweep, load_sweep

#: Prefix of a worker's private temporary folder: ``siteplan-batch-<worker pid>-<random>``.
TMP_PREFIX = "siteplan-batch-"
#: Dask event topic on which a task says it started (so a dead worker's queued tasks are re-run).
STARTED_TOPIC = "siteplan-batch-started"
#: Times a scenario that never started is re-scheduled after its worker died.
MAX_REQUEUE = 3


class BatchError(RuntimeError):
    """The batch cannot start (resources, output folder, cluster)."""


# --------------------------------------------------------------------------- worker side


def headline(plan) -> dict:
    """Headline figures of a plan (plain floats), the same for every region."""
    ds, r = plan.ds, plan.result
    sites = plan.sites
    return {
        "objective_usd_per_yr": float(r.objective),
        "best_bound_usd_per_yr": float(r.best_bound),
        "mip_gap": float(r.gap),
        "termination": r.termination.value,
        "open_sites": int(ds["open"].sum()),
        "it_mw": float(ds["it_mw"].sum()),
        "compute_h100e": float(ds["compute_h100e"].sum()),
        "gpus": float(ds["gpus"].sum()),
        "demand_h100e": float(ds["demand_h100e"].sum()),
        "unmet_h100e": float(ds["unmet_h100e"].sum()),
        "emissions_t_per_yr": float(ds["emissions_t_per_yr"].sum()),
        "water_m3_per_yr": float(ds["water_m3_per_yr"].sum()),
        "interconnect_mw": float(sites["interconnect_mw"].sum()),
        "onsite_mw": float(sites["onsite_mw"].sum()),
        "cost_usd_per_yr": {str(c): float(v) for c, v in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values)},
        "timings_s": {"prepare": r.timings.prepare_s, "build": r.timings.build_s, "handoff": r.timings.handoff_s,
                      "solve": r.timings.solve_s, "extract": r.timings.extract_s, "total": r.timings.total_s},
        "size": {"rows": r.num_rows, "cols": r.num_cols, "integer_cols": r.num_integer, "nonzeros": r.num_nonzeros},
    }


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


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
    from siteplan.results import write_results

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


# --------------------------------------------------------- results folders (see also siteplan.batch.folders)


def _cleanup_tmp(out: Path) -> None:
    folder = Path(out) / "scenarios"
    if folder.is_dir():
        for p in folder.iterdir():
            if p.name.startswith((".tmp-", ".old-")):
                shutil.rmtree(p, ignore_errors=True)


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


# --------------------------------------------------------------------------- input hashes


class InputHasher:
    """Content hashes of the inputs of scenarios, each file read once per instance (one batch run).

    A scenario's inputs are its resolved scenario mapping (after overrides and the sweep's values:
    ``spec_hash``), every regular file of its dataset folder and its catalog file. Contents are
    hashed (SHA-256), not sizes and times: an edit that keeps a file's size and time is seen.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] = {}

    def file_hash(self, path: Path) -> str:
        """SHA-256 (first 16 hex digits) of a file's bytes, ``missing`` or ``not a regular file``."""
        key = str(path)
        if key not in self._files:
            try:
                st = os.stat(path)
            except OSError:
                self._files[key] = "missing"
                return self._files[key]
            if not stat.S_ISREG(st.st_mode):  # never open a FIFO or device (it could block or never end)
                self._files[key] = "not a regular file"
                return self._files[key]
            h = hashlib.sha256()
            try:
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                self._files[key] = h.hexdigest()[:16]
            except OSError as exc:
                self._files[key] = f"unreadable ({exc.strerror or exc})"
        return self._files[key]

    def inputs(self, spec: ScenarioSpec) -> dict[str, str]:
        """Input name -> hash: ``scenario``, ``catalog`` and ``dataset/<file>`` for each dataset file."""
        out = {"scenario": spec.spec_hash}
        catalog = spec.scenario.get("catalog")
        if isinstance(catalog, str):
            out["catalog"] = self.file_hash(Path(catalog))
        dataset = spec.scenario.get("dataset")
        if isinstance(dataset, str):
            folder = Path(dataset)
            try:
                names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
            except OSError:
                names = []
                out["dataset"] = "missing"
            for name in names:
                if (folder / name).is_dir():
                    continue
                out[f"dataset/{name}"] = self.file_hash(folder / name)
        return out

    def record(self, spec: ScenarioSpec) -> dict:
        """``{"input_hash": ..., "inputs": {...}}`` for a scenario's ``status.json``."""
        inputs = self.inputs(spec)
        digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]
        return {"input_hash": digest, "inputs": inputs}


def changed_inputs(old: dict | None, new: dict) -> str:
    """Why a finished scenario's recorded inputs differ from today's (empty if they do not).

    Parameters
    ----------
    old : dict or None
        The ``status.json`` record of the finished scenario.
    new : dict
        :meth:`InputHasher.record` of the scenario now.

    Returns
    -------
    str
    """
    if not old:
        return ""
    if old.get("input_hash") == new["input_hash"]:
        return ""
    before = old.get("inputs")
    if not isinstance(before, dict):
        return "no input hashes recorded (an older siteplan wrote it)"
    after = new["inputs"]
    names = sorted(set(before) | set(after))
    bits = []
    for n in names:
        if n not in before:
            bits.append(f"{n} added")
        elif n not in after:
            bits.append(f"{n} removed")
        elif before[n] != after[n]:
            bits.append("the scenario's values changed" if n == "scenario" else f"{n} changed")
    return ", ".join(bits) or "inputs changed"


# --------------------------------------------------------------------------- resources


def local_cores() -> int:
    """Cores this process may use (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def plan_local(workers: int | None, threads: int | None, cores: int, n_tasks: int,
               allow_oversubscribe: bool = False) -> tuple[int, int]:
    """Workers and solver threads for a local cluster; by default workers x threads <= cores."""
    if workers is not None and workers < 1 or threads is not None and threads < 1:
        raise BatchError("--workers and --threads-per-solve must be >= 1")
    if workers is None and threads is None:
        threads = 1
    if workers is None:
        workers = max(1, cores // threads)
    if threads is None:
        threads = max(1, cores // workers)
    workers = max(1, min(workers, n_tasks)) if n_tasks else 1
    if workers * threads > cores and not allow_oversubscribe:
        raise BatchError(f"{workers} workers x {threads} solver threads = {workers * threads} > {cores} cores; "
                         "lower --workers or --threads-per-solve (or pass --allow-oversubscribe)")
    return workers, threads


def plan_remote(client, threads: int | None, allow_oversubscribe: bool = False) -> tuple[int, int]:
    """Solver threads on an existing cluster: per host, Dask threads x solver threads <= host cores."""
    info = client.scheduler_info(n_workers=-1)["workers"] if _accepts_n_workers(client) else client.scheduler_info()["workers"]
    hosts = client.run(lambda: (socket.gethostname(), local_cores()))
    per_host: dict[str, list[int]] = {}
    for addr, (host, cores) in hosts.items():
        per_host.setdefault(host, [cores, 0])[1] += int(info[addr]["nthreads"])
    if threads is None:
        threads = max(1, min(c // max(n, 1) for c, n in per_host.values()))
    for host, (cores, n) in sorted(per_host.items()):
        if n * threads > cores and not allow_oversubscribe:
            raise BatchError(f"host {host}: {n} Dask worker threads x {threads} solver threads > {cores} cores; "
                             "lower --threads-per-solve (or pass --allow-oversubscribe)")
    return sum(int(w["nthreads"]) for w in info.values()), threads


def _accepts_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


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
    import dask
    from distributed import Client, LocalCluster, as_completed

    from siteplan.batch.progress import NullProgress, Progress

    sw = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)
    out = Path(out) if out is not None else Path("results") / "batch" / sw.name
    out.mkdir(parents=True, exist_ok=True)
    _cleanup_tmp(out)

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

    prog = progress if not isinstance(progress, bool) else (Progress() if progress else NullProgress())
    t_start = time.time()
    n_workers, threads = 0, threads_per_solve or 1
    interrupted, sigint = False, None
    if todo:
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
                _run(client, todo, out, threads, exports, task or solve_spec, prog, as_completed, warm_start,
                     inputs)
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
    else:
        prog.start(total=len(sw.specs), skipped=skipped, todo=0, workers=0, threads=threads, changed=changed)
    if interrupted:
        try:
            done = [read_status(out, s.id) for s in sw.specs]
            ok = sum(1 for r in done if r and r.get("status") in FINISHED)
            failed = sum(1 for r in done if r and r.get("status") not in FINISHED)
            hint = f"siteplan batch {sw.source_file} --out {out} --resume"
            prog.interrupted(finished=ok, failed=failed, not_run=len(sw.specs) - ok - failed, resume=hint)
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


def _ignore_sigint():
    if threading.current_thread() is threading.main_thread():
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    return None


def _restore_sigint(previous) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, previous)


def _missing(s: ScenarioSpec) -> dict:
    return {"id": s.id, "region": s.region, "params": s.params, "status": "missing", "reason": "not run",
            "headline": None}


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


__all__ = ["run_batch", "solve_spec", "BatchResult", "BatchError", "FINISHED", "FAILED", "read_status",
           "write_scenario", "headline", "plan_local", "plan_remote", "InputHasher", "changed_inputs",
           "clean_dead_worker_tmp"]
