"""Batch reliability (issue 20, items 7-9): sweep files read safely and validated all at once,
``--resume`` re-runs scenarios whose inputs changed, a killed worker loses only its own scenario,
Ctrl-C prints one line.

Real local Dask clusters and real solves on the small example dataset.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from siteplan.batch.sweep import is_sweep_file, load_sweep, validate_sweep
from siteplan.errors import InputError
from siteplan.safe_load import MAX_YAML_NODES, load_yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "models/example.yaml"
DATA = REPO / "data/example"
BIN = Path(sys.executable).parent
SITEPLAN = str(BIN / "siteplan")


def _sweep(tmp: Path, grid: dict, regions=None, name: str = "t", **extra) -> Path:
    p = tmp / f"{name}.yaml"
    body = {"name": name, "base": str(EXAMPLE), "regions": [str(r) for r in (regions or [DATA])],
            "set": {"solver.time_limit_s": 30}, "grid": grid, **extra}
    p.write_text(yaml.safe_dump(body, sort_keys=False))
    return p


def _fields(exc: InputError) -> list[str]:
    return [p.field or "" for p in exc.problems]


# --------------------------------------------------------------------------- item 7: safe loading


def test_duplicate_keys_in_a_sweep_are_errors_with_their_lines(tmp_path):
    p = tmp_path / "dup.yaml"
    p.write_text(f"name: dup\nbase: {EXAMPLE}\nregions: [{DATA}]\ngrid:\n  demand_scale: [0.5]\n"
                 "  demand_scale: [1.0]\nset: {solver.time_limit_s: 30}\nset: {}\n")
    with pytest.raises(InputError) as ei:
        load_sweep(p)
    probs = ei.value.problems
    assert {q.field for q in probs} == {"grid.demand_scale", "set"}  # both repeats, not the first only
    dup = next(q for q in probs if q.field == "grid.demand_scale")
    assert dup.file == str(p.resolve()) and "duplicate key" in dup.message and "lines 5 and 6" in dup.message
    r = subprocess.run([SITEPLAN, "batch", str(p), "--dry-run"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "field=grid.demand_scale: duplicate key (lines 5 and 6)" in r.stderr


def test_duplicate_keys_in_the_base_scenario_are_errors(tmp_path):
    base = tmp_path / "base.yaml"
    text = EXAMPLE.read_text().replace("demand_scale: 1.0", "demand_scale: 1.0\ndemand_scale: 3.0")
    base.write_text(text.replace("../data/", f"{REPO}/data/"))
    p = _sweep(tmp_path, {"carbon.price_usd_per_t": [0]}, base=str(base))
    with pytest.raises(InputError) as ei:
        load_sweep(p)
    assert any(q.file == str(base) and q.field == "demand_scale" and "duplicate" in q.message
               for q in ei.value.problems), ei.value.problems


def _bomb(levels: int = 9) -> str:
    lines = ['  description: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"  x{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    """10^9 values through nested aliases: `siteplan batch --dry-run` hung (or ran out of memory)."""
    p = tmp_path / "bomb.yaml"
    p.write_text(f"name: bomb\nbase: {EXAMPLE}\nregions: [{DATA}]\nset:\n{_bomb()}\n"
                 "grid:\n  demand_scale: [*l8]\n")
    t0 = time.time()
    r = subprocess.run([SITEPLAN, "batch", str(p), "--dry-run"], capture_output=True, text=True, timeout=60)
    assert time.time() - t0 < 30
    assert r.returncode == 2, r.stderr
    assert str(p) in r.stderr and "alias bomb" in r.stderr and f"{MAX_YAML_NODES:,}" in r.stderr
    r = subprocess.run([SITEPLAN, "validate", str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "alias bomb" in r.stderr


def test_aliases_within_the_limit_and_merge_keys_still_work(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text(f"name: ok\nbase: {EXAMPLE}\nregions: [{DATA}]\n"
                 "set: &common {solver.time_limit_s: 30}\n"
                 "grid:\n  demand_scale: &d [0.5, 1.0]\n"
                 "zip:\n  - {horizon_yr: [2, 4], water.price_usd_per_m3: *d}\n")
    sw = load_sweep(p)
    assert len(sw) == 4
    assert load_yaml(p)["zip"][0]["water.price_usd_per_m3"] == [0.5, 1.0]
    assert {s.params["water.price_usd_per_m3"] for s in sw.specs} == {0.5, 1.0}


@pytest.mark.parametrize("text, words", [
    ("set: &a {x: [1, *a]}\n", "recursive YAML alias"),
    ("set: {x: " + "[" * 100_000 + "]" * 100_000 + "}\n", "nested too deeply"),
])
def test_recursive_and_deep_sweeps_are_refused(tmp_path, text, words):
    p = tmp_path / "x.yaml"
    p.write_text(f"name: x\nbase: {EXAMPLE}\n" + text)
    with pytest.raises(InputError) as ei:
        load_sweep(p)
    assert words in str(ei.value) and str(p.resolve()) in str(ei.value)


def test_a_sweep_that_is_not_a_readable_yaml_file(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8 text: byte e9 at line 1"):
        load_sweep(bad)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    t0 = time.time()
    with pytest.raises(InputError, match="FIFO"):  # reading it would block for ever
        load_sweep(fifo)
    assert time.time() - t0 < 5
    with pytest.raises(InputError, match="folder"):
        load_sweep(tmp_path)


def test_every_problem_of_every_scenario_is_reported_at_once(tmp_path):
    """An unknown sweep key, a missing region, an unequal zip and bad values in several scenarios: all
    listed in one error (before: only the unknown key; and one bad scenario of several)."""
    p = _sweep(tmp_path, {"demand_scale": ["lots", 1.0, "many"], "horizon_yr": [4, "soon"]},
               regions=[DATA, tmp_path / "no_such_region"], gird={"x": [1]},
               zip=[{"carbon.price_usd_per_t": [0, 1], "water.price_usd_per_m3": [1.0]}])
    with pytest.raises(InputError) as ei:
        load_sweep(p)
    probs = ei.value.problems
    by_field = {q.field: q for q in probs}
    assert "unknown key" in by_field["gird"].message
    assert "no such" in by_field["regions[1]"].message
    assert "equal length" in by_field["zip[0]"].message
    ds = by_field["demand_scale"]  # the 4 scenarios with "lots" or "many", each named
    assert "in 4 of 6 scenario(s)" in ds.message and ds.feature_id.count("example_demand_scale-") == 4
    assert "lots" in ds.feature_id and "many" in ds.feature_id
    hz = by_field["horizon_yr"]
    assert "in 3 of 6 scenario(s)" in hz.message and hz.feature_id.count("horizon_yr-soon") == 3
    assert all(q.file == str(p.resolve()) for q in probs)


def test_too_many_scenarios_is_an_error_not_a_hang(tmp_path):
    p = _sweep(tmp_path, {"demand_scale": [0.1 + i / 1000 for i in range(200)],
                          "carbon.price_usd_per_t": list(range(200))})
    t0 = time.time()
    with pytest.raises(InputError, match="40,000 scenarios"):
        load_sweep(p)
    assert time.time() - t0 < 10


def test_siteplan_validate_checks_a_whole_sweep(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(DATA, broken)
    (broken / "prices.csv").unlink()
    good = _sweep(tmp_path, {"demand_scale": [0.5, 1.0]}, name="good")
    assert is_sweep_file(good) and not is_sweep_file(EXAMPLE)
    r = subprocess.run([SITEPLAN, "validate", str(good)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "valid" in r.stdout, r.stderr
    bad = _sweep(tmp_path, {"demand_scale": [0.5, "x"]}, regions=[DATA, broken], name="bad")
    assert validate_sweep(bad)  # the library call lists the same problems
    r = subprocess.run([SITEPLAN, "validate", str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    # the bad value in both regions' scenarios, and the broken region's dataset (load_sweep alone cannot see it)
    assert "field=demand_scale" in r.stderr and "in 2 of 4 scenario(s)" in r.stderr
    assert "prices" in r.stderr and str(broken) in r.stderr
    r = subprocess.run([SITEPLAN, "validate", str(good), "--set", "demand_scale=2"], capture_output=True, text=True)
    assert r.returncode == 2 and "not to a sweep" in r.stderr
    r = subprocess.run([SITEPLAN, "validate", str(EXAMPLE)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0  # a scenario file is still validated as one


# --------------------------------------------------------------------------- item 8: resume sees changed inputs


def _same_size_same_time_edit(path: Path, old: str, new: str) -> None:
    """Change a file's content, keeping its size and modification time (sizes+mtimes would miss it)."""
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_resume_reruns_the_scenarios_whose_inputs_changed(tmp_path):
    from siteplan.batch import run_batch
    from siteplan.batch.progress import Progress
    from siteplan.batch.runner import read_status

    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(DATA, a)
    shutil.copytree(DATA, b)
    catalog = tmp_path / "catalog.yaml"
    shutil.copyfile(REPO / "data/catalog.yaml", catalog)
    path = _sweep(tmp_path, {"demand_scale": [0.5, 1.0]}, regions=[a, b],
                  **{"set": {"solver.time_limit_s": 30, "catalog": str(catalog)}})
    ids = {r: [s.id for s in load_sweep(path).specs if s.region == r] for r in ("a", "b")}
    out = tmp_path / "out"
    first = run_batch(path, out=out, workers=1, threads_per_solve=1, combine=False)
    assert first.ok and first.ran == 4
    rec = read_status(out, ids["a"][0])
    assert rec["inputs"]["dataset/prices.csv"] and rec["inputs"]["catalog"] and rec["inputs"]["scenario"]
    stamps = {i: (out / "scenarios" / i / "status.json").stat().st_mtime_ns for i in ids["a"] + ids["b"]}

    # region a's summer peak price 250 -> 950 $/MWh, same size and mtime
    _same_size_same_time_edit(a / "prices.csv", "summer_peak,250,", "summer_peak,950,")
    log = tmp_path / "progress.txt"
    with open(log, "w") as fh:
        second = run_batch(path, out=out, workers=1, threads_per_solve=1, resume=True, combine=False,
                           progress=Progress(stream=fh, summary=False))
    text = log.read_text()
    assert second.ran == 2 and second.skipped == 2 and second.ok
    assert sorted(i for i, _ in second.changed) == sorted(ids["a"])
    assert all(why == "dataset/prices.csv changed" for _, why in second.changed)
    assert "re-running 2 finished scenario(s) whose inputs changed:" in text
    assert f"{ids['a'][0]}: dataset/prices.csv changed" in text
    for i in ids["b"]:  # untouched region: not solved again
        assert (out / "scenarios" / i / "status.json").stat().st_mtime_ns == stamps[i]
    for i in ids["a"]:  # re-solved on the new prices: a dearer plan, the new hash recorded
        new = read_status(out, i)
        assert new["inputs"]["dataset/prices.csv"] != rec["inputs"]["dataset/prices.csv"]
        old_cost = next(r for r in first.records if r["id"] == i)["headline"]["objective_usd_per_yr"]
        assert new["headline"]["objective_usd_per_yr"] > old_cost

    # the catalog changes: every scenario; nothing changes: none
    third = run_batch(path, out=out, workers=1, threads_per_solve=1, resume=True, combine=False)
    assert third.ran == 0 and third.skipped == 4 and third.changed == []
    with open(catalog, "a") as fh:
        fh.write("\n# an edit\n")
    fourth = run_batch(path, out=out, workers=1, threads_per_solve=1, resume=True, combine=False)
    assert fourth.ran == 4 and sorted(why for _, why in fourth.changed) == ["catalog changed"] * 4


