"""Parse YAML and JSON input text strictly: duplicate keys and alias bombs are problems.

YAML and JSON parsers keep the last of two equal keys without a word (a second ``max_it_mw``
silently moves the plan), and YAML aliases can expand a small file into billions of values
(an "alias bomb" that hangs or exhausts memory in whatever walks the result). Here each is a
located :class:`~siteplan.errors.Problem` instead. Reading the file is :mod:`siteplan.safe_files`'s job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from siteplan.errors import InputError, Problem

# The bundled catalog, the largest YAML input, composes to ~720 nodes and a scenario to ~120; a
# file 100 times the catalog stays below this, while an alias bomb of 9 levels of 10 expands to 10^9.
MAX_YAML_NODES = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers where aliases are used (for the problems' line numbers)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_lines: list[tuple[str, int]] = []

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.alias_lines.append((event.anchor, event.start_mark.line + 1))
        return super().compose_node(parent, index)


class _Recursive(Exception):
    pass


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [x for kv in node.value for x in kv]
    return []


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """Nodes in the document once every alias is expanded (shared nodes counted per use)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise _Recursive
    active.add(key)
    n = 1 + sum(_expanded_size(c, memo, active) for c in _children(node))
    active.discard(key)
    memo[key] = n
    return n


def _key(loader: _Loader, node: yaml.Node) -> Any:
    """The value of a mapping key as the mapping will hold it (None for a key that is not a scalar)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == _MERGE_TAG:
        return "<<"
    try:
        k = loader.construct_object(node)
        hash(k)
    except (yaml.YAMLError, TypeError):
        return None
    return k


def _duplicate_keys(loader: _Loader, node: yaml.Node, path: str, label: str, probs: list[Problem],
                    seen: set[int]) -> None:
    if id(node) in seen:  # a node reached again through an alias was checked the first time
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for knode, vnode in node.value:
            k = _key(loader, knode)
            kpath = f"{path}.{k}" if path else str(k)
            if k is not None:
                line = knode.start_mark.line + 1
                if k in first:
                    probs.append(Problem(label, None, kpath, f"duplicate key (lines {first[k]} and {line}): YAML "
                                                             "would keep only the last value; remove one"))
                else:
                    first[k] = line
            _duplicate_keys(loader, vnode, kpath, label, probs, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, c in enumerate(node.value):
            _duplicate_keys(loader, c, f"{path}[{i}]", label, probs, seen)


def _where_aliases(loader: _Loader) -> str:
    uses = loader.alias_lines
    if not uses:
        return ""
    lines = sorted({ln for _, ln in uses})
    shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
    return f" (aliases *{uses[0][0]} ... at line{'s' if len(lines) > 1 else ''} {shown})"


_CLoader = getattr(yaml, "CSafeLoader", None)  # PyYAML's libyaml parser, when it was built with it
_PROBLEM = object()


def _parse_c(text: str, label: str) -> Any:
    """The document parsed by libyaml with :func:`parse_yaml`'s checks, or ``_PROBLEM`` when any of
    them fails (or libyaml raises): :func:`parse_yaml` then parses again with :class:`_Loader`,
    whose problems (messages, alias and key lines) are the ones reported. Composing the bundled
    catalog takes 4 ms here against 40 ms in PyYAML's pure-Python parser; the values are built by
    the same constructor from the same nodes."""
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}, set()) > MAX_YAML_NODES:
            return _PROBLEM
        probs: list[Problem] = []
        _duplicate_keys(loader, node, "", label, probs, set())
        return _PROBLEM if probs else loader.construct_document(node)
    except (yaml.YAMLError, RecursionError, _Recursive):
        return _PROBLEM
    finally:
        loader.dispose()


def parse_yaml(text: str, label: str, parse_error: str = "not valid YAML") -> Any:
    """Parse one YAML document with :class:`yaml.SafeLoader`, strictly.

    Parameters
    ----------
    text : str
        The document.
    label : str
        The file name problems give.
    parse_error : str, default "not valid YAML"
        How a syntax error's problem begins.

    Returns
    -------
    object
        The document's value (None for an empty document).

    Raises
    ------
    InputError
        On a syntax error; on every key that appears twice in one mapping (field = the key's
        dotted path, message with both lines); when aliases expand the document beyond
        :data:`MAX_YAML_NODES` values, or an alias refers to a node that contains it.
    """
    if _CLoader is not None:
        value = _parse_c(text, label)
        if value is not _PROBLEM:
            return value
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise InputError([Problem(label, None, None, f"{parse_error}: {' '.join(str(exc).split())}")]) from None
        except RecursionError:
            raise InputError([Problem(label, None, None, f"{parse_error}: nested too deeply")]) from None
        if node is None:
            return None
        try:
            size = _expanded_size(node, {}, set())
        except _Recursive:
            raise InputError([Problem(label, None, None, "recursive YAML alias: a value contains itself"
                                                         + _where_aliases(loader))]) from None
        except RecursionError:
            raise InputError([Problem(label, None, None, f"{parse_error}: nested too deeply")]) from None
        if size > MAX_YAML_NODES:
            raise InputError([Problem(label, None, None,
                                      f"YAML aliases expand the file to {size:,} values, more than {MAX_YAML_NODES:,} "
                                      "(an alias bomb?)" + _where_aliases(loader) + ": write the values out")])
        probs: list[Problem] = []
        _duplicate_keys(loader, node, "", label, probs, set())
        if probs:
            raise InputError(probs)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise InputError([Problem(label, None, None, f"{parse_error}: {' '.join(str(exc).split())}")]) from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path, label: str | None = None, parse_error: str = "not valid YAML") -> Any:
    """Read a YAML input file safely (:func:`siteplan.safe_files.read_text`) and parse it strictly
    (:func:`parse_yaml`).

    Parameters
    ----------
    path : str or Path
        The file.
    label : str, optional
        The file name problems give (default: ``path``).
    parse_error : str, default "not valid YAML"
        How a syntax error's problem begins.

    Returns
    -------
    object

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8 text, or :func:`parse_yaml` finds a problem.
    """
    from siteplan.safe_files import read_text

    label = label or str(path)
    return parse_yaml(read_text(path, label), label, parse_error)


def parse_json_with_duplicates(text: str) -> tuple[Any, list[tuple[dict, str]]] | None:
    """Parse JSON text, noting each key that appears twice in one object.

    Parameters
    ----------
    text : str
        The JSON document.

    Returns
    -------
    (object, list of (dict, str)) or None
        The document (the last value of a repeated key kept, as ``json`` does) and, per repeated
        key, the object (as parsed, so the caller can tell which feature it belongs to by
        identity) and the key; None when the text is not valid JSON (the caller's reader
        reports that in its own words).
    """
    dups: list[tuple[dict, str]] = []

    def hook(pairs):
        obj: dict = {}
        repeated = []
        for k, v in pairs:
            if k in obj and k not in repeated:
                repeated.append(k)
            obj[k] = v
        dups.extend((obj, k) for k in repeated)
        return obj

    try:
        doc = json.loads(text, object_pairs_hook=hook)
    except (json.JSONDecodeError, RecursionError):
        return None
    return doc, dups
