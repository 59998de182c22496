"""Batteries: integer units with charge, discharge and a state of charge per representative day.

Time slices belong to representative days (``Prepared.slice_day``, ``slice_order``,
``duration_h``; see :func:`siteplan.io.slice_days`). A battery's state of charge runs through the
slices of a day in order and comes back to where it started at the end of the day (cyclic), so
energy moves between the slices of one day (charged at night, discharged by day), never from one
representative day to another (winter to summer), and a one-slice day, such as the zero-hour
design-peak slice of merged studies, can discharge only what it charges in the same slice.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import MonomialTermExpression

from siteplan.model.assets import Asset, CostPart, declare_asset
from siteplan.model.linear import linear_sum, members, scaled, upper_bound_row
from siteplan.model.onsite import max_facility_mw
from siteplan.model.registry import registry


def day_cycles(p) -> dict[str, list[str]]:
    """``{day: [slice, ...]}``: the slices of each representative day in chronological order.

    Days appear in the order of their first slice in ``p.slices``.
    """
    days: dict[str, list[str]] = {}
    for t in p.slices:
        days.setdefault(p.slice_day[t], []).append(t)
    return {d: sorted(ts, key=p.slice_order.__getitem__) for d, ts in days.items()}


def define_batteries(m, p) -> None:
    """Battery units ``battery_units[s,q]`` (only at open sites), ``charge_mw``/``discharge_mw[s,q,t]``
    within the units' MW, and ``battery_soc_mwh[s,q,t]`` (state of charge at the end of slice t)
    within their MWh.

    State of charge, per representative day, cyclically (the slice before a day's first is its last):

        soc[t] = soc[prev(t)] + (sqrt(eff) x charge[t] - discharge[t] / sqrt(eff)) x duration_h[t]

    The round-trip efficiency ``eff`` is split evenly between charging and discharging, so a MWh
    charged gives ``eff`` MWh back out. Over each day, energy out = ``eff`` x energy in, which
    implies the annual energy balance; no separate cycles-per-day cap is kept: with the state of
    charge within ``[0, units x unit_mwh]``, a day of two slices (day/night) discharges at most one
    full capacity, and a finer day may cycle more often, as a real battery can (the catalog has no
    cycle-life limit to enforce). A one-slice day has no state of charge to carry (its row is
    ``sqrt(eff) x charge = discharge / sqrt(eff)``), so no variable is built for it.
    """
    if not p.batteries:
        return
    cat = p.catalog
    reg = registry(m)
    m.BATTERIES = pyo.Set(initialize=p.batteries, ordered=True, doc="battery types")
    unit_mw = {q: cat.onsite[q].unit_mw for q in p.batteries}
    unit_mwh = {q: cat.onsite[q].unit_mwh for q in p.batteries}
    cycles = day_cycles(p)
    nmax = _max_battery_units(p, unit_mw, unit_mwh, cycles)
    units, charge, discharge, soc = _battery_rows(m, p, unit_mw, unit_mwh, cycles, nmax)
    _battery_balance(m, p, cycles, charge, discharge, soc)
    for s in p.sites:
        for t in p.slices:
            for q in p.batteries:  # discharge - charge, as two terms of the balance row
                reg.power_in[s, t] += (discharge[s, q, t], MonomialTermExpression((-1, charge[s, q, t])))
    sq = [(s, q) for s in p.sites for q in p.batteries]
    declare_asset(m, Asset(
        "battery_units", {k: units[k] for k in sq}, "integer",
        [CostPart("onsite_capex", {(s, q): unit_mw[q] * cat.onsite[q].capex_usd_per_mw for s, q in sq},
                  {(s, q): cat.onsite[q].lifetime_yr for s, q in sq})],
        retire_yr={(s, q): cat.onsite[q].lifetime_yr for s, q in sq},
        rent_usd_per_unit_yr={(s, q): 12.0 * 1000.0 * unit_mw[q] * cat.onsite[q].rental_usd_per_kw_month
                              for s, q in sq if cat.onsite[q].rental_usd_per_kw_month is not None}))


def _max_battery_units(p, unit_mw: dict, unit_mwh: dict, cycles: dict) -> dict:
    """Big-M on ``battery_units[s,q]``: the site's largest facility load in MW, and over its longest day in MWh."""
    fmax = max_facility_mw(p)
    longest_day_h = max((sum(p.duration_h[t] for t in ts) for ts in cycles.values()), default=0.0)
    # Big-M: a battery never usefully discharges more than the site's largest facility load (MW), nor
    # stores more than that load over its longest representative day (MWh); more units never pay.
    return {(s, q): math.ceil(max(fmax[s] / unit_mw[q], fmax[s] * longest_day_h / unit_mwh[q]) - 1e-9)
            for s in p.sites for q in p.batteries}


def _battery_rows(m, p, unit_mw: dict, unit_mwh: dict, cycles: dict, nmax: dict) -> tuple[dict, dict, dict, dict]:
    """Units, charge, discharge and state of charge with their limits; returns their members."""
    m.battery_units = pyo.Var(m.SITES, m.BATTERIES, domain=pyo.NonNegativeIntegers,
                              bounds=lambda m, s, q: (0, nmax[s, q]), doc="battery units")
    m.charge_mw = pyo.Var(m.SITES, m.BATTERIES, m.SLICES, domain=pyo.NonNegativeReals, doc="battery charging (MW)")
    m.discharge_mw = pyo.Var(m.SITES, m.BATTERIES, m.SLICES, domain=pyo.NonNegativeReals,
                             doc="battery discharging (MW)")
    chrono = [t for ts in cycles.values() if len(ts) > 1 for t in ts]  # slices with a state of charge to carry
    m.BATTERY_SOC_SLICES = pyo.Set(initialize=chrono, ordered=True,
                                   doc="slices of representative days of more than one slice")
    m.battery_soc_mwh = pyo.Var(m.SITES, m.BATTERIES, m.BATTERY_SOC_SLICES, domain=pyo.NonNegativeReals,
                                bounds=lambda m, s, q, t: (0, nmax[s, q] * unit_mwh[q]),
                                doc="battery state of charge at the end of the slice (MWh)")
    units, open_ = members(m.battery_units), members(m.open)
    charge, discharge, soc = members(m.charge_mw), members(m.discharge_mw), members(m.battery_soc_mwh)
    m.battery_open = pyo.Constraint(m.SITES, m.BATTERIES,
                                    rule=lambda m, s, q: upper_bound_row(units[s, q], scaled(nmax[s, q], open_[s])),
                                    doc="batteries only at open sites")
    bat_mw = {(s, q): scaled(unit_mw[q], units[s, q]) for s in p.sites for q in p.batteries}  # reused per slice
    bat_mwh = {(s, q): scaled(unit_mwh[q], units[s, q]) for s in p.sites for q in p.batteries}
    m.charge_cap = pyo.Constraint(m.SITES, m.BATTERIES, m.SLICES, rule=lambda m, s, q, t:
                                  upper_bound_row(charge[s, q, t], bat_mw[s, q]), doc="charging within units (MW)")
    m.discharge_cap = pyo.Constraint(m.SITES, m.BATTERIES, m.SLICES, rule=lambda m, s, q, t:
                                     upper_bound_row(discharge[s, q, t], bat_mw[s, q]),
                                     doc="discharging within units (MW)")
    m.battery_soc_cap = pyo.Constraint(m.SITES, m.BATTERIES, m.BATTERY_SOC_SLICES, rule=lambda m, s, q, t:
                                       upper_bound_row(soc[s, q, t], bat_mwh[s, q]),
                                       doc="state of charge within units (MWh)")
    return units, charge, discharge, soc


def _battery_balance(m, p, cycles: dict, charge: dict, discharge: dict, soc: dict) -> None:
    """``battery_soc[s,q,t]``: the state of charge, cyclic within each representative day."""
    cat = p.catalog
    prev = {ts[i]: ts[i - 1] for ts in cycles.values() for i in range(len(ts))}  # cyclic: ts[-1] before ts[0]
    root = {q: math.sqrt(cat.onsite[q].round_trip_efficiency) for q in p.batteries}
    gain = {(q, t): root[q] * p.duration_h[t] for q in p.batteries for t in p.slices}  # MWh stored per MW charged
    loss = {(q, t): p.duration_h[t] / root[q] for q in p.batteries for t in p.slices}  # MWh drawn per MW discharged

    def balance(m, s, q, t):
        flows = [(-gain[q, t], charge[s, q, t]), (loss[q, t], discharge[s, q, t])]
        if prev[t] == t:  # a one-slice day: what it charges is what it discharges
            return linear_sum(flows) == 0
        return linear_sum([(1, soc[s, q, t]), (-1, soc[s, q, prev[t]]), *flows]) == 0
    m.battery_soc = pyo.Constraint(m.SITES, m.BATTERIES, m.SLICES, rule=balance,
                                   doc="state of charge, cyclic within each representative day (MWh)")
