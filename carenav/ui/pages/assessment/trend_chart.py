"""One instrument's scores over time, with its interpretation bands shaded behind.

The bands (e.g. PHQ-9 minimal, mild, moderate, moderately severe, severe) are
calm horizontal areas from green through amber to soft red, in band order, and
are named on the right-hand axis. They are built once per instrument; a new
patient's scores only replace the points, so opening five years of weekly
scores stays well under 200 ms (bench/assessments.py).

The date axis is a value axis over milliseconds since the epoch (the unit
QDateTimeAxis uses) with labels on real calendar boundaries: years, half
years, quarters, months or days, whichever gives a handful of ticks. Evenly
spaced QDateTimeAxis ticks drift off month starts and can label one month twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from PySide6.QtCharts import (
    QAreaSeries,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import QApplication, QLabel, QStackedLayout, QToolTip, QWidget

from carenav.instruments import Instrument
from carenav.instruments.definition import score_range
from carenav.ui.formatting import MONTHS, format_date
from carenav.ui.item_models.assessments import short_name

NAVY = QColor("#12355b")
LINE = QColor("#1d5fa8")
AXIS_TEXT = QColor("#334e68")
GRID = QColor("#dfe4ea")
# Band colours by order: green, then amber, then soft red (calm, never alarming).
BAND_STOPS = (QColor("#dcefe0"), QColor("#fbeec7"), QColor("#f8d9d4"))
BAND_EDGE = QColor("#ffffff")
MOST_TICKS = 8
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
DAY_STEPS = (1, 2, 7, 14)
DENSE = 90  # more points than this: smaller markers, so the line stays readable
EMPTY_TEXT = "No scores yet"


class ScoreLike(Protocol):
    """What the chart reads from a point (carenav.services.assessments.ScorePoint)."""

    @property
    def effective_at(self) -> datetime: ...

    @property
    def value(self) -> int: ...

    @property
    def band(self) -> str: ...


@dataclass(frozen=True)
class BandArea:
    label: str
    low: float
    high: float
    colour: QColor


def band_colour(position: int, count: int) -> QColor:
    """The colour of band ``position`` (0-based) of ``count``: green, amber, soft red."""
    if count <= 1:
        return QColor(BAND_STOPS[0])
    share = position / (count - 1) * (len(BAND_STOPS) - 1)
    start = min(int(share), len(BAND_STOPS) - 2)
    mix = share - start
    a, b = BAND_STOPS[start], BAND_STOPS[start + 1]
    return QColor(
        round(a.red() + (b.red() - a.red()) * mix),
        round(a.green() + (b.green() - a.green()) * mix),
        round(a.blue() + (b.blue() - a.blue()) * mix),
    )


def band_areas(instrument: Instrument) -> list[BandArea]:
    """The shaded areas: each band widened by half a point so that they meet."""
    if instrument.scoring is None:
        return []
    low, high = score_range(instrument.scoring, {i.link_id: i for i in instrument.items})
    bands = sorted(instrument.bands, key=lambda b: b.min)
    return [
        BandArea(
            label=band.label,
            low=max(float(low), band.min - 0.5),
            high=min(float(high), band.max + 0.5),
            colour=band_colour(n, len(bands)),
        )
        for n, band in enumerate(bands)
    ]


def nice_step(span: float, most: int = 7) -> int:
    """A tick interval of 1, 2, 5, 10, 20, 50... giving at most ``most`` intervals."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if span / step <= most:
                return step
        scale *= 10


def msecs(when: datetime) -> float:
    """Milliseconds since the epoch; a naive datetime is taken as local time."""
    return when.timestamp() * 1000.0


def _month_ticks(start: datetime, end: datetime, step: int) -> list[datetime]:
    ticks: list[datetime] = []
    year, month = start.year, start.month
    while True:
        if (year * 12 + month - 1) % step == 0:
            tick = datetime(year, month, 1)
            if tick > end:
                return ticks
            if tick >= start:
                ticks.append(tick)
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if datetime(year, month, 1) > end + timedelta(days=31):
            return ticks


def _month_label(tick: datetime, step: int) -> str:
    return str(tick.year) if step >= 12 else f"{MONTHS[tick.month - 1]} {tick.year}"


def calendar_ticks(
    start: datetime, end: datetime, most: int = MOST_TICKS
) -> list[tuple[datetime, str]]:
    """Ticks on calendar boundaries between two local (naive) times, with their labels."""
    if (end - start).days > 62:
        for step in MONTH_STEPS:
            ticks = _month_ticks(start, end, step)
            if len(ticks) <= most:
                return [(t, _month_label(t, step)) for t in ticks]
        return []
    first_day = datetime(start.year, start.month, start.day)
    for days in DAY_STEPS:
        day = first_day if days < 7 else first_day + timedelta(days=-first_day.weekday() % 7)
        ticks = []
        while day <= end:
            if day >= start:
                ticks.append(day)
            day += timedelta(days=days)
        if len(ticks) <= most:
            return [(t, f"{t.day} {MONTHS[t.month - 1]}") for t in ticks]
    return []


