"""The run lock: one bot process per database file, freed when its holder goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.errors import DatabaseInUse
from storage.runlock import RunLock
from tests.databases import sqlite_only

pytestmark = sqlite_only("the file lock (PostgreSQL's run lock: test_backends.py)")


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.db"  # the folder is created like the database's
    first, second = RunLock(path), RunLock(path)
    first.acquire()
    with pytest.raises(DatabaseInUse) as caught:
        second.acquire()  # a separate open file: flock refuses it even in this process
    assert caught.value.pid == os.getpid() and caught.value.path == str(path)
    first.release()
    first.release()  # idempotent
    second.acquire()
    second.release()
    assert Path(f"{path}.lock").exists()  # kept: removing it would race a new holder
