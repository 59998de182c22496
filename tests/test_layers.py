"""The package's layers: no import circles, no stage importing a higher one, no Pyomo below the model.

Data flows one way (the design notes, ``STYLE.md``; issue 19)::

    scenario YAML -> config -> inputs -> prepared -> Pyomo model -> solve -> Plan -> exports;
    batch = many of these; the CLI is a thin layer over the library API

Every module under ``src/siteplan`` is read with :mod:`ast` (siteplan itself is never imported: the
test is fast and checks a module even when it cannot be imported). Every import counts: at the top,
inside functions, ``TYPE_CHECKING`` blocks, relative (``from . import x``), ``import siteplan.a.b``,
and the package's lazy public names (``siteplan.load`` after ``import siteplan``, or ``from siteplan
import load``: see ``_PUBLIC`` in ``siteplan/__init__.py``). ``from pkg import name`` is an import of
``pkg.name`` when that is a module, else of ``pkg``; the implied import of a parent package's
``__init__`` is not counted (the importer depends on the module it names). Imports by a string
(``importlib.import_module``) are not seen: only the package facade and the command line's plug-in
sub-commands do that.

The rules:

(a) no cycle among siteplan modules (a module importing itself back through others);
(b) no module imports a module of a higher stage than its own, except the pairs in
    :data:`KNOWN_UPWARD`, each with its reason; a pair there that no longer occurs fails too, so the
    list can only shrink;
(c) no module below the model stage, nor any module of ``siteplan.prepare`` or ``siteplan.export``,
    imports Pyomo (except :data:`KNOWN_PYOMO`, which can also only shrink);
(d) every module has a stage in :data:`STAGE` (a new module must be placed), and every entry there
    names a module that exists;
(e) every siteplan module imported exists.

The known upward imports are left out of the cycle check: each closes a loop through the stages,
which its entry already records.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "siteplan"

#: The stages, lowest first. A module may import modules of its own stage or of a lower one.
STAGES = (
    "base",       # helpers with no notion of a study: errors, words for ids, geometry, safe files, Ctrl-C
    "inputs",     # scenario and catalog (config), the validated dataset tables and files (io)
    "databuild",  # its own tool: raw public sources -> bundled datasets; may use inputs, nothing above
    "prepare",    # validated inputs -> plain tables and graphs the model needs (no Pyomo)
    "model",      # the Pyomo model, one module per concern
    "solve",      # hand-off to HiGHS, the status object, duals, diagnosis, starts, flows after a solve
    "results",    # the Plan (and a build-out's), read from a solved model; its checks, text and files
    "study",      # the library entry points: load -> solve -> Plan, build-outs, near-optimal alternatives
    "export",     # maps, report and the results folder written whole, from the Plans a study returns
    "batch",      # many studies on Dask
    "cli",        # the command line and generated docs: anything
)

#: Stage of every module. An entry for a package covers its submodules (the root package's does not);
#: a submodule's own entry wins over its package's.
STAGE = {
    # base
    "siteplan": "base",  # __version__ and the lazy public names; their imports are counted at the user
    "siteplan._scipy": "base",
    "siteplan._xarray": "base",
    "siteplan.atomic": "base",
    "siteplan.errors": "base",
    "siteplan.geo": "base",
    "siteplan.interrupt": "base",
    "siteplan.labels": "base",
    "siteplan.safe_files": "base",
    "siteplan.safe_load": "base",
    # inputs
    "siteplan.config": "inputs",
    "siteplan.io": "inputs",
    "siteplan.io.area": "inputs",
    "siteplan.io.climate": "inputs",
    "siteplan.io.dataset": "inputs",
    "siteplan.io.days": "inputs",
    "siteplan.io.example": "inputs",
    "siteplan.io.land": "inputs",
    "siteplan.io.layers": "inputs",
    "siteplan.io.limits": "inputs",
    "siteplan.io.meta": "inputs",
    "siteplan.io.pairs": "inputs",
    "siteplan.io.prices": "inputs",
    "siteplan.io.readers": "inputs",
    "siteplan.io.schema": "inputs",
    "siteplan.io.writer": "inputs",
    # databuild
    "siteplan.databuild": "databuild",
    # prepare
    "siteplan.prepare": "prepare",
    # model
    "siteplan.model": "model",
    # solve
    "siteplan.solve": "solve",  # compile, hand to HiGHS, run, read back; duals, diagnosis, starts, flows
    # results
    "siteplan.export.headline": "results",  # sums and ratios of a Plan (the terminal summary uses them too)
    "siteplan.results": "results",
    # study
    "siteplan.alternatives": "study",
    "siteplan.api": "study",
    "siteplan.buildout": "study",
    # export
    "siteplan.export": "export",
    # batch
    "siteplan.batch": "batch",
    # cli
    "siteplan.__main__": "cli",
    "siteplan.cli": "cli",
    "siteplan.model_doc": "cli",
}

#: Upward imports that stay (the public API needs them; the list can only shrink): (importer, imported) -> why.
KNOWN_UPWARD = {
    ("siteplan.results.plan", "siteplan.export.write"):
        "Plan.write() (public API) writes the results folder with its maps and report: the Plan inherits "
        "export.write.WritesFolder, whose write() calls the export stage",
    ("siteplan.results.buildout_plan", "siteplan.export.write"):
        "BuildOut.write() (public API), the same as Plan.write()",
}

#: Modules below the model stage (or in prepare/ or export/) that import Pyomo: module -> why.
KNOWN_PYOMO = {
    "siteplan._scipy": "sets Pyomo's scipy import hook aside while importing scipy (an import-time saving, "
                       "guarded by ImportError); it builds and reads no model",
}

RANK = {name: i for i, name in enumerate(STAGES)}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / ROOT).rglob("*.py"))}


def _existing(name: str, modules) -> str | None:
    """``name`` if it is a module, else its longest prefix that is one (``a.b.attr`` -> ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


@functools.cache
def _facade() -> dict[str, str]:
    """The root package's lazy public names: name -> the module that defines it."""
    tree = ast.parse((SRC / ROOT / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_PUBLIC" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def _imports(module: str, path: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]], list[tuple[str, int]]]:
    """What ``module`` imports: siteplan modules, siteplan names that are no module, and third-party
    top-level packages, each with the line of its first import."""
    modules, facade = _modules(), _facade()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    ours, missing, other = [], [], []
    imports_root = False

    def add(target: str, line: int) -> None:
        found = _existing(target, modules)
        (ours if found == target else missing).append((target, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                    add(alias.name, node.lineno)
                    imports_root = imports_root or alias.asname is None
                else:
                    other.append((alias.name.split(".")[0], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
                if not (source == ROOT or source.startswith(ROOT + ".")):
                    other.append((source.split(".")[0], node.lineno))
                    continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in modules:
                    add(sub, node.lineno)
                elif source == ROOT and alias.name in facade:
                    add(facade[alias.name], node.lineno)
                else:
                    add(source, node.lineno)
    if imports_root:  # siteplan.load(...) after ``import siteplan``: the facade imports siteplan.api
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == ROOT
                    and node.attr in facade):
                add(facade[node.attr], node.lineno)
    return ours, missing, other


@functools.cache
def _graph() -> tuple[dict[tuple[str, str], tuple[str, int]], list[str], dict[str, list[tuple[str, int]]]]:
    """Edges ``(importer, imported) -> (file, line)``, imports of missing modules, third-party imports."""
    edges, missing, other = {}, [], {}
    for module, path in _modules().items():
        ours, gone, theirs = _imports(module, path)
        rel = path.relative_to(SRC.parent)
        for target, line in ours:
            if target != module:
                edges.setdefault((module, target), (str(rel), line))
        missing += [f"{rel}:{line}: {module} imports {target}, which is no module" for target, line in gone]
        other[module] = theirs
    return edges, missing, other


def stage_of(module: str) -> str | None:
    name = module
    while name:
        if name in STAGE and (name == module or name != ROOT):
            return STAGE[name]
        name = name.rpartition(".")[0]
    return None


def _where(edge) -> str:
    file, line = _graph()[0][edge]
    return f"{file}:{line}"


def test_every_module_has_a_stage():
    unplaced = [m for m in _modules() if stage_of(m) is None]
    assert not unplaced, ("modules without a stage: add each to STAGE in tests/test_layers.py, at the stage "
                          f"of what it does and imports: {unplaced}")
    stale = [m for m in STAGE if m not in _modules()]
    assert not stale, f"STAGE names modules that do not exist (remove them): {stale}"
    bad = {m: s for m, s in STAGE.items() if s not in RANK}
    assert not bad, f"unknown stages (see STAGES): {bad}"


def test_imports_name_existing_modules():
    missing = _graph()[1]
    assert not missing, "\n".join(missing)


def test_no_import_cycles():
    edges = _graph()[0]
    g = nx.DiGraph([e for e in edges if e not in KNOWN_UPWARD])
    found = []
    for part in nx.strongly_connected_components(g):
        if len(part) > 1:  # one cycle of each tangle, from its first module
            loop = [a for a, _ in nx.find_cycle(g.subgraph(part), source=min(part))]
            loop.append(loop[0])
            text = f"  {' -> '.join(loop)}  (" + ", ".join(_where((a, b)) for a, b in zip(loop, loop[1:])) + ")"
            if len(part) > len(loop) - 1:
                text += f"\n    (in a tangle of {len(part)} modules that reach each other: {sorted(part)})"
            found.append(text)
    assert not found, ("import cycles (break each: move the shared part into a lower module, or pass a "
                       "callable):\n" + "\n".join(sorted(found)))


def _upward() -> list[tuple[str, str]]:
    return sorted((a, b) for a, b in _graph()[0]
                  if stage_of(a) and stage_of(b) and RANK[stage_of(b)] > RANK[stage_of(a)])


def test_no_upward_imports():
    bad = [(a, b) for a, b in _upward() if (a, b) not in KNOWN_UPWARD]
    assert not bad, "imports of a higher stage:\n" + "\n".join(
        f"  {a} -> {b} (stage {stage_of(a)} imports stage {stage_of(b)}) at {_where((a, b))}" for a, b in bad)


def test_known_upward_imports_still_occur():
    gone = sorted(set(KNOWN_UPWARD) - set(_upward()))
    assert not gone, ("KNOWN_UPWARD lists imports that are gone or no longer upward: remove them from "
                      f"tests/test_layers.py: {gone}")


def _pyomo_importers() -> dict[str, str]:
    out = {}
    for module, theirs in _graph()[2].items():
        low = RANK[stage_of(module) or "cli"] < RANK["model"]
        if low or any(module == p or module.startswith(p + ".") for p in ("siteplan.prepare", "siteplan.export")):
            lines = [line for name, line in theirs if name == "pyomo"]
            if lines:
                out[module] = f"{_modules()[module].relative_to(SRC.parent)}:{min(lines)}"
    return out


def test_no_pyomo_below_the_model():
    bad = {m: at for m, at in _pyomo_importers().items() if m not in KNOWN_PYOMO}
    assert not bad, ("Pyomo imported below the model stage or in prepare/ or export/ (they read tables "
                     "and Plans only):\n" + "\n".join(f"  {m} at {at}" for m, at in sorted(bad.items())))
    gone = sorted(set(KNOWN_PYOMO) - set(_pyomo_importers()))
    assert not gone, f"KNOWN_PYOMO lists modules that no longer import Pyomo: remove them: {gone}"


def test_the_graph_is_read():
    """The rules above pass trivially on an empty graph: check the reading on imports known to exist."""
    edges = _graph()[0]
    assert ("siteplan.api", "siteplan.solve") in edges  # top level
    assert ("siteplan.api", "siteplan.buildout") in edges  # inside a function
    assert ("siteplan.model.storage", "siteplan.model.onsite") in edges
    assert ("siteplan.model_doc", "siteplan.api") in edges  # siteplan.load after import siteplan
    assert len(_modules()) > 90 and len(edges) > 250
