"""Plausibility limits of the dataset's numbers and the constants of its time slices.

The ceilings are far beyond any real value (each with its reason), so that only a unit mix-up or a
typo reaches them; :mod:`siteplan.config` has the catalog's and scenario's.
"""

from __future__ import annotations

HOURS_PER_YEAR = 8760.0
# Plausibility limits that catch unit mix-ups: recorded surface air temperatures lie within about
# -90..57 degC, but no candidate data-center site's design conditions come near -70 or 60 degC
# (kelvin gives 250-320, Fahrenheit summer slices 80-115); the dirtiest fleets (lignite) emit
# about 1.2-1.4 t CO2/MWh, so 2 t/MWh is a generous ceiling (kg/MWh given as t gives 300-1,000).
TEMPERATURE_RANGE_C = (-70.0, 60.0)
MAX_CARBON_T_PER_MWH = 2.0
# Energy prices: the bundled regions' slices span 25-690 USD/MWh; no grid energy costs less than
# 1 USD/MWh over a slice (a USD/kWh file gives 0.02-0.7), and 10,000 is above every market's offer cap
# (ERCOT $5,000, was $9,000; cents/kWh given as USD/MWh give ~10x, USD/GWh 1,000x).
ENERGY_PRICE_RANGE_USD_PER_MWH = (1.0, 10_000.0)
# Ceilings of the layers' numbers, far beyond any real value (the bundled regions' range in brackets),
# so that only a unit mix-up or a typo reaches them; siteplan.config has the catalog's and scenario's.
MAX_SITE_MW = 10_000.0  # twice the largest campus announced (~5 GW of IT) [sites: 100-1,000 MW]
MAX_GRID_MW = 25_000.0  # more than the largest power station (22.5 GW) or HVDC line (~12 GW) [0-2,710 MW]
MAX_VOLTAGE_KV = 1_200.0  # the highest AC voltage in service is 1,100-1,150 kV [69-765]; volts as kV: 69,000+
MAX_SITE_USD = 1e11  # $100 bn: more than any single campus costs in all [land: $1.6 M-0.8 bn]
MAX_M3_PER_YR = 1e10  # 10 km3/yr: a mid-size country's water use [site limits: 2e5-2e6 m3/yr]
MAX_LEAD_TIME_YR = 100.0  # as the scenario's lead_time_yr_by_zone [3.1-3.9 yr]
MAX_ROUTE_KM = 40_075.0  # the Earth's circumference [fiber routes: 7-8,069 km]
MAX_POPULATION = 1e10  # more than the world's population (8.2 bn) [metros: 0.1-4.3 M]
MAX_GPUS = 1e9  # ~50x the world's installed AI accelerators in 2025 (~10-20 M H100e) [0-285 k per region]
MAX_RTT_MS = 1_000.0  # light in fiber goes half round the Earth and back in ~200 ms; seconds as ms give 1,000+
MAX_SERVING_USD_PER_GPU_YR = 1e9  # ~1e5x an H100e's full yearly cost (~$15 k); tests' 1 MW "GPUs" stay far below
# A site, substation, corridor, demand region or weather station farther than this outside the
# extent of the middle 96 % of the substations' coordinates is not in the dataset's region: the
# bundled regions' sites, demand and stations lie within 150 km of that extent, while a flipped
# longitude sign moves a US point ~10,000 km. PoPs and fiber are national backbones (the bundled
# ones reach Amsterdam and Costa Rica) and only need valid coordinates that are not (0, 0).
AREA_MARGIN_KM = 500.0
AREA_QUANTILES = (0.02, 0.98)
KM_PER_DEG_LAT = 111.2
RESERVED_SLICE = "design_peak"  # name of the zero-hour peak slice merged studies add (prepare/slices.py)
DAYS_PER_YEAR = 365.0
HOURS_PER_DAY = 24.0
DAY_VARIABLES = ("day", "order_in_day", "duration_h")  # optional day structure of the slices (climate.nc)
NULL_ISLAND = "at (0, 0), in the Gulf of Guinea: a missing coordinate written as zero?"  # a point's message
PRICE_FACTORS = ("supply_factor", "corridor_rating_factor")  # optional per (zone, slice), default 1
MAX_RATING_FACTOR = 3.0  # a rating factor above this is a unit mistake (MW given as a factor?)