def time_range(first: datetime, last: datetime) -> tuple[datetime, datetime]:
    """The shown span (local, naive): the points plus a margin, at least a month wide."""
    first, last = _local(first), _local(last)
    margin = max((last - first) * 0.04, timedelta(days=3))
    if last - first < timedelta(days=30):
        middle = first + (last - first) / 2
        return middle - timedelta(days=15) - margin, middle + timedelta(days=15) + margin
    return first - margin, last + margin


def _local(when: datetime) -> datetime:
    return when.astimezone().replace(tzinfo=None) if when.tzinfo is not None else when


class TrendChart(QWidget):
    """``set_series(instrument, points)`` shows the scores; ``clear()`` forgets them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument: Instrument | None = None
        self.band_series: list[QAreaSeries] = []
        self._bands_key: tuple[object, ...] | None = None
        self._by_x: dict[float, ScoreLike] = {}

        self.chart = QChart()
        self.chart.legend().setVisible(False)
        self.chart.setBackgroundRoundness(10)
        self.chart.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.chart.setBackgroundPen(QPen(QColor("#d9dee5"), 1))
        self.chart.setMargins(QMargins(8, 6, 8, 6))
        self._make_axes()
        self._make_series()

        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setMinimumHeight(240)
        self.view.setStyleSheet("background: transparent; border: none;")
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("trendEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMinimumHeight(120)
        self.empty_label.setStyleSheet(
            "QLabel#trendEmpty { background: #ffffff; border: 1px solid #d9dee5;"
            " border-radius: 10px; color: #52606d; font-size: 13pt; padding: 24px; }"
        )
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self.view)
        self.clear()

    # -- building (once) -----------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont]:
        base = QFont(QApplication.font())
        if base.pointSizeF() < 10:
            base.setPointSizeF(10)
        title = QFont(base)
        title.setPointSizeF(max(base.pointSizeF() + 2, 12))
        title.setBold(True)
        return base, title

    def _make_axes(self) -> None:
        base, title = self._fonts()
        self.chart.setTitleFont(title)
        self.chart.setTitleBrush(QBrush(NAVY))
        self.axis_x = QCategoryAxis()
        self.axis_x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self.axis_y = QValueAxis()
        self.axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
        self.axis_y.setLabelFormat("%d")
        self.axis_y.setGridLineVisible(False)
        self.axis_bands = QCategoryAxis()
        self.axis_bands.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
        self.axis_bands.setGridLineVisible(False)
        for axis in (self.axis_x, self.axis_y, self.axis_bands):
            axis.setLabelsFont(base)
            axis.setLabelsColor(AXIS_TEXT)
            axis.setLinePen(QPen(GRID, 1))
            axis.setTitleFont(base)
            axis.setTitleBrush(QBrush(AXIS_TEXT))
        self.axis_x.setGridLinePen(QPen(GRID, 1, Qt.PenStyle.DashLine))
        self.chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(self.axis_bands, Qt.AlignmentFlag.AlignRight)

    def _make_series(self) -> None:
        self.line = QLineSeries()
        self.line.setName("Score")
        self.line.setPen(QPen(LINE, 2.5))
        self.points = QScatterSeries()
        self.points.setName("Scores")
        self.points.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        self.points.setColor(LINE)
        self.points.setBorderColor(QColor("#ffffff"))
        self.points.hovered.connect(self._on_hovered)
        self.latest = QScatterSeries()
        self.latest.setName("Latest score")
        self.latest.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        self.latest.setMarkerSize(14)
        self.latest.setColor(NAVY)
        self.latest.setBorderColor(QColor("#ffffff"))
        self.latest.setPointLabelsFormat("@yPoint")
        self.latest.setPointLabelsVisible(True)
        self.latest.setPointLabelsClipping(False)
        label_font, _title = self._fonts()
        label_font.setBold(True)
        self.latest.setPointLabelsFont(label_font)
        self.latest.setPointLabelsColor(NAVY)
        self.latest.hovered.connect(self._on_hovered)
        for series in (self.line, self.points, self.latest):
            self._add(series)

    def _build_bands(self, instrument: Instrument) -> None:
        """Areas and the right-hand band names; only when the instrument changes."""
        key = (instrument.id, instrument.bands, instrument.scoring, instrument.items)
        if key == self._bands_key:
            return
        self._bands_key = key
        for band in self.band_series:
            self.chart.removeSeries(band)
            band.deleteLater()
        self.band_series = []
        for label in list(self.axis_bands.categoriesLabels()):
            self.axis_bands.remove(label)
        low, high = (0, 1)
        if instrument.scoring is not None:
            low, high = score_range(instrument.scoring, {i.link_id: i for i in instrument.items})
        areas = band_areas(instrument)
        front = (self.line, self.points, self.latest)
        for series in front:  # drawn in the order added: bands first, the scores on top
            self.chart.removeSeries(series)
        self.band_series = [self._band_series(area) for area in areas]
        for series in front:
            self._add(series)
        self.axis_bands.setStartValue(float(low))
        for area in areas:
            self.axis_bands.append(area.label, area.high)
        self.axis_bands.setVisible(bool(areas))
        self.axis_y.setRange(float(low), float(high))
        self.axis_bands.setRange(float(low), float(high))
        self.axis_y.setTickAnchor(float(low))
        self.axis_y.setTickInterval(float(nice_step(high - low)))
        self.axis_y.setTitleText(f"Score ({low} to {high})")

    def _band_series(self, area: BandArea) -> QAreaSeries:
        """One band as an area across every date the axis can show (clipped when drawn)."""
        lower, upper = QLineSeries(), QLineSeries()
        far_past, far_future = msecs(datetime(1900, 1, 1)), msecs(datetime(2200, 1, 1))
        lower.append([QPointF(far_past, area.low), QPointF(far_future, area.low)])
        upper.append([QPointF(far_past, area.high), QPointF(far_future, area.high)])
        series = QAreaSeries(upper, lower)
        lower.setParent(series)
        upper.setParent(series)
        series.setName(area.label)
        series.setColor(area.colour)
        series.setBorderColor(BAND_EDGE)
        series.setPen(QPen(BAND_EDGE, 1))
        self._add(series)
        return series

    def _add(self, series: QAreaSeries | QLineSeries | QScatterSeries) -> None:
        self.chart.addSeries(series)
        series.attachAxis(self.axis_x)
        series.attachAxis(self.axis_y)

    # -- showing ----------------------------------------------------------------------

    def set_series(self, instrument: Instrument, points: Sequence[ScoreLike]) -> None:
        """Show these scores (oldest first) of this instrument; an empty list says so."""
        self.instrument = instrument
        name = short_name(instrument)
        self._build_bands(instrument)
        self.chart.setTitle(f"{name} over time")
        if not points:
            self._show_points([])
            self.empty_label.setText(f"No {name} scores yet")
            self._stack.setCurrentWidget(self.empty_label)
            return
        self._show_points(points)
        first, last = points[0].effective_at, points[-1].effective_at
        self._set_time_axis(*time_range(first, last))
        newest = points[-1]
        band = f" ({newest.band})" if newest.band else ""
        self.view.setAccessibleName(f"{name} over time")
        self.view.setAccessibleDescription(
            f"{len(points)} scores from {format_date(_local(first))} to "
            f"{format_date(_local(last))}; latest {newest.value}{band}"
        )
        self._stack.setCurrentWidget(self.view)

    def clear(self) -> None:
        """Forget the scores (the bands, which are the instrument's, are kept for speed)."""
        self.instrument = None
        self._show_points([])
        self._set_time_axis(None, None)
        self.chart.setTitle("")
        self.view.setAccessibleName("Score trend")
        self.view.setAccessibleDescription("")
        self.empty_label.setText(EMPTY_TEXT)
        self._stack.setCurrentWidget(self.empty_label)

    def point_count(self) -> int:
        return int(self.points.count())

    def is_empty(self) -> bool:
        return self._stack.currentWidget() is self.empty_label

    def _show_points(self, points: Sequence[ScoreLike]) -> None:
        xy = [QPointF(msecs(p.effective_at), float(p.value)) for p in points]
        self._by_x = {point.x(): score for point, score in zip(xy, points, strict=True)}
        self.points.setMarkerSize(7 if len(xy) > DENSE else 10)
        self.line.replace(xy)
        self.points.replace(xy)
        self.latest.replace(xy[-1:])

    def _set_time_axis(self, start: datetime | None, end: datetime | None) -> None:
        for label in list(self.axis_x.categoriesLabels()):
            self.axis_x.remove(label)
        if start is None or end is None:
            return
        low, high = msecs(start), msecs(end)
        self.axis_x.setStartValue(low)
        for tick, label in calendar_ticks(start, end):
            self.axis_x.append(label, msecs(tick))
        self.axis_x.setRange(low, high)

    def axis_labels(self) -> list[str]:
        """The date labels shown under the chart (for tests and the accessible summary)."""
        return list(self.axis_x.categoriesLabels())

    def _on_hovered(self, point: QPointF, state: bool) -> None:
        score = self._by_x.get(point.x())
        if not state or score is None:
            QToolTip.hideText()
            return
        band = f", {score.band}" if score.band else ""
        QToolTip.showText(
            QCursor.pos(), f"{format_date(_local(score.effective_at))}: {score.value}{band}"
        )
