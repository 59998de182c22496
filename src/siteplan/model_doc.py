"""The model's components as a table for extension authors (``docs/model_variables.md``).

Generated from the ``doc=`` strings the model modules give every set, variable, expression and
constraint, so the table cannot drift from the code: ``python -m siteplan.model_doc >
docs/model_variables.md`` rewrites it, and a test checks it is current.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["component_table", "model_doc"]

KINDS = ("Set", "Param", "Var", "Expression", "Constraint", "Objective")


def component_table(m) -> str:
    """A Markdown table of the model's top-level components: kind, name, index set, doc string."""
    import pyomo.environ as pyo

    types = tuple(getattr(pyo, k) for k in KINDS)
    rows = ["| kind | name | indexed by | what |", "|---|---|---|---|"]
    for c in m.component_objects(types, descend_into=False):
        kind = c.ctype.__name__
        index = c.index_set().name if c.is_indexed() else ""
        if index.startswith("OrderedScalarSet") or index.endswith("_index"):
            index = "(a list built with the model)"
        rows.append(f"| {kind} | `{c.local_name}` | {index} | {(c.doc or '').replace('|', '/')} |")
    return "\n".join(rows)


def model_doc(scenario: str | Path | None = None) -> str:
    """The page: an introduction and :func:`component_table` of the model built for ``scenario``
    (default: ``models/example.yaml``, which has every module: sites, racks, interconnects, energy
    graph, on-site units, batteries, demand)."""
    import siteplan
    from siteplan.prepare import prepare

    path = Path(scenario) if scenario else Path(__file__).resolve().parents[2] / "models" / "example.yaml"
    study = siteplan.load(path)
    m = siteplan.build_model(prepare(study.scenario, study.dataset, study.catalog))
    return ("# The model's components\n\n"
            "Every set, variable, expression and constraint of the single-period model, as built for "
            "`models/example.yaml`, with its `doc=` string (generated: `python -m siteplan.model_doc > "
            "docs/model_variables.md`). Extend a model from `siteplan.build_model(prep)` by these names, "
            "e.g. `m.open[s]`, `m.racks[s, k, d]`, `m.contract_mw[o]`; add cost terms with "
            "`siteplan.add_cost`. A build-out study (`siteplan.model.periods`) has one block per period "
            "with the same components: `m.period[2029].open[s]`.\n\n" + component_table(m) + "\n")


if __name__ == "__main__":
    print(model_doc(), end="")
