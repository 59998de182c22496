"""Synthetic grid (TAMU / Breakthrough Energy USA test system) -> reduced regional energy graph.

Method (also in data/SOURCES.md):

1. Substation table: every substation with a bus of >= ``MIN_KV`` (100 kV: several synthetic areas, e.g. Georgia and Ohio, use 100 kV as their sub-transmission level instead of 115/138 kV). ``voltage_kv`` = max
   bus baseKV; ``load_mw`` = sum of bus Pd; ``avail_mw`` = sum over plants at its buses of
   Pmax x availability (``AVAILABILITY`` by fuel); state = state of the majority load zone of its
   buses.
2. HV graph: in-service ``Line`` branches with both ends >= 100 kV between different substations,
   aggregated per substation pair. A circuit with rateA = 0 (unlimited in MATPOWER) gets the
   median rateA of its voltage class.
3. Region graph: substations of the region's interconnection inside the core bbox plus a buffer
   (``GRID_BUFFER_DEG``); only the largest connected component is kept.
4. Reduction to at most ``TARGET_NODES``: substations are ranked by (voltage desc, incident
   rating desc, id) and kept greedily if at least ``spacing`` km from every kept one; the
   smallest spacing from ``SPACINGS_KM`` meeting the target is used. Every dropped substation is
   merged into its nearest kept substation by network distance (km along lines; multi-source
   Dijkstra); its load and generation join that cluster, and lines between clusters become
   corridors between the kept representatives (parallel circuits summed).
5. headroom_mw = HEADROOM_FRACTION x (sum of the ratings of the HV circuits incident to the kept
   substation itself) - its own load, clipped >= 0.  supply_mw = SUPPLY_FRACTION x max(0,
   cluster available generation - cluster load).  corridor capacity_mw = CORRIDOR_FRACTION x
   summed rating of the circuits between the two clusters.  Headroom is capped per voltage class
   (``HEADROOM_CAP_MW``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .geo import haversine_km
from .regions import GRID_BUFFER_DEG, Region, in_bbox

MIN_KV = 100.0
TARGET_NODES = 300
SPACINGS_KM = (0.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 18.0, 22.0, 26.0, 30.0, 35.0, 40.0, 50.0)
HEADROOM_FRACTION = 0.10
#: headroom cap by voltage class (MW): large-load connections seen at each class (assumption)
HEADROOM_CAP_MW = {100.0: 60.0, 115.0: 100.0, 138.0: 150.0, 161.0: 250.0, 230.0: 500.0, 345.0: 900.0,
                   500.0: 1300.0, 765.0: 1800.0}
SUPPLY_FRACTION = 0.25
CORRIDOR_FRACTION = 0.25

#: fraction of nameplate counted as firm-ish supply for flat data-center load (assumption)
AVAILABILITY = {
    "ng": 0.90, "coal": 0.85, "nuclear": 0.93, "dfo": 0.90, "geothermal": 0.90, "hydro": 0.50,
    "other": 0.50, "wind": 0.30, "wind_offshore": 0.40, "solar": 0.20,
}


@dataclass
class GridTables:
    subs: pd.DataFrame  # index sub_id: lat, lon, interconnect, state, voltage_kv, load_mw, avail_mw
    lines: pd.DataFrame  # a, b (a < b), kv, rating_mva, n_circuits, length_km


def _state_codes(raw: Path) -> dict[str, str]:
    states = json.loads((raw / "us-cities-geonames" / "us_states.json").read_text())
    return {v["name"]: k for k, v in states.items()}


def load_grid(raw: Path) -> GridTables:
    """Read the raw synthetic grid and return substation and HV line tables (>= 100 kV)."""
    d = raw / "usa-tamu-synthetic-grid" / "raw"
    sub = pd.read_csv(d / "sub.csv.gz").set_index("sub_id").sort_index()
    bus = pd.read_csv(d / "bus.csv.gz")
    b2s = pd.read_csv(d / "bus2sub.csv.gz").set_index("bus_id")["sub_id"]
    branch = pd.read_csv(d / "branch.csv.gz")
    plant = pd.read_csv(d / "plant.csv.gz")
    zone = pd.read_csv(d / "zone.csv").set_index("zone_id")
    codes = _state_codes(raw)

    bus["sub_id"] = b2s.reindex(bus.bus_id).to_numpy()
    bus["state"] = zone["state"].map(codes).reindex(bus.zone_id).to_numpy()
    kv = bus.groupby("sub_id").baseKV.max()
    load = bus.groupby("sub_id").Pd.sum()
    # state of the majority of buses (ties -> alphabetical) at the substation
    st = (bus.groupby(["sub_id", "state"]).size().rename("n").reset_index()
          .sort_values(["sub_id", "n", "state"], ascending=[True, False, True])
          .drop_duplicates("sub_id").set_index("sub_id")["state"])
    plant = plant[plant.status == 1].copy()
    plant["avail"] = plant.Pmax.clip(lower=0) * plant["type"].map(AVAILABILITY).fillna(0.5)
    plant["sub_id"] = b2s.reindex(plant.bus_id).to_numpy()
    avail = plant.groupby("sub_id").avail.sum()
    pmax = plant.groupby("sub_id").Pmax.sum()

    subs = sub[["lat", "lon", "interconnect", "name"]].copy()
    subs["voltage_kv"] = kv.reindex(subs.index)
    subs["load_mw"] = load.reindex(subs.index).fillna(0.0)
    subs["avail_mw"] = avail.reindex(subs.index).fillna(0.0)
    subs["pmax_mw"] = pmax.reindex(subs.index).fillna(0.0)
    subs["state"] = st.reindex(subs.index)
    subs = subs[subs.voltage_kv >= MIN_KV]

    bkv = bus.set_index("bus_id").baseKV
    br = branch[(branch.status == 1) & (branch.branch_device_type == "Line")].copy()
    br["fkv"] = bkv.reindex(br.from_bus_id).to_numpy()
    br["tkv"] = bkv.reindex(br.to_bus_id).to_numpy()
    br["kv"] = np.minimum(br.fkv, br.tkv)
    br = br[br.kv >= MIN_KV]
    br["fs"] = b2s.reindex(br.from_bus_id).to_numpy()
    br["ts"] = b2s.reindex(br.to_bus_id).to_numpy()
    br = br[br.fs != br.ts]
    med = br[br.rateA > 0].groupby("kv").rateA.median()
    br["rating"] = np.where(br.rateA > 0, br.rateA, br.kv.map(med).to_numpy())
    br["a"] = np.minimum(br.fs, br.ts)
    br["b"] = np.maximum(br.fs, br.ts)
    lines = (br.groupby(["a", "b"]).agg(kv=("kv", "max"), rating_mva=("rating", "sum"),
                                        n_circuits=("branch_id", "size")).reset_index())
    lines = lines[lines.a.isin(subs.index) & lines.b.isin(subs.index)].reset_index(drop=True)
    la, lb = subs.loc[lines.a], subs.loc[lines.b]
    lines["length_km"] = haversine_km(la.lon.to_numpy(), la.lat.to_numpy(), lb.lon.to_numpy(), lb.lat.to_numpy())
    return GridTables(subs=subs, lines=lines.sort_values(["a", "b"]).reset_index(drop=True))


@dataclass
class RegionGrid:
    substations: pd.DataFrame  # index sub_id; lat, lon, state, voltage_kv, headroom_mw, supply_mw, ...
    corridors: pd.DataFrame  # a, b, voltage_kv, capacity_mw, n_circuits
    n_raw_nodes: int
    n_raw_lines: int
    spacing_km: float


def _graph(nodes, lines: pd.DataFrame) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(sorted(int(n) for n in nodes))
    for r in lines.itertuples(index=False):
        g.add_edge(int(r.a), int(r.b), length_km=max(float(r.length_km), 0.01))
    return g


def region_grid(grid: GridTables, region: Region) -> RegionGrid:
    s = grid.subs
    s = s[(s.interconnect == region.interconnect)
          & in_bbox(s.lon, s.lat, region.bbox, GRID_BUFFER_DEG)]
    ln = grid.lines[grid.lines.a.isin(s.index) & grid.lines.b.isin(s.index)]
    g = _graph(s.index, ln)
    comp = max(nx.connected_components(g), key=lambda c: (len(c), -min(c)))
    s = s.loc[sorted(comp)]
    ln = ln[ln.a.isin(s.index) & ln.b.isin(s.index)].reset_index(drop=True)
    g = g.subgraph(s.index).copy()

    incident = (pd.concat([ln[["a", "rating_mva"]].rename(columns={"a": "n"}),
                           ln[["b", "rating_mva"]].rename(columns={"b": "n"})])
                .groupby("n").rating_mva.sum().reindex(s.index).fillna(0.0))
    order = sorted(s.index, key=lambda i: (-s.at[i, "voltage_kv"], -incident.at[i], i))
    lon, lat = s.lon.to_numpy(), s.lat.to_numpy()
    pos = {sid: k for k, sid in enumerate(s.index)}
    kept: list[int] = []
    spacing = SPACINGS_KM[-1]
    for sp in SPACINGS_KM:
        kept = []
        if sp == 0:
            kept = list(order)
        else:
            kl, kt = [], []
            for sid in order:
                k = pos[sid]
                if kl and haversine_km(lon[k], lat[k], np.array(kl), np.array(kt)).min() < sp:
                    continue
                kept.append(sid)
                kl.append(lon[k])
                kt.append(lat[k])
        if len(kept) <= TARGET_NODES:
            spacing = sp
            break
    kept_set = set(kept)
    # nearest kept substation by network distance
    _, paths = nx.multi_source_dijkstra(g, sorted(kept_set), weight="length_km")
    rep = {n: p[0] for n, p in paths.items()}
    s = s.assign(rep=[rep[i] for i in s.index])
    ln = ln.assign(ra=ln.a.map(rep), rb=ln.b.map(rep))

    cl = s.groupby("rep").agg(cl_load=("load_mw", "sum"), cl_avail=("avail_mw", "sum"),
                              cl_pmax=("pmax_mw", "sum"), cl_n=("name", "size"))
    out = s.loc[sorted(kept_set)].join(cl)
    out["incident_mva"] = incident.reindex(out.index)
    cap = out.voltage_kv.map(lambda v: max(c for k, c in HEADROOM_CAP_MW.items() if k <= v))
    out["headroom_mw"] = np.minimum((HEADROOM_FRACTION * out.incident_mva - out.load_mw).clip(lower=0.0), cap)
    out["supply_mw"] = SUPPLY_FRACTION * (out.cl_avail - out.cl_load).clip(lower=0.0)

    inter = ln[ln.ra != ln.rb].copy()
    inter["x"] = np.minimum(inter.ra, inter.rb)
    inter["y"] = np.maximum(inter.ra, inter.rb)
    cor = (inter.groupby(["x", "y"]).agg(voltage_kv=("kv", "max"), rating_mva=("rating_mva", "sum"),
                                         n_circuits=("n_circuits", "sum")).reset_index()
           .rename(columns={"x": "a", "y": "b"}))
    cor["capacity_mw"] = CORRIDOR_FRACTION * cor.rating_mva
    return RegionGrid(substations=out, corridors=cor.sort_values(["a", "b"]).reset_index(drop=True),
                      n_raw_nodes=len(s), n_raw_lines=len(ln), spacing_km=spacing)
