"""Generate synthetic studies in the bundled dataset format, scaled independently per dimension.

    python benchmarks/generate.py --sites 300 --regions 20 --slices 12 --substations 80 --out /tmp/gen300

Geography: points scattered over a Texas-sized box; substations linked to their 3 nearest
neighbours (corridors), PoPs linked likewise (fiber), seasonal/diurnal temperatures with a
north-south gradient, an ERCOT-like price shape. Seeded: same arguments, same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

from siteplan.io.writer import line, write_dataset
from siteplan.geo import distance_matrix_km

BOX = (-103.0, -94.5, 28.5, 35.5)  # lon min, lon max, lat min, lat max
BOXES = {"texas": BOX, "us": (-122.0, -72.0, 29.0, 47.0)}  # "us": contiguous-US-sized, for national studies


def _pts(rng, n, box=BOX):
    """``n`` points uniform over the part of ``box`` that is US land (the bundled state boundaries,
    the same land :mod:`siteplan.io.land` checks datasets against): the boxes reach into Mexico, the Gulf,
    the oceans and Canada, where a dataset's sites and demand regions may not lie."""
    import shapely

    from siteplan.io.land import _land

    land = _land()
    if land is None:  # no basemap bundled: the whole box
        return np.column_stack([rng.uniform(box[0], box[1], n), rng.uniform(box[2], box[3], n)])
    kept = np.empty((0, 2))
    while len(kept) < n:
        xy = np.column_stack([rng.uniform(box[0], box[1], 2 * n), rng.uniform(box[2], box[3], 2 * n)])
        kept = np.vstack([kept, xy[shapely.contains_xy(land, xy[:, 0], xy[:, 1])]])
    return kept[:n]


def _near(rng, anchors, sd_deg):
    """One point per anchor, normally scattered ``sd_deg`` around it; a point that falls off US land
    (an anchor near a coast or the border) is drawn again, and after 20 tries sits on its anchor."""
    import shapely

    from siteplan.io.land import _land

    land = _land()
    xy = anchors + rng.normal(0, sd_deg, anchors.shape)
    if land is None:
        return xy
    for _ in range(20):
        off = ~shapely.contains_xy(land, xy[:, 0], xy[:, 1])
        if not off.any():
            return xy
        xy[off] = anchors[off] + rng.normal(0, sd_deg, (int(off.sum()), 2))
    off = ~shapely.contains_xy(land, xy[:, 0], xy[:, 1])
    xy[off] = anchors[off]
    return xy


def _knn_edges(xy, k):
    d = distance_matrix_km(xy[:, 1], xy[:, 0], xy[:, 1], xy[:, 0])
    np.fill_diagonal(d, np.inf)
    edges = set()
    for i in range(len(xy)):
        for j in np.argsort(d[i], kind="stable")[:k]:
            edges.add((min(i, int(j)), max(i, int(j))))
    return sorted(edges)


