"""Keep xarray from importing ``dask.array`` before anything uses a dask array.

The first xarray object a process creates asks whether its data is a dask array
(``xarray.namedarray.pycompat.array_type("dask")``). When dask is installed, as it is for
``siteplan batch``, xarray answers by importing ``dask.array``: 0.3-0.9 s per process on the
reference machine, the largest fixed cost of loading a study after Pyomo's scipy import
(:mod:`siteplan._scipy`), for arrays siteplan never creates.

:func:`defer_dask_array_check` gives xarray's cache an entry that answers "no dask array types"
for as long as ``dask.array`` has not been imported, which is exact: no dask array can exist
before its module is imported. From the moment anything imports ``dask.array`` (a user, dask's
own code), the entry is xarray's own answer, so real dask arrays are recognised as before. Any
other question (module, version, availability) gets xarray's own answer at once.

An optimisation only: if xarray's internals differ from what this expects, nothing is changed.
"""

from __future__ import annotations

import sys


class _DeferredDask:
    """Stands in for xarray's ``DuckArrayModule("dask")`` until ``dask.array`` is imported."""

    def __init__(self, factory):
        self._factory = factory
        self._real = None

    def _resolved(self):
        if self._real is None:
            self._real = self._factory("dask")
        return self._real

    @property
    def type(self) -> tuple:
        if self._real is None and "dask.array" not in sys.modules:
            return ()  # isinstance(x, ()) is False: right, as no dask array exists yet
        return self._resolved().type

    def __getattr__(self, name):  # module, version, available: xarray's own answer
        return getattr(self._resolved(), name)


def defer_dask_array_check() -> None:
    """Install the deferred ``dask`` entry in xarray's duck-array cache (idempotent, cheap)."""
    try:
        from xarray.namedarray import pycompat
    except ImportError:
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    factory = getattr(pycompat, "DuckArrayModule", None)
    if not isinstance(cache, dict) or factory is None or "dask" in cache:
        return
    cache["dask"] = _DeferredDask(factory)
