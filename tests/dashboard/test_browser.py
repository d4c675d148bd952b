"""The dashboard in a real headless Chromium, as Telegram opens it, against the seeded park.

A leader, a cadre and an enterprise contact each open the page with launch data signed by the
test token (in the address fragment, as Telegram passes it; the bot serves its own minimal
telegram-web-app.js). The figures on the page are the airing's Board for the same week; forged and
expired launch data show the 401 message; no request leaves this machine. Screenshots of every
page at phone size go to artifacts/dashboard/.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.dashboard.server import DashboardServer
from bot.services.metrics import parse_week
from tests.dashboard.api import dashboard_settings
from tests.dashboard.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    DARK,
    PHONE,
    Recorder,
    launch_url,
    require_browser,
)
from tests.dashboard.park import NOW, TOKEN, Park, init_data
from tests.story import TZ

# A 1x1 PNG: the photo Telegram would hand back for the ticket's attachment.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class Browser:
    base: str
    park: Park
    browser: Any

    async def open(
        self, who: str, *, data: str | None = None, theme: dict[str, str] | None = None
    ) -> tuple[Any, Recorder]:
        """A phone-sized page opened as `who` (or with the given launch data)."""
        if data is None:
            language = "en" if who.endswith("_en") else "zh-hans"
            data = init_data(self.park.tg(who.removesuffix("_en")), NOW, language=language)
        context = await self.browser.new_context(viewport=PHONE, device_scale_factor=2)
        recorder = Recorder()
        await recorder.attach(context)
        page = await context.new_page()
        await page.goto(launch_url(self.base, data, theme))
        return page, recorder


async def shot(page: Any, name: str) -> None:
    folder = ARTIFACTS / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}.png"))


@pytest.fixture
async def chromium(park_world: Park) -> AsyncIterator[Browser]:
    require_browser()
    from playwright.async_api import async_playwright

    async def fetch(file_id: str) -> bytes:
        return PNG

    server = DashboardServer(park_world.services, dashboard_settings(), TOKEN, fetch_file=fetch)
    await server.start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield Browser(f"http://127.0.0.1:{server.port}", park_world, browser)
            finally:
                await browser.close()
    finally:
        await server.stop()


async def tile(page: Any, key: str) -> str:
    return str(await page.inner_text(f"#figures [data-key={key}] b"))


async def test_leader_sees_the_airings_figures_and_acts(chromium: Browser) -> None:
    board = await chromium.park.services.airing.board(parse_week("2026-W47", TZ))
    park = board.metrics.park
    page, recorder = await chromium.open("leader")
    await page.wait_for_selector("body[data-charts=drawn]")
    assert await page.inner_text("#week") == "第47周（11/16—11/22）"
    assert await tile(page, "closure") == f"{park.closure.pct:.1f}%"
    assert await tile(page, "satisfaction") == f"{park.satisfaction.pct:.1f}%"
    assert await tile(page, "response") == f"{park.response.pct:.1f}%"
    assert await tile(page, "score") == f"{park.score:.1f}"
    assert await tile(page, "received") == str(park.received)
    assert await page.inner_text("#counts [data-key=overdue] b") == "1"
    assert await page.locator("#chart svg polyline").count() == 2
    await shot(page, "leader-overview")

    await page.click("#tab-cadres")
    await page.wait_for_selector("#ranked li")
    names = await page.locator("#ranked li .name").all_inner_texts()
    assert [n.split(".")[1].strip()[:3] for n in names] == ["王晓峰", "陈志远"]
    apart = await page.locator("#insufficient li .row").all_inner_texts()
    assert [" ".join(a.split()) for a in apart] == ["赵敏 1 件"]
    assert "李娜" not in await page.inner_text("main")  # another leader's cadre
    await page.select_option("#sort", "closure")
    await page.wait_for_selector("#sort")
    await shot(page, "leader-cadres")

    wang = await chromium.park.story.cadre_id("王晓峰")
    await page.click(f"#ranked li[data-cadre='{wang}']")
    await page.wait_for_selector("#f-cadre")
    shown = {
        int(x)
        for x in await page.locator("#tickets li").evaluate_all(
            "items => items.map(i => i.dataset.ticket)"
        )
    }
    t = {k: s.id for k, s in chromium.park.tickets.items()}
    assert shown == {t["wang1"], t["wang2"], t["stuck"]}
    await shot(page, "leader-tickets")

    await page.click(f"#tickets li[data-ticket='{t['wang2']}']")
    await page.wait_for_selector("#history li")
    assert "等待设备到货" in await page.inner_text("#actions")
    await shot(page, "leader-ticket")
    await page.click("#approve")
    await page.wait_for_selector("#action-result:not([hidden])")
    assert "已同意延期" in await page.inner_text("#action-result")
    await page.wait_for_selector("#supervise")
    await page.click("#supervise")
    await page.locator("#action-result", has_text="已督办").wait_for()
    # The message shows before the ticket is drawn again: wait for the redraw, not a moment.
    await page.locator("#supervise").wait_for(state="detached")
    assert await page.locator("#supervise").count() == 0
    assert recorder.outside == []
    assert all(u.startswith(chromium.base) for u in recorder.urls), recorder.urls


async def test_leader_pages_in_english_and_dark(chromium: Browser) -> None:
    page, recorder = await chromium.open("leader_en", theme=DARK)
    await page.wait_for_selector("body[data-charts=drawn]")
    assert await page.inner_text("#tab-overview") == "Overview"
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(33, 33, 33)"  # Telegram's dark theme colour
    await shot(page, "leader-overview-en-dark")
    page2, _ = await chromium.open("leader_en")
    await page2.wait_for_selector("body[data-charts=drawn]")
    await shot(page2, "leader-overview-en")
    await page2.click("#tab-cadres")
    await page2.wait_for_selector("#ranked li")
    await shot(page2, "leader-cadres-en")
    assert recorder.outside == []


async def test_cadre_sees_own_figures(chromium: Browser) -> None:
    board = await chromium.park.services.airing.board(parse_week("2026-W47", TZ))
    chen = next(c for c in board.metrics.cadres if c.name == "陈志远").metrics
    page, recorder = await chromium.open("陈志远")
    await page.wait_for_selector("body[data-charts=drawn]")
    assert await tile(page, "score") == f"{chen.score:.1f}"
    assert await tile(page, "closure") == f"{chen.closure.pct:.1f}%"
    await shot(page, "cadre-overview")
    await page.click("#tab-cadres")
    await page.wait_for_selector("#ranked li")
    assert await page.locator("#ranked li").count() == 1
    await page.click("#tab-tickets")
    await page.wait_for_selector("#tickets li")
    assert "王晓峰" not in await page.inner_text("#tickets")
    await shot(page, "cadre-tickets")
    assert recorder.outside == []


async def test_contact_sees_only_their_enterprise(chromium: Browser) -> None:
    park = chromium.park
    page, recorder = await chromium.open("contact_0")
    await page.wait_for_selector("#tickets li")
    assert await page.locator("#tabs button").all_inner_texts() == ["我的诉求"]
    shown = {
        int(x)
        for x in await page.locator("#tickets li").evaluate_all(
            "items => items.map(i => i.dataset.ticket)"
        )
    }
    t = {k: s.id for k, s in park.tickets.items()}
    assert park.photo_ticket in shown and t["chen1"] in shown
    assert not shown & {t["wang1"], t["li1"], t["duty"]}
    await shot(page, "contact-mine")
    await page.click(f"#tickets li[data-ticket='{park.photo_ticket}']")
    await page.wait_for_selector("#files img")
    assert await page.evaluate("document.querySelector('#files img').naturalWidth") == 1
    assert await page.locator("#actions").count() == 0
    await shot(page, "contact-ticket")
    assert recorder.outside == []


async def test_forged_and_expired_launch_data_show_401(chromium: Browser) -> None:
    cases = {
        "forged": init_data(chromium.park.tg("leader"), NOW, "1:NOT-our-bot-token"),
        "expired": init_data(chromium.park.tg("leader"), NOW - timedelta(hours=2)),
    }
    for name, data in cases.items():
        page, recorder = await chromium.open("leader", data=data)
        await page.wait_for_selector("#error")
        assert await page.get_attribute("#error", "data-status") == "401", name
        assert "身份校验未通过" in await page.inner_text("#error"), name
        await shot(page, f"unauthorized-{name}")
        assert recorder.outside == []
