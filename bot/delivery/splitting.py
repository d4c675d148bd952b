"""Cut Telegram HTML into messages the way Telegram measures them, never inside a tag or entity.

Telegram limits a message to 4,096 characters (a caption to 1,024) of *rendered* text, counted
in UTF-16 code units after the markup is parsed: tags cost nothing and `&amp;` costs one. A cut
made on the raw string can split an entity (`&am` + `p;`) or leave a tag open, and Telegram
refuses the whole message with "can't parse entities". So the text is read as a sequence of
atoms (a tag, an entity, a newline, one character), measured on what it renders to, and cut
between atoms: at the last line break that fits, else hard. Tags open at a cut are closed at the
end of the chunk and opened again at the start of the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A tag, an entity, a newline, or a run of ordinary characters.
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>"
    r"|&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);"
    r"|\n"
    r"|[^<&\n]+"
    r"|[<&]"
)


@dataclass(frozen=True)
class _Atom:
    raw: str
    size: int  # rendered length in UTF-16 code units
    tag: str | None = None  # tag name for an opening or closing tag
    closing: bool = False


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        if match.group(2):
            atoms.append(_Atom(raw, 0, match.group(2).lower(), bool(match.group(1))))
        elif (raw.startswith("&") and len(raw) > 1) or raw == "\n":
            atoms.append(_Atom(raw, 1))
        else:
            atoms += [_Atom(ch, utf16_len(ch)) for ch in raw]
    return atoms


def _open_tags(atoms: list[_Atom]) -> list[_Atom]:
    """The tags still open after `atoms`, outermost first."""
    stack: list[_Atom] = []
    for atom in atoms:
        if atom.tag is None:
            continue
        if not atom.closing:
            stack.append(atom)
        elif stack and stack[-1].tag == atom.tag:
            stack.pop()
    return stack


def _chunk(carried: list[_Atom], body: list[_Atom]) -> str:
    """Reopen the carried tags, then the body, then close whatever is still open."""
    still_open = _open_tags(carried + body)
    return (
        "".join(a.raw for a in carried)
        + "".join(a.raw for a in body)
        + "".join(f"</{a.tag}>" for a in reversed(still_open))
    )


def _blank(body: list[_Atom]) -> bool:
    return all(a.tag is not None or not a.raw.strip() for a in body)


def split_html(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` rendered UTF-16 units each.

    Prefers line breaks; a single line longer than `limit` is cut between characters. Every chunk
    is balanced HTML; chunks that would render blank are dropped.
    """
    if utf16_len(text) <= limit:
        return [text]  # markup never renders longer than it is written: nothing to measure
    atoms = _atoms(text)
    if sum(a.size for a in atoms) <= limit:
        return [text]
    chunks: list[str] = []
    carried: list[_Atom] = []  # tags open at the end of the previous chunk
    current: list[_Atom] = []
    size = 0
    for atom in atoms:
        while current and size + atom.size > limit:
            breaks = [i for i, a in enumerate(current) if a.raw == "\n"]
            cut = breaks[-1] if breaks else len(current)
            head, rest = current[:cut], current[cut + 1 if breaks else cut :]
            if not _blank(head):
                chunks.append(_chunk(carried, head))
            carried = _open_tags(carried + head)
            current, size = rest, sum(a.size for a in rest)
        current.append(atom)
        size += atom.size
    if not _blank(current):
        chunks.append(_chunk(carried, current))
    return chunks


def truncate_html(text: str, limit: int) -> str:
    """The longest balanced head of `text` that renders within `limit` (captions, edits)."""
    chunks = split_html(text, limit)
    return chunks[0] if chunks else ""
