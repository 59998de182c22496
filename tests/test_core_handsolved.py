"""Tiny studies whose optimum was worked out by hand (see tests/tiny.py for the conventions)."""

import numpy as np
import pytest

from tiny import site, solve_checked, sub, write_tiny

H = 8760.0


def test_hot_site_liquid_beats_air(tmp_path):
    # 10 MW IT at 35 C: air PUE = 1.1 + 0.4 * 15/20 = 1.4, liquid 1.1 at $0.2M/MW.
    # air: 10*1.4*8760*100 = 12.264M; liquid: 10*1.1*8760*100 + 2M = 11.636M; + big tier 1M.
    plan, _ = solve_checked(write_tiny(tmp_path, temps=(35.0, 35.0)))
    assert plan.ds["design"].sel(site="s1").item() == "liquid"
    assert plan.objective == pytest.approx(10 * 1.1 * H * 100 + 2e6 + 1e6, rel=1e-9)


def test_cold_site_air_wins(tmp_path):
    # At 10 C both PUEs are 1.1 and air has no cooling capex: 10*1.1*8760*100 + 1M.
    plan, _ = solve_checked(write_tiny(tmp_path, temps=(10.0, 10.0)))
    assert plan.ds["design"].sel(site="s1").item() == "air"
    assert plan.objective == pytest.approx(10 * 1.1 * H * 100 + 1e6, rel=1e-9)


def test_contract_takes_just_the_headroom_needed(tmp_path):
    # Two 10 MW sites (peak 11 MW each) share a substation with 30 MW of headroom. A 20 MW tier
    # would have fitted only once (2 x 20 > 30); contracts of 11 MW each fit twice.
    sites = [site("s1", max_it_mw=10.0), site("s2", lon=-97.01, max_it_mw=10.0)]
    path = write_tiny(tmp_path, sites=sites, substations=[sub("b1", headroom_mw=30.0)], demand_gpus=20.0)
    plan, _ = solve_checked(path)
    assert plan.ds["interconnect_class"].values.tolist() == ["small", "small"]
    assert plan.ds["interconnect_contracted_mw"].values.tolist() == pytest.approx([11.0, 11.0])
    assert plan.ds["connected_mw"].sel(substation="b1").item() == pytest.approx(22.0)
    assert plan.sites.set_index("site_id")["peak_facility_mw"].tolist() == pytest.approx([11.0, 11.0])
    assert plan.objective == pytest.approx(2 * (1e6 + 11 * H * 100), rel=1e-9)


def test_beyond_headroom_pays_the_upgrade(tmp_path):
    # 5 MW of headroom, 11 MW peak: 6 MW of network upgrades at $1M/MW (lead 1 + 1 yr <= 3).
    plan, _ = solve_checked(write_tiny(tmp_path / "up", substations=[sub("b1", headroom_mw=5.0)]))
    assert plan.ds["interconnect_upgrade_mw"].sel(site="s1").item() == pytest.approx(6.0)
    assert plan.ds["upgrade_mw"].sel(substation="b1").item() == pytest.approx(6.0)
    assert plan.objective == pytest.approx(1e6 + 6e6 + 11 * H * 100, rel=1e-9)
    # the upgrade's lead time does not fit a 1.5-yr horizon: 5 MW of grid and 4.5 racks' worth
    # of... no: racks are whole MW; floor(5 / 1.1) = 4 racks served, 6 H100e unmet at $10M each
    path = write_tiny(tmp_path / "late", substations=[sub("b1", headroom_mw=5.0)], scenario={"horizon_yr": 1.5})
    plan, prep = solve_checked(path)
    assert not prep.options["upgrade_ok"].any()
    assert plan.ds["interconnect_upgrade_mw"].sel(site="s1").item() == 0.0
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(4.0)
    assert plan.objective == pytest.approx(6 * 1e7 + 1e6 + 4 * 1.1 * H * 100, rel=1e-9)
    # or the scenario forbids upgrades
    path = write_tiny(tmp_path / "no", substations=[sub("b1", headroom_mw=5.0)],
                      scenario={"interconnect": {"allow_upgrades": False}})
    plan, _ = solve_checked(path)
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(4.0)


