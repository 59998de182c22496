"""Smoke run of the benchmark (benchmarks/run.py) at a tiny size: the table and CSV have their
columns and the HiGHS floor ran. No timing assertions."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def test_benchmark_tiny(tmp_path):
    out = tmp_path / "perf.md"
    p = subprocess.run([sys.executable, str(REPO / "benchmarks/run.py"), "--sizes", "tiny", "--studies", "",
                        "--out", str(out), "--workdir", str(tmp_path / "work"), "--timeout", "300"],
                       capture_output=True, text=True, timeout=600, cwd=REPO)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-4000:]
    md = out.read_text()
    for header in ("prepare s", "build s", "hand-off s", "HiGHS s", "total s", "floor s", "total ÷ floor",
                   "(build+hand-off) ÷ HiGHS", "peak MB", "floor peak MB", "rows", "cols", "nonzeros",
                   "objective", "bound", "gap"):
        assert f"| {header} |" in md, header
    with open(tmp_path / "perf.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    r = rows[0]
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("bench_run", REPO / "benchmarks/run.py")
    mod = module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert list(r) == mod.COLUMNS
    assert r["status"] == "optimal"
    assert r["floor_status"] == "Optimal"  # the floor ran: HiGHS alone on the exported MPS
    assert float(r["floor_s"]) > 0 and float(r["floor_peak_mb"]) > 0 and float(r["total_over_floor"]) > 0
    assert int(r["rows"]) > 0 and int(r["cols"]) > 0 and int(r["nonzeros"]) > 0
    # the floor solved the identical matrix: same optimum within the gap
    obj, fobj, gap = float(r["objective"]), float(r["floor_objective"]), float(r["mip_rel_gap"])
    assert abs(obj - fobj) <= 2 * gap * abs(fobj) + 1e-6
    assert (tmp_path / "work" / "generated-tiny" / "model.mps").exists()


def test_strategy_benchmark_tiny(tmp_path):
    """benchmarks/strategies.py: one row per variant, each a real solve; the variants reach the same optimum."""
    import json

    out = tmp_path / "strat.md"
    p = subprocess.run([sys.executable, str(REPO / "benchmarks/strategies.py"), "--only", "tiny", "--out", str(out),
                        "--workdir", str(tmp_path / "work"), "--timeout", "300"],
                       capture_output=True, text=True, timeout=600, cwd=REPO)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-4000:]
    md = out.read_text()
    assert "| variant | status | total s | HiGHS s |" in md
    assert "| default | optimal |" in md and "| serve_linking: none | optimal |" in md
    rows = json.loads((tmp_path / "work" / "strategies.json").read_text())["tiny"]
    assert [r["variant"] for r in rows] == ["default", "serve_linking: none"]
    gaps = [float(r["gap"]) for r in rows]
    objs = [float(r["objective"]) for r in rows]
    assert abs(objs[0] - objs[1]) <= 2 * max(gaps + [1e-4]) * abs(objs[0]) + 1e-6


def test_cfl_lagrangian_bound_is_a_bound():
    """benchmarks/research/cfl_bounds.py: on small CFL instances the Lagrangian bound (demand rows relaxed,
    capacity knapsack kept) never exceeds the hand-built MIP's optimum and is at least close to the
    strong LP bound it can only improve on (subgradient steps, so not exactly)."""
    sys.path[:0] = [str(REPO / "benchmarks/research"), str(REPO / "benchmarks")]
    try:
        from cfl import handbuilt, instance
        from cfl_bounds import strong_lp_bound, subgradient
    finally:
        del sys.path[:2]
    for seed in range(3):
        inst = instance(seed, sites=8, regions=30)
        opt, _, _, _, status = handbuilt(inst, time_limit_s=60, gap=0.0)
        assert status == "Optimal"
        lp = strong_lp_bound(inst)
        lag, _ = subgradient(inst, upper=opt, iters=1500)
        assert lag <= opt * (1 + 1e-9)
        assert lp <= opt * (1 + 1e-9)
        assert lag >= lp - 5e-3 * abs(lp)


def test_cfl_pair_pruning_relaxation_is_exact_where_it_claims():
    """benchmarks/research/cfl_restricted.py: the relaxation with each region's k cheapest sites plus an
    overflow column never costs more than the full CFL optimum, equals it when every site is kept,
    and a solution without overflow is the full optimum (brute force over small random instances)."""
    sys.path[:0] = [str(REPO / "benchmarks/research"), str(REPO / "benchmarks")]
    try:
        from cfl import handbuilt, instance
        from cfl_restricted import solve
    finally:
        del sys.path[:2]
    exact_without_overflow = 0
    for seed in range(4):
        inst = instance(seed, sites=8, regions=30)
        opt, _, _, _, status = handbuilt(inst, time_limit_s=60, gap=0.0)
        assert status == "Optimal"
        full = solve(inst, k=8, gap=0.0)
        assert full["status"] == "Optimal" and full["overflow_units"] == 0
        assert abs(full["objective"] - opt) <= 1e-9 * abs(opt)
        for k in (1, 2, 3, 5):
            for aggregate in (True, False):
                r = solve(inst, k=k, aggregate=aggregate, gap=0.0)
                assert r["status"] == "Optimal"
                assert r["objective"] <= opt * (1 + 1e-9)
                if r["overflow_regions"] == 0:
                    assert abs(r["objective"] - opt) <= 1e-9 * abs(opt)
                    exact_without_overflow += 1
    assert exact_without_overflow > 0  # the claim was exercised, not only the bound


def _strong_lp_with_open_count(inst, count):
    """The compact strong LP with sum_i y_i = count: its optimum, or inf if infeasible."""
    import highspy

    from cfl import strong_lp

    n = len(inst["fixed"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(strong_lp(inst, integer=False))
    h.addRow(float(count), float(count), n, np.arange(n, dtype=np.int32), np.ones(n))
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return float("inf")
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def test_cfl_benders_reaches_the_compact_optimum():
    """benchmarks/research/cfl_benders.py: every cut is below the transportation cost everywhere and tight
    where it was made; Benders around re-solved HiGHS masters ends at the hand-built MIP's optimum
    with a bound that never exceeds it, its LP phase at the strong LP bound; probing keeps the
    optimum reachable; the bounds with exactly p sites open equal the compact LP's with that row
    (small random instances, loose and tight capacity; seed 7 once made the warm-started
    transportation LP end in "Unknown")."""
    sys.path[:0] = [str(REPO / "benchmarks/research"), str(REPO / "benchmarks")]
    try:
        from cfl import handbuilt, instance
        from cfl_benders import Benders, cardinality, probe, solve
        from cfl_bounds import strong_lp_bound
    finally:
        del sys.path[:2]
    for seed in (0, 1, 2, 3, 7):
        inst = instance(seed, sites=8, regions=30, ratio=1.5 if seed % 2 else None)
        b = Benders(inst)
        rng = np.random.default_rng(seed)
        points = [rng.uniform(0, 1, 8) for _ in range(4)] + [rng.integers(0, 2, 8).astype(float) for _ in range(4)]
        points.append(np.zeros(8))  # no capacity at all: every demand unmet
        made = [b.cut_at(y) for y in points]
        for value, const, g in made:
            for y, (t, _, _) in zip(points, made):
                assert const + g @ y <= t + 1e-7 * abs(t)
        for y, (t, const, g) in zip(points, made):
            assert abs(const + g @ y - t) <= 1e-6 * abs(t)
        opt, _, _, _, status = handbuilt(inst, time_limit_s=60, gap=0.0)
        assert status == "Optimal"
        r = solve(inst, gap=0.0)
        assert r["status"] == "optimal"
        assert abs(r["objective"] - opt) <= 1e-9 * abs(opt)
        assert r["bound"] <= opt * (1 + 1e-9)
        assert abs(r["lp_bound"] - strong_lp_bound(inst)) <= 1e-5 * abs(opt)
        # probing with a worse upper bound keeps the optimum reachable; with the optimum itself the
        # reduced MIP may be infeasible (nothing beats it) but must not find anything cheaper
        p = probe(inst, opt * 1.01)
        assert p["status"] == "Optimal"
        assert abs(p["reduced_objective"] - opt) <= 1e-4 * abs(opt) and p["bound"] <= opt * (1 + 1e-9)
        p = probe(inst, opt)
        assert p["status"] in ("Optimal", "Infeasible")
        assert p["reduced_objective"] >= opt * (1 - 1e-9)
        # then the pruned-pairs relaxation over the sites left: a bound, and exact without overflow
        for k in (1, 2, 8):
            p = probe(inst, opt * 1.01, k=k)
            assert p["status"] == "Optimal" and p["bound"] <= opt * (1 + 1e-9)
            if p["overflow_regions"] == 0:
                assert abs(p["reduced_objective"] - opt) <= 1e-4 * abs(opt)
            assert k < 8 or p["overflow_regions"] == 0
        # with exactly p sites open: the compact LP's bound with that row, to the loop's tolerance
        bounds = cardinality(inst, list(range(1, 9)))
        for count, bound in bounds.items():
            compact = _strong_lp_with_open_count(inst, count)
            if compact == float("inf"):
                assert bound > opt
            else:
                assert abs(bound - compact) <= 1e-5 * abs(compact), (seed, count, bound, compact)
        assert bounds[r["open"]] <= opt * (1 + 1e-9)
        # and the MIP restricted to the optimum's count of open sites (cfl.py --open-between) keeps it
        within = handbuilt(inst, time_limit_s=60, gap=0.0, open_between=(r["open"], r["open"]))[0]
        assert abs(within - opt) <= 1e-9 * abs(opt)
        if r["open"] < 8:
            more, _, _, _, status = handbuilt(inst, time_limit_s=60, gap=0.0, open_between=(r["open"] + 1, 8))
            assert status == "Infeasible" or more >= opt * (1 - 1e-9)
