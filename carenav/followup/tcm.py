"""Transitional care management (TCM, CPT 99495/99496) clocks after a discharge.

Rules as implemented, from the CMS "Transitional Care Management Services"
booklet (MLN908628) and the CMS TCM FAQs as quoted by Noridian and other
secondary sources (the team's care-management reference notes, section 2c);
the CMS texts themselves were not re-read for this module:

- Interactive contact (phone, video, face to face, or electronic) with the
  patient or caregiver within 2 business days following the discharge: the
  deadline is the end (23:59:59 laptop-local time) of the 2nd business day
  after the discharge day. Business days are Monday to Friday without the
  calendar's holidays.
- Per the CMS FAQ, when contact is not made, two or more separate unsuccessful
  attempts made within those 2 business days count, provided attempts continue
  until the patient or caregiver is reached.
- Face-to-face visit within 7 calendar days after discharge (high complexity
  medical decision making, 99496) or 14 calendar days (moderate, 99495).
  A high-complexity patient seen on day 8 to 14 can still be billed as 99495.
- Medication reconciliation no later than the date of the face-to-face visit.
- The service period is 30 days beginning on the discharge date (discharge + 29).

Unsure, and decided conservatively or simply here:
- Contact or an attempt on the discharge day itself is counted as timely; the
  CMS text says "following discharge" and we only know the discharge date.
- A face-to-face visit on the discharge day is accepted; whether CMS allows it
  (for instance when the same practitioner bills the discharge) was not checked.
- Other billing conditions (patient died or was readmitted inside the 30 days,
  one TCM per patient per 30 days, discharge setting) are not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from carenav.followup.business_days import HolidayCalendar

Complexity = Literal["moderate", "high"]

CONTACT_BUSINESS_DAYS = 2
FACE_TO_FACE_DAYS: dict[Complexity, int] = {"high": 7, "moderate": 14}
SERVICE_PERIOD_DAYS = 30
TIMELY_ATTEMPTS_NEEDED = 2


@dataclass(frozen=True)
class TcmDeadlines:
    contact_by: date
    face_to_face_by: date
    period_ends: date

    @property
    def discharge(self) -> date:
        return self.period_ends - timedelta(days=SERVICE_PERIOD_DAYS - 1)

    @property
    def complexity(self) -> Complexity:
        days = (self.face_to_face_by - self.discharge).days
        return "high" if days == FACE_TO_FACE_DAYS["high"] else "moderate"


@dataclass(frozen=True)
class Attempt:
    """One try at the interactive contact; ``successful`` when someone was reached."""

    at: datetime
    successful: bool


@dataclass(frozen=True)
class TcmStatus:
    contact_met: bool
    contact_overdue: bool
    hours_left_for_contact: float
    face_to_face_met: bool
    face_to_face_overdue: bool
    face_to_face_days_left: int
    med_rec_met: bool
    billable_code: str | None
    billing_reason: str
    problems: list[str] = field(default_factory=list)


def tcm_deadlines(
    discharge: date, complexity: Complexity, calendar: HolidayCalendar
) -> TcmDeadlines:
    if complexity not in FACE_TO_FACE_DAYS:
        raise ValueError(f"complexity must be 'moderate' or 'high', not {complexity!r}")
    return TcmDeadlines(
        contact_by=calendar.add_business_days(discharge, CONTACT_BUSINESS_DAYS),
        face_to_face_by=discharge + timedelta(days=FACE_TO_FACE_DAYS[complexity]),
        period_ends=discharge + timedelta(days=SERVICE_PERIOD_DAYS - 1),
    )


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone()


def _end_of_day_local(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59)).astimezone()


def _day_text(day: date) -> str:
    return f"{day.day} {day:%b} {day.year}"


def tcm_status(
    deadlines: TcmDeadlines,
    attempts: list[Attempt],
    face_to_face_on: date | None,
    med_rec_on: date | None,
    now: datetime,
) -> TcmStatus:
    """Where one discharge stands against the TCM clocks at ``now``."""
    today = _local(now).date()
    discharge = deadlines.discharge
    problems: list[str] = []

    local_attempts = [(_local(a.at), a.successful) for a in attempts]
    timely = [
        (moment, ok)
        for moment, ok in local_attempts
        if discharge <= moment.date() <= deadlines.contact_by
    ]
    reached = any(ok for _, ok in local_attempts)
    # "separate" attempts: the same moment entered twice counts once
    separate = len({moment for moment, _ in timely})
    contact_met = any(ok for _, ok in timely) or separate >= TIMELY_ATTEMPTS_NEEDED
    contact_overdue = not contact_met and today > deadlines.contact_by
    hours_left = (_end_of_day_local(deadlines.contact_by) - _local(now)).total_seconds() / 3600
    if contact_overdue:
        problems.append(
            f"No contact and fewer than 2 attempts by {_day_text(deadlines.contact_by)}: "
            "the 2-business-day contact was missed."
        )
    elif contact_met and not reached:
        problems.append(
            "Two timely attempts are recorded but nobody has been reached yet: "
            "keep trying until you reach the patient or caregiver."
        )

    window = (deadlines.face_to_face_by - discharge).days
    f2f_met = (
        face_to_face_on is not None and discharge <= face_to_face_on <= deadlines.face_to_face_by
    )
    f2f_overdue = not f2f_met and today > deadlines.face_to_face_by
    f2f_days_left = (deadlines.face_to_face_by - today).days
    if face_to_face_on is not None and face_to_face_on < discharge:
        problems.append("The face-to-face visit is dated before the discharge.")
    elif f2f_overdue:
        problems.append(
            f"The face-to-face visit was due within {window} days, by "
            f"{_day_text(deadlines.face_to_face_by)}."
        )

    med_rec_met = med_rec_on is not None and discharge <= med_rec_on
    if med_rec_met and face_to_face_on is not None:
        med_rec_met = med_rec_on is not None and med_rec_on <= face_to_face_on
    if med_rec_on is not None and not med_rec_met:
        problems.append(
            "Medication reconciliation must be done after discharge and no later "
            "than the face-to-face visit."
        )
    elif med_rec_on is None and face_to_face_on is not None:
        problems.append(
            "Medication reconciliation is missing; it is due by the face-to-face visit."
        )

    code, reason = _billable(deadlines, contact_met, face_to_face_on, med_rec_met)
    return TcmStatus(
        contact_met=contact_met,
        contact_overdue=contact_overdue,
        hours_left_for_contact=hours_left,
        face_to_face_met=f2f_met,
        face_to_face_overdue=f2f_overdue,
        face_to_face_days_left=f2f_days_left,
        med_rec_met=med_rec_met,
        billable_code=code,
        billing_reason=reason,
        problems=problems,
    )


def _billable(
    deadlines: TcmDeadlines, contact_met: bool, face_to_face_on: date | None, med_rec_met: bool
) -> tuple[str | None, str]:
    discharge = deadlines.discharge
    if not contact_met:
        return None, "no timely interactive contact (or two timely attempts)"
    if face_to_face_on is None:
        return None, "the face-to-face visit has not happened yet"
    if not med_rec_met:
        return None, "medication reconciliation not done by the face-to-face visit"
    days = (face_to_face_on - discharge).days
    if days < 0:
        return None, "the face-to-face visit is dated before the discharge"
    if deadlines.complexity == "high" and days <= FACE_TO_FACE_DAYS["high"]:
        return "99496", "high complexity, face-to-face within 7 days"
    if days <= FACE_TO_FACE_DAYS["moderate"]:
        if deadlines.complexity == "high":
            return "99495", "face-to-face after 7 days, so only the moderate code (within 14 days)"
        return "99495", "moderate complexity, face-to-face within 14 days"
    return None, "the face-to-face visit was more than 14 days after discharge"
