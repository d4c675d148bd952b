"""The dispatcher: one route per outcome type, and messages that commit or roll back together
with the change that caused them."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bot.domain
import bot.services
from bot.clock import FixedClock
from bot.domain.lifecycle import Status
from bot.domain.outcomes import Outcome
from bot.notify import dispatch
from bot.notify.dispatch import Dispatcher, Notifiers, Route, UnroutedOutcome
from storage.db import Database
from tests.story import Story, park


def outcome_types() -> set[type[Outcome]]:
    """Every outcome type the bot defines (outcomes live in the domain and the services)."""
    for package in (bot.domain, bot.services):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    found: set[type[Outcome]] = set()
    stack = [Outcome]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("bot."):
                found.add(sub)
    return found


async def story_of(db: Database, clock: FixedClock) -> Story:
    clock.set(park(23, 9))
    return await Story.open(db, clock, cadres=["陈志远"])


async def test_every_outcome_type_has_exactly_one_route(db: Database, clock: FixedClock) -> None:
    story = await story_of(db, clock)
    routed = [line.outcome for line in story.services.dispatcher.routes]
    assert len(routed) == len(set(routed)), "an outcome type is routed twice"
    assert set(routed) == outcome_types()


async def test_a_second_route_for_a_type_is_refused(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = await story_of(db, clock)
    table = story.services.dispatcher.routes

    def doubled(notifiers: Notifiers) -> list[Route]:
        return [*table, table[0]]

    monkeypatch.setattr(dispatch, "routes", doubled)
    with pytest.raises(ValueError, match="routed twice"):
        Dispatcher().connect(Notifiers(*[None] * 6))  # type: ignore[arg-type]


async def test_an_outcome_without_a_route_fails_loudly(db: Database, clock: FixedClock) -> None:
    class Stray(Outcome):
        pass

    story = await story_of(db, clock)
    with pytest.raises(UnroutedOutcome, match="Stray"):
        await story.services.dispatcher.publish(Stray())
    with pytest.raises(UnroutedOutcome, match="not connected"):
        await Dispatcher().publish(Stray())


class Boom(Exception):
    pass


async def purposes(db: Database) -> list[str]:
    async with db.transaction():
        rows = await db.fetchall("SELECT purpose FROM outbox ORDER BY id")
    return [str(r[0]) for r in rows]


async def test_a_rolled_back_change_drops_its_messages(db: Database, clock: FixedClock) -> None:
    story = await story_of(db, clock)
    ticket = story.report("陈志远", park(23, 9, 30))
    await story.play()
    services = story.services
    cadre = await story.cadre_actor("陈志远")
    # An update that claims the ticket and then fails: the intake rolls the whole update back.
    with pytest.raises(Boom):
        async with db.transaction():
            await services.tickets.work.claim(cadre, ticket.id)
            raise Boom
    assert "claimed" not in await purposes(db)
    assert (await services.tickets.core.view_of(ticket.id)).ticket.status is Status.NEW
    # A claim in a savepoint that fails, inside an update that commits: its notice goes too.
    async with db.transaction():
        with pytest.raises(Boom):
            async with db.transaction():
                await services.tickets.work.claim(cadre, ticket.id)
                raise Boom
    assert "claimed" not in await purposes(db)
    # The same claim committed: the claim and the enterprise's notice are both there.
    await services.tickets.work.claim(cadre, ticket.id)
    assert (await purposes(db)).count("claimed") == 1
    assert (await services.tickets.core.view_of(ticket.id)).ticket.status is Status.CLAIMED


async def test_notices_queue_at_commit_after_the_handlers_own_reply(
    db: Database, clock: FixedClock
) -> None:
    """In the change's transaction, but last: the actor's reply comes before the notices."""
    story = await story_of(db, clock)
    ticket = story.report("陈志远", park(23, 9, 30))
    await story.play()
    services = story.services
    cadre = await story.cadre_actor("陈志远")
    async with db.transaction():
        await services.tickets.work.claim(cadre, ticket.id)
        assert "claimed" not in await purposes(db)  # not yet: it is queued at the commit
        await services.outbox.send_message(cadre.telegram_id or 0, "ok", purpose="reply")
    queued = await purposes(db)
    assert queued.index("reply") < queued.index("claimed")
