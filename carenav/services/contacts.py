"""The contact log and scheduled follow-ups (issue 6: models and services; views to come).

- **Contacts** (FHIR Communication): when, how, with whom, the outcome, the minutes
  and who spent them (care-management staff or a clinician), whether they count
  toward chronic-care minutes, notes and the plan goals touched. A call that did not
  reach anyone is logged too: it is an attempt, which transitional care counts.
- **Follow-ups** (FHIR Appointment/Task): when, how, why, and an optional
  recurrence in days. Completing one logs its contact in the same transaction and
  returns the next date of the series, which the care manager confirms (nothing is
  scheduled silently).
- **Chronic-care minutes** per patient per calendar month (local time), split
  between staff and clinician, for the monthly report and the worklist.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.models import Contact, FollowUp, Patient, QuestionnaireResponse, codes, utcnow
from carenav.services.patients import _live_patient
from carenav.services.validation import FieldCleaner
from carenav.store.vault import Vault

MAX_MINUTES = 600  # one contact longer than ten hours is a typing mistake
MAX_RECURRENCE_DAYS = 365


def _aware(value: Any, label: str) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{label}: write the date and time as YYYY-MM-DD HH:MM.") from None
        return parsed if parsed.tzinfo is not None else parsed.astimezone()
    raise ValueError(f"Choose {label.lower()}.")


def _clean_contact(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "occurred_at" not in values:
        c.errors["occurred_at"] = "Say when the contact happened."
    c._run("occurred_at", lambda v: _not_future(_aware(v, "When")))
    c.code("kind", label="Kind of contact", choices=codes.CONTACT_KINDS)
    c.code("with_whom", label="With whom", choices=codes.CONTACT_WITH)
    c.text("with_name", label="Name")
    c.code("direction", label="Direction", choices=codes.CONTACT_DIRECTIONS)
    c.code("outcome", label="Outcome", choices=codes.CONTACT_OUTCOMES)
    c._run("minutes", _minutes)
    c.code("spent_by", label="Who spent the time", choices=codes.SPENT_BY)
    c.flag("counts_for_ccm")
    c.text("notes", label="Notes", max_len=4000)
    c._run("goal_ids", _goal_ids)
    c._run("check_in_response_id", _optional_id)
    return c.done()


def _not_future(moment: datetime) -> datetime:
    if moment > utcnow() + timedelta(minutes=5):
        raise ValueError("A contact cannot be logged in the future; schedule a follow-up instead.")
    return moment


def _minutes(value: Any) -> int:
    try:
        minutes = int(str(value).strip() or "0")
    except ValueError:
        raise ValueError("Minutes must be a whole number, for example 15.") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValueError(f"Minutes must be between 0 and {MAX_MINUTES}.")
    return minutes


def _optional_id(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValueError("The check-in form could not be found; fill it in again.") from None


def _check_in_of(session: Session, patient_id: uuid.UUID, cleaned: Mapping[str, Any]) -> None:
    """A check-in form carried by the contact must be a signed form of the same patient."""
    response_id = cleaned.get("check_in_response_id")
    if response_id is None:
        return
    response = session.get(QuestionnaireResponse, response_id)
    if (
        response is None
        or response.deleted_at is not None
        or response.patient_id != patient_id
        or response.status not in ("completed", "amended")
    ):
        raise InvalidInput(
            {
                "check_in_response_id": "The check-in form is not a signed form of this patient; "
                "fill it in and sign it again."
            }
        )


def _goal_ids(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else []
    return [uuid.UUID(str(v)).hex for v in items]


def log_contact(vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any]) -> Contact:
    """Log a contact or an attempt; minutes count toward CCM unless said otherwise."""
    cleaned = _clean_contact(values, creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        _check_in_of(session, patient_id, cleaned)
        contact = Contact(patient_id=patient_id, author=vault.audit.user, **cleaned)
        session.add(contact)
        session.flush()
        return contact


def contacts_for(vault: Vault, patient_id: uuid.UUID, *, limit: int = 500) -> list[Contact]:
    """The patient's contacts, newest first."""
    statement = (
        select(Contact)
        .where(Contact.patient_id == patient_id, col(Contact.deleted_at).is_(None))
        .order_by(col(Contact.occurred_at).desc())
        .limit(limit)
    )
    with vault.session() as session:
        return list(session.exec(statement).all())


# -- follow-ups --------------------------------------------------------------------------------


