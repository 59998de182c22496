"""Scenario and technology-catalog schemas (pydantic), with file loading.

A scenario YAML points at a regional dataset and a catalog (paths relative to the scenario file)
and sets the study. Unknown keys and wrong types are errors that name the key and the file; every
problem is reported at once (see :mod:`siteplan.errors`).

The package, by concern (every name is re-exported here, so ``siteplan.config.X`` is unchanged):

- :mod:`.fields`: the plausibility ceilings of the numbers, the strict base model, name and curve
  checks, the capital recovery factor, pydantic errors as problems;
- :mod:`.catalog`: the technology catalog's schema;
- :mod:`.scenario`: the scenario's schema and its validation from a mapping;
- :mod:`.overrides`: reading YAML, named overrides, ``--set`` / ``set_values`` by dotted key;
- :mod:`.loading`: loading scenario and catalog files, and the checks between them.

Two helpers of the checks, imported from their own modules (not re-exported here):

- :mod:`.zones`: zone ids, settings keyed by a zone or its state, and the scenario's zone keys checked
  against a dataset;
- :mod:`.suggest`: "did you mean ...?" for misspelt keys and names.
"""

from __future__ import annotations

from siteplan.config.catalog import (Battery, Catalog, CoolingDesign, Economics, Facility, GasSupply, Generator,
                                     InterconnectClass, NetworkCosts, PueCurve, RackType, WueCurve)
from siteplan.config.fields import (MAX_FUEL_USD_PER_MMBTU, MAX_GPU_HOUR_USD, MAX_HEAT_RATE, MAX_KM,
                                    MAX_LEAD_TIME_YR, MAX_LIFETIME_YR, MAX_M3_PER_YR, MAX_PENALTY_USD_PER_GPU_YR,
                                    MAX_POWER_MW, MAX_PUE, MAX_RACK_KW, MAX_ROUTE_FACTOR, MAX_RTT_MS, MAX_SCALE,
                                    MAX_SITE_MW, MAX_T_PER_MWH, MAX_T_PER_YR, MAX_THREADS, MAX_USD,
                                    MAX_USD_PER_KW_PERIOD, MAX_USD_PER_M3, MAX_USD_PER_MWH, MAX_USD_PER_UNIT,
                                    MAX_VOLTAGE_KV, MAX_WUE_L_PER_KWH, MIN_HEAT_RATE, _SAFE_NAME, _check_curve,
                                    _pydantic_problems, _Strict, crf, safe_name)
from siteplan.config.loading import catalog_problems, cross_check, load_catalog, load_scenario
from siteplan.config.overrides import (_blame_set_value, _deep_merge, _read_yaml, apply_overrides,
                                       blame_set_values, set_by_path, set_value_label)
from siteplan.config.scenario import (Alternatives, Bridging, Carbon, FirmPower, Formulation, Interconnect, Limits,
                                      Network, Period, Scenario, Solver, Water, Workload, revalidated,
                                      scenario_from_dict)

__all__ = [
    # schemas
    "Alternatives", "Battery", "Bridging", "Carbon", "Catalog", "CoolingDesign", "Economics", "Facility",
    "FirmPower", "Formulation", "GasSupply", "Generator", "Interconnect", "InterconnectClass", "Limits",
    "Network", "NetworkCosts", "Period", "PueCurve", "RackType", "Scenario", "Solver", "Water", "Workload",
    "WueCurve",
    # plausibility ceilings
    "MAX_FUEL_USD_PER_MMBTU", "MAX_GPU_HOUR_USD", "MAX_HEAT_RATE", "MAX_KM", "MAX_LEAD_TIME_YR",
    "MAX_LIFETIME_YR", "MAX_M3_PER_YR", "MAX_PENALTY_USD_PER_GPU_YR", "MAX_POWER_MW", "MAX_PUE", "MAX_RACK_KW",
    "MAX_ROUTE_FACTOR", "MAX_RTT_MS", "MAX_SCALE", "MAX_SITE_MW", "MAX_T_PER_MWH", "MAX_T_PER_YR", "MAX_THREADS",
    "MAX_USD", "MAX_USD_PER_KW_PERIOD", "MAX_USD_PER_M3", "MAX_USD_PER_MWH", "MAX_USD_PER_UNIT",
    "MAX_VOLTAGE_KV", "MAX_WUE_L_PER_KWH", "MIN_HEAT_RATE",
    # functions
    "apply_overrides", "blame_set_values", "catalog_problems", "crf", "cross_check", "load_catalog",
    "load_scenario", "revalidated", "safe_name", "scenario_from_dict", "set_by_path", "set_value_label",
    # private helpers other modules import (siteplan.api, siteplan.batch.sweep)
    "_SAFE_NAME", "_Strict", "_blame_set_value", "_check_curve", "_deep_merge", "_pydantic_problems", "_read_yaml",
]
