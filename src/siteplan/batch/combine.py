"""Combine a batch's scenario folders: ``batch.nc``, ``batch.csv``, ``batch_sites.csv``, ``batch.png``.

Layout of ``batch.nc`` (xarray Dataset)

* dimension ``scenario`` (the stable ids) with coordinates ``region``, ``status`` and one coordinate
  per swept parameter, named by its key path (``carbon.price_usd_per_t``); headline figures
  (objective, IT MW, open sites, compute, unmet, emissions, water, gap, timings) along it, and
  ``cost_usd_per_yr`` along (``scenario``, ``cost_category``). Failed scenarios have NaN figures
  and their ``status``/``reason``.
* per-site decisions as a *contiguous ragged array* (the CF convention for collections of unequal
  length): dimension ``site_row``, one row per (scenario, candidate site), with coordinates
  ``site_scenario``, ``site_region`` and ``site_id``, and ``site_count(scenario)`` giving how many
  rows each scenario owns (rows are in scenario order).

Why ragged and not a ``(scenario, site)`` grid: regions share no site ids, so a common ``site``
dimension would be the union of every region's sites and each scenario would fill only its own
region's part (with N regions, (N-1)/N of every per-site array would be NaN padding, and a site
id would look comparable across regions when it is not). Within one region the grid is what you
want, and :func:`region_sites` builds it: ``(scenario, site)`` arrays for the scenarios of one
region. ``batch_sites.csv`` is the same table as the ragged rows, for spreadsheets and pandas.

``batch.csv`` and ``batch_sites.csv`` write numbers as every siteplan CSV does (sites.csv too;
``docs/outputs.md``): rounded by unit (money to the cent, MW to 0.1 kW, seconds to the millisecond),
no -0.0, counts (open sites, GPUs, racks, on-site units) as integers, booleans (a site's ``open``) as
True/False, a missing value (a failed scenario's figures) an empty cell; swept values as given.

The chart ``batch.png`` shows annual cost, IT capacity and emissions against each swept axis (a grid
key, or a zip group's keys together), one colour per region; on each panel the other axes are held at
their base values (``on_axis_line``, ``held_at``), so an effect is not averaged away.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.batch.sweep import Sweep, _fmt_value

HEADLINE = {  # name -> (units, description)
    "objective_usd_per_yr": ("USD/yr", "objective: annualised cost incl. unmet-demand penalty, less revenue "
                                       "under max_profit (= -profit there)"),
    "best_bound_usd_per_yr": ("USD/yr", "solver best bound"),
    "mip_gap": ("1", "relative MIP gap"),
    "open_sites": ("sites", "open sites"),
    "it_mw": ("MW", "nameplate critical IT power, all sites"),
    "compute_h100e": ("H100e", "installed compute"),
    "gpus": ("GPUs", "GPUs installed"),
    "demand_h100e": ("H100e", "demand (scaled)"),
    "unmet_h100e": ("H100e", "unmet demand"),
    "emissions_t_per_yr": ("t CO2/yr", "grid and on-site emissions"),
    "water_m3_per_yr": ("m3/yr", "water use"),
    "interconnect_mw": ("MW", "grid capacity contracted"),
    "onsite_mw": ("MW", "on-site generator capacity"),
}
TIMINGS = ("prepare", "build", "handoff", "solve", "extract", "total")
FINISHED = ("optimal", "time_limit", "stopped")


def _param_values(vals: list):
    """A numpy array for a parameter coordinate: bool, float (None -> NaN) or str."""
    if all(isinstance(v, bool) for v in vals):
        return np.array(vals, dtype=bool)
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in vals) and \
            any(v is not None for v in vals):
        return np.array([np.nan if v is None else float(v) for v in vals])
    return np.array([_fmt_value(v) for v in vals], dtype=str)


def load_records(out: Path, sw: Sweep) -> list[dict]:
    from siteplan.batch.folders import read_status

    recs = []
    for s in sw.specs:
        r = read_status(out, s.id)
        if r is None or r.get("spec_hash") not in (None, s.spec_hash):
            r = {"id": s.id, "region": s.region, "status": "missing", "reason": "not run (or sweep changed)",
                 "headline": None}
        r["params"] = s.params
        recs.append(r)
    return recs


def _site_tables(out: Path, recs: list[dict]) -> list[pd.DataFrame]:
    tabs = []
    for r in recs:
        p = out / "scenarios" / r["id"] / "sites.csv"
        if r.get("status") in FINISHED and p.exists():
            df = pd.read_csv(p, keep_default_na=False, na_values=[""])
            tabs.append(df)
        else:
            tabs.append(pd.DataFrame())
    return tabs


def build_dataset(sw: Sweep, recs: list[dict], site_tabs: list[pd.DataFrame]) -> xr.Dataset:
    """The combined Dataset (see the module docstring for the layout)."""
    ids = [r["id"] for r in recs]
    n = len(ids)
    coords: dict = {"scenario": ids,
                    "region": ("scenario", np.array([r["region"] for r in recs], dtype=str)),
                    "status": ("scenario", np.array([r.get("status") or "" for r in recs], dtype=str))}
    for k in sw.param_keys:
        coords[k] = ("scenario", _param_values([r["params"].get(k) for r in recs]),
                     {"description": f"swept parameter (scenario key path {k})"})
    data: dict = {}
    for name, (units, desc) in HEADLINE.items():
        vals = [(r.get("headline") or {}).get(name, np.nan) for r in recs]
        data[name] = ("scenario", np.array(vals, dtype=float), {"units": units, "description": desc})
    for t in TIMINGS:
        vals = [((r.get("headline") or {}).get("timings_s") or {}).get(t, np.nan) for r in recs]
        data[f"{t}_s"] = ("scenario", np.array(vals, dtype=float), {"units": "s", "description": f"{t} time"})
    data["wall_s"] = ("scenario", np.array([r.get("wall_s") if r.get("wall_s") is not None else np.nan
                                            for r in recs], dtype=float),
                      {"units": "s", "description": "wall time on the worker (load to results)"})
    data["reason"] = ("scenario", np.array([r.get("reason") or "" for r in recs], dtype=str),
                      {"description": "why the scenario failed or stopped early ('' if optimal)"})
    cats: list[str] = []
    for r in recs:
        for c in ((r.get("headline") or {}).get("cost_usd_per_yr") or {}):
            if c not in cats:
                cats.append(c)
    cost = np.full((n, len(cats)), np.nan)
    for i, r in enumerate(recs):
        for j, c in enumerate(cats):
            cost[i, j] = ((r.get("headline") or {}).get("cost_usd_per_yr") or {}).get(c, np.nan)
    coords["cost_category"] = cats
    data["cost_usd_per_yr"] = (("scenario", "cost_category"), cost, {"units": "USD/yr", "description": "annual cost"})

    # per-site decisions, contiguous ragged: rows of scenario i come before rows of scenario i+1
    counts = np.array([len(t) for t in site_tabs], dtype=np.int64)
    data["site_count"] = ("scenario", counts, {"sample_dimension": "site_row",
                                               "description": "rows of site_row owned by each scenario"})
    nonempty = [t for t in site_tabs if len(t)]
    table = pd.concat(nonempty, ignore_index=True, sort=False) if nonempty else pd.DataFrame({"site_id": []})
    row_scen = np.repeat(np.array(ids, dtype=str), counts)
    row_region = np.repeat(np.array([r["region"] for r in recs], dtype=str), counts)
    coords["site_scenario"] = ("site_row", row_scen, {"description": "scenario id of the row"})
    coords["site_region"] = ("site_row", row_region, {"description": "region of the row"})
    coords["site_id"] = ("site_row", table["site_id"].astype(str).values if len(table) else np.array([], dtype=str))
    for col in table.columns:
        if col == "site_id":
            continue
        s = table[col]
        if s.dtype == bool or set(pd.unique(s.dropna())) <= {True, False} and s.dtype == object:
            # bool in memory; NetCDF stores int8 with dtype="bool", which xarray reads back as bool
            vals = s.fillna(False).astype(bool).values
        elif pd.api.types.is_numeric_dtype(s):
            vals = s.astype(float).values
        else:
            vals = s.fillna("").astype(str).values
        data[f"site_{col}"] = ("site_row", vals, {"description": f"per-site {col} (see a scenario's sites.csv)"})
    axes = [list(a) for a in (sw.axes or tuple((k,) for k in sw.param_keys))]
    if axes:  # scenario i is on axis a's line when every other axis is at its held value
        from siteplan.batch.sweep import _canon

        def at_held(r, keys):
            return all(_canon(r["params"].get(k)) == _canon(sw.held_at.get(k)) for k in keys)

        on_line = np.array([[all(at_held(r, other) for b, other in enumerate(axes) if b != a) for r in recs]
                            for a in range(len(axes))], dtype=np.int8)
        coords["axis"] = [" + ".join(a) for a in axes]
        data["on_axis_line"] = (("axis", "scenario"), on_line,
                                {"description": "1 where every other swept axis is at its held value (batch.png)"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({"sweep": sw.name, "description": sw.description, "sweep_file": str(sw.source_file),
                     "param_keys": json.dumps(list(sw.param_keys)), "regions": json.dumps(list(sw.regions)),
                     "param_axes": json.dumps(axes), "held_at": json.dumps(sw.held_at, default=str),
                     "layout": "headline along scenario; per-site rows along site_row (CF contiguous ragged, "
                               "see site_count); siteplan.batch.region_sites() gives (scenario, site) arrays"})
    return ds


def region_sites(ds: xr.Dataset, region: str) -> xr.Dataset:
    """Per-site decisions of one region's scenarios on a ``(scenario, site)`` grid.

    >>> ds = xr.open_dataset("results/batch/example/batch.nc")   # doctest: +SKIP
    >>> region_sites(ds, "example")["site_it_mw"]                  # doctest: +SKIP
    """
    idx = np.flatnonzero(ds["site_region"].values == region)
    cols = {"scenario": ds["site_scenario"].values[idx], "site": ds["site_id"].values[idx]}
    for v in ds.data_vars:
        if ds[v].dims == ("site_row",):
            cols[v] = ds[v].values[idx]
    df = pd.DataFrame(cols).set_index(["scenario", "site"])
    out = xr.Dataset.from_dataframe(df)
    scen = [s for s in ds["scenario"].values if s in set(df.index.get_level_values(0))]
    out = out.sel(scenario=scen)
    keep = [c for c in ds.coords if ds[c].dims == ("scenario",) and c != "scenario"]
    return out.assign_coords({c: ("scenario", ds[c].sel(scenario=scen).values) for c in keep})


def batch_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario: id, region, swept values, status, headline figures, cost by category;
    numbers as batch.csv writes them (rounded by unit, counts as integers: see the module docstring)."""
    keys = json.loads(ds.attrs.get("param_keys", "[]"))
    df = pd.DataFrame({"scenario": ds["scenario"].values, "region": ds["region"].values})
    for k in keys:
        df[k] = ds[k].values
    df["status"] = ds["status"].values
    ok = np.isin(ds["status"].values, FINISHED)
    for v in list(HEADLINE) + [f"{t}_s" for t in TIMINGS] + ["wall_s"]:
        df[v] = _clean(ds[v].values)
    if "mip_gap" in df:  # a gap of 1e-16 is float noise of (objective - bound) / objective: 0
        gap = df["mip_gap"].to_numpy(float)
        df["mip_gap"] = np.where(np.abs(gap) < GAP_NOISE, 0.0, gap)
    for j, c in enumerate(ds["cost_category"].values):
        # a finished scenario without a cost category has none of it (0); a failed one: blank
        col = _clean(ds["cost_usd_per_yr"].values[:, j])
        df[f"cost_{c}_usd_per_yr"] = np.where(ok & np.isnan(col), 0.0, col)
    df["reason"] = ds["reason"].values
    return _csv(df, keys)


