"""Site opening, one cooling design per open site, site limits and site fixed costs."""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.assets import Asset, CostPart, declare_asset


def define_sites(m, p) -> None:
    """``open[s]`` and ``design[s,k]`` binaries; exactly one design per open site; max sites."""
    cat, sc = p.catalog, p.scenario
    m.SITES = pyo.Set(initialize=p.sites, ordered=True, doc="candidate sites")
    m.DESIGNS = pyo.Set(initialize=p.designs, ordered=True, doc="cooling designs")
    m.SITE_DESIGN = pyo.Set(initialize=p.site_design, dimen=2, ordered=True, doc="allowed (site, design)")
    m.open = pyo.Var(m.SITES, domain=pyo.Binary, doc="site is developed")
    m.design = pyo.Var(m.SITE_DESIGN, domain=pyo.Binary, doc="cooling design chosen at site")

    m._siteplan_start_fix = [m.open[s] for s in p.sites]  # fixed to 0 where the LP closes them (MIP start)
    designs_of = {s: [] for s in p.sites}
    for s, k in p.site_design:
        designs_of[s].append(k)
    m.one_design = pyo.Constraint(
        m.SITES, rule=lambda m, s: sum(m.design[s, k] for k in designs_of[s]) == m.open[s],
        doc="an open site has exactly one cooling design")
    if sc.limits.max_sites is not None:
        m.max_sites = pyo.Constraint(expr=sum(m.open[s] for s in m.SITES) <= sc.limits.max_sites)

    sites = p.dataset.sites
    land_usd, fixed_usd = sites["land_cost_usd"].to_dict(), sites["fixed_cost_usd"].to_dict()
    lateral_km = p.site_pop["lateral_km"].to_dict()
    fiber_usd = {s: lateral_km[s] * cat.network.fiber_lateral_cost_usd_per_km for s in p.sites}
    open_ = {s: m.open[s] for s in p.sites}
    # land, the site's fixed cost and its fiber lateral: bought when the site opens, kept
    declare_asset(m, Asset("site", open_, "binary", [
        CostPart("land", {s: float(land_usd[s]) for s in p.sites},
                 dict.fromkeys(p.sites, cat.economics.land_lifetime_yr)),
        CostPart("site_fixed", {s: float(fixed_usd[s]) for s in p.sites}, dict.fromkeys(p.sites, cat.facility.lifetime_yr)),
        CostPart("fiber_lateral", fiber_usd, dict.fromkeys(p.sites, cat.network.lateral_lifetime_yr))]))
