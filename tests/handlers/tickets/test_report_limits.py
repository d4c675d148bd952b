"""One member cannot bury a cadre, through the real Application and the emulator: a person's
reports past `[tickets] reports_per_person_per_hour` are refused (the admins hear once per person
per hour, across a restart), and a cadre's burst of new tickets comes as one list."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import FixedClock, SystemClock
from bot.runtime.process import Runtime
from bot.runtime.schedule import purge
from tests.e2e.harness import ACK_MARK
from tests.handlers.tickets.test_private_reports import contact_of_both
from tests.handlers.world import OTHER_ENTERPRISE, World

LIMIT_TOLD = "在一小时内已登记"  # the admins' notice
REFUSED = "达到上限"  # the reporter's refusal


async def restart(world: World, clock: FixedClock, **tickets: Any) -> None:
    """Stop the bot and start it again on the same database, on `clock`, with `tickets`."""
    settings = world.runtime.settings
    if tickets:
        changed = settings.tickets.model_copy(update=tickets)
        settings = settings.model_copy(update={"tickets": changed})
    await world.runtime.stop()
    world.runtime = Runtime(settings, clock=clock)
    await world.runtime.start()


async def admin_notices(world: World, since: int) -> list[str]:
    """The admin's limit notices since `since`, fenced: /help is answered after them."""
    fence = await world.seq()
    await world.say(world.admin, world.admin, "/help")
    await world.expect(world.admin, "常用命令", since=fence)
    sent = await world.client.sent(chat_id=world.admin, since_seq=since)
    return [m["text"] for m in sent if LIMIT_TOLD in (m.get("text") or "")]


async def tickets_made(world: World) -> int:
    services = world.runtime.services
    async with services.db.reading():
        return int(await services.db.fetchval("SELECT COUNT(*) FROM tickets"))


async def test_past_the_limit_a_report_is_refused_and_the_admins_hear_once_an_hour(
    world: World,
) -> None:
    clock = FixedClock(SystemClock().now())
    await restart(world, clock, reports_per_person_per_hour=3)
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")  # so the bot may write to the admin
    for n in range(1, 4):
        await world.say(world.group, world.contact, f"#诉求 第{n}个问题：车间漏水")
    await world.expect(world.group, ACK_MARK, since=since, count=3)
    await world.say(world.group, world.contact, "#诉求 第4个问题：车间漏水")
    await world.say(world.group, world.contact, "/report 第5个问题：车间漏水")
    refusals = await world.expect(world.group, REFUSED, since=since, count=2)
    assert all("3 件" in m["text"] and "陈志远" in m["text"] for m in refusals)
    (told,) = await admin_notices(world, since)
    assert "陈志远" in told and "海澄精工" in told

    # The mark survives a restart: still refused, and the admins are not told again.
    clock.advance(timedelta(minutes=30))
    await restart(world, clock)
    await world.say(world.group, world.contact, "#诉求 第6个问题：车间漏水")
    await world.expect(world.group, REFUSED, since=since, count=3)
    # Per person: someone else in the group still reports.
    await world.say(world.group, world.stranger, "#诉求 仓库门口积水")
    await world.expect(world.group, ACK_MARK, since=since, count=4)
    assert len(await admin_notices(world, since)) == 1
    assert await tickets_made(world) == 4

    # An hour after the first reports: reports again, and past the limit the admins hear again.
    clock.advance(timedelta(minutes=31))
    for n in range(7, 10):
        await world.say(world.group, world.contact, f"#诉求 第{n}个问题：车间漏水")
    await world.expect(world.group, ACK_MARK, since=since, count=7)
    await world.say(world.group, world.contact, "#诉求 第10个问题：车间漏水")
    await world.expect(world.group, REFUSED, since=since, count=4)
    assert len(await admin_notices(world, since)) == 2
    assert await tickets_made(world) == 7

    # The daily purge keeps a mark within its hour, and forgets it after.
    services = world.runtime.services
    await purge(services)
    assert await limit_marks(world) == 1
    clock.advance(timedelta(minutes=61))
    await purge(services)
    assert await limit_marks(world) == 0


