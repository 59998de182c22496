"""Scenario and technology-catalog schemas (pydantic), with file loading.

A scenario YAML points at a regional dataset and a catalog (paths relative to the scenario file)
and sets the study. Unknown keys and wrong types are errors that name the key and the file; every
problem is reported at once (see :mod:`siteplan.errors`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from siteplan.errors import InputError, Problem
from siteplan.safe_load import load_yaml


# Plausibility ceilings of the numbers (issue 20): each is far beyond any real value, so only a unit
# mix-up or a typo reaches it, and each says why. Every float field also rejects inf and NaN.
MAX_LIFETIME_YR = 100.0  # the longest-lived assets (dams, land) are written off over <= 100 yr; the catalog: 5-40
MAX_LEAD_TIME_YR = 100.0  # as Interconnect.lead_time_yr_by_zone: the catalog's lead times are 0.5-6 yr
MAX_SITE_MW = 10_000.0  # 10 GW of IT at one site: twice the largest campus announced (~5 GW); bundled sites 100-1,000 MW
MAX_POWER_MW = 25_000.0  # more than the largest power station (Three Gorges, 22.5 GW); the catalog's units: 10-1,500 MW
MAX_VOLTAGE_KV = 1_200.0  # the highest AC voltage in service is 1,100-1,150 kV (UHV); volts given as kV give 69,000+
MAX_RACK_KW = 10_000.0  # 10 MW per rack: ~17x the densest roadmap rack (~600 kW); watts given as kW give 20,000+
MAX_USD = 1e11  # $100 bn for one item (a substation, a tap, land): more than any single data-center campus costs
MAX_USD_PER_UNIT = 1e9  # $1 bn per rack, per MW or per km: ~100x the dearest (a $7.8 M rack, ~$15 M/MW nuclear)
MAX_USD_PER_KW_PERIOD = 1e4  # $10,000 per kW-yr or kW-month: ~100x fixed O&M, rents and contract charges ($1-50)
MAX_USD_PER_MWH = 1e4  # as the dataset's energy prices (siteplan.io): above ERCOT's $5,000/MWh offer cap
MAX_FUEL_USD_PER_MMBTU = 1_000.0  # ~10x the highest spot gas price seen (Asian LNG 2022, ~$70/MMBtu)
MAX_THREADS = 1024  # HiGHS starts a thread each: 100,000 hung a 25-row solve; the largest servers have ~500 cores
MIN_HEAT_RATE = 3.412  # MMBtu/MWh: 1 MWh = 3.412 MMBtu, so anything below is more than 100 % efficient
MAX_HEAT_RATE = 100.0  # MMBtu/MWh: ~10x an old peaker (10-12); Btu/kWh given as MMBtu/MWh give 6,000+
MAX_T_PER_MWH = 2.0  # as the dataset's carbon intensities (siteplan.io): lignite emits ~1.2-1.4 t/MWh
MAX_RTT_MS = 1_000.0  # light in fiber goes half round the Earth and back in ~200 ms; seconds given as ms give 1,000+
MAX_KM = 40_075.0  # the Earth's circumference
MAX_GPU_HOUR_USD = 1_000.0  # ~400x the market price of an H100-hour (~$2-3)
# ~1e6x an H100e's full yearly cost (~$15 k; the bundled scenarios use 1e5, the tests' 1 MW "GPUs" 1e7); with a
# larger penalty the solver's relative tolerance (~1e-6) would swamp the study's other costs
MAX_PENALTY_USD_PER_GPU_YR = 1e10
MAX_M3_PER_YR = 1e10  # 10 km3/yr: the water use of a mid-size country; bundled site limits ~1e5-1e6 m3/yr
MAX_T_PER_YR = 1e10  # 10 Gt CO2/yr: a quarter of the world's emissions
MAX_USD_PER_M3 = 1_000.0  # ~300x desalinated water (~$1-3/m3)
MAX_ROUTE_FACTOR = 10.0  # routes are 1.1-2x the great circle; 10x is another unit, not a detour
MAX_PUE = 10.0  # the least efficient facilities measured run at ~2.5-3 (the catalog: 1.04-1.75); percent gives 100+
MAX_WUE_L_PER_KWH = 100.0  # evaporative cooling uses ~0-2 L/kWh (the catalog: 0-1.9); mL/kWh given as L/kWh gives 100+
MAX_SCALE = 1_000.0  # as Period.demand_scale: 1,000x a dataset's demand or prices (or 100,000 % slack) is a typo


class _Strict(BaseModel):
    # allow_inf_nan=False: .inf / .nan in any float (catalog, scenario, solver options) is an error
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- catalog


class Economics(_Strict):
    discount_rate: float = Field(ge=0, le=1, description="Real discount rate for capital recovery factors.")
    land_lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR, description="Years over which land cost is annualised.")
    source: str


class Facility(_Strict):
    capex_usd_per_mw_it: float = Field(ge=0, le=MAX_USD_PER_UNIT, description="Facility capex per MW of critical IT, excluding cooling.")
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class NetworkCosts(_Strict):
    fiber_lateral_cost_usd_per_km: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    lateral_lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class RackType(_Strict):
    name: str
    gpus_per_rack: int = Field(gt=0, le=10_000)  # NVL576 racks hold 576
    # 1,000 H100e per GPU: ~130x the catalog's densest roadmap part (7.5)
    h100e_per_gpu: float = Field(gt=0, le=1_000, description="Compute per GPU in H100-equivalents.")
    rack_kw: float = Field(gt=0, le=MAX_RACK_KW, description="Nameplate IT power per rack (kW).")
    capex_usd_per_rack: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    first_year: int | None = Field(default=None, ge=1990, le=2100, description="First year of volume "
                                   "availability: a build-out study (periods) installs the type only in periods "
                                   "that start in or after it; null = always available.")
    capex_by_year: dict[int, float] = Field(default_factory=dict, description="Price per rack by year "
                                            "(a GPU roadmap): a period pays the price of the latest year at or "
                                            "before its start; capex_usd_per_rack before the first.")
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")

    @field_validator("capex_by_year")
    @classmethod
    def _prices(cls, v):
        bad = [y for y, usd in v.items() if not (0 <= usd <= MAX_USD_PER_UNIT)]
        if bad:
            raise ValueError(f"prices must be finite, >= 0 and <= {MAX_USD_PER_UNIT:g} (years {bad})")
        return dict(sorted(v.items()))

    def capex_in(self, year: int | None) -> float:
        """Price per rack of one bought in ``year`` (None: ``capex_usd_per_rack``)."""
        usd = self.capex_usd_per_rack
        if year is not None:
            for y, v in self.capex_by_year.items():
                if y <= year:
                    usd = v
        return usd


class PueCurve(_Strict):
    dry_bulb_c: list[float] = Field(min_length=1)
    pue: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "PueCurve":
        _check_curve(self.dry_bulb_c, self.pue, "pue", lower=1.0, upper=MAX_PUE)
        return self


class WueCurve(_Strict):
    wet_bulb_c: list[float] = Field(min_length=1)
    wue_l_per_kwh: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "WueCurve":
        _check_curve(self.wet_bulb_c, self.wue_l_per_kwh, "wue_l_per_kwh", lower=0.0, upper=MAX_WUE_L_PER_KWH)
        return self


_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def safe_name(v: str) -> str:
    """``v`` if it can name a results folder without leaving its parent (no '/', '..', absolute
    path or leading dot; at most 100 characters); else ValueError."""
    if not isinstance(v, str) or not _SAFE_NAME.fullmatch(v):
        raise ValueError(f"{v!r} cannot name a results folder: use letters, digits, '.', '_' and '-' "
                         "(no '/', no leading '.', at most 100 characters)")
    return v


def _check_curve(x: list[float], y: list[float], yname: str, lower: float, upper: float) -> None:
    if len(x) != len(y):
        raise ValueError(f"curve has {len(x)} temperatures but {len(y)} {yname} values")
    if any(b <= a for a, b in zip(x, x[1:])):
        raise ValueError("curve temperatures must be strictly increasing")
    if any(v < lower for v in y):
        raise ValueError(f"{yname} values must be >= {lower}")
    if any(v > upper for v in y):
        raise ValueError(f"{yname} values must be <= {upper:g} (a unit mix-up?)")


class CoolingDesign(_Strict):
    name: str
    max_rack_kw: float = Field(gt=0, le=MAX_RACK_KW, description="Racks above this power cannot use the design.")
    capex_usd_per_mw_it: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    needs_water: bool
    pue_curve: PueCurve
    wue_curve: WueCurve
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class InterconnectClass(_Strict):
    """A grid connection of one voltage class at a substation: fixed cost, and up to ``max_mw`` contracted."""

    voltage_kv: float = Field(gt=0, le=MAX_VOLTAGE_KV, description="Voltage of the connection; the substation's must be at least this.")
    max_mw: float = Field(gt=0, le=MAX_POWER_MW, description="The most one connection of this class can carry, firm (MW).")
    line_cost_usd_per_km: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    substation_cost_usd: float = Field(ge=0, le=MAX_USD, description="New substation or bay at the point of connection.")
    upgrade_cost_usd_per_mw: float = Field(ge=0, le=MAX_USD_PER_UNIT, description="Network upgrade cost per MW contracted beyond "
                                                           "the substation's headroom.")
    lead_time_yr: float = Field(ge=0, le=MAX_LEAD_TIME_YR, description="Years to energise a connection within headroom.")
    upgrade_lead_time_yr: float = Field(ge=0, le=MAX_LEAD_TIME_YR, description="Extra years when network upgrades are needed.")
    contract_cost_usd_per_kw_yr: float = Field(
        default=0.0, ge=0, le=MAX_USD_PER_KW_PERIOD, description="Annual charge per kW contracted (large-load tariffs' minimum-demand "
                                       "terms; most demand charges are inside the energy price). Makes the "
                                       "contract just what the site needs.")
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class Generator(_Strict):
    kind: Literal["generator"]
    unit_mw: float = Field(gt=0, le=MAX_POWER_MW, description="Net output of one unit (MW).")
    capex_usd_per_mw: float = Field(ge=0, le=MAX_USD_PER_UNIT, description="Installed cost (or the annualised rent as a capex "
                                                    "equivalent over lifetime_yr) per MW.")
    fixed_om_usd_per_kw_yr: float = Field(default=0.0, ge=0, le=MAX_USD_PER_KW_PERIOD, description="Fixed O&M per kW of units installed.")
    heat_rate_mmbtu_per_mwh: float = Field(ge=0, le=MAX_HEAT_RATE, description="Fuel per MWh out: 0 (no fuel) or at "
                                           "least 3.412, the fuel energy of one MWh at 100 % efficiency.")

    @field_validator("heat_rate_mmbtu_per_mwh")
    @classmethod
    def _at_most_100_percent_efficient(cls, v: float) -> float:
        if 0 < v < MIN_HEAT_RATE:
            raise ValueError(f"{v} MMBtu/MWh is more than 100 % efficient (at least {MIN_HEAT_RATE}; "
                             "MMBtu/kWh or MWh/MWh given as MMBtu/MWh?)")
        return v

    fuel_price_usd_per_mmbtu: float | None = Field(
        default=None, ge=0, le=MAX_FUEL_USD_PER_MMBTU, description="Fuel price; null = the delivered gas price of the site's zone "
                                        "(catalog gas_supply).")
    vom_usd_per_mwh: float = Field(ge=0, le=MAX_USD_PER_MWH)
    emissions_t_per_mwh: float = Field(ge=0, le=MAX_T_PER_MWH)
    lead_time_yr: float = Field(ge=0, le=MAX_LEAD_TIME_YR)
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    rental_usd_per_kw_month: float | None = Field(
        default=None, ge=0, le=MAX_USD_PER_KW_PERIOD, description="Rent per kW per month, all-in but fuel (a build-out study with "
                                        "bridging.rent may rent units per period instead of buying them); "
                                        "null = not rentable.")
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class GasSupply(_Strict):
    """Gas delivered to a site: Henry Hub plus a basis per zone, and a lateral to each site that burns gas."""

    henry_hub_usd_per_mmbtu: float = Field(ge=0, le=MAX_FUEL_USD_PER_MMBTU)
    basis_usd_per_mmbtu: dict[str, float] = Field(default_factory=dict, description="Delivered-price basis "
                                                  "over Henry Hub per zone or state (may be negative).")
    default_basis_usd_per_mmbtu: float = Field(default=0.0, ge=-MAX_FUEL_USD_PER_MMBTU, le=MAX_FUEL_USD_PER_MMBTU, description="Basis of a zone not listed.")
    lateral_km: float = Field(ge=0, le=MAX_KM, description="Length of the gas lateral to a site (no pipeline data).")
    lateral_cost_usd_per_km: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    tap_cost_usd: float = Field(ge=0, le=MAX_USD, description="Tap, meter and regulation station per site.")
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")

    @field_validator("basis_usd_per_mmbtu")
    @classmethod
    def _basis(cls, v):
        bad = sorted(z for z, usd in v.items() if not -MAX_FUEL_USD_PER_MMBTU <= usd <= MAX_FUEL_USD_PER_MMBTU)
        if bad:
            raise ValueError(f"basis must be finite, within +-{MAX_FUEL_USD_PER_MMBTU:g} USD/MMBtu (zones {bad})")
        return v

    def price_usd_per_mmbtu(self, zone: str) -> float:
        """Delivered gas price in ``zone`` (a basis keyed by the zone, else by its state: :mod:`siteplan.zones`)."""
        from siteplan.zones import by_zone

        return self.henry_hub_usd_per_mmbtu + by_zone(self.basis_usd_per_mmbtu, zone, self.default_basis_usd_per_mmbtu)


class Battery(_Strict):
    kind: Literal["battery"]
    unit_mw: float = Field(gt=0, le=MAX_POWER_MW)
    unit_mwh: float = Field(gt=0, le=24 * MAX_POWER_MW)  # a day of the largest power
    capex_usd_per_mw: float = Field(ge=0, le=MAX_USD_PER_UNIT)
    round_trip_efficiency: float = Field(gt=0, le=1)
    lead_time_yr: float = Field(ge=0, le=MAX_LEAD_TIME_YR)
    lifetime_yr: float = Field(gt=0, le=MAX_LIFETIME_YR)
    rental_usd_per_kw_month: float | None = Field(
        default=None, ge=0, le=MAX_USD_PER_KW_PERIOD, description="Lease per kW per month (battery as a service); null = not rentable.")
    source: str
    dollar_year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the US dollars the costs are in (the bundled catalog: all one year, older figures escalated; see its header).")


class Catalog(_Strict):
    """The technology catalog: rack types, cooling designs, interconnect classes, on-site power, gas supply."""

    economics: Economics
    facility: Facility
    network: NetworkCosts
    rack_types: dict[str, RackType] = Field(min_length=1)
    cooling_designs: dict[str, CoolingDesign] = Field(min_length=1)
    interconnect_classes: dict[str, InterconnectClass] = Field(default_factory=dict)
    # discriminated by kind: a bad generator is told about, not also tried (and failed) as a battery
    onsite: dict[str, Annotated[Generator | Battery, Field(discriminator="kind")]] = Field(default_factory=dict)
    gas_supply: GasSupply | None = Field(default=None, description="Required when a generator has no "
                                                                   "fuel_price_usd_per_mmbtu.")

    @model_validator(mode="after")
    def _gas_priced(self) -> "Catalog":
        unpriced = [n for n, o in self.onsite.items() if o.kind == "generator" and o.fuel_price_usd_per_mmbtu is None]
        if unpriced and self.gas_supply is None:
            raise ValueError(f"on-site generator(s) {', '.join(unpriced)} burn delivered gas (no "
                             "fuel_price_usd_per_mmbtu) but the catalog has no gas_supply section")
        return self


# --------------------------------------------------------------------------- scenario


class Workload(_Strict):
    max_rtt_ms: float = Field(gt=0, le=MAX_RTT_MS, description="Round-trip latency limit site -> demand region (ms).")


class Carbon(_Strict):
    # $10,000/t as Period.carbon_price_usd_per_t: ~50x the highest carbon prices in force (~$150/t)
    price_usd_per_t: float = Field(default=0.0, ge=0, le=1e4, description="Carbon price on grid and on-site emissions.")
    cap_t_per_yr: float | None = Field(default=None, ge=0, le=MAX_T_PER_YR, description="Total emissions cap; null = none.")


class Water(_Strict):
    price_usd_per_m3: float = Field(default=0.0, ge=0, le=MAX_USD_PER_M3)
    allow_water_cooling: bool = Field(default=True, description="False forbids designs that need water.")
    cap_m3_per_yr: float | None = Field(default=None, ge=0, le=MAX_M3_PER_YR, description="Total water cap; null = none.")


class Limits(_Strict):
    max_sites: int | None = Field(default=None, ge=0, description="Maximum number of open sites; null = none.")
    min_it_mw_per_site: float = Field(default=0.0, ge=0, le=MAX_SITE_MW, description="Minimum IT MW at every open site.")


class Network(_Strict):
    route_factor: float = Field(default=1.3, ge=1, le=MAX_ROUTE_FACTOR, description="Fiber route length / great-circle length.")
    lateral_route_factor: float = Field(default=1.2, ge=1, le=MAX_ROUTE_FACTOR, description="Same, for laterals to the nearest PoP.")
    rtt_overhead_ms: float = Field(default=0.5, ge=0, le=MAX_RTT_MS, description="Fixed RTT added for equipment and queuing.")
    # 100 us/km: 20x light in fiber (4.9); ms/km given as us/km would give 1,000+
    us_per_km: float = Field(default=4.9, gt=0, le=100, description="One-way propagation delay in fiber (microseconds per km).")
    metro_max_km: float = Field(
        default=150.0, ge=0, le=2000, description="A site and a demand region at most this far apart (great "
        "circle) may also be joined directly, by metro or regional fiber of route_factor x their distance, "
        "when that is shorter than lateral + backbone + lateral (backbones have no PoP in many towns; "
        "regional carriers join places ~100-200 km apart); 0 = always through the backbone.")


class Interconnect(_Strict):
    max_distance_km: float = Field(default=30.0, gt=0, le=MAX_KM, description="Substations farther than this are not options.")
    line_route_factor: float = Field(default=1.2, ge=1, le=MAX_ROUTE_FACTOR, description="Line length / great-circle distance.")
    # 100x: ReEDS's regional multipliers span ~0.8-2.5
    cost_multiplier: float = Field(default=1.0, gt=0, le=100, description="Regional transmission cost multiplier (ReEDS style).")
    max_options_per_site: int = Field(default=3, gt=0, le=100, description="Nearest substations considered per site.")
    allow_upgrades: bool = Field(default=True, description="Contract beyond a substation's headroom at the "
                                 "class's upgrade cost per MW, if the longer lead time fits the horizon.")
    demand_charge_usd_per_mw_month: float = Field(
        default=0.0, ge=0, le=1e5, description="A utility's demand charge on the contracted MW (USD per MW-month), "
                                              "added to every class's contract_cost_usd_per_kw_yr: use it when "
                                              "the tariff bills demand apart from the energy price of prices.csv "
                                              "(EIA's state prices are revenue / sales, demand charges included).")
    lead_time_yr_by_zone: dict[str, float] = Field(
        default_factory=dict, description="A utility's published wait for large loads per zone or state (years, network "
                                          "upgrades included): no class connects sooner to a substation "
                                          "in the zone (before the substation's own lead_time_yr) nor for a site "
                                          "in the zone (the utility whose load it is).")

    @field_validator("lead_time_yr_by_zone")
    @classmethod
    def _waits(cls, v):
        bad = [z for z, y in v.items() if not (0 <= y < 100)]
        if bad:
            raise ValueError(f"lead times must be 0-100 years (zones {bad})")
        return v


class FirmPower(_Strict):
    peak_it_share: float = Field(default=1.0, gt=0, le=1, description="Share of nameplate IT drawn at the "
                                 "design peak: capacity (grid contract + firm on-site) covers nameplate IT x "
                                 "this x the design-peak PUE.")
    redundancy: Literal["n_plus_1", "none"] = Field(
        default="n_plus_1", description="n_plus_1: on-site plant counted as firm supply covers the peak it "
                                        "carries without its largest unit.")
    onsite_max_mw_per_site: float | None = Field(
        default=None, ge=0, le=MAX_SITE_MW, description="Cap on on-site generator MW per site (air permits); a site's own "
                                        "onsite_max_mw, if given, is used instead. null = none.")


class Solver(_Strict):
    time_limit_s: float = Field(default=600.0, gt=0, le=1e7)  # 1e7 s = 116 days
    mip_rel_gap: float = Field(default=1e-4, ge=0, le=1)  # a share: 1 = 100 %
    decision_gap: float | None = Field(
        default=None, ge=0, le=1, description="Also stop when (objective - bound) <= this x (objective - the cost "
                                        "no plan can avoid): the gap on what the siting and power choices "
                                        "cost (siteplan.decision_gap). null = only mip_rel_gap.")
    threads: int = Field(default=1, ge=1, le=MAX_THREADS)
    seed: int = Field(default=0, ge=0)
    output: bool = Field(default=False, description="Print the HiGHS log.")
    root_cuts: bool = Field(default=True, description="Run the root cut loop for linking inequalities "
                                                      "registered as cuts (formulation.serve_linking).")
    mip_start: bool | Literal["auto"] = Field(
        default="auto", description="Start HiGHS from an LP-guided restricted MIP solution (sites the LP "
                                    "relaxation closes stay closed). auto: only when the root cut loop ran, "
                                    "whose final LP relaxation it reuses (large studies), or the study has "
                                    "on-site generators, and the target gap is >= 0.5 %; true: always "
                                    "(solving one extra LP otherwise).")


class Alternatives(_Strict):
    count: int = Field(default=0, ge=0, description="Near-optimal alternatives to find after the best plan "
                                                    "(siteplan.alternatives); 0 = none.")
    slack: float = Field(default=0.01, ge=0, le=MAX_SCALE, description="Alternatives cost at most this share of the best "
                                                         "plan's avoidable cost more than it.")


class Formulation(_Strict):
    serve_linking: Literal["auto", "rows", "cuts", "none"] = Field(
        default="auto",
        description="Disaggregated link serve[s,r,w] <= demand[r,w] x open[s] (strengthens the LP "
                    "relaxation; facility-location style). rows: in the model; cuts: added at the root "
                    "LP only where violated; none: only the aggregated capacity link; auto: rows up to "
                    "150,000 pairs, cuts above.")
    slice_clusters: int | Literal["auto"] | None = Field(
        default="auto", description="Merge the dataset's time slices into this many (whole representative "
                                    "days clustered on prices and temperatures, merged slice by slice, "
                                    "hour-weighted; the hottest slice's day is kept; at least one day per "
                                    "day structure, so possibly more slices than asked). "
                                    "null = use all slices; auto = merge only on large studies, to "
                                    "max(8, 16,000 / sites) slices when sites x slices > 16,000 (a plan "
                                    "says so in its notes).")

    @field_validator("slice_clusters")
    @classmethod
    def _at_least_two(cls, v):
        if isinstance(v, int) and v < 2:
            raise ValueError("must be >= 2 (or 'auto', or null for all slices)")
        return v


class Period(_Strict):
    """One period of a build-out study: its first year, its length and what changes in it."""

    year: int = Field(ge=1990, le=2100, description="First year of the period.")
    length_yr: int = Field(gt=0, le=50, description="Years the period lasts.")
    demand_scale: float = Field(default=1.0, ge=0, le=1e3, description="Multiplies the scenario's demand "
                                "(a growth path).")
    energy_price_scale: float = Field(default=1.0, ge=0, le=100, description="Multiplies grid energy prices.")
    gas_price_scale: float = Field(default=1.0, ge=0, le=100, description="Multiplies delivered gas prices.")
    carbon_price_usd_per_t: float | None = Field(default=None, ge=0, le=1e4,
                                                 description="Carbon price in the period; null = the scenario's.")


class Bridging(_Strict):
    rent: bool = Field(default=False, description="In a build-out study, on-site units with a catalog "
                                                  "rental_usd_per_kw_month may be rented per period (no capex, "
                                                  "returned when no longer needed) as well as bought.")


class Scenario(_Strict):
    """A planning study: dataset + catalog + study settings. Paths are resolved to absolute paths."""

    name: str = Field(description="Name of the study; the default results folder is results/<name>, so a "
                                  "file name: letters, digits, '.', '_' and '-', not starting with '.'.")

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, v: str) -> str:
        return safe_name(v)
    description: str = ""
    dataset: Path = Field(description="Regional dataset folder (relative to the scenario file).")
    catalog: Path = Field(description="Technology catalog YAML (relative to the scenario file).")
    horizon_yr: float | None = Field(default=None, gt=0, le=MAX_LEAD_TIME_YR, description="Years until capacity must be online: an "
                                       "option is available iff its lead time <= the horizon. Required "
                                       "without periods; with periods each period's horizon is its year "
                                       "minus start_year.")
    start_year: int | None = Field(default=None, ge=1990, le=2100, description="Build-out studies: the year "
                                   "requests are filed (lead times count from it) and the base year of "
                                   "discounting.")
    periods: list[Period] | None = Field(default=None, min_length=1, description="Build-out study: ordered, "
                                         "back-to-back periods; null = one steady-state period (horizon_yr).")
    bridging: Bridging = Bridging()
    demand_scale: float = Field(default=1.0, ge=0, le=MAX_SCALE)
    energy_price_scale: float = Field(
        default=1.0, ge=0, le=MAX_SCALE, description="Multiplies every grid energy price of the dataset's prices.csv "
                                       "(price sweeps; fuel prices are catalog_overrides).")
    objective: Literal["min_cost", "max_profit"] = Field(
        default="min_cost", description="min_cost: meet the demand at least cost (unmet demand pays the "
                                        "penalty); max_profit: serve the demand that pays for itself, "
                                        "maximising revenue (gpu_hour_price_usd) minus cost.")
    gpu_hour_price_usd: float | None = Field(
        default=None, gt=0, le=MAX_GPU_HOUR_USD, validate_default=True,
        description="Revenue per H100e-hour of served compute, over the slices' hours of the year "
                    "(objective max_profit only; required there).")
    workloads: dict[str, Workload] = Field(min_length=1)
    rack_types: list[str] | None = Field(default=None, description="Subset of catalog rack types; null = all.")
    cooling_designs: list[str] | None = Field(default=None, description="Subset of designs; null = all.")
    onsite: list[str] | None = Field(default=None, description="Subset of on-site options; null = all.")
    it_utilisation: float = Field(default=0.8, ge=0.05, le=1, description="Average IT draw / nameplate (at least "
                                  "0.05: a GPU fleet idles at ~0.1-0.2 of nameplate; 1e-9 is a typo).")
    unmet_penalty_usd_per_gpu_yr: float | None = Field(
        default=None, ge=0, le=MAX_PENALTY_USD_PER_GPU_YR, validate_default=True,
        description="Penalty per H100e of unmet demand per year: required (> 0) with min_cost; optional "
                    "with max_profit (default 0: unserved demand only forgoes its revenue).")
    carbon: Carbon = Carbon()
    water: Water = Water()
    limits: Limits = Limits()
    network: Network = Network()
    interconnect: Interconnect = Interconnect()
    firm_power: FirmPower = FirmPower()
    solver: Solver = Solver()
    formulation: Formulation = Formulation()
    alternatives: Alternatives = Alternatives()
    catalog_overrides: dict[str, Any] = Field(default_factory=dict, description="Partial catalog deep-merged over the catalog file.")
    source_file: Path | None = Field(default=None, description="Set by the loader.")

    def with_values(self, values: dict[str, Any]) -> "Scenario":
        """A validated copy with values changed by dotted key.

        Parameters
        ----------
        values : dict
            ``{"demand_scale": 2, "carbon.price_usd_per_t": 50}``, as ``--set`` takes them.

        Raises
        ------
        InputError
            Listing every problem of the changed scenario.

        Notes
        -----
        ``model_copy(update=...)`` does not validate; :func:`siteplan.load` re-validates a scenario
        passed to it, so a copy changed that way is checked there.
        """
        raw = self.model_dump()
        for key, value in values.items():
            set_by_path(raw, key, value)
        return revalidated(raw, self.source_file)  # paths resolved from the scenario file, as in the file

    def with_overrides(self, names: list[str] | tuple[str, ...] | str) -> "Scenario":
        """A validated copy with named overrides of its scenario file (``overrides:``) applied in order.

        Raises
        ------
        InputError
            When the scenario has no file, a name is not in it, or the result is invalid.
        """
        names = [names] if isinstance(names, str) else list(names)
        if not names:
            return self
        if self.source_file is None:
            raise InputError([Problem(None, None, "overrides", "the scenario was not read from a file, so it "
                                                               "has no named overrides; use with_values")])
        named = _read_yaml(Path(self.source_file))
        raw = apply_overrides({**self.model_dump(), "overrides": (named or {}).get("overrides")}, names,
                              Path(self.source_file))
        return revalidated(raw, self.source_file)

    @model_validator(mode="after")
    def _periods(self) -> "Scenario":
        if self.periods is None:
            if self.horizon_yr is None:
                raise ValueError("horizon_yr is required (or give periods and start_year for a build-out study)")
            if self.start_year is not None:
                raise ValueError("start_year is only used with periods")
            return self
        if self.horizon_yr is not None:
            raise ValueError("give horizon_yr or periods, not both: with periods each period's horizon is its "
                             "year minus start_year")
        if self.start_year is None:
            raise ValueError("periods need start_year (the year requests are filed)")
        prev = None
        for i, per in enumerate(self.periods):
            if i == 0 and per.year <= self.start_year:
                raise ValueError(f"periods[0].year {per.year} must be after start_year {self.start_year}")
            if prev is not None and per.year != prev.year + prev.length_yr:
                raise ValueError(f"periods[{i}].year is {per.year}; periods are back to back, so it must be "
                                 f"{prev.year + prev.length_yr} (periods[{i - 1}].year + length_yr)")
            prev = per
        return self

    @field_validator("gpu_hour_price_usd")
    @classmethod
    def _price_only_for_max_profit(cls, v, info):
        objective = info.data.get("objective")
        if objective == "max_profit" and v is None:
            raise ValueError("required with objective max_profit (revenue per H100e-hour served)")
        if objective == "min_cost" and v is not None:
            raise ValueError("only used with objective max_profit")
        return v

    @field_validator("unmet_penalty_usd_per_gpu_yr")
    @classmethod
    def _penalty_by_objective(cls, v, info):
        objective = info.data.get("objective")
        if objective == "min_cost" and not v:
            raise ValueError("required (> 0) with objective min_cost" if v is None
                             else "must be > 0 with objective min_cost (demand must cost something to leave unmet)")
        return 0.0 if v is None else v


def crf(rate: float, lifetime_yr: float) -> float:
    """Capital recovery factor: annual payment per unit of capex over ``lifetime_yr`` years."""
    if rate == 0:
        return 1.0 / lifetime_yr
    g = (1.0 + rate) ** lifetime_yr
    return rate * g / (g - 1.0)


# --------------------------------------------------------------------------- loading


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _read_yaml(path: Path) -> Any:
    """A YAML input file's value: only a regular UTF-8 file, no duplicate keys, no alias bombs
    (:func:`siteplan.safe_load.load_yaml`); every failure is an :class:`InputError`."""
    return load_yaml(path)


def _pydantic_problems(path: Path, exc: ValidationError, prefix: str = "") -> list[Problem]:
    from siteplan.suggest import did_you_mean, fields_at

    model = globals().get(exc.title)  # the validated class (Scenario, Catalog), for "did you mean"
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or None
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = fields_at(model, tuple(err["loc"][:-1])) if isinstance(model, type) and err["loc"] else None
            msg = "unknown key" + did_you_mean(str(err["loc"][-1]), known or [])
        elif err["type"] == "missing":
            msg = "required key is missing"
        out.append(Problem(str(path), None, field, msg))
    return out


def apply_overrides(raw: dict, overrides: list[str] | tuple[str, ...], path: Path) -> dict:
    """Compose the named overrides of a scenario file (``overrides:`` section) in the given order."""
    named = raw.pop("overrides", None) or {}
    if not isinstance(named, dict):
        raise InputError([Problem(str(path), None, "overrides", "must be a mapping of name -> partial scenario")])
    if isinstance(overrides, str):
        raise InputError([Problem(str(path), None, "overrides",
                                  f"expected a list of override names, got the string {overrides!r} "
                                  f"(write [{overrides!r}])")])
    from siteplan.suggest import did_you_mean

    problems = [Problem(str(path), None, f"overrides.{n}",
                        f"no such override{did_you_mean(n, named)} (have: {sorted(named)})")
                for n in overrides if n not in named]
    if problems:
        raise InputError(problems)
    for n in overrides:
        raw = _deep_merge(raw, named[n])
    return raw


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = (),
                  set_values: dict[str, Any] | None = None, *, where: str = "set_values") -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path : str or Path
        Scenario file. ``dataset`` and ``catalog`` are resolved relative to it.
    overrides : sequence of str, or str
        Names from the file's ``overrides:`` section, applied in order (a string is one name).
    set_values : dict, optional
        Extra values by dotted key path (``{"carbon.price_usd_per_t": 50}``), applied last; a
        problem they cause names them, not the file.
    where : str, default "set_values"
        What the caller calls ``set_values`` in messages (:func:`set_value_label`): the argument's
        name from Python, ``"--set"`` from the command line.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Listing every problem found (unknown keys, wrong types, missing keys).
    """
    path = Path(path).resolve()
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), None, None, "scenario file must be a YAML mapping")])
    raw = apply_overrides(raw, [overrides] if isinstance(overrides, str) else list(overrides), path)  # one name
    for key, value in (set_values or {}).items():
        set_by_path(raw, key, value)
    try:
        return scenario_from_dict(raw, base_dir=path.parent, source_file=path)
    except InputError as exc:
        if not set_values:
            raise
        raise InputError([_blame_set_value(q, set_values, path, where) for q in exc.problems]) from None


