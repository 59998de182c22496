"""Expanding a sweep file into scenario specs: regions x grid x zip groups, each validated.

Split out of :mod:`siteplan.batch.sweep` (which re-exports :data:`MAX_SCENARIOS`); every problem
is collected (the sweep file's own keys, its regions, each expanded scenario) and reported at once.
"""

from __future__ import annotations

import copy
import glob
import itertools
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from siteplan.batch.sweep_ids import _canon, _fmt_value, scenario_id, short_names
from siteplan.batch.sweep_schema import ScenarioSpec, Sweep, SweepFile
from siteplan.config import _pydantic_problems, apply_overrides, scenario_from_dict, set_by_path
from siteplan.errors import InputError, Problem
from siteplan.safe_load import load_yaml

#: Most scenarios one sweep may expand to.
MAX_SCENARIOS = 10_000

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


def _key_problems(sw: SweepFile, path: Path) -> tuple[list[str], set[int], list[Problem]]:
    """The swept key paths (grid, then zip groups), the malformed zip groups, and key problems."""
    probs: list[Problem] = []
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
    return keys, bad_zip, probs


def _targets(sw: SweepFile, path: Path, bad: set[str]) -> tuple[list[Path | None], Path | None, list[Problem]]:
    """The regions to expand (None: the base scenario's own dataset), the base file, region problems."""
    base_dir = path.parent
    regions, rprobs = _resolve_regions(sw, base_dir, path)
    probs = list(rprobs)
    base_file = (base_dir / sw.base).resolve() if sw.base else None
    if base_file is None and "base" not in bad and (not regions or any(p.is_dir() for p in regions)):
        probs.append(Problem(str(path), None, "base", "required unless every region is a scenario file"))
    names = [_region_name(p) for p in regions]
    for n in sorted({n for n in names if names.count(n) > 1}):
        probs.append(Problem(str(path), None, "regions", f"two regions are named {n!r}"))

    targets: list[Path | None] = list(regions) if sw.regions else [None]
    targets = [p for p in targets if p is not None and p.is_file() or base_file is not None]
    return targets, base_file, probs


def _target_file(p: Path | None, base_file: Path | None) -> Path | None:
    """The scenario file a target expands from: a region scenario file, else the base file."""
    return p if p is not None and p.is_file() else base_file


def _load_bases(sw: SweepFile, targets: list[Path | None],
                base_file: Path | None) -> tuple[dict[Path, dict | None], list[Problem]]:
    """Each distinct scenario file read once, with the sweep's overrides (None where it failed)."""
    probs: list[Problem] = []
    bases: dict[Path, dict | None] = {}
    for p in targets:
        f = _target_file(p, base_file)
        if f not in bases:
            try:
                bases[f] = _raw_scenario(f, sw.overrides)
            except InputError as exc:
                bases[f] = None
                probs += exc.problems
    return bases, probs


def _build_specs(sw: SweepFile, path: Path, targets: list[Path | None], base_file: Path | None,
                 bases: dict[Path, dict | None], keys: list[str],
                 bad_zip: set[int]) -> tuple[list[ScenarioSpec], list[tuple], list[Problem]]:
    """Every (target, combination) scenario built and validated: the specs, per-scenario problems
    (to be grouped) and duplicate-scenario problems."""
    probs: list[Problem] = []
    short = short_names(sorted(keys))
    specs: list[ScenarioSpec] = []
    items: list[tuple] = []  # per-scenario problems, grouped by the caller
    seen: set[str] = set()
    combos = _combos(sw, bad_zip)
    for p in targets:
        f = _target_file(p, base_file)
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
    return specs, items, probs


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
    keys, bad_zip, kprobs = _key_problems(sw, path)
    probs += kprobs
    targets, base_file, tprobs = _targets(sw, path, bad)
    probs += tprobs
    n_combos = math.prod(len(axis) for axis in _axes(sw, bad_zip))
    total = len(targets) * n_combos
    if total > MAX_SCENARIOS:
        probs.append(Problem(str(path), None, "grid", f"expands to {total:,} scenarios; at most {MAX_SCENARIOS:,} "
                                                      "per sweep (split it into several sweeps)"))
        return None, probs

    bases, bprobs = _load_bases(sw, targets, base_file)
    probs += bprobs
    specs, items, sprobs = _build_specs(sw, path, targets, base_file, bases, keys, bad_zip)
    probs += sprobs
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