def _clean_follow_up(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "due_at" not in values:
        c.errors["due_at"] = "Say when the follow-up is due."
    c._run("due_at", lambda v: _aware(v, "When it is due"))
    c.code("kind", label="Kind of follow-up", choices=codes.CONTACT_KINDS)
    c.text("purpose", label="Purpose", max_len=300)
    c._run("recurrence_days", _recurrence)
    return c.done()


def _recurrence(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        days = int(str(value))
    except ValueError:
        raise ValueError("Repeat every how many days? Write a whole number.") from None
    if not 1 <= days <= MAX_RECURRENCE_DAYS:
        raise ValueError(f"Repeat every 1 to {MAX_RECURRENCE_DAYS} days.")
    return days


def schedule_follow_up(vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any]) -> FollowUp:
    cleaned = _clean_follow_up(values, creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        follow_up = FollowUp(patient_id=patient_id, **cleaned)
        session.add(follow_up)
        session.flush()
        return follow_up


def _scheduled(session: Session, follow_up_id: uuid.UUID) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.deleted_at is not None:
        raise RecordNotFound("follow-up")
    if follow_up.status != "scheduled":
        raise InvalidInput({"status": "This follow-up is already completed or cancelled."})
    return follow_up


def reschedule(vault: Vault, follow_up_id: uuid.UUID, due_at: datetime) -> FollowUp:
    """Move a follow-up (editing, or dragging it in the calendar)."""
    cleaned = _clean_follow_up({"due_at": due_at}, creating=False)
    with vault.session() as session:
        follow_up = _scheduled(session, follow_up_id)
        follow_up.apply(cleaned)
        session.add(follow_up)
        return follow_up


def cancel_follow_up(vault: Vault, follow_up_id: uuid.UUID) -> FollowUp:
    with vault.session() as session:
        follow_up = _scheduled(session, follow_up_id)
        follow_up.apply({"status": "cancelled"})
        session.add(follow_up)
        return follow_up


@dataclass(frozen=True)
class Completion:
    follow_up: FollowUp
    contact: Contact
    next_due: datetime | None  # the next date of the series, for the care manager to confirm


def complete_follow_up(
    vault: Vault, follow_up_id: uuid.UUID, contact: Mapping[str, Any]
) -> Completion:
    """Log the contact that completes the follow-up, in one transaction."""
    with vault.session() as session:
        follow_up = _scheduled(session, follow_up_id)
    values = {"kind": follow_up.kind, **contact}
    cleaned = _clean_contact(values, creating=True)
    with vault.session() as session:
        follow_up = _scheduled(session, follow_up_id)
        _check_in_of(session, follow_up.patient_id, cleaned)
        logged = Contact(
            patient_id=follow_up.patient_id,
            author=vault.audit.user,
            follow_up_id=follow_up.id,
            **cleaned,
        )
        session.add(logged)
        session.flush()
        follow_up.apply(
            {"status": "completed", "completed_at": logged.occurred_at, "contact_id": logged.id}
        )
        session.add(follow_up)
    next_due = (
        follow_up.due_at + timedelta(days=follow_up.recurrence_days)
        if follow_up.recurrence_days
        else None
    )
    return Completion(follow_up, logged, next_due)


def scheduled_on_caseload(statement: Any) -> Any:
    """``statement`` (over follow_up) limited to scheduled follow-ups of patients still on
    the caseload (not removed, not discharged): what every schedule list and count shows."""
    return statement.join(Patient, col(Patient.id) == col(FollowUp.patient_id)).where(
        col(FollowUp.status) == "scheduled",
        col(FollowUp.deleted_at).is_(None),
        col(Patient.deleted_at).is_(None),
        col(Patient.status) != "discharged",
    )


def scheduled_follow_up(vault: Vault, follow_up_id: uuid.UUID) -> FollowUp | None:
    """The follow-up if it is still scheduled and its patient is on the caseload."""
    statement = scheduled_on_caseload(select(FollowUp)).where(col(FollowUp.id) == follow_up_id)
    with vault.session() as session:
        found: FollowUp | None = session.exec(statement).first()
    return found


def follow_ups_due(
    vault: Vault, *, until: datetime, patient_id: uuid.UUID | None = None
) -> list[FollowUp]:
    """Scheduled follow-ups due by ``until`` (overdue ones included), soonest first, for
    patients still on the caseload."""
    statement = (
        scheduled_on_caseload(select(FollowUp))
        .where(col(FollowUp.due_at) <= until)
        .order_by(col(FollowUp.due_at))
    )
    if patient_id is not None:
        statement = statement.where(FollowUp.patient_id == patient_id)
    with vault.session() as session:
        return list(session.exec(statement).all())


@dataclass(frozen=True)
class ScheduledItem:
    """A scheduled follow-up with the name the care manager's screens show."""

    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    due_at: datetime
    kind: str
    purpose: str

    @property
    def local_due(self) -> datetime:
        return self.due_at.astimezone()


def follow_ups_between(vault: Vault, start: datetime | None, end: datetime) -> list[ScheduledItem]:
    """Scheduled follow-ups due in [start, end) (no lower bound when start is None),
    soonest first, for patients still on the caseload (the calendar's window)."""
    from carenav.services.patients import name_text

    # the calendar paints thousands of rows: read the columns it shows, not whole records
    statement = scheduled_on_caseload(
        sa_select(
            col(FollowUp.id),
            col(FollowUp.patient_id),
            col(FollowUp.due_at),
            col(FollowUp.kind),
            col(FollowUp.purpose),
            col(Patient.family_name),
            col(Patient.given_name),
            col(Patient.preferred_name),
        )
    )
    statement = statement.where(col(FollowUp.due_at) < end).order_by(col(FollowUp.due_at))
    if start is not None:
        statement = statement.where(col(FollowUp.due_at) >= start)
    with vault.session() as session:
        rows = session.execute(statement).all()
    return [
        ScheduledItem(
            ident,
            patient_id,
            name_text(family, given, preferred),
            due_at,
            kind,
            purpose,
        )
        for ident, patient_id, due_at, kind, purpose, family, given, preferred in rows
    ]


def follow_up_counts_by_day(vault: Vault, start: datetime, end: datetime) -> dict[date, int]:
    """How many follow-ups are scheduled on each local day in [start, end), for patients
    still on the caseload: the month grid's badges. The database gives each one's local
    day as text (in the laptop's time zone, as the screens show times) and the days are
    counted here: no row is built, and no GROUP BY sorts in a temporary B-tree (slow
    under SQLCipher's memory security)."""
    day = func.date(col(FollowUp.due_at), "localtime")
    statement = scheduled_on_caseload(sa_select(day)).where(
        col(FollowUp.due_at) >= start, col(FollowUp.due_at) < end
    )
    with vault.session() as session:
        counted = Counter(text for (text,) in session.execute(statement) if text)
    return {date.fromisoformat(text): count for text, count in counted.items()}


# -- chronic-care minutes ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthMinutes:
    patient_id: uuid.UUID
    staff: int
    clinician: int

    @property
    def total(self) -> int:
        return self.staff + self.clinician


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The calendar month 'YYYY-MM' in the laptop's local time, as UTC instants [start, end)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput({"month": "Write the month as YYYY-MM, for example 2026-11."}) from None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = datetime.combine(first, time()).astimezone()
    end = datetime.combine(following, time()).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def ccm_month_totals(
    vault: Vault, month: str, *, patient_id: uuid.UUID | None = None
) -> dict[str, tuple[int, int]]:
    """The month's CCM minutes per patient as {stored patient id: (staff, clinician)}.

    The rows are read through the covering month index and added up here: a GROUP BY
    makes SQLite sort in a temporary B-tree, which under SQLCipher's memory security (every
    allocation wiped) costs twenty times more than reading the rows. Ids stay as stored
    (32 hex digits) so callers can match them without building a UUID for each row.
    """
    start, end = month_bounds(month)
    statement = sa_select(
        type_coerce(col(Contact.patient_id), String),
        col(Contact.spent_by),
        col(Contact.minutes),
    ).where(
        col(Contact.deleted_at).is_(None),
        col(Contact.counts_for_ccm).is_(True),
        col(Contact.occurred_at) >= start,
        col(Contact.occurred_at) < end,
    )
    if patient_id is not None:
        statement = statement.where(col(Contact.patient_id) == patient_id)
    totals: dict[str, list[int]] = {}
    with vault.session() as session:
        for stored, spent_by, minutes in session.execute(statement):
            pair = totals.get(stored)
            if pair is None:
                pair = totals[stored] = [0, 0]
            pair[spent_by == "clinician"] += minutes
    return {stored: (pair[0], pair[1]) for stored, pair in totals.items()}


def ccm_minutes(
    vault: Vault, month: str, *, patient_id: uuid.UUID | None = None
) -> list[MonthMinutes]:
    """Minutes counting toward chronic care management in a month, per patient."""
    totals = ccm_month_totals(vault, month, patient_id=patient_id)
    found = [
        MonthMinutes(uuid.UUID(stored), staff, clinician)
        for stored, (staff, clinician) in totals.items()
    ]
    return sorted(found, key=lambda m: str(m.patient_id))
