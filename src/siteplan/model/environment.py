"""Water use (WUE) with site and total caps, emissions with a carbon price or cap."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from siteplan.model.registry import registry


def define_water(m, p) -> None:
    """``water_m3[s]`` = sum_t hours x IT MW x utilisation x WUE (m3 = MWh x L/kWh); capped and priced."""
    sc = p.scenario
    reg = registry(m)
    u = sc.it_utilisation
    wue = p.wue.transpose("site", "cooling", "slice")
    s_idx = {s: i for i, s in enumerate(wue["site"].values)}
    k_idx = {k: i for i, k in enumerate(wue["cooling"].values)}
    vals = wue.values
    w = p.weight_h.values
    # annual m3 of water per MW of nameplate IT, per (site, design)
    per_mw = {(s, k): float(u * (w * vals[s_idx[s], k_idx[k], :]).sum()) for s, k in p.site_design}
    wet_of = {}
    for s, k in p.site_design:
        if per_mw[s, k] > 0:
            wet_of.setdefault(s, []).append(k)
    if not wet_of:
        return
    m.WATER_SITES = pyo.Set(initialize=sorted(wet_of), ordered=True, doc="sites that may use water")
    m.water_m3 = pyo.Expression(m.WATER_SITES, rule=lambda m, s: sum(per_mw[s, k] * m.it_mw_sk[s, k]
                                                                    for k in wet_of[s]),
                                doc="annual water use (m3)")
    limit = p.dataset.sites["water_limit_m3_per_yr"].to_dict()
    capped = [s for s in m.WATER_SITES if math.isfinite(limit[s])]
    m.site_water_cap = pyo.Constraint(capped, rule=lambda m, s: m.water_m3[s] <= limit[s],
                                      doc="site water cap (m3/yr)")
    if sc.water.cap_m3_per_yr is not None:
        m.total_water_cap = pyo.Constraint(expr=sum(m.water_m3[s] for s in m.WATER_SITES) <= sc.water.cap_m3_per_yr)
    if sc.water.price_usd_per_m3 > 0:
        reg.cost["water"].append(sc.water.price_usd_per_m3 * sum(m.water_m3[s] for s in m.WATER_SITES))


def define_emissions(m, p) -> None:
    """Total annual emissions (t CO2) from grid imports and on-site fuel; priced and/or capped."""
    sc = p.scenario
    reg = registry(m)
    m.emissions_t = pyo.Expression(expr=sum(reg.emissions_t), doc="annual emissions (t CO2)")
    if sc.carbon.price_usd_per_t > 0:
        reg.cost["carbon"].append(sc.carbon.price_usd_per_t * m.emissions_t)
    if sc.carbon.cap_t_per_yr is not None:
        m.carbon_cap = pyo.Constraint(expr=m.emissions_t <= sc.carbon.cap_t_per_yr)
