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
