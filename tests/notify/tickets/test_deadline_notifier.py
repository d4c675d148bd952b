"""The deadline half's notifier without a database: reminders, chases, blockers, 督办,
extensions, the brief and the unreachable cadre's daily reminder, each outcome built by hand
with the recipients its service resolves (the admins already in place of whoever they replace).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.briefs import BriefItem
from bot.domain.models import ExtensionRequest, Role
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.deadlines import (
    Brief,
    Chase,
    ExtensionAsked,
    ExtensionDecided,
    Raised,
    Reminder,
    Supervised,
    SweepResult,
    Waiting,
)
from bot.notify.deadlines import MAX_LISTED, DeadlineNotifier
from tests.notify.tickets.recording import (
    ADMIN_CHAT,
    CADRE_TG,
    LEADER_TG,
    NOW,
    RecordingOutbox,
    cadre,
    view,
    voice,
)

CHEN = cadre(leader_id=9)
LEADER = cadre("王主任", LEADER_TG, id=9, role=Role.LEADER)
TO_CHEN = Recipient(CADRE_TG, "en")
TO_LEADER = Recipient(LEADER_TG, None)
DESK = (Recipient(ADMIN_CHAT),)
ADMINS = (Recipient(901, "en"), Recipient(902, None))
REQUEST = ExtensionRequest(5, 12, 7, 3, "等配件", "pending", NOW, None, None)


def notifier(outbox: RecordingOutbox) -> DeadlineNotifier:
    return DeadlineNotifier(voice(outbox))


async def test_a_reminder_goes_to_its_cadre_the_admins_or_the_desk_once() -> None:
    outbox = RecordingOutbox()
    due = NOW + timedelta(hours=2)
    result = SweepResult(
        reminders=[
            Reminder(view(CHEN), "claim", due, to=(TO_CHEN,)),
            Reminder(view(None), "response", due, to=ADMINS),  # nobody assigned
            Reminder(view(CHEN), "resolve", due, desk=DESK),  # unreachable: the desk, once
            Reminder(view(CHEN), "resolve", due),  # while the episode lasts: nobody
        ]
    )
    await notifier(outbox).swept(result)
    assert outbox.where() == [
        (CADRE_TG, "remind"),
        (901, "remind"),
        (902, "remind"),
        (ADMIN_CHAT, "admin"),
    ]
    to_cadre, english, chinese, desk = outbox.calls
    # The due time in the reader's words, then the card with the work buttons.
    assert to_cadre.text.startswith("Please sign ticket <b>#12</b> by 11/23 11:30.")
    assert "厂区路灯坏了" in to_cadre.text and to_cadre.keyboard and to_cadre.ticket_id == 12
    assert english.text.startswith("Please contact the enterprise of ticket <b>#12</b>")
    assert chinese.text.startswith("工单 <b>#12</b> 请在")
    assert desk.text.startswith("干部陈志远尚未私聊启动机器人") and desk.ticket_id is None


async def test_a_first_chase_tells_the_leader_a_second_only_the_cadre() -> None:
    outbox = RecordingOutbox()
    result = SweepResult(
        chases=[
            Chase(view(CHEN), 1, LEADER, to=(TO_CHEN,), to_leader=(TO_LEADER,)),
            Chase(view(CHEN), 2, LEADER, to=ADMINS, to_leader=(TO_LEADER,)),
        ]
    )
    await notifier(outbox).swept(result)
    assert outbox.where() == [
        (CADRE_TG, "chase"),
        (LEADER_TG, "chase"),
        (901, "chase"),
        (902, "chase"),
    ]
    first, to_leader, _, _ = outbox.calls
    assert first.text.startswith("Ticket <b>#12</b> is past its deadline (chase 1).")
    # The leader's line names the cadre as the park writes it, with the 督办 buttons.
    assert to_leader.text.startswith("督办：陈志远的工单 <b>#12</b> 已超过办理期限")
    assert to_leader.keyboard and to_leader.keyboard != first.keyboard


async def test_a_blocker_goes_to_the_desk_and_the_leader_and_fallback_years_to_the_desk() -> None:
    outbox = RecordingOutbox()
    result = SweepResult(
        raised=[
            Raised(view(CHEN), 2, "chases", LEADER, to_leader=(TO_LEADER,), desk=ADMINS),
            Raised(view(CHEN), 2, "reworks", None, desk=ADMINS),  # no leader: the desk only
        ],
        fallback_years=[2027, 2028],
        desk=DESK,
    )
    await notifier(outbox).swept(result)
    assert outbox.where() == [
        (901, "admin"),
        (902, "admin"),
        (LEADER_TG, "escalate"),
        (901, "admin"),
        (902, "admin"),
        (ADMIN_CHAT, "admin"),
        (ADMIN_CHAT, "admin"),
    ]
    english, chinese, leader = outbox.calls[:3]
    # The reason is the park's words in every reader's sentence.
    assert english.text == (
        "Ticket #12 (海澄精工, 陈志远) is on the blocker list (level 2): 逾期两次催办仍未办结."
    )
    assert chinese.text.startswith("工单 #12（海澄精工，陈志远）已列入堵点清单")
    assert leader.text.startswith(
        "工单 <b>#12</b> 已列入堵点清单（2 级督办）：逾期两次催办仍未办结。"
    )
    years = [c.text.split("，")[0] for c in outbox.calls[5:]]
    assert years == ["节假日数据不包含 2027 年", "节假日数据不包含 2028 年"]


async def test_supervision_tells_the_assignee_and_the_leader_given() -> None:
    outbox = RecordingOutbox()
    raised = Raised(view(CHEN), 1, "manual", LEADER, to_leader=(TO_LEADER,))
    await notifier(outbox).supervised(Supervised(raised, by=1, to=(TO_CHEN,)))
    # The leader flagged it themselves: the service gives no leader, the assignee alone hears.
    flagged = replace(raised, to_leader=())
    await notifier(outbox).supervised(Supervised(flagged, by=LEADER_TG, to=ADMINS))
    assert outbox.where() == [
        (CADRE_TG, "escalate"),
        (LEADER_TG, "escalate"),
        (901, "escalate"),
        (902, "escalate"),
    ]
    assert outbox.calls[0].text.startswith("Ticket <b>#12</b> is now supervised.")
    assert outbox.calls[1].text.startswith("陈志远的工单 <b>#12</b> 已被督办。")


async def test_an_extension_is_asked_of_whom_the_service_gives() -> None:
    outbox = RecordingOutbox()
    await notifier(outbox).extension_asked(
        ExtensionAsked(view(CHEN), REQUEST, LEADER, True, to=(TO_LEADER,))
    )
    await notifier(outbox).extension_asked(ExtensionAsked(view(CHEN), REQUEST, None, to=ADMINS))
    await notifier(outbox).extension_asked(ExtensionAsked(view(CHEN), REQUEST, LEADER))
    assert outbox.where() == [(LEADER_TG, "extend_ask"), (901, "extend_ask"), (902, "extend_ask")]
    leader, english, _ = outbox.calls
    assert leader.text.startswith(
        "陈志远申请将工单 <b>#12</b> 延期 3 个工作日（当前期限 11月30日 09:30）"
    )
    assert "理由：等配件" in leader.text and "厂区路灯坏了" in leader.text
    assert english.text.startswith("陈志远 asks to extend ticket <b>#12</b> by 3 working days")
    assert leader.keyboard is not None
    assert [b.data for row in leader.keyboard for b in row] == [
        b.data for row in english.keyboard or [] for b in row
    ]


async def test_the_answer_to_an_extension_reaches_the_assignee_if_it_can() -> None:
    outbox = RecordingOutbox()
    decided = ExtensionDecided(view(CHEN), replace(REQUEST, status="approved"), True, CHEN)
    await notifier(outbox).extension_decided(decided)  # their chat is not open: nobody
    await notifier(outbox).extension_decided(replace(decided, to=TO_CHEN))
    await notifier(outbox).extension_decided(replace(decided, approved=False, to=TO_CHEN))
    assert outbox.where() == [(CADRE_TG, "extend_answer"), (CADRE_TG, "extend_answer")]
    approved, refused = outbox.calls
    assert approved.text.startswith("The extension of ticket <b>#12</b> was approved")
    assert refused.text.startswith("The extension of ticket <b>#12</b> was refused")


async def test_a_brief_goes_to_its_leader_if_they_can_be_reached() -> None:
    outbox = RecordingOutbox()
    item = BriefItem(view(CHEN), days_open=3, overdue_days=None)
    brief = Brief(LEADER, NOW.date(), NOW - timedelta(days=1), [], [], [], [item])
    await notifier(outbox).brief(brief)
    await notifier(outbox).brief(replace(brief, to=TO_LEADER))
    assert outbox.where() == [(LEADER_TG, "brief")]
    assert "#12" in outbox.calls[0].text and outbox.calls[0].ticket_id is None


async def test_the_daily_reminder_lists_the_waiting_tickets() -> None:
    outbox = RecordingOutbox()
    tickets = [replace(view(CHEN).ticket, id=100 + n) for n in range(MAX_LISTED + 2)]
    await notifier(outbox).unreachable_reminder(Waiting(CHEN, tickets[:2], DESK))
    await notifier(outbox).unreachable_reminder(Waiting(CHEN, tickets, ADMINS))
    assert outbox.where() == [(ADMIN_CHAT, "admin"), (901, "admin"), (902, "admin")]
    assert "有 2 件工单等待办理：#100 #101。" in outbox.calls[0].text
    listed = " ".join(f"#{100 + n}" for n in range(MAX_LISTED))
    assert f"{MAX_LISTED + 2} ticket(s) are waiting: {listed} …." in outbox.calls[1].text