def set_value_label(key: str, value: Any, where: str = "set_values") -> str:
    """How the caller wrote one value by dotted key: ``--set key=50`` on the command line (``where``
    starts with ``--``), ``set_values['key']=50`` from Python (``where``: the argument's name)."""
    if where.startswith("-"):
        return f"{where} {key}={value!r}"
    return f"{where}[{key!r}]={value!r}"


def _blame_set_value(q: Problem, set_values: dict[str, Any], path: Path, where: str = "set_values") -> Problem:
    """A problem at a key that a ``--set``/``set_values`` entry wrote names that entry (in the caller's
    words, :func:`set_value_label`), not the file."""
    for key, value in set_values.items():
        if q.field is not None and (q.field == key or q.field.startswith(key + ".") or key.startswith(q.field + ".")):
            return Problem(f"{set_value_label(key, value, where)} (on {path.name})", q.feature_id, q.field, q.message)
    return q


def blame_set_values(problems: list[Problem], set_values: dict[str, Any] | None, path: str | Path | None,
                     where: str = "set_values") -> list[Problem]:
    """Problems found after the scenario itself validated (catalog names, dataset columns, zone keys)
    whose key a ``--set``/``set_values`` entry wrote, named after that entry (:func:`_blame_set_value`)
    rather than the scenario file; the others as they are."""
    if not set_values:
        return list(problems)
    return [_blame_set_value(q, set_values, Path(path or "scenario"), where) for q in problems]


