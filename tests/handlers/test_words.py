"""The words people read, through the emulator: onboarding (/whoami, strangers, invite links),
one name per state, the reopen notice, the cadre's phone, /help and the menus by role.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import _invite
from bot.clock import FixedClock, SystemClock
from bot.config import load_settings
from bot.domain.deadlines import due_dates
from storage.unit import Repositories
from tests.databases import database_url
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import World, add_leader, report

RAW_STATUS = re.compile(r"\b(new|claimed|contacted|in_progress|resolved|closed|withdrawn)\b")
PHONE_OF_CHEN = "13985907963"  # 陈志远 in the sample roster


@pytest.fixture
async def clock(world: World, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Freeze the runtime's clock so the test can move time."""
    fixed = FixedClock(SystemClock().now())
    monkeypatch.setattr(world.runtime.clock, "now", fixed.now)
    return fixed


def deadline_in(text: str) -> str:
    found = re.search(r"办理期限：(\d+月\d+日 \d\d:\d\d)", text)
    assert found is not None, text
    return found.group(1)


# -- item 5: onboarding ----------------------------------------------------------------------
async def test_a_stranger_is_told_how_to_get_bound_not_shown_the_menu(world: World) -> None:
    since = await world.seq()
    for text in ("你好，请问怎么登记问题？", "/start", "/help"):
        await world.say(world.stranger, world.stranger, text)
    answers = await world.expect(world.stranger, "邀请链接", since=since, count=3)
    for answer in answers:
        assert "园区管理员" in answer["text"] and "/whoami" in answer["text"]
        for command in ("/report", "/mytickets", "/job ", "/truck", "/claim"):
            assert command not in answer["text"], (command, answer["text"])


async def test_whoami_tells_anyone_their_id_name_and_binding(world: World) -> None:
    since = await world.seq()
    await world.say(world.stranger, world.stranger, "/whoami")
    text = (await world.expect(world.stranger, "数字 ID", since=since))[0]["text"]
    assert str(world.stranger) in text and "stranger" in text and "尚未绑定" in text
    assert "[park] admins" in text
    cases = [
        (world.cadre, "包联干部（陈志远）"),
        (world.admin, "园区管理员（配置文件）"),
        (world.contact, "海澄精工机械有限公司的企业联系人"),
    ]
    for user, expected in cases:
        await world.say(user, user, "/whoami")
        text = (await world.expect(user, expected, since=since))[0]["text"]
        assert str(user) in text and "[park] admins" not in text


