"""The metrics' value types: a rate, a week's figures per park and per cadre, the score.

Computed by `bot.services.metrics` from the event log, shown by `bot.render` (the airing, the
ledger, the dashboard). Every rate is kept exact and shown rounded half up to one decimal; the
composite score is weighted over the components that have data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.weeks import Week


@dataclass(frozen=True)
class OpenIssue:
    ticket_id: int
    assignee_id: int | None
    assignee_name: str | None
    enterprise: str
    category: str
    content: str
    created_at: datetime
    deadline_at: datetime
    supervision_level: int


def round_half_up(value: Decimal | float, places: int = 1) -> float:
    """Round like the field reports do (97.75 -> 97.8), not banker's rounding."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    """A count over a denominator; `pct` is None when nothing was due."""

    num: int
    den: int

    @property
    def exact(self) -> Decimal | None:
        return None if self.den == 0 else Decimal(self.num * 100) / Decimal(self.den)

    @property
    def pct(self) -> float | None:
        exact = self.exact
        return None if exact is None else round_half_up(exact)


@dataclass(frozen=True)
class Metrics:
    received: int
    response: Rate
    closure: Rate
    closure_ytd: Rate
    on_time: Rate
    solved: Rate
    partly: Rate
    satisfaction: Rate
    strict_satisfaction: Rate
    unrated: int
    reopen: Rate
    overdue: int
    avg_days: float | None
    score: float | None
    sample: int  # distinct tickets behind the week's figures
    # Score components left out for want of data ("response", "solved", "satisfaction").
    omitted: tuple[str, ...] = ()


@dataclass(frozen=True)
class CadreMetrics:
    cadre_id: int
    name: str
    metrics: Metrics


@dataclass(frozen=True)
class WeekMetrics:
    week: Week
    as_of: datetime
    park: Metrics
    cadres: list[CadreMetrics]
    issues: list[OpenIssue] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    response: float = 0.30
    solved: float = 0.35
    satisfaction: float = 0.35


def score_of(
    weights: Weights, response: Rate, solved: Rate, satisfied: Rate
) -> tuple[float | None, tuple[str, ...]]:
    """The weighted score over the components that have data, and the components left out.

    Computed from the exact rates and rounded half up once, at the end.
    """
    parts = [
        (name, Decimal(str(w)), r.exact)
        for name, w, r in (
            ("response", weights.response, response),
            ("solved", weights.solved, solved),
            ("satisfaction", weights.satisfaction, satisfied),
        )
        if w > 0
    ]
    omitted = tuple(name for name, _, v in parts if v is None)
    present = [(w, v) for _, w, v in parts if v is not None]
    total = sum((w for w, _ in present), Decimal(0))
    if not present or total == 0:
        return None, omitted
    return round_half_up(sum((w * v for w, v in present), Decimal(0)) / total), omitted


def composite(weights: Weights, response: Rate, solved: Rate, satisfied: Rate) -> float | None:
    """Weighted score over the components that have data, rounded half up."""
    return score_of(weights, response, solved, satisfied)[0]