def test_nameplate_sizing_buys_capacity_average_sizing_would_not(tmp_path):
    # Utilisation 0.5: the average draw is 10 x 0.5 x 1.1 = 5.5 MW, which the 8 MW class would
    # carry; the peak is nameplate 10 x 1.1 = 11 MW, so the 100 MW class ($5M) is needed.
    # ($1/kW-yr on contracted MW makes the contract what the site needs)
    small8 = {"interconnect_classes": {"small": {"max_mw": 8, "contract_cost_usd_per_kw_yr": 1.0},
                                       "big": {"contract_cost_usd_per_kw_yr": 1.0}}}
    plan, _ = solve_checked(write_tiny(tmp_path / "a", catalog=small8, scenario={"it_utilisation": 0.5}))
    assert plan.ds["interconnect_class"].sel(site="s1").item() == "big"
    assert plan.ds["interconnect_contracted_mw"].sel(site="s1").item() == pytest.approx(11.0)
    assert plan.ds["grid_import_mw"].sel(site="s1").max().item() == pytest.approx(5.5)
    assert plan.objective == pytest.approx(5e6 + 5.5 * H * 100 + 11 * 1000.0, rel=1e-9)
    # a planner who expects only 70 % of nameplate at the peak: 7.7 MW fits the 8 MW class
    plan, _ = solve_checked(write_tiny(tmp_path / "b", catalog=small8,
                                       scenario={"it_utilisation": 0.5, "firm_power": {"peak_it_share": 0.7}}))
    assert plan.ds["interconnect_class"].sel(site="s1").item() == "small"
    assert plan.ds["interconnect_contracted_mw"].sel(site="s1").item() == pytest.approx(7.7)


def test_n_plus_1_adds_exactly_one_unit(tmp_path):
    # Grid lead time 5 yr > horizon 3: gas only. 11 MW peak on 5 MW units: 3 units without
    # redundancy, 4 with N+1 (4 x 5 - 5 = 15 >= 11; 3 x 5 - 5 = 10 < 11).
    slow = {"interconnect_classes": {"small": {"lead_time_yr": 5}, "big": {"lead_time_yr": 5}}}
    energy = 11 * H * 50  # 10 MMBtu/MWh x $5
    plan, _ = solve_checked(write_tiny(tmp_path / "none", catalog=slow, scenario={"onsite": ["gas"]}))
    assert plan.ds["onsite_units"].sel(site="s1", generator="gas").item() == 3
    assert plan.objective == pytest.approx(15e6 + energy, rel=1e-9)
    plan, _ = solve_checked(write_tiny(tmp_path / "n1", catalog=slow,
                                       scenario={"onsite": ["gas"], "firm_power": {"redundancy": "n_plus_1"}}))
    assert plan.ds["onsite_units"].sel(site="s1", generator="gas").item() == 4
    assert plan.ds["onsite_firm_mw"].sel(site="s1").item() == pytest.approx(15.0)
    assert plan.objective == pytest.approx(20e6 + energy, rel=1e-9)
    # an air-permit cap of 12 MW allows 2 units: 10 MW firm without redundancy < 11 -> 1 rack unmet
    # would leave 9 racks (9.9 MW peak): 2 units, 9 served, 1 unmet at $10M
    plan, _ = solve_checked(write_tiny(tmp_path / "cap", catalog=slow,
                                       scenario={"onsite": ["gas"], "firm_power": {"onsite_max_mw_per_site": 12}}))
    assert plan.ds["onsite_units"].sel(site="s1", generator="gas").item() == 2
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(9.0)
    assert plan.objective == pytest.approx(1e7 + 10e6 + 9 * 1.1 * H * 50, rel=1e-9)


