"""Facility power per site and slice (IT x utilisation x PUE) and the site power balance."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.model.linear import flat_difference, linear_sum
from siteplan.model.registry import registry


def define_facility_power(m, p) -> None:
    """``facility_mw[s,t]`` = sum_k IT MW[s,k] x utilisation x PUE[s,k,t] (PUE is a parameter)."""
    m.SLICES = pyo.Set(initialize=p.slices, ordered=True, doc="representative time slices")
    u = p.scenario.it_utilisation
    pue = p.pue.transpose("site", "cooling", "slice")
    s_idx = {s: i for i, s in enumerate(pue["site"].values)}
    k_idx = {k: i for i, k in enumerate(pue["cooling"].values)}
    vals = pue.values
    designs_of = {s: [] for s in p.sites}
    for s, k in p.site_design:
        designs_of[s].append(k)
    racks_of = {sk: [] for sk in p.site_design}
    for s, g, k in p.site_rack_design:
        racks_of[s, k].append(g)
    t_idx = {t: i for i, t in enumerate(p.slices)}
    kw = {g: p.catalog.rack_types[g].rack_kw / 1000.0 for g in p.rack_types}
    # Per site, the coefficients u x PUE[s,k,t] x kW[g] of all its rack variables in all slices as
    # one array: the same floating-point products, in the same order, as term by term.
    coef, rack_vars = {}, {}
    for s in p.sites:
        terms = [(k, g) for k in designs_of[s] for g in racks_of[s, k]]
        rack_vars[s] = [m.racks[s, g, k] for k, g in terms]
        kw_col = np.array([kw[g] for _, g in terms]).reshape(-1, 1)
        coef[s] = (u * vals[s_idx[s]][[k_idx[k] for k, _ in terms], :] * kw_col).T.tolist()  # [slice][term]

    # A flat sum over racks (not over the it_mw_sk expressions, which the compiler would walk once
    # per slice), built directly as the LinearExpression Pyomo's arithmetic would give.
    def rule(m, s, t):
        return linear_sum(zip(coef[s][t_idx[t]], rack_vars[s]))
    m.facility_mw = pyo.Expression(m.SITES, m.SLICES, rule=rule, doc="facility power drawn (MW)")


def define_power_balance(m, p) -> None:
    """Power delivered to each site (grid, on-site units, battery) equals its facility power."""
    reg = registry(m)
    terms = reg.power_in

    def rule(m, s, t):
        supply = terms.get((s, t), [])
        if not supply:
            # No power source at all: the site can host nothing (facility power must be 0).
            return m.facility_mw[s, t] <= 0
        return flat_difference(supply, m.facility_mw[s, t]) == 0
    m.power_balance = pyo.Constraint(m.SITES, m.SLICES, rule=rule, doc="site power balance per slice (MW)")
