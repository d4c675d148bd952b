"""What one week's airing (周晾晒 / 龙虎榜) shows: the ranked cadres, the named tickets, the trend.

Built by `bot.services.airing`, shown by `bot.render.airing` and the chart. Equal scores share a
rank; the red list is the top 3 ranks best first, the yellow list the bottom 3 ranks worst first,
each extended to everyone tied at its last place, and nobody is on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.figures import CadreMetrics, OpenIssue, Rate, WeekMetrics
from bot.domain.weeks import Week

# The keys every caller may rely on, in display order.
COUNT_KEYS: tuple[str, ...] = (
    "jobs_published",
    "jobs_filled",
    "jobs_expired",
    "people_hired",
    "truck_offers",
    "cargo_requests",
    "matches_proposed",
    "matches_accepted",
    "matches_completed",
)


LIST_SIZE = 3


@dataclass(frozen=True)
class Standing:
    """A ranked cadre: competition rank (ties share it) and places gained since last week."""

    cadre: CadreMetrics
    rank: int
    change: int | None  # places gained since last week (negative: lost); None: newly ranked
    tied: bool = False  # another cadre has the same rank (并列)

    @property
    def score(self) -> float:
        assert self.cadre.metrics.score is not None  # only scored cadres are ranked
        return self.cadre.metrics.score


@dataclass(frozen=True)
class NamedIssue:
    """An open ticket the post names: overdue, supervised, or both."""

    issue: OpenIssue
    overdue_days: int | None  # working days past the deadline; None when not overdue

    @property
    def overdue(self) -> bool:
        return self.overdue_days is not None


@dataclass(frozen=True)
class Board:
    """Everything one week's airing shows."""

    week: Week
    metrics: WeekMetrics
    ranked: list[Standing]
    insufficient: list[CadreMetrics]  # 样本不足: fewer than min_tickets tickets
    unscored: list[CadreMetrics] = field(default_factory=list)  # enough tickets, nothing to score
    issues: list[NamedIssue] = field(default_factory=list)  # worst first
    trend: list[tuple[Week, Rate]] = field(default_factory=list)
    side: dict[str, int] = field(default_factory=dict)

    @property
    def red(self) -> list[Standing]:
        """The top 3 ranks, best first, with everyone tied at the last place."""
        return top_ranks(self.ranked)

    @property
    def yellow(self) -> list[Standing]:
        """The bottom 3 ranks, worst first, with ties at the last place; never a red cadre."""
        red = {s.cadre.cadre_id for s in self.red}
        return [s for s in bottom_ranks(self.ranked) if s.cadre.cadre_id not in red]


def top_ranks(ranked: list[Standing], size: int = LIST_SIZE) -> list[Standing]:
    """The first `size` standings (best first) and everyone sharing the last one's rank."""
    if len(ranked) <= size:
        return list(ranked)
    last = ranked[size - 1].rank
    return [s for s in ranked if s.rank <= last]


def bottom_ranks(ranked: list[Standing], size: int = LIST_SIZE) -> list[Standing]:
    """The last `size` standings (worst first) and everyone sharing the last one's score."""
    worst_first = sorted(ranked, key=lambda s: (s.score, s.cadre.name, s.cadre.cadre_id))
    if len(worst_first) <= size:
        return worst_first
    last = worst_first[size - 1].rank
    return [s for s in worst_first if s.rank >= last]
