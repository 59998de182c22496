"""Build-out studies (periods): hand-solved tiny cases, the one-period special case, invariants."""

from pathlib import Path

import numpy as np
import pytest
import yaml

import siteplan
from siteplan.buildout import BuildOut, solve_built_buildout
from siteplan.model.periods import build_buildout_model
from siteplan.prepare.periods import discount_weights, prepare_periods
from tiny import sub, write_tiny

H = 8760.0
EXAMPLE = Path(__file__).resolve().parents[1] / "models/example.yaml"
TWO_PERIODS = {"horizon_yr": None, "start_year": 2026,
               "periods": [{"year": 2027, "length_yr": 2}, {"year": 2029, "length_yr": 2}]}
GRID_IN_3 = {"interconnect_classes": {"small": {"lead_time_yr": 3}, "big": {"lead_time_yr": 3}}}


def _bridge_study(tmp_path, rent_usd_per_kw_month, penalty):
    # 10 racks of 1 MW (PUE 1.1: 11 MW); the grid (100 $/MWh, a $1M/yr connection) arrives 3 years
    # after the 2026 start, so in 2029; 5 MW gas units (fuel 50 $/MWh) can be bought ($5M/yr each)
    # or rented at once
    cat = {**GRID_IN_3, "onsite": {"gas": {"lead_time_yr": 0, "rental_usd_per_kw_month": rent_usd_per_kw_month}}}
    return write_tiny(tmp_path, demand_gpus=10.0, catalog=cat,
                      scenario={**TWO_PERIODS, "onsite": ["gas"], "bridging": {"rent": True},
                                "unmet_penalty_usd_per_gpu_yr": penalty})


def _solve(path) -> BuildOut:
    bo = siteplan.solve(path)
    assert isinstance(bo, BuildOut)
    assert bo.violations == []
    return bo


def test_rents_turbines_until_the_grid_is_energised(tmp_path):
    bo = _solve(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7))
    ds = bo.ds
    rented = ds["onsite_units_rented"].sum(("site", "generator")).values
    owned = ds["onsite_units_owned"].sum(("site", "generator")).values
    assert rented.tolist() == [3, 0] and owned.tolist() == [0, 0]
    assert ds["interconnect_contracted_mw"].sum("site").values == pytest.approx([0.0, 11.0])
    assert ds["unmet_h100e"].values == pytest.approx([0.0, 0.0])
    # 2027: rent 3 x 12 x 5,000 kW x $50 + fuel 11 MW x 8760 h x $50; 2029: $1M connection + 11 MW x $100
    first = 3 * 12 * 5000 * 50 + 11 * H * 50
    second = 1e6 + 11 * H * 100
    assert bo.at(2027).objective == pytest.approx(first)
    assert bo.at(2029).objective == pytest.approx(second)
    assert bo.objective == pytest.approx((first + second) / 2)  # rate 0: equal weights
    st = bo.sites
    assert st.loc["s1", "opens"] == 2027 and st.loc["s1", "grid_from"] == 2029
    assert "rents turbines in 2027" in bo.summary()


def test_waits_for_the_grid_when_renting_costs_more_than_unmet_demand(tmp_path):
    # rent $6M per unit-year: $1.8-2.3M per H100e served in 2027, above the $1.2M penalty; the grid
    # in 2029 costs $1.06M per H100e, below it
    bo = _solve(_bridge_study(tmp_path, rent_usd_per_kw_month=100.0, penalty=1.2e6))
    ds = bo.ds
    assert ds["unmet_h100e"].values == pytest.approx([10.0, 0.0])
    assert float(ds["onsite_units_rented"].sum()) == 0 and float(ds["onsite_units_owned"].sum()) == 0
    assert bo.at(2027).objective == pytest.approx(10 * 1.2e6)
    assert bo.at(2029).objective == pytest.approx(1e6 + 11 * H * 100)


