"""A private report's enterprise, picked by a contact of several: `r:<message id>:<enterprise id>`.

The report waits in the database under its message id; the service checks that the presser sent
it and is a contact of the enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.keyboards.codec import SEP, number, pack

PREFIX = "r"
PATTERN = f"^{PREFIX}{SEP}"


@dataclass(frozen=True)
class ReportFor:
    message_id: int
    enterprise_id: int

    def pack(self) -> str:
        return pack(PREFIX, self.message_id, self.enterprise_id)


def unpack(data: str) -> ReportFor | None:
    """The typed press, or None if the data is not an enterprise pick or is malformed."""
    parts = data.split(SEP)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    message_id, enterprise_id = number(parts[1]), number(parts[2])
    if message_id is None or enterprise_id is None:
        return None
    return ReportFor(message_id, enterprise_id)
