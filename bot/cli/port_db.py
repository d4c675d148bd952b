"""`liaison-bot port-db --to postgresql://...`: move a park from SQLite to PostgreSQL.

Run with the bot stopped: the command takes the run lock of the SQLite database (and of the
target), so a running bot makes it refuse, and nothing writes while it copies. The copying and
its checks are `storage.port`; this module words the outcome in the park's language (zh_CN by
default) and says what to change in the config. The target's password is never printed: the
config lines show `***` and say where the password goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.i18n import Translator
from storage.errors import DatabaseInUse, StorageError
from storage.port import port
from storage.postgres import PostgresDatabase
from storage.runlock import HeldLock, take_run_lock
from storage.sqlite import SqliteDatabase
from storage.url import POSTGRESQL, SQLITE, parse_url

Output = Callable[[str], None]


async def port_db(settings: Settings, target_url: str, *, out: Output = print) -> int:
    """Copy the configured SQLite database into the empty PostgreSQL one; 0 when verified."""
    tr = Translator(settings.park.locale)
    source = settings.storage.database
    if source.backend != SQLITE:
        out(tr.plain("port.source_not_sqlite", source=source.redacted))
        return 1
    if source.target == ":memory:" or not await asyncio.to_thread(Path(source.target).is_file):
        out(tr.plain("port.no_source", path=source.target))
        return 1
    try:
        target = parse_url(target_url)
    except StorageError as exc:
        out(tr.plain("port.bad_target", error=str(exc)))
        return 1
    if target.backend != POSTGRESQL:
        out(tr.plain("port.bad_target", error=target.redacted))
        return 1
    locks: list[HeldLock] = []
    src = SqliteDatabase(source.target)
    dst = PostgresDatabase(target)
    try:
        for url in (source.url, target.url):
            held = await take_run_lock(url)
            if held is not None:
                locks.append(held)
        out(tr.plain("port.start", source=source.target, target=target.redacted))
        await src.connect()  # brings the file to the current schema first
        await dst.connect()
        report = await port(
            src,
            dst,
            progress=lambda table, rows: out(tr.plain("port.table", table=table, rows=rows)),
        )
    except DatabaseInUse as exc:
        out(tr.plain("port.in_use", path=exc.path, pid=exc.pid or "?"))
        return 1
    except StorageError as exc:
        out(tr.plain("port.failed", error=str(exc)))
        return 1
    finally:
        await dst.close()
        await src.close()
        for held in reversed(locks):
            await held.release()
    out(tr.plain("port.done", tables=len(report.rows), rows=report.total, version=report.version))
    out(tr.plain("port.config"))
    out("")
    out("[storage]")
    out(f'url = "{target.redacted}"')
    out("")
    if target.password:
        out(tr.plain("port.password"))
    if settings.storage.url is None or "path" in settings.storage.model_fields_set:
        out(tr.plain("port.remove_path"))
    out(tr.plain("port.keep_file", path=source.target))
    return 0
