"""Who hears of an outcome, as the publishing service resolves it: whether a person can be
written to privately and in which language (one read of both), the cadre of a new ticket or the
desk once an unreachable episode opens, and where an enterprise is answered."""

from __future__ import annotations

from bot.clock import FixedClock, to_iso
from bot.domain.models import Cadre
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.tickets import Created, EnterpriseChat
from bot.services.people import PeopleService
from bot.services.recipients import Recipients
from bot.services.tickets.intake import Report
from storage.db import Database
from storage.unit import Repositories
from tests.story import ADMIN_TG, ORDINARY, Story, park

PARK_GROUP = -1008800
UPGRADED = -1008801


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

    found = [await recipients.private(c.telegram_id if c else None) for c in [*cadres, None]]
    assert found == [Recipient(31, "en"), None, None, None, None]
    await people.seen(32, "乙", None, private=True)  # opened the bot since
    assert await recipients.private(cadres[1].telegram_id) == Recipient(32, None)


async def test_a_new_ticket_carries_its_cadre_or_the_desk_once(
    db: Database, clock: FixedClock
) -> None:
    clock.set(park(23, 9))
    story = await Story.open(db, clock, cadres=["陈志远"])
    services = story.services
    admin = Recipient(ADMIN_TG, None)  # no admin chat: each admin privately

    async def report(message_id: int, chat: int = Story.group(0)) -> Created:
        return await services.tickets.intake.report(
            Report(chat, message_id, Story.contact_tg(0), ORDINARY)
        )

    # The cadre never opened a private chat: the desk hears once, then nobody per ticket.
    first, second = await report(1), await report(2)
    assert (first.cadre, first.desk) == (None, (admin,))
    assert (second.cadre, second.desk) == (None, ())
    # Once they open it, the ticket's notice reaches them (and ends the episode).
    await services.people.seen(Story.cadre_tg(0), "陈志远", None, private=True)
    third = await report(3)
    assert (third.cadre, third.desk) == (Recipient(Story.cadre_tg(0), None), ())
    # A ticket nobody 包联s goes to the desk.
    duty = await services.tickets.intake.report(
        Report(Story.group(1), 4, Story.contact_tg(1), ORDINARY)
    )
    assert (duty.route, duty.cadre, duty.desk) == ("duty", None, (admin,))


async def test_the_enterprise_is_answered_in_its_group_or_privately(
    db: Database, clock: FixedClock
) -> None:
    clock.set(park(23, 9))
    story = await Story.open(db, clock, cadres=["陈志远"])
    services = story.services
    recipients = services.tickets.core.recipients
    contact = Story.contact_tg(0)
    admin = await story.actor(ADMIN_TG)
    await services.onboarding.bind(admin, PARK_GROUP, "园区群", "park")

    in_group = (
        await services.tickets.intake.report(Report(Story.group(0), 1, contact, ORDINARY))
    ).view
    in_park = (await services.tickets.intake.report(Report(PARK_GROUP, 2, contact, ORDINARY))).view
    assert await recipients.enterprise_chat(in_group.ticket) == EnterpriseChat(
        Recipient(Story.group(0)), reply_to=1
    )
    # A park-wide group is read by several enterprises: privately once the contact can be.
    assert await recipients.enterprise_chat(in_park.ticket) == EnterpriseChat(
        Recipient(PARK_GROUP), reply_to=2
    )
    await services.people.seen(contact, "刘经理", None, private=True)
    await services.people.set_locale(contact, "en")
    assert await recipients.enterprise_chat(in_park.ticket) == EnterpriseChat(
        Recipient(contact, "en")
    )
    # A private report (私信) is answered privately, always.
    private = await services.private_reports.report(
        Report(contact, 3, contact, ORDINARY, private=True)
    )
    assert isinstance(private, Created)
    assert await recipients.enterprise_chat(private.view.ticket) == EnterpriseChat(
        Recipient(contact, "en")
    )
    # The group became a supergroup: its new id, and nothing there to quote.
    await services.onboarding.follow_migration(Story.group(0), UPGRADED)
    assert await recipients.enterprise_chat(in_group.ticket) == EnterpriseChat(Recipient(UPGRADED))
