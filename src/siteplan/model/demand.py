"""Serving demand: compute from sites to regions within RTT limits, unmet demand with a penalty."""

from __future__ import annotations

import pandas as pd
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
    serve, unmet = members(m.serve), members(m.unmet)
    served_in = {k: [] for k in rw}  # the serve variables of each (region, workload) and of each site, in pair order
    served_at = {s: [] for s in p.sites}
    for k in p.serve_pairs:
        v = serve[k]
        served_in[k[1], k[2]].append(v)
        served_at[k[0]].append(v)
    m.meet_demand = pyo.Constraint(  # sum(serve) + unmet == demand, built flat
        m.DEMAND, rule=lambda m, r, w: LinearExpression([*served_in[r, w], unmet[r, w]])
        == demand[r, w], doc="served + unmet = demand (H100e)")
    h100e = {g: cat.rack_types[g].gpus_per_rack * cat.rack_types[g].h100e_per_gpu for g in p.rack_types}
    racks_at = {s: [] for s in p.sites}
    for s, g, k in p.site_rack_design:
        racks_at[s].append((g, k))

    def cap_rule(m, s):
        if not served_at[s]:
            return pyo.Constraint.Skip
        return flat_difference(served_at[s],
                               [h100e[g] * m.racks[s, g, k] for g, k in racks_at[s]]) <= 0
    m.serve_cap = pyo.Constraint(m.SITES, rule=cap_rule, doc="served compute <= installed compute (H100e)")

    define_serve_links(m, p, demand)
    m._siteplan_start_kernel = [m.open[s] for s in start_kernel(p, rw)]
    penalty = p.scenario.unmet_penalty_usd_per_gpu_yr
    if penalty > 0:
        reg.cost["unmet_penalty"].append(linear_sum((penalty, m.unmet[k]) for k in rw))
    if p.scenario.objective == "max_profit":
        # revenue as a negative cost: served H100e x hours of the year (the slices' hours) x price
        usd_per_h100e_yr = p.scenario.gpu_hour_price_usd * sum(p.hours.values())
        reg.cost["revenue"].append(linear_sum((-usd_per_h100e_yr, serve[k]) for k in p.serve_pairs))
    if len(p.serving_cost):
        reg.cost["serving"].append(linear_sum(_serving_cost_terms(p, serve)))


def _serving_cost_terms(p, serve: dict) -> list:
    """``(USD per H100e-yr, serve[s, r, w])`` of every serve pair with a serving cost, in pair order.

    The pairs' costs are looked up at once (one index lookup for 100,000 pairs instead of a dict
    lookup and a tuple per pair); pairs the serving-cost table does not list cost nothing.
    """
    pairs = p.serve_pairs
    if not pairs:
        return []
    sc = p.serving_cost
    pos = sc.index.get_indexer(pd.MultiIndex.from_arrays([[k[0] for k in pairs], [k[1] for k in pairs]]))
    coef = sc.to_numpy(dtype=float)[pos].tolist()
    return [(c, serve[k]) for c, k, i in zip(coef, pairs, pos.tolist()) if i >= 0]


# serve_linking "auto": the links as rows up to this many pairs, else root cuts. Measured (issue 21,
# facility location 100 sites x 1,000 regions = 100,000 pairs, with the idle_compute row): rows
# proved the uncapacitated optimum in 4.6 s of HiGHS, the root cut loop + MIP took 23 s (before the
# idle row: rows 63-69 s, cuts 3.4 % gap at 300 s); on tight capacities rows, cuts and no links all
# took 170-184 s (this file's section in docs/performance.md). Above it (the 2,000-site national
# study) the rows' memory and LP time are not measured to pay.
AUTO_ROWS_MAX = 150_000


