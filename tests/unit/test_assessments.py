"""Assessments in the vault: drafts as answers are given, signing, amending, history,
trends, safety notices, rescreen dates and suggested needs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments import IncompleteAnswers, get_instrument
from carenav.models import AuditEvent, Draft, Observation, QuestionnaireResponse
from carenav.services import assessments as svc
from carenav.services.patients import create_patient, remove_patient
from carenav.store.vault import Vault

PHQ9 = get_instrument("phq9")
PASSPHRASE = "correct horse battery staple"  # the conftest vault fixture's
ALL_ZERO = {f"q{n}": "0" for n in range(1, 10)}


def _patient(vault: Vault, family: str = "Okafor") -> uuid.UUID:
    return create_patient(
        vault, {"family_name": family, "given_name": "Ada", "birth_date": date(1950, 2, 3)}
    )


def _phq9(total_from_q1_to_q4: int = 0, q9: str = "0") -> dict[str, str]:
    """PHQ-9 answers: the first items carry the score (3 each), item 9 as given."""
    answers = dict(ALL_ZERO)
    left = total_from_q1_to_q4
    for n in range(1, 9):
        points = min(3, left)
        answers[f"q{n}"] = str(points)
        left -= points
    answers["q9"] = q9
    return answers


def test_answers_are_kept_as_they_are_given_and_survive_reopening(
    vault: Vault, vault_path: Path
) -> None:
    patient = _patient(vault)
    svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "2"})
    svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "2", "q2": "3"})
    vault.close()
    reopened = Vault.unlock(vault_path, PASSPHRASE)
    try:
        found = svc.find_in_progress(reopened, patient, "phq9")
        assert found is not None
        assert found.answers(PHQ9) == {"q1": "2", "q2": "3"}
        assert [p.instrument_id for p in svc.in_progress(reopened, patient)] == ["phq9"]
    finally:
        reopened.close()


def test_one_live_draft_per_form_and_the_start_time_is_kept(vault: Vault) -> None:
    patient = _patient(vault)
    first = svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "1"})
    second = svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "3"})
    assert first.draft_id == second.draft_id
    assert second.started_at == first.started_at
    with vault.session() as session:
        live = session.exec(select(Draft).where(Draft.deleted_at == None)).all()  # noqa: E711
    assert len(live) == 1


def test_numbers_dates_and_lists_round_trip_through_a_draft() -> None:
    lace = get_instrument("lace")
    encoded = svc.encode_answers(
        lace, {"los": 5, "charlson": 0, "acuity": "emergent", "unknown": "x"}
    )
    assert encoded == {"los": "5", "charlson": "0", "acuity": "emergent"}
    assert svc.decode_answers(lace, encoded) == {"los": 5, "charlson": 0, "acuity": "emergent"}
    assert svc.decode_answers(lace, {"los": "five"}) == {}


def test_completing_signs_scores_and_drops_the_draft(vault: Vault) -> None:
    patient = _patient(vault)
    svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(12))
    when = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    done = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(12), now=when)
    assert done.response.status == "completed"
    assert done.response.author == vault.audit.user
    assert done.response.authored_at == when
    assert done.response.questionnaire_version == PHQ9.version
    assert done.observation is not None
    assert (done.observation.value, done.observation.band) == (12, done.result.band)
    assert done.observation.code == "44261-6"
    assert done.observation.derived_from_id == done.response.id
    assert svc.find_in_progress(vault, patient, "phq9") is None
    assert done.response.started_at is not None


def test_an_incomplete_form_is_refused_and_its_draft_kept(vault: Vault) -> None:
    patient = _patient(vault)
    answers = {"q1": "1", "q2": "1"}
    svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers=answers)
    with pytest.raises(IncompleteAnswers) as caught:
        svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=answers)
    assert caught.value.link_id == "q3"
    assert svc.find_in_progress(vault, patient, "phq9") is not None
    assert svc.history(vault, patient) == []


def test_completing_is_audited_without_answers(vault: Vault) -> None:
    patient = _patient(vault)
    svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(4))
    with vault.session() as session:
        events = session.exec(select(AuditEvent)).all()
    kinds = {(e.action, e.record_type) for e in events}
    assert ("record_created", "questionnaire_response") in kinds
    assert ("record_created", "observation") in kinds


def test_an_amendment_keeps_the_original_and_replaces_it_in_the_trend(vault: Vault) -> None:
    patient = _patient(vault)
    t0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
    first = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(6), now=t0)
    with pytest.raises(InvalidInput):
        svc.complete(
            vault,
            patient_id=patient,
            instrument=PHQ9,
            answers=_phq9(9),
            amends_id=first.response.id,
        )
    fixed = svc.complete(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=_phq9(9),
        amends_id=first.response.id,
        amendment_reason="Item 3 was misheard on the phone",
        now=t0 + timedelta(hours=1),
    )
    assert fixed.response.status == "amended"
    assert fixed.response.amends_id == first.response.id
    entries = svc.history(vault, patient, "phq9")
    assert [e.response.id for e in entries] == [fixed.response.id, first.response.id]
    original = entries[1]
    assert not original.current
    assert original.response.answers == first.response.answers  # kept as signed
    assert original.observation is not None and original.observation.value == 6
    assert [p.value for p in svc.score_series(vault, patient, "phq9")] == [9]
    with pytest.raises(InvalidInput):  # the original cannot be corrected twice
        svc.complete(
            vault,
            patient_id=patient,
            instrument=PHQ9,
            answers=_phq9(1),
            amends_id=first.response.id,
            amendment_reason="again",
        )


def test_an_amendment_must_be_of_the_same_patient_and_form(vault: Vault) -> None:
    patient, other = _patient(vault), _patient(vault, "Diallo")
    first = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(2))
    with pytest.raises(RecordNotFound):
        svc.complete(
            vault,
            patient_id=other,
            instrument=PHQ9,
            answers=_phq9(2),
            amends_id=first.response.id,
            amendment_reason="wrong chart",
        )
    gad7 = get_instrument("gad7")
    with pytest.raises(InvalidInput):
        svc.complete(
            vault,
            patient_id=patient,
            instrument=gad7,
            answers={f"q{n}": "0" for n in range(1, 8)},
            amends_id=first.response.id,
            amendment_reason="wrong form",
        )


def test_completed_responses_are_never_rewritten_by_a_draft_of_a_correction(
    vault: Vault,
) -> None:
    patient = _patient(vault)
    first = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(3))
    svc.save_answers(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=_phq9(8),
        amends_id=first.response.id,
    )
    assert svc.find_in_progress(vault, patient, "phq9") is None  # not the same draft
    correction = svc.find_in_progress(vault, patient, "phq9", first.response.id)
    assert correction is not None and correction.amends_id == first.response.id
    assert svc.get_response(vault, first.response.id).response.answers == _phq9(3)


def test_the_score_series_is_oldest_first_and_can_start_at_a_date(vault: Vault) -> None:
    patient = _patient(vault)
    start = datetime(2022, 1, 1, 9, tzinfo=UTC)
    for month, total in enumerate([15, 12, 9, 4]):
        svc.complete(
            vault,
            patient_id=patient,
            instrument=PHQ9,
            answers=_phq9(total),
            now=start + timedelta(days=90 * month),
        )
    series = svc.score_series(vault, patient, "phq9")
    assert [p.value for p in series] == [15, 12, 9, 4]
    assert series[0].band == "moderately severe"
    since = svc.score_series(vault, patient, "phq9", since=start + timedelta(days=100))
    assert [p.value for p in since] == [9, 4]
    assert svc.latest_scores(vault, patient)["phq9"].value == 4


def test_item_9_raises_a_safety_notice_until_a_newer_form_clears_it(vault: Vault) -> None:
    patient = _patient(vault)
    t0 = datetime(2026, 2, 1, 9, tzinfo=UTC)
    svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(5, q9="1"), now=t0)
    notices = svc.safety_notices(vault, patient)
    assert [n.instrument_id for n in notices] == ["phq9"]
    assert notices[0].label
    svc.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=_phq9(5), now=t0 + timedelta(days=7)
    )
    assert svc.safety_notices(vault, patient) == []


def test_rescreen_dates_feed_the_worklist(vault: Vault) -> None:
    patient, calm, gone = _patient(vault), _patient(vault, "Berg"), _patient(vault, "Ng")
    t0 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    positive = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(14), now=t0)
    svc.complete(vault, patient_id=calm, instrument=PHQ9, answers=_phq9(2), now=t0)
    svc.complete(vault, patient_id=gone, instrument=PHQ9, answers=_phq9(20), now=t0)
    remove_patient(vault, gone)
    assert positive.observation is not None
    due_on = positive.observation.rescreen_due
    assert due_on is not None and due_on > t0.date()
    assert svc.screenings_due(vault, until=due_on - timedelta(days=1)) == []
    due = svc.screenings_due(vault, until=due_on)
    assert [(d.patient_id, d.instrument_id, d.due) for d in due] == [(patient, "phq9", due_on)]
    svc.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=_phq9(2), now=t0 + timedelta(days=30)
    )
    assert svc.screenings_due(vault, until=due_on) == []


def test_removing_a_patient_removes_access_to_their_forms(vault: Vault) -> None:
    patient = _patient(vault)
    svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(3))
    remove_patient(vault, patient)
    with pytest.raises(RecordNotFound):
        svc.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "1"})


def test_stored_answers_drop_items_switched_off(vault: Vault) -> None:
    patient = _patient(vault)
    done = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(0))
    with vault.session() as session:
        stored = session.get(QuestionnaireResponse, done.response.id)
        scores = session.exec(select(Observation)).all()
    assert stored is not None and stored.answers == _phq9(0)
    assert len(scores) == 1


def test_findings_become_suggested_needs_with_their_evidence(vault: Vault) -> None:
    patient = _patient(vault)
    done = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(12, q9="1"))
    codes = {n.code for n in done.needs}
    assert codes == {"depression", "self-harm-risk"}
    open_needs = svc.suggested_needs(vault, patient)
    depression = next(n for n in open_needs if n.code == "depression")
    assert "PHQ-9 score 13" in depression.evidence  # 12 from items 1-8, 1 from item 9
    assert depression.domain == "behavioural-health"
    assert depression.referral_category == "behavioural health"
    assert depression.response_id == done.response.id


def test_a_need_found_again_refreshes_the_open_suggestion(vault: Vault) -> None:
    patient = _patient(vault)
    t0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
    svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(11), now=t0)
    later = svc.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=_phq9(16), now=t0 + timedelta(days=90)
    )
    needs = svc.suggested_needs(vault, patient)
    assert [n.code for n in needs] == ["depression"]
    assert "16" in needs[0].evidence
    assert needs[0].response_id == later.response.id


def test_accepting_and_dismissing_a_suggested_need(vault: Vault) -> None:
    patient = _patient(vault)
    svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(12, q9="2"))
    needs = {n.code: n for n in svc.suggested_needs(vault, patient)}
    accepted = svc.decide_need(vault, needs["depression"].id, status="accepted")
    assert accepted.status == "accepted" and accepted.decided_at is not None
    with pytest.raises(InvalidInput):
        svc.decide_need(vault, needs["self-harm-risk"].id, status="dismissed")
    with pytest.raises(InvalidInput):
        svc.decide_need(vault, needs["self-harm-risk"].id, status="maybe")
    svc.decide_need(
        vault, needs["self-harm-risk"].id, status="dismissed", note="Safety plan already in place"
    )
    assert svc.suggested_needs(vault, patient) == []
    assert len(svc.suggested_needs(vault, patient, status=None)) == 2
    # an accepted need found again is suggested afresh for the next plan review
    again = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(13))
    assert [n.code for n in again.needs] == ["depression"]
    assert [n.status for n in svc.suggested_needs(vault, patient)] == ["suggested"]


def test_a_correction_that_no_longer_shows_a_need_dismisses_its_suggestion(vault: Vault) -> None:
    patient = _patient(vault)
    first = svc.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9(10))
    assert [n.code for n in first.needs] == ["depression"]
    svc.complete(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=_phq9(6),
        amends_id=first.response.id,
        amendment_reason="Two answers were entered on the wrong line",
    )
    assert svc.suggested_needs(vault, patient) == []
    dismissed = svc.suggested_needs(vault, patient, status="dismissed")
    assert [n.code for n in dismissed] == ["depression"]
    assert "corrected" in dismissed[0].decision_note