def set_by_path(raw: dict, dotted: str, value: Any) -> None:
    """Set ``raw["a"]["b"] = value`` for ``dotted == "a.b"``, creating mappings on the way."""
    node = raw
    parts = dotted.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise InputError([Problem(None, None, dotted, f"'{p}' is not a mapping")])
    node[parts[-1]] = value


def scenario_from_dict(raw: dict, base_dir: Path, source_file: Path | None = None,
                       label: Path | None = None) -> Scenario:
    """Validate a scenario mapping; relative paths are taken from ``base_dir``; problems name
    ``label`` (default: the source file, else ``base_dir``)."""
    raw = dict(raw)
    raw.pop("overrides", None)
    for key in ("dataset", "catalog"):
        if isinstance(raw.get(key), (str, Path)):
            raw[key] = (base_dir / raw[key]).resolve()  # an absolute path stays itself
    raw["source_file"] = source_file
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(label or source_file or base_dir, exc)) from None


def revalidated(raw: dict | Scenario, source_file: Path | None) -> Scenario:
    """Validate a scenario built or changed in code.

    Parameters
    ----------
    raw : dict or Scenario
        The scenario's values (a Scenario is dumped and validated again).
    source_file : Path or None
        The file it came from, for the problems' ``<file> (changed in code)``.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Listing every problem.
    """
    if isinstance(raw, Scenario):
        raw = raw.model_dump()
    label = Path(f"{source_file} (changed in code)") if source_file else Path("<scenario built in code>")
    base = source_file.parent if source_file else Path.cwd()
    return scenario_from_dict(raw, base_dir=base, source_file=source_file, label=label)


