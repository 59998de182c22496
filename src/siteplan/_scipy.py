"""Import the parts of scipy siteplan uses, without Pyomo's scipy import hook.

Importing Pyomo installs an import hook (``pyomo.common.dependencies._finalize_scipy``): the first
``import scipy`` anywhere in the process also imports ``scipy.stats``, ``scipy.integrate`` and
``scipy.spatial``. That costs 0.6-0.9 s per process on the reference machine, for modules siteplan
never uses, and it was the largest fixed cost of a solve (``docs/performance.md``). siteplan needs
only ``scipy.io`` (the NetCDF3 reader behind ``climate.nc``) and ``scipy.sparse`` (the matrix of
the hand-off), so :func:`import_scipy` imports those with the hook set aside, and gives Pyomo's
standard-form compiler the sparse classes directly, which it would otherwise fetch through its
deferred ``scipy`` module (resolving it runs the hook).

Everything here is an optimisation only: if Pyomo's internals differ from what this expects, or
another library has already imported scipy, the imports happen the ordinary way. Any later use of
Pyomo's deferred ``scipy`` still runs the hook then, so nothing Pyomo relies on goes missing.
"""

from __future__ import annotations

import sys


def import_scipy() -> None:
    """Import ``scipy.io`` and ``scipy.sparse`` without triggering Pyomo's ``scipy.stats`` import.

    Idempotent and cheap after the first call.
    """
    if "scipy.sparse" in sys.modules and "scipy.io" in sys.modules:
        _give_compiler_sparse()
        return
    try:
        from pyomo.common.dependencies import DeferredImportCallbackFinder

        callbacks = DeferredImportCallbackFinder._callbacks
    except (ImportError, AttributeError):  # other Pyomo internals: import the ordinary way
        callbacks = {}
    hooked = callbacks.pop("scipy", None) if isinstance(callbacks, dict) else None
    try:
        import scipy.io  # noqa: F401
        import scipy.sparse  # noqa: F401
    finally:
        if hooked is not None:
            callbacks["scipy"] = hooked
    _give_compiler_sparse()


def _give_compiler_sparse() -> None:
    """Set the vector and sparse-matrix factories Pyomo's standard-form compiler sets on first use."""
    import numpy as np
    import scipy.sparse

    try:
        from pyomo.repn.plugins.standard_form import _LinearStandardFormCompiler_impl as impl
    except ImportError:
        return
    if getattr(impl, "_to_vector", False) is None:  # what Pyomo's own __init__ checks
        impl._to_vector = np.fromiter
        impl._csc_matrix = scipy.sparse.csc_array
        impl._csr_matrix = scipy.sparse.csr_array
