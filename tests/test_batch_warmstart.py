"""--warm-start: a worker reuses its previous plan on the same dataset; the optimum does not change."""

from pathlib import Path

import pytest

from siteplan.batch import runner
from siteplan.batch.sweep import load_sweep

REPO = Path(__file__).resolve().parents[1]


def test_solve_spec_warm_start_reuses_previous_plan_and_keeps_optimum(monkeypatch):
    monkeypatch.setattr(runner, "_LAST_PLAN", {})
    specs = load_sweep(REPO / "models/sweeps/example.yaml").specs
    a, b = specs[0].to_dict(), specs[1].to_dict()
    first = runner.solve_spec(a, threads=1, warm_start=True)["record"]
    warm = runner.solve_spec(b, threads=1, warm_start=True)["record"]
    cold = runner.solve_spec(b, threads=1)["record"]
    assert first["warm_start"] is False and warm["warm_start"] is True and cold["warm_start"] is False
    gap = max(warm["headline"]["mip_gap"], cold["headline"]["mip_gap"]) + 1e-9
    assert warm["headline"]["objective_usd_per_yr"] == pytest.approx(cold["headline"]["objective_usd_per_yr"],
                                                                     rel=gap)
