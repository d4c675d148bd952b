"""Publishing the weekly airing: compose the text and the chart, queue them, record the week.

The scheduled job calls `post_due` every few minutes. It posts the latest week whose airing time
has come, if that week is not recorded yet: so a post missed while the bot was down goes out when
it starts, and only the latest missed week. The record (`airing_weeks`, with the week's ranks) is
written in the same transaction as the outbox rows, so a week is posted once and only once, even
across a crash or a restart. `preview` queues the same post privately without recording it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from markupsafe import Markup

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.i18n import Translator
from bot.notify.tickets import Notifier
from bot.render.airing import Style, airing_text, week_label
from bot.render.chart import Chart, ChartRenderer, render_chart
from bot.services.airing import AiringService, Board
from bot.services.metrics import Week
from storage.db import Database
from storage.repos.kv import KvRepo

log = logging.getLogger(__name__)

FONT_WARNED = "airing.font_warned"
CHART_NAME = "airing-{week}.png"


@dataclass(frozen=True)
class Rendered:
    board: Board
    text: str
    chart: Chart
    caption: str


class AiringPublisher:
    """Compose, queue and record the weekly airing."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        airing: AiringService,
        outbox: Outbox,
        notifier: Notifier,
        settings: Settings,
        *,
        chart_renderer: ChartRenderer = render_chart,
    ) -> None:
        self.db = db
        self.chart_renderer = chart_renderer
        self.clock = clock
        self.airing = airing
        self.outbox = outbox
        self.notifier = notifier
        self.settings = settings
        self.kv = KvRepo(db)

    @property
    def style(self) -> Style:
        config = self.settings.airing
        return Style(
            park=self.settings.park.name,
            tz=self.settings.park.tz,
            detail=config.enterprise_detail,
            flag_below=config.flag_below,
            min_tickets=config.min_tickets,
            side_lines=config.side_lines,
            weights=self.airing.metrics.weights,
            named_items=config.named_items,
            cadre_lines=config.cadre_lines,
        )

    async def render(self, week: Week, locale: str) -> Rendered:
        """Build the week's board and render its text and chart in `locale`."""
        board = await self.airing.board(week)
        tr = Translator(locale)
        text = airing_text(board, tr, self.style)
        # matplotlib is CPU-bound: keep the event loop (and the sender) responsive meanwhile.
        chart = await asyncio.to_thread(self.chart_renderer, board, tr)
        caption = tr(
            "airing.chart_caption",
            park=self.style.park,
            week=week_label(week, tr),
            weeks=len(board.trend),
        )
        return Rendered(board, text, chart, caption)

    async def _queue(
        self, chat_id: int, rendered: Rendered, *, purpose: str, note: str = ""
    ) -> None:
        text = Markup("{}\n{}").format(note, rendered.text) if note else rendered.text
        await self.outbox.send_message(chat_id, text, purpose=purpose)
        await self.outbox.send_photo_bytes(
            chat_id,
            rendered.chart.png,
            caption=rendered.caption,
            filename=CHART_NAME.format(week=rendered.board.week.label),
            purpose=purpose,
        )

    async def _font_warning(self) -> None:
        """Tell the admins once that the chart has no CJK font (inside the caller's transaction)."""
        if await self.kv.get(FONT_WARNED) is None:
            await self.kv.set(FONT_WARNED, self.clock.now().isoformat())
            await self.notifier.tell_admins("airing.font_missing", purpose="admin_font")

    async def post_due(self) -> Week | None:
        """Post the due week to the configured chats if it was not posted; return it if posted."""
        config = self.settings.airing
        if not config.enabled:
            return None
        week = await self.airing.pending_week()
        if week is None:
            return None
        chats = await self.airing.chats(config.chat_ids, park_groups=config.park_groups)
        if not chats:
            log.info("airing %s is due but no chat is configured or bound as park", week.label)
            return None
        rendered = await self.render(week, self.settings.park.locale)
        async with self.db.transaction():
            if not await self.airing.record_posted(rendered.board, len(chats)):
                return None  # posted meanwhile (another instance or an overlapping run)
            for chat_id in chats:
                await self._queue(chat_id, rendered, purpose="airing")
            if rendered.chart.font is None:
                await self._font_warning()
        log.info("airing %s queued for %d chats", week.label, len(chats))
        return week

    async def preview(self, chat_id: int, week: Week | None, locale: str) -> Week:
        """Queue the week's post to one chat (privately) without recording it as posted."""
        week = week or self.airing.due_week()
        rendered = await self.render(week, locale)
        async with self.db.transaction():
            note = Translator(locale)("airing.preview_note")
            await self._queue(chat_id, rendered, purpose="airing_preview", note=note)
            if rendered.chart.font is None:
                await self._font_warning()
        return week
