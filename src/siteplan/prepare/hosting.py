"""What can be built where, for :func:`siteplan.prepare.prepare`: the study's cooling designs, rack
types and on-site options, and the allowed (site, design) and (site, rack type, design) sets."""

from __future__ import annotations

from siteplan.config import Catalog, Scenario

__all__ = ["catalog_choices", "site_designs", "hosting_notes"]


def catalog_choices(sc: Scenario, catalog: Catalog, notes: list[str]) -> tuple[list, list, list, list]:
    """The study's cooling designs, rack types, on-site generators and batteries (sorted); on-site
    options whose lead time is beyond the horizon are left out (a note says so)."""

    def pick(names, available):
        return sorted(available) if names is None else sorted(names)

    designs = pick(sc.cooling_designs, catalog.cooling_designs)
    if not sc.water.allow_water_cooling:
        designs = [k for k in designs if not catalog.cooling_designs[k].needs_water]
    rack_types = pick(sc.rack_types, catalog.rack_types)
    onsite = pick(sc.onsite, catalog.onsite)
    late = [p for p in onsite if catalog.onsite[p].lead_time_yr > sc.horizon_yr]
    if late:
        notes.append("on-site option(s) excluded, lead time beyond the " f"{sc.horizon_yr:g}-yr horizon: "
                     + ", ".join(f"{p} ({catalog.onsite[p].lead_time_yr:g} yr)" for p in late))
    onsite = [p for p in onsite if p not in late]
    generators = [p for p in onsite if catalog.onsite[p].kind == "generator"]
    batteries = [p for p in onsite if catalog.onsite[p].kind == "battery"]
    return designs, rack_types, generators, batteries


def site_designs(sites: list[str], sites_gdf, designs: list[str], rack_types: list[str],
                 catalog: Catalog) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Allowed (site, design) and compatible (site, rack type, design), sorted."""
    site_design = []
    for s in sites:
        water_ok = sites_gdf.at[s, "water_limit_m3_per_yr"] > 0
        for k in designs:
            if catalog.cooling_designs[k].needs_water and not water_ok:
                continue  # a zero water cap would force every rack of this design to zero
            site_design.append((s, k))
    site_rack_design = [(s, g, k) for (s, k) in site_design for g in rack_types
                        if catalog.rack_types[g].rack_kw <= catalog.cooling_designs[k].max_rack_kw
                        and catalog.rack_types[g].rack_kw <= 1000.0 * sites_gdf.at[s, "max_it_mw"]]
    site_rack_design.sort()
    return site_design, site_rack_design


def hosting_notes(sites, designs, rack_types, site_rack_design, catalog) -> list[str]:
    """Why racks cannot go where a planner may expect them: rack types no design can cool, sites
    that can host nothing (water, capacity), or no rack anywhere (then all demand is unmet)."""
    notes = []
    if not designs:
        return ["no cooling design is available (scenario cooling_designs / water policy): no site can host "
                "racks and all demand will be unmet"]
    hottest = max(designs, key=lambda k: catalog.cooling_designs[k].max_rack_kw)
    cap_kw = catalog.cooling_designs[hottest].max_rack_kw
    for g in rack_types:
        if catalog.rack_types[g].rack_kw > cap_kw:
            notes.append(f"rack type {g} ({catalog.rack_types[g].rack_kw:g} kW/rack) fits no cooling design of the "
                         f"study (the highest is {hottest}, {cap_kw:g} kW/rack): it cannot be used")
    if not site_rack_design:
        notes.append("no site can host any rack type with any cooling design of the study: all demand will be unmet")
    else:
        hosting = {s for s, _, _ in site_rack_design}
        idle = [s for s in sites if s not in hosting]
        if idle:
            notes.append(f"{len(idle)} site(s) can host no rack (water cap of 0 with only water-cooled designs, or "
                         f"max_it_mw below one rack): " + ", ".join(idle[:10]) + (" ..." if len(idle) > 10 else ""))
    return notes
