"""A solved build-out read from its model: each period's plan and the timeline across them.

:func:`buildout_from_model` reads each period's block of a solved build-out model
(:mod:`siteplan.model.periods`) as a single-period :class:`~siteplan.results.plan.Plan` (so every
single-period output and invariant applies per period), plus a :class:`BuildOut` with the ``period``
dimension (:func:`timeline`): when each site opens, its IT and racks by type, what is bought and
retired, when its grid connection is energised, bridge power owned and rented, and costs per period.
Solving a build-out study is :mod:`siteplan.buildout`.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.export.write import WritesFolder
from siteplan.model.linear import linear_value
from siteplan.solve import SolveResult, Timings

__all__ = ["BuildOut", "buildout_from_model", "timeline", "site_timeline"]


@dataclass
class BuildOut(WritesFolder):
    """A solved build-out study.

    Attributes
    ----------
    result : SolveResult
        The whole study's solve: ``objective`` is the equivalent annual cost (USD/yr): the discounted
        cost of every period over the discounted years (see :mod:`siteplan.model.periods`).
    plans : dict of int to Plan
        Each period's plan (first year -> Plan), as a single-period study's plan; its ``objective``
        is the period's annual cost.
    ds : xarray.Dataset
        The timeline, with a ``period`` dimension (see :func:`timeline`).
    """

    result: SolveResult
    plans: dict
    ds: xr.Dataset
    alternatives: list = field(default_factory=list)

    @property
    def objective(self) -> float:
        return self.result.objective

    @property
    def years(self) -> list[int]:
        return list(self.plans)

    def at(self, year: int):
        """The plan of the period that starts in ``year``."""
        return self.plans[year]

    @property
    def violations(self) -> list[str]:
        out = [v for v in str(self.ds.attrs.get("invariant_violations", "")).split("\n") if v]
        for y, p in self.plans.items():
            out += [f"{y}: {v}" for v in p.violations]
        return out

    @property
    def sites(self) -> pd.DataFrame:
        """One row per site open in any period: when it opens, is energised, and its IT by period."""
        return site_timeline(self.ds)

    def summary(self) -> str:
        from siteplan.results.buildout_text import buildout_summary

        return buildout_summary(self)


def buildout_from_model(m, preps: list, res: SolveResult, prepare_s: float = 0.0, build_s: float = 0.0) -> BuildOut:
    """Read the model's current values as a :class:`BuildOut` (each period's plan, the timeline)
    and check them against the rules; ``res`` is the solve that set them (its duals, if any, are
    the study's: each period reads them in its own USD/yr)."""
    from siteplan.results.invariants import record_invariants
    from siteplan.results.invariants_periods import check_buildout
    from siteplan.model.periods import salvage_usd, vintage_costs
    from siteplan.results.plan import extract_plan

    sc = preps[0].scenario
    share = m._siteplan_period_share
    t3 = time.perf_counter()
    plans = {}
    for p in preps:
        y = p.period.year
        b = m.period[y]
        cost_y = sum(float(linear_value(b.cost[c])) for c in b.COST_CATEGORIES)
        # the period's limits in its own USD/yr: the objective weighs the period by its share
        duals_y = None if res.duals is None else res.duals.scoped(b, 1.0 / share[y], objective=cost_y)
        res_y = replace(res, objective=cost_y, best_bound=math.nan, gap=math.nan, decision_gap=math.nan,
                        unavoidable_usd_per_yr=math.nan, duals=duals_y)
        plan = extract_plan(b, p, res_y)
        plan.result = replace(plan.result, duals=None)  # the values are in plan.ds; the Pyomo rows are not kept
        plan.ds.attrs.update({"period": y, "period_length_yr": p.period.length_yr,
                              "period_weight": p.period.weight})
        _vintage_site_capex(plan, vintage_costs(m, preps, y), p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gathered below and reported once for the study
            record_invariants(plan, p)
        plans[y] = plan
    ds = timeline(m, preps, plans)
    bad = check_buildout(m, preps, plans, ds, res) if res.primal_feasible else []
    ds.attrs["invariant_violations"] = "\n".join(bad)
    ds.attrs["salvage_usd"] = salvage_usd(m, preps)
    t4 = time.perf_counter()
    timings = Timings(prepare_s, build_s, res.timings.handoff_s, res.timings.solve_s, t4 - t3, res.timings.duals_s)
    out = BuildOut(replace(res, timings=timings, duals=None), plans, ds)
    ds.attrs.update({"scenario": sc.name, "objective_usd_per_yr": res.objective, "gap": res.gap,
                     "best_bound_usd_per_yr": res.best_bound,
                     "decision_gap": res.decision_gap, "status": res.termination.value,
                     "unavoidable_usd_per_yr": res.unavoidable_usd_per_yr,
                     "start_year": preps[0].period.year - int(preps[0].period.horizon_yr),
                     "npv_usd": res.objective * sum(p.period.weight for p in preps)})
    every = out.violations
    if every:
        from siteplan.errors import PlanInvariantWarning

        warnings.warn(f"the build-out plan of {sc.name!r} breaks {len(every)} of its invariants: "
                      + "; ".join(every[:5]), PlanInvariantWarning, stacklevel=3)
    return out


def _site_of(name: str, i, options) -> str:
    """The site an asset index belongs to (options are ``site|substation|class``)."""
    if isinstance(i, tuple):
        return str(i[0])
    if name in ("connection", "network_upgrade") and i in options.index:
        return str(options.at[i, "site_id"])
    return str(i)


def _vintage_site_capex(plan, terms: list, p) -> None:
    """A build-out period's per-site capital cost is what its vintages in service and its rentals cost
    then (the single-period reading prices everything in use at today's annuity)."""
    capex = {s: 0.0 for s in plan.ds["site"].values}
    for name, i, _, usd in terms:
        s = _site_of(name, i, p.options)
        if s in capex:
            capex[s] += usd
    v = np.array([capex[s] for s in plan.ds["site"].values])
    plan.ds["site_capex_usd_per_yr"].values[:] = v
    by_site = dict(zip(plan.ds["site"].values, v))
    plan.sites["capex_usd_per_yr"] = plan.sites["site_id"].map(by_site).astype(float)
    plan.sites["cost_usd_per_yr"] = plan.sites["capex_usd_per_yr"] + plan.sites["opex_usd_per_yr"]


def _asset_values(m, preps, name: str) -> dict:
    """(index, year bought) -> amount of vintages of ``name``; and (index, year) -> amount rented."""
    build = m.component(f"build_{name}")
    rent = m.component(f"rent_{name}")
    bought = {k: (v.value or 0.0) for k, v in build.items()} if build is not None else {}
    rented = {k: (v.value or 0.0) for k, v in rent.items()} if rent is not None else {}
    return bought, rented


def timeline(m, preps: list, plans: dict) -> xr.Dataset:
    """The build-out's decisions and costs with a ``period`` dimension.

    Variables: ``open``, ``it_mw``, ``racks`` (site, rack_type), ``racks_bought`` (bought at the
    period's start), ``racks_retired`` (left service at its start), ``interconnect_contracted_mw``,
    ``interconnect_class``, ``grid_energised`` (the site takes grid power in the period),
    ``onsite_units_owned`` and ``onsite_units_rented`` (site, generator), ``battery_units_owned``
    and ``battery_units_rented`` (site, battery), ``grid_mwh_per_yr`` and ``onsite_mwh_per_yr``
    (site), ``demand_h100e``, ``unmet_h100e``, ``cost_usd_per_yr`` (cost_category), and per period
    ``length_yr`` and ``discount_weight``.
    """
    years = [p.period.year for p in preps]
    last = preps[-1]
    S = last.sites
    G = sorted({g for p in preps for g in p.rack_types})
    Pg = sorted({g for p in preps for g in p.generators})
    Pb = sorted({q for p in preps for q in p.batteries})
    cats = _cost_categories(plans, years)
    v = _period_values(plans, years, S, G, cats)
    racks_bought, racks_retired = _rack_vintages(m, preps, years, S, G)
    gen_owned, gen_rented = _owned_rented(m, preps, years, S, "generator_units", Pg)
    bat_owned, bat_rented = _owned_rented(m, preps, years, S, "battery_units", Pb)
    da = _da
    lengths = np.array([p.period.length_yr for p in preps])
    weights = np.array([p.period.weight for p in preps])
    grid_on = (v["contract"] > 1e-6).astype(np.int8)
    data = {
        "open": da(v["open"], ("site", "period"), "1", "site is developed (stays open)"),
        "it_mw": da(v["it_mw"], ("site", "period"), "MW", "nameplate IT in service"),
        "racks": da(v["racks"], ("site", "rack_type", "period"), "racks", "racks in service"),
        "racks_bought": da(racks_bought, ("site", "rack_type", "period"), "racks", "racks bought at the period's start"),
        "racks_retired": da(racks_retired, ("site", "rack_type", "period"), "racks",
                            "racks that reach the end of their lifetime at the period's start"),
        "interconnect_contracted_mw": da(v["contract"], ("site", "period"), "MW", "grid capacity contracted"),
        "interconnect_class": da(v["ic_class"].astype(str), ("site", "period"), "", "voltage class of the connection"),
        "grid_energised": da(grid_on, ("site", "period"), "1", "the site takes grid power in the period"),
        "onsite_units_owned": da(gen_owned, ("site", "generator", "period"), "units", "generator units owned"),
        "onsite_units_rented": da(gen_rented, ("site", "generator", "period"), "units", "generator units rented"),
        "battery_units_owned": da(bat_owned, ("site", "battery", "period"), "units", "battery units owned"),
        "battery_units_rented": da(bat_rented, ("site", "battery", "period"), "units", "battery units leased"),
        "grid_mwh_per_yr": da(v["grid_mwh"], ("site", "period"), "MWh/yr", "grid energy per year"),
        "onsite_mwh_per_yr": da(v["onsite_mwh"], ("site", "period"), "MWh/yr", "on-site generation per year"),
        "demand_h100e": da(v["demand"], ("period",), "H100e", "demand"),
        "unmet_h100e": da(v["unmet"], ("period",), "H100e", "unmet demand"),
        "cost_usd_per_yr": da(v["cost"], ("cost_category", "period"), "USD/yr", "annual cost in the period"),
        "length_yr": da(lengths, ("period",), "yr", "years in the period"),
        "discount_weight": da(weights, ("period",), "yr",
                              "present value of 1 USD a year over the period's years, at the start year"),
    }
    data.update(_limit_values_by_period(plans, years, S))
    names = last.dataset.sites["name"].reindex(S).fillna("").astype(str).values \
        if "name" in last.dataset.sites else np.array([""] * len(S))
    coords = {"site": S, "period": years, "rack_type": G, "generator": Pg, "battery": Pb, "cost_category": cats,
              "site_name": ("site", names)}
    return xr.Dataset(data, coords=coords)


def _da(values, dims, units, desc) -> xr.DataArray:
    """A variable of the timeline with its units and description."""
    return xr.DataArray(values, dims=dims, attrs={"units": units, "description": desc})


def _cost_categories(plans: dict, years: list) -> list[str]:
    """The cost categories of the period plans, in order of first appearance."""
    cats = []
    for y in years:
        for c in plans[y].ds["cost_category"].values:
            if c not in cats:
                cats.append(str(c))
    return cats


def _period_values(plans: dict, years: list, S: list, G: list, cats: list) -> dict:
    """Each period plan's decisions, energy and costs, stacked along the period (by site where per site)."""
    si, gi, yi = {s: i for i, s in enumerate(S)}, {g: i for i, g in enumerate(G)}, {y: i for i, y in enumerate(years)}
    P = len(years)
    v = {"open": np.zeros((len(S), P), dtype=np.int8), "it_mw": np.zeros((len(S), P)),
         "racks": np.zeros((len(S), len(G), P)), "contract": np.zeros((len(S), P)),
         "ic_class": np.full((len(S), P), "", dtype=object), "grid_mwh": np.zeros((len(S), P)),
         "onsite_mwh": np.zeros((len(S), P)), "cost": np.zeros((len(cats), P)), "demand": np.zeros(P),
         "unmet": np.zeros(P)}
    for y in years:
        ds = plans[y].ds
        j = yi[y]
        idx = [si[s] for s in ds["site"].values]
        v["open"][idx, j] = ds["open"].values
        v["it_mw"][idx, j] = ds["it_mw"].values
        r = ds["racks"].sum("cooling").transpose("site", "rack_type")
        for a, g in enumerate(r["rack_type"].values):
            v["racks"][idx, gi[str(g)], j] = r.values[:, a]
        v["contract"][idx, j] = ds["interconnect_contracted_mw"].values
        v["ic_class"][idx, j] = ds["interconnect_class"].values.astype(str)
        w = ds["weight_h"].values
        v["grid_mwh"][idx, j] = ds["grid_import_mw"].values @ w
        if ds.sizes.get("generator", 0):
            v["onsite_mwh"][idx, j] = ds["onsite_mw"].sum("generator").values @ w
        for c, x in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values):
            v["cost"][cats.index(str(c)), j] = x
        v["demand"][j] = float(ds["demand_h100e"].sum())
        v["unmet"][j] = float(ds["unmet_h100e"].sum())
    return v


def _rack_vintages(m, preps: list, years: list, S: list, G: list) -> tuple:
    """Racks bought at each period's start and retired when their lifetime ends, (site, rack_type, period)."""
    from siteplan.model.periods import in_service

    last = preps[-1]
    si, gi, yi = {s: i for i, s in enumerate(S)}, {g: i for i, g in enumerate(G)}, {y: i for i, y in enumerate(years)}
    bought_r, _ = _asset_values(m, preps, "racks")
    racks_bought = np.zeros((len(S), len(G), len(years)))
    racks_retired = np.zeros((len(S), len(G), len(years)))
    for (s, g, k, q), v in bought_r.items():
        if v <= 0.5:
            continue
        racks_bought[si[s], gi[g], yi[q]] += round(v)
        life = last.catalog.rack_types[g].lifetime_yr
        for y in years:
            prev = years[yi[y] - 1] if yi[y] else None
            if prev is not None and in_service(q, prev, life) and not in_service(q, y, life):
                racks_retired[si[s], gi[g], yi[y]] += round(v)
    return racks_bought, racks_retired


def _owned_rented(m, preps: list, years: list, S: list, name: str, kinds: list) -> tuple:
    """Units of an on-site asset owned (bought and in service) and rented, (site, kind, period)."""
    from siteplan.model.periods import in_service

    last = preps[-1]
    si, yi = {s: i for i, s in enumerate(S)}, {y: i for i, y in enumerate(years)}
    ki = {g: i for i, g in enumerate(kinds)}
    owned = np.zeros((len(S), len(kinds), len(years)))
    rented = np.zeros((len(S), len(kinds), len(years)))
    bought, rent = _asset_values(m, preps, name)
    for (s, g, q), v in bought.items():
        if v <= 0.5:
            continue
        life = last.catalog.onsite[g].lifetime_yr
        for y in years:
            if in_service(q, y, life):
                owned[si[s], ki[g], yi[y]] += round(v)
    for (s, g, y), v in rent.items():
        rented[si[s], ki[g], yi[y]] = round(v)
    return owned, rented


def _limit_values_by_period(plans: dict, years: list, S: list) -> dict:
    """Each period plan's ``value_*`` limits (the period's own USD/yr per unit, from the study's
    fixed-integer LP, :meth:`siteplan.solve.duals.Duals.scoped`), stacked along ``period``."""
    from siteplan.results.plan import VALUE_ATTRS

    out = {}
    for name in VALUE_ATTRS:
        if not all(name in plans[y].ds for y in years):
            continue
        parts = [plans[y].ds[name] for y in years]
        if "site" in parts[0].dims:
            parts = [x.reindex(site=S) for x in parts]
        da = xr.concat(parts, dim=pd.Index(years, name="period"), join="outer", fill_value=np.nan)
        out[name] = da.drop_vars([c for c in da.coords if c not in da.dims]).assign_attrs(parts[0].attrs)
    return out


def site_timeline(ds: xr.Dataset) -> pd.DataFrame:
    """Per site open in any period: opening year, first year on grid power, IT MW per period,
    peak rented and owned on-site units."""
    from siteplan.labels import place_names

    years = [int(y) for y in ds["period"].values]
    # the short name the single-period outputs use ('near Big Spring, TX (66 km)'), unique among the
    # candidates; the dataset's own name stays in dataset_name
    names = place_names([str(n) for n in ds["site_name"].values], [str(s) for s in ds["site"].values])
    rows = []
    for i, s in enumerate(ds["site"].values):
        op = ds["open"].values[i]
        if not op.any():
            continue
        grid = ds["grid_energised"].values[i]
        row = {"site_id": str(s), "name": names[i], "dataset_name": str(ds["site_name"].values[i]),
               "opens": years[int(np.argmax(op > 0))],
               "grid_from": years[int(np.argmax(grid > 0))] if grid.any() else None}
        for j, y in enumerate(years):
            row[f"it_mw_{y}"] = float(ds["it_mw"].values[i, j])
        for j, y in enumerate(years):
            row[f"grid_mw_{y}"] = float(ds["interconnect_contracted_mw"].values[i, j])
        rented = ds["onsite_units_rented"].values[i].sum(axis=0) if ds.sizes.get("generator", 0) else np.zeros(len(years))
        owned = ds["onsite_units_owned"].values[i].sum(axis=0) if ds.sizes.get("generator", 0) else np.zeros(len(years))
        for j, y in enumerate(years):
            row[f"gen_units_owned_{y}"] = int(round(float(owned[j])))  # whole units (integer variables)
            row[f"gen_units_rented_{y}"] = int(round(float(rented[j])))
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    out = pd.DataFrame(rows).set_index("site_id")
    out["grid_from"] = out["grid_from"].astype("Int64")  # <NA>: never on grid power within the study
    return out
