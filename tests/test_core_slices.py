"""Time-slice aggregation keeps the year (8760 h), the weighted means, the hottest slice and whole
representative days (their chronology)."""

from pathlib import Path

import numpy as np
import pytest

import siteplan
from siteplan.results.invariants import check_plan
from siteplan.prepare import prepare
from siteplan.io import day_structure_problems, slice_days
from siteplan.prepare.slices import DESIGN_PEAK, aggregate_slices

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study():
    return siteplan.load(REPO / "models/example.yaml")


@pytest.mark.parametrize("k", [2, 3, 5])
def test_aggregation_preserves_hours_means_and_peak(study, k):
    cl, pr = study.dataset.climate, study.dataset.prices
    new_cl, new_pr, mapping = aggregate_slices(cl, pr, k)
    # k slices + the zero-hour design-peak slice; whole days are merged, and the example has two day
    # structures (day/night days, the one-slice summer-peak day), so k = 2 still gives 3 slices
    assert new_cl.sizes["slice"] == max(k, 3) + 1
    assert list(new_cl["slice"].values)[-1] == DESIGN_PEAK
    assert float(new_cl["weight_h"].sel(slice=DESIGN_PEAK)) == 0.0
    assert float(new_cl["weight_h"].sum()) == pytest.approx(8760.0)
    w, nw = cl["weight_h"].values, new_cl["weight_h"].values
    for v in ("dry_bulb_c", "wet_bulb_c"):
        before = (cl[v].transpose("station", "slice").values * w).sum(axis=1)
        after = (new_cl[v].transpose("station", "slice").values * nw).sum(axis=1)
        np.testing.assert_allclose(before, after)
    p_before = (pr["energy_price_usd_per_mwh"].unstack("slice")[list(cl["slice"].values)].values * w).sum()
    p_after = (new_pr["energy_price_usd_per_mwh"].unstack("slice")[list(new_cl["slice"].values)].values * nw).sum()
    assert p_after == pytest.approx(p_before)
    # the hottest slice stays on its own, with its own temperatures
    dry = cl["dry_bulb_c"].transpose("station", "slice").values
    hot = str(cl["slice"].values[np.unravel_index(np.argmax(dry), dry.shape)[1]])
    assert mapping[hot] == hot
    assert new_cl["dry_bulb_c"].max() == pytest.approx(dry.max())
    # every station's own peak survives in the design-peak slice
    for v in ("dry_bulb_c", "wet_bulb_c"):
        np.testing.assert_allclose(new_cl[v].sel(slice=DESIGN_PEAK).values, cl[v].max("slice").values)
    assert set(new_pr.index.get_level_values("slice")) == set(new_cl["slice"].values)
    # deterministic
    again = aggregate_slices(cl, pr, k)[2]
    assert again == mapping
    # whole days: a valid day structure, slices of one original day land in one merged day at the
    # same position, and each merged day stands for the sum of its days
    probs = []
    day_structure_problems(new_cl, "merged", probs)
    assert probs == []
    old, new = slice_days(cl), slice_days(new_cl)
    for t, nt in mapping.items():
        assert new.at[nt, "order_in_day"] == old.at[t, "order_in_day"]
        same_day = old.index[old["day"] == old.at[t, "day"]]
        assert {new.at[mapping[u], "day"] for u in same_day} == {new.at[nt, "day"]}
    days_old = (cl["weight_h"].values / old["duration_h"].values).sum()
    nw_ = new_cl["weight_h"].values[:-1]
    days_new = (nw_ / new["duration_h"].values[:-1]).sum()
    assert days_new == pytest.approx(days_old)
    assert new.loc[DESIGN_PEAK].tolist() == [DESIGN_PEAK, 0, 24.0]


