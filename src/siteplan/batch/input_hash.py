"""Content hashes of a scenario's inputs (recorded in ``status.json``; ``resume`` compares them)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from siteplan.batch.sweep import ScenarioSpec


class InputHasher:
    """Content hashes of the inputs of scenarios, each file read once per instance (one batch run).

    A scenario's inputs are its resolved scenario mapping (after overrides and the sweep's values:
    ``spec_hash``), every regular file of its dataset folder and its catalog file. Contents are
    hashed (SHA-256), not sizes and times: an edit that keeps a file's size and time is seen.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] = {}

    def file_hash(self, path: Path) -> str:
        """SHA-256 (first 16 hex digits) of a file's bytes, ``missing`` or ``not a regular file``."""
        key = str(path)
        if key not in self._files:
            try:
                st = os.stat(path)
            except OSError:
                self._files[key] = "missing"
                return self._files[key]
            if not stat.S_ISREG(st.st_mode):  # never open a FIFO or device (it could block or never end)
                self._files[key] = "not a regular file"
                return self._files[key]
            h = hashlib.sha256()
            try:
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                self._files[key] = h.hexdigest()[:16]
            except OSError as exc:
                self._files[key] = f"unreadable ({exc.strerror or exc})"
        return self._files[key]

    def inputs(self, spec: ScenarioSpec) -> dict[str, str]:
        """Input name -> hash: ``scenario``, ``catalog`` and ``dataset/<file>`` for each dataset file."""
        out = {"scenario": spec.spec_hash}
        catalog = spec.scenario.get("catalog")
        if isinstance(catalog, str):
            out["catalog"] = self.file_hash(Path(catalog))
        dataset = spec.scenario.get("dataset")
        if isinstance(dataset, str):
            folder = Path(dataset)
            try:
                names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
            except OSError:
                names = []
                out["dataset"] = "missing"
            for name in names:
                if (folder / name).is_dir():
                    continue
                out[f"dataset/{name}"] = self.file_hash(folder / name)
        return out

    def record(self, spec: ScenarioSpec) -> dict:
        """``{"input_hash": ..., "inputs": {...}}`` for a scenario's ``status.json``."""
        inputs = self.inputs(spec)
        digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]
        return {"input_hash": digest, "inputs": inputs}


def changed_inputs(old: dict | None, new: dict) -> str:
    """Why a finished scenario's recorded inputs differ from today's (empty if they do not).

    Parameters
    ----------
    old : dict or None
        The ``status.json`` record of the finished scenario.
    new : dict
        :meth:`InputHasher.record` of the scenario now.

    Returns
    -------
    str
    """
    if not old:
        return ""
    if old.get("input_hash") == new["input_hash"]:
        return ""
    before = old.get("inputs")
    if not isinstance(before, dict):
        return "no input hashes recorded (an older siteplan wrote it)"
    after = new["inputs"]
    names = sorted(set(before) | set(after))
    bits = []
    for n in names:
        if n not in before:
            bits.append(f"{n} added")
        elif n not in after:
            bits.append(f"{n} removed")
        elif before[n] != after[n]:
            bits.append("the scenario's values changed" if n == "scenario" else f"{n} changed")
    return ", ".join(bits) or "inputs changed"
