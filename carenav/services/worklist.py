"""Today's work: what is overdue or due, gathered from every capability that has clocks.

Follow-ups due today or overdue; transitional-care clocks about to lapse; patients in
chronic care management still below this month's minute threshold, with the days left;
rescreens due (assessments); care-plan reviews due. Each item names the patient and
the place that deals with it, so the Today page can open it in one step. Items hold no
patient text beyond what the care manager's own screens show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select

from carenav.models import Patient
from carenav.services import assessments, contacts, plan_versions, transitions
from carenav.store.vault import Vault

CCM_PROGRAMS = frozenset({"ccm", "ccm_complex"})
CCM_FIRST_THRESHOLD = {"ccm": 20, "ccm_complex": 60}
SOON_DAYS = 7  # reviews and rescreens listed this many days ahead


@dataclass(frozen=True)
class WorkItem:
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
    from carenav.models.codes import CONTACT_KINDS

    start = _start_of(today)
    items = []
    for f in contacts.follow_ups_due(vault, until=_end_of(today)):
        kind = CONTACT_KINDS.get(f.kind, f.kind)
        title = f"{kind}: {f.purpose}" if f.purpose else kind
        status = "overdue" if f.due_at < start else "due-today"
        items.append(
            WorkItem(f.patient_id, "follow-up", f.due_at, status, title, "follow-up", f.id)
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
    """CCM patients below this month's first threshold, with the days left in the month."""
    month = today.strftime("%Y-%m")
    minutes = {m.patient_id: m.total for m in contacts.ccm_minutes(vault, month)}
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    month_end = following - timedelta(days=1)
    days_left = (month_end - today).days + 1
    statement = select(Patient.id, Patient.programs).where(
        col(Patient.deleted_at).is_(None), Patient.status == "active"
    )
    with vault.session() as session:
        rows = session.exec(statement).all()
    items = []
    for patient_id, programs in rows:
        enrolled = CCM_PROGRAMS & set(programs)
        if not enrolled:
            continue
        needed = max(CCM_FIRST_THRESHOLD[p] for p in enrolled)
        done = minutes.get(patient_id, 0)
        if done >= needed:
            continue
        title = f"{done} of {needed} care-management minutes; {days_left} days left this month"
        items.append(
            WorkItem(patient_id, "ccm-minutes", month_end, "below-threshold", title, "contacts")
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
    items = (
        follow_up_items(vault, today)
        + transition_items(vault, now)
        + ccm_items(vault, today)
        + rescreen_items(vault, today)
        + plan_review_items(vault, today)
    )
    return sorted(items, key=lambda i: (ORDER.get(i.status, 9), _sort_key(i.due), i.kind))


def _sort_key(due: datetime | date) -> datetime:
    return due if isinstance(due, datetime) else _start_of(due)
