"""With Telegram's flood limits enforced, a 100-group burst draws no 429 and all of it arrives.

How close the pacing runs to 30 messages/s is a speed figure: `bench/bench_flood.py` measures
it (medians of several runs, bench/README.md). Here only a floor far below it is checked, one
that only broken pacing (e.g. one message a second) can miss, even on a loaded machine; the
limiter's exact pacing is tested on an injected clock in tests/delivery/test_limiter.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.e2e.flood import flood_burst

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GROUPS = 100
REPORTS = 1000  # 10 per group: under 20/min per group, so the global 30/s is the ceiling
BROKEN_PACING = 10.0  # messages/s; a healthy run on a loaded 2-core machine gives 24-29


async def test_burst_under_flood_limits(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    result = await flood_burst(sandbox, client, workdir, groups=GROUPS, reports=REPORTS)
    print(
        f"\n[flood limits] messages={result.messages} 429s={result.too_many} "
        f"steady_rate={result.steady_rate:.1f}/s (whole run {result.overall_rate:.1f}/s)"
    )
    assert result.exit_code == 0
    assert result.acknowledged == REPORTS
    assert result.too_many == 0
    assert result.steady_rate >= BROKEN_PACING, result.per_5s
