"""The scenario's schema (a planning study: dataset + catalog + study settings) and its validation
from a mapping, with problems that name the file or the code that changed it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from siteplan.config.fields import (MAX_GPU_HOUR_USD, MAX_KM, MAX_LEAD_TIME_YR, MAX_M3_PER_YR,
                                    MAX_PENALTY_USD_PER_GPU_YR, MAX_ROUTE_FACTOR, MAX_RTT_MS, MAX_SCALE,
                                    MAX_SITE_MW, MAX_T_PER_YR, MAX_THREADS, MAX_USD_PER_M3, _pydantic_problems,
                                    _Strict, safe_name)
from siteplan.config.overrides import _read_yaml, apply_overrides, set_by_path
from siteplan.errors import InputError, Problem


class Workload(_Strict):
    max_rtt_ms: float = Field(gt=0, le=MAX_RTT_MS, description="Round-trip latency limit site -> demand region (ms).")


class Carbon(_Strict):
    # $10,000/t as Period.carbon_price_usd_per_t: ~50x the highest carbon prices in force (~$150/t)
    price_usd_per_t: float = Field(default=0.0, ge=0, le=1e4, description="Carbon price on grid and on-site emissions.")
    cap_t_per_yr: float | None = Field(default=None, ge=0, le=MAX_T_PER_YR, description="Total emissions cap; null = none.")


class Water(_Strict):
    price_usd_per_m3: float = Field(default=0.0, ge=0, le=MAX_USD_PER_M3)
    allow_water_cooling: bool = Field(default=True, description="False forbids designs that need water.")
    cap_m3_per_yr: float | None = Field(default=None, ge=0, le=MAX_M3_PER_YR, description="Total water cap; null = none.")


class Limits(_Strict):
    max_sites: int | None = Field(default=None, ge=0, description="Maximum number of open sites; null = none.")
    min_it_mw_per_site: float = Field(default=0.0, ge=0, le=MAX_SITE_MW, description="Minimum IT MW at every open site.")


class Network(_Strict):
    route_factor: float = Field(default=1.3, ge=1, le=MAX_ROUTE_FACTOR, description="Fiber route length / great-circle length.")
    lateral_route_factor: float = Field(default=1.2, ge=1, le=MAX_ROUTE_FACTOR, description="Same, for laterals to the nearest PoP.")
    rtt_overhead_ms: float = Field(default=0.5, ge=0, le=MAX_RTT_MS, description="Fixed RTT added for equipment and queuing.")
    # 100 us/km: 20x light in fiber (4.9); ms/km given as us/km would give 1,000+
    us_per_km: float = Field(default=4.9, gt=0, le=100, description="One-way propagation delay in fiber (microseconds per km).")
    metro_max_km: float = Field(
        default=150.0, ge=0, le=2000, description="A site and a demand region at most this far apart (great "
        "circle) may also be joined directly, by metro or regional fiber of route_factor x their distance, "
        "when that is shorter than lateral + backbone + lateral (backbones have no PoP in many towns; "
        "regional carriers join places ~100-200 km apart); 0 = always through the backbone.")


class Interconnect(_Strict):
    max_distance_km: float = Field(default=30.0, gt=0, le=MAX_KM, description="Substations farther than this are not options.")
    line_route_factor: float = Field(default=1.2, ge=1, le=MAX_ROUTE_FACTOR, description="Line length / great-circle distance.")
    # 100x: ReEDS's regional multipliers span ~0.8-2.5
    cost_multiplier: float = Field(default=1.0, gt=0, le=100, description="Regional transmission cost multiplier (ReEDS style).")
    max_options_per_site: int = Field(default=3, gt=0, le=100, description="Nearest substations considered per site.")
    allow_upgrades: bool = Field(default=True, description="Contract beyond a substation's headroom at the "
                                 "class's upgrade cost per MW, if the longer lead time fits the horizon.")
    demand_charge_usd_per_mw_month: float = Field(
        default=0.0, ge=0, le=1e5, description="A utility's demand charge on the contracted MW (USD per MW-month), "
                                              "added to every class's contract_cost_usd_per_kw_yr: use it when "
                                              "the tariff bills demand apart from the energy price of prices.csv "
                                              "(EIA's state prices are revenue / sales, demand charges included).")
    lead_time_yr_by_zone: dict[str, float] = Field(
        default_factory=dict, description="A utility's published wait for large loads per zone or state (years, network "
                                          "upgrades included): no class connects sooner to a substation "
                                          "in the zone (before the substation's own lead_time_yr) nor for a site "
                                          "in the zone (the utility whose load it is).")

    @field_validator("lead_time_yr_by_zone")
    @classmethod
    def _waits(cls, v):
        bad = [z for z, y in v.items() if not (0 <= y < 100)]
        if bad:
            raise ValueError(f"lead times must be 0-100 years (zones {bad})")
        return v


class FirmPower(_Strict):
    peak_it_share: float = Field(default=1.0, gt=0, le=1, description="Share of nameplate IT drawn at the "
                                 "design peak: capacity (grid contract + firm on-site) covers nameplate IT x "
                                 "this x the design-peak PUE.")
    redundancy: Literal["n_plus_1", "none"] = Field(
        default="n_plus_1", description="n_plus_1: on-site plant counted as firm supply covers the peak it "
                                        "carries without its largest unit.")
    onsite_max_mw_per_site: float | None = Field(
        default=None, ge=0, le=MAX_SITE_MW, description="Cap on on-site generator MW per site (air permits); a site's own "
                                        "onsite_max_mw, if given, is used instead. null = none.")


class Solver(_Strict):
    time_limit_s: float = Field(default=600.0, gt=0, le=1e7)  # 1e7 s = 116 days
    mip_rel_gap: float = Field(default=1e-4, ge=0, le=1)  # a share: 1 = 100 %
    decision_gap: float | None = Field(
        default=None, ge=0, le=1, description="Also stop when (objective - bound) <= this x (objective - the cost "
                                        "no plan can avoid): the gap on what the siting and power choices "
                                        "cost (siteplan.solve.decision_gap). null = only mip_rel_gap.")
    threads: int = Field(default=1, ge=1, le=MAX_THREADS)
    seed: int = Field(default=0, ge=0)
    output: bool = Field(default=False, description="Print the HiGHS log.")
    root_cuts: bool = Field(default=True, description="Run the root cut loop for linking inequalities "
                                                      "registered as cuts (formulation.serve_linking).")
    mip_start: bool | Literal["auto"] = Field(
        default="auto", description="Start HiGHS from an LP-guided restricted MIP solution (sites the LP "
                                    "relaxation closes stay closed). auto: only when the root cut loop ran, "
                                    "whose final LP relaxation it reuses (large studies), or the study has "
                                    "on-site generators, and the target gap is >= 0.5 %; true: always "
                                    "(solving one extra LP otherwise).")


class Alternatives(_Strict):
    count: int = Field(default=0, ge=0, description="Near-optimal alternatives to find after the best plan "
                                                    "(siteplan.alternatives); 0 = none.")
    slack: float = Field(default=0.01, ge=0, le=MAX_SCALE, description="Alternatives cost at most this share of the best "
                                                         "plan's avoidable cost more than it.")


class Formulation(_Strict):
    serve_linking: Literal["auto", "rows", "cuts", "none"] = Field(
        default="auto",
        description="Disaggregated link serve[s,r,w] <= demand[r,w] x open[s] (strengthens the LP "
                    "relaxation; facility-location style). rows: in the model; cuts: added at the root "
                    "LP only where violated; none: only the aggregated capacity link; auto: rows up to "
                    "150,000 pairs, cuts above.")
    slice_clusters: int | Literal["auto"] | None = Field(
        default="auto", description="Merge the dataset's time slices into this many (whole representative "
                                    "days clustered on prices and temperatures, merged slice by slice, "
                                    "hour-weighted; the hottest slice's day is kept; at least one day per "
                                    "day structure, so possibly more slices than asked). "
                                    "null = use all slices; auto = merge only on large studies, to "
                                    "max(8, 16,000 / sites) slices when sites x slices > 16,000 (a plan "
                                    "says so in its notes).")

    @field_validator("slice_clusters")
    @classmethod
    def _at_least_two(cls, v):
        if isinstance(v, int) and v < 2:
            raise ValueError("must be >= 2 (or 'auto', or null for all slices)")
        return v


class Period(_Strict):
    """One period of a build-out study: its first year, its length and what changes in it."""

    year: int = Field(ge=1990, le=2100, description="First year of the period.")
    length_yr: int = Field(gt=0, le=50, description="Years the period lasts.")
    demand_scale: float = Field(default=1.0, ge=0, le=1e3, description="Multiplies the scenario's demand "
                                "(a growth path).")
    energy_price_scale: float = Field(default=1.0, ge=0, le=100, description="Multiplies grid energy prices.")
    gas_price_scale: float = Field(default=1.0, ge=0, le=100, description="Multiplies delivered gas prices.")
    carbon_price_usd_per_t: float | None = Field(default=None, ge=0, le=1e4,
                                                 description="Carbon price in the period; null = the scenario's.")


class Bridging(_Strict):
    rent: bool = Field(default=False, description="In a build-out study, on-site units with a catalog "
                                                  "rental_usd_per_kw_month may be rented per period (no capex, "
                                                  "returned when no longer needed) as well as bought.")


class Scenario(_Strict):
    """A planning study: dataset + catalog + study settings. Paths are resolved to absolute paths."""

    name: str = Field(description="Name of the study; the default results folder is results/<name>, so a "
                                  "file name: letters, digits, '.', '_' and '-', not starting with '.'.")

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, v: str) -> str:
        return safe_name(v)
    description: str = ""
    dataset: Path = Field(description="Regional dataset folder (relative to the scenario file).")
    catalog: Path = Field(description="Technology catalog YAML (relative to the scenario file).")
    horizon_yr: float | None = Field(default=None, gt=0, le=MAX_LEAD_TIME_YR, description="Years until capacity must be online: an "
                                       "option is available iff its lead time <= the horizon. Required "
                                       "without periods; with periods each period's horizon is its year "
                                       "minus start_year.")
    start_year: int | None = Field(default=None, ge=1990, le=2100, description="Build-out studies: the year "
                                   "requests are filed (lead times count from it) and the base year of "
                                   "discounting.")
    periods: list[Period] | None = Field(default=None, min_length=1, description="Build-out study: ordered, "
                                         "back-to-back periods; null = one steady-state period (horizon_yr).")
    bridging: Bridging = Bridging()
    demand_scale: float = Field(default=1.0, ge=0, le=MAX_SCALE)
    energy_price_scale: float = Field(
        default=1.0, ge=0, le=MAX_SCALE, description="Multiplies every grid energy price of the dataset's prices.csv "
                                       "(price sweeps; fuel prices are catalog_overrides).")
    objective: Literal["min_cost", "max_profit"] = Field(
        default="min_cost", description="min_cost: meet the demand at least cost (unmet demand pays the "
                                        "penalty); max_profit: serve the demand that pays for itself, "
                                        "maximising revenue (gpu_hour_price_usd) minus cost.")
    gpu_hour_price_usd: float | None = Field(
        default=None, gt=0, le=MAX_GPU_HOUR_USD, validate_default=True,
        description="Revenue per H100e-hour of served compute, over the slices' hours of the year "
                    "(objective max_profit only; required there).")
    workloads: dict[str, Workload] = Field(min_length=1)
    rack_types: list[str] | None = Field(default=None, description="Subset of catalog rack types; null = all.")
    cooling_designs: list[str] | None = Field(default=None, description="Subset of designs; null = all.")
    onsite: list[str] | None = Field(default=None, description="Subset of on-site options; null = all.")
    it_utilisation: float = Field(default=0.8, ge=0.05, le=1, description="Average IT draw / nameplate (at least "
                                  "0.05: a GPU fleet idles at ~0.1-0.2 of nameplate; 1e-9 is a typo).")
    unmet_penalty_usd_per_gpu_yr: float | None = Field(
        default=None, ge=0, le=MAX_PENALTY_USD_PER_GPU_YR, validate_default=True,
        description="Penalty per H100e of unmet demand per year: required (> 0) with min_cost; optional "
                    "with max_profit (default 0: unserved demand only forgoes its revenue).")
    carbon: Carbon = Carbon()
    water: Water = Water()
    limits: Limits = Limits()
    network: Network = Network()
    interconnect: Interconnect = Interconnect()
    firm_power: FirmPower = FirmPower()
    solver: Solver = Solver()
    formulation: Formulation = Formulation()
    alternatives: Alternatives = Alternatives()
    catalog_overrides: dict[str, Any] = Field(default_factory=dict, description="Partial catalog deep-merged over the catalog file.")
    source_file: Path | None = Field(default=None, description="Set by the loader.")

    def with_values(self, values: dict[str, Any]) -> "Scenario":
        """A validated copy with values changed by dotted key.

        Parameters
        ----------
        values : dict
            ``{"demand_scale": 2, "carbon.price_usd_per_t": 50}``, as ``--set`` takes them.

        Raises
        ------
        InputError
            Listing every problem of the changed scenario.

        Notes
        -----
        ``model_copy(update=...)`` does not validate; :func:`siteplan.load` re-validates a scenario
        passed to it, so a copy changed that way is checked there.
        """
        raw = self.model_dump()
        for key, value in values.items():
            set_by_path(raw, key, value)
        return revalidated(raw, self.source_file)  # paths resolved from the scenario file, as in the file

    def with_overrides(self, names: list[str] | tuple[str, ...] | str) -> "Scenario":
        """A validated copy with named overrides of its scenario file (``overrides:``) applied in order.

        Raises
        ------
        InputError
            When the scenario has no file, a name is not in it, or the result is invalid.
        """
        names = [names] if isinstance(names, str) else list(names)
        if not names:
            return self
        if self.source_file is None:
            raise InputError([Problem(None, None, "overrides", "the scenario was not read from a file, so it "
                                                               "has no named overrides; use with_values")])
        named = _read_yaml(Path(self.source_file))
        raw = apply_overrides({**self.model_dump(), "overrides": (named or {}).get("overrides")}, names,
                              Path(self.source_file))
        return revalidated(raw, self.source_file)

    @model_validator(mode="after")
    def _periods(self) -> "Scenario":
        if self.periods is None:
            if self.horizon_yr is None:
                raise ValueError("horizon_yr is required (or give periods and start_year for a build-out study)")
            if self.start_year is not None:
                raise ValueError("start_year is only used with periods")
            return self
        if self.horizon_yr is not None:
            raise ValueError("give horizon_yr or periods, not both: with periods each period's horizon is its "
                             "year minus start_year")
        if self.start_year is None:
            raise ValueError("periods need start_year (the year requests are filed)")
        prev = None
        for i, per in enumerate(self.periods):
            if i == 0 and per.year <= self.start_year:
                raise ValueError(f"periods[0].year {per.year} must be after start_year {self.start_year}")
            if prev is not None and per.year != prev.year + prev.length_yr:
                raise ValueError(f"periods[{i}].year is {per.year}; periods are back to back, so it must be "
                                 f"{prev.year + prev.length_yr} (periods[{i - 1}].year + length_yr)")
            prev = per
        return self

    @field_validator("gpu_hour_price_usd")
    @classmethod
    def _price_only_for_max_profit(cls, v, info):
        objective = info.data.get("objective")
        if objective == "max_profit" and v is None:
            raise ValueError("required with objective max_profit (revenue per H100e-hour served)")
        if objective == "min_cost" and v is not None:
            raise ValueError("only used with objective max_profit")
        return v

    @field_validator("unmet_penalty_usd_per_gpu_yr")
    @classmethod
    def _penalty_by_objective(cls, v, info):
        objective = info.data.get("objective")
        if objective == "min_cost" and not v:
            raise ValueError("required (> 0) with objective min_cost" if v is None
                             else "must be > 0 with objective min_cost (demand must cost something to leave unmet)")
        return 0.0 if v is None else v


def scenario_from_dict(raw: dict, base_dir: Path, source_file: Path | None = None,
                       label: Path | None = None) -> Scenario:
    """Validate a scenario mapping; relative paths are taken from ``base_dir``; problems name
    ``label`` (default: the source file, else ``base_dir``)."""
    raw = dict(raw)
    raw.pop("overrides", None)
    for key in ("dataset", "catalog"):
        if isinstance(raw.get(key), (str, Path)):
            raw[key] = (base_dir / raw[key]).resolve()  # an absolute path stays itself
    raw["source_file"] = source_file
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(label or source_file or base_dir, exc)) from None


def revalidated(raw: dict | Scenario, source_file: Path | None) -> Scenario:
    """Validate a scenario built or changed in code.

    Parameters
    ----------
    raw : dict or Scenario
        The scenario's values (a Scenario is dumped and validated again).
    source_file : Path or None
        The file it came from, for the problems' ``<file> (changed in code)``.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Listing every problem.
    """
    if isinstance(raw, Scenario):
        raw = raw.model_dump()
    label = Path(f"{source_file} (changed in code)") if source_file else Path("<scenario built in code>")
    base = source_file.parent if source_file else Path.cwd()
    return scenario_from_dict(raw, base_dir=base, source_file=source_file, label=label)
