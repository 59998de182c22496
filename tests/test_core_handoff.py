"""The bulk column reader of the hand-off gives what Pyomo reports variable by variable."""

import numpy as np
import pyomo.environ as pyo

from siteplan.solve.run import _column_bounds_each, column_bounds


def test_column_bounds_match_pyomo_per_variable():
    m = pyo.ConcreteModel()
    m.p = pyo.Param(initialize=3.5, mutable=True)
    m.I = pyo.Set(initialize=range(4))
    m.x = pyo.Var(m.I, bounds=lambda m, i: (None, 10.0 * i) if i % 2 else (-float("inf"), float("inf")))
    m.y = pyo.Var(m.I, domain=pyo.NonNegativeIntegers, bounds=(np.float64(-2.0), np.int64(7)))
    m.z = pyo.Var(domain=pyo.Binary)
    m.w = pyo.Var(bounds=(m.p, 2 * m.p))
    m.v = pyo.Var(domain=pyo.Integers, bounds=(-3, None))
    m.u = pyo.Var(m.I, domain=pyo.UnitInterval)
    m.u[2].setub(0.25)
    cols = [v for v in m.component_data_objects(pyo.Var)]
    got, want = column_bounds(cols), _column_bounds_each(cols)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    assert column_bounds([])[0].shape == (0,)


def test_members_is_the_components_mapping():
    """``model.linear.members``: index -> data as ``items()`` gives it, and the fallback when the
    component's own mapping is not a complete dict."""
    from siteplan.model.linear import members

    m = pyo.ConcreteModel()
    m.S = pyo.Set(initialize=["b", "a"], ordered=True)
    m.T = pyo.Set(initialize=[2, 1], ordered=True)
    m.x = pyo.Var(m.S, m.T)
    assert members(m.x) == dict(m.x.items()) and members(m.x)["a", 1] is m.x["a", 1]

    class Other:  # a component-like object without a dict of its data
        _data = None

        def __len__(self):
            return 1

        def items(self):
            return iter([(("k",), "v")])
    assert members(Other()) == {("k",): "v"}


def test_flat_difference_is_the_same_row():
    from pyomo.core.expr.numeric_expr import LinearExpression
    from pyomo.repn.linear import LinearRepnVisitor

    from siteplan.model.linear import flat_difference

    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(4))
    m.p = pyo.Param(initialize=2.0, mutable=True)
    m.e = pyo.Expression(expr=3.0 * m.x[0] + m.x[1] - 1.5)

    def repn(expr):
        r = LinearRepnVisitor({}).walk_expression(expr)
        return r.constant, {id(v): c for v, c in zip(r.linear, r.linear.values())}, dict(r.linear)

    cases = [
        (m.x[0], [2.0 * m.x[1], m.x[2]]),
        ([m.x[0], m.e], 4.0 * m.x[3] + 2),
        (m.e, -(m.x[1] + 0.5 * m.x[2])),
        (m.x[2], 0),
    ]
    for lhs, rhs in cases:
        flat = flat_difference(lhs, rhs)
        assert flat.__class__ is LinearExpression
        plain = (sum(lhs) if isinstance(lhs, list) else lhs) - (sum(rhs) if isinstance(rhs, list) else rhs)
        assert repn(flat)[0] == repn(plain)[0] and repn(flat)[2] == repn(plain)[2]
    # a Param coefficient is not flattened: the plain expression (still the same row) is returned
    fallback = flat_difference(m.x[0], m.p * m.x[1])
    assert repn(fallback)[2] == repn(m.x[0] - m.p * m.x[1])[2]
    m.p = 5.0
    assert repn(fallback)[2] == repn(m.x[0] - 5.0 * m.x[1])[2]


def test_time_left_counts_from_the_previous_runs():
    """HiGHS's time_limit is cumulative over an instance's runs; set_time_left allows a re-solve."""
    import highspy
    import numpy as np

    from siteplan.solve.cutloop import set_time_left
    from siteplan.solve.highs import quiet_highs
    from siteplan.solve.run import _use_threads

    rng = np.random.default_rng(0)
    _use_threads(1)  # HiGHS has one thread pool per process: use the count the other tests use
    h = quiet_highs()
    h.setOptionValue("threads", 1)
    n, m = 400, 300
    h.addVars(n, np.zeros(n), np.full(n, 10.0))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -rng.uniform(1, 2, n))
    for _ in range(m):
        idx = rng.choice(n, 30, replace=False).astype(np.int32)
        h.addRow(-np.inf, 10.0, 30, idx, rng.uniform(0.1, 1, 30))
    h.run()
    first = h.getRunTime()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    idx = rng.choice(n, 30, replace=False).astype(np.int32)
    h.addRow(-np.inf, 1.0, 30, idx, rng.uniform(0.1, 1, 30))
    set_time_left(h, max(first, 0.05) * 0.5 + 5.0)  # far more than a warm-started re-solve needs
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    # and the raw option would not have allowed it when the first run took longer than the limit
    h.addRow(-np.inf, 0.5, 30, idx, rng.uniform(0.1, 1, 30))
    h.setOptionValue("time_limit", h.getRunTime() * 0.5)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit


def test_solve_skips_pyomos_scipy_stats_import(tmp_path):
    """A whole solve (NetCDF3 load + hand-off) imports scipy.io and scipy.sparse but not the 0.6-0.9 s
    of scipy.stats that Pyomo's import hook would add; Pyomo's own deferred scipy still works after."""
    out = _solve_example_in_fresh_process(tmp_path, (
        "assert 'scipy.sparse' in sys.modules and 'scipy.io' in sys.modules\n"
        "print('stats after solve:', 'scipy.stats' in sys.modules)\n"
        "from pyomo.common.dependencies import scipy\n"
        "assert scipy.stats.norm.cdf(0.0) == 0.5\n"))
    assert "stats after solve: False" in out


def _solve_example_in_fresh_process(tmp_path, then: str) -> str:
    """Solve the example in a new Python process, run ``then`` (``sys`` and ``plan`` in scope);
    return its stdout, failing the test if the process fails."""
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "models/example.yaml"
    code = ("import sys, siteplan\n"
            f"plan = siteplan.solve({str(example)!r})\n"
            "assert plan.result.optimal, plan.result.termination\n" + then)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _assert_same_compiled(a, b):
    import numpy as np

    assert [id(v) for v in a.columns] == [id(v) for v in b.columns]
    assert [id(c) for c in a.rows] == [id(c) for c in b.rows]  # the constraint of each row (read by siteplan.solve.duals)
    for f in ("c", "row_lower", "row_upper", "col_lower", "col_upper", "integrality"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert a.offset == b.offset
    A, B = a.A.tocsc(), b.A.tocsc()
    assert A.shape == B.shape
    for f in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(A, f), getattr(B, f), err_msg=f)


def test_compiler_gives_pyomos_matrix_for_every_row_shape():
    """siteplan's compiler reads flat rows itself and walks the rest with Pyomo's visitor: the result
    is Pyomo's standard form, column for column and row for row, whatever shape each row has."""
    from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

    from siteplan.model.linear import flat_difference
    from siteplan.solve import compile_model

    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[3, 1, 2], ordered=True)
    m.unused = pyo.Var(range(3))  # declared first, never used: no column
    m.y = pyo.Var(m.I, domain=pyo.Binary)
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.z = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 7))
    m.f = pyo.Var(initialize=2.0)
    m.f.fix()
    m.p = pyo.Param(initialize=4.0, mutable=True)
    m.e = pyo.Expression(expr=2 * m.x[1] + m.x[2] + 1.5)
    m.obj = pyo.Objective(expr=m.e + 3 * m.z - m.y[3] + 7.0, sense=pyo.maximize)
    m.flat = pyo.Constraint(m.I, rule=lambda m, i: flat_difference(m.x[i], [5.0 * m.y[i], 1.0]) <= 0)
    m.two_sided = pyo.Constraint(expr=m.x[3] + 2 * m.x[1] >= 3 * m.z - m.x[2])  # both sides variable
    m.lhs_const = pyo.Constraint(expr=4.0 <= m.x[2])
    m.equality = pyo.Constraint(expr=LinearExpression([m.x[1], MonomialTermExpression((-2.0, m.z)), 3.0]) == 6)
    m.ranged = pyo.Constraint(expr=pyo.inequality(1.0, m.x[1] + m.x[3], 8.0))  # two rows in mixed form
    m.param_coef = pyo.Constraint(expr=m.p * m.x[2] <= 9)
    m.named = pyo.Constraint(expr=m.e <= m.z)
    m.with_fixed = pyo.Constraint(expr=LinearExpression([m.x[2], MonomialTermExpression((3.0, m.f))]) <= 20)
    m.zero_and_dup = pyo.Constraint(expr=LinearExpression([MonomialTermExpression((0.0, m.y[2])), m.x[3],
                                                           MonomialTermExpression((2.0, m.x[3]))]) <= 5)
    m.constant_row = pyo.Constraint(expr=LinearExpression([MonomialTermExpression((0.0, m.y[1])), 1.0]) <= 3)
    m.param_bound = pyo.Constraint(expr=m.x[1] <= 2 * m.p)
    m.cancels = pyo.Constraint(expr=m.x[1] - m.x[1] <= 1)  # terms cancel once merged: no row
    m.cancels_eq = pyo.Constraint(expr=m.x[2] == m.x[2])
    m.cancels_ranged = pyo.Constraint(expr=pyo.inequality(-1.0, m.z - m.z + 0.5, 2.0))
    m.off = pyo.Constraint(expr=m.x[1] + m.x[2] <= 1)
    m.off.deactivate()
    m.blk = pyo.Block()
    m.blk.w = pyo.Var(bounds=(-1, 1))
    m.blk.row = pyo.Constraint(expr=m.blk.w - m.y[1] == 0)

    got, want = compile_model(m, "siteplan"), compile_model(m, "pyomo")
    _assert_same_compiled(got, want)
    names = [v.name for v in got.columns]
    assert "unused[0]" not in names and "f" not in names
    assert len(got.row_lower) == 3 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 1  # ranged: 2 rows; constant row: none
    m.p = 5.0  # mutable Params are read at compile time by both
    _assert_same_compiled(compile_model(m, "siteplan"), compile_model(m, "pyomo"))


