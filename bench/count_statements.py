"""Count the SQL statements liaison-bot runs per enterprise report, by statement text.

The bot runs in this process (the real `Runtime`, polling the in-process emulator) on a SQLite
file, in the world `run_bench.py` builds (G groups, each bound to its enterprise, one contact
per group, each enterprise's 包联 cadre reachable privately). N reports are posted one at a
time, `#诉求 …` and `/report …` alternating, round-robin over the groups; each waits for its
acknowledgement, so every report is handled alone and the count does not depend on timing.

Counted per report: every statement from the moment the intake hands the update to the handlers
until the notices it owes are queued (`tests/statements.py`: the handler, the service, the
notifier and the outbox rows, savepoints included). Not counted: the intake's per-group work
(reading the inbox, BEGIN, the done marks, COMMIT), the poller's inbox rows and the sender's
reads and marks, which depend on how updates and messages are batched.

Usage:
    .venv/bin/python bench/count_statements.py                 # 200 reports over 20 groups
    .venv/bin/python bench/count_statements.py --reports 50 --groups 5 --json out.json

Prints statements per report and a table of the statements by text (times per report).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared harness and counter live under tests/

from bot.config import load_settings  # noqa: E402
from bot.runtime.process import Runtime  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import TelegramSandbox  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    ACK_MARK,
    FAST_DELIVERY,
    TOKEN,
    USERNAME,
    build_burst_world,
    report_text,
    settle_world,
)
from tests.statements import count_updates  # noqa: E402


async def measure(reports: int, groups: int, workdir: Path) -> list[Counter[str]]:
    """Post the reports one at a time; return each report's statements by text."""
    sandbox = TelegramSandbox()
    await sandbox.start()
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, USERNAME)
            db_path = workdir / "count.db"
            world = await build_burst_world(client, db_path, groups)
            settings = load_settings(
                None,
                telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url, "poll_timeout": 1},
                storage={"url": str(db_path)},
                park={"admins": [world.admin]},
                delivery=FAST_DELIVERY,
                # One contact per group stands for its enterprise (see `BotProcess`).
                tickets={"reports_per_person_per_hour": 0},
            )
            runtime = Runtime(settings)
            await runtime.start()
            try:
                await settle_world(client, world)
                with count_updates(runtime) as counts:
                    for n in range(reports):
                        i = n % groups
                        since = await client.last_seq()
                        await client.send_message(
                            world.groups[i], world.contacts[i], report_text(n)
                        )
                        await client.wait_sent(
                            chat_id=world.groups[i], since_seq=since, contains=ACK_MARK
                        )
            finally:
                await runtime.stop()
    finally:
        await sandbox.stop()
    assert len(counts.per_update) == reports, f"{len(counts.per_update)} updates for {reports}"
    return counts.per_update


def summary(per_report: list[Counter[str]]) -> dict[str, object]:
    total: Counter[str] = Counter()
    for counts in per_report:
        total.update(counts)
    each = [sum(c.values()) for c in per_report]
    return {
        "reports": len(per_report),
        "statements": sum(each),
        "per_report": sum(each) / len(each),
        "fewest": min(each),
        "most": max(each),
        "by_statement": [
            {"per_report": n / len(per_report), "times": n, "sql": sql}
            for sql, n in total.most_common()
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--width", type=int, default=110, help="cut statements to this width")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="count-statements-") as tmp:
        per_report = asyncio.run(measure(args.reports, args.groups, Path(tmp)))
    result = summary(per_report)
    print(
        f"{result['reports']} reports over {args.groups} groups: {result['statements']} statements,"
        f" {result['per_report']:.2f} per report (fewest {result['fewest']},"
        f" most {result['most']}); {time.monotonic() - started:.1f} s"
    )
    print(f"{'per report':>10}  statement")
    for row in result["by_statement"]:  # type: ignore[attr-defined]
        sql = row["sql"]
        cut = sql if len(sql) <= args.width else sql[: args.width - 1] + "…"
        print(f"{row['per_report']:>10.2f}  {cut}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
