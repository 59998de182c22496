"""The Plan's values of limits (from the duals of the fixed-integer LP) and the Dataset's attributes
(the solve's status, objective, bound, gap, timings and notes)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from siteplan.solve import SolveResult

VALUE_ATTRS = {  # variable -> (dims, unit, description); the values of limits from the fixed-integer LP
    "value_headroom_usd_per_mw_yr": (("substation",), "USD/yr per MW", "substation headroom"),
    "value_corridor_usd_per_mw_yr": (("corridor",), "USD/yr per MW",
                                     "corridor capacity, in both directions, for delivering every contract at once"),
    "value_supply_usd_per_mw_yr": (("substation",), "USD/yr per MW",
                                   "substation supply_mw, for delivering every contract at once"),
    "value_interconnect_usd_per_mw_yr": (("site",), "USD/yr per MW",
                                         "max_mw of the site's built connection (its voltage class)"),
    "value_site_mw_usd_per_mw_yr": (("site",), "USD/yr per MW", "site max_it_mw (chosen design)"),
    "value_site_water_usd_per_m3": (("site",), "USD/yr per m3/yr", "site water_limit_m3_per_yr"),
    "value_water_cap_usd_per_m3": ((), "USD/yr per m3/yr", "the scenario's total water cap"),
    "value_carbon_cap_usd_per_t": ((), "USD/yr per t CO2/yr", "the scenario's carbon cap"),
    "value_max_sites_usd_per_site_yr": ((), "USD/yr per site", "the scenario's max_sites"),
}
_VALUE_NOTE = ("value of relaxing the limit by one unit, from the duals of the LP with every integer decision "
               "(sites, designs, racks, interconnects, on-site units) fixed at the plan's values (siteplan.solve.duals); "
               "0 = does not bind; NaN = not priced by that LP (every term of the row is an integer decision, or "
               "the limit does not apply here, or the LP was not solved; see the attribute 'duals_status')")


def limit_values(duals, S: list, B: list, E: list, design, ic_opt) -> dict:
    """The values of the limits (:data:`siteplan.solve.duals.LIMITS`) as DataArrays over the Plan's dims.

    Members without a row (a headroom that cannot bind is not generated) are 0; sites without an
    interconnect or a design, and everything when there are no duals, are NaN.
    """
    nan = np.nan

    def val(name):
        return duals.value(name) if duals is not None else {}

    def vec(index, values, default):
        return np.array([values.get(k, default) for k in index], dtype=float)

    ok = duals is not None and duals.ok
    miss = 0.0 if ok else nan  # a member with no row / bound: the limit cannot bind there
    contract = val("interconnect capacity")  # {option: value}; the site's built option
    it_max, site_water = val("site max IT MW"), val("site water cap")
    values = {
        "value_headroom_usd_per_mw_yr": vec(B, val("substation headroom"), miss),
        "value_corridor_usd_per_mw_yr": vec(E, val("corridor capacity"), miss),
        "value_supply_usd_per_mw_yr": vec(B, val("supply"), miss),
        "value_interconnect_usd_per_mw_yr": np.array([contract.get(o, nan) if o else nan for o in ic_opt], dtype=float),
        "value_site_mw_usd_per_mw_yr": np.array([it_max.get((s, k), nan) if k else nan
                                                 for s, k in zip(S, design)], dtype=float),
        "value_site_water_usd_per_m3": vec(S, site_water, miss),
    }
    for name, lim in (("value_water_cap_usd_per_m3", "total water cap"), ("value_carbon_cap_usd_per_t", "carbon cap"),
                      ("value_max_sites_usd_per_site_yr", "max sites")):
        values[name] = np.array(val(lim).get(None, nan), dtype=float)  # a scalar; NaN: no such cap
    out = {}
    for name, v in values.items():
        dims, unit, what = VALUE_ATTRS[name]
        desc = f"{what}: {_VALUE_NOTE}"
        out[name] = xr.DataArray(v, dims=dims, attrs={"units": unit, "description": desc})
    return out


def duals_attrs(result: SolveResult) -> dict:
    d = result.duals
    if d is None:
        return {"duals_status": "not computed", "duals_s": 0.0}
    return {"duals_status": d.status, "duals_s": float(result.timings.duals_s),
            "duals_objective_usd_per_yr": float(d.objective)}


def duals_notes(result: SolveResult) -> list[str]:
    d = result.duals
    if d is None or d.ok:
        return []
    return [f"no values of limits (the LP with the integer decisions fixed: {d.status})"]


def plan_attrs(p, result: SolveResult) -> dict:
    """The Dataset's attributes: the duals' status, then the scenario and the solve's status,
    objective, bound, gap, timings and notes."""
    sc = p.scenario
    attrs = duals_attrs(result)
    attrs.update({
        "scenario": sc.name, "termination": result.termination.value, "objective_usd_per_yr": result.objective,
        "best_bound_usd_per_yr": result.best_bound, "mip_gap": result.gap, "it_utilisation": sc.it_utilisation,
        "decision_gap": result.decision_gap, "unavoidable_usd_per_yr": result.unavoidable_usd_per_yr,
        "build_s": result.timings.build_s, "handoff_s": result.timings.handoff_s, "solve_s": result.timings.solve_s,
        # what preparation changed or found (one per line; NetCDF-safe string)
        "notes": "\n".join(list(p.notes) + duals_notes(result)),
        "objective": sc.objective,
    })
    if sc.objective == "max_profit":
        attrs["gpu_hour_price_usd"] = sc.gpu_hour_price_usd
    return attrs
