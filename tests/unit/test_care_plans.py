"""Care plans in the vault: editing the draft, undoing removals, CMS elements, publishing
versions, comparing them, agreement records and review dates."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments import get_instrument
from carenav.models import Condition, PlanGoal, PlanIntervention, PlanNeed
from carenav.services import assessments
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient, update_patient
from carenav.services.plan_coverage import CMS_ELEMENTS, coverage, missing
from carenav.store.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # enough to pass as a drawn signature's bytes


def _patient(vault: Vault, programs: list[str] | None = None) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": "Mwangi",
            "given_name": "Grace",
            "birth_date": date(1948, 6, 1),
            "programs": programs or [],
        },
    )


def _full_plan(vault: Vault, patient: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    """A plan meeting all nine CMS elements; returns its id and the records made."""
    plan = plans.start_plan(vault, patient, {"title": "Care plan"})
    plans.update_plan(
        vault,
        plan.id,
        {
            "expected_outcome": "Fewer hospital stays; stays at home",
            "prognosis": "Stable with support",
            "medication_management": "Weekly pill organiser filled by daughter",
            "community_services": "Meals on wheels ordered",
            "coordination": "Care manager shares the plan with cardiology monthly",
            "next_review": date.today() + timedelta(days=90),
        },
    )
    need = plans.add_need(vault, plan.id, {"text": "Heart failure with fluid build-up"})
    goal = plans.add_goal(
        vault,
        plan.id,
        need.id,
        {
            "text": "Keep my weight steady",
            "measure": "Morning weight",
            "target_value": "no gain over 2 lb a day",
            "target_date": date.today() + timedelta(days=60),
        },
    )
    weigh = plans.add_intervention(
        vault,
        plan.id,
        need.id,
        {"what": "Weigh every morning", "category": "symptom-management", "responsible": "patient"},
        goal_id=goal.id,
    )
    call = plans.add_intervention(
        vault,
        plan.id,
        need.id,
        {
            "what": "Review weights with cardiology",
            "category": "coordination",
            "responsible": "provider",
            "responsible_name": "Dr Osei, cardiology",
        },
    )
    return plan.id, {"need": need, "goal": goal, "weigh": weigh, "call": call}


# -- editing the draft ---------------------------------------------------------------------


def test_one_plan_in_use_per_patient(vault: Vault) -> None:
    patient = _patient(vault)
    plan = plans.start_plan(vault, patient)
    assert plan.status == "draft" and plan.author == vault.audit.user
    assert plan.period_start == date.today()
    with pytest.raises(InvalidInput):
        plans.start_plan(vault, patient)
    plans.complete_plan(vault, plan.id)
    assert plans.current_plan(vault, patient) is None
    assert plans.start_plan(vault, patient).id != plan.id


def test_fields_are_validated_with_one_message_each(vault: Vault) -> None:
    plan = plans.start_plan(vault, _patient(vault))
    need = plans.add_need(vault, plan.id, {"text": "Falls"})
    with pytest.raises(InvalidInput) as caught:
        plans.add_goal(vault, plan.id, need.id, {"text": "", "priority": "urgent", "colour": "red"})
    assert set(caught.value.errors) == {"text", "priority", "colour"}
    with pytest.raises(InvalidInput) as caught:
        plans.update_plan(vault, plan.id, {"period_end": date(2000, 1, 1)})
    assert "before the start" in caught.value.errors["period_end"]


def test_needs_goals_and_interventions_are_ordered_and_reordered(vault: Vault) -> None:
    plan = plans.start_plan(vault, _patient(vault))
    first = plans.add_need(vault, plan.id, {"text": "Falls"})
    second = plans.add_need(vault, plan.id, {"text": "Loneliness", "domain": "social"})
    third = plans.add_need(vault, plan.id, {"text": "Diabetes"})
    plans.move_item(vault, PlanNeed, third.id, -2)
    order = [n.need.text for n in plans.load_plan(vault, plan.id).needs]
    assert order == ["Diabetes", "Falls", "Loneliness"]
    plans.move_item(vault, PlanNeed, first.id, +5)  # past the end: stays last
    order = [n.need.text for n in plans.load_plan(vault, plan.id).needs]
    assert order == ["Diabetes", "Loneliness", "Falls"]
    assert second.id in {n.need.id for n in plans.load_plan(vault, plan.id).needs}


def test_removing_a_need_takes_its_goals_and_interventions_and_undo_brings_them_back(
    vault: Vault,
) -> None:
    plan_id, made = _full_plan(vault, _patient(vault))
    removal = plans.remove_item(vault, PlanNeed, made["need"].id)
    assert len(removal.record_ids) == 4  # the need, its goal, its two interventions
    view = plans.load_plan(vault, plan_id)
    assert view.needs == [] and view.goals() == []
    assert plans.restore(vault, removal) == 4
    view = plans.load_plan(vault, plan_id)
    assert [n.need.text for n in view.needs] == ["Heart failure with fluid build-up"]
    assert len(view.interventions()) == 2 and len(view.goals()) == 1
    assert plans.restore(vault, removal) == 0  # undoing twice changes nothing


def test_undo_restores_only_what_that_removal_took(vault: Vault) -> None:
    plan_id, made = _full_plan(vault, _patient(vault))
    early = plans.remove_item(vault, PlanIntervention, made["call"].id)
    later = plans.remove_item(vault, PlanNeed, made["need"].id)
    plans.restore(vault, later)
    view = plans.load_plan(vault, plan_id)
    assert [i.what for i in view.interventions()] == ["Weigh every morning"]
    plans.restore(vault, early)
    assert len(plans.load_plan(vault, plan_id).interventions()) == 2


def test_a_need_from_the_problem_list_and_from_an_assessment_finding(vault: Vault) -> None:
    patient = _patient(vault)
    condition = add_chart_record(vault, Condition, patient, {"text": "COPD", "icd10_code": "J44.9"})
    done = assessments.complete(
        vault,
        patient_id=patient,
        instrument=get_instrument("phq9"),
        answers={**{f"q{n}": "2" for n in range(1, 9)}, "q9": "0"},
    )
    depression = next(n for n in done.needs if n.code == "depression")
    plan = plans.start_plan(vault, patient)
    from_chart = plans.add_need_from_condition(vault, plan.id, condition)
    assert (from_chart.text, from_chart.source) == ("COPD (J44.9)", "condition")
    from_finding = plans.add_need_from_finding(vault, plan.id, depression.id)
    assert from_finding.source == "finding"
    assert from_finding.evidence == depression.evidence
    assert assessments.suggested_needs(vault, patient) == []  # accepted into the plan
    other = _patient(vault)
    with pytest.raises(InvalidInput):
        plans.add_need_from_condition(vault, plans.start_plan(vault, other).id, condition)


def test_progress_notes_and_education_are_kept_against_goals(vault: Vault) -> None:
    plan_id, made = _full_plan(vault, _patient(vault))
    goal = made["goal"]
    plans.add_progress(vault, goal.id, {"noted_on": date.today(), "value": "71.2 kg"})
    plans.add_education(
        vault,
        plan_id,
        {
            "given_on": date.today(),
            "topic": "Daily weights",
            "recipient": "patient and daughter",
            "method": "teach-back",
            "understanding": "needs-review",
        },
        goal_id=goal.id,
    )
    view = plans.load_plan(vault, plan_id)
    goal_view = view.needs[0].goals[0]
    assert [p.value for p in goal_view.progress] == ["71.2 kg"]
    assert [e.understanding for e in goal_view.education] == ["needs-review"]
    with pytest.raises(InvalidInput):
        plans.add_progress(vault, goal.id, {"noted_on": date.today() + timedelta(days=3)})


# -- CMS elements and publishing -------------------------------------------------------------


def test_a_ccm_plan_cannot_be_published_while_elements_are_missing(vault: Vault) -> None:
    patient = _patient(vault, ["ccm"])
    plan = plans.start_plan(vault, patient)
    plans.add_need(vault, plan.id, {"text": "Diabetes"})
    with pytest.raises(versions.PlanIncomplete) as caught:
        versions.publish(vault, plan.id)
    codes = {e.code for e in caught.value.elements}
    assert "problem-list" not in codes
    assert {"measurable-goals", "review", "coordination"} <= codes
    assert "Measurable treatment goals" in str(caught.value)


def test_a_recorded_reason_lets_a_missing_element_through(vault: Vault) -> None:
    patient = _patient(vault, ["ccm"])
    plan_id, _made = _full_plan(vault, patient)
    plans.update_plan(vault, plan_id, {"community_services": ""})
    snapshot = versions.snapshot_of(plans.load_plan(vault, plan_id))
    assert [e.code for e in missing(snapshot)] == ["community-services"]
    plans.set_cms_exception(
        vault, plan_id, "community-services", "Declines services for now; revisit in March"
    )
    version = versions.publish(vault, plan_id, change_note="First plan")
    assert version.number == 1
    status = {e.code: e for e in coverage(version.snapshot)}
    assert not status["community-services"].met
    assert status["community-services"].exception.startswith("Declines")
    with pytest.raises(InvalidInput):
        plans.set_cms_exception(vault, plan_id, "not-an-element", "x")


def test_each_cms_element_is_checked() -> None:
    assert len(CMS_ELEMENTS) == 9
    snapshot: dict[str, Any] = {"plan": {"cms_exceptions": {}}, "needs": []}
    assert all(not e.met for e in coverage(snapshot))
    snapshot["needs"] = [
        {
            "goals": [{"measure": "A1c", "target_value": "below 8%", "target_date": None}],
            "interventions": [
                {"category": "referral", "responsible": "agency", "responsible_name": ""}
            ],
        }
    ]
    status = {e.code: e.met for e in coverage(snapshot)}
    assert status["problem-list"] and status["community-services"]
    assert not status["measurable-goals"]  # no target date
    assert not status["interventions"]  # an agency must be named


def test_a_plan_outside_ccm_publishes_with_gaps(vault: Vault) -> None:
    plan = plans.start_plan(vault, _patient(vault, ["case_mgmt"]))
    plans.add_need(vault, plan.id, {"text": "Housing"})
    assert versions.publish(vault, plan.id).number == 1


def test_publishing_freezes_a_version_and_editing_starts_the_next(vault: Vault) -> None:
    patient = _patient(vault, ["ccm"])
    plan_id, made = _full_plan(vault, patient)
    first = versions.publish(vault, plan_id)
    with pytest.raises(InvalidInput):
        versions.publish(vault, plan_id)  # nothing changed
    plans.update_item(vault, PlanGoal, made["goal"].id, {"target_value": "no gain over 3 lb"})
    current = plans.current_plan(vault, patient)
    assert current is not None and current.changed_since_publish
    assert current.status == "active" and current.published_version == 1
    frozen = versions.get_version(vault, plan_id, 1).snapshot
    assert frozen["needs"][0]["goals"][0]["target_value"] == "no gain over 2 lb a day"
    second = versions.publish(vault, plan_id)
    assert second.number == 2
    plan = plans.current_plan(vault, patient)
    assert plan is not None
    assert versions.version_status(plan, first) == "revised"
    assert versions.version_status(plan, second) == "active"


def test_a_completed_plan_accepts_no_changes(vault: Vault) -> None:
    plan_id, made = _full_plan(vault, _patient(vault))
    plans.complete_plan(vault, plan_id)
    with pytest.raises(InvalidInput):
        plans.add_need(vault, plan_id, {"text": "Another"})
    with pytest.raises(InvalidInput):
        plans.update_item(vault, PlanGoal, made["goal"].id, {"status": "achieved"})


# -- comparing -----------------------------------------------------------------------------------


def test_comparing_versions_says_what_changed_in_plain_words(vault: Vault) -> None:
    patient = _patient(vault)
    plan_id, made = _full_plan(vault, patient)
    versions.publish(vault, plan_id)
    plans.update_item(
        vault,
        PlanGoal,
        made["goal"].id,
        {"target_value": "no gain over 3 lb", "target_date": date(2027, 3, 1)},
    )
    plans.update_item(vault, PlanIntervention, made["weigh"].id, {"status": "completed"})
    plans.remove_item(vault, PlanIntervention, made["call"].id)
    falls = plans.add_need(vault, plan_id, {"text": "Falls at home"})
    plans.add_goal(vault, plan_id, falls.id, {"text": "Walk to the mailbox safely"})
    plans.update_plan(vault, plan_id, {"next_review": date(2027, 2, 1)})
    texts = [c.text for c in versions.compare_versions(vault, plan_id, 1, versions.DRAFT)]
    assert "Need added: 'Falls at home'." in texts
    assert "Goal added: 'Walk to the mailbox safely'." in texts
    assert "Intervention completed: 'Weigh every morning'." in texts
    assert "Intervention removed: 'Review weights with cardiology'." in texts
    target = next(t for t in texts if t.startswith("Goal 'Keep my weight steady'"))
    assert "target from 'no gain over 2 lb a day' to 'no gain over 3 lb'" in target
    assert "target date" in target and "1 Mar 2027" in target
    assert any(t.startswith("Next review date changed") and "1 Feb 2027" in t for t in texts)
    versions.publish(vault, plan_id)
    assert versions.compare_versions(vault, plan_id, 2, versions.DRAFT) == []
    backwards = [c.kind for c in versions.compare_versions(vault, plan_id, 2, 1)]
    assert "removed" in backwards and "added" in backwards


# -- agreement and reviews ------------------------------------------------------------------------


def test_agreement_is_recorded_with_how_and_the_copy_given(vault: Vault) -> None:
    plan_id, _made = _full_plan(vault, _patient(vault))
    version = versions.publish(vault, plan_id)
    with pytest.raises(InvalidInput) as caught:
        versions.record_agreement(
            vault,
            version.id,
            {"agreed_by": "Grace Mwangi", "agreed_on": date.today(), "method": "screen"},
        )
    assert "sign on the pad" in caught.value.errors["signature_png"]
    with pytest.raises(InvalidInput):
        versions.record_agreement(
            vault,
            version.id,
            {
                "agreed_by": "Grace Mwangi",
                "agreed_on": date.today(),
                "method": "screen",
                "signature_png": b"GIF89a...",
            },
        )
    signed = versions.record_agreement(
        vault,
        version.id,
        {
            "agreed_by": "Grace Mwangi",
            "relationship": "patient",
            "agreed_on": date.today(),
            "method": "screen",
            "signature_png": PNG,
        },
    )
    assert signed.copy_given_on is None
    versions.record_copy_given(vault, signed.id, given_on=date.today(), method="printed")
    view = plans.load_plan(vault, plan_id)
    [kept] = view.agreements[version.id]
    assert kept.signature_png == PNG and kept.copy_given_on == date.today()
    assert kept.copy_method == "printed"
    with pytest.raises(RecordNotFound):
        versions.record_agreement(
            vault,
            uuid.uuid4(),
            {"agreed_by": "x", "agreed_on": date.today(), "method": "verbal"},
        )


def test_reviews_due_for_the_worklist(vault: Vault) -> None:
    today = date(2026, 12, 1)
    soon, later, gone = _patient(vault), _patient(vault), _patient(vault)
    for patient, review in ((soon, today - timedelta(days=2)), (later, today + timedelta(days=40))):
        plan = plans.start_plan(vault, patient)
        plans.update_plan(vault, plan.id, {"next_review": review})
    discharged = plans.start_plan(vault, gone)
    plans.update_plan(vault, discharged.id, {"next_review": today})
    update_patient(vault, gone, {"status": "discharged"})
    due = versions.reviews_due(vault, until=today + timedelta(days=7), today=today)
    assert [(d.patient_id, d.overdue) for d in due] == [(soon, True)]
    assert len(versions.reviews_due(vault, until=today + timedelta(days=60), today=today)) == 2


def test_each_version_freezes_the_care_team_and_the_comparison_names_changes(
    vault: Vault,
) -> None:
    from carenav.models import CareTeamMember
    from carenav.services.chart import remove_chart_record

    patient = _patient(vault)
    nurse = add_chart_record(
        vault, CareTeamMember, patient, {"name": "Ines Duarte, RN", "role": "home_health"}
    )
    plan_id, _made = _full_plan(vault, patient)
    versions.publish(vault, plan_id)
    remove_chart_record(vault, CareTeamMember, nurse)
    add_chart_record(vault, CareTeamMember, patient, {"name": "Dr Osei", "phone": "555-010-2222"})
    plans.update_plan(vault, plan_id, {"barriers": "No car on weekdays"})
    version = versions.publish(vault, plan_id)
    assert [m["name"] for m in version.snapshot["care_team"]] == ["Dr Osei"]
    first = versions.get_version(vault, plan_id, 1).snapshot
    assert [m["name"] for m in first["care_team"]] == ["Ines Duarte, RN"]
    texts = [c.text for c in versions.compare_versions(vault, plan_id, 1, 2)]
    assert "Care team: Dr Osei added." in texts
    assert "Care team: Ines Duarte, RN no longer listed." in texts