def test_lead_time_boundary(tmp_path):
    # an option is available iff its lead time <= the horizon
    at3 = {"interconnect_classes": {"small": {"lead_time_yr": 3}, "big": {"lead_time_yr": 3}}}
    plan, _ = solve_checked(write_tiny(tmp_path / "eq", catalog=at3, scenario={"onsite": ["gas"]}))
    assert plan.ds["interconnect_class"].sel(site="s1").item() == "small"
    plan, prep = solve_checked(write_tiny(tmp_path / "lt", catalog=at3, scenario={"onsite": ["gas"], "horizon_yr": 2.99}))
    assert len(prep.options) == 0
    assert plan.ds["onsite_units"].sel(site="s1", generator="gas").item() == 3
    gas_late = {"onsite": {"gas": {"lead_time_yr": 3.5}}}
    plan, prep = solve_checked(write_tiny(tmp_path / "g", catalog={**at3, **gas_late}, scenario={"onsite": ["gas"],
                                                                                                   "horizon_yr": 2.99}))
    assert prep.generators == []
    assert plan.ds["unmet_h100e"].sum().item() == pytest.approx(10.0)


def test_no_corridor_flow_without_new_load_elsewhere(tmp_path):
    # The site connects where supply is: a triangle of corridors carries nothing, in every slice
    # and at the peak, although a free transport model could route power around the triangle.
    subs = [sub("b1", supply_mw=1000.0), sub("b2", lon=-97.3, supply_mw=0.0), sub("b3", lon=-97.2, lat=31.3, supply_mw=0.0)]
    cors = [("c12", "b1", "b2", 50.0), ("c23", "b2", "b3", 50.0), ("c31", "b3", "b1", 50.0)]
    priced = {"interconnect_classes": {"small": {"contract_cost_usd_per_kw_yr": 1.0}}}
    plan, _ = solve_checked(write_tiny(tmp_path, substations=subs, corridors=cors, catalog=priced,
                                       scenario={"interconnect": {"max_options_per_site": 1}}))
    assert np.abs(plan.ds["corridor_flow_mw"].values).max() == 0.0
    assert np.abs(plan.ds["corridor_peak_flow_mw"].values).max() == 0.0
    assert plan.ds["substation_peak_supply_mw"].sel(substation="b1").item() == pytest.approx(11.0)


def test_headroom_shared_by_two_sites(tmp_path):
    # Two 10 MW sites (11 MW peak each), 15 MW of headroom, no upgrades: one site contracts 11 MW,
    # the other the remaining 4 MW and covers its peak with two 5 MW gas units (11 - 4 = 7 MW).
    # Gas energy ($50/MWh) is cheaper than grid ($100), so that site runs its 10 MW of units and
    # imports 1 MW. A third unit to go off-grid would cost 5M more than it saves.
    sites = [site("s1", max_it_mw=10.0), site("s2", lon=-97.01, max_it_mw=10.0)]
    path = write_tiny(tmp_path, sites=sites, substations=[sub("b1", headroom_mw=15.0)], demand_gpus=20.0,
                      scenario={"onsite": ["gas"], "interconnect": {"allow_upgrades": False}})
    plan, _ = solve_checked(path)
    # a tie: 11 + 4 MW of contracts with both units at one site, or 6 + 6 MW with one unit each
    # (the energy split is the same); either way the contracts share the headroom
    contracts = sorted(plan.ds["interconnect_contracted_mw"].values.tolist())
    assert contracts in (pytest.approx([4.0, 11.0]), pytest.approx([6.0, 6.0]))
    assert sum(contracts) <= 15.0 + 1e-6
    assert float(plan.ds["onsite_units"].sum()) == 2
    grid_only = 1e6 + 11 * H * 100
    mixed = 1e6 + 2 * 5e6 + 10 * H * 50 + 1 * H * 100
    assert plan.objective == pytest.approx(grid_only + mixed, rel=1e-9)


def test_rtt_limit_rules_out_far_cheap_site(tmp_path):
    # 'far' has free land but 30 ms RTT > 10 ms limit; 'near' costs $5M of land.
    sites = [site("far", land_cost_usd=0.0), site("near", lon=-97.01, land_cost_usd=5e6)]
    lat = [dict(site_id="far", region_id="r1", rtt_ms=30.0), dict(site_id="near", region_id="r1", rtt_ms=2.0)]
    path = write_tiny(tmp_path / "a", sites=sites, latency=lat, scenario={"workloads": {"inf": {"max_rtt_ms": 10.0}}})
    plan, _ = solve_checked(path)
    assert plan.ds["open"].sel(site="far").item() == 0
    assert plan.ds["it_mw"].sel(site="far").item() == 0
    assert plan.ds["served_h100e"].sel(site="far").sum().item() == 0
    assert plan.ds["it_mw"].sel(site="near").item() == pytest.approx(10.0)
    assert plan.objective == pytest.approx(10 * 1.1 * H * 100 + 1e6 + 5e6, rel=1e-9)
    path = write_tiny(tmp_path / "b", sites=sites, latency=lat, scenario={"workloads": {"inf": {"max_rtt_ms": 50.0}}})
    plan, _ = solve_checked(path)
    assert plan.ds["it_mw"].sel(site="far").item() == pytest.approx(10.0)
    assert plan.objective == pytest.approx(10 * 1.1 * H * 100 + 1e6, rel=1e-9)


