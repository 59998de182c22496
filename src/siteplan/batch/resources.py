"""Workers and solver threads of a batch, on a local cluster or an existing one (per host: Dask
threads x solver threads <= cores, unless oversubscribing is allowed)."""

from __future__ import annotations

import os
import socket


class BatchError(RuntimeError):
    """The batch cannot start (resources, output folder, cluster)."""


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
