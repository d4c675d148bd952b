"""The guided conversation's prompts: one question per step, with its buttons and 取消."""

from __future__ import annotations

from markupsafe import Markup

from bot.domain.buttons import Button, Keyboard
from bot.domain.logistics import Draft, TruckForm
from bot.domain.logistics_steps import (
    CHOICES,
    CONFIRM,
    EDITS,
    OK,
    OPTIONAL,
    SKIP,
    STEPS,
    form_of,
)
from bot.i18n import Translator
from bot.render import logistics as render
from bot.render.keyboards import logistics as keys

PER_ROW = 3


def prompt(draft: Draft, tr: Translator) -> tuple[str, Keyboard]:
    """The question for the draft's current step, and its buttons."""
    steps = STEPS[draft.kind]
    # A field opened from the summary is part of the last step, not one more.
    number = steps.index(draft.step) + 1 if draft.step in steps else len(steps)
    header = tr(f"logistics.title_{draft.kind}", number=number, total=len(steps))
    if draft.step == CONFIRM:
        text = header + "\n" + summary(draft, tr)
        values: tuple[str, ...] = (OK, *EDITS[draft.kind])
    else:
        text = header + "\n" + tr(f"logistics.ask_{draft.kind}_{draft.step}")
        values = CHOICES.get(draft.step, ())
    buttons = [
        Button(
            tr(f"logistics.choice_{draft.step}_{value.replace('.', '_')}"),
            keys.Step(draft.step, value).pack(),
        )
        for value in values
    ]
    rows: list[list[Button]] = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    last = [Button(tr("logistics.button_cancel"), keys.Cancel().pack())]
    if draft.step in OPTIONAL:
        last.insert(0, Button(tr("logistics.button_skip"), keys.Step(draft.step, SKIP).pack()))
    rows.append(last)
    return text, rows


def summary(draft: Draft, tr: Translator) -> str:
    """What will be posted, with the contact only its owner sees here."""
    form = form_of(draft)
    contact = form.contact if form.contact else tr("logistics.contact_telegram")
    if isinstance(form, TruckForm):
        # Every optional field with its value or default, each changeable with a button below.
        return Markup("\n").join(
            [
                tr("logistics.summary_truck", body=render.truck_body(form, tr)),
                tr(
                    "logistics.summary_truck_options",
                    via="、".join(form.via) if form.via else tr("logistics.default_via"),
                    length=tr("logistics.length", value=form.length).strip()
                    if form.length
                    else tr("logistics.default_length"),
                    price=form.price_note or tr("logistics.default_price"),
                    contact=contact,
                ),
            ]
        )
    body = tr("logistics.summary_cargo", body=render.cargo_body(form, tr))
    return body + "\n" + tr("logistics.summary_contact", contact=contact)
