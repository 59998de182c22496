"""Human words for catalog ids shown to a reader (report tables, sites.csv display columns, maps).

The ids (``direct_to_chip``, ``gb200_nvl72``) stay in their own id columns; these functions give the
short names a reader knows. An id not in the bundled catalog gets a tidy title-cased version of itself.
Also the places of the dataset's site names (:func:`place_names`) and the cost categories in words
(:data:`CATEGORY_LABELS`), which the terminal summary, the plan's site table and the exports share.
"""

from __future__ import annotations

import re

import math

__all__ = ["CATEGORY_LABELS", "category_label", "column_words", "connection_limit", "design_name", "display_name",
           "ids_in_words", "onsite_name", "place_name", "place_names", "plant_name", "rack_name", "slice_name", "tidy_id",
           "voltage_class_name"]

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

#: Names of the bundled catalog's on-site options (``data/catalog.yaml`` ``onsite``), one row per
#: option: the type in prose ("lead time: gas combined-cycle plant (6 yr)"), one unit of it ("13 × 18.3
#: MW gas reciprocating engines") and the short unit form map.png's labels use (its legend spells it out).
ONSITE_NAMES: dict[str, tuple[str, str, str]] = {
    "gas_turbine_mobile": ("mobile gas turbines", "mobile gas turbine", "mobile turbine"),
    "gas_recip": ("gas reciprocating engines", "gas reciprocating engine", "gas engine"),
    "gas_turbine_aero": ("aeroderivative gas turbines", "aeroderivative gas turbine", "aero turbine"),
    "gas_turbine_frame": ("frame gas turbines", "frame gas turbine", "frame turbine"),
    "gas_combined_cycle": ("gas combined-cycle plant", "gas combined-cycle unit", "CC gas unit"),
    "battery": ("batteries", "battery", "battery"),
}

_MONTHS = {"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
           "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November",
           "dec": "December"}

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


def onsite_name(option_id: str) -> str:
    """Human name of an on-site option: ``"gas_combined_cycle"`` -> ``"gas combined-cycle plant"``; an id
    not in the bundled catalog with its underscores as spaces (``"fuel_cell"`` -> ``"fuel cell"``)."""
    key = str(option_id)
    return ONSITE_NAMES[key][0] if key in ONSITE_NAMES else key.replace("_", " ")


def plant_name(option_id: str, n: int = 1, short: bool = False) -> str:
    """``n`` units of an on-site option in words, plural for ``n != 1``.

    Parameters
    ----------
    option_id : str
        Catalog id, e.g. ``"gas_recip"``.
    n : int
        Number of units (only singular or plural matters).
    short : bool
        The short form of map labels (``"gas engine"``).

    Returns
    -------
    str
        ``"gas reciprocating engines"`` for 13 ``gas_recip``; an id not in the bundled catalog tidied
        (``"fuel_cell"`` -> ``"fuel cell"``).
    """
    key = str(option_id)
    word = ONSITE_NAMES[key][2 if short else 1] if key in ONSITE_NAMES else tidy_id(key).lower()
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("ery") else word + "s"


def slice_name(slice_id: str) -> str:
    """A time slice in words: ``"peak_hot"`` -> ``"hot peak"``, ``"jan_day"`` -> ``"January day"``,
    ``"jul_night"`` -> ``"July night"``; other ids with their underscores as spaces."""
    key = str(slice_id)
    m = re.fullmatch(r"peak_([a-z]+)", key)
    if m:
        return f"{m.group(1)} peak"
    m = re.fullmatch(r"([a-z]{3})_([a-z]+)", key)
    if m and m.group(1) in _MONTHS:
        return f"{_MONTHS[m.group(1)]} {m.group(2)}"
    return key.replace("_", " ")


def voltage_class_name(class_id: str, kv: float | None = None) -> str:
    """An interconnect voltage class in words: ``"kv138"`` / ``"kv069"`` -> ``"138 kV"`` / ``"69 kV"``
    (``kv`` when given wins); an id of another form as it is."""
    if kv is not None and math.isfinite(float(kv)) and float(kv) > 0:
        return f"{float(kv):g} kV"
    m = re.fullmatch(r"kv_?0*(\d+(?:\.\d+)?)", str(class_id).strip().lower())
    return f"{float(m.group(1)):g} kV" if m else str(class_id)


