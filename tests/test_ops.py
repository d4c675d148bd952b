"""Operator commands: online backup of a live database, and the doctor's checks and exit codes
(on the backend under test; SQLite's backup API and pg_dump each on their own)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import stat
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import airing as cli_airing
from bot.cli.backup import OpsError, backup
from bot.cli.main import main
from bot.cli.ops import doctor
from bot.clock import FixedClock
from bot.config import Settings, load_settings
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.db import Database, load_migrations
from storage.open import open_database
from storage.repos.queues import InboxRepo, OutboxRepo
from storage.sqlite import SqliteDatabase
from storage.url import parse_url
from tests.databases import (
    ON_POSTGRES,
    TEST_DATABASE_URL,
    database_url,
    needs_postgres,
    sqlite_only,
)
from tests.e2e.proxy import CountingProxy

# The usual umask (022), so a file the commands make private is private because they made it so.
pytestmark = pytest.mark.usefixtures("open_umask")

# What the doctor says of a sound database: SQLite's file check, or PostgreSQL's version.
SOUND = "server: PostgreSQL" if ON_POSTGRES else "integrity_check: ok"

TOKEN = "100003:DOCTOR-token-not-secret-00000000"


def message_update(update_id: int) -> dict[str, object]:
    """Build a minimal update payload."""
    return {"update_id": update_id, "message": {"message_id": update_id, "text": "x"}}


@pytest.fixture
async def live_db(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    """An open database, with inbox and outbox rows (the bot is 'running')."""
    database = open_database(database_url(tmp_path, "live.db"))
    await database.connect()
    async with database.transaction():
        await InboxRepo(database).add_many([message_update(i) for i in range(1, 51)], clock.now())
        outbox = OutboxRepo(database)
        item = await outbox.enqueue(
            chat_id=1,
            method="sendMessage",
            params={"chat_id": 1, "text": "hi"},
            purpose="test",
            ticket_id=None,
            now=clock.now(),
        )
        await outbox.mark_sent_many([(item, 10)], clock.now())
    try:
        yield database
    finally:
        await database.close()


def settings_for(url: str | Path, **telegram: object) -> Settings:
    """Build settings pointing at the database (and at a sandbox when telegram keys are given)."""
    return load_settings(None, storage={"url": str(url)}, telegram=telegram)


def count_rows(path: Path, table: str) -> int:
    """Count rows of `table` in the database file at `path`."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def file_mode(path: Path) -> int:
    """The permission bits of `path` (0o600: read and write for the owner only)."""
    return stat.S_IMODE(path.stat().st_mode)


def files_beside(path: Path) -> list[str]:
    """List the names in `path`'s directory that contain its name (WAL, temp files)."""
    return sorted(p.name for p in path.parent.iterdir() if path.name in p.name)


@sqlite_only("SQLite's online backup API (PostgreSQL: pg_dump, below)")
async def test_backup_of_a_live_database_is_complete_and_sound(
    live_db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    target = tmp_path / "copy.db"
    result = await backup(settings_for(live_db.url), target)
    assert result.ok and result.integrity == ["ok"]
    assert result.size == target.stat().st_size > 0
    assert count_rows(target, "inbox") == 50
    assert count_rows(target, "outbox") == 1
    # A single self-contained file: no WAL beside it, and it opens on its own.
    assert files_beside(target) == ["copy.db"]
    assert file_mode(target) == 0o600  # the park's data: for the bot's user only
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    # The bot keeps writing; the copy is a snapshot.
    async with live_db.transaction():
        await InboxRepo(live_db).add(message_update(99), clock.now())
    assert count_rows(target, "inbox") == 50


@sqlite_only("SQLite's online backup API (PostgreSQL: pg_dump, below)")
async def test_backup_refuses_to_overwrite_without_force(live_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    target.chmod(0o644)
    settings = settings_for(live_db.url)
    with pytest.raises(OpsError, match="--force"):
        await backup(settings, target)
    assert target.read_bytes() == b"precious"
    result = await backup(settings, target, force=True)
    assert result.ok
    assert file_mode(target) == 0o600  # the copy that replaced it is private
    assert count_rows(target, "inbox") == 50
    assert "copy.db" in files_beside(target)
    assert not [name for name in files_beside(target) if name.endswith(".tmp")]


@sqlite_only("SQLite's online backup API (PostgreSQL: pg_dump, below)")
async def test_backup_refuses_missing_database_and_itself(tmp_path: Path) -> None:
    with pytest.raises(OpsError, match="not found"):
        await backup(settings_for(tmp_path / "nope.db"), tmp_path / "copy.db")
    db = SqliteDatabase(tmp_path / "self.db")
    await db.connect()
    await db.close()
    with pytest.raises(OpsError, match="database itself"):
        await backup(settings_for(tmp_path / "self.db"), tmp_path / "self.db", force=True)


@sqlite_only("SQLite's online backup API (PostgreSQL: pg_dump, below)")
async def test_backup_cli(
    live_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{live_db.url}"\n', encoding="utf-8")
    target = tmp_path / "cli-copy.db"
    # main() runs its own event loop, so it needs a thread of its own here.
    assert await asyncio.to_thread(main, ["--config", str(config), "backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert "backup written" in out and "integrity_check of the copy: ok" in out
    assert await asyncio.to_thread(main, ["--config", str(config), "backup", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    forced = ["--config", str(config), "backup", "--force", str(target)]
    assert await asyncio.to_thread(main, forced) == 0


async def test_the_exported_ledger_and_chart_are_private(live_db: Database, tmp_path: Path) -> None:
    settings = settings_for(live_db.url)
    ledger, chart = tmp_path / "ledger.xlsx", tmp_path / "chart.png"
    chart.write_bytes(b"last week's")
    chart.chmod(0o644)
    export = argparse.Namespace(command="export", start=None, end=None, file=ledger)
    assert await cli_airing.run(settings, export) == 0
    airing = argparse.Namespace(command="airing", week="2026-W47", png=chart)
    assert await cli_airing.run(settings, airing) == 0
    assert ledger.read_bytes()[:2] == b"PK" and chart.read_bytes()[:4] == b"\x89PNG"
    assert (file_mode(ledger), file_mode(chart)) == (0o600, 0o600)


async def run_doctor(settings: Settings, clock: FixedClock) -> tuple[int, str]:
    """Run the doctor and collect its output."""
    lines: list[str] = []
    code = await doctor(settings, out=lines.append, clock=clock)
    return code, "\n".join(lines)


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """The emulator with the doctor's bot registered (privacy mode off)."""
    async with TelegramSandbox() as sb:
        async with SandboxClient(sb.control_url) as client:
            await client.create_bot(TOKEN, "doctor_bot")
        yield sb


async def test_doctor_on_a_healthy_database(
    live_db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    settings = settings_for(live_db.url, token=TOKEN, api_base_url=sandbox.api_base_url)
    code, text = await run_doctor(settings, clock)
    assert code == 0, text
    assert SOUND in text
    assert f"schema version: {len(load_migrations())} (current)" in text
    assert "inbox: 50 pending, 0 failed" in text
    assert "outbox: 0 pending, 0 failed, 1 sent" in text
    assert "last message sent: 2026-11-25 02:00:00 UTC" in text
    assert "tickets: none" in text
    assert "PROBLEM" not in text


async def test_doctor_reports_a_failed_update(live_db: Database, clock: FixedClock) -> None:
    async with live_db.transaction():
        await InboxRepo(live_db).mark_failed(7, "KeyError('boom')", clock.now())
    code, text = await run_doctor(settings_for(live_db.url), clock)
    assert code == 1
    assert "inbox: 49 pending, 1 failed" in text
    assert "failed update 7" in text and "KeyError('boom')" in text
    assert "PROBLEM: 1 update(s) failed" in text and "fix:" in text


async def test_doctor_lists_quarantined_updates(live_db: Database, clock: FixedClock) -> None:
    async with live_db.transaction():
        inbox = InboxRepo(live_db)
        await inbox.count_attempt(8, "OverflowError('int too large')")
        await inbox.mark_quarantined(8, "OverflowError('int too large')", clock.now())
    code, text = await run_doctor(settings_for(live_db.url), clock)
    assert code == 1
    assert "inbox: 49 pending, 0 failed, 1 quarantined" in text
    assert "quarantined update 8" in text and "after 1 attempts" in text
    assert "OverflowError('int too large')" in text
    assert "PROBLEM: 1 update(s) quarantined" in text


@sqlite_only("a missing file (PostgreSQL: a missing schema, below)")
async def test_doctor_without_database(tmp_path: Path, clock: FixedClock) -> None:
    code, text = await run_doctor(settings_for(tmp_path / "missing.db"), clock)
    assert code == 1
    assert "database not found" in text
    assert not (tmp_path / "missing.db").exists()


@needs_postgres
async def test_doctor_without_the_schema_creates_nothing(clock: FixedClock) -> None:
    url = f"{TEST_DATABASE_URL}?schema=lt_never_made"
    code, text = await run_doctor(settings_for(url), clock)
    assert code == 1
    assert "the schema lt_never_made does not exist" in text and "storage.url" in text
    password = parse_url(url).password
    assert password and password not in text


async def test_doctor_names_an_unreachable_server_without_its_password(clock: FixedClock) -> None:
    settings = settings_for("postgresql://park:hunter2-secret@127.0.0.1:1/liaison")
    code, text = await run_doctor(settings, clock)
    assert code == 1
    assert "cannot connect to the database postgresql://park:***@127.0.0.1:1/liaison" in text
    assert "PostgreSQL runs" in text and "hunter2" not in text


@pytest.mark.parametrize("privacy", [True, False])
async def test_doctor_checks_telegram_and_privacy_mode(
    live_db: Database, clock: FixedClock, privacy: bool
) -> None:
    async with TelegramSandbox() as sandbox:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, "doctor_bot", can_read_all_group_messages=not privacy)
        settings = settings_for(live_db.url, token=TOKEN, api_base_url=sandbox.api_base_url)
        code, text = await run_doctor(settings, clock)
    assert TOKEN not in text
    assert "telegram: @doctor_bot" in text
    assert "webhook at Telegram: none" in text
    if privacy:
        assert code == 1
        assert "privacy mode is on" in text and "missed" in text
        assert "/setprivacy" in text and "Disable" in text
    else:
        assert code == 0, text
        assert "privacy mode: disabled" in text


async def test_doctor_with_an_unknown_token(live_db: Database, clock: FixedClock) -> None:
    async with TelegramSandbox() as sandbox:
        settings = settings_for(live_db.url, token=TOKEN, api_base_url=sandbox.api_base_url)
        code, text = await run_doctor(settings, clock)
    assert code == 1
    assert "rejected the bot token" in text
    assert TOKEN not in text


async def test_doctor_cli_exit_code(
    live_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sandbox: TelegramSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "{live_db.url}"\n'
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{sandbox.api_base_url}"\n',
        encoding="utf-8",
    )
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert await asyncio.to_thread(main, ["--config", str(config), "doctor"]) == 0
    out = capsys.readouterr().out
    assert SOUND in out and "healthy" in out
    assert "proxy: none, direct connection" in out


async def test_doctor_goes_through_the_proxy_and_says_which(
    live_db: Database,
    clock: FixedClock,
    sandbox: TelegramSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = CountingProxy()
    await proxy.start()
    try:
        # The sandbox speaks http://, so HTTP_PROXY applies (HTTPS_PROXY to https:// APIs).
        monkeypatch.setenv("HTTP_PROXY", f"http://ops:doc-secret@127.0.0.1:{proxy.port}")
        settings = settings_for(live_db.url, token=TOKEN, api_base_url=sandbox.api_base_url)
        code, text = await run_doctor(settings, clock)
    finally:
        await proxy.stop()
    assert code == 0, text
    assert f"proxy: http://ops:***@127.0.0.1:{proxy.port} (from HTTP_PROXY)" in text
    assert proxy.requests[f"POST 127.0.0.1:{sandbox.port}/bot{TOKEN}/getWebhookInfo"] == 1
    assert "doc-secret" not in text


async def test_backup_onto_a_directory_is_one_line(
    live_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{live_db.url}"\n', encoding="utf-8")
    folder = tmp_path / "backups"
    folder.mkdir()
    for extra in ([], ["--force"]):
        args = ["--config", str(config), "backup", *extra, str(folder)]
        assert await asyncio.to_thread(main, args) == 1
        err = capsys.readouterr().err
        assert "is a directory" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert folder.is_dir() and not list(folder.iterdir())


async def test_doctor_in_webhook_mode_with_no_webhook_set(
    live_db: Database, clock: FixedClock
) -> None:
    async with TelegramSandbox() as sandbox:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, "doctor_bot")
        settings = load_settings(
            None,
            storage={"url": live_db.url},
            telegram={
                "token": TOKEN,
                "api_base_url": sandbox.api_base_url,
                "mode": "webhook",
                "webhook": {"url": "https://bot.example.com/telegram", "secret_token": "abc"},
            },
        )
        code, text = await run_doctor(settings, clock)
    assert code == 1
    assert "Telegram delivers to nowhere" in text and "start the bot" in text
    assert "abc" not in text


@needs_postgres
async def test_backup_of_postgres_is_a_dump_that_reads_back(
    live_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{live_db.url}"\n', encoding="utf-8")
    target = tmp_path / "park.dump"
    assert await asyncio.to_thread(main, ["--config", str(config), "backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert "backup written" in out and "pg_restore --list of the dump: ok" in out
    password = parse_url(live_db.url).password
    assert password and password not in out
    listed = await asyncio.to_thread(
        subprocess.run, ["pg_restore", "--list", str(target)], capture_output=True, text=True
    )
    assert " TABLE DATA " in listed.stdout and " inbox " in listed.stdout
    assert files_beside(target) == ["park.dump"]
    assert file_mode(target) == 0o600  # pg_dump wrote into a file made private first
    assert await asyncio.to_thread(main, ["--config", str(config), "backup", str(target)]) == 1
    assert "--force" in capsys.readouterr().err


async def test_backup_without_pg_dump_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cli.backup.shutil.which", lambda name: None)
    settings = settings_for("postgresql://park:hunter2-secret@db.example:5432/liaison?schema=a")
    with pytest.raises(OpsError) as caught:
        await backup(settings, tmp_path / "park.dump")
    said = str(caught.value)
    assert "apt-get install postgresql-client" in said and "hunter2" not in said
    assert "pg_dump --format=custom" in said and "--schema=a" in said
    assert "postgresql://park@db.example:5432/liaison" in said and "PGPASSWORD" in said