def test_a_new_rack_type_replaces_retiring_racks(tmp_path):
    # r1 (1 H100e per rack) retires after 2 years; r2 (2 H100e per rack, same price) is on sale from
    # 2029: the 2029 period buys 5 r2 racks, not 10 r1
    cat = {"rack_types": {"r1": {"capex_usd_per_rack": 1e6, "lifetime_yr": 2},
                          "r2": {"name": "next", "gpus_per_rack": 1, "h100e_per_gpu": 2.0, "rack_kw": 1000.0,
                                 "capex_usd_per_rack": 1e6, "lifetime_yr": 2, "first_year": 2029, "source": "test"}}}
    bo = _solve(write_tiny(tmp_path, demand_gpus=10.0, catalog=cat, scenario=TWO_PERIODS))
    racks = bo.ds["racks"].sum("site")
    assert racks.sel(rack_type="r1").values.tolist() == [10, 0]
    assert racks.sel(rack_type="r2").values.tolist() == [0, 5]
    assert bo.ds["racks_retired"].sum("site").sel(rack_type="r1").values.tolist() == [0, 10]
    assert bo.ds["racks_bought"].sum("site").sel(rack_type="r2").values.tolist() == [0, 5]
    # 2 years of life at rate 0: $0.5M a year per rack
    assert float(bo.at(2027).ds["cost_usd_per_yr"].sel(cost_category="it_equipment")) == pytest.approx(5e6)
    assert float(bo.at(2029).ds["cost_usd_per_yr"].sel(cost_category="it_equipment")) == pytest.approx(2.5e6)


def test_vintages_keep_their_price(tmp_path):
    # r1 costs $2M bought in 2027 and $1M from 2029 (capex_by_year), and lives 4 years: racks bought in
    # 2027 still pay $2M / 4 a year in 2029; the growth to 20 H100e is bought at the new price
    cat = {"rack_types": {"r1": {"capex_usd_per_rack": 2e6, "lifetime_yr": 4, "capex_by_year": {2029: 1e6}}}}
    sc = {**TWO_PERIODS, "periods": [{"year": 2027, "length_yr": 2, "demand_scale": 0.5},
                                     {"year": 2029, "length_yr": 2, "demand_scale": 1.0}]}
    bo = _solve(write_tiny(tmp_path, demand_gpus=20.0, catalog=cat, scenario=sc))
    assert bo.ds["racks_bought"].sum("site").sel(rack_type="r1").values.tolist() == [10, 10]
    it = [float(bo.at(y).ds["cost_usd_per_yr"].sel(cost_category="it_equipment")) for y in (2027, 2029)]
    assert it == pytest.approx([10 * 2e6 / 4, 10 * 2e6 / 4 + 10 * 1e6 / 4])
    # salvage: each vintage owes its annuities after 2031 (rate 0: the years left x the payment)
    assert bo.ds.attrs["salvage_usd"] == pytest.approx(10 * 0.5e6 * 0 + 10 * 0.25e6 * 2)


def _one_period(tmp_path, **extra):
    """The example study as a one-period build-out (its horizon as the one period), ``extra["solver"]``
    merged into its solver options: (path, year)."""
    raw = yaml.safe_load(EXAMPLE.read_text())
    year = 2026 + int(raw.pop("horizon_yr"))
    raw.update({"start_year": 2026, "periods": [{"year": year, "length_yr": 1}],
                "dataset": str((EXAMPLE.parent / raw["dataset"]).resolve()),
                "catalog": str((EXAMPLE.parent / raw["catalog"]).resolve())})
    raw.setdefault("solver", {}).update(extra.get("solver", {}))
    raw.pop("overrides", None)
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path, year


def test_one_period_gives_the_single_period_plan(tmp_path):
    study = siteplan.load(EXAMPLE)
    single = siteplan.solve(study)
    path, year = _one_period(tmp_path)
    bo = siteplan.solve(path)
    assert bo.violations == []
    assert bo.objective == pytest.approx(single.objective, rel=1e-9)
    only = bo.at(year)
    assert only.objective == pytest.approx(single.objective, rel=1e-9)
    np.testing.assert_array_equal(only.ds["open"].values, single.ds["open"].values)
    np.testing.assert_allclose(only.ds["it_mw"].values, single.ds["it_mw"].values, atol=1e-6)


