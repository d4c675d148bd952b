"""Settings: a TOML file with `LIAISON_` environment overrides (`__` between levels).

Unknown keys are refused at every level, so a typo never silently falls back to a default.
`load_settings` turns every problem into `ConfigError` with one line per key, naming the key and
how to fix it, and never echoing a secret.

The package holds one module per concern; import from here:
  base       the strict section base and `ConfigError`
  runtime    telegram (+ webhook), storage, delivery, dashboard, logging
  tickets    park, tickets, calendar, deadlines
  features   jobs (recruitment posts), airing, logistics, roster (import limits)
  loading    the root `Settings` and `load_settings`
  readiness  `run_problems`, `storage_problem`, `load_run_settings`
"""

from bot.config.base import ConfigError
from bot.config.features import (
    AiringSettings,
    AiringWeights,
    JobsSettings,
    JobWordsSettings,
    LogisticsSettings,
    RosterSettings,
)
from bot.config.loading import Settings, load_settings
from bot.config.readiness import load_run_settings, run_problems, storage_problem
from bot.config.runtime import (
    DEFAULT_API_BASE_URL,
    DashboardSettings,
    DeliverySettings,
    LoggingSettings,
    StorageSettings,
    TelegramSettings,
    WebhookSettings,
)
from bot.config.tickets import CalendarSettings, DeadlineSettings, ParkSettings, TicketSettings

__all__ = [
    "DEFAULT_API_BASE_URL",
    "AiringSettings",
    "AiringWeights",
    "CalendarSettings",
    "ConfigError",
    "DashboardSettings",
    "DeadlineSettings",
    "DeliverySettings",
    "JobWordsSettings",
    "JobsSettings",
    "LoggingSettings",
    "LogisticsSettings",
    "ParkSettings",
    "RosterSettings",
    "Settings",
    "StorageSettings",
    "TelegramSettings",
    "TicketSettings",
    "WebhookSettings",
    "load_run_settings",
    "load_settings",
    "run_problems",
    "storage_problem",
]
