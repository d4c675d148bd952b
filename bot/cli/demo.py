"""`liaison-bot demo`: the whole ticket story against the bundled sandbox, as a transcript.

It starts the Telegram emulator and the real bot (the same Runtime as `liaison-bot run`) on a
throwaway database with the sample roster, plays the people's part over the emulator's client
API, and prints what everyone saw. No token, no network.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.config import Settings, load_settings
from bot.render.text import plain_text
from bot.runtime.process import Runtime
from bot.services.metrics import week_of
from bot.wiring.shared import onboarding_service, roster_service
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.sqlite import SqliteDatabase

TOKEN = "100001:DEMO-token-not-secret-0000000000"
USERNAME = "liaison_demo_bot"
ENTERPRISE = "海澄精工机械有限公司"
CADRE = "陈志远"


@dataclass
class Transcript:
    """Collects what people typed and what the bot answered, in order."""

    names: dict[int, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    seen_seq: int = 0

    def say(self, chat: int, who: int, text: str) -> None:
        self.lines.append(f"[{self.names.get(chat, chat)}] {self.names.get(who, who)}: {text}")

    def bot(self, entry: dict[str, Any]) -> None:
        chat = self.names.get(entry["chat_id"], entry["chat_id"])
        body = plain_text(entry.get("text") or "")
        verb = {"editMessageText": "✏️ ", "editMessageReplyMarkup": "✏️ "}.get(entry["method"], "")
        head = f"[{chat}] 🤖 {verb}"
        if entry.get("photo") or entry.get("document"):
            body = "📎 " + body
        lines = body.splitlines() or [""]
        self.lines.append(head + lines[0])
        self.lines += [" " * 6 + line for line in lines[1:]]
        markup = entry.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            self.lines.append(" " * 6 + "  ".join(f"[{b['text']}]" for b in row))

    def note(self, text: str) -> None:
        self.lines.append(f"\n— {text} —")


class Story:
    """The people of the demo, driving the emulator."""

    def __init__(self, client: SandboxClient, transcript: Transcript) -> None:
        self.c = client
        self.t = transcript

    async def flush(self, count: int, *, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait for `count` new bot messages and add them to the transcript."""
        entries = await self.c.wait_sent(count=count, since_seq=self.t.seen_seq, timeout=timeout)
        for entry in entries:
            self.t.bot(entry)
        self.t.seen_seq = max(e["seq"] for e in entries)
        return entries

    async def say(self, chat: int, who: int, text: str, **kw: Any) -> dict[str, Any]:
        self.t.say(chat, who, text)
        return await self.c.send_message(chat, who, text, **kw)

    async def press(self, entry: dict[str, Any], who: int, label: str) -> None:
        for row in (entry.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    self.t.say(entry["chat_id"], who, f"(按下 [{button['text']}])")
                    await self.c.press_button(
                        entry["chat_id"], entry["message_id"], who, button["callback_data"]
                    )
                    return
        raise AssertionError(f"no button {label!r} on message {entry.get('text')!r}")


def _find(entries: list[dict[str, Any]], chat: int, text: str) -> dict[str, Any]:
    for entry in entries:
        if entry["chat_id"] == chat and text in (entry.get("text") or ""):
            return entry
    raise AssertionError(f"no message containing {text!r} in chat {chat}")


async def run_demo(*, locale: str = "zh_CN") -> int:
    """Play the story and print the transcript; return a process exit code."""
    started = time.monotonic()
    sandbox = TelegramSandbox()
    await sandbox.start()
    workdir = Path(tempfile.mkdtemp(prefix="liaison-demo-"))
    db_path = workdir / "demo.db"
    transcript = Transcript()
    async with SandboxClient(sandbox.control_url) as client:
        cast = await _cast(client, transcript)
        settings = load_settings(
            None,
            telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url, "poll_timeout": 1},
            storage={"path": str(db_path)},
            park={"name": "海澄经济开发区", "locale": locale, "admins": [cast.admin]},
        )
        # The administration loads the roster and makes invitations (the CLI does the same).
        cadre_payload, contact_payload = await _onboard(settings, db_path)
        runtime = Runtime(settings)
        await runtime.start()
        story = Story(client, transcript)
        try:
            await _play(
                story,
                cast.group,
                cast.admin,
                cast.cadre,
                cast.contact,
                cadre_payload,
                contact_payload,
                week_of(datetime.now(UTC), settings.park.tz).label,
            )
        finally:
            await runtime.stop()
    await sandbox.stop()
    print("\n".join(transcript.lines))
    print(f"\n(demo finished in {time.monotonic() - started:.1f} s; database: {db_path})")
    return 0


