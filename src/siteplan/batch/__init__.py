"""Batch runs: one study across regions x a parameter grid, on Dask distributed.

>>> from siteplan.batch import run_batch                                   # doctest: +SKIP
>>> res = run_batch("models/sweeps/example.yaml", out="results/batch/example", workers=2)  # doctest: +SKIP
>>> res.files["batch.nc"]                                                   # doctest: +SKIP

See :mod:`siteplan.batch.sweep` (sweep files), :mod:`siteplan.batch.runner` (execution, failure
isolation, resume) and :mod:`siteplan.batch.combine` (``batch.nc`` layout). Nothing heavy is
imported until used.
"""

from __future__ import annotations


def __getattr__(name):
    if name in ("run_batch", "BatchResult", "BatchError", "solve_spec"):
        from siteplan.batch import runner

        return getattr(runner, name)
    if name in ("load_sweep", "Sweep", "ScenarioSpec"):
        from siteplan.batch import sweep

        return getattr(sweep, name)
    if name in ("combine_batch", "region_sites", "batch_table", "sites_table"):
        from siteplan.batch import combine

        return getattr(combine, name)
    raise AttributeError(f"module 'siteplan.batch' has no attribute {name!r}")


__all__ = ["run_batch", "BatchResult", "BatchError", "solve_spec", "load_sweep", "Sweep", "ScenarioSpec",
           "combine_batch", "region_sites", "batch_table", "sites_table"]
