"""The hand-made example dataset (central Texas, 5 candidate sites) written to ``data/example``.

Small enough to read in full and to solve in about a second; the real regional datasets in
``data/<region>`` have the same formats. Figures are illustrative, not measured.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siteplan.io.writer import line, write_dataset

SLICES = ["winter_day", "winter_night", "shoulder_day", "shoulder_night", "summer_day", "summer_night",
          "summer_peak"]
WEIGHT_H = [1460.0, 1460.0, 1460.0, 1460.0, 1300.0, 1460.0, 160.0]
# Day structure (representative days, ``(day, order_in_day, duration_h)`` per slice). Winter and
# shoulder days: a 12-h day and a 12-h night, each standing for 1460 / 12 = 121.67 days. Summer
# days: 115 of them, an 11.30-h day (1300 h / 115) and a 12.70-h night (1460 h / 115); the summer
# peak: its own 24-h day, 160 / 24 = 6.67 of them. 365 days in all. Batteries shift energy only
# within a day (night to day), never from one representative day to another.
SUMMER_DAYS = 115.0
DAYS = [("winter", 0, 12.0), ("winter", 1, 12.0), ("shoulder", 0, 12.0), ("shoulder", 1, 12.0),
        ("summer", 0, 1300.0 / SUMMER_DAYS), ("summer", 1, 1460.0 / SUMMER_DAYS), ("summer_peak", 0, 24.0)]

# station: (lon, lat, [(dry, wet) per slice])
STATIONS = {
    "abilene": (-99.68, 32.41, [(14, 7), (3, 0), (24, 15), (13, 10), (34, 21), (24, 19), (39, 22)]),
    "amarillo": (-101.71, 35.22, [(10, 3), (-3, -5), (21, 11), (8, 4), (31, 17), (19, 14), (36, 18)]),
    "corsicana": (-96.40, 32.03, [(15, 10), (5, 3), (25, 18), (15, 13), (34, 23), (25, 21), (38, 24)]),
    "san_marcos": (-97.86, 29.89, [(17, 12), (7, 5), (26, 20), (17, 15), (34, 24), (25, 22), (37, 25)]),
    "temple": (-97.41, 31.15, [(16, 11), (6, 4), (25, 19), (16, 14), (34, 23), (25, 21), (38, 24)]),
}

SITES = [
    dict(site_id="tx_abilene", name="Abilene", lon=-99.75, lat=32.40, max_it_mw=300.0, land_cost_usd=20e6, zone="TX"),
    dict(site_id="tx_amarillo", name="Amarillo", lon=-101.90, lat=35.15, max_it_mw=400.0, land_cost_usd=10e6,
         zone="TX", water_limit_m3_per_yr=1.0e6),
    dict(site_id="tx_corsicana", name="Corsicana", lon=-96.50, lat=32.05, max_it_mw=250.0, land_cost_usd=25e6,
         zone="TX"),
    dict(site_id="tx_san_marcos", name="San Marcos", lon=-97.97, lat=29.86, max_it_mw=150.0, land_cost_usd=45e6,
         zone="TX"),
    dict(site_id="tx_temple", name="Temple", lon=-97.30, lat=31.08, max_it_mw=200.0, land_cost_usd=30e6, zone="TX"),
]

SUBSTATIONS = [
    dict(substation_id="sub_abilene", name="Abilene 345", lon=-99.70, lat=32.47, voltage_kv=345.0, headroom_mw=500.0,
         zone="TX", supply_mw=800.0),
    dict(substation_id="sub_amarillo", name="Amarillo 230", lon=-101.80, lat=35.22, voltage_kv=230.0,
         headroom_mw=200.0, zone="TX", supply_mw=400.0),
    dict(substation_id="sub_austin", name="Austin 345", lon=-97.70, lat=30.30, voltage_kv=345.0, headroom_mw=0.0,
         zone="TX", supply_mw=500.0),
    dict(substation_id="sub_corsicana", name="Corsicana 345", lon=-96.45, lat=32.10, voltage_kv=345.0,
         headroom_mw=450.0, zone="TX", supply_mw=None),
    dict(substation_id="sub_dfw", name="DFW hub 345", lon=-97.00, lat=32.80, voltage_kv=345.0, headroom_mw=0.0,
         zone="TX", supply_mw=2000.0),
    dict(substation_id="sub_san_marcos", name="San Marcos 138", lon=-97.92, lat=29.90, voltage_kv=138.0,
         headroom_mw=100.0, zone="TX", supply_mw=None),
    dict(substation_id="sub_temple", name="Temple 345", lon=-97.36, lat=31.12, voltage_kv=345.0, headroom_mw=300.0,
         zone="TX", supply_mw=None),
]

CORRIDORS = [("c_dfw_corsicana", "sub_dfw", "sub_corsicana", 600.0, 345.0),
             ("c_dfw_temple", "sub_dfw", "sub_temple", 500.0, 345.0),
             ("c_temple_austin", "sub_temple", "sub_austin", 400.0, 345.0),
             ("c_austin_san_marcos", "sub_austin", "sub_san_marcos", 200.0, 138.0),
             ("c_dfw_abilene", "sub_dfw", "sub_abilene", 300.0, 345.0),
             ("c_abilene_amarillo", "sub_abilene", "sub_amarillo", 250.0, 230.0)]

POPS = [dict(pop_id="abi", name="Abilene", lon=-99.73, lat=32.45),
        dict(pop_id="ama", name="Amarillo", lon=-101.83, lat=35.22),
        dict(pop_id="aus", name="Austin", lon=-97.74, lat=30.27),
        dict(pop_id="dal", name="Dallas", lon=-96.80, lat=32.78),
        dict(pop_id="hou", name="Houston", lon=-95.37, lat=29.76),
        dict(pop_id="sat", name="San Antonio", lon=-98.49, lat=29.42)]
FIBER = [("f_dal_aus", "dal", "aus"), ("f_aus_sat", "aus", "sat"), ("f_sat_hou", "sat", "hou"),
         ("f_dal_hou", "dal", "hou"), ("f_dal_abi", "dal", "abi"), ("f_abi_ama", "abi", "ama")]

DEMAND = [dict(region_id="austin", name="Austin", lon=-97.74, lat=30.27, inference_gpus=8000.0, training_gpus=20000.0),
          dict(region_id="dallas", name="Dallas-Fort Worth", lon=-96.80, lat=32.78, inference_gpus=20000.0,
               training_gpus=10000.0),
          dict(region_id="houston", name="Houston", lon=-95.37, lat=29.76, inference_gpus=15000.0,
               training_gpus=0.0)]

# ERCOT-like energy price shape ($/MWh) and grid carbon intensity (t/MWh) per slice.
PRICE = [58.0, 42.0, 55.0, 38.0, 80.0, 50.0, 250.0]
CARBON = [0.36, 0.42, 0.33, 0.40, 0.35, 0.41, 0.45]


def write_example(folder: str | Path) -> Path:
    """Write the example dataset to ``folder`` (byte-for-byte reproducible)."""
    pops = {p["pop_id"]: (p["lon"], p["lat"]) for p in POPS}
    subs = {s["substation_id"]: (s["lon"], s["lat"]) for s in SUBSTATIONS}
    st = sorted(STATIONS)
    return write_dataset(
        folder, name="example", description="Hand-made central-Texas example: 5 sites, 7 substations, "
        "6 PoPs, 3 demand regions, 7 time slices. Illustrative figures.",
        sources="hand-made for siteplan's documentation and tests (illustrative, not measured)",
        sites=SITES, substations=SUBSTATIONS,
        transmission=[dict(corridor_id=c, from_id=a, to_id=b, capacity_mw=cap, voltage_kv=kv,
                           geometry=line(subs[a], subs[b])) for c, a, b, cap, kv in CORRIDORS],
        pops=POPS, fiber=[dict(link_id=i, from_id=a, to_id=b, length_km=None, geometry=line(pops[a], pops[b]))
                          for i, a, b in FIBER],
        demand=DEMAND,
        stations=[dict(station=s, lon=STATIONS[s][0], lat=STATIONS[s][1]) for s in st],
        slices=SLICES, weight_h=WEIGHT_H, days=DAYS,
        dry_bulb_c=np.array([[d for d, _ in STATIONS[s][2]] for s in st], float),
        wet_bulb_c=np.array([[w for _, w in STATIONS[s][2]] for s in st], float),
        prices=[dict(zone="TX", slice=t, energy_price_usd_per_mwh=p, carbon_t_per_mwh=c)
                for t, p, c in zip(SLICES, PRICE, CARBON)])
