"""Marginal values of the model's limits: duals of the LP with the integer decisions fixed.

After a MIP solve, every integer column is fixed at its (rounded) solution value and the remaining
LP (dispatch, imports, corridor flows, serving, unmet demand) is solved again with HiGHS, on the
same compiled matrix (:func:`siteplan.solve.compile_model`, without the root cut loop's rows: with
the integers fixed they are implied). Its row duals and column reduced costs are the marginal
values of the limits *with the plan's sites, designs, racks, interconnects and unit counts held
fixed*. See ``docs/duals.md`` for what that does and does not mean.

Units are the model's: the objective is annual USD, so a dual is USD/yr per unit of its row (MW,
m3/yr, t CO2/yr, sites); rows and bounds are not scaled by the compiler.

Sign conventions
----------------
:meth:`Duals.row` and :meth:`Duals.column` give HiGHS's raw values for the minimised objective:
``d objective / d bound`` of the row's (or column's) active bound, as HiGHS reports it. For a
``<=`` row that binds in a cost minimisation this is <= 0 (a larger bound lowers the cost).
:meth:`Duals.value` reads a :class:`Limit` as users think of it: the **value of relaxing the limit
by one unit**, a non-negative number (USD/yr per MW etc.); 0 for a limit that does not bind; NaN
for one the fixed LP cannot price (see below).

A row whose every term is an integer decision (today: substation ``headroom``, ``it_max``, the
water caps, ``max_sites``) has only fixed columns in the LP: relaxing it changes nothing there, and
the LP's dual for it is arbitrary. Such rows read as NaN ("held by integer decisions"), not 0.

The families shown to users are the data table :data:`LIMITS`; update it when the model's
constraint names change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

__all__ = ["LIMITS", "Limit", "Duals", "fixed_lp_duals", "duals_from_lp", "limit"]


@dataclass(frozen=True)
class Limit:
    """How to read one family of limits from the duals.

    Attributes
    ----------
    name : str
        What users call it ("corridor capacity").
    component : str
        The Pyomo component: a constraint (``kind="row"``) or a variable whose bounds are the limit.
    kind : str
        ``"row"``: a ``<=`` constraint, value = -(row dual); ``"upper"``: a variable's upper bound,
        value = -(reduced cost); ``"both"``: symmetric bounds ``-cap <= x <= cap`` (one limit in
        each direction), value = |reduced cost|.
    unit : str
        Unit of one unit of the limit (the value is USD/yr per this).
    """

    name: str
    component: str
    kind: str
    unit: str


#: The limit families shown to users, by Pyomo component (one row per family; edit here when the
#: model's constraints change). Corridor capacity and supply limit the flow that delivers every
#: contract at once (one flow, no slices); the interconnect's limit is its class's max_mw on the
#: contracted MW of the built option.
LIMITS: tuple[Limit, ...] = (
    Limit("substation headroom", "headroom", "row", "MW"),
    Limit("corridor capacity", "peak_flow_mw", "both", "MW"),
    Limit("supply", "peak_supply_mw", "upper", "MW"),
    Limit("interconnect capacity", "contract_cap", "row", "MW"),
    Limit("site max IT MW", "it_max", "row", "MW"),
    Limit("site water cap", "site_water_cap", "row", "m3/yr"),
    Limit("total water cap", "total_water_cap", "row", "m3/yr"),
    Limit("carbon cap", "carbon_cap", "row", "t CO2/yr"),
    Limit("max sites", "max_sites", "row", "sites"),
)


def limit(name: str) -> Limit:
    """The :data:`LIMITS` entry with this user-facing name."""
    for lim in LIMITS:
        if lim.name == name:
            return lim
    raise KeyError(f"no limit family named {name!r}; known: {', '.join(x.name for x in LIMITS)}")


@dataclass
class Duals:
    """Row duals and reduced costs of the fixed-integer LP, keyed back to Pyomo components.

    Attributes
    ----------
    status : str
        ``"optimal"``, or why there are no duals (``"skipped: ..."``); then every value is NaN.
    objective : float
        Objective of the fixed LP (annual USD); equals the MIP incumbent's up to tolerances.
    seconds : float
        Time to build and solve the fixed LP.
    row_dual, col_dual : numpy.ndarray
        HiGHS's duals per compiled row / column (raw sign, see the module docstring); NaN where
        the row holds no continuous column.
    """

    status: str
    objective: float
    seconds: float
    row_dual: np.ndarray
    col_dual: np.ndarray
    rows: list = field(repr=False)
    columns: list = field(repr=False)
    model: object = field(default=None, repr=False)
    _row_pos: dict | None = field(default=None, repr=False)
    _upper_pos: dict | None = field(default=None, repr=False)
    _col_pos: dict | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def scoped(self, block, scale: float = 1.0, objective: float | None = None) -> "Duals":
        """The same duals read against one block of the model (component names are looked up in
        ``block``), multiplied by ``scale``.

        A build-out model (:mod:`siteplan.model.periods`) minimises the weighted mean of its periods'
        annual costs, ``sum_p share_p * cost_p``; with ``block = m.period[y]`` and
        ``scale = 1 / share_y`` a dual reads as the period's own USD/yr per unit of its limit.
        """
        self._positions()  # shared by the copy: the rows and columns are the same objects
        return replace(self, row_dual=self.row_dual * scale, col_dual=self.col_dual * scale, model=block,
                       objective=self.objective if objective is None else float(objective))

    def _component(self, component):
        if isinstance(component, str):
            comp = None if self.model is None else self.model.component(component)
            return comp
        return component

    def _positions(self):
        if self._row_pos is None:
            ids = list(map(id, self.rows))
            self._row_pos = dict(zip(ids, range(len(ids))))  # a ranged row: its last (lower) row
            self._upper_pos = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1)))  # ... and its first (upper)
            self._col_pos = dict(zip(map(id, self.columns), range(len(self.columns))))
        return self._row_pos, self._upper_pos, self._col_pos

    def row(self, component) -> dict:
        """Raw dual of each row of a constraint, ``{index: d objective / d bound}`` (USD/yr per unit).

        ``component`` is a Pyomo Constraint or its name. Members the compiler left out (rows with no
        variable, skipped rows) are absent. A ranged constraint's value is the sum of its two rows'
        duals (at most one of them is active).
        """
        comp = self._component(component)
        if comp is None:
            return {}
        low, up, _ = self._positions()
        out = {}
        for k, c in comp.items():
            i = low.get(id(c))
            if i is None:
                continue
            j = up[id(c)]
            out[k] = float(self.row_dual[i] + (self.row_dual[j] if j != i else 0.0))
        return out

    def column(self, component) -> dict:
        """Reduced cost of each column of a variable, ``{index: d objective / d bound}`` (USD/yr per unit).

        Nonzero only for a column at one of its bounds. Members the compiler left out (in no row
        and not in the objective) are absent.
        """
        comp = self._component(component)
        if comp is None:
            return {}
        _, _, cols = self._positions()
        out = {}
        for k, v in comp.items():
            i = cols.get(id(v))
            if i is not None:
                out[k] = float(self.col_dual[i])
        return out

    def value(self, lim: Limit | str) -> dict:
        """Value of relaxing each member of a limit family by one unit (USD/yr per unit, >= 0).

        ``{}`` when the model has no such component. NaN for members the fixed LP cannot price
        (rows of integer decisions only, bounds of integer columns) and for every member when
        the fixed LP was not solved to optimality.
        """
        lim = limit(lim) if isinstance(lim, str) else lim
        comp = self._component(lim.component)
        if comp is None or not len(comp):
            return {}
        if not self.ok:
            return {k: np.nan for k, c in comp.items() if lim.kind != "row" or (c.active and c.ub is not None)}
        if lim.kind == "row":
            _, up, _ = self._positions()
            out = {}
            for k, c in comp.items():
                if not c.active or c.ub is None:  # a constraint without an upper bound is no limit
                    continue
                j = up.get(id(c))
                # not in the matrix: the compiler dropped it as a constant (every variable fixed)
                out[k] = np.nan if j is None else _relax_upper(self.row_dual[j])
            return out
        _, _, cols = self._positions()
        read = {"upper": _relax_upper, "both": abs}.get(lim.kind)
        if read is None:
            raise ValueError(f"limit {lim.name!r}: kind must be 'row', 'upper' or 'both', not {lim.kind!r}")
        out = {}
        for k, v in comp.items():
            i = cols.get(id(v))
            if i is not None:
                out[k] = read(float(self.col_dual[i]))
            else:  # not a column: fixed (held, no value) or in no row and not in the objective (limits nothing)
                out[k] = np.nan if v.fixed else 0.0
        return out


def _relax_upper(d: float) -> float:
    """Value of raising an upper bound whose dual is ``d``: -d, clipped at 0 (noise of the wrong sign)."""
    d = float(d)
    return d if np.isnan(d) else max(0.0, -d)


def _skipped(cm, why: str, seconds: float, model=None) -> Duals:
    return Duals(f"skipped: {why}", np.nan, seconds, np.full(len(cm.row_lower), np.nan),
                 np.full(len(cm.columns), np.nan), cm.rows or [], cm.columns, model)


def _priced(cm, row_dual: np.ndarray, col_dual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NaN for the rows with no continuous column and for the integer columns (held fixed)."""
    integ = cm.integrality.astype(bool)
    if not integ.any():
        return row_dual, col_dual
    A = cm.A.tocsc()
    has_cont = np.zeros(A.shape[0], dtype=bool)
    cont = np.flatnonzero(~integ)
    if len(cont):
        sub = A[:, cont]
        has_cont[sub.indices[sub.data != 0]] = True
    row_dual = np.where(has_cont, row_dual, np.nan)
    col_dual = np.where(integ, np.nan, col_dual)
    return row_dual, col_dual


