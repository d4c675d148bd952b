"""Domain errors. Services raise them; handlers turn them into a reply in the user's language.

Each error carries a catalog key and its parameters, so the message is translated at the edge.
A parameter that is a code people must read as words (a status of any feature, a number's
kind) is passed as itself, never as its `.value`: it names its own catalog entry (`label_key`) and
`DomainError.message` shows that entry, so no refusal shows a raw code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Labelled(Protocol):
    """A code shown to people as its catalog entry: every status enum, a number's kind."""

    @property
    def label_key(self) -> str: ...


class DomainError(Exception):
    """Base class: `key` names a locale catalog entry, `params` fill it."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)

    def message(self, tr: Callable[..., str]) -> str:
        """The error in the reader's words: `Labelled` parameters become their catalog entries.

        Args:
            tr: a translator, `tr(key, **params) -> str`.
        """
        params = {
            name: tr(value.label_key) if isinstance(value, Labelled) else value
            for name, value in self.params.items()
        }
        return tr(self.key, **params)


class TicketNotFound(DomainError):
    key = "error.ticket_not_found"


class NotAllowed(DomainError):
    key = "error.not_allowed"


class InvalidTransition(DomainError):
    key = "error.invalid_transition"


class NotBound(DomainError):
    key = "error.not_bound"


class UnknownEnterprise(DomainError):
    key = "error.unknown_enterprise"


class UnknownCadre(DomainError):
    key = "error.unknown_cadre"


class InvalidInput(DomainError):
    key = "error.invalid_input"


class BadNumber(InvalidInput):
    """A number a person typed that is not one (bot.domain.numbers reads them all).

    `key`: numbers.missing, numbers.not_digits or numbers.out_of_range; `what` names the kind
    (a `Labelled`), with `value` (as typed), `low`, `high` and an `example`.
    """

    key = "numbers.not_digits"


class DuplicateTicket(DomainError):
    key = "error.duplicate_ticket"


class InviteInvalid(DomainError):
    key = "error.invite_invalid"


class InviteRefused(DomainError):
    """An invitation that would take over an account already bound (the admins are told).

    `reason`: already_cadre, already_contact or already_admin (what the opener is already).
    """

    key = "error.invite_already_cadre"

    def __init__(self, reason: str, *, kind: str, target: str, bound: str = "") -> None:
        super().__init__(f"error.invite_{reason}", target=target, bound=bound)
        self.reason = reason
        self.kind = kind


class JobNotFound(DomainError):
    key = "jobs.err_not_found"