def _csv(df: pd.DataFrame, keys) -> pd.DataFrame:
    """Numbers as every siteplan CSV writes them (:func:`siteplan.results.folder.csv_numbers`: rounded by unit
    as in sites.csv, no -0.0, counts as integers, booleans True/False); swept values as given."""
    from siteplan.results.folder import csv_numbers

    return csv_numbers(df, skip=tuple(keys))


GAP_NOISE = 1e-9  # |mip_gap| below this is written as 0 in batch.csv


def _tick(v) -> str:
    """A swept value as a tick label: 0.5, 100, True, a list as its items."""
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)


def _clean(values: np.ndarray) -> np.ndarray:
    """Floats with -0.0 (a solver's zero) written as 0.0."""
    v = np.asarray(values, dtype=float)
    return np.where(v == 0.0, 0.0, v)


def sites_table(ds: xr.Dataset) -> pd.DataFrame:
    """The ragged per-site rows as one long table (scenario, region, swept values, site columns), as
    batch_sites.csv writes it (``open`` True/False, counts as integers, numbers rounded by unit)."""
    keys = json.loads(ds.attrs.get("param_keys", "[]"))
    df = pd.DataFrame({"scenario": ds["site_scenario"].values, "region": ds["site_region"].values})
    if len(df):
        for k in keys:
            df[k] = ds[k].sel(scenario=df["scenario"].values).values
    df["site_id"] = ds["site_id"].values
    for v in ds.data_vars:
        if ds[v].dims == ("site_row",):
            df[v[len("site_"):]] = ds[v].values
    if "name" in df:  # as in sites.csv: the site's name, then its id
        cols = [c for c in df.columns if c != "name"]
        cols.insert(cols.index("site_id"), "name")
        df = df[cols]
    return _csv(df, keys)


