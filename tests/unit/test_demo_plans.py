"""Care plans of the demo caseload: deterministic, valid, the rows the services write."""

from __future__ import annotations

import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from carenav.instruments import get_instrument
from carenav.models import (
    CARE_PLAN_RECORD_TYPES,
    AdvocacyRecord,
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    Condition,
    EducationRecord,
    GoalProgress,
    Patient,
    PlanAgreement,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
    Record,
    SuggestedNeed,
)
from carenav.plan_templates import available_templates
from carenav.services import assessments, demo, demo_plans
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.care_plans import GoalView, NeedView, PlanView, clean
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient
from carenav.services.plan_coverage import coverage, missing, needs_cms_plan
from carenav.services.plan_versions import _clean_agreement, compare, snapshot_of
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
AS_OF = date(2025, 6, 2)


def new_vault(path: Path) -> Vault:
    vault, _code = Vault.create(path, PASSPHRASE, kdf=CHEAP_KDF)
    return vault


def rows_of(vault: Vault, kind: type[Record]) -> list[Any]:
    with vault.session() as session:
        return list(session.exec(select(kind)).all())


def plan_tables(vault: Vault) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    kinds: tuple[type[Record], ...] = (*CARE_PLAN_RECORD_TYPES, SuggestedNeed)
    with vault.session() as session:
        for kind in kinds:
            found = session.exec(select(kind)).all()
            tables[kind.__name__] = sorted((r.model_dump() for r in found), key=lambda r: r["id"])
    return tables


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    """160 demo patients with plans, built once for the read-only checks below."""
    vault = new_vault(tmp_path_factory.mktemp("plans") / "demo.cnv")
    demo.fill_demo_caseload(vault, patients=160, seed=2, as_of=AS_OF)
    yield vault
    vault.close()


# -- deterministic -------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_plans(tmp_path: Path) -> None:
    first, second = new_vault(tmp_path / "a.cnv"), new_vault(tmp_path / "b.cnv")
    try:
        for vault in (first, second):
            demo.fill_demo_caseload(vault, patients=30, seed=4, as_of=AS_OF)
        one, two = plan_tables(first), plan_tables(second)
    finally:
        first.close()
        second.close()
    assert one == two
    assert len(one["CarePlan"]) > 15 and len(one["CarePlanVersion"]) > 15


def test_plans_leave_the_people_and_their_forms_as_they_were(tmp_path: Path) -> None:
    with_plans, without = new_vault(tmp_path / "a.cnv"), new_vault(tmp_path / "b.cnv")
    try:
        demo.fill_demo_caseload(with_plans, patients=20, seed=6, as_of=AS_OF)
        demo.fill_demo_caseload(without, patients=20, seed=6, as_of=AS_OF, care_plans=False)
        people = [[p.model_dump() for p in rows_of(v, Patient)] for v in (with_plans, without)]
        needs = [{n.id: n for n in rows_of(v, SuggestedNeed)} for v in (with_plans, without)]
        assert rows_of(without, CarePlan) == []
    finally:
        with_plans.close()
        without.close()
    assert people[0] == people[1]
    assert needs[0].keys() == needs[1].keys()
    accepted = [n for n in needs[0].values() if n.status == "accepted"]
    assert accepted
    for need in accepted:  # only the decision differs
        before = needs[1][need.id]
        assert before.status == "suggested" and need.version == before.version + 1


# -- the snapshots are what snapshot_of gives ------------------------------------------------


def _view(rows: demo_plans.PlanRows) -> PlanView:
    """A PlanView of model objects built from the writer's rows, ordered as load_plan does."""

    def live(kind: type[Record], found: list[dict[str, Any]]) -> list[Any]:
        return [kind(**r) for r in found if r["deleted_at"] is None]

    def ordered(kind: type[Record], found: list[dict[str, Any]]) -> list[Any]:
        return sorted(live(kind, found), key=lambda r: (r.position, r.created_at))

    goals = ordered(PlanGoal, rows.goals)
    steps = ordered(PlanIntervention, rows.interventions)
    education = sorted(live(EducationRecord, rows.education), key=lambda r: r.created_at)
    education.sort(key=lambda r: r.given_on, reverse=True)
    needs = [
        NeedView(
            need,
            [GoalView(g) for g in goals if g.need_id == need.id],
            [i for i in steps if i.need_id == need.id],
        )
        for need in ordered(PlanNeed, rows.needs)
    ]
    advocacy = sorted(live(AdvocacyRecord, rows.advocacy), key=lambda r: r.created_at)
    team = sorted(live(CareTeamMember, rows.care_team), key=lambda m: (m.created_at, str(m.id)))
    return PlanView(CarePlan(**rows.plan), needs, education, advocacy, [], {}, team)


