"""How the process runs and connects.

Telegram (polling or webhook), the database file, delivery pacing, the dashboard server and
logging.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from bot.config.base import Section, invalid
from bot.delivery.proxy import ProxyConfigError, parse_proxy
from storage.errors import StorageError
from storage.url import SQLITE, StorageUrl, parse_url

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,100}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
# Telegram's own rule for setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Plain http is only acceptable for a webhook on this machine (tests, the sandbox).
_LOCAL_HTTP_RE = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d+)?(/|$)")


class WebhookSettings(Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    url: str = ""
    secret_token: SecretStr = SecretStr("")
    path: str = "/telegram"


class TelegramSettings(Section):
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
            raise invalid("username")
        return name

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and not _TOKEN_RE.match(raw):
            # Never include the value itself in the message.
            raise invalid("token_shape")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise invalid("url_scheme")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise invalid("url_invalid") from None
        if not parts.hostname or any(c.isspace() for c in value) or parts.query or parts.fragment:
            raise invalid("url_invalid")
        if not (parts.path.endswith("/bot") or "{token}" in parts.path):
            # The token is appended to this URL: without /bot every call would 404.
            raise invalid("url_bot")
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy_shape(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().strip():
            try:
                parse_proxy(value.get_secret_value(), source="telegram.proxy")
            except ProxyConfigError as exc:
                # The message names the problem, never the URL (it may carry a password).
                raise invalid("proxy", detail=str(exc).removeprefix("telegram.proxy: ")) from None
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


_DEFAULT_PATH = "data/liaison.db"


class StorageSettings(Section):
    # The database: sqlite:///data/liaison.db or postgresql://user:password@host:5432/dbname
    # (see storage/url.py). Unset: the SQLite file at `path`, as before `url` existed.
    url: SecretStr | None = None
    path: str = _DEFAULT_PATH

    @field_validator("url")
    @classmethod
    def _url_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        try:
            parse_url(value.get_secret_value())
        except StorageError as exc:  # the message never holds the password
            raise invalid("storage_url", detail=str(exc)) from None
        return value

    @model_validator(mode="after")
    def _one_place(self) -> StorageSettings:
        """`url` and `path` name the same thing: refuse two different answers."""
        if self.url is not None and self.path != _DEFAULT_PATH:
            parsed = parse_url(self.url.get_secret_value())
            if parsed.backend != SQLITE or parsed.target != self.path:
                raise invalid("url_and_path")
        return self

    @property
    def database(self) -> StorageUrl:
        """Where the database is (secret for PostgreSQL: `.redacted` to show it)."""
        return parse_url(self.url.get_secret_value() if self.url is not None else self.path)

    @property
    def database_url(self) -> str:
        """What `storage.open.open_database` opens (a PostgreSQL one holds its password)."""
        return self.database.url


class DeliverySettings(Section):
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


class DashboardSettings(Section):
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
            raise invalid("dashboard_url")
        return self


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
