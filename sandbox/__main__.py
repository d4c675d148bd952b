"""Command line: ``python -m sandbox serve --port 8081 --token T --username U``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.server import TelegramSandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run a standalone emulator until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    serve.add_argument("--token", action="append", default=[], help="bot token (repeatable)")
    serve.add_argument("--username", action="append", default=[], help="bot username per token")
    serve.add_argument(
        "--privacy", action="store_true", help="create bots with can_read_all_group_messages=False"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    sandbox = TelegramSandbox()
    for i, token in enumerate(args.token):
        username = args.username[i] if i < len(args.username) else f"sandbox{i}_bot"
        sandbox.create_bot(token, username, can_read_all_group_messages=not args.privacy)
    await sandbox.start(args.host, args.port)
    print(f"api_base_url: {sandbox.api_base_url}", flush=True)
    print(f"control_url:  {sandbox.control_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    """Parse arguments and run."""
    args = _parser().parse_args()
    if args.command == "serve":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
