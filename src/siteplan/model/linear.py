"""Constraint bodies as one flat Pyomo ``LinearExpression``.

The hand-off (:func:`siteplan.solve.compile_model`, :mod:`siteplan.solve.compiler`) reads the terms of a
flat ``LinearExpression`` directly (Pyomo's own standard-form compiler reads one in one pass). A
body such as ``x <= sum(c * y)`` instead becomes a sum of a variable and a negated sum, which a
compiler walks node by node, and a named ``Expression`` in a row is walked again in every row that
uses it. The model's own rows are therefore written as
``flat_difference(lhs, rhs) <= 0``: the same row (same coefficients, same order of terms), built
as one plain ``LinearExpression`` that user code can read, print or extend like any other.
"""

from __future__ import annotations

from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numvalue import value
from pyomo.core.expr.relational_expr import InequalityExpression

_VAR_TYPES = frozenset((VarData, ScalarVar))


def flat_difference(lhs, rhs):
    """``lhs - rhs`` as one flat ``LinearExpression``.

    Parameters
    ----------
    lhs, rhs : Pyomo linear expression, number, or list of them (read as their sum)
        Variables, ``c * var`` terms, sums and negations of them, and named Expressions (whose
        current expression is expanded into the row).

    Returns
    -------
    pyomo.core.expr.numeric_expr.LinearExpression or Pyomo expression
        The flat difference; plain ``lhs - rhs`` if either side holds anything else (e.g. a
        Param coefficient or a product of sums), so the result is always the same row.
    """
    args: list = []
    if _collect(lhs, False, args) and _collect(rhs, True, args):
        return LinearExpression(args)
    return _sum(lhs) - _sum(rhs)


def members(component) -> dict:
    """``{index: data}`` of a dense indexed Pyomo component, for fast lookups while rows are built.

    The component's own mapping (read it, do not change it): looking a variable up in a plain dict
    costs a tenth of ``IndexedVar.__getitem__``, and a copy through ``component.items()`` can cost
    more than the lookups it saves (the first iteration over a multi-dimensional index is slow).
    Falls back to ``dict(component.items())`` if the mapping is not what this expects.
    """
    data = getattr(component, "_data", None)
    if data.__class__ is dict and len(data) == len(component):
        return data
    return dict(component.items())


def upper_bound_row(x, rhs):
    """The row ``x <= rhs`` for a variable ``x``, as Pyomo's ``<=`` builds it, without its operator dispatch.

    Parameters
    ----------
    x : pyomo.core.base.var.VarData
        The bounded variable.
    rhs : Pyomo linear expression or number
        Typically ``scaled(c, y)``, shared by the rows that have the same bound.
    """
    return InequalityExpression((x, rhs), False)


def scaled(c, v):
    """``c * v`` for a number ``c`` and a variable ``v``, as Pyomo's arithmetic builds it (``v`` itself for 1)."""
    return v if c == 1 else MonomialTermExpression((c, v))


def negated_terms(e) -> list:
    """The terms of ``-e`` as :func:`flat_difference` writes them into a row.

    For a right-hand side shared by many rows: ``LinearExpression([x, *negated_terms(e)])`` is the
    row body ``flat_difference(x, e)`` gives, without negating ``e`` again for every row.

    Raises
    ------
    ValueError
        ``e`` holds more than numbers, variables and ``number * variable`` terms (sums of them);
        use :func:`flat_difference` for such a row.
    """
    out: list = []
    if not _collect(e, True, out):
        raise ValueError(f"not a flat linear expression: {e}")
    return out


def linear_sum(terms):
    """``sum(c * v for c, v in terms)`` as Pyomo's arithmetic builds it, without the arithmetic.

    Parameters
    ----------
    terms : iterable of (float, VarData)
        Coefficients (Python numbers) and variables.

    Returns
    -------
    pyomo.core.expr.numeric_expr.LinearExpression or int
        One flat ``LinearExpression`` (``c * v`` terms; ``v`` itself where ``c`` is 1, as Pyomo's own
        product gives), or 0 if no term is left. Terms with ``c == 0`` are left out (Pyomo's
        arithmetic would keep them as ``0 * v``; the compiled matrix has no such entry either way).
    """
    args = [v if c == 1 else MonomialTermExpression((c, v)) for c, v in terms if c != 0]
    return LinearExpression(args) if args else 0


def linear_value(e) -> float:
    """``pyomo.environ.value(e)`` for linear expressions, read term by term.

    Flat ``LinearExpression`` / ``SumExpression`` nodes, ``number * variable`` terms, variables,
    numbers and named Expressions are evaluated directly (Pyomo's generic evaluator visits every
    node); anything else, and a variable without a value, goes to ``pyomo.environ.value``, which
    gives the same number or raises the same error.
    """
    cls = e.__class__
    if cls in native_numeric_types:
        return e
    if cls is LinearExpression or cls is SumExpression:
        total = 0
        for a in e.args:
            c = a.__class__
            if c is MonomialTermExpression:
                coef, v = a.args
                x = v.value if v.__class__ in _VAR_TYPES else None
                total += coef * x if x is not None and coef.__class__ in native_numeric_types else value(a)
            elif c in _VAR_TYPES:
                total += a.value if a.value is not None else value(a)
            elif c in native_numeric_types:
                total += a
            elif c is ProductExpression and a.args[0].__class__ in native_numeric_types:
                total += a.args[0] * linear_value(a.args[1])  # e.g. a price x a named Expression
            else:
                total += linear_value(a)
        return total
    if getattr(e, "is_named_expression_type", None) is not None and e.is_named_expression_type() \
            and e.expr is not None:
        return linear_value(e.expr)
    return value(e)


def _sum(e):
    return sum(e) if e.__class__ in (list, tuple) else e


def _collect(e, negate: bool, out: list) -> bool:
    """Append the terms of ``e`` (negated if asked) to ``out``; False if ``e`` is not simple."""
    cls = e.__class__
    if cls is list or cls is tuple:
        items = e
    elif cls is LinearExpression or cls is SumExpression:
        items = e.args
    else:
        items = (e,)
    append = out.append
    for a in items:  # the common terms inline; nested sums, negations and named Expressions recurse
        c = a.__class__
        if c is MonomialTermExpression:
            coef, v = a.args
            if coef.__class__ not in native_numeric_types:
                return False
            append(MonomialTermExpression((-coef, v)) if negate else a)
        elif c in _VAR_TYPES:
            append(MonomialTermExpression((-1, a)) if negate else a)
        elif c in native_numeric_types:
            if a:
                append(-a if negate else a)
        elif c is list or c is tuple or c is LinearExpression or c is SumExpression:
            if not _collect(a, negate, out):
                return False
        elif c is NegationExpression:
            if not _collect(a.args[0], not negate, out):
                return False
        elif getattr(a, "is_variable_type", None) is None:
            return False
        elif a.is_variable_type():
            append(MonomialTermExpression((-1, a)) if negate else a)
        elif a.is_named_expression_type() and a.expr is not None:
            if not _collect(a.expr, negate, out):
                return False
        else:
            return False
    return True
