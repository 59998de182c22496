"""Open input files safely: only regular files are read, and text must be UTF-8.

Every input file goes through here before a parser sees it, so that a folder, a FIFO (which
would block ``open`` for ever), a device (a link to ``/dev/zero`` reads without end) or bytes
that are not UTF-8 become a located :class:`~siteplan.errors.Problem`, not a hang or a traceback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from siteplan.errors import InputError, Problem

_KINDS = ((stat.S_ISDIR, "is a folder, not a file"),
          (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file: reading it would wait for a writer"),
          (stat.S_ISCHR, "is a character device, not a regular file"),
          (stat.S_ISBLK, "is a block device, not a regular file"),
          (stat.S_ISSOCK, "is a socket, not a regular file"))


def file_problem(path: str | Path) -> str | None:
    """What keeps ``path`` from being read as an input file, or None when it is a regular file.

    Nothing is opened: the kind of file is taken from ``os.stat``, which follows symbolic links
    (a link to ``/dev/zero`` is a character device, a link to nowhere is not found).

    Parameters
    ----------
    path : str or Path
        The input file.

    Returns
    -------
    str or None
        "file not found", "is a folder, not a file", "is a FIFO ...", "is a character device ...", etc.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        if path.is_symlink():
            return f"file not found (a link to {os.readlink(path)}, which does not exist)"
        return "file not found"
    except OSError as exc:  # permission denied, a loop of links, a name too long, ...
        return f"cannot open: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    target = f" (a link to {os.path.realpath(path)})" if path.is_symlink() else ""
    for test, what in _KINDS:
        if test(mode):
            return what + target
    return "is not a regular file" + target


def check_file(path: str | Path, label: str | None = None) -> None:
    """Raise :class:`InputError` unless ``path`` is a regular file (see :func:`file_problem`).

    Parameters
    ----------
    path : str or Path
        The input file.
    label : str, optional
        The file name the problem gives (default: ``path``).

    Raises
    ------
    InputError
        With one problem naming the file and what it is instead.
    """
    msg = file_problem(path)
    if msg:
        raise InputError([Problem(label or str(path), None, None, msg)])


def decode_utf8(data: bytes, label: str) -> str:
    """``data`` as text; bytes that are not UTF-8 are a problem giving the line and column.

    A leading byte-order mark is dropped.

    Parameters
    ----------
    data : bytes
        The file's content.
    label : str
        The file name the problem gives.

    Returns
    -------
    str

    Raises
    ------
    InputError
        ``<file>: not UTF-8 text: byte 0xff at line 3, column 7 ...``.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start:exc.end].hex(" ")
        raise InputError([Problem(label, f"line {line}", None,
                                  f"not UTF-8 text: byte {bad} at line {line}, column {col} ({exc.reason}); "
                                  "save the file as UTF-8")]) from None


def read_text(path: str | Path, label: str | None = None) -> str:
    """Read a regular file as UTF-8 text.

    Parameters
    ----------
    path : str or Path
        The input file.
    label : str, optional
        The file name problems give (default: ``path``).

    Returns
    -------
    str

    Raises
    ------
    InputError
        When the file is not a regular file (:func:`file_problem`), cannot be read, or is not UTF-8.
    """
    label = label or str(path)
    check_file(path, label)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:  # e.g. permission denied
        raise InputError([Problem(label, None, None, f"cannot read: {exc.strerror or exc}")]) from None
    return decode_utf8(data, label)


def read_head(path: str | Path, n: int, label: str | None = None) -> bytes:
    """The first ``n`` bytes of a regular file (a format's magic number), reading no more.

    Parameters
    ----------
    path : str or Path
        The input file.
    n : int
        How many bytes.
    label : str, optional
        The file name problems give (default: ``path``).

    Returns
    -------
    bytes

    Raises
    ------
    InputError
        When the file is not a regular file or cannot be read.
    """
    label = label or str(path)
    check_file(path, label)
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise InputError([Problem(label, None, None, f"cannot read: {exc.strerror or exc}")]) from None
