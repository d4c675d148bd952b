"""The whole ticket story through the real bot process, including a restart in the middle.

Everything goes through the emulator as people would use Telegram; the bot is the production
entry point (`python -m bot.cli.main --config FILE run`). Assertions are on what the emulator
recorded and, with the bot stopped, on the database.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.clock import SystemClock
from bot.services.onboarding import OnboardingService
from bot.services.recipients import Recipients
from bot.services.roster.service import RosterService
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.open import open_database
from storage.unit import Repositories
from tests.databases import database_url
from tests.e2e.harness import ACK_MARK, BotProcess, read_db

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ENTERPRISE = "海澄精工机械有限公司"
CADRE = "陈志远"
OTHER_CADRE = "王晓峰"  # 包联 of another enterprise: not allowed to touch ours


async def prepare_db(db_path: str) -> dict[str, str]:
    """Sample roster plus invitations; returns the /start payloads by person."""
    db = open_database(db_path)
    await db.connect()
    try:
        with resources.as_file(resources.files("bot.samples").joinpath("roster.xlsx")) as roster:
            await RosterService(Repositories(db), SystemClock()).import_files([roster])
        onboarding = OnboardingService(
            Repositories(db),
            SystemClock(),
            invite_valid_days=7,
            recipients=Recipients(Repositories(db)),
        )
        return {
            "cadre": (await onboarding.invite("cadre", CADRE)).payload,
            "other": (await onboarding.invite("cadre", OTHER_CADRE)).payload,
            "contact": (await onboarding.invite("enterprise", ENTERPRISE)).payload,
        }
    finally:
        await db.close()


class People:
    """The story's people acting through the emulator; `expect` waits for the bot's answers."""

    def __init__(self, client: SandboxClient) -> None:
        self.c = client
        self.seq = 0

    async def mark(self) -> int:
        self.seq = await self.c.last_seq()
        return self.seq

    async def expect(
        self, chat: int, contains: str, *, count: int = 1, timeout: float = 15.0
    ) -> dict[str, Any]:
        """The first bot message to `chat` containing `contains` since the last mark."""
        found = await self.c.wait_sent(
            chat_id=chat, since_seq=self.seq, contains=contains, count=count, timeout=timeout
        )
        return found[0]

    async def say(self, chat: int, who: int, text: str) -> dict[str, Any]:
        await self.mark()
        return await self.c.send_message(chat, who, text)

    async def press(self, entry: dict[str, Any], who: int, label: str) -> None:
        await self.mark()
        for row in (entry.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    await self.c.press_button(
                        entry["chat_id"], entry["message_id"], who, button["callback_data"]
                    )
                    return
        raise AssertionError(f"no button {label!r} on {entry.get('text')!r}")

    async def latest_to(self, chat: int, contains: str) -> dict[str, Any]:
        """The newest version of a bot message (edits are logged with the same message_id)."""
        entries = [e for e in await self.c.sent(chat_id=chat) if contains in (e.get("text") or "")]
        assert entries, f"nothing containing {contains!r} in chat {chat}"
        return entries[-1]


async def test_ticket_story_survives_restart(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    db_path = database_url(workdir)
    payloads = await prepare_db(db_path)
    admin = (await client.create_user("沈若琳", username="admin_shen"))["id"]
    cadre = (await client.create_user(CADRE, username="chen_zy"))["id"]
    other = (await client.create_user(OTHER_CADRE, username="wang_xf"))["id"]
    contact = (await client.create_user("刘经理", username="liu_hc"))["id"]
    group = (await client.create_chat("supergroup", title=f"{ENTERPRISE} 企业服务群"))["id"]
    stray = (await client.create_chat("supergroup", title="未绑定的群"))["id"]
    for user in (admin, cadre, contact):
        await client.add_member(group, user)
    await client.add_member(stray, contact)

    bot = BotProcess(workdir, sandbox.api_base_url, sandbox.control_url, db_path, admins=[admin])
    bot.start()
    try:
        await bot.wait_ready()
        p = People(client)

        # Onboarding: invitations opened in private, the admin binds the group.
        await p.say(cadre, cadre, f"/start {payloads['cadre']}")
        await p.expect(cadre, CADRE)
        await p.say(other, other, f"/start {payloads['other']}")
        await p.expect(other, OTHER_CADRE)
        await p.say(contact, contact, f"/start {payloads['contact']}")
        await p.expect(contact, ENTERPRISE)
        await p.say(group, admin, f"/bind {ENTERPRISE}")
        await p.expect(group, ENTERPRISE)

        # 1. A photo with #诉求: acknowledged as a reply naming ticket, category, cadre, deadline.
        await p.mark()
        caption = "#诉求 厂区突然停电，二号车间生产线全部停了，请尽快协调供电！"
        photo = await client.send_photo(group, contact, caption=caption)
        ack = await p.expect(group, ACK_MARK)
        assert ack["reply_to_message_id"] == photo["message_id"]
        for part in ("#1", "要素保障", CADRE, "办理期限"):
            assert part in ack["text"], (part, ack["text"])
        notice = await p.expect(cadre, "#1")
        assert "签收" in str(notice["reply_markup"])

        # A forged press: the contact sends the cadre's "claim" data on the group's ack.
        await p.mark()
        await client.press_button(group, ack["message_id"], contact, "t:claim:1", forge=True)
        await _wait_answer(client, contact, "t:claim:1")
        answer = [a for a in await client.callback_answers() if a["data"] == "t:claim:1"][-1]
        assert answer["show_alert"] is True and answer["text"], answer

        # The cadre claims with the button.
        await p.press(notice, cadre, "签收")
        await p.expect(group, "签收")
        await p.expect(cadre, "已签收")

        # RESTART in the middle of the story: graceful stop, then continue on the new process.
        code, _ = await bot.terminate()  # SIGKILL (code -9) if it did not stop by itself
        assert code == 0, (code, bot.log_tail())
        rows = read_db(db_path, "SELECT status, assignee_id FROM tickets WHERE id = 1")
        claims = read_db(
            db_path, "SELECT actor_id FROM ticket_events WHERE ticket_id = 1 AND type = 'claim'"
        )
        assert rows[0][0] != "new" and len(claims) == 1, (rows, claims)  # forged press: no-op
        bot.start()
        await bot.wait_ready()

        # Bad input, each answered and harmless.
        await p.say(cadre, cadre, "/claim 999")
        await p.expect(cadre, "没有找到工单 #999")
        await p.say(other, other, "/claim 1")
        await p.expect(other, "不归您办理")
        await p.say(cadre, cadre, "/claim abc")
        await p.expect(cadre, "不是有效的工单编号")

        # A report in an unbound group: silent for a non-admin. The marker below is handled
        # after it (updates are processed in order), so once the marker is answered, the stray
        # report has been handled too.
        stray_seq = await p.mark()
        await client.send_message(stray, contact, "#诉求 这个群没有绑定")
        await p.say(cadre, cadre, "/ticket 1")
        await p.expect(cadre, "#1")
        # Each update's messages are queued with it, so the outbox is the fence: nothing for
        # the stray group, however the sender paces what other chats are owed.
        assert read_db(db_path, "SELECT count(*) FROM outbox WHERE chat_id = ?", [stray]) == [(0,)]
        assert await client.sent(chat_id=stray, since_seq=stray_seq) == []

        # Progress, resolve, then the two-step rating: 已解决 → 满意 closes the ticket.
        await p.say(cadre, cadre, "/progress 1 已联系供电所，抢修队30分钟内到场")
        await p.expect(group, "已联系供电所")
        await p.say(cadre, cadre, "/resolve 1 线路故障已排除，14:20 恢复供电")
        prompt = await p.expect(group, "已办结")
        await p.press(prompt, contact, "已解决")
        await p.expect(group, "满意")
        await p.press(await p.latest_to(group, "是否满意"), contact, "满意")
        await p.expect(group, "评价")

        # 2. A second ticket rated 不满意 is reopened and the cadre is told.
        report = await p.say(group, contact, "/report 申请的稳岗补贴三个月了还没到账，请帮忙查一下")
        ack2 = await p.expect(group, "#2")
        assert ack2["reply_to_message_id"] == report["message_id"]
        await p.say(cadre, cadre, "/claim 2")
        await p.expect(cadre, "已签收工单 #2")
        await p.say(cadre, cadre, "/resolve 2 已转人社局办理")
        prompt2 = await p.expect(group, "#2")
        await p.press(prompt2, contact, "部分解决")
        await p.expect(group, "是否满意")
        await p.press(await p.latest_to(group, "#2"), contact, "不满意")
        await p.expect(cadre, "退回重办")

        code, _ = await bot.terminate()
        assert code == 0, code
    finally:
        await bot.ensure_stopped()

    tickets = read_db(
        db_path,
        "SELECT id, chat_id, status, solved_rating, satisfaction FROM tickets ORDER BY id",
    )
    assert [t[0] for t in tickets] == [1, 2]  # nothing from the unbound group
    assert all(t[1] == group for t in tickets)
    assert tickets[0][2] == "closed" and tickets[0][4] is not None, tickets[0]
    assert tickets[1][2] not in ("closed", "resolved"), tickets[1]
    reopened = read_db(
        db_path, "SELECT count(*) FROM ticket_events WHERE ticket_id = 2 AND type = 'reopen'"
    )
    assert reopened[0][0] == 1
    assert read_db(db_path, "SELECT count(*) FROM inbox WHERE status = 'failed'")[0][0] == 0
    assert read_db(db_path, "SELECT count(*) FROM outbox WHERE status != 'sent'")[0][0] == 0
    assert read_db(db_path, "SELECT count(*) FROM attachments WHERE ticket_id = 1")[0][0] == 1
    assert "Traceback" not in bot.log_text()


async def _wait_answer(client: SandboxClient, user: int, data: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if any(a["user_id"] == user and a["data"] == data for a in await client.callback_answers()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answerCallbackQuery for {data!r} from {user}")
