"""The duty desk's notices, without a database: each outcome carries its desk (the admin chat,
or each admin in their language) and the notifier only queues what it says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.models import ChatBinding
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.desk import (
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    InviteTakeover,
    Migrated,
    UpdateQuarantined,
)
from bot.notify.admins import AdminNotifier
from tests.notify.recording import RecordingOutbox, voice

ADMIN_CHAT = -900
ADMINS = (Recipient(11, "en"), Recipient(12))  # no admin chat: each admin, in their language


def notifier() -> tuple[AdminNotifier, RecordingOutbox]:
    outbox = RecordingOutbox()
    return AdminNotifier(voice(outbox)), outbox


async def test_a_delivery_failure_names_the_chat_to_each_admin_in_their_language() -> None:
    admins, outbox = notifier()
    failed = DeliveryFailed(-100, 7, "403: Forbidden", ("group", "一号群"), ADMINS)
    await admins.delivery_failed(failed)
    english, chinese = outbox.calls
    assert (english.chat_id, chinese.chat_id) == (11, 12)
    assert {english.purpose, chinese.purpose} == {"admin_delivery"}
    assert english.text == (
        "A message could not be delivered to group “一号群” (ID -100) (ticket #7): 403: Forbidden"
    )
    assert chinese.text == "无法向群组「一号群」（ID -100）发送消息（工单 #7）：403: Forbidden"


async def test_a_handler_failure_apologises_in_its_chat_and_alerts_the_desk() -> None:
    admins, outbox = notifier()
    failed = HandlerFailed(
        chat=Recipient(-100),
        update_id=42,
        error="KeyError",
        where="handlers/tickets/report.py:10",
        window=timedelta(minutes=10),
        desk=(Recipient(ADMIN_CHAT),),
    )
    await admins.handler_failed(failed)
    apology, alert = outbox.calls
    assert (apology.chat_id, apology.purpose) == (-100, "admin_apology")
    assert apology.text == "抱歉，处理时出现内部错误，已通知管理员。"
    assert (alert.chat_id, alert.purpose) == (ADMIN_CHAT, "admin_error")
    assert "编号 42" in alert.text and "KeyError，位置 handlers/tickets/report.py:10" in alert.text
    assert "10 分钟内不再逐一提醒" in alert.text


async def test_a_counted_failure_only_apologises() -> None:
    admins, outbox = notifier()
    failed = HandlerFailed(None, 42, "KeyError", "x.py:1", timedelta(minutes=10), (), alert=False)
    await admins.handler_failed(failed)
    assert outbox.calls == []
    quarantined = UpdateQuarantined(43, "ValueError", "x.py:2", (), alert=False)
    await admins.update_quarantined(quarantined)
    assert outbox.calls == []


async def test_a_quarantined_update_alerts_only_the_desk() -> None:
    admins, outbox = notifier()
    await admins.update_quarantined(
        UpdateQuarantined(43, "ValueError", "x.py:2", (Recipient(ADMIN_CHAT),))
    )
    (alert,) = outbox.calls
    assert (alert.chat_id, alert.purpose) == (ADMIN_CHAT, "admin_error")
    assert "编号 43" in alert.text and "已隔离" in alert.text


async def test_repeated_failures_replace_the_held_follow_up_until_the_window_closes() -> None:
    admins, outbox = notifier()
    since = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    until = since + timedelta(minutes=10)
    repeated = FailuresRepeated("abc", "KeyError", "x.py:1", 3, since, until, ADMINS)
    await admins.failures_repeated(repeated)
    withdraw, english, chinese = outbox.calls
    assert (withdraw.method, withdraw.purpose) == ("withdraw", "admin_repeat:abc")
    assert [c.chat_id for c in (english, chinese)] == [11, 12]
    assert {english.purpose, chinese.purpose} == {"admin_repeat:abc"}
    assert english.not_before == chinese.not_before == until
    assert "3 more time(s)" in english.text and "又发生 3 次" in chinese.text
    assert "10:00" in chinese.text and "10:10" in chinese.text  # park time, in the text


async def test_a_refused_invitation_and_a_migrated_group_tell_the_desk() -> None:
    admins, outbox = notifier()
    desk = (Recipient(ADMIN_CHAT),)
    await admins.invite_takeover(
        InviteTakeover(555, "小王", "already_cadre", target="王晓峰", bound="陈志远", desk=desk)
    )
    binding = ChatBinding(-200, "enterprise", 1, "海澄精工群")
    await admins.chat_migrated(Migrated(-200, -100200, binding, "海澄精工", 2, desk))
    invite, migrated = outbox.calls
    assert (invite.chat_id, invite.purpose) == (ADMIN_CHAT, "admin_invite")
    assert invite.text.startswith("小王（ID 555）已绑定为干部“陈志远”，又打开了“王晓峰”的邀请链接")
    assert (migrated.chat_id, migrated.purpose) == (ADMIN_CHAT, "admin_migrated")
    assert migrated.text.startswith(
        "群“海澄精工群”（海澄精工）已升级为超级群，群 ID 由 -200 变为 -100200"
    )
    assert "2 条待发消息" in migrated.text


async def test_user_text_in_a_notice_is_escaped_by_the_translator() -> None:
    admins, outbox = notifier()
    failed = DeliveryFailed(5, None, "400: <b>", ("user", "<i>王</i>"), (Recipient(ADMIN_CHAT),))
    await admins.delivery_failed(failed)
    (notice,) = outbox.calls
    assert "&lt;i&gt;王&lt;/i&gt;" in notice.text and "400: &lt;b&gt;" in notice.text
