"""Energy price and grid carbon intensity per zone (state) and slice.

Energy price: EIA 2019 average retail price, Total Electric Industry, Industrial sector (cents/kWh
x 10 = USD/MWh) times a time-of-day/season shape ``SHAPE`` normalised so that the hour-weighted mean
over the slices equals the state figure.

Carbon: ``CARBON_T_PER_MWH``, state grid-average CO2 output emission rates, approximated from
EPA eGRID2022 state tables (lb/MWh / 2204.6, rounded to 0.01 t/MWh); constant over slices.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .climate import MONTHS, SLICES, slice_weights

PRICE_YEAR = 2019
SUMMER = {"jun", "jul", "aug", "sep"}
WINTER = {"dec", "jan", "feb"}
#: (day, night) multipliers by season; peaks: scarcity pricing (assumption)
SHAPE_SEASON = {"summer": (1.20, 0.85), "winter": (1.05, 0.95), "shoulder": (1.00, 0.85)}
SHAPE_PEAK = {"peak_hot": 3.0, "peak_cold": 2.0}

# t CO2 / MWh of generation, approximate eGRID2022 state output emission rates (see docstring)
CARBON_T_PER_MWH = {
    "AL": 0.34, "AR": 0.45, "AZ": 0.32, "CA": 0.20, "CO": 0.54, "DC": 0.30, "DE": 0.38, "FL": 0.37,
    "GA": 0.35, "IA": 0.33, "ID": 0.08, "IL": 0.27, "IN": 0.68, "KS": 0.34, "KY": 0.77, "LA": 0.36,
    "MD": 0.25, "MI": 0.44, "MN": 0.35, "MO": 0.68, "MS": 0.36, "MT": 0.50, "NC": 0.31, "ND": 0.68,
    "NE": 0.45, "NJ": 0.22, "NM": 0.41, "NV": 0.34, "NY": 0.20, "OH": 0.52, "OK": 0.32, "OR": 0.14,
    "PA": 0.32, "SC": 0.25, "SD": 0.11, "TN": 0.25, "TX": 0.38, "UT": 0.68, "VA": 0.28, "WA": 0.09,
    "WI": 0.54, "WV": 0.86, "WY": 0.82,
}


def load_state_prices(raw: Path) -> pd.Series:
    """USD/MWh by USPS state code (EIA 2019, Total Electric Industry, Industrial)."""
    p = pd.read_csv(raw / "eia-electricity-prices" / "avgprice_annual_1990_2019.csv", skiprows=1)
    p = p[(p.Year == PRICE_YEAR) & (p["Industry Sector Category"] == "Total Electric Industry")]
    return (p.set_index("State")["Industrial"].astype(float) * 10.0).sort_index()


def shape() -> np.ndarray:
    f = []
    for m in MONTHS:
        season = "summer" if m in SUMMER else "winter" if m in WINTER else "shoulder"
        f += list(SHAPE_SEASON[season])
    f += [SHAPE_PEAK["peak_hot"], SHAPE_PEAK["peak_cold"]]
    f = np.array(f)
    w = slice_weights()
    return f / (np.sum(w * f) / np.sum(w))


def build_prices(zones: list[str], state_prices: pd.Series) -> pd.DataFrame:
    f = shape()
    rows = []
    for z in sorted(zones):
        base = float(state_prices[z])
        for s, k in zip(SLICES, f):
            rows.append({"zone": z, "slice": s, "energy_price_usd_per_mwh": round(base * k, 2),
                         "carbon_t_per_mwh": CARBON_T_PER_MWH[z]})
    return pd.DataFrame(rows)
