"""Care plans: the plan being edited, its needs, goals and interventions.

One current plan per patient (draft or active); a completed plan stays as history.
The live rows are the draft: every change is written at once (nothing typed is
lost) and marks the plan as changed since its newest published version. A removed
need, goal or intervention keeps its row with ``deleted_at`` set, so the removal
can be undone; removing a need removes its goals and interventions with it, and
undoing brings them back together. Versions, comparison and agreement are in
:mod:`carenav.services.plan_versions`; the CMS elements in
:mod:`carenav.services.plan_coverage`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.models import (
    AdvocacyRecord,
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    EducationRecord,
    GoalProgress,
    PlanAgreement,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
    Record,
    SuggestedNeed,
    codes,
    utcnow,
)
from carenav.services.patients import _live_patient
from carenav.services.validation import FieldCleaner
from carenav.store.vault import Vault

R = TypeVar("R", bound=Record)
PLAN_TEXT_FIELDS = (
    "expected_outcome",
    "prognosis",
    "symptom_management",
    "medication_management",
    "community_services",
    "coordination",
    "barriers",
    "strengths",
    "preferences",
)


# -- validation ----------------------------------------------------------------------------


def _clean_plan(c: FieldCleaner) -> None:
    c.text("title", label="Title", required=True)
    c.date("period_start", label="Start date")
    c.date("period_end", label="End date")
    c.date("next_review", label="Next review")
    for name in PLAN_TEXT_FIELDS:
        c.text(name, label=name.replace("_", " ").capitalize(), max_len=2000)


def _clean_need(c: FieldCleaner) -> None:
    c.text("text", label="Need", required=True, max_len=300)
    c.code("domain", label="Domain", choices=_DOMAINS)
    c.code("source", label="Where it comes from", choices=codes.NEED_SOURCES)
    c.text("evidence", label="Evidence", max_len=500)
    c.text("template", label="Template", max_len=60)


def _clean_goal(c: FieldCleaner) -> None:
    c.text("text", label="Goal in the patient's words", required=True, max_len=300)
    c.text("patient_facing", label="Wording for the printed plan", max_len=400)
    c.text("measure", label="Measure")
    c.text("target_value", label="Target")
    c.date("target_date", label="Target date")
    c.code("priority", label="Priority", choices=codes.GOAL_PRIORITIES)
    c.code("status", label="Status", choices=codes.GOAL_STATUSES)


def _clean_intervention(c: FieldCleaner) -> None:
    c.text("what", label="What", required=True, max_len=300)
    c.code("category", label="Kind", choices=codes.INTERVENTION_CATEGORIES)
    c.code("responsible", label="Who is responsible", choices=codes.RESPONSIBLE)
    c.text("responsible_name", label="Name of who is responsible")
    c.text("frequency", label="How often", max_len=100)
    c.date("due_date", label="Due date")
    c.code("status", label="Status", choices=codes.INTERVENTION_STATUSES)


def _clean_progress(c: FieldCleaner) -> None:
    c.date("noted_on", label="Date", required=True, not_future=True)
    c.text("value", label="Value")
    c.text("note", label="Note", max_len=2000)


def _clean_education(c: FieldCleaner) -> None:
    c.date("given_on", label="Date", required=True, not_future=True)
    c.text("topic", label="Topic", required=True)
    c.text("recipient", label="Given to", max_len=100)
    c.code("method", label="Method", choices=codes.EDUCATION_METHODS)
    c.code("understanding", label="Understanding", choices=codes.UNDERSTANDING)
    c.text("note", label="Note", max_len=2000)


def _clean_advocacy(c: FieldCleaner) -> None:
    c.text("service", label="Service denied", required=True)
    c.text("payer", label="Payer")
    c.date("denied_on", label="Date denied", not_future=True)
    c.text("reason_given", label="Reason given", max_len=500)
    c.text("alternative", label="Alternative proposed", max_len=1000)
    c.text("appeal_steps", label="Appeal steps", max_len=2000)
    c.date("appeal_deadline", label="Appeal deadline")
    c.code("status", label="Status", choices=codes.ADVOCACY_STATUSES)


def _domains() -> dict[str, str]:
    from carenav.instruments.definition import DOMAINS

    return {d: d.replace("-", " ").capitalize() for d in sorted(DOMAINS)}


_DOMAINS = _domains()

CLEANERS: dict[type[Record], Callable[[FieldCleaner], None]] = {
    CarePlan: _clean_plan,
    PlanNeed: _clean_need,
    PlanGoal: _clean_goal,
    PlanIntervention: _clean_intervention,
    GoalProgress: _clean_progress,
    EducationRecord: _clean_education,
    AdvocacyRecord: _clean_advocacy,
}
REQUIRED: dict[type[Record], tuple[str, ...]] = {
    PlanNeed: ("text",),
    PlanGoal: ("text",),
    PlanIntervention: ("what",),
    GoalProgress: ("noted_on",),
    EducationRecord: ("given_on", "topic"),
    AdvocacyRecord: ("service",),
}
NAMES: dict[type[Record], str] = {
    CarePlan: "care plan",
    PlanNeed: "need",
    PlanGoal: "goal",
    PlanIntervention: "intervention",
    GoalProgress: "progress note",
    EducationRecord: "education record",
    AdvocacyRecord: "advocacy record",
}


def clean(kind: type[Record], values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    cleaner = FieldCleaner(values)
    if creating:
        for name in REQUIRED.get(kind, ()):
            if name not in values:
                cleaner.errors[name] = "This field is required."
    unknown = set(values) - _known_fields(kind)
    for name in sorted(unknown):
        cleaner.errors[name] = "This is not a field of a care plan record."
    CLEANERS[kind](cleaner)
    return cleaner.done()


def _known_fields(kind: type[Record]) -> set[str]:
    probe = FieldCleaner({})
    names: list[str] = []

    def record_name(name: str, *_args: Any, **_kwargs: Any) -> None:
        names.append(name)

    for method in ("text", "code", "codes", "date", "phone", "flag", "icd10"):
        setattr(probe, method, record_name)
    CLEANERS[kind](probe)
    return set(names)


# -- the plan --------------------------------------------------------------------------------


def _live(session: Session, kind: type[R], record_id: uuid.UUID) -> R:
    record = session.get(kind, record_id)
    if record is None or record.deleted_at is not None:
        raise RecordNotFound(NAMES.get(kind, "record"))
    return record


def _open_plan(session: Session, plan_id: uuid.UUID) -> CarePlan:
    plan = _live(session, CarePlan, plan_id)
    if plan.status == "completed":
        raise InvalidInput(
            {"status": "This care plan is completed. Start a new plan to make changes."}
        )
    return plan


def _touch_plan(session: Session, plan: CarePlan) -> None:
    """Any change to the draft: it now differs from the newest published version."""
    plan.changed_since_publish = True
    plan.touch()
    session.add(plan)


def current_plan(vault: Vault, patient_id: uuid.UUID) -> CarePlan | None:
    """The patient's plan in use (draft or active), or None."""
    with vault.session() as session:
        return _current(session, patient_id)