# --------------------------------------------------------------------------- item 9: killed workers, Ctrl-C


def _statuses(out: Path, ids: list[str]) -> dict[str, str]:
    from siteplan.batch.runner import read_status

    return {i: (read_status(out, i) or {}).get("status", "missing") for i in ids}


def test_a_killed_worker_loses_only_its_running_scenario(tmp_path, monkeypatch):
    """SIGKILL one of 2 workers during a solve: before, Dask also failed the scenarios queued on it
    (2 lost for 1 kill); now 1 is lost, the rest finish, its temp folder is removed, and --resume
    re-runs only the lost one."""
    import tempfile
    import threading
    from collections import Counter

    from siteplan.batch import run_batch

    wtmp = tmp_path / "worker-tmp"  # the workers' (and this runner's) temporary folder
    wtmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(wtmp))
    monkeypatch.setattr(tempfile, "tempdir", str(wtmp))
    path = _sweep(tmp_path, {"demand_scale": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]})
    ids = [s.id for s in load_sweep(path).specs]
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_first_solving_worker():
        t0 = time.time()
        while time.time() - t0 < 120:
            dirs = list(wtmp.glob("siteplan-batch-*-*"))  # a worker's folder for the scenario it runs
            if dirs:
                time.sleep(0.3)  # well into the ~1 s solve
                if dirs[0].exists():  # still solving it
                    pid = int(dirs[0].name.split("-")[2])
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_first_solving_worker, daemon=True)
    killer.start()
    res = run_batch(path, out=out, workers=2, threads_per_solve=1, combine=False)
    killer.join(5)
    assert len(killed) == 1
    counts = Counter(_statuses(out, ids).values())
    assert counts == {"optimal": 5, "worker_died": 1}, counts  # 1 lost, not 2 or 3; none missing
    died = next(r for r in res.records if r["status"] == "worker_died")
    assert "died" in died["reason"] and died["input_hash"]
    assert not list(wtmp.glob("siteplan-batch-*"))  # the killed worker's folder is gone too
    assert not [p for p in (out / "scenarios").iterdir() if p.name.startswith(".")]

    again = run_batch(path, out=out, workers=2, threads_per_solve=1, resume=True, combine=False)
    assert again.ran == 1 and again.skipped == 5 and again.ok  # only the lost one is re-run
    assert set(_statuses(out, ids).values()) == {"optimal"}


