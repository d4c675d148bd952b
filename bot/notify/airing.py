"""The weekly airing's messages: compose the text and the chart, queue them when published.

`AiringService.post_due` (the scheduled job) and `AiringService.preview` (/airing) build the
week's board, have it composed here (`AiringComposer.compose`, injected into the service by the
container: text and chart rendered outside any transaction, the chart in a thread), then record
the week and publish `AiringPosted` (or `AiringPreviewed`) in one transaction, the post and its
chats in it. The dispatcher routes those back to `AiringPublisher`, which queues the post in that
transaction: a week is posted once and only once, even across a crash or a restart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from markupsafe import Markup

from bot.domain.airing import Board
from bot.domain.outcomes import Desk, Recipient
from bot.domain.outcomes.airing import AiringPost, AiringPosted, AiringPreviewed
from bot.i18n import Translator
from bot.notify.voice import Voice
from bot.render.airing import Style, airing_text, week_label
from bot.render.chart import Chart, ChartRenderer, render_chart

CHART_NAME = "airing-{week}.png"


@dataclass(frozen=True)
class Rendered:
    board: Board
    text: str
    chart: Chart
    caption: str

    def post(self, note: str = "") -> AiringPost:
        """The rendered week as the post the service publishes (a note above the text)."""
        return AiringPost(
            text=Markup("{}\n{}").format(note, self.text) if note else self.text,
            png=self.chart.png,
            caption=self.caption,
            filename=CHART_NAME.format(week=self.board.week.label),
            font_missing=self.chart.font is None,
        )


class AiringComposer:
    """Render a week's board as text and chart in a language, in the [airing] section's style."""

    def __init__(self, style: Style, *, chart_renderer: ChartRenderer = render_chart) -> None:
        self.style = style
        self.chart_renderer = chart_renderer

    async def render(self, board: Board, locale: str) -> Rendered:
        """Render the board's text and chart in `locale`."""
        tr = Translator(locale)
        text = airing_text(board, tr, self.style)
        # matplotlib is CPU-bound: keep the event loop (and the sender) responsive meanwhile.
        chart = await asyncio.to_thread(self.chart_renderer, board, tr)
        caption = tr(
            "airing.chart_caption",
            park=self.style.park,
            week=week_label(board.week, tr),
            weeks=len(board.trend),
        )
        return Rendered(board, text, chart, caption)

    async def compose(self, board: Board, locale: str, preview: bool) -> AiringPost:
        """The post for `board` in `locale`; a preview says so above the text."""
        rendered = await self.render(board, locale)
        return rendered.post(Translator(locale)("airing.preview_note") if preview else "")


class AiringPublisher:
    """Queue the airing posts the service publishes; render a board for the CLI."""

    def __init__(self, voice: Voice, composer: AiringComposer) -> None:
        self.voice = voice
        self.outbox = voice.outbox
        self.composer = composer

    async def render(self, board: Board, locale: str) -> Rendered:
        """Render a week's board (`AiringService.board`) as text and chart in `locale` (nothing
        queued)."""
        return await self.composer.render(board, locale)

    async def _queue(self, to: Recipient, post: AiringPost, *, purpose: str) -> None:
        # The post is in its language already (the park's, or the previewer's).
        await self.outbox.send_message(to.chat_id, post.text, purpose=purpose)
        await self.outbox.send_photo_bytes(
            to.chat_id, post.png, caption=post.caption, filename=post.filename, purpose=purpose
        )

    async def _font_warning(self, desk: Desk) -> None:
        """Tell the admins (once: the service decides) that the chart has no CJK font."""
        await self.voice.tell(desk, lambda tr: tr("airing.font_missing"), purpose="admin_font")

    async def posted(self, posted: AiringPosted) -> None:
        """Queue the week's post to every airing chat."""
        for chat in posted.chats:
            await self._queue(chat, posted.post, purpose="airing")
        if posted.warn_font:
            await self._font_warning(posted.desk)

    async def previewed(self, previewed: AiringPreviewed) -> None:
        """Queue a private preview."""
        await self._queue(previewed.chat, previewed.post, purpose="airing_preview")
        if previewed.warn_font:
            await self._font_warning(previewed.desk)