def _current(session: Session, patient_id: uuid.UUID) -> CarePlan | None:
    statement = (
        select(CarePlan)
        .where(
            CarePlan.patient_id == patient_id,
            col(CarePlan.deleted_at).is_(None),
            CarePlan.status != "completed",
        )
        .order_by(col(CarePlan.created_at).desc())
    )
    return session.exec(statement).first()


def start_plan(
    vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any] | None = None
) -> CarePlan:
    """A new draft plan; refused while the patient has one in use."""
    cleaned = clean(CarePlan, dict(values or {}), creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        if _current(session, patient_id) is not None:
            raise InvalidInput(
                {"plan": "This patient already has a care plan. Revise it, or complete it first."}
            )
        plan = CarePlan(
            patient_id=patient_id,
            author=vault.audit.user,
            period_start=cleaned.pop("period_start", None) or date.today(),
            **cleaned,
        )
        session.add(plan)
        session.flush()
        return plan


def update_plan(vault: Vault, plan_id: uuid.UUID, changes: Mapping[str, Any]) -> CarePlan:
    cleaned = clean(CarePlan, changes, creating=False)
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        start = cleaned.get("period_start", plan.period_start)
        end = cleaned.get("period_end", plan.period_end)
        if start and end and end < start:
            raise InvalidInput({"period_end": "The end date is before the start date."})
        if plan.apply(cleaned):
            _touch_plan(session, plan)
        return plan


def set_cms_exception(vault: Vault, plan_id: uuid.UUID, element: str, reason: str) -> CarePlan:
    """Record why a CMS element is missing on purpose ('' removes the exception)."""
    from carenav.services.plan_coverage import CMS_ELEMENTS

    if element not in CMS_ELEMENTS:
        raise InvalidInput({"element": "Choose one of the CMS care-plan elements."})
    reason = reason.strip()
    if len(reason) > 500:
        raise InvalidInput({"reason": "Keep the reason under 500 characters."})
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        exceptions = dict(plan.cms_exceptions)
        if reason:
            exceptions[element] = reason
        else:
            exceptions.pop(element, None)
        if plan.apply({"cms_exceptions": exceptions}):
            _touch_plan(session, plan)
        return plan


def complete_plan(vault: Vault, plan_id: uuid.UUID) -> CarePlan:
    """End the plan (goals met, discharged from the programme); it stays as history."""
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        plan.apply({"status": "completed", "period_end": plan.period_end or date.today()})
        session.add(plan)
        return plan


# -- needs, goals, interventions and the rest ----------------------------------------------


def _next_position(session: Session, kind: type[Any], **where: Any) -> int:
    statement = select(kind.position).where(*(getattr(kind, k) == v for k, v in where.items()))
    positions = list(session.exec(statement).all())
    return (max(positions) + 1) if positions else 0


def add_need(vault: Vault, plan_id: uuid.UUID, values: Mapping[str, Any]) -> PlanNeed:
    cleaned = clean(PlanNeed, values, creating=True)
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        need = PlanNeed(
            plan_id=plan_id,
            position=_next_position(session, PlanNeed, plan_id=plan_id),
            **cleaned,
        )
        session.add(need)
        _touch_plan(session, plan)
        session.flush()
        return need


def add_need_from_condition(vault: Vault, plan_id: uuid.UUID, condition_id: uuid.UUID) -> PlanNeed:
    """A need for a problem on the problem list (linked, so the plan follows the chart)."""
    from carenav.models import Condition

    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        condition = session.get(Condition, condition_id)
        if condition is None or condition.deleted_at is not None:
            raise RecordNotFound("problem")
        if condition.patient_id != plan.patient_id:
            raise InvalidInput({"condition": "That problem is on another patient's chart."})
        text = (
            condition.text
            if not condition.icd10_code
            else (f"{condition.text} ({condition.icd10_code})")
        )
        need = PlanNeed(
            plan_id=plan_id,
            position=_next_position(session, PlanNeed, plan_id=plan_id),
            text=text[:300],
            domain="medical",
            source="condition",
            condition_id=condition_id,
        )
        session.add(need)
        _touch_plan(session, plan)
        session.flush()
        return need


def add_need_from_finding(
    vault: Vault, plan_id: uuid.UUID, suggested_need_id: uuid.UUID
) -> PlanNeed:
    """Take an assessment's suggested need into the plan, with its evidence; it is accepted."""
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        suggestion = _live(session, SuggestedNeed, suggested_need_id)
        if suggestion.patient_id != plan.patient_id:
            raise InvalidInput({"need": "That finding is from another patient's assessment."})
        social = suggestion.domain in SOCIAL_DOMAINS
        need = PlanNeed(
            plan_id=plan_id,
            position=_next_position(session, PlanNeed, plan_id=plan_id),
            text=suggestion.need[:300],
            domain=suggestion.domain,
            source="social" if social else "finding",
            suggested_need_id=suggestion.id,
            evidence=suggestion.evidence,
        )
        session.add(need)
        suggestion.apply({"status": "accepted", "decided_at": utcnow()})
        session.add(suggestion)
        _touch_plan(session, plan)
        session.flush()
        return need


SOCIAL_DOMAINS = frozenset(
    {"food", "housing", "transportation", "utilities", "safety", "financial", "social"}
)


def add_goal(
    vault: Vault, plan_id: uuid.UUID, need_id: uuid.UUID, values: Mapping[str, Any]
) -> PlanGoal:
    cleaned = clean(PlanGoal, values, creating=True)
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        _child_of(session, PlanNeed, need_id, plan_id)
        goal = PlanGoal(
            plan_id=plan_id,
            need_id=need_id,
            position=_next_position(session, PlanGoal, need_id=need_id),
            **cleaned,
        )
        session.add(goal)
        _touch_plan(session, plan)
        session.flush()
        return goal


def add_intervention(
    vault: Vault,
    plan_id: uuid.UUID,
    need_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    goal_id: uuid.UUID | None = None,
) -> PlanIntervention:
    cleaned = clean(PlanIntervention, values, creating=True)
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        _child_of(session, PlanNeed, need_id, plan_id)
        if goal_id is not None:
            _child_of(session, PlanGoal, goal_id, plan_id)
        item = PlanIntervention(
            plan_id=plan_id,
            need_id=need_id,
            goal_id=goal_id,
            position=_next_position(session, PlanIntervention, need_id=need_id),
            **cleaned,
        )
        session.add(item)
        _touch_plan(session, plan)
        session.flush()
        return item


def add_progress(vault: Vault, goal_id: uuid.UUID, values: Mapping[str, Any]) -> GoalProgress:
    """A dated progress note on a goal. Progress is a running log, not part of a version."""
    cleaned = clean(GoalProgress, values, creating=True)
    with vault.session() as session:
        goal = _live(session, PlanGoal, goal_id)
        _open_plan(session, goal.plan_id)
        note = GoalProgress(goal_id=goal_id, **cleaned)
        session.add(note)
        session.flush()
        return note


def add_education(
    vault: Vault, plan_id: uuid.UUID, values: Mapping[str, Any], *, goal_id: uuid.UUID | None
) -> EducationRecord:
    cleaned = clean(EducationRecord, values, creating=True)
    with vault.session() as session:
        _open_plan(session, plan_id)
        if goal_id is not None:
            _child_of(session, PlanGoal, goal_id, plan_id)
        record = EducationRecord(plan_id=plan_id, goal_id=goal_id, **cleaned)
        session.add(record)
        session.flush()
        return record


def add_advocacy(
    vault: Vault, plan_id: uuid.UUID, values: Mapping[str, Any], *, need_id: uuid.UUID | None
) -> AdvocacyRecord:
    cleaned = clean(AdvocacyRecord, values, creating=True)
    with vault.session() as session:
        plan = _open_plan(session, plan_id)
        if need_id is not None:
            _child_of(session, PlanNeed, need_id, plan_id)
        record = AdvocacyRecord(plan_id=plan_id, need_id=need_id, **cleaned)
        session.add(record)
        _touch_plan(session, plan)
        session.flush()
        return record


def _child_of(session: Session, kind: type[R], record_id: uuid.UUID, plan_id: uuid.UUID) -> R:
    record = _live(session, kind, record_id)
    if getattr(record, "plan_id", None) != plan_id:
        raise InvalidInput({"plan": f"That {NAMES[kind]} belongs to another care plan."})
    return record


EDITABLE = (PlanNeed, PlanGoal, PlanIntervention, EducationRecord, AdvocacyRecord, GoalProgress)


def update_item(
    vault: Vault,
    kind: type[R],
    record_id: uuid.UUID,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> R:
    """Change a need, goal, intervention, progress note, education or advocacy record."""
    if kind not in EDITABLE:
        raise InvalidInput({"kind": "That record cannot be changed here."})
    cleaned = clean(kind, changes, creating=False)
    with vault.session() as session:
        record = _live(session, kind, record_id)
        plan = _open_plan(session, _plan_id_of(session, record))
        if expected_version is not None and record.version != expected_version:
            from carenav.errors import StaleRecord

            raise StaleRecord()
        if record.apply(cleaned) and kind not in (GoalProgress, EducationRecord):
            _touch_plan(session, plan)
        session.add(record)
        return record


def _plan_id_of(session: Session, record: Record) -> uuid.UUID:
    if isinstance(record, GoalProgress):
        goal = session.get(PlanGoal, record.goal_id)
        assert goal is not None
        return goal.plan_id
    plan_id = getattr(record, "plan_id", None)
    assert isinstance(plan_id, uuid.UUID)
    return plan_id


def move_item(vault: Vault, kind: type[R], record_id: uuid.UUID, step: int) -> R:
    """Move a need (within the plan), goal or intervention (within its need) up or down."""
    if kind not in (PlanNeed, PlanGoal, PlanIntervention):
        raise InvalidInput({"kind": "Only needs, goals and interventions can be reordered."})
    with vault.session() as session:
        record = _live(session, kind, record_id)
        plan = _open_plan(session, _plan_id_of(session, record))
        scope = {"plan_id": plan.id} if kind is PlanNeed else {"need_id": record.need_id}  # type: ignore[attr-defined]
        siblings = list(
            session.exec(
                select(kind)
                .where(
                    *(getattr(kind, k) == v for k, v in scope.items()),
                    col(kind.deleted_at).is_(None),
                )
                .order_by(col(kind.position), col(kind.created_at))  # type: ignore[attr-defined]
            ).all()
        )
        index = next(i for i, s in enumerate(siblings) if s.id == record_id)
        target = max(0, min(len(siblings) - 1, index + step))
        if target != index:
            siblings.insert(target, siblings.pop(index))
            for position, sibling in enumerate(siblings):
                if sibling.position != position:  # type: ignore[attr-defined]
                    sibling.position = position  # type: ignore[attr-defined]
                    sibling.touch()
                    session.add(sibling)
            _touch_plan(session, plan)
        return record


# -- removing and undoing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """What one removal took away, so that Undo can put exactly that back."""

    kind: str
    record_ids: tuple[uuid.UUID, ...]
    removed_at: datetime


KIND_NAMES: dict[str, type[Record]] = {
    "need": PlanNeed,
    "goal": PlanGoal,
    "intervention": PlanIntervention,
    "education": EducationRecord,
    "advocacy": AdvocacyRecord,
    "progress": GoalProgress,
}


def remove_item(vault: Vault, kind: type[Record], record_id: uuid.UUID) -> Removal:
    """Remove a record (a need takes its goals and interventions along); undo with restore."""
    name = next(n for n, k in KIND_NAMES.items() if k is kind)
    when = utcnow()
    with vault.session() as session:
        record = _live(session, kind, record_id)
        plan = _open_plan(session, _plan_id_of(session, record))
        removed: list[Record] = [record]
        if kind is PlanNeed:
            removed += _live_children(session, PlanGoal, need_id=record_id)
            removed += _live_children(session, PlanIntervention, need_id=record_id)
        for item in removed:
            item.deleted_at = when
            item.touch()
            session.add(item)
        if kind not in (GoalProgress, EducationRecord):
            _touch_plan(session, plan)
    return Removal(name, tuple(r.id for r in removed), when)


def _live_children(session: Session, kind: type[R], **where: Any) -> list[R]:
    statement = select(kind).where(
        *(getattr(kind, k) == v for k, v in where.items()), col(kind.deleted_at).is_(None)
    )
    return list(session.exec(statement).all())


def restore(vault: Vault, removal: Removal) -> int:
    """Undo a removal: the records it took away come back (only those). Returns how many."""
    kind = KIND_NAMES[removal.kind]
    kinds: Sequence[type[Record]] = (
        (PlanNeed, PlanGoal, PlanIntervention) if kind is PlanNeed else (kind,)
    )
    restored = 0
    with vault.session() as session:
        plan: CarePlan | None = None
        for record_id in removal.record_ids:
            for each in kinds:
                record = session.get(each, record_id)
                if record is None or record.deleted_at != removal.removed_at:
                    continue
                plan = plan or _open_plan(session, _plan_id_of(session, record))
                record.deleted_at = None
                record.touch()
                session.add(record)
                restored += 1
        if plan is not None and kind not in (GoalProgress, EducationRecord):
            _touch_plan(session, plan)
    return restored


# -- reading the whole plan --------------------------------------------------------------------


@dataclass(frozen=True)
class GoalView:
    goal: PlanGoal
    progress: list[GoalProgress] = field(default_factory=list)
    education: list[EducationRecord] = field(default_factory=list)


@dataclass(frozen=True)
class NeedView:
    need: PlanNeed
    goals: list[GoalView] = field(default_factory=list)
    interventions: list[PlanIntervention] = field(default_factory=list)


@dataclass(frozen=True)
class PlanView:
    plan: CarePlan
    needs: list[NeedView]
    education: list[EducationRecord]
    advocacy: list[AdvocacyRecord]
    versions: list[CarePlanVersion]
    agreements: dict[uuid.UUID, list[PlanAgreement]]
    care_team: list[CareTeamMember] = field(default_factory=list)  # from the chart

    def goals(self) -> list[PlanGoal]:
        return [g.goal for n in self.needs for g in n.goals]

    def interventions(self) -> list[PlanIntervention]:
        return [i for n in self.needs for i in n.interventions]


def load_plan(vault: Vault, plan_id: uuid.UUID) -> PlanView:
    """The whole plan in a handful of queries (needs, goals, interventions, records, versions)."""
    with vault.session() as session:
        plan = _live(session, CarePlan, plan_id)
        needs = _ordered(session, PlanNeed, plan_id)
        goals = _ordered(session, PlanGoal, plan_id)
        interventions = _ordered(session, PlanIntervention, plan_id)
        goal_ids = [g.id for g in goals]
        progress = (
            list(
                session.exec(
                    select(GoalProgress)
                    .where(
                        col(GoalProgress.goal_id).in_(goal_ids),
                        col(GoalProgress.deleted_at).is_(None),
                    )
                    .order_by(col(GoalProgress.noted_on).desc(), col(GoalProgress.created_at))
                ).all()
            )
            if goal_ids
            else []
        )
        education = list(
            session.exec(
                select(EducationRecord)
                .where(
                    EducationRecord.plan_id == plan_id, col(EducationRecord.deleted_at).is_(None)
                )
                .order_by(col(EducationRecord.given_on).desc(), col(EducationRecord.created_at))
            ).all()
        )
        advocacy = list(
            session.exec(
                select(AdvocacyRecord)
                .where(AdvocacyRecord.plan_id == plan_id, col(AdvocacyRecord.deleted_at).is_(None))
                .order_by(col(AdvocacyRecord.created_at))
            ).all()
        )
        versions = list(
            session.exec(
                select(CarePlanVersion)
                .where(CarePlanVersion.plan_id == plan_id)
                .order_by(col(CarePlanVersion.number))
            ).all()
        )
        care_team = list(
            session.exec(
                select(CareTeamMember)
                .where(
                    CareTeamMember.patient_id == plan.patient_id,
                    col(CareTeamMember.deleted_at).is_(None),
                )
                .order_by(col(CareTeamMember.created_at), col(CareTeamMember.id))
            ).all()
        )
        agreements: dict[uuid.UUID, list[PlanAgreement]] = {v.id: [] for v in versions}
        if versions:
            for agreement in session.exec(
                select(PlanAgreement)
                .where(
                    col(PlanAgreement.version_id).in_(list(agreements)),
                    col(PlanAgreement.deleted_at).is_(None),
                )
                .order_by(col(PlanAgreement.agreed_on), col(PlanAgreement.created_at))
            ).all():
                agreements[agreement.version_id].append(agreement)
    by_goal: dict[uuid.UUID, list[GoalProgress]] = {}
    for note in progress:
        by_goal.setdefault(note.goal_id, []).append(note)
    taught: dict[uuid.UUID, list[EducationRecord]] = {}
    for record in education:
        if record.goal_id is not None:
            taught.setdefault(record.goal_id, []).append(record)
    views = [
        NeedView(
            need,
            [
                GoalView(g, by_goal.get(g.id, []), taught.get(g.id, []))
                for g in goals
                if g.need_id == need.id
            ],
            [i for i in interventions if i.need_id == need.id],
        )
        for need in needs
    ]
    return PlanView(plan, views, education, advocacy, versions, agreements, care_team)


def _ordered(session: Session, kind: type[R], plan_id: uuid.UUID) -> list[R]:
    statement = (
        select(kind)
        .where(kind.plan_id == plan_id, col(kind.deleted_at).is_(None))  # type: ignore[attr-defined]
        .order_by(col(kind.position), col(kind.created_at))  # type: ignore[attr-defined]
    )
    return list(session.exec(statement).all())
