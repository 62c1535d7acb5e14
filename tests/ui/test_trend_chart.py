"""The trend chart: one point per current score, the instrument's bands behind, calendar ticks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCharts import QAreaSeries, QLineSeries

from carenav.instruments import get_instrument
from carenav.services import assessments as svc
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.pages.assessment.trend_chart import (
    EMPTY_TEXT,
    TrendChart,
    band_areas,
    band_colour,
    calendar_ticks,
    nice_step,
)

PHQ9 = get_instrument("phq9")
GAD7 = get_instrument("gad7")
START = datetime(2024, 1, 10, 15, tzinfo=UTC)


def phq9_answers(total: int, q9: str = "0") -> dict[str, str]:
    """PHQ-9 answers adding up to ``total`` (items 1-8 carry it), item 9 as given."""
    answers = {f"q{n}": "0" for n in range(1, 10)}
    left = total
    for n in range(1, 9):
        answers[f"q{n}"] = str(min(3, left))
        left -= min(3, left)
    answers["q9"] = q9
    return answers


def sign_phq9(vault: Vault, patient: uuid.UUID, total: int, when: datetime, **extra: Any) -> Any:
    return svc.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=phq9_answers(total), now=when, **extra
    )


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": "Testcase", "given_name": "Ida", "birth_date": date(1941, 4, 5)}
    )


@pytest.fixture
def chart(qtbot: Any) -> TrendChart:
    widget = TrendChart()
    qtbot.addWidget(widget)
    widget.resize(800, 360)
    return widget


def y_values(series: QLineSeries) -> list[float]:
    return [p.y() for p in series.points()]


def bounds(area: QAreaSeries) -> tuple[float, float]:
    lower, upper = area.lowerSeries(), area.upperSeries()
    assert lower is not None and upper is not None
    return lower.points()[0].y(), upper.points()[0].y()


def test_one_point_per_current_score_and_the_bands_behind(
    chart: TrendChart, vault: Vault, patient: uuid.UUID
) -> None:
    for month, total in enumerate((3, 8, 12, 17, 22)):
        sign_phq9(vault, patient, total, START + timedelta(days=31 * month))
    chart.set_series(PHQ9, svc.score_series(vault, patient, "phq9"))

    assert chart.point_count() == 5
    assert y_values(chart.points) == [3, 8, 12, 17, 22]
    assert y_values(chart.line) == [3, 8, 12, 17, 22]
    assert y_values(chart.latest) == [22]
    assert chart.chart.title() == "PHQ-9 over time"
    assert not chart.is_empty()
    assert [s.name() for s in chart.band_series] == [
        "minimal",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
    ]
    assert [bounds(s) for s in chart.band_series] == [
        (0, 4.5),
        (4.5, 9.5),
        (9.5, 14.5),
        (14.5, 19.5),
        (19.5, 27),
    ]
    assert (chart.axis_y.min(), chart.axis_y.max()) == (0, 27)
    assert chart.axis_bands.categoriesLabels() == [s.name() for s in chart.band_series]
    assert "5 scores" in chart.view.accessibleDescription()
    assert "latest 22 (severe)" in chart.view.accessibleDescription()


def test_an_amended_score_replaces_the_original_in_the_trend(
    chart: TrendChart, vault: Vault, patient: uuid.UUID
) -> None:
    sign_phq9(vault, patient, 4, START)
    first = sign_phq9(vault, patient, 6, START + timedelta(days=30))
    sign_phq9(
        vault,
        patient,
        11,
        START + timedelta(days=31),
        amends_id=first.response.id,
        amendment_reason="Item 2 was misheard",
    )
    chart.set_series(PHQ9, svc.score_series(vault, patient, "phq9"))
    assert chart.point_count() == 2
    assert y_values(chart.points) == [4, 11]


def test_no_scores_and_clear_show_the_empty_state(chart: TrendChart) -> None:
    chart.set_series(PHQ9, [])
    assert chart.is_empty()
    assert chart.empty_label.text() == "No PHQ-9 scores yet"
    assert chart.point_count() == 0

    chart.set_series(PHQ9, [svc.ScorePoint(START, 9, "mild", uuid.uuid4())])
    assert not chart.is_empty()
    assert chart.axis_labels()
    chart.clear()
    assert chart.is_empty()
    assert chart.empty_label.text() == EMPTY_TEXT
    assert chart.point_count() == 0 and chart.line.count() == 0 and chart.latest.count() == 0
    assert chart.axis_labels() == []
    assert chart.chart.title() == ""
    assert chart.view.accessibleDescription() == ""


def test_bands_are_built_once_per_instrument(chart: TrendChart) -> None:
    point = [svc.ScorePoint(START, 5, "mild", uuid.uuid4())]
    chart.set_series(PHQ9, point)
    built = list(chart.band_series)
    chart.set_series(PHQ9, point * 1)
    assert chart.band_series == built  # the same series objects: not rebuilt

    chart.set_series(GAD7, point)
    assert [s.name() for s in chart.band_series] == ["minimal", "mild", "moderate", "severe"]
    assert (chart.axis_y.min(), chart.axis_y.max()) == (0, 21)
    assert chart.chart.title() == "GAD-7 over time"
    chart.set_series(PHQ9, point)
    assert len(chart.band_series) == 5
    assert chart.axis_bands.categoriesLabels()[-1] == "severe"
    assert len(chart.chart.series()) == 5 + 3  # bands plus line, points and latest


def test_band_colours_go_from_green_to_soft_red() -> None:
    colours = [a.colour for a in band_areas(PHQ9)]
    first, last = colours[0], colours[-1]
    assert first.green() > first.red()  # green
    assert last.red() > last.green()  # red
    assert len({c.name() for c in colours}) == 5
    assert band_colour(0, 1).name() == first.name()


def test_date_ticks_sit_on_calendar_boundaries() -> None:
    five_years = calendar_ticks(datetime(2021, 3, 1), datetime(2026, 2, 20))
    assert [label for _tick, label in five_years] == ["2022", "2023", "2024", "2025", "2026"]
    assert all((t.month, t.day) == (1, 1) for t, _label in five_years)

    one_year = calendar_ticks(datetime(2025, 1, 20), datetime(2026, 1, 10))
    labels = [label for _tick, label in one_year]
    assert labels == ["Mar 2025", "May 2025", "Jul 2025", "Sep 2025", "Nov 2025", "Jan 2026"]

    weeks = calendar_ticks(datetime(2026, 3, 2), datetime(2026, 4, 10))
    assert weeks[0][1] == "2 Mar"  # a Monday
    assert all(t.weekday() == 0 for t, _label in weeks)
    assert len(weeks) <= 8


def test_score_ticks_are_round_numbers() -> None:
    assert [nice_step(s) for s in (6, 14, 19, 27, 100)] == [1, 2, 5, 5, 20]


def test_five_years_of_weekly_scores_are_shown(chart: TrendChart) -> None:
    points = [
        svc.ScorePoint(START + timedelta(weeks=n), n % 28, "", uuid.uuid4()) for n in range(260)
    ]
    chart.set_series(PHQ9, points)
    chart.show()
    image = chart.grab()
    assert not image.isNull()
    assert chart.point_count() == 260
    assert chart.axis_labels() == ["2024", "2025", "2026", "2027", "2028", "2029"]
