"""The weekly airing's messages, without a database: the outcome carries the rendered post, the
chats it goes to and, the first time the chart lacks a CJK font, the duty desk."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.outcomes import Recipient
from bot.domain.outcomes.airing import AiringPost, AiringPosted, AiringPreviewed
from bot.domain.weeks import Week
from bot.notify.airing import AiringComposer, AiringPublisher
from bot.render.airing import Style
from tests.notify.recording import PARK_TZ, RecordingOutbox, voice

POST = AiringPost(
    text="<b>海澄园区 周晾晒</b>",
    png=b"\x89PNG",
    caption="第47周 图表",
    filename="airing-2026-W47.png",
    font_missing=False,
)
WEEK = Week(2026, 47, ZoneInfo("Asia/Shanghai"))


def publisher() -> tuple[AiringPublisher, RecordingOutbox]:
    outbox = RecordingOutbox()
    composer = AiringComposer(Style(park="海澄园区", tz=PARK_TZ))
    return AiringPublisher(voice(outbox), composer), outbox


async def test_the_week_goes_to_every_airing_chat_text_then_chart() -> None:
    airing, outbox = publisher()
    await airing.posted(AiringPosted(WEEK, (Recipient(-1), Recipient(-2)), POST, False))
    assert [(c.method, c.chat_id, c.purpose) for c in outbox.calls] == [
        ("send_message", -1, "airing"),
        ("send_photo_bytes", -1, "airing"),
        ("send_message", -2, "airing"),
        ("send_photo_bytes", -2, "airing"),
    ]
    assert outbox.calls[0].text == POST.text and outbox.calls[1].text == POST.caption


async def test_a_missing_font_is_told_to_the_desk_after_the_post() -> None:
    airing, outbox = publisher()
    desk = (Recipient(11, "en"), Recipient(12))
    await airing.posted(AiringPosted(WEEK, (Recipient(-1),), POST, True, desk))
    *_, english, chinese = outbox.calls
    assert [(c.chat_id, c.purpose) for c in (english, chinese)] == [
        (11, "admin_font"),
        (12, "admin_font"),
    ]
    assert english.text.startswith("⚠️ No Chinese font was found")
    assert chinese.text.startswith("⚠️ 服务器上没有找到中文字体")


async def test_a_preview_goes_to_its_chat_only() -> None:
    airing, outbox = publisher()
    await airing.previewed(AiringPreviewed(Recipient(42), POST, False))
    assert [(c.method, c.chat_id, c.purpose) for c in outbox.calls] == [
        ("send_message", 42, "airing_preview"),
        ("send_photo_bytes", 42, "airing_preview"),
    ]
    await airing.previewed(AiringPreviewed(Recipient(42), POST, True, (Recipient(-900),)))
    assert (outbox.calls[-1].chat_id, outbox.calls[-1].purpose) == (-900, "admin_font")
