"""Compare ways of handing a built siteplan model to HiGHS (time to a model loaded in HiGHS).

    python benchmarks/handoff.py models/example.yaml [/tmp/gen300/study.yaml ...]

Paths: (1) siteplan's compiler (``siteplan.solve.compiler``, the same matrix as Pyomo's standard form)
-> highspy.passModel (what siteplan uses); (2) Pyomo's standard-form compiler -> passModel;
(3) Pyomo LP writer -> file -> highspy.readModel; (4) Pyomo's persistent appsi_highs interface
(set_instance). Each path is timed on the same built model, side by side, after a warm-up; the
table gives the median of ``--repeat`` runs (default 3).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import highspy

import siteplan
from siteplan.prepare import prepare
from siteplan.solve import compile_model
from siteplan.solve.highs import load_highs, quiet_highs


def siteplan_compiler(m):
    return load_highs(compile_model(m, "siteplan"), {"output_flag": False})


def standard_form(m):
    return load_highs(compile_model(m, "pyomo"), {"output_flag": False})


def lp_file(m):
    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "m.lp")
        m.write(path, io_options={"symbolic_solver_labels": False})
        h = quiet_highs()
        h.readModel(path)
    return h


def appsi(m):
    from pyomo.contrib.appsi.solvers.highs import Highs

    opt = Highs()
    opt.set_instance(m)
    return opt


def main(paths, repeat=3):
    print("| study | rows x cols | build s | siteplan compiler -> highspy s | Pyomo standard form -> highspy s "
          "| LP file -> highspy s | appsi persistent s |")
    print("|---|---|---|---|---|---|---|")
    for p in paths:
        study = siteplan.load(p)
        prep = prepare(study.scenario, study.dataset, study.catalog)
        t0 = time.perf_counter()
        m = siteplan.build_model(prep)
        build = time.perf_counter() - t0
        standard_form(m)  # warm-up
        siteplan_compiler(m)
        times = {}
        for name, fn in (("sp", siteplan_compiler), ("sf", standard_form), ("lp", lp_file), ("appsi", appsi)):
            runs = []
            for _ in range(repeat if name in ("sp", "sf") else 1):
                t0 = time.perf_counter()
                h = fn(m)
                runs.append(time.perf_counter() - t0)
            times[name] = statistics.median(runs)
            if isinstance(h, highspy.Highs):
                rows, cols = h.getNumRow(), h.getNumCol()
        print(f"| {study.scenario.name} | {rows} x {cols} | {build:.2f} | {times['sp']:.3f} | {times['sf']:.3f} | "
              f"{times['lp']:.2f} | {times['appsi']:.2f} |", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    rep = 3
    if "--repeat" in args:
        i = args.index("--repeat")
        rep = int(args[i + 1])
        del args[i:i + 2]
    main(args or ["models/example.yaml"], rep)