def define_idle_limit(m, p) -> None:
    """At most one rack's worth of idle compute per site: installed H100e - served H100e <= the
    largest rack type's H100e (``idle_compute``; single-period models only, see build_model), at
    sites whose rack limit can hold all the demand they can reach (capacity that cannot bind) and
    whose racks cost nothing of their own (no rack, facility or cooling capex).

    A dominance row, not a valid inequality: it cuts off plans with a whole idle rack, never all
    optimal plans. Removing a rack from such a plan keeps every row of siteplan's own model
    feasible (served compute still fits, an open site keeps a rack, less facility power needs less
    supply, peak and water use fall) and costs no more (every rack, shell, power and water cost is
    non-negative), so an optimum without a whole idle rack always exists. Sites with a minimum IT
    size (``it_min``) are left out: idle racks may be needed there. Build-outs leave it out too
    (racks bought in one period stay installed in the next). It matters where racks cost nothing
    at the margin (facility-location benchmarks, issue 21): without it, installed compute floats
    freely between what is served and the site's limit, the LP relaxation is dual degenerate and
    HiGHS's dual simplex spends most of its time on the dense per-site capacity rows (100 x 1,000
    uncapacitated: 26 s against 4.6 s with the row, the textbook model 4.5 s). Where capacity can
    bind it is left out: there it kept the racks integer through HiGHS presolve and made the tree
    larger (50 x 300 tight: 93 s and 573 nodes against 31 s and 62 nodes; loose: 78 s against 51 s),
    and where racks have a cost of their own that cost already holds them to what is served, so
    studies with priced racks (every bundled one) do not get it. An extension that values racks
    beyond the compute they serve should deactivate it.
    """
    cat = p.catalog
    h100e = {g: cat.rack_types[g].gpus_per_rack * cat.rack_types[g].h100e_per_gpu for g in p.rack_types}
    site_min = p.dataset.sites["min_it_mw"].to_dict()
    floor_mw = p.scenario.limits.min_it_mw_per_site
    racks_at = {s: [] for s in p.sites}
    for s, g, k in p.site_rack_design:
        racks_at[s].append((g, k))
    # racks with a cost of their own (rack, facility or cooling capex) are held to what is served by
    # that cost already: the row would only change HiGHS's presolve and search there
    free = {s: all(cat.rack_types[g].capex_usd_per_rack == 0 and cat.cooling_designs[k].capex_usd_per_mw_it == 0
                   for g, k in racks_at[s]) and cat.facility.capex_usd_per_mw_it == 0 for s in p.sites}
    sites = [s for s in p.sites if racks_at[s] and free[s] and max(float(site_min[s]), floor_mw) <= 0]
    served: dict = {s: [] for s in sites}  # the serve pairs are read only where a row may be built
    if sites:
        table = p.demand_gpus.to_dict(orient="index")
        reach = dict.fromkeys(sites, 0.0)  # the demand a site can reach (H100e)
        serve = members(m.serve)
        for k in p.serve_pairs:
            if k[0] in served:
                served[k[0]].append(serve[k])
                reach[k[0]] += float(table[k[1]][k[2]])
        room = {s: max((h100e[g] * (m.racks[s, g, k].ub or 0) for g, k in racks_at[s]), default=0.0) for s in sites}
        sites = [s for s in sites if reach[s] <= room[s]]
    m.idle_compute = pyo.Constraint(
        sites, rule=lambda m, s: flat_difference([scaled(h100e[g], m.racks[s, g, k]) for g, k in racks_at[s]],
                                                 served[s]) <= max(h100e[g] for g, _ in racks_at[s]),
        doc="installed - served compute <= one rack (H100e): no whole idle rack (a dominance row; "
            "deactivate it if an extension values idle racks)")


# Sites nearest each demand (region, workload), by round-trip time, in the first kernel of a model whose
# LP relaxation is too big to solve whole (siteplan.solve.kernel_lp). On the national build-out's last period
# (2,000 sites, 100 regions) 4 per region gave 347 sites and the whole LP's optimum within 0.01 %
# (6,380.9 against 6,380.3 M USD/yr). Built for every model (0.2 s at 205,661 serving pairs) and used
# only when the whole LP cannot finish in its budget.
START_KERNEL_PER_DEMAND = 4


def start_kernel(p, rw: list) -> list:
    """The sites nearest each demand ``(region, workload)`` in ``rw`` that can serve it, at most
    ``START_KERNEL_PER_DEMAND`` each, in the study's site order."""
    if not p.serve_pairs:
        return []
    rtt = p.rtt_ms
    site_at = {s: i for i, s in enumerate(rtt.index)}
    region_at = {r: j for j, r in enumerate(rtt.columns)}
    ms = rtt.to_numpy(dtype=float)[[site_at[s] for s, _, _ in p.serve_pairs],
                                   [region_at[r] for _, r, _ in p.serve_pairs]]
    near = {k: [] for k in rw}
    for (s, r, w), t in zip(p.serve_pairs, ms.tolist()):
        if (r, w) in near:
            near[r, w].append((t, s))
    chosen = set()
    for pairs in near.values():
        chosen.update(s for _, s in sorted(pairs)[:START_KERNEL_PER_DEMAND])
    return [s for s in p.sites if s in chosen]


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