def duals_from_lp(h: highspy.Highs, cm, model=None, seconds: float = 0.0) -> Duals:
    """:class:`Duals` of an LP already solved in ``h`` (a model with no integer columns)."""
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return _skipped(cm, f"the LP is not optimal ({h.modelStatusToString(h.getModelStatus())})", seconds, model)
    sol = h.getSolution()
    if not sol.dual_valid:
        return _skipped(cm, "HiGHS gave no valid duals", seconds, model)
    rd = np.asarray(sol.row_dual, dtype=float)[: len(cm.row_lower)]  # rows added later (cuts) are not the model's
    cd = np.asarray(sol.col_dual, dtype=float)
    rd, cd = _priced(cm, rd, cd)
    return Duals("optimal", float(h.getInfo().objective_function_value), seconds, rd, cd, cm.rows or [],
                 cm.columns, model)


def fixed_lp_duals(cm, x: np.ndarray, options: dict | None = None, time_limit_s: float = 60.0,
                   model=None) -> Duals:
    """Fix every integer column of ``cm`` at ``round(x)``, solve the LP and return its duals.

    Parameters
    ----------
    cm : siteplan.solve.CompiledModel
        The compiled model (``cm.rows`` names the constraint of each row).
    x : numpy.ndarray
        A solution of the MIP, one value per column.
    options : dict, optional
        HiGHS options of the MIP solve (``mip_*`` options are dropped; ``time_limit`` is replaced).
    time_limit_s : float
        Time limit of the LP.
    model : pyomo.environ.ConcreteModel, optional
        The model, to look components up by name in :meth:`Duals.row` etc.

    Returns
    -------
    Duals
        ``status == "optimal"`` with the duals, or ``"skipped: <why>"`` (all NaN) if the fixed LP
        is infeasible (e.g. rounding the integers broke a row by more than the tolerances) or did
        not finish.
    """
    from siteplan.solve import highs

    t0 = time.perf_counter()
    integ = cm.integrality.astype(bool)
    lb, ub = cm.col_lower.copy(), cm.col_upper.copy()
    if integ.any():
        fixed = np.clip(np.round(np.asarray(x, dtype=float)[integ]), lb[integ], ub[integ])
        lb[integ] = fixed
        ub[integ] = fixed
    lp = replace(cm, col_lower=lb, col_upper=ub, integrality=np.zeros_like(cm.integrality))
    opts = {k: v for k, v in (options or {}).items() if not str(k).startswith("mip_")}
    opts["time_limit"] = float(time_limit_s)
    opts["output_flag"] = False
    h = highs.load_highs(lp, opts)
    h.run()
    d = duals_from_lp(h, cm, model)
    d.seconds = time.perf_counter() - t0
    return d


def summed(values: dict, keep: Iterable | None = None, axis: int = -1) -> dict:
    """Sum per-slice values ``{(..., slice): v}`` over the index position ``axis``: ``{(...): sum}``.

    The value of one more unit of a limit that has a row (or bound) per slice, in every slice, is
    the sum of the slice values. A NaN member makes its sum NaN. ``keep``: only these reduced keys.
    """
    keep = None if keep is None else set(keep)
    out: dict = {}
    for k, v in values.items():
        kk = list(k)
        del kk[axis]
        key = kk[0] if len(kk) == 1 else tuple(kk)
        if keep is not None and key not in keep:
            continue
        out[key] = out.get(key, 0.0) + v
    return out