async def test_invite_prints_a_clickable_link_or_says_how(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.runtime.settings.storage.database_url
    # The running bot stored its username (getMe at start): the link is clickable.
    assert await _invite(load_settings(None, storage={"url": path}), "cadre", "张海涛") == 0
    out = capsys.readouterr().out
    assert "已为干部「张海涛」生成邀请链接" in out
    assert re.search(r"https://t\.me/liaison_test_bot\?start=c-[\w-]{32}\n", out), out
    assert "点「开始」即可绑定" in out
    # The configured name wins.
    settings = load_settings(None, storage={"url": path}, telegram={"username": "@park_bot"})
    assert await _invite(settings, "enterprise", "海澄精工机械有限公司") == 0
    assert "https://t.me/park_bot?start=e-" in capsys.readouterr().out
    # Neither known (a fresh database, no token): it says how, and still prints the /start line.
    fresh = database_url(tmp_path, "fresh.db")
    from bot.services.roster.service import RosterService
    from storage.open import open_database

    db = open_database(fresh)
    await db.connect()
    await RosterService(Repositories(db), SystemClock()).import_files(
        [Path(__file__).parents[2] / "bot" / "samples" / "roster.xlsx"]
    )
    await db.close()
    assert await _invite(load_settings(None, storage={"url": fresh}), "cadre", "陈志远") == 0
    out = capsys.readouterr().out
    assert "https://t.me/" not in out
    assert "[telegram]" in out and "username" in out and "liaison-bot run" in out
    assert re.search(r"^/start c-[\w-]{32}$", out, re.MULTILINE), out


# -- item 6: one name per state --------------------------------------------------------------
async def test_one_name_per_state_never_a_code(world: World, clock: FixedClock) -> None:
    since = await world.seq()
    ticket_id, notice = await report(world, "#诉求 食堂网络不通")
    ack = (await world.client.sent(chat_id=world.group))[-1]["text"]
    assert "状态：待签收" in ack and "已受理" not in ack
    assert "工单 #1 · 待签收" in notice["text"]
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.expect(world.cadre, "已签收工单", since=since)
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.expect(world.cadre, "当前状态为「已签收」，不能执行该操作", since=since)
    await world.say(world.cadre, world.cadre, f"/progress {ticket_id} 已联系运营商")
    await world.say(world.cadre, world.cadre, "/mine")
    await world.expect(world.cadre, "#1【办理中】", since=since)
    await world.say(world.cadre, world.cadre, f"/resolve {ticket_id} 已恢复网络")
    rating = (await world.expect(world.group, "已办结", since=since))[0]
    await world.client.press_button(
        world.group, rating["message_id"], world.contact, f"t:rs:{ticket_id}:unsolved"
    )
    await world.expect(world.group, "是否满意", since=since)
    await world.client.press_button(
        world.group, rating["message_id"], world.contact, f"t:rate:{ticket_id}:unsolved:basic"
    )
    await world.expect(world.cadre, "已退回重办", since=since)
    await world.say(world.contact, world.contact, f"/ticket {ticket_id}")
    await world.expect(world.contact, "工单 #1 · 重办", since=since)
    # Everything queued by now (the last update is answered), sent or not.
    coded = [t for t in await world.outbox_texts() if RAW_STATUS.search(t)]
    assert coded == []


# -- item 8: the reopen notice and the cadre's phone ------------------------------------------
async def test_reopen_tells_the_cadre_the_rating_and_the_new_deadline(
    world: World, clock: FixedClock
) -> None:
    ticket_id, _ = await report(world, "#诉求 食堂网络不通")
    first_deadline = deadline_in((await world.client.sent(chat_id=world.group))[-1]["text"])
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.say(world.cadre, world.cadre, f"/resolve {ticket_id} 已恢复网络")
    rating = (await world.expect(world.group, "已办结", since=since))[0]
    # Rated two weeks later, long after the first deadline: the reopen sets a fresh one, by the
    # rules of a new ticket from the moment of the rating.
    clock.advance(timedelta(days=14))
    tickets = world.runtime.services.tickets
    ticket = (await tickets.core.view_of(ticket_id)).ticket
    fresh = due_dates(
        tickets.core.rules.deadline_rules,
        tickets.core.calendar,
        clock.now(),
        kind=ticket.kind,
        category=ticket.category,
        urgency=ticket.urgency,
    ).deadline_at.astimezone(world.runtime.settings.park.tz)
    new_deadline = f"{fresh.month}月{fresh.day}日 {fresh:%H:%M}"
    assert new_deadline != first_deadline
    await world.client.press_button(
        world.group, rating["message_id"], world.contact, f"t:rs:{ticket_id}:partly"
    )
    await world.expect(world.group, "是否满意", since=since)
    await world.client.press_button(
        world.group,
        rating["message_id"],
        world.contact,
        f"t:rate:{ticket_id}:partly:dissatisfied",
    )
    notice = (await world.expect(world.cadre, "已退回重办", since=since))[0]["text"]
    told, card = notice.split("\n\n", 1)
    assert "「部分解决／不满意」" in told
    assert f"办理期限：{new_deadline}。" in told and deadline_in(card) == new_deadline
    assert "工单 #1 · 重办" in card
    told = await world.expect(world.group, "已退回包联干部重办", since=since)
    assert f"办理期限：{new_deadline}" in told[0]["text"]
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")
    card = (await world.expect(world.cadre, "办理记录", since=since))[0]["text"]
    assert "重办：部分解决／不满意" in card


async def test_the_ack_names_the_cadre_and_the_phone_only_if_the_park_allows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 厂区停电了")
    ack = (await world.expect(world.group, ACK_MARK, since=since))[0]["text"]
    assert "包联干部：陈志远\n" in ack and PHONE_OF_CHEN not in ack
    monkeypatch.setattr(world.runtime.settings.tickets, "show_cadre_phone", True)
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 污水管道堵了")
    ack = (await world.expect(world.group, ACK_MARK, since=since))[0]["text"]
    assert f"包联干部：陈志远（电话：{PHONE_OF_CHEN}）" in ack


# -- item 9: /help and the menus by role -------------------------------------------------------
async def test_help_by_role_short_with_the_rest_behind_a_button(world: World) -> None:
    leader = await add_leader(world)
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/help")
    first = (await world.expect(world.cadre, "常用命令", since=since))[0]
    text = first["text"]
    assert "/claim" in text and "/resolve" in text
    for leaders_only in ("/supervise", "/export", "/airing", "/bind", "审批"):
        assert leaders_only not in text, leaders_only
    assert len(text.splitlines()) <= 14  # one phone screen
    assert "/jobs" not in text and "/lang" not in text  # behind the button
    button = first["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "更多命令"
    answers = await world.answers()
    await world.client.press_button(
        world.cadre, first["message_id"], world.cadre, button["callback_data"]
    )
    await world.answer(answers)
    rest = (await world.expect(world.cadre, "更多命令", since=since))[-1]["text"]
    assert "/jobs" in rest and "/lang" in rest and "/claim" not in rest
    assert "/supervise" not in rest and "/export" not in rest

    await world.say(leader, leader, "/help")
    text = (await world.expect(leader, "常用命令", since=since))[0]["text"]
    for command in ("/supervise", "/export", "/overdue", "/blockers"):
        assert command in text, command
    assert "同意延期" in text  # approvals are buttons: the leader is told so
    assert len(text.splitlines()) <= 14


async def test_start_greets_a_leader_as_a_leader(world: World) -> None:
    leader = await add_leader(world)
    since = await world.seq()
    await world.say(leader, leader, "/start")
    text = (await world.expect(leader, "您好", since=since))[0]["text"]
    assert "黄振华" in text and "分管领导" in text and "/supervise" in text
    await world.say(world.cadre, world.cadre, "/start")
    text = (await world.expect(world.cadre, "您好", since=since))[0]["text"]
    assert "包联干部" in text and "/supervise" not in text


async def test_menus_by_scope_default_and_each_staff_chat(world: World) -> None:
    leader = await add_leader(world)
    calls = await world.client.calls("setMyCommands")

    def parsed(value: object) -> object:
        """Nested objects may arrive JSON-encoded (form data)."""
        encoded = isinstance(value, str) and value.startswith(("[", "{"))
        return json.loads(value) if encoded else value

    def menu(scope: dict, language: str = "") -> set[str]:
        found = [
            {name: parsed(value) for name, value in c["params"].items()}
            for c in calls
            if (parsed(c["params"].get("scope")) or {"type": "default"}) == scope
            and c["params"].get("language_code", "") == language
        ]
        assert found, (scope, language)
        return {item["command"] for item in found[-1]["commands"]}

    default = menu({"type": "default"})
    assert {"report", "mytickets", "whoami", "jobs"} <= default
    assert not default & {"claim", "supervise", "export", "airing"}
    assert menu({"type": "default"}, "en") == default
    cadre = menu({"type": "chat", "chat_id": world.cadre})
    assert {"mine", "claim", "resolve", "overdue"} <= cadre and not cadre & {"supervise", "report"}
    chief = menu({"type": "chat", "chat_id": leader})
    assert {"supervise", "export", "claim"} <= chief and "airing" not in chief
