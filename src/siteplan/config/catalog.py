"""The technology catalog's schema: rack types, cooling designs, interconnect classes, on-site power
(generators, batteries), gas supply, facility and network costs, economics."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from siteplan.config.fields import (MAX_FUEL_USD_PER_MMBTU, MAX_HEAT_RATE, MAX_KM, MAX_LEAD_TIME_YR,
                                    MAX_LIFETIME_YR, MAX_POWER_MW, MAX_PUE, MAX_RACK_KW, MAX_T_PER_MWH, MAX_USD,
                                    MAX_USD_PER_KW_PERIOD, MAX_USD_PER_MWH, MAX_USD_PER_UNIT, MAX_VOLTAGE_KV,
                                    MAX_WUE_L_PER_KWH, MIN_HEAT_RATE, _check_curve, _Strict)


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
        """Delivered gas price in ``zone`` (a basis keyed by the zone, else by its state: :mod:`siteplan.config.zones`)."""
        from siteplan.config.zones import by_zone

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
