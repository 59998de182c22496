"""Invariants of a build-out plan across its periods (each period's plan is also checked on its own
by :func:`siteplan.results.invariants.check_plan`).

- sites stay open and keep their cooling design;
- nothing is used before it is bought or after it retires: racks in service <= racks bought in the
  period or before and within their lifetime; generator and battery units <= owned + rented;
- rack types are installed only from their first year, and interconnects only once energised (lead
  time <= the period's years since the study start);
- the rack, rental and objective costs are recomputed from the timeline: each rack vintage pays its
  own period's price in every period it serves, rent is units x rate, and the objective is the
  discount-weighted mean of the periods' costs.
"""

from __future__ import annotations

import numpy as np

from siteplan.config import crf
from siteplan.config.zones import by_zone

__all__ = ["check_buildout"]


def _value(u) -> float:
    """The value of a variable or linear expression in a solved model."""
    from siteplan.model.linear import linear_value

    return float(linear_value(u))


def check_buildout(m, preps: list, plans: dict, ds, result, tol: float = 1e-6) -> list[str]:
    """Return the broken invariants of a build-out plan (empty = consistent)."""
    years = [int(y) for y in ds["period"].values]
    S = list(ds["site"].values)
    last = preps[-1]
    cat = last.catalog
    bad = _sites_stay(ds, plans, years, S)
    bad += _whole_vintages(m, preps)
    bad += _assets_in_service(m, preps)
    bad += _racks_in_service(ds, cat, years, S)
    bad += _units_in_use(ds, plans, last, years, S)
    bad += _lead_times(preps, plans, last)
    bad += _rack_and_rent_costs(ds, preps, plans, years, tol)
    bad += _vintage_costs(m, preps, plans, years, tol)
    w = ds["discount_weight"].values
    mean = float((ds["cost_usd_per_yr"].sum("cost_category").values * w).sum() / w.sum())
    if abs(mean - result.objective) > tol * max(1.0, abs(result.objective)):
        bad.append(f"the discount-weighted mean of the periods' costs {mean:.6g} != objective {result.objective:.6g}")
    return bad


def _sites_stay(ds, plans: dict, years: list, S: list) -> list[str]:
    """Sites stay open once opened and keep their cooling design."""
    bad = []
    open_ = ds["open"].values
    for i, j in zip(*np.nonzero(open_[:, 1:] < open_[:, :-1])):
        bad.append(f"site {S[i]} closes in {years[j + 1]} after opening")
    for i, s in enumerate(S):
        designs = {str(plans[y].ds["design"].sel(site=s).item()) for y in years
                   if int(plans[y].ds["open"].sel(site=s).item())}
        if len(designs) > 1:
            bad.append(f"site {s} changes its cooling design: {sorted(designs)}")
    return bad


def _whole_vintages(m, preps: list) -> list[str]:
    """Vintages of whole things (sites, racks, units, connections) are whole, though the model's
    vintage columns are continuous (siteplan.model.periods: integral at a vertex)."""
    from siteplan.model.registry import registry

    bad = []
    whole = sorted({a.name for p in preps for a in registry(m.period[p.period.year]).assets
                    if a.domain != "continuous"})
    for name in [f"{kind}_{a}" for a in whole for kind in ("build", "rent")]:
        comp = m.component(name)
        for k, v in (comp.items() if comp is not None else ()):
            if v.value is not None and abs(v.value - round(v.value)) > 1e-5:
                bad.append(f"{name}[{k}] = {v.value:g} is not a whole number")
                break
    return bad


