"""A strict MarkdownV2 parser with the real server's error wording.

Only the rules a bot is likely to trip over are modelled: reserved characters
must be escaped, entities must be closed, links need ``(url)``.  Offsets are in
UTF-16 code units like everywhere else.
"""

from __future__ import annotations

from typing import Any

from sandbox.entities import EntityParseError, utf16_len

RESERVED = set("_*[]()~`>#+-=|{}.!")
_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}
_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _scan_code(text: str, start: int, fence: str) -> tuple[str, int]:
    """Content of a code/pre span opened at *start*, and the index after it."""
    i = start + len(fence)
    out: list[str] = []
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "`\\":
            out.append(text[i + 1])
            i += 2
            continue
        if text.startswith(fence, i):
            return "".join(out), i + len(fence)
        out.append(text[i])
        i += 1
    kind = "Pre" if fence == "```" else "Code"
    raise EntityParseError(f"Can't find end of {kind} entity at byte offset {_byte(text, start)}")


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 into plain text and entities or raise EntityParseError."""
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # kind, utf16 start, byte offset of marker
    i = 0

    def emit(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += utf16_len(piece)

    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            content, after = _scan_code(text, i, fence)
            start = length
            language = ""
            if fence == "```":
                first, sep, rest = content.partition("\n")
                if sep and first and " " not in first:
                    language, content = first, rest
            emit(content)
            if content:
                entity: dict[str, Any] = {
                    "type": "pre" if fence == "```" else "code",
                    "offset": start,
                    "length": length - start,
                }
                if language:
                    entity["language"] = language
                entities.append(entity)
            i = after
            continue
        marker = next((m for m in ("__", "||") if text.startswith(m, i)), ch)
        if marker in _MARKERS:
            kind = _MARKERS[marker]
            if stack and stack[-1][0] == kind:
                _, start, _ = stack.pop()
                if length > start:
                    entities.append({"type": kind, "offset": start, "length": length - start})
            elif any(open_kind == kind for open_kind, _, _ in stack):
                name = _NAMES[stack[-1][0]]
                raise EntityParseError(
                    f"Can't find end of {name} entity at byte offset {stack[-1][2]}"
                )
            else:
                stack.append((kind, length, _byte(text, i)))
            i += len(marker)
            continue
        if ch == "[":
            stack.append(("text_link", length, _byte(text, i)))
            i += 1
            continue
        if ch == "]" and stack and stack[-1][0] == "text_link":
            _, start, where = stack.pop()
            if not text.startswith("(", i + 1):
                raise EntityParseError(f"Can't find end of TextUrl entity at byte offset {where}")
            close = text.find(")", i + 2)
            if close == -1:
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte(text, i + 1)}"
                )
            url = text[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            if length > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": length - start, "url": url}
                )
            i = close + 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            inner, inner_entities = parse_markdown_v2(text[i + 1 : end])
            start = length
            emit(inner)
            entities.extend({**e, "offset": e["offset"] + start} for e in inner_entities)
            if inner:
                entities.append({"type": "blockquote", "offset": start, "length": length - start})
            i = end
            continue
        if ch in RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(ch)
        i += 1
    if stack:
        kind, _, where = stack[-1]
        raise EntityParseError(f"Can't find end of {_NAMES[kind]} entity at byte offset {where}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
