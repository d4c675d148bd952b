"""Operator commands: `liaison-bot backup PATH` and `liaison-bot doctor`.

`backup` uses SQLite's online backup API, so the copy is one consistent snapshot even while the
bot is writing (WAL mode lets the bot keep writing during the copy). `doctor` checks the
database, the queues and what Telegram thinks of the bot, and prints each problem with its fix.
Neither command ever prints the bot token.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Settings, run_problems
from bot.logs import secrets_of
from storage.migrate import latest_version
from storage.repos.queues import InboxRepo, OutboxRepo
from storage.sqlite import SqliteDatabase

if TYPE_CHECKING:
    from telegram import User, WebhookInfo

# Failed updates older than this are history, not a current problem (they are never purged).
RECENT_FAILURES = timedelta(days=7)
# A webhook delivery error newer than this means Telegram cannot reach us right now.
RECENT_WEBHOOK_ERROR = timedelta(hours=1)

Output = Callable[[str], None]


class OpsError(Exception):
    """An operator command cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """Where the copy went, how big it is, and what integrity_check said about it."""

    path: Path
    size: int
    integrity: list[str]

    @property
    def ok(self) -> bool:
        """Tell whether the copy passed integrity_check."""
        return self.integrity == ["ok"]


def _readonly(path: Path) -> sqlite3.Connection:
    """Open an existing database read-only, so an operator command can never change it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def backup_file(source: Path, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the live database `source` to `target` consistently; blocking (run in a thread)."""
    if not source.is_file():
        raise OpsError(f"database not found: {source} (check storage.path in the config)")
    if target.is_dir():
        raise OpsError(
            f"{target} is a directory; give the backup file's name, "
            f"e.g. {target / 'liaison-backup.db'}"
        )
    if target.exists() and target.resolve() == source.resolve():
        raise OpsError(f"{target} is the database itself; choose another backup path")
    if target.exists() and not force:
        raise OpsError(f"{target} already exists; choose a new name or pass --force to replace it")
    if not target.parent.is_dir():
        raise OpsError(f"directory {target.parent} does not exist; create it first")
    # Copy next to the target and rename at the end: an interrupted or failed backup never
    # leaves a half-written file under the name an operator would restore from.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        src = _readonly(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                # All pages in one step: the copy is a single snapshot; WAL writers go on.
                src.backup(dst)
                # A self-contained single file, safe to copy elsewhere; the bot turns WAL back
                # on when it opens a restored copy.
                dst.execute("PRAGMA journal_mode=DELETE")
                integrity = [str(row[0]) for row in dst.execute("PRAGMA integrity_check")]
            finally:
                dst.close()
        finally:
            src.close()
        if integrity != ["ok"]:
            raise OpsError(
                "the copy fails integrity_check, so the database itself is damaged: "
                + "; ".join(integrity[:5])
                + " (nothing was written; restore the last good backup)"
            )
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise OpsError(f"backup failed: {exc}") from exc
    except OSError as exc:
        raise OpsError(f"backup failed: cannot write {target}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, integrity)


async def backup(settings: Settings, target: Path, *, force: bool = False) -> BackupResult:
    """Back up the configured database to `target` without blocking the event loop."""
    return await asyncio.to_thread(
        backup_file, Path(settings.storage.database.target), target, force=force
    )


def human_size(size: int) -> str:
    """Format a byte count for people (1.2 MB)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


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


@dataclass(frozen=True)
class FileFacts:
    """What the doctor learns from the database file without going through `Database`."""

    size: int
    integrity: list[str]
    version: int


def _inspect_file(path: Path) -> FileFacts | None:
    """Run integrity_check and read the schema version, read-only; None if there is no file."""
    if not path.is_file():
        return None
    conn = _readonly(path)
    try:
        integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        try:
            version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        except sqlite3.OperationalError:  # no migrations table: not our database, or empty
            version = 0
    finally:
        conn.close()
    return FileFacts(path.stat().st_size, integrity, int(version or 0))


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
    """Report integrity, schema version, queue depths, last send and tickets."""
    path = Path(settings.storage.database.target)
    try:
        facts = await asyncio.to_thread(_inspect_file, path)
    except sqlite3.Error as exc:
        report.problem(
            f"cannot read the database {path}: {exc}",
            "check the file's permissions; if it is damaged, restore the last backup",
        )
        return
    if facts is None:
        report.problem(
            f"database not found at {path}",
            "check storage.path in the config (the bot creates the database on first start)",
        )
        return
    integrity, version = facts.integrity, facts.version
    report.line(f"database: {path} ({human_size(facts.size)})")
    if integrity == ["ok"]:
        report.line("integrity_check: ok")
    else:
        report.problem(
            "integrity_check failed: " + "; ".join(integrity[:5]),
            "stop the bot and restore the last good backup (see Backup and restore)",
        )
    expected = latest_version()
    if version != expected:
        newer = version > expected
        report.problem(
            f"schema version {version}, this program expects {expected}",
            "upgrade liaison-bot to the version that wrote this database"
            if newer
            else "back up the database, then start the bot once: it migrates on start",
        )
        # Opening it through Database would migrate it; the doctor never writes.
        return
    report.line(f"schema version: {version} (current)")
    await _check_queues(path, report, clock)


async def _check_queues(path: Path, report: Report, clock: Clock) -> None:
    """Report inbox, outbox and ticket counts through the repositories."""
    db = SqliteDatabase(path)
    await db.connect()
    try:
        inbox_repo, outbox_repo = InboxRepo(db), OutboxRepo(db)
        async with db.transaction():
            inbox = await inbox_repo.counts()
            outbox = await outbox_repo.counts()
            failures = await inbox_repo.failures(limit=5)
            last_sent = await outbox_repo.last_sent_at()
            tickets = await db.fetchall(
                "SELECT status, COUNT(*) FROM tickets GROUP BY status ORDER BY status"
            )
    finally:
        await db.close()
    report.line(
        f"inbox: {inbox.get('pending', 0)} pending, {inbox.get('failed', 0)} failed, "
        f"{inbox.get('done', 0)} done"
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
    if outbox.get("failed", 0):
        # Usually a person blocked the bot or removed it from a group; the admins were told.
        report.line(
            f"note: {outbox['failed']} message(s) could not be delivered (blocked bot or removed "
            "from a chat); the admins were notified when it happened"
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
