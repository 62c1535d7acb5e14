"""Discharges and their transitional-care clocks, fed by the contact log."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest

from carenav.errors import InvalidInput
from carenav.services import contacts, transitions
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

# Wednesday 25 Nov 2026; Thursday 26 Nov is Thanksgiving
DISCHARGE = date(2026, 11, 25)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def _patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": "Okonkwo", "given_name": "Ada", "birth_date": date(1939, 9, 9)}
    )


def test_the_contact_clock_skips_thanksgiving_and_the_weekend(vault: Vault) -> None:
    patient = _patient(vault)
    transitions.add_discharge(
        vault,
        patient,
        {"discharge_date": DISCHARGE, "complexity": "high", "facility": "County General"},
    )
    [clock] = transitions.open_episodes(vault, now=_local(date(2026, 11, 27), 9))
    assert clock.deadlines.contact_by == date(2026, 11, 30)  # Fri 27, then Mon 30
    assert clock.deadlines.face_to_face_by == date(2026, 12, 2)  # 7 days
    assert not clock.status.contact_met and not clock.status.contact_overdue
    assert 86.9 < clock.status.hours_left_for_contact < 87.1  # Fri 09:00 to Mon 23:59:59


def test_two_timely_attempts_meet_the_contact_requirement(vault: Vault) -> None:
    patient = _patient(vault)
    episode = transitions.add_discharge(vault, patient, {"discharge_date": DISCHARGE})
    for hour in (10, 15):
        contacts.log_contact(
            vault,
            patient,
            {"occurred_at": _local(date(2026, 11, 27), hour), "outcome": "no-answer"},
        )
    contacts.log_contact(  # a text is not interactive, and does not count
        vault,
        patient,
        {"occurred_at": _local(date(2026, 11, 27), 16), "kind": "text", "outcome": "reached"},
    )
    [clock] = transitions.open_episodes(vault, now=_local(date(2026, 12, 1), 9))
    assert clock.attempts == 2
    assert clock.status.contact_met and not clock.status.contact_overdue
    assert clock.episode.id == episode.id


def test_a_home_visit_is_the_face_to_face_and_med_rec_is_recorded(vault: Vault) -> None:
    patient = _patient(vault)
    episode = transitions.add_discharge(vault, patient, {"discharge_date": DISCHARGE})
    contacts.log_contact(
        vault,
        patient,
        {"occurred_at": _local(date(2026, 11, 27), 11), "kind": "home-visit", "minutes": 50},
    )
    transitions.update_episode(vault, episode.id, {"med_rec_on": date(2026, 11, 27)})
    [clock] = transitions.open_episodes(vault, now=_local(date(2026, 11, 30), 9))
    assert clock.status.contact_met and clock.status.face_to_face_met
    assert clock.status.med_rec_met
    assert clock.status.billable_code == "99495"
    with pytest.raises(InvalidInput):
        transitions.update_episode(vault, episode.id, {"face_to_face_on": date(2026, 11, 1)})


def test_a_discharge_needs_a_date_that_is_not_in_the_future(vault: Vault) -> None:
    patient = _patient(vault)
    with pytest.raises(InvalidInput) as caught:
        transitions.add_discharge(vault, patient, {"complexity": "severe"})
    assert set(caught.value.errors) == {"discharge_date", "complexity"}
    with pytest.raises(InvalidInput):
        transitions.add_discharge(vault, patient, {"discharge_date": date(2099, 1, 1)})


def test_an_episode_leaves_the_open_list_after_thirty_days(vault: Vault) -> None:
    patient = _patient(vault)
    transitions.add_discharge(vault, patient, {"discharge_date": date(2026, 10, 20)})
    assert transitions.open_episodes(vault, now=_local(date(2026, 11, 18), 9))
    assert transitions.open_episodes(vault, now=_local(date(2026, 11, 19), 9)) == []