def generate(out: Path, sites: int, regions: int, slices: int, substations: int, pops: int = 30,
             stations: int = 20, seed: int = 0, total_demand_h100e: float | None = None,
             box: str = "texas") -> Path:
    """Write a dataset folder and a scenario ``<out>/study.yaml``; return the scenario path.

    ``box`` is the area points are scattered over: "texas" (default) or "us" (contiguous-US sized;
    zones split at its middle latitude, temperatures fall with latitude as in the Texas box).
    """
    rng = np.random.default_rng(seed)
    out = Path(out)
    bb = BOXES[box]
    mid = 31.5 if box == "texas" else 0.5 * (bb[2] + bb[3])
    sxy, bxy, pxy, rxy, txy = (_pts(rng, n, bb) for n in (sites, substations, pops, regions, stations))
    # put each site near a substation, as real candidate parcels are
    near = rng.integers(0, substations, sites)
    sxy = _near(rng, bxy[near], 0.08)
    site_rows = [dict(site_id=f"s{i:05d}", lon=x, lat=y, max_it_mw=float(rng.choice([50, 100, 200, 300, 500])),
                      land_cost_usd=float(rng.uniform(5e6, 40e6)), zone="Z1" if y > mid else "Z2")
                 for i, (x, y) in enumerate(sxy)]
    kv = rng.choice([138.0, 230.0, 345.0], substations, p=[0.4, 0.35, 0.25])
    sub_rows = [dict(substation_id=f"b{i:05d}", lon=x, lat=y, voltage_kv=float(kv[i]),
                     headroom_mw=float(rng.choice([50, 150, 300, 600])), zone="Z1" if y > mid else "Z2",
                     supply_mw=float(rng.choice([0, 0, 500, 1500]))) for i, (x, y) in enumerate(bxy)]
    cor = [dict(corridor_id=f"c{n:05d}", from_id=f"b{i:05d}", to_id=f"b{j:05d}",
                capacity_mw=float(rng.choice([200, 500, 1000])), voltage_kv=float(min(kv[i], kv[j])),
                geometry=line(tuple(bxy[i]), tuple(bxy[j]))) for n, (i, j) in enumerate(_knn_edges(bxy, 3))]
    pop_rows = [dict(pop_id=f"p{i:04d}", lon=x, lat=y) for i, (x, y) in enumerate(pxy)]
    fib = [dict(link_id=f"f{n:05d}", from_id=f"p{i:04d}", to_id=f"p{j:04d}", length_km=None,
                geometry=line(tuple(pxy[i]), tuple(pxy[j]))) for n, (i, j) in enumerate(_knn_edges(pxy, 3))]
    total = total_demand_h100e or 60.0 * sites * 10  # roughly 10 % of total site capacity in H100e
    share = rng.dirichlet(np.ones(regions))
    dem = [dict(region_id=f"r{i:04d}", lon=x, lat=y, inference_gpus=float(round(0.6 * total * share[i])),
                training_gpus=float(round(0.4 * total * share[i]))) for i, (x, y) in enumerate(rxy)]
    names = [f"t{i:03d}" for i in range(slices)]
    w = np.full(slices, 8760.0 / slices)
    phase = np.arange(slices) / slices * 2 * np.pi
    base = 28.0 - 2.0 * (txy[:, 1:2] - bb[2])
    dry = base + 10.0 * np.sin(phase)[None, :] + rng.normal(0, 1.0, (stations, slices))
    wet = dry - rng.uniform(3, 10, (stations, 1))
    price = 45.0 + 25.0 * np.sin(phase) ** 2
    prices = [dict(zone=z, slice=t, energy_price_usd_per_mwh=float(p * (1.0 if z == "Z1" else 1.1)),
                   carbon_t_per_mwh=0.4) for z in ("Z1", "Z2") for t, p in zip(names, price)]
    write_dataset(out / "data", name=f"generated-{sites}", sites=site_rows, substations=sub_rows, transmission=cor,
                  pops=pop_rows, fiber=fib, demand=dem,
                  stations=[dict(station=f"w{i:03d}", lon=x, lat=y) for i, (x, y) in enumerate(txy)],
                  slices=names, weight_h=list(w), dry_bulb_c=dry, wet_bulb_c=wet, prices=prices,
                  sources="synthetic (benchmarks/generate.py)")
    repo = Path(__file__).resolve().parents[1]
    sc = {"name": f"generated_{sites}s_{regions}r_{slices}t", "dataset": "data",
          "catalog": str(repo / "data/catalog.yaml"), "horizon_yr": 4,
          "rack_types": ["gb200_nvl72", "hgx_b200", "hgx_h100"],  # today's generations, as the bundled regions
          "workloads": {"inference": {"max_rtt_ms": 15}, "training": {"max_rtt_ms": 100}},
          "unmet_penalty_usd_per_gpu_yr": 100000, "solver": {"time_limit_s": 600, "mip_rel_gap": 0.01}}
    (out / "study.yaml").write_text(yaml.safe_dump(sc, sort_keys=False))
    return out / "study.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--slices", type=int, default=12)
    ap.add_argument("--substations", type=int, default=80)
    ap.add_argument("--pops", type=int, default=30)
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--box", choices=sorted(BOXES), default="texas")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    print(generate(a.out, a.sites, a.regions, a.slices, a.substations, a.pops, a.stations, seed=a.seed,
                   box=a.box))


if __name__ == "__main__":
    main()