def test_every_demo_version_freezes_what_snapshot_of_gives(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[int] = []
    publish = demo_plans.PlanRows.publish

    def checked(self: demo_plans.PlanRows, change_note: str, at: datetime) -> dict[str, Any]:
        expected = snapshot_of(_view(self))
        version = publish(self, change_note, at)
        assert version["snapshot"] == expected
        published.append(version["number"])
        return version

    monkeypatch.setattr(demo_plans.PlanRows, "publish", checked)
    demo.fill_demo_caseload(vault, patients=60, seed=3, as_of=AS_OF)
    assert len(published) > 60 and max(published) >= 4


def test_the_newest_version_is_the_plan_as_it_stands_when_nothing_changed_since(
    caseload: Vault,
) -> None:
    checked = 0
    for plan in rows_of(caseload, CarePlan):
        if plan.published_version == 0 or plan.changed_since_publish:
            continue
        if plan.status == "completed":  # completing sets the end date, after the last version
            continue
        newest = versions.get_version(caseload, plan.id, plan.published_version)
        assert newest.snapshot == snapshot_of(plans.load_plan(caseload, plan.id))
        checked += 1
    assert checked > 80


# -- what the plans hold -------------------------------------------------------------------------


def test_most_active_patients_have_a_plan_with_several_versions(caseload: Vault) -> None:
    patients = {p.id: p for p in rows_of(caseload, Patient)}
    found = rows_of(caseload, CarePlan)
    active = [p for p in patients.values() if p.status == "active"]
    with_plan = {plan.patient_id for plan in found}
    assert sum(p.id in with_plan for p in active) > 0.75 * len(active)
    assert len(with_plan) == len(found)  # one plan per patient
    counts = Counter(plan.published_version for plan in found)
    assert set(counts) - {0} == {1, 2, 3, 4, 5}, counts
    assert counts[1] + counts[2] > counts[4] + counts[5]
    statuses = Counter(plan.status for plan in found)
    assert statuses["active"] > 0.8 * len(found)
    changed = [plan for plan in found if plan.changed_since_publish and plan.published_version]
    assert 2 <= len(changed) < 0.25 * len(found)
    by_plan = Counter(v.plan_id for v in rows_of(caseload, CarePlanVersion))
    assert all(by_plan[plan.id] == plan.published_version for plan in found)


def test_ccm_plans_meet_every_cms_element_or_say_why_not(caseload: Vault) -> None:
    patients = {p.id: p for p in rows_of(caseload, Patient)}
    plan_patient = {plan.id: patients[plan.patient_id] for plan in rows_of(caseload, CarePlan)}
    excused = 0
    ccm_versions = 0
    for version in rows_of(caseload, CarePlanVersion):
        elements = coverage(version.snapshot)
        if not needs_cms_plan(plan_patient[version.plan_id].programs):
            continue
        ccm_versions += 1
        assert missing(version.snapshot) == [], version.plan_id
        excused += any(not e.met for e in elements)
        for element in elements:
            assert element.met or len(element.exception) > 20
    assert ccm_versions > 100
    assert 1 <= excused < 0.2 * ccm_versions


def test_consecutive_versions_differ_in_plain_words(caseload: Vault) -> None:
    by_plan: dict[uuid.UUID, list[Any]] = {}
    for version in sorted(rows_of(caseload, CarePlanVersion), key=lambda v: v.number):
        by_plan.setdefault(version.plan_id, []).append(version)
    kinds: Counter[str] = Counter()
    pairs = 0
    for found in by_plan.values():
        assert [v.number for v in found] == list(range(1, len(found) + 1))
        for older, newer in pairwise(found):
            changes = compare(older.snapshot, newer.snapshot)
            assert changes, (older.plan_id, newer.number)
            assert newer.published_at > older.published_at
            kinds.update(f"{c.kind} {c.what}" for c in changes)
            pairs += 1
    assert pairs > 100
    for wanted in ("changed goal", "achieved goal", "completed intervention", "added need"):
        assert kinds[wanted] >= 3, kinds


def test_needs_come_from_the_problem_list_and_accepted_findings(caseload: Vault) -> None:
    conditions = {c.id: c for c in rows_of(caseload, Condition)}
    suggestions = {s.id: s for s in rows_of(caseload, SuggestedNeed)}
    plan_patient = {plan.id: plan.patient_id for plan in rows_of(caseload, CarePlan)}
    sources: Counter[str] = Counter()
    template_ids = {t.id for t in available_templates()}
    for need in rows_of(caseload, PlanNeed):
        sources[need.source] += 1
        patient = plan_patient[need.plan_id]
        if need.condition_id is not None:
            condition = conditions[need.condition_id]
            assert condition.patient_id == patient
            assert need.text == f"{condition.text} ({condition.icd10_code})"
        if need.suggested_need_id is not None:
            suggestion = suggestions[need.suggested_need_id]
            assert suggestion.patient_id == patient and suggestion.status == "accepted"
            assert suggestion.found_at < need.created_at == suggestion.decided_at
            assert need.text == suggestion.need and need.evidence == suggestion.evidence
        assert need.template == "" or need.template in template_ids
    assert sources["condition"] > sources["finding"] + sources["social"] > 10
    assert sources["social"] >= 3
    accepted = [s for s in suggestions.values() if s.status == "accepted"]
    assert len(accepted) == sources["finding"] + sources["social"]
    assert any(s.status == "suggested" for s in suggestions.values())  # some still open


def test_goals_are_measurable_and_interventions_say_who(caseload: Vault) -> None:
    goals = rows_of(caseload, PlanGoal)
    steps = rows_of(caseload, PlanIntervention)
    assert len(goals) > 250 and len(steps) > 400
    assert sum(bool(g.measure and g.target_value and g.target_date) for g in goals) > 0.9 * len(
        goals
    )
    statuses = Counter(g.status for g in goals)
    assert {"in-progress", "achieved", "proposed"} <= set(statuses)
    assert Counter(i.status for i in steps)["completed"] > 20
    named = [i for i in steps if i.responsible in ("provider", "agency")]
    assert named and all(i.responsible_name for i in named)
    names = {i.responsible_name for i in named}
    assert any(", MD (" in n for n in names)  # providers from the care team, with the office
    assert any(i.responsible == "caregiver" and "(" in i.responsible_name for i in steps)
    assert {i.responsible for i in steps} >= {"patient", "care-manager", "provider", "agency"}


def test_progress_education_and_advocacy(caseload: Vault) -> None:
    notes = rows_of(caseload, GoalProgress)
    taught = rows_of(caseload, EducationRecord)
    denied = rows_of(caseload, AdvocacyRecord)
    assert len(notes) > 150 and sum(bool(n.value) for n in notes) > 0.6 * len(notes)
    assert {e.understanding for e in taught} == {"good", "needs-review"}
    assert len({e.method for e in taught}) >= 3
    assert all(e.goal_id is not None for e in taught)
    assert 1 <= len(denied) < 20
    for record in denied:
        assert record.alternative and record.appeal_steps.startswith("1. ")
        assert record.appeal_deadline is not None and record.denied_on is not None
        assert record.appeal_deadline > record.denied_on
    assert {n.noted_on for n in notes} and max(n.noted_on for n in notes) < AS_OF


def test_agreements_and_copies(caseload: Vault) -> None:
    found = rows_of(caseload, PlanAgreement)
    published = {v.id: v for v in rows_of(caseload, CarePlanVersion)}
    assert 0.7 * len(published) < len(found) < len(published)
    methods = Counter(a.method for a in found)
    assert set(methods) == {"verbal", "paper", "screen"}
    assert methods["verbal"] > methods["screen"] > 0
    relationships = {a.relationship for a in found}
    assert "patient" in relationships and relationships & {"caregiver", "representative"}
    copies = [a for a in found if a.copy_given_on is not None]
    assert 0.6 * len(found) < len(copies) < len(found)
    assert {a.copy_method for a in copies} == {"printed", "mailed", "electronic"}
    assert any(a.version == 2 for a in copies)  # a copy recorded after the agreement
    for agreement in found:
        version = published[agreement.version_id]
        assert agreement.agreed_on >= version.published_at.date()
        if agreement.copy_given_on is not None:
            assert agreement.copy_given_on >= agreement.agreed_on
        if agreement.method == "screen":
            assert _is_png(agreement.signature_png)
        else:
            assert agreement.signature_png is None


def _is_png(data: bytes | None) -> bool:
    """A well-formed PNG: the magic, IHDR, an IDAT that inflates to its lines, IEND."""
    assert data is not None and data.startswith(versions.PNG_MAGIC)
    assert len(data) < versions.SIGNATURE_MAX_BYTES
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    start = data.index(b"IDAT")
    size = int.from_bytes(data[start - 4 : start], "big")
    lines = zlib.decompress(data[start + 4 : start + 4 + size])
    assert len(lines) == height * (width + 1)
    assert min(lines) < 100  # some ink
    return data.endswith(b"IEND\xaeB`\x82")


def test_reviews_some_overdue(caseload: Vault) -> None:
    due = versions.reviews_due(caseload, until=AS_OF + timedelta(days=30), today=AS_OF)
    overdue = [d for d in due if d.overdue]
    found = rows_of(caseload, CarePlan)
    assert 3 <= len(overdue) < 0.35 * len(found)
    assert all(plan.next_review is not None for plan in found)


def test_every_plan_record_passes_the_services_validation(caseload: Vault) -> None:
    kinds: tuple[type[Record], ...] = (
        PlanNeed,
        PlanGoal,
        PlanIntervention,
        GoalProgress,
        EducationRecord,
        AdvocacyRecord,
    )
    for kind in kinds:
        fields = plans._known_fields(kind)
        for row in rows_of(caseload, kind):
            values = {k: v for k, v in row.model_dump().items() if k in fields}
            assert clean(kind, values, creating=True) == values, (kind.__name__, row.id)
    texts = plans._known_fields(CarePlan)
    for plan in rows_of(caseload, CarePlan):
        values = {k: v for k, v in plan.model_dump().items() if k in texts}
        cleaned = clean(CarePlan, values, creating=True)
        assert {k: v for k, v in cleaned.items() if v not in ("", None)} == {
            k: v for k, v in values.items() if v not in ("", None)
        }
    agreement_fields = ("agreed_by", "relationship", "agreed_on", "method", "copy_given_on")
    for agreement in rows_of(caseload, PlanAgreement):
        values = {k: getattr(agreement, k) for k in agreement_fields}
        values["copy_method"] = agreement.copy_method
        _clean_agreement(values, creating=True)


def test_times_fall_between_enrolment_and_the_reference_day(caseload: Vault) -> None:
    enrolled = {p.id: p.created_at for p in rows_of(caseload, Patient)}
    plan_patient = {}
    for plan in rows_of(caseload, CarePlan):
        plan_patient[plan.id] = plan.patient_id
        assert enrolled[plan.patient_id] < plan.created_at <= plan.updated_at
        assert plan.updated_at.date() < AS_OF
        assert plan.period_start is not None and plan.period_start < AS_OF
    for version in rows_of(caseload, CarePlanVersion):
        assert enrolled[plan_patient[version.plan_id]] < version.published_at
        assert version.published_at.date() < AS_OF
        assert version.published_by == caseload.audit.user


# -- the bulk path writes what the services write -----------------------------------------------

TODAY = date.today()  # the services publish now: agreements and copies cannot be earlier
D0 = TODAY - timedelta(days=200)
T0 = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)  # completing ends the plan today


