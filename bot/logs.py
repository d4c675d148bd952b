"""Logging set-up: one format, quiet HTTP libraries, and secrets redacted from every output.

Redaction is installed where no output can go around it: on every log record when it is created
(whatever logger or handler it goes to, tracebacks included), and on `sys.stdout` and
`sys.stderr` themselves, so an uncaught exception's traceback, a warning or a stray print
cannot show the token, the webhook secret or a proxy password either.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from bot.delivery.proxy import ProxyConfigError, parse_proxy

if TYPE_CHECKING:
    from bot.config import Settings

MASK = "***"
# A line longer than this is written out even before its newline arrives.
_MAX_PENDING = 65536


class Redactor:
    """The process's secrets and how to mask them; shared by the streams and the records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these too (longest first, so a secret containing another is masked whole)."""
        merged = set(self.secrets) | {s for s in secrets if s}
        self.secrets = sorted(merged, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def redact_record(record: logging.LogRecord, redact: Callable[[str], str]) -> None:
    """Mask secrets in a record's message, traceback and stack (formatting them now)."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingStream:
    """A text stream that masks secrets in what is written, a whole line at a time.

    Lines are held until their newline so a secret written in two pieces is still masked.
    """

    def __init__(self, stream: TextIO, redact: Redactor) -> None:
        self.stream = stream
        self.redact = redact
        self._pending = ""

    def write(self, text: str) -> int:
        data = self._pending + text
        head, newline, tail = data.rpartition("\n")
        if newline:
            self.stream.write(self.redact(head + newline))
        self._pending = tail
        if len(self._pending) > _MAX_PENDING:
            self.stream.write(self.redact(self._pending))
            self._pending = ""
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(self.redact(self._pending))
            self._pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        # fileno, isatty, encoding, buffer ...: the wrapped stream's.
        return getattr(self.stream, name)


_redactor = Redactor()
_installed = False


def install_redaction(secrets: Iterable[str]) -> Redactor:
    """Mask `secrets` in every log record and on stdout/stderr, for the rest of the process."""
    global _installed
    _redactor.add(secrets)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, _redactor))
    if not _installed:
        _installed = True
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            if _redactor.secrets:
                redact_record(record, _redactor)
            return record

        logging.setLogRecordFactory(redacting_factory)
    return _redactor


def secrets_of(settings: Settings) -> list[str]:
    """Every secret the settings hold: token, webhook secret, proxy and database passwords."""
    telegram = settings.telegram
    found = [telegram.token.get_secret_value(), telegram.webhook.secret_token.get_secret_value()]
    candidates = [("telegram.proxy", telegram.proxy.get_secret_value())]
    for name in ("https_proxy", "http_proxy", "all_proxy"):
        for spelled in (name, name.upper()):
            candidates.append((spelled, os.environ.get(spelled, "")))
    for source, url in candidates:
        if url.strip():
            try:
                found += parse_proxy(url, source=source).secrets
            except ProxyConfigError:
                continue
    found += settings.storage.database.secrets  # a PostgreSQL password
    return [secret for secret in found if secret]


def setup_logging(level: str, *, secrets: Iterable[str]) -> None:
    """Configure the root logger once; httpx logs every URL (with the token) at INFO."""
    install_redaction(secrets)
    handler = logging.StreamHandler()  # after install_redaction: writes to the masked stderr
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.Application", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