def test_onsite_gas_when_grid_lead_time_exceeds_horizon(tmp_path):
    # Both tiers take 5 years; the horizon is 3: 11 MW facility -> 3 gas units of 5 MW.
    # cost = 3 * 5 MW * $1M/MW + 11 MW * 8760 h * (10 MMBtu/MWh * $5) = 15M + 4.818M.
    slow = {"interconnect_classes": {"small": {"lead_time_yr": 5}, "big": {"lead_time_yr": 5}}}
    path = write_tiny(tmp_path / "slow", catalog=slow, scenario={"onsite": ["gas"]})
    plan, _ = solve_checked(path)
    assert plan.ds["interconnect_class"].sel(site="s1").item() == ""
    assert plan.ds["onsite_units"].sel(site="s1", generator="gas").item() == 3
    assert plan.objective == pytest.approx(15e6 + 11 * H * 50, rel=1e-9)
    # With a 6-year horizon the grid (1M + energy at $100) is... more expensive here than gas
    # (11*8760*100 + 1M = 10.6M vs 19.8M for gas)? 10.6M < 19.8M: the grid wins.
    path = write_tiny(tmp_path / "fast", catalog=slow, scenario={"onsite": ["gas"], "horizon_yr": 6})
    plan, _ = solve_checked(path)
    assert plan.ds["interconnect_class"].sel(site="s1").item() == "small"
    assert plan.ds["onsite_units"].sum().item() == 0


def test_unmet_demand_when_capacity_short(tmp_path):
    # The only site hosts 5 MW; demand is 10 H100e: 5 served, 5 unmet at $10M each.
    plan, _ = solve_checked(write_tiny(tmp_path, sites=[site("s1", max_it_mw=5.0)]))
    assert plan.ds["unmet_h100e"].sum().item() == pytest.approx(5.0)
    assert plan.ds["served_h100e"].sum().item() == pytest.approx(5.0)
    assert plan.objective == pytest.approx(5 * 1e7 + 5 * 1.1 * H * 100 + 1e6, rel=1e-9)


def test_corridor_capacity_limits_deliverable_load(tmp_path):
    # The site's substation has no supply; power comes over one 6 MW corridor. Facility power
    # 1.1 MW per rack -> at most floor(6 / 1.1) = 5 racks; 5 H100e unmet.
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0)]
    path = write_tiny(tmp_path, substations=subs, corridors=[("c1", "b_gen", "b_site", 6.0)],
                      scenario={"interconnect": {"max_options_per_site": 1}})
    plan, _ = solve_checked(path)
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(5.0)
    assert plan.ds["unmet_h100e"].sum().item() == pytest.approx(5.0)
    assert abs(plan.ds["corridor_flow_mw"]).max().item() == pytest.approx(5.5)


def test_max_sites_and_min_it(tmp_path):
    # Demand 30 over three 10 MW sites but max_sites = 2 -> 10 unmet.
    sites = [site(f"s{i}", lon=-97.0 - i / 100, max_it_mw=10.0) for i in range(3)]
    path = write_tiny(tmp_path, sites=sites, demand_gpus=30.0, scenario={"limits": {"max_sites": 2}},
                      substations=[sub("b1", headroom_mw=1000.0)])
    plan, _ = solve_checked(path)
    assert plan.ds["open"].sum().item() == 2
    assert plan.ds["unmet_h100e"].sum().item() == pytest.approx(10.0)


