"""Settings: a TOML file with `LIAISON_` environment overrides (`__` between levels).

Unknown keys are refused at every level, so a typo never silently falls back to a default.
`load_settings` turns every problem into `ConfigError` with one line per key, naming the key and
how to fix it, and never echoing a secret.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from bot.delivery.proxy import ProxyConfigError, parse_proxy, resolve_proxy
from bot.domain.recruiting import DEFAULT_ALLOWED_PHRASES, DEFAULT_BANNED_WORDS
from bot.domain.taxonomy import (
    CATEGORIES,
    DEFAULT_CATEGORY_KEYWORDS,
    DEFAULT_KIND_KEYWORDS,
    DEFAULT_URGENT_KEYWORDS,
    KINDS,
)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,100}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
# Telegram's own rule for setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Plain http is only acceptable for a webhook on this machine (tests, the sandbox).
_LOCAL_HTTP_RE = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d+)?(/|$)")


class ConfigError(Exception):
    """The configuration cannot be used; `lines` says what to fix, one line per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class WebhookSettings(_Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    url: str = ""
    secret_token: SecretStr = SecretStr("")
    path: str = "/telegram"


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = DEFAULT_API_BASE_URL
    # "" = the standard variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY ...); else http(s)/socks URL.
    proxy: SecretStr = SecretStr("")
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(default=30, ge=0, le=60)
    webhook: WebhookSettings = WebhookSettings()
    # The bot's @username, for the links `invite` prints; "" = what the bot stored at its start.
    username: str = ""

    @field_validator("username")
    @classmethod
    def _username_shape(cls, value: str) -> str:
        name = value.strip().removeprefix("@")
        if name and not _USERNAME_RE.match(name):
            raise ValueError("must be the username from @BotFather, e.g. haicheng_service_bot")
        return name

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and not _TOKEN_RE.match(raw):
            # Never include the value itself in the message.
            raise ValueError("does not look like a bot token (digits, a colon, then letters)")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        example = "e.g. https://api.telegram.org/bot or, for a local Bot API server, http://127.0.0.1:8081/bot"
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https:// ({example})")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValueError(f"is not a valid URL ({example})") from None
        if not parts.hostname or any(c.isspace() for c in value) or parts.query or parts.fragment:
            raise ValueError(f"is not a valid URL ({example})")
        if not (parts.path.endswith("/bot") or "{token}" in parts.path):
            # The token is appended to this URL: without /bot every call would 404.
            raise ValueError(f"must end with /bot ({example})")
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy_shape(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().strip():
            try:
                parse_proxy(value.get_secret_value(), source="telegram.proxy")
            except ProxyConfigError as exc:
                # The message names the problem, never the URL (it may carry a password).
                raise ValueError(str(exc).removeprefix("telegram.proxy: ")) from None
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        """Require a reachable URL and a valid secret when running in webhook mode."""
        if self.mode != "webhook":
            return self
        errors: list[InitErrorDetails] = []
        url = self.webhook.url
        if not (url.startswith("https://") and len(url) > len("https://")) and not (
            _LOCAL_HTTP_RE.match(url)
        ):
            errors.append(
                _error(
                    ("webhook", "url"),
                    'must be an https:// URL when telegram.mode = "webhook"'
                    " (http:// only for 127.0.0.1 or localhost)",
                )
            )
        if not _SECRET_RE.match(self.webhook.secret_token.get_secret_value()):
            # Never include the value itself in the message.
            errors.append(
                _error(
                    ("webhook", "secret_token"),
                    'must be 1-256 characters of A-Z a-z 0-9 _ - when telegram.mode = "webhook"',
                )
            )
        if errors:
            # A ValidationError (not ValueError) keeps the exact key in the error location.
            raise ValidationError.from_exception_data("TelegramSettings", errors)
        return self


def _error(loc: tuple[str, ...], message: str) -> InitErrorDetails:
    """Build one validation error for `loc` (relative to the model being validated)."""
    return InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=loc, input="(hidden)"
    )


class StorageSettings(_Section):
    path: str = "data/liaison.db"


class ParkSettings(_Section):
    name: str = "开发区"
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh_CN", "en"] = "zh_CN"
    admins: list[int] = Field(default_factory=list)
    # Where unexpected errors and delivery failures are reported; 0 = each admin privately.
    admin_chat_id: int = 0

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (example: Asia/Shanghai)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TicketSettings(_Section):
    resolve_working_days: int = Field(default=5, ge=1, le=60)
    rating_window_days: int = Field(default=7, ge=1, le=60)
    hashtags: list[str] = Field(default_factory=lambda: ["#诉求", "#问题", "#求助"])
    category_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CATEGORY_KEYWORDS.items()}
    )
    kind_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_KIND_KEYWORDS.items()}
    )
    urgent_keywords: list[str] = Field(default_factory=lambda: list(DEFAULT_URGENT_KEYWORDS))
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    # Show the cadre's roster phone to the enterprise in the acknowledgement.
    show_cadre_phone: bool = False

    @field_validator("category_keywords")
    @classmethod
    def _known_categories(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r}; known: {', '.join(CATEGORIES)}")
        for name, words in value.items():
            _keywords(words, what=f"category {name!r}")
        return value

    @field_validator("kind_keywords")
    @classmethod
    def _known_kinds(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; known: {', '.join(KINDS)}")
        for name, words in value.items():
            _keywords(words, what=f"kind {name!r}")
        return value

    @field_validator("urgent_keywords")
    @classmethod
    def _urgent(cls, value: list[str]) -> list[str]:
        return _keywords(value, what="the list")

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError('must name at least one hashtag (example: ["#诉求"])')
        for tag in value:
            if not tag.startswith("#") or len(tag) < 2:
                raise ValueError(f"{tag!r} must start with # (example: #诉求)")
        return value


def _keywords(words: list[str], *, what: str) -> list[str]:
    """Refuse an empty list and blank words: "" is in every text, so it would match them all."""
    if not words:
        raise ValueError(f"{what} has no keywords; give at least one, or remove the key")
    if any(not word.strip() for word in words):
        raise ValueError(f"{what} has an empty keyword, which would match every message")
    return words


class CalendarSettings(_Section):
    """Working days and hours: the Chinese calendar plus the park's own exceptions."""

    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSettings:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both an extra holiday and an extra workday")
        if self.work_start >= self.work_end:
            raise ValueError("work_start must be before work_end (example: 09:00 and 18:00)")
        return self


class DeadlineSettings(_Section):
    """Deadlines per kind, category and urgency, reminders, escalation and the daily brief."""

    claim_working_hours: float = Field(default=2.0, gt=0, le=72)
    response_working_days: int = Field(default=1, ge=1, le=30)
    complex_working_days: int = Field(default=15, ge=1, le=120)
    urgent_hours: float = Field(default=24.0, gt=0, le=240)
    kind_working_days: dict[str, int] = Field(default_factory=lambda: {"question": 1})
    category_working_days: dict[str, int] = Field(default_factory=dict)
    remind_claim_minutes: int = Field(default=30, ge=0, le=1440)
    remind_response_hours: float = Field(default=2.0, ge=0, le=72)
    remind_resolve_hours: float = Field(default=2.0, ge=0, le=72)
    level2_chases: int = Field(default=2, ge=1, le=10)
    level2_reworks: int = Field(default=2, ge=1, le=10)
    max_extension_days: int = Field(default=15, ge=1, le=60)
    sweep_seconds: int = Field(default=60, ge=10, le=3600)
    brief_time: time = time(8, 30)

    @field_validator("kind_working_days")
    @classmethod
    def _kinds(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; known: {', '.join(KINDS)}")
        if any(not 1 <= days <= 120 for days in value.values()):
            raise ValueError("working days must be between 1 and 120")
        return value

    @field_validator("category_working_days")
    @classmethod
    def _categories(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r}; known: {', '.join(CATEGORIES)}")
        if any(not 1 <= days <= 120 for days in value.values()):
            raise ValueError("working days must be between 1 and 120")
        return value


class DeliverySettings(_Section):
    # Kept a little under Telegram's limits (30/s overall, 20/min per group, 1/s per private
    # chat) so that jitter on the wire never provokes a 429.
    # The limiter (bot/delivery/limiter.py) counts a send from its request until its answer plus
    # the window and a margin, so jitter cannot push more than this into any one-second window.
    global_per_second: float = Field(default=29.0, gt=0, le=1000)
    group_per_minute: int = Field(default=19, ge=1, le=1000)
    private_interval_seconds: float = Field(default=1.05, ge=0, le=60)
    max_attempts: int = Field(default=12, ge=1, le=100)
    concurrency: int = Field(default=8, ge=1, le=64)
    # Sent messages (and the charts and ledgers uploaded with them) are deleted after this.
    sent_retention_days: int = Field(default=30, ge=1, le=3650)


class JobWordsSettings(_Section):
    """Extra phrases that get a job post refused, by reason; `allowed` phrases never are.

    They add to the built-in patterns of `bot.domain.wording`.
    """

    ethnicity: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["ethnicity"]))
    sex: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["sex"]))
    religion: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["religion"]))
    household: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["household"]))
    region: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["region"]))
    bait: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["bait"]))
    allowed: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED_PHRASES))

    @model_validator(mode="after")
    def _no_blank_words(self) -> JobWordsSettings:
        for name in type(self).model_fields:
            if any(not word.strip() for word in getattr(self, name)):
                # A blank banned word is in every post: every post would be refused.
                raise ValueError(f"{name} has an empty word, which would match every post")
        return self


