"""Private reports (私信) through the real Application and the emulator."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx
from bot.runtime.process import Runtime
from bot.services.roster.service import RosterService
from storage.unit import Repositories
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import ENTERPRISE, OTHER_ENTERPRISE, World, report


def ticket_number(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found is not None, text
    return int(found.group(1))


async def test_private_report_is_routed_and_followed_privately(world: World) -> None:
    me, since = world.contact, await world.seq()
    in_group = await world.queued(world.group)
    sent = await world.say(me, me, "/report 想咨询融资贴息政策，不便在群里说")
    ack = (await world.expect(me, ACK_MARK, since=since))[0]
    assert ack["reply_to_message_id"] == sent["message_id"]
    assert "陈志远" in ack["text"] and "私信" in ack["text"]
    ticket_id = ticket_number(ack["text"])
    notice = (await world.expect(world.cadre, "新工单", since=since))[0]
    assert "来源：私信" in notice["text"] and ENTERPRISE in notice["text"]
    assert "想咨询融资贴息政策" in notice["text"]
    # Nothing of it reaches the enterprise's group (queued with the ack, if it were owed).
    assert await world.queued(world.group) == in_group

    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.expect(me, "签收", since=since)
    await world.say(world.cadre, world.cadre, f"/progress {ticket_id} 已对接财政局")
    await world.expect(me, "已对接财政局", since=since)
    await world.say(world.cadre, world.cadre, f"/resolve {ticket_id} 已申报贴息")
    rating = (await world.expect(me, "问题是否已解决", since=since))[0]
    await world.client.press_button(me, rating["message_id"], me, f"t:rs:{ticket_id}:solved")
    await world.expect(me, "是否满意", since=since)
    await world.client.press_button(
        me, rating["message_id"], me, f"t:rate:{ticket_id}:solved:satisfied"
    )
    await world.expect(me, "感谢", since=since)
    assert await world.queued(world.group) == in_group

    # A hashtag message and a captioned photo, sent privately, are reports too.
    await world.say(me, me, "#求助 员工班车停运了")
    second = (await world.expect(me, ACK_MARK, since=since, count=2))[-1]
    photo = await world.client.send_photo(me, me, caption="厂区门口路灯坏了")
    third = (await world.expect(me, ACK_MARK, since=since, count=3))[-1]
    assert third["reply_to_message_id"] == photo["message_id"]
    await world.say(me, me, f"/ticket {ticket_number(third['text'])}")
    card = (await world.expect(me, "附件：1 个", since=since))[0]
    assert "路灯坏了" in card["text"] and ticket_number(second["text"]) == ticket_id + 1

    # The ledger counts it like any ticket and marks it 私信.
    services = world.runtime.services
    today = services.ledger.today()
    ledger = await services.ledger.ledger(None, today, today)
    assert ledger.park.received == 3
    book = load_workbook(
        io.BytesIO(ledger_xlsx(ledger, Translator("zh_CN"), services.settings.park.tz))
    )
    sheet = book["问题台账"]
    header = [c.value for c in sheet[2]]  # row 1 is the title
    channel = header.index("来源")
    assert [row[channel].value for row in sheet.iter_rows(min_row=3)] == ["私信"] * 3


async def test_stranger_is_told_how_to_get_bound(world: World) -> None:
    since = await world.seq()
    for text in ("/report 厂房漏水", "#诉求 厂房漏水"):
        await world.say(world.stranger, world.stranger, text)
    refusals = await world.expect(world.stranger, "尚未绑定企业", since=since, count=2)
    assert all("邀请链接" in m["text"] for m in refusals)
    # No ticket was made: the next report anywhere is #1.
    await world.say(world.contact, world.contact, "/report 试一下")
    ack = (await world.expect(world.contact, ACK_MARK, since=since))[0]
    assert ticket_number(ack["text"]) == 1


async def test_contact_of_two_enterprises_picks_one_after_a_restart(
    world: World, tmp_path: Path
) -> None:
    await contact_of_both(world, tmp_path)
    me, since = world.contact, await world.seq()
    sent = await world.say(me, me, "/report 两家共用的污水管道堵了")
    choice = (await world.expect(me, "请选择本问题所属的企业", since=since))[0]
    buttons = [b for row in choice["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == [ENTERPRISE, OTHER_ENTERPRISE]

    # The held report is in the database: a restart does not lose the choice.
    old = world.runtime
    await old.stop()
    world.runtime = Runtime(old.settings)
    await world.runtime.start()
    old.stop = world.runtime.stop  # type: ignore[method-assign]

    # An enterprise the contact is not bound to is refused on the server, and so is a stranger.
    before = await world.answers()
    third = await services_enterprise_id(world, "海澄恒通电子有限公司")
    await world.client.press_button(
        me, choice["message_id"], me, f"r:{sent['message_id']}:{third}", forge=True
    )
    assert "不是该企业的联系人" in (await world.answer(before))["text"]
    other = buttons[1]["callback_data"]
    await world.client.press_button(me, choice["message_id"], world.stranger, other, forge=True)
    assert "按钮已失效" in (await world.answer(before + 1))["text"]

    await world.client.press_button(me, choice["message_id"], me, other)
    ack = (await world.expect(me, ACK_MARK, since=since))[0]
    assert "王晓峰" in ack["text"]
    notice = (await world.expect(world.other_cadre, "新工单", since=since))[0]
    assert OTHER_ENTERPRISE in notice["text"] and "污水管道" in notice["text"]
    before = await world.answers()
    await world.client.press_button(me, choice["message_id"], me, buttons[0]["callback_data"])
    assert f"#{ticket_number(ack['text'])}" in (await world.answer(before))["text"]


async def contact_of_both(world: World, tmp_path: Path) -> None:
    """List `world.contact` under both enterprises in the roster, as an admin would."""
    services = world.runtime.services
    roster = tmp_path / "enterprises.csv"
    roster.write_text(
        "企业名称,包联干部,联系人TelegramID\n"
        f"{ENTERPRISE},陈志远,{world.contact}\n"
        f"{OTHER_ENTERPRISE},王晓峰,{world.contact}\n",
        encoding="utf-8",
    )
    await RosterService(Repositories(services.db), services.clock).import_files([roster])


async def services_enterprise_id(world: World, name: str) -> int:
    services = world.runtime.services
    async with services.db.transaction():
        found = await services.db.fetchval("SELECT id FROM enterprises WHERE name = ?", (name,))
    return int(found)


async def test_a_contact_of_two_enterprises_sees_both_privately_and_one_per_group(
    world: World, tmp_path: Path
) -> None:
    await contact_of_both(world, tmp_path)
    # The other enterprise's own contact reports privately: a ticket of the second enterprise.
    since = await world.seq()
    await world.say(world.other_contact, world.other_contact, "/report 厂区道路积水")
    theirs = ticket_number(
        (await world.expect(world.other_contact, ACK_MARK, since=since))[0]["text"]
    )
    mine, _ = await report(world, "#诉求 食堂网络不通")

    me, since = world.contact, await world.seq()
    await world.say(me, me, "/mytickets")
    listing = (await world.expect(me, "本企业的工单", since=since))[0]["text"]
    assert f"#{theirs}" in listing and f"#{mine}" in listing
    await world.say(me, me, f"/ticket {theirs}")
    await world.expect(me, "厂区道路积水", since=since)
    # In the first enterprise's group only that enterprise's tickets are listed.
    since = await world.seq()
    await world.say(world.group, me, "/mytickets")
    in_group = (await world.expect(world.group, "本企业的工单", since=since))[0]["text"]
    assert f"#{mine}" in in_group and f"#{theirs}" not in in_group
