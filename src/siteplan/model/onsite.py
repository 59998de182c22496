"""On-site power: integer generator units with dispatch per slice (batteries: :mod:`siteplan.model.storage`)."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siteplan.model.assets import Asset, CostPart, declare_asset
from siteplan.model.linear import linear_sum, members, scaled, upper_bound_row
from siteplan.model.registry import registry


def max_facility_mw(p) -> dict:
    """Upper bound on each site's facility power: max IT x utilisation x the worst PUE it could see."""
    pue = p.pue.transpose("site", ...)
    # NaN-skipping max over (cooling, slice) per site, as DataArray.max; plain numpy (no xarray reduction per build)
    worst = dict(zip(pue["site"].values.tolist(), np.nanmax(pue.values.reshape(pue.shape[0], -1), axis=1).tolist()))
    u = p.scenario.it_utilisation
    max_it = p.dataset.sites["max_it_mw"].to_dict()
    return {s: float(max_it[s]) * u * float(worst[s]) for s in p.sites}


def define_generators(m, p) -> None:
    """``units[s,g]`` integer generators, ``gen_mw[s,g,t]`` dispatch, ``has_gen[s,g]`` type built.

    Costs: capex and fixed O&M per unit, fuel at the site's delivered price (or the unit's own fuel
    price) and variable O&M per MWh, and a gas lateral (tap + pipe) per site that has any unit burning
    delivered gas. A site's on-site MW may be capped (air permit). Whether units count as firm
    capacity, with redundancy, is :mod:`siteplan.model.firm`.
    """
    if not p.generators:
        return
    cat = p.catalog
    reg = registry(m)
    names = p.generators
    m.GENERATORS = pyo.Set(initialize=names, ordered=True, doc="on-site generator types")
    m._siteplan_prefer_start = True  # HiGHS's root heuristics find no useful incumbent here (solve_model)
    unit = {g: cat.onsite[g].unit_mw for g in names}
    nmax = _max_units(p, names, unit)
    units, gen_mw, has = _generator_rows(m, p, names, unit, nmax)
    for s in p.sites:
        for t in p.slices:
            reg.power_in[s, t].extend(gen_mw[s, g, t] for g in names)
    _generator_costs(m, p, names, unit, units, gen_mw)
    _gas_lateral(m, p, names, has)


def _max_units(p, names: list, unit: dict) -> dict:
    """Big-M on ``units[s,g]``: enough to carry the site's largest possible peak, within its on-site cap."""
    peak = p.site_peak_max_mw.to_dict()
    cap_mw = p.onsite_max_mw.to_dict()
    spare = 1 if p.scenario.firm_power.redundancy == "n_plus_1" else 0
    # Big-M: more units than needed to carry the site's largest possible peak (plus the redundant
    # unit) never pay; nor more than the site's on-site cap allows.
    nmax = {}
    for s in p.sites:
        for g in names:
            n = math.ceil(peak[s] / unit[g] - 1e-9) + spare
            if math.isfinite(cap_mw[s]):
                n = min(n, math.floor(cap_mw[s] / unit[g] + 1e-9))
            nmax[s, g] = max(n, 0)
    return nmax


def _generator_rows(m, p, names: list, unit: dict, nmax: dict) -> tuple[dict, dict, dict]:
    """The units, type-built and dispatch variables with their rows; returns ``units``, ``gen_mw``, ``has_gen``."""
    cap_mw = p.onsite_max_mw.to_dict()
    m.units = pyo.Var(m.SITES, m.GENERATORS, domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, s, g: (0, nmax[s, g]), doc="on-site generator units")
    m.has_gen = pyo.Var(m.SITES, m.GENERATORS, domain=pyo.Binary, doc="site has units of this type")
    m.gen_mw = pyo.Var(m.SITES, m.GENERATORS, m.SLICES, domain=pyo.NonNegativeReals,
                       bounds=lambda m, s, g, t: (0, nmax[s, g] * unit[g]), doc="generator dispatch (MW)")
    units, open_, gen_mw, has = members(m.units), members(m.open), members(m.gen_mw), members(m.has_gen)
    m.units_open = pyo.Constraint(m.SITES, m.GENERATORS,
                                  rule=lambda m, s, g: upper_bound_row(units[s, g], scaled(nmax[s, g], has[s, g])),
                                  doc="units only of a type the site has")
    m.has_gen_open = pyo.Constraint(m.SITES, m.GENERATORS,
                                    rule=lambda m, s, g: upper_bound_row(has[s, g], open_[s]),
                                    doc="generators only at open sites")
    # a type is present only with a unit: has_gen is then exactly "units > 0" in every plan (it
    # costs nothing by itself when the reserve has room or there is no gas lateral)
    m.has_gen_units = pyo.Constraint(m.SITES, m.GENERATORS,
                                     rule=lambda m, s, g: upper_bound_row(has[s, g], units[s, g]),
                                     doc="a generator type is present only with units")
    capped = [s for s in p.sites if math.isfinite(cap_mw[s])
              and sum(nmax[s, g] * unit[g] for g in names) > cap_mw[s] + 1e-9]
    m.onsite_cap = pyo.Constraint(capped, rule=lambda m, s: linear_sum((unit[g], units[s, g]) for g in names)
                                  <= cap_mw[s], doc="on-site generator MW within the site's cap (air permit)")
    gen_mw_max = {(s, g): scaled(unit[g], units[s, g]) for s in p.sites for g in names}  # reused per slice
    m.gen_cap = pyo.Constraint(m.SITES, m.GENERATORS, m.SLICES,
                               rule=lambda m, s, g, t: upper_bound_row(gen_mw[s, g, t], gen_mw_max[s, g]),
                               doc="dispatch within installed units")
    return units, gen_mw, has


def _generator_costs(m, p, names: list, unit: dict, units: dict, gen_mw: dict) -> None:
    """The units as assets (capex, fixed O&M, rent), fuel and variable O&M per MWh, and emissions."""
    cat, reg = p.catalog, registry(m)
    gas_price = p.gas_price.to_dict()
    fuel = {(s, g): (cat.onsite[g].fuel_price_usd_per_mmbtu if cat.onsite[g].fuel_price_usd_per_mmbtu is not None
                     else gas_price[s]) for s in p.sites for g in names}
    var_cost = {(s, g): cat.onsite[g].heat_rate_mmbtu_per_mwh * fuel[s, g] + cat.onsite[g].vom_usd_per_mwh
                for s in p.sites for g in names}
    w = p.hours
    sg = [(s, g) for s in p.sites for g in names]
    declare_asset(m, Asset(
        "generator_units", {k: units[k] for k in sg}, "integer",
        [CostPart("onsite_capex", {(s, g): unit[g] * cat.onsite[g].capex_usd_per_mw for s, g in sg},
                  {(s, g): cat.onsite[g].lifetime_yr for s, g in sg})],
        retire_yr={(s, g): cat.onsite[g].lifetime_yr for s, g in sg},
        fixed_usd_per_unit_yr={(s, g): 1000.0 * unit[g] * cat.onsite[g].fixed_om_usd_per_kw_yr for s, g in sg},
        rent_usd_per_unit_yr={(s, g): 12.0 * 1000.0 * unit[g] * cat.onsite[g].rental_usd_per_kw_month
                              for s, g in sg if cat.onsite[g].rental_usd_per_kw_month is not None}))
    reg.cost["onsite_fuel_om"].append(linear_sum((w[t] * var_cost[s, g], gen_mw[s, g, t])
                                                 for s in p.sites for g in names for t in p.slices))
    emis = {g: cat.onsite[g].emissions_t_per_mwh for g in names}
    reg.emissions_t.append(linear_sum((w[t] * emis[g], gen_mw[s, g, t])
                                      for s in p.sites for g in names for t in p.slices))


def _gas_lateral(m, p, names: list, has: dict) -> None:
    """``gas_lateral[s]`` (tap + pipe) at a site with any unit burning delivered gas, if the catalog prices one."""
    cat = p.catalog
    gas_burners = [g for g in names if cat.onsite[g].fuel_price_usd_per_mmbtu is None]
    if gas_burners and cat.gas_supply is not None:
        gs = cat.gas_supply
        lateral_usd = gs.tap_cost_usd + gs.lateral_km * gs.lateral_cost_usd_per_km
        # continuous in [0, 1]: it only has to be at least every has_gen of a gas burner, and its
        # cost drives it down to their maximum, which is 0 or 1
        m.gas_lateral = pyo.Var(m.SITES, domain=pyo.NonNegativeReals, bounds=(0, 1),
                                doc="site has a gas lateral")
        lat = members(m.gas_lateral)
        m.gas_lateral_needed = pyo.Constraint(m.SITES, gas_burners,
                                              rule=lambda m, s, g: upper_bound_row(has[s, g], lat[s]),
                                              doc="a site burning delivered gas has a lateral")
        declare_asset(m, Asset("gas_lateral", {s: lat[s] for s in p.sites}, "continuous", [
            CostPart("gas_supply", dict.fromkeys(p.sites, lateral_usd), dict.fromkeys(p.sites, gs.lifetime_yr))],
            retire_yr=dict.fromkeys(p.sites, gs.lifetime_yr)))
