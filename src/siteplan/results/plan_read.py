"""Reading a solved Pyomo model's values into arrays for the Plan (:mod:`siteplan.results.plan`), and the
small helpers every part of the extraction shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siteplan.model.linear import members

EPS = 1e-6


def index_of(labels) -> dict:
    """{label: position} of a list of labels."""
    return {x: i for i, x in enumerate(labels)}


def vals(var) -> dict:
    """Values of an indexed Pyomo Var as {index: float}; empty if the model has no such var."""
    return {} if var is None else {k: float(v.value) for k, v in var.items()}


def scatter(shape: tuple, var, labels: tuple) -> np.ndarray:
    """An array of ``shape`` holding the values of the indexed Var ``var`` at the positions of its
    index tuples in ``labels`` (one list of labels per dimension), zeros elsewhere: ``vals`` and a
    loop over it, in bulk (the serve variable has one member per site-region-workload pair)."""
    out = np.zeros(shape)
    data = members(var)
    if not data:
        return out
    keys = list(data)
    values = np.fromiter((float(v.value) for v in data.values()), dtype=float, count=len(keys))
    pos = tuple(pd.Index(lab).get_indexer(list(part)) for lab, part in zip(labels, zip(*keys)))
    if any((q < 0).any() for q in pos):
        raise KeyError(f"{var.name}: an index not among the plan's labels")
    out[pos] = values
    return out


def clean(x: np.ndarray) -> np.ndarray:
    """Zero out solver noise below EPS in magnitude."""
    x = np.asarray(x, dtype=float)
    return np.where(np.abs(x) < EPS, 0.0, x)


def data_array(values, dims, units, desc) -> xr.DataArray:
    """A variable of the Plan's Dataset with its units and description."""
    return xr.DataArray(values, dims=dims, attrs={"units": units, "description": desc})
