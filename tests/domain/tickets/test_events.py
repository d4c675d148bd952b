"""The typed event vocabulary: one class per stored type, one writer, lossless payloads."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import events as ev
from bot.domain.lifecycle import TRANSITIONS
from bot.i18n import LOCALES, catalog

ROOT = Path(__file__).resolve().parents[3]
MOMENT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

SAMPLES: list[ev.Event] = [
    ev.Create(chat_id=-100, message_id=7),
    ev.Assign(route="primary", cadre_id=3),
    ev.Assign(route="duty"),
    ev.Claim(),
    ev.Contact(),
    ev.Progress(note="已联系供电所"),
    ev.Resolve(note="已恢复供电", deadline_at=MOMENT),
    ev.Rate(solved="solved", satisfaction="basic"),
    ev.Reopen(solved="unsolved", satisfaction="dissatisfied", deadline_at=MOMENT),
    ev.Transfer(to_cadre_id=4, from_cadre_id=3),
    ev.Close(reason="unrated"),
    ev.Withdraw(reason="企业自行解决"),
    ev.Classify(category="labor"),
    ev.Urge(step="chase1@2026-11-20T10:00:00+00:00", deadline_at=MOMENT),
    ev.Urge(step="remind_claim@x", due_at=MOMENT),
    ev.Escalate(level=2, reason="reworks"),
    ev.ExtendRequest(days=3, reason="等待排期", request_id=1),
    ev.ExtendOk(deadline_at=MOMENT, days=3),
    ev.ExtendRefused(days=2, stale=True),
]


def test_one_class_per_stored_type_and_every_class_sampled() -> None:
    assert set(ev.EVENTS) == set(ev.EventType)
    assert {type(s) for s in SAMPLES} == set(ev.EVENTS.values())


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_payload_round_trips(event: ev.Event) -> None:
    assert ev.decode(event.TYPE.value, event.payload()) == event


def test_status_changes_are_the_lifecycle_actions() -> None:
    moves = {cls.ACTION: cls for cls in ev.EVENTS.values() if cls.ACTION is not None}
    assert set(moves) == set(TRANSITIONS)  # every action is recorded by exactly one event
    for action, cls in moves.items():
        assert cls.TYPE.value == action.value  # the stored names agree with the actions


def test_response_and_verdict_events() -> None:
    assert {ev.EventType.CONTACT, ev.EventType.PROGRESS, ev.EventType.RESOLVE} == ev.RESPONSES
    assert {ev.EventType.RATE, ev.EventType.REOPEN} == ev.VERDICTS


def test_a_payload_missing_a_field_is_refused() -> None:
    with pytest.raises(ValueError):
        ev.decode("rate", {"solved": "solved"})
    with pytest.raises(ValueError):
        ev.decode("rated", {})


@pytest.mark.parametrize("locale", LOCALES)
def test_every_event_has_words_in_every_locale(locale: str) -> None:
    words = catalog(locale)
    assert [t for t in ev.EventType if f"event.{t.value}" not in words] == []


def test_only_the_repository_writes_ticket_events() -> None:
    """Raw event rows are written in one place; tests make history through the services."""
    writers = []
    for folder in ("bot", "storage", "handlers", "sandbox", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("tests/storage/"):
                continue  # storage tests may write rows (the migration test replays old ones)
            text = path.read_text("utf-8")
            if re.search(r"INSERT\s+INTO\s+ticket_events", text, re.IGNORECASE):
                writers.append(relative)
    assert writers == ["storage/repos/tickets.py"]


def test_the_readers_take_type_names_from_the_domain() -> None:
    """No event type name is spelled as a string literal in the SQL that reads the log."""
    names = "|".join(t.value for t in ev.EventType)
    literal = re.compile(rf"""['"]({names})['"]""")
    for relative in (
        "storage/repos/metrics.py",
        "storage/repos/ledger.py",
        "storage/repos/deadlines.py",
        "bot/services/metrics.py",
        "bot/domain/metric_rules.py",
    ):
        found = literal.findall((ROOT / relative).read_text("utf-8"))
        assert found == [], (relative, found)
