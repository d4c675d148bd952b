"""The ledger's child process job: read on its own connection, render, answer; refusals too."""

from __future__ import annotations

import io
import pickle
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from bot.clock import FixedClock
from bot.config import load_settings
from bot.offload.ledger_child import LedgerJob, make
from storage.open import open_database
from tests.databases import database_url
from tests.story import ADMIN_TG, Story, park


async def test_the_child_job_reads_renders_and_refuses_like_export(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    db = open_database(url)
    await db.connect()
    clock = FixedClock(park(16, 9))
    try:
        story = await Story.open(db, clock, cadres=["陈志远", "王晓峰"])
        story.report("陈志远", park(16, 9)).claim(park(16, 10))
        story.report("王晓峰", park(17, 9))
        await story.play()
        cadre = Story.cadre_tg(0)
    finally:
        await db.close()
    # Read from a file, as the running bot's settings are: the job pickles a plain dump.
    config = tmp_path / "config.toml"
    config.write_text(
        '[telegram]\ntoken = "123:abcdefghijklmnopqrstuvwxyz012345678"\n'
        f"[park]\nadmins = [{ADMIN_TG}]\n",
        "utf-8",
    )
    settings = load_settings(config).model_dump()
    span = (date(2026, 11, 1), date(2026, 11, 30))

    def job(actor: int) -> LedgerJob:
        made = LedgerJob(settings, clock, url, actor, *span, "zh_CN")
        return pickle.loads(pickle.dumps(made))  # what crosses the pipe

    status, count, data = await make(job(ADMIN_TG))
    assert (status, count) == ("ok", 2)
    book = load_workbook(io.BytesIO(data))
    assert "问题台账" in book.sheetnames
    assert await make(job(cadre)) == ("refused", "export.not_allowed", {})
