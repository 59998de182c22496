"""Human words for catalog ids shown to a reader (report tables, sites.csv display columns, maps).

The ids (``direct_to_chip``, ``gb200_nvl72``) stay in their own id columns; these functions give the
short names a reader knows. An id not in the bundled catalog gets a tidy title-cased version of itself.
"""

from __future__ import annotations

import re

__all__ = ["design_name", "rack_name", "tidy_id"]

#: Short names of the bundled catalog's cooling designs (``data/catalog.yaml`` ``cooling_designs``).
DESIGN_NAMES: dict[str, str] = {
    "air_economizer": "Air with economiser",
    "rear_door": "Rear-door heat exchangers",
    "direct_to_chip": "Direct-to-chip liquid",
    "immersion": "Single-phase immersion",
}

#: Short names of the bundled catalog's rack types (``data/catalog.yaml`` ``rack_types``).
RACK_NAMES: dict[str, str] = {
    "hgx_h100": "H100 (HGX)",
    "hgx_b200": "B200 (HGX)",
    "gb200_nvl72": "GB200 NVL72",
    "gb300_nvl72": "GB300 NVL72",
    "vera_rubin_nvl144": "Vera Rubin NVL144",
}

# Words kept in capitals when an unknown id is tidied (product and unit abbreviations).
_UPPER = {"hgx", "dgx", "nvl", "gpu", "tpu", "ai", "dc", "hvac", "crah", "crac", "mw", "kw", "kv", "pue", "wue"}


def tidy_id(id_: str) -> str:
    """A readable version of an unknown id: underscores and dashes to spaces, words title-cased.

    Parameters
    ----------
    id_ : str
        The id, e.g. ``"liquid_assisted_air"``.

    Returns
    -------
    str
        e.g. ``"Liquid assisted air"``; words that look like model codes (letters and digits mixed,
        such as ``nvl72`` or ``mi300x``) and known abbreviations are upper-cased (``"GB200 NVL72"``).
    """
    text = str(id_).strip()
    if not text:
        return text
    words = [w for w in re.split(r"[_\-\s]+", text) if w]
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if low in _UPPER or (re.search(r"[a-z]", low) and re.search(r"\d", low)):
            out.append(w.upper())
        elif i == 0:
            out.append(low.capitalize())
        else:
            out.append(low)
    return " ".join(out)


def design_name(design_id: str) -> str:
    """Human name of a cooling design.

    Parameters
    ----------
    design_id : str
        A cooling design id of the catalog, e.g. ``"direct_to_chip"``.

    Returns
    -------
    str
        e.g. ``"Direct-to-chip liquid"``; for an id not in the bundled catalog, a tidy title-cased
        version of it (``"warm_water_loop"`` -> ``"Warm water loop"``).
    """
    key = str(design_id)
    return DESIGN_NAMES.get(key) or tidy_id(key)


def rack_name(rack_id: str) -> str:
    """Human name of a rack type.

    Parameters
    ----------
    rack_id : str
        A rack type id of the catalog, e.g. ``"gb200_nvl72"``.

    Returns
    -------
    str
        e.g. ``"GB200 NVL72"`` or ``"H100 (HGX)"``; for an id not in the bundled catalog, a tidy
        version of it (``"mi300x_rack"`` -> ``"MI300X rack"``).
    """
    key = str(rack_id)
    return RACK_NAMES.get(key) or tidy_id(key)
