"""Firm capacity: each site's peak facility MW is covered by contracted grid MW plus firm on-site MW.

Capacity is sized on nameplate, energy on utilisation: the peak is nameplate IT x the scenario's
``firm_power.peak_it_share`` x the PUE at the site's design-peak conditions (the worst PUE of its
design over the study's slices), whatever the average draw. With ``redundancy: n_plus_1`` the on-site
generators counted as firm supply cover the peak they carry without their largest unit:

    sum_i contract_mw[i] + sum_g unit_mw[g] x units[s,g] - reserve_mw[s] >= peak_mw[s]
    reserve_mw[s] >= unit_mw[g] x has_gen[s,g]     for every generator type g

Batteries are not firm capacity: a data centre's peak lasts for hours, longer than a battery's energy
can be relied on, and their state of charge at the peak is not known in advance.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.linear import flat_difference, members, scaled, upper_bound_row


def peak_coefficients(p) -> dict:
    """``{(site, rack type, design): peak MW per rack}`` = rack kW / 1000 x peak IT share x design-peak PUE."""
    share = p.scenario.firm_power.peak_it_share
    pue = p.pue_peak
    s_idx = {s: i for i, s in enumerate(pue["site"].values)}
    k_idx = {k: i for i, k in enumerate(pue["cooling"].values)}
    vals = pue.values
    return {(s, g, k): p.catalog.rack_types[g].rack_kw / 1000.0 * share * float(vals[s_idx[s], k_idx[k]])
            for s, g, k in p.site_rack_design}


def define_firm_capacity(m, p) -> None:
    """``peak_mw[s]`` expression and the row ``firm_cover[s]`` (with ``reserve_mw`` under N+1)."""
    coef = peak_coefficients(p)
    racks_at = {s: [] for s in p.sites}
    for s, g, k in p.site_rack_design:
        racks_at[s].append((coef[s, g, k], m.racks[s, g, k]))
    hosting = [s for s in p.sites if racks_at[s]]
    m.peak_mw = pyo.Expression(hosting, rule=lambda m, s: sum(c * v for c, v in racks_at[s]),
                               doc="peak facility MW: nameplate IT x peak share x design-peak PUE")
    gens = p.generators
    cat = p.catalog
    unit = {g: cat.onsite[g].unit_mw for g in gens}
    n_plus_1 = bool(gens) and p.scenario.firm_power.redundancy == "n_plus_1"
    if n_plus_1:
        largest = max(unit.values())
        m.reserve_mw = pyo.Var(hosting, domain=pyo.NonNegativeReals, bounds=(0, largest),
                               doc="on-site MW held in reserve: the largest unit installed (N+1)")
        reserve, has = members(m.reserve_mw), members(m.has_gen)
        m.reserve_largest = pyo.Constraint(
            hosting, gens, rule=lambda m, s, g: upper_bound_row(scaled(unit[g], has[s, g]), reserve[s]),
            doc="the reserve is at least the largest unit type the site has")
    units = members(m.units) if gens else {}

    def rule(m, s):
        demand = [scaled(c, v) for c, v in racks_at[s]]
        if n_plus_1:
            demand.append(m.reserve_mw[s])
        supply = list(m._contracts_of_site.get(s, [])) + [scaled(unit[g], units[s, g]) for g in gens]
        return flat_difference(demand, supply) <= 0
    m.firm_cover = pyo.Constraint(hosting, rule=rule,
                                  doc="peak facility MW covered by contracted grid MW + firm on-site MW")
