"""GeoNames cities -> metro demand regions with GPU demand (H100-equivalents).

Metros: cities (GeoNames, population >= 15k) in the region's states and core bbox (+ pad), taken by
population; each joins the first metro whose seed city is within ``MERGE_KM`` (boroughs and
suburbs), else seeds a new metro. Metros of at least ``MIN_METRO_POP`` are kept (at most
``MAX_METROS``).

GPU demand (assumption, stated in data/SOURCES.md): LBNL 2024 puts US data-center use at 176 TWh
(2023) rising to 325-580 TWh (2028), i.e. +17 to +46 GW of average load. We take
``NATIONAL_NEW_AI_H100E`` = 12 M H100-equivalents of new AI compute to site nationally (about
16 GW of IT at 1.37 kW per H100e, ~21 GW at PUE 1.3: the low-middle of the LBNL range).
``INFERENCE_SHARE`` (40 %) of it is inference, allocated to metros by population share of all US
GeoNames cities; the rest is training, of which each region gets its ``training_share`` (region
table) split over its ``TRAINING_METROS`` largest metros by population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geo import haversine_km, slug
from .regions import AREA_BUFFER_DEG, Region, in_bbox

MERGE_KM = 30.0
MIN_METRO_POP = 100_000
MAX_METROS = 40
NATIONAL_NEW_AI_H100E = 12.0e6
INFERENCE_SHARE = 0.4
TRAINING_METROS = 3


def build_demand(region: Region, cities: pd.DataFrame) -> list[dict]:
    us_pop = float(cities.population.sum())
    c = cities[cities.state.isin(region.states)
               & in_bbox(cities.longitude, cities.latitude, region.bbox, AREA_BUFFER_DEG)]
    c = c.sort_values(["population", "geonameid"], ascending=[False, True])
    metros: list[dict] = []
    for r in c.itertuples(index=False):
        if metros:
            d = haversine_km(r.longitude, r.latitude, np.array([m["lon"] for m in metros]),
                             np.array([m["lat"] for m in metros]))
            k = int(np.argmin(d))
            if d[k] <= MERGE_KM:
                metros[k]["population"] += int(r.population)
                metros[k]["n_cities"] += 1
                continue
        metros.append({"name": f"{r.name}, {r.state}", "lon": float(r.longitude), "lat": float(r.latitude),
                       "population": int(r.population), "n_cities": 1, "geonameid": int(r.geonameid)})
    metros = [m for m in metros if m["population"] >= MIN_METRO_POP]
    metros = sorted(metros, key=lambda m: (-m["population"], m["geonameid"]))[:MAX_METROS]
    inference_total = NATIONAL_NEW_AI_H100E * INFERENCE_SHARE
    training_total = NATIONAL_NEW_AI_H100E * (1 - INFERENCE_SHARE) * region.training_share
    top = metros[:TRAINING_METROS]
    top_pop = float(sum(m["population"] for m in top))
    out = []
    for m in metros:
        inf = inference_total * m["population"] / us_pop
        trn = training_total * m["population"] / top_pop if m in top else 0.0
        out.append({"region_id": "dem_" + slug(m["name"]), "name": m["name"], "lon": m["lon"], "lat": m["lat"],
                    "population": m["population"], "inference_gpus": round(inf, -1),
                    "training_gpus": round(trn, -1)})
    return out
