"""Today's worklist gathers follow-ups, chronic-care minutes, rescreens and plan reviews."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from carenav.instruments import get_instrument
from carenav.services import assessments, contacts
from carenav.services import care_plans as plans
from carenav.services.patients import create_patient
from carenav.services.worklist import worklist
from carenav.store.vault import Vault

TODAY = date(2026, 11, 24)


def _patient(vault: Vault, family: str, programs: list[str] | None = None) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": family,
            "given_name": "Test",
            "birth_date": date(1945, 1, 1),
            "programs": programs or [],
        },
    )


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).astimezone()


def test_the_worklist_puts_overdue_work_first_and_names_where_to_open_it(vault: Vault) -> None:
    calls = _patient(vault, "Ahn")
    ccm = _patient(vault, "Baptiste", ["ccm"])
    done = _patient(vault, "Castillo", ["ccm_complex"])
    late = contacts.schedule_follow_up(
        vault, calls, {"due_at": _at(TODAY - timedelta(days=3), 15), "purpose": "Weight check"}
    )
    contacts.schedule_follow_up(vault, calls, {"due_at": _at(TODAY + timedelta(days=3), 15)})
    contacts.log_contact(
        vault, ccm, {"occurred_at": _at(TODAY - timedelta(days=2), 12), "minutes": 12}
    )
    contacts.log_contact(
        vault, done, {"occurred_at": _at(TODAY - timedelta(days=2), 12), "minutes": 65}
    )
    phq9 = get_instrument("phq9")
    assessments.complete(
        vault,
        patient_id=calls,
        instrument=phq9,
        answers={**{f"q{n}": "2" for n in range(1, 9)}, "q9": "0"},
        now=datetime(2026, 8, 20, 10, tzinfo=UTC),
    )
    plan = plans.start_plan(vault, ccm)
    plans.update_plan(vault, plan.id, {"next_review": TODAY + timedelta(days=2)})

    items = worklist(vault, TODAY)
    summary = [(i.patient_id, i.kind, i.status, i.opens) for i in items]
    # overdue first, oldest first: the rescreen (due 18 Nov), then the call (due 21 Nov)
    assert summary[:2] == [
        (calls, "rescreen", "overdue", "assessments"),
        (calls, "follow-up", "overdue", "follow-up"),
    ]
    assert items[1].record_id == late.id and "Weight check" in items[1].title
    assert items[0].title.startswith("Rescreen: PHQ-9 depression questionnaire (last 16")
    assert (ccm, "ccm-minutes", "below-threshold", "contacts") in summary
    ccm_item = next(i for i in items if i.kind == "ccm-minutes")
    assert ccm_item.title == "12 of 20 care-management minutes; 7 days left this month"
    assert not any(i.patient_id == done and i.kind == "ccm-minutes" for i in items)
    assert (ccm, "plan-review", "due-soon", "care-plan") in summary
    assert not any(i.kind == "follow-up" and i.status == "due-soon" for i in items)
    assert items[1].as_json()["kind"] == "follow-up"


def test_a_transitional_care_clock_about_to_lapse_is_listed_with_its_hours(
    vault: Vault,
) -> None:
    from carenav.services import transitions

    patient = _patient(vault, "Dube")
    transitions.add_discharge(vault, patient, {"discharge_date": date(2026, 11, 25)})
    friday_morning = datetime(2026, 11, 27, 9, tzinfo=UTC).astimezone()
    items = worklist(vault, date(2026, 11, 27), now=friday_morning)
    [clock] = [i for i in items if i.kind == "transition"]
    assert clock.due == date(2026, 11, 30) and clock.opens == "transition"
    assert clock.title.startswith("Transitional care: contact within")
    monday_night = datetime(2026, 12, 1, 9, tzinfo=UTC).astimezone()
    [lapsed] = [
        i for i in worklist(vault, date(2026, 12, 1), now=monday_night) if i.kind == "transition"
    ]
    assert lapsed.status == "overdue" and "lapsed" in lapsed.title


def test_the_garbage_collector_is_held_only_while_the_list_is_built() -> None:
    import gc

    from carenav.services.worklist import collections_paused

    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collections_paused():
        raise RuntimeError("an error while building")
    assert gc.isenabled()
