"""The airing's chart: score per ranked cadre as bars, and the park's 办结率 over recent weeks.

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
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.airing import Board

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
# With many cadres the bars are unreadable: show the best and the worst this many each.
MAX_BARS_EACH_END = 20
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
        return [f.name for f in font_manager.fontManager.ttflist]

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


def render_chart(
    board: Board,
    tr: Translator,
    *,
    families: Sequence[str] = CJK_FAMILIES,
    font_finder: FontFinder | None = None,
    dpi: int = 110,
) -> Chart:
    """Draw the week's chart as a PNG (in the font `font_finder` names, default: the machine's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _lock:
        font = font_finder() if font_finder is not None else find_cjk_font(families)
        if font is None:
            log.warning("no CJK font found: Chinese labels in the airing chart will not render")
        ranked = board.ranked
        if len(ranked) > 2 * MAX_BARS_EACH_END:
            ranked = ranked[:MAX_BARS_EACH_END] + ranked[-MAX_BARS_EACH_END:]
        height = max(4.0, 0.28 * len(ranked) + 1.5)
        fig = Figure(figsize=(10, height + 3.2), dpi=dpi)
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(2, 1, height_ratios=[height, 3.0], hspace=0.35)
        bars, trend = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
        family = [font] if font else None
        text = {"family": family} if family else {}
        week = board.week.label
        bars.set_title(tr.plain("airing.chart_score_title", week=week), fontdict=text)
        if ranked:
            names = [s.cadre.name for s in ranked][::-1]
            scores = [s.score for s in ranked][::-1]
            colors = [
                "#c0392b" if s in board.red else "#d4ac0d" if s in board.yellow else "#7f8c8d"
                for s in ranked
            ][::-1]
            bars.barh(names, scores, color=colors)
            bars.set_xlim(0, 100)
            for y, value in enumerate(scores):
                bars.text(min(value + 1, 92), y, f"{value:.1f}", va="center", fontsize=8)
            for label in bars.get_yticklabels():
                if family:
                    label.set_fontfamily(family)
        else:
            bars.text(0.5, 0.5, tr.plain("airing.chart_no_scores"), ha="center", fontdict=text)
            bars.set_axis_off()
        weeks = [w.label[-3:] for w, _ in board.trend]
        values = [r.pct if r.pct is not None else float("nan") for _, r in board.trend]
        positions = list(range(len(weeks)))
        trend.plot(positions, values, marker="o", color="#2e86c1")
        trend.set_xticks(positions, weeks)
        trend.set_xlim(-0.5, len(weeks) - 0.5)
        trend.set_ylim(0, 105)
        trend.set_title(tr.plain("airing.chart_trend_title", weeks=len(weeks)), fontdict=text)
        trend.grid(alpha=0.3)
        for x, value in enumerate(values):
            if value == value:  # not NaN
                trend.annotate(
                    f"{value:.1f}",
                    (x, value),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    fontsize=8,
                )
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png")
        missing = any("missing from font" in str(w.message) for w in caught)
    return Chart(buffer.getvalue(), font, missing)
