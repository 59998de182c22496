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
"""

from __future__ import annotations

import copy
import glob
import hashlib
import itertools
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from siteplan.config import _pydantic_problems, apply_overrides, scenario_from_dict, set_by_path
from siteplan.errors import InputError, Problem
from siteplan.safe_load import load_yaml

#: Most scenarios one sweep may expand to.
MAX_SCENARIOS = 10_000


class SweepFile(BaseModel):
    """Schema of a sweep file (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Name of the batch; the default output folder is results/batch/<name>.")
    description: str = ""
    base: str | None = Field(default=None, description="Base scenario file, relative to the sweep file. "
                                                       "Optional when every region is a scenario file.")
    overrides: list[str] = Field(default_factory=list, description="Named overrides of the base/region scenarios.")
    set: dict[str, Any] = Field(default_factory=dict, description="Fixed values by scenario key path, for all scenarios.")
    regions: list[str] | str | None = Field(
        default=None, description="Dataset folders or scenario YAML files (globs allowed), relative to the sweep file; "
                                  "null = the base scenario's own dataset.")
    grid: dict[str, list[Any]] = Field(default_factory=dict, description="Cartesian grid: key path -> values.")
    zip: list[dict[str, list[Any]]] = Field(default_factory=list,
                                            description="Groups of key paths whose values vary together.")

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, v: str) -> str:
        from siteplan.config import safe_name

        return safe_name(v)  # the default output folder is results/batch/<name>

    @field_validator("grid")
    @classmethod
    def _nonempty(cls, v: dict) -> dict:
        for k, vals in v.items():
            if not vals:
                raise ValueError(f"grid key {k!r} has no values")
        return v


@dataclass(frozen=True)
class ScenarioSpec:
    """One expanded scenario: what a worker needs to build and solve it (plain data only).

    Attributes
    ----------
    id : str
        Stable id (slug + short hash); also the name of its results folder.
    region : str
        Region name (dataset folder name, or the region scenario's file stem).
    params : dict
        Swept key path -> value (only the swept ones).
    scenario : dict
        The fully resolved scenario mapping (absolute ``dataset`` and ``catalog`` paths), ready for
        :func:`siteplan.config.scenario_from_dict`.
    source_file : str
        The scenario file this one derives from (for error messages and the manifest).
    """

    id: str
    region: str
    params: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    source_file: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "region": self.region, "params": copy.deepcopy(self.params),
                "scenario": copy.deepcopy(self.scenario), "source_file": self.source_file}

    @classmethod
    def from_dict(cls, d: dict) -> "ScenarioSpec":
        return cls(d["id"], d["region"], d.get("params", {}), d.get("scenario", {}), d.get("source_file", ""))

    @property
    def spec_hash(self) -> str:
        """Hash of everything the solve depends on in the spec (to detect a changed sweep on resume)."""
        return _hash(self.scenario, 16)


@dataclass(frozen=True)
class Sweep:
    """A validated, expanded sweep."""

    name: str
    description: str
    source_file: Path
    param_keys: tuple[str, ...]
    regions: tuple[str, ...]
    specs: tuple[ScenarioSpec, ...]
    # the swept axes: each grid key alone, each zip group's keys together (they vary as one)
    axes: tuple[tuple[str, ...], ...] = ()
    # per key, the value the other axes are held at when one axis is plotted: the base scenario's
    # value where the sweep lists it, else the first listed (a zip group: one position for all keys)
    held_at: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.specs)


# --------------------------------------------------------------------------- ids


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _hash(value: Any, n: int = 8) -> str:
    return hashlib.sha256(_canon(value).encode()).hexdigest()[:n]


def _fmt_value(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (list, tuple)):
        return "+".join(_fmt_value(x) for x in v)
    if isinstance(v, dict):
        return _hash(v, 6)
    return str(v).lower() if isinstance(v, bool) or v is None else str(v)


def short_names(keys: list[str]) -> dict[str, str]:
    """Shortest unambiguous dotted suffix of each key path (``carbon.price_usd_per_t`` -> ``price_usd_per_t``)."""
    out = {}
    for k in keys:
        parts = k.split(".")
        for n in range(1, len(parts) + 1):
            cand = ".".join(parts[-n:])
            if sum(1 for o in keys if o == cand or o.endswith("." + cand)) == 1:
                out[k] = cand
                break
        else:
            out[k] = k
    return out


def scenario_id(region: str, params: dict, short: dict[str, str] | None = None) -> str:
    """``<region>_<key>-<value>..._<hash8>``: readable and stable (hash of region + resolved values)."""
    short = short or short_names(sorted(params))
    bits = [region] + [f"{short[k]}-{_fmt_value(params[k])}" for k in sorted(params)]
    slug = re.sub(r"[^A-Za-z0-9.+-]+", "_", "_".join(bits)).strip("_")
    if len(slug) > 100:
        slug = slug[:100].rstrip("_")
    return f"{slug}_{_hash({'region': region, 'params': params})}"


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


# --------------------------------------------------------------------------- loading


