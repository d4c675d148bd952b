"""Both catalogs cover every key with the same placeholders; every used key exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from markupsafe import Markup, escape

from bot import i18n
from bot.domain import taxonomy
from bot.domain.lifecycle import Status
from bot.i18n import LOCALES, catalog, normalize_locale

ROOT = Path(__file__).resolve().parents[1]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    zh, en = catalog("zh_CN"), catalog("en")
    assert set(zh) == set(en), set(zh) ^ set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_every_literal_key_in_code_exists() -> None:
    areas = sorted({key.split(".")[0] for key in catalog("zh_CN")})
    pattern = re.compile(r"[\"']((?:" + "|".join(areas) + r")\.[a-z_]+(?:\.[a-z_]+)*)[\"']")
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text("utf-8")))
    # Keys that are prefixes of families (e.g. "category." + code) are built, not literal.
    families = {key.rsplit(".", 1)[0] for key in catalog("zh_CN")}
    # A kv key and file names, not texts.
    families |= {"airing.font_warned", "roster.xlsx", "config.toml"}
    for locale in LOCALES:
        missing = {key for key in used - set(catalog(locale)) if key not in families}
        assert not missing, (locale, sorted(missing))


def test_every_code_has_a_label() -> None:
    for locale in LOCALES:
        keys = catalog(locale)
        codes = [f"category.{c}" for c in taxonomy.CATEGORIES]
        codes += [f"kind.{k}" for k in taxonomy.KINDS]
        codes += [f"status.{s.value}" for s in Status]
        codes += [
            f"rating.{r}"
            for r in (*taxonomy.SOLVED_RATINGS, *taxonomy.SATISFACTION_RATINGS, taxonomy.UNRATED)
        ]
        assert not [c for c in codes if c not in keys], locale


def test_normalize_locale() -> None:
    assert normalize_locale("zh-hans") == "zh_CN"
    assert normalize_locale("en-US") == "en"
    assert normalize_locale("fr") == "zh_CN"
    assert normalize_locale(None) == "zh_CN"


def test_the_fast_fill_gives_markups_own_text() -> None:
    """`t` fills a template of bare names itself; the text is the one `Markup.format` gives,
    whatever the parameters (text to escape, Markup, numbers, None, objects)."""

    class Named:
        def __str__(self) -> str:
            return "<甲&乙>"

    params: dict[str, object] = {
        "name": "<b>企业</b> & 'x' \"y\"",
        "inner": Markup("<i>已转义</i>"),
        "count": 3,
        "rate": 0.5,
        "nothing": None,
        "obj": Named(),
    }
    template = "{name}|{inner}|{count}|{rate}|{nothing}|{obj}|{{literal}}"
    assert i18n._plain_fields(template)
    expected = Markup(template).format(**params)
    filled = Markup(template.format_map({k: escape(v) for k, v in params.items()}))
    assert filled == expected
    assert not i18n._plain_fields("{count:>3}") and not i18n._plain_fields("{a.b}")
    assert not i18n._plain_fields("{a!r}") and not i18n._plain_fields("{a[0]}")


def test_every_catalog_text_is_filled_as_markup_format_fills_it() -> None:
    """Each catalog template, filled through `t` with text that needs escaping, equals
    `Markup.format` of the same."""
    for locale in i18n.LOCALES:
        for key, template in i18n.catalog(locale).items():
            names = {
                field
                for _, field, _, _ in string.Formatter().parse(template)
                if field is not None and field.isidentifier()
            }
            if not names:
                continue
            params = {name: f"<{name}>&'\"" for name in names}
            assert i18n.t(locale, key, **params) == Markup(template).format(**params), key
