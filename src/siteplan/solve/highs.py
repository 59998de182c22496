"""A HiGHS instance, without its banner, holding a compiled model's arrays (no Pyomo here).

Every HiGHS instance of the solve stage is made by :func:`load_highs`, looked up here at call time
(``from siteplan.solve import highs``, then ``highs.load_highs(...)``): the solve itself
(:mod:`siteplan.solve.run`), the root cut loop, the MIP starts and the kernel LP, and what runs HiGHS
beside it: the infeasibility diagnosis (:mod:`siteplan.solve.diagnose`), the fixed-integer LP duals
(:mod:`siteplan.solve.duals`) and the least-flow routing (:mod:`siteplan.solve.flows`). So one
replacement of ``siteplan.solve.highs.load_highs`` (``benchmarks/run.py`` tags and times every
instance that way) reaches them all.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import highspy
import numpy as np

from siteplan.errors import SolveError

__all__ = ["quiet_highs", "load_highs", "relaxed"]


def relaxed(cm):
    """The same matrix with every column continuous (the LP relaxation).

    Parameters
    ----------
    cm : siteplan.solve.CompiledModel

    Returns
    -------
    siteplan.solve.CompiledModel
    """
    return replace(cm, integrality=np.zeros_like(cm.integrality))


def quiet_highs() -> highspy.Highs:
    """A Highs instance without the banner it prints to stdout when constructed."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def load_highs(cm, options: dict) -> highspy.Highs:
    """A quiet Highs instance with ``options`` set and the compiled model ``cm`` passed in.

    Parameters
    ----------
    cm : siteplan.solve.CompiledModel
        The arrays (columns, costs, CSC matrix, row and column bounds, integrality).
    options : dict
        HiGHS options; ``output_flag`` is taken out of it (default False).

    Returns
    -------
    highspy.Highs

    Raises
    ------
    SolveError
        When HiGHS rejects the model.
    """
    h = quiet_highs()
    h.setOptionValue("output_flag", bool(options.pop("output_flag", False)))
    for k, v in options.items():
        h.setOptionValue(k, v)
    A = cm.A.tocsc()
    start, index, value = A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(float)
    n_col, n_row = len(cm.columns), A.shape[0]
    if n_col:
        # the arrays straight into Highs::passModel, an LP's too (all-continuous integrality: the same
        # LP, solved the same way, bit for bit): a HighsLp's integrality_ would be a Python list of
        # enum values, converted one by one (25 ms of the 28 ms of this at 300 sites), and setting its
        # arrays converts them element by element (0.1 s for the 100,000-pair fixed-integer LP)
        status = h.passModel(n_col, n_row, len(value), int(highspy.MatrixFormat.kColwise),
                             int(highspy.ObjSense.kMinimize), cm.offset, cm.c, cm.col_lower, cm.col_upper,
                             cm.row_lower, cm.row_upper, start, index, value, cm.integrality.astype(np.int32))
    else:
        lp = highspy.HighsLp()  # no columns: an empty LP
        lp.num_col_, lp.num_row_ = n_col, n_row
        lp.col_cost_ = cm.c
        lp.col_lower_ = cm.col_lower
        lp.col_upper_ = cm.col_upper
        lp.row_lower_ = cm.row_lower
        lp.row_upper_ = cm.row_upper
        lp.offset_ = cm.offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.a_matrix_.num_col_ = n_col
        lp.a_matrix_.num_row_ = n_row
        status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolveError(f"HiGHS rejected the model ({n_row} rows, {n_col} columns)")
    return h
