"""Batch runs on real Dask clusters: local cluster, external scheduler, failure isolation, resume."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

pytest.importorskip("distributed")

import siteplan  # noqa: E402
from siteplan.batch import region_sites, run_batch  # noqa: E402
from siteplan.batch.runner import FINISHED, read_status, solve_spec  # noqa: E402
from siteplan.batch.sweep import load_sweep  # noqa: E402
from siteplan.config import scenario_from_dict  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "models/example.yaml"
DATA = REPO / "data/example"
BIN = Path(sys.executable).parent


def _sweep(tmp: Path, regions: list, grid: dict, name: str = "t") -> Path:
    p = tmp / f"{name}.yaml"
    p.write_text(yaml.safe_dump({"name": name, "base": str(EXAMPLE), "regions": [str(r) for r in regions],
                                 "set": {"solver.time_limit_s": 60}, "grid": grid}, sort_keys=False))
    return p


def _broken_region(tmp: Path) -> Path:
    """A copy of the example dataset with its prices file deleted."""
    broken = tmp / "broken"
    shutil.copytree(DATA, broken)
    (broken / "prices.csv").unlink()
    return broken


def _solo(spec):
    """Solve one scenario spec alone, in this process."""
    sc = scenario_from_dict(spec.scenario, base_dir=EXAMPLE.parent, source_file=EXAMPLE)
    return siteplan.solve(siteplan.load(sc), threads=1)


@pytest.fixture(scope="module")
def local_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local")
    path = _sweep(tmp, [DATA, _broken_region(tmp)], {"demand_scale": [0.5, 1.0], "carbon.price_usd_per_t": [0, 100]})
    res = run_batch(path, out=tmp / "out", workers=2, threads_per_solve=1)
    return load_sweep(path), res


def test_local_cluster_combined_values_equal_solo_solves(local_batch):
    sw, res = local_batch
    assert res.workers == 2 and res.threads_per_solve == 1 and res.ran == 8
    ds = xr.load_dataset(res.files["batch.nc"])
    assert list(ds["scenario"].values) == [s.id for s in sw.specs]
    good = [s for s in sw.specs if s.region == "example"]
    assert len(good) == 4
    for spec in good:
        plan = _solo(spec)
        row = ds.sel(scenario=spec.id)
        assert str(row["status"].values) == "optimal"
        assert float(row["objective_usd_per_yr"]) == pytest.approx(plan.objective, rel=1e-9)
        assert float(row["it_mw"]) == pytest.approx(float(plan.ds["it_mw"].sum()), rel=1e-9)
        assert int(row["open_sites"]) == int(plan.ds["open"].sum())
        assert float(row["unmet_h100e"]) == pytest.approx(float(plan.ds["unmet_h100e"].sum()), abs=1e-6)
        assert float(row["emissions_t_per_yr"]) == pytest.approx(float(plan.ds["emissions_t_per_yr"].sum()), rel=1e-9)
        cost = row["cost_usd_per_yr"].sel(cost_category=plan.ds["cost_category"].values).values
        np.testing.assert_allclose(cost, plan.ds["cost_usd_per_yr"].values, rtol=1e-9)
        assert float(row["demand_scale"]) == spec.params["demand_scale"]
        assert float(row["carbon.price_usd_per_t"]) == spec.params["carbon.price_usd_per_t"]
        # per-site decisions, on the (scenario, site) grid of the region
        sites = region_sites(ds, "example").sel(scenario=spec.id)
        np.testing.assert_allclose(sites["site_it_mw"].sel(site=plan.ds["site"].values).values,
                                   plan.ds["it_mw"].values, rtol=1e-9)
    # a higher demand never costs less
    for price in (0, 100):
        lo, hi = (ds.where((ds["region"] == "example") & (ds["carbon.price_usd_per_t"] == price)
                           & (ds["demand_scale"] == d), drop=True)["objective_usd_per_yr"].item() for d in (0.5, 1.0))
        assert hi > lo


def test_failure_isolation_records_the_broken_region(local_batch):
    sw, res = local_batch
    by_id = {r["id"]: r for r in res.records}
    broken = [s for s in sw.specs if s.region == "broken"]
    assert len(broken) == 4
    for s in broken:
        rec = by_id[s.id]
        assert rec["status"] == "input_error"
        assert "prices" in rec["reason"]
        assert read_status(res.out, s.id)["status"] == "input_error"
    assert sum(r["status"] in FINISHED for r in res.records) == 4
    assert not res.ok and len(res.failed) == 4
    table = __import__("pandas").read_csv(res.files["batch.csv"])
    assert len(table) == 8 and set(table["status"]) == {"optimal", "input_error"}
    assert table.loc[table["status"] == "input_error", "objective_usd_per_yr"].isna().all()
    sites = __import__("pandas").read_csv(res.files["batch_sites.csv"])
    assert set(sites["region"]) == {"example"} and sites["scenario"].nunique() == 4
    png = res.files["batch.png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 30) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_external_scheduler_and_worker_processes(tmp_path):
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    common = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    sched = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--no-dashboard"], **common)
    worker = None
    try:
        _wait_port(port)
        worker = subprocess.Popen([str(BIN / "dask"), "worker", addr, "--host", "127.0.0.1", "--nthreads", "1",
                                   "--nworkers", "1", "--no-dashboard", "--death-timeout", "30"], **common)
        path = _sweep(tmp_path, [DATA], {"carbon.price_usd_per_t": [0, 100]})
        res = run_batch(path, out=tmp_path / "out", scheduler=addr, threads_per_solve=1)
        assert res.ok and res.ran == 2 and res.workers == 1
        ds = xr.load_dataset(res.files["batch.nc"])
        assert list(ds["status"].values) == ["optimal", "optimal"]
        for spec in load_sweep(path).specs:
            rec = read_status(res.out, spec.id)
            assert rec["worker"].split(":")[1] != str(os.getpid())  # solved in the worker process
            assert float(ds["objective_usd_per_yr"].sel(scenario=spec.id)) == pytest.approx(_solo(spec).objective,
                                                                                             rel=1e-9)
    finally:
        if worker is not None:
            _stop(worker)
        _stop(sched)
    assert sched.returncode is not None and (worker is None or worker.returncode is not None)


def test_worker_death_is_recorded_and_the_batch_goes_on(tmp_path):
    path = _sweep(tmp_path, [DATA], {"demand_scale": [0.5, 1.0]})

    def dies_on_half(spec, threads, exports):  # pickled by value: runs on the worker
        if spec["params"]["demand_scale"] == 0.5:
            os._exit(17)
        return solve_spec(spec, threads, exports)

    res = run_batch(path, out=tmp_path / "out", workers=2, threads_per_solve=1, task=dies_on_half)
    status = {r["params"]["demand_scale"]: r for r in res.records}
    assert status[0.5]["status"] == "worker_died" and "died" in status[0.5]["reason"]
    assert status[1.0]["status"] == "optimal"


def test_resume_after_killing_the_runner_does_not_resolve_finished(tmp_path):
    path = _sweep(tmp_path, [DATA], {"demand_scale": [0.5, 0.75, 1.0], "carbon.price_usd_per_t": [0, 100]})
    ids = [s.id for s in load_sweep(path).specs]
    out = tmp_path / "out"
    cmd = [str(BIN / "siteplan"), "batch", str(path), "--out", str(out), "--workers", "1", "--threads-per-solve", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.time()
        while time.time() - t0 < 120 and not any(read_status(out, i) for i in ids):
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner, its local cluster and workers: the whole session
        proc.wait()
        proc.stdout.close()
    done = {i: read_status(out, i) for i in ids if read_status(out, i)}
    assert 1 <= len(done) < len(ids)
    stamps = {i: (out / "scenarios" / i / "status.json").stat().st_mtime_ns for i in done}
    plan_stamps = {i: (out / "scenarios" / i / "plan.nc").stat().st_mtime_ns for i in done}

    again = subprocess.run(cmd, capture_output=True, text=True)  # without --resume: refuses
    assert again.returncode == 2 and "--resume" in again.stderr

    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert f"{len(done)} already finished" in r.stderr
    for i in ids:
        assert read_status(out, i)["status"] == "optimal"
    for i in done:  # finished scenarios were not solved again
        assert (out / "scenarios" / i / "status.json").stat().st_mtime_ns == stamps[i]
        assert (out / "scenarios" / i / "plan.nc").stat().st_mtime_ns == plan_stamps[i]
        assert read_status(out, i) == done[i]
    ds = xr.load_dataset(out / "batch.nc")
    assert ds.sizes["scenario"] == len(ids) and (ds["status"] == "optimal").all()
    assert not [p for p in (out / "scenarios").iterdir() if p.name.startswith(".")]
