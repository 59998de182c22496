"""Interconnect options per site: nearby substations x voltage classes, with fixed cost and lead time.

A connection is a voltage class at a substation plus a contracted MW (a model decision) up to what one
connection of that class can carry. The options here fix which (site, substation, class) triples
exist and their fixed cost; the MW are decided in :mod:`siteplan.model.interconnect`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.geo import distance_matrix_km

COLUMNS = ["option_id", "site_id", "substation_id", "voltage_class", "voltage_kv", "max_mw", "line_km",
           "capex_usd", "upgrade_cost_usd_per_mw", "upgrade_ok", "contract_cost_usd_per_mw_yr", "lead_time_yr",
           "lifetime_yr"]


def interconnect_options(sites, substations, classes: dict, horizon_yr: float, max_distance_km: float,
                         max_options_per_site: int, line_route_factor: float, cost_multiplier: float,
                         allow_upgrades: bool, site_peak_mw: pd.Series,
                         lead_time_yr: pd.Series | None = None,
                         site_lead_time_yr: pd.Series | None = None) -> pd.DataFrame:
    """All useful (site, substation, voltage class) options, sorted by option id.

    Parameters
    ----------
    sites, substations : GeoDataFrame
        Candidate sites and substations (``voltage_kv``, ``headroom_mw``).
    classes : dict
        Catalog ``interconnect_classes``.
    horizon_yr : float
        An option is available iff its lead time <= the horizon; contracting beyond headroom needs
        ``lead_time_yr + upgrade_lead_time_yr`` <= the horizon too (and ``allow_upgrades``).
    max_distance_km, max_options_per_site : float, int
        Each site considers its ``max_options_per_site`` nearest substations within
        ``max_distance_km`` that can take some class (voltage, lead time, and headroom or an upgrade).
    line_route_factor, cost_multiplier : float
        Line km = great-circle km x factor; fixed cost = (km x cost per km + substation cost) x multiplier.
    allow_upgrades : bool
        Whether contracted MW may exceed a substation's headroom at the class's upgrade cost.
    site_peak_mw : pandas.Series
        Upper bound on each site's peak facility MW: a connection never needs to carry more, so
        ``max_mw`` is capped at it and classes that add nothing at a substation are dropped.
    lead_time_yr : pandas.Series, optional
        Per substation, a utility's published wait for large loads (years, network upgrades
        included): no class connects there sooner, with or without upgrades (a floor on the
        class's lead time); NaN = none.
    site_lead_time_yr : pandas.Series, optional
        The same per site (the wait of the utility whose territory the load is in, whichever
        substation it connects to); the longer of the two applies.

    Returns
    -------
    pandas.DataFrame
        Index ``option_id`` (``site|substation|class``); columns as in ``COLUMNS``. ``max_mw`` is the
        most the option can be contracted for at this site; ``upgrade_ok`` says whether it may go
        beyond the substation's headroom.

    Notes
    -----
    At one substation, a class is dropped when another is no more expensive, carries at least as
    much (up to the site's peak), is energised no later and upgrades no dearer: it could never be the
    unique best choice.
    """
    if len(sites) == 0 or len(substations) == 0 or not classes:
        return pd.DataFrame(columns=COLUMNS).set_index("option_id")
    subs = substations.sort_index()
    d = distance_matrix_km(sites.geometry.y.values, sites.geometry.x.values,
                           subs.geometry.y.values, subs.geometry.x.values)
    sub_ids = subs.index.values
    wait = (lead_time_yr.reindex(sub_ids).to_numpy(dtype=float) if lead_time_yr is not None
            else np.full(len(sub_ids), np.nan))
    site_wait = (site_lead_time_yr.reindex(sites.index).to_numpy(dtype=float) if site_lead_time_yr is not None
                 else np.full(len(sites), np.nan))
    rule = _ClassRule(classes, horizon_yr, allow_upgrades, subs["voltage_kv"].values, subs["headroom_mw"].values,
                      wait, site_wait)
    rows = []
    for i, sid in enumerate(sites.index):
        rows += _site_options(rule, i, sid, d[i], sub_ids, max_distance_km, max_options_per_site,
                              line_route_factor, cost_multiplier, site_peak_mw)
    return pd.DataFrame(rows, columns=COLUMNS).set_index("option_id").sort_index()


class _ClassRule:
    """Which voltage classes substation ``j`` offers site ``i``, and their lead times."""

    def __init__(self, classes: dict, horizon_yr: float, allow_upgrades: bool, kv_of, head_of, wait, site_wait):
        self.classes, self.horizon_yr, self.allow_upgrades = classes, horizon_yr, allow_upgrades
        self.kv_of, self.head_of, self.wait, self.site_wait = kv_of, head_of, wait, site_wait
        self.names = sorted(classes)

    def floor(self, j, i) -> float:
        """The longer of the substation's and the site's waits (-inf: none)."""
        return float(np.nanmax([self.wait[j], self.site_wait[i], -np.inf]))

    def lead(self, c, j, i) -> float:
        """Years until class ``c`` is energised at substation ``j`` for site ``i``."""
        return max(self.floor(j, i), self.classes[c].lead_time_yr)

    def upgradable(self, c, j, i) -> bool:
        """Whether class ``c`` may contract beyond the headroom (upgrades allowed and in time)."""
        t = self.classes[c]
        return self.allow_upgrades and max(self.floor(j, i), t.lead_time_yr + t.upgrade_lead_time_yr) <= self.horizon_yr

    def usable(self, j, i) -> list:
        """The classes in time, within the substation's voltage, with headroom or an upgrade."""
        return [c for c in self.names if self.lead(c, j, i) <= self.horizon_yr
                and self.classes[c].voltage_kv <= self.kv_of[j]
                and (self.head_of[j] > 0 or self.upgradable(c, j, i))]


def _site_options(rule: _ClassRule, i: int, sid, dist, sub_ids, max_distance_km: float, max_options_per_site: int,
                  line_route_factor: float, cost_multiplier: float, site_peak_mw: pd.Series) -> list[tuple]:
    """The option rows of site ``i``: its nearest usable substations, each class no other dominates."""
    # the cap on substations per site counts only those that can take some class: a nearer
    # substation without headroom (or voltage) must not crowd out a usable one further away
    order = np.lexsort((sub_ids, dist))  # by distance, then id
    near = [j for j in order if dist[j] <= max_distance_km and rule.usable(j, i)][:max_options_per_site]
    peak = float(site_peak_mw[sid])
    rows = []
    for j in near:
        km = float(dist[j]) * line_route_factor
        cand = []
        for c in rule.usable(j, i):
            t = rule.classes[c]
            up = rule.upgradable(c, j, i)
            # without an upgrade, no contract can exceed the headroom either
            mw = min(t.max_mw, peak) if up else min(t.max_mw, peak, float(rule.head_of[j]))
            capex = (km * t.line_cost_usd_per_km + t.substation_cost_usd) * cost_multiplier
            cand.append((c, t, mw, capex, up, rule.lead(c, j, i)))
        for c, t, mw, capex, up, lt in cand:
            if any(_dominates(o, (c, t, mw, capex, up, lt)) for o in cand if o[0] != c):
                continue
            rows.append((f"{sid}|{sub_ids[j]}|{c}", sid, sub_ids[j], c, t.voltage_kv, mw, km, capex,
                         t.upgrade_cost_usd_per_mw * cost_multiplier, up, 1000.0 * t.contract_cost_usd_per_kw_yr,
                         lt, t.lifetime_yr))
    return rows


def _dominates(a, b) -> bool:
    """Option a is at least as good as b in every respect (ties: the lower class name wins)."""
    ca, ta, mwa, capa, upa, lta = a
    cb, tb, mwb, capb, upb, ltb = b
    no_worse = (capa <= capb + 1e-6 and mwa >= mwb - 1e-9 and lta <= ltb
                and ta.contract_cost_usd_per_kw_yr <= tb.contract_cost_usd_per_kw_yr
                and ta.lifetime_yr >= tb.lifetime_yr and (upa or not upb)
                and (not upb or ta.upgrade_cost_usd_per_mw <= tb.upgrade_cost_usd_per_mw))
    if not no_worse:
        return False
    equal = (abs(capa - capb) <= 1e-6 and abs(mwa - mwb) <= 1e-9 and lta == ltb
             and ta.contract_cost_usd_per_kw_yr == tb.contract_cost_usd_per_kw_yr
             and ta.lifetime_yr == tb.lifetime_yr and upa == upb
             and (not upb or ta.upgrade_cost_usd_per_mw == tb.upgrade_cost_usd_per_mw))
    return not equal or ca < cb