async def limit_marks(world: World) -> int:
    """How many people the admins were told of, as the limit's marks say."""
    services = world.runtime.services
    async with services.db.reading():
        return int(
            await services.db.fetchval(
                "SELECT COUNT(*) FROM kv WHERE key LIKE 'reports.limit^_told.%' ESCAPE '^'"
            )
        )


async def test_a_private_report_past_the_limit_is_refused_and_the_admins_told(
    world: World, tmp_path: Path
) -> None:
    clock = FixedClock(SystemClock().now())
    await restart(world, clock, reports_per_person_per_hour=1)
    me, since = world.contact, await world.seq()
    await world.say(world.admin, world.admin, "/start")
    await world.say(me, me, "/report 厂区停电了")
    await world.expect(me, ACK_MARK, since=since)
    await world.say(me, me, "/report 厂区又停电了")
    await world.expect(me, REFUSED, since=since)
    assert len(await admin_notices(world, since)) == 1

    # A contact of two enterprises, in a new hour: the refusal comes from inside their pick,
    # the admins are told all the same, and the report stays held for a later press.
    await contact_of_both(world, tmp_path)
    clock.advance(timedelta(hours=2))
    choices: list[dict[str, Any]] = []
    for text in ("/report 两家共用的污水管道堵了", "/report 两家共用的道路积水"):
        choices.append(await world.say(me, me, text))
    prompts = await world.expect(me, "请选择本问题所属的企业", since=since, count=2)

    async def pick(prompt: dict[str, Any], row: int) -> None:
        data = prompt["reply_markup"]["inline_keyboard"][row][0]["callback_data"]
        await world.client.press_button(me, prompt["message_id"], me, data)

    await pick(prompts[0], 0)
    await world.expect(me, ACK_MARK, since=since, count=2)
    before = await world.answers()
    await pick(prompts[1], 1)
    assert REFUSED in (await world.answer(before, with_text=True))["text"]  # a press's alert
    assert len(await admin_notices(world, since)) == 2
    clock.advance(timedelta(hours=2))
    await pick(prompts[1], 1)
    ack = (await world.expect(me, ACK_MARK, since=since, count=3))[-1]
    assert "王晓峰" in ack["text"] and ack["reply_to_message_id"] == choices[1]["message_id"]
    assert (
        await world.runtime.services.tickets.core.view_of(3)
    ).enterprise.name == OTHER_ENTERPRISE


async def test_a_cadre_gets_one_list_for_a_burst_kept_across_a_restart(world: World) -> None:
    clock = FixedClock(SystemClock().now())
    await restart(world, clock)
    since = await world.seq()
    for n in range(1, 7):
        await world.say(world.group, world.contact, f"#诉求 第{n}个问题：车间漏水")
    await world.expect(world.group, ACK_MARK, since=since, count=6)
    # The first three are cards; the rest wait for the minute to end, in the database.
    assert await world.queued(world.cadre, purpose="cadre_notice") == 3
    await restart(world, clock)
    clock.advance(timedelta(seconds=61))
    listing = (await world.expect(world.cadre, "合并通知", since=since))[0]
    assert [f"#{n}" in listing["text"] for n in range(4, 7)] == [True] * 3
    assert "#3" not in listing["text"]
    buttons = [b for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["✅ 签收 #4", "✅ 签收 #5", "✅ 签收 #6"]
    await world.settled()
    sent = await world.client.sent(chat_id=world.cadre, since_seq=since)
    assert len(sent) == 4  # three cards and one list for six tickets

    # Each ticket in the list keeps its button: claiming one answers with its work buttons.
    await world.client.press_button(
        world.cadre, listing["message_id"], world.cadre, buttons[1]["callback_data"]
    )
    claimed = (await world.expect(world.cadre, "已签收工单 #5", since=since))[0]
    assert re.search(r"t:\w+:5", str(claimed["reply_markup"]))
