"""Care-plan versions: publishing, comparing, the patient's agreement, review dates.

Publishing freezes the whole plan as it is now into version N (a JSON snapshot in
``care_plan_version`` that is never changed afterwards); editing goes on in the live
rows, which are then draft N+1. Any two versions, or a version and the draft, can be
compared in plain words ("Goal added", "Target changed", "Intervention completed")
for "what changed since the last visit". The patient's or caregiver's agreement with
a version is recorded with who, when, how (on paper, verbally or signed on screen,
the drawn signature kept in the vault) and when a copy was given, as CMS requires.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from carenav.errors import CareNavError, InvalidInput, RecordNotFound
from carenav.models import CarePlan, CarePlanVersion, Patient, PlanAgreement, codes, utcnow
from carenav.services.care_plans import PlanView, current_plan, load_plan
from carenav.services.plan_coverage import ElementStatus, missing, needs_cms_plan
from carenav.services.validation import FieldCleaner
from carenav.store.vault import Vault

DRAFT = 0  # "the draft" where a version number is expected
SIGNATURE_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PlanIncomplete(CareNavError):
    """A CCM plan is missing CMS elements and no reason was recorded for them."""

    exit_code = 5

    def __init__(self, elements: list[ElementStatus]) -> None:
        self.elements = elements
        names = "; ".join(e.label for e in elements)
        super().__init__(
            f"The plan cannot be made active yet: it is missing {names}. "
            "Add them, or record why each one is left out."
        )


# -- snapshots -------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: uuid.UUID | None) -> str | None:
    return value.hex if value is not None else None


def snapshot_of(view: PlanView) -> dict[str, Any]:
    """The plan as plain data (what a version freezes, and what the CLI prints)."""
    plan = view.plan
    return {
        "plan": {
            "title": plan.title,
            "period_start": _day(plan.period_start),
            "period_end": _day(plan.period_end),
            "next_review": _day(plan.next_review),
            "author": plan.author,
            "expected_outcome": plan.expected_outcome,
            "prognosis": plan.prognosis,
            "symptom_management": plan.symptom_management,
            "medication_management": plan.medication_management,
            "community_services": plan.community_services,
            "coordination": plan.coordination,
            "barriers": plan.barriers,
            "strengths": plan.strengths,
            "preferences": plan.preferences,
            "cms_exceptions": dict(plan.cms_exceptions),
        },
        "needs": [
            {
                "id": n.need.id.hex,
                "text": n.need.text,
                "domain": n.need.domain,
                "source": n.need.source,
                "evidence": n.need.evidence,
                "condition_id": _id(n.need.condition_id),
                "suggested_need_id": _id(n.need.suggested_need_id),
                "template": n.need.template,
                "goals": [
                    {
                        "id": g.goal.id.hex,
                        "text": g.goal.text,
                        "patient_facing": g.goal.patient_facing,
                        "measure": g.goal.measure,
                        "target_value": g.goal.target_value,
                        "target_date": _day(g.goal.target_date),
                        "priority": g.goal.priority,
                        "status": g.goal.status,
                    }
                    for g in n.goals
                ],
                "interventions": [
                    {
                        "id": i.id.hex,
                        "what": i.what,
                        "category": i.category,
                        "responsible": i.responsible,
                        "responsible_name": i.responsible_name,
                        "frequency": i.frequency,
                        "due_date": _day(i.due_date),
                        "status": i.status,
                        "goal_id": _id(i.goal_id),
                    }
                    for i in n.interventions
                ],
            }
            for n in view.needs
        ],
        "education": [
            {
                "id": e.id.hex,
                "goal_id": _id(e.goal_id),
                "given_on": _day(e.given_on),
                "topic": e.topic,
                "recipient": e.recipient,
                "method": e.method,
                "understanding": e.understanding,
            }
            for e in view.education
        ],
        "care_team": [
            {
                "id": m.id.hex,
                "name": m.name,
                "role": m.role,
                "organization": m.organization,
                "phone": m.phone,
            }
            for m in view.care_team
        ],
        "advocacy": [
            {
                "id": a.id.hex,
                "need_id": _id(a.need_id),
                "service": a.service,
                "payer": a.payer,
                "denied_on": _day(a.denied_on),
                "alternative": a.alternative,
                "appeal_steps": a.appeal_steps,
                "appeal_deadline": _day(a.appeal_deadline),
                "status": a.status,
            }
            for a in view.advocacy
        ],
    }


# -- publishing --------------------------------------------------------------------------------


def publish(vault: Vault, plan_id: uuid.UUID, *, change_note: str = "") -> CarePlanVersion:
    """Freeze the plan as its next version and make it the active plan.

    For a patient in chronic or principal care management every CMS element must be
    met or have a recorded reason (PlanIncomplete otherwise). Publishing twice with
    no change in between is refused, so every version means something.
    """
    note = change_note.strip()
    if len(note) > 500:
        raise InvalidInput({"change_note": "Keep the note under 500 characters."})
    view = load_plan(vault, plan_id)
    snapshot = snapshot_of(view)
    with vault.session() as session:
        plan = session.get(CarePlan, plan_id)
        assert plan is not None
        if plan.status == "completed":
            raise InvalidInput({"status": "A completed plan cannot be published again."})
        if plan.published_version and not plan.changed_since_publish:
            raise InvalidInput(
                {"plan": f"Nothing has changed since version {plan.published_version}."}
            )
        patient = session.get(Patient, plan.patient_id)
        assert patient is not None
        if needs_cms_plan(patient.programs):
            gaps = missing(snapshot)
            if gaps:
                raise PlanIncomplete(gaps)
        version = CarePlanVersion(
            plan_id=plan_id,
            number=plan.published_version + 1,
            published_at=utcnow(),
            published_by=vault.audit.user,
            change_note=note,
            snapshot=snapshot,
        )
        session.add(version)
        plan.apply(
            {
                "status": "active",
                "published_version": version.number,
                "changed_since_publish": False,
            }
        )
        session.add(plan)
        session.flush()
        return version


def version_status(plan: CarePlan, version: CarePlanVersion) -> str:
    """'active' for the newest version of a plan in use; 'revised' once a newer one exists."""
    if version.number == plan.published_version and plan.status == "active":
        return "active"
    return "completed" if plan.status == "completed" else "revised"


def get_version(vault: Vault, plan_id: uuid.UUID, number: int) -> CarePlanVersion:
    with vault.session() as session:
        version = session.exec(
            select(CarePlanVersion).where(
                CarePlanVersion.plan_id == plan_id, CarePlanVersion.number == number
            )
        ).first()
        if version is None:
            raise RecordNotFound(f"version {number} of the care plan")
        return version


def snapshot_at(vault: Vault, plan_id: uuid.UUID, number: int) -> dict[str, Any]:
    """A version's snapshot, or the current draft's for number 0 (DRAFT)."""
    if number == DRAFT:
        return snapshot_of(load_plan(vault, plan_id))
    return dict(get_version(vault, plan_id, number).snapshot)


# -- comparing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed, completed, achieved
    what: str  # need, goal, intervention, plan, care team, education, advocacy
    text: str  # one plain sentence


GOAL_FIELDS = {
    "text": "wording",
    "patient_facing": "printed wording",
    "measure": "measure",
    "target_value": "target",
    "target_date": "target date",
    "priority": "priority",
    "status": "status",
}
INTERVENTION_FIELDS = {
    "what": "what is done",
    "category": "kind",
    "responsible": "who is responsible",
    "responsible_name": "who is responsible",
    "frequency": "how often",
    "due_date": "due date",
    "status": "status",
}
PLAN_FIELDS = {
    "title": "Title",
    "next_review": "Next review date",
    "period_end": "End date",
    "expected_outcome": "Expected outcome",
    "prognosis": "Prognosis",
    "symptom_management": "Symptom management",
    "medication_management": "Medication management",
    "community_services": "Community and social services",
    "coordination": "Coordination with agencies and specialists",
    "barriers": "Barriers",
    "strengths": "Strengths",
    "preferences": "The patient's priorities",
}
LABELS: dict[str, Mapping[str, str]] = {
    "status": {**codes.GOAL_STATUSES, **codes.INTERVENTION_STATUSES},
    "priority": codes.GOAL_PRIORITIES,
    "category": codes.INTERVENTION_CATEGORIES,
    "responsible": codes.RESPONSIBLE,
}


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "(none)"
    if name in LABELS:
        return LABELS[name].get(str(value), str(value)).lower()
    if name.endswith("date") or name in ("next_review", "period_end"):
        from carenav.dates import day_text

        return day_text(date.fromisoformat(str(value)))
    return f"'{value}'"


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What changed from ``old`` to ``new`` (two snapshots), in plain words, in plan order."""
    changes: list[Change] = []
    for name, label in PLAN_FIELDS.items():
        before, after = old["plan"].get(name), new["plan"].get(name)
        if before != after:
            if name in ("next_review", "period_end", "title"):
                text = f"{label} changed from {_shown(name, before)} to {_shown(name, after)}."
            else:
                text = f"{label} {'written' if not before else 'changed'}."
            changes.append(Change("changed", "plan", text))
    old_needs = {n["id"]: n for n in old["needs"]}
    new_needs = {n["id"]: n for n in new["needs"]}
    for need in new["needs"]:
        before = old_needs.get(need["id"])
        if before is None:
            changes.append(Change("added", "need", f"Need added: '{need['text']}'."))
            for goal in need["goals"]:
                changes.append(Change("added", "goal", f"Goal added: '{goal['text']}'."))
            for item in need["interventions"]:
                changes.append(
                    Change("added", "intervention", f"Intervention added: '{item['what']}'.")
                )
            continue
        if before["text"] != need["text"]:
            changes.append(
                Change("changed", "need", f"Need reworded: '{before['text']}' to '{need['text']}'.")
            )
        changes += _compare_list(before["goals"], need["goals"], "goal", "text", GOAL_FIELDS)
        changes += _compare_list(
            before["interventions"], need["interventions"], "intervention", "what",
            INTERVENTION_FIELDS,
        )  # fmt: skip
    for need in old["needs"]:
        if need["id"] not in new_needs:
            changes.append(Change("removed", "need", f"Need removed: '{need['text']}'."))
    old_team = {m["id"]: m for m in old.get("care_team", [])}
    new_team = {m["id"]: m for m in new.get("care_team", [])}
    for member_id, member in new_team.items():
        if member_id not in old_team:
            changes.append(Change("added", "care team", f"Care team: {member['name']} added."))
    for member_id, member in old_team.items():
        if member_id not in new_team:
            changes.append(
                Change("removed", "care team", f"Care team: {member['name']} no longer listed.")
            )
    old_taught = {e["id"] for e in old.get("education", [])}
    for record in new.get("education", []):
        if record["id"] not in old_taught:
            changes.append(Change("added", "education", f"Education given: {record['topic']}."))
    old_advocacy = {a["id"]: a for a in old.get("advocacy", [])}
    for record in new.get("advocacy", []):
        before = old_advocacy.get(record["id"])
        if before is None:
            changes.append(
                Change("added", "advocacy", f"Denied service recorded: {record['service']}.")
            )
        elif before["status"] != record["status"]:
            status = codes.ADVOCACY_STATUSES.get(record["status"], record["status"]).lower()
            changes.append(
                Change("changed", "advocacy", f"Appeal for {record['service']}: {status}.")
            )
    return changes


