"""The real `liaison-bot run` process handles reports and a ledger export without importing a
spreadsheet, chart or array library (issue 11's memory goal; `tests/test_imports_light.py`
checks the build alone). The ledger is rendered in a child process (`bot.offload.ledger_child`),
which imports openpyxl; the bot only passes its bytes on.

The process runs with `PYTHONPROFILEIMPORTTIME=1`: Python then writes a line to stderr (here
the bot's log) for every module the moment it is first imported, at start-up or later, so the
log shows everything the process loaded while it started, polled and handled the updates. The
child's stderr goes to a pipe the bot reads, never to the log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url
from tests.e2e.harness import (
    ACK_MARK,
    FAST_DELIVERY,
    BotProcess,
    build_burst_world,
    inject_reports,
    settle_world,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

HEAVY = ("openpyxl", "matplotlib", "numpy", "PIL")
REPORTS = 6


def imported(log: str) -> set[str]:
    """The modules named by the `-X importtime` lines of a log."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


async def test_reports_and_an_export_import_no_spreadsheet_chart_or_array_library(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    db = database_url(workdir)
    world = await build_burst_world(client, db, 2)
    bot = BotProcess(
        workdir=workdir,
        api_base_url=sandbox.api_base_url,
        control_url=sandbox.control_url,
        db_path=db,
        admins=[world.admin],
        delivery=FAST_DELIVERY,
        env={"PYTHONPROFILEIMPORTTIME": "1"},
    )
    bot.start()
    try:
        await bot.wait_ready()
        await settle_world(client, world)
        since = await client.last_seq()
        await inject_reports(client, world, REPORTS)  # both forms: #诉求 and /report

        async def all_acknowledged() -> bool:
            sent = await client.sent(since_seq=since)
            return sum(ACK_MARK in str(entry.get("text", "")) for entry in sent) >= REPORTS

        await wait_for(all_acknowledged, timeout=60.0, what="every acknowledgement")
        await client.send_message(world.admin, world.admin, "/export")

        async def ledger_sent() -> bool:
            calls = await client.calls("sendDocument", since_seq=since)
            return any(c["ok"] and int(c["params"]["chat_id"]) == world.admin for c in calls)

        await wait_for(ledger_sent, timeout=60.0, what="the ledger")
    finally:
        await bot.ensure_stopped()
    modules = imported(bot.log_text())
    # The log holds the import lines of the process (and of what it imported on the way).
    assert {"telegram.ext", "handlers.tickets.report", "bot.delivery.sender"} <= modules
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == [], "import these where they are used (tests/test_imports_light.py)"
