"""The holidays the business-day clocks skip: the agency's own list, else US federal ones.

Transitional care asks for a contact by the end of the second business day after a
discharge. Business days skip weekends and holidays: the US federal holidays (observed)
by default, or the agency's own list, a text file with one ``YYYY-MM-DD name`` a line
(blank lines and ``#`` comments allowed), for instance::

    2026-11-26 Thanksgiving Day
    2026-11-27 Day after Thanksgiving

**The agency list replaces the federal list for the years it covers** (a year is covered
when the file lists at least one day in it): an agency that closes on the day after
Thanksgiving but works on Columbus Day lists exactly its own days off. For a year the
file does not cover, the US federal holidays are used, so a list written for this year
never leaves next January's clocks counting New Year's Day as a working day.

The list in force is process-wide (the window applies File > Settings at unlock and on
saving; the command line's ``--holidays FILE`` applies for one command). A file that
cannot be read never stops anything: the caller keeps the federal list and says why.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from carenav.errors import InvalidInput
from carenav.followup.business_days import HolidayCalendar, us_federal_holidays

MAX_FILE_BYTES = 256 * 1024  # a holiday list is a few hundred bytes a year
FEDERAL_ONLY = "No agency list: the US federal holidays are used."

_lock = threading.Lock()
_agency: HolidayCalendar | None = None
_years: dict[int, dict[date, str]] = {}  # the holidays in force per year (cache)


def load_holiday_list(path: Path | str, *, field: str = "holidays") -> HolidayCalendar:
    """Read an agency holiday list. Raises InvalidInput({field: what to fix}) when it
    cannot be used; a bad line is named by its number."""
    file = Path(path).expanduser()
    try:
        if file.is_dir():
            raise InvalidInput({field: f"{file} is a folder; choose the holiday list file in it."})
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(
                {field: f"{file} is too large to be a holiday list; choose the text file."}
            )
        text = file.read_text("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(
            {field: f"There is no file at {file}; choose the holiday list file again."}
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            {
                field: f"{file} is not a plain text file; save the list as text (UTF-8) "
                "with one 'YYYY-MM-DD name' a line."
            }
        ) from None
    except OSError as exc:
        reason = exc.strerror or "it could not be opened"
        raise InvalidInput(
            {field: f"{file} could not be read ({reason}); check it and choose it again."}
        ) from None
    try:
        return HolidayCalendar.from_lines(text.splitlines())
    except ValueError as exc:
        raise InvalidInput({field: f"{exc}."}) from None


def set_agency_holidays(calendar: HolidayCalendar | None) -> None:
    """Use ``calendar`` for the years it covers from now on (None: federal holidays only)."""
    global _agency
    with _lock:
        _agency = calendar
        _years.clear()


def agency_holidays() -> HolidayCalendar | None:
    return _agency


@contextmanager
def using(calendar: HolidayCalendar | None) -> Iterator[None]:
    """Apply ``calendar`` for the duration of a block (one command), then put back the old."""
    before = _agency
    set_agency_holidays(calendar)
    try:
        yield
    finally:
        set_agency_holidays(before)


def _holidays_of(year: int) -> dict[date, str]:
    with _lock:
        cached = _years.get(year)
        if cached is None:
            agency = _agency
            if agency is not None and agency.years is not None and year in agency.years:
                cached = {d: n for d, n in agency.names.items() if d.year == year}
            else:
                cached = us_federal_holidays(year)
            _years[year] = cached
        return cached


def calendar_for(day: date) -> HolidayCalendar:
    """The holidays around ``day`` (the year before to the year after: the clocks never run
    longer than a month): the agency's for the years its list covers, federal otherwise."""
    years = range(day.year - 1, day.year + 2)
    names: dict[date, str] = {}
    for year in years:
        names.update(_holidays_of(year))
    return HolidayCalendar(frozenset(names), names, frozenset(years))


def covered_years(calendar: HolidayCalendar) -> dict[int, int]:
    """{year: how many days off the list gives that year}, in year order."""
    counts: dict[int, int] = {}
    for day in sorted(calendar.observed):
        counts[day.year] = counts.get(day.year, 0) + 1
    return counts


def describe(calendar: HolidayCalendar) -> str:
    """What a list gives, e.g. "Holidays for 2026 (12 days), 2027 (11 days). The US
    federal holidays are used for other years." """
    years = ", ".join(
        f"{year} ({count} day{'s' if count != 1 else ''})"
        for year, count in covered_years(calendar).items()
    )
    return f"Holidays for {years}. The US federal holidays are used for other years."


def holiday_file_status(path: str) -> tuple[str, bool]:
    """What a holiday-list setting gives, or why it cannot be used; True if a problem."""
    if not path.strip():
        return FEDERAL_ONLY, False
    try:
        calendar = load_holiday_list(path.strip())
    except InvalidInput as exc:
        return (
            f"{next(iter(exc.errors.values()))} Until then the US federal holidays are used.",
            True,
        )
    return describe(calendar), False


def apply_holiday_file(path: str) -> str:
    """Use the list at ``path`` ("" = none). Returns "" when all is well, else the problem
    (the federal holidays are then used): the caller shows it, nothing stops."""
    if not path.strip():
        set_agency_holidays(None)
        return ""
    try:
        calendar = load_holiday_list(path.strip())
    except InvalidInput as exc:
        set_agency_holidays(None)
        reason = next(iter(exc.errors.values()))
        return f"The agency holiday list was not used: {reason} The US federal holidays are used."
    set_agency_holidays(calendar)
    return ""
