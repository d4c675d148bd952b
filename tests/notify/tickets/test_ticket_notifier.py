"""The ticket loop's notifier without a database: each outcome, built by hand with the
recipients its service would resolve, becomes exactly these outbox calls (who, why, in which
language, quoting what), and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.domain.lifecycle import Status
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.tickets import (
    BURST_CARDS,
    BURST_WINDOW,
    AutoClosed,
    Claimed,
    Created,
    EnterpriseChat,
    Progressed,
    Rated,
    ReportsLimited,
    Resolved,
    Transferred,
)
from bot.notify.tickets import TicketNotifier
from tests.notify.tickets.recording import (
    ADMIN_CHAT,
    CADRE_TG,
    GROUP,
    REPORTER,
    RecordingOutbox,
    cadre,
    view,
    voice,
)

ROOT = Path(__file__).resolve().parents[3]
CHEN = cadre()
TO_CHEN = Recipient(CADRE_TG, "en")
DESK = (Recipient(ADMIN_CHAT),)
ADMINS = (Recipient(901, "en"), Recipient(902, None))
IN_GROUP = EnterpriseChat(Recipient(GROUP), reply_to=77)
PRIVATELY = EnterpriseChat(Recipient(REPORTER, "en"))


def notifier(outbox: RecordingOutbox, *, phone: bool = False) -> TicketNotifier:
    return TicketNotifier(voice(outbox), show_cadre_phone=phone)


def test_the_notifiers_read_nothing() -> None:
    """Outcomes carry their recipients: these notifiers import no service, storage or config."""
    for name in ("tickets", "deadlines"):
        path = ROOT / "bot" / "notify" / f"{name}.py"
        modules = [
            node.module or ""
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.ImportFrom)
        ]
        banned = [m for m in modules if m.startswith(("bot.services", "storage", "bot.config"))]
        assert modules and banned == [], (name, banned)


async def test_a_new_ticket_is_a_card_for_its_cadre_in_their_language() -> None:
    outbox = RecordingOutbox()
    await notifier(outbox).created(Created(view(CHEN), "primary", "enterprise", cadre=TO_CHEN))
    [call] = outbox.calls
    assert (call.method, call.chat_id, call.purpose, call.ticket_id) == (
        "send_message",
        CADRE_TG,
        "cadre_notice",
        12,
    )
    assert call.text.startswith("A new ticket <b>#12</b>")
    assert "厂区路灯坏了" in call.text  # the card under the line
    assert call.keyboard and call.reply_to is None
    # No acknowledgement to the reporter: that is the report handler's reply.
    assert outbox.to(GROUP) == [] and outbox.to(REPORTER) == []


async def test_a_burst_goes_to_the_cadres_one_list() -> None:
    outbox = RecordingOutbox()
    created = Created(view(CHEN), "primary", "enterprise", grouped=True, cadre=TO_CHEN)
    await notifier(outbox).created(created)
    [call] = outbox.calls
    assert (call.method, call.chat_id, call.purpose) == ("collect", CADRE_TG, "cadre_grouped")
    assert call.hold == BURST_WINDOW
    assert call.title is not None and f"More than {BURST_CARDS}" in call.title
    assert "#12" in call.text and call.keyboard


async def test_a_ticket_for_the_duty_desk_is_told_to_the_desk() -> None:
    outbox = RecordingOutbox()
    await notifier(outbox).created(Created(view(), "duty", "enterprise", desk=ADMINS))
    assert outbox.where() == [(901, "admin"), (902, "admin")]
    english, chinese = outbox.calls
    assert english.text.startswith("Ticket #12 (海澄精工) has no assigned cadre")
    assert chinese.text.startswith("工单 #12（海澄精工）没有包联干部")
    assert english.keyboard is None and english.ticket_id is None


async def test_an_unreachable_cadre_is_told_to_the_desk_once_an_episode() -> None:
    outbox = RecordingOutbox()
    first = Created(view(CHEN), "primary", "enterprise", desk=DESK)
    await notifier(outbox).created(first)
    assert outbox.where() == [(ADMIN_CHAT, "admin")]
    assert outbox.calls[0].text.startswith("干部陈志远尚未私聊启动机器人")
    # While the episode lasts the service gives no desk: the daily reminder covers the ticket.
    await notifier(outbox).created(Created(view(CHEN), "backup", "park"))
    assert len(outbox.calls) == 1


async def test_the_report_limit_is_told_to_the_desk() -> None:
    outbox = RecordingOutbox()
    limited = ReportsLimited(
        REPORTER, 5, "海澄精工", None, reporter_kind="user", reporter_name="王五", desk=ADMINS
    )
    await notifier(outbox).reports_limited(limited)
    assert outbox.where() == [(901, "admin_report_limit"), (902, "admin_report_limit")]
    english, chinese = outbox.calls
    assert english.text.startswith(f"user 王五 (ID {REPORTER}) has reported 5 problems")
    assert "cadre: park duty desk (unassigned)" in english.text
    assert chinese.text.startswith(f"用户王五（ID {REPORTER}）在一小时内已登记 5 件诉求")


async def test_a_claim_is_told_where_the_enterprise_is_answered() -> None:
    outbox = RecordingOutbox()
    claimed = view(CHEN, status=Status.CLAIMED)
    await notifier(outbox).claimed(Claimed(claimed, IN_GROUP))
    await notifier(outbox, phone=True).claimed(Claimed(claimed, PRIVATELY))
    assert outbox.where() == [(GROUP, "claimed"), (REPORTER, "claimed")]
    in_group, privately = outbox.calls
    assert in_group.reply_to == 77 and privately.reply_to is None
    assert in_group.text.startswith("工单 <b>#12</b> 已由包联干部陈志远")
    assert "13800000000" not in in_group.text
    assert privately.text.startswith("Ticket <b>#12</b> was claimed by the cadre in charge, 陈志远")
    assert "13800000000" in privately.text  # show_cadre_phone
    assert privately.ticket_id == in_group.ticket_id == 12


async def test_progress_resolution_and_the_unrated_close_go_to_the_enterprise() -> None:
    outbox = RecordingOutbox()
    tickets = notifier(outbox)
    moved = EnterpriseChat(Recipient(-100555))  # the group was upgraded: nothing to quote
    await tickets.progressed(Progressed(view(CHEN), "已联系供电所", IN_GROUP))
    await tickets.resolved(Resolved(view(CHEN), "已修好", PRIVATELY))
    await tickets.auto_closed(AutoClosed(view(CHEN), moved, 7))
    assert outbox.where() == [(GROUP, "progress"), (REPORTER, "rating_prompt"), (-100555, "closed")]
    progress, resolved, closed = outbox.calls
    assert progress.text == "工单 <b>#12</b> 办理进展：已联系供电所" and progress.reply_to == 77
    assert resolved.text.startswith("Ticket <b>#12</b> is resolved: 已修好")
    assert resolved.keyboard  # the rating buttons
    assert closed.text.startswith("工单 <b>#12</b> 办结后 7 天内未评价") and closed.reply_to is None


async def test_a_transfer_is_a_card_for_the_receiver_or_the_desk_once() -> None:
    outbox = RecordingOutbox()
    previous = cadre("李四", 603, id=8)
    await notifier(outbox).transferred(Transferred(view(CHEN), previous, TO_CHEN))
    await notifier(outbox).transferred(Transferred(view(CHEN), None, None, DESK))
    await notifier(outbox).transferred(Transferred(view(CHEN), None))  # an episode is open
    assert outbox.where() == [(CADRE_TG, "cadre_notice"), (ADMIN_CHAT, "admin")]
    assert outbox.calls[0].text.startswith("Ticket <b>#12</b> was transferred to you by 李四")


async def test_a_reopen_goes_back_to_its_cadre_or_the_desk() -> None:
    outbox = RecordingOutbox()
    tickets = notifier(outbox)
    rated = {"status": Status.IN_PROGRESS, "solved_rating": "unsolved", "satisfaction": "basic"}
    await tickets.rated(Rated(view(CHEN, **rated), False, TO_CHEN))  # closed: nobody is told
    assert outbox.calls == []
    await tickets.rated(Rated(view(CHEN, **rated), True, TO_CHEN))
    await tickets.rated(Rated(view(None, **rated), True, desk=ADMINS))
    await tickets.rated(Rated(view(CHEN, **rated), True, desk=DESK))  # unreachable, first
    assert outbox.where() == [
        (CADRE_TG, "cadre_notice"),
        (901, "admin"),
        (902, "admin"),
        (ADMIN_CHAT, "admin"),
    ]
    to_cadre, english, chinese, unreachable = outbox.calls
    # The rating is named in the reader's language ...
    assert to_cadre.text.startswith(
        "The enterprise rated ticket <b>#12</b> “Not solved / Mostly satisfied”"
    )
    # ... and, for the desk, in the park's, inside each admin's sentence.
    assert english.text.startswith("Ticket #12 (海澄精工) was rated “未解决")
    assert chinese.text.startswith("工单 #12（海澄精工）被企业评价为「未解决")
    assert unreachable.text.startswith("干部陈志远尚未私聊启动机器人")
