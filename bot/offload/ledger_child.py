"""Read and render a ledger in a process of its own: `python -m bot.offload.ledger_child`.

A year's ledger is seconds of pure-Python CPU (decoding events, computing the figures, writing
the workbook). In the bot's process, even in a thread, it would hold the interpreter lock that
the event loop needs for every database answer, and reports would crawl meanwhile. Here it only
takes the other core: the bot pipes in a pickled `LedgerJob`, and reads back a pickled
`("ok", ticket count, workbook bytes)` or `("refused", catalog key, params)`. Both ends are
the bot itself (trusted pickle). The child reads on a read-only connection of its own.
"""

from __future__ import annotations

import asyncio
import pickle
import sys

if __name__ == "__main__":  # the child only: the bot's own process imports this module too
    # openpyxl imports numpy and Pillow when they are installed; a workbook of text, numbers
    # and dates needs neither, and they would be a fifth of this process's memory.
    for _unneeded in ("numpy", "PIL"):
        sys.modules.setdefault(_unneeded, None)  # type: ignore[arg-type]
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.errors import DomainError
from bot.i18n import Translator
from bot.wiring.shared import ledger_parts
from storage.open import open_reader


@dataclass(frozen=True)
class LedgerJob:
    # `Settings.model_dump()`: a settings object read from a file does not pickle.
    config: dict[str, Any]
    clock: Clock
    db_url: str  # the database's URL (a PostgreSQL one holds its password: never logged)
    actor_id: int
    start: date
    end: date
    locale: str


async def make(job: LedgerJob) -> tuple[Any, ...]:
    """Read the ledger in one snapshot (permissions checked again now) and render it."""
    # Here, not at the top: the bot imports this module for `LedgerJob`, and openpyxl must
    # stay out of the bot's process.
    from bot.render.ledger import ledger_xlsx

    settings = Settings.model_validate(job.config)
    db = await open_reader(job.db_url)
    try:
        people, service = ledger_parts(settings, db, job.clock)
        async with db.reading():
            actor = await people.actor(job.actor_id)
            ledger = await service.ledger(actor, job.start, job.end)
    except DomainError as exc:
        return ("refused", exc.key, exc.params)
    finally:
        await db.close()
    data = ledger_xlsx(ledger, Translator(job.locale), settings.park.tz)
    return ("ok", len(ledger.rows), data)


def main() -> int:
    """Read the job from stdin, write the answer to stdout."""
    job = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(asyncio.run(make(job))))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
