"""Docs stay true: every command is in /help and the README; the README has both commands."""

from __future__ import annotations

from pathlib import Path

from bot.app import bot_commands
from bot.i18n import catalog
from handlers.start import ALL_COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def test_readme_first_screen_has_the_two_newcomer_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert ".venv/bin/liaison-bot demo" in first_screen
    assert '.venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest' in first_screen


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    command = (
        'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'
    )
    assert command in ci


def test_every_command_is_in_help_and_readme() -> None:
    for locale in ("zh_CN", "en"):
        keys = catalog(locale)
        for name in ALL_COMMANDS:
            assert f"/{name}" in keys[f"help.cmd_{name}"], (locale, name)
    for name in ALL_COMMANDS:
        assert f"/{name}" in README, name


def test_menu_commands_have_descriptions() -> None:
    for locale in ("zh_CN", "en"):
        assert all(c.description for c in bot_commands(locale))