class ByServices:
    """The script's steps through the care-plan services."""

    def __init__(self, vault: Vault, patient: uuid.UUID) -> None:
        self.vault, self.patient = vault, patient
        self.plan = uuid.UUID(int=0)

    def start_plan(self, values: dict[str, Any]) -> uuid.UUID:
        self.plan = plans.start_plan(self.vault, self.patient, values).id
        return self.plan

    def update_plan(self, changes: dict[str, Any]) -> None:
        plans.update_plan(self.vault, self.plan, changes)

    def set_cms_exception(self, element: str, reason: str) -> None:
        plans.set_cms_exception(self.vault, self.plan, element, reason)

    def need_from_condition(self, condition: uuid.UUID) -> uuid.UUID:
        return plans.add_need_from_condition(self.vault, self.plan, condition).id

    def need_from_finding(self, suggestion: uuid.UUID) -> uuid.UUID:
        return plans.add_need_from_finding(self.vault, self.plan, suggestion).id

    def add_need(self, values: dict[str, Any]) -> uuid.UUID:
        return plans.add_need(self.vault, self.plan, values).id

    def add_goal(self, need: uuid.UUID, values: dict[str, Any]) -> uuid.UUID:
        return plans.add_goal(self.vault, self.plan, need, values).id

    def add_intervention(
        self, need: uuid.UUID, values: dict[str, Any], goal: uuid.UUID | None = None
    ) -> uuid.UUID:
        return plans.add_intervention(self.vault, self.plan, need, values, goal_id=goal).id

    def add_progress(self, goal: uuid.UUID, values: dict[str, Any]) -> None:
        plans.add_progress(self.vault, goal, values)

    def add_education(self, values: dict[str, Any], goal: uuid.UUID) -> None:
        plans.add_education(self.vault, self.plan, values, goal_id=goal)

    def add_advocacy(self, values: dict[str, Any], need: uuid.UUID) -> uuid.UUID:
        return plans.add_advocacy(self.vault, self.plan, values, need_id=need).id

    def update_item(self, kind: type[Record], item: uuid.UUID, changes: dict[str, Any]) -> None:
        plans.update_item(self.vault, kind, item, changes)

    def publish(self, note: str) -> uuid.UUID:
        return versions.publish(self.vault, self.plan, change_note=note).id

    def agree(self, version: uuid.UUID, values: dict[str, Any]) -> uuid.UUID:
        return versions.record_agreement(self.vault, version, values).id

    def copy_given(self, agreement: uuid.UUID, given_on: date, method: str) -> None:
        versions.record_copy_given(self.vault, agreement, given_on=given_on, method=method)

    def complete(self) -> None:
        plans.complete_plan(self.vault, self.plan)