def test_invariants_fire_when_the_vintage_link_is_removed(tmp_path):
    cat = {"rack_types": {"r1": {"capex_usd_per_rack": 1e6, "lifetime_yr": 2}}}
    study = siteplan.load(write_tiny(tmp_path, demand_gpus=10.0, catalog=cat, scenario=TWO_PERIODS))
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    m = build_buildout_model(preps)
    m.in_service_racks.deactivate()  # racks without buying them
    with pytest.warns(Warning, match="invariants"):
        bo = solve_built_buildout(m, preps)
    assert any("racks in service" in v for v in bo.violations)
    m.in_service_racks.activate()
    m.stay_open.deactivate()
    m.keep_design.deactivate()
    m.period[2027].open["s1"].fix(1)
    m.period[2029].open["s1"].fix(0)
    # with the site closed in 2029, its demand goes unmet (the penalty is paid) or the plan breaks the rule
    with pytest.warns(Warning, match="invariants"):
        bo = solve_built_buildout(m, preps)
    assert any("closes in 2029" in v for v in bo.violations)


def test_scenario_checks_periods(tmp_path):
    path = write_tiny(tmp_path, scenario={**TWO_PERIODS, "periods": [{"year": 2027, "length_yr": 2},
                                                                      {"year": 2030, "length_yr": 2}]})
    with pytest.raises(siteplan.InputError, match="back to back"):
        siteplan.load(path)
    path = write_tiny(tmp_path, scenario={**TWO_PERIODS, "horizon_yr": 3})
    with pytest.raises(siteplan.InputError, match="not both"):
        siteplan.load(path)
    path = write_tiny(tmp_path, scenario={**TWO_PERIODS, "start_year": None})
    with pytest.raises(siteplan.InputError, match="start_year"):
        siteplan.load(path)


def test_discount_weights():
    assert discount_weights(2026, [2027, 2029], [2, 3], 0.0) == [2.0, 3.0]
    w = discount_weights(2026, [2027], [2], 0.1)
    assert w[0] == pytest.approx(1 / 1.1 + 1 / 1.21)


def test_lead_time_waits_by_substation_and_zone(tmp_path):
    # a utility's wait is a floor on the lead time (1 yr for the classes here): the zone's 4 yr means
    # no grid in 2029 (3 yr after the start), so the demand is unmet there without on-site power
    sc = {**TWO_PERIODS, "periods": [{"year": 2029, "length_yr": 1}, {"year": 2030, "length_yr": 1}],
          "interconnect": {"lead_time_yr_by_zone": {"Z": 4.0}}, "unmet_penalty_usd_per_gpu_yr": 1e7}
    bo = _solve(write_tiny(tmp_path / "zone", scenario=sc))
    assert bo.ds["interconnect_contracted_mw"].sum("site").values[0] == 0
    assert bo.ds["interconnect_contracted_mw"].sum("site").values[1] > 0
    # a substation's own wait replaces its zone's, but the site's zone (the utility whose load it is)
    # still waits 4 yr
    subs = [{**sub("b1"), "lead_time_yr": 3.0}]
    bo = _solve(write_tiny(tmp_path / "sub", scenario=sc, substations=subs))
    assert bo.ds["interconnect_contracted_mw"].sum("site").values[0] == 0
    # without a zone wait, the substation's 3 yr lets the grid in by 2029; 4 yr does not
    no_zone = {**sc, "interconnect": {}}
    bo = _solve(write_tiny(tmp_path / "sub3", scenario=no_zone, substations=subs))
    assert bo.ds["interconnect_contracted_mw"].sum("site").values[0] > 0
    bo = _solve(write_tiny(tmp_path / "sub4", scenario=no_zone, substations=[{**sub("b1"), "lead_time_yr": 4.0}]))
    assert bo.ds["interconnect_contracted_mw"].sum("site").values[0] == 0


