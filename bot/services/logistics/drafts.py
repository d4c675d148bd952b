"""The guided /truck and /cargo conversation, one step at a time, stored in `logistics_drafts`.

Nothing lives in memory: each answer (typed or a button) is checked against the step the stored
draft is at, saved, and the next step is returned; a restart simply continues from the table.
Button answers carry their step, so a press on an older prompt is refused instead of being
applied to the wrong question.

The truck conversation asks at most five questions (route, date, vehicle, load, confirm): the
optional fields (cities on the way, length, price, contact) start at their defaults, shown in the
summary, and the summary's buttons open any of them as one more question that returns to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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

_YES = {"yes", "是", "要", "需要", "冷链"}
_NO = {"no", "否", "不", "不要", "不需要"}
_ROUTE_SPLIT = re.compile(r"[\s→>\-—–－到至]+")
_M3_UNITS = ("m3", "m³", "立方米", "立方", "方")


@dataclass(frozen=True)
class Progress:
    """After an answer: the draft at its next step, or the post it became."""

    draft: Draft | None = None
    posted: PostedTruck | PostedCargo | None = None


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


class DraftService:
    """Start, answer, cancel and finish guided conversations."""

    def __init__(self, logistics: LogisticsService) -> None:
        self.logistics = logistics
        self.db = logistics.db
        self.clock = logistics.clock
        self.repo = logistics.drafts

    async def start(self, actor: Actor, kind: str) -> Draft:
        """Begin a conversation (replacing any unfinished one of the same user).

        Raises:
            NotAllowed: the actor may not post.
        """
        self.logistics.require_poster(actor)
        draft = Draft(actor.telegram_id, kind, STEPS[kind][0], {})
        async with self.db.transaction():
            await self.repo.save_draft(draft, self.clock.now())
        return draft

    async def current(self, user_id: int) -> Draft | None:
        """The user's unfinished conversation, if any."""
        async with self.db.transaction():
            return await self.repo.draft(user_id)

    async def cancel(self, user_id: int) -> bool:
        """Drop the user's conversation; False if there was none."""
        async with self.db.transaction():
            return await self.repo.drop_draft(user_id)

    async def give(self, actor: Actor, value: str, *, step: str | None = None) -> Progress:
        """Answer the current step (typed text, or a button value with its `step`).

        Raises:
            InvalidInput: no conversation, a stale button, or an answer that does not fit.
            NotAllowed: the actor may no longer post (checked again when posting).
        """
        async with self.db.transaction():
            draft = await self.repo.draft(actor.telegram_id)
            if draft is None:
                raise InvalidInput("logistics.no_draft")
            if draft.step not in (*STEPS[draft.kind], *EDITS[draft.kind]):
                # A conversation saved by an older version with other steps: start again.
                await self.repo.drop_draft(actor.telegram_id)
                raise InvalidInput("logistics.no_draft")
            if step is not None and step != draft.step:
                raise InvalidInput("logistics.stale_step")
            data = dict(draft.data)
            if draft.step == CONFIRM:
                if value in EDITS[draft.kind]:
                    moved = Draft(draft.user_id, draft.kind, value, data)
                    await self.repo.save_draft(moved, self.clock.now())
                    return Progress(draft=moved)
                if value != OK:
                    raise InvalidInput("logistics.press_confirm")
                posted = await self._post(actor, draft)
                await self.repo.drop_draft(actor.telegram_id)
                return Progress(posted=posted)
            data.update(self._answer(draft.kind, draft.step, value.strip()))
            steps = STEPS[draft.kind]
            # An optional field opened from the summary goes back to it.
            following = steps[steps.index(draft.step) + 1] if draft.step in steps else CONFIRM
            moved = Draft(draft.user_id, draft.kind, following, data)
            await self.repo.save_draft(moved, self.clock.now())
            return Progress(draft=moved)

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

    async def _post(self, actor: Actor, draft: Draft) -> PostedTruck | PostedCargo:
        form = form_of(draft)
        if isinstance(form, TruckForm):
            return await self.logistics.post_truck(actor, form)
        return await self.logistics.post_cargo(actor, form)


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
