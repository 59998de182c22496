"""Plans for the map tests: copies of the example study's plan with open sites, their substations
and interconnects put where a test needs them (shared by tests/test_outputs_maps.py,
tests/test_map_labels2.py and tests/test_maps18_*.py)."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point

ROOT = Path(__file__).resolve().parents[1]
TEXAS_DATA = ROOT / "data" / "texas"


def with_open_sites(plan, specs: list[dict]):
    """A copy of ``plan`` whose only open sites are ``specs`` (each: site_id, place, x, y, it_mw, and
    optionally design, onsite_mw, onsite_firm_mw, units (generator id -> units), battery_mw,
    battery_mwh, grid_share, kv, sub_xy (its substation; none = off-grid)), each with a substation
    and an interconnect when it has ``sub_xy``; the example plan's own substations kept unused."""
    p = copy.copy(plan)
    base = plan.sites.iloc[[0]]
    rows, subs_rows, ic_rows, ic_geom = [], [], [], []
    unit_cols = sorted({f"units_{g}" for sp in specs for g in sp.get("units", {})})
    for sp in specs:
        sid, mw, kv, sub = sp["site_id"], float(sp["it_mw"]), float(sp.get("kv", 0.0)), sp.get("sub_xy")
        r = base.iloc[0].copy()
        r["site_id"], r["place"], r["name"] = sid, sp["place"], f"near {sp['place']}"
        r["open"], r["it_mw"], r["design"] = True, mw, sp.get("design", "direct_to_chip")
        r["substation_id"] = f"sub_{sid}" if sub else ""
        r["interconnect_kv"], r["interconnect_mw"] = (kv, mw * 1.2) if sub else (0.0, 0.0)
        r["onsite_mw"], r["onsite_firm_mw"] = sp.get("onsite_mw", 0.0), sp.get("onsite_firm_mw", 0.0)
        for c in unit_cols:
            r[c] = float(sp.get("units", {}).get(c[len("units_"):], 0))
        r["onsite_plant"] = ""
        r["battery_mw"], r["battery_mwh"] = sp.get("battery_mw", 0.0), sp.get("battery_mwh", 0.0)
        r["grid_share"] = sp.get("grid_share", 1.0 if sub else 0.0)
        r["geometry"] = Point(sp["x"], sp["y"])
        rows.append(r)
        if sub:
            subs_rows.append({"substation_id": f"sub_{sid}", "name": f"Sub {sp['place']}", "voltage_kv": kv,
                              "zone": "TX", "headroom_mw": 600.0, "supply_mw": 600.0, "connected_mw": mw * 1.2,
                              "upgrade_mw": 0.0, "remaining_headroom_mw": 600 - mw * 1.2, "geometry": Point(*sub)})
            ic_rows.append({"site_id": sid, "substation_id": f"sub_{sid}", "option_id": f"opt_{sid}",
                            "voltage_class": f"kv{kv:03.0f}", "voltage_kv": kv, "contracted_mw": mw * 1.2,
                            "max_mw": 1000.0, "upgrade_mw": 0.0, "line_km": 9.0, "capex_usd": 1e7,
                            "peak_import_mw": mw})
            ic_geom.append(LineString([(sp["x"], sp["y"]), sub]))
    closed = plan.sites.copy()
    closed["open"] = False
    for c in unit_cols:
        closed[c] = 0.0
    p.sites = type(plan.sites)(pd.concat([closed, pd.DataFrame(rows)], ignore_index=True), geometry="geometry",
                               crs="EPSG:4326")
    p.substations = type(plan.substations)(pd.concat([plan.substations.assign(connected_mw=0.0),
                                                      pd.DataFrame(subs_rows)], ignore_index=True),
                                           geometry="geometry", crs="EPSG:4326")
    p.interconnects = type(plan.interconnects)(pd.DataFrame(ic_rows), geometry=ic_geom, crs="EPSG:4326")
    return p


