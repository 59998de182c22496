"""Load a regional dataset folder and validate it, reporting every problem in one pass.

The field schema of each file is declared once, as data (:data:`SCHEMAS`); the checks are small
functions that append :class:`~siteplan.errors.Problem` entries. Nothing is dropped or defaulted
except where the schema says what a null means.

The submodules, by concern:

- :mod:`~siteplan.io.limits`: plausibility ceilings and ranges (unit mix-ups), slice constants;
- :mod:`~siteplan.io.schema`: :class:`FieldSpec`, :data:`SCHEMAS`, the workload classes' demand fields;
- :mod:`~siteplan.io.readers`: reading helpers shared by the layers (CSV, NetCDF, ids as text, references);
- :mod:`~siteplan.io.layers`: the vector layers (sites, substations, transmission, pops, fiber, demand);
- :mod:`~siteplan.io.area`: the dataset's area, and the features outside it;
- :mod:`~siteplan.io.climate`: climate.nc (stations or a grid interpolated at the sites), its slices;
- :mod:`~siteplan.io.days`: the optional day structure of the slices;
- :mod:`~siteplan.io.prices`: prices.csv / prices.nc;
- :mod:`~siteplan.io.pairs`: the (site, region) pair files latency.csv and serving_cost.csv;
- :mod:`~siteplan.io.meta`: dataset.yaml;
- :mod:`~siteplan.io.land`: sites and demand regions in the sea (the bundled state boundaries);
- :mod:`~siteplan.io.dataset`: :class:`Dataset`, :func:`load_dataset` and :func:`check_tables`;
- :mod:`~siteplan.io.writer`: writing a dataset folder in these formats (:func:`~siteplan.io.writer.write_dataset`);
- :mod:`~siteplan.io.example`: the hand-made example dataset (``data/example``), written through it.

The names below are re-exported so that ``from siteplan.io import X`` keeps working.
"""

from __future__ import annotations

from siteplan.io.area import dataset_area
from siteplan.io.climate import climate_at_sites
from siteplan.io.dataset import Dataset, check_tables, load_dataset
from siteplan.io.days import day_structure_problems, slice_days
from siteplan.io.limits import (AREA_MARGIN_KM, AREA_QUANTILES, DAY_VARIABLES, DAYS_PER_YEAR,
                                ENERGY_PRICE_RANGE_USD_PER_MWH, HOURS_PER_DAY, HOURS_PER_YEAR, KM_PER_DEG_LAT,
                                MAX_CARBON_T_PER_MWH, MAX_GPUS, MAX_GRID_MW, MAX_LEAD_TIME_YR, MAX_M3_PER_YR,
                                MAX_POPULATION, MAX_RATING_FACTOR, MAX_ROUTE_KM, MAX_RTT_MS,
                                MAX_SERVING_USD_PER_GPU_YR, MAX_SITE_MW, MAX_SITE_USD, MAX_VOLTAGE_KV, NULL_ISLAND,
                                PRICE_FACTORS, RESERVED_SLICE, TEMPERATURE_RANGE_C)
from siteplan.io.pairs import PAIR_VALUE_RANGES
from siteplan.io.readers import _plain_rows_of_one_width  # tests/test_perf21_load.py
from siteplan.io.schema import (DEMAND_FIELD_SUFFIXES, SCHEMAS, YEARLY_DEMAND, FieldSpec, demand_fields,
                                yearly_demand_fields)

__all__ = [
    "AREA_MARGIN_KM", "AREA_QUANTILES", "DAY_VARIABLES", "DAYS_PER_YEAR", "DEMAND_FIELD_SUFFIXES",
    "ENERGY_PRICE_RANGE_USD_PER_MWH", "HOURS_PER_DAY", "HOURS_PER_YEAR", "KM_PER_DEG_LAT", "MAX_CARBON_T_PER_MWH",
    "MAX_GPUS", "MAX_GRID_MW", "MAX_LEAD_TIME_YR", "MAX_M3_PER_YR", "MAX_POPULATION", "MAX_RATING_FACTOR",
    "MAX_ROUTE_KM", "MAX_RTT_MS", "MAX_SERVING_USD_PER_GPU_YR", "MAX_SITE_MW", "MAX_SITE_USD", "MAX_VOLTAGE_KV",
    "NULL_ISLAND", "PAIR_VALUE_RANGES", "PRICE_FACTORS", "RESERVED_SLICE", "SCHEMAS", "TEMPERATURE_RANGE_C",
    "YEARLY_DEMAND", "Dataset", "FieldSpec", "check_tables", "climate_at_sites", "dataset_area",
    "day_structure_problems", "demand_fields", "load_dataset", "slice_days", "yearly_demand_fields",
    "_plain_rows_of_one_width",
]