class ByRows:
    """The same steps through the demo's in-memory writer, a minute apart."""

    def __init__(self, writer: demo_plans.PlanRows, rows: dict[uuid.UUID, dict[str, Any]]) -> None:
        self.w, self.rows, self.now = writer, rows, T0

    def at(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def start_plan(self, values: dict[str, Any]) -> dict[str, Any]:
        return self.w.start_plan(values, self.at())

    def update_plan(self, changes: dict[str, Any]) -> None:
        self.w.update_plan(changes, self.at())

    def set_cms_exception(self, element: str, reason: str) -> None:
        self.w.set_cms_exception(element, reason, self.at())

    def need_from_condition(self, condition: uuid.UUID) -> dict[str, Any]:
        return self.w.add_need_from_condition(self.rows[condition], self.at())

    def need_from_finding(self, suggestion: uuid.UUID) -> dict[str, Any]:
        return self.w.add_need_from_finding(self.rows[suggestion], self.at())

    def add_need(self, values: dict[str, Any]) -> dict[str, Any]:
        return self.w.add_need(values, self.at())

    def add_goal(self, need: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        return self.w.add_goal(need, values, self.at())

    def add_intervention(
        self, need: dict[str, Any], values: dict[str, Any], goal: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self.w.add_intervention(need, values, self.at(), goal=goal)

    def add_progress(self, goal: dict[str, Any], values: dict[str, Any]) -> None:
        self.w.add_progress(goal, values, self.at())

    def add_education(self, values: dict[str, Any], goal: dict[str, Any]) -> None:
        self.w.add_education(values, self.at(), goal=goal)

    def add_advocacy(self, values: dict[str, Any], need: dict[str, Any]) -> dict[str, Any]:
        return self.w.add_advocacy(values, self.at(), need=need)

    def update_item(
        self, kind: type[Record], item: dict[str, Any], changes: dict[str, Any]
    ) -> None:
        self.w.update_item(kind, item, changes, self.at())

    def publish(self, note: str) -> dict[str, Any]:
        return self.w.publish(note, self.at())

    def agree(self, version: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        return self.w.record_agreement(version, values, self.at())

    def copy_given(self, agreement: dict[str, Any], given_on: date, method: str) -> None:
        self.w.record_copy_given(agreement, given_on, method, self.at())

    def complete(self) -> None:
        self.w.complete_plan(self.at())


def _script(api: Any, condition: uuid.UUID, suggestion: uuid.UUID, *, complete: bool) -> None:
    """Two versions and a change after them, touching every kind of record."""
    day = D0
    api.start_plan({"title": "Care plan", "period_start": day})
    api.update_plan(
        {
            "expected_outcome": "Stays at home",
            "prognosis": "Stable with support",
            "symptom_management": "Daily weights; knows the zones",
            "medication_management": "Weekly pill organizer",
            "community_services": "Meals on wheels ordered",
            "coordination": "Plan sent to cardiology after each version",
            "next_review": day + timedelta(days=90),
            "preferences": "Staying in my own home",
        }
    )
    heart = api.need_from_condition(condition)
    api.update_item(PlanNeed, heart, {"template": "heart-failure"})
    mood = api.need_from_finding(suggestion)
    falls = api.add_need({"text": "Falls at home", "domain": "falls"})
    weigh = api.add_goal(
        heart,
        {
            "text": "Weigh myself every morning",
            "patient_facing": "I weigh myself every morning.",
            "measure": "Days each week with a weight in the log",
            "target_value": "At least 6 of 7 days",
            "target_date": day + timedelta(days=30),
            "priority": "high",
            "status": "in-progress",
        },
    )
    calm = api.add_goal(mood, {"text": "Feel like myself again", "measure": "PHQ-9 score"})
    scale = api.add_intervention(
        heart,
        {"what": "Weigh every morning", "category": "monitoring", "responsible": "patient"},
        weigh,
    )
    api.add_intervention(
        heart,
        {
            "what": "Review the weight log",
            "category": "coordination",
            "responsible": "provider",
            "responsible_name": "Alan Whitaker, MD (Riverbend Heart Associates)",
            "frequency": "monthly",
            "due_date": day + timedelta(days=30),
            "status": "scheduled",
        },
    )
    api.add_intervention(
        mood,
        {
            "what": "Counseling",
            "category": "referral",
            "responsible": "agency",
            "responsible_name": "Pathways Counseling Center",
        },
        calm,
    )
    api.add_progress(weigh, {"noted_on": day + timedelta(days=5), "value": "5 of 7 days"})
    api.add_education(
        {"given_on": day + timedelta(days=1), "topic": "Daily weights", "method": "teach-back"},
        weigh,
    )
    api.add_education(
        {"given_on": day + timedelta(days=1), "topic": "Heart failure zones"}, weigh
    )  # same day: ordered by when it was written
    api.set_cms_exception("community-services", "Declines more services for now")
    first = api.publish("First care plan")
    api.agree(
        first,
        {
            "agreed_by": "Grace Okafor",
            "agreed_on": TODAY,
            "method": "verbal",
            "copy_given_on": TODAY,
            "copy_method": "mailed",
        },
    )
    api.update_item(
        PlanGoal,
        weigh,
        {"target_value": "At least 5 of 7 days", "target_date": day + timedelta(days=60)},
    )
    api.update_item(PlanIntervention, scale, {"status": "completed"})
    api.update_item(PlanGoal, calm, {"status": "achieved"})
    denied = api.add_advocacy(
        {
            "service": "Extra home health aide hours",
            "payer": "Lakeside Dual Complete",
            "denied_on": day + timedelta(days=40),
            "alternative": "Adult day program",
            "appeal_steps": "1. Letter of medical necessity. 2. Written appeal.",
            "appeal_deadline": day + timedelta(days=100),
        },
        heart,
    )
    api.add_goal(falls, {"text": "Walk to the mailbox safely"})
    api.update_plan({"next_review": day + timedelta(days=150)})
    second = api.publish("Review at the home visit: target adjusted, goal met")
    signed = api.agree(
        second,
        {
            "agreed_by": "Ana Okafor",
            "relationship": "caregiver",
            "agreed_on": TODAY,
            "method": "screen",
            "signature_png": demo_plans.signature_png(3),
        },
    )
    api.copy_given(signed, TODAY, "electronic")
    api.update_item(AdvocacyRecord, denied, {"status": "appealed"})
    if complete:
        api.complete()


BOOK = {"id", "created_at", "updated_at", "published_at", "decided_at"}
LINKS = (
    "plan_id",
    "need_id",
    "goal_id",
    "version_id",
    "condition_id",
    "suggested_need_id",
    "response_id",
)


def _comparable(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Rows with their ids replaced by (table, order written) and the bookkeeping times left
    out; the snapshots' ids likewise."""
    names: dict[str, str] = {}
    for kind, rows in tables.items():
        for n, row in enumerate(sorted(rows, key=lambda r: r["created_at"])):
            names[row["id"].hex] = f"{kind}#{n}"

    def rename(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return names.get(value.hex, "outside")
        if isinstance(value, str) and value in names:
            return names[value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value

    return {
        kind: [
            {k: rename(v) for k, v in row.items() if k not in BOOK}
            for row in sorted(rows, key=lambda r: r["created_at"])
        ]
        for kind, rows in tables.items()
    }


@pytest.mark.parametrize("complete", [False, True])
def test_the_bulk_path_writes_the_rows_and_snapshots_the_services_write(
    vault: Vault, complete: bool
) -> None:
    patient = create_patient(
        vault,
        {
            "family_name": "Okafor",
            "given_name": "Grace",
            "birth_date": "1944-03-09",
            "programs": ["ccm"],
        },
    )
    condition = add_chart_record(
        vault, Condition, patient, {"text": "Heart failure", "icd10_code": "I50.9"}
    )
    done = assessments.complete(
        vault,
        patient_id=patient,
        instrument=get_instrument("phq9"),
        answers={**{f"q{n}": "2" for n in range(1, 9)}, "q9": "0"},
        now=T0 - timedelta(days=3),
    )
    suggestion = next(n.id for n in done.needs if n.code == "depression")
    [found_condition] = rows_of(vault, Condition)
    [found_suggestion] = [n for n in rows_of(vault, SuggestedNeed) if n.id == suggestion]
    bulk_suggestion = found_suggestion.model_dump()
    chart_rows = {condition: found_condition.model_dump(), suggestion: bulk_suggestion}

    _script(ByServices(vault, patient), condition, suggestion, complete=complete)
    with vault.session() as session:
        by_services = {
            kind.__name__: [r.model_dump() for r in session.exec(select(kind)).all()]
            for kind in CARE_PLAN_RECORD_TYPES
        }
    by_services["SuggestedNeed"] = [
        n.model_dump() for n in rows_of(vault, SuggestedNeed) if n.id == suggestion
    ]

    added: dict[str, list[dict[str, Any]]] = {k.__name__: [] for k in CARE_PLAN_RECORD_TYPES}
    writer = demo_plans.PlanRows(
        patient,
        author=vault.audit.user,
        add=lambda kind, row: added[kind.__name__].append(row),
        new_id=uuid.uuid4,
        cms_required=True,
    )
    _script(ByRows(writer, chart_rows), condition, suggestion, complete=complete)
    for kind in CARE_PLAN_RECORD_TYPES:  # every column, as a bulk insert needs
        columns = set(demo.table_of(kind).columns.keys())
        assert all(set(row) == columns for row in added[kind.__name__]), kind
    added["SuggestedNeed"] = [bulk_suggestion]

    assert _comparable(added) == _comparable(by_services)
    assert len(by_services["CarePlanVersion"]) == 2
    assert by_services["CarePlan"][0]["version"] > 20  # every step was counted alike
    [plan] = by_services["CarePlan"]
    assert (plan["status"], plan["changed_since_publish"]) == (
        ("completed", True) if complete else ("active", True)
    )


def test_a_demo_publish_refuses_what_the_service_refuses() -> None:
    writer = demo_plans.PlanRows(
        uuid.uuid4(), author="cm", add=lambda _k, _r: None, new_id=uuid.uuid4, cms_required=True
    )
    writer.start_plan({"title": "Care plan", "period_start": D0}, T0)
    with pytest.raises(ValueError, match="missing CMS elements"):
        writer.publish("First", T0 + timedelta(minutes=1))
    writer.cms_required = False
    writer.publish("First", T0 + timedelta(minutes=2))
    with pytest.raises(ValueError, match="must change something"):
        writer.publish("Again", T0 + timedelta(minutes=3))


def test_the_signature_styles_are_small_distinct_pngs() -> None:
    drawn = {demo_plans.signature_png(n) for n in range(demo_plans.SIGNATURE_STYLES)}
    assert len(drawn) == demo_plans.SIGNATURE_STYLES
    assert all(_is_png(png) and len(png) < 8000 for png in drawn)
