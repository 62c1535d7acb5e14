"""Hospital discharges and their transitional-care (TCM) clocks.

A discharge opens a 30-day episode. Its clocks come from :mod:`carenav.followup.tcm`:
an interactive contact by the end of the second business day after discharge
(weekends and US federal holidays skipped; two timely unsuccessful attempts count),
a face-to-face visit within 7 days (high complexity) or 14 days (moderate), and
medication reconciliation by that visit. Contacts count as attempts when they are
interactive (phone, video, home or clinic visit) with the patient or a caregiver,
on or after the discharge day; a home or clinic visit where the patient was reached
is the face-to-face visit unless one was recorded by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.followup.business_days import HolidayCalendar
from carenav.followup.tcm import Attempt, TcmDeadlines, TcmStatus, tcm_deadlines, tcm_status
from carenav.models import CareTransition, Contact, Patient, codes, utcnow
from carenav.services import holidays
from carenav.services.patients import _live_patient
from carenav.services.validation import FieldCleaner
from carenav.store.vault import Vault

EPISODE_DAYS = 30
EPISODE_STATUSES = {"open": "Open", "closed": "Closed"}  # closed: no longer on the worklist


def calendar_for(day: date) -> HolidayCalendar:
    """The holidays around ``day``: the agency's list where it covers, else US federal."""
    return holidays.calendar_for(day)


def _clean(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "discharge_date" not in values:
        c.errors["discharge_date"] = "Say when the patient was discharged."
    c.date("discharge_date", label="Discharge date", required=creating, not_future=True)
    c.text("facility", label="Facility")
    c.code("complexity", label="Complexity", choices=codes.TCM_COMPLEXITY)
    c.date("face_to_face_on", label="Face-to-face visit", not_future=True)
    c.date("med_rec_on", label="Medication reconciliation", not_future=True)
    c.text("notes", label="Notes", max_len=2000)
    c.code("status", label="Status", choices=EPISODE_STATUSES)
    return c.done()


def add_discharge(vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any]) -> CareTransition:
    """Record a discharge: a transitional-care episode with its clocks starts."""
    cleaned = _clean(values, creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        episode = CareTransition(patient_id=patient_id, **cleaned)
        session.add(episode)
        session.flush()
        return episode


def update_episode(
    vault: Vault, episode_id: uuid.UUID, changes: Mapping[str, Any]
) -> CareTransition:
    """Record the face-to-face visit, the medication reconciliation, or correct the episode."""
    cleaned = _clean(changes, creating=False)
    with vault.session() as session:
        episode = session.get(CareTransition, episode_id)
        if episode is None or episode.deleted_at is not None:
            raise RecordNotFound("transitional-care episode")
        discharge = cleaned.get("discharge_date", episode.discharge_date)
        for name in ("face_to_face_on", "med_rec_on"):
            day = cleaned.get(name, getattr(episode, name))
            if day is not None and day < discharge:
                raise InvalidInput({name: "This date is before the discharge."})
        episode.apply(cleaned)
        session.add(episode)
        return episode


@dataclass(frozen=True)
class EpisodeClock:
    episode: CareTransition
    deadlines: TcmDeadlines
    status: TcmStatus
    attempts: int


def _attempts(contacts: Sequence[ContactFacts], discharge: date) -> list[Attempt]:
    start = datetime.combine(discharge, time()).astimezone()
    return [
        Attempt(c.occurred_at, c.outcome == "reached")
        for c in contacts
        if c.kind in codes.INTERACTIVE_KINDS
        and c.with_whom in ("patient", "caregiver")
        and c.occurred_at >= start
    ]


def _visit_day(contacts: Sequence[ContactFacts], discharge: date) -> date | None:
    visits = [
        c.occurred_at.astimezone().date()
        for c in contacts
        if c.kind in codes.FACE_TO_FACE_KINDS and c.outcome == "reached"
    ]
    days = sorted(d for d in visits if d >= discharge)
    return days[0] if days else None


class ContactFacts(Protocol):
    """What the clocks read of a contact (a Contact, or a row of just these columns)."""

    occurred_at: datetime
    kind: str
    with_whom: str
    outcome: str


CHUNK = 500  # patient ids per IN (...) query


def _contacts_since(
    session: Session, episodes: list[CareTransition]
) -> dict[uuid.UUID, list[ContactFacts]]:
    """Each episode patient's contacts from the day before their earliest open discharge:
    a few column-only queries for the whole list (not one query of whole records each)."""
    earliest: dict[uuid.UUID, date] = {}
    for episode in episodes:
        day = earliest.get(episode.patient_id)
        if day is None or episode.discharge_date < day:
            earliest[episode.patient_id] = episode.discharge_date
    if not earliest:
        return {}
    since = datetime.combine(min(earliest.values()), time()).astimezone() - timedelta(days=1)
    found: dict[uuid.UUID, list[ContactFacts]] = {pid: [] for pid in earliest}
    ids = list(earliest)
    for start in range(0, len(ids), CHUNK):
        statement = sa_select(
            col(Contact.patient_id),
            col(Contact.occurred_at),
            col(Contact.kind),
            col(Contact.with_whom),
            col(Contact.outcome),
        ).where(
            col(Contact.patient_id).in_(ids[start : start + CHUNK]),
            col(Contact.deleted_at).is_(None),
            col(Contact.occurred_at) >= since,
        )
        for row in session.execute(statement).all():
            found[row.patient_id].append(row)
    return found


def open_episodes(
    vault: Vault, *, now: datetime | None = None, patient_id: uuid.UUID | None = None
) -> list[EpisodeClock]:
    """Episodes still within their 30 days, with their clocks, for patients on the caseload."""
    now = now or utcnow()
    today = now.astimezone().date()
    statement = (
        select(CareTransition)
        .join(Patient, col(Patient.id) == col(CareTransition.patient_id))
        .where(
            col(CareTransition.deleted_at).is_(None),
            CareTransition.status == "open",
            col(CareTransition.discharge_date) > today - timedelta(days=EPISODE_DAYS),
            col(Patient.deleted_at).is_(None),
            Patient.status != "discharged",
        )
        .order_by(col(CareTransition.discharge_date))
    )
    if patient_id is not None:
        statement = statement.where(CareTransition.patient_id == patient_id)
    with vault.session() as session:
        episodes = list(session.exec(statement).all())
        by_patient = _contacts_since(session, episodes)
    clocks = []
    calendars: dict[int, HolidayCalendar] = {}  # one per discharge year, not per episode
    for episode in episodes:
        found = by_patient.get(episode.patient_id, [])
        year = episode.discharge_date.year
        if year not in calendars:
            calendars[year] = calendar_for(episode.discharge_date)
        deadlines = tcm_deadlines(
            episode.discharge_date,
            "high" if episode.complexity == "high" else "moderate",
            calendars[year],
        )
        attempts = _attempts(found, episode.discharge_date)
        visit = episode.face_to_face_on or _visit_day(found, episode.discharge_date)
        status = tcm_status(deadlines, attempts, visit, episode.med_rec_on, now)
        clocks.append(EpisodeClock(episode, deadlines, status, len(attempts)))
    return clocks