def _resolve_regions(sw: SweepFile, base_dir: Path, path: Path) -> tuple[list[Path], list[Problem]]:
    items = [sw.regions] if isinstance(sw.regions, str) else list(sw.regions or [])
    out: list[Path] = []
    probs: list[Problem] = []
    for i, item in enumerate(items):
        pattern = str(base_dir / item)
        hits = sorted(glob.glob(pattern)) if glob.has_magic(item) else [pattern]
        if glob.has_magic(item):
            hits = [h for h in hits if Path(h).is_dir() and (Path(h) / "dataset.yaml").exists()
                    or Path(h).suffix in (".yaml", ".yml")]
            if not hits:
                probs.append(Problem(str(path), None, f"regions[{i}]", f"glob {item!r} matches no dataset folder "
                                                                       "or scenario file"))
        for h in hits:
            p = Path(h).resolve()
            if p.is_dir():
                if not (p / "dataset.yaml").exists():
                    probs.append(Problem(str(path), None, f"regions[{i}]", f"{item!r}: folder has no dataset.yaml"))
                    continue
            elif not p.is_file():
                probs.append(Problem(str(path), None, f"regions[{i}]", f"{item!r}: no such folder or file"))
                continue
            if p not in out:
                out.append(p)
    return out, probs


def _region_name(p: Path) -> str:
    return p.name if p.is_dir() else p.stem


def _raw_scenario(scenario_file: Path, overrides: list[str]) -> dict:
    raw = load_yaml(scenario_file)
    if not isinstance(raw, dict):
        raise InputError([Problem(str(scenario_file), None, None, "scenario file must be a YAML mapping")])
    raw = apply_overrides(raw, overrides, scenario_file)
    for key in ("dataset", "catalog"):  # absolute paths, so specs do not depend on the working folder
        if isinstance(raw.get(key), str):
            raw[key] = str((scenario_file.parent / raw[key]).resolve())
    return raw


def _axes(sw: SweepFile, skip_zip: set[int] = frozenset()) -> list[list[dict]]:
    axes: list[list[dict]] = [[{k: v} for v in vals] for k, vals in sw.grid.items()]
    for gi, group in enumerate(sw.zip):
        if gi in skip_zip:
            continue
        n = len(next(iter(group.values())))
        axes.append([{k: vals[i] for k, vals in group.items()} for i in range(n)])
    return axes


def _combos(sw: SweepFile, skip_zip: set[int] = frozenset()) -> list[dict]:
    """Grid (cartesian, file order, last key fastest) x zip groups (each group one axis)."""
    out = []
    for prod in itertools.product(*_axes(sw, skip_zip)):
        d: dict = {}
        for part in prod:
            d.update(part)
        out.append(d)
    return out


def _schema(path: Path, raw: dict) -> tuple[SweepFile | None, list[Problem], set[str]]:
    """Validate the sweep file's own keys; on errors, retry without the offending keys so that the
    rest of the sweep can still be checked (every problem reported in one go)."""
    try:
        return SweepFile.model_validate(raw), [], set()
    except ValidationError as exc:
        probs = _pydantic_problems(path, exc)
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    pruned = {k: v for k, v in raw.items() if k not in bad}
    if not isinstance(pruned.get("name"), str):
        pruned["name"] = path.stem
    try:
        return SweepFile.model_validate(pruned), probs, bad
    except ValidationError:
        return None, probs, bad


def _grouped(items: list[tuple[str | None, str | None, str, str, str]], total: int) -> list[Problem]:
    """One problem per (file, field, message) with the scenarios that have it (ids, then a count)."""
    groups: dict[tuple, list[str]] = {}
    for file, key, msg, sid, derived in items:
        groups.setdefault((file, key, msg, derived), []).append(sid)
    out = []
    for (file, key, msg, derived), sids in groups.items():
        ids = ", ".join(sids[:5]) + (f" and {len(sids) - 5} more" if len(sids) > 5 else "")
        where = f"in {len(sids)} of {total} scenario(s)" + (f", derived from {derived}" if derived else "")
        out.append(Problem(file, ids, key, f"{msg} ({where})"))
    return out


