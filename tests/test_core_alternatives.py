"""Near-optimal alternatives (siteplan.alternatives): within the slack, pairwise distinct."""

import itertools
from pathlib import Path

import pytest

import siteplan
from siteplan.alternatives import alternatives_table, robust_choices
from siteplan.results.folder import read_results, write_results
from tiny import site, write_tiny

EXAMPLE = Path(__file__).resolve().parents[1] / "models/example.yaml"
H = 8760.0
RACK_1M = {"rack_types": {"r1": {"capex_usd_per_rack": 1e6}}}


def _choices(plan) -> set:
    ds = plan.ds
    out = {("open", s) for s, v in zip(ds["site"].values, ds["open"].values) if v}
    out |= {("connect", o) for o, v in zip(ds["option"].values, ds["option_built"].values) if v}
    if ds.sizes.get("generator", 0):
        u = ds["onsite_units"].transpose("site", "generator").values
        out |= {("gen", s, g) for i, s in enumerate(ds["site"].values)
                for j, g in enumerate(ds["generator"].values) if u[i, j] > 0.5}
    return out


def test_alternatives_are_within_the_slack_and_pairwise_distinct(tmp_path):
    study = siteplan.load(EXAMPLE)
    plan = siteplan.solve(study, alternatives=2, slack=0.05)
    alts = plan.alternatives
    assert len(alts) == 2
    u = plan.result.unavoidable_usd_per_yr
    cap = plan.objective + 0.05 * (plan.objective - u)
    plans = [plan, *alts]
    for a in alts:
        assert plan.objective - 1e-6 <= a.objective <= cap + 1e-6
        assert a.violations == []
        assert a.ds.attrs["min_distance"] >= 1
    for p, q in itertools.combinations(plans, 2):
        assert _choices(p) != _choices(q)
    # the second alternative is at least as far from the first as the distance it reports
    assert len(_choices(alts[1]) ^ _choices(alts[0])) >= alts[1].ds.attrs["min_distance"]
    tab = alternatives_table(plan, alts)
    assert list(tab.index) == ["best", "alternative 1", "alternative 2"]
    assert (tab["extra (% of avoidable)"] <= 5.0 + 1e-6).all()
    # results folders keep them, and the report shows them
    write_results(plan, study, tmp_path / "res")
    back = read_results(tmp_path / "res")
    assert [a.objective for a in back.alternatives] == pytest.approx([a.objective for a in alts])
    from siteplan.export.report import write_report

    md = next(p for p in write_report(back, tmp_path / "res") if p.suffix == ".md").read_text()
    assert "## Near-optimal alternatives" in md and "alternative_2.png" in md


def test_two_equal_sites_tie_and_a_dear_one_is_no_alternative(tmp_path):
    # s1 and s2 cost the same; s3's land costs $3M more. The avoidable cost is 1M + energy.
    sites = [site("s1"), site("s2", lon=-97.01), site("s3", lon=-97.02, land_cost_usd=3e6)]
    study = siteplan.load(write_tiny(tmp_path, sites=sites, catalog=RACK_1M))
    plan = siteplan.solve(study, alternatives=3, slack=0.01)
    avoidable = plan.objective - plan.result.unavoidable_usd_per_yr
    assert avoidable == pytest.approx(1e6 + 11 * H * 100)
    # 1 % of ~10.6M is ~106k: the twin site is an alternative at no extra cost, s3 (+3M) is not
    assert len(plan.alternatives) == 1
    alt = plan.alternatives[0]
    assert alt.objective == pytest.approx(plan.objective)
    assert {s for s, v in zip(alt.ds["site"].values, alt.ds["open"].values) if v} | \
        {s for s, v in zip(plan.ds["site"].values, plan.ds["open"].values) if v} == {"s1", "s2"}
    rob = robust_choices(plan, plan.alternatives)
    assert set(rob["siting"]) == {"tie"}
    from siteplan.alternatives import shared_choices

    shared = shared_choices(plan, plan.alternatives)
    assert shared[:3] == ["every plan opens 1 site(s)", "every plan is grid-only (no on-site generators)",
                          "every plan connects at 69 kV"]  # the tiny catalog's class "small", in words
    assert set(rob["power (best)"]) <= {"69 kV to b1", "closed"}  # voltage and substation, no ids
    # with 40 % slack (~4.2M) s3 qualifies as well
    plan = siteplan.solve(study, alternatives=3, slack=0.4)
    opened = [{s for s, v in zip(p.ds["site"].values, p.ds["open"].values) if v} for p in [plan, *plan.alternatives]]
    assert any("s3" in o for o in opened)