def _assets_in_service(m, preps: list) -> list[str]:
    """Every asset (sites, racks, the shell, connections, upgrades, units, batteries, laterals): in use
    <= vintages bought then or before and not retired, + rented."""
    from siteplan.model.periods import _key, in_service
    from siteplan.model.registry import registry

    bad = []
    for name in sorted({a.name for p in preps for a in registry(m.period[p.period.year]).assets}):
        build, rent = m.component(f"build_{name}"), m.component(f"rent_{name}")
        bought_at = {}
        for p in preps:
            for a in registry(m.period[p.period.year]).assets:
                if a.name == name:
                    bought_at[p.period.year] = a
        for y, a in bought_at.items():
            for i, u in a.usage.items():
                used = _value(u)
                alive = sum(build[_key(i, q)].value or 0.0 for q, aq in bought_at.items() if i in aq.usage
                            and in_service(q, y, aq.retire_yr.get(i) if aq.retire_yr is not None else None))
                rented = (rent[_key(i, y)].value or 0.0) if rent is not None and _key(i, y) in rent else 0.0
                if used > alive + rented + 1e-6 * max(1.0, abs(used)):
                    bad.append(f"{y}: {name}[{i}] in use {used:g} > {alive:g} in service + {rented:g} rented")
    return bad


def _racks_in_service(ds, cat, years: list, S: list) -> list[str]:
    """Racks in service <= bought within their lifetime; rack types bought only from their first year."""
    from siteplan.model.periods import in_service

    bad = []
    G = list(ds["rack_type"].values)
    bought = ds["racks_bought"].values
    used = ds["racks"].values
    for a, g in enumerate(G):
        life = cat.rack_types[g].lifetime_yr
        first = cat.rack_types[g].first_year
        for j, y in enumerate(years):
            alive = sum(bought[:, a, q] for q, yq in enumerate(years) if in_service(yq, y, life))
            for i in np.nonzero(used[:, a, j] > alive + 1e-6)[0]:
                bad.append(f"site {S[i]} {y}: {used[i, a, j]:g} {g} racks in service, {alive[i]:g} bought and not retired")
            if first is not None and y < first and (bought[:, a, j] > 0).any():
                bad.append(f"{g} bought in {y}, before its first year {first}")
    return bad


def _units_in_use(ds, plans: dict, last, years: list, S: list) -> list[str]:
    """On-site units: in use <= owned + rented; rented only where rentable."""
    bad = []
    cat = last.catalog
    for kind, units_name in (("generator", "onsite_units"), ("battery", "battery_units")):
        if not ds.sizes.get(kind, 0):
            continue
        owned = ds[f"{units_name}_owned"].values
        rented = ds[f"{units_name}_rented"].values
        K = list(ds[kind].values)
        for j, y in enumerate(years):
            pd_ = plans[y].ds
            if not pd_.sizes.get(kind, 0):
                continue
            u = pd_[units_name].transpose("site", kind)
            for b, g in enumerate(u[kind].values):
                a = K.index(str(g))
                over = u.values[:, b] > owned[:, a, j] + rented[:, a, j] + 1e-6
                for i in np.nonzero(over)[0]:
                    bad.append(f"site {S[i]} {y}: {u.values[i, b]:g} {g} units in use, {owned[i, a, j]:g} owned + "
                               f"{rented[i, a, j]:g} rented")
            for a, g in enumerate(K):
                if (rented[:, a, j] > 0).any() and (cat.onsite[g].rental_usd_per_kw_month is None
                                                     or not last.scenario.bridging.rent):
                    bad.append(f"{g} rented in {y} but it is not rentable in this study")
    return bad


def _lead_times(preps: list, plans: dict, last) -> list[str]:
    """Interconnects energised only after their lead time: the class's, or the substation's or zone's
    wait when longer (network upgrades included in the wait, added to the class's lead otherwise)."""
    from siteplan.prepare import substation_lead_times

    bad = []
    cat = last.catalog
    wait = substation_lead_times(last.scenario, last.dataset.substations)
    for p in preps:
        y = p.period.year
        pd_ = plans[y].ds
        if "option_built" not in pd_ or not pd_.sizes.get("option", 0):
            continue
        for o, v, up in zip(pd_["option"].values, pd_["option_built"].values, pd_["option_upgrade_mw"].values):
            if not v:
                continue
            site_id, sub_id, cls = str(o).split("|")
            c = cat.interconnect_classes[cls]
            lead = c.lead_time_yr + (c.upgrade_lead_time_yr if up > 1e-6 else 0.0)
            site_zone = last.dataset.sites.at[site_id, "zone"]
            w = float(np.nanmax([wait.get(sub_id, np.nan),
                                 by_zone(last.scenario.interconnect.lead_time_yr_by_zone, site_zone), -np.inf]))
            lead = max(lead, w)
            if lead > p.period.horizon_yr + 1e-9:
                bad.append(f"{y}: option {o} energised{' with upgrades' if up > 1e-6 else ''} {lead:g} yr after the "
                           f"start at the earliest, the period starts {p.period.horizon_yr:g} yr after it")
    return bad


