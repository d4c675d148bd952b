"""Docs stay true: every command is in /help and the README; the README has both commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.commands import COMMANDS, LISTED, Audience, check_registered
from bot.config import load_settings
from bot.i18n import catalog
from bot.runtime.application import bot_commands, build_application

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
        for name in LISTED:
            assert f"/{name}" in keys[f"help.cmd_{name}"], (locale, name)
    for name in LISTED:
        assert f"/{name}" in README, name


def test_the_command_table_is_what_is_registered() -> None:
    """One list: every command the bot answers is in the table, and nothing else is."""
    settings = load_settings(None, telegram={"token": "1:abcdefghijklmnop"})
    app = build_application(settings)
    registered = {
        name
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    assert registered == {c.name for c in COMMANDS}


def test_a_command_missing_from_the_table_stops_the_build() -> None:
    check_registered({c.name for c in COMMANDS})
    with pytest.raises(RuntimeError, match="secret"):
        check_registered({c.name for c in COMMANDS} | {"secret"})
    with pytest.raises(RuntimeError, match="airing"):
        check_registered({c.name for c in COMMANDS} - {"airing"})


def test_menu_commands_have_descriptions() -> None:
    for locale in ("zh_CN", "en"):
        for audience in Audience:
            menu = bot_commands(locale, frozenset({Audience.ANYONE, audience}))
            assert menu and all(c.description for c in menu), (locale, audience)


def test_architecture_names_files_that_exist() -> None:
    """ARCHITECTURE.md's map stays true: every file or folder it names is there."""
    text = (ROOT / "ARCHITECTURE.md").read_text("utf-8")
    named = set(re.findall(r"\b((?:bot|handlers|storage|sandbox|tests)/[\w/.*]*[\w*])", text))
    assert len(named) > 30
    missing = sorted(p for p in named if not list(ROOT.glob(p)))
    assert missing == []
