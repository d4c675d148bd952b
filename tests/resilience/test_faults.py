"""Transient failures (≈20 % of Bot API calls 5xx or dropped) delay messages but lose none."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url
from tests.e2e.harness import (
    FAST_DELIVERY,
    BotProcess,
    acks_by_source,
    build_burst_world,
    inject_reports,
    read_db,
    settle_world,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GROUPS = 30
REPORTS = 300
CLAIMS = 30  # tickets the cadres claim with the notice's button


async def test_transient_failures_lose_nothing(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    db_path = database_url(workdir)
    world = await build_burst_world(client, db_path, GROUPS)
    bot = BotProcess(
        workdir,
        sandbox.api_base_url,
        sandbox.control_url,
        db_path,
        admins=[world.admin],
        delivery=FAST_DELIVERY,
    )
    bot.start()
    try:
        await bot.wait_ready()
        await settle_world(client, world)
        await client.set_faults(error_5xx_rate=0.1, drop_rate=0.1, seed=4242)
        injected = await inject_reports(client, world, REPORTS)
        expected = {(r.chat_id, r.message_id) for r in injected}

        async def all_acked() -> bool:
            return expected <= set(acks_by_source(await client.sent()))

        await wait_for(all_acked, timeout=150, interval=1.0, what="acks under faults")

        # Button flows under the same faults: the first CLAIMS cadres' notices get a press.
        notices = await _first_notices(client, world.cadres, CLAIMS)
        for cadre, notice in notices.items():
            data = _button(notice, "签收")
            await client.press_button(cadre, notice["message_id"], cadre, data)
        claimed_groups = {world.groups[world.cadres.index(c)] for c in notices}

        async def all_claimed() -> bool:
            sent = await client.sent()
            told = {e["chat_id"] for e in sent if "已由包联干部" in (e.get("text") or "")}
            return claimed_groups <= told and _outbox_idle(db_path)

        await wait_for(all_claimed, timeout=150, interval=1.0, what="claims under faults")
        stats = await client.stats()
        code, _ = await bot.terminate()
        assert code == 0, bot.log_tail()
    finally:
        await bot.ensure_stopped()
        await client.set_faults()

    print(f"\n[faults] responses={stats['responses']} faults={stats.get('faults')}")
    failed_codes = {k: v for k, v in stats["responses"].items() if k != "200"}
    assert sum(failed_codes.values()) > 0, "the faults never fired"
    assert read_db(db_path, "SELECT count(*) FROM inbox WHERE status != 'done'")[0][0] == 0
    assert read_db(db_path, "SELECT count(*) FROM outbox WHERE status != 'sent'")[0][0] == 0
    claimed = read_db(db_path, "SELECT count(*) FROM ticket_events WHERE type = 'claim'")[0][0]
    assert claimed == len(notices)
    assert "Traceback" not in bot.log_text(), bot.log_tail(80)


async def _first_notices(
    client: SandboxClient, cadres: list[int], count: int
) -> dict[int, dict[str, Any]]:
    """The first new-ticket notice of each of the first `count` cadres."""
    found: dict[int, dict[str, Any]] = {}
    for cadre in cadres[:count]:
        for _ in range(200):
            entries = [
                e
                for e in await client.sent(chat_id=cadre)
                if "新工单" in (e["text"] or "") and _has_button(e, "签收")  # not the welcome
            ]
            if entries:
                found[cadre] = entries[0]
                break
            await asyncio.sleep(0.25)
        else:
            raise AssertionError(f"cadre {cadre} never got a notice")
    return found


def _has_button(entry: dict[str, Any], label: str) -> bool:
    rows = (entry.get("reply_markup") or {}).get("inline_keyboard", [])
    return any(label in button["text"] for row in rows for button in row)


def _button(entry: dict[str, Any], label: str) -> str:
    for row in (entry.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no {label!r} button")


def _outbox_idle(db_path: str) -> bool:
    return read_db(db_path, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
