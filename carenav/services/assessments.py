"""Assessments: filling in, signing, amending and reading back scored instruments.

- **In progress.** Every answer is kept as it is given, as an encrypted draft
  (``Draft`` with form ``assessment:<instrument id>``), so a half-finished form
  survives a crash, a lock or a flat battery. There is one live draft per
  patient, instrument and (for a correction) amended response.
- **Completed.** Completing scores the answers exactly as the definition says,
  then in one transaction writes the signed QuestionnaireResponse (who, when),
  one Observation for a scored instrument, the suggested needs its findings
  raise, and drops the draft. A completed response is never changed.
- **Amended.** A correction is a new response with status "amended" that
  points at the original; the original stays as it was, marked superseded, and
  so does its score. Trends and "due" dates read current responses only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments import Finding, Instrument, ScoreResult, rescreen_due, score
from carenav.models import (
    Draft,
    Observation,
    QuestionnaireResponse,
    SuggestedNeed,
    utcnow,
)
from carenav.services.drafts import DraftValue, check_payload
from carenav.services.patients import _live_patient
from carenav.store.vault import Vault

FORM_PREFIX = "assessment:"
STARTED_KEY = "$started_at"  # draft metadata, never a linkId (linkIds have no "$")
AMENDMENT_REASON_MAX = 500
NEED_STATUSES = ("suggested", "accepted", "dismissed")


def draft_form_name(instrument_id: str) -> str:
    return f"{FORM_PREFIX}{instrument_id}"


def instrument_of_form(form: str) -> str | None:
    """The instrument id of an assessment draft's form name, or None for other drafts."""
    return form[len(FORM_PREFIX) :] if form.startswith(FORM_PREFIX) else None


# -- answers as a draft keeps them ---------------------------------------------------------


def encode_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, DraftValue]:
    """Answers as draft values: numbers and dates as text, choices as codes."""
    kept: dict[str, DraftValue] = {}
    for link_id, value in answers.items():
        item = instrument.item(link_id)
        if item is None or value is None or value == "" or value == []:
            continue
        if isinstance(value, bool | str):
            kept[link_id] = value
        elif isinstance(value, list | tuple):
            kept[link_id] = [str(v) for v in value]
        elif isinstance(value, date):
            kept[link_id] = value.isoformat()
        else:
            kept[link_id] = repr(value) if isinstance(value, float) else str(value)
    return kept


