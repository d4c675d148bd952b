"""Render a ledger workbook in a process of its own: `python -m bot.render_worker`.

The bot pipes in a pickled `(Ledger, locale, time zone name)` and reads the .xlsx bytes back.
A year's ledger is seconds of pure-Python CPU; in a thread it would hold the interpreter lock
the event loop needs for every database answer, so reports would crawl meanwhile. In its own
process it only takes the other core. The input comes from the bot itself (trusted pickle).
"""

from __future__ import annotations

import pickle
import sys
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx


def main() -> int:
    """Read the job from stdin, write the workbook to stdout."""
    ledger, locale, tz_name = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(ledger_xlsx(ledger, Translator(locale), ZoneInfo(tz_name)))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
