"""Accounts and chats that change under the bot: invitations to bound accounts, a group
upgraded to a supergroup, a group that kicks the bot and takes it back.
"""

from __future__ import annotations

from tests.e2e.harness import ACK_MARK
from tests.handlers.world import ENTERPRISE, OTHER_ENTERPRISE, TOKEN, World

BOT_ID = int(TOKEN.split(":")[0])


async def start_admin(world: World) -> None:
    """The admin opens a private chat with the bot (to receive notices)."""
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")
    await world.expect(world.admin, "/bind", since=since)


async def fence(world: World) -> None:
    """Updates and each chat's messages go in order: once this is answered, all before are."""
    since = await world.seq()
    await world.say(world.admin, world.admin, "/help")
    await world.expect(world.admin, "/bind", since=since)


async def test_invites_never_take_over_a_bound_account(world: World) -> None:
    services = world.runtime.services
    await start_admin(world)
    since = await world.seq()
    # A bound cadre opens another cadre's invitation: refused, nothing moves.
    cadre_link = await services.onboarding.invite("cadre", "张海涛")
    await world.say(world.cadre, world.cadre, f"/start {cadre_link.payload}")
    await world.expect(world.cadre, "已绑定为干部“陈志远”", since=since)
    # A cadre, or another enterprise's contact, opens an enterprise invitation: refused.
    for user in (world.cadre, world.other_contact):
        link = await services.onboarding.invite("enterprise", ENTERPRISE)
        await world.say(user, user, f"/start {link.payload}")
    await world.expect(world.other_contact, f"已是企业“{OTHER_ENTERPRISE}”的联系人", since=since)
    await world.expect(world.cadre, "不能再通过邀请绑定", since=since, count=2)
    notices = await world.expect(world.admin, "链接已作废", since=since, count=3)
    assert "张海涛" in notices[0]["text"] and ENTERPRISE in notices[2]["text"]
    cadre = await services.people.actor(world.cadre)
    assert cadre.cadre is not None and cadre.cadre.name == "陈志远"
    assert cadre.enterprise_id is None
    other = await services.people.actor(world.other_contact)
    assert other.cadre is None and other.enterprise_id is not None
    assert (await services.people.actor(world.contact)).enterprise_id != other.enterprise_id
    # The refused link reached the wrong hands: it is void for everyone.
    await world.say(world.stranger, world.stranger, f"/start {cadre_link.payload}")
    await world.expect(world.stranger, "已被使用过", since=since)


async def test_a_group_upgraded_to_a_supergroup_keeps_working(world: World) -> None:
    await start_admin(world)
    old = (await world.client.create_chat("group", title="澄江新材料服务群"))["id"]
    await world.client.add_member(old, world.other_contact, "creator")
    since = await world.seq()
    await world.say(old, world.admin, f"/bind {OTHER_ENTERPRISE}")
    await world.expect(old, "已绑定", since=since)
    # Reported just before the upgrade: the acknowledgement may still be queued for the old id.
    await world.say(old, world.other_contact, "#诉求 仓库屋顶漏水")
    new = (await world.client.upgrade_group(old, world.other_contact))["id"]
    ack = (await world.expect(new, ACK_MARK, since=since))[0]
    assert "#1" in ack["text"] and ack["reply_to_message_id"] is None
    # The binding moved: reports in the supergroup are tickets, notices about old ones go there.
    await world.say(new, world.other_contact, "#诉求 园区路灯不亮")
    await world.expect(new, "#2", since=since)
    await world.say(world.other_cadre, world.other_cadre, "/claim 1")
    await world.say(world.other_cadre, world.other_cadre, "/progress 1 已安排维修")
    await world.expect(new, "已安排维修", since=since)
    await fence(world)
    told = [m for m in await world.client.sent(world.admin, since) if "升级为超级群" in m["text"]]
    assert len(told) == 1 and str(new) in told[0]["text"]
    assert await world.runtime.services.onboarding.binding(old) is None


async def test_a_delivery_failure_alerts_again_after_a_success(world: World) -> None:
    await start_admin(world)
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 厂区停电")
    await world.expect(world.group, ACK_MARK, since=since)
    await world.say(world.cadre, world.cadre, "/claim 1")
    await world.expect(world.cadre, "已签收工单", since=since)
    for round_, note in enumerate(("第一次进展", "第二次进展"), start=1):
        await world.client.add_member(world.group, BOT_ID, "kicked")
        await world.say(world.cadre, world.cadre, f"/progress 1 {note}")
        await world.expect(world.admin, "无法向群组", since=since, count=round_)
        # Taken back into the group: the next notice arrives, and that re-arms the alert.
        await world.client.add_member(world.group, BOT_ID, "member")
        await world.say(world.cadre, world.cadre, f"/progress 1 {note}（补发）")
        await world.expect(world.group, f"{note}（补发）", since=since)
    await fence(world)
    alerts = [m for m in await world.client.sent(world.admin, since) if "无法向群组" in m["text"]]
    assert len(alerts) == 2
