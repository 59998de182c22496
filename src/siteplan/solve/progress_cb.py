"""HiGHS callbacks a solve subscribes: progress lines, and the stop at a target decision gap.

Subscribed by :func:`siteplan.solve.run.solve_model`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy
import numpy as np

from siteplan.solve.solve_result import CompiledModel


PROGRESS_EVERY_S = 15.0  # seconds between branch-and-bound progress lines


def _report_progress(h: highspy.Highs, cm: CompiledModel, progress: Callable[[str], None], time_limit_s: float,
                     gap: float, t_start: float, decision_gap: float | None = None) -> None:
    """Subscribe ``progress`` to HiGHS's improving-solution and (throttled) MIP callbacks."""
    n_int = int(cm.integrality.sum())
    progress(f"HiGHS: {cm.A.shape[0]:,} rows x {len(cm.columns):,} columns ({n_int:,} integer), "
             f"time limit {time_limit_s:g} s, target gap {gap:.2%}"
             + (f", decision gap {decision_gap:.2%}" if decision_gap is not None else ""))
    if not n_int:
        return
    last = [time.perf_counter()]

    def line(d, what: str) -> str:
        bound = (f"bound {d.mip_dual_bound:,.0f}, gap {d.mip_gap:.2%}" if np.isfinite(d.mip_dual_bound)
                 and np.isfinite(d.mip_gap) else "no bound yet")
        return (f"HiGHS after {time.perf_counter() - t_start:.1f} s: {what}, objective {d.mip_primal_bound:,.0f} USD/yr, "
                f"{bound}, {d.mip_node_count:,} nodes")

    def improving(e):
        last[0] = time.perf_counter()
        progress(line(e.data_out, "better plan"))

    def interrupt(e):
        if time.perf_counter() - last[0] >= PROGRESS_EVERY_S and np.isfinite(e.data_out.mip_primal_bound):
            last[0] = time.perf_counter()
            progress(line(e.data_out, "best plan"))

    h.cbMipImprovingSolution.subscribe(improving)
    h.cbMipInterrupt.subscribe(interrupt)


def _stop_on_decision_gap(h: highspy.Highs, cm: CompiledModel, target: float | None,
                          unavoidable: float | None) -> list | None:
    """Interrupt HiGHS once the gap on the avoidable cost reaches ``target``; returns a flag list
    (``[True]`` once it did) or None when there is nothing to watch."""
    if target is None or unavoidable is None or not np.isfinite(unavoidable) or not cm.integrality.any():
        return None
    met = []

    def check(e):
        d = e.data_out
        pb, db = d.mip_primal_bound, d.mip_dual_bound
        if np.isfinite(pb) and np.isfinite(db) and pb - db <= target * (pb - unavoidable) + 1e-9 * max(1.0, abs(pb)):
            if not met:
                met.append(True)
            e.interrupt()
    h.cbMipInterrupt.subscribe(check)
    return met
