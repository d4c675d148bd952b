"""The ticket loop's use cases as handlers and jobs reach them: one part per step, one core.

`services.tickets.intake.report(...)`, `.lookup.view(...)`, `.work.claim(...)`,
`.ratings.rate(...)`: each part is built on the same `TicketCore`, so they share its
repositories, rules and publish, and none extends another.
"""

from __future__ import annotations

from bot.services.tickets.core import TicketCore
from bot.services.tickets.intake import TicketIntake
from bot.services.tickets.lookup import TicketLookup
from bot.services.tickets.ratings import TicketRatings
from bot.services.tickets.work import TicketWork


class TicketService:
    """The parts of the ticket loop on one core."""

    def __init__(self, core: TicketCore) -> None:
        self.core = core
        self.intake = TicketIntake(core)
        self.lookup = TicketLookup(core)
        self.work = TicketWork(core)
        self.ratings = TicketRatings(core)