def catalog_problems(cat: Catalog, path: Path | None) -> list[Problem]:
    """Problems of a catalog built or changed in code (``model_copy`` skips validation).

    Parameters
    ----------
    cat : Catalog
    path : Path or None
        The catalog file, for the problems' ``<file> (changed in code)``.

    Returns
    -------
    list of Problem
    """
    try:
        Catalog.model_validate(cat.model_dump())
    except ValidationError as exc:
        return _pydantic_problems(Path(f"{path} (changed in code)"), exc)
    return []


def cross_check(sc: Scenario, cat: Catalog) -> list[Problem]:
    """Check that the names the scenario takes from the catalog exist.

    Parameters
    ----------
    sc : Scenario
    cat : Catalog

    Returns
    -------
    list of Problem
        One per rack type, cooling design or on-site option the catalog lacks.
    """
    from siteplan.suggest import did_you_mean

    src = str(sc.source_file)
    out = []
    for key, names, have in (("rack_types", sc.rack_types, cat.rack_types),
                             ("cooling_designs", sc.cooling_designs, cat.cooling_designs),
                             ("onsite", sc.onsite, cat.onsite)):
        for n in names or []:
            if n not in have:
                out.append(Problem(src, None, key, f"{n!r} is not in the catalog {sc.catalog}"
                                   + did_you_mean(n, [h for h in have if h not in names] or have)))
    return out


def load_catalog(path: str | Path, overrides: dict[str, Any] | None = None) -> Catalog:
    """Read and validate a technology catalog YAML file (every problem reported at once).

    ``overrides`` (a scenario's ``catalog_overrides``) is deep-merged over the file's content.
    """
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), None, None, "catalog must be a YAML mapping")])
    if overrides:
        raw = _deep_merge(raw, overrides)
    if "interconnect_tiers" in raw:
        raise InputError([Problem(str(path), None, "interconnect_tiers",
                                  "replaced by interconnect_classes (voltage_kv, max_mw, line_cost_usd_per_km, "
                                  "substation_cost_usd, upgrade_cost_usd_per_mw, lead_time_yr, "
                                  "upgrade_lead_time_yr, lifetime_yr, source): a connection is a voltage class "
                                  "plus a contracted MW, not a fixed-size tier")])
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(path, exc)) from None