#: Unit suffixes of column names and how a reader writes them.
_UNITS = (("_usd_per_mw_yr", "USD/yr per MW"), ("_m3_per_yr", "m³/yr"), ("_t_per_yr", "t/yr"),
          ("_mwh_per_yr", "MWh/yr"), ("_usd_per_yr", "USD/yr"), ("_mw", "MW"), ("_mwh", "MWh"), ("_ms", "ms"),
          ("_km", "km"), ("_kv", "kV"), ("_h100e", "H100e"))


def column_words(column: str) -> str:
    """A column name as words: ``"headroom_mw"`` -> ``"headroom (MW)"``, ``"max_rtt_ms"`` ->
    ``"max RTT (ms)"``, ``"corridor_peak_flow_mw"`` -> ``"corridor peak flow (MW)"``."""
    name, unit = str(column), ""
    for suffix, words in _UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, unit = name[: -len(suffix)], words
            break
    words = " ".join(w.upper() if w in ("rtt", "it", "pue") else w for w in name.split("_"))
    return f"{words} ({unit})" if unit else words


def ids_in_words(text: str) -> str:
    """Catalog ids inside a sentence replaced by their names (on-site options, rack types, cooling
    designs: ``"gas_combined_cycle (6 yr)"`` -> ``"gas combined-cycle plant (6 yr)"``) and voltage classes
    by their kV (``"kv138"`` -> ``"138 kV"``)."""
    table = {**{k: design_name(k) for k in DESIGN_NAMES}, **{k: rack_name(k) for k in RACK_NAMES},
             **{k: onsite_name(k) for k in ONSITE_NAMES}}
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")
    text = pattern.sub(lambda m: table[m.group(1)], str(text))
    return re.sub(r"\bkv0*(\d+)\b", r"\1 kV", text)


# two limits this close are the same number (siteplan.results.plan's tolerances)
LIMIT_TOL_MW, LIMIT_TOL_SHARE = 0.05, 1e-3


def _same(a: float, b: float) -> bool:
    return bool(math.isfinite(a) and math.isfinite(b) and abs(a - b) <= max(LIMIT_TOL_MW, LIMIT_TOL_SHARE * abs(b)))


def connection_limit(max_mw: float, headroom_mw: float, upgrade_mw: float = 0.0, kv: float = float("nan"),
                     site_peak_mw: float = float("nan"), with_mw: bool = True) -> str:
    """The one limit that sets the most a grid connection may carry, in words.

    A connection's most is the smallest of its voltage class's limit, the substation's headroom (when
    the study cannot contract beyond it through network upgrades) and the site's largest possible peak
    (a connection never needs to carry more; :func:`siteplan.prepare.interconnect.interconnect_options`).

    Parameters
    ----------
    max_mw : float
        The most the connection may carry.
    headroom_mw : float
        The substation's headroom.
    upgrade_mw : float
        MW contracted beyond the headroom (network upgrades): then the headroom is not the limit.
    kv : float
        The connection's voltage (names the class).
    site_peak_mw : float
        The site's peak facility MW at its largest IT (NaN: not known); a most at or above it is the
        site's own peak, not a limit of the grid.

    Returns
    -------
    str
        ``"the substation's headroom, 195.2 MW"``, ``"the 161 kV class limit, 240.0 MW"`` or ``"the site's
        largest possible peak, 470.6 MW, not a grid limit"`` (the class and the substation allow more).
    """
    max_mw = float(max_mw)
    mw = f", {max_mw:,.1f} MW" if with_mw else ""
    if not (float(upgrade_mw or 0.0) > LIMIT_TOL_MW) and _same(max_mw, float(headroom_mw)):
        return f"the substation's headroom{mw}"
    if math.isfinite(site_peak_mw) and max_mw >= float(site_peak_mw) - max(LIMIT_TOL_MW, LIMIT_TOL_SHARE * max_mw):
        return f"the site's largest possible peak{mw}, not a grid limit"
    cls = f"the {float(kv):g} kV class limit" if math.isfinite(float(kv)) and float(kv) > 0 else "the voltage class's limit"
    return cls + mw


