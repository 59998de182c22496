"""The solve stage: a Pyomo model compiled, handed to HiGHS, run, and its values read back.

- :mod:`~siteplan.solve.run`: :func:`solve_model` (compile, hand to HiGHS, run, read back) and
  :func:`compile_model`; :mod:`~siteplan.solve.compiler` is siteplan's own linear compiler.
- :mod:`~siteplan.solve.highs`: ``load_highs``, the one place a HiGHS instance of this stage is made
  (every module looks it up there at call time, so ``benchmarks/run.py`` can replace it).
- :mod:`~siteplan.solve.solve_result`: :class:`SolveResult`, :class:`Termination`, :class:`Timings`,
  :class:`CompiledModel`.
- Around the run: ``cutloop`` (the root cut loop), ``mip_start`` (the LP-guided start), ``kernel_lp``
  (the LP of a model too big to relax whole), ``progress_cb`` (progress lines and the decision-gap stop),
  ``decision_gap``, ``warmstart`` (a start from an earlier plan) and ``buildout_start`` (a build-out's
  myopic start).
- After it: ``duals`` (the fixed-integer LP's duals), ``diagnose`` (why a model is infeasible) and
  ``flows`` (least-flow routing on the energy graph, no Pyomo).

The names below are the stage's face; the package attribute ``siteplan.solve`` is the function
:func:`siteplan.api.solve`, not this package (``import siteplan.solve`` does not change that).
"""

from siteplan.errors import SolveError
from siteplan.solve.run import column_bounds, compile_model, solve_model
from siteplan.solve.solve_result import CompiledModel, SolveResult, Termination, Timings

__all__ = ["CompiledModel", "SolveError", "SolveResult", "Termination", "Timings", "column_bounds",
           "compile_model", "solve_model"]
