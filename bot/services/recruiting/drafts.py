"""The /job conversation, kept durably in `job_drafts` (one open draft per user).

The state is the answers themselves: the next step is the first field still missing, so a bot
restart mid-conversation simply asks the same question again on the next message. Buttons name
the step they answer; a press for any other step is stale and changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import numbers
from bot.domain import recruiting_form as job_form
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
from storage.repos.recruiting import Draft
from storage.unit import Repositories

_KEYS = {"pay": ("pay_min", "pay_max"), "validity": ("validity",)}
_LIMITS = {"position": 60, "location": 120, "contact": 120, "shift": 60}


def _step(draft: Draft) -> str:
    if draft.enterprise_id is None:
        return EMPLOYER
    for name in STEPS[1:]:
        keys = _KEYS.get(name, (name,))
        if any(k not in draft.data for k in keys):
            return name
    return CONFIRM


class JobDraftService:
    """Start, answer, press, reopen a field, cancel and confirm a /job conversation."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        rules: JobRules,
        posts: RecruitingService,
        *,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.publish = publish
        self.clock = clock
        self.rules = rules
        self.posts = posts
        self.jobs = repos.jobs
        self.enterprises = repos.enterprises

    async def _state(self, actor: Actor, draft: Draft) -> DraftState:
        step = _step(draft)
        employer = None
        if draft.enterprise_id is not None:
            enterprise = await self.enterprises.enterprise(draft.enterprise_id)
            employer = enterprise.name if enterprise else None
        choices: list[Enterprise] = []
        if step == EMPLOYER and actor.cadre is not None:
            choices = (await self.enterprises.enterprises_of_cadre(actor.cadre.id))[:10]
        return DraftState(draft.user_id, step, draft.data, employer, draft.post_id, choices)

    async def _save(self, actor: Actor, draft: Draft) -> DraftState:
        await self.jobs.save_draft(
            draft.user_id,
            enterprise_id=draft.enterprise_id,
            post_id=draft.post_id,
            data=draft.data,
            now=self.clock.now(),
        )
        return await self._state(actor, draft)

    async def _open(self, actor: Actor) -> Draft:
        draft = await self.jobs.draft(actor.telegram_id)
        if draft is None:
            raise InvalidInput("jobs.err_no_draft")
        return draft

    async def current(self, actor: Actor) -> DraftState | None:
        """The actor's open conversation, if any."""
        async with self.db.transaction():
            draft = await self.jobs.draft(actor.telegram_id)
            return await self._state(actor, draft) if draft else None

    async def start(
        self, actor: Actor, *, form: str = "", post_id: int | None = None
    ) -> DraftState:
        """Open (or restart) a conversation: new, from a one-line form, or editing a post.

        Raises:
            NotAllowed: neither a contact nor staff, or not an owner of the post.
            InvalidInput: the form cannot be read or breaks a rule (the message says which).
        """
        if not actor.is_staff and actor.enterprise_id is None:
            raise NotAllowed("jobs.err_no_enterprise")
        async with self.db.transaction():
            data: dict[str, Any] = {}
            enterprise_id = actor.enterprise_id
            if post_id is not None:
                view = await self.posts.view(post_id)
                if not await self.posts.may_post_for(actor, view.post.enterprise_id) and (
                    view.post.author_id != actor.telegram_id
                ):
                    raise NotAllowed("jobs.err_not_owner", id=post_id)
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
            draft = Draft(actor.telegram_id, enterprise_id, post_id, data, self.clock.now())
            return await self._save(actor, draft)

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

    async def answer(self, actor: Actor, text: str) -> DraftState:
        """Apply a typed answer to the current step.

        Raises:
            InvalidInput: no open draft, the answer breaks a rule, or the step wants a button.
        """
        async with self.db.transaction():
            draft = await self._open(actor)
            step = _step(draft)
            data = dict(draft.data)
            enterprise_id = draft.enterprise_id
            if step == EMPLOYER:
                enterprise_id = (await self._enterprise(actor, text)).id
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
            return await self._save(
                actor, Draft(draft.user_id, enterprise_id, draft.post_id, data, draft.updated_at)
            )

    async def press(self, actor: Actor, step: str, value: int | str) -> DraftState:
        """Apply a button choice; the button must answer the current step.

        `value` is the press's own, typed by its button codec: an enterprise id and the days of
        validity are numbers; a pay unit, a shift's index in the configured list and the skip
        mark are words, looked up among those offered (nothing here parses text).

        Raises:
            InvalidInput: no open draft, a stale button, or a value that is not offered.
        """
        async with self.db.transaction():
            draft = await self._open(actor)
            if _step(draft) != step:
                raise InvalidInput("jobs.err_stale_button")
            data = dict(draft.data)
            enterprise_id = draft.enterprise_id
            shifts = {SKIP: "", **{str(i): name for i, name in enumerate(self.rules.shifts)}}
            if step == EMPLOYER and isinstance(value, int):
                enterprise = await self.enterprises.enterprise(value)
                if enterprise is None or not await self.posts.may_post_for(actor, enterprise.id):
                    raise NotAllowed("jobs.err_not_your_enterprise")
                enterprise_id = enterprise.id
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
            return await self._save(
                actor, Draft(draft.user_id, enterprise_id, draft.post_id, data, draft.updated_at)
            )

    async def reopen(self, actor: Actor, name: str) -> DraftState:
        """From the preview, clear one field so the conversation asks for it again."""
        async with self.db.transaction():
            draft = await self._open(actor)
            if _step(draft) != CONFIRM or name not in STEPS[1:]:
                raise InvalidInput("jobs.err_stale_button")
            data = dict(draft.data)
            for key in _KEYS.get(name, (name,)):
                data.pop(key, None)
            if name == "pay":
                data.pop("pay_unit", None)
            return await self._save(
                actor,
                Draft(draft.user_id, draft.enterprise_id, draft.post_id, data, draft.updated_at),
            )

    async def cancel(self, actor: Actor) -> bool:
        """Drop the open conversation; False when there was none."""
        async with self.db.transaction():
            return await self.jobs.delete_draft(actor.telegram_id)

    async def confirm(self, actor: Actor) -> Confirmed:
        """Validate the whole draft and publish it (or apply it to the post it edits).

        Raises:
            InvalidInput: not at the preview yet, or a rule or the wording check fails.
            NotAllowed: the actor may no longer post for the enterprise or edit the post.
        """
        async with self.db.transaction():
            draft = await self._open(actor)
            if _step(draft) != CONFIRM or draft.enterprise_id is None:
                raise InvalidInput("jobs.err_stale_button")
            fields = validate(draft.data, self.rules)
            if draft.post_id is not None:
                view = await self.posts.edit(actor, draft.post_id, fields)
            else:
                view = await self.posts.publish(actor, draft.enterprise_id, fields)
            await self.jobs.delete_draft(actor.telegram_id)
            edited = draft.post_id is not None
            confirmed = await self.posts.announce(view, edited=edited, publish=self.publish)
        return confirmed

    async def purge_stale(self, days: int = 7) -> int:
        """Forget conversations nobody touched for `days` days."""
        async with self.db.transaction():
            return await self.jobs.purge_drafts(self.clock.now() - timedelta(days=days))
