"""ForceReply prompts keep what they ask for in their own table, not in the outbox.

The outbox is a queue: its sent rows are purged after `[delivery] sent_retention_days`. A prompt
asked within that time is still answered after the purge, because its purpose lives in
`prompts` (written when it is queued, given its message id when it is sent).
"""

from __future__ import annotations

from datetime import timedelta

from tests.handlers.world import World, report


async def test_a_prompt_is_answered_after_the_outbox_forgot_it(world: World) -> None:
    ticket_id, notice = await report(world)
    since = await world.seq()
    await world.client.press_button(
        world.cadre, notice["message_id"], world.cadre, f"t:claim:{ticket_id}"
    )
    claimed = await world.expect(world.cadre, "已签收工单", since=since)
    await world.client.press_button(
        world.cadre, claimed[0]["message_id"], world.cadre, f"t:prog:{ticket_id}"
    )
    prompt = (await world.expect(world.cadre, "请回复本条消息", since=since))[0]
    await world.settled()  # the prompt's sent mark (and its message id) is written
    services = world.runtime.services
    assert services is not None
    # The queue drops what it delivered; the prompt's own row stays for the retention.
    assert await services.outbox.purge_sent(timedelta(0)) > 0
    await world.say(
        world.cadre, world.cadre, "已联系供电所", reply_to_message_id=prompt["message_id"]
    )
    await world.expect(world.cadre, f"#{ticket_id} 的办理进展已记录", since=since)


async def test_a_reply_to_another_bot_message_is_no_answer(world: World) -> None:
    ticket_id, notice = await report(world)
    since = await world.seq()
    await world.client.press_button(
        world.cadre, notice["message_id"], world.cadre, f"t:claim:{ticket_id}"
    )
    claimed = (await world.expect(world.cadre, "已签收工单", since=since))[0]
    await world.settled()
    await world.say(world.cadre, world.cadre, "已恢复", reply_to_message_id=claimed["message_id"])
    # Updates are handled in order: once /ticket is answered, the reply before it was handled.
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")
    await world.expect(world.cadre, "办理记录", since=since)
    texts = await world.outbox_texts(world.cadre)
    assert not any("办理进展已记录" in text or "已办结" in text for text in texts)
