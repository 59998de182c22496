"""Near-optimal alternatives of build-out studies (siteplan.alternatives on the period blocks,
siteplan.results.buildout_alternatives for the tables), on a tiny two-site bridge study."""

import subprocess
import sys

import numpy as np
import pytest

import siteplan
from siteplan.buildout import BuildOut
from siteplan.results.buildout_alternatives import (buildout_alternatives_table, buildout_robust_choices,
                                                    buildout_shared_choices)
from test_buildout import GRID_IN_3, TWO_PERIODS
from tiny import site, write_tiny


def _two_sites(tmp_path, land_s2=1e6):
    # test_buildout's bridge study (grid from 2029, mobile gas rented at $50/kW-month until then) with
    # a second site s2 beside s1 whose land costs land_s2 more: the best build-out uses s1; the same
    # timeline at s2 is the alternative
    cat = {**GRID_IN_3, "onsite": {"gas": {"lead_time_yr": 0, "rental_usd_per_kw_month": 50.0}}}
    return write_tiny(tmp_path, sites=[site("s1"), site("s2", land_cost_usd=land_s2)], demand_gpus=10.0, catalog=cat,
                      scenario={**TWO_PERIODS, "onsite": ["gas"], "bridging": {"rent": True},
                                "unmet_penalty_usd_per_gpu_yr": 1e7})


def _opens(ds):
    return {str(s): int(ds["period"].values[np.argmax(ds["open"].values[i] > 0)])
            for i, s in enumerate(ds["site"].values) if ds["open"].values[i].any()}


def test_the_alternative_build_out_is_the_same_timeline_at_the_other_site(tmp_path):
    bo = siteplan.solve(_two_sites(tmp_path), alternatives=1, slack=0.2)
    assert isinstance(bo, BuildOut) and bo.violations == []
    assert _opens(bo.ds) == {"s1": 2027}
    assert len(bo.alternatives) == 1
    alt = bo.alternatives[0]
    assert isinstance(alt, BuildOut) and alt.violations == []
    assert _opens(alt.ds) == {"s2": 2027}
    # the same bridge: 3 units rented in 2027 and the grid from 2029 (the best: 11 MW on the grid)
    assert bo.ds["onsite_units_rented"].sum(("site", "generator")).values.tolist() == [3, 0]
    assert bo.ds["interconnect_contracted_mw"].sum("site").values == pytest.approx([0.0, 11.0])
    rented = alt.ds["onsite_units_rented"].sum(("site", "generator")).values
    assert rented[0] == 3
    assert alt.ds["interconnect_contracted_mw"].sum("site").values[1] > 0
    # it costs more than the best, within the slack of the avoidable cost; its distance counts the
    # choices of each period: open (2 periods x 2 sites), the 2029 connection (s1's option and s2's),
    # the 2027 generator type (2 sites), and a unit kept at s2 in 2029 if it keeps one (step B
    # maximises the distance within the slack)
    u = bo.result.unavoidable_usd_per_yr
    assert bo.objective < alt.objective <= bo.objective + 0.2 * (bo.objective - u) + 1e-6
    assert alt.ds.attrs["distance_to_best"] == 8 + int(rented[1] > 0)
    assert alt.ds.attrs["alternative"] == 1
    tab = buildout_alternatives_table(bo.ds, [alt.ds])
    assert tab.loc["alternative 1", "sites (opens)"] == "s2 2027"
    assert tab.loc["alternative 1", "extra (USD/yr)"] == pytest.approx(alt.objective - bo.objective)
    rob = buildout_robust_choices(bo.ds, [alt.ds])
    assert rob.loc["s1", "opening"] == "tie" and rob.loc["s1", "open in"] == "1 of 2"
    assert rob.loc["s1", "power (best)"] == "grid 2029 (small); rents gas 2027"
    assert rob.loc["s2", "opens (best)"] == "closed" and rob.loc["s2", "power"] == "tie"
    shared = buildout_shared_choices(bo.ds, [alt.ds])
    assert shared == ["every plan opens 1 site(s)", "every plan takes grid power from 2029",
                      "on-site generators: rented in every plan"]


def test_no_alternative_outside_the_slack_and_the_search_says_so(tmp_path):
    # s2's land costs far more than 1 % of the avoidable cost: nothing else is within the slack
    bo = siteplan.solve(_two_sites(tmp_path, land_s2=1e9), alternatives=1, slack=0.01)
    assert bo.alternatives == []
    assert bo.ds.attrs["alternatives_search"].startswith("complete")


def test_cli_writes_and_reports_build_out_alternatives(tmp_path):
    path = _two_sites(tmp_path / "study")
    out = tmp_path / "r"
    run = subprocess.run([sys.executable, "-m", "siteplan", "solve", str(path), "--out", str(out), "-q",
                          "--alternatives", "1", "--slack", "20%"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "near-optimal build-outs (within 20.00% of the avoidable cost)" in run.stdout
    assert "s2 2027" in run.stdout
    assert (out / "alternatives" / "alt_1" / "timeline.nc").exists()
    assert (out / "alternatives" / "alt_1" / "period_2029" / "plan.nc").exists()
    md = (out / "report.md").read_text()
    assert "## Near-optimal build-outs" in md and "| s1 | 1 of 2 | 2027 | tie |" in md


def test_compare_points_at_the_periods_of_a_build_out_folder(tmp_path):
    path = _two_sites(tmp_path / "study")
    out = tmp_path / "r"
    assert subprocess.run([sys.executable, "-m", "siteplan", "solve", str(path), "--out", str(out), "-q",
                           "--no-exports"], capture_output=True, text=True).returncode == 0
    run = subprocess.run([sys.executable, "-m", "siteplan", "compare", str(out), str(out / "period_2029")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "is a build-out results folder" in run.stderr and "period_2027, period_2029" in run.stderr
    run = subprocess.run([sys.executable, "-m", "siteplan", "compare", str(out / "period_2027"),
                          str(out / "period_2029")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
