"""Tables of the plan report: open sites, how each is powered, demand by region, and the note on
interconnect lengths; with the readable names (sites, substations, corridors, regions) the report's
sections use in place of ids.
"""

from __future__ import annotations

import numpy as np

from siteplan.export import style
from siteplan.export.reportpage import Table


def _lookups(plan) -> dict:
    """Readable names by id: sites ('Big Spring, TX'), substations ('O Donnell 1'), corridors
    ('O Donnell 1 – Big Spring 5'), regions ('Abilene, TX')."""
    sites = dict(zip(plan.sites["site_id"].astype(str), style.site_names(plan.sites)))
    subs = {}
    if len(plan.substations):
        nm = plan.substations["name"] if "name" in plan.substations else [""] * len(plan.substations)
        subs = {str(i): (str(n) if isinstance(n, str) and n.strip() else str(i))
                for i, n in zip(plan.substations["substation_id"], nm)}
    cors = {}
    if plan.corridors is not None and len(plan.corridors):
        cors = {str(c): f"{subs.get(str(a), str(a))} – {subs.get(str(b), str(b))}"
                for c, a, b in zip(plan.corridors["corridor_id"], plan.corridors["from_id"], plan.corridors["to_id"])}
    regions = {str(r): style.short_name(n if isinstance(n, str) else "", str(r))
               for r, n in zip(plan.demand["region_id"], plan.demand.get("name", [""] * len(plan.demand)))}
    return {"site": sites, "substation": subs, "corridor": cors, "region": regions}


def _in_words(text: str, plan) -> str:
    """Text from :mod:`siteplan.alternatives` with site and substation ids replaced by their names
    and interconnect classes by their voltage ('kv161' -> '161 kV', 'gas_recip' -> 'gas recip')."""
    import re

    names = _lookups(plan)
    table = {**{k: v for k, v in names["substation"].items() if v != k}, **{k: v for k, v in names["site"].items() if v != k}}
    if table:
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")
        text = pattern.sub(lambda m: table[m.group(1)], str(text))
    text = re.sub(r"\bkv0*(\d+)\b", r"\1 kV", text)
    return re.sub(r"\b(gas|onsite|battery)_([a-z_]+)\b", lambda m: m.group(0).replace("_", " "), text)


def _named(names: dict, key: str) -> str:
    """The name a person reads ('Sterling City 1'), or the id when there is no name; ids have their
    own column where a table needs them."""
    return names.get(str(key), str(key))


def _site_table(plan) -> Table:
    """One row per open site, largest first: name, id, size, cooling, cost per H100e-hour."""
    from siteplan.labels import design_name, rack_name
    from siteplan.results.summary import fmt_mw

    s = plan.sites[plan.sites["open"].astype(bool)].sort_values("it_mw", ascending=False)
    names = dict(zip(plan.sites["site_id"], style.site_names(plan.sites)))
    rack_cols = [c for c in plan.sites.columns if c.startswith("racks_")]
    f = style.fmt_num
    rows = []
    for _, x in s.iterrows():
        racks = ", ".join(f"{rack_name(c[6:])} {x[c]:,.0f}" for c in rack_cols if float(x[c]) > 0) or "–"
        per_h = x.get("cost_usd_per_h100e_hour", float("nan"))
        rows.append([names[x["site_id"]], str(x["site_id"]), design_name(str(x["design"])), fmt_mw(x["it_mw"]),
                     f(x["max_it_mw"], 0), f(x["peak_facility_mw"], 1), f"{f(x['pue_min'], 3)}–{f(x['pue_max'], 3)}",
                     f(x["gpus"], 0), racks, f(x.get("served_h100e", float("nan")), 0),
                     style.fmt_usd(float(x["cost_usd_per_yr"])) if "cost_usd_per_yr" in x else "–",
                     f"${per_h:,.3f}" if np.isfinite(per_h) else "–",
                     f(x["water_m3_per_yr"], 0), f(x["emissions_t_per_yr"], 0)])
    return Table(["site", "id", "cooling design", "IT MW", "max IT MW", "peak facility MW", "PUE", "GPUs", "racks",
                  "H100e served", "USD/yr", "USD per H100e-hour", "water m³/yr", "t CO₂/yr"], rows,
                 "lllrrrrrlrrrrr")


