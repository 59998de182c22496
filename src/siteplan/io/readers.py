"""Reading helpers shared by the layers: finding a layer's file, CSV and NetCDF read into memory
(a reader failure is a problem, not a traceback), NetCDF ids as text, and references between tables."""

from __future__ import annotations

import csv
import io as _io
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from siteplan._scipy import import_scipy
from siteplan.errors import InputError, Problem
from siteplan.safe_files import read_head, read_text


def _find(folder: Path, stem: str) -> Path | None:
    for ext in (".geojson", ".gpkg"):
        p = folder / f"{stem}{ext}"
        if p.exists():
            return p
    return None


def _plain_rows_of_one_width(text: str) -> bool:
    """True when ``text`` has no quote, carriage return or NUL (so the csv module's rows are its lines
    split at commas) and every non-blank line has as many fields as the others: nothing for the row
    check of :func:`_read_csv` to report, found without its row loop (a third of the time on 100k rows)."""
    if '"' in text or "\r" in text or "\x00" in text:
        return False
    return len({ln.count(",") for ln in text.split("\n") if ln}) <= 1


def _read_csv(path: Path, dtype: dict[str, type], probs: list[Problem]) -> pd.DataFrame | None:
    """A CSV input file as a table of text ids and values; None (with problems) when it cannot be.

    Only a regular UTF-8 file is read; an empty file and rows whose number of fields differs from
    the header's are problems (with the line), not pandas errors. ``keep_default_na=False``: an id
    such as "NA" or "null" is an id, not a missing value (an empty value cell stays "").
    """
    fname = str(path)
    try:
        text = read_text(path, fname)
    except InputError as exc:
        probs.extend(exc.problems)
        return None
    if not text.strip():
        probs.append(Problem(fname, None, None, "file is empty (expected a header line and rows)"))
        return None
    n0 = len(probs)
    reader = () if _plain_rows_of_one_width(text) else csv.reader(_io.StringIO(text))
    width = None
    for row in reader:
        if not row:  # a blank line: skipped, as pandas does
            continue
        if width is None:
            width = len(row)
        elif len(row) != width and len(probs) - n0 < 20:
            probs.append(Problem(fname, f"line {reader.line_num}", None,
                                 f"has {len(row)} fields, the header has {width}"))
    if len(probs) > n0:
        return None
    try:
        return pd.read_csv(_io.StringIO(text), dtype=dtype, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:  # e.g. an unclosed quote
        probs.append(Problem(fname, None, None, f"cannot read CSV: {' '.join(str(exc).split())}"))
        return None


def _read_netcdf(path: Path, probs: list[Problem]) -> xr.Dataset | None:
    """A NetCDF file loaded into memory; a reader failure is a problem, not a traceback."""
    try:  # a regular file (a FIFO would block, a link to /dev/zero read for ever); only its magic number read
        head = read_head(path, 4)
    except InputError as exc:
        probs.extend(exc.problems)
        return None
    if not head:
        probs.append(Problem(str(path), None, None, "file is empty (expected NetCDF)"))
        return None
    try:
        # NetCDF3 files (magic b"CDF") go through scipy without mmap, so no array keeps the file open
        kwargs = {"engine": "scipy", "backend_kwargs": {"mmap": False}} if head[:3] == b"CDF" else {}
        if kwargs:
            import_scipy()
        return xr.load_dataset(path, **kwargs)
    except Exception as exc:  # noqa: BLE001 - any reader failure is an input problem
        probs.append(Problem(str(path), None, None, f"cannot read NetCDF: {exc}"))
        return None


def _as_text(v) -> str | None:
    """An id read from NetCDF as text: NetCDF-3 stores text as bytes, read here as UTF-8 (None if not)."""
    if isinstance(v, (bytes, np.bytes_)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(v)


def _text_ids(values, fname: str, dim: str, probs: list[Problem]) -> list[str]:
    """The ids along a NetCDF dimension as text; a byte string that is not UTF-8 is a problem
    (and kept as its escaped form, so the other checks still run)."""
    out = []
    for i, v in enumerate(values):
        t = _as_text(v)
        if t is None:
            t = bytes(v).decode("utf-8", "backslashreplace")
            probs.append(Problem(fname, f"#{i} ({t})", dim, "id is a byte string that is not UTF-8 text"))
        out.append(t)
    return out


def _check_refs(table: pd.DataFrame, fname: str, fields: tuple[str, ...], valid: set[str], what: str,
                probs: list[Problem], note: str = "") -> None:
    for fld in fields:
        if fld not in table.columns:
            continue
        for lab, v in zip(table.index, table[fld]):
            if v is not None and v not in valid:
                probs.append(Problem(fname, lab, fld, f"unknown {what} {v!r}{note}"))
