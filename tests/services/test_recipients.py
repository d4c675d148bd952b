"""What the notifiers read about a recipient: whether a cadre can be written to privately, and
in which language (one read of both)."""

from __future__ import annotations

from bot.clock import FixedClock, to_iso
from bot.domain.models import Cadre
from bot.services.people import PeopleService
from bot.services.recipients import PrivateChat, Recipients
from storage.db import Database
from storage.unit import Repositories


async def test_private_chat_is_the_reachable_chat_with_its_language(
    db: Database, clock: FixedClock
) -> None:
    repos = Repositories(db)
    people = PeopleService(repos, clock, config_admins=[])
    recipients = Recipients(repos)
    async with db.transaction():
        ids = [
            await repos.cadres.upsert_cadre(
                name=name, phone=None, role="cadre", telegram_id=tg, now=to_iso(clock.now())
            )
            for name, tg in (("甲", 31), ("乙", 32), ("丙", 33), ("丁", None))
        ]
        cadres: list[Cadre] = []
        for cadre_id in ids:
            cadre = await repos.cadres.cadre(cadre_id)
            assert cadre is not None
            cadres.append(cadre)
    await people.seen(31, "甲", None, private=True)
    await people.set_locale(31, "en")
    await people.seen(32, "乙", None, private=False)  # seen in a group only
    # 丙 was never seen; 丁 has no Telegram account.

    found = [await recipients.private_chat(c) for c in [*cadres, None]]
    assert found == [PrivateChat(31, "en"), None, None, None, None]
    assert [await recipients.reachable(c) for c in cadres] == [31, None, None, None]
    await people.seen(32, "乙", None, private=True)  # opened the bot since
    assert await recipients.private_chat(cadres[1]) == PrivateChat(32, None)
