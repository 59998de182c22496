"""Ctrl-C during a solve: stop HiGHS promptly and keep the best plan it has found.

HiGHS runs in C++ with Python's GIL released, and Python handles a SIGINT only when the main thread
runs Python code: a Ctrl-C during ``h.run()`` took effect when HiGHS returned (at its time limit),
or inside a progress callback, where the ``KeyboardInterrupt`` aborted the solve and the incumbent
was lost ("Solve error"). :func:`run` runs HiGHS on a second thread while the main thread waits in
short steps; a Ctrl-C there asks HiGHS to stop at its next interrupt check (each simplex and
interior-point iteration, each MIP node), which keeps its incumbent, and records the request
(:func:`requested`), so that later stages skip their own solves (root cuts, starts, duals,
alternatives) and the plan is marked ``interrupted``. A second Ctrl-C while siteplan writes the
results raises ``KeyboardInterrupt`` as usual (the results folder is written atomically).

Between HiGHS runs (preparing, compiling the model, reading the solution) :func:`catching` turns
Ctrl-C into the same request, which the next HiGHS run honours at once (a start it was given is
still read: the plan, if any, is that start). A second Ctrl-C raises ``KeyboardInterrupt``.

Off the main thread (a Dask worker's task thread, a user's thread) signals never reach the solve:
:func:`run` calls ``h.run()`` directly there and :func:`catching` does nothing.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

__all__ = ["run", "requested", "request", "clear", "catching"]

_MESSAGE = ("interrupted: stopping the solver and keeping the best plan found so far "
            "(Ctrl-C again aborts)")

_REQUESTED = threading.Event()
WAIT_STEP_S = 0.05  # the main thread's wait step: how soon a Ctrl-C reaches HiGHS


def requested() -> bool:
    """Whether the user interrupted a solve since the last :func:`clear`."""
    return _REQUESTED.is_set()


def request() -> None:
    """Ask the running and every later solve to stop, as a Ctrl-C does (for API users and tests)."""
    _REQUESTED.set()


def clear() -> None:
    """Forget an earlier interrupt (a new study starts)."""
    _REQUESTED.clear()


def _stop_if_requested(e) -> None:
    if _REQUESTED.is_set():
        e.interrupt()


def run(h) -> bool:
    """Run ``h`` (a ``highspy.Highs``) so that Ctrl-C stops it and keeps its incumbent.

    Returns
    -------
    bool
        True when the solve was interrupted (by Ctrl-C or :func:`request`), before or during it.
    """
    for cb in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        cb.subscribe(_stop_if_requested)
    try:
        if threading.current_thread() is not threading.main_thread():
            h.run()
            return _REQUESTED.is_set()
        done = threading.Event()
        failure: list = []

        def solve() -> None:
            try:
                h.run()
            except BaseException as exc:  # re-raised on the main thread
                failure.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=solve, name="siteplan-highs", daemon=True)
        worker.start()
        while not done.is_set():
            try:
                done.wait(WAIT_STEP_S)
            except KeyboardInterrupt:
                if not _REQUESTED.is_set():
                    print(_MESSAGE, file=sys.stderr, flush=True)
                _REQUESTED.set()
        worker.join()
        if failure:
            raise failure[0]
        return _REQUESTED.is_set()
    finally:
        for cb in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
            cb.unsubscribe(_stop_if_requested)


@contextmanager
def catching():
    """Within the block, the first Ctrl-C (SIGINT) is a stop request (:func:`request`) instead of a
    ``KeyboardInterrupt``; a second one raises it. Only on the main thread (else nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum, frame):
        if _REQUESTED.is_set():
            raise KeyboardInterrupt
        print(_MESSAGE, file=sys.stderr, flush=True)
        _REQUESTED.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
