"""The composition root: the only module that wires handlers, services and storage together.

`Runtime` owns the lifecycle: open the database, build services, start the Application (without
PTB's Updater), replay pending inbox rows, then run the poller, the processor, the outbox sender
and the scheduled jobs until asked to stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, ContextTypes
from telegram.warnings import PTBUserWarning

import handlers.airing
import handlers.binding
import handlers.deadlines
import handlers.fallback
import handlers.feedback
import handlers.job_posts
import handlers.jobs
import handlers.logistics
import handlers.logistics_chat
import handlers.report
import handlers.start
import handlers.supervision
import handlers.views
import handlers.work
from bot.build import build_services
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotApplication, BotContext, BotData, Services
from bot.delivery.http import AiohttpRequest
from bot.delivery.sender import Sender
from bot.i18n import t
from bot.ingest.poller import ALLOWED_UPDATES, Poller, PollingConflict
from bot.ingest.processor import UpdateProcessor, current_scope
from bot.ingest.webhook import WebhookServer
from storage.db import Database

log = logging.getLogger(__name__)

GATE_GROUP = -1  # the unbound-group gate; /bind runs one group earlier
MAIN_GROUP = 0
# Typed answers and /cancel of an open /job draft, before everything else; they let the update
# through when the user has no job draft.
JOB_DRAFT_GROUP = -3
# Its own group: PTB runs only the first matching handler per group, and both conversations
# catch typed private text (each lets it through when the user has no draft of its kind).
LOGISTICS_DRAFT_GROUP = -4


def register_handlers(app: BotApplication) -> None:
    """Register every handler. Order matters across groups; see each comment."""
    # Group -2: /bind and /unbind must work in groups that are not bound yet.
    # Group -1: the gate that silences everything else in unbound groups.
    handlers.binding.register(app, gate_group=GATE_GROUP)
    handlers.jobs.register_drafts(app, group=JOB_DRAFT_GROUP)
    handlers.logistics_chat.register_drafts(app, group=LOGISTICS_DRAFT_GROUP)
    # Group 0, first match wins: /start /help /lang, cadre work (incl. replies to prompts),
    # reading, enterprise feedback buttons, then report detection for ordinary group messages.
    handlers.start.register(app, group=MAIN_GROUP)
    handlers.work.register(app, group=MAIN_GROUP)
    handlers.views.register(app, group=MAIN_GROUP)
    handlers.feedback.register(app, group=MAIN_GROUP)
    handlers.report.register(app, group=MAIN_GROUP)
    # Deadlines and 督办: commands and their own `t:` button verbs (not matched above).
    handlers.deadlines.register(app, group=MAIN_GROUP)
    handlers.supervision.register(app, group=MAIN_GROUP)
    # /airing and /export (admins, leaders): plain commands, no buttons.
    handlers.airing.register(app, group=MAIN_GROUP)
    # Job posts: /job and its `j:` buttons, /jobs, owners' commands.
    handlers.jobs.register(app, group=MAIN_GROUP)
    handlers.job_posts.register(app, group=MAIN_GROUP)
    # Logistics exchange: /truck /cargo /mytrucks /mycargo /done and their `lg:` buttons.
    handlers.logistics.register(app, group=MAIN_GROUP)
    # After every feature's own /cancel: the answer when nothing is open.
    handlers.jobs.register_last(app, group=MAIN_GROUP)
    # Last in group 0, so they only see what no handler above matched.
    handlers.fallback.register(app, group=MAIN_GROUP)
    app.add_error_handler(on_error)


async def on_error(update: object, context: BotContext) -> None:
    """Record a handler failure for the intake (which rolls back) and log the traceback."""
    scope = current_scope.get()
    if scope is not None and isinstance(update, Update):
        scope.error = context.error
        log.error("update %s failed in a handler", update.update_id, exc_info=context.error)
        return
    log.error("job or background failure", exc_info=context.error)


def build_application(settings: Settings) -> BotApplication:
    """Build the Application without PTB's Updater: our poller or webhook feeds it."""
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    app: BotApplication = (
        Application.builder()
        .token(settings.telegram.token.get_secret_value())
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.api_base_url.replace("/bot", "/file/bot"))
        .updater(None)
        .request(AiohttpRequest(connections=64))
        .get_updates_request(AiohttpRequest(connections=2))
        .context_types(context_types)
        .build()
    )
    register_handlers(app)
    return app


