"""The root `Settings` and `load_settings`.

A TOML file, `LIAISON_` environment overrides (`__` between levels) and keyword overrides, in
that order of strength; every problem becomes `ConfigError` lines naming the key to fix.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from bot.config.base import PROBLEM_TYPE, ConfigError, Problem, reader_locale
from bot.config.features import AiringSettings, JobsSettings, LogisticsSettings, RosterSettings
from bot.config.runtime import (
    DashboardSettings,
    DeliverySettings,
    LoggingSettings,
    StorageSettings,
    TelegramSettings,
)
from bot.config.tickets import CalendarSettings, DeadlineSettings, ParkSettings, TicketSettings


class Settings(BaseSettings):
    """All settings. Build with `load_settings(path)`."""

    model_config = SettingsConfigDict(
        env_prefix="LIAISON_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    park: ParkSettings = ParkSettings()
    tickets: TicketSettings = TicketSettings()
    calendar: CalendarSettings = CalendarSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    delivery: DeliverySettings = DeliverySettings()
    logging: LoggingSettings = LoggingSettings()
    airing: AiringSettings = AiringSettings()
    jobs: JobsSettings = JobsSettings()
    logistics: LogisticsSettings = LogisticsSettings()
    roster: RosterSettings = RosterSettings()
    dashboard: DashboardSettings = DashboardSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the file; init kwargs (tests, demo) win over both.
        # The file comes from `toml_file` in model_config, set by `load_settings`.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def load_settings(path: str | Path | None, **overrides: Any) -> Settings:
    """Read settings from a TOML file plus environment overrides.

    Args:
        path: the TOML file; None reads only the environment and `overrides`.
        overrides: section dicts that win over file and environment (used by tests and demo).

    Raises:
        ConfigError: the file is missing or unreadable, or a key is unknown or has a bad value;
            its lines are in the config's own `park.locale` when that can be read, else Chinese.
    """
    file = None if path is None else Path(path)
    locale = reader_locale(file if file is not None and file.is_file() else None, overrides)
    settings_cls: type[Settings] = Settings
    if file is not None:
        _check_file(file, locale)

        class FileSettings(Settings):
            model_config = SettingsConfigDict(toml_file=file)

        settings_cls = FileSettings
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()], locale=locale) from None
    except SettingsError:
        # A list or table given in the environment is parsed as JSON before validation.
        raise ConfigError(_environment_errors(), locale=locale) from None


def _check_file(file: Path, locale: str) -> None:
    """Refuse a config file that is missing, unreadable or not TOML, saying which."""
    if not file.is_file():
        raise ConfigError([Problem("not_found", {"file": file})], locale=locale)
    try:
        tomllib.loads(file.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [Problem("not_toml", {"file": file, "error": exc})], locale=locale
        ) from None
    except OSError as exc:
        problem = Problem("unreadable", {"file": file, "error": exc.strerror})
        raise ConfigError([problem], locale=locale) from None


def _environment_errors() -> list[Problem]:
    """Name each LIAISON_ variable whose list or table value is not valid JSON."""
    problems: list[Problem] = []
    for name, value in sorted(os.environ.items()):
        if not name.upper().startswith("LIAISON_") or not _is_structured(name):
            continue
        try:
            json.loads(value)
        except ValueError:
            problems.append(Problem("env_json", {"variable": name}))
    return problems or [Problem("env_json_any")]


def _is_structured(env_name: str) -> bool:
    """Whether the variable names a list, table or section (whose value must be JSON)."""
    model: Any = Settings
    for part in env_name[len("LIAISON_") :].lower().split("__"):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return False
        model = fields[part].annotation
    origin = getattr(model, "__origin__", None)
    return origin in (list, dict, set) or hasattr(model, "model_fields")


# pydantic's error types, by what the reader is told (`config.problem.*`).
_KINDS = {
    "missing": "missing",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "string_type": "text",
    "list_type": "list",
    "dict_type": "table",
    "model_type": "table",
    "model_attributes_type": "table",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_type": "date",
    "time_parsing": "time",
    "time_type": "time",
    "literal_error": "choice",
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "too_short": "too_short",
    "too_long": "too_long",
}
# The context field that holds each kind's limit.
_LIMITS = {"gt": "gt", "ge": "ge", "lt": "lt", "le": "le", "too_short": "min_length"}


def _describe(error: Any) -> Problem:
    """One problem for one validation error: the key, what is wrong, where to fix it."""
    loc = [str(part) for part in error.get("loc", ())]
    key = ".".join(loc) or "(top level)"
    # A list item's index is not part of the variable's name (LIAISON_PARK__ADMINS).
    names = [part for part in loc if not part.isdigit()]
    env = "LIAISON_" + "__".join(part.upper() for part in names)
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind == "extra_forbidden":
        return Problem("unknown_key", {"key": key})
    if kind.startswith(PROBLEM_TYPE):
        name, params = kind.removeprefix(PROBLEM_TYPE), context
    elif kind in _KINDS:
        name = _KINDS[kind]
        params = {"expected": context.get("expected", "")}
        if name in _LIMITS:
            params = {"limit": context.get(_LIMITS[name], "")}
        elif name == "too_long":
            params = {"limit": context.get("max_length", "")}
    else:
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        name, params = "other", {"detail": message}
    return Problem("line", {"key": key, "env": env}, inner=Problem(f"problem.{name}", params))
