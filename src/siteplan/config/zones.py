"""Zone ids and per-zone settings.

A zone is where a grid energy price and a carbon intensity apply (prices.csv). The bundled datasets
name zones ``<state>-<eGRID subregion>`` (``VA-SRVC``: Virginia's price, the SERC Virginia/Carolina
carbon); a hand-made dataset may use any id (``TX``). Settings keyed by zone in a scenario or the
catalog (a utility's wait, a gas basis) may name the zone itself or its state, the part before the
first ``-``: ``lead_time_yr_by_zone: {VA: 5}`` applies to ``VA-SRVC`` and ``VA-RFCW``; a key naming
the zone exactly comes first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping


def zone_state(zone: str) -> str:
    """The state part of a zone id (the text before the first ``-``; the id itself when none)."""
    return str(zone).split("-", 1)[0]


def by_zone(mapping: Mapping[str, float], zone: str, default: float = math.nan) -> float:
    """The value for ``zone`` in ``mapping``: keyed by the zone itself, else by its state, else ``default``."""
    z = str(zone)
    if z in mapping:
        return mapping[z]
    return mapping.get(zone_state(z), default)


def zone_key_problems(scenario, dataset) -> list:
    """Keys of the scenario's ``interconnect.lead_time_yr_by_zone`` that name no zone or state of the
    dataset (a typo such as ``VA-SRCV`` would otherwise be ignored silently)."""
    from siteplan.errors import Problem

    zones = set(map(str, dataset.sites["zone"])) | set(map(str, dataset.substations["zone"]))
    known = zones | {zone_state(z) for z in zones}
    return [Problem(str(scenario.source_file) if scenario.source_file else None, None,
                    f"interconnect.lead_time_yr_by_zone.{k}",
                    f"names no zone or state of the dataset (zones: {', '.join(sorted(zones))})")
            for k in sorted(scenario.interconnect.lead_time_yr_by_zone) if k not in known]
