"""Zones ``<state>-<subregion>``: per-zone settings keyed by the zone or its state; a demand charge."""

from __future__ import annotations

import pytest

from siteplan.config import GasSupply
from siteplan.config.zones import by_zone, zone_state
from tiny import solve_checked, sub, write_tiny

H = 4380.0 * 2  # hours a year in the tiny studies


def test_zone_state_and_lookup():
    assert zone_state("VA-SRVC") == "VA" and zone_state("Z") == "Z"
    waits = {"VA": 5.0, "VA-RFCW": 2.0}
    assert by_zone(waits, "VA-SRVC") == 5.0   # by its state
    assert by_zone(waits, "VA-RFCW") == 2.0   # the zone itself comes first
    assert by_zone(waits, "MD-RFCE", -1.0) == -1.0
    gas = GasSupply(henry_hub_usd_per_mmbtu=3.0, basis_usd_per_mmbtu={"TX": 0.5}, default_basis_usd_per_mmbtu=1.0,
                    lateral_km=0, lateral_cost_usd_per_km=0, tap_cost_usd=0, lifetime_yr=1, source="test")
    assert gas.price_usd_per_mmbtu("TX-ERCT") == 3.5 and gas.price_usd_per_mmbtu("OK-SPSO") == 4.0


@pytest.mark.parametrize("waits, connects", [({"TX": 5}, False), ({"TX-ERCT": 5}, False), ({}, True)])
def test_utility_wait_by_state_applies_to_its_zones(tmp_path, waits, connects):
    # horizon 3 yr; a 5-year wait keyed by the state (or the zone) leaves the site no grid option
    path = write_tiny(tmp_path, zone="TX-ERCT", scenario={"onsite": ["gas"], "interconnect": {"lead_time_yr_by_zone": waits}})
    plan, prep = solve_checked(path)
    assert (len(prep.options) > 0) == connects
    assert (plan.ds["onsite_units"].sum().item() == 0) == connects


def test_demand_charge_bills_the_contract_every_month(tmp_path):
    # 10 MW of IT at PUE 1.1 = 11 MW contracted on the small class either way; a demand charge of
    # $2,000/MW-month adds 11 x 12 x 2,000 = $264,000 a year and nothing else
    base, _ = solve_checked(write_tiny(tmp_path / "a"))
    charged, prep = solve_checked(write_tiny(tmp_path / "b", scenario={"interconnect": {"demand_charge_usd_per_mw_month": 2000.0}}))
    assert (prep.options["contract_cost_usd_per_mw_yr"] == 24000.0).all()
    assert base.ds["interconnect_contracted_mw"].sum().item() == pytest.approx(11.0)
    assert charged.ds["interconnect_contracted_mw"].sum().item() == pytest.approx(11.0)
    assert charged.objective - base.objective == pytest.approx(11.0 * 12 * 2000.0, rel=1e-9)
    assert base.objective == pytest.approx(1e6 + 11 * H * 100, rel=1e-9)


def test_scenario_wait_overrides_the_datasets(tmp_path):
    # the dataset says 5 years at b1 (horizon 3: no grid); a scenario's zone wait of 1 year wins
    b1 = {**sub("b1"), "lead_time_yr": 5.0}
    _, prep = solve_checked(write_tiny(tmp_path / "a", substations=[b1], scenario={"onsite": ["gas"]}))
    assert len(prep.options) == 0
    _, prep = solve_checked(write_tiny(tmp_path / "b", substations=[b1], zone="TX-ERCT",
                                       scenario={"onsite": ["gas"], "interconnect": {"lead_time_yr_by_zone": {"TX": 1}}}))
    assert len(prep.options) > 0


def test_unknown_zone_key_is_an_error(tmp_path):
    from siteplan.api import validate_scenario
    from siteplan.errors import InputError
    path = write_tiny(tmp_path, zone="VA-SRVC", scenario={"interconnect": {"lead_time_yr_by_zone": {"VA-SRCV": 5}}})
    probs = validate_scenario(path)
    assert len(probs) == 1 and probs[0].field == "interconnect.lead_time_yr_by_zone.VA-SRCV"
    assert "names no zone or state" in probs[0].message and "VA-SRVC" in probs[0].message
    with pytest.raises(InputError, match="VA-SRCV"):
        solve_checked(path)
    assert validate_scenario(write_tiny(tmp_path / "ok", zone="VA-SRVC",
                                        scenario={"interconnect": {"lead_time_yr_by_zone": {"VA": 5}}})) == []
