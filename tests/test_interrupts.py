"""Ctrl-C keeps the best plan; results folders are written whole; output names stay in results/."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from siteplan.atomic import atomic_folder, check_target, missing_files
from siteplan.results.folder import read_results

ROOT = Path(__file__).resolve().parents[1]
TEXAS = ROOT / "models/texas.yaml"
EXAMPLE = ROOT / "models/example.yaml"


def _siteplan(*args, **kw):
    return subprocess.run([sys.executable, "-m", "siteplan", *map(str, args)], capture_output=True, text=True,
                          cwd=kw.pop("cwd", ROOT), timeout=kw.pop("timeout", 600), **kw)


def _interrupt_when(out: Path, marker: str | float, extra=("--no-exports",), scenario=TEXAS,
                    signals: int = 1) -> tuple[int, str, float]:
    """Solve ``scenario`` into ``out``, send SIGINT (``signals`` times) once a stderr line contains
    ``marker`` (or after ``marker`` seconds); (exit code, stderr, seconds from the signal to the exit)."""
    proc = subprocess.Popen([sys.executable, "-m", "siteplan", "solve", str(scenario), "--out", str(out),
                             "--time-limit", "400", "--threads", "1", *extra],
                            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        if isinstance(marker, float):
            time.sleep(marker)
        else:
            for line in proc.stderr:
                lines.append(line)
                if marker in line:
                    break
            else:
                pytest.fail("the solve ended before the marker: " + "".join(lines))
        t0 = time.perf_counter()
        for _ in range(signals):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, "".join(lines) + err, time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_during_branch_and_bound_writes_the_best_plan_marked_interrupted(tmp_path):
    out = tmp_path / "texas"
    code, err, secs = _interrupt_when(out, "better plan")
    assert code == 130, err
    assert "interrupted: stopping the solver" in err and "interrupted: the plan written is the best found" in err
    assert secs < 60, f"{secs:.0f} s from SIGINT to exit"
    assert missing_files(out) == []
    plan = read_results(out)
    assert plan.result.termination.value == "interrupted"
    assert plan.result.gap > 0 and plan.ds["it_mw"].sum() > 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["solver"]["termination"] == "interrupted"
    assert [p.name for p in tmp_path.iterdir()] == ["texas"]  # no temporary folder left


def test_ctrl_c_before_the_solver_has_a_plan_says_so(tmp_path):
    # the first line of the solve: the root cut loop / LP-guided start are still running; the
    # interrupt stops them at once: either no plan (said so) or the start's plan, marked
    out = tmp_path / "texas"
    code, err, secs = _interrupt_when(out, "built the Pyomo model")
    assert code == 130, err
    assert secs < 60, f"{secs:.0f} s from SIGINT to exit"
    if "no plan: interrupted before the solver found any plan" in err:
        assert not out.exists()
    else:
        assert read_results(out).result.termination.value == "interrupted"


def test_out_is_checked_before_the_solve(tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    r = _siteplan("solve", EXAMPLE, "--out", a_file, "--no-exports")
    assert r.returncode == 2 and "exists and is not a folder" in r.stderr
    assert "HiGHS" not in r.stderr  # refused before the solve
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my notes")
    r = _siteplan("solve", EXAMPLE, "--out", foreign, "--no-exports")
    assert r.returncode == 2 and "not a siteplan results folder" in r.stderr
    assert (foreign / "notes.txt").read_text() == "my notes"


def test_a_second_study_replaces_the_folder_of_the_first(tmp_path):
    out = tmp_path / "res"
    r = _siteplan("solve", EXAMPLE, "--out", out, "--map-format", "svg")
    assert r.returncode == 0, r.stderr
    assert (out / "map.svg").exists()
    r = _siteplan("solve", EXAMPLE, "--out", out, "--no-exports", "--set", "demand_scale=0.5")
    assert r.returncode == 0, r.stderr
    assert not (out / "map.svg").exists() and not (out / "map.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "manifest.json").write_text('{"scenario": {}, "inputs": {}, "solver": {}}')
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(out) as tmp:
            (tmp / "manifest.json").write_text('{"new": 1}')
            (tmp / "plan.gpkg").write_text("half")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    assert "inputs" in (out / "manifest.json").read_text() and not (out / "plan.gpkg").exists()
    assert check_target(tmp_path / "new" / "deeper") is None


def test_map_and_report_refuse_an_incomplete_folder(tmp_path):
    out = tmp_path / "res"
    r = _siteplan("solve", EXAMPLE, "--out", out, "--no-exports")
    assert r.returncode == 0, r.stderr
    (out / "plan.gpkg").unlink()
    for cmd in ("map", "report"):
        r = _siteplan(cmd, out)
        assert r.returncode == 2, r.stderr
        assert "not a complete siteplan results folder (missing plan.gpkg)" in r.stderr


@pytest.mark.parametrize("name", ["../../x", "/tmp/abs", ".hidden", "a/b", "x" * 101, ""])
def test_scenario_names_cannot_leave_the_results_folder(tmp_path, name):
    sc = yaml.safe_load(EXAMPLE.read_text())
    sc["name"] = name
    sc["dataset"] = str((EXAMPLE.parent / sc["dataset"]).resolve())
    sc["catalog"] = str((EXAMPLE.parent / sc["catalog"]).resolve())
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sc))
    r = _siteplan("solve", path, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "field=name" in r.stderr and "cannot name a results folder" in r.stderr
    assert not (tmp_path / "results").exists() and not Path("/tmp/abs").exists()


def test_the_solver_thread_stops_when_asked(monkeypatch):
    # the API path: siteplan.interrupt.request() (as a Ctrl-C does) stops a running HiGHS solve
    import threading

    import highspy
    import numpy as np

    from siteplan import interrupt

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 120.0)
    rng = np.random.default_rng(0)
    n = 60  # a random 0-1 knapsack-like covering MIP HiGHS cannot prove in a few seconds
    for _ in range(n):
        h.addVar(0.0, 1.0)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), rng.uniform(1, 100, n))
    for _ in range(40):
        idx = np.sort(rng.choice(n, 30, replace=False)).astype(np.int32)
        h.addRow(float(rng.uniform(200, 400)), np.inf, len(idx), idx, rng.uniform(1, 50, len(idx)))
    interrupt.clear()
    timer = threading.Timer(1.0, interrupt.request)
    timer.start()
    t0 = time.perf_counter()
    try:
        assert interrupt.run(h) is True
    finally:
        timer.cancel()
        interrupt.clear()
    assert time.perf_counter() - t0 < 20
    assert h.getModelStatus() == highspy.HighsModelStatus.kInterrupt


def test_sweep_names_cannot_leave_the_results_folder(tmp_path):
    sweep = tmp_path / "evil.yaml"
    sweep.write_text(f"name: ../../evil\nbase: {EXAMPLE}\nregions: [{ROOT / 'data/example'}]\n"
                     "grid: {demand_scale: [0.5]}\n")
    for cmd in (("batch", sweep, "--dry-run"), ("validate", sweep)):
        r = _siteplan(*cmd, cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "field=name: '../../evil' cannot name a results folder" in r.stderr
    assert list(tmp_path.iterdir()) == [sweep]


def _no_leftovers(folder: Path, out: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name != out.name] == []
    if out.exists():
        assert missing_files(out) == []


def test_ctrl_c_while_writing_keeps_the_plan(tmp_path):
    out = tmp_path / "ex"
    code, err, _ = _interrupt_when(out, "writing results", extra=(), scenario=EXAMPLE)
    assert code == 130, err
    assert "Traceback" not in err
    assert "interrupted after the solve" in err or "interrupted: the plan written" in err
    assert missing_files(out) == [] and read_results(out).result.termination.value == "optimal"
    _no_leftovers(tmp_path, out)


def test_ctrl_c_while_loading_and_twice_exit_130_without_a_traceback(tmp_path):
    for name, marker, n in (("load", 0.6, 1), ("twice", "better plan", 2)):
        out = tmp_path / name / "tx"
        out.parent.mkdir()
        code, err, _ = _interrupt_when(out, marker, signals=n)
        assert code == 130, err
        assert "Traceback" not in err and "Aborted!" not in err
        _no_leftovers(out.parent, out)


def test_ctrl_c_during_the_alternatives_exits_130_with_the_plan(tmp_path):
    out = tmp_path / "tx"
    code, err, _ = _interrupt_when(out, "alternative 1 of", extra=("--no-exports", "--alternatives", "1",
                                                                   "--time-limit", "60"))
    assert code == 130, err
    assert read_results(out).result.termination.value in ("optimal", "time_limit")


def test_a_foreign_manifest_symlinks_the_current_folder_and_stale_temporaries(tmp_path):
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "manifest.json").write_text('{"manifest_version": 3}')
    (ext / "background.js").write_text("x")
    assert "not a siteplan results folder" in check_target(ext)
    real = tmp_path / "real"
    r = _siteplan("solve", EXAMPLE, "--out", real, "--no-exports")
    assert r.returncode == 0, r.stderr
    link = tmp_path / "link"
    link.symlink_to(real)
    stale = tmp_path / ".real.partial-999999999"  # a killed run's temporary folder (no such process)
    stale.mkdir()
    r = _siteplan("solve", EXAMPLE, "--out", link, "--no-exports", "--set", "demand_scale=0.5")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and read_results(real).ds.attrs.get("demand_scale", 0.5) == 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ext", "link", "real"]
    here = tmp_path / "empty"
    here.mkdir()
    r = _siteplan("solve", EXAMPLE, "--out", ".", "--no-exports", cwd=here)
    assert r.returncode == 2 and "is the current folder" in r.stderr


def test_interrupted_build_out_start_is_still_a_plan(tmp_path, monkeypatch):
    # Ctrl-C while the periods are solved one by one: the start so far is read, not thrown away
    import siteplan
    from siteplan import interrupt

    sys.path.insert(0, str(Path(__file__).parent))
    from test_buildout import _bridge_study

    def progress(line):
        if "start: period 2027" in line:
            interrupt.request()

    bo = siteplan.solve(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7), progress=progress)
    interrupt.clear()
    assert bo.result.termination.value == "interrupted"
    assert bo.violations == [] and bo.objective < 1e9


@pytest.mark.parametrize("args, message", [
    (("--slack", "nan"), "--slack"), (("--slack", "-1"), "--slack"), (("--slack", "inf"), "--slack"),
    (("--alternatives", "-1"), "--alternatives"), (("--threads", "100000"), "less than or equal to 1024"),
])
def test_bad_command_line_values_are_refused_before_the_solve(args, message):
    r = _siteplan("solve", EXAMPLE, "--no-exports", "--out", "/nonexistent/never", *args, timeout=60)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "HiGHS" not in r.stderr


def test_damaged_results_folders_are_refused(tmp_path):
    good = tmp_path / "good"
    assert _siteplan("solve", EXAMPLE, "--out", good, "--no-exports").returncode == 0
    import shutil

    for name, damage in (("nc", lambda d: (d / "plan.nc").write_text("garbage")),
                         ("gpkg", lambda d: (d / "plan.gpkg").write_text("garbage")),
                         ("json", lambda d: (d / "manifest.json").write_text("{"))):
        bad = tmp_path / name
        shutil.copytree(good, bad)
        damage(bad)
        for cmd in (("map", bad), ("report", bad), ("compare", good, bad)):
            r = _siteplan(*cmd)
            assert r.returncode == 2, (name, cmd, r.stderr)
            assert "cannot read the results folder" in r.stderr and "Traceback" not in r.stderr


def test_a_heat_rate_above_100_percent_efficiency_is_refused(tmp_path):
    cat = yaml.safe_load((ROOT / "data/catalog.yaml").read_text())
    gen = next(k for k, v in cat["onsite"].items() if v.get("kind") == "generator")
    cat["onsite"][gen]["heat_rate_mmbtu_per_mwh"] = 0.0075  # MMBtu/kWh given as MMBtu/MWh
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(cat))
    r = _siteplan("validate", EXAMPLE, "--set", f"catalog={tmp_path / 'catalog.yaml'}")
    assert r.returncode == 2 and f"onsite.{gen}" in r.stderr and "heat_rate_mmbtu_per_mwh" in r.stderr
    assert "more than 100 % efficient" in r.stderr
