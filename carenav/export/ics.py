"""Scheduled follow-ups as an iCalendar (RFC 5545) file for a phone or desktop calendar.

The file leaves the encrypted vault and ends up in calendars that sync to other
devices, so by default an event holds no health information and no name: the kind
of contact and a short code from the patient's id ("CareNav: phone call (patient
3F2C)"). Names and the purpose are written only when the care manager asks.

Each event's UID is ``<follow-up id>@carenav``, so importing a newer export updates the
events instead of duplicating them; SEQUENCE follows the follow-up's version, so a
rescheduled follow-up replaces the older copy. Times are written in UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from carenav.models import FollowUp, Patient
from carenav.models.codes import CONTACT_KINDS

PRODID = "-//CareNav//Follow-ups//EN"
UID_DOMAIN = "carenav"
NO_DETAILS = "Open CareNav for details."


@dataclass(frozen=True, kw_only=True)
class IcsEvent:
    """One follow-up as a calendar event; ``uid_source`` is the follow-up's id."""

    uid_source: uuid.UUID
    start: datetime  # timezone-aware
    summary: str
    description: str
    minutes: int = 30
    reminder_minutes: int = 15
    sequence: int = 0  # grows each time the follow-up changes (its version - 1)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("an event's start must be timezone-aware")
        if self.minutes <= 0 or self.reminder_minutes < 0 or self.sequence < 0:
            raise ValueError("minutes must be positive; reminder and sequence not negative")

    @property
    def uid(self) -> str:
        return f"{self.uid_source}@{UID_DOMAIN}"


def patient_code(patient_id: uuid.UUID) -> str:
    """A short code from the patient's id (first four hex digits), e.g. '3F2C'."""
    return patient_id.hex[:4].upper()


def event_text(follow_up: FollowUp, patient: Patient, include_names: bool) -> tuple[str, str]:
    """(summary, description): by default no name and no purpose, only the kind of contact."""
    kind = CONTACT_KINDS.get(follow_up.kind, follow_up.kind)
    if not include_names:
        return f"CareNav: {kind.lower()} (patient {patient_code(patient.id)})", NO_DETAILS
    name = f"{patient.given_name} {patient.family_name}".strip()
    purpose = follow_up.purpose.strip()
    return f"{kind}: {name}", f"{purpose}\n\n{NO_DETAILS}" if purpose else NO_DETAILS


def event_for(
    follow_up: FollowUp, patient: Patient, *, include_names: bool = False, minutes: int = 30
) -> IcsEvent:
    summary, description = event_text(follow_up, patient, include_names)
    return IcsEvent(
        uid_source=follow_up.id,
        start=follow_up.due_at,
        minutes=minutes,
        summary=summary,
        description=description,
        sequence=max(follow_up.version - 1, 0),
    )


def _vevent(event: IcsEvent, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.start.astimezone(UTC).replace(microsecond=0))
    vevent.add("duration", timedelta(minutes=event.minutes))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    vevent.add("class", "PRIVATE")
    vevent.add("status", "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.summary)
    alarm.add("trigger", timedelta(minutes=-event.reminder_minutes))
    vevent.add_component(alarm)
    return vevent


def follow_ups_to_ics(
    events: Sequence[IcsEvent],
    *,
    calendar_name: str = "CareNav follow-ups",
    stamp: datetime | None = None,
) -> bytes:
    """The events as one VCALENDAR (METHOD:PUBLISH); ``stamp`` is DTSTAMP (default now)."""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    for event in sorted(events, key=lambda e: (e.start, str(e.uid_source))):
        calendar.add_component(_vevent(event, stamp))
    data: bytes = calendar.to_ical()
    return data
