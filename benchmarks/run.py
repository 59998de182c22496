"""Benchmark siteplan against the HiGHS floor: one command, a Markdown table and a CSV.

    python benchmarks/run.py --sizes small,medium,large --studies models/example.yaml,models/texas.yaml \\
        --out docs/performance.md

For every study (generated sizes from ``benchmarks/generate.py``, and scenario files):

1. **siteplan**, in a fresh process: ``siteplan.load`` -> ``prepare`` -> ``build_model`` ->
   ``solve_built`` (hand-off, HiGHS, plan extraction), each stage timed with ``perf_counter``; peak
   memory is the process's peak resident set (``VmHWM`` from ``/proc/self/status``, read after each
   stage; not ``ru_maxrss``, which Linux carries over from the parent across fork+exec), so it
   includes the interpreter and imported libraries.
2. Inside that run, the matrix HiGHS is about to solve is written as MPS (and the HiGHS options as
   an options file) at the moment siteplan calls ``Highs.run`` on the MIP, so the floor sees exactly
   what siteplan hands to HiGHS, including rows siteplan's root cut loop added. The write time is
   subtracted from siteplan's HiGHS time.
3. **floor**, in a fresh ``python -c`` process that imports only ``highspy``: read the MPS and the
   options file, set the same time limit, ``run()``; its run time and peak resident set.

Reported: rows/cols/nonzeros, load/prepare/build/hand-off/HiGHS/extract seconds, total (load to
Plan), floor, ``total / floor``, ``(build + hand-off) / HiGHS``, peak memory of both processes,
objective, bound and gap of both. Studies run one after the other in one invocation, so ratios are
taken side by side on the same (noisy, shared) machine. No number here is an assertion.

With ``--periods 1,3,5`` every study also runs as a build-out (``docs/buildout.md``) over its first 1, 3
and 5 periods of :data:`BUILDOUT_PERIODS` (labels ``<study>-<n>p``): the same stages through
``prepare_periods`` -> ``build_buildout_model`` -> ``solve_built_buildout``, the same floor.

With ``--section NAME`` only the block between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` of
``--out`` is replaced (the rest of the file is kept), so several runs can share one document.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Generated sizes: arguments of generate.generate (sites, regions, slices, substations scale independently).
SIZES = {
    "tiny": dict(sites=6, regions=3, slices=2, substations=5, pops=5, stations=3),
    "small": dict(sites=30, regions=5, slices=6, substations=12, pops=10, stations=5),
    "medium": dict(sites=300, regions=20, slices=12, substations=80, pops=30, stations=20),
    "large": dict(sites=1000, regions=50, slices=24, substations=250, pops=60, stations=30),
    "national": dict(sites=2000, regions=100, slices=48, substations=500, pops=120, stations=50, box="us"),
}

# Build-out periods for --periods: texas_buildout's three (LBNL 2024 demand path), then two 4-year
# periods at its 2032 demand (a benchmark shape, not a forecast).
BUILDOUT_START_YEAR = 2026
BUILDOUT_PERIODS = [
    {"year": 2027, "length_yr": 2, "demand_scale": 0.57},
    {"year": 2029, "length_yr": 3, "demand_scale": 0.83},
    {"year": 2032, "length_yr": 4, "demand_scale": 1.28},
    {"year": 2036, "length_yr": 4, "demand_scale": 1.28},
    {"year": 2040, "length_yr": 4, "demand_scale": 1.28},
]


def buildout_values(n: int) -> dict:
    """``set_values`` that turn a single-period scenario into a build-out over the first ``n`` periods."""
    if not 1 <= n <= len(BUILDOUT_PERIODS):
        raise ValueError(f"--periods: {n} is not between 1 and {len(BUILDOUT_PERIODS)}")
    return {"start_year": BUILDOUT_START_YEAR, "periods": BUILDOUT_PERIODS[:n], "horizon_yr": None,
            "rack_types": None, "bridging": {"rent": True}}


COLUMNS = [
    "study", "periods", "size", "status", "rows", "cols", "nonzeros", "integers",
    "load_s", "prepare_s", "build_s", "start_s", "handoff_s", "highs_s", "loadback_s", "extract_s", "total_s",
    "floor_read_s", "floor_s", "total_over_floor", "build_handoff_over_highs",
    "peak_mb", "import_mb", "floor_peak_mb", "peak_over_floor_peak",
    "objective", "bound", "gap", "decision_gap", "nodes", "root_cuts",
    "floor_status", "floor_objective", "floor_bound", "floor_gap", "floor_nodes",
    "time_limit_s", "mip_rel_gap", "threads", "mps_write_s", "floor_matrix", "handoff_and_cut_loop_s",
    "load_cpu_s", "prepare_cpu_s", "build_cpu_s", "handoff_cpu_s", "highs_cpu_s", "total_cpu_s", "floor_cpu_s",
    "total_over_floor_cpu", "build_handoff_over_highs_cpu",
]

MEMORY = "VmHWM"
MACHINE = None  # machine() at the start of the run (the commit measured, not the one at the end)


# --------------------------------------------------------------------------- workers (fresh processes)

def _maxrss_mb() -> float:
    """Peak resident set of this process so far (MB): VmHWM, else ru_maxrss.

    Not ``ru_maxrss`` where /proc exists: Linux carries ru_maxrss across fork+exec, so a child
    would report at least its parent's peak. VmHWM belongs to the process image and starts afresh.
    """
    try:
        with open("/proc/self/status") as fh:
            for ln in fh:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def worker_siteplan(scenario: str, set_values: dict, mps: str, opts: str, out: str) -> None:
    """Run the siteplan pipeline, writing the MIP handed to HiGHS as MPS; results as JSON to ``out``."""
    rss = {"start": _maxrss_mb()}
    import highspy

    import siteplan
    from siteplan.prepare import prepare
    from siteplan.solve import highs as sph, run as spr  # solve_model looks compile_model up in siteplan.solve.run

    rss["imports"] = _maxrss_mb()
    cpu = time.process_time  # all threads of the process (HiGHS's too)
    written = {"write_s": 0.0, "write_cpu_s": 0.0, "n": 0, "compile_cpu_s": 0.0, "pass_cpu_s": 0.0,
               "run_cpu_s": 0.0, "run_s": 0.0}
    orig_compile, orig_highs, orig_run = spr.compile_model, sph.load_highs, highspy.Highs.run

    def timed_compile(m):
        c = cpu()
        try:
            return orig_compile(m)
        finally:
            written["compile_cpu_s"] += cpu() - c

    t_start = time.perf_counter()

    def progress(msg):  # a line per event, kept if the process is killed
        try:
            with open(out + ".log", "a") as fh:
                fh.write(f"{time.perf_counter() - t_start:9.1f} s  rss {_maxrss_mb():8.0f} MB  {msg}\n")
        except OSError:
            pass

    def tagging_highs(cm, options):  # same dict object passed through: solve_model's behaviour is unchanged
        c = cpu()
        h = orig_highs(cm, options)
        h._bench_mip = bool(cm.integrality.any()) and not written.get("in_start")  # a build-out's start solves periods alone
        if h._bench_mip:
            written["pass_cpu_s"] += cpu() - c
            if not written.get("base"):
                # the compiled model before any root cuts / MIP start: the floor's matrix if siteplan
                # never reaches Highs.run on the MIP (e.g. killed at the time limit)
                t, c = time.perf_counter(), cpu()
                written["t_handoff"] = t  # hand-off (compile + pass to HiGHS) ends here
                h.writeModel(mps + ".base.mps")
                h.writeOptions(opts + ".base")
                written.update(base=True, base_write_s=time.perf_counter() - t)
                written["write_cpu_s"] += cpu() - c
                progress(f"hand-off done: {h.getNumRow()} rows, {h.getNumCol()} cols, {h.getNumNz()} nonzeros")
        return h

    def writing_run(self, *a, **k):
        c = cpu()
        if not getattr(self, "_bench_mip", False):  # e.g. the LP relaxations of a root cut loop
            progress(f"LP run starts ({self.getNumRow()} rows)")
            try:
                return orig_run(self, *a, **k)
            finally:
                written["run_cpu_s"] += cpu() - c
                progress(f"LP run ends: {self.modelStatusToString(self.getModelStatus())}")
        t = time.perf_counter()
        self.writeModel(mps)
        self.writeOptions(opts)
        written["write_s"] += time.perf_counter() - t
        written["write_cpu_s"] += cpu() - c
        written["n"] += 1
        t, c = time.perf_counter(), cpu()
        tl = self.getOptionValue("time_limit")
        tl = tl[-1] if isinstance(tl, tuple) else tl  # (status, value) in highspy 1.16
        progress(f"MIP run starts ({self.getNumRow()} rows, time limit {tl:.1f} s)")
        try:
            return orig_run(self, *a, **k)
        finally:  # kept for the record when solve_built raises (e.g. no incumbent at the time limit)
            progress(f"MIP run ends: {self.modelStatusToString(self.getModelStatus())}")
            written["run_s"] += time.perf_counter() - t
            written["run_cpu_s"] += cpu() - c
            written.update(rows=self.getNumRow(), cols=self.getNumCol(), nonzeros=self.getNumNz(),
                           highs_status=self.modelStatusToString(self.getModelStatus()))

    spr.compile_model = timed_compile
    sph.load_highs = tagging_highs  # every HiGHS instance of the solve stage is made through it
    highspy.Highs.run = writing_run
    from siteplan.solve import buildout_start as bst

    orig_start = bst.myopic_start

    def timed_start(*a, **k):  # a build-out's start: its single-period solves are neither hand-off nor the MIP
        written["in_start"] = True
        t, c = time.perf_counter(), cpu()
        progress("build-out start (periods solved alone) begins")
        try:
            return orig_start(*a, **k)
        finally:
            written["in_start"] = False
            written["start_s"] = written.get("start_s", 0.0) + time.perf_counter() - t
            written["start_cpu_s"] = written.get("start_cpu_s", 0.0) + cpu() - c
            progress(f"build-out start ends ({written['start_s']:.1f} s)")

    bst.myopic_start = timed_start

    for f in (out + ".log", mps + ".base.mps", opts + ".base"):
        Path(f).unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), cpu()
    study = siteplan.load(scenario, set_values=set_values)
    t1, c1 = time.perf_counter(), cpu()
    rss["load"] = _maxrss_mb()
    buildout = bool(study.scenario.periods)
    if buildout:
        from siteplan.buildout import solve_built_buildout
        from siteplan.model.periods import build_buildout_model
        from siteplan.prepare.periods import prepare_periods

        preps = prepare_periods(study.scenario, study.dataset, study.catalog)
        prep = preps[0]
    else:
        prep = prepare(study.scenario, study.dataset, study.catalog)
    t2, c2 = time.perf_counter(), cpu()
    rss["prepare"] = _maxrss_mb()
    m = build_buildout_model(preps) if buildout else siteplan.build_model(prep)
    t3, c3 = time.perf_counter(), cpu()
    rss["build"] = _maxrss_mb()
    sol = study.scenario.solver
    rec = dict(study=study.scenario.name, periods=len(study.scenario.periods or []) or 1,
               load_s=t1 - t0, prepare_s=t2 - t1, build_s=t3 - t2,
               load_cpu_s=c1 - c0, prepare_cpu_s=c2 - c1, build_cpu_s=c3 - c2, peak_mb=rss["build"],
               import_mb=rss["imports"], rss_mb=rss, time_limit_s=sol.time_limit_s, mip_rel_gap=sol.mip_rel_gap,
               threads=sol.threads, sizes=dict(sites=len(prep.sites), regions=len(prep.regions),
                                               slices=len(prep.slices), serve_pairs=len(prep.serve_pairs),
                                               options=len(prep.options)))
    Path(out + ".partial").write_text(json.dumps(rec))  # kept if the process dies or times out later
    progress(f"built: load {t1 - t0:.1f} s, prepare {t2 - t1:.1f} s, build {t3 - t2:.1f} s")
    t4, c4 = time.perf_counter(), cpu()
    try:
        if buildout:
            plan = solve_built_buildout(m, preps, prepare_s=t2 - t1, build_s=t3 - t2)
        else:
            plan = siteplan.solve_built(m, prep, prepare_s=t2 - t1, build_s=t3 - t2)
        err = None
    except siteplan.SolveError as exc:
        plan, err = None, exc
    t5, c5 = time.perf_counter(), cpu()
    rss["solve"] = _maxrss_mb()
    rec.update(peak_mb=rss["solve"], mps_write_s=written["write_s"], mps_writes=written["n"],
               start_s=written.get("start_s"),
               rows=written.get("rows"), cols=written.get("cols"), nonzeros=written.get("nonzeros"),
               handoff_cpu_s=written["compile_cpu_s"] + written["pass_cpu_s"],
               highs_cpu_s=written["run_cpu_s"],
               total_cpu_s=(c5 - c0) - written["write_cpu_s"])
    if err is not None:
        t_h = written.get("t_handoff", t5)
        rec.update(status=f"no plan: {err}", handoff_s=t_h - t4 - (written.get("start_s") or 0.0),
                   # every HiGHS run (root cut loop LPs, MIP-start heuristic, the MIP) and the Python between them
                   highs_s=(t5 - t_h) - written["write_s"] - written.get("base_write_s", 0.0),
                   total_s=(t5 - t0) - written["write_s"] - written.get("base_write_s", 0.0))
        Path(out).write_text(json.dumps(rec))
        return
    r = plan.result
    tm = r.timings
    rec.update(
        status=r.termination.value, rows=r.num_rows, cols=r.num_cols, nonzeros=r.num_nonzeros,
        integers=r.num_integer, handoff_s=tm.handoff_s - written.get("base_write_s", 0.0),
        highs_s=tm.solve_s - written["write_s"],
        extract_s=tm.extract_s, objective=r.objective, bound=r.best_bound, gap=r.gap, decision_gap=getattr(r, "decision_gap", None), nodes=r.mip_nodes,
        root_cuts=getattr(r, "root_cuts", 0))
    # what solve_built spends outside its own Timings (loading the solution back into the Pyomo variables)
    rec["loadback_s"] = (t5 - t4) - tm.handoff_s - tm.solve_s - tm.extract_s - (written.get("start_s") or 0.0)
    rec["total_s"] = (t5 - t0) - written["write_s"] - written.get("base_write_s", 0.0)
    Path(out).write_text(json.dumps(rec))


# The floor: nothing but highspy in the process.
FLOOR_CODE = r"""
import json, sys, time
mps, opts, time_limit, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
def rss():  # peak resident set (VmHWM), MB; see _maxrss_mb in benchmarks/run.py
    for ln in open("/proc/self/status"):
        if ln.startswith("VmHWM:"):
            return int(ln.split()[1]) / 1024.0
