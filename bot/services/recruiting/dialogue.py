"""The /job dialogue: its steps read and checked, run by the conversation engine.

The state is the answers themselves: the next step is the first field still missing, so a bot
restart mid-conversation simply asks the same question again on the next message. The engine
(`bot.services.conversation`) stores the conversation and refuses a press for any other step.
The employer chosen and the post being edited are kept among the answers (`ENTERPRISE`, `POST`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from bot.domain import numbers
from bot.domain import recruiting_form as job_form
from bot.domain.conversation import Conversation
from bot.domain.models import Actor, Enterprise
from bot.domain.outcomes import Publish, discard
from bot.domain.outcomes.recruiting import Confirmed
from bot.domain.recruiting import (
    OPTIONAL_FIELDS,
    PAY_UNITS,
    JobRules,
    check_headcount,
    check_pay,
    check_pay_unit,
    check_text,
    check_validity,
    refuse_wording,
    validate,
)

# Re-exported: the conversation's shape, defined in the domain (render shows it).
from bot.domain.recruiting_steps import CONFIRM as CONFIRM
from bot.domain.recruiting_steps import EMPLOYER as EMPLOYER
from bot.domain.recruiting_steps import SKIP as SKIP
from bot.domain.recruiting_steps import STEPS as STEPS
from bot.domain.recruiting_steps import DraftState as DraftState
from bot.errors import InvalidInput, NotAllowed, UnknownEnterprise
from bot.services.recruiting.posts import RecruitingService
from storage.unit import Repositories

_KEYS = {"pay": ("pay_min", "pay_max"), "validity": ("validity",)}
_LIMITS = {"position": 60, "location": 120, "contact": 120, "shift": 60}


TOPIC = "job"
# Kept among the answers: the enterprise the post is for, and the post being edited (if any).
ENTERPRISE = "enterprise_id"
POST = "post_id"
_OWN = (ENTERPRISE, POST)


def _step(data: dict[str, Any]) -> str:
    if data.get(ENTERPRISE) is None:
        return EMPLOYER
    for name in STEPS[1:]:
        keys = _KEYS.get(name, (name,))
        if any(k not in data for k in keys):
            return name
    return CONFIRM


def _answers(conversation: Conversation) -> dict[str, Any]:
    """The field values given so far (without what the conversation keeps for itself)."""
    return {k: v for k, v in conversation.data.items() if k not in _OWN}


def _at(conversation: Conversation, data: dict[str, Any]) -> Conversation:
    return conversation.at(_step(data), data)


class JobDialogue:
    """Read and check each answer of a /job conversation; publish or apply it when confirmed."""

    topic = TOPIC
    no_conversation = "jobs.err_no_draft"
    stale = "jobs.err_stale_button"
    idle = timedelta(days=7)

    def __init__(
        self,
        repos: Repositories,
        rules: JobRules,
        posts: RecruitingService,
        *,
        publish: Publish = discard,
    ) -> None:
        self.publish = publish
        self.rules = rules
        self.posts = posts
        self.enterprises = repos.enterprises

    def step_of(self, conversation: Conversation) -> str | None:
        """The first field still missing (the preview once none is)."""
        return _step(conversation.data)

    async def view(self, actor: Actor, conversation: Conversation) -> DraftState:
        """Where the conversation stands, with the employer's name and the choices to offer."""
        data = conversation.data
        step = _step(data)
        employer = None
        if data.get(ENTERPRISE) is not None:
            enterprise = await self.enterprises.enterprise(int(data[ENTERPRISE]))
            employer = enterprise.name if enterprise else None
        choices: list[Enterprise] = []
        if step == EMPLOYER and actor.cadre is not None:
            choices = (await self.enterprises.enterprises_of_cadre(actor.cadre.id))[:10]
        return DraftState(
            conversation.user_id, step, _answers(conversation), employer, data.get(POST), choices
        )

    async def begin(self, actor: Actor, kind: str, *, form: str, edit: int | None) -> Conversation:
        """Open (or restart) a conversation: new, from a one-line form, or editing post `edit`.

        Raises:
            NotAllowed: neither a contact nor staff, or not an owner of the post.
            InvalidInput: the form cannot be read or breaks a rule (the message says which).
        """
        if not actor.is_staff and actor.enterprise_id is None:
            raise NotAllowed("jobs.err_no_enterprise")
        data: dict[str, Any] = {}
        enterprise_id = actor.enterprise_id
        if edit is not None:
            view = await self.posts.view(edit)
            if not await self.posts.may_post_for(actor, view.post.enterprise_id) and (
                view.post.author_id != actor.telegram_id
            ):
                raise NotAllowed("jobs.err_not_owner", id=edit)
            data = asdict(view.post.fields)
            data["validity"] = data.pop("validity_days")
            enterprise_id = view.post.enterprise_id
        if form:
            values = job_form.form_values(job_form.parse_form(form))
            employer = values.pop("employer", None)
            if employer:
                enterprise_id = (await self._enterprise(actor, str(employer))).id
            data.update(self._checked(values))
            # A one-line form says what the poster wants said: optional fields it leaves
            # out are skipped, not asked for (the preview's 修改 button still adds them).
            for name in OPTIONAL_FIELDS:
                data.setdefault(name, "")
        data[ENTERPRISE], data[POST] = enterprise_id, edit
        return Conversation(actor.telegram_id, TOPIC, kind, _step(data), data)

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        """Check each given value on its own, so errors name the field at fault."""
        out = dict(values)
        if "headcount" in out:
            check_headcount(int(out["headcount"]))
        if "pay_min" in out:
            check_pay(int(out["pay_min"]), int(out["pay_max"]))
        if "pay_unit" in out:
            check_pay_unit(str(out["pay_unit"]))
        if "validity" in out:
            check_validity(int(out["validity"]), self.rules)
        for name in ("position", "requirements", "content", "location", "contact"):
            if name in out:
                out[name] = check_text(name, str(out[name]), limit=_LIMITS.get(name, 500))
        refuse_wording("\n".join(v for v in out.values() if isinstance(v, str)), self.rules)
        return out

    async def _enterprise(self, actor: Actor, name: str) -> Enterprise:
        name = name.strip()
        enterprise = await self.enterprises.enterprise_by_name(name)
        if enterprise is None:
            matches = await self.enterprises.enterprises_matching(name) if name else []
            if len(matches) != 1:
                raise UnknownEnterprise(name=name[:40])
            enterprise = matches[0]
        if not await self.posts.may_post_for(actor, enterprise.id):
            raise NotAllowed("jobs.err_not_your_enterprise")
        return enterprise

    async def answer(self, actor: Actor, conversation: Conversation, text: str) -> Conversation:
        """Apply a typed answer to the current step.

        Raises:
            InvalidInput: the answer breaks a rule, or the step wants a button.
        """
        data = dict(conversation.data)
        step = _step(data)
        if step == EMPLOYER:
            data[ENTERPRISE] = (await self._enterprise(actor, text)).id
        elif step == CONFIRM:
            raise InvalidInput("jobs.err_use_buttons")
        elif step == "pay":
            low, high, unit = job_form.parse_pay(text)
            data["pay_min"], data["pay_max"] = check_pay(low, high)
            if unit is not None:
                data["pay_unit"] = unit
        elif step == "pay_unit":
            unit = job_form.parse_unit(text)
            data["pay_unit"] = check_pay_unit(unit or "")
        elif step == "headcount":
            data["headcount"] = check_headcount(job_form.parse_count(text, numbers.HEADCOUNT))
        elif step == "validity":
            data["validity"] = check_validity(
                job_form.parse_count(text, numbers.VALIDITY_DAYS), self.rules
            )
        else:
            value = check_text(step, text, limit=_LIMITS.get(step, 500))
            refuse_wording(value, self.rules)
            data[step] = value
        return _at(conversation, data)

    async def press(
        self, actor: Actor, conversation: Conversation, value: int | str
    ) -> Conversation:
        """Apply a button choice to the current step.

        `value` is the press's own, typed by its button codec: an enterprise id and the days of
        validity are numbers; a pay unit, a shift's index in the configured list and the skip
        mark are words, looked up among those offered (nothing here parses text).

        Raises:
            InvalidInput: a value that is not offered.
            NotAllowed: an enterprise the actor may not post for.
        """
        data = dict(conversation.data)
        step = _step(data)
        shifts = {SKIP: "", **{str(i): name for i, name in enumerate(self.rules.shifts)}}
        if step == EMPLOYER and isinstance(value, int):
            enterprise = await self.enterprises.enterprise(value)
            if enterprise is None or not await self.posts.may_post_for(actor, enterprise.id):
                raise NotAllowed("jobs.err_not_your_enterprise")
            data[ENTERPRISE] = enterprise.id
        elif step == "pay_unit" and value in PAY_UNITS:
            data["pay_unit"] = value
        elif step == "validity" and isinstance(value, int):
            if value not in self.rules.validity_choices:
                raise InvalidInput("jobs.err_stale_button")
            data["validity"] = value
        elif step == "shift" and isinstance(value, str) and value in shifts:
            data["shift"] = shifts[value]
        elif step == "benefits" and value == SKIP:
            data["benefits"] = ""
        else:
            raise InvalidInput("jobs.err_stale_button")
        return _at(conversation, data)

    async def reopen(self, actor: Actor, conversation: Conversation, name: str) -> Conversation:
        """From the preview, clear one field so the conversation asks for it again.

        Raises:
            InvalidInput: not at the preview, or no such field.
        """
        if _step(conversation.data) != CONFIRM or name not in STEPS[1:]:
            raise InvalidInput("jobs.err_stale_button")
        data = dict(conversation.data)
        for key in _KEYS.get(name, (name,)):
            data.pop(key, None)
        if name == "pay":
            data.pop("pay_unit", None)
        return _at(conversation, data)

    async def finish(self, actor: Actor, conversation: Conversation) -> Confirmed:
        """Validate the whole draft and publish it (or apply it to the post it edits).

        Raises:
            InvalidInput: not at the preview yet, or a rule or the wording check fails.
            NotAllowed: the actor may no longer post for the enterprise or edit the post.
        """
        data = conversation.data
        enterprise_id, post_id = data.get(ENTERPRISE), data.get(POST)
        if _step(data) != CONFIRM or enterprise_id is None:
            raise InvalidInput("jobs.err_stale_button")
        fields = validate(_answers(conversation), self.rules)
        if post_id is not None:
            view = await self.posts.edit(actor, int(post_id), fields)
        else:
            view = await self.posts.publish(actor, int(enterprise_id), fields)
        return await self.posts.announce(view, edited=post_id is not None, publish=self.publish)
