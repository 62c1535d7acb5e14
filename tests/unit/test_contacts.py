"""The contact log, scheduled follow-ups and chronic-care minutes, in a real vault."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from carenav.errors import InvalidInput
from carenav.services import contacts
from carenav.services.patients import create_patient, update_patient
from carenav.store.vault import Vault


def _patient(vault: Vault, family: str = "Achterberg") -> uuid.UUID:
    return create_patient(
        vault, {"family_name": family, "given_name": "Lotte", "birth_date": date(1940, 4, 4)}
    )


def test_a_call_and_an_attempt_are_logged_with_their_minutes(vault: Vault) -> None:
    patient = _patient(vault)
    when = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    call = contacts.log_contact(
        vault,
        patient,
        {"occurred_at": when, "kind": "phone", "outcome": "reached", "minutes": "18"},
    )
    attempt = contacts.log_contact(
        vault,
        patient,
        {"occurred_at": when - timedelta(hours=2), "outcome": "no-answer", "minutes": 2},
    )
    assert (call.minutes, call.author) == (18, vault.audit.user)
    assert [c.id for c in contacts.contacts_for(vault, patient)] == [call.id, attempt.id]


def test_bad_contacts_are_refused_with_one_message_per_field(vault: Vault) -> None:
    patient = _patient(vault)
    with pytest.raises(InvalidInput) as caught:
        contacts.log_contact(
            vault,
            patient,
            {
                "occurred_at": datetime.now(UTC) + timedelta(days=1),
                "kind": "pigeon",
                "minutes": "a while",
            },
        )
    assert set(caught.value.errors) == {"occurred_at", "kind", "minutes"}
    assert "schedule a follow-up" in caught.value.errors["occurred_at"]
    with pytest.raises(InvalidInput) as missing:
        contacts.log_contact(vault, patient, {"minutes": 5})
    assert "occurred_at" in missing.value.errors


def test_completing_a_recurring_follow_up_logs_the_contact_and_offers_the_next(
    vault: Vault,
) -> None:
    patient = _patient(vault)
    due = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    follow_up = contacts.schedule_follow_up(
        vault,
        patient,
        {"due_at": due, "kind": "phone", "purpose": "Weight check", "recurrence_days": 14},
    )
    done = contacts.complete_follow_up(
        vault,
        follow_up.id,
        {"occurred_at": due + timedelta(minutes=5), "outcome": "reached", "minutes": 12},
    )
    assert done.follow_up.status == "completed"
    assert done.contact.follow_up_id == follow_up.id and done.contact.kind == "phone"
    assert done.next_due == due + timedelta(days=14)
    with pytest.raises(InvalidInput):
        contacts.complete_follow_up(vault, follow_up.id, {"occurred_at": due})


def test_follow_ups_due_include_overdue_and_leave_out_discharged_patients(vault: Vault) -> None:
    staying, leaving = _patient(vault), _patient(vault, "Brandt")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    late = contacts.schedule_follow_up(vault, staying, {"due_at": now - timedelta(days=2)})
    today = contacts.schedule_follow_up(vault, staying, {"due_at": now + timedelta(hours=3)})
    contacts.schedule_follow_up(vault, staying, {"due_at": now + timedelta(days=9)})
    contacts.schedule_follow_up(vault, leaving, {"due_at": now})
    update_patient(vault, leaving, {"status": "discharged"})
    due = contacts.follow_ups_due(vault, until=now + timedelta(hours=12))
    assert [f.id for f in due] == [late.id, today.id]
    moved = contacts.reschedule(vault, late.id, now + timedelta(days=1))
    assert moved.due_at == now + timedelta(days=1)
    contacts.cancel_follow_up(vault, today.id)
    assert contacts.follow_ups_due(vault, until=now + timedelta(hours=12)) == []


def test_ccm_minutes_per_local_calendar_month_with_the_staff_and_clinician_split(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        patient = _patient(vault)
        # 23:30 on 30 Nov in Chicago is 05:30 on 1 Dec in UTC: it counts in November
        late_call = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
        contacts.log_contact(vault, patient, {"occurred_at": late_call, "minutes": 15})
        contacts.log_contact(
            vault,
            patient,
            {"occurred_at": "2026-11-10 10:00", "minutes": 10, "spent_by": "clinician"},
        )
        contacts.log_contact(
            vault,
            patient,
            {"occurred_at": "2026-11-11 10:00", "minutes": 30, "counts_for_ccm": False},
        )
        contacts.log_contact(vault, patient, {"occurred_at": "2026-12-01 00:30", "minutes": 7})
        [november] = contacts.ccm_minutes(vault, "2026-11")
        assert (november.staff, november.clinician, november.total) == (15, 10, 25)
        [december] = contacts.ccm_minutes(vault, "2026-12", patient_id=patient)
        assert december.total == 7
        with pytest.raises(InvalidInput):
            contacts.ccm_minutes(vault, "November")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Auckland"])
def test_month_grid_counts_follow_ups_per_local_day(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        patient, gone = _patient(vault), _patient(vault, "Gone")
        late = datetime(2027, 3, 9, 23, 30).astimezone()  # the next day in UTC, either way
        for due in (late, late - timedelta(hours=3), late + timedelta(hours=1)):
            contacts.schedule_follow_up(vault, patient, {"due_at": due})
        cancelled = contacts.schedule_follow_up(vault, patient, {"due_at": late})
        contacts.cancel_follow_up(vault, cancelled.id)
        contacts.schedule_follow_up(vault, gone, {"due_at": late})
        update_patient(vault, gone, {"status": "discharged"})
        start = datetime(2027, 3, 1).astimezone()
        counts = contacts.follow_up_counts_by_day(vault, start, start + timedelta(days=31))
        assert counts == {date(2027, 3, 9): 2, date(2027, 3, 10): 1}
        listed = contacts.follow_ups_between(vault, start, start + timedelta(days=31))
        by_day: dict[date, int] = {}
        for item in listed:
            by_day[item.local_due.date()] = by_day.get(item.local_due.date(), 0) + 1
        assert by_day == counts  # the badges agree with the lists they summarise
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
