"""Reading a YAML input, composing a scenario's named overrides, and ``--set`` / ``set_values``:
writing a value by dotted key and naming the entry in the problems it causes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from siteplan.errors import InputError, Problem
from siteplan.safe_load import load_yaml


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _read_yaml(path: Path) -> Any:
    """A YAML input file's value: only a regular UTF-8 file, no duplicate keys, no alias bombs
    (:func:`siteplan.safe_load.load_yaml`); every failure is an :class:`InputError`."""
    return load_yaml(path)



def apply_overrides(raw: dict, overrides: list[str] | tuple[str, ...], path: Path) -> dict:
    """Compose the named overrides of a scenario file (``overrides:`` section) in the given order."""
    named = raw.pop("overrides", None) or {}
    if not isinstance(named, dict):
        raise InputError([Problem(str(path), None, "overrides", "must be a mapping of name -> partial scenario")])
    if isinstance(overrides, str):
        raise InputError([Problem(str(path), None, "overrides",
                                  f"expected a list of override names, got the string {overrides!r} "
                                  f"(write [{overrides!r}])")])
    from siteplan.config.suggest import did_you_mean

    problems = [Problem(str(path), None, f"overrides.{n}",
                        f"no such override{did_you_mean(n, named)} (have: {sorted(named)})")
                for n in overrides if n not in named]
    if problems:
        raise InputError(problems)
    for n in overrides:
        raw = _deep_merge(raw, named[n])
    return raw


def set_value_label(key: str, value: Any, where: str = "set_values") -> str:
    """How the caller wrote one value by dotted key: ``--set key=50`` on the command line (``where``
    starts with ``--``), ``set_values['key']=50`` from Python (``where``: the argument's name)."""
    if where.startswith("-"):
        return f"{where} {key}={value!r}"
    return f"{where}[{key!r}]={value!r}"


def _blame_set_value(q: Problem, set_values: dict[str, Any], path: Path, where: str = "set_values") -> Problem:
    """A problem at a key that a ``--set``/``set_values`` entry wrote names that entry (in the caller's
    words, :func:`set_value_label`), not the file."""
    for key, value in set_values.items():
        if q.field is not None and (q.field == key or q.field.startswith(key + ".") or key.startswith(q.field + ".")):
            return Problem(f"{set_value_label(key, value, where)} (on {path.name})", q.feature_id, q.field, q.message)
    return q


def blame_set_values(problems: list[Problem], set_values: dict[str, Any] | None, path: str | Path | None,
                     where: str = "set_values") -> list[Problem]:
    """Problems found after the scenario itself validated (catalog names, dataset columns, zone keys)
    whose key a ``--set``/``set_values`` entry wrote, named after that entry (:func:`_blame_set_value`)
    rather than the scenario file; the others as they are."""
    if not set_values:
        return list(problems)
    return [_blame_set_value(q, set_values, Path(path or "scenario"), where) for q in problems]


def set_by_path(raw: dict, dotted: str, value: Any) -> None:
    """Set ``raw["a"]["b"] = value`` for ``dotted == "a.b"``, creating mappings on the way."""
    node = raw
    parts = dotted.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise InputError([Problem(None, None, dotted, f"'{p}' is not a mapping")])
    node[parts[-1]] = value