def decode_answers(instrument: Instrument, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Draft values back to answers the scoring engine takes; unreadable values are dropped."""
    answers: dict[str, Any] = {}
    for link_id, raw in payload.items():
        item = instrument.item(link_id)
        if item is None or item.type == "display":
            continue
        value = _decoded(item.type, raw)
        if value is not None:
            answers[link_id] = value
    return answers


def _decoded(kind: str, raw: Any) -> Any:
    try:
        if kind == "integer":
            return int(raw)
        if kind == "decimal":
            return float(raw)
    except (TypeError, ValueError):
        return None
    if kind == "boolean":
        return raw if isinstance(raw, bool) else None
    if kind == "multi-choice":
        return list(raw) if isinstance(raw, list) else None
    return raw if isinstance(raw, str) else None


# -- in progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InProgress:
    """A half-finished form: what was answered so far."""

    draft_id: uuid.UUID
    patient_id: uuid.UUID
    instrument_id: str
    payload: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    amends_id: uuid.UUID | None

    def answers(self, instrument: Instrument) -> dict[str, Any]:
        return decode_answers(instrument, self.payload)


def _in_progress_of(draft: Draft) -> InProgress | None:
    ident = instrument_of_form(draft.form)
    if ident is None or draft.patient_id is None:
        return None
    started = draft.payload.get(STARTED_KEY)
    try:
        started_at = datetime.fromisoformat(started) if isinstance(started, str) else None
    except ValueError:
        started_at = None
    return InProgress(
        draft_id=draft.id,
        patient_id=draft.patient_id,
        instrument_id=ident,
        payload={k: v for k, v in draft.payload.items() if not k.startswith("$")},
        started_at=started_at or draft.created_at,
        updated_at=draft.updated_at,
        amends_id=draft.record_id,
    )


def _live_draft(
    session: Session, patient_id: uuid.UUID, instrument_id: str, amends_id: uuid.UUID | None
) -> Draft | None:
    statement = select(Draft).where(
        Draft.form == draft_form_name(instrument_id),
        Draft.patient_id == patient_id,
        col(Draft.record_id).is_(None) if amends_id is None else Draft.record_id == amends_id,
        col(Draft.deleted_at).is_(None),
    )
    return session.exec(statement).first()


def save_answers(
    vault: Vault,
    *,
    patient_id: uuid.UUID,
    instrument: Instrument,
    answers: Mapping[str, Any],
    amends_id: uuid.UUID | None = None,
) -> InProgress:
    """Keep the answers given so far (replacing the previous draft of this form)."""
    payload: dict[str, DraftValue] = dict(check_payload(encode_answers(instrument, answers)))
    with vault.session() as session:
        _live_patient(session, patient_id)
        draft = _live_draft(session, patient_id, instrument.id, amends_id)
        if draft is None:
            payload[STARTED_KEY] = utcnow().isoformat()
            draft = Draft(
                form=draft_form_name(instrument.id),
                patient_id=patient_id,
                record_id=amends_id,
                payload=payload,
            )
        else:
            started = draft.payload.get(STARTED_KEY)
            payload[STARTED_KEY] = started if isinstance(started, str) else utcnow().isoformat()
            draft.payload = payload
            draft.touch()
        session.add(draft)
        session.flush()
        kept = _in_progress_of(draft)
    assert kept is not None
    return kept


def in_progress(vault: Vault, patient_id: uuid.UUID) -> list[InProgress]:
    """The patient's half-finished forms, most recently touched first."""
    statement = (
        select(Draft)
        .where(
            Draft.patient_id == patient_id,
            col(Draft.form).startswith(FORM_PREFIX),
            col(Draft.deleted_at).is_(None),
        )
        .order_by(col(Draft.updated_at).desc())
    )
    with vault.session() as session:
        drafts = list(session.exec(statement).all())
    return [found for d in drafts if (found := _in_progress_of(d)) is not None]


def find_in_progress(
    vault: Vault, patient_id: uuid.UUID, instrument_id: str, amends_id: uuid.UUID | None = None
) -> InProgress | None:
    with vault.session() as session:
        draft = _live_draft(session, patient_id, instrument_id, amends_id)
        return _in_progress_of(draft) if draft is not None else None


def discard_in_progress(vault: Vault, draft_id: uuid.UUID) -> None:
    """Throw a half-finished form away (the draft is emptied and tombstoned)."""
    with vault.session() as session:
        draft = session.get(Draft, draft_id)
        if draft is None or instrument_of_form(draft.form) is None:
            raise RecordNotFound("unfinished form")
        _drop_draft(draft)
        session.add(draft)


def _drop_draft(draft: Draft) -> None:
    if draft.deleted_at is None:
        draft.payload = {}
        draft.deleted_at = utcnow()
        draft.touch()


# -- completing and amending -------------------------------------------------------------


@dataclass(frozen=True)
class Completed:
    response: QuestionnaireResponse
    observation: Observation | None
    result: ScoreResult
    needs: list[SuggestedNeed] = field(default_factory=list)


def flags_as_data(result: ScoreResult) -> list[dict[str, Any]]:
    return [
        {"code": f.code, "label": f.label, "severity": f.severity, "item": f.item}
        for f in result.flags
    ]


def complete(
    vault: Vault,
    *,
    patient_id: uuid.UUID,
    instrument: Instrument,
    answers: Mapping[str, Any],
    amends_id: uuid.UUID | None = None,
    amendment_reason: str = "",
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> Completed:
    """Score, sign and store the form; raise IncompleteAnswers or InvalidAnswer if not ready.

    With ``amends_id`` the new response corrects that one, which must be the
    current response of the same instrument for the same patient; a reason is
    required. The original and its score stay, marked superseded.
    """
    result = score(instrument, answers)
    reason = amendment_reason.strip()
    if amends_id is not None and not reason:
        raise InvalidInput({"amendment_reason": "Say briefly why the answers are corrected."})
    if len(reason) > AMENDMENT_REASON_MAX:
        raise InvalidInput(
            {"amendment_reason": f"Keep the reason under {AMENDMENT_REASON_MAX} characters."}
        )
    signed_at = now or utcnow()
    with vault.session() as session:
        _live_patient(session, patient_id)
        original = _amendable(session, patient_id, instrument.id, amends_id)
        draft = _live_draft(session, patient_id, instrument.id, amends_id)
        kept = _in_progress_of(draft) if draft is not None else None
        response = QuestionnaireResponse(
            patient_id=patient_id,
            questionnaire=instrument.id,
            questionnaire_version=instrument.version,
            status="amended" if original is not None else "completed",
            answers=_stored_answers(instrument, answers),
            flags=flags_as_data(result),
            started_at=started_at or (kept.started_at if kept else None),
            authored_at=signed_at,
            author=vault.audit.user,
            amends_id=amends_id,
            amendment_reason=reason,
        )
        session.add(response)
        session.flush()
        observation = _observation_for(response, result, instrument)
        if observation is not None:
            session.add(observation)
        if original is not None:
            _supersede(session, original, signed_at)
        needs = _record_needs(session, response, result.findings, original)
        if draft is not None:
            _drop_draft(draft)
            session.add(draft)
        session.flush()
    return Completed(response, observation, result, needs)


def _stored_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of enabled items only, in item order (what was scored)."""
    from carenav.instruments import enabled_items

    shown = {item.link_id for item in enabled_items(instrument, answers)}
    return {
        item.link_id: answers[item.link_id]
        for item in instrument.items
        if item.link_id in shown and answers.get(item.link_id) not in (None, "", [])
    }


def _amendable(
    session: Session, patient_id: uuid.UUID, instrument_id: str, amends_id: uuid.UUID | None
) -> QuestionnaireResponse | None:
    if amends_id is None:
        return None
    original = session.get(QuestionnaireResponse, amends_id)
    if original is None or original.deleted_at is not None or original.patient_id != patient_id:
        raise RecordNotFound("completed form")
    if original.questionnaire != instrument_id:
        raise InvalidInput({"amends_id": "A correction must be of the same form."})
    if original.superseded_at is not None:
        raise InvalidInput(
            {"amends_id": "This form was already corrected. Correct the newest version instead."}
        )
    return original


def _observation_for(
    response: QuestionnaireResponse, result: ScoreResult, instrument: Instrument
) -> Observation | None:
    if result.total is None:
        return None
    return Observation(
        patient_id=response.patient_id,
        derived_from_id=response.id,
        questionnaire=instrument.id,
        code=instrument.total_loinc or f"carenav:{instrument.id}-total",
        status="amended" if response.amends_id is not None else "final",
        value=result.total,
        band=result.band or "",
        flags=flags_as_data(result),
        effective_at=response.authored_at,
        rescreen_due=rescreen_due(result, response.authored_at.date()),
    )


def _supersede(session: Session, original: QuestionnaireResponse, when: datetime) -> None:
    original.superseded_at = when
    original.touch()
    session.add(original)
    statement = select(Observation).where(Observation.derived_from_id == original.id)
    for observation in session.exec(statement).all():
        observation.superseded_at = when
        observation.touch()
        session.add(observation)


def _record_needs(
    session: Session,
    response: QuestionnaireResponse,
    findings: Sequence[Finding],
    original: QuestionnaireResponse | None,
) -> list[SuggestedNeed]:
    """Suggested needs for the findings: an open suggestion of the same need is refreshed."""
    open_needs = {
        need.code: need
        for need in session.exec(
            select(SuggestedNeed).where(
                SuggestedNeed.patient_id == response.patient_id,
                SuggestedNeed.status == "suggested",
                col(SuggestedNeed.deleted_at).is_(None),
            )
        ).all()
    }
    found: list[SuggestedNeed] = []
    for finding in findings:
        need = open_needs.pop(finding.code, None)
        if need is None:
            need = SuggestedNeed(
                patient_id=response.patient_id,
                response_id=response.id,
                questionnaire=response.questionnaire,
                code=finding.code,
                need=finding.need,
                domain=finding.domain,
                referral_category=finding.referral_category,
                evidence=finding.evidence,
                found_at=response.authored_at,
            )
        else:
            need.apply(
                {
                    "response_id": response.id,
                    "questionnaire": response.questionnaire,
                    "need": finding.need,
                    "evidence": finding.evidence,
                    "found_at": response.authored_at,
                }
            )
        session.add(need)
        found.append(need)
    if original is not None:  # the correction no longer shows what the original found
        for need in open_needs.values():
            if need.response_id == original.id:
                need.apply(
                    {
                        "status": "dismissed",
                        "decided_at": response.authored_at,
                        "decision_note": "No longer found after the form was corrected.",
                    }
                )
                session.add(need)
    return found


# -- reading back --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    response: QuestionnaireResponse
    observation: Observation | None

    @property
    def current(self) -> bool:
        return self.response.superseded_at is None


def history(
    vault: Vault, patient_id: uuid.UUID, instrument_id: str | None = None
) -> list[HistoryEntry]:
    """Every completed form of the patient (corrected originals included), newest first."""
    statement = select(QuestionnaireResponse).where(
        QuestionnaireResponse.patient_id == patient_id,
        col(QuestionnaireResponse.deleted_at).is_(None),
    )
    if instrument_id is not None:
        statement = statement.where(QuestionnaireResponse.questionnaire == instrument_id)
    statement = statement.order_by(
        col(QuestionnaireResponse.authored_at).desc(), col(QuestionnaireResponse.id)
    )
    with vault.session() as session:
        responses = list(session.exec(statement).all())
        scores = _observations_by_response(session, [r.id for r in responses])
    return [HistoryEntry(r, scores.get(r.id)) for r in responses]


def _observations_by_response(
    session: Session, response_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Observation]:
    ids = list(response_ids)
    if not ids:
        return {}
    found: dict[uuid.UUID, Observation] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        statement = select(Observation).where(col(Observation.derived_from_id).in_(chunk))
        for observation in session.exec(statement).all():
            found[observation.derived_from_id] = observation
    return found


def scores_of(vault: Vault, response_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Observation]:
    """The score of each given signed form that has one (check-ins carried by contacts)."""
    with vault.session() as session:
        return _observations_by_response(session, response_ids)


def get_response(vault: Vault, response_id: uuid.UUID) -> HistoryEntry:
    with vault.session() as session:
        response = session.get(QuestionnaireResponse, response_id)
        if response is None or response.deleted_at is not None:
            raise RecordNotFound("completed form")
        scores = _observations_by_response(session, [response.id])
    return HistoryEntry(response, scores.get(response.id))


@dataclass(frozen=True)
class ScorePoint:
    effective_at: datetime
    value: int
    band: str
    response_id: uuid.UUID


def score_series(
    vault: Vault, patient_id: uuid.UUID, instrument_id: str, *, since: datetime | None = None
) -> list[ScorePoint]:
    """Current scores of one instrument, oldest first (the trend chart's points)."""
    statement = select(
        Observation.effective_at, Observation.value, Observation.band, Observation.derived_from_id
    ).where(
        Observation.patient_id == patient_id,
        Observation.questionnaire == instrument_id,
        col(Observation.superseded_at).is_(None),
        col(Observation.deleted_at).is_(None),
    )
    if since is not None:
        statement = statement.where(Observation.effective_at >= since)
    statement = statement.order_by(col(Observation.effective_at))
    with vault.session() as session:
        rows = session.exec(statement).all()
    return [ScorePoint(when, value, band, rid) for when, value, band, rid in rows]


def latest_scores(vault: Vault, patient_id: uuid.UUID) -> dict[str, Observation]:
    """The newest current score of each instrument the patient has done."""
    statement = (
        select(Observation)
        .where(
            Observation.patient_id == patient_id,
            col(Observation.superseded_at).is_(None),
            col(Observation.deleted_at).is_(None),
        )
        .order_by(col(Observation.effective_at))
    )
    with vault.session() as session:
        return {o.questionnaire: o for o in session.exec(statement).all()}


@dataclass(frozen=True)
class SafetyNotice:
    """An urgent flag on the newest current response of an instrument (e.g. PHQ-9 item 9)."""

    instrument_id: str
    label: str
    raised_at: datetime
    response_id: uuid.UUID


def safety_notices(vault: Vault, patient_id: uuid.UUID) -> list[SafetyNotice]:
    """Urgent flags the chart must show: only from each instrument's newest current form."""
    statement = (
        select(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.patient_id == patient_id,
            col(QuestionnaireResponse.superseded_at).is_(None),
            col(QuestionnaireResponse.deleted_at).is_(None),
        )
        .order_by(col(QuestionnaireResponse.authored_at))
    )
    with vault.session() as session:
        newest = {r.questionnaire: r for r in session.exec(statement).all()}
    return [
        SafetyNotice(ident, str(flag.get("label", "")), response.authored_at, response.id)
        for ident, response in sorted(newest.items())
        for flag in response.flags
        if flag.get("severity") == "urgent"
    ]


@dataclass(frozen=True)
class DueScreening:
    patient_id: uuid.UUID
    instrument_id: str
    due: date
    last_value: int
    last_band: str
    last_done: datetime


def screenings_due(
    vault: Vault, *, until: date, patient_id: uuid.UUID | None = None
) -> list[DueScreening]:
    """Rescreens due on or before ``until`` (from each patient's newest current score), by date.

    For the worklist: a rescreen is due when the instrument's rule gave the
    newest current score a date; a later form of the same instrument replaces it.
    """
    # Only the newest current score of each patient and instrument decides, and only
    # its few columns are read: the database picks the newest through the trend index.
    newer = aliased(Observation)
    newest_exists = (
        select(newer.id)
        .where(
            newer.patient_id == Observation.patient_id,
            newer.questionnaire == Observation.questionnaire,
            col(newer.superseded_at).is_(None),
            col(newer.deleted_at).is_(None),
            col(newer.effective_at) > col(Observation.effective_at),
        )
        .exists()
    )
    statement = sa_select(
        col(Observation.patient_id),
        col(Observation.questionnaire),
        col(Observation.rescreen_due),
        col(Observation.value),
        col(Observation.band),
        col(Observation.effective_at),
    ).where(
        col(Observation.superseded_at).is_(None),
        col(Observation.deleted_at).is_(None),
        col(Observation.rescreen_due).is_not(None),
        col(Observation.rescreen_due) <= until,
        ~newest_exists,
    )
    if patient_id is not None:
        statement = statement.where(col(Observation.patient_id) == patient_id)
    with vault.session() as session:
        rows = [tuple(row) for row in session.execute(statement).all()]
        live = _live_patient_ids(session, {row[0] for row in rows})
    due = [
        DueScreening(pid, ident, when, value, band, done)
        for pid, ident, when, value, band, done in rows
        if when is not None and pid in live
    ]
    return sorted(due, key=lambda d: (d.due, d.instrument_id, str(d.patient_id)))


def _live_patient_ids(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    from carenav.models import Patient

    if not ids:
        return set()
    statement = select(Patient.id).where(
        col(Patient.id).in_(list(ids)),
        col(Patient.deleted_at).is_(None),
        Patient.status != "discharged",
    )
    return set(session.exec(statement).all())


# -- suggested needs -------------------------------------------------------------------------


def suggested_needs(
    vault: Vault, patient_id: uuid.UUID, *, status: str | None = "suggested"
) -> list[SuggestedNeed]:
    """The patient's needs found by assessments (open suggestions by default), newest first."""
    statement = select(SuggestedNeed).where(
        SuggestedNeed.patient_id == patient_id, col(SuggestedNeed.deleted_at).is_(None)
    )
    if status is not None:
        statement = statement.where(SuggestedNeed.status == status)
    statement = statement.order_by(col(SuggestedNeed.found_at).desc(), col(SuggestedNeed.code))
    with vault.session() as session:
        return list(session.exec(statement).all())


def decide_need(vault: Vault, need_id: uuid.UUID, *, status: str, note: str = "") -> SuggestedNeed:
    """Mark a suggested need accepted (taken into a plan) or dismissed (a note says why)."""
    if status not in ("accepted", "dismissed"):
        raise InvalidInput({"status": "Choose to accept or dismiss the suggested need."})
    note = note.strip()
    if status == "dismissed" and not note:
        raise InvalidInput({"decision_note": "Say briefly why this need does not apply."})
    if len(note) > 500:
        raise InvalidInput({"decision_note": "Keep the note under 500 characters."})
    with vault.session() as session:
        need = session.get(SuggestedNeed, need_id)
        if need is None or need.deleted_at is not None:
            raise RecordNotFound("suggested need")
        need.apply({"status": status, "decision_note": note, "decided_at": utcnow()})
        session.add(need)
        session.flush()
        return need
