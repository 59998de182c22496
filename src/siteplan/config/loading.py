"""Loading a scenario or catalog file, and the checks of a catalog changed in code and of the names a
scenario takes from its catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from siteplan.config.catalog import Catalog
from siteplan.config.fields import _pydantic_problems
from siteplan.config.overrides import _blame_set_value, _deep_merge, _read_yaml, apply_overrides, set_by_path
from siteplan.config.scenario import Scenario, scenario_from_dict
from siteplan.errors import InputError, Problem


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = (),
                  set_values: dict[str, Any] | None = None, *, where: str = "set_values") -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path : str or Path
        Scenario file. ``dataset`` and ``catalog`` are resolved relative to it.
    overrides : sequence of str, or str
        Names from the file's ``overrides:`` section, applied in order (a string is one name).
    set_values : dict, optional
        Extra values by dotted key path (``{"carbon.price_usd_per_t": 50}``), applied last; a
        problem they cause names them, not the file.
    where : str, default "set_values"
        What the caller calls ``set_values`` in messages (:func:`set_value_label`): the argument's
        name from Python, ``"--set"`` from the command line.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Listing every problem found (unknown keys, wrong types, missing keys).
    """
    path = Path(path).resolve()
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), None, None, "scenario file must be a YAML mapping")])
    raw = apply_overrides(raw, [overrides] if isinstance(overrides, str) else list(overrides), path)  # one name
    for key, value in (set_values or {}).items():
        set_by_path(raw, key, value)
    try:
        return scenario_from_dict(raw, base_dir=path.parent, source_file=path)
    except InputError as exc:
        if not set_values:
            raise
        raise InputError([_blame_set_value(q, set_values, path, where) for q in exc.problems]) from None



def catalog_problems(cat: Catalog, path: Path | None) -> list[Problem]:
    """Problems of a catalog built or changed in code (``model_copy`` skips validation).

    Parameters
    ----------
    cat : Catalog
    path : Path or None
        The catalog file, for the problems' ``<file> (changed in code)``.

    Returns
    -------
    list of Problem
    """
    try:
        Catalog.model_validate(cat.model_dump())
    except ValidationError as exc:
        return _pydantic_problems(Path(f"{path} (changed in code)"), exc)
    return []


def cross_check(sc: Scenario, cat: Catalog) -> list[Problem]:
    """Check that the names the scenario takes from the catalog exist.

    Parameters
    ----------
    sc : Scenario
    cat : Catalog

    Returns
    -------
    list of Problem
        One per rack type, cooling design or on-site option the catalog lacks.
    """
    from siteplan.config.suggest import did_you_mean

    src = str(sc.source_file)
    out = []
    for key, names, have in (("rack_types", sc.rack_types, cat.rack_types),
                             ("cooling_designs", sc.cooling_designs, cat.cooling_designs),
                             ("onsite", sc.onsite, cat.onsite)):
        for n in names or []:
            if n not in have:
                out.append(Problem(src, None, key, f"{n!r} is not in the catalog {sc.catalog}"
                                   + did_you_mean(n, [h for h in have if h not in names] or have)))
    return out


def load_catalog(path: str | Path, overrides: dict[str, Any] | None = None) -> Catalog:
    """Read and validate a technology catalog YAML file (every problem reported at once).

    ``overrides`` (a scenario's ``catalog_overrides``) is deep-merged over the file's content.
    """
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), None, None, "catalog must be a YAML mapping")])
    if overrides:
        raw = _deep_merge(raw, overrides)
    if "interconnect_tiers" in raw:
        raise InputError([Problem(str(path), None, "interconnect_tiers",
                                  "replaced by interconnect_classes (voltage_kv, max_mw, line_cost_usd_per_km, "
                                  "substation_cost_usd, upgrade_cost_usd_per_mw, lead_time_yr, "
                                  "upgrade_lead_time_yr, lifetime_yr, source): a connection is a voltage class "
                                  "plus a contracted MW, not a fixed-size tier")])
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(path, exc)) from None
