"""The machinery every feature's codec shares: packing, the routing pattern, field parsing.

A press is a frozen dataclass (`Press`) with class constants `PREFIX` and `VERB`; its fields are
written after them in declaration order. `Codec` reads them back by each field's type: an `int`
is 1 to 12 ASCII digits, a `str` matches the feature's token pattern, an enum is one of its
values. Nothing else parses: no `int()` on unchecked text, so no press can raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, fields
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar, get_type_hints

MAX_BYTES = 64  # Telegram's limit on callback data
SEP = ":"
NUMBER = re.compile(r"[0-9]{1,12}")


class BadButton(ValueError):
    """A press that cannot be a button: past Telegram's 64 bytes, or it would not read back."""


def pack(*parts: object) -> str:
    """Join the parts with `:`.

    Raises:
        BadButton: the result does not fit Telegram's 64 bytes.
    """
    text = SEP.join(str(part.value if isinstance(part, Enum) else part) for part in parts)
    if len(text.encode()) > MAX_BYTES:
        raise BadButton(f"callback data over {MAX_BYTES} bytes: {text!r}")
    return text


def number(raw: str) -> int | None:
    """An id or a count: 1 to 12 ASCII digits (never `²` or `١`, which `isdigit` accepts)."""
    return int(raw) if NUMBER.fullmatch(raw) else None


def route(prefix: str, verbs: Iterable[str]) -> str:
    """The handler pattern for these verbs: the prefix, one of the verbs, then `:` or the end.

    It routes only; the handler's `unpack` still refuses anything malformed behind the verb.
    """
    names = sorted({re.escape(v) for v in verbs}, key=lambda v: (-len(v), v))
    return f"^{re.escape(prefix)}{SEP}({'|'.join(names)})({SEP}|$)"


# Each prefix's codec, so that `Press.pack` can check it writes only what reads back.
_CODECS: dict[str, Codec[Any]] = {}


@dataclass(frozen=True)
class Press:
    """A button press: `PREFIX:VERB[:field...]`, the fields in declaration order."""

    PREFIX: ClassVar[str]
    VERB: ClassVar[str]

    def parts(self) -> tuple[object, ...]:
        """What follows the verb; a kind with free text (see `Codec`) writes its own."""
        return astuple(self)

    def pack(self) -> str:
        """The callback data: at most 64 bytes, and it unpacks to this very press.

        Raises:
            BadButton: too long, or its fields would read back as another press or none.
        """
        text = pack(self.PREFIX, self.VERB, *self.parts())
        if _CODECS[self.PREFIX].unpack(text) != self:
            raise BadButton(f"{text!r} would not read back as {self!r}")
        return text


P = TypeVar("P", bound=Press)
Parser = Callable[[str], Any]


class Codec(Generic[P]):
    """Unpack the presses of one prefix, each part by the type of its field.

    A kind whose parts are not one per field (free text that may hold `:`) writes them itself
    (`parts()`) and reads them itself, with a classmethod `unpack_parts(parts) -> kind | None`.
    """

    def __init__(self, prefix: str, kinds: Iterable[type[P]], *, token: re.Pattern[str]) -> None:
        self.prefix = prefix
        self.token = token
        self.kinds: dict[str, type[P]] = {}
        self._readers: dict[str, Callable[[list[str]], P | None]] = {}
        for kind in kinds:
            if prefix != kind.PREFIX or kind.VERB in self.kinds:
                raise TypeError(f"{kind.__name__}: another prefix, or a verb taken twice")
            self.kinds[kind.VERB] = kind
            self._readers[kind.VERB] = getattr(kind, "unpack_parts", None) or self._reader(kind)
        if prefix in _CODECS:
            raise TypeError(f"a second codec for the prefix {prefix!r}")
        _CODECS[prefix] = self

    def _reader(self, kind: type[P]) -> Callable[[list[str]], P | None]:
        hints = get_type_hints(kind)
        parsers = tuple(self._parser(hints[f.name]) for f in fields(kind))

        def read(parts: list[str]) -> P | None:
            if len(parts) != len(parsers):
                return None
            values = [parse(part) for parse, part in zip(parsers, parts, strict=True)]
            return None if any(v is None for v in values) else kind(*values)

        return read

    def _parser(self, kind: Any) -> Parser:
        if kind is int:
            return number
        if kind is str:
            return lambda raw: raw if self.token.fullmatch(raw) else None
        if isinstance(kind, type) and issubclass(kind, Enum):
            values = {str(member.value): member for member in kind}
            return values.get
        raise TypeError(f"no button field of type {kind!r}")

    def unpack(self, data: str) -> P | None:
        """The typed press, or None: wrong prefix, unknown verb, a bad part, too few or many."""
        prefix, _, rest = data.partition(SEP)
        verb, *parts = rest.split(SEP)
        read = self._readers.get(verb) if prefix == self.prefix else None
        return None if read is None else read(parts)

    def pattern(self, *kinds: type[P]) -> str:
        """The routing pattern of a handler answering these kinds (all of them if none given)."""
        chosen = kinds or tuple(self.kinds.values())
        strangers = [k.__name__ for k in chosen if self.kinds.get(k.VERB) is not k]
        if strangers:
            raise TypeError(f"not presses of the prefix {self.prefix!r}: {strangers}")
        return route(self.prefix, (kind.VERB for kind in chosen))
