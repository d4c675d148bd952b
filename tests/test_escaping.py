"""The translator escapes every parameter: no catalog text can be broken by what users type."""

from __future__ import annotations

import ast
import re
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


# Where escaping may happen, and why (each file, with what it may do):
# - bot/i18n.py, the translator: it escapes every parameter of every catalog text, once, and
#   makes a catalog template (trusted markup) `Markup`.
# - bot/dashboard/server.py writes the page's texts as JSON into a <script> element, where a `<`
#   must become `\\u003c`: JSON's escaping for that place, not HTML's, and no translator's text.
# Markup built from a literal template (`Markup("\\n").join(...)`, `Markup("<b>{}</b>").format(x)`)
# is allowed anywhere: markupsafe escapes what is joined or filled in, as the translator does.
# Nothing else: text escaped by hand is escaped again by the translator (`&lt;x>` on screen).
ESCAPING_ALLOWED = {
    "bot/i18n.py": {"from markupsafe import escape", "Markup(<not a literal>)"},
    "bot/dashboard/server.py": {".replace('<', ...)"},
}
ESCAPERS = {("html", "escape"), ("markupsafe", "escape"), ("Markup", "escape"), ("cgi", "escape")}
ESCAPER_MODULES = {"html", "markupsafe", "xml.sax.saxutils", "cgi"}
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")
MARKUP_CHARACTERS = {"<", ">", "&", '"', "'"}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the constant nodes that are docstrings (they may name an entity)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def hand_escaping(source: str) -> list[str]:
    """What in `source` escapes HTML by hand: an escaping function imported or called, an
    entity written into a string, a markup character replaced, or Markup made of a variable
    (which would pass text unescaped)."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ESCAPER_MODULES:
            found += [
                f"from {node.module} import {a.name}" for a in node.names if a.name == "escape"
            ]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in ESCAPERS:
                found.append(f"{node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and ENTITY.search(node.value)
        ):
            found.append(f"the entity in {node.value[:40]!r}")
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if isinstance(func, ast.Attribute) and func.attr == "replace" and args:
            first = args[0]
            if isinstance(first, ast.Constant) and first.value in MARKUP_CHARACTERS:
                found.append(f".replace({first.value!r}, ...)")
        literal = args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
        if isinstance(func, ast.Name) and func.id == "Markup" and args and not literal:
            found.append("Markup(<not a literal>)")
    return found


@pytest.mark.parametrize(
    "source",
    [
        'raise InvalidInput("jobs.bad_number", value=text.replace("<", "&lt;"))',
        "import html\nsafe = html.escape(name)",
        "from markupsafe import escape\nsafe = escape(name)",
        "from xml.sax.saxutils import escape",
        "import markupsafe\nsafe = markupsafe.escape(name)",
        "safe = Markup.escape(name)",
        'text = f"&quot;{name}&quot;"',
        "text = Markup(name)",
    ],
)
def test_the_check_finds_hand_escaping(source: str) -> None:
    assert hand_escaping(source), source


def test_the_check_passes_markup_from_literal_templates() -> None:
    source = (
        '"""Texts: `&amp;` costs one character."""\n'
        'lines = Markup("\\n").join([a, b])\n'
        "link = Markup('<a href=\"tg://user?id={}\">{}</a>').format(who, name)\n"
        'clean = text.replace("\\u3000", " ")\n'
    )
    assert hand_escaping(source) == []


def test_nothing_escapes_by_hand() -> None:
    """Escaping lives in the translator (and Markup from literal templates), nowhere else."""
    offenders = {}
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            found = set(hand_escaping(path.read_text("utf-8"))) - ESCAPING_ALLOWED.get(name, set())
            if found:
                offenders[name] = found
    assert offenders == {}
