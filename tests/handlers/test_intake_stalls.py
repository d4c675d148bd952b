"""No update stalls the running bot: one that can neither be handled nor answered (its chat's id
fits no database column, so even the apology cannot be stored) is quarantined, the admins told;
the start-up replay does not stop the process over it, and the reports after it are answered.

Before, such an update stayed pending at the head of the line, tried every second; nothing after
it was handled, and the replay at start raised, so the process exited on every restart.
"""

from __future__ import annotations

import time

from bot.runtime.process import Runtime
from storage.open import open_database
from storage.repos.queues import InboxRepo
from tests.handlers.world import World, report

BEYOND_INT64 = 2**64


async def test_an_unanswerable_update_neither_stops_the_start_nor_blocks_the_line(
    world: World,
) -> None:
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")  # the admin opens a private chat
    await world.expect(world.admin, "", since=since)
    old = world.runtime
    await old.stop()
    # Stored as the poller stores what Telegram sends (the emulator makes no such chat).
    poison = {
        "update_id": 10**9,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": BEYOND_INT64, "type": "supergroup", "title": "群"},
            "from": {"id": world.stranger, "is_bot": False, "first_name": "陌生人"},
            "text": "#诉求 厂区停电了",
            "entities": [{"type": "hashtag", "offset": 0, "length": 3}],
        },
    }
    db = open_database(old.settings.storage.database_url)
    await db.connect()
    try:
        async with db.transaction():
            assert await InboxRepo(db).add(poison, old.clock.now())
    finally:
        await db.close()

    since = await world.seq()
    world.runtime = Runtime(old.settings)
    await world.runtime.start()  # replays the inbox first: it must not raise
    old.stop = world.runtime.stop  # type: ignore[method-assign]

    await world.expect(world.admin, "已隔离", since=since)
    services = world.runtime.services
    assert services is not None
    async with services.db.transaction():
        quarantined = await InboxRepo(services.db).failures(status="quarantined")
    assert [failure.update_id for failure in quarantined] == [10**9]
    await report(world)  # the line moved on
