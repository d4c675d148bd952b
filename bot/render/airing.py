"""The weekly airing's text, laid out for a phone: the park's figures first, then the 红榜 and
黄榜 (each cadre's score and the three rates that make it), the other ranked cadres when the park
is small enough to list them, 样本不足, and the worst overdue or supervised tickets by name.

Everything else (on-time rate, strict satisfaction, averages, every cadre's full figures) is in
the ledger (/export). A leader reads this on a phone: at 1,000 cadres the post still fits in a
message or two, because past `Style.cadre_lines` ranked cadres only the two lists are shown.
The translator escapes every parameter; lines are joined as Markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.domain.airing import COUNT_KEYS, Board, NamedIssue, Standing
from bot.domain.contacts import mask_contacts
from bot.domain.figures import CadreMetrics, Metrics, Rate, Weights
from bot.domain.weeks import Week
from bot.i18n import Translator
from bot.render.text import day_label
from bot.render.tickets import preview

PROBLEM_PREVIEW = 40
# Names listed under 样本不足 (or 暂无可计分数据) before the rest are only counted.
INSUFFICIENT_NAMES = 30
# A tie bigger than this is shown as one group (rank, count, score, names) instead of a line
# pair per cadre: at 1,000 cadres hundreds can share the last place, and all are on the list.
TIE_GROUP = 5


@dataclass(frozen=True)
class Style:
    """How the post looks: the park's name and what it shows."""

    park: str
    tz: ZoneInfo
    detail: str = "name"  # full | name | anonymous
    flag_below: float = 70.0
    min_tickets: int = 2
    side_lines: str = "nonzero"  # nonzero | always
    weights: Weights = field(default_factory=Weights)
    named_items: int = 20  # overdue/supervised tickets named; the rest are counted
    cadre_lines: int = 30  # list every ranked cadre up to this many; beyond, the two lists only


def fmt_rate(rate: Rate, tr: Translator, flag_below: float | None = None) -> str:
    """`97.8%`, `—` when nothing was due, with ⚠️ when under the flag line."""
    pct = rate.pct
    if pct is None:
        return tr.plain("airing.no_value")
    text = f"{pct:.1f}%"
    if flag_below is not None and pct < flag_below:
        text += "⚠️"
    return text


def _num(value: float | None, tr: Translator) -> str:
    return tr.plain("airing.no_value") if value is None else f"{value:.1f}"


def week_label(week: Week, tr: Translator) -> str:
    """`第49周（11月30日—12月6日）`; `2026-W49` stays the machine form (`Week.label`)."""
    return tr.plain(
        "airing.week",
        number=week.number,
        start=day_label(week.monday, tr),
        end=day_label(week.monday + timedelta(days=6), tr),
    )


def left_out(m: Metrics, tr: Translator) -> list[str]:
    """The score components left out for want of data (`Metrics.omitted`), in words."""
    return [tr.plain(f"airing.part_{part}") for part in m.omitted] if m.score is not None else []


def _three_rates(m: Metrics, tr: Translator, style: Style) -> Markup:
    """The three rates behind a score, and which of them the score leaves out."""
    flag = style.flag_below
    line = tr(
        "airing.rates",
        response=fmt_rate(m.response, tr, flag),
        solved=fmt_rate(m.solved, tr, flag),
        satisfaction=fmt_rate(m.satisfaction, tr, flag),
    )
    missing = left_out(m, tr)
    if missing:
        line += tr("airing.left_out", parts="、".join(missing))
    return line


def _change(standing: Standing, tr: Translator) -> Markup:
    if standing.change is None:
        return tr("airing.change_new")
    if standing.change > 0:
        return tr("airing.change_up", n=standing.change)
    if standing.change < 0:
        return tr("airing.change_down", n=-standing.change)
    return tr("airing.change_same")


def standing_lines(s: Standing, tr: Translator, style: Style) -> list[Markup]:
    """A ranked cadre: rank (并列 for a shared one), name, score, change; then the three rates."""
    head = tr(
        "airing.standing",
        rank=s.rank,
        tie=tr("airing.tie") if s.tied else "",
        name=s.cadre.name,
        score=f"{s.score:.1f}",
        change=_change(s, tr),
    )
    return [head, tr("airing.indent", text=_three_rates(s.cadre.metrics, tr, style))]


def _moment(moment: datetime, tz: ZoneInfo, tr: Translator) -> str:
    local = moment.astimezone(tz)
    return tr.plain("airing.moment", day=day_label(local.date(), tr), time=local.strftime("%H:%M"))


def _park_lines(board: Board, tr: Translator, style: Style) -> list[Markup]:
    m, flag = board.metrics.park, style.flag_below
    supervised = sum(1 for item in board.issues if item.issue.supervision_level > 0)
    return [
        tr("airing.park_heading"),
        tr(
            "airing.park_received",
            received=m.received,
            closed=m.closure.num,
            closure=fmt_rate(m.closure, tr, flag),
            ytd=fmt_rate(m.closure_ytd, tr, flag),
        ),
        _three_rates(m, tr, style),
        tr(
            "airing.park_detail",
            partly=fmt_rate(m.partly, tr),
            unrated=m.unrated,
            on_time=fmt_rate(m.on_time, tr, flag),
        ),
        tr(
            "airing.park_more",
            overdue=m.overdue,
            supervised=supervised,
            reopen=fmt_rate(m.reopen, tr),
            days=_num(m.avg_days, tr),
        ),
        tr("airing.park_score", score=_num(m.score, tr)),
    ]


