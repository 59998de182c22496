"""siteplan: plan AI data-center capacity (sites, GPUs, interconnects, cooling) with a Pyomo MILP.

Typical use::

    import siteplan
    study = siteplan.load("models/example.yaml")
    plan = siteplan.solve(study)
    print(plan.summary())
"""

import sys
import types

# The public names are imported on first use (PEP 562), so that ``import siteplan`` and the command
# line's --help do not load Pyomo, GeoPandas and xarray (~1.5 s) before they are needed.
_PUBLIC = {
    "Study": "siteplan.api", "load": "siteplan.api", "solve": "siteplan.api", "solve_built": "siteplan.api",
    "validate_scenario": "siteplan.api", "evaluate_full_resolution": "siteplan.api",
    "compare": "siteplan.results.compare", "InputError": "siteplan.errors", "Problem": "siteplan.errors",
    "SolveError": "siteplan.errors", "build_model": "siteplan.model", "add_cost": "siteplan.model",
    "Plan": "siteplan.results.plan", "prepare": "siteplan.prepare",
}

__all__ = list(_PUBLIC)
__version__ = "0.1.0"


def _public(name: str):
    import importlib

    return getattr(importlib.import_module(_PUBLIC[name]), name)


def __getattr__(name: str):
    if name in _PUBLIC:
        value = _public(name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'siteplan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_PUBLIC))


def _function_over_submodule(name: str) -> property:
    # siteplan.solve and .prepare name both a function and a subpackage; importing the
    # submodule binds the package attribute to the module, which would hide the function
    return property(lambda self: _public(name), lambda self, value: None)


class _Package(types.ModuleType):
    solve = _function_over_submodule("solve")
    prepare = _function_over_submodule("prepare")


sys.modules[__name__].__class__ = _Package
