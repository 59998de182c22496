"""Builders for tiny studies whose optimum can be worked out by hand.

Conventions that keep the arithmetic simple: discount rate 0 and lifetimes of 1 year (so annualised
cost = capex), 1 rack = 1 MW of IT = 1 H100e, utilisation 1, all sites/substations/PoPs a few km
apart, two slices of 4380 h.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import yaml

import siteplan
from siteplan.config import load_catalog, scenario_from_dict
from siteplan.io import load_dataset
from siteplan.io.writer import line, write_dataset
from siteplan.results.invariants import check_plan
from siteplan.prepare import prepare

CATALOG = {
    "economics": {"discount_rate": 0.0, "land_lifetime_yr": 1, "source": "test"},
    "facility": {"capex_usd_per_mw_it": 0.0, "lifetime_yr": 1, "source": "test"},
    "network": {"fiber_lateral_cost_usd_per_km": 0.0, "lateral_lifetime_yr": 1, "source": "test"},
    "rack_types": {"r1": {"name": "1 MW rack", "gpus_per_rack": 1, "h100e_per_gpu": 1.0, "rack_kw": 1000.0,
                          "capex_usd_per_rack": 0.0, "lifetime_yr": 1, "source": "test"}},
    "cooling_designs": {
        "air": {"name": "air", "max_rack_kw": 2000.0, "capex_usd_per_mw_it": 0.0, "lifetime_yr": 1,
                "needs_water": False, "pue_curve": {"dry_bulb_c": [20, 40], "pue": [1.1, 1.5]},
                "wue_curve": {"wet_bulb_c": [0, 30], "wue_l_per_kwh": [0.0, 0.0]}, "source": "test"},
        "liquid": {"name": "liquid", "max_rack_kw": 2000.0, "capex_usd_per_mw_it": 200000.0, "lifetime_yr": 1,
                   "needs_water": False, "pue_curve": {"dry_bulb_c": [0, 40], "pue": [1.1, 1.1]},
                   "wue_curve": {"wet_bulb_c": [0, 30], "wue_l_per_kwh": [0.0, 0.0]}, "source": "test"},
    },
    "interconnect_classes": {
        "small": {"voltage_kv": 69, "max_mw": 20, "line_cost_usd_per_km": 0.0, "substation_cost_usd": 1e6,
                  "upgrade_cost_usd_per_mw": 1e6, "lead_time_yr": 1, "upgrade_lead_time_yr": 1, "lifetime_yr": 1,
                  "source": "test"},
        "big": {"voltage_kv": 138, "max_mw": 100, "line_cost_usd_per_km": 0.0, "substation_cost_usd": 5e6,
                "upgrade_cost_usd_per_mw": 1e6, "lead_time_yr": 1, "upgrade_lead_time_yr": 1, "lifetime_yr": 1,
                "source": "test"},
    },
    "onsite": {
        "gas": {"kind": "generator", "unit_mw": 5.0, "capex_usd_per_mw": 1e6, "heat_rate_mmbtu_per_mwh": 10.0,
                "fuel_price_usd_per_mmbtu": 5.0, "vom_usd_per_mwh": 0.0, "emissions_t_per_mwh": 0.5,
                "lead_time_yr": 1, "lifetime_yr": 1, "source": "test"},
    },
}

SCENARIO = {
    "name": "tiny", "dataset": "data", "catalog": "catalog.yaml", "horizon_yr": 3,
    "workloads": {"inf": {"max_rtt_ms": 100.0}}, "it_utilisation": 1.0,
    "unmet_penalty_usd_per_gpu_yr": 1e7, "onsite": [],
    "network": {"rtt_overhead_ms": 0.0},
    "interconnect": {"max_distance_km": 50.0, "line_route_factor": 1.0, "max_options_per_site": 5},
    "solver": {"time_limit_s": 60, "mip_rel_gap": 0.0, "threads": 1, "seed": 0},
    "firm_power": {"redundancy": "none"},
}

SLICES = ["a", "b"]


def site(sid, lon=-97.0, lat=31.0, max_it_mw=100.0, land_cost_usd=0.0, **kw):
    return dict(site_id=sid, lon=lon, lat=lat, max_it_mw=max_it_mw, land_cost_usd=land_cost_usd, zone="Z", **kw)


def sub(bid, lon=-97.0, lat=31.01, headroom_mw=1000.0, supply_mw=1000.0, voltage_kv=138.0):
    return dict(substation_id=bid, lon=lon, lat=lat, voltage_kv=voltage_kv, headroom_mw=headroom_mw, zone="Z",
                supply_mw=supply_mw)


def write_tiny(root: Path, *, sites=None, substations=None, corridors=(), demand_gpus=10.0, temps=(10.0, 10.0),
               price=100.0, scenario=None, catalog=None, latency=None, stations=None, slices=None, weight_h=None,
               days=None, price_columns=None, zone="Z", pop_xy=(-97.0, 31.0)):
    """Write catalog, dataset and scenario under ``root``; return the scenario path.

    By default two slices ``a``, ``b`` of 4380 h without a day structure; ``slices``, ``weight_h``
    and ``days`` (``(day, order_in_day, duration_h)`` per slice) give others. ``price`` is one
    price for every slice or a list, one per slice; temperatures are one per slice.
    ``price_columns`` adds optional prices.csv columns, ``{column: [value per slice]}``.
    ``zone`` names the one zone of every site, substation and price row; ``pop_xy`` places the one PoP.
    """
    slices = list(slices) if slices is not None else SLICES
    weight_h = list(weight_h) if weight_h is not None else [8760.0 / len(slices)] * len(slices)
    prices = list(price) if isinstance(price, (list, tuple)) else [price] * len(slices)
    if temps == (10.0, 10.0) and len(slices) != 2:
        temps = (10.0,) * len(slices)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    cat = copy.deepcopy(CATALOG)
    _merge(cat, catalog or {})
    (root / "catalog.yaml").write_text(yaml.safe_dump(cat))
    sites = [{**s, "zone": zone} for s in (sites if sites is not None else [site("s1")])]
    substations = [{**b, "zone": zone} for b in (substations if substations is not None else [sub("b1")])]
    subs_xy = {b["substation_id"]: (b["lon"], b["lat"]) for b in substations}
    if stations is None:
        stations = {"st": (-97.0, 31.0, temps)}
    st_ids = sorted(stations)
    dry = np.array([list(stations[s][2]) for s in st_ids], float)
    write_dataset(
        root / "data", name="tiny", sites=sites, substations=substations,
        transmission=[dict(corridor_id=c, from_id=a, to_id=b, capacity_mw=cap, voltage_kv=138.0,
                           geometry=line(subs_xy[a], subs_xy[b])) for c, a, b, cap in corridors],
        pops=[dict(pop_id="p1", lon=pop_xy[0], lat=pop_xy[1])], fiber=[],
        demand=[dict(region_id="r1", lon=-97.0, lat=31.0, inf_gpus=demand_gpus)],
        stations=[dict(station=s, lon=stations[s][0], lat=stations[s][1]) for s in st_ids],
        slices=slices, weight_h=weight_h, dry_bulb_c=dry, wet_bulb_c=dry - 5.0,
        prices=[dict(zone=zone, slice=t, energy_price_usd_per_mwh=pr, carbon_t_per_mwh=0.4,
                     **{c: v[j] for c, v in (price_columns or {}).items()})
                for j, (t, pr) in enumerate(zip(slices, prices))],
        latency=latency, days=days)
    sc = copy.deepcopy(SCENARIO)
    _merge(sc, scenario or {})
    path = root / "scenario.yaml"
    path.write_text(yaml.safe_dump(sc))
    return path


def _merge(base: dict, over: dict) -> None:
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v


def solve_checked(scenario_path, **solver):
    """Solve a study and assert every invariant holds; returns (plan, prepared)."""
    study = siteplan.load(scenario_path)
    prep = prepare(study.scenario, study.dataset, study.catalog)
    m = siteplan.build_model(prep)
    plan = siteplan.solve_built(m, prep, **solver)
    problems = check_plan(plan, prep)
    assert problems == [], problems
    return plan, prep
