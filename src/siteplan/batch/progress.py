"""Terminal progress for a batch: a bar with counts, failures and ETA, and a summary table."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


def _dur(s: float) -> str:
    if s != s or s == float("inf"):  # NaN / inf
        return "?"
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m{sec:02d}s" if h else f"{m}m{sec:02d}s" if m else f"{sec}s"


class NullProgress:
    """Reports nothing (library use)."""

    def start(self, **kw) -> None:
        pass

    def update(self, record: dict) -> None:
        pass

    def interrupted(self, **kw) -> None:
        pass

    def finish(self, result) -> None:
        pass


class Progress(NullProgress):
    """A one-line bar redrawn in place on a terminal, one line per scenario otherwise.

    ``[#########...........] 5/12 done (2 skipped) | 1 failed | 2 running | 1m20s elapsed | ETA 2m05s``
    The ETA is the mean time per scenario finished in this run x the scenarios left.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 24, summary: bool = True):
        self.stream = stream or sys.stderr
        self.width = width
        self.summary = summary
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def start(self, total: int, skipped: int, todo: int, workers: int, threads: int,
              changed: list[tuple[str, str]] | None = None) -> None:
        self.total, self.skipped, self.todo = total, skipped, todo
        self.done = self.failed = 0
        self.t0 = time.time()
        where = f"{workers} worker(s) x {threads} solver thread(s)" if todo else "nothing to run"
        self._line(f"batch: {total} scenario(s), {skipped} already finished, {todo} to run on {where}", final=True)
        if changed:
            self._line(f"re-running {len(changed)} finished scenario(s) whose inputs changed:", final=True)
            for sid, why in changed[:20]:
                self._line(f"  {sid}: {why}", final=True)
            if len(changed) > 20:
                self._line(f"  ... and {len(changed) - 20} more", final=True)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if todo:
            self._draw()
            if self.tty:  # keep the clock and ETA moving between completions
                threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._draw()

    def update(self, record: dict) -> None:
        from siteplan.batch.folders import FINISHED

        self.done += 1
        if record.get("status") not in FINISHED:
            self.failed += 1
            if self.tty:
                self._line(f"  FAILED {record['id']}: {record.get('status')}: {record.get('reason', '')[:200]}",
                           final=True)
        if not self.tty:
            self._line(f"  [{self.done + self.skipped}/{self.total}] {record['id']}: {record.get('status')}"
                       + (f" ({record.get('reason', '')[:200]})" if record.get("status") not in FINISHED else ""),
                       final=True)
        self._draw()

    def _draw(self) -> None:
        if not self.tty or self._stop.is_set():
            return
        with self._lock:
            self._draw_locked()

    def _draw_locked(self) -> None:
        n = self.done + self.skipped
        frac = n / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        elapsed = time.time() - self.t0
        left = self.todo - self.done
        eta = elapsed / self.done * left if self.done else float("nan")
        txt = (f"[{'#' * fill}{'.' * (self.width - fill)}] {n}/{self.total} done"
               + (f" ({self.skipped} skipped)" if self.skipped else "")
               + f" | {self.failed} failed | {left} left | {_dur(elapsed)} elapsed | ETA {_dur(eta) if left else '0s'}")
        self.stream.write("\r\033[K" + txt)
        self.stream.flush()

    def _line(self, txt: str, final: bool = False) -> None:
        lock = getattr(self, "_lock", None) or threading.Lock()
        with lock:
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(txt + "\n")
            self.stream.flush()

    def interrupted(self, finished: int = 0, failed: int = 0, not_run: int = 0, resume: str = "") -> None:
        """One line: how many scenarios have a result (kept), how many not, and how to go on."""
        if hasattr(self, "_stop"):
            self._stop.set()
        total = finished + failed + not_run
        self._line(f"interrupted: {finished + failed} of {total} scenario(s) done and kept ({finished} with a plan, "
                   f"{failed} failed), {not_run} not run; to complete the batch: {resume or 'rerun with --resume'}",
                   final=True)

    def finish(self, result) -> None:
        if hasattr(self, "_stop"):
            self._stop.set()
        if self.tty and self.todo:
            self.stream.write("\n")
        if self.summary:
            self.stream.write(summary_table(result.records) + "\n")
        rate = f", {result.throughput_per_min:.2f} scenarios/min" if result.ran else ""
        nfail = len(result.failed)
        self.stream.write(f"{len(result.records)} scenario(s): {len(result.records) - nfail} with a plan, "
                          f"{nfail} failed; ran {result.ran} in {_dur(result.elapsed_s)}{rate} "
                          f"({result.workers} worker(s) x {result.threads_per_solve} thread(s))\n")
        for name, p in sorted(result.files.items()):
            self.stream.write(f"  {name}: {p}\n")
        self.stream.flush()


def _fmt_usd_m(x) -> str:
    return "-" if x is None or x != x else f"{x / 1e6:,.1f}"


def summary_table(records: list[dict]) -> str:
    """One row per scenario: region, swept values, status, cost, IT MW, open sites, unmet, gap, time."""
    keys: list[str] = []
    for r in records:
        for k in r.get("params", {}):
            if k not in keys:
                keys.append(k)
    from siteplan.batch.sweep import _fmt_value, short_names

    short = short_names(keys)
    head = ["region"] + [short[k] for k in keys] + ["status", "cost $M/yr", "IT MW", "sites", "unmet H100e",
                                                   "gap", "time"]
    rows = []
    for r in records:
        h = r.get("headline") or {}
        rows.append([r.get("region", "")] + [_fmt_value(r.get("params", {}).get(k, "")) for k in keys] + [
            r.get("status", ""), _fmt_usd_m(h.get("objective_usd_per_yr")),
            f"{h['it_mw']:,.1f}" if h else "-", str(h["open_sites"]) if h else "-",
            f"{h['unmet_h100e']:,.0f}" if h else "-", f"{h['mip_gap']:.2%}" if h else "-",
            _dur(r["wall_s"]) if r.get("wall_s") is not None else "-"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    numeric = set(range(len(head) - 6, len(head)))
    fmt = lambda row: "  ".join(str(x).rjust(w) if i in numeric else str(x).ljust(w)  # noqa: E731
                                for i, (x, w) in enumerate(zip(row, widths)))
    lines = [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]
    fails = [r for r in records if r.get("status") not in ("optimal", "time_limit", "stopped")]
    if fails:
        lines.append("failures:")
        lines += [f"  {r['id']}: {r.get('status')}: {r.get('reason', '')[:300]}" for r in fails]
    return "\n".join(lines)
