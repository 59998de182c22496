"""Compile a linear Pyomo model to matrix form: the first step of the hand-off to HiGHS.

:func:`compile_linear` gives what Pyomo's ``LinearStandardFormCompiler`` (mixed form, minimise)
gives (the same columns in the same order, the same rows in the same order, the same
coefficients and bounds) but reads the common row shape directly. siteplan's own rows are flat
``LinearExpression`` bodies of ``coefficient * variable`` terms (:mod:`siteplan.model.linear`);
for those, the coefficients are read straight from the expression's arguments. Any other row
(a user's constraint with a Param coefficient, a named Expression, a product of sums, a fixed
variable) and the objective go through Pyomo's own ``LinearRepnVisitor``, the walker behind
Pyomo's compiler, so every linear model compiles and the result does not depend on which path a
row took. ``tests/test_core_handoff.py`` checks it against Pyomo's compiler.

Column order follows Pyomo's rule: a variable component's first appearance (objective first,
then rows in component order) adds all of its members, in the component's own order, and columns
that end up with no nonzero are dropped.

Measured in ``docs/performance.md`` (hand-off rows).
"""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass

import numpy as np
from pyomo.common.errors import InfeasibleConstraintException, InvalidConstraintError
from pyomo.common.numeric_types import native_numeric_types, native_types
from pyomo.core.base import (
    Block,
    Constraint,
    Expression,
    ExternalFunction,
    Objective,
    Param,
    RangeSet,
    Set,
    Suffix,
    Var,
    minimize,
)
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.numvalue import NumericConstant, value
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression
from pyomo.network import Port
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.util import (
    FileDeterminism,
    FileDeterminism_to_SortComponents,
    VarRecorder,
    categorize_valid_components,
)

_VAR_TYPES = frozenset((VarData, ScalarVar))
_VALID = {Block, Constraint, Var, Param, Expression, ExternalFunction, Set, RangeSet, Port}


@dataclass
class LinearForm:
    """A compiled model: ``min c x + offset`` s.t. ``row_lower <= A x <= row_upper``."""

    columns: list  # the Pyomo VarData of each column
    c: np.ndarray
    offset: float
    A: object  # scipy.sparse.csc_array, rows x columns
    row_lower: np.ndarray
    row_upper: np.ndarray
    rows: list | None = None  # the Pyomo ConstraintData of each row (a ranged one twice: upper row, lower row)


class _Columns:
    """Column numbers of variables, assigned as Pyomo's compiler assigns them."""

    def __init__(self, sorter):
        self.var_map: dict = {}  # id(VarData) -> VarData, in column order (Pyomo's VarRecorder fills it)
        self.recorder = VarRecorder(self.var_map, sorter)
        self.index: dict = {}  # id(VarData) -> column

    def sync(self) -> None:
        """Number the variables the recorder added since the last call."""
        index = self.index
        if len(index) != len(self.var_map):
            for v in itertools.islice(self.var_map.values(), len(index), None):
                index[id(v)] = len(index)

    def of(self, v) -> int:
        col = self.index.get(id(v))
        if col is None:
            self.recorder.add(v)  # the whole component, as Pyomo does
            self.sync()
            col = self.index[id(v)]
        return col


def _terms(e, negate: bool, cols: _Columns, idx: array, val: array) -> float | None:
    """Append the terms of ``e`` (negated if asked) to ``idx``/``val``; return its constant.

    ``e`` is a flat ``LinearExpression``, a ``number * variable`` term, a variable or a number.
    Returns None if it holds anything else (a Param coefficient, a nested sum, a named
    Expression, a fixed variable); the caller then removes what was appended and walks the row
    with Pyomo's visitor instead.
    """
    cls = e.__class__
    if cls is LinearExpression:
        args = e.args
    elif cls in native_numeric_types:
        return -e if negate else e
    else:
        args = (e,)
    index = cols.index
    append_i, append_v = idx.append, val.append
    const = 0.0
    for a in args:
        cls = a.__class__
        if cls is MonomialTermExpression:
            coef, v = a.args
            if coef.__class__ not in native_numeric_types or v.__class__ not in _VAR_TYPES or v._fixed:
                return None
            if not coef:  # Pyomo's visitor drops a zero term, after recording its variable
                if id(v) not in index:
                    cols.of(v)
                continue
        elif cls in _VAR_TYPES:
            if a._fixed:
                return None
            coef, v = 1, a
        elif cls in native_numeric_types:
            const += a
            continue
        else:
            return None
        col = index.get(id(v))
        append_i(cols.of(v) if col is None else col)
        append_v(-coef if negate else coef)
    return -const if negate else const


