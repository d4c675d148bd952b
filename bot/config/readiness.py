"""Whether `run` can work with loaded settings.

Token, database path and proxy are checked in one place, so `run`, `check-config` and `doctor`
agree on what is ready.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.config.base import ConfigError, Problem
from bot.config.loading import Settings, load_settings
from bot.delivery.proxy import ProxyConfigError, resolve_proxy
from storage.url import SQLITE


def run_problems(settings: Settings, environ: dict[str, str] | None = None) -> list[Problem]:
    """What keeps `run` from working with these settings, one problem each; [] when ready.

    One validation for `run`, `check-config` and `doctor`: whatever `run` would refuse,
    `check-config` refuses and `doctor` reports. Never echoes a secret.
    """
    problems: list[Problem] = []
    if not settings.telegram.token.get_secret_value():
        problems.append(Problem("token_empty"))
    database = settings.storage.database
    storage = storage_problem(database.target) if database.backend == SQLITE else None
    if storage:
        key = "storage.url" if settings.storage.url is not None else "storage.path"
        problems.append(Problem("plain", {"key": key}, inner=storage))
    try:
        resolve_proxy(
            settings.telegram.proxy.get_secret_value(),
            settings.telegram.api_base_url,
            os.environ if environ is None else environ,
        )
    except ProxyConfigError as exc:
        key, _, detail = str(exc).partition(": ")
        problems.append(
            Problem("plain", {"key": key}, inner=Problem("problem.proxy", {"detail": detail}))
        )
    return problems


def storage_problem(path_text: str) -> Problem | None:
    """Why the database file cannot be used at `path_text`, or None if it can (no side effects)."""
    if path_text == ":memory:" or path_text.startswith("file:"):
        return None
    path = Path(path_text)
    if path.is_dir():
        return Problem("storage_is_dir", {"path": path})
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return Problem("storage_not_rw", {"path": path})
    # The directory must be writable (SQLite puts -wal and -shm beside the database), or
    # creatable: the bot creates missing directories on first start.
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return Problem("storage_parent_file", {"folder": folder, "path": path})
    if not os.access(folder, os.W_OK | os.X_OK):
        if folder == path.parent:
            return Problem("storage_dir_ro", {"folder": folder})
        return Problem("storage_no_dir", {"folder": path.parent, "parent": folder})
    return None


def load_run_settings(path: str | Path | None, **overrides: Any) -> Settings:
    """Load settings and refuse any that `run` cannot use (see `run_problems`).

    Raises:
        ConfigError: the settings do not load, or `run_problems` found something.
    """
    settings = load_settings(path, **overrides)
    problems = run_problems(settings)
    if problems:
        raise ConfigError(problems, locale=settings.park.locale)
    return settings
