"""Serving demand: compute from sites to regions within RTT limits, unmet demand with a penalty."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from siteplan.model.linear import flat_difference, linear_sum, members, scaled, upper_bound_row
from siteplan.model.registry import registry


def define_demand(m, p) -> None:
    """``serve[s,r,w]`` only where RTT <= limit; served + unmet = demand; served <= installed compute."""
    cat = p.catalog
    reg = registry(m)
    m.REGIONS = pyo.Set(initialize=p.regions, ordered=True, doc="demand regions")
    m.WORKLOADS = pyo.Set(initialize=p.workloads, ordered=True, doc="workload classes")
    m.SERVE = pyo.Set(initialize=p.serve_pairs, dimen=3, ordered=True,
                      doc="(site, region, workload) within the RTT limit")
    table = p.demand_gpus.to_dict(orient="index")  # plain floats: no pandas lookup per index
    demand = {(r, w): float(table[r][w]) for r in p.regions for w in p.workloads}
    rw = [(r, w) for r in p.regions for w in p.workloads if demand[r, w] > 0]
    m.DEMAND = pyo.Set(initialize=rw, dimen=2, ordered=True, doc="(region, workload) with demand")
    m.serve = pyo.Var(m.SERVE, domain=pyo.NonNegativeReals, doc="compute served (H100e)")
    m.unmet = pyo.Var(m.DEMAND, domain=pyo.NonNegativeReals,
                      bounds=lambda m, r, w: (0, demand[r, w]), doc="unmet demand (H100e)")
    by_rw = {k: [] for k in rw}
    by_site = {s: [] for s in p.sites}
    for s, r, w in p.serve_pairs:
        by_rw[r, w].append(s)
        by_site[s].append((r, w))
    serve, unmet = members(m.serve), members(m.unmet)
    m.meet_demand = pyo.Constraint(  # sum(serve) + unmet == demand, built flat
        m.DEMAND, rule=lambda m, r, w: LinearExpression([*(serve[s, r, w] for s in by_rw[r, w]), unmet[r, w]])
        == demand[r, w], doc="served + unmet = demand (H100e)")
    h100e = {g: cat.rack_types[g].gpus_per_rack * cat.rack_types[g].h100e_per_gpu for g in p.rack_types}
    racks_at = {s: [] for s in p.sites}
    for s, g, k in p.site_rack_design:
        racks_at[s].append((g, k))

    def cap_rule(m, s):
        if not by_site[s]:
            return pyo.Constraint.Skip
        return flat_difference([serve[s, r, w] for r, w in by_site[s]],
                               [h100e[g] * m.racks[s, g, k] for g, k in racks_at[s]]) <= 0
    m.serve_cap = pyo.Constraint(m.SITES, rule=cap_rule, doc="served compute <= installed compute (H100e)")

    define_serve_links(m, p, demand)
    penalty = p.scenario.unmet_penalty_usd_per_gpu_yr
    if penalty > 0:
        reg.cost["unmet_penalty"].append(linear_sum((penalty, m.unmet[k]) for k in rw))
    if p.scenario.objective == "max_profit":
        # revenue as a negative cost: served H100e x hours of the year (the slices' hours) x price
        usd_per_h100e_yr = p.scenario.gpu_hour_price_usd * sum(p.hours.values())
        reg.cost["revenue"].append(linear_sum((-usd_per_h100e_yr, serve[k]) for k in p.serve_pairs))
    sc_cost = p.serving_cost.to_dict()
    if len(sc_cost):
        reg.cost["serving"].append(linear_sum((float(sc_cost[s, r]), serve[s, r, w])
                                              for s, r, w in p.serve_pairs if (s, r) in sc_cost))


AUTO_ROWS_MAX = 50_000


def define_serve_links(m, p, demand) -> None:
    """Disaggregated linking ``serve[s,r,w] <= demand[r,w] * open[s]``.

    Redundant for integer solutions (a closed site has no racks, hence serves nothing) but it
    tightens the LP relaxation the way x_ij <= y_i does in facility location. With ``cuts`` the
    pairs are registered for the solver's root cut loop instead of being model rows.
    """
    mode = p.scenario.formulation.serve_linking
    if mode == "auto":
        mode = "rows" if len(p.serve_pairs) <= AUTO_ROWS_MAX else "cuts"
    d = {(r, w): demand[r, w] for r, w in m.DEMAND}
    if mode == "rows":
        serve, open_ = members(m.serve), members(m.open)  # plain dicts: many rows, cheap lookups
        m.serve_link = pyo.Constraint(m.SERVE, rule=lambda m, s, r, w: upper_bound_row(serve[s, r, w],
                                                                                    scaled(d[r, w], open_[s])),
                                      doc="serve only from open sites, at most the demand (H100e)")
    elif mode == "cuts":
        m._siteplan_root_cuts = [(m.serve[s, r, w], m.open[s], d[r, w]) for s, r, w in p.serve_pairs]
