"""Referrals: the lifecycle (allowed moves, reasons required, dated history), the
check-back that closes the loop (scheduled on sending, on the worklist, completed with
the patient's answer), barriers that become care-plan needs, the open-referral list and
authorisations flagged when denied or expiring."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from carenav.errors import InvalidInput
from carenav.models import Contact, FollowUp, PlanNeed
from carenav.services import care_plans, directory, referrals
from carenav.services.patients import create_patient
from carenav.services.worklist import worklist
from carenav.store.vault import Vault

# the path that reaches each status from a fresh draft
PATHS: dict[str, list[str]] = {
    "draft": [],
    "sent": ["sent"],
    "accepted": ["sent", "accepted"],
    "scheduled": ["sent", "accepted", "scheduled"],
    "completed": ["sent", "completed"],
    "declined": ["sent", "declined"],
    "no-show": ["sent", "scheduled", "no-show"],
    "cancelled": ["cancelled"],
}


def _patient(vault: Vault, family: str = "Okafor") -> uuid.UUID:
    return create_patient(
        vault, {"family_name": family, "given_name": "Test", "birth_date": date(1947, 5, 2)}
    )


def _service(vault: Vault) -> uuid.UUID:
    org = directory.add_organisation(
        vault, {"name": "Hope Street Food Bank", "phone": "555-010-4000"}
    )
    return directory.add_service(
        vault, org.id, {"name": "Food pantry", "categories": "food", "languages": "Spanish"}
    ).id


def _moved(vault: Vault, referral_id: uuid.UUID, steps: list[str]) -> None:
    for step in steps:
        if step == "sent":
            referrals.send_referral(vault, referral_id, via="fax")
        else:
            referrals.set_status(vault, referral_id, step, reason=f"because {step}")


def _draft(vault: Vault, patient: uuid.UUID, **values: object) -> uuid.UUID:
    return referrals.create_referral(
        vault,
        patient,
        {"provider_name": "Dr. Test Cardiology (made up)", "provider_kind": "specialist", **values},
    ).id


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour)).astimezone().astimezone(UTC)


def test_every_status_change_is_allowed_or_refused_by_the_lifecycle(vault: Vault) -> None:
    patient = _patient(vault)
    for start, path in PATHS.items():
        for target in referrals.STATUSES:
            if target == "sent":
                continue
            referral = _draft(vault, patient)
            _moved(vault, referral, path)
            assert referrals.get_referral(vault, referral).referral.status == start
            if target in referrals.TRANSITIONS[start]:
                referrals.set_status(vault, referral, target, reason="a reason")
                view = referrals.get_referral(vault, referral)
                assert view.referral.status == target
                assert view.history[-1].status == target
            else:
                with pytest.raises(InvalidInput) as caught:
                    referrals.set_status(vault, referral, target, reason="a reason")
                assert f"cannot become {referrals.STATUSES[target].lower()}" in str(caught.value)
                assert referrals.get_referral(vault, referral).referral.status == start
    assert referrals.allowed_next("scheduled") == ["completed", "no-show", "cancelled"]
    assert referrals.allowed_next("completed") == []


def test_declined_no_show_and_cancelled_need_a_reason(vault: Vault) -> None:
    patient = _patient(vault)
    for status, path in (("declined", ["sent"]), ("no-show", ["sent", "scheduled"])):
        referral = _draft(vault, patient)
        _moved(vault, referral, path)
        with pytest.raises(InvalidInput) as caught:
            referrals.set_status(vault, referral, status, reason="   ")
        assert "in a few words" in caught.value.errors["reason"]
        referrals.set_status(vault, referral, status, reason="Waiting list is closed")
        view = referrals.get_referral(vault, referral)
        assert (view.referral.status, view.referral.status_reason) == (
            status,
            "Waiting list is closed",
        )
        assert view.history[-1].reason == "Waiting list is closed"
    referral = _draft(vault, patient)
    with pytest.raises(InvalidInput):
        referrals.set_status(vault, referral, "cancelled")
    with pytest.raises(InvalidInput, match="Send"):
        referrals.set_status(vault, referral, "sent")
    with pytest.raises(InvalidInput, match="Choose a status"):
        referrals.set_status(vault, referral, "lost")


def test_history_is_dated_in_order_and_cannot_go_back_in_time(vault: Vault) -> None:
    patient = _patient(vault)
    service = _service(vault)
    sent = datetime.now(UTC) - timedelta(days=10)
    referral = referrals.refer(vault, patient, {"service_id": service}, via="portal", at=sent)
    referrals.set_status(vault, referral.id, "accepted", at=sent + timedelta(days=2))
    appointment = _local(date.today() + timedelta(days=5), 14)
    referrals.set_status(
        vault, referral.id, "scheduled", at=sent + timedelta(days=3), appointment_at=appointment
    )
    with pytest.raises(InvalidInput, match="before the referral's last change"):
        referrals.set_status(
            vault, referral.id, "cancelled", reason="moved", at=sent + timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="future"):
        referrals.set_status(
            vault, referral.id, "cancelled", reason="x", at=datetime.now(UTC) + timedelta(days=1)
        )
    view = referrals.get_referral(vault, referral.id)
    assert [(e.status, e.at) for e in view.history] == [
        ("draft", sent),
        ("sent", sent),
        ("accepted", sent + timedelta(days=2)),
        ("scheduled", sent + timedelta(days=3)),
    ]
    assert view.history[1].reason == "Sent by portal"
    assert view.referral.appointment_at == appointment
    assert view.referral.organisation_id is not None and view.referral.category == "food"
    assert view.to == "Hope Street Food Bank: Food pantry"
    assert view.referral.reference_code.startswith("R-") and len(view.referral.reference_code) == 11


def test_a_referral_needs_a_destination_and_links_to_this_patients_plan_only(
    vault: Vault,
) -> None:
    patient, other = _patient(vault), _patient(vault, "Nguyen")
    with pytest.raises(InvalidInput) as caught:
        referrals.create_referral(vault, patient, {"reason": "needs food"})
    assert "Choose a service from the directory" in caught.value.errors["service_id"]
    plan = care_plans.start_plan(vault, other)
    theirs = care_plans.add_need(vault, plan.id, {"text": "Food insecurity", "domain": "food"})
    with pytest.raises(InvalidInput) as caught:
        _draft(vault, patient, need_id=theirs.id)
    assert "another patient's care plan" in caught.value.errors["need_id"]
    mine_plan = care_plans.start_plan(vault, patient)
    need = care_plans.add_need(vault, mine_plan.id, {"text": "Heart failure", "domain": "medical"})
    goal = care_plans.add_goal(vault, mine_plan.id, need.id, {"text": "Walk to church"})
    referral = _draft(vault, patient, need_id=need.id, goal_id=goal.id, urgency="urgent")
    view = referrals.get_referral(vault, referral)
    assert (view.referral.need_id, view.referral.goal_id) == (need.id, goal.id)
    assert view.referral.urgency == "urgent"
    with pytest.raises(InvalidInput):
        _draft(vault, patient, urgency="tomorrow")
    referrals.send_referral(vault, referral, via="phone")
    with pytest.raises(InvalidInput, match="already sent"):
        referrals.update_referral(vault, referral, {"provider_name": "Someone else"})
    referrals.update_referral(vault, referral, {"reason": "Shortness of breath on stairs"})
    assert referrals.get_referral(vault, referral).referral.reason.startswith("Shortness")
    with pytest.raises(InvalidInput, match="already sent"):
        referrals.send_referral(vault, referral, via="fax")
    with pytest.raises(InvalidInput, match="how it was sent"):
        referrals.send_referral(vault, _draft(vault, patient), via="pigeon")


# -- closing the loop --------------------------------------------------------------------------


def test_sending_schedules_a_check_back_that_shows_on_the_worklist(vault: Vault) -> None:
    patient = _patient(vault)
    service = _service(vault)
    sent = datetime.now(UTC) - timedelta(days=3)
    referral = referrals.refer(vault, patient, {"service_id": service}, via="fax", at=sent)
    with vault.session() as session:
        follow_up = session.get(FollowUp, referral.check_back_id)
        assert follow_up is not None
    due_day = sent.astimezone().date() + timedelta(days=7)
    assert follow_up.due_at == _local(due_day, 10)
    assert (follow_up.referral_id, follow_up.kind, follow_up.status) == (
        referral.id,
        "phone",
        "scheduled",
    )
    assert "check-back" in follow_up.purpose.lower() and "Hope Street" in follow_up.purpose

    def check_backs(day: date) -> list[str]:
        return [i.title for i in worklist(vault, day) if i.record_id == follow_up.id]

    assert check_backs(due_day - timedelta(days=1)) == []
    on_the_day = [i for i in worklist(vault, due_day) if i.record_id == follow_up.id]
    assert len(on_the_day) == 1
    assert on_the_day[0].kind == "follow-up" and on_the_day[0].status == "due-today"
    assert "Referral check-back: Hope Street Food Bank" in on_the_day[0].title
    assert check_backs(due_day + timedelta(days=2)) and (
        worklist(vault, due_day + timedelta(days=2))[0].status == "overdue"
    )
    # the agency's own delay
    other = referrals.refer(
        vault, patient, {"service_id": service}, via="paper-slip", check_back_days=3
    )
    assert referrals.get_referral(vault, other.id).check_back is not None
    check_back = referrals.get_referral(vault, other.id).check_back
    assert check_back is not None
    assert check_back.due_at.astimezone().date() == date.today() + timedelta(days=3)
    with pytest.raises(InvalidInput, match="1 to 90 days"):
        referrals.refer(vault, patient, {"service_id": service}, via="fax", check_back_days=0)


def test_completing_the_check_back_logs_the_call_and_closes_the_loop(vault: Vault) -> None:
    patient = _patient(vault)
    service = _service(vault)
    sent = datetime.now(UTC) - timedelta(days=8)
    referral = referrals.refer(vault, patient, {"service_id": service}, via="fax", at=sent)
    referrals.set_status(vault, referral.id, "accepted", at=sent + timedelta(days=1))
    done = referrals.complete_check_back(vault, referral.id, got_service=True, minutes=7)
    assert done.referral.status == "completed" and done.referral.got_service is True
    assert done.follow_up is not None and done.follow_up.status == "completed"
    assert done.follow_up.contact_id == done.contact.id
    assert done.suggestion is None
    with vault.session() as session:
        contact = session.get(Contact, done.contact.id)
        assert contact is not None
        assert (contact.kind, contact.outcome, contact.minutes) == ("phone", "reached", 7)
        assert contact.follow_up_id == done.follow_up.id
    view = referrals.get_referral(vault, referral.id)
    assert [e.status for e in view.history] == ["draft", "sent", "accepted", "completed"]
    assert view.history[-1].reason == "The patient got the service (check-back)"
    assert not [i for i in worklist(vault, date.today()) if i.record_id == done.follow_up.id]
    with pytest.raises(InvalidInput, match="Send the referral first"):
        referrals.complete_check_back(vault, _draft(vault, patient), got_service=False)


def test_closing_a_referral_cancels_its_check_back(vault: Vault) -> None:
    patient = _patient(vault)
    referral = referrals.refer(vault, patient, {"provider_name": "Therapy (made up)"}, via="fax")
    referrals.set_status(vault, referral.id, "declined", reason="Not taking new patients")
    check_back = referrals.get_referral(vault, referral.id).check_back
    assert check_back is not None and check_back.status == "cancelled"


def test_a_barrier_at_the_check_back_becomes_a_need_in_the_care_plan(vault: Vault) -> None:
    patient = _patient(vault)
    service = _service(vault)
    referral = referrals.refer(
        vault, patient, {"service_id": service}, via="fax", at=datetime.now(UTC) - timedelta(days=7)
    )
    with pytest.raises(InvalidInput, match="Choose a barrier"):
        referrals.complete_check_back(vault, referral.id, got_service=False, barrier="weather")
    done = referrals.complete_check_back(
        vault, referral.id, got_service=False, barrier="transport", note="Bus no longer runs"
    )
    assert done.referral.status == "sent"  # still open: the care manager decides what next
    assert done.suggestion is not None
    assert done.suggestion.domain == "transportation"
    assert done.suggestion.text == "No transportation to reach Hope Street Food Bank: Food pantry"
    assert "did not get" in done.suggestion.evidence and "Bus no longer runs" in (
        done.suggestion.evidence
    )
    with pytest.raises(InvalidInput, match="Start a care plan"):
        referrals.add_barrier_need(vault, referral.id)
    plan = care_plans.start_plan(vault, patient)
    need = referrals.add_barrier_need(vault, referral.id)
    with vault.session() as session:
        stored = session.get(PlanNeed, need.id)
        assert stored is not None
        assert (stored.plan_id, stored.domain, stored.source) == (
            plan.id,
            "transportation",
            "social",
        )
        assert stored.text == done.suggestion.text and stored.evidence == done.suggestion.evidence
    assert referrals.get_referral(vault, referral.id).referral.barrier_need_id == need.id
    with pytest.raises(InvalidInput, match="already a need"):
        referrals.add_barrier_need(vault, referral.id)
    language = referrals.refer(vault, patient, {"service_id": service}, via="phone")
    referrals.complete_check_back(vault, language.id, got_service=False, barrier="language")
    assert referrals.add_barrier_need(vault, language.id).domain == "health-care-access"
    no_barrier = referrals.refer(vault, patient, {"service_id": service}, via="phone")
    referrals.complete_check_back(vault, no_barrier.id, got_service=False)
    with pytest.raises(InvalidInput, match="No barrier"):
        referrals.add_barrier_need(vault, no_barrier.id)


# -- views ----------------------------------------------------------------------------------


def test_open_referrals_by_age_and_a_patients_referrals(vault: Vault) -> None:
    ann, bo = _patient(vault, "Abara"), _patient(vault, "Bianchi")
    now = datetime.now(UTC)
    old = referrals.refer(
        vault,
        ann,
        {"provider_name": "Home health (made up)"},
        via="fax",
        at=now - timedelta(days=20),
    )
    recent = referrals.refer(
        vault, bo, {"provider_name": "PT (made up)"}, via="fax", at=now - timedelta(days=2)
    )
    draft = _draft(vault, bo)
    closed = referrals.refer(
        vault, ann, {"provider_name": "OT (made up)"}, via="fax", at=now - timedelta(days=30)
    )
    referrals.set_status(vault, closed.id, "cancelled", reason="Patient moved")
    rows = referrals.open_referrals(vault, date.today())
    assert [r.referral_id for r in rows] == [old.id, recent.id, draft]
    assert [r.age_days for r in rows][:2] == [20, 2]
    assert rows[0].patient_name == "Abara, Test" and rows[0].status == "sent"
    assert rows[0].check_back_overdue and not rows[1].check_back_overdue
    assert rows[1].check_back_due is not None
    only_drafts = referrals.open_referrals(vault, date.today(), statuses=["draft"])
    assert [r.referral_id for r in only_drafts] == [draft]
    mine = referrals.referrals_for(vault, ann)
    assert [v.referral.id for v in mine] == [closed.id, old.id]  # newest entry first
    assert [v.referral.id for v in referrals.referrals_for(vault, ann, open_only=True)] == [old.id]
    data = mine[0].as_json()
    assert data["status"] == "cancelled"
    assert [h["status"] for h in data["history"]] == ["draft", "sent", "cancelled"]  # type: ignore[union-attr,index]


# -- authorisations -------------------------------------------------------------------------


def test_authorisations_are_flagged_when_denied_expiring_or_expired(vault: Vault) -> None:
    patient = _patient(vault)
    today = date.today()
    soon = referrals.add_authorisation(
        vault,
        patient,
        {
            "service": "Home health nursing visits",
            "payer": "Made-up Health Plan",
            "number": "PA-0001",
            "status": "approved",
            "requested_on": today - timedelta(days=30),
            "approved_on": today - timedelta(days=25),
            "units": "12",
            "unit_label": "visits",
            "expires_on": today + timedelta(days=10),
        },
    )
    later = referrals.add_authorisation(
        vault,
        patient,
        {
            "service": "PT",
            "status": "approved",
            "approved_on": today,
            "expires_on": today + timedelta(days=60),
        },
    )
    gone = referrals.add_authorisation(
        vault,
        patient,
        {
            "service": "OT",
            "status": "approved",
            "approved_on": today - timedelta(days=90),
            "expires_on": today - timedelta(days=1),
        },
    )
    with pytest.raises(InvalidInput) as caught:
        referrals.add_authorisation(
            vault, patient, {"service": "Power wheelchair", "status": "denied"}
        )
    assert set(caught.value.errors) == {"denied_on", "alternative"}
    denied = referrals.add_authorisation(
        vault,
        patient,
        {
            "service": "Power wheelchair",
            "status": "denied",
            "denied_on": today - timedelta(days=3),
            "denial_reason": "Not medically necessary",
            "alternative": "Manual wheelchair with seat cushion; appeal filed",
        },
    )
    pending = referrals.add_authorisation(
        vault, patient, {"service": "Respite", "requested_on": today}
    )
    flags = {
        v.authorisation.id: v.flags for v in referrals.authorisations_for(vault, patient, today)
    }
    assert flags == {
        soon.id: ["expiring"],
        later.id: [],
        gone.id: ["expired"],
        denied.id: ["denied"],
        pending.id: [],
    }
    flagged = referrals.flagged_authorisations(vault, today)
    assert [v.authorisation.id for v in flagged] == [gone.id, soon.id, denied.id]
    assert flagged[1].days_left == 10
    earlier = referrals.flagged_authorisations(vault, today - timedelta(days=40))
    assert [v.authorisation.id for v in earlier] == [denied.id]  # nothing near expiry then
    with pytest.raises(InvalidInput, match="alternative"):
        referrals.update_authorisation(vault, pending.id, {"status": "denied", "denied_on": today})
    assert referrals.authorisations_for(vault, patient, today)[-1].authorisation.status == (
        "requested"
    )
    referrals.update_authorisation(
        vault, pending.id, {"status": "approved", "approved_on": today, "expires_on": today}
    )
    now_approved = {
        v.authorisation.id: v for v in referrals.authorisations_for(vault, patient, today)
    }
    assert (
        now_approved[pending.id].flags == ["expiring"] and now_approved[pending.id].days_left == 0
    )
    with pytest.raises(InvalidInput, match="before the start date"):
        referrals.add_authorisation(
            vault,
            patient,
            {"service": "X", "starts_on": today, "expires_on": today - timedelta(days=1)},
        )


def test_referral_and_authorisation_text_never_reaches_the_disk_in_the_clear(
    vault: Vault, vault_path: Path
) -> None:
    marker = "Zqxreferral"
    patient = _patient(vault)
    referral = referrals.refer(
        vault,
        patient,
        {"provider_name": f"{marker} clinic", "reason": f"{marker} reason", "notes": marker},
        via="fax",
    )
    referrals.set_status(vault, referral.id, "declined", reason=f"{marker} declined")
    referrals.add_authorisation(
        vault, patient, {"service": f"{marker} service", "number": marker, "notes": marker}
    )
    assert marker in referrals.get_referral(vault, referral.id).referral.reason
    vault.close()
    hits = [
        path
        for path in vault_path.parent.rglob("*")
        if path.is_file() and marker.encode() in path.read_bytes()
    ]
    assert hits == []


def test_a_denial_goes_into_the_care_plans_advocacy_linked_to_its_need(vault: Vault) -> None:
    from carenav.models import AdvocacyRecord

    patient = _patient(vault)
    plan = care_plans.start_plan(vault, patient)
    need = care_plans.add_need(vault, plan.id, {"text": "Cannot walk far", "domain": "functional"})
    referral = _draft(vault, patient, need_id=need.id, provider_name="Wheelchair clinic (made up)")
    today = date.today()
    requested = referrals.add_authorisation(
        vault, patient, {"service": "Power wheelchair", "referral_id": referral}
    )
    with pytest.raises(InvalidInput, match="Only a denied"):
        referrals.advocacy_from_denial(vault, requested.id)
    referrals.update_authorisation(
        vault,
        requested.id,
        {
            "status": "denied",
            "denied_on": today,
            "payer": "Made-up Health Plan",
            "denial_reason": "Not medically necessary",
            "alternative": "Manual wheelchair; appeal filed",
        },
    )
    record = referrals.advocacy_from_denial(
        vault, requested.id, appeal_steps="Letter from PCP", appeal_deadline=today + timedelta(30)
    )
    with vault.session() as session:
        stored = session.get(AdvocacyRecord, record.id)
        assert stored is not None
        assert (stored.plan_id, stored.need_id, stored.authorization_id) == (
            plan.id,
            need.id,
            requested.id,
        )
        assert (stored.service, stored.payer, stored.denied_on) == (
            "Power wheelchair",
            "Made-up Health Plan",
            today,
        )
        assert stored.reason_given == "Not medically necessary"
        assert stored.alternative == "Manual wheelchair; appeal filed"
        assert stored.appeal_steps == "Letter from PCP"
    with pytest.raises(InvalidInput, match="already in the care plan"):
        referrals.advocacy_from_denial(vault, requested.id)
    other = _patient(vault, "Ferreira")
    denied = referrals.add_authorisation(
        vault,
        other,
        {"service": "Respite", "status": "denied", "denied_on": today, "alternative": "none yet"},
    )
    with pytest.raises(InvalidInput, match="Start a care plan"):
        referrals.advocacy_from_denial(vault, denied.id)


def test_a_check_back_follow_up_names_its_referral(vault: Vault) -> None:
    patient = _patient(vault)
    referral = referrals.refer(vault, patient, {"provider_name": "Therapy (made up)"}, via="fax")
    assert referral.check_back_id is not None
    assert referrals.referral_of_follow_up(vault, referral.check_back_id) == referral.id
    from carenav.services import contacts

    plain = contacts.schedule_follow_up(vault, patient, {"due_at": datetime.now(UTC)})
    assert referrals.referral_of_follow_up(vault, plain.id) is None
    assert referrals.referral_of_follow_up(vault, uuid.uuid4()) is None


def test_a_check_back_call_that_reaches_no_one_is_logged_and_moved(vault: Vault) -> None:
    patient = _patient(vault)
    sent = datetime.now(UTC) - timedelta(days=8)
    referral = referrals.refer(
        vault, patient, {"provider_name": "PT (made up)"}, via="fax", at=sent
    )
    retry = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(InvalidInput, match="Choose what happened"):
        referrals.check_back_attempt(vault, referral.id, outcome="reached", retry_at=retry)
    with pytest.raises(InvalidInput, match="later"):
        referrals.check_back_attempt(vault, referral.id, retry_at=datetime.now(UTC) - timedelta(1))
    moved = referrals.check_back_attempt(vault, referral.id, outcome="voicemail", retry_at=retry)
    assert moved.due_at == retry and moved.status == "scheduled"
    with vault.session() as session:
        logged = session.exec(select(Contact).where(Contact.patient_id == patient)).all()
    assert [(c.outcome, c.minutes, c.kind) for c in logged] == [("voicemail", 2, "phone")]
    assert not [i for i in worklist(vault, date.today()) if i.record_id == moved.id]
    referrals.complete_check_back(vault, referral.id, got_service=True)
    with pytest.raises(InvalidInput, match="no check-back scheduled"):
        referrals.check_back_attempt(vault, referral.id, retry_at=retry)