def _expand(path: Path) -> tuple[Sweep | None, list[Problem]]:
    """Read and expand a sweep, collecting every problem; the sweep is None if nothing can expand.

    Raises
    ------
    InputError
        Only when the file itself cannot be read as YAML.
    """
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        return None, [Problem(str(path), None, None, "sweep file must be a YAML mapping")]
    sw, probs, bad = _schema(path, raw)
    if sw is None:
        return None, probs
    base_dir = path.parent

    keys = list(sw.grid)
    bad_zip: set[int] = set()
    for gi, group in enumerate(sw.zip):
        if not group:
            probs.append(Problem(str(path), None, f"zip[{gi}]", "empty group"))
            bad_zip.add(gi)
            continue
        lens = {k: len(v) for k, v in group.items()}
        if len(set(lens.values())) != 1 or 0 in lens.values():
            probs.append(Problem(str(path), None, f"zip[{gi}]", f"lists must be non-empty and of equal length, got {lens}"))
            bad_zip.add(gi)
        keys += list(group)
    for k in sorted({k for k in keys if keys.count(k) > 1}):
        probs.append(Problem(str(path), None, k, "key path is swept more than once (grid/zip)"))
    for k in keys:
        if k in ("dataset", "name"):
            probs.append(Problem(str(path), None, k, "use 'regions' to vary the dataset; names are generated"))
        if k in sw.set:
            probs.append(Problem(str(path), None, f"set.{k}", "key path is both fixed (set) and swept"))

    regions, rprobs = _resolve_regions(sw, base_dir, path)
    probs += rprobs
    base_file = (base_dir / sw.base).resolve() if sw.base else None
    if base_file is None and "base" not in bad and (not regions or any(p.is_dir() for p in regions)):
        probs.append(Problem(str(path), None, "base", "required unless every region is a scenario file"))
    names = [_region_name(p) for p in regions]
    for n in sorted({n for n in names if names.count(n) > 1}):
        probs.append(Problem(str(path), None, "regions", f"two regions are named {n!r}"))

    targets: list[Path | None] = list(regions) if sw.regions else [None]
    targets = [p for p in targets if p is not None and p.is_file() or base_file is not None]
    n_combos = math.prod(len(axis) for axis in _axes(sw, bad_zip))
    total = len(targets) * n_combos
    if total > MAX_SCENARIOS:
        probs.append(Problem(str(path), None, "grid", f"expands to {total:,} scenarios; at most {MAX_SCENARIOS:,} "
                                                      "per sweep (split it into several sweeps)"))
        return None, probs

    bases: dict[Path, dict | None] = {}
    for p in targets:
        f = p if p is not None and p.is_file() else base_file
        if f not in bases:
            try:
                bases[f] = _raw_scenario(f, sw.overrides)
            except InputError as exc:
                bases[f] = None
                probs += exc.problems

    short = short_names(sorted(keys))
    specs: list[ScenarioSpec] = []
    items: list[tuple] = []  # per-scenario problems, grouped below
    seen: set[str] = set()
    combos = _combos(sw, bad_zip)
    for p in targets:
        f = p if p is not None and p.is_file() else base_file
        if bases[f] is None:
            continue
        region = _region_name(p) if p is not None else Path(bases[f].get("dataset", "region")).name
        for params in combos:
            sid = scenario_id(region, params, short)
            sc = copy.deepcopy(bases[f])
            if p is not None and p.is_dir():
                sc["dataset"] = str(p)
            try:
                for k, v in {**sw.set, **params}.items():
                    if k in ("dataset", "catalog") and isinstance(v, str):
                        v = str((path.parent / v).resolve())  # a path in the sweep file is relative to it
                    set_by_path(sc, k, copy.deepcopy(v))
            except InputError as exc:
                items += [(str(path), q.field, q.message, sid, "") for q in exc.problems]
                continue
            sc["name"] = sid
            sc["description"] = f"{sw.name}: {region}" + "".join(f", {k}={_fmt_value(v)}" for k, v in params.items())
            try:
                built = scenario_from_dict(sc, base_dir=f.parent, source_file=f)
            except InputError as exc:
                items += [(str(path), q.field, q.message, sid, f.name) for q in exc.problems]
                continue
            if built.periods:
                items.append((str(path), "periods", "a build-out study (periods): batch runs single-period studies; "
                              "solve it with `siteplan solve`", sid, f.name))
                continue
            if sid in seen:
                probs.append(Problem(str(path), sid, None, "two scenarios resolve to the same parameters"))
                continue
            seen.add(sid)
            specs.append(ScenarioSpec(sid, region, copy.deepcopy(params), sc, str(f)))
    probs += _grouped(items, total)
    axes, held = _held_at(sw, bad_zip, next((b for b in bases.values() if b), {}))
    sweep = Sweep(sw.name, sw.description, path, tuple(keys), tuple(dict.fromkeys(s.region for s in specs)),
                  tuple(specs), axes, held)
    return sweep, probs


def _held_at(sw: SweepFile, bad_zip: set[int], base: dict) -> tuple[tuple, dict]:
    """The sweep's axes and the value each key is held at (see :class:`Sweep`)."""
    merged: Any = copy.deepcopy(base)  # the base scenario with the sweep's fixed values
    for k, v in sw.set.items():
        set_by_path(merged, k, v)

    def base_value(key: str):
        node = merged
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    axes: list[tuple[str, ...]] = []
    held: dict = {}
    for k, vals in sw.grid.items():
        axes.append((k,))
        b = base_value(k)
        held[k] = b if _canon(b) in {_canon(v) for v in vals} else vals[0]
    for gi, group in enumerate(sw.zip):
        if gi in bad_zip:
            continue
        keys = tuple(group)
        axes.append(keys)
        first = keys[0]
        b = base_value(first)
        at = next((i for i, v in enumerate(group[first]) if _canon(v) == _canon(b)), 0)
        held.update({k: group[k][at] for k in keys})
    return tuple(axes), held


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
    from siteplan.zones import zone_key_problems

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