def test_cli_writes_a_buildout_results_folder(tmp_path):
    import subprocess
    import sys

    path = _bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7)
    out = tmp_path / "res"
    run = subprocess.run([sys.executable, "-m", "siteplan", "solve", str(path), "--out", str(out), "-q"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "rents turbines in 2027" in run.stdout
    for f in ("timeline.nc", "timeline.csv", "sites_by_period.csv", "timeline.gpkg", "summary.txt", "manifest.json", "report.md",
              "report.html", "report_files/timeline.png", "period_2027/plan.nc", "period_2029/report.md",
              "period_2029/map.png", "map.html"):
        assert (out / f).exists(), f
    import pandas as pd

    rows = pd.read_csv(out / "sites_by_period.csv", dtype=str)
    assert rows["period"].tolist() == ["2027", "2029"]
    # as sites.csv (docs/outputs.md): name first beside its id, words beside ids, counts as integers
    assert list(rows.columns[1:3]) == ["name", "site_id"] and "place" not in rows
    assert rows["design"].iloc[0] != rows["design_id"].iloc[0] and "." not in rows["gpus"].iloc[0]
    tl = pd.read_csv(out / "timeline.csv", dtype=str)
    assert list(tl.columns[:2]) == ["name", "site_id"] and "." not in tl["gen_units_rented_2027"].iloc[0]
    assert all(len(v.split(".")[-1]) <= 4 for c in tl if "_mw_" in c for v in tl[c])  # MW to 0.1 kW
    # the GeoPackage carries the period of every decision
    import geopandas as gpd

    sites = gpd.read_file(out / "timeline.gpkg", layer="sites")
    assert sites["period"].tolist() == [2027, 2029] and sites["opens"].tolist() == [2027, 2027]
    assert sites["grid_from"].tolist() == [2029, 2029] and sites["it_mw"].tolist() == pytest.approx([10.0, 10.0])
    assert "design_id" in sites and (sites["design"] != sites["design_id"]).all()
    ics = gpd.read_file(out / "timeline.gpkg", layer="interconnects")
    assert ics["period"].tolist() == [2029] and ics.geometry.iloc[0].geom_type == "LineString"
    md = (out / "report.md").read_text()
    assert "## Sites over time" in md and "timeline.png" in md
    page = (out / "map.html").read_text()
    assert page.count('<iframe class="period"') == 2 and 'data-year="2029"' in page
    # the report is a function of the results folder
    from siteplan.export.timeline import write_buildout_report

    before = md
    write_buildout_report(out)
    assert (out / "report.md").read_text() == before


def test_demand_by_year_in_the_demand_layer(tmp_path):
    # inf_gpus_2029 = 16 replaces inf_gpus (10) in the 2029 period; inf_gpus_2040 matches no period
    import geopandas as gpd

    path = write_tiny(tmp_path, demand_gpus=10.0, scenario=TWO_PERIODS)
    dem_file = tmp_path / "data" / "demand.geojson"
    dem = gpd.read_file(dem_file)
    dem["inf_gpus_2029"] = 16.0
    dem["inf_gpus_2040"] = 1.0
    dem.to_file(dem_file, driver="GeoJSON")
    bo = _solve(path)
    assert bo.ds["demand_h100e"].values.tolist() == pytest.approx([10.0, 16.0])
    assert any("inf_gpus_2040 not used" in n for n in str(bo.at(2027).ds.attrs.get("notes", "")).split("\n"))
    # a single-period study says the yearly columns are not used; a negative value is a located error
    one = write_tiny(tmp_path / "one", demand_gpus=10.0)
    d1 = gpd.read_file(tmp_path / "one" / "data" / "demand.geojson")
    d1["inf_gpus_2029"] = 16.0
    d1.to_file(tmp_path / "one" / "data" / "demand.geojson", driver="GeoJSON")
    single = siteplan.solve(one)
    assert float(single.ds["demand_h100e"].sum()) == 10.0
    assert "inf_gpus_2029 not used" in str(single.ds.attrs.get("notes", ""))
    dem["inf_gpus_2029"] = -1.0
    dem.to_file(dem_file, driver="GeoJSON")
    with pytest.raises(siteplan.InputError, match="inf_gpus_2029"):
        siteplan.load(path)


@pytest.mark.parametrize("link", ["in_service_connection", "in_service_shell", "in_service_site",
                                  "in_service_generator_units"])
def test_invariants_fire_for_every_asset_link(tmp_path, link):
    # the bridge study with the link of one asset removed: it is used without being bought
    study = siteplan.load(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7))
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    m = build_buildout_model(preps)
    m.component(link).deactivate()
    with pytest.warns(Warning, match="invariants"):
        bo = solve_built_buildout(m, preps)
    name = link.removeprefix("in_service_")
    assert any(f"{name}[" in v and "in service" in v for v in bo.violations), bo.violations


def test_per_site_costs_of_a_period_are_its_vintages_and_rentals(tmp_path):
    bo = _solve(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7))
    first = bo.at(2027)
    # 2027: the site pays rent (3 x 12 x 5,000 kW x $50) and fuel; nothing is charged as bought
    assert float(first.ds["site_capex_usd_per_yr"].sum()) == pytest.approx(3 * 12 * 5000 * 50)
    assert float(first.sites["cost_usd_per_yr"].sum()) == pytest.approx(first.objective)


