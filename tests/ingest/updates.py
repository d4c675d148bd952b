"""Hypothesis strategies for Telegram updates, built from the Bot API's own description.

`sandbox/bot_api_types.json` (derived from the Bot API reference by
`sandbox/derive_schema.py`) lists every type an `Update` can hold: its fields, which are
required, a string's fixed or listed values, a union's members. From it `schema_update` builds
an update of any kind, the documented ones and kinds no version documents yet, with optional
fields left out or put in, numbers at the edges of every integer type (0, negative, 2**63-1,
2**63, 2**64 and beyond) and text that is hard to store or show (NUL, lone surrogates as JSON
may carry them escaped, right-to-left marks, combining marks, emoji joined by ZWJ, characters
outside the BMP). `park_update` builds the kinds this bot handles, addressed to the park of
the test (its bound group, its people) so that they reach deep into the handlers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import sandbox

TYPES: dict[str, Any] = json.loads(
    Path(sandbox.__file__).with_name("bot_api_types.json").read_text("utf-8")
)["types"]

# Integers at the edges of what Telegram and the databases hold, and beyond.
EDGE_INTEGERS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    -(2**31),
    2**52,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    2**64 + 1,
    10**30,
    -(10**30),
]
ODD_PIECES = [
    "\x00",
    "a\x00b",
    "\ud800",  # lone surrogates: JSON may carry them escaped ("\ud800"), Python keeps them
    "\udfff",
    "x\ud83d",
    "\u202e\u05e9\u05dc\u05d5\u05dd",  # a right-to-left override and Hebrew
    "\u200f\u0627\u0644\u0633\u0644\u0627\u0645",  # a right-to-left mark and Arabic
    "e\u0301\u0301\u0301",  # combining marks piled up
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a ZWJ family
    "\U0001d400\U0001d401",  # mathematical bold, outside the BMP
    "\U00020000\U0002a6d6",  # CJK extension B
    "\ufeff",
    "\u2028\u2029",
    "<b>&amp;</b><",
    "#诉求",
    "１２３",
    "²①",
    "",
    " ",
    "\t\n",
]
MAX_DEPTH = 4
# Below this depth an object gets some of its optional fields; deeper, only the required ones.
OPTIONAL_DEPTH = 2


def odd_text(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Text mixing ordinary characters with the odd pieces above."""
    piece = st.one_of(st.sampled_from(ODD_PIECES), st.text(max_size=6))
    return st.lists(piece, max_size=max_pieces).map("".join)


def integers() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(EDGE_INTEGERS), st.integers(-1000, 10**6))


