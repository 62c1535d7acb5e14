"""Business days for programme clocks: US federal holidays and an agency's own list.

The federal holidays are computed by rule (5 U.S.C. 6103) with the OPM
"observed" rule for full-time staff on a Monday-to-Friday week: a holiday that
falls on a Saturday is observed on the Friday before, one on a Sunday on the
Monday after. New Year's Day on a Saturday is therefore observed on Friday
31 December of the *previous* year, and that date belongs to the previous
year's set (every key of ``us_federal_holidays(y)`` lies in year ``y``).

Juneteenth is included from 2021, the year it became a federal holiday.
Inauguration Day (Washington DC area only) is not included.

Agencies that close on other days (the day after Thanksgiving, Christmas Eve)
load their own list with :meth:`HolidayCalendar.from_lines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

_MONDAY, _THURSDAY, _SATURDAY, _SUNDAY = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _actual_holidays(year: int) -> list[tuple[date, str]]:
    """The legal holiday dates of ``year`` (before the observed rule)."""
    days = [
        (date(year, 1, 1), "New Year's Day"),
        (_nth_weekday(year, 1, _MONDAY, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, _MONDAY, 3), "Washington's Birthday"),
        (_last_weekday(year, 5, _MONDAY), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, _MONDAY, 1), "Labor Day"),
        (_nth_weekday(year, 10, _MONDAY, 2), "Columbus Day"),
        (date(year, 11, 11), "Veterans Day"),
        (_nth_weekday(year, 11, _THURSDAY, 4), "Thanksgiving Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]
    if year >= 2021:
        days.append((date(year, 6, 19), "Juneteenth National Independence Day"))
    return sorted(days)


def _observed(day: date) -> date:
    if day.weekday() == _SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == _SUNDAY:
        return day + timedelta(days=1)
    return day


def us_federal_holidays(year: int) -> dict[date, str]:
    """Observed federal holidays falling in ``year``: {observed date: name}.

    A shifted holiday is named "... (observed)". New Year's Day of ``year + 1``
    is included when it is observed on 31 December of ``year``.
    """
    result: dict[date, str] = {}
    for day, name in [*_actual_holidays(year), *_actual_holidays(year + 1)[:1]]:
        observed = _observed(day)
        if observed.year == year:
            result[observed] = name if observed == day else f"{name} (observed)"
    return dict(sorted(result.items()))


@dataclass(frozen=True)
class HolidayCalendar:
    """Days off that do not count as business days (besides Saturdays and Sundays).

    ``years`` are the years the list is known to be complete for; asking about a
    day in another year raises ``ValueError`` rather than silently treating a
    holiday as a working day. ``years=None`` turns the check off.
    """

    observed: frozenset[date]
    names: Mapping[date, str] = field(default_factory=dict, hash=False, compare=False)
    years: frozenset[int] | None = None

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> HolidayCalendar:
        """Parse an agency list: one "YYYY-MM-DD name" a line; blanks and # comments skipped."""
        names: dict[date, str] = {}
        for number, raw in enumerate(lines, start=1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            stamp, _, name = text.partition(" ")
            try:
                day = date.fromisoformat(stamp)
            except ValueError:
                raise ValueError(
                    f"Holiday list line {number}: {stamp!r} is not a date; "
                    "write YYYY-MM-DD then the holiday's name, e.g. 2025-12-25 Christmas Day"
                ) from None
            if len(stamp) != 10:
                raise ValueError(f"Holiday list line {number}: write the date as YYYY-MM-DD")
            if not name.strip():
                raise ValueError(f"Holiday list line {number}: {stamp} has no holiday name")
            if day in names:
                raise ValueError(f"Holiday list line {number}: {stamp} is listed twice")
            names[day] = name.strip()
        if not names:
            raise ValueError("Holiday list is empty: add one 'YYYY-MM-DD name' line per holiday")
        return cls(frozenset(names), names, frozenset(d.year for d in names))

    def name(self, day: date) -> str | None:
        return self.names.get(day)

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not an observed holiday."""
        if self.years is not None and day.year not in self.years:
            raise ValueError(
                f"No holiday list for {day.year}; add that year's holidays to the calendar"
            )
        return day.weekday() < _SATURDAY and day not in self.observed

    def add_business_days(self, start: date, n: int) -> date:
        """The n-th business day after ``start``, not counting ``start`` (n=0 gives start)."""
        if n < 0:
            raise ValueError("n must be zero or more")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_business_day(day):
                n -= 1
        return day

    def business_days_between(self, a: date, b: date) -> int:
        """Business days d with a < d <= b (negative when b is before a).

        So ``business_days_between(a, add_business_days(a, n)) == n``.
        """
        if b < a:
            return -self.business_days_between(b, a)
        return sum(
            1 for k in range(1, (b - a).days + 1) if self.is_business_day(a + timedelta(days=k))
        )


def default_calendar(years: Iterable[int]) -> HolidayCalendar:
    """US federal holidays (observed) for ``years``."""
    wanted = frozenset(years)
    names: dict[date, str] = {}
    for year in sorted(wanted):
        names.update(us_federal_holidays(year))
    return HolidayCalendar(frozenset(names), names, wanted)
