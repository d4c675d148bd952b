"""A report is its typist's: `/report` as a reply borrows only the replied-to message's text and
files, never its author, through the real Application and the emulator.

The reporter (and, in a park-wide group, the enterprise) is whoever sent the `/report`, checked
exactly as if they had typed the text; the ticket's source is their own message.
"""

from __future__ import annotations

import pytest

from bot.errors import DuplicateTicket
from bot.services.tickets.intake import Report
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import ENTERPRISE, OTHER_ENTERPRISE, World


async def park_group(world: World) -> int:
    """A new supergroup the admin binds as the park-wide group."""
    chat = int((await world.client.create_chat("supergroup", title="园区企业服务群"))["id"])
    since = await world.seq()
    await world.say(chat, world.admin, "/bind park")
    await world.expect(chat, "已绑定", since=since)
    return chat


async def enterprise_id(world: World, name: str) -> int:
    services = world.runtime.services
    async with services.db.transaction():
        found = await services.db.fetchval("SELECT id FROM enterprises WHERE name = ?", [name])
    return int(found)


async def test_a_stranger_replying_report_in_a_park_group_is_refused(world: World) -> None:
    park = await park_group(world)
    since = await world.seq()
    remark = await world.say(park, world.contact, "今天食堂的菜不错")
    await world.say(
        park, world.stranger, "/report 紧急！厂区停电了", reply_to_message_id=remark["message_id"]
    )
    await world.say(park, world.stranger, "/report", reply_to_message_id=remark["message_id"])
    refusals = await world.expect(park, "您还没有绑定企业", since=since, count=2)
    assert all("已登记" not in m["text"] for m in refusals)
    # Neither made a ticket, and nobody was told of one: the next report is #1.
    await world.say(park, world.contact, "#诉求 污水管道堵了")
    ack = (await world.expect(park, ACK_MARK, since=since))[0]
    assert "#1" in ack["text"]
    assert await world.queued(world.cadre, purpose="cadre_notice") == 1


async def test_a_contact_of_b_replying_in_a_park_group_files_for_b(world: World) -> None:
    park = await park_group(world)
    since = await world.seq()
    hello = await world.say(park, world.contact, "大家好")
    command = await world.say(
        park,
        world.other_contact,
        "/report 投诉：园区西门道路积水",
        reply_to_message_id=hello["message_id"],
    )
    ack = (await world.expect(park, ACK_MARK, since=since))[0]
    assert ack["reply_to_message_id"] == command["message_id"]
    assert "王晓峰" in ack["text"]  # B's cadre, not A's
    ticket = (await world.runtime.services.tickets.core.view_of(1)).ticket
    assert (ticket.reporter_id, ticket.enterprise_id) == (
        world.other_contact,
        await enterprise_id(world, OTHER_ENTERPRISE),
    )
    assert ticket.content == "投诉：园区西门道路积水"
    assert ticket.source_message_id == command["message_id"]
    await world.expect(world.other_cadre, "新工单", since=since)

    # Without text of its own, the reply borrows the remark's text, still filed for B.
    await world.say(park, world.other_contact, "/report", reply_to_message_id=hello["message_id"])
    await world.expect(park, "#2", since=since)
    second = (await world.runtime.services.tickets.core.view_of(2)).ticket
    assert (second.reporter_id, second.content) == (world.other_contact, "大家好")
    assert second.enterprise_id == ticket.enterprise_id
    # Every update above is answered, so all they owed is queued: A's cadre heard of nothing.
    assert await world.queued(world.cadre, purpose="cadre_notice") == 0


async def test_a_reply_lends_its_photo_and_document_to_the_typist(world: World) -> None:
    since = await world.seq()
    photo = await world.client.send_photo(world.group, world.stranger, caption="门口路灯坏了")
    document = await world.client.send_document(world.group, world.stranger, "检测报告.pdf")
    await world.say(world.group, world.contact, "/report", reply_to_message_id=photo["message_id"])
    await world.say(
        world.group,
        world.contact,
        "/report 检测报告显示噪声超标",
        reply_to_message_id=document["message_id"],
    )
    await world.expect(world.group, ACK_MARK, since=since, count=2)
    tickets = world.runtime.services.tickets
    first, second = await tickets.core.view_of(1), await tickets.core.view_of(2)
    assert (first.ticket.reporter_id, first.ticket.content) == (world.contact, "门口路灯坏了")
    assert [a.kind for a in first.attachments] == ["photo"]
    assert second.ticket.reporter_id == world.contact
    assert [(a.kind, a.file_name) for a in second.attachments] == [("document", "检测报告.pdf")]
    assert first.enterprise.name == second.enterprise.name == ENTERPRISE


async def test_two_people_replying_to_one_message_make_two_reports(world: World) -> None:
    since = await world.seq()
    remark = await world.say(world.group, world.stranger, "车间三楼漏水")
    mine = await world.say(
        world.group, world.contact, "/report", reply_to_message_id=remark["message_id"]
    )
    theirs = await world.say(
        world.group, world.cadre, "/report", reply_to_message_id=remark["message_id"]
    )
    acks = await world.expect(world.group, ACK_MARK, since=since, count=2)
    assert [a["reply_to_message_id"] for a in acks] == [mine["message_id"], theirs["message_id"]]
    tickets = world.runtime.services.tickets
    reporters = [(await tickets.core.view_of(n)).ticket.reporter_id for n in (1, 2)]
    assert reporters == [world.contact, world.cadre]
    # The same update again (a replay after a crash) is the same message: no second ticket.
    with pytest.raises(DuplicateTicket):
        await tickets.intake.report(
            Report(world.group, mine["message_id"], world.contact, "车间三楼漏水")
        )
