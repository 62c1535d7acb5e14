"""Programme clocks: business days, TCM deadlines and status, CCM minutes and months."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from carenav.followup import (
    Attempt,
    CcmMonth,
    HolidayCalendar,
    ccm_codes,
    days_left_in_month,
    default_calendar,
    minutes_to_next_threshold,
    month_bounds,
    month_of,
    tcm_deadlines,
    tcm_status,
    us_federal_holidays,
)

SetTz = Callable[[str], None]


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetTz]:
    """Set the laptop's time zone for the test (TZ + tzset), restored afterwards."""

    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


CAL = default_calendar(range(2020, 2027))
NY = ZoneInfo("America/New_York")


# --- federal holidays and the observed rule ---------------------------------


def test_new_year_on_saturday_is_observed_on_friday_of_the_previous_year() -> None:
    assert date(2022, 1, 1).weekday() == 5
    assert us_federal_holidays(2021)[date(2021, 12, 31)] == "New Year's Day (observed)"
    assert not any(d.month == 1 and d.day in (1, 3) for d in us_federal_holidays(2022))
    assert all(d.year == 2022 for d in us_federal_holidays(2022))


@pytest.mark.parametrize(
    ("observed", "name"),
    [
        (date(2021, 6, 18), "Juneteenth National Independence Day (observed)"),  # Sat -> Fri
        (date(2021, 7, 5), "Independence Day (observed)"),  # Sun -> Mon
        (date(2021, 12, 24), "Christmas Day (observed)"),  # Sat -> Fri
        (date(2022, 12, 26), "Christmas Day (observed)"),  # Sun -> Mon
        (date(2023, 1, 2), "New Year's Day (observed)"),  # Sun -> Mon
        (date(2023, 11, 10), "Veterans Day (observed)"),  # Sat -> Fri
        (date(2025, 11, 27), "Thanksgiving Day"),
        (date(2025, 9, 1), "Labor Day"),
        (date(2024, 5, 27), "Memorial Day"),
        (date(2025, 1, 20), "Martin Luther King Jr. Day"),
        (date(2025, 2, 17), "Washington's Birthday"),
        (date(2025, 10, 13), "Columbus Day"),
    ],
)
def test_observed_dates(observed: date, name: str) -> None:
    assert us_federal_holidays(observed.year)[observed] == name
    assert not CAL.is_business_day(observed)


def test_each_year_has_eleven_observed_holidays_except_when_new_year_moves_back() -> None:
    assert len(us_federal_holidays(2024)) == 11
    assert len(us_federal_holidays(2021)) == 12  # its own New Year plus 2022's on Dec 31
    assert len(us_federal_holidays(2022)) == 10  # New Year 2022 was observed in 2021
    assert len(us_federal_holidays(2019)) == 10  # before Juneteenth


def test_weekend_actual_holiday_date_is_a_normal_weekend_day() -> None:
    assert date(2022, 12, 25) not in CAL.observed  # Sunday; Monday 26th is observed
    assert CAL.is_business_day(date(2023, 12, 26))  # plain Tuesday
    assert not CAL.is_business_day(date(2025, 11, 29))  # Saturday


# --- adding business days -----------------------------------------------------


@pytest.mark.parametrize(
    ("discharge", "contact_by"),
    [
        (date(2025, 11, 26), date(2025, 12, 1)),  # Wed before Thanksgiving: Fri, then Mon
        (date(2022, 12, 30), date(2023, 1, 4)),  # Fri; New Year observed Mon Jan 2
        (date(2021, 12, 30), date(2022, 1, 4)),  # Thu; Fri Dec 31 is New Year observed
        (date(2025, 8, 29), date(2025, 9, 3)),  # Fri before Labor Day
        (date(2022, 12, 23), date(2022, 12, 28)),  # Christmas on Sunday observed Monday
        (date(2025, 3, 5), date(2025, 3, 7)),  # plain Wednesday
        (date(2025, 3, 8), date(2025, 3, 11)),  # Saturday discharge: Mon, Tue
    ],
)
def test_contact_deadline_is_the_second_business_day_after_discharge(
    discharge: date, contact_by: date
) -> None:
    assert CAL.add_business_days(discharge, 2) == contact_by
    assert CAL.business_days_between(discharge, contact_by) == 2
    assert CAL.business_days_between(contact_by, discharge) == -2


