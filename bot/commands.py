"""The bot's commands in one table: who may use each, what /help shows first, the menu.

/help, the command menus (setMyCommands: the default scope and each staff member's private chat)
and the registration check in the tests all read this table, so a command cannot be added in one
place and missed in another. The services still check every permission; this only decides what
each person is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import Actor, Role
from bot.i18n import Translator


class Audience(StrEnum):
    ANYONE = "anyone"  # whoever writes to the bot, bound or not
    CONTACT = "contact"  # an enterprise contact
    CADRE = "cadre"  # every staff member works tickets: cadres, leaders, admins
    LEADER = "leader"  # leaders (and admins): supervision, approvals, the ledger
    ADMIN = "admin"


# The highest audience decides the greeting and which commands come first.
RANKED = (Audience.ADMIN, Audience.LEADER, Audience.CADRE, Audience.CONTACT, Audience.ANYONE)

_A = Audience
_STAFF = frozenset({_A.CADRE})
_POSTERS = frozenset({_A.CONTACT, _A.CADRE})  # job posts and logistics: contacts and staff


@dataclass(frozen=True)
class Command:
    name: str
    audiences: frozenset[Audience]
    first_for: frozenset[Audience] = frozenset()  # on the first screen of /help for these
    menu: bool = True  # in Telegram's command menu
    listed: bool = True  # in /help (not /start, which links open)


def _c(name: str, audiences: frozenset[Audience], *first: Audience, menu: bool = True) -> Command:
    return Command(name, audiences, frozenset(first), menu)


# In the order /help and the menus show them.
COMMANDS: tuple[Command, ...] = (
    _c("report", frozenset({_A.CONTACT}), _A.CONTACT),
    _c("mytickets", frozenset({_A.CONTACT}), _A.CONTACT),
    _c("mine", _STAFF, _A.CADRE, _A.LEADER),
    _c("ticket", frozenset({_A.CONTACT, _A.CADRE}), _A.CONTACT, _A.CADRE, _A.LEADER, _A.ADMIN),
    _c("claim", _STAFF, _A.CADRE),
    _c("contact", _STAFF, _A.CADRE),
    _c("progress", _STAFF, _A.CADRE),
    _c("resolve", _STAFF, _A.CADRE),
    _c("transfer", _STAFF, _A.CADRE, _A.ADMIN),
    _c("extend", _STAFF, _A.CADRE),
    _c("overdue", _STAFF, _A.CADRE, _A.LEADER, _A.ADMIN),
    _c("blockers", _STAFF, _A.LEADER, _A.ADMIN),
    _c("supervise", frozenset({_A.LEADER}), _A.LEADER, _A.ADMIN),
    _c("export", frozenset({_A.LEADER}), _A.LEADER, _A.ADMIN),
    _c("airing", frozenset({_A.ADMIN}), _A.ADMIN),
    _c("dashboard", frozenset({_A.CONTACT, _A.CADRE}), _A.LEADER, _A.ADMIN),
    _c("bind", frozenset({_A.ADMIN}), _A.ADMIN, menu=False),
    _c("unbind", frozenset({_A.ADMIN}), menu=False),
    _c("job", _POSTERS),
    _c("jobs", frozenset({_A.ANYONE}), _A.ANYONE),
    _c("myjobs", _POSTERS),
    _c("jobedit", _POSTERS, menu=False),
    _c("jobfilled", _POSTERS, menu=False),
    _c("jobwithdraw", _POSTERS, menu=False),
    _c("hired", _POSTERS, menu=False),
    _c("truck", _POSTERS),
    _c("cargo", _POSTERS),
    _c("mytrucks", _POSTERS),
    _c("mycargo", _POSTERS),
    _c("done", _POSTERS, menu=False),
    _c("cancel", _POSTERS, menu=False),
    _c("whoami", frozenset({_A.ANYONE}), _A.ANYONE),
    _c("lang", frozenset({_A.ANYONE})),
    _c("help", frozenset({_A.ANYONE})),
    Command("start", frozenset({_A.ANYONE}), menu=False, listed=False),
)
LISTED = tuple(c.name for c in COMMANDS if c.listed)


def audiences(actor: Actor) -> frozenset[Audience]:
    """Every audience the actor belongs to."""
    found = {Audience.ANYONE}
    if actor.enterprise_id is not None:
        found.add(Audience.CONTACT)
    if actor.is_staff:
        found.add(Audience.CADRE)
    if actor.is_admin or (actor.cadre is not None and actor.cadre.role is Role.LEADER):
        found.add(Audience.LEADER)
    if actor.is_admin:
        found.add(Audience.ADMIN)
    return frozenset(found)


def primary(actor: Actor) -> Audience:
    """The actor's highest audience: it decides the greeting and the first screen of /help."""
    mine = audiences(actor)
    return next(a for a in RANKED if a in mine)


def help_names(actor: Actor) -> tuple[list[str], list[str]]:
    """The commands the actor may use: (the first screen, the rest behind "more")."""
    mine, top = audiences(actor), primary(actor)
    usable = [c for c in COMMANDS if c.listed and c.audiences & mine]
    first = [c.name for c in usable if top in c.first_for]
    rest = [c.name for c in usable if top not in c.first_for]
    return first, rest


def menu(mine: frozenset[Audience], tr: Translator) -> list[tuple[str, str]]:
    """The command menu (name, description) for people in these audiences."""
    return [(c.name, tr.plain(f"menu.{c.name}")) for c in COMMANDS if c.menu and c.audiences & mine]


# The menu everyone gets by default (enterprise contacts and anyone else).
DEFAULT_MENU = frozenset({Audience.ANYONE, Audience.CONTACT})


def check_registered(registered: set[str]) -> None:
    """Refuse to build a bot whose handlers answer other commands than the table lists.

    Raises:
        RuntimeError: naming the commands registered but not in the table, or the reverse.
    """
    listed = {c.name for c in COMMANDS}
    if registered != listed:
        raise RuntimeError(
            f"command table and handlers differ: not in the table {sorted(registered - listed)}, "
            f"not registered {sorted(listed - registered)}"
        )