def plot_batch(ds: xr.Dataset, path: Path) -> Path:
    """Draw :func:`batch_figure` into ``path`` (PNG)."""
    import matplotlib.pyplot as plt

    fig = batch_figure(ds)
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
    return path


def batch_figure(ds: xr.Dataset):
    """Annual cost, IT MW and emissions against each swept axis (a grid key, or a zip group's keys
    together), one colour per region; on each panel the other axes are held at their base values
    (``held_at``, said in the panel's title), so no effect is averaged away. Scenarios off the line
    are faint dots."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    axes_keys = json.loads(ds.attrs.get("param_axes", "null")) or \
        [[k] for k in json.loads(ds.attrs.get("param_keys", "[]"))] or [["region"]]
    held = json.loads(ds.attrs.get("held_at", "{}"))
    on_line = ds["on_axis_line"].values.astype(bool) if "on_axis_line" in ds else \
        np.ones((len(axes_keys), ds.sizes["scenario"]), dtype=bool)
    ok = np.isin(ds["status"].values, FINISHED)
    regions = list(dict.fromkeys(ds["region"].values.tolist()))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ncol = len(axes_keys)
    metrics = (("objective_usd_per_yr", 1e-6, "annual cost ($M/yr)"), ("it_mw", 1.0, "IT capacity (MW)"),
               ("emissions_t_per_yr", 1e-3, "emissions (kt CO2/yr)"))
    fig, axes = plt.subplots(len(metrics), ncol, figsize=(4.4 * ncol + 2.0, 9.6), squeeze=False)
    for j, keys in enumerate(axes_keys):
        key = keys[0]
        raw = ds[key].values if key != "region" else ds["region"].values
        numeric = raw.dtype.kind in "fiu"
        cats = sorted(set(raw.tolist()), key=lambda v: (isinstance(v, str), v)) if not numeric else None
        xpos = raw.astype(float) if numeric else np.array([cats.index(v) for v in raw.tolist()], dtype=float)
        line = on_line[j] if key != "region" else np.ones(len(raw), dtype=bool)
        others = [f"{k}={held[k]}" for b, ks in enumerate(axes_keys) if b != j for k in ks if k in held]
        for i, (var, scale, label) in enumerate(metrics):
            ax = axes[i, j]
            for ri, reg in enumerate(regions):
                c = colors[ri % len(colors)]
                sel = ok & (ds["region"].values == reg)
                off = sel & ~line
                if off.any():
                    ax.scatter(xpos[off], ds[var].values[off] * scale, color=c, s=10, alpha=0.2)
                on = sel & line
                if not on.any():
                    continue
                order = np.argsort(xpos[on], kind="stable")
                x, y = xpos[on][order], ds[var].values[on][order] * scale
                ax.plot(x, y, color=c, lw=1.4, marker="o", ms=4, label=reg if (i == 0 and j == 0) else None)
            failed = ~ok & line
            for x in np.unique(xpos[failed]):
                ax.axvline(x, color="0.6", ls=":", lw=0.8)
            if len(keys) > 1:  # a zip group: each position labelled with every zipped key's value
                where = line if line.any() else np.ones(len(raw), dtype=bool)
                tick = {}
                for s_i in np.flatnonzero(where):
                    tick.setdefault(float(xpos[s_i]), " / ".join(_tick(ds[k].values[s_i]) for k in keys))
                ax.set_xticks(sorted(tick))
                ax.set_xticklabels([tick[t] for t in sorted(tick)], rotation=20, ha="right", fontsize=8)
            elif not numeric:
                ax.set_xticks(range(len(cats)))
                ax.set_xticklabels([str(c) for c in cats], rotation=20, ha="right", fontsize=8)
            ax.set_xlabel(" + ".join(keys) if len(keys) > 1 else key, fontsize=9)  # ticks: values in this order
            if i == 0 and others:
                ax.set_title("others at " + ", ".join(others), fontsize=7, wrap=True)
            if j == 0:
                ax.set_ylabel(label)
            ax.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="center right", title="region", fontsize=8)
    nfail = int((~ok).sum())
    fig.suptitle(f"batch {ds.attrs.get('sweep', '')}: {len(ok)} scenarios"
                 + (f", {nfail} failed (dotted)" if nfail else "")
                 + "\nlines: one swept value at a time, the others at their base values; faint dots: other scenarios",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1 - 1.3 / fig.get_figwidth() if handles else 1, 0.93))
    return fig


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)


def combine_batch(out: str | Path, sw: Sweep) -> dict[str, Path]:
    """Write ``batch.nc``, ``batch.csv``, ``batch_sites.csv`` and ``batch.png`` from the scenario folders."""
    out = Path(out)
    recs = load_records(out, sw)
    ds = build_dataset(sw, recs, _site_tables(out, recs))
    files = {"batch.nc": out / "batch.nc", "batch.csv": out / "batch.csv",
             "batch_sites.csv": out / "batch_sites.csv", "batch.png": out / "batch.png"}
    _atomic(files["batch.nc"], lambda p: ds.to_netcdf(p))
    _atomic(files["batch.csv"], lambda p: batch_table(ds).to_csv(p, index=False))
    _atomic(files["batch_sites.csv"], lambda p: sites_table(ds).to_csv(p, index=False))
    _atomic(files["batch.png"], lambda p: plot_batch(ds, p) and None)
    return files


__all__ = ["combine_batch", "build_dataset", "region_sites", "batch_table", "sites_table", "plot_batch",
           "load_records"]
