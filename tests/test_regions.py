"""Every bundled region validates and solves a reduced version of its scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from siteplan import api
from siteplan.databuild.regions import DEFAULT_REGION, REGIONS

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "models"


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_region_validates(region):
    problems = api.validate_scenario(MODELS / f"{region}.yaml")
    assert problems == []


def test_default_region_is_texas():
    assert DEFAULT_REGION == "texas" and (MODELS / "texas.yaml").exists()


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_region_solves_reduced(region):
    # 10 % of the demand on the first 25 candidate sites: a small but real instance of every region
    study = api.load(MODELS / f"{region}.yaml",
                     set_values={"demand_scale": 0.1, "solver.time_limit_s": 30, "alternatives.count": 0,
                                 "solver.mip_rel_gap": 0.02, "solver.threads": 2})
    study.dataset.sites = study.dataset.sites.iloc[:25]
    plan = api.solve(study)
    res = plan.result
    assert res.has_solution
    assert res.gap <= 0.02 + 1e-9
    ds = plan.ds
    assert int(ds["open"].sum()) >= 1
    served = float(ds["served_h100e"].sum())
    demand = float(ds["demand_h100e"].sum())
    unmet = float(ds["unmet_h100e"].sum())
    assert served > 0
    assert served + unmet == pytest.approx(demand, rel=1e-6)
    # capacity placed covers what is served
    assert float(ds["compute_h100e"].sum()) >= served * (1 - 1e-6)
    assert np.isfinite(res.objective)


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_region_buildout_solves_reduced(region):
    # the region's build-out (three periods to 2035) at 5 % of the demand on 20 candidate sites
    study = api.load(MODELS / f"{region}_buildout.yaml",
                     set_values={"demand_scale": 0.05, "solver.time_limit_s": 60, "solver.mip_rel_gap": 0.02,
                                 "solver.decision_gap": None, "solver.threads": 2})
    study.dataset.sites = study.dataset.sites.iloc[:20]
    bo = api.solve(study)
    assert bo.result.has_solution and bo.violations == []
    ds = bo.ds
    assert [int(y) for y in ds["period"].values] == [2027, 2029, 2032]
    # demand grows along the scenario's path and sites never close
    assert (np.diff(ds["demand_h100e"].values) > 0).all()
    assert (np.diff(ds["open"].values, axis=1) >= 0).all()
    served = ds["demand_h100e"].values - ds["unmet_h100e"].values
    assert (served > 0).all()
    # no grid connection energises in 2027 (one year after the start; the fastest class takes two)
    assert float(ds["interconnect_contracted_mw"].sel(period=2027).sum()) == 0.0
