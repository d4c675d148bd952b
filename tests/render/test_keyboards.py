"""Button codecs: every press packs within 64 bytes and unpacks to itself; nothing else unpacks.

The wire strings are pinned too: buttons already sitting in chats must keep working after an
upgrade, so a codec change that moves them is a failing test, not a silent break.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable
from enum import Enum
from types import ModuleType
from typing import Any, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import logistics_steps, taxonomy
from bot.domain import recruiting_steps as job_steps
from bot.domain.logistics import LENGTHS, VEHICLE_TYPES
from bot.domain.recruiting import PAY_UNITS
from bot.render.keyboards import help as help_keys
from bot.render.keyboards import logistics, recruiting, reports, tickets
from bot.render.keyboards.codec import BadButton, Codec, Press

FEATURES: list[tuple[ModuleType, Codec[Any]]] = [
    (tickets, tickets.CODEC),
    (help_keys, help_keys.CODEC),
    (recruiting, recruiting.CODEC),
    (logistics, logistics.CODEC),
]
UNPACKS: list[Callable[[str], object]] = [
    tickets.unpack,
    reports.unpack,
    help_keys.unpack,
    recruiting.unpack,
    logistics.unpack,
]
IDS = st.integers(min_value=0, max_value=10**12 - 1)


def _field(codec: Codec[Any], kind: Any) -> st.SearchStrategy[Any]:
    if kind is int:
        return IDS
    if kind is str:
        return st.from_regex(codec.token, fullmatch=True)
    assert issubclass(kind, Enum)
    return st.sampled_from(list(kind))


def presses(codec: Codec[Any], kind: type[Press]) -> st.SearchStrategy[Press]:
    """Any valid press of `kind`: each field drawn by its type, as the codec reads it."""
    if kind is recruiting.TurnPage:
        return st.builds(recruiting.TurnPage.fitting, IDS, st.text())
    hints = get_type_hints(kind)
    parts = [_field(codec, hints[f.name]) for f in dataclasses.fields(kind)]
    return st.tuples(*parts).map(lambda values: kind(*values))


KINDS = [(codec, kind) for _, codec in FEATURES for kind in codec.kinds.values()]


@pytest.mark.parametrize(("codec", "kind"), KINDS, ids=[k.__qualname__ for _, k in KINDS])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_press_round_trips_within_64_bytes(
    codec: Codec[Any], kind: type[Press], data: st.DataObject
) -> None:
    press = data.draw(presses(codec, kind))
    packed = press.pack()
    assert len(packed.encode()) <= 64
    assert codec.unpack(packed) == press
    assert re.match(codec.pattern(kind), packed)
    assert re.match(codec.pattern(), packed)
    others = [k for k in codec.kinds.values() if k is not kind]
    assert not others or not re.match(codec.pattern(*others), packed)


@settings(max_examples=200, deadline=None)
@given(IDS, IDS)
def test_a_report_choice_round_trips(message_id: int, enterprise_id: int) -> None:
    press = reports.ReportFor(message_id, enterprise_id)
    packed = press.pack()
    assert len(packed.encode()) <= 64
    assert reports.unpack(packed) == press
    assert re.match(reports.PATTERN, packed)


def test_every_button_kind_is_in_its_codec() -> None:
    """A kind left out of KINDS would pack buttons no handler can read."""
    for module, codec in FEATURES:
        defined = {
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Press) and hasattr(obj, "VERB")
        }
        assert defined == set(codec.kinds.values()), module.__name__


# A long keyword is cut to fit, never the page number.
LONG_KEYWORD = "电工" * 40

WIRE = [
    (tickets.Claim(42), "t:claim:42"),
    (tickets.Contact(42), "t:contact:42"),
    (tickets.Progress(42), "t:prog:42"),
    (tickets.Resolve(42), "t:res:42"),
    (tickets.TransferMenu(42), "t:xfer:42"),
    (tickets.TransferTo(42, 7), "t:xto:42:7"),
    (tickets.View(42), "t:view:42"),
    (tickets.CategoryMenu(42), "t:cat:42"),
    (tickets.SetCategory(42, "labor"), "t:setcat:42:labor"),
    (tickets.KindMenu(42), "t:kind:42"),
    (tickets.SetKind(42, "help"), "t:setkind:42:help"),
    (tickets.RateSolved(42, "partly"), "t:rs:42:partly"),
    (tickets.Rate(42, "partly", "basic"), "t:rate:42:partly:basic"),
    (tickets.ApproveExtension(42, 3), "t:xok:42:3"),
    (tickets.RefuseExtension(42, 3), "t:xno:42:3"),
    (tickets.Supervise(42), "t:sup:42"),
    (reports.ReportFor(901, 2), "r:901:2"),
    (help_keys.More(), "h:more"),
    (recruiting.Confirm(), "j:ok"),
    (recruiting.Cancel(), "j:no"),
    (recruiting.Change(), "j:chg"),
    (recruiting.Reopen("shift"), "j:f:shift"),
    (recruiting.ChooseEmployer(5), "j:e:5"),
    (recruiting.ChoosePayUnit("month"), "j:u:month"),
    (recruiting.ChooseValidity(30), "j:v:30"),
    (recruiting.ChooseShift("0"), "j:s:0"),
    (recruiting.ChooseShift("-"), "j:s:-"),
    (recruiting.ChooseBenefits("-"), "j:b:-"),
    (recruiting.TurnPage(1), "j:pg:1"),
    (recruiting.TurnPage(2, "普工:夜班"), "j:pg:2:普工:夜班"),
    (recruiting.TurnPage.fitting(3, LONG_KEYWORD), "j:pg:3:" + "电工" * 9 + "电"),
    (recruiting.ManagePost(recruiting.PostAction.EDIT, 8), "j:m:ed:8"),
    (recruiting.ManagePost(recruiting.PostAction.FILL, 8), "j:m:fill:8"),
    (recruiting.ManagePost(recruiting.PostAction.WITHDRAW, 8), "j:m:wd:8"),
    (logistics.Accept(6), "lg:a:6"),
    (logistics.Decline(6), "lg:d:6"),
    (logistics.WithdrawTruck(4), "lg:wt:4"),
    (logistics.WithdrawCargo(4), "lg:wc:4"),
    (logistics.Step("length", "9.6"), "lg:s:length:9.6"),
    (logistics.Step("m3", "skip"), "lg:s:m3:skip"),
    (logistics.Cancel(), "lg:x"),
]


@pytest.mark.parametrize(("press", "wire"), WIRE, ids=[w for _, w in WIRE])
def test_the_wire_strings_are_the_ones_already_sent(press: Press, wire: str) -> None:
    assert press.pack() == wire
    assert [unpack(wire) for unpack in UNPACKS].count(press) == 1
    assert len(wire.encode()) <= 64


MALFORMED = [
    "",
    ":",
    "t",
    "t:",
    "x:claim:1",  # wrong prefix
    "T:claim:1",
    "t:claim",  # no id
    "t:claim:",
    "t:claim:abc",  # not an integer
    "t:claim:-1",
    "t:claim:1.5",
    "t:claim:１",  # a full-width digit
    "t:claim:٣",  # an Arabic-Indic digit: `\d` and `int()` take it, we do not
    "t:claim:²",  # `isdigit()` takes it and `int()` raises
    "t:claim:1234567890123",  # longer than any id
    "t:claim:1\n",  # `$` matches before a final newline
    "t:claim:1:2",  # an extra part
    "t:nope:1",  # an unknown verb
    "t:xto:1",  # a part missing
    "t:xto:1:abc",
    "t:xok:1:2:3",
    "t:rs:1:SOLVED",  # a code of the wrong shape
    "t:rs:1:" + "a" * 21,
    "t:rate:1:solved",
    "r:1",
    "r:1:2:3",
    "r:a:2",
    "r::2",
    "h:more:1",
    "h:less",
    "j:ok:1",
    "j:e:abc",
    "j:v:²",
    "j:f:",
    "j:pg:",
    "j:pg:x",
    "j:pg:1:",
    "j:m:ed",
    "j:m:zz:1",
    "j:m:ed:1:2",
    "j:zz",
    "lg:a:",
    "lg:a:1:2",
    "lg:wt:x",
    "lg:s:date",
    "lg:s:date:1:2",
    "lg:s:DATE:1",
    "lg:x:1",
    "lg:q:1",
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_data_unpacks_to_nothing(data: str) -> None:
    assert [unpack(data) for unpack in UNPACKS] == [None] * len(UNPACKS)


_PART = st.one_of(
    st.sampled_from(["t", "r", "h", "j", "lg", "claim", "xok", "pg", "m", "ed", "s", "more"]),
    st.from_regex(r"[0-9]{0,14}", fullmatch=True),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(_PART, max_size=6).map(":".join)))
def test_no_string_makes_unpack_raise(data: str) -> None:
    for unpack in UNPACKS:
        press = unpack(data)
        if press is not None:  # whatever unpacks is a press that packs back within the limit
            assert isinstance(press, Press | reports.ReportFor)
            assert len(press.pack().encode()) <= 64


def test_every_code_a_renderer_offers_fits_its_codec() -> None:
    """Renderers pack these values; a code the codec cannot read back would be a dead button."""
    codes = [
        *taxonomy.CATEGORIES,
        *taxonomy.KINDS,
        *taxonomy.SOLVED_RATINGS,
        *taxonomy.SATISFACTION_RATINGS,
    ]
    assert all(tickets.CODE.fullmatch(code) for code in codes)
    job_values = [*PAY_UNITS, job_steps.SKIP, *job_steps.STEPS]
    assert all(recruiting.TOKEN.fullmatch(value) for value in job_values)
    steps = logistics_steps.STEPS
    values = [
        *(step for kind in steps.values() for step in kind),
        *(value for choices in logistics_steps.CHOICES.values() for value in choices),
        *(edit for kind in logistics_steps.EDITS.values() for edit in kind),
        logistics_steps.OK,
        logistics_steps.SKIP,
        *VEHICLE_TYPES,
        *LENGTHS,
    ]
    assert all(logistics.TOKEN.fullmatch(value) for value in values)


def test_each_answer_button_names_a_step_of_the_job_conversation() -> None:
    assert {kind.STEP for kind in recruiting.STEP_ANSWERS} <= set(job_steps.STEPS)
    assert recruiting.ChooseEmployer.STEP == job_steps.EMPLOYER


def test_pack_refuses_data_over_64_bytes() -> None:
    with pytest.raises(BadButton):
        tickets.SetCategory(1, "x" * 60).pack()


@pytest.mark.parametrize(
    "press",
    [
        tickets.SetCategory(1, "a:b"),
        tickets.RateSolved(1, "Solved"),
        recruiting.ChoosePayUnit("月"),
        logistics.Step("date", ""),
    ],
)
def test_pack_refuses_a_button_that_would_not_read_back(press: Press) -> None:
    """A renderer cannot send a dead button: `pack` writes only what `unpack` gives back."""
    with pytest.raises(BadButton):
        press.pack()