def test_each_period_values_its_limits_in_its_own_dollars(tmp_path):
    # test_core_duals' corridor study over periods of 2 and 3 years (rate 0: they weigh 0.4 and 0.6
    # in the objective): in each, one more MW over the 6.5 MW corridor replaces 1 MW of gas ($50/MWh)
    # by grid energy ($30/MWh) all year, 20 x 8760 = $175,200/yr per MW, as in the single-period study
    # (the study-wide duals are 0.4 and 0.6 of that: each period's share of the objective)
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0)]
    sc = {**TWO_PERIODS, "periods": [{"year": 2027, "length_yr": 2}, {"year": 2029, "length_yr": 3}],
          "onsite": ["gas"], "interconnect": {"max_options_per_site": 1}}
    path = write_tiny(tmp_path, substations=subs, corridors=[("c1", "b_gen", "b_site", 6.5)], price=30.0, scenario=sc)
    bo = _solve(path)
    assert bo.ds["discount_weight"].values == pytest.approx([2.0, 3.0])
    assert bo.ds["interconnect_contracted_mw"].sum("site").values == pytest.approx([6.5, 6.5])
    for y in (2027, 2029):
        plan = bo.at(y)
        assert plan.ds.attrs["duals_status"] == "optimal"
        assert float(plan.ds["value_corridor_usd_per_mw_yr"].sel(corridor="c1")) == pytest.approx(20 * H, rel=1e-9)
        assert float(plan.ds["value_supply_usd_per_mw_yr"].sel(substation="b_gen")) == 0.0
        assert plan.result.duals is None  # the values are in the plan; the Pyomo rows are not kept
    # the timeline carries them by period, and the build-out report lists them
    assert bo.ds["value_corridor_usd_per_mw_yr"].sel(corridor="c1").values == pytest.approx([20 * H, 20 * H])
    from siteplan.results.buildout_folder import write_buildout
    from siteplan.export.timeline import write_buildout_report

    out = write_buildout(bo, siteplan.load(path), tmp_path / "res")
    write_buildout_report(out)
    md = (out / "report.md").read_text()
    assert "What would change the plan, by period" in md
    assert "| 2029 | corridor capacity | c1 | 175,200 |" in md
    # without duals (the fixed LP not solved) the report says so instead of "none binds"
    from siteplan.export.timeline import _limits_by_period

    unpriced = bo.ds.copy()
    for v in [v for v in unpriced.data_vars if str(v).startswith("value_")]:
        unpriced[v] = unpriced[v] * np.nan
    rows = _limits_by_period(unpriced, [2027, 2029])[-1].table.rows
    assert [r[1] for r in rows] == ["not priced (the fixed-integer LP was not solved)"] * 2