def bot_commands(locale: str) -> list[BotCommand]:
    names = (
        "report",
        "mytickets",
        "mine",
        "ticket",
        "claim",
        "progress",
        "resolve",
        "transfer",
        "contact",
        "extend",
        "overdue",
        "blockers",
        "supervise",
        "job",
        "jobs",
        "myjobs",
        "truck",
        "cargo",
        "mytrucks",
        "mycargo",
        "help",
        "lang",
    )
    return [BotCommand(name, t(locale, f"menu.{name}")) for name in names]


@dataclass
class Runtime:
    """Everything that runs while the bot is up, with an orderly start and stop."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    app: BotApplication | None = None
    services: Services | None = None
    processor: UpdateProcessor | None = None
    sender: Sender | None = None
    poller: Poller | None = None
    webhook: WebhookServer | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Open storage, initialise the bot (retrying while Telegram is unreachable), start."""
        # The outbox replays stored Bot API calls by method name on purpose.
        warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)
        db = Database(self.settings.storage.path)
        await db.connect()
        services = build_services(self.settings, db, self.clock)
        app = build_application(self.settings)
        app.bot_data.services = services
        await self._initialize(app)
        app.bot_data.bot_username = app.bot.username or ""
        self.app, self.services = app, services
        self.processor = UpdateProcessor(
            app, db, self.clock, on_failure=services.notifier.handler_failed
        )
        self.sender = Sender(
            app.bot,
            db,
            services.outbox,
            self.clock,
            self.settings.delivery,
            on_permanent_failure=services.notifier.delivery_failed,
        )
        await app.start()
        await self._announce_commands(app)
        if self.settings.telegram.mode == "polling":
            await app.bot.delete_webhook(drop_pending_updates=False)
        else:
            await self._start_webhook(app, db)
        replayed = await self.processor.drain()
        if replayed:
            log.info("replayed %d pending updates from the inbox", replayed)
        self.tasks.append(asyncio.create_task(self.sender.run(), name="sender"))
        self.tasks.append(asyncio.create_task(self.processor.run(), name="processor"))
        if self.settings.telegram.mode == "polling":
            self.poller = Poller(
                app.bot,
                db,
                self.clock,
                self.processor.wakeup,
                timeout=self.settings.telegram.poll_timeout,
            )
            self.tasks.append(asyncio.create_task(self._poll(), name="poller"))
        assert app.job_queue is not None
        app.job_queue.run_repeating(self._close_unrated, interval=300, first=2)
        app.job_queue.run_repeating(self._purge, interval=timedelta(hours=6), first=60)
        app.job_queue.run_repeating(
            self._sweep_deadlines, interval=self.settings.deadlines.sweep_seconds, first=5
        )
        # Every few minutes rather than run_daily: the same check posts on schedule and catches
        # up on start after a missed Monday (the record makes it post once).
        app.job_queue.run_repeating(self._air_week, interval=300, first=10)
        app.job_queue.run_repeating(self._sweep_jobs, interval=600, first=15)
        app.job_queue.run_repeating(
            self._expire_logistics,
            interval=timedelta(minutes=self.settings.logistics.expire_every_minutes),
            first=20,
        )
        log.info(
            "liaison-bot started as @%s (%s mode)", app.bot.username, self.settings.telegram.mode
        )

    async def _start_webhook(self, app: BotApplication, db: Database) -> None:
        """Listen first, then tell Telegram where to deliver (and with which secret)."""
        assert self.processor is not None
        hook = self.settings.telegram.webhook
        self.webhook = WebhookServer(db, self.clock, self.processor.wakeup, hook)
        await self.webhook.start()
        await app.bot.set_webhook(
            url=hook.url,
            secret_token=hook.secret_token.get_secret_value() or None,
            allowed_updates=ALLOWED_UPDATES,
        )

    async def _initialize(self, app: BotApplication) -> None:
        delay = 1.0
        while True:
            try:
                await app.initialize()
                return
            except NetworkError as exc:
                log.warning("Telegram unreachable at start (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _announce_commands(self, app: BotApplication) -> None:
        try:
            await app.bot.set_my_commands(bot_commands("zh_CN"))
            await app.bot.set_my_commands(bot_commands("en"), language_code="en")
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)

    async def _poll(self) -> None:
        assert self.poller is not None
        try:
            await self.poller.run()
        except PollingConflict as exc:
            log.critical("%s", exc)
            self.exit_code = 3
            self.stop_event.set()

    async def _close_unrated(self, context: BotContext) -> None:
        """Close tickets nobody rated within the window, as 未评价."""
        services = context.services
        async with services.db.transaction():
            for view in await services.tickets.close_unrated():
                await services.notifier.auto_closed(view)

    async def _sweep_deadlines(self, context: BotContext) -> None:
        """Send due reminders, chases, escalations and daily briefs, each exactly once."""
        await sweep_deadlines(context.services)

    async def _air_week(self, context: BotContext) -> None:
        """Post the weekly airing when it is due and not posted yet."""
        await context.services.publisher.post_due()

    async def _expire_logistics(self, context: BotContext) -> None:
        """Take down truck offers after departure and cargo requests after their latest day."""
        await expire_logistics(context.services)

    async def _sweep_jobs(self, context: BotContext) -> None:
        """Expire job posts past their validity and tell owners of those about to expire."""
        await sweep_jobs(context.services)

    async def _purge(self, context: BotContext) -> None:
        """Drop handled inbox rows after three days."""
        assert self.processor is not None
        purged = await self.processor.purge()
        if purged:
            log.info("purged %d handled updates from the inbox", purged)

    exit_code: int = 0

    async def stop(self) -> None:
        """Stop fetching, finish the update in hand, acknowledge, flush sends, close."""
        if self.webhook is not None:
            await self._stop_webhook()
        if self.poller is not None:
            self.poller.stop()
        if self.processor is not None:
            self.processor.stop()
        for task in self.tasks:
            if task.get_name() == "poller":
                task.cancel()
        await asyncio.gather(
            *[t for t in self.tasks if t.get_name() != "sender"], return_exceptions=True
        )
        if self.poller is not None:
            await self.poller.acknowledge()
        if self.sender is not None:
            await self.sender.stop(timeout=3.0)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.app is not None:
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        if self.services is not None:
            await self.services.db.close()
        log.info("liaison-bot stopped")

    async def _stop_webhook(self) -> None:
        """Remove the webhook so updates wait at Telegram, then stop listening."""
        assert self.webhook is not None
        if self.app is not None:
            try:
                # Telegram keeps the updates and sends them at once after the next setWebhook,
                # instead of backing off against a server that is down.
                await self.app.bot.delete_webhook(drop_pending_updates=False)
            except TelegramError as exc:
                log.warning("could not remove the webhook on stop: %s", exc)
        await self.webhook.stop()


async def sweep_deadlines(services: Services) -> None:
    """One pass of the deadline job: each step and its messages commit together."""
    # Each ticket's steps and their messages commit together, ticket by ticket.
    await services.escalation.sweep(on_result=services.deadline_notifier.swept)
    async with services.db.transaction():
        for brief in await services.briefs.due():
            await services.deadline_notifier.brief(brief)


async def sweep_jobs(services: Services) -> tuple[int, int]:
    """One job-post sweep in one transaction, so each post expires and is announced once."""
    async with services.db.transaction():
        done = await services.job_notifier.sweep()
        await services.job_drafts.purge_stale()
    return done


async def expire_logistics(services: Services) -> int:
    """One logistics expiry pass in one transaction, so each post expires and is told once."""
    async with services.db.transaction():
        expired = await services.logistics.expire()
        await services.logistics_notifier.expired(expired)
    return len(expired.offers) + len(expired.requests)


async def run_until_signalled(runtime: Runtime) -> int:
    """Start, run until SIGTERM/SIGINT (or a polling conflict), then stop gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runtime.stop_event.set)
    await runtime.start()
    await runtime.stop_event.wait()
    await runtime.stop()
    return runtime.exit_code
