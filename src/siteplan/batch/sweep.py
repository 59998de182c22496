"""Sweep files: a base scenario x regions x a parameter grid, expanded into scenario specs.

A sweep file (YAML, usually under ``models/sweeps/``) looks like::

    name: carbon_demand
    base: ../example.yaml              # base scenario (relative to this file)
    overrides: []                      # named overrides of the base scenario, applied first
    set: {solver.time_limit_s: 60}     # fixed values for every scenario, by scenario key path
    regions:                           # dataset folders or scenario files, globs allowed
      - ../../data/texas               #   folder  -> the base scenario on that dataset
      - ../ohio.yaml                   #   .yaml   -> that region's own scenario file
    grid:                              # cartesian product, by scenario key path
      carbon.price_usd_per_t: [0, 100]
      demand_scale: [0.05, 0.1]
    zip:                               # groups of keys that vary together (equal-length lists)
      - {horizon_yr: [2, 5], solver.time_limit_s: [30, 60]}

Expansion order is deterministic: regions in file order (each glob sorted), then the grid in file
order (last key fastest), then each zip group. Every scenario gets a stable id: a readable slug of
its region and swept values plus a short hash of the region and the resolved swept values, so the
same scenario has the same id whatever the order of keys in the file or the other grid values.

This module reads sweep files (:func:`load_sweep`, :func:`validate_sweep`, :func:`is_sweep_file`);
the schema and data types are in :mod:`siteplan.batch.sweep_schema`, scenario ids in
:mod:`siteplan.batch.sweep_ids` and the expansion in :mod:`siteplan.batch.sweep_expand`. Their
public names (and the private helpers other modules use) are re-exported here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from siteplan.batch.sweep_expand import MAX_SCENARIOS, _expand, _grouped
from siteplan.batch.sweep_ids import _canon, _fmt_value, scenario_id, short_names
from siteplan.batch.sweep_schema import ScenarioSpec, Sweep, SweepFile
from siteplan.config import scenario_from_dict
from siteplan.errors import InputError, Problem
from siteplan.safe_load import load_yaml

# --------------------------------------------------------------------------- reading


def is_sweep_file(path: str | Path) -> bool:
    """Whether a YAML file is a sweep (has ``grid``, ``zip``, ``regions`` or ``base``, and no ``dataset``).

    Parameters
    ----------
    path : str or Path
        A sweep or scenario file.

    Returns
    -------
    bool
        False for a scenario file; an unreadable file is judged by its top-level keys as text.
    """
    sweep_keys = ("grid", "zip", "regions", "base")
    try:
        raw = load_yaml(path)
    except InputError:
        try:
            with open(path, "rb") if Path(path).is_file() else open(os.devnull, "rb") as fh:
                text = fh.read(1 << 20).decode("utf-8", errors="replace")
        except OSError:
            return False
        keys = set(re.findall(r"^([A-Za-z_]+)\s*:", text, re.M))
        return bool(keys & set(sweep_keys)) and "dataset" not in keys
    return isinstance(raw, dict) and any(k in raw for k in sweep_keys) and "dataset" not in raw


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and expand a sweep file.

    The file is read with :func:`siteplan.safe_load.load_yaml` (only a regular UTF-8 file; duplicate
    keys and alias bombs are errors).
    Every expanded scenario is validated against the scenario schema (unknown key paths, wrong
    types); all problems are reported at once, naming the sweep file, the scenarios (ids) and the
    key. A mistake shared by many scenarios is one problem listing them.

    Parameters
    ----------
    path : str or Path
        The sweep file.

    Returns
    -------
    Sweep

    Raises
    ------
    InputError
    """
    sweep, probs = _expand(Path(path).resolve())
    if probs or sweep is None:
        raise InputError(probs)
    return sweep


def validate_sweep(path: str | Path) -> list[Problem]:
    """Every problem of a sweep: the sweep file, each expanded scenario, their catalogs and datasets.

    What :func:`load_sweep` checks, plus, once per distinct catalog and dataset, what
    :func:`siteplan.api.validate_scenario` checks for a scenario (catalog names, dataset files,
    zone keys), so a broken region is found before the batch runs.

    Parameters
    ----------
    path : str or Path
        The sweep file.

    Returns
    -------
    list of Problem
        Empty when the sweep is valid.
    """
    from siteplan.config import cross_check, load_catalog
    from siteplan.io import load_dataset
    from siteplan.config.zones import zone_key_problems

    try:
        sweep, probs = _expand(Path(path).resolve())
    except InputError as exc:
        return exc.problems
    if sweep is None:
        return probs
    catalogs: dict[tuple, Any] = {}
    datasets: dict[tuple, Any] = {}
    items: list[tuple] = []
    for spec in sweep.specs:
        src = Path(spec.source_file)
        sc = scenario_from_dict(spec.scenario, base_dir=src.parent, source_file=src)
        ckey = (str(sc.catalog), _canon(sc.catalog_overrides))
        if ckey not in catalogs:
            try:
                catalogs[ckey] = load_catalog(sc.catalog, sc.catalog_overrides)
            except InputError as exc:
                catalogs[ckey] = None
                probs += exc.problems
        if catalogs[ckey] is not None:
            items += [(q.file, q.field, q.message, spec.id, "") for q in cross_check(sc, catalogs[ckey])]
        dkey = (str(sc.dataset), tuple(sorted(sc.workloads)))
        if dkey not in datasets:
            try:
                ds, dprobs = load_dataset(sc.dataset, sorted(sc.workloads), strict=False)
                datasets[dkey] = None if dprobs else ds
                probs += dprobs
            except InputError as exc:
                datasets[dkey] = None
                probs += exc.problems
        if datasets[dkey] is not None:
            items += [(q.file, q.field, q.message, spec.id, "") for q in zone_key_problems(sc, datasets[dkey])]
    probs += _grouped(items, len(sweep.specs))
    return list(dict.fromkeys(probs))


__all__ = ["SweepFile", "ScenarioSpec", "Sweep", "load_sweep", "validate_sweep", "is_sweep_file", "scenario_id",
           "short_names", "MAX_SCENARIOS"]

# private helpers re-exported for siteplan.batch.combine and siteplan.batch.progress
_REEXPORTED_PRIVATE = (_canon, _fmt_value)
