"""Integer racks per (site, rack type, compatible design), IT capacity, IT/facility/cooling capex."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from siteplan.model.assets import Asset, CostPart, declare_asset
from siteplan.model.linear import flat_difference


def define_racks(m, p) -> None:
    """``racks[s,g,k]`` integers, IT MW within the site's limits of the chosen design."""
    cat, sc = p.catalog, p.scenario
    sites = p.dataset.sites
    m.RACK_TYPES = pyo.Set(initialize=p.rack_types, ordered=True, doc="GPU rack types")
    m.SITE_RACK_DESIGN = pyo.Set(initialize=p.site_rack_design, dimen=3, ordered=True,
                                 doc="compatible (site, rack type, design)")
    kw = {g: cat.rack_types[g].rack_kw for g in p.rack_types}
    max_it = {s: float(v) for s, v in sites["max_it_mw"].items()}
    max_racks = {(s, g, k): math.floor(1000.0 * max_it[s] / kw[g] + 1e-9)
                 for s, g, k in p.site_rack_design}
    m.racks = pyo.Var(m.SITE_RACK_DESIGN, domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, s, g, k: (0, max_racks[s, g, k]), doc="racks installed")

    racks_of = {sk: [] for sk in p.site_design}
    for s, g, k in p.site_rack_design:
        racks_of[s, k].append(g)
    designs_of = {s: [] for s in p.sites}
    for s, k in p.site_design:
        designs_of[s].append(k)

    def it_mw(m, s, k):
        return sum(kw[g] / 1000.0 * m.racks[s, g, k] for g in racks_of[s, k])
    m.it_mw_sk = pyo.Expression(m.SITE_DESIGN, rule=it_mw, doc="IT MW (nameplate) by site and design")

    # Disaggregated (per design) capacity link: racks need the design, and fit under max_it_mw.
    m.it_max = pyo.Constraint(
        m.SITE_DESIGN,
        rule=lambda m, s, k: flat_difference(m.it_mw_sk[s, k], max_it[s] * m.design[s, k]) <= 0
        if racks_of[s, k] else pyo.Constraint.Skip,
        doc="IT MW <= site max, only with the chosen design")
    site_min = sites["min_it_mw"].to_dict()
    min_mw = {s: float(max(site_min[s], sc.limits.min_it_mw_per_site)) for s in p.sites}
    m.it_min = pyo.Constraint(
        [s for s in p.sites if min_mw[s] > 0],
        rule=lambda m, s: flat_difference(min_mw[s] * m.open[s], [m.it_mw_sk[s, k] for k in designs_of[s]]) <= 0,
        doc="an open site hosts at least its minimum IT MW")

    racks_at = {s: [] for s in p.sites}
    for s, g, k in p.site_rack_design:
        racks_at[s].append((g, k))
    m.nonempty = pyo.Constraint(
        [s for s in p.sites if racks_at[s]],
        rule=lambda m, s: flat_difference(m.open[s], [m.racks[s, g, k] for g, k in racks_at[s]]) <= 0,
        doc="an open site hosts at least one rack (no empty sites in a plan)")

    # racks retire after their lifetime; the shell (facility and cooling plant, per MW of IT of a
    # design) is built for the IT it hosts and kept
    srd = p.site_rack_design
    declare_asset(m, Asset("racks", {sgk: m.racks[sgk] for sgk in srd}, "integer", [
        CostPart("it_equipment", {(s, g, k): cat.rack_types[g].capex_usd_per_rack for s, g, k in srd},
                 {(s, g, k): cat.rack_types[g].lifetime_yr for s, g, k in srd})],
        retire_yr={(s, g, k): cat.rack_types[g].lifetime_yr for s, g, k in srd}))
    sd = p.site_design
    declare_asset(m, Asset("shell", {sk: m.it_mw_sk[sk] for sk in sd}, "continuous", [
        CostPart("facility", dict.fromkeys(sd, cat.facility.capex_usd_per_mw_it), dict.fromkeys(sd, cat.facility.lifetime_yr)),
        CostPart("cooling", {(s, k): cat.cooling_designs[k].capex_usd_per_mw_it for s, k in sd},
                 {(s, k): cat.cooling_designs[k].lifetime_yr for s, k in sd})],
        retire_yr={(s, k): min(cat.facility.lifetime_yr, cat.cooling_designs[k].lifetime_yr) for s, k in sd}))
