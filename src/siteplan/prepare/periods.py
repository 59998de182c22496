"""A build-out study's periods: one :class:`~siteplan.prepare.Prepared` per period.

Each period is prepared as a single-period study whose horizon is the period's first year minus the
study's ``start_year`` (so the one lead-time rule, "an option is available iff its lead time <= the
horizon", says which interconnects are energised and which plant can be delivered by then), with
the period's demand, prices and carbon price, and the rack types on sale by then at that year's
price. Interconnect options are derived once per period and then made cumulative (an option
energised in one period stays available in every later one, whatever the nearest-substation cap
picks then), so each period offers a superset of the one before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from siteplan.config import Catalog, Scenario
from siteplan.io import YEARLY_DEMAND, Dataset

__all__ = ["PeriodSpec", "prepare_periods", "period_specs", "discount_weights"]


@dataclass(frozen=True)
class PeriodSpec:
    """One period: first year, length, years since the study start, and its discount weight."""

    year: int
    length_yr: int
    horizon_yr: float
    weight: float  # sum over the period's years of 1 / (1 + rate) ** (year - start_year)


def discount_weights(start_year: int, years: list[int], lengths: list[int], rate: float) -> list[float]:
    """Per period, the present value of 1 USD a year over its years, discounted to ``start_year``."""
    return [sum((1.0 + rate) ** -(y + i - start_year) for i in range(n)) for y, n in zip(years, lengths)]


def period_specs(scenario: Scenario, catalog: Catalog) -> list[PeriodSpec]:
    """The study's periods; a study without ``periods`` has one, of one year, with weight 1."""
    if not scenario.periods:
        return [PeriodSpec(0, 1, float(scenario.horizon_yr), 1.0)]
    per = scenario.periods
    w = discount_weights(scenario.start_year, [x.year for x in per], [x.length_yr for x in per],
                         catalog.economics.discount_rate)
    return [PeriodSpec(x.year, x.length_yr, float(x.year - scenario.start_year), wi) for x, wi in zip(per, w)]


def _period_inputs(scenario: Scenario, catalog: Catalog, k: int) -> tuple[Scenario, Catalog]:
    """The scenario and catalog of period ``k`` as a single-period study."""
    per = scenario.periods[k]
    available = [g for g in (scenario.rack_types or sorted(catalog.rack_types))
                 if catalog.rack_types[g].first_year is None or catalog.rack_types[g].first_year <= per.year]
    update = {"periods": None, "start_year": None, "horizon_yr": float(per.year - scenario.start_year),
              "demand_scale": scenario.demand_scale * per.demand_scale,
              "energy_price_scale": scenario.energy_price_scale * per.energy_price_scale,
              "rack_types": available}
    if per.carbon_price_usd_per_t is not None:
        update["carbon"] = scenario.carbon.model_copy(update={"price_usd_per_t": per.carbon_price_usd_per_t})
    sc = scenario.model_copy(update=update)
    racks = {g: rt.model_copy(update={"capex_usd_per_rack": rt.capex_in(per.year)})
             for g, rt in catalog.rack_types.items()}
    cat_update = {"rack_types": racks}
    if catalog.gas_supply is not None and per.gas_price_scale != 1.0:
        gs = catalog.gas_supply
        cat_update["gas_supply"] = gs.model_copy(update={
            "henry_hub_usd_per_mmbtu": gs.henry_hub_usd_per_mmbtu * per.gas_price_scale,
            "basis_usd_per_mmbtu": {z: v * per.gas_price_scale for z, v in gs.basis_usd_per_mmbtu.items()},
            "default_basis_usd_per_mmbtu": gs.default_basis_usd_per_mmbtu * per.gas_price_scale})
    return sc, catalog.model_copy(update=cat_update)


def prepare_periods(scenario: Scenario, dataset: Dataset, catalog: Catalog) -> list:
    """One :class:`~siteplan.prepare.Prepared` per period of a build-out study.

    Parameters
    ----------
    scenario, dataset, catalog
        Validated inputs; ``scenario.periods`` must be set.

    Returns
    -------
    list of siteplan.prepare.Prepared
        In period order; each with ``period`` (its :class:`PeriodSpec`) and options that include
        every option energised in an earlier period.
    """
    from siteplan.prepare import prepare

    if not scenario.periods:
        raise ValueError("prepare_periods needs a scenario with periods")
    specs = period_specs(scenario, catalog)
    inputs = [_period_inputs(scenario, catalog, k) for k in range(len(specs))]
    preps, seen = [], pd.DataFrame()
    for spec, (sc, cat) in zip(specs, inputs):
        y = spec.year
        first = prepare(sc, dataset, cat, year=y)  # options of this period alone (nearest usable substations)
        opts = first.options
        if len(seen):
            # energised before: kept (rows of this period win, e.g. an upgrade that is now possible)
            opts = pd.concat([seen[~seen.index.isin(opts.index)], opts]).sort_index()
        p = first if len(opts) == len(first.options) else prepare(sc, dataset, cat, options=opts, year=y)
        p.period = spec
        preps.append(p)
        seen = opts
    years = {spec.year for spec in specs}
    unused = sorted(c for c in dataset.demand.columns if YEARLY_DEMAND.match(str(c))
                    and YEARLY_DEMAND.match(str(c))["field"][: -len("_gpus")] in scenario.workloads
                    and int(YEARLY_DEMAND.match(str(c))["year"]) not in years)
    if unused:
        preps[0].notes.append("demand column(s) " + ", ".join(unused) + " not used: no period of the study "
                              "starts in their year")
    return preps
