"""The bulk column reader of the hand-off gives what Pyomo reports variable by variable."""

import numpy as np
import pyomo.environ as pyo

from siteplan.solve import _column_bounds_each, column_bounds


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

    from siteplan.solve import _quiet_highs, _use_threads, set_time_left

    rng = np.random.default_rng(0)
    _use_threads(1)  # HiGHS has one thread pool per process: use the count the other tests use
    h = _quiet_highs()
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
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "models/example.yaml"
    code = (
        "import sys, siteplan\n"
        f"plan = siteplan.solve({str(example)!r})\n"
        "assert plan.result.optimal, plan.result.termination\n"
        "assert 'scipy.sparse' in sys.modules and 'scipy.io' in sys.modules\n"
        "print('stats after solve:', 'scipy.stats' in sys.modules)\n"
        "from pyomo.common.dependencies import scipy\n"
        "assert scipy.stats.norm.cdf(0.0) == 0.5\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "stats after solve: False" in run.stdout
