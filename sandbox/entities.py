"""Message entities: automatic detection and HTML parsing, in UTF-16 units.

Telegram measures entity offsets and lengths in UTF-16 code units (CJK is one
unit, most emoji two), and python-telegram-bot slices text the same way, so
every offset produced here goes through :func:`utf16_len`.
"""

from __future__ import annotations

import html
import re
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Raised for text that the real server refuses to parse."""


def utf16_len(text: str) -> int:
    """Length of *text* in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _is_word_char(ch: str) -> bool:
    # Mirrors tdlib's is_word_character: letters/digits of any script or '_'.
    return ch.isalnum() or ch == "_"


def _offsets(text: str) -> list[int]:
    """Prefix table: UTF-16 offset of every code point index (plus the end)."""
    table = [0]
    for ch in text:
        table.append(table[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return table


_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def _commands(text: str) -> list[tuple[int, int]]:
    """Spans of bot commands, following tdlib's match_bot_commands rules."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer("/", text):
        start = match.start()
        if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "/<>"):
            continue
        name = _ASCII_WORD.match(text, start + 1)
        assert name is not None  # the pattern also matches the empty string
        end = name.end()
        if end == start + 1 or end - start - 1 > 64:
            continue
        if end < len(text) and text[end] == "@":
            mention = _ASCII_WORD.match(text, end + 1)
            assert mention is not None
            if 3 <= mention.end() - end - 1 <= 32:
                end = mention.end()
        if end < len(text) and (_is_word_char(text[end]) or text[end] in "/<>"):
            continue
        spans.append((start, end))
    return spans


def _mentions(text: str) -> list[tuple[int, int]]:
    """Spans of ``@username`` mentions (3-32 ASCII word characters)."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer("@", text):
        start = match.start()
        if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "@/"):
            continue
        name = _ASCII_WORD.match(text, start + 1)
        assert name is not None
        end = name.end()
        if not 3 <= end - start - 1 <= 32:
            continue
        if end < len(text) and _is_word_char(text[end]):
            continue
        spans.append((start, end))
    return spans


def _hashtags(text: str) -> list[tuple[int, int]]:
    """Spans of hashtags; any script counts (``#诉求``), all-digit tags do not."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer("#", text):
        start = match.start()
        if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] == "#"):
            continue
        end = start + 1
        while end < len(text) and end - start <= 256 and _is_word_char(text[end]):
            end += 1
        tag = text[start + 1 : end]
        if not tag or tag.isdigit():
            continue
        spans.append((start, end))
    return spans


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        end = match.end()
        # Trailing punctuation belongs to the sentence, not to the link.
        while end > match.start() and text[end - 1] in ".,;:!?)'":
            end -= 1
        spans.append((match.start(), end))
    return spans


def detect_entities(text: str) -> list[Entity]:
    """Entities the server adds by itself: bot_command, mention, hashtag, url."""
    table = _offsets(text)
    found: list[tuple[int, int, str]] = []
    for kind, spans in (
        ("url", _urls(text)),
        ("bot_command", _commands(text)),
        ("mention", _mentions(text)),
        ("hashtag", _hashtags(text)),
    ):
        for start, end in spans:
            if any(s < end and start < e for s, e, _ in found):
                continue  # a command inside a URL is not a separate entity
            found.append((start, end, kind))
    found.sort()
    return [
        {"type": kind, "offset": table[start], "length": table[end] - table[start]}
        for start, end, kind in found
    ]


def merge_entities(explicit: list[Entity], automatic: list[Entity]) -> list[Entity]:
    """Add automatic entities that do not overlap formatting-free spans."""
    merged = list(explicit)
    for auto in automatic:
        a0, a1 = auto["offset"], auto["offset"] + auto["length"]
        clash = any(
            e["offset"] < a1 and a0 < e["offset"] + e["length"]
            for e in explicit
            if e["type"] in {"code", "pre", "text_link", "url"}
        )
        if not clash:
            merged.append(auto)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


# --- HTML -------------------------------------------------------------------

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED = set(_SIMPLE_TAGS) | {"a", "span"}
_ATTR = re.compile(r"""\s*([a-zA-Z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_REF = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_attrs(raw: str, tag: str, where: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(raw) and raw[pos:].strip():
        match = _ATTR.match(raw, pos)
        if match is None or match.end() == pos:
            raise EntityParseError(f'Can\'t parse attributes of tag "{tag}" at byte offset {where}')
        value = match.group(2) or match.group(3) or match.group(4) or ""
        attrs[match.group(1).lower()] = html.unescape(value)
        pos = match.end()
    return attrs


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into plain text and entities.

    Raises :class:`EntityParseError` with the server's wording for unsupported
    or unbalanced tags and for a bare ``<``/``&`` that is not valid markup.
    """
    out: list[str] = []
    stack: list[tuple[str, int, dict[str, str]]] = []  # tag, start offset, attrs
    entities: list[Entity] = []
    length = 0  # current output length in UTF-16 units
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "&":
            decoded, i = _character_reference(source, i)
            out.append(decoded)
            length += utf16_len(decoded)
            continue
        if ch != "<":
            out.append(ch)
            length += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        where = _byte_offset(source, i)
        close = source.find(">", i)
        if close == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {where}")
        body = source[i + 1 : close]
        i = close + 1
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {where}")
            tag, start, attrs = stack.pop()
            if name != tag:
                raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
            entity = _make_entity(tag, attrs, start, length - start, stack)
            if entity is not None:
                entities.append(entity)
            continue
        name, attrs = _start_tag(body, where)
        stack.append((name, length, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _character_reference(source: str, index: int) -> tuple[str, int]:
    """The character a `&...;` reference at *index* stands for, and the index after it."""
    match = _ENTITY_REF.match(source, index)
    name = match.group(1) if match else ""
    if match is None or (not name.startswith("#") and name.lower() not in _NAMED):
        raise EntityParseError(
            f"Character '&' at byte offset {_byte_offset(source, index)} "
            "must be escaped as &amp; (unsupported entity)"
        )
    return html.unescape(match.group(0)), match.end()


def _start_tag(body: str, where: int) -> tuple[str, dict[str, str]]:
    """The name and attributes of a start tag (the text between `<` and `>`), checked."""
    parts = body.split(None, 1)
    name = parts[0].lower() if parts and not body[:1].isspace() else ""
    if name not in _SUPPORTED:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {where}')
    attrs = _parse_attrs(parts[1] if len(parts) > 1 else "", name, where)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError('Tag "span" must have class "tg-spoiler"')
    if name == "a" and not attrs.get("href"):
        raise EntityParseError(f'Tag "a" at byte offset {where} must have attribute "href"')
    return name, attrs


def _make_entity(
    tag: str, attrs: dict[str, str], offset: int, length: int, stack: list[Any]
) -> Entity | None:
    if length == 0:
        return None  # the server silently drops empty entities
    if tag == "a":
        return {"type": "text_link", "offset": offset, "length": length, "url": attrs["href"]}
    if tag == "span":
        return {"type": "spoiler", "offset": offset, "length": length}
    kind = _SIMPLE_TAGS[tag]
    entity: Entity = {"type": kind, "offset": offset, "length": length}
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            # <pre><code class="language-x"> becomes one pre entity with a language.
            stack[-1][2]["language"] = language[len("language-") :]
        return None
    if tag == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity
