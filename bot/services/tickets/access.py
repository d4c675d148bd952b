"""Who may do what with a ticket: the one place the team scope and the refusals are decided.

A leader's actions (working a ticket, 督办, extension decisions, the /overdue and /blockers lists,
the ledger export, the daily brief) reach only the cadres they lead; admins reach the whole park.
Every service asks `Access` rather than looking at roles itself, so a new leader action cannot
forget the scope.

An enterprise member acting in a group sees only tickets that group may see (its enterprise's, or
in a park-wide group the ones reported there), and anyone who may not know a ticket exists is told
"not found", never "not yours", so ticket numbers cannot be probed across enterprises.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Actor, Cadre, Role, Ticket
from bot.errors import NotAllowed, TicketNotFound
from storage.repos.cadres import CadreRepo


@dataclass(frozen=True)
class Scope:
    """The cadres whose tickets an actor oversees; `cadre_ids` None means the whole park."""

    cadre_ids: frozenset[int] | None

    def covers(self, cadre_id: int | None) -> bool:
        """Whether a ticket assigned to `cadre_id` (None: the duty desk) is in scope."""
        if self.cadre_ids is None:
            return True
        return cadre_id is not None and cadre_id in self.cadre_ids

    def ids(self) -> list[int] | None:
        """The ids in order, for queries; None for the whole park."""
        return None if self.cadre_ids is None else sorted(self.cadre_ids)


def leads(actor: Actor) -> bool:
    """Leaders and admins: those who supervise others' work."""
    return actor.is_admin or (actor.cadre is not None and actor.cadre.role is Role.LEADER)


def sees_in_place(actor: Actor, ticket: Ticket) -> bool:
    """Whether the chat the actor acts in may see this ticket (private chats: always)."""
    venue = actor.venue
    if venue is None:
        return True
    if venue.kind == "enterprise":
        return ticket.enterprise_id == venue.enterprise_id
    if venue.kind == "park":
        # A park-wide group already saw the acknowledgements of the tickets reported in it.
        return ticket.chat_id == venue.chat_id
    return False  # jobs and logistics groups see no tickets


def lists_in_place(actor: Actor) -> bool:
    """Whether the place may list the actor's enterprise's tickets: privately, or in its group."""
    venue = actor.venue
    return venue is None or (venue.kind == "enterprise" and actor.contact_of(venue.enterprise_id))


def owner_side(actor: Actor, ticket: Ticket) -> bool:
    """The reporter or a contact of the ticket's enterprise, in a place that may see it."""
    own = actor.telegram_id == ticket.reporter_id or actor.contact_of(ticket.enterprise_id)
    return own and sees_in_place(actor, ticket)


def refusal(actor: Actor, ticket: Ticket, key: str, **params: object) -> NotAllowed:
    """The refusal for an action on `ticket` the actor may not take.

    Staff and the ticket's own side get the specific reason; anyone else reads that the ticket
    was not found, word for word what a number that does not exist gets (still a refusal).
    """
    if actor.is_staff or owner_side(actor, ticket):
        return NotAllowed(key, id=ticket.id, **params)
    return NotAllowed(TicketNotFound.key, id=ticket.id)


class Access:
    """Team scope for staff, read from the roster inside the caller's transaction."""

    def __init__(self, cadres: CadreRepo) -> None:
        self.cadres = cadres

    async def team(self, actor: Actor) -> Scope:
        """The cadres the actor leads: admins the whole park, leaders their cadres, others none."""
        if actor.is_admin:
            return Scope(None)
        if actor.cadre is None or actor.cadre.role is not Role.LEADER:
            return Scope(frozenset())
        return Scope(frozenset(c.id for c in await self.cadres.cadres_under(actor.cadre.id)))

    async def scope(self, actor: Actor) -> Scope:
        """The tickets' owners the actor oversees: their own and their team's (admins: all).

        Raises:
            NotAllowed: the actor is not staff (key error.staff_only).
        """
        if not actor.is_staff:
            raise NotAllowed("error.staff_only")
        team = await self.team(actor)
        if team.cadre_ids is None or actor.cadre is None:
            return team
        return Scope(team.cadre_ids | {actor.cadre.id})

    async def may_work(self, actor: Actor, ticket: Ticket) -> bool:
        """The assignee, the cadre who leads them, or an admin."""
        if not actor.is_staff:
            return False
        return (await self.scope(actor)).covers(ticket.assignee_id)

    async def require_lead(self, actor: Actor, ticket: Ticket, *, role_key: str) -> None:
        """A leader's action on a ticket: the actor must lead the ticket's assignee.

        Raises:
            NotAllowed: not a leader or admin (`role_key`), or the assignee is not in their team.
        """
        if not leads(actor):
            raise NotAllowed(role_key)
        if not (await self.team(actor)).covers(ticket.assignee_id):
            raise NotAllowed("error.not_your_team", id=ticket.id)

    async def decides_extension(self, actor: Actor, asker: Cadre | None) -> bool:
        """The asker's own leader decides; the admins only when the asker has no leader."""
        if asker is not None and asker.leader_id is not None:
            team = await self.team(actor)
            return (
                actor.cadre is not None
                and actor.cadre.id == asker.leader_id
                and (team.covers(asker.id))
            )
        return actor.is_admin