_FAR = re.compile(r"^(\d+(?:\.\d+)?)\s*km from\s+(.+)$")
_KV_IN_BRACKET = re.compile(r"\((\d+(?:\.\d+)?)\s*kV\s+")


def display_name(name: str) -> str:
    """A dataset's site name without a voltage in its bracket: 'near Tyler, TX (230 kV Tyler 7)' ->
    'near Tyler, TX (Tyler 7)'. The voltage there was the seed substation's (older builds of the bundled datasets wrote
    it), not necessarily the site's connection, which the interconnect columns give."""
    return _KV_IN_BRACKET.sub("(", str(name or ""))


def place_name(name: str, fallback: str) -> str:
    """The place of a dataset name, honest about distance: 'near Tyler, TX (Tyler 7)' -> 'Tyler, TX';
    '66 km from Big Spring, TX (Sterling City 1)' -> 'near Big Spring, TX (66 km)'.

    Parameters
    ----------
    name : str
        The dataset's ``name`` field (may be empty or 'nan').
    fallback : str
        Returned when there is no name (the id).

    Returns
    -------
    str
    """
    name = (name or "").strip()
    if not name or name.lower() == "nan":
        return fallback
    name = name.split(" (")[0]
    far = _FAR.match(name)
    if far:
        return f"near {far.group(2)} ({float(far.group(1)):.0f} km)"
    return name[5:] if name.startswith("near ") else name


def place_names(names, ids) -> list[str]:
    """Names a person can tell apart: the place (:func:`place_name`), and where several candidates
    share one, the substation the dataset names in brackets ('Tyler, TX (Tyler 7)', 'near Big Spring,
    TX (66 km; Sterling City 1)'), without a voltage; then the id.

    Parameters
    ----------
    names : sequence of str
        The dataset's ``name`` field per site.
    ids : sequence of str
        The site ids (used when a site has no name, or two names stay equal).

    Returns
    -------
    list of str
    """
    from collections import Counter

    names = ["" if n is None else str(n) for n in names]
    ids = [str(i) for i in ids]
    towns = [place_name(n, i) for n, i in zip(names, ids)]
    count = Counter(towns)
    out = []
    for n, i, t in zip(names, ids, towns):
        if count[t] > 1:
            m = re.search(r"\(([^()]*)\)\s*$", n)
            extra = re.sub(r"^\d+(\.\d+)?\s*kV\s+", "", m.group(1)).strip() if m else ""
            if extra and t.endswith(" km)"):
                t = f"{t[:-1]}; {extra})"
            elif extra:
                t = f"{t} ({extra})"
        out.append(t)
    again = Counter(out)
    return [f"{t} [{i}]" if again[t] > 1 else t for t, i in zip(out, ids)]


# cost categories (siteplan.model.objective.COST_CATEGORIES) as a person reads them
CATEGORY_LABELS = {
    "land": "land", "site_fixed": "site fixed costs", "fiber_lateral": "fiber laterals", "facility": "facility",
    "cooling": "cooling", "it_equipment": "IT equipment", "interconnect": "interconnects",
    "network_upgrade": "network upgrades", "grid_contract": "grid contracts", "onsite_capex": "on-site plant capex",
    "onsite_fixed_om": "on-site plant fixed O&M", "gas_supply": "gas supply (taps and laterals)",
    "onsite_rent": "on-site plant rent", "grid_energy": "grid energy", "onsite_fuel_om": "on-site fuel and O&M",
    "carbon": "carbon price", "water": "water", "serving": "serving", "unmet_penalty": "unmet-demand penalty",
    "revenue": "revenue",
}


def category_label(category: str) -> str:
    """A cost category in words ('onsite_fuel_om' -> 'on-site fuel and O&M'); unknown ones with spaces."""
    return CATEGORY_LABELS.get(str(category), str(category).replace("_", " "))
