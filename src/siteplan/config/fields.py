"""Shared pieces of the scenario and catalog schemas: the plausibility ceilings of their numbers, the
strict base model, name and curve checks, the capital recovery factor, and pydantic errors as problems."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from siteplan.errors import Problem


# Plausibility ceilings of the numbers (issue 20): each is far beyond any real value, so only a unit
# mix-up or a typo reaches it, and each says why. Every float field also rejects inf and NaN.
MAX_LIFETIME_YR = 100.0  # the longest-lived assets (dams, land) are written off over <= 100 yr; the catalog: 5-40
MAX_LEAD_TIME_YR = 100.0  # as Interconnect.lead_time_yr_by_zone: the catalog's lead times are 0.5-6 yr
MAX_SITE_MW = 10_000.0  # 10 GW of IT at one site: twice the largest campus announced (~5 GW); bundled sites 100-1,000 MW
MAX_POWER_MW = 25_000.0  # more than the largest power station (Three Gorges, 22.5 GW); the catalog's units: 10-1,500 MW
MAX_VOLTAGE_KV = 1_200.0  # the highest AC voltage in service is 1,100-1,150 kV (UHV); volts given as kV give 69,000+
MAX_RACK_KW = 10_000.0  # 10 MW per rack: ~17x the densest roadmap rack (~600 kW); watts given as kW give 20,000+
MAX_USD = 1e11  # $100 bn for one item (a substation, a tap, land): more than any single data-center campus costs
MAX_USD_PER_UNIT = 1e9  # $1 bn per rack, per MW or per km: ~100x the dearest (a $7.8 M rack, ~$15 M/MW nuclear)
MAX_USD_PER_KW_PERIOD = 1e4  # $10,000 per kW-yr or kW-month: ~100x fixed O&M, rents and contract charges ($1-50)
MAX_USD_PER_MWH = 1e4  # as the dataset's energy prices (siteplan.io): above ERCOT's $5,000/MWh offer cap
MAX_FUEL_USD_PER_MMBTU = 1_000.0  # ~10x the highest spot gas price seen (Asian LNG 2022, ~$70/MMBtu)
MAX_THREADS = 1024  # HiGHS starts a thread each: 100,000 hung a 25-row solve; the largest servers have ~500 cores
MIN_HEAT_RATE = 3.412  # MMBtu/MWh: 1 MWh = 3.412 MMBtu, so anything below is more than 100 % efficient
MAX_HEAT_RATE = 100.0  # MMBtu/MWh: ~10x an old peaker (10-12); Btu/kWh given as MMBtu/MWh give 6,000+
MAX_T_PER_MWH = 2.0  # as the dataset's carbon intensities (siteplan.io): lignite emits ~1.2-1.4 t/MWh
MAX_RTT_MS = 1_000.0  # light in fiber goes half round the Earth and back in ~200 ms; seconds given as ms give 1,000+
MAX_KM = 40_075.0  # the Earth's circumference
MAX_GPU_HOUR_USD = 1_000.0  # ~400x the market price of an H100-hour (~$2-3)
# ~1e6x an H100e's full yearly cost (~$15 k; the bundled scenarios use 1e5, the tests' 1 MW "GPUs" 1e7); with a
# larger penalty the solver's relative tolerance (~1e-6) would swamp the study's other costs
MAX_PENALTY_USD_PER_GPU_YR = 1e10
MAX_M3_PER_YR = 1e10  # 10 km3/yr: the water use of a mid-size country; bundled site limits ~1e5-1e6 m3/yr
MAX_T_PER_YR = 1e10  # 10 Gt CO2/yr: a quarter of the world's emissions
MAX_USD_PER_M3 = 1_000.0  # ~300x desalinated water (~$1-3/m3)
MAX_ROUTE_FACTOR = 10.0  # routes are 1.1-2x the great circle; 10x is another unit, not a detour
MAX_PUE = 10.0  # the least efficient facilities measured run at ~2.5-3 (the catalog: 1.04-1.75); percent gives 100+
MAX_WUE_L_PER_KWH = 100.0  # evaporative cooling uses ~0-2 L/kWh (the catalog: 0-1.9); mL/kWh given as L/kWh gives 100+
MAX_SCALE = 1_000.0  # as Period.demand_scale: 1,000x a dataset's demand or prices (or 100,000 % slack) is a typo


class _Strict(BaseModel):
    # allow_inf_nan=False: .inf / .nan in any float (catalog, scenario, solver options) is an error
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def safe_name(v: str) -> str:
    """``v`` if it can name a results folder without leaving its parent (no '/', '..', absolute
    path or leading dot; at most 100 characters); else ValueError."""
    if not isinstance(v, str) or not _SAFE_NAME.fullmatch(v):
        raise ValueError(f"{v!r} cannot name a results folder: use letters, digits, '.', '_' and '-' "
                         "(no '/', no leading '.', at most 100 characters)")
    return v


def _check_curve(x: list[float], y: list[float], yname: str, lower: float, upper: float) -> None:
    if len(x) != len(y):
        raise ValueError(f"curve has {len(x)} temperatures but {len(y)} {yname} values")
    if any(b <= a for a, b in zip(x, x[1:])):
        raise ValueError("curve temperatures must be strictly increasing")
    if any(v < lower for v in y):
        raise ValueError(f"{yname} values must be >= {lower}")
    if any(v > upper for v in y):
        raise ValueError(f"{yname} values must be <= {upper:g} (a unit mix-up?)")


def crf(rate: float, lifetime_yr: float) -> float:
    """Capital recovery factor: annual payment per unit of capex over ``lifetime_yr`` years."""
    if rate == 0:
        return 1.0 / lifetime_yr
    g = (1.0 + rate) ** lifetime_yr
    return rate * g / (g - 1.0)


def _schema_classes() -> dict[str, type]:
    """Every schema class (the subclasses of :class:`_Strict`, at any depth) by name."""
    out, todo = {}, [_Strict]
    while todo:
        for sub in todo.pop().__subclasses__():
            out.setdefault(sub.__name__, sub)
            todo.append(sub)
    return out


def _pydantic_problems(path: Path, exc: ValidationError, prefix: str = "") -> list[Problem]:
    from siteplan.config.suggest import did_you_mean, fields_at

    model = _schema_classes().get(exc.title)  # the validated class (Scenario, Catalog), for "did you mean"
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or None
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = fields_at(model, tuple(err["loc"][:-1])) if isinstance(model, type) and err["loc"] else None
            msg = "unknown key" + did_you_mean(str(err["loc"][-1]), known or [])
        elif err["type"] == "missing":
            msg = "required key is missing"
        out.append(Problem(str(path), None, field, msg))
    return out

