"""Reuse a previous plan as a MIP start when re-solving a slightly changed study.

The integer decisions of the old plan (open, design, racks, interconnect, on-site units
and the generator types they imply) are matched
to the new model by id; HiGHS completes the continuous part itself (it solves the LP with those
integers fixed) and keeps the start only if it is feasible, so a start from a different study can
never make the result wrong, only the search faster or not.
"""

from __future__ import annotations

import pyomo.environ as pyo


def start_values(m: pyo.ConcreteModel, plan) -> list[tuple]:
    """(Pyomo variable, value) pairs for the new model from the integer decisions of ``plan``."""
    ds = plan.ds
    out = []

    def take(var, values: dict):
        if var is None:
            return
        for idx, v in var.items():
            if idx in values:
                out.append((v, float(values[idx])))

    take(getattr(m, "open", None), {s: int(v) for s, v in zip(ds["site"].values, ds["open"].values)})
    if "design_chosen" in ds:
        take(getattr(m, "design", None), ds["design_chosen"].to_series().to_dict())
    if "racks" in ds:
        take(getattr(m, "racks", None), ds["racks"].to_series().to_dict())
    if "option_built" in ds and ds.sizes.get("option", 0):
        take(getattr(m, "connect", None), ds["option_built"].to_series().to_dict())
    if "onsite_units" in ds and ds.sizes.get("generator", 0):
        units = ds["onsite_units"].to_series().to_dict()
        take(getattr(m, "units", None), units)
        # a generator type is present where it has units (it only costs reserve where it has none)
        take(getattr(m, "has_gen", None), {k: 1 if v > 0.5 else 0 for k, v in units.items()})
    if "battery_units" in ds and ds.sizes.get("battery", 0):
        take(getattr(m, "battery_units", None), ds["battery_units"].to_series().to_dict())
    return out
