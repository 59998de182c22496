"""siteplan: plan AI data-center capacity (sites, GPUs, interconnects, cooling) with a Pyomo MILP.

Typical use::

    import siteplan
    study = siteplan.load("models/example.yaml")
    plan = siteplan.solve(study)
    print(plan.summary())
"""

from siteplan.api import Study, evaluate_full_resolution, load, solve, solve_built, validate_scenario
from siteplan.compare import compare
from siteplan.errors import InputError, Problem, SolveError
from siteplan.model import add_cost, build_model
from siteplan.plan import Plan
from siteplan.prepare import prepare

__all__ = ["Study", "load", "solve", "solve_built", "validate_scenario", "InputError", "Problem",
           "SolveError", "build_model", "add_cost", "Plan", "prepare", "evaluate_full_resolution", "compare"]
__version__ = "0.1.0"
