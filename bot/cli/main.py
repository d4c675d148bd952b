"""The `liaison-bot` command line: run, demo, check-config, roster, invite, backup, doctor,
port-db."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import airing as cli_airing
from bot.cli.backup import OpsError
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_run_settings, load_settings
from bot.errors import DomainError
from bot.i18n import Translator
from bot.logs import secrets_of, setup_logging
from storage.errors import StorageError
from storage.url import parse_url

DEFAULT_CONFIG = "config.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liaison-bot", description="企业服务助手 liaison-bot")
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, help="TOML config (default ./config.toml)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (polling or webhook, as configured)")
    sub.add_parser("check-config", help="check the configuration and exit")
    demo = sub.add_parser("demo", help="play the ticket story against the bundled sandbox")
    demo.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    roster = sub.add_parser("roster", help="roster commands")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    imp = roster_sub.add_parser("import", help="import enterprises and cadres (.xlsx / .csv)")
    imp.add_argument("files", nargs="+", type=Path)
    invite = sub.add_parser("invite", help="print a deep link that binds a Telegram user")
    invite.add_argument("kind", choices=["enterprise", "cadre"])
    invite.add_argument("name")
    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    sub.add_parser("doctor", help="check the database, the queues and the Telegram setup")
    port = sub.add_parser(
        "port-db", help="copy the SQLite database into an empty PostgreSQL one (bot stopped)"
    )
    port.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="postgresql://user:password@host:5432/dbname (or leave the password out and set "
        "PGPASSWORD)",
    )
    cli_airing.add_parsers(sub)
    return parser


# Exit codes, for supervisors (systemd's RestartPreventExitStatus=2 4 5, for example).
EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from bot.cli.demo import run_demo  # the demo pulls in the sandbox; only load it here

        setup_logging("WARNING", secrets=[])
        return asyncio.run(run_demo(locale=args.lang))
    # `run` and `check-config` refuse the same things; `doctor` reports them as problems.
    strict = args.command in ("run", "check-config")
    try:
        settings = (load_run_settings if strict else load_settings)(args.config)
    except ConfigError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    secrets = secrets_of(settings)
    if args.command == "port-db":
        secrets += _url_secrets(args.to)
    setup_logging(settings.logging.level, secrets=secrets)
    try:
        return _dispatch(args, settings)
    except (StorageError, OpsError) as error:
        # Expected operational failures: one line, no traceback.
        print(f"error: {error}", file=sys.stderr)
        return 1


def _url_secrets(url: str) -> list[str]:
    """The password in a database URL given on the command line, to mask it in any output."""
    try:
        return parse_url(url).secrets
    except StorageError:
        return []


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check-config":
        print(f"config OK: {args.config}")
        return 0
    if args.command == "run":
        from bot.runtime.process import Runtime, run_until_signalled

        return asyncio.run(run_until_signalled(Runtime(settings)))
    if args.command == "roster":
        return asyncio.run(_roster_import(settings, args.files))
    if args.command == "invite":
        return asyncio.run(_invite(settings, args.kind, args.name))
    if args.command == "backup":
        return asyncio.run(_backup(settings, args.path, force=args.force))
    if args.command == "doctor":
        from bot.cli.ops import doctor

        return asyncio.run(doctor(settings))
    if args.command == "port-db":
        from bot.cli.port_db import port_db

        return asyncio.run(port_db(settings, args.to))
    if args.command in ("airing", "export"):
        return asyncio.run(cli_airing.run(settings, args))
    return EXIT_CONFIG


async def _backup(settings: Settings, path: Path, *, force: bool) -> int:
    """Copy the database to `path` and report the copy's size and integrity."""
    from bot.cli.backup import backup, human_size

    try:
        result = await backup(settings, path, force=force)
    except OpsError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup written: {result.path} ({human_size(result.size)})")
    entries = f" ({result.entries} entries)" if result.entries is not None else ""
    print(f"{result.check}: {'; '.join(result.integrity)}{entries}")
    return 0


async def _roster_import(settings: Settings, files: list[Path]) -> int:
    from bot.services.roster.service import RosterError
    from bot.wiring.shared import roster_service
    from storage.open import open_database

    db = open_database(settings.storage.database_url)
    await db.connect()
    try:
        report = await roster_service(settings, db, SystemClock()).import_files(
            files, locale=settings.park.locale
        )
    except RosterError as error:
        for line in error.lines(settings.park.locale):
            print(line, file=sys.stderr)
        return 1
    finally:
        await db.close()
    for line in report.lines(settings.park.locale):
        print(line)
    return 0


async def _invite(settings: Settings, kind: str, name: str) -> int:
    from bot.wiring.shared import onboarding_service
    from storage.open import open_database

    db = open_database(settings.storage.database_url)
    await db.connect()
    try:
        onboarding = onboarding_service(settings, db, SystemClock())
        invite = await onboarding.invite(kind, name)
        # The configured name, else the one the bot stored at its last start, else ask Telegram.
        username = settings.telegram.username or await onboarding.bot_username()
    except DomainError as error:
        print(error.message(Translator(settings.park.locale).plain), file=sys.stderr)
        return 1
    finally:
        await db.close()
    username = username or await _bot_username(settings)
    tr = Translator(settings.park.locale)
    expires = f"{invite.expires_at.astimezone(settings.park.tz):%Y-%m-%d %H:%M}"
    print(tr.plain(f"invite.made_{invite.kind}", name=invite.name, expires=expires))
    if username:
        print(f"https://t.me/{username}?start={invite.payload}")
        print(tr.plain("invite.send"))
    else:
        print(tr.plain("invite.no_link"))
        print(f"/start {invite.payload}")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    """Ask Telegram for the bot's username (for a clickable link); None when offline."""
    token = settings.telegram.token.get_secret_value()
    if not token:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.delivery.http import telegram_request

    try:
        request = telegram_request(settings.telegram, connections=1)
        async with Bot(token, base_url=settings.telegram.api_base_url, request=request) as bot:
            return bot.username
    except (TelegramError, OSError) as exc:
        logging.getLogger(__name__).warning("could not reach Telegram for the username: %s", exc)
        return None


if __name__ == "__main__":
    sys.exit(main())
