"""The runtime: the process's lifecycle around the Application (`bot.runtime.application`) and the
services (`bot.wiring.bot`).

`Runtime` owns the lifecycle: open the database, build services, start the Application (without
PTB's Updater), replay pending inbox rows, then run the processor (and the webhook server) until
asked to stop; while this process holds the lease (`bot.runtime.lease`: always on SQLite, one
worker at a time on PostgreSQL) it also runs the poller, the outbox sender, the deferred work and
the scheduled jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from dataclasses import dataclass, field
from typing import Any

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.warnings import PTBUserWarning

from bot.clock import Clock, SystemClock
from bot.commands import audiences, menu
from bot.config import Settings
from bot.context import BotApplication, Services
from bot.dashboard.server import DashboardServer, bot_file_fetcher
from bot.delivery.http import AiohttpRequest, telegram_request
from bot.i18n import Translator, t_plain
from bot.ingest.kinds import ALLOWED_UPDATES
from bot.ingest.poller import Poller, PollingConflict
from bot.ingest.processor import DatabaseUnavailable, UpdateProcessor
from bot.ingest.webhook import WebhookServer
from bot.offload.worker import DeferredWorker
from bot.runtime.application import bot_commands, build_application
from bot.runtime.leader_work import STOP_CALL_SECONDS, LeaderWork
from bot.runtime.lease import FOLLOWER, Fence, Leadership, open_lease
from bot.wiring.bot import build_services
from storage.db import Database
from storage.errors import DatabaseInUse, StorageError
from storage.open import open_database
from storage.runlock import HeldLock, take_run_lock
from storage.url import POSTGRESQL

log = logging.getLogger(__name__)

# Exit codes of `liaison-bot run` besides 0 (stopped) and 2 (config): for supervisors.
EXIT_FAILED = 1  # could not start (database, Telegram)
EXIT_CONFLICT = 3  # another process polls with this token
EXIT_TOKEN_REJECTED = 4  # Telegram answered 401: restarting will not help
EXIT_DATABASE_IN_USE = 5  # another liaison-bot runs on this database file


@dataclass
class Runtime:
    """Everything that runs while the bot is up, with an orderly start and stop."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    lock: HeldLock | None = None
    db: Database | None = None
    app: BotApplication | None = None
    requests: tuple[AiohttpRequest, AiohttpRequest] | None = None
    services: Services | None = None
    processor: UpdateProcessor | None = None
    webhook: WebhookServer | None = None
    dashboard: DashboardServer | None = None
    leadership: Leadership | None = None
    # The leader's work, while this process holds the lease.
    leader: LeaderWork | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def deferred(self) -> DeferredWorker | None:
        """The leader's deferred worker (None while this process follows)."""
        return self.leader.deferred if self.leader is not None else None

    async def start(self) -> None:
        """Open storage, initialise the bot (retrying while Telegram is unreachable), start."""
        # The outbox replays stored Bot API calls by method name on purpose.
        warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)
        db, services = await self._open()
        self.requests = (
            telegram_request(self.settings.telegram, connections=64),
            telegram_request(self.settings.telegram, connections=2),
        )
        app = build_application(self.settings, self.requests)
        app.bot_data.services = services
        # Recorded before the first network call, so `stop` cleans up after any failure.
        self.app, self.services = app, services
        await self._initialize(app)
        app.bot_data.bot_username = app.bot.username or ""
        self.processor = UpdateProcessor(
            app,
            db,
            self.clock,
            on_failure=services.failures.handler_failed,
            on_quarantine=services.failures.update_quarantined,
        )
        await app.start()
        if app.bot.username:
            await services.onboarding.remember_username(app.bot.username)
        if self.settings.telegram.mode == "webhook":
            await self._start_webhook(app, db)
        if self.settings.dashboard.enabled:
            await self._start_dashboard(app, services)
        replayed = await self._replay(self.processor)
        if replayed:
            log.info("replayed %d pending updates from the inbox", replayed)
        self.tasks.append(asyncio.create_task(self.processor.run(), name="processor"))
        # A lone worker (always, on SQLite) leads before this returns.
        self.leadership = Leadership(open_lease(db.url), on_lead=self._lead, on_follow=self._follow)
        await self.leadership.start()
        started = (app.bot.username, self.settings.telegram.mode, db.backend, self.leadership.role)
        log.info("liaison-bot started as @%s (%s mode, %s, %s)", *started)

    @staticmethod
    async def _replay(processor: UpdateProcessor) -> int:
        """Handle what the inbox holds from before; never stops the start (the processor's
        task tries again whatever failed here)."""
        try:
            return await processor.drain()
        except DatabaseUnavailable as exc:
            log.warning("replaying the inbox: %s (%s)", exc, exc.__cause__)
        except Exception:
            log.exception("replaying the inbox failed; the processor tries again")
        return 0

    async def _open(self) -> tuple[Database, Services]:
        """Take the run lock (SQLite), open and migrate the database, build the services."""
        url = self.settings.storage.database_url
        # Before anything else: on SQLite a second process must not touch the inbox or the
        # outbox. On PostgreSQL any number of workers share the database (the lease decides
        # which of them does what must run once), but none runs beside `port-db`.
        self.lock = await take_run_lock(url, shared=True)
        db = open_database(url)
        await db.connect()
        self.db = db
        services = build_services(self.settings, db, self.clock)
        # Stored next-step times follow the deadline rules they were computed with.
        await services.escalation.reschedule_if_rules_changed()
        return db, services

    async def _lead(self, fence: Fence) -> None:
        """This process took the lease: poll, send, make deferred answers, run the jobs."""
        app, services, db = self.app, self.services, self.db
        assert app is not None and services is not None and db is not None
        assert self.processor is not None
        fence.check()
        with db.fenced(fence):
            await self._announce_commands(app, services)
        self.leader = LeaderWork(
            self.settings,
            self.clock,
            app,
            services,
            db,
            self.processor,
            on_chat_migrated=self._follow_migration,
            poll=self._poll,
            fence=fence,
        )
        await self.leader.start()

    async def _follow(self) -> None:
        """This process lost the lease: stop the leader's work (another worker takes it on)."""
        leader, self.leader = self.leader, None
        if leader is not None:
            await leader.stop(acknowledge=False)

    async def _follow_migration(self, old_chat_id: int, new_chat_id: int) -> None:
        """A send found its group upgraded: move everything over, tell the admins once."""
        assert self.services is not None
        await self.services.onboarding.follow_migration(old_chat_id, new_chat_id)

    async def _start_webhook(self, app: BotApplication, db: Database) -> None:
        """Listen first, then tell Telegram where to deliver (and with which secret)."""
        assert self.processor is not None
        hook = self.settings.telegram.webhook
        processor = self.processor
        self.webhook = WebhookServer(
            db,
            self.clock,
            processor.wakeup,
            hook,
            role=self._role,
            handled=lambda: processor.processed,
        )
        await self.webhook.start()
        await app.bot.set_webhook(
            url=hook.url,
            secret_token=hook.secret_token.get_secret_value() or None,
            allowed_updates=ALLOWED_UPDATES,
        )

    def _role(self) -> str:
        """This worker's role: leader (holds the lease) or follower."""
        return self.leadership.role if self.leadership is not None else FOLLOWER

    async def _start_dashboard(self, app: BotApplication, services: Services) -> None:
        """Serve the Mini App and compute this week's figures before the first visitor."""
        self.dashboard = DashboardServer(
            services,
            self.settings.dashboard,
            self.settings.telegram.token.get_secret_value(),
            fetch_file=bot_file_fetcher(app.bot),
        )
        await self.dashboard.start()
        self.tasks.append(asyncio.create_task(services.dashboard.warm(), name="dashboard-warm"))

    async def start_unless_stopped(self) -> bool:
        """Start, unless a stop is asked for first (then give up at once); True if started."""
        starting = asyncio.create_task(self.start(), name="start")
        stopping = asyncio.create_task(self.stop_event.wait(), name="stop-wait")
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not starting.done():
            # Telegram may stay unreachable for hours: a stop must not wait for it.
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            return False
        starting.result()  # re-raises a start failure
        return True

    async def _initialize(self, app: BotApplication) -> None:
        """Call getMe until Telegram answers (an InvalidToken is final and raised)."""
        delay = 1.0
        while True:
            try:
                await app.initialize()
                return
            except InvalidToken:
                raise
            except NetworkError as exc:
                log.warning("Telegram unreachable at start (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    def fail(self, code: int, key: str, **params: object) -> None:
        """Stop with exit `code`, saying why in one line in the park's language."""
        # A log line is plain text: no HTML escaping of the path or the error.
        log.critical("%s", t_plain(self.settings.park.locale, key, **params))
        self.exit_code = code
        self.stop_event.set()

    async def _announce_commands(self, app: BotApplication, services: Services) -> None:
        """The default menu in both languages; each staff member's private chat gets theirs."""
        try:
            await app.bot.set_my_commands(bot_commands("zh_CN"))
            await app.bot.set_my_commands(bot_commands("en"), language_code="en")
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)
        # Queued, so a restart with hundreds of staff neither blocks start nor floods Telegram.
        park_locale = self.settings.park.locale
        async with services.db.transaction():
            for telegram_id in await services.people.reachable_staff_ids():
                actor = await services.people.actor(telegram_id)
                locale = await services.people.locale_of(telegram_id, park_locale)
                await services.outbox.set_commands(
                    telegram_id, menu(audiences(actor), Translator(locale))
                )

    async def _poll(self, poller: Poller) -> None:
        """Run the leader's poller; a 409 or a revoked token stops the process."""
        try:
            await poller.run()
        except PollingConflict as exc:
            log.critical("%s", exc)
            self.exit_code = EXIT_CONFLICT
            self.stop_event.set()
        except InvalidToken:
            # The token was revoked while running: retrying cannot help, a person must act.
            self.fail(EXIT_TOKEN_REJECTED, "ops.token_rejected")

    exit_code: int = 0

    async def stop(self) -> None:
        """Stop fetching, finish the update in hand, acknowledge, flush sends, close."""
        if self.webhook is not None:
            await self._stop_webhook()
        if self.dashboard is not None:
            await self.dashboard.stop()
        if self.leadership is not None:
            await self.leadership.stop()
        if self.leader is not None:
            self.leader.stop_fetching()
        if self.processor is not None:
            self.processor.stop()
        for task in self.tasks:
            # A render in progress would only delay the stop; its request is made on start.
            if task.get_name() == "dashboard-warm":
                task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        # After the update in hand: its messages go out with the sender's last round.
        if self.leader is not None:
            await self.leader.stop(acknowledge=True)
        if self.leadership is not None:
            # Before closing the rest: another worker takes over at its next try.
            await self.leadership.release()
        if self.app is not None:
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        # A failed getMe leaves the Application uninitialised, its sessions open: close them.
        for request in self.requests or ():
            await request.shutdown()
        if self.db is not None:
            await self.db.close()
        if self.lock is not None:
            await self.lock.release()
            self.lock = None
        log.info("liaison-bot stopped")

    async def _stop_webhook(self) -> None:
        """Remove the webhook so updates wait at Telegram, then stop listening.

        Not with several workers (PostgreSQL): the others still serve the webhook.
        """
        assert self.webhook is not None
        shared = self.db is not None and self.db.backend == POSTGRESQL
        if self.app is not None and not shared:
            try:
                # Telegram keeps the updates and sends them at once after the next setWebhook,
                # instead of backing off against a server that is down.
                await asyncio.wait_for(
                    self.app.bot.delete_webhook(drop_pending_updates=False), STOP_CALL_SECONDS
                )
            except (TelegramError, TimeoutError) as exc:
                log.warning("could not remove the webhook on stop: %s", exc)
        await self.webhook.stop()


async def run_until_signalled(runtime: Runtime) -> int:
    """Start, run until SIGTERM/SIGINT (or a fatal error), then stop gracefully.

    A signal ends every wait, the start-up retries while Telegram is unreachable included. A
    start-up failure is one line in the park's language and a non-zero exit, never a traceback
    (which would carry the token) and never a process left hanging.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runtime.stop_event.set)
    try:
        if await runtime.start_unless_stopped():
            await runtime.stop_event.wait()
    except InvalidToken:
        runtime.fail(EXIT_TOKEN_REJECTED, "ops.token_rejected")
    except DatabaseInUse as exc:
        runtime.fail(EXIT_DATABASE_IN_USE, "ops.database_in_use", path=exc.path, pid=exc.pid or "?")
    except (StorageError, TelegramError) as exc:
        runtime.fail(EXIT_FAILED, "ops.start_failed", error=str(exc))
    finally:
        await runtime.stop()
    return runtime.exit_code
