"""Server-side SVG charts: the geometry is computed here, ``templates/followup/charts/``
draws it. No JavaScript and no inline style (the Content-Security-Policy forbids them): colours
come from CSS classes in ``static/css/journease.css``. Every chart has a table beside it.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 40, 130, 12, 34

# (lowest, highest, css class, label): the PHQ-9 severity bands shaded behind the scores.
PHQ9_BAND_AREAS = (
    (0, 5, "band-minimal", _("Minimal")),
    (5, 10, "band-mild", _("Mild")),
    (10, 15, "band-moderate", _("Moderate")),
    (15, 20, "band-modsevere", _("Moderately severe")),
    (20, 27, "band-severe", _("Severe")),
)


@dataclass(frozen=True)
class Point:
    when: datetime.datetime
    value: float
    label: str = ""


@dataclass
class Series:
    css: str
    label: str
    points: list[Point]
    path: str = ""
    dots: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class LineChart:
    title: str
    y_max: int
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    bands: list[dict] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    plot: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(series.points for series in self.series)


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def _plot(x0: float, x1: float, y0: float, y1: float) -> dict:
    return {
        "x": x0,
        "y": y1,
        "width": x1 - x0,
        "height": y0 - y1,
        "right": x1,
        "bottom": y0,
        "label_x": x1 + 6,
        "axis_x": x0 - 6,
        "axis_y": y0 + 20,
    }


def line_chart(
    *,
    title: str,
    series: list[Series],
    y_max: int,
    y_step: int,
    bands: tuple = (),
    today: datetime.date | None = None,
) -> LineChart:
    """Lay out a time chart: dates along x (clinic-local), 0..``y_max`` up, shaded ``bands``."""
    chart = LineChart(title=title, y_max=y_max, series=series)
    x0, x1 = LEFT, WIDTH - RIGHT
    y0, y1 = HEIGHT - BOTTOM, TOP
    chart.plot = _plot(x0, x1, y0, y1)
    moments = [point.when for s in series for point in s.points]
    if not moments:
        return chart
    start = min(moments) - datetime.timedelta(days=1)
    end = max(moments) + datetime.timedelta(days=1)
    t0, t1 = start.timestamp(), end.timestamp()

    def x_of(moment: datetime.datetime) -> float:
        return round(_scale(moment.timestamp(), t0, t1, x0, x1), 1)

    def y_of(value: float) -> float:
        return round(_scale(value, 0, y_max, y0, y1), 1)

    for low, high, css, label in bands:
        top, bottom = y_of(high), y_of(low)
        chart.bands.append(
            {
                "x": x0,
                "y": top,
                "width": x1 - x0,
                "height": round(bottom - top, 1),
                "css": css,
                "label": label,
                "label_y": round((top + bottom) / 2 + 4, 1),
            }
        )
    chart.y_ticks = [(y_of(value), value) for value in range(0, y_max + 1, y_step)]
    span_days = max((end - start).days, 1)
    count = 5
    fmt = "j M" if span_days < 330 else "M Y"
    for index in range(count + 1):
        moment = start + (end - start) * index / count
        chart.x_ticks.append((x_of(moment), date_format(timezone.localtime(moment).date(), fmt)))
    for s in series:
        ordered = sorted(s.points, key=lambda point: point.when)
        coords = [(x_of(p.when), y_of(p.value), p) for p in ordered]
        s.path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y, _p) in enumerate(coords))
        s.dots = [
            (x, y, f"{s.label} {p.value:g} · {date_format(timezone.localtime(p.when), 'j M Y')}")
            for x, y, p in coords
        ]
    return chart


@dataclass
class BarChart:
    title: str
    y_max: int
    groups: list[dict]
    legend: list[tuple[str, str]]
    width: int = WIDTH
    height: int = HEIGHT
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    plot: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def bar_chart(
    *,
    title: str,
    groups: list[tuple[str, list[float | None]]],
    legend: list[tuple[str, str]],
    y_max: int,
    y_step: int,
) -> BarChart:
    """Grouped bars: one group per label, one bar per legend entry (``None`` draws nothing)."""
    chart = BarChart(title=title, y_max=y_max, groups=[], legend=legend)
    x0, x1 = LEFT, WIDTH - 20
    y0, y1 = HEIGHT - BOTTOM, TOP
    chart.plot = _plot(x0, x1, y0, y1)
    chart.y_ticks = [
        (round(_scale(v, 0, y_max, y0, y1), 1), v) for v in range(0, y_max + 1, y_step)
    ]
    if not groups:
        return chart
    slot = (x1 - x0) / len(groups)
    bar_width = min(28.0, slot * 0.8 / max(len(legend), 1))
    for index, (label, values) in enumerate(groups):
        centre = x0 + slot * (index + 0.5)
        first = centre - bar_width * len(legend) / 2
        bars = []
        for position, ((css, name), value) in enumerate(zip(legend, values, strict=True)):
            if value is None:
                continue
            top = round(_scale(min(value, y_max), 0, y_max, y0, y1), 1)
            bars.append(
                {
                    "x": round(first + position * bar_width, 1),
                    "y": top,
                    "width": round(bar_width - 2, 1),
                    "height": round(y0 - top, 1),
                    "css": css,
                    "title": f"{label}: {name} {value:.1f}",
                }
            )
        chart.groups.append({"label": label, "x": round(centre, 1), "bars": bars})
    return chart
