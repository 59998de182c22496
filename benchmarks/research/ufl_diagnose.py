"""Where siteplan's model of a facility-location instance differs from the textbook one (issue 21).

    python benchmarks/research/ufl_diagnose.py --kind uncapacitated --sites 50 --regions 300 --seed 0

Builds siteplan's model of a ``benchmarks/cfl.py`` instance and the textbook strong model
(``cfl.strong_lp``) of the same data, and reports for each: columns, integer columns, rows and
nonzeros; what HiGHS presolve leaves; the LP relaxation bound; and the MIP time (1 thread). Then
the siteplan model again with one piece of its extra structure changed at a time (racks or
generator units relaxed to continuous, the 'open => at least one rack' rows dropped, the
``idle_compute`` row dropped, the serve links as rows / cuts / none), so the piece that makes it
weaker or slower shows. (``cuts`` is measured without siteplan's root cut loop: HiGHS alone.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # research/ siblings, then benchmarks/ (cfl.py)

from cfl import KINDS, instance, strong_lp, write  # noqa: E402


def _highs(threads=1, time_limit=300.0):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for k, v in {"threads": threads, "time_limit": time_limit, "mip_rel_gap": 1e-4, "random_seed": 0}.items():
        h.setOptionValue(k, v)
    return h


def measure(passer, name: str, time_limit: float) -> dict:
    """Sizes, presolved sizes, LP bound and MIP time of the model ``passer(h)`` passes."""
    import highspy

    h = _highs(time_limit=time_limit)
    passer(h)
    lp = h.getLp()
    integ = np.array([int(x) for x in lp.integrality_]) if len(lp.integrality_) else np.zeros(lp.num_col_)
    rec = dict(model=name, cols=lp.num_col_, ints=int((integ != 0).sum()), rows=lp.num_row_,
               nnz=len(lp.a_matrix_.value_))
    h.presolve()
    plp = h.getPresolvedLp()
    pint = np.array([int(x) for x in plp.integrality_]) if len(plp.integrality_) else np.zeros(plp.num_col_)
    rec.update(pre_cols=plp.num_col_, pre_ints=int((pint != 0).sum()), pre_rows=plp.num_row_)
    # LP relaxation
    r = _highs(time_limit=time_limit)
    passer(r)
    r.setOptionValue("solve_relaxation", True)
    t = time.perf_counter()
    r.run()
    rec["lp_s"] = time.perf_counter() - t
    rec["lp_bound"] = r.getInfo().objective_function_value
    # MIP
    h = _highs(time_limit=time_limit)
    passer(h)
    t = time.perf_counter()
    h.run()
    info = h.getInfo()
    rec.update(mip_s=time.perf_counter() - t, obj=info.objective_function_value, bound=info.mip_dual_bound,
               nodes=info.mip_node_count, status=h.modelStatusToString(h.getModelStatus()))
    del highspy
    return rec


def siteplan_passer(scenario: Path, variant: str, set_values: dict | None = None):
    """A function passing siteplan's compiled model (with ``variant`` applied) to a Highs."""
    import pyomo.environ as pyo

    import siteplan
    from siteplan.prepare import prepare
    from siteplan.solve.highs import load_highs as sp_highs
    from siteplan.solve import compile_model

    study = siteplan.load(scenario, set_values=set_values or {})
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    for part in filter(None, variant.split("+")):
        if part == "racks_cont":
            for v in m.racks.values():
                v.domain = pyo.NonNegativeReals
        elif part == "units_cont":
            for v in m.units.values():
                v.domain = pyo.NonNegativeReals
            for v in m.has_gen.values():
                v.domain = pyo.UnitInterval
        elif part == "no_nonempty":
            m.nonempty.deactivate()
        elif part == "no_idle":  # without siteplan's idle_compute row (at most one idle rack per site)
            m.idle_compute.deactivate()
        elif part == "idle_all":  # the idle_compute row at every site, capacity binding or not
            h100e = {g: study.catalog.rack_types[g].gpus_per_rack * study.catalog.rack_types[g].h100e_per_gpu
                     for g in prep.rack_types}
            served = {s_: [] for s_ in prep.sites}
            for s_, r_, w_ in prep.serve_pairs:
                served[s_].append(m.serve[s_, r_, w_])
            m.idle_more = pyo.ConstraintList()
            for s_ in prep.sites:
                terms = [(g, k) for (s2, g, k) in prep.site_rack_design if s2 == s_]
                if terms and s_ not in m.idle_compute:
                    m.idle_more.add(sum(h100e[g] * m.racks[s_, g, k] for g, k in terms) - sum(served[s_])
                                    <= max(h100e[g] for g, _ in terms))
        elif part == "design_cont":
            for v in m.design.values():
                v.domain = pyo.UnitInterval
        else:
            raise ValueError(part)
    cm = compile_model(m)
    cuts = getattr(m, "_siteplan_root_cuts", None)

    def passer(h):
        import highspy

        A = cm.A.tocsc()
        h.passModel(len(cm.columns), A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise),
                    int(highspy.ObjSense.kMinimize), cm.offset, cm.c, cm.col_lower, cm.col_upper,
                    cm.row_lower, cm.row_upper, A.indptr.astype(np.int32), A.indices.astype(np.int32),
                    A.data.astype(float), cm.integrality.astype(np.int32))
    del sp_highs
    return passer, cm, cuts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=KINDS, default="uncapacitated")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sites", type=int, default=50)
    ap.add_argument("--regions", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path("/tmp/ufl_diag"))
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--variants", default="textbook,textbook+cap,rows,rows+no_idle,none,rows+racks_cont,"
                                          "rows+units_cont,rows+no_nonempty")
    a = ap.parse_args()
    inst = instance(a.seed, a.sites, a.regions, kind=a.kind)
    scen = write(a.out, inst, a.seed)
    cols = ["model", "cols", "ints", "rows", "nnz", "pre_cols", "pre_ints", "pre_rows", "lp_bound", "lp_s",
            "mip_s", "nodes", "obj", "status"]
    print("| " + " | ".join(cols) + " |")
    for v in a.variants.split(","):
        if v.startswith("textbook"):
            lp = strong_lp(inst, capacity_rows=True if v == "textbook+cap" else None)

            def passer(h, lp=lp):
                h.passModel(lp)
        else:
            link, _, rest = v.partition("+")
            passer, _, _ = siteplan_passer(scen, rest, {"formulation.serve_linking": link})
        rec = measure(passer, v, a.time_limit)
        print("| " + " | ".join(f"{rec[c]:.6g}" if isinstance(rec[c], float) else str(rec[c]) for c in cols) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
