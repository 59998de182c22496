"""Scenario ids of a sweep: a readable slug of region and swept values plus a short, stable hash.

Split out of :mod:`siteplan.batch.sweep` (which re-exports the public names).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any



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


__all__ = ["short_names", "scenario_id"]
