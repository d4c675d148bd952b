"""`liaison-bot demo` ends with the admin's preview of the week's airing, and it ranks the demo's
cadre by the two tickets the transcript shows: both answered in time (a progress note, then a
resolution), one rated 已解决 + 满意, the other 部分解决 + 不满意 (reopened; that rating counts).
"""

from __future__ import annotations

import pytest

from bot.cli.demo import run_demo

pytestmark = pytest.mark.timeout(120)


async def test_the_demo_airing_ranks_its_cadre_by_the_story(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo() == 0
    transcript = capsys.readouterr().out
    post = transcript.split("/airing ")[-1]
    assert "受理 2 件，办结 1 件，办结率 50.0%⚠️" in post
    # 响应 2/2 x 30 % + 解决 1/2 x 35 % + 满意 1/2 x 35 % = 65.0
    assert "1. 陈志远 65.0 分 新上榜" in post
    assert "响应 100.0% · 解决 50.0%⚠️ · 满意 50.0%⚠️" in post