_SIMPLE = frozenset((LinearExpression, MonomialTermExpression, VarData, ScalarVar))


def _fast_row(con, cols: _Columns, idx: array, val: array):
    """``(lb, ub, constant)`` of a row made of simple terms, its terms appended; None otherwise."""
    expr = con.expr
    cls = expr.__class__
    if cls is EqualityExpression or cls is InequalityExpression:
        lhs, rhs = expr._args_
        eq = cls is EqualityExpression
        if not eq and lhs.__class__ in _VAR_TYPES and rhs.__class__ is MonomialTermExpression:
            # x <= c * y, a variable upper bound and the most common row: what the two-sided case
            # below gives (terms x and -c*y, upper bound 0) without its two _terms calls
            coef, y = rhs._args_
            if (coef.__class__ in native_numeric_types and coef and y.__class__ in _VAR_TYPES
                    and not lhs._fixed and not y._fixed):
                index = cols.index
                i = index.get(id(lhs))
                idx.append(cols.of(lhs) if i is None else i)
                i = index.get(id(y))
                idx.append(cols.of(y) if i is None else i)
                val.append(1)
                val.append(-coef)
                return None, 0, 0
        if rhs.__class__ in native_numeric_types:
            if lhs.__class__ not in _SIMPLE:
                return None
            const = _terms(lhs, False, cols, idx, val)
            return None if const is None else (rhs if eq else None, rhs, const)
        if lhs.__class__ in native_numeric_types:
            if rhs.__class__ not in _SIMPLE:
                return None
            const = _terms(rhs, False, cols, idx, val)
            return None if const is None else (lhs, lhs if eq else None, const)
        if lhs.__class__ not in _SIMPLE or rhs.__class__ not in _SIMPLE:
            return None
        c1 = _terms(lhs, False, cols, idx, val)  # body lhs - rhs, bounds 0, as Pyomo standardises it
        c2 = None if c1 is None else _terms(rhs, True, cols, idx, val)
        return None if c2 is None else (0 if eq else None, 0, c1 + c2)
    return None


_SUMS = frozenset((LinearExpression, SumExpression))


def _sum_repn(e, cols: _Columns):
    """``(constant, {column: coefficient}, multiplier)`` of a linear expression, or None.

    For the objective: sums (flat or nested), named Expressions, ``number * variable`` terms,
    variables, numbers and ``number * (sum or named Expression)``; None if ``e`` holds anything
    else (the caller then uses Pyomo's visitor). Each sum, named Expression and product is reduced
    on its own and merged into its parent, and a variable is recorded even where its coefficient
    is zero, as Pyomo's ``LinearRepnVisitor`` does it, so the coefficients are the same
    floating-point numbers and the columns are numbered in the same order.
    """
    cls = e.__class__
    if cls is MonomialTermExpression or cls in _VAR_TYPES:  # a term on its own
        coef, v = e._args_ if cls is MonomialTermExpression else (1, e)
        if coef.__class__ not in native_numeric_types or v.__class__ not in _VAR_TYPES or v._fixed:
            return None
        col = cols.index.get(id(v))
        if col is None:
            col = cols.of(v)
        return 0, ({col: coef} if coef else {}), 1
    if cls is ProductExpression:
        k, sub = e._args_
        if k.__class__ not in native_numeric_types:
            return None
        r = _sum_repn(sub, cols)
        return None if r is None else (r[0], r[1], r[2] * k)  # the visitor's "multiplier *= k"
    if cls not in _SUMS:
        if getattr(e, "is_named_expression_type", None) is None or not e.is_named_expression_type():
            return None
        sub = e.expr
        if sub.__class__ is NumericConstant:
            return sub.value, {}, 1
        return None if sub is None else _sum_repn(sub, cols)  # a named Expression is its expression
    index = cols.index
    const = 0
    lin: dict = {}
    for a in e.args:
        c = a.__class__
        if c is MonomialTermExpression:
            coef, v = a._args_
            if coef.__class__ not in native_numeric_types or v.__class__ not in _VAR_TYPES or v._fixed:
                return None
        elif c in _VAR_TYPES:
            if a._fixed:
                return None
            coef, v = 1, a
        elif c in native_numeric_types:
            const += a
            continue
        elif c is NumericConstant:
            const += a.value
            continue
        else:
            sub = _sum_repn(a, cols)
            if sub is None:
                return None
            sub_const, sub_lin, mult = sub
            if mult == 1:  # LinearRepn.append
                const += sub_const
                for col, coef in sub_lin.items():
                    if col in lin:
                        lin[col] += coef
                    else:
                        lin[col] = coef
            elif mult:
                if sub_const:
                    const += mult * sub_const
                for col, coef in sub_lin.items():
                    if col in lin:
                        lin[col] += mult * coef
                    else:
                        lin[col] = mult * coef
            continue
        col = index.get(id(v))
        if col is None:
            col = cols.of(v)
        if col in lin:
            lin[col] += coef
        elif coef:
            lin[col] = coef
    return const, lin, 1


