"""What a solve gives back: why the solver stopped, the stage timings, the outcome as data, and the
compiled model (the arrays handed to HiGHS, with the Pyomo variable of every column).

The package :mod:`siteplan.solve` exports its public names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import highspy
import numpy as np


class Termination(str, enum.Enum):
    """Why the solver stopped."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INTERRUPTED = "interrupted"  # by the user (Ctrl-C, siteplan.interrupt): the best plan found by then
    OTHER = "other"


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each stage."""

    prepare_s: float = 0.0
    build_s: float = 0.0
    handoff_s: float = 0.0
    solve_s: float = 0.0
    extract_s: float = 0.0
    duals_s: float = 0.0  # the LP re-solve with the integer decisions fixed (siteplan.solve.duals)

    @property
    def total_s(self) -> float:
        return self.prepare_s + self.build_s + self.handoff_s + self.solve_s + self.extract_s + self.duals_s


@dataclass(frozen=True)
class SolveResult:
    """Solver outcome as data: termination, objective, best bound, relative gap, sizes, timings."""

    termination: Termination
    highs_status: str
    objective: float
    best_bound: float
    gap: float
    has_solution: bool
    num_rows: int
    num_cols: int
    num_nonzeros: int
    num_integer: int
    mip_nodes: int
    timings: Timings = field(default_factory=Timings)
    root_cuts: int = 0
    start_objective: float | None = None
    primal_feasible: bool = True  # False: HiGHS stopped at a point it has not found feasible (an unfinished LP)
    unavoidable_usd_per_yr: float = float("nan")  # cost no plan of the study avoids (siteplan.solve.decision_gap)
    decision_gap: float = float("nan")  # (objective - bound) / (objective - unavoidable)
    # siteplan.solve.duals.Duals of the LP with the integer decisions fixed (None if not asked for); it holds
    # the Pyomo rows and columns, so solve_built drops it once the Plan has its values
    duals: object = field(default=None, repr=False, compare=False)

    @property
    def optimal(self) -> bool:
        return self.termination is Termination.OPTIMAL


_STATUS = {
    highspy.HighsModelStatus.kOptimal: Termination.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: Termination.TIME_LIMIT,
    highspy.HighsModelStatus.kInfeasible: Termination.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Termination.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Termination.INFEASIBLE,
}


@dataclass
class CompiledModel:
    """The model as arrays, ready for HiGHS, with the Pyomo variable of every column."""

    columns: list
    c: np.ndarray
    offset: float
    A: object  # scipy.sparse.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray
    rows: list | None = None  # the Pyomo ConstraintData of each row (a ranged constraint twice: upper, lower)
