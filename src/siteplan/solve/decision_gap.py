"""The decision gap: the optimality gap on the part of the cost that plans can differ in.

Most of a siteplan objective is the IT equipment, facility and cooling that every plan meeting the
demand must buy, whatever it decides about sites and power. A 1 % gap on the total is then 15–20 %
of the costs that differ between plans, enough to leave "grid or gas" and "one campus or five" to
chance. This module computes, before the MIP, a lower bound ``U`` on that unavoidable part, and the
**decision gap** = (objective − best bound) / (objective − U): the gap on the avoidable cost.

``U`` = sum over regions and workloads of demand × min(cheapest IT + facility + cooling capex per
H100e at a site that can serve it, unmet penalty): every H100e of demand is either served by
installed compute, which costs at least that, or pays the penalty. It holds for every plan of the
study, so it is a valid bound for any model built from it (single- or multi-period alike: it reads
only the prepared study). Under ``objective: max_profit`` there is no unavoidable cost (NaN).
"""

from __future__ import annotations

import math

import numpy as np

from siteplan.config import crf

__all__ = ["unavoidable_cost", "decision_gap"]


def unavoidable_cost(p, m=None) -> float:
    """A lower bound on the annual cost every plan of the prepared study ``p`` must pay (USD/yr).

    Parameters
    ----------
    p : siteplan.prepare.Prepared
    m : pyomo.environ.ConcreteModel, optional
        The model to be solved: a user cost category (``siteplan.add_cost``) may be negative, and
        then no bound is claimed.

    Returns
    -------
    float
        USD/yr; NaN under ``objective: max_profit``, with a negative energy price (other categories
        could then be negative), or with user cost categories.
    """
    from siteplan.model.objective import COST_CATEGORIES

    sc, cat = p.scenario, p.catalog
    if sc.objective != "min_cost":
        return math.nan
    if len(p.price) and float(np.nanmin(p.price.to_numpy(dtype=float))) < 0:
        return math.nan
    if m is not None and hasattr(m, "COST_CATEGORIES") and set(m.COST_CATEGORIES) - set(COST_CATEGORIES):
        return math.nan
    r = cat.economics.discount_rate
    fac = cat.facility.capex_usd_per_mw_it * crf(r, cat.facility.lifetime_yr)
    per_site = {}
    for s, g, k in p.site_rack_design:
        rt, cd = cat.rack_types[g], cat.cooling_designs[k]
        usd = (rt.capex_usd_per_rack * crf(r, rt.lifetime_yr)
               + rt.rack_kw / 1000.0 * (fac + cd.capex_usd_per_mw_it * crf(r, cd.lifetime_yr)))
        per_h100e = usd / (rt.gpus_per_rack * rt.h100e_per_gpu)
        per_site[s] = min(per_site.get(s, math.inf), per_h100e)
    best = {}
    for s, reg, w in p.serve_pairs:
        best[reg, w] = min(best.get((reg, w), math.inf), per_site.get(s, math.inf))
    pen = float(sc.unmet_penalty_usd_per_gpu_yr)
    total = 0.0
    for reg in p.regions:
        for w in p.workloads:
            d = float(p.demand_gpus.at[reg, w])
            if d > 0 and np.isfinite(d):
                total += d * min(best.get((reg, w), math.inf), pen)
    return total


def decision_gap(objective: float, bound: float, unavoidable: float) -> float:
    """(objective − bound) / (objective − unavoidable); 0 when the plan is proven optimal, NaN
    when the avoidable cost is not positive or not known."""
    if not (np.isfinite(objective) and np.isfinite(bound) and np.isfinite(unavoidable)):
        return math.nan
    avoidable = objective - unavoidable
    if avoidable <= 0:
        return 0.0 if objective - bound <= 1e-9 * max(1.0, abs(objective)) else math.nan
    return max(0.0, objective - bound) / avoidable
