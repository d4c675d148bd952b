"""One conversation engine runs /job, /truck and /cargo: stored as it moves, checked alike.

Through the real services on a story's park (`tests/story.py`): the contact of 陈志远's
enterprise may post jobs and logistics.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.config import load_settings
from bot.domain.logistics import Draft
from bot.errors import InvalidInput
from bot.services.recruiting.dialogue import DraftState
from bot.wiring.bot import build_services
from storage.db import Database
from tests.story import Story

CADRE = "陈志远"


@pytest.fixture
async def story(db: Database, clock: FixedClock) -> Story:
    return await Story.open(db, clock, cadres=[CADRE])


async def test_one_open_per_user_and_topic(story: Story) -> None:
    services = story.services
    contact = await story.actor(Story.contact_tg(0))
    jobs, logistics = services.job_conversations, services.logistics_conversations
    await jobs.start(contact, "job")
    await logistics.start(contact, "cargo")
    await logistics.start(contact, "truck")  # replaces the unfinished cargo
    truck = await logistics.current(contact)
    assert isinstance(truck, Draft) and (truck.kind, truck.step) == ("truck", "route")
    job = await jobs.current(contact)
    assert isinstance(job, DraftState) and job.step == "position"  # a /job stays beside it
    assert await jobs.cancel(contact)
    assert await jobs.current(contact) is None
    assert await logistics.current(contact) is not None
    assert not await jobs.cancel(contact)


async def test_a_press_for_another_question_changes_nothing(story: Story) -> None:
    services = story.services
    contact = await story.actor(Story.contact_tg(0))
    jobs, logistics = services.job_conversations, services.logistics_conversations
    await jobs.start(contact, "job")
    await logistics.start(contact, "truck")
    with pytest.raises(InvalidInput, match=r"jobs\.err_stale_button"):
        await jobs.press(contact, "validity", 30)
    with pytest.raises(InvalidInput, match=r"logistics\.stale_step"):
        await logistics.press(contact, "vehicle", "box")
    job, truck = await jobs.current(contact), await logistics.current(contact)
    assert isinstance(job, DraftState) and job.step == "position" and job.data == {}
    assert isinstance(truck, Draft) and truck.step == "route" and truck.data == {}


async def test_answers_need_an_open_conversation(story: Story) -> None:
    services = story.services
    contact = await story.actor(Story.contact_tg(0))
    with pytest.raises(InvalidInput, match=r"jobs\.err_no_draft"):
        await services.job_conversations.answer(contact, "焊工")
    with pytest.raises(InvalidInput, match=r"logistics\.no_draft"):
        await services.logistics_conversations.answer(contact, "海门 常州")


async def test_a_restart_mid_way_continues(db: Database, clock: FixedClock, story: Story) -> None:
    contact = await story.actor(Story.contact_tg(0))
    await story.services.job_conversations.start(contact, "job")
    await story.services.job_conversations.answer(contact, "焊工")
    await story.services.logistics_conversations.start(contact, "truck")
    await story.services.logistics_conversations.answer(contact, "海门 常州")
    # A new process: every service built again on the same database, nothing carried over.
    again = build_services(load_settings(None, storage={"path": ":memory:"}), db, clock)
    job = await again.job_conversations.answer(contact, "3")
    assert isinstance(job, DraftState) and job.step == "pay"
    assert job.data == {"position": "焊工", "headcount": 3}
    truck = await again.logistics_conversations.current(contact)
    assert isinstance(truck, Draft) and truck.step == "date"
    assert truck.data["origin"] == "海门" and truck.data["destination"] == "常州"


async def test_idle_conversations_are_forgotten_by_their_own_dialogue(story: Story) -> None:
    services, clock = story.services, story.clock
    contact = await story.actor(Story.contact_tg(0))
    await services.job_conversations.start(contact, "job")
    await services.logistics_conversations.start(contact, "cargo")
    clock.advance(timedelta(hours=25))  # past [logistics] draft_valid_hours (24)
    assert await services.logistics_conversations.purge_stale() == 1
    assert await services.job_conversations.purge_stale() == 0
    assert await services.job_conversations.current(contact) is not None
    clock.advance(timedelta(days=7))
    assert await services.job_conversations.purge_stale() == 1
    assert await services.job_conversations.current(contact) is None