@pytest.mark.parametrize("price,penalty,served,objective", [
    # cold site, 10 H100e of demand: serving all costs 10 x 1.1 MW x 8760 h x $100 = 9.636M of energy
    # plus the 1M big tier = 10.636M/yr.
    (200.0, None, 10.0, 10.636e6 - 10 * H * 200),  # revenue 17.52M: serve all, profit 6.884M
    (115.0, None, 0.0, 0.0),  # margin (115 - 110) x 8760 x 10 = 0.438M < the 1M tier: build nothing
    (115.0, 1e5, 10.0, 10.636e6 - 10 * H * 115),  # the 100k/H100e-yr penalty tips it: serve all
])
def test_max_profit_serves_only_demand_that_pays(tmp_path, price, penalty, served, objective):
    path = write_tiny(tmp_path, scenario={"objective": "max_profit", "gpu_hour_price_usd": price,
                                          "unmet_penalty_usd_per_gpu_yr": penalty})
    plan, _ = solve_checked(path)
    assert plan.ds["served_h100e"].sum().item() == pytest.approx(served, abs=1e-6)
    assert plan.objective == pytest.approx(objective, rel=1e-9, abs=1e-3)
    costs = dict(zip(plan.ds["cost_category"].values, plan.ds["cost_usd_per_yr"].values))
    assert -costs.get("revenue", 0.0) == pytest.approx(served * H * price, rel=1e-9, abs=1e-3)
    from siteplan.export.headline import headline
    h = headline(plan)
    assert h.profit_usd == pytest.approx(-objective, rel=1e-9, abs=1e-3)
    assert h.revenue_usd - h.annual_cost_usd == pytest.approx(h.profit_usd, rel=1e-12, abs=1e-6)
    assert "annual profit" in plan.summary()


def test_fiber_route_length_from_geometry():
    """A traced route counts its own length; a straight two-point link is great-circle x route factor;
    an explicit length_km wins over both."""
    import geopandas as gpd
    from shapely.geometry import LineString, MultiLineString, Point

    from siteplan.geo import line_length_km
    from siteplan.prepare.graphs import fiber_graph

    pops = gpd.GeoDataFrame({"pop_id": ["a", "b", "c", "d"]}, geometry=[Point(-97, 31), Point(-96, 31),
                            Point(-95, 31), Point(-94, 31)], crs="EPSG:4326").set_index("pop_id")
    traced = LineString([(-97, 31), (-96.5, 31.4), (-96, 31)])
    straight = LineString([(-96, 31), (-95, 31)])
    fiber = gpd.GeoDataFrame({"link_id": ["l1", "l2", "l3"], "from_id": ["a", "b", "c"], "to_id": ["b", "c", "d"],
                              "length_km": [float("nan"), float("nan"), 123.0]},
                             geometry=[traced, straight, LineString([(-95, 31), (-94, 31)])],
                             crs="EPSG:4326").set_index("link_id")
    one_part = gpd.GeoDataFrame({"link_id": ["m1"], "from_id": ["b"], "to_id": ["c"], "length_km": [float("nan")]},
                                geometry=[MultiLineString([straight])], crs="EPSG:4326").set_index("link_id")
    assert fiber_graph(pops, one_part, route_factor=1.3)["b"]["c"]["length_km"] == pytest.approx(
        1.3 * line_length_km(straight))  # a straight line written as a one-part MultiLineString
    g = fiber_graph(pops, fiber, route_factor=1.3)
    assert g["a"]["b"]["length_km"] == pytest.approx(line_length_km(traced))
    assert line_length_km(traced) > 1.1 * line_length_km(LineString([(-97, 31), (-96, 31)]))  # a real detour
    assert g["b"]["c"]["length_km"] == pytest.approx(1.3 * line_length_km(straight))
    assert g["c"]["d"]["length_km"] == 123.0


