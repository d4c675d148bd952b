"""The trend chart as inline SVG, drawn on the server: no chart library, no download.

Colours come from the page's stylesheet (classes `s1`, `s2`, `grid`, `axis`), so the chart
follows Telegram's light or dark theme. Labels are escaped by `Markup.format`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 30, 10, 12, 34


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # s1 | s2
    values: Sequence[float | None]  # percentages; None = nothing to rate that week


def trend_svg(labels: Sequence[str], series: Sequence[Series], title: str) -> Markup:
    """A line chart of percentages (0-100) over `labels`, with a legend under it."""
    count = max(len(labels), 1)
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (span_x * index / (count - 1) if count > 1 else span_x / 2)

    def y(value: float) -> float:
        return TOP + span_y * (1 - value / 100)

    parts: list[Markup] = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img"'
            ' data-chart="trend" aria-label="{}">'
        ).format(WIDTH, HEIGHT, title)
    ]
    for tick in (0, 50, 100):
        parts.append(
            Markup(
                '<line class="grid" x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}"/>'
                '<text class="axis" x="{}" y="{:.1f}" text-anchor="end">{}</text>'
            ).format(LEFT, WIDTH - RIGHT, y(tick), y(tick), LEFT - 4, y(tick) + 3, tick)
        )
    for index, label in enumerate(labels):
        parts.append(
            Markup('<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>').format(
                x(index), HEIGHT - BOTTOM + 13, label
            )
        )
    for row, line in enumerate(series):
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                Markup('<polyline class="{}" fill="none" points="{}"/>').format(line.css, path)
            )
        for px, py in points:
            parts.append(
                Markup('<circle class="{} dot" cx="{:.1f}" cy="{:.1f}" r="2.5"/>').format(
                    line.css, px, py
                )
            )
        legend_x = LEFT + row * 120
        parts.append(
            Markup(
                '<rect class="{} key" x="{}" y="{}" width="10" height="3"/>'
                '<text class="axis" x="{}" y="{}">{}</text>'
            ).format(line.css, legend_x, HEIGHT - 9, legend_x + 14, HEIGHT - 5, line.name)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
