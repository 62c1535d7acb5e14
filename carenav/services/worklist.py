"""Today's work: what is overdue or due, gathered from every capability that has clocks.

Follow-ups due today or overdue; transitional-care clocks about to lapse; patients in
chronic care management still below this month's minute threshold, with the days left;
rescreens due (assessments); care-plan reviews due. Each item names the patient and
the place that deals with it, so the Today page can open it in one step. Items hold no
patient text beyond what the care manager's own screens show.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import String, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col

from carenav.followup.ccm import CCM_COMPLEX, CCM_PROGRAMS, first_threshold
from carenav.models import FollowUp, Patient
from carenav.models.codes import CONTACT_KINDS
from carenav.services import assessments, contacts, plan_versions, transitions
from carenav.store.vault import Vault

SOON_DAYS = 7  # reviews and rescreens listed this many days ahead


class WorkItem(NamedTuple):
    """One line of the Today list (a tuple: thousands are built at agency scale)."""

    patient_id: uuid.UUID
    kind: str  # follow-up, transition, ccm-minutes, rescreen, plan-review
    due: datetime | date
    status: str  # overdue, due-today, due-soon, below-threshold
    title: str  # e.g. "Phone call: weight check" (what, never who)
    opens: str  # where it is dealt with: follow-up, transition, contacts, assessments, care-plan
    record_id: uuid.UUID | None = None

    def as_json(self) -> dict[str, object]:
        due = self.due.isoformat()
        return {
            "patient": str(self.patient_id),
            "kind": self.kind,
            "due": due,
            "status": self.status,
            "title": self.title,
            "opens": self.opens,
            "record": str(self.record_id) if self.record_id else None,
        }


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59)).astimezone().astimezone(UTC)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def follow_up_items(vault: Vault, today: date) -> list[WorkItem]:
    """Scheduled follow-ups due by the end of today (overdue ones first), for patients on
    the caseload; only the columns the list shows are read."""
    start = _start_of(today)
    statement = contacts.scheduled_on_caseload(
        sa_select(
            col(FollowUp.id),
            col(FollowUp.patient_id),
            col(FollowUp.due_at),
            col(FollowUp.kind),
            col(FollowUp.purpose),
        )
    ).where(col(FollowUp.due_at) <= _end_of(today))
    # no ORDER BY: the whole list is sorted once (a sort here costs a temporary B-tree)
    with vault.session() as session:
        rows = session.execute(statement).all()
    items = []
    for follow_up_id, patient_id, due_at, kind_code, purpose in rows:
        kind = CONTACT_KINDS.get(kind_code, kind_code)
        title = f"{kind}: {purpose}" if purpose else kind
        status = "overdue" if due_at < start else "due-today"
        items.append(
            WorkItem(patient_id, "follow-up", due_at, status, title, "follow-up", follow_up_id)
        )
    return items


TRANSITION_WARNING_HOURS = 48  # a contact clock is listed once it has this little time left


def transition_items(vault: Vault, now: datetime) -> list[WorkItem]:
    """Transitional-care clocks not yet met: the contact, then the face-to-face visit."""
    items = []
    for clock in transitions.open_episodes(vault, now=now):
        status, episode = clock.status, clock.episode
        if not status.contact_met:
            hours = status.hours_left_for_contact
            if status.contact_overdue:
                state, title = "overdue", "Transitional care: the 2-business-day contact lapsed"
            else:
                state = "due-today" if hours <= TRANSITION_WARNING_HOURS else "due-soon"
                title = f"Transitional care: contact within {max(int(hours), 0)} hours"
            items.append(
                WorkItem(
                    episode.patient_id,
                    "transition",
                    clock.deadlines.contact_by,
                    state,
                    title,
                    "transition",
                    episode.id,
                )
            )
        elif not status.face_to_face_met:
            days = status.face_to_face_days_left
            state = "overdue" if status.face_to_face_overdue else "due-soon"
            if not status.face_to_face_overdue and days <= 1:
                state = "due-today"
            title = (
                "Transitional care: the face-to-face visit is overdue"
                if status.face_to_face_overdue
                else f"Transitional care: face-to-face visit within {days} days"
            )
            items.append(
                WorkItem(
                    episode.patient_id,
                    "transition",
                    clock.deadlines.face_to_face_by,
                    state,
                    title,
                    "transition",
                    episode.id,
                )
            )
    return items


def ccm_items(vault: Vault, today: date) -> list[WorkItem]:
    """CCM patients below this month's first threshold, with the days left in the month.

    Two small queries joined here (SQLite's join, with its temporary B-tree, was ten
    times slower under SQLCipher's memory security): the month's minutes per patient,
    and the enrolled patients. The programmes are a JSON list of
    codes, read as stored text (a code is matched with its quotes) rather than decoded
    for every patient; ids are compared as stored and turned into UUIDs only for items.
    """
    month = today.strftime("%Y-%m")
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    month_end = following - timedelta(days=1)
    days_left = (month_end - today).days + 1
    programmes = type_coerce(Patient.programs, String)
    stored_id = type_coerce(Patient.id, String)
    enrolled = sa_select(stored_id, programmes).where(
        col(Patient.deleted_at).is_(None),
        col(Patient.status) == "active",
        or_(*(programmes.like(f'%"{p}"%') for p in sorted(CCM_PROGRAMS))),
    )
    totals = contacts.ccm_month_totals(vault, month)
    with vault.session() as session:
        rows = session.execute(enrolled).all()
    complex_code = f'"{CCM_COMPLEX}"'
    items = []
    for stored, text in rows:
        needed = first_threshold(complex_code in text)
        staff, clinician = totals.get(stored, (0, 0))
        done = staff + clinician
        if done >= needed:
            continue
        items.append(
            WorkItem(
                uuid.UUID(stored),
                "ccm-minutes",
                month_end,
                "below-threshold",
                f"{done} of {needed} care-management minutes; {days_left} days left this month",
                "contacts",
            )
        )
    return items


def rescreen_items(vault: Vault, today: date) -> list[WorkItem]:
    from carenav.services.catalogue import load_catalogue

    catalogue = load_catalogue(None)
    items = []
    for due in assessments.screenings_due(vault, until=today + timedelta(days=SOON_DAYS)):
        status = "overdue" if due.due < today else "due-today" if due.due == today else "due-soon"
        name = catalogue.title(due.instrument_id)
        title = f"Rescreen: {name} (last {due.last_value}, {due.last_band})"
        items.append(WorkItem(due.patient_id, "rescreen", due.due, status, title, "assessments"))
    return items


def plan_review_items(vault: Vault, today: date) -> list[WorkItem]:
    items = []
    for review in plan_versions.reviews_due(
        vault, until=today + timedelta(days=SOON_DAYS), today=today
    ):
        status = (
            "overdue"
            if review.overdue
            else "due-today"
            if review.next_review == today
            else "due-soon"
        )
        items.append(
            WorkItem(
                review.patient_id,
                "plan-review",
                review.next_review,
                status,
                "Care plan review",
                "care-plan",
                review.plan_id,
            )
        )
    return items


ORDER = {"overdue": 0, "due-today": 1, "below-threshold": 2, "due-soon": 3}


def worklist(
    vault: Vault, today: date | None = None, *, now: datetime | None = None
) -> list[WorkItem]:
    """Everything for the Today page, most urgent first."""
    today = today or date.today()
    if now is None:  # another day's list is seen from the start of that day
        now = datetime.now(UTC) if today == date.today() else _start_of(today)
    starts: dict[date, float] = {}
    with collections_paused():
        items = (
            follow_up_items(vault, today)
            + transition_items(vault, now)
            + ccm_items(vault, today)
            + rescreen_items(vault, today)
            + plan_review_items(vault, today)
        )
        items.sort(key=lambda i: (ORDER.get(i.status, 9), _sort_key(i.due, starts), i.kind))
    return items


@contextmanager
def collections_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while the list is built.

    Tens of thousands of short-lived rows and items (none of them in reference cycles)
    otherwise set off full collections that walk every object the app holds, adding
    about a third to the Today list at agency scale. Collection resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sort_key(due: datetime | date, starts: dict[date, float]) -> float:
    """When an item is due, as seconds; a date sorts at its local midnight (worked out once
    per day: a list shares few days). Numbers compare much faster than aware datetimes."""
    if isinstance(due, datetime):
        return due.timestamp()
    start = starts.get(due)
    if start is None:
        start = starts[due] = _start_of(due).timestamp()
    return start
