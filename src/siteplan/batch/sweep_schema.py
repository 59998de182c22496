"""Schema and data types of a sweep: the sweep file's keys, one expanded scenario, a whole sweep.

Split out of :mod:`siteplan.batch.sweep` (which re-exports them).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siteplan.batch.sweep_ids import _hash


class SweepFile(BaseModel):
    """Schema of a sweep file (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Name of the batch; the default output folder is results/batch/<name>.")
    description: str = ""
    base: str | None = Field(default=None, description="Base scenario file, relative to the sweep file. "
                                                       "Optional when every region is a scenario file.")
    overrides: list[str] = Field(default_factory=list, description="Named overrides of the base/region scenarios.")
    set: dict[str, Any] = Field(default_factory=dict, description="Fixed values by scenario key path, for all scenarios.")
    regions: list[str] | str | None = Field(
        default=None, description="Dataset folders or scenario YAML files (globs allowed), relative to the sweep file; "
                                  "null = the base scenario's own dataset.")
    grid: dict[str, list[Any]] = Field(default_factory=dict, description="Cartesian grid: key path -> values.")
    zip: list[dict[str, list[Any]]] = Field(default_factory=list,
                                            description="Groups of key paths whose values vary together.")

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, v: str) -> str:
        from siteplan.config import safe_name

        return safe_name(v)  # the default output folder is results/batch/<name>

    @field_validator("grid")
    @classmethod
    def _nonempty(cls, v: dict) -> dict:
        for k, vals in v.items():
            if not vals:
                raise ValueError(f"grid key {k!r} has no values")
        return v


@dataclass(frozen=True)
class ScenarioSpec:
    """One expanded scenario: what a worker needs to build and solve it (plain data only).

    Attributes
    ----------
    id : str
        Stable id (slug + short hash); also the name of its results folder.
    region : str
        Region name (dataset folder name, or the region scenario's file stem).
    params : dict
        Swept key path -> value (only the swept ones).
    scenario : dict
        The fully resolved scenario mapping (absolute ``dataset`` and ``catalog`` paths), ready for
        :func:`siteplan.config.scenario_from_dict`.
    source_file : str
        The scenario file this one derives from (for error messages and the manifest).
    """

    id: str
    region: str
    params: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    source_file: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "region": self.region, "params": copy.deepcopy(self.params),
                "scenario": copy.deepcopy(self.scenario), "source_file": self.source_file}

    @classmethod
    def from_dict(cls, d: dict) -> "ScenarioSpec":
        return cls(d["id"], d["region"], d.get("params", {}), d.get("scenario", {}), d.get("source_file", ""))

    @property
    def spec_hash(self) -> str:
        """Hash of everything the solve depends on in the spec (to detect a changed sweep on resume)."""
        return _hash(self.scenario, 16)


@dataclass(frozen=True)
class Sweep:
    """A validated, expanded sweep."""

    name: str
    description: str
    source_file: Path
    param_keys: tuple[str, ...]
    regions: tuple[str, ...]
    specs: tuple[ScenarioSpec, ...]
    # the swept axes: each grid key alone, each zip group's keys together (they vary as one)
    axes: tuple[tuple[str, ...], ...] = ()
    # per key, the value the other axes are held at when one axis is plotted: the base scenario's
    # value where the sweep lists it, else the first listed (a zip group: one position for all keys)
    held_at: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.specs)


__all__ = ["SweepFile", "ScenarioSpec", "Sweep"]
