"""`liaison-bot port-db`: a SQLite park, every table populated, copied to PostgreSQL and checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.cli.port_db import port_db
from bot.config import load_settings
from storage.open import open_database
from storage.postgres import PostgresDatabase
from storage.runlock import take_run_lock
from storage.url import parse_url
from tests.databases import database_url, empty_schema_url, needs_postgres, query
from tests.storage.rows import LATEST, ROWS, build, read

pytestmark = needs_postgres


def source_file(tmp_path: Path) -> Path:
    """A SQLite database at the latest schema with rows in every table."""
    path = tmp_path / "park.db"
    build(path, LATEST)
    with sqlite3.connect(path) as raw:
        names = {
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        } - {"schema_migrations"}
        empty = [n for n in names if not raw.execute(f"SELECT 1 FROM {n} LIMIT 1").fetchall()]
    raw.close()
    assert names and empty == [], "every table needs rows (tests/storage/rows.py)"
    return path


def sqlite_rows(path: Path, table: str) -> list[dict[str, Any]]:
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in raw.execute(f"SELECT * FROM {table} ORDER BY rowid")]
    finally:
        raw.close()


async def test_port_copies_every_row_verifies_and_says_what_to_change(tmp_path: Path) -> None:
    path = source_file(tmp_path)
    target = empty_schema_url("port")
    settings = load_settings(None, storage={"url": f"sqlite:///{path}"})
    lines: list[str] = []
    assert await port_db(settings, target, out=lines.append) == 0
    text = "\n".join(lines)
    password = parse_url(target).password
    assert password and password not in text
    assert "迁移完成并已核对" in text and f"结构版本 {LATEST}" in text
    assert f'url = "{parse_url(target).redacted}"' in text and "LIAISON_STORAGE__URL" in text

    tables = {spec.table for spec in ROWS if spec.until == LATEST}  # the tables it still has
    for table in sorted(tables):
        want = sqlite_rows(path, table)
        got = query(target, f"SELECT * FROM {table}")
        assert len(got) == len(want), table
        columns = list(want[0])
        as_dicts = [dict(zip(columns, row, strict=True)) for row in got]
        for row in want:
            assert row in as_dicts, (table, row)
        # Every row equals its ROWS entry too (JSON compared as data).
        for spec in (s for s in ROWS if s.table == table and s.until == LATEST):
            expected = spec.expected(LATEST)
            assert expected is not None
            assert any(
                {k: read(r[k], v) for k, v in expected.items()} == expected for r in as_dicts
            ), (table, expected)

    # The sequences moved past the copied ids: the bot's next rows do not collide.
    db = open_database(target)
    await db.connect()
    try:
        assert isinstance(db, PostgresDatabase)
        assert await db.schema_version() == LATEST
        async with db.transaction():
            before = await db.fetchval("SELECT MAX(id) FROM cadres")
            new = await db.insert(
                "INSERT INTO cadres (name, role, created_at, updated_at)"
                " VALUES ('新干部', 'cadre', 'x', 'x')"
            )
            assert new == before + 1
            leaders = await db.fetchall("SELECT id, leader_id FROM cadres WHERE id <= ?", (before,))
        assert {(r[0], r[1]) for r in leaders} == {
            (r["id"], r["leader_id"]) for r in sqlite_rows(path, "cadres")
        }
    finally:
        await db.close()


async def test_port_refuses_a_running_bot_and_a_database_that_holds_rows(
    tmp_path: Path,
) -> None:
    path = source_file(tmp_path)
    settings = load_settings(None, storage={"url": str(path)})
    target = empty_schema_url("port_refusals")
    lines: list[str] = []
    running = await take_run_lock(str(path))  # as the bot would
    try:
        assert await port_db(settings, target, out=lines.append) == 1
    finally:
        assert running is not None
        await running.release()
    assert "请先停止机器人" in lines[-1]

    filled = database_url(None, "port_filled")
    db = open_database(filled)
    await db.connect()
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('bot_username', 'park_bot')")
    await db.close()
    lines.clear()
    assert await port_db(settings, filled, out=lines.append) == 1
    assert "kv (1)" in lines[-1] and "目标数据库保持原样" in lines[-1]
    assert query(filled, "SELECT COUNT(*) FROM cadres") == [(0,)]  # nothing half-copied


def test_the_command_line_masks_the_target_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = source_file(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{path}"\n[park]\nlocale = "en"\n', "utf-8")
    target = empty_schema_url("port_cli")
    assert main(["--config", str(config), "port-db", "--to", target]) == 0
    out = capsys.readouterr().out
    assert "Port complete and verified" in out
    password = parse_url(target).password
    assert password and password not in out
