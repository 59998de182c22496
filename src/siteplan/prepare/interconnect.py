"""Interconnect options per site: nearby substations x catalog tiers, with cost and lead time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.geo import distance_matrix_km


def interconnect_options(sites, substations, tiers: dict, horizon_yr: float, max_distance_km: float,
                         max_options_per_site: int, line_route_factor: float,
                         cost_multiplier: float) -> pd.DataFrame:
    """All feasible (site, substation, tier) options, sorted by option id.

    Each site considers its ``max_options_per_site`` nearest substations within
    ``max_distance_km`` that can take at least one tier.

    A tier is offered at a substation whose voltage is at least the tier's, whose headroom can take
    the tier's capacity, and only if its lead time fits the horizon. Cost = line km x cost per km +
    substation cost, times the regional multiplier.
    """
    cols = ["option_id", "site_id", "substation_id", "tier", "voltage_kv", "capacity_mw", "line_km",
            "capex_usd", "lead_time_yr", "lifetime_yr"]
    if len(sites) == 0 or len(substations) == 0:
        return pd.DataFrame(columns=cols).set_index("option_id")
    subs = substations.sort_index()
    d = distance_matrix_km(sites.geometry.y.values, sites.geometry.x.values,
                           subs.geometry.y.values, subs.geometry.x.values)
    rows = []
    sub_ids = subs.index.values
    # the cap on substations per site counts only those that can take some tier: a nearer
    # substation without headroom (or voltage) must not crowd out a usable one further away
    usable = np.array([any(t.voltage_kv <= kv and t.lead_time_yr <= horizon_yr and t.capacity_mw <= head
                           for t in tiers.values())
                       for kv, head in zip(subs["voltage_kv"].values, subs["headroom_mw"].values)], dtype=bool)
    for i, sid in enumerate(sites.index):
        order = np.lexsort((sub_ids, d[i]))  # by distance, then id
        near = [j for j in order if d[i, j] <= max_distance_km and usable[j]][:max_options_per_site]
        for j in near:
            sub = subs.iloc[j]
            km = float(d[i, j]) * line_route_factor
            for tname in sorted(tiers):
                t = tiers[tname]
                if t.voltage_kv > sub["voltage_kv"] or t.lead_time_yr > horizon_yr:
                    continue
                if t.capacity_mw > sub["headroom_mw"]:
                    continue
                capex = (km * t.line_cost_usd_per_km + t.substation_cost_usd) * cost_multiplier
                rows.append((f"{sid}|{sub_ids[j]}|{tname}", sid, sub_ids[j], tname, t.voltage_kv, t.capacity_mw,
                             km, capex, t.lead_time_yr, t.lifetime_yr))
    return pd.DataFrame(rows, columns=cols).set_index("option_id").sort_index()