def _compare_list(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    what: str,
    title: str,
    fields: Mapping[str, str],
) -> list[Change]:
    changes: list[Change] = []
    before_by_id = {item["id"]: item for item in old}
    noun = what.capitalize()
    for item in new:
        before = before_by_id.get(item["id"])
        name = item[title]
        if before is None:
            changes.append(Change("added", what, f"{noun} added: '{name}'."))
            continue
        if before.get("status") != item.get("status") and item.get("status") in (
            "achieved",
            "completed",
        ):
            kind = "achieved" if what == "goal" else "completed"
            changes.append(Change(kind, what, f"{noun} {kind}: '{name}'."))
        parts = [
            f"{label} from {_shown(key, before.get(key))} to {_shown(key, item.get(key))}"
            for key, label in fields.items()
            if before.get(key) != item.get(key)
            and not (key == "status" and item.get("status") in ("achieved", "completed"))
            and key != title
        ]
        if before.get(title) != name:
            parts.insert(0, f"reworded from '{before.get(title)}'")
        if parts:
            changes.append(Change("changed", what, f"{noun} '{name}': " + "; ".join(parts) + "."))
    new_ids = {item["id"] for item in new}
    for item in old:
        if item["id"] not in new_ids:
            changes.append(Change("removed", what, f"{noun} removed: '{item[title]}'."))
    return changes


