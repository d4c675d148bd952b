"""Numbers typed after a command, through the real Application and the emulator.

`isdigit()` accepts `²`, `①` and `٣`, which `int()` then refused: each such command was an
internal error with an apology and an admin alert. Now every command reads its numbers with one
parser (bot/domain/numbers.py): an odd number gets a reply saying what was wrong, with an
example, and nobody else hears of it. Full-width digits, which a Chinese input method types,
are numbers like any other.
"""

from __future__ import annotations

import re

from tests.handlers.world import World, report

NOT_DIGITS = "请只用数字 0–9 书写"


async def _refused(world: World, user: int, text: str, says: str) -> None:
    since = await world.seq()
    await world.say(user, user, text)
    reply = (await world.expect(user, says, since=since))[0]
    assert "内部错误" not in reply["text"], text


async def _no_alerts(world: World) -> None:
    await world.settled()
    assert await world.queued(purpose="admin_error") == 0
    assert await world.queued(purpose="admin_apology") == 0


async def test_odd_numbers_after_commands_get_a_clear_reply_and_no_alert(world: World) -> None:
    ticket_id, _ = await report(world)
    cadre, contact = world.cadre, world.contact
    cases = [
        (cadre, "/ticket ³", f"「³」不是有效的工单编号：{NOT_DIGITS}"),
        (cadre, "/claim ⑦", "「⑦」不是有效的工单编号"),
        (cadre, f"/extend {ticket_id} ² 设备待到货", "「²」不是有效的延期天数"),
        (contact, "/jobedit ٣", "「٣」不是有效的招聘编号"),
        (contact, "/jobfilled ⅻ", "「ⅻ」不是有效的招聘编号"),
        (contact, "/hired ⁴ 2", "「⁴」不是有效的招聘编号"),
        (contact, "/hired 4 ②", "「②」不是有效的录用人数"),
        (contact, "/done ¹", "「¹」不是有效的匹配编号"),
        # Past the bounds: named, never an int64 overflow further down.
        (cadre, "/ticket 99999999999999999999999", "工单编号应在 1 至 9007199254740992 之间"),
        (cadre, "/ticket " + "9" * 5000, "工单编号应在 1 至"),
        (contact, "/done 0", "匹配编号应在 1 至"),
    ]
    for user, text, says in cases:
        await _refused(world, user, text, says)
    await _no_alerts(world)


async def test_an_example_is_shown_in_the_readers_language(world: World) -> None:
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/lang en")
    await world.expect(world.cadre, "", since=since)
    await _refused(world, world.cadre, "/progress ²", "is not a valid ticket number")
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/progress ⁵")
    reply = (await world.expect(world.cadre, "e.g.", since=since))[0]
    assert re.search(r"digits 0–9 only, e\.g\. 12", reply["text"]), reply["text"]
    await _no_alerts(world)


async def test_full_width_digits_and_a_mark_are_a_ticket_number(world: World) -> None:
    ticket_id, _ = await report(world)
    wide = str(ticket_id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/ticket ＃{wide}")
    await world.expect(world.cadre, "厂区停电了", since=since)
    await _no_alerts(world)
