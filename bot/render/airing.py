"""The weekly airing's text: park figures, 红榜 / 黄榜 with rank changes, every cadre's figures,
样本不足, rates under the flag line marked ⚠️, and every overdue or supervised ticket named.

Every user-supplied string (names, enterprises, problem texts) is HTML-escaped here. The outbox
splits the result on line boundaries when it is longer than one Telegram message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.i18n import Translator
from bot.render.tickets import preview
from bot.services.airing import Board, Standing
from bot.services.metrics import Metrics, Rate
from storage.repos.exchange_stats import COUNT_KEYS
from storage.repos.metrics import OpenIssue

PROBLEM_PREVIEW = 40


@dataclass(frozen=True)
class Style:
    """How the post looks: the park's name and what it shows."""

    park: str
    tz: ZoneInfo
    detail: str = "name"  # full | name | anonymous
    flag_below: float = 70.0
    min_tickets: int = 2
    side_lines: str = "nonzero"  # nonzero | always


def fmt_rate(rate: Rate, tr: Translator, flag_below: float | None = None) -> str:
    """`97.8%`, `—` when nothing was due, with ⚠️ when under the flag line."""
    pct = rate.pct
    if pct is None:
        return tr("airing.no_value")
    text = f"{pct:.1f}%"
    if flag_below is not None and pct < flag_below:
        text += "⚠️"
    return text


def _num(value: float | None, tr: Translator) -> str:
    return tr("airing.no_value") if value is None else f"{value:.1f}"


def _change(standing: Standing, tr: Translator) -> str:
    if standing.change is None:
        return tr("airing.change_new")
    if standing.change > 0:
        return tr("airing.change_up", n=standing.change)
    if standing.change < 0:
        return tr("airing.change_down", n=-standing.change)
    return tr("airing.change_same")


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _park_lines(m: Metrics, tr: Translator, flag: float) -> list[str]:
    return [
        tr("airing.park_heading"),
        tr(
            "airing.park_received",
            received=m.received,
            closure=fmt_rate(m.closure, tr, flag),
            num=m.closure.num,
            den=m.closure.den,
            ytd=fmt_rate(m.closure_ytd, tr, flag),
        ),
        tr(
            "airing.park_rates",
            on_time=fmt_rate(m.on_time, tr, flag),
            response=fmt_rate(m.response, tr, flag),
            solved=fmt_rate(m.solved, tr, flag),
            partly=fmt_rate(m.partly, tr),
        ),
        tr(
            "airing.park_satisfaction",
            satisfaction=fmt_rate(m.satisfaction, tr, flag),
            strict=fmt_rate(m.strict_satisfaction, tr, flag),
            unrated=m.unrated,
        ),
        tr(
            "airing.park_more",
            overdue=m.overdue,
            days=_num(m.avg_days, tr),
            reopen=fmt_rate(m.reopen, tr),
            score=_num(m.score, tr),
        ),
    ]


def cadre_line(name: str, m: Metrics, tr: Translator, flag: float) -> str:
    """Every metric of one cadre on one line."""
    return tr(
        "airing.cadre_line",
        name=name,
        received=m.received,
        response=fmt_rate(m.response, tr, flag),
        closure=fmt_rate(m.closure, tr, flag),
        ytd=fmt_rate(m.closure_ytd, tr, flag),
        on_time=fmt_rate(m.on_time, tr, flag),
        solved=fmt_rate(m.solved, tr, flag),
        partly=fmt_rate(m.partly, tr),
        satisfaction=fmt_rate(m.satisfaction, tr, flag),
        strict=fmt_rate(m.strict_satisfaction, tr, flag),
        unrated=m.unrated,
        overdue=m.overdue,
        days=_num(m.avg_days, tr),
        reopen=fmt_rate(m.reopen, tr),
        score=_num(m.score, tr),
    )


def _issue_line(issue: OpenIssue, tr: Translator, style: Style, now: datetime) -> str:
    category = tr(f"category.{issue.category}")
    if style.detail == "full":
        enterprise, problem = issue.enterprise, preview(issue.content, PROBLEM_PREVIEW)
    elif style.detail == "name":
        enterprise, problem = issue.enterprise, category
    else:
        enterprise, problem = tr("airing.anonymous"), category
    tags = ""
    if issue.deadline_at < now:
        tags += tr("airing.tag_overdue")
    if issue.supervision_level > 0:
        tags += tr("airing.tag_supervised", level=issue.supervision_level)
    return tr(
        "airing.issue_line",
        id=issue.ticket_id,
        enterprise=enterprise,
        problem=problem,
        days=max((now - issue.created_at).days, 0),
        owner=issue.assignee_name if issue.assignee_name else tr("airing.duty_desk"),
        tags=tags,
    )


def _side_lines(side: dict[str, int], tr: Translator, style: Style) -> list[str]:
    counts = {key: side.get(key, 0) for key in COUNT_KEYS}
    if style.side_lines == "nonzero" and not any(counts.values()):
        return []
    return [
        "",
        tr("airing.side_heading"),
        tr("airing.side_jobs", **counts),
        tr("airing.side_logistics", **counts),
    ]


def airing_text(board: Board, tr: Translator, style: Style, now: datetime) -> str:
    """The whole post for one week, in one locale."""
    figures, flag = board.metrics, style.flag_below
    last_day = board.week.end.astimezone(style.tz).date().toordinal() - 1
    lines = [
        tr(
            "airing.title",
            park=style.park,
            week=board.week.label,
            start=board.week.monday.isoformat(),
            end=datetime.fromordinal(last_day).date().isoformat(),
            as_of=_local(figures.as_of, style.tz),
        ),
        "",
        *_park_lines(figures.park, tr, flag),
        "",
        tr("airing.red_heading"),
    ]

    def standing(s: Standing) -> str:
        return tr(
            "airing.standing",
            rank=s.rank,
            name=s.cadre.name,
            score=f"{s.score:.1f}",
            change=_change(s, tr),
        )

    if not board.ranked:
        lines.append(tr("airing.none_ranked"))
    lines += [standing(s) for s in board.red]
    if board.yellow:
        lines += ["", tr("airing.yellow_heading")]
        lines += [standing(s) for s in board.yellow]
    lines += ["", tr("airing.cadres_heading")]
    lines += [cadre_line(s.cadre.name, s.cadre.metrics, tr, flag) for s in board.ranked]
    lines += [cadre_line(c.name, c.metrics, tr, flag) for c in board.insufficient]
    if board.insufficient:
        names = "、".join(c.name for c in board.insufficient)
        lines.append(tr("airing.insufficient", min=style.min_tickets, names=names))
    lines.append(tr("airing.flag_note", limit=f"{flag:g}"))
    lines += ["", tr("airing.issues_heading")]
    issues = [_issue_line(i, tr, style, now) for i in figures.issues]
    lines += issues or [tr("airing.no_issues")]
    lines += _side_lines(board.side, tr, style)
    return Markup("\n").join(lines)
