"""The Plan's costs: by category (the objective's terms), and by site (capex and opex, with the
model's annualisation), and the emissions they price."""

from __future__ import annotations

import numpy as np

from siteplan.config import crf
from siteplan.model.linear import linear_value
from siteplan.results.plan_read import clean, index_of, vals
from siteplan.results.plan_read import data_array as da


def category_costs(m) -> dict:
    """{cost category: USD/yr} from the model's cost expressions."""
    return {c: float(linear_value(m.cost[c])) for c in m.COST_CATEGORIES}


def site_emissions(p, grid_st: np.ndarray, gen: np.ndarray) -> np.ndarray:
    """t CO2/yr of each site: its grid imports at the grid's carbon intensity plus its on-site plant."""
    cat, S, T, Pg, w_h = p.catalog, p.sites, p.slices, p.generators, p.weight_h.values
    emis_grid = np.einsum("st,st,t->s", grid_st, p.carbon.loc[S, T].values, w_h) if T else np.zeros(len(S))
    emis_fac = np.array([cat.onsite[g].emissions_t_per_mwh for g in Pg]) if Pg else np.zeros(0)
    emis_onsite = np.einsum("sgt,g,t->s", gen, emis_fac, w_h) if Pg else np.zeros(len(S))
    return emis_grid + emis_onsite


def read_gas_laterals(m, p) -> np.ndarray:
    """Gas laterals as the model charged them (a plan that is not cost-optimal, e.g. a near-optimal
    alternative, may pay for one at a site whose units are 0)."""
    si = index_of(p.sites)
    gas_lateral = np.zeros(len(p.sites))
    if hasattr(m, "gas_lateral"):
        for s_, v in vals(m.gas_lateral).items():
            gas_lateral[si[s_]] = v
    return gas_lateral


def cost_vars(p, water, emissions, costs: dict, site_capex, site_opex) -> dict:
    """The Dataset's water, emissions and cost variables (``water_m3_per_yr`` to ``weight_h``)."""
    return {
        "water_m3_per_yr": da(clean(water), ("site",), "m3/yr", "site water use"),
        "emissions_t_per_yr": da(clean(emissions), ("site",), "t CO2/yr", "site emissions"),
        "cost_usd_per_yr": da(np.array([costs[c] for c in costs]), ("cost_category",), "USD/yr", "annual cost"),
        "site_capex_usd_per_yr": da(site_capex, ("site",), "USD/yr", "annualised capex of the site (land, fixed, "
                                    "fiber lateral, facility, cooling, IT, interconnect, on-site plant)"),
        "site_opex_usd_per_yr": da(site_opex, ("site",), "USD/yr", "operating cost of the site (grid energy, "
                                   "fuel and O&M, carbon, water, serving)"),
        "weight_h": da(p.weight_h.values, ("slice",), "h", "hours per year the slice stands for"),
    }


def site_costs(p, open_, it_mw, it_mw_sk, racks, chosen, contract_mw, upgrade_mw, gas_lateral, units, bunits, grid_st, gen, served, water,
                emissions):
    """Annual cost per site from the decisions, with the model's annualisation.

    Their sum plus the unmet-demand penalty equals the objective (checked by the invariants).
    """
    cat, sc = p.catalog, p.scenario
    r = cat.economics.discount_rate
    sites = p.dataset.sites.loc[p.sites]
    capex = open_ * (sites["land_cost_usd"].values * crf(r, cat.economics.land_lifetime_yr)
                     + sites["fixed_cost_usd"].values * crf(r, cat.facility.lifetime_yr)
                     + p.site_pop.loc[p.sites, "lateral_km"].values * cat.network.fiber_lateral_cost_usd_per_km
                     * crf(r, cat.network.lateral_lifetime_yr))
    capex = capex + it_mw * cat.facility.capex_usd_per_mw_it * crf(r, cat.facility.lifetime_yr)
    if p.designs:
        cool = np.array([cat.cooling_designs[k].capex_usd_per_mw_it * crf(r, cat.cooling_designs[k].lifetime_yr)
                         for k in p.designs])
        capex = capex + it_mw_sk @ cool
    rack = np.array([cat.rack_types[g].capex_usd_per_rack * crf(r, cat.rack_types[g].lifetime_yr)
                     for g in p.rack_types])
    capex = capex + np.einsum("sgk,g->s", racks, rack)
    opt = p.options
    opex_contract = np.zeros(len(p.sites))
    for i, s in enumerate(p.sites):
        if s in chosen:
            o = chosen[s]
            capex[i] += opt.at[o, "capex_usd"] * crf(r, opt.at[o, "lifetime_yr"])
            capex[i] += upgrade_mw[i] * opt.at[o, "upgrade_cost_usd_per_mw"] * crf(r, opt.at[o, "lifetime_yr"])
            opex_contract[i] = contract_mw[i] * opt.at[o, "contract_cost_usd_per_mw_yr"]
    w = p.weight_h.values
    opex = np.einsum("st,st,t->s", grid_st, p.price.loc[p.sites, p.slices].values, w) if p.slices else 0 * capex
    gas_price = p.gas_price.loc[p.sites].values
    for j, g in enumerate(p.generators):
        c = cat.onsite[g]
        capex = capex + units[:, j] * c.unit_mw * (c.capex_usd_per_mw * crf(r, c.lifetime_yr)
                                                  + 1000.0 * c.fixed_om_usd_per_kw_yr)
        fuel = gas_price if c.fuel_price_usd_per_mmbtu is None else c.fuel_price_usd_per_mmbtu
        opex = opex + gen[:, j, :] @ w * (c.heat_rate_mmbtu_per_mwh * fuel + c.vom_usd_per_mwh)
    if gas_lateral.any() and cat.gas_supply is not None:
        gs = cat.gas_supply
        capex = capex + gas_lateral * (gs.tap_cost_usd + gs.lateral_km * gs.lateral_cost_usd_per_km) * crf(r, gs.lifetime_yr)
    for j, q in enumerate(p.batteries):
        c = cat.onsite[q]
        capex = capex + bunits[:, j] * c.unit_mw * c.capex_usd_per_mw * crf(r, c.lifetime_yr)
    opex = opex + opex_contract + sc.carbon.price_usd_per_t * emissions + sc.water.price_usd_per_m3 * water
    if len(p.serving_cost):
        cost_sr = p.serving_cost.unstack("region_id").reindex(index=p.sites, columns=p.regions).fillna(0.0)
        opex = opex + (cost_sr.values * served.sum(axis=2)).sum(axis=1)  # pairs not listed cost nothing
    return capex, opex
