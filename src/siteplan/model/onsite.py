"""On-site power: integer generator units with dispatch per slice (batteries: :mod:`siteplan.model.storage`)."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siteplan.config import crf
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


def _unit_counts(m, p, names: list[str], set_name: str, var_name: str, doc: str):
    """Integer unit counts per (site, type), bounded by what the site could ever use; returns (unit MW, max)."""
    setattr(m, set_name, pyo.Set(initialize=names, ordered=True, doc=f"on-site {doc} types"))
    fmax = max_facility_mw(p)
    unit = {g: p.catalog.onsite[g].unit_mw for g in names}
    # Big-M: more units than needed to carry (or shift) the site's largest possible facility load never pay.
    nmax = {(s, g): math.ceil(fmax[s] / unit[g] - 1e-9) for s in p.sites for g in names}
    setattr(m, var_name, pyo.Var(m.SITES, getattr(m, set_name), domain=pyo.NonNegativeIntegers,
                                 bounds=lambda m, s, g: (0, nmax[s, g]), doc=f"on-site {doc} units"))
    return unit, nmax


def define_generators(m, p) -> None:
    """``units[s,p]`` integer generators (only at open sites) and ``gen_mw[s,p,t]`` dispatch."""
    if not p.generators:
        return
    cat = p.catalog
    reg = registry(m)
    unit, nmax = _unit_counts(m, p, p.generators, "GENERATORS", "units", "generator")
    m.gen_mw = pyo.Var(m.SITES, m.GENERATORS, m.SLICES, domain=pyo.NonNegativeReals,
                       bounds=lambda m, s, g, t: (0, nmax[s, g] * unit[g]), doc="generator dispatch (MW)")
    units, open_, gen_mw = members(m.units), members(m.open), members(m.gen_mw)
    m.units_open = pyo.Constraint(m.SITES, m.GENERATORS,
                                  rule=lambda m, s, g: upper_bound_row(units[s, g], scaled(nmax[s, g], open_[s])),
                                  doc="generators only at open sites")
    gen_mw_max = {(s, g): scaled(unit[g], units[s, g]) for s in p.sites for g in p.generators}  # reused per slice
    m.gen_cap = pyo.Constraint(m.SITES, m.GENERATORS, m.SLICES,
                               rule=lambda m, s, g, t: upper_bound_row(gen_mw[s, g, t], gen_mw_max[s, g]),
                               doc="dispatch within installed units")
    for s in p.sites:
        for t in p.slices:
            reg.power_in[s, t].extend(gen_mw[s, g, t] for g in p.generators)
    r = cat.economics.discount_rate
    capex = {g: unit[g] * cat.onsite[g].capex_usd_per_mw * crf(r, cat.onsite[g].lifetime_yr) for g in p.generators}
    var_cost = {g: cat.onsite[g].heat_rate_mmbtu_per_mwh * cat.onsite[g].fuel_price_usd_per_mmbtu
                + cat.onsite[g].vom_usd_per_mwh for g in p.generators}
    w = p.hours
    reg.cost["onsite_capex"].append(sum(capex[g] * m.units[s, g] for s in p.sites for g in p.generators))
    reg.cost["onsite_fuel_om"].append(linear_sum((w[t] * var_cost[g], gen_mw[s, g, t])
                                                 for s in p.sites for g in p.generators for t in p.slices))
    emis = {g: cat.onsite[g].emissions_t_per_mwh for g in p.generators}
    reg.emissions_t.append(linear_sum((w[t] * emis[g], gen_mw[s, g, t])
                                      for s in p.sites for g in p.generators for t in p.slices))
