"""Input problems and the error that carries all of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the inputs: where (file, feature id, field) and what."""

    file: str | None
    feature_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file or "<input>"]
        if self.feature_id is not None:
            where.append(f"id={self.feature_id}")
        if self.field is not None:
            where.append(f"field={self.field}")
        return f"{': '.join(where)}: {self.message}"


class InputError(ValueError):
    """Invalid inputs. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{n} input problem{'s' if n != 1 else ''}:\n{lines}")


class SolveError(RuntimeError):
    """The study has no plan: infeasible, unbounded, or the solver failed without an incumbent.

    An infeasible model's error carries ``diagnosis`` (:class:`siteplan.solve.diagnose.Diagnosis`: an
    irreducible infeasible subset in model terms, or that only integrality conflicts) and says it in
    its message; otherwise ``diagnosis`` is None.
    """

    diagnosis = None


class PlanInvariantWarning(UserWarning):
    """A solved plan breaks one of the study's rules (:func:`siteplan.results.invariants.check_plan`).

    Either a user extension removed or changed one of siteplan's constraints, or it is a bug in
    siteplan: please report it with the scenario.
    """
