"""Capital assets: what each concern builds, declared once and costed by the study's time structure.

A module that builds something (sites, racks, the facility shell, interconnects, on-site units,
batteries, gas laterals) does not add its capital cost to the objective itself; it declares an
:class:`Asset`: the quantity in use (a variable or expression per index), its overnight cost per
unit, the lifetimes over which that cost is annualised, and, for on-site plant, fixed O&M and a
rent. Then

- a single-period study pays, per year, ``usage x overnight cost x crf(rate, lifetime)`` (plus fixed
  O&M): :func:`cost_assets_annualised`, the same terms the modules added before;
- a build-out study (:mod:`siteplan.model.periods`) adds, per period, what is *built* in it (a
  vintage, priced at that period's cost), retires it after its lifetime, rents what may be rented,
  and pays each vintage's annuity in every period it serves (Switch-style).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from siteplan.config import crf
from siteplan.model.linear import linear_sum
from siteplan.model.registry import registry

__all__ = ["Asset", "CostPart", "declare_asset", "cost_assets_annualised"]


@dataclass
class CostPart:
    """One capital cost of an asset: its category, overnight USD per unit and annuity lifetime."""

    category: str
    usd_per_unit: dict  # index -> overnight USD per unit
    lifetime_yr: dict  # index -> years over which usd_per_unit is annualised


@dataclass
class Asset:
    """A kind of thing a study builds.

    Attributes
    ----------
    name : str
        Unique in a model (a build-out study links the same asset across periods by name and index).
    usage : dict
        index -> Pyomo variable (or linear expression) of what is in use in the period.
    domain : str
        "binary", "integer" or "continuous": the domain of a vintage built in a period.
    parts : list of CostPart
    retire_yr : dict or None
        index -> years a vintage serves before it retires; None = it does not retire in any study
        (land).
    fixed_usd_per_unit_yr : dict
        index -> fixed O&M per unit and year of what is owned (not rented), category
        ``fixed_category``.
    rent_usd_per_unit_yr : dict
        index -> rent per unit and year; only indices listed here may be rented (build-out studies
        with ``bridging.rent``).
    """

    name: str
    usage: dict
    domain: str
    parts: list
    retire_yr: dict | None = None
    fixed_usd_per_unit_yr: dict = field(default_factory=dict)
    fixed_category: str = "onsite_fixed_om"
    rent_usd_per_unit_yr: dict = field(default_factory=dict)
    rent_category: str = "onsite_rent"


def declare_asset(m, asset: Asset) -> None:
    """Register ``asset`` on model (or period block) ``m``."""
    reg = registry(m)
    if any(a.name == asset.name for a in reg.assets):
        raise ValueError(f"asset {asset.name!r} is declared twice")
    reg.assets.append(asset)


def annual_usd(part: CostPart, rate: float, i) -> float:
    """Annual payment per unit of ``part`` at index ``i`` (overnight cost x capital recovery factor)."""
    return part.usd_per_unit[i] * crf(rate, part.lifetime_yr[i])


def cost_assets_annualised(m, p) -> None:
    """Single-period costing: every asset in use pays its annuities and fixed O&M each year."""
    reg = registry(m)
    r = p.catalog.economics.discount_rate
    for a in reg.assets:
        for part in a.parts:
            terms = [(annual_usd(part, r, i), u) for i, u in a.usage.items() if part.usd_per_unit.get(i)]
            reg.cost[part.category].append(_weighted_sum(terms))  # the category exists even at 0
        if a.fixed_usd_per_unit_yr:
            terms = [(a.fixed_usd_per_unit_yr[i], u) for i, u in a.usage.items() if a.fixed_usd_per_unit_yr.get(i)]
            reg.cost[a.fixed_category].append(_weighted_sum(terms))


def _weighted_sum(terms):
    """sum(c * u): a flat linear sum where every ``u`` is a variable, else Pyomo's arithmetic."""
    from pyomo.core.base.var import VarData

    if all(isinstance(u, VarData) for _, u in terms):
        return linear_sum(terms)
    return sum(c * u for c, u in terms) if terms else 0
