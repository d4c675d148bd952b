"""`liaison-bot doctor`: the database, the queues and what Telegram thinks of the bot.

Each problem is printed with its fix. The database is read, never written: SQLite's file is
checked read-only (`storage.inspect`), PostgreSQL on a read-only snapshot; the queues on a
read-only connection. It never prints the bot token or the database password.
(`liaison-bot backup` is `bot.cli.backup`.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.cli.backup import human_size
from bot.clock import Clock, SystemClock
from bot.config import Settings, run_problems
from bot.logs import secrets_of
from storage.errors import StorageError
from storage.inspect import inspect_database
from storage.migrate import latest_version
from storage.open import open_reader
from storage.repos.queues import InboxFailure, InboxRepo, OutboxRepo
from storage.url import SQLITE

if TYPE_CHECKING:
    from telegram import User, WebhookInfo

# Failed updates older than this are history, not a current problem (they are never purged).
RECENT_FAILURES = timedelta(days=7)
# A webhook delivery error newer than this means Telegram cannot reach us right now.
RECENT_WEBHOOK_ERROR = timedelta(hours=1)

Output = Callable[[str], None]


@dataclass
class Report:
    """Lines for the operator and the problems found; redacts the token from everything."""

    out: Output
    secrets: list[str] = field(default_factory=list)
    problems: int = 0

    def line(self, text: str) -> None:
        """Print one informational line."""
        self.out(self._redact(text))

    def problem(self, what: str, fix: str) -> None:
        """Print one problem and how to fix it."""
        self.problems += 1
        self.out(self._redact(f"PROBLEM: {what}"))
        self.out(self._redact(f"  fix: {fix}"))

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text


async def doctor(settings: Settings, *, out: Output = print, clock: Clock | None = None) -> int:
    """Check the database, the queues and the bot's Telegram setup; 0 if healthy, else 1."""
    clock = clock or SystemClock()
    report = Report(out, secrets=secrets_of(settings))
    # The same validation as `run` and `check-config`: what run refuses is a problem here.
    config_problems = run_problems(settings)
    for problem in config_problems:
        report.problem(
            problem.line("en").removeprefix("config error: "),
            "correct the config; `liaison-bot check-config` lists the same problems",
        )
    await _check_database(settings, report, clock)
    if not config_problems:
        await _check_telegram(settings, report, clock)
    else:
        report.line("telegram: not checked until the config problems above are fixed")
    if report.problems:
        report.line(f"{report.problems} problem(s) found")
        return 1
    report.line("healthy: no problems found")
    return 0


async def _check_database(settings: Settings, report: Report, clock: Clock) -> None:
    """Report integrity (SQLite), schema version, queue depths, last send and tickets."""
    database = settings.storage.database
    try:
        facts = await inspect_database(database.url)
    except StorageError as exc:
        report.problem(
            str(exc),
            "check the file's permissions; if it is damaged, restore the last backup"
            if database.backend == SQLITE
            else "check that PostgreSQL runs and accepts this user, and storage.url (host, "
            "port, user, password, database, ?schema=)",
        )
        return
    if facts is None:
        report.problem(
            f"database not found at {database.target}",
            "check storage.url in the config (the bot creates the database on first start)",
        )
        return
    report.line(f"database: {facts.display} ({human_size(facts.size)})")
    if facts.server is not None:
        report.line(f"server: PostgreSQL {facts.server}")
    if facts.integrity is None:
        pass  # PostgreSQL checks its own pages
    elif facts.integrity == ["ok"]:
        report.line("integrity_check: ok")
    else:
        report.problem(
            "integrity_check failed: " + "; ".join(facts.integrity[:5]),
            "stop the bot and restore the last good backup (see Backup and restore)",
        )
    expected = latest_version()
    if facts.version != expected:
        newer = facts.version > expected
        report.problem(
            f"schema version {facts.version}, this program expects {expected}",
            "upgrade liaison-bot to the version that wrote this database"
            if newer
            else "back up the database, then start the bot once: it migrates on start",
        )
        # Opening it as the bot does would migrate it; the doctor never writes.
        return
    report.line(f"schema version: {facts.version} (current)")
    await _check_queues(database.url, report, clock)


async def _check_queues(url: str, report: Report, clock: Clock) -> None:
    """Report inbox, outbox and ticket counts through the repositories, on a read-only snapshot."""
    db = await open_reader(url)
    try:
        inbox_repo, outbox_repo = InboxRepo(db), OutboxRepo(db)
        async with db.reading():
            inbox = await inbox_repo.counts()
            outbox = await outbox_repo.counts()
            failures = await inbox_repo.failures(limit=5)
            quarantined = await inbox_repo.failures(limit=20, status="quarantined")
            last_sent = await outbox_repo.last_sent_at()
            tickets = await db.fetchall(
                "SELECT status, COUNT(*) FROM tickets GROUP BY status ORDER BY status"
            )
    finally:
        await db.close()
    report.line(
        f"inbox: {inbox.get('pending', 0)} pending, {inbox.get('failed', 0)} failed, "
        f"{inbox.get('quarantined', 0)} quarantined, {inbox.get('done', 0)} done"
    )
    report.line(
        f"outbox: {outbox.get('pending', 0)} pending, {outbox.get('failed', 0)} failed, "
        f"{outbox.get('sent', 0)} sent"
    )
    report.line(f"last message sent: {_when(last_sent) if last_sent else 'never'}")
    summary = ", ".join(f"{row[0]} {row[1]}" for row in tickets) or "none"
    report.line(f"tickets: {summary}")
    recent = [
        f for f in failures if f.failed_at is None or clock.now() - f.failed_at < RECENT_FAILURES
    ]
    for failure in recent:
        stamp = _when(failure.failed_at) if failure.failed_at else "unknown time"
        report.line(f"  failed update {failure.update_id} at {stamp}: {failure.error[:200]}")
    if recent:
        report.problem(
            f"{inbox.get('failed', 0)} update(s) failed in a handler "
            f"({len(recent)} in the last {RECENT_FAILURES.days} days; newest listed above)",
            "find 'update <id> failed in a handler' in the bot log for the traceback and fix the "
            "cause; the people involved were told to try again, failed updates are not retried",
        )
    _report_quarantined(report, quarantined, inbox.get("quarantined", 0))
    if outbox.get("failed", 0):
        # Usually a person blocked the bot or removed it from a group; the admins were told.
        report.line(
            f"note: {outbox['failed']} message(s) could not be delivered (blocked bot or removed "
            "from a chat); the admins were notified when it happened"
        )


