"""What users type never breaks a message: refusals echo it safely, long texts arrive whole."""

from __future__ import annotations

from tests.handlers.world import World, report


async def test_refusals_echo_markup_like_input_literally(world: World) -> None:
    await report(world)
    since = await world.seq()
    cases = [
        (world.cadre, "/ticket <b>", "<b>"),
        (world.cadre, "/transfer 1 <i>张", "找不到干部「<i>张」"),
        (world.cadre, "/truck 海门 常州 4-25 3t 厢式 <6.8m", "<6.8m"),
        (world.contact, "/jobedit <x>", "「<x>」"),  # once escaped by hand, shown as `&lt;x>`
    ]
    for user, text, echoed in cases:
        await world.say(user, user, text)
        await world.expect(user, echoed, since=since)
    await world.say(world.unbound_group, world.admin, "/bind <b>公司")
    await world.expect(world.unbound_group, "<b>公司", since=since)
    # Telegram refused nothing, so the admins were told of no delivery failure.
    await world.settled()
    assert [c for c in await world.client.calls(since_seq=since) if not c["ok"]] == []


async def test_a_long_problem_full_of_ampersands_reaches_the_cadre_whole(world: World) -> None:
    problem = "#诉求 " + "水&电<气>" * 300  # 1,500 characters, 4,000+ once escaped
    ticket_id, _ = await report(world, problem)
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")
    card = (await world.expect(world.cadre, "水&电<气>", since=since))[0]
    assert "水&电<气>" * 300 in card["text"]


async def test_a_report_holding_nul_is_kept_alike_on_both_backends(world: World) -> None:
    """PostgreSQL refused U+0000 in text and the report was lost with an internal error;
    SQLite kept it. On both, the ticket is made with the NUL dropped."""
    ticket_id, notice = await report(world, "#诉求 厂区\x00停电了\x00，请尽快处理")
    assert "请尽快处理" in notice["text"]
    services = world.runtime.services
    assert services is not None
    async with services.db.transaction():
        content = await services.db.fetchval(
            "SELECT content FROM tickets WHERE id = ?", (ticket_id,)
        )
    assert content == "厂区停电了，请尽快处理"
