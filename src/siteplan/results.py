"""Write a Plan as a results folder: NetCDF, GeoPackage, CSV site table and a JSON run manifest."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from siteplan.plan import Plan

PACKAGES = ("siteplan", "pyomo", "highspy", "networkx", "geopandas", "xarray", "numpy", "pandas", "pydantic")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def manifest(plan: Plan, study) -> dict:
    """Everything needed to rerun: inputs with hashes, options, versions and solver statistics."""
    sc = study.scenario
    r = plan.result
    inputs = {}
    files = dict(study.dataset.files)
    files["catalog"] = Path(sc.catalog)
    if sc.source_file:
        files["scenario"] = Path(sc.source_file)
    for k, p in sorted(files.items()):
        inputs[k] = {"path": str(p), "sha256": sha256(Path(p))}
    return {
        "scenario": sc.model_dump(mode="json"),
        "inputs": inputs,
        "versions": _versions(),
        "platform": platform.platform(),
        "solver": {"termination": r.termination.value, "highs_status": r.highs_status, "objective": r.objective,
                   "best_bound": r.best_bound, "gap": r.gap, "rows": r.num_rows, "cols": r.num_cols,
                   "nonzeros": r.num_nonzeros, "integer_cols": r.num_integer, "mip_nodes": r.mip_nodes,
                   "options": sc.solver.model_dump()},
        "timings_s": {"prepare": r.timings.prepare_s, "build": r.timings.build_s, "handoff": r.timings.handoff_s,
                      "solve": r.timings.solve_s, "extract": r.timings.extract_s, "total": r.timings.total_s},
    }


def write_results(plan: Plan, study, out_dir: str | Path) -> Path:
    """Write ``plan.nc``, ``plan.gpkg`` (layers), ``sites.csv``, ``summary.txt`` and ``manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan.ds.to_netcdf(out / "plan.nc")
    write_gpkg(plan, out / "plan.gpkg")
    plan.sites.drop(columns="geometry").to_csv(out / "sites.csv", index=False)
    (out / "summary.txt").write_text(plan.summary() + "\n")
    (out / "manifest.json").write_text(json.dumps(manifest(plan, study), indent=2, sort_keys=True) + "\n")
    return out


def write_gpkg(plan: Plan, path: Path) -> None:
    """GeoPackage with one layer per kind (EPSG:4326)."""
    if path.exists():
        path.unlink()
    layers = {"sites": plan.sites, "chosen_sites": plan.sites[plan.sites["open"]],
              "interconnects": plan.interconnects, "substations": plan.substations,
              "demand": plan.demand, "assignments": plan.assignments}
    for name, gdf in layers.items():
        gdf.to_file(path, layer=name, driver="GPKG")