def test_ctrl_c_prints_one_line_and_resume_completes(tmp_path):
    """SIGINT to the whole process group (a terminal's Ctrl-C): exit 130 and one line saying how many
    finished, how many not, and the command to resume; no worker tracebacks (there were 2 per worker)."""
    import re

    wtmp = tmp_path / "worker-tmp"
    wtmp.mkdir()
    env = {**os.environ, "TMPDIR": str(wtmp)}
    # 24 scenarios of 1-2 s each on 2 workers: still running when the first has finished and the
    # SIGINT lands, even on a loaded machine (with 8, CI once finished all of them first)
    path = _sweep(tmp_path, {"demand_scale": [round(0.3 + 0.03 * i, 2) for i in range(24)]})
    ids = [s.id for s in load_sweep(path).specs]
    out = tmp_path / "out"
    cmd = [SITEPLAN, "batch", str(path), "--out", str(out), "--workers", "2", "--threads-per-solve", "1"]
    # SIGINT as a terminal leaves it (default action): a runner that starts the suite in the background
    # of a non-interactive shell hands every child SIGINT ignored, and the batch would never see it
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        t0 = time.time()
        while time.time() - t0 < 120 and "optimal" not in _statuses(out, ids).values():
            assert proc.poll() is None
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr and "CancelledError" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    inter = [ln for ln in lines if ln.startswith("interrupted:")]
    assert len(inter) == 1, stderr
    st = _statuses(out, ids)
    done = [i for i, v in st.items() if v != "missing"]
    assert 1 <= len(done) < len(ids)
    m = re.match(rf"interrupted: (\d+) of {len(ids)} scenario\(s\) done and kept \((\d+) with a plan, (\d+) failed\), "
                 r"(\d+) not run; to complete the batch: (.*)$", inter[0])
    assert m, inter[0]
    assert int(m.group(1)) == len(done) and int(m.group(4)) == len(ids) - len(done)
    assert m.group(5) == f"siteplan batch {path.resolve()} --out {out} --resume"
    # nothing but the header, one line per finished scenario and the interrupted line
    assert len(lines) <= 2 + len(done), stderr
    assert not [p for p in (out / "scenarios").iterdir() if p.name.startswith(".")]
    assert not list(wtmp.glob("siteplan-batch-*"))

    stamps = {i: (out / "scenarios" / i / "status.json").stat().st_mtime_ns for i in done}
    r = subprocess.run(m.group(5).replace("siteplan", SITEPLAN, 1).split(), capture_output=True, text=True,
                       timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    assert f"{len(done)} already finished, {len(ids) - len(done)} to run" in r.stderr
    assert set(_statuses(out, ids).values()) == {"optimal"}
    for i in done:  # kept, not solved again
        assert (out / "scenarios" / i / "status.json").stat().st_mtime_ns == stamps[i]