@pytest.mark.parametrize("order", ["last_first", "forward"])
def test_the_myopic_start_is_a_whole_build_out_plan(tmp_path, order):
    # each period solved alone (the last first, the earlier ones among its sites; or in order, the
    # sites opened before held open): fixing every integer decision of the start in the
    # build-out leaves a feasible LP whose plan keeps every rule, and costs at least the optimum
    from siteplan.buildout import buildout_from_model
    from siteplan.solve.buildout_start import myopic_start
    from siteplan.solve import solve_model

    path = _bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7)
    study = siteplan.load(path)
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    m = build_buildout_model(preps)
    start, spent = myopic_start(m, preps, {"time_limit_s": 60.0}, order=order)
    assert start and spent < 60.0
    assert all(v.parent_block().parent_component().local_name == "period" for v, _ in start)
    opens = {(v.parent_block().index(), v.index()): val for v, val in start if v.parent_component().local_name == "open"}
    assert opens == {(2027, "s1"): 1.0, (2029, "s1"): 1.0}
    for v, val in start:
        v.fix(val)
    res = solve_model(m)
    fixed = buildout_from_model(m, preps, res)
    assert fixed.violations == []
    assert fixed.ds["unmet_h100e"].values == pytest.approx([0.0, 0.0])
    best = _solve(path)
    assert fixed.objective >= best.objective - 1e-6 * abs(best.objective)


@pytest.mark.parametrize("order", ["last_first", "forward"])
def test_the_myopic_start_keeps_the_build_before_when_a_period_has_no_time(tmp_path, monkeypatch, order):
    # no time for any period's solve: the first builds nothing, the second keeps that (last first:
    # nothing is built in any period); the build-out still solves from there (the start is a valid
    # plan: all demand unmet)
    from siteplan.solve import buildout_start as bst
    from siteplan.solve.buildout_start import myopic_start

    path = _bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7)
    study = siteplan.load(path)
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    m = build_buildout_model(preps)
    monkeypatch.setattr(bst, "myopic_budget", lambda time_limit_s: 0.0)
    start, _ = myopic_start(m, preps, {"time_limit_s": 60.0}, order=order)
    assert start and all(val == 0.0 for _, val in start)
    assert {v.parent_block().index() for v, _ in start} == {2027, 2029}
    bo = _solve(path)  # from that start (the budget is still 0), the build-out finds the same optimum
    assert bo.ds["onsite_units_rented"].sum(("site", "generator")).values.tolist() == [3, 0]


def test_the_start_is_refined_among_the_sites_the_lp_opens(tmp_path, monkeypatch):
    # an empty myopic start (no time for the periods: all demand unmet) is refined among the sites
    # the build-out's LP relaxation opens before HiGHS searches: the refined start is already the
    # optimum of this tiny study, far below the empty start's unmet-demand penalty
    from siteplan.solve import buildout_start as bst

    path = _bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7)
    monkeypatch.setattr(bst, "myopic_budget", lambda time_limit_s: 0.0)
    lines = []
    bo = siteplan.solve(path, progress=lines.append)
    assert bo.violations == []
    assert any("start refined among the sites the LP relaxation opens: objective" in s for s in lines)
    assert bo.result.start_objective == pytest.approx(bo.objective, rel=1e-6)
    assert bo.result.start_objective < 0.2 * 10 * 1e7  # the empty start: 10 H100e unmet at 1e7 USD/yr each


def test_the_refined_start_keeps_the_sites_the_start_opens():
    from siteplan.solve.mip_start import closed_columns

    cols = np.array([0, 1, 2, 3])
    x = np.array([0.0, 0.4, 0.0, 0.0, 7.0])
    assert closed_columns(cols, x).tolist() == [0, 2, 3]
    assert closed_columns(cols, x, start=[(2, 1.0), (3, 0.0), (4, 7.0)]).tolist() == [0, 3]


def test_a_build_out_writes_its_folder_from_the_api(tmp_path):
    from siteplan.atomic import missing_files

    bo = _solve(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7))
    out = bo.write(tmp_path / "res", exports=False)
    assert missing_files(out) == [] and (out / "timeline.nc").exists()
    assert all(missing_files(out / f"period_{y}") == [] for y in (2027, 2029))


