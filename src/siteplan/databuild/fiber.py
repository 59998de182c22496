"""Internet Topology Zoo backbones -> regional PoPs and fiber routes.

Method: every US backbone in ``graphml-us`` dated 2000 or later that has a PoP in the region area
(core bbox + ``FIBER_PAD_DEG``) contributes those PoPs, their links, and each link from such a PoP
to a PoP outside the area (links to neighbouring metros, with the outside PoP). PoPs of all
networks within ``MERGE_KM`` of each other are merged (single linkage; the merged PoP sits at its
alphabetically first member ``network:node`` and is named after its most common label). Parallel links
collapse to one route; self-loops are dropped. Stitching: every PoP is linked to its nearest other
PoP when that is within ``STITCH_KM`` and not already adjacent (backbones interconnect within a
metro, e.g. at carrier hotels / IXPs; without this a suburb PoP of one network may reach the
city's other PoPs only over a long detour). Only the largest connected component is kept.
length_km = great-circle length x ``ROUTE_FACTOR`` (1.3).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np

from .geo import haversine_km, slug
from .regions import Region, in_bbox

MERGE_KM = 5.0
STITCH_KM = 40.0
ROUTE_FACTOR = 1.3
FIBER_PAD_DEG = 0.5
MIN_YEAR = 2000


def _year(g: nx.Graph) -> int | None:
    for key in ("DateYear", "NetworkDate"):
        m = re.search(r"(\d{4})", str(g.graph.get(key, "")))
        if m:
            return int(m.group(1))
    return None


def load_backbones(raw: Path) -> list[tuple[str, list[tuple[str, str, float, float]], list[tuple[str, str]]]]:
    """[(network, [(node_key, label, lon, lat)], [(u, v)])] for dated (>= 2000) US backbones."""
    out = []
    for f in sorted((raw / "topology-zoo" / "graphml-us").glob("*.graphml")):
        g = nx.read_graphml(f)
        y = _year(g)
        if y is None or y < MIN_YEAR:
            continue
        net = f.stem
        nodes = []
        for n, d in sorted(g.nodes(data=True)):
            if "Latitude" in d and "Longitude" in d:
                nodes.append((f"{net}:{n}", str(d.get("label", n)), float(d["Longitude"]), float(d["Latitude"])))
        keep = {k for k, *_ in nodes}
        edges = sorted({tuple(sorted((f"{net}:{u}", f"{net}:{v}"))) for u, v in g.edges()
                        if f"{net}:{u}" in keep and f"{net}:{v}" in keep and u != v})
        out.append((net, nodes, edges))
    return out


def build_fiber(region: Region, backbones) -> tuple[list[dict], list[dict], list[str]]:
    """Return (pops, links, networks used)."""
    nodes: dict[str, tuple[str, float, float]] = {}
    edges: set[tuple[str, str]] = set()
    used = []
    for net, nn, ee in backbones:
        pos = {k: (lab, lon, lat) for k, lab, lon, lat in nn}
        inside = {k for k, (lab, lon, lat) in pos.items() if in_bbox(lon, lat, region.bbox, FIBER_PAD_DEG)}
        if not inside:
            continue
        sel = [(u, v) for u, v in ee if u in inside or v in inside]
        if not sel:
            continue
        used.append(net)
        for u, v in sel:
            nodes[u], nodes[v] = pos[u], pos[v]
            edges.add((u, v))
    keys = sorted(nodes)
    lon = np.array([nodes[k][1] for k in keys])
    lat = np.array([nodes[k][2] for k in keys])
    # single-linkage merge within MERGE_KM
    parent = list(range(len(keys)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        d = haversine_km(lon[i], lat[i], lon[i + 1:], lat[i + 1:])
        for j in np.nonzero(d < MERGE_KM)[0]:
            a, b = find(i), find(i + 1 + int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(find(i), []).append(i)
    pops, of = [], {}
    used_ids: Counter = Counter()
    for root in sorted(groups):
        members = groups[root]
        labels = Counter(nodes[keys[i]][0] for i in members)
        name = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        pid = "pop_" + slug(name)
        used_ids[pid] += 1
        if used_ids[pid] > 1:
            pid = f"{pid}_{used_ids[pid]}"
        for i in members:
            of[keys[i]] = pid
        pops.append({"pop_id": pid, "name": name, "lon": float(lon[root]), "lat": float(lat[root]),
                     "networks": ",".join(sorted({keys[i].split(":")[0] for i in members}))})
    g = nx.Graph()
    g.add_nodes_from(sorted(p["pop_id"] for p in pops))
    for u, v in sorted(edges):
        a, b = sorted((of[u], of[v]))
        if a != b:
            g.add_edge(a, b)
    plon = np.array([p["lon"] for p in pops])
    plat = np.array([p["lat"] for p in pops])
    for i, p in enumerate(pops):
        d = haversine_km(p["lon"], p["lat"], plon, plat)
        d[i] = np.inf
        j = int(np.argmin(d))
        if d[j] <= STITCH_KM and not g.has_edge(p["pop_id"], pops[j]["pop_id"]):
            g.add_edge(p["pop_id"], pops[j]["pop_id"])
    comp = max(nx.connected_components(g), key=lambda c: (len(c), sorted(c)[0]))
    pops = [p for p in pops if p["pop_id"] in comp]
    pp = {p["pop_id"]: p for p in pops}
    links = []
    for a, b in sorted(tuple(sorted(e)) for e in g.subgraph(comp).edges()):
        pa, pb = pp[a], pp[b]
        gc = float(haversine_km(pa["lon"], pa["lat"], pb["lon"], pb["lat"]))
        links.append({"link_id": f"fib_{a[4:]}__{b[4:]}", "from_id": a, "to_id": b,
                      "length_km": round(max(gc, 0.1) * ROUTE_FACTOR, 1),
                      "coords": [(pa["lon"], pa["lat"]), (pb["lon"], pb["lat"])]})
    return pops, links, sorted(used)