def _line_length_note(plan) -> str:
    """Where the interconnect lengths come from, and a warning when every line is as long as every
    other (a dataset that places its candidate parcels a fixed distance from a substation: the bundled
    regions place them 3, 6 or 10 km away by rule, data/SOURCES.md)."""
    ic = plan.interconnects
    if ic is None or not len(ic) or "line_km" not in ic:
        return ""
    km = np.round(ic["line_km"].astype(float).to_numpy(), 1)
    text = ("Interconnect lengths are the straight-line distance from the site to its substation times the "
            "line route factor: a screening estimate, not a surveyed route or easement.")
    if len(km) > 1 and np.unique(km).size == 1:
        text += (f" Every line here is {style.fmt_num(km[0], 1)} km: the dataset places candidate parcels a "
                 "fixed distance from a substation (the bundled regions: 3, 6 or 10 km by rule, data/SOURCES.md), "
                 "so the line cost does not tell the sites apart; check real parcels and routes before relying on it.")
    return text


def _power_table(plan) -> Table:
    """One row per open site: power supply, grid share, interconnect in words, on-site plant, batteries."""
    from siteplan.results.plan import interconnect_words
    from siteplan.results.summary import fmt_mw

    s = plan.sites[plan.sites["open"].astype(bool)].sort_values("it_mw", ascending=False)
    names = dict(zip(plan.sites["site_id"], style.site_names(plan.sites)))
    from siteplan.results.summary import connection_limits, interconnect_text, limited_by_text

    f = style.fmt_num
    rows = []
    limits = connection_limits(plan)
    for _, x in s.iterrows():
        if "interconnect" in x:
            ic = interconnect_text(x, limits)
        else:  # a plan written before the words existed
            ic = interconnect_words(float("nan"), float("nan"), str(x["substation_id"]), float(x["interconnect_mw"]),
                                    float("nan"))
        share = float(x.get("grid_share", float("nan")))
        plant = str(x.get("onsite_plant", "") or "") or (f"{fmt_mw(x['onsite_mw'])} MW"
                                                          if float(x.get("onsite_mw", 0) or 0) > 0 else "none")
        bmw = float(x.get("battery_mw", 0.0) or 0.0)
        battery = f"{fmt_mw(bmw)} MW / {fmt_mw(x.get('battery_mwh', float('nan')))} MWh" if bmw > 0 else "none"
        rows.append([names[x["site_id"]], style.power_kind(x), f"{share:.0%}" if np.isfinite(share) else "–", ic,
                     plant, f(x.get("onsite_firm_mw", float("nan")), 1), battery,
                     limited_by_text(x, limits) or "none reached: sized by the demand it serves and cost"])
    return Table(["site", "power supply", "grid share of energy", "interconnect", "on-site plant",
                  "on-site firm MW (N+1)", "battery", "size limited by"], rows, "lllllrll")


def _demand_table(plan) -> Table:
    d = plan.demand
    wls = [c[: -len("_demand_h100e")] for c in d.columns if c.endswith("_demand_h100e")]
    f = style.fmt_num
    rows = []
    for _, x in d.iterrows():
        row = [style.short_name(x.get("name", ""), x["region_id"]), str(x["region_id"])]
        for w in wls:
            row += [f(x[f"{w}_demand_h100e"], 0), f(x[f"{w}_unmet_h100e"], 0)]
        rows.append(row)
    hdr = ["region", "id"] + [h for w in wls for h in (f"{w} demand H100e", f"{w} unmet H100e")]
    return Table(hdr, rows, "ll" + "r" * (2 * len(wls)))