def compare_versions(vault: Vault, plan_id: uuid.UUID, old: int, new: int) -> list[Change]:
    """Compare two versions by number (0 means the current draft)."""
    return compare(snapshot_at(vault, plan_id, old), snapshot_at(vault, plan_id, new))


# -- agreement ---------------------------------------------------------------------------------


def _clean_agreement(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating:
        for name in ("agreed_by", "agreed_on", "method"):
            if name not in values:
                c.errors[name] = "This field is required."
    c.text("agreed_by", label="Who agreed", required=True)
    c.code("relationship", label="Relationship", choices=codes.AGREEMENT_RELATIONSHIPS)
    c.date("agreed_on", label="Date agreed", required=True, not_future=True)
    c.code("method", label="How", choices=codes.AGREEMENT_METHODS)
    c.date("copy_given_on", label="Date a copy was given", not_future=True)
    c.code("copy_method", label="How the copy was given", choices=codes.COPY_METHODS, blank=True)
    c.text("note", label="Note", max_len=500)
    cleaned = c.done()
    signature = values.get("signature_png")
    if signature is not None:
        if not isinstance(signature, bytes) or not signature.startswith(PNG_MAGIC):
            raise InvalidInput({"signature_png": "The signature could not be kept; sign again."})
        if len(signature) > SIGNATURE_MAX_BYTES:
            raise InvalidInput({"signature_png": "The signature image is too large; sign again."})
        cleaned["signature_png"] = signature
    return cleaned


def record_agreement(
    vault: Vault, version_id: uuid.UUID, values: Mapping[str, Any]
) -> PlanAgreement:
    """Who agreed with this version, when and how; a signature on screen must be drawn."""
    cleaned = _clean_agreement(values, creating=True)
    if cleaned["method"] == "screen" and not cleaned.get("signature_png"):
        raise InvalidInput({"signature_png": "Ask them to sign on the pad, or choose another way."})
    if cleaned["method"] != "screen" and cleaned.get("signature_png"):
        raise InvalidInput({"method": "A drawn signature goes with 'Signed on screen'."})
    copy_on = cleaned.get("copy_given_on")
    with vault.session() as session:
        version = session.get(CarePlanVersion, version_id)
        if version is None:
            raise RecordNotFound("care plan version")
        if copy_on is not None and copy_on < version.published_at.date():
            raise InvalidInput(
                {"copy_given_on": "A copy cannot be given before the version was published."}
            )
        agreement = PlanAgreement(version_id=version_id, **cleaned)
        session.add(agreement)
        session.flush()
        return agreement


def record_copy_given(
    vault: Vault, agreement_id: uuid.UUID, *, given_on: date, method: str
) -> PlanAgreement:
    """The date a copy of the agreed version was given (CMS requires the patient get one)."""
    cleaned = _clean_agreement({"copy_given_on": given_on, "copy_method": method}, creating=False)
    with vault.session() as session:
        agreement = session.get(PlanAgreement, agreement_id)
        if agreement is None or agreement.deleted_at is not None:
            raise RecordNotFound("agreement")
        agreement.apply(cleaned)
        session.add(agreement)
        return agreement


def agreement_without_copy(
    vault: Vault, patient_id: uuid.UUID, number: int | None
) -> tuple[int, uuid.UUID] | None:
    """(version number, agreement id) of the printed version's newest agreement when no copy
    is recorded on any of its agreements; None for no plan, no agreement, or a copy given.
    ``number`` None means the newest published version."""
    plan = current_plan(vault, patient_id)
    if plan is None:
        return None
    view = load_plan(vault, plan.id)
    versions = sorted(view.versions, key=lambda v: v.number)
    chosen = versions[-1:] if number is None else [v for v in versions if v.number == number]
    if not chosen:
        return None
    agreements = view.agreements.get(chosen[0].id, [])
    if not agreements or any(a.copy_given_on is not None for a in agreements):
        return None
    newest = max(agreements, key=lambda a: (a.agreed_on, a.created_at))
    return chosen[0].number, newest.id


# -- review cycle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDue:
    patient_id: uuid.UUID
    plan_id: uuid.UUID
    next_review: date
    overdue: bool


def reviews_due(
    vault: Vault, *, until: date, today: date | None = None, patient_id: uuid.UUID | None = None
) -> list[ReviewDue]:
    """Plans in use whose next review falls on or before ``until`` (for the worklist)."""
    today = today or date.today()
    statement = (
        select(CarePlan.patient_id, CarePlan.id, col(CarePlan.next_review))
        .join(Patient, col(Patient.id) == col(CarePlan.patient_id))
        .where(
            col(CarePlan.deleted_at).is_(None),
            CarePlan.status != "completed",
            col(CarePlan.next_review).is_not(None),
            col(CarePlan.next_review) <= until,
            col(Patient.deleted_at).is_(None),
            Patient.status != "discharged",
        )
    )
    if patient_id is not None:
        statement = statement.where(CarePlan.patient_id == patient_id)
    with vault.session() as session:
        rows = session.exec(statement).all()
    due = [ReviewDue(pid, plan, when, when < today) for pid, plan, when in rows if when]
    return sorted(due, key=lambda r: (r.next_review, str(r.patient_id)))