class JobsSettings(_Section):
    # Chat ids of the recruitment channels every post goes to (besides groups bound with
    # /bind jobs); the bot must be an administrator there.
    channels: list[int] = Field(default_factory=list)
    validity_choices: list[int] = Field(default_factory=lambda: [7, 15, 30, 60, 90])
    max_validity_days: int = Field(default=90, ge=1, le=365)
    notice_days_before: int = Field(default=3, ge=0, le=30)
    shifts: list[str] = Field(default_factory=lambda: ["长白班", "两班倒", "三班倒", "做六休一"])
    page_size: int = Field(default=5, ge=1, le=20)
    words: JobWordsSettings = JobWordsSettings()

    @model_validator(mode="after")
    def _choices_within_limit(self) -> JobsSettings:
        too_long = [d for d in self.validity_choices if not 1 <= d <= self.max_validity_days]
        if too_long or not self.validity_choices:
            raise ValueError(
                f"validity_choices must be 1..max_validity_days ({self.max_validity_days})"
            )
        return self


class AiringWeights(_Section):
    """Composite score = 响应率 x response + 解决率 x solved + 满意率 x satisfaction."""

    response: float = Field(default=0.30, ge=0, le=1)
    solved: float = Field(default=0.35, ge=0, le=1)
    satisfaction: float = Field(default=0.35, ge=0, le=1)

    @model_validator(mode="after")
    def _not_all_zero(self) -> AiringWeights:
        if self.response + self.solved + self.satisfaction <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class AiringSettings(_Section):
    """The weekly airing (晾晒) and the metrics behind it."""

    enabled: bool = True
    # ISO weekday (1 = Monday) and park-time HH:MM of the weekly post.
    weekday: int = Field(default=1, ge=1, le=7)
    post_time: str = "09:00"
    # Where it goes: these chat ids, and every group bound with /bind park if park_groups.
    chat_ids: list[int] = Field(default_factory=list)
    park_groups: bool = True
    # What the post shows about enterprises in the overdue list: full | name | anonymous.
    enterprise_detail: Literal["full", "name", "anonymous"] = "name"
    weights: AiringWeights = AiringWeights()
    min_tickets: int = Field(default=2, ge=1, le=100)
    flag_below: float = Field(default=70.0, ge=0, le=100)
    trend_weeks: int = Field(default=8, ge=2, le=26)
    # Job and logistics lines: "nonzero" (only when something happened) or "always".
    side_lines: Literal["nonzero", "always"] = "nonzero"
    # Overdue and supervised tickets named in the post (worst first); the rest are counted.
    named_items: int = Field(default=20, ge=1, le=200)
    # Every ranked cadre gets a line while there are at most this many; beyond, only the red
    # and yellow lists (every cadre's figures are in the ledger).
    cadre_lines: int = Field(default=30, ge=6, le=200)

    @field_validator("post_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be HH:MM, e.g. 09:00")
        return value


