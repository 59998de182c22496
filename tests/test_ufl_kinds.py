"""Facility location against the textbook model (issue 21): on small generated instances of each
kind (uncapacitated, loose and tight capacity; benchmarks/cfl.py), siteplan's optimum equals the
textbook strong model's optimum built directly in highspy, with every serve-linking strategy; the
idle-compute dominance row is built exactly where capacity cannot bind."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", ["uncapacitated", "loose", "tight"])
def test_siteplan_optimum_is_the_textbook_optimum(cfl, kind, tmp_path):
    import siteplan

    inst = cfl.instance(3, sites=10, regions=40, kind=kind)
    scen = cfl.write(tmp_path / kind, inst, 3)
    opt, _, _, _, status = cfl.handbuilt(inst, time_limit_s=60, gap=0.0)
    assert status == "Optimal"
    for linking in ("auto", "rows", "cuts", "none"):
        plan = siteplan.solve(scen, set_values={"formulation.serve_linking": linking, "solver.mip_rel_gap": 0.0,
                                                "solver.time_limit_s": 60})
        r = plan.result
        assert r.termination.value == "optimal", (kind, linking)
        assert abs(r.objective - opt) <= 1e-7 * abs(opt), (kind, linking, r.objective, opt)
        assert not plan.violations, (kind, linking, plan.violations)


def test_textbook_kinds(cfl):
    """Uncapacitated: every site holds the whole demand and the textbook model has no capacity rows;
    loose: more capacity than tight for the same seed; the points and costs do not depend on the kind."""
    u, lo, t = (cfl.instance(0, sites=6, regions=20, kind=k) for k in ("uncapacitated", "loose", "tight"))
    assert (u["capacity"] == u["demand"].sum()).all()
    assert lo["ratio"] > t["ratio"]
    for a in (lo, t):
        assert (a["fixed"] == u["fixed"]).all() and (a["cost"] == u["cost"]).all()
    assert cfl.strong_lp(u).num_row_ == 20 + 6 * 20  # demand rows + links
    assert cfl.strong_lp(t).num_row_ == 20 + 6 + 6 * 20  # + capacity rows
    with pytest.raises(ValueError):
        cfl.instance(0, kind="capacitated")


def test_idle_compute_row_only_where_capacity_cannot_bind(cfl, tmp_path):
    import siteplan
    from siteplan.prepare import prepare

    for kind, expect in (("uncapacitated", 8), ("tight", 0)):
        inst = cfl.instance(1, sites=8, regions=30, kind=kind)
        study = siteplan.load(cfl.write(tmp_path / kind, inst, 1))
        m = siteplan.build_model(prepare(study.scenario, study.dataset, study.catalog))
        assert len(m.idle_compute) == expect, kind