def test_energy_price_scale_multiplies_the_grid_energy_bill(tmp_path):
    """No on-site power, one site: the same imports at 1.7x the price cost exactly 1.7x; other costs equal."""
    base, _ = solve_checked(write_tiny(tmp_path / "base"))
    dear, prep = solve_checked(write_tiny(tmp_path / "dear", scenario={"energy_price_scale": 1.7}))
    np.testing.assert_allclose(dear.ds["grid_import_mw"], base.ds["grid_import_mw"])
    cost_b = dict(zip(base.ds["cost_category"].values, base.ds["cost_usd_per_yr"].values))
    cost_d = dict(zip(dear.ds["cost_category"].values, dear.ds["cost_usd_per_yr"].values))
    assert cost_b["grid_energy"] > 0
    assert cost_d["grid_energy"] == pytest.approx(1.7 * cost_b["grid_energy"], rel=1e-9)
    for c in cost_b:
        if c != "grid_energy":
            assert cost_d[c] == pytest.approx(cost_b[c], rel=1e-9, abs=1e-6), c
    assert (prep.price.values == 1.7 * 100.0).all()  # tiny's prices.csv: 100 USD/MWh everywhere


def test_full_substation_does_not_crowd_out_a_usable_one(tmp_path):
    """One option per site allowed: the nearest substation has no headroom (and upgrades are not
    allowed), so the next one is used."""
    subs = [sub("b_near", lat=31.01, headroom_mw=0.0), sub("b_far", lat=31.05, headroom_mw=500.0)]
    path = write_tiny(tmp_path, substations=subs, scenario={"interconnect": {"max_options_per_site": 1,
                                                                             "allow_upgrades": False}})
    plan, prep = solve_checked(path)
    assert set(prep.options["substation_id"]) == {"b_far"}
    assert plan.ds["interconnect_substation"].sel(site="s1").item() == "b_far"


def test_corridor_rating_that_varies_by_slice(tmp_path):
    # Power reaches the site over one 12 MW corridor whose rating falls to half in slice b (a summer
    # derate, prices.csv corridor_rating_factor). The contract is firm, so it must be deliverable in
    # every slice: at most 6 MW, i.e. 5 racks (5.5 MW); 5 H100e unmet at $10M. Flows per slice stay
    # within that slice's rating.
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=1000.0)]
    path = write_tiny(tmp_path / "derated", substations=subs, corridors=[("c1", "b_gen", "b_site", 12.0)],
                      scenario={"interconnect": {"max_options_per_site": 1}},
                      price_columns={"corridor_rating_factor": [1.0, 0.5]})
    plan, prep = solve_checked(path)
    assert prep.corridor_mw_t.loc["c1"].tolist() == [12.0, 6.0]
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(5.0)
    assert plan.ds["unmet_h100e"].sum().item() == pytest.approx(5.0)
    assert plan.ds["corridor_capacity_by_slice_mw"].sel(corridor="c1").values.tolist() == [12.0, 6.0]
    assert np.abs(plan.ds["corridor_flow_mw"].sel(corridor="c1").values).tolist() == pytest.approx([5.5, 5.5])
    assert plan.objective == pytest.approx(5 * 1e7 + 1e6 + 5.5 * H * 100, rel=1e-9)
    # the same with the supply behind it halved in slice b instead (supply_factor)
    subs = [sub("b_site", supply_mw=0.0), sub("b_gen", lon=-97.5, lat=31.5, supply_mw=12.0)]
    path = write_tiny(tmp_path / "supply", substations=subs, corridors=[("c1", "b_gen", "b_site", 100.0)],
                      scenario={"interconnect": {"max_options_per_site": 1}},
                      price_columns={"supply_factor": [1.0, 0.5]})
    plan, _ = solve_checked(path)
    assert plan.ds["it_mw"].sel(site="s1").item() == pytest.approx(5.0)
    assert plan.ds["supply_limit_by_slice_mw"].sel(substation="b_gen").values.tolist() == [12.0, 6.0]


def test_rating_factor_is_validated(tmp_path):
    from siteplan.io import load_dataset

    write_tiny(tmp_path, price_columns={"corridor_rating_factor": [1.0, -0.5], "supply_factor": [40.0, 1.0]})
    _, probs = load_dataset(tmp_path / "data", ["inf"], strict=False)
    got = {(p.feature_id.split(" ")[0], p.field) for p in probs if p.file.endswith("prices.csv")}
    assert ("Z/b", "corridor_rating_factor") in got and ("Z/a", "supply_factor") in got, probs
