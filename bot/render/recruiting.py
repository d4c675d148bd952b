"""Texts and buttons of job posts: the public card, the /job questions and preview, /jobs pages.

Buttons carry typed presses from `keyboards.recruiting` (`j:...`), never trusted: the draft
service checks that a press answers the current step, and the post service checks the owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.domain.buttons import Button, Keyboard
from bot.domain.recruiting import PAY_UNITS, JobRules, JobStatus, JobView
from bot.domain.recruiting_steps import CONFIRM, EMPLOYER, SKIP, STEPS, DraftState, JobPage
from bot.i18n import Translator
from bot.render.keyboards import recruiting as keys

MANAGE_BUTTONS = (
    ("jobs.btn_manage_edit", keys.PostAction.EDIT),
    ("jobs.btn_fill", keys.PostAction.FILL),
    ("jobs.btn_withdraw", keys.PostAction.WITHDRAW),
)


def _date(moment: datetime, tr: Translator, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return tr("jobs.date", year=local.year, month=local.month, day=local.day)


def last_valid_day(expires_at: datetime, tz: ZoneInfo, tr: Translator) -> str:
    """The last day a post is valid (it expires at the following midnight)."""
    return _date(expires_at - timedelta(seconds=1), tr, tz)


def pay_text(low: int, high: int, unit: str, tr: Translator) -> str:
    unit_label = tr(f"jobs.unit_{unit}") if unit in PAY_UNITS else ""
    if low == high:
        return tr("jobs.pay_single", low=low, unit=unit_label)
    return tr("jobs.pay_range", low=low, high=high, unit=unit_label)


def _lines(data: Mapping[str, Any], employer: str, tr: Translator) -> list[str]:
    """The body of a card or preview from field values (all user text escaped)."""

    def line(key: str, value: Any) -> str:
        return tr(f"jobs.card_{key}", value=str(value))

    lines = [line("employer", employer), line("headcount", data.get("headcount", "-"))]
    if "pay_min" in data:
        pay = pay_text(data["pay_min"], data["pay_max"], data.get("pay_unit", ""), tr)
        lines.append(tr("jobs.card_pay", value=pay))
    for key in ("requirements", "content", "location", "shift", "benefits", "contact"):
        if data.get(key):
            lines.append(line(key, data[key]))
    return lines


def card(view: JobView, tr: Translator, tz: ZoneInfo) -> str:
    """The public card posted to the jobs channels and groups."""
    post, fields = view.post, view.post.fields
    data = {**vars(fields)}
    lines: list[str] = [tr("jobs.card_title", position=fields.position, id=post.id)]
    if post.status is not JobStatus.PUBLISHED:
        lines[0] = tr("jobs.card_status", status=tr(f"jobs.status_{post.status.value}")) + lines[0]
    lines += _lines(data, view.employer, tr)
    if post.expires_at is not None:
        lines.append(tr("jobs.card_valid", date=last_valid_day(post.expires_at, tz, tr)))
    if post.hired:
        lines.append(tr("jobs.card_hired", count=post.hired))
    return Markup("\n").join(lines)


def preview(state: DraftState, tr: Translator) -> str:
    data = state.data
    title = (
        tr("jobs.preview_edit_title", id=state.post_id)
        if state.post_id
        else tr("jobs.preview_title")
    )
    lines = [title, "", Markup("<b>{}</b>").format(data.get("position", ""))]
    lines += _lines(data, state.employer or "-", tr)
    lines.append(tr("jobs.card_validity_days", days=data.get("validity", "-")))
    return Markup("\n").join(lines)


def question(state: DraftState, rules: JobRules, tr: Translator) -> tuple[str, Keyboard | None]:
    """The text and buttons for the current step (the preview at the end)."""
    step = state.step
    if step == CONFIRM:
        save = "jobs.btn_save" if state.post_id else "jobs.btn_confirm"
        return preview(state, tr), [
            [Button(tr(save), keys.Confirm().pack())],
            [
                Button(tr("jobs.btn_edit"), keys.Change().pack()),
                Button(tr("jobs.btn_cancel"), keys.Cancel().pack()),
            ],
        ]
    text = tr(f"jobs.ask_{step}", limit=rules.max_validity_days) + "\n" + tr("jobs.cancel_hint")
    rows: list[list[Button]] = []
    if step == EMPLOYER:
        rows = [[Button(e.name[:40], keys.ChooseEmployer(e.id).pack())] for e in state.choices]
    elif step == "pay_unit":
        rows = [[Button(tr(f"jobs.unit_{u}"), keys.ChoosePayUnit(u).pack()) for u in PAY_UNITS]]
    elif step == "validity":
        days = [
            Button(tr("jobs.btn_days", days=d), keys.ChooseValidity(d).pack())
            for d in rules.validity_choices
        ]
        rows = [days[i : i + 3] for i in range(0, len(days), 3)]
    elif step == "shift":
        shifts = [
            Button(s[:30], keys.ChooseShift(str(i)).pack()) for i, s in enumerate(rules.shifts)
        ]
        rows = [shifts[i : i + 2] for i in range(0, len(shifts), 2)]
        rows.append([Button(tr("jobs.btn_skip"), keys.ChooseShift(SKIP).pack())])
    elif step == "benefits":
        rows = [[Button(tr("jobs.btn_skip"), keys.ChooseBenefits(SKIP).pack())]]
    return text, rows or None


def field_picker(tr: Translator) -> Keyboard:
    """Buttons to pick the field to change from the preview."""
    names = [s for s in STEPS if s not in (EMPLOYER, "pay_unit")]
    buttons = [Button(tr(f"jobs.field_{n}"), keys.Reopen(n).pack()) for n in names]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def listing(page: JobPage, keyword: str, tr: Translator, tz: ZoneInfo) -> tuple[str, Keyboard]:
    """One page of /jobs with prev/next buttons (the keyword rides along, cut to fit)."""
    kw = keyword
    if not page.views:
        return tr("jobs.list_empty_kw", keyword=kw) if keyword else tr("jobs.list_empty"), []
    key = "jobs.list_title_kw" if keyword else "jobs.list_title"
    lines = [tr(key, keyword=kw, total=page.total, page=page.page + 1, pages=page.pages)]
    for view in page.views:
        post, fields = view.post, view.post.fields
        assert post.expires_at is not None
        lines.append(
            tr(
                "jobs.list_item",
                id=post.id,
                position=fields.position,
                employer=view.employer,
                headcount=fields.headcount,
                pay=pay_text(fields.pay_min, fields.pay_max, fields.pay_unit, tr),
                location=fields.location,
                date=last_valid_day(post.expires_at, tz, tr),
            )
        )
    row: list[Button] = []
    if page.page > 0:
        previous = keys.TurnPage.fitting(page.page - 1, keyword)
        row.append(Button(tr("jobs.btn_prev"), previous.pack()))
    if page.page + 1 < page.pages:
        following = keys.TurnPage.fitting(page.page + 1, keyword)
        row.append(Button(tr("jobs.btn_next"), following.pack()))
    return Markup("\n\n").join(lines), [row] if row else []


def mine(views: list[JobView], tr: Translator) -> tuple[str, Keyboard]:
    """The owner's posts, with edit / filled / withdraw buttons for the open ones."""
    if not views:
        return tr("jobs.mine_empty"), []
    lines = [tr("jobs.mine_title")]
    rows: list[list[Button]] = []
    for view in views:
        post = view.post
        status = tr(f"jobs.status_{post.status.value}")
        lines.append(
            tr(
                "jobs.mine_item",
                id=post.id,
                position=post.fields.position,
                status=status,
                hired=post.hired,
            )
        )
        if post.status is JobStatus.PUBLISHED:
            rows.append(
                [
                    Button(tr(key, id=post.id), keys.ManagePost(action, post.id).pack())
                    for key, action in MANAGE_BUTTONS
                ]
            )
    return Markup("\n").join(lines), rows
