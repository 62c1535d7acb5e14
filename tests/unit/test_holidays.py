"""The agency holiday list: it replaces the US federal holidays for the years it covers,
the federal ones are used for other years, and a bad file is named by its line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from carenav import cli
from carenav.errors import InvalidInput
from carenav.followup.tcm import tcm_deadlines
from carenav.services import holidays, transitions
from carenav.services.holidays import (
    FEDERAL_ONLY,
    agency_holidays,
    apply_holiday_file,
    calendar_for,
    holiday_file_status,
    load_holiday_list,
    set_agency_holidays,
)
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
THANKSGIVING_WEDNESDAY = date(2026, 11, 25)  # discharged the day before Thanksgiving

AGENCY_2026 = """\
# Sunrise Home Care closures, 2026
2026-01-01 New Year's Day
2026-05-25 Memorial Day
2026-07-03 Independence Day (observed)
2026-09-07 Labor Day
2026-11-26 Thanksgiving Day
2026-11-27 Day after Thanksgiving
2026-12-24 Christmas Eve
2026-12-25 Christmas Day
"""


@pytest.fixture(autouse=True)
def _federal_afterwards() -> Iterator[None]:
    """The list in force is process-wide: every test leaves the federal list behind."""
    set_agency_holidays(None)
    yield
    set_agency_holidays(None)


@pytest.fixture
def agency_file(tmp_path: Path) -> Path:
    path = tmp_path / "agency-holidays.txt"
    path.write_text(AGENCY_2026, "utf-8")
    return path


def contact_by(discharge: date) -> date:
    return tcm_deadlines(discharge, "moderate", transitions.calendar_for(discharge)).contact_by


# -- the calendar in force ------------------------------------------------------------


def test_federal_holidays_by_default() -> None:
    assert agency_holidays() is None
    calendar = calendar_for(THANKSGIVING_WEDNESDAY)
    assert not calendar.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert calendar.is_business_day(date(2026, 11, 27))  # the day after: a federal workday
    assert not calendar.is_business_day(date(2026, 10, 12))  # Columbus Day
    # Thursday is a holiday; Friday is day 1, Monday day 2
    assert contact_by(THANKSGIVING_WEDNESDAY) == date(2026, 11, 30)


def test_the_agency_list_replaces_the_federal_one_for_the_years_it_covers(
    agency_file: Path,
) -> None:
    set_agency_holidays(load_holiday_list(agency_file))
    calendar = calendar_for(THANKSGIVING_WEDNESDAY)
    assert not calendar.is_business_day(date(2026, 11, 27))  # the agency's day after
    assert not calendar.is_business_day(date(2026, 12, 24))
    assert calendar.is_business_day(date(2026, 10, 12))  # Columbus Day: the agency works
    assert calendar.is_business_day(date(2026, 11, 11))  # Veterans Day: the agency works
    assert calendar.name(date(2026, 11, 27)) == "Day after Thanksgiving"
    # Thursday and Friday are off: Monday is day 1, Tuesday day 2
    assert contact_by(THANKSGIVING_WEDNESDAY) == date(2026, 12, 1)
    # the deadline through the transitions service is the same one
    assert transitions.calendar_for(THANKSGIVING_WEDNESDAY) == calendar


def test_years_the_list_does_not_cover_use_the_federal_holidays(agency_file: Path) -> None:
    set_agency_holidays(load_holiday_list(agency_file))
    calendar = calendar_for(date(2026, 12, 30))
    assert not calendar.is_business_day(date(2027, 1, 1))  # federal New Year's Day, 2027
    assert not calendar.is_business_day(date(2025, 11, 27))  # federal Thanksgiving, 2025
    assert calendar.is_business_day(date(2025, 11, 28))  # the day after, 2025: federal list
    assert not calendar.is_business_day(date(2027, 1, 18))  # Martin Luther King Jr. Day 2027
    # discharged Wednesday 30 December 2026: Thursday 31 is day 1, Friday 1 January a
    # holiday (federal: 2027 is not in the agency's list), Monday 4 January day 2
    assert contact_by(date(2026, 12, 30)) == date(2027, 1, 4)


def test_clearing_the_list_goes_back_to_federal(agency_file: Path) -> None:
    set_agency_holidays(load_holiday_list(agency_file))
    assert contact_by(THANKSGIVING_WEDNESDAY) == date(2026, 12, 1)
    set_agency_holidays(None)
    assert contact_by(THANKSGIVING_WEDNESDAY) == date(2026, 11, 30)


def test_using_puts_back_the_list_in_force(agency_file: Path) -> None:
    agency = load_holiday_list(agency_file)
    with holidays.using(agency):
        assert agency_holidays() is agency
    assert agency_holidays() is None


def test_the_open_episode_clock_counts_the_agency_day_off(vault: Vault, agency_file: Path) -> None:
    patient = create_patient(
        vault, {"family_name": "Abernathy", "given_name": "Ruth", "birth_date": "1941-02-03"}
    )
    transitions.add_discharge(
        vault, patient, {"discharge_date": THANKSGIVING_WEDNESDAY, "complexity": "moderate"}
    )
    now = datetime(2026, 11, 28, 15, tzinfo=UTC)
    (before,) = transitions.open_episodes(vault, now=now)
    assert before.deadlines.contact_by == date(2026, 11, 30)
    set_agency_holidays(load_holiday_list(agency_file))
    (after,) = transitions.open_episodes(vault, now=now)
    assert after.deadlines.contact_by == date(2026, 12, 1)


# -- reading the file -------------------------------------------------------------------


def _problem(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "list.txt"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_holiday_list(path)
    return caught.value.errors["holidays"]


def test_a_bad_line_is_named_by_its_number(tmp_path: Path) -> None:
    text = "# closures\n2026-11-26 Thanksgiving Day\n\n2026-13-01 Not a month\n"
    message = _problem(tmp_path, text)
    assert message.startswith("Holiday list line 4:")
    assert "YYYY-MM-DD" in message
    assert "line 2:" in _problem(tmp_path, "2026-11-26 Thanksgiving\n2026-11-27\n")
    assert "no holiday name" in _problem(tmp_path, "2026-11-26 Thanksgiving\n2026-11-27\n")
    twice = _problem(tmp_path, "2026-11-26 Thanksgiving\n2026-11-26 Again\n")
    assert "line 2" in twice and "twice" in twice
    assert "line 1" in _problem(tmp_path, "26-11-2026 Thanksgiving\n")


def test_unusable_files_say_what_to_do(tmp_path: Path) -> None:
    assert "empty" in _problem(tmp_path, "# nothing yet\n\n")
    assert "plain text" in _problem(tmp_path, b"\xff\xfe\x00\x81binary")
    with pytest.raises(InvalidInput) as caught:
        load_holiday_list(tmp_path / "missing.txt", field="--holidays")
    assert "There is no file at" in caught.value.errors["--holidays"]
    with pytest.raises(InvalidInput) as caught:
        load_holiday_list(tmp_path)
    assert "is a folder" in caught.value.errors["holidays"]


def test_a_byte_order_mark_and_comments_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_text("\ufeff2027-11-26 Thanksgiving Day  # closed\n", "utf-8")
    calendar = load_holiday_list(path)
    assert calendar.name(date(2027, 11, 26)) == "Thanksgiving Day"


# -- what the settings page shows, and applying a broken file ---------------------------


def test_the_status_names_the_years_or_the_problem(agency_file: Path, tmp_path: Path) -> None:
    assert holiday_file_status("") == (FEDERAL_ONLY, False)
    agency_file.write_text(AGENCY_2026 + "2027-01-01 New Year's Day\n", "utf-8")
    text, problem = holiday_file_status(str(agency_file))
    assert not problem
    assert text == (
        "Holidays for 2026 (8 days), 2027 (1 day). "
        "The US federal holidays are used for other years."
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("2026-11-26 Thanksgiving\nnext friday Day after\n", "utf-8")
    text, problem = holiday_file_status(str(bad))
    assert problem
    assert text.startswith("Holiday list line 2:")
    assert text.endswith("Until then the US federal holidays are used.")


def test_a_broken_file_leaves_the_federal_list_in_force(agency_file: Path) -> None:
    assert apply_holiday_file(str(agency_file)) == ""
    assert agency_holidays() is not None
    agency_file.write_text("2026-11-27 Day after Thanksgiving\n2026-02-30 Leap day\n", "utf-8")
    problem = apply_holiday_file(str(agency_file))
    assert problem.startswith("The agency holiday list was not used: Holiday list line 2:")
    assert problem.endswith("The US federal holidays are used.")
    assert agency_holidays() is None
    assert contact_by(THANKSGIVING_WEDNESDAY) == date(2026, 11, 30)
    assert apply_holiday_file("") == "" and agency_holidays() is None


# -- the command line ---------------------------------------------------------------------


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    code = cli.main([*argv, "--passphrase-stdin"])
    out, err = capsys.readouterr()
    return code, out, err


def test_discharge_add_and_worklist_take_the_agency_list(
    vault_path: Path,
    agency_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    patient = create_patient(
        vault, {"family_name": "Okonjo", "given_name": "Samuel", "birth_date": "1950-04-05"}
    )
    vault.close()
    add = ("discharge", "add", "--vault", str(vault_path), "--patient", str(patient))
    add += ("--date", "2026-11-25", "--complexity", "high")
    code, out, err = run(monkeypatch, capsys, *add)
    assert code == 0, err
    assert json.loads(out)["contact_by"] == "2026-11-30"
    code, out, err = run(monkeypatch, capsys, *add, "--holidays", str(agency_file))
    assert code == 0, err
    assert json.loads(out)["contact_by"] == "2026-12-01"
    assert agency_holidays() is None  # one command's list does not stay behind

    listed = ("worklist", "--vault", str(vault_path), "--date", "2026-11-27", "--json")
    code, out, err = run(monkeypatch, capsys, *listed, "--holidays", str(agency_file))
    assert code == 0, err
    clocks = [row for row in json.loads(out) if row["kind"] == "transition"]
    assert clocks and {row["contact_by"] for row in clocks} == {"2026-12-01"}

    bad = tmp_path / "bad.txt"
    bad.write_text("2026-11-26 Thanksgiving\n2026-11-31 Not a day\n", "utf-8")
    code, out, err = run(monkeypatch, capsys, *listed, "--holidays", str(bad))
    assert (code, out) == (5, "")
    assert "--holidays" in err and "line 2" in err
