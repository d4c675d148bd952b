"""Whether `run` can work with loaded settings.

Token, database path and proxy are checked in one place, so `run`, `check-config` and `doctor`
agree on what is ready.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.config.base import ConfigError
from bot.config.loading import Settings, load_settings
from bot.delivery.proxy import ProxyConfigError, resolve_proxy
from storage.url import SQLITE


def run_problems(settings: Settings, environ: dict[str, str] | None = None) -> list[str]:
    """What keeps `run` from working with these settings, one line each; [] when ready.

    One validation for `run`, `check-config` and `doctor`: whatever `run` would refuse,
    `check-config` refuses and `doctor` reports. Never echoes a secret.
    """
    lines: list[str] = []
    if not settings.telegram.token.get_secret_value():
        lines.append(
            "config error: telegram.token is empty (get it from @BotFather; set it in the "
            "config file or LIAISON_TELEGRAM__TOKEN)"
        )
    database = settings.storage.database
    storage = storage_problem(database.target) if database.backend == SQLITE else None
    if storage:
        key = "storage.url" if settings.storage.url is not None else "storage.path"
        lines.append(f"config error: {key}: {storage}")
    try:
        resolve_proxy(
            settings.telegram.proxy.get_secret_value(),
            settings.telegram.api_base_url,
            os.environ if environ is None else environ,
        )
    except ProxyConfigError as exc:
        lines.append(f"config error: {exc}")
    return lines


def storage_problem(path_text: str) -> str | None:
    """Why the database file cannot be used at `path_text`, or None if it can (no side effects)."""
    if path_text == ":memory:" or path_text.startswith("file:"):
        return None
    path = Path(path_text)
    if path.is_dir():
        return f"{path} is a directory; give the database file's path (example: data/liaison.db)"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is not readable and writable by this user"
    # The directory must be writable (SQLite puts -wal and -shm beside the database), or
    # creatable: the bot creates missing directories on first start.
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, so the directory for {path} cannot be created"
    if not os.access(folder, os.W_OK | os.X_OK):
        if folder == path.parent:
            return f"directory {folder} is not writable by this user"
        return f"directory {path.parent} does not exist and cannot be created in {folder}"
    return None


def load_run_settings(path: str | Path | None, **overrides: Any) -> Settings:
    """Load settings and refuse any that `run` cannot use (see `run_problems`).

    Raises:
        ConfigError: the settings do not load, or `run_problems` found something.
    """
    settings = load_settings(path, **overrides)
    problems = run_problems(settings)
    if problems:
        raise ConfigError(problems)
    return settings
