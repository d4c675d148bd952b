"""`liaison-bot airing` and `liaison-bot export`: the weekly airing and the ledger, offline.

Neither sends anything nor records a week as posted: they read the database and print or write
(the ledger and the chart as private files: `storage.private`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import DomainError
from bot.i18n import Translator
from bot.render.text import plain_text
from storage import private


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `airing` and `export` subcommands."""
    airing = sub.add_parser("airing", help="print a week's airing (not posted) and its chart")
    airing.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: the latest due week)")
    airing.add_argument("--png", type=Path, help="write the chart PNG here")
    export = sub.add_parser("export", help="write the ticket ledger (.xlsx) for a date range")
    export.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: month start)")
    export.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: month end)")
    export.add_argument("file", type=Path, help="the .xlsx file to write")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `airing` or `export`; print a domain error in the park's language."""
    from bot.wiring.bot import build_services
    from storage.open import open_database

    tr = Translator(settings.park.locale)
    db = open_database(settings.storage.database_url)
    await db.connect()
    try:
        services = build_services(settings, db, SystemClock())
        if args.command == "airing":
            from bot.services.metrics import parse_week

            tz = settings.park.tz
            week = parse_week(args.week, tz) if args.week else services.airing.due_week()
            board = await services.airing.board(week)
            rendered = await services.publisher.render(board, settings.park.locale)
            print(plain_text(rendered.text))
            if args.png is not None:
                private.write(args.png, rendered.chart.png)
                print(f"chart written: {args.png}", file=sys.stderr)
            if rendered.chart.font is None:
                print(tr("airing.font_missing"), file=sys.stderr)
            return 0
        from bot.render.ledger import ledger_xlsx
        from bot.services.ledger import default_range, parse_day

        start, end = default_range(services.ledger.today())
        start = parse_day(args.start) if args.start else start
        end = parse_day(args.end) if args.end else end
        ledger = await services.ledger.ledger(None, start, end)
        private.write(args.file, ledger_xlsx(ledger, tr, settings.park.tz))
        print(f"ledger written: {args.file} ({len(ledger.rows)} tickets, {start} to {end})")
        return 0
    except DomainError as error:
        print(error.message(tr.plain), file=sys.stderr)
        return 1
    finally:
        await db.close()
