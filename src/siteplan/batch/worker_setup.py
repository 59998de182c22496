"""Dask worker preload for batch runs: a worker ignores SIGINT.

A Ctrl-C in a terminal reaches every process of the foreground group: the runner and each local
worker. The runner stops the batch and shuts the cluster down; workers that also received the
signal would each die with a ``KeyboardInterrupt`` traceback. Loaded with the cluster's
``preload`` option, this makes workers leave the interrupt to the runner.
"""

from __future__ import annotations

import signal
import threading


def dask_setup(worker) -> None:
    """Ignore SIGINT in this worker process (called by Dask when the worker starts).

    Parameters
    ----------
    worker : distributed.Worker
        The starting worker (unused).
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
