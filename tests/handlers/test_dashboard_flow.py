"""/dashboard through the real Application and the strict emulator: a Web App button and the
chat's menu button in private chats, nothing in groups, a refusal for strangers; the same
process serves the page."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.handlers.world import World, until

URL = "https://dashboard.example.cn/dashboard/"


@pytest.fixture
def dashboard_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DASHBOARD__ENABLED", "true")
    monkeypatch.setenv("LIAISON_DASHBOARD__PUBLIC_URL", URL)
    monkeypatch.setenv("LIAISON_DASHBOARD__PORT", "0")


async def menu_calls(world: World, chat: int, since: int) -> list[dict[str, Any]]:
    """The setChatMenuButton calls for `chat` (queued after the message, so awaited)."""

    async def probe() -> list[dict[str, Any]] | None:
        calls = await world.client.calls(method="setChatMenuButton", since_seq=since)
        return [c for c in calls if c["params"].get("chat_id") == chat] or None

    return await until(probe, "a setChatMenuButton call")


def web_app_urls(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["web_app"]["url"] for row in rows for b in row if "web_app" in b]


async def test_dashboard_button_for_staff_and_contacts(dashboard_env: None, world: World) -> None:
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/dashboard")
    sent = await world.expect(world.cadre, "服务驾驶舱", since=since)
    assert web_app_urls(sent[0]) == [URL]
    menu = await menu_calls(world, world.cadre, since)
    assert menu[0]["params"]["menu_button"] == {
        "type": "web_app",
        "text": "驾驶舱",
        "web_app": {"url": URL},
    }
    await world.say(world.contact, world.contact, "/dashboard")
    sent = await world.expect(world.contact, "本企业诉求", since=since)
    assert web_app_urls(sent[0]) == [URL]
    # The page itself comes from the bot's own process.
    runtime = world.runtime
    assert runtime.dashboard is not None
    async with aiohttp.ClientSession() as http:
        page = await http.get(f"http://127.0.0.1:{runtime.dashboard.port}/dashboard/")
        assert page.status == 200 and "static/app.js" in await page.text()


async def test_dashboard_refused_to_strangers_and_silent_in_groups(
    dashboard_env: None, world: World
) -> None:
    since = await world.seq()
    await world.say(world.stranger, world.stranger, "/dashboard")
    sent = await world.expect(world.stranger, "暂无可查看", since=since)
    assert web_app_urls(sent[0]) == []
    queued = await world.queued(world.group)
    await world.say(world.group, world.contact, "/dashboard")
    await world.say(world.group, world.contact, "/help")
    await world.expect(world.group, "/report", since=since)  # /help answered: /dashboard was seen
    in_group = await world.client.sent(chat_id=world.group, since_seq=since)
    assert len(in_group) == 1 and not any(web_app_urls(m) for m in in_group)
    assert await world.queued(world.group) == queued + 1  # the /help answer, nothing else


async def test_dashboard_disabled_says_so(world: World) -> None:
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/dashboard")
    sent = await world.expect(world.cadre, "尚未启用", since=since)
    assert web_app_urls(sent[0]) == []