def test_clustered_study_solves_consistently(study):
    sc = study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": 3})})
    prep = prepare(sc, study.dataset, study.catalog)
    assert len(prep.slices) == 4  # 3 clusters + the design-peak slice
    # the design-peak slice carries each site's worst PUE over the original slices
    full = prepare(study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": None})}), study.dataset, study.catalog)
    np.testing.assert_allclose(prep.pue.sel(slice=DESIGN_PEAK).values, full.pue.max("slice").values)
    plan = siteplan.solve_built(siteplan.build_model(prep), prep)
    assert check_plan(plan, prep) == []
    full = siteplan.solve(study)
    assert plan.objective == pytest.approx(full.objective, rel=0.02)


@pytest.mark.parametrize("sites,slices,expected", [
    (120, 26, None),      # texas: every slice kept
    (1000, 16, None),     # exactly at the threshold: kept
    (1000, 24, 16),       # 16,000 / 1,000
    (2000, 48, 8),        # national: 16,000 / 2,000
    (5000, 10, 8),        # never fewer than 8
    (4000, 8, None),      # already at 8
    (2000, 9, None),      # 8 + the design-peak slice would not be smaller
])
def test_auto_cluster_rule(sites, slices, expected):
    from siteplan.prepare.slices import auto_clusters
    assert auto_clusters(sites, slices) == expected


def test_auto_merges_large_studies_and_says_so(study, monkeypatch):
    import importlib
    sl = importlib.import_module("siteplan.prepare.slices")
    p_all = prepare(study.scenario, study.dataset, study.catalog)  # default auto: the example keeps its slices
    assert len(p_all.slices) == study.dataset.climate.sizes["slice"]
    assert not any("merged" in n for n in p_all.notes)
    monkeypatch.setattr(sl, "AUTO_SITE_SLICES", 10)
    monkeypatch.setattr(sl, "AUTO_MIN_SLICES", 3)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    plan = siteplan.solve_built(siteplan.build_model(prep), prep)
    assert len(plan.ds["slice"]) == 4
    assert "merged 7 -> 3 automatically" in plan.ds.attrs["notes"]
    assert "note: time slices merged 7 -> 3" in plan.summary()
    assert check_plan(plan, prep) == []


@pytest.mark.parametrize("bad", [1, 0, "always"])
def test_slice_clusters_rejects_bad_values(bad):
    from siteplan.errors import InputError
    with pytest.raises(InputError, match="slice_clusters"):
        siteplan.load(REPO / "models/example.yaml", set_values={"formulation.slice_clusters": bad})


def test_full_resolution_evaluation_of_a_merged_plan(study):
    """A 3-slice plan's investments re-dispatched over all 7 slices: same investments, every slice,
    a feasible full-model solution (so never below the full model's optimum)."""
    sc = study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": 3})})
    prep3 = prepare(sc, study.dataset, study.catalog)
    plan3 = siteplan.solve_built(siteplan.build_model(prep3), prep3, mip_rel_gap=0.0)
    full_plan = siteplan.evaluate_full_resolution(plan3, study)
    assert len(full_plan.ds["slice"]) == study.dataset.climate.sizes["slice"]
    assert full_plan.result.num_integer == 0  # every integer decision fixed: an LP
    for var in ("open", "racks", "option_built", "onsite_units"):
        if var in plan3.ds:
            assert (full_plan.ds[var].values == plan3.ds[var].values).all(), var
    best_full = siteplan.solve(study, mip_rel_gap=0.0)
    assert full_plan.objective >= best_full.objective * (1 - 1e-9)
    prep_full = prepare(study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": None})}), study.dataset, study.catalog)
    assert check_plan(full_plan, prep_full) == []


def test_full_resolution_evaluation_needs_a_plan_of_the_study(study, tmp_path):
    from tiny import write_tiny
    other = siteplan.load(write_tiny(tmp_path))
    plan = siteplan.solve(study)
    with pytest.raises(ValueError, match="does not fix"):
        siteplan.evaluate_full_resolution(plan, other)


def test_full_resolution_evaluation_refuses_an_unfinished_lp(study):
    """An LP stopped early has values but no cost: evaluate_full_resolution raises instead."""
    sc = study.scenario.model_copy(update={"formulation": study.scenario.formulation.model_copy(
        update={"slice_clusters": 3})})
    prep3 = prepare(sc, study.dataset, study.catalog)
    plan3 = siteplan.solve_built(siteplan.build_model(prep3), prep3)
    with pytest.raises(siteplan.SolveError, match="did not finish"):
        siteplan.evaluate_full_resolution(plan3, study, highs_options={"simplex_iteration_limit": 1,
                                                                       "presolve": "off"})


def test_aggregation_keeps_the_lowest_rating_factor(study):
    """Capacity factors of merged slices are their lowest (a capacity must hold in each slice); the
    design-peak slice takes each zone's lowest."""
    cl, pr = study.dataset.climate, study.dataset.prices.copy()
    rng = np.random.default_rng(0)
    pr["corridor_rating_factor"] = rng.uniform(0.5, 1.0, len(pr))
    new_cl, new_pr, mapping = aggregate_slices(cl, pr, 3)
    for old, new in mapping.items():
        for z in pr.index.get_level_values("zone").unique():
            members = [o for o, n in mapping.items() if n == new]
            assert new_pr.loc[(z, new), "corridor_rating_factor"] == pytest.approx(
                min(pr.loc[(z, o), "corridor_rating_factor"] for o in members))
    for z in pr.index.get_level_values("zone").unique():
        assert new_pr.loc[(z, DESIGN_PEAK), "corridor_rating_factor"] == pytest.approx(
            pr.loc[z, "corridor_rating_factor"].min())
