"""Serving demand for :func:`siteplan.prepare.prepare`: the fiber graph and round-trip times, each
region's demand and RTT limit per workload, the (site, region, workload) pairs within the limit,
serving costs, and notes on demand that cannot or will not be planned."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from siteplan.config import Scenario
from siteplan.io import YEARLY_DEMAND, Dataset
from siteplan.prepare.graphs import fiber_graph, rtt_matrix

__all__ = ["latency", "regional_demand", "serve_pairs", "serving_costs", "option_notes", "demand_notes"]


def latency(sc: Scenario, dataset: Dataset, sites_gdf) -> tuple[nx.Graph, pd.DataFrame, pd.DataFrame,
                                                                 pd.DataFrame, pd.DataFrame | None]:
    """The fiber graph, RTT (ms) site x region, the sites' and regions' PoPs, and direct metro km."""
    fgraph = fiber_graph(dataset.pops, dataset.fiber, sc.network.route_factor)
    rtt, site_pop, region_pop, direct_km = rtt_matrix(
        sites_gdf, dataset.demand, dataset.pops, fgraph, sc.network.lateral_route_factor,
        sc.network.us_per_km, sc.network.rtt_overhead_ms, dataset.latency,
        sc.network.metro_max_km, sc.network.route_factor)
    return fgraph, rtt, site_pop, region_pop, direct_km


def regional_demand(sc: Scenario, dataset: Dataset, workloads: list[str],
                    year: int | None) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """The demand regions, their RTT limit (ms) and their scaled demand (H100e) per workload; in a
    build-out period (``year``), the demand layer's ``<class>_gpus_<year>`` where given."""
    regions = sorted(dataset.demand.index)
    max_rtt = pd.DataFrame(index=regions, columns=workloads, dtype=float)
    demand = pd.DataFrame(index=regions, columns=workloads, dtype=float)
    for w in workloads:
        own = dataset.demand[f"{w}_max_rtt_ms"].reindex(regions)
        max_rtt[w] = own.where(np.isfinite(own), sc.workloads[w].max_rtt_ms)
        gpus = dataset.demand[f"{w}_gpus"]
        if year is not None and f"{w}_gpus_{year}" in dataset.demand:
            gpus = dataset.demand[f"{w}_gpus_{year}"].fillna(gpus)
        demand[w] = gpus.reindex(regions) * sc.demand_scale
    return regions, max_rtt, demand


def serve_pairs(sites: list[str], regions: list[str], workloads: list[str], rtt: pd.DataFrame,
                max_rtt: pd.DataFrame, demand: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """Which (site, region, workload) is within the RTT limit of a positive demand (a boolean array),
    and those triples, in sorted order."""
    # (site, region, workload) within the RTT limit, in sorted order (vectorised: national studies
    # have millions of combinations)
    rtt_v = rtt.loc[sites, regions].values
    ok = (rtt_v[:, :, None] <= max_rtt.loc[regions, workloads].values[None, :, :]) \
        & (demand.loc[regions, workloads].values[None, :, :] > 0)
    si_, ri_, wi_ = np.nonzero(ok)
    pairs = [(sites[a], regions[b], workloads[c]) for a, b, c in zip(si_.tolist(), ri_.tolist(), wi_.tolist())]
    return ok, pairs


def serving_costs(dataset: Dataset) -> pd.Series:
    """(site, region) -> USD per H100e-yr of serving (empty when the dataset gives none)."""
    if dataset.serving_cost is not None:
        serving = dataset.serving_cost["serving_cost_usd_per_gpu_yr"]
    else:
        serving = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["site_id", "region_id"]))
    return serving


def option_notes(sc: Scenario, sites: list[str], options: pd.DataFrame, generators: list[str]) -> list[str]:
    """A note on the sites without a grid interconnect option."""
    notes = []
    with_option = set(options["site_id"])
    no_option = [s for s in sites if s not in with_option]
    if no_option:
        power = "on-site power only" if generators else "and no on-site generator option: they cannot be powered"
        notes.append(f"{len(no_option)} site(s) have no grid interconnect option within "
                     f"{sc.interconnect.max_distance_km:g} km / {sc.horizon_yr:g} yr ({power})")
    return notes


def demand_notes(sc: Scenario, dataset: Dataset, workloads: list[str], year: int | None, sites: list[str],
                 regions: list[str], rtt: pd.DataFrame, max_rtt: pd.DataFrame, demand: pd.DataFrame,
                 ok: np.ndarray) -> list[str]:
    """Notes on demand not planned: other workload classes, yearly columns of a single-period study,
    regions no site can reach within the RTT limit, a fiber graph linking no site to any region."""
    notes = []
    for col in sorted(c for c in dataset.demand.columns if c.endswith("_gpus") and c[: -len("_gpus")] not in workloads):
        total = float(dataset.demand[col].sum(skipna=True)) * sc.demand_scale  # a null is no demand here
        if total > 0:
            notes.append(f"demand of workload class {col[: -len('_gpus')]!r} ({total:,.0f} H100e in {col}) is not "
                         f"planned: the scenario's workloads are {', '.join(workloads)}")
    if year is None:
        yearly = sorted(c for c in dataset.demand.columns if YEARLY_DEMAND.match(str(c))
                        and YEARLY_DEMAND.match(str(c))["field"][: -len("_gpus")] in workloads)
        if yearly:
            notes.append("demand column(s) " + ", ".join(yearly) + " not used: they give the demand of build-out "
                         "periods (scenario periods), and this study has one period")
    reach = ok.any(axis=0)
    unreachable = [(r, w) for j, r in enumerate(regions) for k, w in enumerate(workloads)
                   if demand.at[r, w] > 0 and not reach[j, k]]
    for r, w in unreachable:
        notes.append(f"demand {r}/{w}: no candidate site within {max_rtt.at[r, w]:g} ms RTT; it will be unmet")
    if math.isinf(rtt.values.min(initial=math.inf)) and len(sites) and len(regions):
        notes.append("the fiber graph connects no site to any demand region")
    return notes
