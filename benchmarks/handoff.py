"""Compare ways of handing a built siteplan model to HiGHS (time to a model loaded in HiGHS).

    python benchmarks/handoff.py models/example.yaml [/tmp/gen300/study.yaml ...]

Paths: (1) Pyomo standard-form compiler -> highspy.passModel (what siteplan uses);
(2) Pyomo LP writer -> file -> highspy.readModel; (3) Pyomo's persistent appsi_highs interface
(set_instance). Each path is timed on the same built model, side by side, after a warm-up.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import highspy

import siteplan
from siteplan.prepare import prepare
from siteplan.solve import _highs, _quiet_highs, compile_model


def standard_form(m):
    cm = compile_model(m)
    return _highs(cm, {"output_flag": False})


def lp_file(m):
    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "m.lp")
        m.write(path, io_options={"symbolic_solver_labels": False})
        h = _quiet_highs()
        h.readModel(path)
    return h


def appsi(m):
    from pyomo.contrib.appsi.solvers.highs import Highs

    opt = Highs()
    opt.set_instance(m)
    return opt


def main(paths):
    print("| study | rows x cols | build s | standard form -> highspy s | LP file -> highspy s | appsi persistent s |")
    print("|---|---|---|---|---|---|")
    for p in paths:
        study = siteplan.load(p)
        prep = prepare(study.scenario, study.dataset, study.catalog)
        t0 = time.perf_counter()
        m = siteplan.build_model(prep)
        build = time.perf_counter() - t0
        standard_form(m)  # warm-up
        times = {}
        for name, fn in (("sf", standard_form), ("lp", lp_file), ("appsi", appsi)):
            t0 = time.perf_counter()
            h = fn(m)
            times[name] = time.perf_counter() - t0
            if isinstance(h, highspy.Highs):
                rows, cols = h.getNumRow(), h.getNumCol()
        print(f"| {study.scenario.name} | {rows} x {cols} | {build:.2f} | {times['sf']:.2f} | {times['lp']:.2f} | "
              f"{times['appsi']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["models/example.yaml"])
