"""Why a study is infeasible: an irreducible infeasible subset (IIS) in model terms.

siteplan's own model always has a plan (unmet demand is a priced slack), so infeasibility comes from
what a user adds or tightens: constraints of their own, minimum sizes, forced sites, caps that no
plan can meet. When HiGHS finds the model infeasible, :func:`diagnose` solves the LP relaxation:

- if it is infeasible too, HiGHS's ``getIis`` finds an irreducible infeasible subset of rows and
  variable bounds of the LP (drop any one and the rest is feasible), reported by constraint family
  and index (site, substation, slice ...);
- if it is feasible, only integrality makes the model infeasible (e.g. whole racks or units that
  cannot meet an exact requirement); there is no LP subset to report, and the diagnosis says so.

Model-agnostic: it reads the compiled matrix and the Pyomo names of its rows and columns, so it
works for any model siteplan compiles (user extensions and multi-period models alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy

__all__ = ["Diagnosis", "diagnose", "IIS_STRATEGY"]

# HiGHS's IIS strategy for these models: from the LP's infeasibility certificate (dual ray), then
# made irreducible by deletion filtering; measured to give the smallest subsets on siteplan models.
IIS_STRATEGY = int(highspy.IisStrategy.kIisStrategyFromRay) | int(highspy.IisStrategy.kIisStrategyIrreducible)

_SIDE = {int(highspy.IisBoundStatus.kIisBoundStatusLower): "lower", int(highspy.IisBoundStatus.kIisBoundStatusUpper): "upper",
         int(highspy.IisBoundStatus.kIisBoundStatusBoxed): "both", int(highspy.IisBoundStatus.kIisBoundStatusFree): "free"}


@dataclass
class Diagnosis:
    """The cause of an infeasible model.

    Attributes
    ----------
    kind : str
        ``"lp"`` (the LP relaxation is infeasible: ``rows`` and ``bounds`` form an IIS),
        ``"integrality"`` (the LP relaxation is feasible: only whole-number decisions conflict),
        or ``"unknown"`` (HiGHS could not decide within its limits).
    rows : list of tuple
        ``(constraint family, index, side, bound)`` of each IIS row: side ``upper`` (``<=``),
        ``lower`` (``>=``) or ``both`` (equality).
    bounds : list of tuple
        ``(variable family, index, side, bound)`` of each IIS variable bound.
    """

    kind: str
    rows: list = field(default_factory=list)
    bounds: list = field(default_factory=list)

    @property
    def families(self) -> dict:
        """``{family: number of members in the IIS}``, rows and bounds together."""
        out: dict = {}
        for fam, *_ in self.rows + self.bounds:
            out[fam] = out.get(fam, 0) + 1
        return out

    def text(self, most: int = 12) -> str:
        """A few lines a planner can read."""
        if self.kind == "integrality":
            return ("the LP relaxation is feasible: only integrality (whole racks, units, sites or connections) "
                    "makes the model infeasible")
        if self.kind != "lp":
            return "HiGHS could not find an irreducible infeasible subset"
        n = len(self.rows) + len(self.bounds)
        lines = [f"irreducible infeasible subset: {n} member(s) that cannot all hold (drop any one and the rest "
                 f"can): " + ", ".join(f"{k} x{v}" for k, v in self.families.items())]
        for fam, idx, side, b in (self.rows + self.bounds)[:most]:
            if side == "range":
                lines.append(f"  {fam}[{_idx(idx)}] in [{b[0]:g}, {b[1]:g}]")
                continue
            sign = {"upper": "<=", "lower": ">=", "both": "=="}.get(side, side)
            lines.append(f"  {fam}[{_idx(idx)}] {sign} {b:g}")
        if n > most:
            lines.append(f"  ... {n - most} more")
        return "\n".join(lines)


def _idx(idx) -> str:
    if idx is None:
        return ""
    return ", ".join(str(i) for i in idx) if isinstance(idx, tuple) else str(idx)


def diagnose(cm, time_limit_s: float = 60.0) -> Diagnosis:
    """Find why the compiled model ``cm`` (:func:`siteplan.solve.compile_model`) is infeasible.

    Parameters
    ----------
    cm : siteplan.solve.CompiledModel
    time_limit_s : float
        For the LP relaxation and the IIS search each.

    Returns
    -------
    Diagnosis
    """
    from siteplan.solve import highs

    lp = highs.load_highs(highs.relaxed(cm), {"time_limit": float(time_limit_s), "output_flag": False})
    lp.run()
    status = lp.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return Diagnosis("integrality")
    if status not in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Diagnosis("unknown")
    lp.setOptionValue("iis_strategy", IIS_STRATEGY)
    st, iis = lp.getIis()
    if st == highspy.HighsStatus.kError or not iis.valid_:
        return Diagnosis("unknown")
    rows, bounds = [], []
    free = int(highspy.IisBoundStatus.kIisBoundStatusFree)
    for i, side in zip(iis.row_index_, iis.row_bound_):
        if int(side) == free:  # in the subset's matrix, but its bounds play no part
            continue
        con = cm.rows[i] if cm.rows is not None else None
        s = _SIDE.get(int(side), str(side))
        b = cm.row_upper[i] if s == "upper" else cm.row_lower[i]
        rows.append((con.parent_component().name if con is not None else f"row {i}",
                     con.index() if con is not None else i, s, float(b)))
    for j, side in zip(iis.col_index_, iis.col_bound_):
        if int(side) == free:
            continue
        v = cm.columns[j]
        s = _SIDE.get(int(side), str(side))
        b = cm.col_upper[j] if s == "upper" else cm.col_lower[j]
        if s == "both" and cm.col_upper[j] != cm.col_lower[j]:
            s, b = "range", (float(cm.col_lower[j]), float(cm.col_upper[j]))
        bounds.append((v.parent_component().name, v.index(), s, b if isinstance(b, tuple) else float(b)))
    return Diagnosis("lp", rows, bounds)


def with_diagnosis(exc, cm, time_limit_s: float = 60.0):
    """The SolveError ``exc`` with the diagnosis of ``cm`` in its message and ``exc.diagnosis``."""
    d = diagnose(cm, time_limit_s)
    new = type(exc)(f"{exc}\n{d.text()}")
    new.diagnosis = d
    return new

