"""Who is told what about deadlines: reminders, chases, 督办, extensions, the daily brief and
the daily reminder about a cadre nobody can reach.

Like `bot.notify.tickets`, called by the dispatcher inside the transaction of the change (the
update's or the job's), so each step and the messages it owes commit together. Each outcome
carries its recipients, with the admins already in place of whoever the rule replaces by them;
this reads nothing. Private messages go in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.models import TicketView
from bot.domain.outcomes.deadlines import (
    Brief,
    Cards,
    ExtensionAsked,
    ExtensionDecided,
    Raised,
    Supervised,
    SweepResult,
    Waiting,
)
from bot.i18n import Translator
from bot.notify.tickets import cadre_unreachable
from bot.notify.voice import Voice
from bot.render import deadlines as render_dl
from bot.render import tickets as render

# Ticket numbers a daily unreachable-cadre reminder lists; the count covers the rest.
MAX_LISTED = 20


def _line(key: str, **params: object) -> Callable[[Translator], str]:
    """One catalog line, in each reader's language."""
    return lambda tr: tr(key, **params)


class DeadlineNotifier:
    """Compose and queue the deadline half's messages, beside the ticket notifier."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.tz = voice.tz
        self.group_tr = voice.group_tr

    async def _cards(
        self,
        to: Cards,
        view: TicketView,
        key: str,
        *,
        purpose: str,
        work_buttons: bool = True,
        **params: object,
    ) -> None:
        """Send each recipient the ticket's card under a line about it, with its buttons."""

        def text_for(tr: Translator) -> str:
            # Times are formatted in the recipient's language.
            shown = {
                k: render.when(v, self.tz, tr) if isinstance(v, datetime) else v
                for k, v in params.items()
            }
            return tr(key, id=view.ticket.id, **shown) + "\n\n" + render.card(view, tr, self.tz)

        await self.voice.tell(
            to,
            text_for,
            keyboard_for=lambda tr: (
                render.work_buttons(view.ticket, tr)
                if work_buttons
                else render_dl.supervise_buttons(view.ticket, tr)
            ),
            purpose=purpose,
            ticket_id=view.ticket.id,
        )

    # -- the sweeper ----------------------------------------------------------------------------
    async def swept(self, result: SweepResult) -> None:
        """Queue everything one sweep owes."""
        for reminder in result.reminders:
            # A reminder is for the cadre alone: when they cannot be reached, the desk's one
            # notice and its daily reminder cover the ticket (not one card per ticket).
            await self._cards(
                reminder.to,
                reminder.view,
                f"clock.remind_{reminder.which}",
                purpose="remind",
                due=reminder.due,
            )
            await cadre_unreachable(self.voice, reminder.desk, reminder.view)
        for chase in result.chases:
            view = chase.view
            await self._cards(
                chase.to, view, "clock.chase_cadre", purpose="chase", number=chase.number
            )
            if chase.number == 1:
                await self._cards(
                    chase.to_leader,
                    view,
                    "clock.chase_leader",
                    purpose="chase",
                    work_buttons=False,
                    cadre=render.cadre_label(view.assignee, self.group_tr),
                )
        for raised in result.raised:
            await self._level2(raised)
        for year in result.fallback_years:
            await self.voice.tell(
                result.desk, _line("clock.calendar_fallback", year=year), purpose="admin"
            )

    async def _level2(self, raised: Raised) -> None:
        view = raised.view
        reason = self.group_tr(f"clock.reason_{raised.reason}")
        cadre = render.cadre_label(view.assignee, self.group_tr)
        await self.voice.tell(
            raised.desk,
            lambda tr: tr(
                "clock.blocker_admin",
                id=view.ticket.id,
                enterprise=view.enterprise.name,
                cadre=cadre,
                reason=reason,
            ),
            purpose="admin",
        )
        await self._cards(
            raised.to_leader,
            view,
            "clock.blocker_leader",
            purpose="escalate",
            work_buttons=False,
            reason=reason,
        )

    # -- people's actions -----------------------------------------------------------------------
    async def supervised(self, supervised: Supervised) -> None:
        """Tell the assignee (and their leader, unless the leader flagged it) about 督办."""
        raised = supervised.raised
        view = raised.view
        await self._cards(supervised.to, view, "clock.supervised_you", purpose="escalate")
        await self._cards(
            raised.to_leader,
            view,
            "clock.supervised_leader",
            purpose="escalate",
            work_buttons=False,
            cadre=render.cadre_label(view.assignee, self.group_tr),
        )

    async def extension_asked(self, asked: ExtensionAsked) -> None:
        """Ask the leader (or, with no leader on the roster, the admins) to decide."""
        view, request = asked.view, asked.request

        def text_for(tr: Translator) -> str:
            text = tr(
                "clock.extend_ask",
                id=view.ticket.id,
                cadre=render.cadre_label(view.assignee, tr),
                days=request.days,
                reason=request.reason,
                deadline=render.when(view.ticket.deadline_at, self.tz, tr),
            )
            return text + "\n\n" + render.card(view, tr, self.tz)

        await self.voice.tell(
            asked.to,
            text_for,
            keyboard_for=lambda tr: render_dl.extension_buttons(view.ticket.id, request.id, tr),
            purpose="extend_ask",
            ticket_id=view.ticket.id,
        )

    async def extension_decided(self, decided: ExtensionDecided) -> None:
        """Tell the assignee the leader's answer (nobody when they cannot be reached)."""
        if decided.to is None:
            return
        ticket = decided.view.ticket
        key = "clock.extend_approved_you" if decided.approved else "clock.extend_refused_you"
        await self.voice.tell(
            (decided.to,),
            lambda tr: tr(key, id=ticket.id, deadline=render.when(ticket.deadline_at, self.tz, tr)),
            purpose="extend_answer",
            ticket_id=ticket.id,
        )

    async def brief(self, brief: Brief) -> None:
        """Send one leader's daily brief privately (skipped if they cannot be reached)."""
        if brief.to is None:
            return
        await self.voice.tell((brief.to,), lambda tr: render_dl.brief(brief, tr), purpose="brief")

    async def unreachable_reminder(self, waiting: Waiting) -> None:
        """The desk's daily reminder about a cadre who still cannot be reached."""
        shown = waiting.tickets[:MAX_LISTED]
        ids = " ".join(f"#{t.id}" for t in shown)
        ids += " …" if len(waiting.tickets) > len(shown) else ""
        await self.voice.tell(
            waiting.desk,
            lambda tr: tr(
                "notice.cadre_unreachable_daily",
                cadre=waiting.cadre.name,
                count=len(waiting.tickets),
                ids=ids,
            ),
            purpose="admin",
        )
