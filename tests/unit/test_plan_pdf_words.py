"""The printed plan's word files and the medicine-time parser."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from carenav.export.printing.i18n import (
    TRANSLATIONS,
    TranslationError,
    available_languages,
    translator,
)
from carenav.export.printing.schedule import dose_times


def test_english_and_spanish_have_the_same_keys() -> None:
    en = json.loads((TRANSLATIONS / "en.json").read_text("utf-8"))
    es = json.loads((TRANSLATIONS / "es.json").read_text("utf-8"))
    assert set(en) == set(es)
    assert available_languages() == {"en": "English", "es": "Español"}


def test_dates_follow_the_language() -> None:
    day = date(2026, 12, 3)
    assert translator("en").date(day) == "December 3, 2026"
    assert translator("es").date(day) == "3 de diciembre de 2026"
    assert translator("es").weekday_date(day) == "jueves 3 de diciembre"
    moment = datetime(2026, 12, 3, 14, 5)
    assert translator("en").time(moment) == "2:05 PM"
    assert translator("es").time(moment) == "14:05"


def test_a_third_language_is_a_dropped_file_and_missing_keys_fall_back(tmp_path: Path) -> None:
    folder = tmp_path / "translations"
    folder.mkdir()
    (folder / "en.json").write_text((TRANSLATIONS / "en.json").read_text("utf-8"), "utf-8")
    (folder / "fr.json").write_text(
        json.dumps({"language_name": "Français", "plan_heading": "Mon plan de soins"}), "utf-8"
    )
    assert available_languages(folder) == {"en": "English", "fr": "Français"}
    fr = translator("fr", folder)
    assert fr("plan_heading") == "Mon plan de soins"
    assert fr("footer") == "Confidential health information"  # not translated: English
    assert fr.date(date(2026, 1, 2)) == "January 2, 2026"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ("[1, 2]", "must hold one JSON object"),
        ('{"footer": 3}', "the value of 'footer' must be text"),
        ('{"months": ["only one"]}', "'months' must be a list of 12 names"),
    ],
)
def test_a_broken_file_is_reported_clearly(tmp_path: Path, content: str, says: str) -> None:
    folder = tmp_path / "translations"
    folder.mkdir()
    (folder / "en.json").write_text((TRANSLATIONS / "en.json").read_text("utf-8"), "utf-8")
    (folder / "de.json").write_text(content, "utf-8")
    with pytest.raises(TranslationError) as caught:
        translator("de", folder)
    assert "de.json" in str(caught.value) and says in str(caught.value)


def test_an_unknown_language_names_the_ones_there_are() -> None:
    with pytest.raises(TranslationError) as caught:
        translator("xx")
    assert "Available: en, es" in str(caught.value)


@pytest.mark.parametrize(
    ("frequency", "slots"),
    [
        ("Once daily", ("morning",)),
        ("once a day", ("morning",)),
        ("Every morning", ("morning",)),
        ("Once daily before breakfast", ("morning",)),
        ("Once daily in the evening", ("evening",)),
        ("At bedtime", ("bedtime",)),
        ("QHS", ("bedtime",)),
        ("Once daily at bedtime", ("bedtime",)),
        ("Twice daily", ("morning", "evening")),
        ("twice daily with food", ("morning", "evening")),
        ("BID", ("morning", "evening")),
        ("b.i.d.", ("morning", "evening")),
        ("Three times a day", ("morning", "midday", "evening")),
        ("TID", ("morning", "midday", "evening")),
        ("Four times daily", ("morning", "midday", "evening", "bedtime")),
        ("morning and bedtime", ("morning", "bedtime")),
    ],
)
def test_known_frequencies_give_times_of_day(frequency: str, slots: tuple[str, ...]) -> None:
    times = dose_times(frequency)
    assert times.slots == slots and not times.as_needed


@pytest.mark.parametrize(
    "frequency",
    ["", "Once a week, same day each week", "every 8 hours", "q8h", "take with water",
     "every other day", "every third full moon"],
)  # fmt: skip
def test_unknown_or_not_daily_frequencies_are_not_guessed(frequency: str) -> None:
    times = dose_times(frequency)
    assert times.slots == () and not times.known


@pytest.mark.parametrize(
    "frequency",
    ["As needed for pain", "2 puffs every 4 to 6 hours as needed", "At bedtime as needed", "PRN"],
)
def test_as_needed_is_marked_and_gets_no_times(frequency: str) -> None:
    times = dose_times(frequency)
    assert times.as_needed and times.slots == ()