def compile_linear(m) -> LinearForm:
    """Compile the active components of a linear Pyomo model, as a minimisation.

    Parameters
    ----------
    m : pyomo.core.base.block.BlockData
        A model with one active objective and linear constraints (any user additions included).

    Returns
    -------
    LinearForm
        Columns, objective vector and offset, CSC matrix and row bounds. A constraint with both
        bounds and ``lower < upper`` gives two rows (upper, then lower), as in Pyomo's mixed form.

    Raises
    ------
    ValueError
        An active component Pyomo's compiler does not handle, or not exactly one active objective.
    InvalidConstraintError
        A nonlinear constraint or objective.
    InfeasibleConstraintException
        A constraint with no variables whose bounds its constant violates.
    """
    import scipy.sparse as sp

    sorter = FileDeterminism_to_SortComponents(FileDeterminism.ORDERED)
    obj = _the_objective(m, sorter)
    cols = _Columns(sorter)
    visitor = LinearRepnVisitor({}, var_recorder=cols.recorder)
    offset, obj_idx, obj_val = _objective_terms(obj, cols, visitor)
    rows = _constraint_rows(m, sorter, cols, visitor)
    return _linear_form(cols, rows, offset, obj_idx, obj_val, sp)


def _the_objective(m, sorter):
    """The model's one active objective, after checking every active component can be compiled."""
    component_map, unknown = categorize_valid_components(
        m, active=True, sort=sorter, valid=_VALID, targets={Suffix, Objective})
    if unknown:
        names = "; ".join(f"{k.__name__}: " + ", ".join(c.name for c in v) for k, v in unknown.items())
        raise ValueError(f"the model contains active components the compiler cannot process: {names}")
    objectives = [o for blk in component_map[Objective]
                  for o in blk.component_data_objects(Objective, active=True, descend_into=False, sort=sorter)]
    if len(objectives) != 1:
        raise ValueError(f"the model needs exactly one active objective, it has {len(objectives)}")
    return objectives[0]


def _walk(visitor, cols: _Columns, expr, component):
    """``(constant, columns, coefficients)`` of ``expr`` by Pyomo's visitor; an error if it is nonlinear."""
    repn = visitor.walk_expression(expr)
    if repn.nonlinear is not None:
        raise InvalidConstraintError(f"{component.ctype.__name__.lower()} {component.name} contains nonlinear "
                                     "terms that cannot be compiled to linear form")
    cols.sync()
    index = cols.index
    return repn.constant, [index[i] for i in repn.linear], list(repn.linear.values())


def _objective_terms(obj, cols: _Columns, visitor):
    """``(offset, columns, coefficients)`` of the objective, negated for a maximisation."""
    repn = _sum_repn(obj.expr, cols) if obj.expr.__class__ in _SUMS else None
    if repn is None:
        offset, obj_idx, obj_val = _walk(visitor, cols, obj.expr, obj)
    else:
        offset = repn[0]
        terms = [(col, coef) for col, coef in repn[1].items() if coef]  # the visitor's zero filter
        obj_idx, obj_val = [t[0] for t in terms], [t[1] for t in terms]
    if obj.sense != minimize:
        offset, obj_val = -offset, [-v for v in obj_val]
    return offset, obj_idx, obj_val


