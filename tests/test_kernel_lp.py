"""The LP relaxation on a kernel of sites, priced out (siteplan.solve.kernel_lp; issue 21's national
build-out): certified, it is the whole LP's optimum; the solve uses it for models too big for their
budget and still reaches the textbook optimum; the first kernel holds the sites nearest each demand."""

from pathlib import Path

import numpy as np
import pytest

import siteplan
from siteplan.solve import kernel_lp as klp
from siteplan.solve.highs import load_highs, relaxed
from siteplan.model import build_model
from siteplan.prepare import prepare
from siteplan.solve import compile_model

REPO = Path(__file__).resolve().parents[1]


def _compiled(scen):
    study = siteplan.load(scen)
    p = prepare(study.scenario, study.dataset, study.catalog)
    m = build_model(p)
    cm = compile_model(m)
    pos = {id(v): i for i, v in enumerate(cm.columns)}
    return p, m, cm, np.array([pos[id(m.open[s])] for s in p.sites], dtype=np.int32), pos


def _from_worst_site(cfl, tmp_path, seed: int, kind: str = "uncapacitated"):
    """A 12-site instance compiled, its whole LP (objective, point), and as the kernel the one
    site that LP uses least."""
    inst = cfl.instance(seed, sites=12, regions=40, kind=kind)
    _, _, cm, open_cols, _ = _compiled(cfl.write(tmp_path / kind, inst, seed))
    whole, x_whole = _whole_lp(cm)
    return cm, open_cols, whole, open_cols[[int(np.argmin(x_whole[open_cols]))]]


def _whole_lp(cm):
    h = load_highs(relaxed(cm), {"threads": 1})
    h.run()
    return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)


def _feasible(cm, x, tol=1e-6):
    ax = cm.A @ x
    scale = np.maximum(1.0, np.abs(ax))
    return bool(np.all(ax >= cm.row_lower - tol * scale) and np.all(ax <= cm.row_upper + tol * scale)
                and np.all(x >= cm.col_lower - tol) and np.all(x <= cm.col_upper + tol))


@pytest.mark.parametrize("kind,seed", [("uncapacitated", 4), ("tight", 5), ("loose", 6)])
def test_a_certified_kernel_lp_is_the_whole_lp(cfl, tmp_path, kind, seed):
    """Started from the one site the whole LP uses least, pricing frees the sites it needs: the
    certified result is the whole LP's optimum, and feasible for it."""
    cm, open_cols, whole, worst = _from_worst_site(cfl, tmp_path, seed, kind)
    lines = []
    x, ok = klp.kernel_lp(cm, open_cols, worst, {"threads": 1}, 60.0, progress=lines.append)
    assert ok, lines
    assert len(lines) >= 2, lines  # the first kernel was not enough: pricing did the work
    assert cm.c @ x + cm.offset == pytest.approx(whole, rel=1e-7)
    assert _feasible(cm, x)


def test_a_kernel_lp_stopped_early_is_not_certified(cfl, tmp_path, monkeypatch):
    cm, open_cols, whole, worst = _from_worst_site(cfl, tmp_path, 4)
    monkeypatch.setattr(klp, "MAX_ROUNDS", 1)
    x, ok = klp.kernel_lp(cm, open_cols, worst, {"threads": 1}, 60.0)
    assert not ok
    assert cm.c @ x + cm.offset > whole * (1 + 1e-6)  # one site is not the whole LP's optimum
    assert _feasible(cm, x)  # but a point of it: the other sites closed


def test_a_model_too_big_for_its_budget_is_planned_by_its_start_on_the_kernel(cfl, tmp_path, monkeypatch):
    """With every model counted as too big (the thresholds patched), the root cut loop is skipped, the
    start's LP is the kernel's, and HiGHS only takes the start: the plan is the restricted MIP's among
    the sites the priced kernel LP opens, a plan with no bound, here the textbook optimum."""
    inst = cfl.instance(7, sites=12, regions=40, kind="loose")
    scen = cfl.write(tmp_path / "loose", inst, 7)
    opt, _, _, _, status = cfl.handbuilt(inst, time_limit_s=60, gap=0.0)
    assert status == "Optimal"
    monkeypatch.setattr(klp, "KERNEL_MIN_ROWS", 0)
    monkeypatch.setattr(klp, "LP_S_PER_ROW", 1e3)
    lines = []
    plan = siteplan.solve(scen, set_values={"solver.mip_rel_gap": 0.0, "solver.time_limit_s": 60,
                                            "solver.mip_start": True, "formulation.serve_linking": "cuts"},
                          progress=lines.append)
    assert any("kernel LP round 1" in ln for ln in lines), lines
    assert any("the plan is the start, with no bound" in ln for ln in lines), lines
    r = plan.result
    assert r.root_cuts == 0 and r.mip_nodes == 0
    assert r.termination.value == "time_limit"
    assert r.objective == pytest.approx(r.start_objective, rel=1e-9)
    assert abs(r.objective - opt) <= 1e-7 * abs(opt)
    assert not plan.violations


def test_models_below_the_row_floor_never_use_the_kernel(cfl, tmp_path):
    inst = cfl.instance(7, sites=12, regions=40, kind="loose")
    _, m, cm, open_cols, _ = _compiled(cfl.write(tmp_path / "loose", inst, 7))
    assert cm.A.shape[0] < klp.KERNEL_MIN_ROWS
    assert klp.whole_lp_seconds(cm, m._siteplan_start_fix) == 0.0
    assert not klp.use_kernel(cm, open_cols, 0.0)


def test_the_first_kernel_holds_the_sites_nearest_each_demand(cfl, tmp_path):
    from siteplan.model.demand import START_KERNEL_PER_DEMAND

    inst = cfl.instance(8, sites=60, regions=10, kind="tight")
    p, m, _, _, _ = _compiled(cfl.write(tmp_path / "t", inst, 8))
    kernel = {v.index() for v in m._siteplan_start_kernel}
    demands = [(r, w) for r in p.regions for w in p.workloads if p.demand_gpus.at[r, w] > 0]
    assert len(kernel) <= START_KERNEL_PER_DEMAND * len(demands) and len(kernel) < len(p.sites)
    for r, w in demands:
        near = sorted((p.rtt_ms.at[s, r], s) for s, r2, w2 in p.serve_pairs if (r2, w2) == (r, w))
        assert {s for _, s in near[:START_KERNEL_PER_DEMAND]} <= kernel
        beyond = [s for t, s in near if t > near[START_KERNEL_PER_DEMAND - 1][0]]
        assert beyond  # some site is farther than the kernel's for this demand ...
    assert set(p.sites) - kernel  # ... and some site is in no demand's kernel


def test_no_round_starts_without_time_for_it(cfl, tmp_path, monkeypatch):
    """A round starts only with ROUND_GROWTH x the last round's seconds left in the budget."""
    cm, open_cols, _, worst = _from_worst_site(cfl, tmp_path, 4)
    monkeypatch.setattr(klp, "ROUND_GROWTH", 1e9)
    lines = []
    x, ok = klp.kernel_lp(cm, open_cols, worst, {"threads": 1}, 60.0, progress=lines.append)
    assert len(lines) == 1 and not ok and x is not None
