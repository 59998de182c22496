"""Grid interconnect choice per site, imports within capacity, substation headroom, energy cost."""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.config import crf
from siteplan.model.registry import registry


def define_interconnect(m, p) -> None:
    """``connect[i]`` binaries (at most one per open site), ``grid_import_mw[i,t]`` within capacity."""
    opt = p.options
    reg = registry(m)
    m.OPTIONS = pyo.Set(initialize=list(opt.index), ordered=True, doc="interconnect options site|substation|tier")
    if len(opt) == 0:
        return
    cap = opt["capacity_mw"].to_dict()
    site_of = opt["site_id"].to_dict()
    sub_of = opt["substation_id"].to_dict()
    m.connect = pyo.Var(m.OPTIONS, domain=pyo.Binary, doc="interconnect option built")
    m.grid_import_mw = pyo.Var(m.OPTIONS, m.SLICES, domain=pyo.NonNegativeReals,
                               bounds=lambda m, i, t: (0, cap[i]), doc="grid import through option (MW)")
    options_of = {}
    for i in opt.index:
        options_of.setdefault(site_of[i], []).append(i)
    m.one_interconnect = pyo.Constraint(
        sorted(options_of), rule=lambda m, s: sum(m.connect[i] for i in options_of[s]) <= m.open[s],
        doc="at most one interconnect per site, only if open")
    m.import_cap = pyo.Constraint(
        m.OPTIONS, m.SLICES, rule=lambda m, i, t: m.grid_import_mw[i, t] <= cap[i] * m.connect[i],
        doc="import only through a built interconnect, within its capacity")

    at_sub = {}
    for i in opt.index:
        at_sub.setdefault(sub_of[i], []).append(i)
    headroom = p.dataset.substations["headroom_mw"]
    # Sites choose at most one option each, so the headroom only binds where the largest option
    # of every site landing here could together exceed it.
    binding = []
    for b, opts in sorted(at_sub.items()):
        per_site = {}
        for i in opts:
            per_site[site_of[i]] = max(per_site.get(site_of[i], 0.0), cap[i])
        if sum(per_site.values()) > headroom[b] + 1e-9:
            binding.append(b)
    m.headroom = pyo.Constraint(
        binding, rule=lambda m, b: sum(cap[i] * m.connect[i] for i in at_sub[b]) <= headroom[b],
        doc="interconnect capacity landing on a substation within its headroom (MW)")

    for i in opt.index:
        for t in p.slices:
            reg.power_in[site_of[i], t].append(m.grid_import_mw[i, t])
    m._options_at_sub = at_sub

    r = p.catalog.economics.discount_rate
    capex = {i: opt.at[i, "capex_usd"] * crf(r, opt.at[i, "lifetime_yr"]) for i in opt.index}
    reg.cost["interconnect"].append(sum(capex[i] * m.connect[i] for i in opt.index))
    w = p.weight_h
    price, carbon = p.price, p.carbon
    reg.cost["grid_energy"].append(sum(w[t] * price.at[site_of[i], t] * m.grid_import_mw[i, t]
                                       for i in opt.index for t in p.slices))
    reg.emissions_t.append(sum(w[t] * carbon.at[site_of[i], t] * m.grid_import_mw[i, t]
                               for i in opt.index for t in p.slices if carbon.at[site_of[i], t]))