def test_cli_alternatives(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "siteplan", "solve", str(EXAMPLE), "--out", str(tmp_path / "r"),
                          "--no-exports", "-q", "--alternatives", "1", "--slack", "5%"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "near-optimal alternatives (within 5.00% of the avoidable cost)" in run.stdout
    assert (tmp_path / "r" / "alternatives" / "alt_1" / "plan.nc").exists()
    bad = subprocess.run([sys.executable, "-m", "siteplan", "solve", str(EXAMPLE), "--out", str(tmp_path / "r"),
                          "--no-exports", "-q", "--alternatives", "1", "--slack", "lots"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--slack" in bad.stderr


def test_scenario_asks_for_alternatives():
    plan = siteplan.solve(EXAMPLE, set_values={"alternatives.count": 1, "alternatives.slack": 0.05})
    assert len(plan.alternatives) == 1 and plan.alternatives[0].ds.attrs["slack"] == 0.05
    assert siteplan.solve(EXAMPLE, set_values={"alternatives.count": 1}, alternatives=0).alternatives == []


def test_a_cheaper_alternative_is_noted():
    # the best plan stops at a 50 % decision gap (415.7M against the 406.6M optimum); the cheapest
    # plan one choice away (step A of each alternative) then costs less, and the plan says so
    plan = siteplan.solve(EXAMPLE, set_values={"solver.mip_rel_gap": 0.0, "solver.decision_gap": 0.5,
                                               "solver.mip_start": False}, alternatives=1, slack=0.05)
    assert plan.alternatives[0].ds.attrs["cheapest_other_usd_per_yr"] < plan.objective
    assert any("a plan that differs from this one costs $" in n for n in plan.ds.attrs["notes"].split("\n"))


def test_equally_far_alternatives_go_to_the_cheaper_and_the_model_keeps_the_best(tmp_path):
    # s2 is a twin of s1; s3 is as far from the best plan as s2 but its land costs more (within the
    # slack): the alternative shown is s2. The search is complete, and the model holds the best plan.
    from siteplan.alternatives import find_alternatives

    sites = [site("s1"), site("s2", lon=-97.01), site("s3", lon=-97.02, land_cost_usd=2e4)]
    study = siteplan.load(write_tiny(tmp_path, sites=sites, catalog=RACK_1M))
    prep = siteplan.prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    best = siteplan.solve_built(m, prep)
    before = {k: v.value for k, v in m.open.items()}
    alts = find_alternatives(m, prep, best, k=1, slack=0.05)
    assert len(alts) == 1
    opened = {s for s, v in zip(alts[0].ds["site"].values, alts[0].ds["open"].values) if v}
    assert alts[0].objective == pytest.approx(best.objective)
    assert "s3" not in opened
    assert {k: v.value for k, v in m.open.items()} == before
    assert best.ds.attrs["alternatives_search"] == "all 1 requested alternatives found"
    # k larger than what exists within 1 %: the search proves there is no third plan
    alts = find_alternatives(m, prep, best, k=3, slack=0.001)
    assert len(alts) == 1
    assert best.ds.attrs["alternatives_search"].startswith("complete")
    assert set(robust_choices(best, alts)["siting"]) == {"tie"}
    best.ds.attrs["alternatives_search"] = "unproven: test"
    assert robust_choices(best, []).iloc[0]["siting"] == "robust (unproven)"