import highspy
h = highspy.Highs()
h.readOptions(opts)
h.setOptionValue("output_flag", False)
h.setOptionValue("time_limit", time_limit)
imp = rss()
t = time.perf_counter(); h.readModel(mps); read_s = time.perf_counter() - t
t, c = time.perf_counter(), time.process_time(); h.run(); run_s = time.perf_counter() - t; cpu_s = time.process_time() - c
info = h.getInfo()
json.dump(dict(floor_status=h.modelStatusToString(h.getModelStatus()), floor_read_s=read_s, floor_s=run_s, floor_cpu_s=cpu_s,
               floor_objective=info.objective_function_value, floor_bound=info.mip_dual_bound,
               floor_gap=info.mip_gap, floor_nodes=info.mip_node_count, floor_peak_mb=rss(),
               floor_import_mb=imp), open(out, "w"))
"""


# --------------------------------------------------------------------------- orchestration

def _python() -> str:
    return sys.executable


def run_study(scenario: Path, label: str, size: str, set_values: dict, work: Path, timeout: float,
              floor: bool = True, log=print) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    mps, opts, out = work / "model.mps", work / "highs_options.txt", work / "siteplan.json"
    for f in (mps, opts, out, Path(str(out) + ".partial"), Path(str(mps) + ".base.mps")):
        f.unlink(missing_ok=True)
    cmd = [_python(), str(Path(__file__).resolve()), "--worker", str(scenario), json.dumps(set_values),
           str(mps), str(opts), str(out)]
    log(f"[{label}] siteplan ...")
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        code, tail = p.returncode, p.stdout[-2000:] + p.stderr[-4000:]
    except subprocess.TimeoutExpired:
        code, tail = "timeout", f"killed after {timeout:g} s"
    if code != 0 or not out.exists():
        log(tail)
        rec = dict(status=f"error ({code})")
        partial = Path(str(out) + ".partial")
        if partial.exists():  # stages that finished before the failure
            rec.update(json.loads(partial.read_text()), status=f"error ({code}) after build")
        plog = Path(str(out) + ".log")
        if plog.exists():  # where it was, and its peak memory at the last event
            lines = plog.read_text().splitlines()
            rec["progress"] = lines
            if lines:
                rec["status"] += f"; last event at {lines[-1].strip()}"
                rec["peak_mb"] = max(rec.get("peak_mb") or 0.0, float(lines[-1].split("rss")[1].split()[0]))
        rec.update(study=label, size=size)
        return _floor(rec, label, mps, opts, work, timeout, floor, log)
    rec = json.loads(out.read_text())
    log(f"[{label}] siteplan {time.perf_counter() - t:.1f} s wall: {rec['status']}, HiGHS {rec.get('highs_s')} s")
    rec["study"], rec["size"] = label, size
    rec = _floor(rec, label, mps, opts, work, timeout, floor, log)
    return rec


def _floor(rec, label, mps, opts, work, timeout, floor, log):
    if floor and not mps.exists() and Path(str(mps) + ".base.mps").exists():
        # siteplan never reached the MIP run: the floor solves the compiled model without root cuts
        mps, opts = Path(str(mps) + ".base.mps"), Path(str(opts) + ".base")
        rec["floor_matrix"] = "base (compiled model, before siteplan's root cuts)"
        log(f"[{label}] floor on the base matrix (siteplan did not reach the MIP run)")
    if floor and mps.exists():
        rec.setdefault("floor_matrix", "as solved by siteplan")
        if not rec.get("time_limit_s"):
            rec["time_limit_s"] = 600.0
        fout = work / "floor.json"
        fout.unlink(missing_ok=True)
        log(f"[{label}] floor ...")
        p = subprocess.run([_python(), "-c", FLOOR_CODE, str(mps), str(opts), str(rec["time_limit_s"]), str(fout)],
                           capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0 or not fout.exists():
            log(p.stdout[-2000:] + p.stderr[-4000:])
            rec["floor_status"] = f"error (exit {p.returncode})"
        else:
            rec.update(json.loads(fout.read_text()))
            log(f"[{label}] floor {rec['floor_s']:.1f} s: {rec['floor_status']}")
    if rec.get("floor_s") and rec.get("total_s"):
        rec["total_over_floor"] = rec["total_s"] / rec["floor_s"]
    if rec.get("floor_peak_mb") and rec.get("peak_mb"):
        rec["peak_over_floor_peak"] = rec["peak_mb"] / rec["floor_peak_mb"]
    if rec.get("floor_cpu_s") and rec.get("total_cpu_s"):
        rec["total_over_floor_cpu"] = rec["total_cpu_s"] / rec["floor_cpu_s"]
    if rec.get("highs_cpu_s") and rec.get("handoff_cpu_s") is not None:
        rec["build_handoff_over_highs_cpu"] = (rec["build_cpu_s"] + rec["handoff_cpu_s"]) / rec["highs_cpu_s"]
    if rec.get("highs_s") and rec.get("handoff_s") is not None:
        rec["build_handoff_over_highs"] = (rec["build_s"] + rec["handoff_s"]) / rec["highs_s"]
    return rec


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 ** 2
        mem_s = f"{mem:.0f} GB RAM"
    except (OSError, AttributeError):
        mem_s = "RAM unknown"
    import highspy  # noqa: F401
    from importlib.metadata import version

    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        if subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src"], capture_output=True,
                          text=True).stdout.strip():
            commit += " + uncommitted changes in src/"
    except OSError:
        commit = "?"
    return (f"{cpu}, {os.cpu_count()} logical cores, {mem_s}, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Pyomo {version('pyomo')}, highspy {version('highspy')}; "
            f"siteplan commit {commit}")


def _fmt(v, col):
    if v is None or v == "":
        return "–"
    if isinstance(v, float):
        if col in ("objective", "bound", "floor_objective", "floor_bound"):
            return f"{v:.6g}"
        if col in ("gap", "floor_gap", "decision_gap"):
            return f"{100 * v:.3f} %" if v == v and abs(v) < 1e6 else "–"
        if col.endswith("_mb"):
            return f"{v:.0f}"
        if col.startswith("build_handoff_over_highs"):
            return f"{100 * v:.1f} %"  # the targets are in percent (issue 6: 5 % and 15 %)
        if "over" in col:
            return f"{v:.3f}" if v < 10 else f"{v:.1f}"  # 1.147 against a 1.15 target, not "1.15"
        return f"{v:.2f}" if v < 100 else f"{v:.0f}"
    return str(v)


TIME_TABLE = [("study", "study"), ("periods", "periods"), ("size", "sites×regions×slices"), ("rows", "rows"), ("cols", "cols"),
              ("nonzeros", "nonzeros"), ("prepare_s", "prepare s"), ("build_s", "build s"),
              ("start_s", "build-out start s"),
              ("handoff_s", "hand-off s"), ("highs_s", "HiGHS s"), ("total_s", "total s"), ("floor_s", "floor s"),
              ("total_over_floor", "total ÷ floor"), ("build_handoff_over_highs", "(build+hand-off) ÷ HiGHS"),
              ("peak_mb", "peak MB"), ("floor_peak_mb", "floor peak MB")]
CPU_TABLE = [("study", "study"), ("build_cpu_s", "build CPU s"), ("handoff_cpu_s", "hand-off CPU s"),
             ("highs_cpu_s", "HiGHS CPU s"), ("total_cpu_s", "total CPU s"), ("floor_cpu_s", "floor CPU s"),
             ("total_over_floor_cpu", "total ÷ floor (CPU)"),
             ("build_handoff_over_highs_cpu", "(build+hand-off) ÷ HiGHS (CPU)"),
             ("loadback_s", "solution load-back s"), ("load_s", "load s"), ("extract_s", "extract s")]
RESULT_TABLE = [("study", "study"), ("status", "siteplan status"), ("objective", "objective"), ("bound", "bound"),
                ("gap", "gap"), ("decision_gap", "decision gap"), ("floor_status", "floor status"), ("floor_objective", "floor objective"),
                ("floor_gap", "floor gap"), ("floor_read_s", "floor MPS read s"), ("import_mb", "siteplan MB after imports"),
                ("root_cuts", "root cuts"), ("time_limit_s", "time limit s"), ("mip_rel_gap", "mip_rel_gap"),
                ("threads", "threads")]


def markdown(rows: list[dict], command: str, date: str) -> str:
    def table(spec):
        out = ["| " + " | ".join(h for _, h in spec) + " |", "|" + "---|" * len(spec)]
        for r in rows:
            out.append("| " + " | ".join(_fmt(r.get(k), k) for k, _ in spec) + " |")
        return "\n".join(out)

    return "\n".join([
        f"Measured {date} on {MACHINE or machine()}. Command: `{command}`.",
        "",
        "Times in seconds (wall clock, `perf_counter`); total = scenario file to Plan (load + prepare + build + "
        "hand-off + HiGHS + solution load-back + extract; HiGHS includes any root cut loop); floor = HiGHS alone (`highspy` in a fresh process) on the identical "
        f"matrix and options, read from MPS (read time not counted). Memory: peak resident set (`{MEMORY}`) of "
        "the whole process, interpreter and libraries included.",
        "",
        table(TIME_TABLE),
        "",
        "The same in CPU seconds (`process_time`, all threads; less sensitive to other load on the machine):",
        "",
        table(CPU_TABLE),
        "",
        table(RESULT_TABLE),
        "",
    ])


def write_section(out: Path, section: str | None, body: str) -> None:
    if section is None:
        out.write_text("# siteplan performance\n\n" + body)
        return
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    text = out.read_text() if out.exists() else "# siteplan performance\n\n"
    block = f"{start}\n{body}{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    out.write_text(text)


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in COLUMNS})


def parse_set(items: list[str]) -> dict:
    out = {}
    for it in items or []:
        k, v = it.split("=", 1)
        out[k] = json.loads(v) if re.fullmatch(r"[-+0-9.eE]+|true|false|null", v) else v
    return out


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_siteplan(sys.argv[2], json.loads(sys.argv[3]), *sys.argv[4:7])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium,large",
                    help=f"comma-separated generated sizes ({', '.join(SIZES)}) or SITESxREGIONSxSLICES; '' = none")
    ap.add_argument("--studies", default="models/example.yaml,models/texas.yaml",
                    help="comma-separated scenario files; '' = none")
    ap.add_argument("--seed", type=int, default=0, help="generator seed")
    ap.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="scenario value for every study, e.g. solver.time_limit_s=300 (repeatable)")
    ap.add_argument("--out", type=Path, default=REPO / "docs/performance.md")
    ap.add_argument("--section", default=None, help="replace only this marked section of --out")
    ap.add_argument("--csv", type=Path, default=None, help="CSV path (default: next to --out)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep generated studies and MPS files here")
    ap.add_argument("--periods", default=None,
                    help="comma-separated period counts, e.g. 1,3,5: run every study as a build-out over that many "
                         "periods (BUILDOUT_PERIODS) instead of as a single period")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--timeout", type=float, default=3600.0, help="per-process wall-clock limit (s)")
    a = ap.parse_args(argv)

    from generate import generate

    global MACHINE
    MACHINE = machine()
    set_values = parse_set(a.set)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="siteplan-bench-"))
    jobs = []
    for s in [x for x in a.sizes.split(",") if x.strip()]:
        s = s.strip()
        if s in SIZES:
            kw = dict(SIZES[s])
        else:
            ns, nr, nt = (int(v) for v in s.lower().split("x"))
            kw = dict(sites=ns, regions=nr, slices=nt, substations=max(5, ns // 4), pops=max(5, min(120, ns // 10)),
                      stations=max(3, min(50, ns // 20)))
        jobs.append((f"generated-{s}", f"{kw['sites']}×{kw['regions']}×{kw['slices']}", kw))
    for st in [x for x in a.studies.split(",") if x.strip()]:
        jobs.append((Path(st).stem, None, Path(st).resolve()))
    counts = [int(x) for x in a.periods.split(",") if x.strip()] if a.periods else [None]
    for n in counts:
        if n is not None:
            buildout_values(n)  # checked before anything runs

    command = "python benchmarks/run.py " + " ".join(
        x if re.fullmatch(r"[\w./=,:+-]+", x) else repr(x) for x in (sys.argv[1:] if argv is None else argv))
    date = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    csv_path = a.csv or a.out.with_name(a.out.stem + (f"_{a.section}" if a.section else "") + ".csv")
    rows = []
    for (label, size, spec), n in [(j, n) for j in jobs for n in counts]:
        d = work / label
        if isinstance(spec, dict):
            scenario = d / "study" / "study.yaml"
            if n is None or not scenario.exists():  # one generated study for every period count
                scenario = generate(d / "study", seed=a.seed, **spec)
        else:
            scenario = spec
        values = dict(set_values)
        if n is not None:
            values = {**buildout_values(n), **set_values}
            label_n, d = f"{label}-{n}p", d / f"{n}p"
        else:
            label_n = label
        rec = run_study(scenario, label_n, size or "", values, d, a.timeout, floor=not a.no_floor)
        if not size and "sizes" in rec:
            z = rec["sizes"]
            rec["size"] = f"{z['sites']}×{z['regions']}×{z['slices']}"
        rows.append(rec)
        write_csv(csv_path, rows)
        write_section(a.out, a.section, markdown(rows, command, date))
        (work / "results.json").write_text(json.dumps(rows, indent=1))
    print(markdown(rows, command, date))
    print(f"wrote {a.out} and {csv_path}; work files in {work}")
    return 0 if all(not str(r.get("status", "")).startswith("error") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