def test_zero_business_days_is_the_start_and_negative_is_refused() -> None:
    assert CAL.add_business_days(date(2025, 3, 8), 0) == date(2025, 3, 8)
    with pytest.raises(ValueError, match="zero or more"):
        CAL.add_business_days(date(2025, 3, 8), -1)


def test_a_calendar_refuses_years_it_has_no_list_for() -> None:
    only_2024 = default_calendar([2024])
    with pytest.raises(ValueError, match="No holiday list for 2025"):
        only_2024.add_business_days(date(2024, 12, 31), 2)


# --- agency holiday lists -------------------------------------------------------


def test_agency_list_adds_its_own_closures() -> None:
    agency = HolidayCalendar.from_lines(
        [
            "# Agency closures 2025",
            "2025-11-27 Thanksgiving Day",
            "2025-11-28 Day after Thanksgiving",
            "",
            "2025-12-01 Staff training day  # whole agency",
        ]
    )
    assert agency.name(date(2025, 11, 28)) == "Day after Thanksgiving"
    assert agency.name(date(2025, 12, 1)) == "Staff training day"
    assert agency.add_business_days(date(2025, 11, 26), 2) == date(2025, 12, 3)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["2025-12-25 Christmas", "25/12/2025 Boxing"], r"line 2: '25/12/2025' is not a date"),
        (["2025-02-30 Nonsense"], "line 1: '2025-02-30' is not a date"),
        (["# header", "2025-12-25"], "line 2: 2025-12-25 has no holiday name"),
        (["2025-12-25 Christmas", "2025-12-25 Christmas again"], "line 2: 2025-12-25 is listed"),
        (["20251225 Christmas"], "line 1: write the date as YYYY-MM-DD"),
        (["# nothing here", ""], "Holiday list is empty"),
    ],
)
def test_agency_list_errors_name_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HolidayCalendar.from_lines(lines)


# --- TCM ------------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=NY)


def test_tcm_deadlines_by_complexity() -> None:
    high = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    assert (high.contact_by, high.face_to_face_by, high.period_ends) == (
        date(2025, 9, 3),
        date(2025, 9, 5),
        date(2025, 9, 27),
    )
    assert high.discharge == date(2025, 8, 29)
    assert high.complexity == "high"
    moderate = tcm_deadlines(date(2025, 8, 29), "moderate", CAL)
    assert moderate.face_to_face_by == date(2025, 9, 12)
    assert moderate.complexity == "moderate"
    with pytest.raises(ValueError, match="'moderate' or 'high'"):
        tcm_deadlines(date(2025, 8, 29), "low", CAL)  # type: ignore[arg-type]


