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

from bot.config.base import ConfigError
from bot.config.features import AiringSettings, JobsSettings, LogisticsSettings
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
        ConfigError: the file is missing or unreadable, or a key is unknown or has a bad value.
    """
    settings_cls: type[Settings] = Settings
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(
                [
                    f"config file not found: {file} "
                    "(copy config.example.toml to config.toml, or pass --config PATH)"
                ]
            )
        try:
            tomllib.loads(file.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{file}: not valid TOML: {exc}"]) from None
        except OSError as exc:
            raise ConfigError([f"cannot read the config file {file}: {exc.strerror}"]) from None

        class FileSettings(Settings):
            model_config = SettingsConfigDict(toml_file=file)

        settings_cls = FileSettings
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None
    except SettingsError:
        # A list or table given in the environment is parsed as JSON before validation.
        raise ConfigError(_environment_errors()) from None


def _environment_errors() -> list[str]:
    """Name each LIAISON_ variable whose list or table value is not valid JSON."""
    lines: list[str] = []
    for name, value in sorted(os.environ.items()):
        if not name.upper().startswith("LIAISON_") or not _is_structured(name):
            continue
        try:
            json.loads(value)
        except ValueError:
            lines.append(
                f"config error: {name}: a list or table must be written as JSON "
                '(examples: [123456789, 987654321] or ["#诉求", "#问题"])'
            )
    return lines or [
        "config error: a LIAISON_ environment variable holding a list or table is not valid JSON"
    ]


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


def _describe(error: Any) -> str:
    """One line for one validation error: the key, what is wrong, where to fix it."""
    loc = [str(part) for part in error.get("loc", ())]
    key = ".".join(loc) or "(top level)"
    # A list item's index is not part of the variable's name (LIAISON_PARK__ADMINS).
    names = [part for part in loc if not part.isdigit()]
    env = "LIAISON_" + "__".join(part.upper() for part in names)
    if error.get("type") == "extra_forbidden":
        return f"config error: unknown key {key!r}: remove it or check its spelling"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"config error: {key}: {message} (set it in the config file or {env})"
