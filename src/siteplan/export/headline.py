"""Headline numbers of a Plan, defined once for the maps and the report.

Every figure is a sum, maximum or ratio of quantities stored in the Plan (``plan.ds`` and
``plan.result``); nothing is re-derived from inputs or the model, so the exports cannot drift from
the solution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Headline:
    """The plan at a glance (units in the names)."""

    scenario: str
    termination: str
    gap: float
    annual_cost_usd: float
    unmet_penalty_usd: float
    revenue_usd: float
    profit_usd: float | None
    gpus: float
    gpu_hours_per_yr: float
    cost_usd_per_gpu_hour: float
    compute_h100e: float
    h100e_hours_per_yr: float
    cost_usd_per_h100e_hour: float
    price_usd_per_h100e_hour: float | None
    it_mw: float
    peak_facility_mw: float
    peak_slice: str
    design_peak_mw: float
    facility_mwh_per_yr: float
    avg_pue: float
    water_m3_per_yr: float
    emissions_t_per_yr: float
    demand_h100e: float
    served_h100e: float
    unmet_h100e: float
    open_sites: int
    candidate_sites: int

    def as_dict(self) -> dict:
        return asdict(self)


def headline(plan) -> Headline:
    """Compute the :class:`Headline` of ``plan``.

    ``annual_cost_usd`` is every cost category, including any unmet-demand penalty (the solver
    objective under ``min_cost``). Under ``max_profit``, ``revenue_usd`` is the revenue of served
    compute and ``profit_usd`` = revenue - cost (minus the objective); under ``min_cost`` they are 0
    and None. Compute is counted in H100-equivalents (H100e), the unit of the demand and of the
    price: ``cost_usd_per_h100e_hour`` divides the real cost (cost minus the unmet-demand penalty) by
    the served H100e x hours per year (``h100e_hours_per_yr``), comparable with
    ``price_usd_per_h100e_hour`` (``max_profit``; None otherwise). ``cost_usd_per_gpu_hour`` divides
    the same cost by installed physical GPUs x hours per year (a GB200 is 2.5 H100e, so it is larger). ``avg_pue`` is energy-weighted: facility MWh over
    IT MWh across sites and slices. ``peak_facility_mw`` is the largest coincident total over slices with hours
    (in slice ``peak_slice``); ``design_peak_mw`` is the sum of the open sites' design peaks
    (``peak_facility_mw`` of each site: nameplate IT x peak IT share x the PUE of its design-peak
    conditions, what sizes its grid contract and plant), never below the coincident peak: the sites do
    not all peak in the same slice, and a design peak assumes the worst conditions at full load.
    """
    ds, r = plan.ds, plan.result
    w = ds["weight_h"].values.astype(float)
    hours = float(w.sum())
    cats = [str(c) for c in ds["cost_category"].values]
    costs = ds["cost_usd_per_yr"].values.astype(float)
    penalty = float(costs[cats.index("unmet_penalty")]) if "unmet_penalty" in cats else 0.0
    revenue = -float(costs[cats.index("revenue")]) if "revenue" in cats else 0.0
    cost = float(r.objective) + revenue
    max_profit = ds.attrs.get("objective") == "max_profit"
    gpus = float(ds["gpus"].sum())
    fac = ds["facility_mw"].values.astype(float) if ds["facility_mw"].size else np.zeros((0, len(w)))
    u = float(ds.attrs.get("it_utilisation", 1.0))
    it = ds["it_mw"].values.astype(float)
    fac_mwh = float((fac * w[None, :]).sum()) if fac.size else 0.0
    it_mwh = float(u * it.sum() * hours)
    demand = float(ds["demand_h100e"].sum())
    unmet = float(ds["unmet_h100e"].sum())
    served = float(ds["served_h100e"].sum())
    price = ds.attrs.get("gpu_hour_price_usd")
    # slices with hours only: a zero-hour design-peak slice (merged studies) puts every site at its
    # own worst PUE at once, which is a sizing condition, not a coincident peak
    totals = np.where(w > 0, fac.sum(axis=0), -np.inf) if fac.size else np.zeros(0)
    k = int(np.argmax(totals)) if totals.size and (w > 0).any() else -1
    is_open = ds["open"].values.astype(bool) if "open" in ds else np.ones(len(it), dtype=bool)
    design_peak = float(np.nansum(ds["peak_facility_mw"].values.astype(float)[is_open])) \
        if "peak_facility_mw" in ds else float("nan")
    return Headline(
        scenario=str(ds.attrs.get("scenario", "")),
        termination=r.termination.value,
        gap=float(r.gap),
        annual_cost_usd=cost,
        unmet_penalty_usd=penalty,
        revenue_usd=revenue,
        profit_usd=revenue - cost if max_profit else None,
        gpus=gpus,
        gpu_hours_per_yr=gpus * hours,
        cost_usd_per_gpu_hour=(cost - penalty) / (gpus * hours) if gpus > 0 else float("nan"),
        compute_h100e=float(ds["compute_h100e"].sum()),
        h100e_hours_per_yr=served * hours,
        cost_usd_per_h100e_hour=(cost - penalty) / (served * hours) if served > 0 and hours > 0 else float("nan"),
        price_usd_per_h100e_hour=float(price) if max_profit and price is not None else None,
        it_mw=float(it.sum()),
        peak_facility_mw=float(totals[k]) if k >= 0 else 0.0,
        peak_slice=str(ds["slice"].values[k]) if k >= 0 else "",
        design_peak_mw=design_peak,
        facility_mwh_per_yr=fac_mwh,
        avg_pue=fac_mwh / it_mwh if it_mwh > 0 else float("nan"),
        water_m3_per_yr=float(ds["water_m3_per_yr"].sum()),
        emissions_t_per_yr=float(ds["emissions_t_per_yr"].sum()),
        demand_h100e=demand,
        served_h100e=served,
        unmet_h100e=unmet,
        open_sites=int(plan.sites["open"].astype(bool).sum()),
        candidate_sites=int(len(plan.sites)),
    )
