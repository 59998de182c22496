"""Grid energy price per zone and slice.

Level: the state's average industrial retail price of the newest year in EIA's State Energy Data
System (``electricity_price_by_state_sector_1990_2024_seds.csv``: SEDS $/MMBtu x 0.3412 = cents/kWh;
x 10 = USD/MWh). A zone ``<state>-<subregion>`` pays its state's price.

Shape over the slices, normalised so that the hour-weighted mean equals the state price:

- **month**: where the state has a liquid trading hub (``HUB_OF_STATE``: PJM West for the PJM
  states, Mid-Columbia for the Northwest, Palo Verde for the desert Southwest, SP15 for California),
  the hub's monthly mean of daily on-peak prices (ICE via EIA) divided by that year's mean, the
  median over the complete years 2019-2022 (``HUB_YEARS``; 2023 lacks December), so that no single
  event sets a month. States without such a hub
  (ERCOT, TVA, Southern, SPP, MISO: the ICE files have no ERCOT, SERC or SPP hub and under 60 trading
  days a year at Indiana Hub) take the seasonal assumption ``SHAPE_SEASON`` (summer 1.025, winter 1.0,
  shoulder 0.925 before normalisation);
- **day/night** within a month: ``SHAPE_SEASON``'s day/night ratio of the season (an assumption:
  the hub data are on-peak only);
- **peaks**: ``SHAPE_PEAK`` times the mean (scarcity pricing on design days; an assumption).

The shape multiplies the whole retail price, delivery charges included: a simplification that
overstates the swing where delivery is a large share of the bill.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .climate import MONTHS, SLICES, slice_weights

SEDS_FILE = "electricity_price_by_state_sector_1990_2024_seds.csv"
SUMMER = {"jun", "jul", "aug", "sep"}
WINTER = {"dec", "jan", "feb"}
#: (day, night) multipliers by season (assumption); peaks: scarcity pricing (assumption)
SHAPE_SEASON = {"summer": (1.20, 0.85), "winter": (1.05, 0.95), "shoulder": (1.00, 0.85)}
SHAPE_PEAK = {"peak_hot": 3.0, "peak_cold": 2.0}
HUB_YEARS = (2019, 2020, 2021, 2022)
HUB_OF_STATE = {
    **dict.fromkeys(("DC", "DE", "MD", "NJ", "OH", "PA", "VA", "WV"), "PJM WH Real Time Peak"),
    **dict.fromkeys(("ID", "OR", "WA"), "Mid C Peak"),
    **dict.fromkeys(("AZ", "NM", "NV"), "Palo Verde Peak"),
    "CA": "SP15 EZ Gen DA LMP Peak",
}


def load_state_prices(raw: Path) -> tuple[pd.Series, int]:
    """(USD/MWh by USPS state code, year): EIA SEDS industrial price of the newest year with data."""
    p = pd.read_csv(raw / "eia-electricity-prices" / SEDS_FILE)
    p = p[p["Industrial"].notna() & (p["Industrial"] > 0)]
    year = int(p["Year"].max())
    return (p[p.Year == year].set_index("State")["Industrial"].astype(float) * 10.0).sort_index(), year


def load_hub_months(raw: Path) -> pd.DataFrame:
    """Monthly on-peak index per hub (rows: hub, columns: month 1-12), mean over :data:`HUB_YEARS`."""
    m = pd.read_csv(raw / "wholesale-hub-prices-ice" / "derived" / "ice_hub_monthly_onpeak_summary.csv")
    m = m[m.year.isin(HUB_YEARS) & m.price_hub.isin(set(HUB_OF_STATE.values()))]
    out = {}
    for hub, g in m.groupby("price_hub"):
        t = g.pivot(index="year", columns="month", values="mean_wtd_avg_usd_mwh")
        if t.shape != (len(HUB_YEARS), 12) or t.isna().any().any():
            raise ValueError(f"hub {hub!r}: monthly prices missing in {HUB_YEARS}")
        # median over the years: one event (the 2020 desert heat wave, Winter Storm Uri in February
        # 2021, the 2022 gas spike) must not set a month's shape
        out[hub] = (t.div(t.mean(axis=1), axis=0)).median(axis=0).to_numpy()
    return pd.DataFrame.from_dict(out, orient="index", columns=range(1, 13)).sort_index()


def _season(m: str) -> str:
    return "summer" if m in SUMMER else "winter" if m in WINTER else "shoulder"


def shape(hub_months: np.ndarray | None = None) -> np.ndarray:
    """Price multipliers per slice (hour-weighted mean 1), from a hub's monthly index or the assumption."""
    f = []
    for k, m in enumerate(MONTHS):
        d, n = SHAPE_SEASON[_season(m)]
        if hub_months is not None:
            mean = (d + n) / 2.0
            d, n = hub_months[k] * d / mean, hub_months[k] * n / mean
        f += [d, n]
    f += [SHAPE_PEAK["peak_hot"], SHAPE_PEAK["peak_cold"]]
    f = np.array(f)
    w = slice_weights()
    return f / (np.sum(w * f) / np.sum(w))


def build_prices(zones: dict[str, tuple[str, str]], state_prices: pd.Series, hub_months: pd.DataFrame,
                 carbon: pd.DataFrame) -> pd.DataFrame:
    """prices.csv rows: per zone (id -> (state, subregion)) and slice, its state's price x the shape
    and its subregion's carbon (``carbon``: subregion x slice, t/MWh)."""
    rows = []
    for z in sorted(zones):
        state, sub = zones[z]
        if state not in state_prices.index:
            raise KeyError(f"zone {z}: no EIA industrial price for state {state}")
        hub = HUB_OF_STATE.get(state)
        f = shape(hub_months.loc[hub].to_numpy() if hub is not None else None)
        base = float(state_prices[state])
        for s, k, c in zip(SLICES, f, carbon.loc[sub, list(SLICES)].to_numpy()):
            rows.append({"zone": z, "slice": s, "energy_price_usd_per_mwh": round(base * k, 2),
                         "carbon_t_per_mwh": round(float(c), 4)})
    return pd.DataFrame(rows)
