"""Files the bot writes are private: 0600 files in 0700 directories it creates.

The database holds every enterprise's complaints, contacts' Telegram ids and cadres' phones; a
backup or an exported ledger holds the same. Every writer of such a file goes through here:
the SQLite database and its lock (`storage.sqlite`, `storage.runlock`), `liaison-bot backup`
(its copy and pg_dump's), and `liaison-bot export` / `airing --png`. A file is created with
its mode from the start (`os.open(..., 0o600)`), never chmod-ed after its content is there, so
no other user can open it in between; SQLite gives its -wal, -shm and -journal files the mode
of the database file, so they are private too. The process's umask is never changed: it is
shared by every thread, and a thread creating a file meanwhile would get the wrong one.

An existing file of ours that others may read (a database copied in with `cp`, one made by an
older version) is tightened when it is next opened for writing, and the change is logged. A
directory that already exists is left as it is: it may be shared (the working directory), and
the files in it are private anyway.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700
_OTHERS = stat.S_IRWXG | stat.S_IRWXO  # what "private" takes away


def make_dirs(path: Path) -> None:
    """Create the directory `path` and any missing parents, each 0700; existing ones stay.

    Raises:
        OSError: a directory cannot be created.
    """
    missing: list[Path] = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process: not ours to change
        os.chmod(directory, DIR_MODE)  # exactly 0700, whatever the umask took away


def open_private(path: Path, flags: int) -> int:
    """Open (creating if missing) `path` as a private file; return the descriptor.

    A new file is 0600 from its creation; an existing one others may use is tightened first
    (and logged).

    Raises:
        OSError: it cannot be opened or created.
    """
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        _tighten_fd(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def create(path: Path) -> None:
    """Make sure `path` exists as a private file (an empty one if missing)."""
    os.close(open_private(path, os.O_WRONLY))


def write(path: Path, data: bytes) -> None:
    """Write `data` to `path` as a private file (replacing what it held)."""
    fd = open_private(path, os.O_WRONLY | os.O_TRUNC)
    with open(fd, "wb") as out:
        out.write(data)


def tighten(path: Path) -> None:
    """Take group and other permissions off an existing file (logged); nothing if missing."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if mode & _OTHERS:
        _tightened(path, mode, lambda private: os.chmod(path, private))


def _tighten_fd(fd: int, path: Path) -> None:
    mode = os.fstat(fd).st_mode
    if mode & _OTHERS:
        _tightened(path, mode, lambda private: os.fchmod(fd, private))


def _tightened(path: Path, mode: int, change: Callable[[int], None]) -> None:
    old = stat.S_IMODE(mode)
    try:
        change(old & ~_OTHERS)
    except PermissionError:
        # Another user's file the bot may write through its group: refusing to start over it
        # would stop a working deployment; the operator hears of it instead.
        log.warning(
            "%s is open to other users (mode %03o) and not ours to change: chmod go-rwx it",
            path,
            old,
        )
        return
    log.warning(
        "%s was open to other users (mode %03o); made private (%03o)", path, old, old & ~_OTHERS
    )