def _report_quarantined(report: Report, listed: list[InboxFailure], total: int) -> None:
    """List the quarantined updates (newest first): a problem until someone looks at them."""
    for failure in listed:
        stamp = _when(failure.failed_at) if failure.failed_at else "unknown time"
        report.line(
            f"  quarantined update {failure.update_id} at {stamp} after {failure.attempts} "
            f"attempts: {failure.error[:200]}"
        )
    if total:
        report.problem(
            f"{total} update(s) quarantined: each failed and not even its failure could be "
            f"recorded{' (newest 20 listed above)' if total > len(listed) else ''}",
            "find 'update <id>' in the bot log for the traceback and fix the cause; a "
            "quarantined update is never handled again and its sender got no answer",
        )


def _when(moment: datetime) -> str:
    """Format a stored UTC time for the operator."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


async def _check_telegram(settings: Settings, report: Report, clock: Clock) -> None:
    """Ask Telegram who the bot is and where its updates go; warn about privacy mode."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.delivery.http import telegram_request

    api = settings.telegram.api_base_url
    # The transport `run` uses, so the doctor reaches Telegram exactly as the bot would.
    request = telegram_request(settings.telegram, connections=1)
    proxy = request.proxy
    if proxy is not None:
        report.line(f"proxy: {proxy.display} (from {proxy.source})")
    else:
        report.line(
            "proxy: none, direct connection (set telegram.proxy or HTTPS_PROXY where "
            "Telegram is blocked)"
        )
    bot = Bot(
        settings.telegram.token.get_secret_value(),
        base_url=api,
        request=request,
        get_updates_request=telegram_request(settings.telegram, connections=1),
    )
    try:
        async with bot:
            me = await bot.get_me()
            info = await bot.get_webhook_info()
    except InvalidToken:
        report.problem(
            "Telegram rejected the bot token",
            "get the current token from @BotFather (/mybots → API Token) and set telegram.token",
        )
        return
    except NetworkError as exc:
        report.problem(
            f"cannot reach the Telegram Bot API ({exc})",
            f"check network access to {api}"
            + (f" and the proxy {proxy.display}" if proxy else ", or set a proxy"),
        )
        return
    except TelegramError as exc:
        report.problem(f"Telegram answered an error: {exc}", "retry later; check the token")
        return
    report.line(f"telegram: @{me.username} (id {me.id})")
    _check_privacy(me, report)
    _check_webhook(settings, info, report, clock)


def _check_privacy(me: User, report: Report) -> None:
    """Privacy mode must be off, or group reports without a command are never seen."""
    if me.can_read_all_group_messages:
        report.line("privacy mode: disabled (the bot sees every group message)")
    else:
        report.problem(
            "privacy mode is on: in groups the bot only sees commands and replies to its own "
            "messages, so #hashtag reports and @mentions in groups are missed",
            "@BotFather → /setprivacy → choose the bot → Disable, then remove the bot from each "
            "group and add it again (the change only applies to groups joined afterwards)",
        )


def _check_webhook(settings: Settings, info: WebhookInfo, report: Report, clock: Clock) -> None:
    """Telegram's webhook must match the configured mode, and have no recent delivery error."""
    mode = settings.telegram.mode
    pending = info.pending_update_count
    report.line(
        f"webhook at Telegram: {info.url or 'none'}; updates waiting at Telegram: {pending}"
    )
    if mode == "polling" and info.url:
        report.problem(
            f'a webhook is set ({info.url}) but telegram.mode is "polling"',
            "stop any other instance using this token in webhook mode; the bot removes the "
            "webhook when it starts in polling mode",
        )
    if mode == "webhook" and info.url != settings.telegram.webhook.url:
        report.problem(
            f"Telegram delivers to {info.url or 'nowhere'} but telegram.webhook.url is "
            f"{settings.telegram.webhook.url}",
            "start the bot: it calls setWebhook on start (it removes the webhook on stop, so "
            "this is expected while the bot is stopped)",
        )
    if info.last_error_message:
        error_date = info.last_error_date
        recent = error_date is not None and clock.now() - error_date < RECENT_WEBHOOK_ERROR
        when = _when(error_date) if error_date else "unknown time"
        if recent and mode == "webhook":
            report.problem(
                f"Telegram could not deliver to the webhook at {when}: {info.last_error_message}",
                "make sure telegram.webhook.url reaches this server (reverse proxy, TLS "
                "certificate, port), the bot is running, and GET /healthz answers 200",
            )
        else:
            report.line(f"last webhook error (old): {when}: {info.last_error_message}")
