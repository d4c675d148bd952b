"""The 办理记录 in words a clerk files: who acted (a name, never a Telegram id) and what happened
(签收、联系企业、进展：…、办结：…、评价：已解决/满意), one phrase per typed event.

Plain text throughout (`tr.plain`): these go into spreadsheet cells, not HTML messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import events as ev
from bot.domain.ledger import Person
from bot.i18n import Translator

TIME = "%Y-%m-%d %H:%M"


def actor_name(actor_id: int | None, people: Mapping[int, Person], tr: Translator) -> str:
    """A cadre's roster name; an enterprise contact as name（enterprise）; 系统 for the bot."""
    if actor_id is None:
        return tr.plain("ledger.actor_system")
    person = people.get(actor_id)
    if person is None:
        return tr.plain("ledger.actor_unknown")
    if person.cadre:
        return person.cadre
    if person.enterprise:
        name = person.first_name or tr.plain("ledger.actor_contact")
        return tr.plain("ledger.actor_of", name=name, enterprise=person.enterprise)
    return person.first_name or tr.plain("ledger.actor_unknown")


def label(tr: Translator, family: str, code: str | None) -> str:
    """The catalog's word for a stored code (`family.code`), or the code itself."""
    if not code:
        return ""
    try:
        return tr.plain(f"{family}.{code}")
    except KeyError:
        return code


class EventWords:
    """Turn one typed event into its phrase, with cadre names and park-local times."""

    def __init__(self, tr: Translator, tz: ZoneInfo, cadres: Mapping[int, str]) -> None:
        self.tr = tr
        self.tz = tz
        self.cadres = cadres
        self._words: dict[type[ev.Event], Callable[[ev.Event], str]] = {
            ev.Assign: self._assign,
            ev.Progress: lambda e: self._say("progress", note=_note(e)),
            ev.Resolve: lambda e: self._say("resolve", note=_note(e)),
            ev.Rate: self._rating,
            ev.Reopen: self._rating,
            ev.Transfer: self._transfer,
            ev.Close: lambda e: self._say("close"),
            ev.Withdraw: self._withdraw,
            ev.Classify: self._classify,
            ev.Urge: self._urge,
            ev.Escalate: self._escalate,
            ev.ExtendRequest: self._extend_request,
            ev.ExtendOk: self._extend_ok,
            ev.ExtendRefused: self._extend_refused,
        }

    def __call__(self, event: ev.Event) -> str:
        words = self._words.get(type(event))
        return words(event) if words else self._say(event.TYPE.value)

    def _say(self, key: str, **params: object) -> str:
        return self.tr.plain(f"ledger.ev_{key}", **params)

    def _cadre(self, cadre_id: int | None) -> str:
        if cadre_id is None:
            return self.tr.plain("airing.duty_desk")
        return self.cadres.get(cadre_id, self.tr.plain("ledger.actor_unknown"))

    def _time(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime(TIME)

    def _assign(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Assign)
        if event.cadre_id is None:
            return self._say("assign_duty")
        key = "assign_backup" if event.route == "backup" else "assign"
        return self._say(key, cadre=self._cadre(event.cadre_id))

    def _rating(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Rating)
        key = "reopen" if isinstance(event, ev.Reopen) else "rate"
        return self._say(
            key,
            solved=label(self.tr, "rating", event.solved),
            satisfaction=label(self.tr, "rating", event.satisfaction),
        )

    def _transfer(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Transfer)
        return self._say(
            "transfer",
            source=self._cadre(event.from_cadre_id),
            target=self._cadre(event.to_cadre_id),
        )

    def _withdraw(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Withdraw)
        return self._say("withdraw", reason=event.reason)

    def _classify(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Classify)
        parts = [label(self.tr, "category", event.category), label(self.tr, "kind", event.kind)]
        return self._say("classify", changes="、".join(p for p in parts if p))

    def _urge(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Urge)
        if event.step.startswith("chase"):
            return self._say("chase", number=event.step.removeprefix("chase") or "1")
        due = self._time(event.due_at) if event.due_at else ""
        return self._say("remind", due=due)

    def _escalate(self, event: ev.Event) -> str:
        assert isinstance(event, ev.Escalate)
        reason = label(self.tr, "clock", f"reason_{event.reason}")
        return self._say("escalate", level=event.level, reason=reason)

    def _extend_request(self, event: ev.Event) -> str:
        assert isinstance(event, ev.ExtendRequest)
        return self._say("extend_request", days=event.days, reason=event.reason)

    def _extend_ok(self, event: ev.Event) -> str:
        assert isinstance(event, ev.ExtendOk)
        return self._say("extend_ok", days=event.days, deadline=self._time(event.deadline_at))

    def _extend_refused(self, event: ev.Event) -> str:
        assert isinstance(event, ev.ExtendRefused)
        return self._say("extend_stale" if event.stale else "extend_refused", days=event.days)


def _note(event: ev.Event) -> str:
    return event.note if isinstance(event, ev.Note) else ""