def test_tcm_hours_left_count_to_end_of_the_deadline_day_local(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    status = tcm_status(deadlines, [], None, None, now=at(2, 12))
    assert not status.contact_met
    assert not status.contact_overdue
    assert status.hours_left_for_contact == pytest.approx(36 - 1 / 3600)
    assert status.face_to_face_days_left == 3
    # the same instant given in UTC gives the same answer
    utc = tcm_status(deadlines, [], None, None, now=at(2, 12).astimezone(UTC))
    assert utc.hours_left_for_contact == pytest.approx(status.hours_left_for_contact)


def test_tcm_contact_met_by_a_successful_call(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    status = tcm_status(deadlines, [Attempt(at(2, 10), True)], None, None, now=at(4, 9))
    assert status.contact_met
    assert not status.contact_overdue
    assert status.problems == []


def test_tcm_contact_met_by_two_timely_unsuccessful_attempts(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    attempts = [Attempt(at(2, 10), False), Attempt(at(3, 16), False)]
    status = tcm_status(deadlines, attempts, None, None, now=at(4, 9))
    assert status.contact_met
    assert not status.contact_overdue
    assert any("keep trying" in p for p in status.problems)


def test_tcm_the_same_attempt_entered_twice_counts_once(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    twice = [Attempt(at(2, 10), False), Attempt(at(2, 10).astimezone(UTC), False)]
    status = tcm_status(deadlines, twice, None, None, now=at(4, 9))
    assert not status.contact_met
    assert status.contact_overdue


def test_tcm_one_timely_and_one_late_attempt_do_not_count(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    attempts = [Attempt(at(2, 10), False), Attempt(at(4, 8), False)]
    status = tcm_status(deadlines, attempts, None, None, now=at(4, 9))
    assert not status.contact_met
    assert status.contact_overdue
    assert status.hours_left_for_contact == pytest.approx(-(9 + 1 / 3600))
    assert any("3 Sep 2025" in p and "missed" in p for p in status.problems)
    assert status.billable_code is None
    assert "contact" in status.billing_reason


def test_tcm_late_evening_call_counts_on_its_local_day(local_tz: SetTz) -> None:
    """23:30 in New York on the deadline day is already the next day in UTC."""
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    late_call = at(3, 23, 30).astimezone(UTC)
    assert late_call.day == 4
    status = tcm_status(deadlines, [Attempt(late_call, True)], None, None, now=at(4, 9))
    assert status.contact_met


def test_tcm_contact_before_discharge_does_not_count(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    before = Attempt(datetime(2025, 8, 28, 15, tzinfo=NY), True)
    status = tcm_status(deadlines, [before], None, None, now=at(2, 9))
    assert not status.contact_met


def test_tcm_naive_times_are_refused() -> None:
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    with pytest.raises(ValueError, match="timezone-aware"):
        tcm_status(deadlines, [], None, None, now=datetime(2025, 9, 2, 12))


@pytest.mark.parametrize(
    ("complexity", "seen", "met", "code"),
    [
        ("high", date(2025, 9, 5), True, "99496"),  # day 7
        ("high", date(2025, 9, 8), False, "99495"),  # day 10: only the moderate code
        ("high", date(2025, 9, 13), False, None),  # day 15
        ("moderate", date(2025, 9, 2), True, "99495"),  # early visit, still moderate
        ("moderate", date(2025, 9, 12), True, "99495"),  # day 14
        ("moderate", date(2025, 9, 13), False, None),  # day 15
    ],
)
def test_tcm_face_to_face_window_and_code(
    local_tz: SetTz, complexity: str, seen: date, met: bool, code: str | None
) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), complexity, CAL)  # type: ignore[arg-type]
    status = tcm_status(deadlines, [Attempt(at(2, 10), True)], seen, med_rec_on=seen, now=at(20, 9))
    assert status.face_to_face_met is met
    assert status.face_to_face_overdue is not met
    assert status.med_rec_met
    assert status.billable_code == code


def test_tcm_face_to_face_overdue_when_not_seen(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "high", CAL)
    status = tcm_status(deadlines, [Attempt(at(2, 10), True)], None, None, now=at(6, 9))
    assert status.face_to_face_overdue
    assert status.face_to_face_days_left == -1
    assert any("within 7 days" in p and "5 Sep 2025" in p for p in status.problems)
    assert status.billable_code is None
    assert "not happened" in status.billing_reason


def test_tcm_med_rec_must_be_by_the_face_to_face_visit(local_tz: SetTz) -> None:
    local_tz("America/New_York")
    deadlines = tcm_deadlines(date(2025, 8, 29), "moderate", CAL)
    contact = [Attempt(at(2, 10), True)]
    late = tcm_status(deadlines, contact, date(2025, 9, 4), date(2025, 9, 5), now=at(8, 9))
    assert not late.med_rec_met
    assert late.billable_code is None
    assert "medication" in late.billing_reason
    missing = tcm_status(deadlines, contact, date(2025, 9, 4), None, now=at(8, 9))
    assert not missing.med_rec_met
    assert any("Medication reconciliation is missing" in p for p in missing.problems)
    early = tcm_status(deadlines, contact, None, date(2025, 9, 1), now=at(2, 12))
    assert early.med_rec_met
    same_day = tcm_status(deadlines, contact, date(2025, 9, 4), date(2025, 9, 4), now=at(8, 9))
    assert same_day.med_rec_met
    assert same_day.billable_code == "99495"


# --- CCM ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "codes"),
    [
        (0, []),
        (19, []),
        (20, [("99490", 1)]),
        (39, [("99490", 1)]),
        (40, [("99490", 1), ("99439", 1)]),
        (59, [("99490", 1), ("99439", 1)]),
        (60, [("99490", 1), ("99439", 2)]),
        (95, [("99490", 1), ("99439", 2)]),  # CMS allows two add-ons a month
    ],
)
def test_ccm_staff_codes(staff: int, codes: list[tuple[str, int]]) -> None:
    assert ccm_codes(CcmMonth("2025-03", staff, 0), complex=False) == codes


@pytest.mark.parametrize(
    ("staff", "clinician", "codes"),
    [
        (0, 19, []),
        (0, 29, [("99490", 1)]),  # under 30 practitioner minutes count as staff time
        (10, 10, [("99490", 1)]),  # practitioner time counts as staff time below 30
        (0, 30, [("99491", 1)]),
        (0, 59, [("99491", 1)]),
        (0, 60, [("99491", 1), ("99437", 1)]),
        (0, 90, [("99491", 1), ("99437", 2)]),
        (50, 30, [("99491", 1)]),  # 99491 is not reported in the same month as 99490
    ],
)
def test_ccm_clinician_codes(staff: int, clinician: int, codes: list[tuple[str, int]]) -> None:
    assert ccm_codes(CcmMonth("2025-03", staff, clinician), complex=False) == codes


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [
        (20, []),
        (59, []),
        (60, [("99487", 1)]),
        (89, [("99487", 1)]),
        (90, [("99487", 1), ("99489", 1)]),
        (150, [("99487", 1), ("99489", 3)]),
    ],
)
def test_ccm_complex_codes(minutes: int, codes: list[tuple[str, int]]) -> None:
    assert ccm_codes(CcmMonth("2025-03", minutes, 0), complex=True) == codes
    assert ccm_codes(CcmMonth("2025-03", minutes - 20, 20), complex=True) == codes


@pytest.mark.parametrize(
    ("staff", "clinician", "complex_", "expected"),
    [
        (5, 0, False, ("99490", 15)),
        (20, 0, False, ("99439", 20)),
        (45, 0, False, ("99439", 15)),
        (60, 0, False, None),
        (0, 40, False, ("99437", 20)),
        (45, 0, True, ("99487", 15)),
        (70, 0, True, ("99489", 20)),
    ],
)
def test_ccm_minutes_to_next_threshold(
    staff: int, clinician: int, complex_: bool, expected: tuple[str, int] | None
) -> None:
    month = CcmMonth("2025-03", staff, clinician)
    assert minutes_to_next_threshold(month, complex=complex_) == expected


def test_ccm_month_validation() -> None:
    with pytest.raises(ValueError, match="2025-03"):
        CcmMonth("2025-3", 10, 0)
    with pytest.raises(ValueError, match="2025-03"):
        CcmMonth("2025-13", 10, 0)
    with pytest.raises(ValueError, match="negative"):
        CcmMonth("2025-03", -1, 0)


@pytest.mark.parametrize(
    ("today", "left"),
    [(date(2025, 1, 31), 1), (date(2025, 1, 1), 31), (date(2024, 2, 10), 20)],
)
def test_days_left_in_month(today: date, left: int) -> None:
    assert days_left_in_month(today) == left


def test_month_bounds_follow_the_laptop_zone(local_tz: SetTz) -> None:
    local_tz("America/Los_Angeles")
    start, end = month_bounds("2025-01")
    assert start == datetime(2025, 1, 1, 8, tzinfo=UTC)
    assert end == datetime(2025, 2, 1, 8, tzinfo=UTC)
    late_call = datetime(2025, 1, 31, 23, 30).astimezone()  # 07:30 UTC on 1 Feb
    assert late_call.astimezone(UTC).month == 2
    assert start <= late_call < end
    assert month_of(late_call) == "2025-01"
    assert month_of(late_call.astimezone(UTC)) == "2025-01"


def test_month_bounds_across_daylight_saving_and_year_end(local_tz: SetTz) -> None:
    local_tz("America/Los_Angeles")
    start, end = month_bounds("2025-03")  # PST at the start, PDT at the end
    assert (start, end) == (
        datetime(2025, 3, 1, 8, tzinfo=UTC),
        datetime(2025, 4, 1, 7, tzinfo=UTC),
    )
    assert end - start == timedelta(days=31, hours=-1)
    assert month_bounds("2025-12")[1] == datetime(2026, 1, 1, 8, tzinfo=UTC)


def test_month_bounds_with_an_explicit_zone_east_of_utc(local_tz: SetTz) -> None:
    local_tz("America/Los_Angeles")  # ignored when tz is given
    start, end = month_bounds("2025-07", ZoneInfo("Australia/Sydney"))
    assert start == datetime(2025, 6, 30, 14, tzinfo=UTC)
    assert end == datetime(2025, 7, 31, 14, tzinfo=UTC)
    assert month_of(datetime(2025, 6, 30, 15, tzinfo=UTC), ZoneInfo("Australia/Sydney")) == (
        "2025-07"
    )