def _constraint_rows(m, sorter, cols: _Columns, visitor):
    """The active constraints as CSR rows: ``(idx, val, indptr, row_lo, row_hi, row_cons)``."""
    idx, val = array("q"), array("d")
    indptr = array("q", [0])
    row_lo, row_hi = array("d"), array("d")
    inf = float("inf")
    row_cons = []  # the constraint of each row (names a row whose terms cancel: _drop_cancelled_rows)
    index = cols.index
    idx_append, val_append, indptr_append = idx.append, val.append, indptr.append
    lo_append, hi_append, con_append = row_lo.append, row_hi.append, row_cons.append
    for con in m.component_data_objects(Constraint, active=True, sort=sorter):
        expr = con.expr
        if expr.__class__ is InequalityExpression:
            x, rhs = expr._args_
            if x.__class__ in _VAR_TYPES and rhs.__class__ is MonomialTermExpression:
                coef, y = rhs._args_
                if (coef.__class__ in native_numeric_types and coef and y.__class__ in _VAR_TYPES
                        and not x._fixed and not y._fixed):
                    # x <= c * y, the most common row (one per serve pair): _fast_row's first case and
                    # the bookkeeping below, inline (terms x and -c*y, no lower bound, upper bound 0)
                    i = index.get(id(x))
                    idx_append(cols.of(x) if i is None else i)
                    i = index.get(id(y))
                    idx_append(cols.of(y) if i is None else i)
                    val_append(1)
                    val_append(-coef)
                    lo_append(-inf)
                    hi_append(0)
                    indptr_append(len(idx))
                    con_append(con)
                    continue
        start = len(idx)
        fast = _fast_row(con, cols, idx, val)
        if fast is not None:
            lb, ub, const = fast
        else:
            del idx[start:], val[start:]
            lb, body, ub = con.to_bounded_expression()
            if lb is None and ub is None:
                continue  # no bound: not a row (Pyomo skips it too)
            if lb.__class__ not in native_types:
                lb = value(lb)
            if ub.__class__ not in native_types:
                ub = value(ub)
            const, ri, rv = _walk(visitor, cols, body, con)
            idx.extend(ri)
            val.extend(rv)
        n = len(idx) - start
        if not n and const.__class__ in native_types:
            if (lb is None or lb <= const) and (ub is None or ub >= const):
                continue
            raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{con.name}'")
        if lb is not None and ub is not None and lb != ub:  # ranged: an upper row and a lower row
            idx.extend(idx[start:])
            val.extend(val[start:])
            indptr.append(start + n)
            row_lo.append(-inf)
            row_hi.append(ub - const)
            row_lo.append(lb - const)
            row_hi.append(inf)
            row_cons.append(con)
        else:
            row_lo.append(-inf if lb is None else lb - const)
            row_hi.append(inf if ub is None else ub - const)
        indptr.append(len(idx))
        row_cons.append(con)
    return idx, val, indptr, row_lo, row_hi, row_cons


def _linear_form(cols: _Columns, rows, offset, obj_idx, obj_val, sp) -> LinearForm:
    """The :class:`LinearForm` of the rows and objective: cancelled rows and unused columns dropped."""
    idx, val, indptr, row_lo, row_hi, row_cons = rows
    columns = list(cols.var_map.values())
    n_cols = len(columns)
    A = _csc(np.frombuffer(val, dtype=float), np.frombuffer(idx, dtype=np.int64),
             np.frombuffer(indptr, dtype=np.int64), n_cols, sp)
    c = _csc(np.asarray(obj_val, dtype=float), np.asarray(obj_idx, dtype=np.int64),
             np.array([0, len(obj_idx)], dtype=np.int64), n_cols, sp)
    row_lo = np.frombuffer(row_lo, dtype=float).copy()
    row_hi = np.frombuffer(row_hi, dtype=float).copy()
    A, row_lo, row_hi, row_cons = _drop_cancelled_rows(A, row_lo, row_hi, row_cons)
    used = (np.diff(A.indptr) > 0) | (np.diff(c.indptr) > 0)  # columns left with a nonzero somewhere
    if not used.all():
        keep = np.flatnonzero(used)
        columns = [columns[i] for i in keep]
        A, c = A[:, keep], c[:, keep]
    c_dense = np.asarray(c.toarray(), dtype=float).ravel() if len(columns) else np.zeros(0)
    return LinearForm(columns, c_dense, float(offset), A, row_lo, row_hi, row_cons)


def _drop_cancelled_rows(A, row_lo, row_hi, row_cons):
    """Rows whose terms cancel (``x - x <= 1``) are constants: dropped if they hold, else an error.

    The per-row check above sees terms before duplicates are summed; Pyomo's compiler, which
    merges terms first, drops such a row or raises for it, so this does the same.
    """
    empty = np.flatnonzero(np.bincount(A.indices, minlength=A.shape[0]) == 0)
    if not len(empty):
        return A, row_lo, row_hi, row_cons
    for r in empty:
        if not (row_lo[r] <= 0 <= row_hi[r]):
            raise InfeasibleConstraintException(
                f"model contains a trivially infeasible constraint, '{row_cons[r].name}' (its terms cancel)")
    keep = np.ones(A.shape[0], dtype=bool)
    keep[empty] = False
    return A[keep, :].tocsc(), row_lo[keep], row_hi[keep], [c for c, k in zip(row_cons, keep.tolist()) if k]


def _csc(data, indices, indptr, n_cols: int, sp):
    """CSR rows -> CSC, duplicates summed and explicit zeros dropped (as Pyomo's compiler does)."""
    A = sp.csr_array((data, indices.astype(np.int32), indptr.astype(np.int32)), shape=(len(indptr) - 1, n_cols))
    A = A.tocsc()
    A.sum_duplicates()
    A.eliminate_zeros()
    return A
