"""dataset.yaml: the dataset's name, description, sources and the fields its layers may carry unused."""

from __future__ import annotations

from pathlib import Path

from siteplan.errors import InputError, Problem
from siteplan.io.schema import SCHEMAS
from siteplan.safe_load import load_yaml


def _read_meta(path: Path, probs: list[Problem]) -> dict:
    """``dataset.yaml`` as a mapping; a parse error or a non-mapping is a problem, not a traceback."""
    try:  # a regular UTF-8 file without duplicate keys or alias bombs
        meta = load_yaml(path, parse_error="cannot parse YAML")
    except InputError as exc:
        probs.extend(exc.problems)
        return {}
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        probs.append(Problem(str(path), None, None, f"must be a mapping of keys (name, description, sources, "
                                                    f"ignore_fields), got a {type(meta).__name__}"))
        return {}
    for key in sorted(set(map(str, meta)) - {"name", "description", "sources", "ignore_fields"}):
        probs.append(Problem(str(path), None, key, "unknown key (known: description, ignore_fields, name, sources)"))
    return meta


def _ignore_fields(meta: dict, fname: str, probs: list[Problem]) -> dict[str, frozenset[str]]:
    """``ignore_fields: {layer: [field, ...]}``: attributes a layer may carry that siteplan does not use."""
    raw = meta.get("ignore_fields") or {}
    if not isinstance(raw, dict):
        probs.append(Problem(fname, None, "ignore_fields", "must map a layer name to a list of field names"))
        return {}
    out = {}
    for layer, fields in sorted(raw.items(), key=lambda kv: str(kv[0])):
        if layer not in SCHEMAS:
            probs.append(Problem(fname, str(layer), "ignore_fields", f"unknown layer (known: {', '.join(sorted(SCHEMAS))})"))
        elif not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            probs.append(Problem(fname, str(layer), "ignore_fields", "must be a list of field names"))
        else:
            id_field, _, specs = SCHEMAS[layer]
            for f in sorted(set(fields) & {s.name for s in specs}):
                probs.append(Problem(fname, str(layer), "ignore_fields", f"{f!r} is a siteplan field and cannot be ignored"))
            out[layer] = frozenset(fields)
    return out
