"""Job posts' messages, without a database: the outcome carries where a new card goes, the
delivered cards to edit in place and the owners' open private chats; the notifier only queues."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.outcomes import Recipient
from bot.domain.outcomes.recruiting import (
    CARD_PURPOSE,
    Card,
    Confirmed,
    JobChanged,
    JobExpired,
    JobExpiring,
)
from bot.domain.recruiting import JobFields, JobPost, JobStatus, JobView
from bot.notify.recruiting import RecruitingNotifier
from tests.notify.recording import RecordingOutbox, voice

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FIELDS = JobFields(
    position="焊工",
    headcount=10,
    pay_min=5000,
    pay_max=7000,
    pay_unit="month",
    requirements="18-45岁",
    content="装配",
    location="二号厂房",
    validity_days=7,
    contact="王先生 13800000000",
)
POST = JobPost(
    id=9,
    enterprise_id=1,
    author_id=301,
    fields=FIELDS,
    status=JobStatus.PUBLISHED,
    hired=0,
    created_at=AT,
    updated_at=AT,
    published_at=AT,
    expires_at=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),  # 3 Dec 00:00 in the park
    closed_at=None,
    expiry_notice_at=None,
)
VIEW = JobView(POST, "海澄精工机械有限公司")
CARDS = (Card(-5001, 41), Card(-5002, 42))


def notifier() -> tuple[RecruitingNotifier, RecordingOutbox]:
    outbox = RecordingOutbox()
    return RecruitingNotifier(voice(outbox)), outbox


async def test_a_new_post_sends_its_card_to_every_target_in_the_park_language() -> None:
    jobs, outbox = notifier()
    await jobs.confirmed(Confirmed(VIEW, chats=(Recipient(-5001), Recipient(-5002))))
    first, second = outbox.calls
    assert [first.chat_id, second.chat_id] == [-5001, -5002]
    assert {first.method, second.method} == {"send_message"}
    assert {first.purpose, second.purpose} == {CARD_PURPOSE} == {"job_card"}
    assert first.text == second.text
    assert "焊工" in first.text and "海澄精工机械有限公司" in first.text


async def test_an_edited_or_changed_post_edits_the_delivered_cards_in_place() -> None:
    jobs, outbox = notifier()
    await jobs.confirmed(Confirmed(VIEW, edited=True, cards=CARDS))
    filled = replace(VIEW, post=replace(POST, status=JobStatus.FILLED))
    await jobs.changed(JobChanged(filled, CARDS))
    edits = outbox.calls
    assert [(c.method, c.chat_id, c.message_id) for c in edits] == [
        ("edit_text", -5001, 41),
        ("edit_text", -5002, 42),
    ] * 2
    assert {c.purpose for c in edits} == {"job_card_edit"}
    assert "已招满" not in edits[0].text and "已招满" in edits[2].text


async def test_owners_are_told_of_expiry_in_their_language_and_the_cards_marked() -> None:
    jobs, outbox = notifier()
    owners = (Recipient(301, "en"), Recipient(302))
    await jobs.expiring(JobExpiring(VIEW, owners))
    expired = replace(VIEW, post=replace(POST, status=JobStatus.EXPIRED))
    await jobs.expired(JobExpired(expired, owners, CARDS[:1]))
    soon_en, soon_zh, gone_en, gone_zh, card = outbox.calls
    assert [c.chat_id for c in (soon_en, soon_zh, gone_en, gone_zh)] == [301, 302, 301, 302]
    assert {c.purpose for c in (soon_en, soon_zh, gone_en, gone_zh)} == {"job_notice"}
    assert soon_en.text.startswith('Your job post #9 "焊工" expires on')
    assert soon_zh.text.startswith("您的招聘信息 #9「焊工」将于") and "12月2日" in soon_zh.text
    assert gone_zh.text == "招聘信息 #9「焊工」已到期下架。"
    assert (card.method, card.chat_id, card.message_id) == ("edit_text", -5001, 41)


async def test_nobody_to_tell_queues_nothing() -> None:
    jobs, outbox = notifier()
    await jobs.expiring(JobExpiring(VIEW))
    await jobs.changed(JobChanged(VIEW))
    assert outbox.calls == []
