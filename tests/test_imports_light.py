"""The long-running bot process stays light: building it imports no spreadsheet, chart or array
library (issue 11's memory goal).

openpyxl (which pulls in numpy and Pillow when installed), matplotlib, numpy and PIL are tens
of megabytes the bot needs only for a roster upload, a chart or (in the ledger's child process)
a ledger; the modules that need them import them where they are used. This test builds the
Application the way `liaison-bot run` does, in a fresh interpreter, and looks at `sys.modules`.
`tests/e2e/test_light_process.py` checks the real process while it handles reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.databases import ON_POSTGRES, database_url

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("openpyxl", "matplotlib", "numpy", "PIL")


def python(code: str, *args: str) -> Any:
    """Run `code` in a fresh interpreter from the project's root; its last line, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# What `liaison-bot run` does up to its first network call (`Runtime.start`, `Runtime._open`),
# plus the leader's deferred worker (made when the process takes the lease).
BUILD = """
import asyncio, json, sys
from bot.cli.main import main  # the entry point, as `liaison-bot run` loads it
from bot.runtime.process import Runtime
from bot.runtime.application import build_application
from bot.config import load_settings
from bot.wiring.bot import build_services
from bot.delivery.http import telegram_request
from bot.offload.worker import DeferredWorker
from storage.open import open_database

async def build():
    settings = load_settings(
        None,
        telegram={"token": "100002:LIGHT-token-not-secret-000000000"},
        storage={"url": sys.argv[1]},
    )
    db = open_database(settings.storage.database_url)
    await db.connect()
    try:
        services = build_services(settings, db, Runtime(settings).clock)
        requests = (
            telegram_request(settings.telegram, connections=64),
            telegram_request(settings.telegram, connections=2),
        )
        app = build_application(settings, requests)
        app.bot_data.services = services
        DeferredWorker(services)
        handlers = sum(len(group) for group in app.handlers.values())
    finally:
        await db.close()
    return handlers

handlers = asyncio.run(build())
print(json.dumps({"handlers": handlers, "modules": sorted(sys.modules)}))
"""


def test_building_the_bot_imports_no_spreadsheet_chart_or_array_library(tmp_path: Path) -> None:
    built = python(BUILD, database_url(tmp_path))
    modules = set(built["modules"])
    # The build really happened: every handler module and the ledger's worker are loaded.
    assert built["handlers"] > 20
    assert {"handlers.tickets.report", "handlers.airing", "bot.offload.worker"} <= modules
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == [], "import these where they are used (see the module docstring)"
    if not ON_POSTGRES:  # PostgreSQL's driver only where it is used (`storage.open`)
        assert "asyncpg" not in modules and "storage.postgres" not in modules


def test_the_ledger_child_imports_only_what_a_ledger_needs() -> None:
    """The child (`bot.offload.ledger_child`) holds a year's ledger in memory beside the bot:
    its own imports stay off the roster import (opencc's dictionaries) and the transport."""
    code = "import sys, json, bot.offload.ledger_child; print(json.dumps(sorted(sys.modules)))"
    modules = set(python(code))
    assert {"bot.wiring.shared", "bot.services.ledger"} <= modules
    unneeded = ("bot.services.roster", "opencc", "telegram", "aiohttp", *HEAVY)
    loaded = sorted(m for m in modules if m.startswith(unneeded))
    assert loaded == []


def test_a_csv_roster_is_read_without_a_spreadsheet_library(tmp_path: Path) -> None:
    """Only a workbook needs openpyxl: a CSV roster (columns named by letter in its issues, as
    a spreadsheet shows them) leaves the bot's process as light as it was."""
    roster = tmp_path / "企业名单.csv"
    roster.write_text("企业名称,包联干部,,\n甲公司,张三,,多出的一列\n", encoding="utf-8")
    code = """
        import json, sys
        from pathlib import Path
        from bot.services.roster.files import read_csv
        result = read_csv(Path(sys.argv[1]), "企业名单.csv")
        print(json.dumps({"issues": [str(i) for i in result.issues],
                          "modules": sorted(sys.modules)}))
        """
    read = python(code, str(roster))
    assert any("D" in issue for issue in read["issues"])  # the headerless column, by letter
    assert sorted(m for m in read["modules"] if m.split(".")[0] in HEAVY) == []
