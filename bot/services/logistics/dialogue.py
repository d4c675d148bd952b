"""The guided /truck and /cargo dialogue, one step at a time, run by the conversation engine.

Nothing lives in memory: the engine (`bot.services.conversation`) keeps the conversation in
`conversations` and refuses a button of any other step than the one it is at (a press on an
older prompt is not applied to the wrong question); here each answer is read and checked and
the next step chosen. A restart simply continues from the table.

The truck conversation asks at most five questions (route, date, vehicle, load, confirm): the
optional fields (cities on the way, length, price, contact) start at their defaults, shown in the
summary, and the summary's buttons open any of them as one more question that returns to it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.domain.conversation import Conversation
from bot.domain.logistics import LENGTHS, VEHICLE_TYPES, Draft, TruckForm
from bot.domain.logistics_forms import (
    MAX_M3,
    MAX_TEXT,
    MAX_TONNES,
    VEHICLE_WORDS,
    VIA_WORD,
    check_dates,
    parse_pieces,
    parse_place,
    parse_range,
)

# Re-exported: the conversations' shape, defined in the domain (render shows it).
from bot.domain.logistics_steps import CHOICES as CHOICES
from bot.domain.logistics_steps import CONFIRM as CONFIRM
from bot.domain.logistics_steps import EDITS as EDITS
from bot.domain.logistics_steps import OK as OK
from bot.domain.logistics_steps import OPTIONAL as OPTIONAL
from bot.domain.logistics_steps import SKIP as SKIP
from bot.domain.logistics_steps import STEPS as STEPS
from bot.domain.logistics_steps import form_of as form_of
from bot.domain.models import Actor
from bot.errors import InvalidInput
from bot.services.logistics.service import LogisticsService, PostedCargo, PostedTruck

TOPIC = "logistics"

_YES = {"yes", "是", "要", "需要", "冷链"}
_NO = {"no", "否", "不", "不要", "不需要"}
_ROUTE_SPLIT = re.compile(r"[\s→>\-—–－到至]+")
_M3_UNITS = ("m3", "m³", "立方米", "立方", "方")


Posted = PostedTruck | PostedCargo


def _number(text: str, limit: float, key: str, units: tuple[str, ...]) -> float:
    cleaned = text.strip()
    for unit in units:
        cleaned = cleaned.removesuffix(unit)
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidInput(key, value=text[:20], limit=f"{limit:g}") from None
    if not 0 < value <= limit:
        raise InvalidInput(key, value=text[:20], limit=f"{limit:g}")
    return value


class LogisticsDialogue:
    """Read and check each answer of a /truck or /cargo conversation; post it when confirmed."""

    topic = TOPIC
    no_conversation = "logistics.no_draft"
    stale = "logistics.stale_step"

    def __init__(self, logistics: LogisticsService) -> None:
        self.logistics = logistics
        self.idle = timedelta(hours=logistics.rules.draft_valid_hours)

    def step_of(self, conversation: Conversation) -> str | None:
        """The stored step; None for one an older version saved with other steps."""
        kind, step = conversation.kind, conversation.step
        return step if step in (*STEPS[kind], *EDITS[kind]) else None

    async def view(self, actor: Actor, conversation: Conversation) -> Draft:
        """The conversation as its question shows it."""
        c = conversation
        return Draft(c.user_id, c.kind, c.step, c.data)

    async def begin(self, actor: Actor, kind: str, *, form: str, edit: int | None) -> Conversation:
        """Begin a conversation of `kind` (truck or cargo) at its first question.

        Raises:
            NotAllowed: the actor may not post.
        """
        self.logistics.require_poster(actor)
        return Conversation(actor.telegram_id, TOPIC, kind, STEPS[kind][0], {})

    async def press(
        self, actor: Actor, conversation: Conversation, value: int | str
    ) -> Conversation | Posted:
        """Apply a button's value, as if typed (the engine checked its step)."""
        return await self.answer(actor, conversation, str(value))

    async def answer(
        self, actor: Actor, conversation: Conversation, text: str
    ) -> Conversation | Posted:
        """Answer the current step; at the summary, `ok` posts and a field's name opens it.

        Raises:
            InvalidInput: an answer that does not fit.
            NotAllowed: the actor may no longer post (checked again when posting).
        """
        kind, step = conversation.kind, conversation.step
        if step == CONFIRM:
            if text in EDITS[kind]:
                return await self.reopen(actor, conversation, text)
            if text != OK:
                raise InvalidInput("logistics.press_confirm")
            return await self.finish(actor, conversation)
        data = dict(conversation.data)
        data.update(self._answer(kind, step, text.strip()))
        steps = STEPS[kind]
        # An optional field opened from the summary goes back to it.
        following = steps[steps.index(step) + 1] if step in steps else CONFIRM
        return conversation.at(following, data)

    async def reopen(self, actor: Actor, conversation: Conversation, name: str) -> Conversation:
        """From the summary, ask for the optional field `name` (then back to the summary)."""
        if conversation.step != CONFIRM or name not in EDITS[conversation.kind]:
            raise InvalidInput("logistics.press_confirm")
        return conversation.at(name)

    async def finish(self, actor: Actor, conversation: Conversation) -> Posted:
        """Post the truck or the cargo the conversation describes.

        Raises:
            InvalidInput: not at the summary yet.
            NotAllowed: the actor may no longer post.
        """
        if conversation.step != CONFIRM:
            raise InvalidInput("logistics.press_confirm")
        c = conversation
        form = form_of(Draft(c.user_id, c.kind, c.step, c.data))
        if isinstance(form, TruckForm):
            return await self.logistics.post_truck(actor, form)
        return await self.logistics.post_cargo(actor, form)

    def _answer(self, kind: str, step: str, value: str) -> dict[str, Any]:
        """Check one answer and return the draft fields it sets."""
        if step == "route":
            return _route(value)
        if step == "vehicle" and value != SKIP:
            # A typed answer may carry the length too: 厢式 6.8m.
            words = value.split()
            fields = {"vehicle": self._read(kind, "vehicle", words[0] if words else "")}
            if len(words) > 1:
                fields["length"] = self._read(kind, "length", " ".join(words[1:]))
            return fields
        if step == "load":
            words = value.split()
            if not words:
                raise InvalidInput("logistics.need_text")
            fields = {"tonnes": self._read(kind, "tonnes", words[0])}
            if len(words) > 1:
                fields["m3"] = _number(" ".join(words[1:]), MAX_M3, "logistics.bad_m3", _M3_UNITS)
            return fields
        return {step: self._read(kind, step, value)}

    def _read(self, kind: str, step: str, value: str) -> Any:
        """Check one answer and turn it into what the draft stores (JSON-friendly)."""
        if step in OPTIONAL and value == SKIP:
            return None
        if step in ("origin", "destination"):
            return parse_place(value)
        if step == "via":
            parts = value.replace("，", ",").replace("、", ",").split(",")
            return [parse_place(p) for p in parts if p.strip()] or None
        if step == "date":
            return self._dates(kind, value)
        if step == "vehicle":
            code = VEHICLE_WORDS.get(value, value)
            if code not in VEHICLE_TYPES:
                raise InvalidInput("logistics.pick_button")
            return code
        if step == "length":
            length = f"{_number(value, 100, 'logistics.bad_length', ('m', '米')):g}"
            if length not in LENGTHS:
                raise InvalidInput("logistics.bad_length", value=value[:20])
            return length
        if step == "tonnes":
            return _number(value, MAX_TONNES, "logistics.bad_tonnes", ("t", "T", "吨"))
        if step == "m3":
            return _number(value, MAX_M3, "logistics.bad_m3", _M3_UNITS)
        if step == "pieces":
            return parse_pieces(value)
        if step == "cold":
            if value in _YES or value in _NO:
                return value in _YES
            raise InvalidInput("logistics.pick_button")
        if not value:
            raise InvalidInput("logistics.need_text")
        if len(value) > MAX_TEXT:
            raise InvalidInput("logistics.too_long", limit=MAX_TEXT)
        return value  # name, price, contact

    def _dates(self, kind: str, value: str) -> list[str]:
        today = self.logistics.today()
        if value in CHOICES["date"]:
            first = last = today + timedelta(days=int(value))
        else:
            first, last = parse_range(value, today)
        if kind == "truck" and first != last:
            raise InvalidInput("logistics.truck_one_date")
        check_dates(first, last, today, self.logistics.rules.max_days_ahead)
        return [first.isoformat(), last.isoformat()]


def _route(value: str) -> dict[str, Any]:
    """`海门 常州`, `海门→常州`, `海门到常州`, optionally with `经 南通,无锡` after them."""
    text, _, rest = value.partition(VIA_WORD)
    places = [w for w in _ROUTE_SPLIT.split(text) if w]
    if len(places) != 2:
        raise InvalidInput("logistics.bad_route", value=value[:30])
    via = [parse_place(p) for p in re.split(r"[\s,，、/]+", rest) if p]
    return {
        "origin": parse_place(places[0]),
        "destination": parse_place(places[1]),
        "via": list(dict.fromkeys(via)) or None,
    }