def _rack_and_rent_costs(ds, preps: list, plans: dict, years: list, tol: float) -> list[str]:
    """The IT equipment and rent costs of each period, recomputed from the timeline: each rack vintage at
    its own period's price, rent as units x rate."""
    from siteplan.model.periods import in_service

    bad = []
    cat = preps[-1].catalog
    r = cat.economics.discount_rate
    G = list(ds["rack_type"].values)
    bought = ds["racks_bought"].values
    for j, y in enumerate(years):
        costs = dict(zip(plans[y].ds["cost_category"].values, plans[y].ds["cost_usd_per_yr"].values.astype(float)))
        it = 0.0
        for a, g in enumerate(G):
            rt = cat.rack_types[g]
            for q, yq in enumerate(years):
                if in_service(yq, y, rt.lifetime_yr):
                    # the price of the period the vintage was bought in (its catalog's capex_by_year)
                    price = preps[q].catalog.rack_types[g].capex_usd_per_rack
                    it += float(bought[:, a, q].sum()) * price * crf(r, rt.lifetime_yr)
        if abs(it - costs.get("it_equipment", 0.0)) > tol * max(1.0, it):
            bad.append(f"{y}: IT equipment cost {costs.get('it_equipment', 0.0):.6g} != rack vintages x their "
                       f"prices {it:.6g}")
        rent = 0.0
        for kind, units_name in (("generator", "onsite_units"), ("battery", "battery_units")):
            if ds.sizes.get(kind, 0):
                for a, g in enumerate(ds[kind].values):
                    rate = cat.onsite[str(g)].rental_usd_per_kw_month
                    if rate is not None:
                        rent += float(ds[f"{units_name}_rented"].values[:, a, j].sum()) * 12.0 * 1000.0 \
                            * cat.onsite[str(g)].unit_mw * rate
        if abs(rent - costs.get("onsite_rent", 0.0)) > tol * max(1.0, rent):
            bad.append(f"{y}: rent {costs.get('onsite_rent', 0.0):.6g} != units rented x rate {rent:.6g}")
    return bad


def _vintage_costs(m, preps: list, plans: dict, years: list, tol: float) -> list[str]:
    """Capital costs by category: the vintages in service and the rentals, recomputed from the values."""
    from siteplan.model.periods import vintage_costs
    from siteplan.model.registry import registry

    bad = []
    last = preps[-1]
    for y in years:
        costs = dict(zip(plans[y].ds["cost_category"].values, plans[y].ds["cost_usd_per_yr"].values.astype(float)))
        expected: dict[str, float] = {c: 0.0 for p in preps for a in registry(m.period[p.period.year]).assets
                                      for c in [pt.category for pt in a.parts]
                                      + ([a.fixed_category] if a.fixed_usd_per_unit_yr else [])
                                      + ([a.rent_category] if a.rent_usd_per_unit_yr and last.scenario.bridging.rent else [])}
        for _, _, category, usd in vintage_costs(m, preps, y):
            expected[category] = expected.get(category, 0.0) + usd
        for category, usd in sorted(expected.items()):
            if abs(usd - costs.get(category, 0.0)) > tol * max(1.0, abs(usd)):
                bad.append(f"{y}: {category} cost {costs.get(category, 0.0):.6g} != its vintages in service {usd:.6g}")
    return bad