@pytest.mark.parametrize("seed", range(4))
def test_the_last_first_start_opens_earlier_only_sites_the_later_periods_open(tmp_path, seed):
    # the last period solved alone, each earlier one among the sites of the period after it: open
    # sites never fall from one period to the next, and the start fixed in the build-out is a plan
    # that keeps every rule and costs at least the build-out's optimum
    from test_buildout_bruteforce import random_buildout

    from siteplan.buildout import buildout_from_model
    from siteplan.solve.buildout_start import myopic_start
    from siteplan.solve import solve_model

    path = random_buildout(tmp_path, seed)
    study = siteplan.load(path)
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    m = build_buildout_model(preps)
    start, _ = myopic_start(m, preps, {"time_limit_s": 60.0}, order="last_first")
    years = [p.period.year for p in preps]
    opened = {y: {v.index() for v, val in start if v.parent_component().local_name == "open"
                  and v.parent_block().index() == y and val > 0.5} for y in years}
    assert all(opened[a] <= opened[b] for a, b in zip(years[:-1], years[1:]))
    for v, val in start:
        v.fix(val)
    fixed = buildout_from_model(m, preps, solve_model(m, mip_rel_gap=0.0, duals=False))
    assert fixed.violations == []
    best = siteplan.solve(study, mip_rel_gap=0.0)
    assert fixed.objective >= best.objective - 1e-6 * abs(best.objective)


def test_the_start_is_solved_on_merged_slices_and_is_a_plan_at_full_resolution(tmp_path):
    # 12 slices (prices 40-150 USD/MWh): the start's periods are prepared on START_SLICES merged
    # slices (+ the design peak); their integer decisions, fixed in the full-resolution build-out,
    # leave a feasible plan that keeps every rule and serves all demand; siteplan.solve starts from it
    from siteplan.solve import buildout_start as bst
    from siteplan.buildout import buildout_from_model
    from siteplan.solve import solve_model

    n = 12
    cat = {**GRID_IN_3, "onsite": {"gas": {"lead_time_yr": 0, "rental_usd_per_kw_month": 50.0}}}
    path = write_tiny(tmp_path, demand_gpus=10.0, catalog=cat, slices=[f"t{i:02d}" for i in range(n)],
                      price=[40.0 + 10.0 * i for i in range(n)],
                      scenario={**TWO_PERIODS, "onsite": ["gas"], "bridging": {"rent": True},
                                "unmet_penalty_usd_per_gpu_yr": 1e7, "formulation": {"slice_clusters": None}})
    study = siteplan.load(path)
    preps = prepare_periods(study.scenario, study.dataset, study.catalog)
    assert len(preps[0].slices) == n
    coarse = bst.coarse_periods(preps)
    assert coarse is not None and all(len(p.slices) <= bst.START_SLICES + 1 for p in coarse)
    assert [p.period for p in coarse] == [p.period for p in preps]
    assert all(p.options.index.equals(q.options.index) for p, q in zip(preps, coarse))
    assert bst.coarse_periods(coarse) is None  # already few
    m = build_buildout_model(preps)
    start, _ = bst.myopic_start(m, preps, {"time_limit_s": 60.0}, solve_preps=coarse)
    for v, val in start:
        v.fix(val)
    fixed = buildout_from_model(m, preps, solve_model(m, mip_rel_gap=0.0, duals=False))
    assert fixed.violations == []
    assert fixed.ds["unmet_h100e"].values == pytest.approx([0.0, 0.0])
    lines = []
    bo = siteplan.solve(path, progress=lines.append)
    assert bo.violations == [] and bo.objective <= fixed.objective * (1 + 1e-9)
    assert any(s.startswith("start: period 2029 solved alone") for s in lines)


def test_a_one_period_build_out_is_solved_as_the_single_period_study(tmp_path, monkeypatch):
    """No myopic start for one period (it would solve the same study twice): the build-out takes the
    single-period path's start, and still gives the single-period plan."""
    from siteplan.solve import buildout_start as bst

    def boom(*a, **k):
        raise AssertionError("the myopic start ran for a one-period build-out")

    monkeypatch.setattr(bst, "myopic_start", boom)
    path, _ = _one_period(tmp_path, solver={"mip_start": True})
    bo = siteplan.solve(path)
    assert bo.violations == [] and bo.ds.attrs["start_s"] == 0.0
