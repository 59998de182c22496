"""Ctrl-C during a batch's shutdown: a second one is ignored, then the handler is restored."""

from __future__ import annotations

import signal
import threading


def _ignore_sigint():
    if threading.current_thread() is threading.main_thread():
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    return None


def _restore_sigint(previous) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, previous)
