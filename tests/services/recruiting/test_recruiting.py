"""Job posts on a real in-memory database: conversation, publish, paging, owners, expiry, counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock, to_iso
from bot.config import load_settings
from bot.context import Services
from bot.domain.models import Actor
from bot.domain.recruiting import JobStatus, WordingRefused
from bot.errors import InvalidInput, InvalidTransition, NotAllowed
from bot.runtime.schedule import sweep_jobs
from bot.wiring.bot import build_services
from storage.db import Database
from storage.repos import exchange_stats
from storage.repos.cadres import CadreRepo
from storage.repos.chats import ChatRepo
from storage.repos.enterprises import EnterpriseRepo
from storage.repos.users import UserRepo

CHANNEL, JOBS_GROUP = -5001, -5002
ADMIN_TG, CADRE_TG, OTHER_CADRE_TG, CONTACT_TG, OTHER_CONTACT_TG, STRANGER_TG = 1, 3, 4, 10, 12, 99
FORM = (
    "岗位=普工；人数=１０；薪资=5000－7000元/月；要求=18-45岁，性别不限；内容=装配；"
    "地点=二号厂房；有效期=7；联系=王先生 13800000000"
)


@pytest.fixture
async def services(db: Database, clock: FixedClock) -> Services:
    cadres, enterprises, users = CadreRepo(db), EnterpriseRepo(db), UserRepo(db)
    chats, now = ChatRepo(db), to_iso(clock.now())
    async with db.transaction():
        cadre = await cadres.upsert_cadre(
            name="陈志远", phone=None, role="cadre", telegram_id=CADRE_TG, now=now
        )
        other = await cadres.upsert_cadre(
            name="王晓峰", phone=None, role="cadre", telegram_id=OTHER_CADRE_TG, now=now
        )
        first = await enterprises.upsert_enterprise(
            name="海澄精工", credit_code=None, industry=None, grid=None, now=now
        )
        second = await enterprises.upsert_enterprise(
            name="澄江新材", credit_code=None, industry=None, grid=None, now=now
        )
        await enterprises.set_assignment(first, cadre, None, now)
        await enterprises.set_assignment(second, other, None, now)
        await enterprises.bind_contact(CONTACT_TG, first, "roster", now)
        await enterprises.bind_contact(OTHER_CONTACT_TG, second, "roster", now)
        for user in (CONTACT_TG, CADRE_TG):
            await users.touch_user(user, "u", None, now, private_chat=True)
        await chats.bind(
            JOBS_GROUP, kind="jobs", enterprise_id=None, title="j", bound_by=1, now=clock.now()
        )
    settings = load_settings(
        None, park={"admins": [ADMIN_TG]}, jobs={"channels": [CHANNEL], "page_size": 2}
    )
    return build_services(settings, db, clock)


async def actor(services: Services, telegram_id: int) -> Actor:
    return await services.people.actor(telegram_id)


async def publish(services: Services, telegram_id: int = CONTACT_TG, form: str = FORM) -> int:
    who = await actor(services, telegram_id)
    state = await services.job_conversations.start(who, "job", form=form)
    assert state.step == "confirm"  # a complete one-line form asks nothing more
    confirmed = await services.job_conversations.confirm(who)  # its cards are queued with it
    return confirmed.view.post.id


async def outbox(db: Database, purpose: str) -> list[tuple[int, dict]]:
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT chat_id, params FROM outbox WHERE purpose = ? ORDER BY id", (purpose,)
        )
    return [(int(r[0]), json.loads(r[1])) for r in rows]


async def test_guided_steps_then_publish_to_channel_and_bound_group(services: Services) -> None:
    who = await actor(services, CONTACT_TG)
    drafts = services.job_conversations
    state = await drafts.start(who, "job")
    assert state.step == "position" and state.employer == "海澄精工"
    for text in ("焊工", "3"):
        state = await drafts.answer(who, text)
    state = await drafts.answer(who, "6000")
    assert state.step == "pay_unit"
    with pytest.raises(InvalidInput, match="err_stale_button"):
        await drafts.press(who, "validity", 30)  # a button of a later step
    state = await drafts.press(who, "pay_unit", "month")
    for text in ("持证", "焊接", "三号厂房"):
        state = await drafts.answer(who, text)
    with pytest.raises(InvalidInput, match="err_validity"):
        await drafts.answer(who, "120")
    state = await drafts.press(who, "validity", 30)
    state = await drafts.answer(who, "13800000000")
    state = await drafts.press(who, "shift", "1")
    state = await drafts.answer(who, "包吃住")
    assert state.step == "confirm" and state.data["shift"] == "两班倒"
    confirmed = await drafts.confirm(who)
    assert [chat.chat_id for chat in confirmed.chats] == [CHANNEL, JOBS_GROUP]
    cards = await outbox(services.db, "job_card")
    assert [c[0] for c in cards] == [CHANNEL, JOBS_GROUP]
    assert "焊工" in cards[0][1]["text"] and "6000 元/月" in cards[0][1]["text"]
    assert await drafts.current(who) is None


async def test_wording_refused_and_nothing_saved(services: Services) -> None:
    who = await actor(services, CONTACT_TG)
    with pytest.raises(WordingRefused) as caught:
        await services.job_conversations.start(
            who, "job", form=FORM.replace("性别不限", "仅限男性，高薪")
        )
    assert set(caught.value.found) == {"sex", "bait"}
    assert await services.job_conversations.current(who) is None


async def test_cadre_names_the_enterprise_and_only_its_own(services: Services) -> None:
    cadre = await actor(services, CADRE_TG)
    state = await services.job_conversations.start(cadre, "job")
    assert state.step == "employer" and [e.name for e in state.choices] == ["海澄精工"]
    with pytest.raises(NotAllowed):
        await services.job_conversations.answer(cadre, "澄江新材")
    with pytest.raises(NotAllowed):
        await services.job_conversations.start(cadre, "job", form="企业=澄江新材；" + FORM)
    state = await services.job_conversations.start(cadre, "job", form="企业=海澄精工；" + FORM)
    assert state.employer == "海澄精工"
    stranger = await actor(services, STRANGER_TG)
    with pytest.raises(NotAllowed):
        await services.job_conversations.start(stranger, "job")


async def test_paging_and_keyword(services: Services, clock: FixedClock) -> None:
    for n in range(5):
        await publish(services, form=FORM.replace("普工", f"普工{n}"))
        clock.advance(timedelta(minutes=1))
    await publish(services, form=FORM.replace("普工", "叉车司机"))
    first = await services.recruiting.page("", 0)
    assert (first.total, first.pages) == (6, 3)
    assert first.views[0].post.fields.position == "叉车司机"
    last = await services.recruiting.page("", 99)  # clamped, never an error
    assert last.page == 2 and [v.post.fields.position for v in last.views] == ["普工1", "普工0"]
    found = await services.recruiting.page("叉车", 0)
    assert found.total == 1
    assert (await services.recruiting.page("100%_", 0)).total == 0


async def test_only_owners_edit_fill_withdraw(services: Services) -> None:
    post_id = await publish(services)
    other = await actor(services, OTHER_CONTACT_TG)
    other_cadre = await actor(services, OTHER_CADRE_TG)
    for who in (other, other_cadre):
        with pytest.raises(NotAllowed):
            await services.recruiting.withdraw(who, post_id)
        with pytest.raises(NotAllowed):
            await services.recruiting.fill(who, post_id)
        with pytest.raises(NotAllowed):
            await services.job_conversations.start(who, "job", edit=post_id)
        with pytest.raises(NotAllowed):
            await services.recruiting.report_hired(who, post_id, 2)
    cadre = await actor(services, CADRE_TG)  # the enterprise's 包联 cadre owns it too
    state = await services.job_conversations.start(cadre, "job", edit=post_id)
    assert state.step == "confirm"
    await services.job_conversations.reopen(cadre, "headcount")
    state = await services.job_conversations.answer(cadre, "20")
    edited = await services.job_conversations.confirm(cadre)
    assert edited.edited and edited.view.post.fields.headcount == 20
    view = await services.recruiting.fill(await actor(services, CONTACT_TG), post_id)
    assert view.post.status is JobStatus.FILLED
    with pytest.raises(InvalidTransition):
        await services.recruiting.withdraw(cadre, post_id)
    view = await services.recruiting.report_hired(cadre, post_id, 4)
    assert view.post.hired == 4


async def test_expiry_notice_once_then_expire_and_week_counts(
    services: Services, clock: FixedClock, db: Database
) -> None:
    post_id = await publish(services)  # Wed 25 Nov, 7 days: valid through 2 Dec
    view = await services.recruiting.view(post_id)
    assert view.post.expires_at == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 3 Dec 00:00 +8
    assert await sweep_jobs(services) == (0, 0)
    clock.set(datetime(2026, 11, 29, 15, 59, tzinfo=UTC))  # 3 days and a minute before
    assert await sweep_jobs(services) == (0, 0)
    clock.advance(timedelta(minutes=2))
    assert await sweep_jobs(services) == (0, 1)
    assert await sweep_jobs(services) == (0, 0)  # told once
    notices = await outbox(db, "job_notice")
    assert [n[0] for n in notices] == [CONTACT_TG] and "12月2日" in notices[0][1]["text"]
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    assert await sweep_jobs(services) == (1, 0)
    assert (await services.recruiting.view(post_id)).post.status is JobStatus.EXPIRED
    assert (await services.recruiting.page("", 0)).total == 0
    await services.recruiting.report_hired(await actor(services, CONTACT_TG), post_id, 3)
    async with db.transaction():
        week = await exchange_stats.week_counts(
            db, datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)
        )
    assert week["jobs_published"] == 1 and week["jobs_expired"] == 1
    assert week["people_hired"] == 3 and week["jobs_filled"] == 0
