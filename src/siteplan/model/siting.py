"""Site opening, one cooling design per open site, site limits and site fixed costs."""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.config import crf
from siteplan.model.registry import registry


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
    r = cat.economics.discount_rate
    land_usd, fixed_usd = sites["land_cost_usd"].to_dict(), sites["fixed_cost_usd"].to_dict()
    lateral_km = p.site_pop["lateral_km"].to_dict()
    land = {s: float(land_usd[s] * crf(r, cat.economics.land_lifetime_yr)) for s in p.sites}
    fixed = {s: float(fixed_usd[s] * crf(r, cat.facility.lifetime_yr)) for s in p.sites}
    fiber = {s: float(lateral_km[s] * cat.network.fiber_lateral_cost_usd_per_km
                      * crf(r, cat.network.lateral_lifetime_yr)) for s in p.sites}
    reg = registry(m)
    reg.cost["land"].append(sum(land[s] * m.open[s] for s in p.sites))
    reg.cost["site_fixed"].append(sum(fixed[s] * m.open[s] for s in p.sites if fixed[s]))
    reg.cost["fiber_lateral"].append(sum(fiber[s] * m.open[s] for s in p.sites))
