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
    return _Parser(text).parse()


class _Parser:
    """One left-to-right pass: plain text out, entities collected, open markers on a stack."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.length = 0  # UTF-16 length of the plain text so far
        self.entities: list[dict[str, Any]] = []
        self.stack: list[tuple[str, int, int]] = []  # kind, utf16 start, byte offset of marker
        self.i = 0

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        while self.i < len(text):
            i, ch = self.i, text[self.i]
            marker = next((m for m in ("__", "||") if text.startswith(m, i)), ch)
            if ch == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                self._emit(text[i + 1])
                self.i += 2
            elif ch == "`":
                self._code()
            elif marker in _MARKERS:
                self._style(marker)
            elif ch == "[":
                self.stack.append(("text_link", self.length, _byte(text, i)))
                self.i += 1
            elif ch == "]" and self.stack and self.stack[-1][0] == "text_link":
                self._link()
            elif ch == ">" and (i == 0 or text[i - 1] == "\n"):
                self._quote()
            elif ch in RESERVED:
                raise EntityParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self._emit(ch)
                self.i += 1
        if self.stack:
            kind, _, where = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {_NAMES[kind]} entity at byte offset {where}"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _emit(self, piece: str) -> None:
        self.out.append(piece)
        self.length += utf16_len(piece)

    def _code(self) -> None:
        """An inline code span or a pre block (with an optional language line)."""
        fence = "```" if self.text.startswith("```", self.i) else "`"
        content, after = _scan_code(self.text, self.i, fence)
        start = self.length
        language = ""
        if fence == "```":
            first, sep, rest = content.partition("\n")
            if sep and first and " " not in first:
                language, content = first, rest
        self._emit(content)
        if content:
            entity: dict[str, Any] = {
                "type": "pre" if fence == "```" else "code",
                "offset": start,
                "length": self.length - start,
            }
            if language:
                entity["language"] = language
            self.entities.append(entity)
        self.i = after

    def _style(self, marker: str) -> None:
        """Open or close bold, italic, underline, strikethrough or spoiler."""
        kind = _MARKERS[marker]
        stack = self.stack
        if stack and stack[-1][0] == kind:
            _, start, _ = stack.pop()
            if self.length > start:
                self.entities.append({"type": kind, "offset": start, "length": self.length - start})
        elif any(open_kind == kind for open_kind, _, _ in stack):
            name = _NAMES[stack[-1][0]]
            raise EntityParseError(f"Can't find end of {name} entity at byte offset {stack[-1][2]}")
        else:
            stack.append((kind, self.length, _byte(self.text, self.i)))
        self.i += len(marker)

    def _link(self) -> None:
        """Close `[text]` with its `(url)`."""
        text, i = self.text, self.i
        _, start, where = self.stack.pop()
        if not text.startswith("(", i + 1):
            raise EntityParseError(f"Can't find end of TextUrl entity at byte offset {where}")
        close = text.find(")", i + 2)
        if close == -1:
            raise EntityParseError(f"Can't find end of a URL at byte offset {_byte(text, i + 1)}")
        url = text[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
        if self.length > start:
            self.entities.append(
                {"type": "text_link", "offset": start, "length": self.length - start, "url": url}
            )
        self.i = close + 1

    def _quote(self) -> None:
        """A `>` line: its content parsed on its own, inside a blockquote entity."""
        end = self.text.find("\n", self.i)
        end = len(self.text) if end == -1 else end
        inner, inner_entities = parse_markdown_v2(self.text[self.i + 1 : end])
        start = self.length
        self._emit(inner)
        self.entities.extend({**e, "offset": e["offset"] + start} for e in inner_entities)
        if inner:
            self.entities.append(
                {"type": "blockquote", "offset": start, "length": self.length - start}
            )
        self.i = end