def test_compiler_gives_pyomos_objective_and_column_order():
    """The objective's own reader (sums, named Expressions, number x sum) and zero terms: the same
    coefficients, offset and column order as Pyomo's visitor, including a variable component seen
    first with a zero coefficient (Pyomo numbers its columns there)."""
    from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

    from siteplan.solve.compiler import _Columns, _sum_repn
    from siteplan.solve import compile_model
    from pyomo.repn.util import FileDeterminism, FileDeterminism_to_SortComponents

    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=["b", "a", "c"], ordered=True)
    m.x = pyo.Var(m.I, bounds=(0, 4))
    m.z = pyo.Var(m.I, bounds=(0, 4))  # first seen with a zero coefficient, in a row
    m.w = pyo.Var(bounds=(0, 1))  # first seen with a zero coefficient, in the objective
    m.y = pyo.Var(bounds=(0, 2))  # first seen just after a zero term of z
    m.part = pyo.Expression(m.I, rule=lambda m, i: 0.1 * m.x[i])
    m.nothing = pyo.Expression(expr=sum([]))  # a NumericConstant
    m.cost = pyo.Expression(expr=LinearExpression([MonomialTermExpression((0.0, m.w)), 0.7 * m.x["c"], 2.5]))
    m.obj = pyo.Objective(expr=m.cost + 3.3 * (m.part["a"] + 0.2 * m.x["b"]) + sum(1.7 * m.part[i] for i in m.I)
                          + m.nothing + 0.3 * m.x["c"] - 1.0)
    m.row = pyo.Constraint(expr=LinearExpression([MonomialTermExpression((0.0, m.z["c"])), m.y]) <= 3)
    m.row2 = pyo.Constraint(expr=m.x["b"] + m.z["a"] + m.w >= 1)
    m.vub = pyo.Constraint(expr=m.x["a"] <= 3.0 * m.z["b"])
    got, want = compile_model(m, "siteplan"), compile_model(m, "pyomo")
    _assert_same_compiled(got, want)
    names = [v.name for v in got.columns]
    assert names.index("w") < names.index("x[b]") and names.index("z[a]") < names.index("y")
    cols = _Columns(FileDeterminism_to_SortComponents(FileDeterminism.ORDERED))
    assert _sum_repn(m.obj.expr, cols) is not None  # the objective took the fast path
    m.p = pyo.Param(initialize=2.0, mutable=True)
    m.obj.set_value(m.obj.expr + m.p * m.x["a"])  # a Param coefficient: Pyomo's visitor does it
    assert _sum_repn(m.obj.expr, _Columns(FileDeterminism_to_SortComponents(FileDeterminism.ORDERED))) is None
    _assert_same_compiled(compile_model(m, "siteplan"), compile_model(m, "pyomo"))


def test_compiler_rejects_what_it_cannot_compile():
    import pytest

    from siteplan.errors import SolveError
    from siteplan.solve import compile_model

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x)
    m.bad = pyo.Constraint(expr=m.x * m.x <= 1)
    with pytest.raises(Exception, match="nonlinear"):
        compile_model(m)
    m.bad.deactivate()
    m.x.fix(0.5)
    m.fixed_row = pyo.Constraint(expr=2 * m.x >= 3)  # 1 >= 3 with x fixed: infeasible, no variables
    with pytest.raises(SolveError, match="infeasible.*fixed_row"):
        compile_model(m)
    m.fixed_row.deactivate()
    m.y = pyo.Var(bounds=(0, 1))
    m.cancelled = pyo.Constraint(expr=m.y - m.y >= 5)  # no terms once merged: 0 >= 5
    with pytest.raises(SolveError, match="infeasible.*cancelled"):
        compile_model(m)
    with pytest.raises(SolveError, match="infeasible.*cancelled"):
        compile_model(m, "pyomo")
    m.cancelled.deactivate()
    m.obj2 = pyo.Objective(expr=2 * m.x)
    with pytest.raises(ValueError, match="exactly one active objective"):
        compile_model(m)


def test_compiler_matches_pyomo_on_the_example_model():
    from pathlib import Path

    import siteplan
    from siteplan.prepare import prepare
    from siteplan.solve import compile_model

    study = siteplan.load(Path(__file__).resolve().parents[1] / "models/example.yaml")
    m = siteplan.build_model(prepare(study.scenario, study.dataset, study.catalog))
    _assert_same_compiled(compile_model(m, "siteplan"), compile_model(m, "pyomo"))


def test_linear_value_is_pyomos_value():
    import pytest

    from siteplan.model.linear import linear_sum, linear_value

    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(4), initialize=lambda m, i: 1.5 * i + 0.25)
    m.p = pyo.Param(initialize=3.0, mutable=True)
    m.e = pyo.Expression(expr=linear_sum([(2.0, m.x[0]), (1, m.x[1]), (-0.5, m.x[3])]))
    m.f = pyo.Expression(expr=m.e + m.p * m.x[2] - 4 + m.x[3])
    for expr in (m.e, m.f, m.e.expr, 7.0, m.x[1], 2 * m.x[2], sum([m.e, m.f]), m.x[0] * m.x[1], 3.0 * m.e + m.x[0]):
        assert linear_value(expr) == pytest.approx(pyo.value(expr), rel=1e-15)
    m.x[3].value = None
    with pytest.raises(ValueError):
        linear_value(m.f)
    assert linear_sum([(0, m.x[0]), (0.0, m.x[1])]) == 0


def test_solve_leaves_dask_array_unimported_and_xarray_still_sees_dask_arrays(tmp_path):
    """xarray would import dask.array (0.3-0.9 s) at the first Dataset; siteplan defers that check
    until dask.array is imported, after which xarray recognises dask arrays as before."""
    out = _solve_example_in_fresh_process(tmp_path, (
        "assert len(plan.ds.data_vars) > 0\n"
        "print('dask.array after solve:', 'dask.array' in sys.modules)\n"
        "import dask.array as da, xarray as xr\n"
        "from xarray.namedarray.pycompat import array_type, is_duck_dask_array\n"
        "arr = xr.DataArray(da.zeros(4, chunks=2), dims='x')\n"
        "assert arr.chunks == ((2, 2),) and is_duck_dask_array(arr.data)\n"
        "assert da.Array in array_type('dask')\n"
        "assert float(plan.ds['it_mw'].chunk().sum().compute()) == float(plan.ds['it_mw'].sum())\n"))
    assert "dask.array after solve: False" in out


def test_highs_receives_the_compiled_matrix():
    """What HiGHS holds after the hand-off is the compiled model: costs, bounds, matrix, integrality."""
    from pathlib import Path

    import numpy as np

    import siteplan
    from siteplan.prepare import prepare
    from siteplan.solve import compile_model
    from siteplan.solve.highs import load_highs

    study = siteplan.load(Path(__file__).resolve().parents[1] / "models/example.yaml")
    cm = compile_model(siteplan.build_model(prepare(study.scenario, study.dataset, study.catalog)))
    assert cm.integrality.any() and not cm.integrality.all()
    lp = load_highs(cm, {"output_flag": False}).getLp()
    A = cm.A.tocsc()
    for got, want in ((lp.col_cost_, cm.c), (lp.col_lower_, cm.col_lower), (lp.col_upper_, cm.col_upper),
                      (lp.row_lower_, cm.row_lower), (lp.row_upper_, cm.row_upper),
                      (lp.a_matrix_.start_, A.indptr), (lp.a_matrix_.index_, A.indices), (lp.a_matrix_.value_, A.data),
                      ([int(k) for k in lp.integrality_], cm.integrality)):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert lp.offset_ == cm.offset and lp.num_col_ == len(cm.columns) and lp.num_row_ == A.shape[0]
