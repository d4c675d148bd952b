"""`liaison-bot backup PATH`: a consistent copy of the database while the bot runs.

SQLite: the online backup API, so the copy is one snapshot even while the bot writes (WAL lets
it go on writing), checked with `PRAGMA integrity_check` before it is kept. PostgreSQL:
`pg_dump` in its custom format (one consistent snapshot too; `pg_restore` reads it back),
checked by listing it with `pg_restore --list`; where the client tools are missing, the error
says what to install and the command to run. Either way the copy is written beside the target
and renamed at the end, private to the bot's user from its creation (0600, `storage.private`),
and the password never appears on a command line or in any output.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.config import Settings
from storage import private
from storage.url import SQLITE, StorageUrl


class OpsError(Exception):
    """An operator command cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """Where the copy went, how big it is, and what its check said."""

    path: Path
    size: int
    integrity: list[str]  # SQLite: integrity_check's lines; PostgreSQL: ["ok"] once listed
    check: str = "integrity_check of the copy"
    entries: int | None = None  # PostgreSQL: the dump's table of contents, counted

    @property
    def ok(self) -> bool:
        """Tell whether the copy passed its check."""
        return self.integrity == ["ok"]


def _readonly(path: Path) -> sqlite3.Connection:
    """Open an existing database read-only, so an operator command can never change it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def backup_file(source: Path, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the live database `source` to `target` consistently; blocking (run in a thread)."""
    if not source.is_file():
        raise OpsError(f"database not found: {source} (check storage.url in the config)")
    if target.exists() and target.resolve() == source.resolve():
        raise OpsError(f"{target} is the database itself; choose another backup path")
    _check_target(target, force=force, example="liaison-backup.db")
    # Copy next to the target and rename at the end: an interrupted or failed backup never
    # leaves a half-written file under the name an operator would restore from.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # Private before the first page is in it; the rename keeps the mode, and SQLite gives
        # the copy's journal the same one.
        private.write(tmp, b"")
        src = _readonly(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                # All pages in one step: the copy is a single snapshot; WAL writers go on.
                src.backup(dst)
                # A self-contained single file, safe to copy elsewhere; the bot turns WAL back
                # on when it opens a restored copy.
                dst.execute("PRAGMA journal_mode=DELETE")
                integrity = [str(row[0]) for row in dst.execute("PRAGMA integrity_check")]
            finally:
                dst.close()
        finally:
            src.close()
        if integrity != ["ok"]:
            raise OpsError(
                "the copy fails integrity_check, so the database itself is damaged: "
                + "; ".join(integrity[:5])
                + " (nothing was written; restore the last good backup)"
            )
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise OpsError(f"backup failed: {exc}") from exc
    except OSError as exc:
        raise OpsError(f"backup failed: cannot write {target}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, integrity)


async def backup(settings: Settings, target: Path, *, force: bool = False) -> BackupResult:
    """Back up the configured database to `target` without blocking the event loop."""
    database = settings.storage.database
    if database.backend == SQLITE:
        return await asyncio.to_thread(backup_file, Path(database.target), target, force=force)
    return await asyncio.to_thread(dump_postgres, database, target, force=force)


def _check_target(target: Path, *, force: bool, example: str) -> None:
    if target.is_dir():
        raise OpsError(
            f"{target} is a directory; give the backup file's name, e.g. {target / example}"
        )
    if target.exists() and not force:
        raise OpsError(f"{target} already exists; choose a new name or pass --force to replace it")
    if not target.parent.is_dir():
        raise OpsError(f"directory {target.parent} does not exist; create it first")


def dump_postgres(database: StorageUrl, target: Path, *, force: bool = False) -> BackupResult:
    """`pg_dump` the park's schema to `target` (custom format) and list it back; blocking.

    Raises:
        OpsError: no pg_dump (with the command to run once it is installed), or it failed.
    """
    _check_target(target, force=force, example="liaison-backup.dump")
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    command = _dump_command(database, target)
    if pg_dump is None or pg_restore is None:
        raise OpsError(
            "pg_dump is not installed here: install PostgreSQL's client tools (Debian: "
            "apt-get install postgresql-client, the same major version as the server or newer), "
            "then run this again, or run it yourself: "
            + " ".join(command)
            + " (the password from PGPASSWORD or ~/.pgpass)"
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    env = {**os.environ, **({"PGPASSWORD": database.password} if database.password else {})}
    try:
        private.write(tmp, b"")  # empty and private: pg_dump writes into it, keeping its mode
        dumped = subprocess.run(
            [pg_dump, *command[1:-1], f"--file={tmp}"], env=env, capture_output=True, text=True
        )
        if dumped.returncode != 0:
            raise OpsError(f"pg_dump failed: {_last_line(dumped.stderr, database)}")
        listed = subprocess.run([pg_restore, "--list", str(tmp)], capture_output=True, text=True)
        if listed.returncode != 0:
            raise OpsError(f"the dump does not read back: {_last_line(listed.stderr, database)}")
        entries = sum(1 for line in listed.stdout.splitlines() if line and line[0] != ";")
        os.replace(tmp, target)
    except OSError as exc:
        raise OpsError(f"backup failed: cannot write {target}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(
        target, target.stat().st_size, ["ok"], "pg_restore --list of the dump", entries
    )


def _dump_command(database: StorageUrl, target: Path) -> list[str]:
    """pg_dump's arguments, without the password (libpq reads it from PGPASSWORD)."""
    command = ["pg_dump", "--format=custom", "--no-owner", f"--dbname={_no_password(database)}"]
    if database.schema:
        command.append(f"--schema={database.schema}")
    return [*command, f"--file={target}"]


def _no_password(database: StorageUrl) -> str:
    parts = urlsplit(database.target)
    if parts.password is None:
        return database.target
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _last_line(stderr: str, database: StorageUrl) -> str:
    text = (stderr.strip().splitlines() or ["(no message)"])[-1]
    for secret in database.secrets:
        text = text.replace(secret, "***")
    return text


def human_size(size: int) -> str:
    """Format a byte count for people (1.2 MB)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