def crowded(plan, n: int = 12):
    """A copy of ``plan`` with ``n`` open sites within ~60 km of Dallas-Fort Worth: sizes from 0.3 to
    300 MW, grid-fed, grid + on-site and off-grid ones, connected to a substation beside each; and a
    fiber link running far into New Mexico (outside the study's states)."""
    dfw = plan.demand.set_index("region_id").geometry.get("dfw", Point(-97.0, 32.8))
    rng = np.random.default_rng(7)
    kinds = ["grid", "grid + on-site", "off-grid"]
    specs = []
    for i in range(n):
        ang, rad = rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.55)
        x, y = dfw.x + rad * math.cos(ang) * 1.2, dfw.y + rad * math.sin(ang)
        kind = kinds[i % 3]
        mw = 0.3 if i == n - 1 else float(300.0 / (1 + i))
        onsite = 0.0 if kind == "grid" else mw * 1.5 + 10
        specs.append({"site_id": f"crowd_{i}", "place": f"Town {i}, TX", "x": x, "y": y, "it_mw": mw,
                      "design": ["direct_to_chip", "air_economizer", "immersion"][i % 3], "kv": 345.0,
                      "sub_xy": None if kind == "off-grid" else (x + 0.08, y + 0.05), "onsite_mw": onsite,
                      "units": {"gas_recip": math.ceil(onsite / 18.3)} if onsite else {},
                      "onsite_firm_mw": max(math.ceil(onsite / 18.3) - 1, 0) * 18.3,
                      "battery_mw": 10.0 if i == 2 else 0.0, "battery_mwh": 40.0 if i == 2 else 0.0,
                      "grid_share": {"grid": 1.0, "grid + on-site": 0.6, "off-grid": 0.0}[kind]})
    p = with_open_sites(plan, specs)
    far = pd.DataFrame([{"link_id": "far_west", "from_id": "a", "to_id": "b", "length_km": 900.0, "used": False,
                         "served_h100e": 0.0, "geometry": LineString([(-97.5, 32.5), (-106.0, 35.0)])}])
    p.fiber = type(plan.fiber)(pd.concat([plan.fiber, far], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    return p


def texas_like(plan):
    """A copy of ``plan`` with the three open sites of the texas study's plan: Big Spring (390 MW,
    grid + on-site), Tyler (356 MW, grid + on-site, near the map's east edge, on Big Spring's
    latitude) and Laredo (50 MW, grid), each connected to a substation beside it (138, 161, 69 kV)."""
    specs = []
    for sid, place, x, y, mw, onsite, share, kv in [
            ("bigspring", "Big Spring, TX", -101.47, 32.25, 390.0, 237.9, 0.30, 161.0),
            ("tyler", "Tyler, TX", -95.30, 32.35, 356.0, 237.9, 0.24, 138.0),
            ("laredo", "Laredo, TX", -99.49, 27.53, 50.3, 0.0, 1.0, 69.0)]:
        specs.append({"site_id": sid, "place": place, "x": x, "y": y, "it_mw": mw, "kv": kv, "sub_xy": (x + 0.05, y + 0.1),
                      "onsite_mw": onsite, "grid_share": share, "onsite_firm_mw": 219.6 if onsite else 0.0,
                      "units": {"gas_recip": 13} if onsite else {}})
    return with_open_sites(plan, specs)


# The texas plan at e4d77ee's successor (solve of models/texas.yaml, 60 s): its three open sites
# and the substations they connect to, at their coordinates.
TEXAS_SITES = [
    {"site_id": "site_39941", "place": "near Big Spring, TX (66 km)", "x": -100.90197, "y": 31.91062, "it_mw": 390.0,
     "kv": 161.0, "sub_xy": (-100.928, 31.9261), "onsite_mw": 237.9, "onsite_firm_mw": 219.6,
     "units": {"gas_recip": 13}, "grid_share": 0.30},
    {"site_id": "site_40992", "place": "Tyler, TX", "x": -95.32544, "y": 32.20838, "it_mw": 356.0, "kv": 138.0,
     "sub_xy": (-95.321, 32.2351), "onsite_mw": 237.9, "onsite_firm_mw": 219.6, "units": {"gas_recip": 13},
     "grid_share": 0.24},
    {"site_id": "site_40065", "place": "Laredo, TX", "x": -99.50943, "y": 27.59368, "it_mw": 50.3, "kv": 69.0,
     "sub_xy": (-99.5089, 27.5667), "grid_share": 1.0},
]


def texas_real(plan):
    """The texas plan's map inputs on the example plan's tables: the three open sites and their
    substations where the texas solve put them, the texas dataset's 117 other candidate sites and
    its 31 demand regions (all served), at their coordinates (``data/texas``)."""
    import geopandas as gpd

    p = with_open_sites(plan, TEXAS_SITES)
    cand = gpd.read_file(TEXAS_DATA / "sites.geojson")
    ids = cand["site_id"] if "site_id" in cand else cand.get("id", pd.Series(range(len(cand)))).astype(str)
    keep = ~ids.astype(str).isin([s["site_id"] for s in TEXAS_SITES])
    base = p.sites[~p.sites["open"].astype(bool)].iloc[[0]]
    rows = []
    for sid, g in zip(ids[keep].astype(str), cand.geometry[keep]):
        r = base.iloc[0].copy()
        r["site_id"], r["place"], r["name"], r["geometry"] = f"cand_{sid}", sid, sid, Point(g.x, g.y)
        rows.append(r)
    opened = p.sites[p.sites["open"].astype(bool)]
    p.sites = type(p.sites)(pd.concat([pd.DataFrame(rows), opened], ignore_index=True), geometry="geometry",
                            crs="EPSG:4326")
    dem = gpd.read_file(TEXAS_DATA / "demand.geojson")
    d0 = plan.demand.iloc[0]
    drows = []
    for i, d in dem.iterrows():
        r = d0.copy()
        r["region_id"] = str(d.get("region_id", d.get("id", f"dem_{i}")))
        r["name"] = str(d.get("name", r["region_id"]))
        for c in plan.demand.columns:
            if c.endswith("_demand_h100e") or c.endswith("_served_h100e"):
                w = c.split("_")[0]
                r[c] = float(d.get(f"{w}_gpus", 0.0) or 0.0)
            elif c.endswith("_unmet_h100e"):
                r[c] = 0.0
        r["geometry"] = Point(d.geometry.x, d.geometry.y)
        drows.append(r)
    p.demand = type(plan.demand)(pd.DataFrame(drows), geometry="geometry", crs="EPSG:4326")
    p.assignments = plan.assignments.iloc[:0]
    return p


CHROMIUM = Path("/usr/bin/chromium")


def run_probe(plan, tmp_path, name: str, probe: str, window: str = "1400,1000") -> tuple[dict, str]:
    """Write ``plan``'s map.html with the ``probe`` script before ``</body>``, load it in headless
    Chromium and return the attributes the probe set on ``<body>`` (unescaped) and the DOM."""
    import html
    import re
    import subprocess

    from siteplan.export.htmlmap import write_html_map

    page = write_html_map(plan, tmp_path / f"{name}.html")
    page.write_text(page.read_text().replace("</body>", probe + "</body>"))
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", f"--window-size={window}",
           "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None and 'data-site-labels="' in body.group(1), "the probe did not run"
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', body.group(1))}, dom
