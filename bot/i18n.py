"""Locale catalogs: every user-facing text, zh_CN first and en second.

Catalogs are TOML files under `bot/locales/<locale>/`. In `messages.toml` (and any
`messages_<area>.toml`) the tables give the key (`[ticket] ack = ...` is `ticket.ack`); any other
`<area>.toml` prefixes its keys with the area (`roster.toml`, entry `bad_row`, is
`roster.bad_row`). Values are `str.format` templates written in Telegram's HTML.

Escaping is the translator's job, by default (as Jinja2's autoescape): a template is trusted
markup, every parameter is HTML-escaped as it is filled in, and the result is `Markup`, so a
translated text passed as a parameter of another one is not escaped twice. Markup built
elsewhere passes only when it is `Markup` already. Nothing else in the program escapes by hand.
For plain-text places (spreadsheets, charts, the terminal) `Translator.plain` fills the same
template without escaping.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

LOCALES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"


class MissingTranslation(KeyError):
    """A key is absent from a catalog (a bug: tests check both catalogs cover every key)."""


@cache
def catalog(locale: str) -> dict[str, str]:
    """Load and flatten every TOML file of one locale into `area.key -> template`."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    merged: dict[str, str] = {}
    folder = resources.files("bot.locales").joinpath(locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        area = entry.name.removesuffix(".toml")
        data = tomllib.loads(entry.read_text("utf-8"))
        _flatten("" if area.startswith("messages") else area, data, merged)
    return merged


def _flatten(prefix: str, data: dict[str, Any], into: dict[str, str]) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, into)
        elif full in into:
            # Two catalog files defining one key would silently shadow each other.
            raise ValueError(f"catalog key {full!r} is defined twice")
        else:
            into[full] = str(value)


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram language code or a user's choice onto a supported locale."""
    if not code:
        return default
    lowered = code.lower().replace("-", "_")
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return default


def _template(locale: str, key: str) -> str:
    try:
        return catalog(locale)[key]
    except KeyError:
        raise MissingTranslation(f"{locale}: {key}") from None


def t(locale: str, key: str, /, **params: Any) -> Markup:
    """Translate `key` into `locale` as HTML, escaping every parameter that is not `Markup`."""
    template = _template(locale, key)
    if not params:
        return Markup(template)
    if _plain_fields(template):
        # The same text as `Markup.format`, at a fraction of its cost: each parameter escaped
        # once by markupsafe's C code (`Markup` kept as is), then `str.format`.
        return Markup(template.format_map({name: escape(value) for name, value in params.items()}))
    return Markup(template).format(**params)


@cache
def _plain_fields(template: str) -> bool:
    """Whether every field of `template` is a bare name: no format spec, conversion, index or
    attribute, which only `Markup.format` fills correctly."""
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is not None and (spec or conversion or not field.isidentifier()):
            return False
    return True


def t_plain(locale: str, key: str, /, **params: Any) -> str:
    """Translate `key` into `locale` as plain text: no escaping, no tags expected."""
    template = _template(locale, key)
    return template.format(**params) if params else template


class Translator:
    """A bound locale, handy to pass around: `tr("ticket.ack", id=3)`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE

    def __call__(self, key: str, /, **params: Any) -> Markup:
        return t(self.locale, key, **params)

    def plain(self, key: str, /, **params: Any) -> str:
        """The same text for a plain-text place (a spreadsheet cell, a chart, the terminal)."""
        return t_plain(self.locale, key, **params)
