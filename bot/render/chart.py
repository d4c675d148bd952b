"""The airing's chart, sized for a phone: the 红榜 and 黄榜 scores as bars, and the park's 办结率
over recent weeks.

In the field red is the *good* list, which a reader used to other charts may take for a warning:
so every bar is labelled with its list by name (红榜 / 黄榜), the legend says 先进 / 后进, and the
colour only repeats what the words say. A 0.0 score still gets a visible stub. A small park
shows every ranked cadre; a bigger one the two lists, with the rest counted.

Chinese labels need a real CJK font. `find_cjk_font` looks among the fonts matplotlib knows
(rescanning the system fonts once if its cache predates a font install); when none is found the
chart is still drawn, with a warning, and `Chart.font` is None so the caller can tell the admins.
Which fonts a machine has is an input like the clock: `render_chart` takes a `font_finder`, and
the publisher takes a `ChartRenderer`, so nothing above this module depends on the machine.
matplotlib is imported lazily: it is heavy and only the airing needs it.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.airing import Board, Standing
from bot.i18n import Translator
from bot.render.airing import TIE_GROUP, ties, week_label

log = logging.getLogger(__name__)

# Preferred families, best first; any other family with "CJK" in its name also does.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
_FILE_HINTS = ("cjk", "wqy", "wenquanyi", "droidsansfallback", "sourcehan", "notosanssc")
# A park with at most this many ranked cadres shows them all; a bigger one the two lists only.
MAX_BARS = 12
RED, YELLOW, OTHER = "#c0392b", "#f4c20d", "#a6acaf"
EDGE = "#4d4d4d"
STUB = 1.2  # the width drawn for a score of 0, so the bar stays visible
TITLE_SIZE, LABEL_SIZE, VALUE_SIZE = 20, 16, 15
_lock = threading.Lock()  # matplotlib's font manager is global state


@dataclass(frozen=True)
class Chart:
    png: bytes
    font: str | None  # the CJK family used; None when none was found
    missing_glyphs: bool


# What the publisher calls to draw a week's chart (`render_chart`, or one with a fixed font).
ChartRenderer = Callable[[Board, Translator], Chart]
# Returns the font family to draw Chinese with, or None when the machine has none.
FontFinder = Callable[[], str | None]


def find_cjk_font(families: Sequence[str] = CJK_FAMILIES) -> str | None:
    """Return the first installed CJK font family matplotlib can use, or None."""
    from matplotlib import font_manager

    def known() -> list[str]:
        # matplotlib's cache outlives an uninstalled font: only fonts still on disk count.
        return [f.name for f in font_manager.fontManager.ttflist if os.path.exists(f.fname)]

    for attempt in range(2):
        names = known()
        for family in families:
            if family in names:
                return family
        if families is CJK_FAMILIES:
            extra = sorted({n for n in names if "CJK" in n and n.endswith("SC")})
            extra += sorted({n for n in names if "CJK" in n})
            if extra:
                return extra[0]
        if attempt == 0:
            # The cache may predate the font install: add system fonts that look like CJK.
            for path in font_manager.findSystemFonts():
                flat = path.lower().replace("-", "").replace("_", "")
                if any(hint in flat for hint in _FILE_HINTS):
                    try:
                        font_manager.fontManager.addfont(path)
                    except (OSError, RuntimeError, ValueError):
                        continue
    return None


def _bars(board: Board, tr: Translator) -> list[tuple[str, float | None, str]]:
    """(label, score, colour) from the top of the chart down; a None score is a gap row.

    A tie bigger than `TIE_GROUP` is one bar (rank, 并列 N 人), as in the text.
    """
    red = board.red
    yellow = sorted(board.yellow, key=lambda s: (s.rank, s.cadre.name))
    listed = {s.cadre.cadre_id for s in red} | {s.cadre.cadre_id for s in yellow}
    others = [s for s in board.ranked if s.cadre.cadre_id not in listed]

    def bars(standings: list[Standing], tag: str, colour: str) -> list[tuple[str, float, str]]:
        found = []
        for group in ties(standings):
            tied = len(group) > 1
            names = [s.cadre.name for s in group]
            if len(group) > TIE_GROUP:
                names = [tr.plain("airing.chart_tie_group", count=len(group))]
                tied = False
            for name in names:
                label = tr.plain(
                    "airing.chart_bar_label",
                    tag=tr.plain(tag) if tag else "",
                    rank=group[0].rank,
                    name=name,
                    tie=tr.plain("airing.chart_tie") if tied else "",
                )
                found.append((label.strip(), group[0].score, colour))
        return found

    rows: list[tuple[str, float | None, str]] = []
    rows += bars(red, "airing.chart_red_tag", RED)
    if others and len(board.ranked) <= MAX_BARS:
        rows += bars(others, "", OTHER)
    elif others:
        rows.append((tr.plain("airing.chart_gap", count=len(others)), None, OTHER))
    rows += bars(yellow, "airing.chart_yellow_tag", YELLOW)
    return rows


def _draw_bars(ax: Any, board: Board, tr: Translator, text: dict[str, Any]) -> None:
    from matplotlib.patches import Patch

    rows = _bars(board, tr)
    ys = list(range(len(rows)))[::-1]  # the first row at the top
    for y, (_, score, colour) in zip(ys, rows, strict=True):
        if score is None:
            continue
        ax.barh(y, max(score, STUB), color=colour, edgecolor=EDGE, linewidth=0.8, height=0.7)
        ax.text(max(score, STUB) + 1.5, y, f"{score:.1f}", va="center", fontsize=VALUE_SIZE, **text)
    ax.set_yticks(ys, [label for label, _, _ in rows], fontsize=LABEL_SIZE, **text)
    ax.set_xlim(0, 112)  # room for the value after a full bar
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.tick_params(axis="x", labelsize=LABEL_SIZE - 2)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    legend = [Patch(facecolor=RED, edgecolor=EDGE, label=tr.plain("airing.chart_red"))]
    if any(colour == OTHER and score is not None for _, score, colour in rows):
        legend.append(Patch(facecolor=OTHER, edgecolor=EDGE, label=tr.plain("airing.chart_other")))
    if board.yellow:
        legend.append(
            Patch(facecolor=YELLOW, edgecolor=EDGE, label=tr.plain("airing.chart_yellow"))
        )
    ax.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(legend),
        frameon=False,
        prop={"size": LABEL_SIZE, **({"family": text["family"]} if text else {})},
    )


def _draw_trend(ax: Any, board: Board, tr: Translator, text: dict[str, Any]) -> None:
    weeks = [tr.plain("airing.chart_week", number=w.number) for w, _ in board.trend]
    values = [r.pct if r.pct is not None else float("nan") for _, r in board.trend]
    positions = list(range(len(weeks)))
    ax.plot(positions, values, marker="o", markersize=8, linewidth=2.5, color="#2e86c1")
    ax.set_xticks(positions, weeks, fontsize=LABEL_SIZE - 2, **text)
    if len(weeks) > 8:  # up to 26 weeks: slanted, so the labels do not run into each other
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlim(-0.5, max(len(weeks), 1) - 0.5)
    ax.set_ylim(0, 115)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="y", labelsize=LABEL_SIZE - 2)
    ax.set_title(
        tr.plain("airing.chart_trend_title", weeks=len(weeks)), fontsize=TITLE_SIZE - 2, **text
    )
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for x, value in enumerate(values):
        if value == value:  # not NaN
            ax.annotate(
                f"{value:.1f}",
                (x, value),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                fontsize=VALUE_SIZE - 2,
            )


def render_chart(
    board: Board,
    tr: Translator,
    *,
    families: Sequence[str] = CJK_FAMILIES,
    font_finder: FontFinder | None = None,
    dpi: int = 120,
) -> Chart:
    """Draw the week's chart as a PNG, about 1,080 pixels wide (a phone screen's width), in the
    font `font_finder` names (default: the machine's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _lock:
        font = font_finder() if font_finder is not None else find_cjk_font(families)
        if font is None:
            log.warning("no CJK font found: Chinese labels in the airing chart will not render")
        text: dict[str, Any] = {"family": [font]} if font else {}
        rows = len(_bars(board, tr)) if board.ranked else 2
        height = 0.62 * rows + 1.6
        fig = Figure(figsize=(9, height + 4.2), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(2, 1, height_ratios=[height, 3.6])
        bars, trend = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
        bars.set_title(
            tr.plain("airing.chart_score_title", week=week_label(board.week, tr)),
            fontsize=TITLE_SIZE,
            fontweight="bold",
            pad=48 if board.ranked else 6,  # the legend sits between the title and the bars
            **text,
        )
        if board.ranked:
            _draw_bars(bars, board, tr, text)
        else:
            bars.text(
                0.5,
                0.5,
                tr.plain("airing.chart_no_scores"),
                ha="center",
                fontsize=LABEL_SIZE,
                **text,
            )
            bars.set_axis_off()
        _draw_trend(trend, board, tr, text)
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png")
        missing = any("missing from font" in str(w.message) for w in caught)
    return Chart(buffer.getvalue(), font, missing)