def ties(standings: list[Standing]) -> list[list[Standing]]:
    """Consecutive standings sharing a rank, as groups (in the given order)."""
    groups: list[list[Standing]] = []
    for s in standings:
        if groups and groups[-1][0].rank == s.rank:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _list_lines(standings: list[Standing], tr: Translator, style: Style) -> list[Markup]:
    lines: list[Markup] = []
    for group in ties(standings):
        if len(group) <= TIE_GROUP:
            for s in group:
                lines += standing_lines(s, tr, style)
            continue
        lines.append(
            tr(
                "airing.tie_group",
                rank=group[0].rank,
                count=len(group),
                score=f"{group[0].score:.1f}",
                names="、".join(s.cadre.name for s in group),
            )
        )
    return lines


def _ranking_lines(board: Board, tr: Translator, style: Style) -> list[Markup]:
    lines = [tr("airing.red_heading")]
    if not board.ranked:
        lines.append(tr("airing.none_ranked"))
    red, yellow = board.red, board.yellow
    lines += _list_lines(red, tr, style)
    shown = {s.cadre.cadre_id for s in red} | {s.cadre.cadre_id for s in yellow}
    others = [s for s in board.ranked if s.cadre.cadre_id not in shown]
    # A small park sees everyone in rank order between the lists; a big one only the lists
    # (the ledger has every cadre's figures).
    if others and len(board.ranked) <= style.cadre_lines:
        lines += [Markup(""), tr("airing.others_heading"), *_list_lines(others, tr, style)]
    elif others:
        lines += [Markup(""), tr("airing.others_in_ledger", count=len(others))]
    if yellow:
        lines += [Markup(""), tr("airing.yellow_heading"), *_list_lines(yellow, tr, style)]
    return lines


def _names_with_counts(cadres: list[CadreMetrics], tr: Translator) -> str:
    named = cadres[:INSUFFICIENT_NAMES]
    names = "、".join(
        tr.plain("airing.name_count", name=c.name, count=c.metrics.sample) for c in named
    )
    if len(cadres) > len(named):
        names += tr.plain("airing.names_more", count=len(cadres))
    return names


def _unranked_lines(board: Board, tr: Translator, style: Style) -> list[Markup]:
    lines: list[Markup] = []
    if board.insufficient:
        names = _names_with_counts(board.insufficient, tr)
        lines.append(tr("airing.insufficient", min=style.min_tickets, names=names))
    if board.unscored:
        lines.append(tr("airing.unscored", names=_names_with_counts(board.unscored, tr)))
    return lines


def _issue_line(item: NamedIssue, tr: Translator, style: Style) -> Markup:
    issue = item.issue
    category = tr.plain(f"category.{issue.category}")
    if style.detail == "full":
        # A public post: contacts in the problem's text are hidden, as in every group post.
        shown = mask_contacts(issue.content, tr.plain("airing.contact_hidden"))
        enterprise, problem = issue.enterprise, preview(shown, PROBLEM_PREVIEW)
    elif style.detail == "name":
        enterprise, problem = issue.enterprise, category
    else:
        enterprise, problem = tr.plain("airing.anonymous"), category
    level = issue.supervision_level
    if item.overdue_days is None:
        late = tr("airing.not_overdue")
    elif item.overdue_days == 0:
        late = tr("airing.overdue_today")
    else:
        late = tr("airing.overdue_days", days=item.overdue_days)
    return tr(
        "airing.issue_line",
        id=issue.ticket_id,
        mark=tr("clock.level_mark", level=level) if level else "",
        enterprise=enterprise,
        problem=problem,
        late=late,
        owner=issue.assignee_name if issue.assignee_name else tr.plain("airing.duty_desk"),
    )


def _issue_lines(board: Board, tr: Translator, style: Style) -> list[Markup]:
    if not board.issues:
        return [tr("airing.issues_heading"), tr("airing.no_issues")]
    shown = board.issues[: style.named_items]
    lines = [tr("airing.issues_heading_count", count=len(board.issues))]
    lines += [_issue_line(item, tr, style) for item in shown]
    if len(board.issues) > len(shown):
        lines.append(tr("airing.issues_more", count=len(board.issues) - len(shown)))
    return lines


def _side_lines(side: dict[str, int], tr: Translator, style: Style) -> list[Markup]:
    counts = {key: side.get(key, 0) for key in COUNT_KEYS}
    if style.side_lines == "nonzero" and not any(counts.values()):
        return []
    return [
        Markup(""),
        tr("airing.side_heading"),
        tr("airing.side_jobs", **counts),
        tr("airing.side_logistics", **counts),
    ]


def _footnotes(tr: Translator, style: Style) -> list[Markup]:
    w = style.weights
    return [
        tr(
            "airing.score_note",
            response=f"{w.response * 100:g}",
            solved=f"{w.solved * 100:g}",
            satisfaction=f"{w.satisfaction * 100:g}",
        ),
        tr("airing.flag_note", limit=f"{style.flag_below:g}"),
    ]


def airing_text(board: Board, tr: Translator, style: Style) -> Markup:
    """The whole post for one week, in one locale."""
    lines = [
        tr(
            "airing.title",
            park=style.park,
            week=week_label(board.week, tr),
            as_of=_moment(board.metrics.as_of, style.tz, tr),
        ),
        Markup(""),
        *_park_lines(board, tr, style),
        Markup(""),
        *_ranking_lines(board, tr, style),
    ]
    unranked = _unranked_lines(board, tr, style)
    if unranked:
        lines += [Markup(""), *unranked]
    lines += [Markup(""), *_footnotes(tr, style)]
    lines += [Markup(""), *_issue_lines(board, tr, style)]
    lines += _side_lines(board.side, tr, style)
    return Markup("\n").join(lines)