class LogisticsSettings(_Section):
    """The logistics exchange (工业物流群): matching and expiry."""

    # Matches offered privately for each new or changed post (the best N).
    top_matches: int = Field(default=3, ge=1, le=10)
    # How far ahead a departure or a cargo's latest date may be.
    max_days_ahead: int = Field(default=60, ge=1, le=365)
    # Unfinished /truck and /cargo conversations are dropped after this many idle hours.
    draft_valid_hours: int = Field(default=24, ge=1, le=720)
    # How often the expiry job runs (offers after departure, requests after their latest date).
    expire_every_minutes: int = Field(default=10, ge=1, le=1440)


class DashboardSettings(_Section):
    """The 服务驾驶舱 Mini App, served by the bot itself (aiohttp, the same process)."""

    enabled: bool = False
    # The https address Telegram opens (a reverse proxy terminates TLS and forwards to
    # listen:port), e.g. "https://bot.example.cn/dashboard/".
    public_url: str = ""
    listen: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    # How old (seconds) Telegram's signed initData may be before the page must be reopened.
    init_data_max_age: int = Field(default=3600, ge=60, le=86400)
    # Telegram's Mini App script; "" serves the bundled minimal one (reads the launch data from
    # the address, as Telegram passes it) for phones that cannot reach telegram.org.
    telegram_script: str = "https://telegram.org/js/telegram-web-app.js"

    @model_validator(mode="after")
    def _public_url_https(self) -> DashboardSettings:
        """Telegram opens Mini Apps over https only."""
        if self.enabled and not (
            self.public_url.startswith("https://") and len(self.public_url) > len("https://")
        ):
            raise ValueError(
                "dashboard.public_url must be an https:// URL when dashboard.enabled = true"
            )
        return self


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


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
    storage = storage_problem(settings.storage.path)
    if storage:
        lines.append(f"config error: storage.path: {storage}")
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