@dataclass(frozen=True)
class _Cast:
    """The people and the group in the emulator, by Telegram id."""

    admin: int
    cadre: int
    contact: int
    group: int


async def _cast(client: SandboxClient, transcript: Transcript) -> _Cast:
    """Create the bot, the three people and their group in the emulator, and name them."""
    await client.create_bot(TOKEN, USERNAME)
    admin = await client.create_user("沈若琳", username="admin_shen")
    cadre = await client.create_user(CADRE, username="chen_zy")
    contact = await client.create_user("刘经理", username="liu_haicheng")
    group = await client.create_chat("supergroup", title=f"{ENTERPRISE} 企业服务群")
    for user in (admin, cadre, contact):
        await client.add_member(group["id"], user["id"])
    transcript.names.update(
        {
            admin["id"]: "管理员 沈若琳",
            cadre["id"]: f"干部 {CADRE}",
            contact["id"]: "企业 刘经理",
            group["id"]: "企业服务群",
        }
    )
    return _Cast(admin["id"], cadre["id"], contact["id"], group["id"])


async def _onboard(settings: Settings, db_path: Path) -> tuple[str, str]:
    """Import the sample roster; return the cadre's and the contact's invitation payloads."""
    samples = resources.files("bot.samples")
    with resources.as_file(samples.joinpath("roster.xlsx")) as roster_file:
        db = SqliteDatabase(db_path)
        await db.connect()
        await roster_service(settings, db, SystemClock()).import_files([roster_file])
        onboarding = onboarding_service(settings, db, SystemClock())
        cadre_invite = await onboarding.invite("cadre", CADRE)
        contact_invite = await onboarding.invite("enterprise", ENTERPRISE)
        await db.close()
    return cadre_invite.payload, contact_invite.payload


async def _play(
    story: Story,
    group: int,
    admin: int,
    cadre: int,
    contact: int,
    cadre_payload: str,
    contact_payload: str,
    week: str,
) -> None:
    c, t = story.c, story.t
    t.note("上线：管理员查看本人身份，干部和企业联系人打开邀请链接，管理员绑定企业服务群")
    await story.say(admin, admin, "/whoami")
    await story.flush(1)
    await story.say(cadre, cadre, f"/start {cadre_payload}")
    await story.flush(1)
    await story.say(contact, contact, f"/start {contact_payload}")
    await story.flush(1)
    await story.say(group, admin, f"/bind {ENTERPRISE}")
    await story.flush(1)

    t.note("第一件诉求：企业在群里发带照片的 #诉求")
    caption = "#诉求 厂区突然停电，二号车间生产线全部停了，请尽快协调供电！"
    t.say(group, contact, f"📷 {caption}")
    await c.send_photo(group, contact, caption=caption)
    first = await story.flush(2)
    notice = _find(first, cadre, "#1")
    await story.press(notice, cadre, "签收")
    await story.flush(2)
    await story.say(cadre, cadre, "/progress 1 已联系供电所，抢修队30分钟内到场")
    await story.flush(2)
    await story.say(cadre, cadre, "/resolve 1 线路故障已排除，14:20 恢复供电")
    done = await story.flush(2)
    prompt = _find(done, group, "#1")
    await story.press(prompt, contact, "已解决")
    edited = await story.flush(1)
    await story.press(edited[-1], contact, "满意")
    await story.flush(1)

    t.note("第二件诉求：办结后企业评价「不满意」，工单退回重办")
    await story.say(group, contact, "/report 申请的稳岗补贴三个月了还没到账，请帮忙查一下")
    second = await story.flush(2)
    await story.say(cadre, cadre, "/claim 2")
    await story.flush(2)
    await story.say(cadre, cadre, "/resolve 2 已转人社局办理")
    done = await story.flush(2)
    prompt = _find(done, group, "#2")
    await story.press(prompt, contact, "部分解决")
    edited = await story.flush(1)
    await story.press(edited[-1], contact, "不满意")
    await story.flush(2)
    await story.say(cadre, cadre, "/ticket 2")
    await story.flush(1)
    del second

    t.note("周晾晒：管理员私下预览本周的龙虎榜（不公开发布）")
    await story.say(admin, admin, "/start")
    await story.flush(1)
    await story.say(admin, admin, f"/airing {week}")
    await story.flush(2)
