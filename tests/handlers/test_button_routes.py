"""Every kind of button reaches the one handler that answers it, through the patterns the
handlers register (built from the codecs), in the application the bot really runs; a malformed
press behind a known verb is answered as an expired button, never a crash; a press no pattern
routes (an older version's button, or forged) is answered by the last fallback."""

from __future__ import annotations

import re

from telegram.ext import CallbackQueryHandler

from bot.config import load_settings
from bot.render.keyboards import help as help_keys
from bot.render.keyboards import logistics, recruiting, reports, tickets
from bot.render.keyboards.codec import Press
from bot.runtime.application import build_application
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import World, report

# One sample of every kind, and the handler that must answer it.
ROUTES: list[tuple[Press | reports.ReportFor, str]] = [
    (tickets.Claim(1), "work_button"),
    (tickets.Progress(1), "work_button"),
    (tickets.Resolve(1), "work_button"),
    (tickets.TransferMenu(1), "work_button"),
    (tickets.TransferTo(1, 2), "work_button"),
    (tickets.View(1), "work_button"),
    (tickets.RateSolved(1, "solved"), "feedback_button"),
    (tickets.Rate(1, "solved", "satisfied"), "feedback_button"),
    (tickets.CategoryMenu(1), "feedback_button"),
    (tickets.SetCategory(1, "labor"), "feedback_button"),
    (tickets.KindMenu(1), "feedback_button"),
    (tickets.SetKind(1, "help"), "feedback_button"),
    (tickets.Contact(1), "deadline_button"),
    (tickets.ApproveExtension(1, 2), "deadline_button"),
    (tickets.RefuseExtension(1, 2), "deadline_button"),
    (tickets.Supervise(1), "supervise_button"),
    (reports.ReportFor(1, 2), "enterprise_button"),
    (help_keys.More(), "help_more_button"),
    (recruiting.Confirm(), "draft_button"),
    (recruiting.Cancel(), "draft_button"),
    (recruiting.Change(), "draft_button"),
    (recruiting.Reopen("shift"), "draft_button"),
    (recruiting.ChooseEmployer(1), "draft_button"),
    (recruiting.ChoosePayUnit("month"), "draft_button"),
    (recruiting.ChooseValidity(30), "draft_button"),
    (recruiting.ChooseShift("-"), "draft_button"),
    (recruiting.ChooseBenefits("-"), "draft_button"),
    (recruiting.TurnPage(1, "电工"), "page_button"),
    (recruiting.ManagePost(recruiting.PostAction.FILL, 1), "manage_button"),
    (logistics.Accept(1), "match_button"),
    (logistics.Decline(1), "match_button"),
    (logistics.WithdrawTruck(1), "match_button"),
    (logistics.WithdrawCargo(1), "match_button"),
    (logistics.Step("date", "1"), "step_button"),
    (logistics.Cancel(), "step_button"),
]


def test_every_button_kind_reaches_exactly_its_handler() -> None:
    every = {*tickets.KINDS, *recruiting.KINDS, *logistics.KINDS, help_keys.More, reports.ReportFor}
    assert {type(press) for press, _ in ROUTES} == every
    settings = load_settings(None, telegram={"token": "1:abcdefghijklmnop"})
    app = build_application(settings)
    buttons = {
        number: [h for h in group if isinstance(h, CallbackQueryHandler)]
        for number, group in app.handlers.items()
    }
    # All in one group (PTB runs the first match per group), the catch-all last of them.
    [(number, found)] = [(number, found) for number, found in buttons.items() if found]
    *featured, last = found
    assert last.pattern is None and last.callback.__name__ == "unknown_button"
    assert app.handlers[number][-1] is last
    routes: list[tuple[re.Pattern[str], str]] = []
    for handler in featured:
        assert isinstance(handler.pattern, re.Pattern), handler  # only the last takes any press
        routes.append((handler.pattern, handler.callback.__name__))
    for press, name in ROUTES:
        data = press.pack()
        assert [n for pattern, n in routes if pattern.match(data)] == [name], data


STALE = "这个按钮已失效"  # error.stale_button
JOB_STALE = "这个按钮已过期，请按最新一条消息操作"  # jobs.err_stale_button
STEP_STALE = "这个按钮已过期，请回答最新的问题"  # logistics.stale_step


async def test_a_malformed_press_is_answered_as_an_expired_button(world: World) -> None:
    ticket_id, notice = await report(world)
    pressed = [
        (f"t:claim:{ticket_id}:1", STALE),  # an extra part
        ("t:claim:²", STALE),  # `isdigit()` takes it, `int()` raises
        (f"t:xto:{ticket_id}:abc", STALE),
        (f"t:rate:{ticket_id}:solved", STALE),  # a part missing
        ("t:contact:x", STALE),
        (f"t:xok:{ticket_id}", STALE),
        (f"t:sup:{ticket_id}:1", STALE),
        ("r:1:x", STALE),
        ("h:more:1", STALE),
        ("j:pg:x", JOB_STALE),
        ("j:m:zz:1", JOB_STALE),
        ("j:v:²", JOB_STALE),
        ("lg:a:x", STALE),
        ("lg:x:1", STEP_STALE),
    ]
    for data, text in pressed:
        before = await world.answers()
        await world.client.press_button(
            world.cadre, notice["message_id"], world.cadre, data, forge=True
        )
        answered = await world.answer(before)
        assert text in answered["text"] and answered["show_alert"], data


UNKNOWN = "这个按钮已过期或无法识别"  # fallback.unknown_button
UNKNOWN_EN = "This button is out of date or not recognised"


async def press_unknown(world: World, user: int, chat: int, message: int, data: str) -> str:
    """Press `data` (forged) and return the text of its one answer."""
    before, answers = await world.answers(), await world.queued(purpose="callback")
    query_id = await world.client.press_button(chat, message, user, data, forge=True)
    answered = await world.answer(before)
    assert answered["callback_query_id"] == query_id and answered["show_alert"], data
    # The answer is queued in the press's own transaction: it was the only one.
    assert await world.queued(purpose="callback") == answers + 1, data
    return str(answered["text"])


async def test_a_press_no_handler_routes_is_answered_as_unknown(world: World) -> None:
    ticket_id, notice = await report(world)
    forged = [
        f"t:bogus:{ticket_id}",  # a verb no handler knows (an older version's, say)
        f"zz:claim:{ticket_id}",  # a prefix nobody uses
        f"t:claimx:{ticket_id}",  # a known verb's prefix is not the verb
        f"t:CLAIM:{ticket_id}",
        "t",  # malformed: no verb at all
        "::",
        "j:zz:1",
        "工单:1",
    ]
    for data in forged:
        text = await press_unknown(world, world.cadre, world.cadre, notice["message_id"], data)
        assert UNKNOWN in text and "/help" in text, data
    # Pressed in the group, on its acknowledgement: the park's language, answered all the same.
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 门禁坏了")
    ack = (await world.expect(world.group, ACK_MARK, since=since))[0]
    text = await press_unknown(world, world.contact, world.group, ack["message_id"], "t:old:1")
    assert UNKNOWN in text
    # In private, in the presser's language.
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/lang en")
    await world.expect(world.cadre, "English", since=since)
    text = await press_unknown(world, world.cadre, world.cadre, notice["message_id"], "t:bogus:1")
    assert UNKNOWN_EN in text and "/help" in text
