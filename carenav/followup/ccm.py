"""Chronic care management (CCM) minutes per calendar month and the codes they reach.

Source: CMS MLN909188 "Chronic Care Management Services" booklet (2024 and
later code set), as summarised in the reference notes section 2b, and CPT
care-management guidance quoted by Medicare coding sites.

Rules as implemented:

- The service period is one calendar month in the laptop's local time.
- Non-complex CCM, clinical-staff time directed by the billing practitioner:
  99490 for the first 20 minutes, +99439 for each additional full 20 minutes,
  at most 2 units of 99439 a month (CMS frequency limit; 60 minutes in all).
- Non-complex CCM, time the physician or other qualified health professional
  spends personally: 99491 for the first 30 minutes, +99437 for each
  additional full 30 minutes. CPT says 99491 is not reported in the same month
  as 99490 (or 99487/99489), so when the clinician reaches 30 minutes the
  clinician codes are reported and the staff codes are not.
- Complex CCM (moderate or high complexity medical decision making): 99487 for
  the first 60 minutes, +99489 for each additional full 30 minutes.
- Time below a threshold is never rounded up: CCM time must be met in full,
  the CPT "midpoint" rule for timed codes does not apply.

Unsure, and decided here:

- Whether clinician minutes (under 30) may count toward the clinical-staff
  codes: CPT lets a practitioner's time count as clinical-staff time when the
  practitioner does clinical-staff work, so staff and clinician minutes are
  added for 99490/99439 and for 99487/99489. A practice that does not count
  them can pass ``clinician_minutes=0``.
- No monthly cap is applied to 99437 or 99489; the booklet does not state one
  that we could verify. Medicare's unit limits (MUEs) change yearly.
- Consent, the initiating visit and "one practitioner per month" are checked
  elsewhere, not here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

STAFF_FIRST, STAFF_EACH, STAFF_MAX_ADDONS = 20, 20, 2
CLINICIAN_FIRST, CLINICIAN_EACH = 30, 30
COMPLEX_FIRST, COMPLEX_EACH = 60, 30
# the programme codes on a patient's chart (carenav.models.codes.PROGRAMS) that mean CCM
CCM, CCM_COMPLEX = "ccm", "ccm_complex"
CCM_PROGRAMS = frozenset({CCM, CCM_COMPLEX})


def first_threshold(complex: bool) -> int:
    """The minutes a month needs before its first code (staff time; 60 for complex care)."""
    return COMPLEX_FIRST if complex else STAFF_FIRST


_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _parse_month(month: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(month)
    if match is None:
        raise ValueError(f"month must look like 2025-03, not {month!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class CcmMonth:
    """Care-management minutes logged for one patient in one calendar month ('YYYY-MM')."""

    month: str
    staff_minutes: int = 0
    clinician_minutes: int = 0

    def __post_init__(self) -> None:
        _parse_month(self.month)
        if self.staff_minutes < 0 or self.clinician_minutes < 0:
            raise ValueError("minutes cannot be negative")


def _units(minutes: int, first: int, each: int, max_addons: int | None) -> tuple[int, int]:
    """(first-code units 0 or 1, add-on units) for ``minutes``."""
    if minutes < first:
        return 0, 0
    addons = (minutes - first) // each
    return 1, addons if max_addons is None else min(addons, max_addons)


def ccm_codes(month: CcmMonth, complex: bool) -> list[tuple[str, int]]:
    """The CPT codes and units the month's minutes reach, e.g. [("99490", 1), ("99439", 2)]."""
    total = month.staff_minutes + month.clinician_minutes
    if complex:
        base, addons = _units(total, COMPLEX_FIRST, COMPLEX_EACH, None)
        codes = ("99487", "99489")
    elif month.clinician_minutes >= CLINICIAN_FIRST:
        base, addons = _units(month.clinician_minutes, CLINICIAN_FIRST, CLINICIAN_EACH, None)
        codes = ("99491", "99437")
    else:
        base, addons = _units(total, STAFF_FIRST, STAFF_EACH, STAFF_MAX_ADDONS)
        codes = ("99490", "99439")
    result = [(codes[0], base)] if base else []
    if addons:
        result.append((codes[1], addons))
    return result


def minutes_to_next_threshold(month: CcmMonth, complex: bool) -> tuple[str, int] | None:
    """(code, minutes still needed) for the next billable unit; None when no more can be billed.

    For non-complex CCM this follows whichever family :func:`ccm_codes` uses.
    """
    total = month.staff_minutes + month.clinician_minutes
    if complex:
        minutes, first, each, cap, codes = (
            total,
            COMPLEX_FIRST,
            COMPLEX_EACH,
            None,
            ("99487", "99489"),
        )
    elif month.clinician_minutes >= CLINICIAN_FIRST:
        minutes, first, each, cap = month.clinician_minutes, CLINICIAN_FIRST, CLINICIAN_EACH, None
        codes = ("99491", "99437")
    else:
        minutes, first, each, cap = total, STAFF_FIRST, STAFF_EACH, STAFF_MAX_ADDONS
        codes = ("99490", "99439")
    if minutes < first:
        return codes[0], first - minutes
    addons = (minutes - first) // each
    if cap is not None and addons >= cap:
        return None
    return codes[1], first + (addons + 1) * each - minutes


def days_left_in_month(today: date) -> int:
    """Days left to log time this month, today included (1 on the last day)."""
    return calendar.monthrange(today.year, today.month)[1] - today.day + 1


def _local_midnight(year: int, month: int, tz: tzinfo | None) -> datetime:
    if tz is None:
        return datetime(year, month, 1).astimezone()  # the laptop's zone, DST included
    return datetime(year, month, 1, tzinfo=tz)


def month_bounds(month: str, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the calendar month in local time; end is exclusive.

    ``tz=None`` means the laptop's own time zone. So a call logged at 23:30 on
    the 31st local time falls inside the month even when UTC is already the 1st.
    """
    year, number = _parse_month(month)
    next_year, next_number = (year + 1, 1) if number == 12 else (year, number + 1)
    start = _local_midnight(year, number, tz).astimezone(UTC)
    end = _local_midnight(next_year, next_number, tz).astimezone(UTC)
    return start, end


def month_of(moment: datetime, tz: tzinfo | None = None) -> str:
    """'YYYY-MM' of an aware timestamp in local time (``tz=None``: the laptop's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"