def _strings(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    if "const" in spec:
        return st.just(spec["const"])
    if "values" in spec:
        # Mostly a listed value, sometimes one a later version of the API may add.
        return st.one_of(
            st.sampled_from(spec["values"]), st.sampled_from(spec["values"]), odd_text()
        )
    return odd_text()


def _of_type(type_name: str, depth: int, spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    if type_name.startswith("Array of "):
        if depth >= MAX_DEPTH:
            return st.just([])
        return st.lists(_of_type(type_name.removeprefix("Array of "), depth + 1, {}), max_size=2)
    primitives: dict[str, st.SearchStrategy[Any]] = {
        "Integer": integers(),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "Boolean": st.booleans(),
        "True": st.just(True),
        "String": _strings(spec),
    }
    if type_name in primitives:
        return primitives[type_name]
    if depth > MAX_DEPTH:
        # Types nest without end (a rich text holds rich texts): deep down, an empty object.
        return st.just({})
    return of_type(type_name, depth)


@cache
def of_type(name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of the Bot API type `name` as Telegram would send it (in JSON)."""
    spec = TYPES.get(name)
    if spec is None:
        return odd_text()
    if "subtypes" in spec:
        return st.one_of([_of_type(sub, depth + 1, {}) for sub in spec["subtypes"]])
    return st.deferred(lambda: _object(name, depth))


def _object(name: str, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, Any] = TYPES[name]["fields"]
    required = {key: _field(spec, depth) for key, spec in fields.items() if spec["required"]}
    optional = [key for key, spec in fields.items() if not spec["required"]]
    if depth >= OPTIONAL_DEPTH or not optional:
        return st.fixed_dictionaries(required)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(st.fixed_dictionaries(required))
        for key in draw(st.sets(st.sampled_from(optional), max_size=3)):
            value[key] = draw(_field(fields[key], depth))
        return value

    return build()


def _field(spec: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    return st.one_of([_of_type(t, depth + 1, spec) for t in spec["types"]])


UPDATE_KINDS = sorted(k for k in TYPES["Update"]["fields"] if k != "update_id")


def schema_update() -> st.SearchStrategy[dict[str, Any]]:
    """An update of any kind the Bot API documents, of a kind it does not (yet), or of none."""
    kinds = TYPES["Update"]["fields"]
    documented = st.sampled_from(UPDATE_KINDS).flatmap(
        lambda kind: _field(kinds[kind], 0).map(lambda value: {kind: value})
    )
    unknown = st.fixed_dictionaries(
        {"future_kind": st.one_of(of_type("Message"), odd_text(), integers())}
    )
    return st.one_of(documented, unknown, st.just({}))


@dataclass(frozen=True)
class Park:
    """Who and where the updates of `park_update` come from."""

    group: int
    unbound_group: int
    people: tuple[int, ...]  # contacts, cadres, strangers (never an admin: see the test)


COMMANDS = [
    "/report",
    "/ticket",
    "/claim",
    "/progress",
    "/resolve",
    "/transfer",
    "/start",
    "/help",
    "/lang",
    "/mine",
    "/job",
    "/jobs",
    "/jobedit",
    "/hired",
    "/truck",
    "/cargo",
    "/done",
    "/cancel",
    "/bind",
    "/export",
    "/overdue",
    "/dashboard",
]
BUTTON_DATA = [
    "t:claim:1",
    "t:claim:18446744073709551616",
    "t:claim:-1",
    "t:rate:1:solved",
    "r:1:1",
    "h:0",
    "j:ok",
    "lg:done:1",
    "x" * 64,
    "",
]


def _text_and_entities(park: Park) -> st.SearchStrategy[dict[str, Any]]:
    """A text as Telegram marks it: a command or a report hashtag first, odd text after."""

    def marked(head: str, tail: str) -> dict[str, Any]:
        text = f"{head} {tail}" if head else tail
        if not head:
            return {"text": text}
        kind = "bot_command" if head.startswith("/") else "hashtag"
        length = len(head.encode("utf-16-le")) // 2
        return {"text": text, "entities": [{"type": kind, "offset": 0, "length": length}]}

    head = st.one_of(st.sampled_from(COMMANDS), st.just("#诉求"), st.just(""))
    tail = st.one_of(
        odd_text(),
        st.sampled_from(["1", "²", "⁵", "①", "１２", str(2**63), str(2**64), "-1", "0 1"]),
    )
    return st.builds(marked, head, tail)


def park_update(park: Park) -> st.SearchStrategy[dict[str, Any]]:
    """A message, edit or button press of this park's people and chats (or of ids at the
    edges), with optional fields of the schema's Message added."""
    people = st.one_of(st.sampled_from(park.people), integers())
    chat = st.one_of(
        st.builds(
            lambda chat_id: {"id": chat_id, "type": "supergroup", "title": "群"},
            st.sampled_from([park.group, park.unbound_group]) | integers(),
        ),
        st.builds(lambda chat_id: {"id": chat_id, "type": "private", "first_name": "人"}, people),
    )
    sender = st.builds(
        lambda user_id, name: {"id": user_id, "is_bot": False, "first_name": name},
        people,
        odd_text(2),
    )

    @st.composite
    def message(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(of_type("Message", OPTIONAL_DEPTH - 1))  # a few optional fields
        value.update(
            message_id=draw(integers()),
            date=draw(integers()),
            chat=draw(chat),
            **draw(_text_and_entities(park)),
        )
        if draw(st.booleans()):
            value["from"] = draw(sender)
        else:
            value.pop("from", None)
        return value

    @st.composite
    def press(draw: st.DrawFn) -> dict[str, Any]:
        return {
            "id": draw(odd_text(2)),
            "from": draw(sender),
            "chat_instance": "ci",
            "message": draw(message()),
            "data": draw(st.sampled_from(BUTTON_DATA) | odd_text(2)),
        }

    return st.one_of(
        message().map(lambda m: {"message": m}),
        message().map(lambda m: {"edited_message": {**m, "edit_date": m["date"]}}),
        press().map(lambda p: {"callback_query": p}),
    )
