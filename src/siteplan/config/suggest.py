""""Did you mean ...?" for misspelt names: keys of a scenario or catalog, overrides, workloads."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable

__all__ = ["did_you_mean", "fields_at"]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the choice closest to ``name``, or ``""`` when none is close
    (difflib ratio below 0.6)."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def fields_at(model, loc: tuple) -> list[str] | None:
    """The field names a pydantic model class accepts at location ``loc`` (the parent of an error's
    location: ``("solver",)`` -> the solver settings' fields), or None when it cannot tell."""
    from pydantic import BaseModel

    node = model
    for part in loc:
        node = _model_of(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            if part not in node.model_fields:
                return None
            node = node.model_fields[part].annotation
        else:  # a mapping or list of models: the key or index selects one of them
            args = [a for a in typing.get_args(node) if a is not type(None)]
            if not args:
                return None
            node = args[-1]
    node = _model_of(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return None


def _model_of(tp):
    """A model class inside ``Optional[...]``/``Annotated[...]``/unions, else ``tp`` itself."""
    from pydantic import BaseModel

    while True:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                return models[0]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp
