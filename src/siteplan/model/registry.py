"""Cross-cutting sums that several modules contribute to (Switch-style registries)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Registry:
    """Terms collected while building; summed into constraints and the objective at the end.

    power_in[(site, slice)]    MW delivered to the site (grid import, on-site dispatch, battery)
    cost[category]             annual USD terms, one Expression per category in the model
    emissions_t                annual tonnes of CO2 terms
    water_m3                   annual m3 of water terms
    assets                     capital assets (siteplan.model.assets): costed by the time structure
    """

    power_in: dict = field(default_factory=lambda: defaultdict(list))
    cost: dict = field(default_factory=lambda: defaultdict(list))
    emissions_t: list = field(default_factory=list)
    water_m3: list = field(default_factory=list)
    assets: list = field(default_factory=list)


def registry(m) -> Registry:
    """The registry attached to a siteplan model."""
    return m._siteplan_registry
