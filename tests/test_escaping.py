"""The translator escapes every parameter: no catalog text can be broken by what users type."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from markupsafe import Markup

from bot.i18n import LOCALES, Translator, catalog
from sandbox.entities import parse_html

HOSTILE = "<b>A&B \"引号\" 'x' </i>"
ROOT = Path(__file__).resolve().parents[1]


def _fill(template: str) -> dict[str, object]:
    params: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        params[name] = 7 if spec else HOSTILE
    return params


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_survives_hostile_parameters(locale: str) -> None:
    tr = Translator(locale)
    for key, template in catalog(locale).items():
        params = _fill(template)
        text = tr(key, **params)
        assert isinstance(text, Markup), key
        plain, _ = parse_html(str(text))  # the strict emulator's parser: raises on bad markup
        if HOSTILE in params.values():
            assert HOSTILE in plain, key


def test_markup_parameters_are_not_escaped_twice() -> None:
    tr = Translator("zh_CN")
    inner = tr("ticket.duty_desk")
    outer = tr("ticket.card_cadre", cadre=inner)
    assert "&amp;" not in outer and "&lt;" not in outer


def test_plain_fills_without_escaping() -> None:
    tr = Translator("en")
    assert "A&B" in tr.plain("ticket.card_enterprise", name="A&B")
    assert "A&amp;B" in tr("ticket.card_enterprise", name="A&B")


def test_nothing_escapes_by_hand() -> None:
    """Escaping lives in the translator (and Markup joins), nowhere else."""
    offenders = []
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module in ("html", "markupsafe")
                    and any(alias.name == "escape" for alias in node.names)
                ):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == ["bot/i18n.py"]  # the translator itself, which escapes every parameter
