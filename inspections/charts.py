"""Chart geometry for server-drawn SVG: the templates draw, this module only places and scales.

No JavaScript library: the numbers become coordinates here and the template writes the
`<svg>` (escaped like any other text), next to a table with the same numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

# One colour per inspection state, light to dark along the work (blue: before and on site,
# orange: feedback and rectification), green when closed, grey when cancelled.
STATE_COLOURS = {
    "planned": "#c6dbef",
    "notified": "#9ecae1",
    "stationed": "#6baed6",
    "withdrawn": "#4292c6",
    "reported": "#2171b5",
    "heard": "#08519c",
    "feedback_given": "#fdd0a2",
    "plan_submitted": "#fdae6b",
    "rectifying": "#fd8d3c",
    "rectification_reported": "#e6550d",
    "rectification_accepted": "#a63603",
    "closed": "#31a354",
    "cancelled": "#969696",
}


@dataclass(frozen=True)
class Segment:
    state: str
    label: str
    count: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: float
    segments: list[Segment]
    end: float  # where the bar stops: its total is written there


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str


@dataclass(frozen=True)
class StackedBarChart:
    """Horizontal bars, one per row, each split by state."""

    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[LegendEntry]
    axis_max: int


def stacked_bars(
    rows: Sequence[tuple[str, dict[str, int]]],
    states: Sequence[str],
    labels: dict[str, str],
    *,
    width: int = 640,
    label_width: int = 140,
    bar_height: int = 26,
    gap: int = 12,
) -> StackedBarChart:
    """Place one bar per (label, counts by state); bars share one scale so they compare."""
    plot = width - label_width - 40  # room for the total after each bar
    axis_max = max([sum(counts.values()) for _label, counts in rows] + [1])
    bars = []
    for index, (label, counts) in enumerate(rows):
        x = float(label_width)
        segments = []
        for state in states:
            count = counts.get(state, 0)
            if not count:
                continue
            segment_width = plot * count / axis_max
            segments.append(
                Segment(
                    state,
                    labels[state],
                    count,
                    round(x, 2),
                    round(segment_width, 2),
                    STATE_COLOURS.get(state, "#777777"),
                )
            )
            x += segment_width
        bars.append(
            Bar(
                label=label,
                total=sum(counts.values()),
                y=index * (bar_height + gap),
                segments=segments,
                end=round(x, 2),
            )
        )
    used = [state for state in states if any(counts.get(state) for _l, counts in rows)]
    return StackedBarChart(
        width=width,
        height=max(1, len(rows)) * (bar_height + gap),
        label_width=label_width,
        bar_height=bar_height,
        bars=bars,
        legend=[LegendEntry(labels[s], STATE_COLOURS.get(s, "#777777")) for s in used],
        axis_max=axis_max,
    )


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    points: str  # the SVG polyline's "x,y x,y …"
    css_class: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def _nice_max(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def line_chart(
    days: Sequence[datetime.date],
    series: Sequence[tuple[str, str, Sequence[int]]],
    *,
    width: int = 640,
    height: int = 260,
) -> LineChart:
    """Lines over days (label, css class, values per day), one y axis from zero."""
    left, top, right_pad, bottom_pad = 48, 12, 16, 36
    plot_width, plot_height = width - left - right_pad, height - top - bottom_pad
    y_max = _nice_max(max([max(values, default=0) for _l, _c, values in series] + [1]))
    span = max(1, (days[-1] - days[0]).days) if days else 1

    def x_of(day: datetime.date) -> float:
        return round(left + plot_width * (day - days[0]).days / span, 2)

    def y_of(value: int) -> float:
        return round(top + plot_height * (1 - value / y_max), 2)

    placed = [
        Series(
            label=label,
            points=" ".join(
                f"{x_of(day)},{y_of(value)}" for day, value in zip(days, values, strict=True)
            ),
            css_class=css_class,
        )
        for label, css_class, values in series
    ]
    x_days = [days[0], days[len(days) // 2], days[-1]] if days else []
    x_ticks = [Tick(x_of(day), day.isoformat()) for day in dict.fromkeys(x_days)]
    y_ticks = [Tick(y_of(v), str(v)) for v in sorted({0, y_max // 2, y_max})]
    return LineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        series=placed,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )
