"""Follow-ups as an iCalendar file: parsed back with icalendar, stable UIDs, no PHI by default."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from carenav.export.ics import IcsEvent, event_for, event_text, follow_ups_to_ics, patient_code
from carenav.models import FollowUp, Patient
from carenav.services.contacts import reschedule, schedule_follow_up
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

STAMP = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def _events(data: bytes) -> list[object]:
    return list(_parse(data).walk("VEVENT"))


@pytest.fixture
def ruth(vault: Vault) -> tuple[Patient, FollowUp]:
    patient_id = create_patient(
        vault, {"family_name": "Abernathy", "given_name": "Ruth", "birth_date": "1940-02-11"}
    )
    follow_up = schedule_follow_up(
        vault,
        patient_id,
        {
            "due_at": datetime.now(UTC) + timedelta(days=2),
            "kind": "phone",
            "purpose": "Check insulin doses after discharge",
        },
    )
    with vault.session() as session:
        patient = session.get(Patient, patient_id)
    assert patient is not None
    return patient, follow_up


def test_the_calendar_has_prodid_version_and_one_event_per_follow_up() -> None:
    start = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    events = [
        IcsEvent(
            uid_source=uuid.uuid4(),
            start=start + timedelta(days=n),
            summary=f"S{n}",
            description="D",
            minutes=45,
            reminder_minutes=10,
        )
        for n in range(3)
    ]
    calendar = _parse(follow_ups_to_ics(events, stamp=STAMP))
    assert str(calendar["PRODID"]) == "-//CareNav//Follow-ups//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "CareNav follow-ups"
    parsed = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in parsed] == [f"{e.uid_source}@carenav" for e in events]
    first = parsed[0]
    assert first.decoded("DTSTART") == start
    assert first.decoded("DURATION") == timedelta(minutes=45)
    assert first.decoded("DTSTAMP") == STAMP
    assert int(first["SEQUENCE"]) == 0
    [alarm] = list(first.walk("VALARM"))
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-10)


def test_a_zoned_start_is_written_as_the_same_instant() -> None:
    from zoneinfo import ZoneInfo

    start = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    data = follow_ups_to_ics(
        [IcsEvent(uid_source=uuid.uuid4(), start=start, summary="S", description="D")]
    )
    [event] = _events(data)
    assert event.decoded("DTSTART") == start  # type: ignore[attr-defined]
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)  # type: ignore[attr-defined]


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        IcsEvent(
            uid_source=uuid.uuid4(), start=datetime(2026, 1, 1, 9), summary="S", description=""
        )


def test_default_text_holds_no_name_and_no_purpose(ruth: tuple[Patient, FollowUp]) -> None:
    patient, follow_up = ruth
    summary, description = event_text(follow_up, patient, include_names=False)
    code = patient.id.hex[:4].upper()
    assert summary == f"CareNav: phone call (patient {code})"
    assert description == "Open CareNav for details."
    data = follow_ups_to_ics([event_for(follow_up, patient)]).decode()
    unfolded = data.replace("\r\n ", "")
    for secret in ("Ruth", "Abernathy", "insulin", "discharge", "1940"):
        assert secret not in unfolded
    assert f"patient {code}" in unfolded


def test_names_and_purpose_only_when_asked(ruth: tuple[Patient, FollowUp]) -> None:
    patient, follow_up = ruth
    summary, description = event_text(follow_up, patient, include_names=True)
    assert summary == "Phone call: Ruth Abernathy"
    assert description.startswith("Check insulin doses after discharge")
    [event] = _events(follow_ups_to_ics([event_for(follow_up, patient, include_names=True)]))
    assert str(event["SUMMARY"]) == "Phone call: Ruth Abernathy"  # type: ignore[index]
    assert "insulin" in str(event["DESCRIPTION"])  # type: ignore[index]


def test_uids_are_stable_and_sequence_grows_after_a_reschedule(
    vault: Vault, ruth: tuple[Patient, FollowUp]
) -> None:
    patient, follow_up = ruth
    [first] = _events(follow_ups_to_ics([event_for(follow_up, patient)]))
    [again] = _events(follow_ups_to_ics([event_for(follow_up, patient)]))
    assert str(first["UID"]) == str(again["UID"]) == f"{follow_up.id}@carenav"  # type: ignore[index]
    assert int(first["SEQUENCE"]) == int(again["SEQUENCE"]) == 0  # type: ignore[index]
    moved = reschedule(vault, follow_up.id, follow_up.due_at + timedelta(days=1))
    [after] = _events(follow_ups_to_ics([event_for(moved, patient)]))
    assert str(after["UID"]) == str(first["UID"])  # type: ignore[index]
    assert int(after["SEQUENCE"]) > int(first["SEQUENCE"])  # type: ignore[index]
    moved_to = (follow_up.due_at + timedelta(days=1)).replace(microsecond=0)
    assert after.decoded("DTSTART") == moved_to  # type: ignore[attr-defined]


def test_patient_code_is_the_first_four_hex_digits_upper_case() -> None:
    assert patient_code(uuid.UUID("3f2c0000-0000-4000-8000-000000000000")) == "3F2C"
