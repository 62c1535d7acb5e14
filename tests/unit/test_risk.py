"""Suggested risk tier: every fact moves the points as documented, on both sides of each
threshold; the decision is recorded, audited and sets the patient's tier."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from carenav.dates import day_text
from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments import Instrument, get_instrument
from carenav.models import AuditEvent, Condition, RiskAssessment
from carenav.services import risk
from carenav.services.assessments import complete
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient, get_patient, remove_patient
from carenav.services.risk import RiskFacts, ScoreFact, UrgentFlag, suggest_risk_tier
from carenav.store.vault import Vault

TODAY = date(2026, 3, 10)
NONE = RiskFacts(today=TODAY, has_caregiver=True)
FOUR = ("heart failure", "diabetes", "COPD", "chronic kidney disease")


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def score(value: int, days_ago: int = 5, band: str = "") -> ScoreFact:
    return ScoreFact(value=value, band=band, on=ago(days_ago))


def points_and_tier(facts: RiskFacts) -> tuple[int, str]:
    suggestion = suggest_risk_tier(facts)
    return suggestion.points, suggestion.tier


# -- the rule, fact by fact ------------------------------------------------------------


def test_nothing_known_is_low_and_says_what_was_checked() -> None:
    suggestion = suggest_risk_tier(NONE)
    assert (suggestion.tier, suggestion.points, suggestion.reasons) == ("low", 0, ())
    assert suggestion.also_checked == (
        "No chronic conditions on the problem list",
        "Primary caregiver recorded",
    )


@pytest.mark.parametrize(("count", "points"), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (6, 2)])
def test_chronic_conditions_add_one_point_from_two_and_two_from_four(
    count: int, points: int
) -> None:
    labels = (*FOUR, "hypertension", "asthma")[:count]
    suggestion = suggest_risk_tier(replace(NONE, chronic_conditions=labels))
    assert suggestion.points == points
    text = suggestion.breakdown[0].text
    if count:
        noun = "condition" if count == 1 else "conditions"
        assert text.startswith(f"{count} chronic {noun} on the problem list (")
        assert (text in suggestion.reasons) is (points > 0)


def test_the_reason_names_the_conditions_and_the_uncoded_problems() -> None:
    facts = replace(
        NONE, chronic_conditions=("heart failure", "diabetes", risk.UNCODED, risk.UNCODED)
    )
    assert suggest_risk_tier(facts).reasons == (
        "4 chronic conditions on the problem list "
        "(heart failure, diabetes, 2 problems without a code)",
    )


@pytest.mark.parametrize(
    ("value", "points", "level"),
    [(4, 0, "low"), (5, 1, "moderate"), (9, 1, "moderate"), (10, 2, "high"), (15, 2, "high")],
)
def test_lace_bands_add_points_within_90_days(value: int, points: int, level: str) -> None:
    suggestion = suggest_risk_tier(replace(NONE, lace=score(value, days_ago=60)))
    assert suggestion.points == points
    text = f"LACE {value} on {day_text(ago(60))}: {level} readmission risk"
    assert text in suggestion.reasons + suggestion.also_checked


@pytest.mark.parametrize(("days", "counted"), [(90, True), (91, False)])
def test_lace_counts_for_90_days(days: int, counted: bool) -> None:
    suggestion = suggest_risk_tier(replace(NONE, lace=score(12, days_ago=days)))
    assert suggestion.points == (2 if counted else 0)
    if not counted:
        assert (
            f"LACE 12 on {day_text(ago(91))} is older than 90 days and does not count"
        ) in suggestion.also_checked


@pytest.mark.parametrize(("days", "discharge_point"), [(0, 1), (30, 1), (31, 0)])
def test_a_lace_in_the_last_30_days_is_a_recent_discharge(days: int, discharge_point: int) -> None:
    suggestion = suggest_risk_tier(replace(NONE, lace=score(3, days_ago=days)))
    assert suggestion.points == discharge_point
    found = [r for r in suggestion.reasons if r.startswith("Recent hospital discharge")]
    assert len(found) == discharge_point


def test_transitional_care_is_a_recent_discharge_even_without_lace() -> None:
    suggestion = suggest_risk_tier(replace(NONE, in_tcm=True))
    assert suggestion.points == 1
    assert suggestion.reasons == ("Recent hospital discharge (in transitional care management)",)


@pytest.mark.parametrize(
    ("total", "points", "words"),
    [
        (6, 0, "independent in all 6 daily activities"),
        (5, 0, "dependent in 1 daily activity"),
        (4, 2, "dependent in 2 daily activities"),
        (1, 2, "dependent in 5 daily activities"),
    ],
)
def test_adl_dependence_from_two_activities(total: int, points: int, words: str) -> None:
    suggestion = suggest_risk_tier(replace(NONE, katz_adl=score(total, days_ago=20)))
    assert suggestion.points == points
    text = f"Katz ADL {total} on {day_text(ago(20))}: {words}"
    assert text in (suggestion.reasons if points else suggestion.also_checked)


@pytest.mark.parametrize(("days", "points"), [(365, 2), (366, 0)])
def test_function_scores_count_for_12_months(days: int, points: int) -> None:
    suggestion = suggest_risk_tier(replace(NONE, katz_adl=score(3, days_ago=days)))
    assert suggestion.points == points
    if not points:
        assert f"Katz ADL 3 on {day_text(ago(366))} is older than 12 months and does not count" in (
            suggestion.also_checked
        )


def test_no_caregiver_adds_a_point_and_another_with_adl_dependence() -> None:
    alone = replace(NONE, has_caregiver=False)
    assert points_and_tier(alone) == (1, "low")
    assert suggest_risk_tier(alone).reasons == ("No caregiver recorded",)
    dependent = replace(NONE, katz_adl=score(4))
    dependent_alone = replace(dependent, has_caregiver=False)
    assert points_and_tier(dependent) == (2, "moderate")
    assert points_and_tier(dependent_alone) == (4, "high")
    assert "Dependent in daily activities with no caregiver recorded" in (
        suggest_risk_tier(dependent_alone).reasons
    )
    not_dependent_alone = replace(alone, katz_adl=score(5))
    assert suggest_risk_tier(not_dependent_alone).points == 1


@pytest.mark.parametrize("field", ["phq9", "gad7"])
@pytest.mark.parametrize(("value", "points"), [(9, 0), (10, 1)])
def test_phq9_or_gad7_of_10_is_a_behavioural_health_need(
    field: str, value: int, points: int
) -> None:
    band = "moderate" if value >= 10 else "mild"
    fact = score(value, days_ago=3, band=band)
    facts = replace(NONE, phq9=fact) if field == "phq9" else replace(NONE, gad7=fact)
    suggestion = suggest_risk_tier(facts)
    assert suggestion.points == points
    name = {"phq9": "PHQ-9", "gad7": "GAD-7"}[field]
    text = f"{name} {value} ({band}) on {day_text(ago(3))}"
    if points:
        assert suggestion.reasons == (f"Behavioural-health need: {text}",)
    else:
        assert text in suggestion.also_checked


def test_several_behavioural_triggers_still_add_one_point() -> None:
    facts = replace(
        NONE,
        phq9=score(14, band="moderate"),
        gad7=score(16, band="severe"),
        behavioural_conditions=("depression or bipolar disorder",),
    )
    suggestion = suggest_risk_tier(facts)
    assert suggestion.points == 1
    (reason,) = suggestion.reasons
    assert reason.startswith("Behavioural-health need: PHQ-9 14 (moderate)")
    assert "GAD-7 16 (severe)" in reason
    assert "active depression or bipolar disorder on the problem list" in reason


def test_a_stale_phq9_does_not_count() -> None:
    suggestion = suggest_risk_tier(replace(NONE, phq9=score(18, days_ago=400)))
    assert suggestion.points == 0
    assert f"PHQ-9 18 on {day_text(ago(400))} is older than 12 months and does not count" in (
        suggestion.also_checked
    )


def test_an_urgent_flag_makes_the_tier_at_least_high() -> None:
    flag = UrgentFlag("phq9", "PHQ-9 item 9 above 0: thoughts of self-harm.", ago(2))
    suggestion = suggest_risk_tier(replace(NONE, urgent_flags=(flag,)))
    assert (suggestion.points, suggestion.tier) == (1, "high")
    assert any(
        r.startswith("Behavioural-health need: urgent flag on PHQ-9") for r in (suggestion.reasons)
    )
    assert (
        f"Urgent flag (PHQ-9, {day_text(ago(2))}): PHQ-9 item 9 above 0: thoughts of "
        "self-harm; the tier is at least High"
    ) in suggestion.reasons
    many_points = replace(
        NONE, chronic_conditions=FOUR, lace=score(12), has_caregiver=False, urgent_flags=(flag,)
    )
    assert suggest_risk_tier(many_points).tier == "very_high"  # a floor never lowers
    old = replace(flag, on=ago(366))
    assert points_and_tier(replace(NONE, urgent_flags=(old,))) == (0, "low")


@pytest.mark.parametrize(
    ("points", "tier"),
    [(0, "low"), (1, "low"), (2, "moderate"), (3, "moderate"), (4, "high"), (5, "high"),
     (6, "very_high"), (10, "very_high")],
)  # fmt: skip
def test_tier_cut_offs(points: int, tier: str) -> None:
    assert risk.tier_for_points(points) == tier


def test_a_typical_readmitted_patient_living_alone_is_very_high() -> None:
    facts = RiskFacts(
        today=TODAY, chronic_conditions=FOUR, lace=score(12, days_ago=7), has_caregiver=False
    )
    suggestion = suggest_risk_tier(facts)
    assert (suggestion.points, suggestion.tier) == (6, "very_high")
    day = day_text(ago(7))
    assert suggestion.reasons == (
        "4 chronic conditions on the problem list "
        "(heart failure, diabetes, COPD, chronic kidney disease)",
        f"LACE 12 on {day}: high readmission risk",
        f"Recent hospital discharge (LACE scored on {day}, within 30 days)",
        "No caregiver recorded",
    )
    assert suggest_risk_tier(facts) == suggestion  # deterministic


# -- counting the problem list ------------------------------------------------------------


def problem(code: str, status: str = "active", text: str = "x") -> Condition:
    return Condition(patient_id=uuid.uuid4(), text=text, icd10_code=code, clinical_status=status)


def test_chronic_conditions_are_counted_by_group_and_status() -> None:
    problems = [
        problem("I50.22"),
        problem("E11.9"),
        problem("E11.65"),  # diabetes again: one condition
        problem("F33.42", "remission"),  # counts: still needs follow-up
        problem("J44.9", "inactive"),
        problem("B18.2", "resolved"),
        problem("Z91.81"),  # history of falls: not a chronic condition
        problem("K21.9"),
        problem("", text="Chronic  leg ulcer"),
        problem("", text="chronic leg ulcer"),  # the same uncoded problem twice
        problem("", "remission", text="Something in remission"),
    ]
    deleted = problem("N18.4")
    deleted.deleted_at = datetime(2026, 1, 1, tzinfo=UTC)
    found = risk.chronic_conditions([*problems, deleted])
    assert found == ("heart failure", "diabetes", "depression or bipolar disorder", risk.UNCODED)


@pytest.mark.parametrize(
    ("code", "status", "behavioural"),
    [
        ("F33.1", "active", True),
        ("F11.20", "active", True),
        ("F41.1", "active", True),
        ("F33.42", "remission", False),
        ("F03.90", "active", False),  # dementia shows in function, not here
        ("F17.210", "active", False),  # nicotine dependence alone
        ("I10", "active", False),
    ],
)
def test_behavioural_conditions(code: str, status: str, behavioural: bool) -> None:
    assert bool(risk.behavioural_conditions([problem(code, status)])) is behavioural


@pytest.mark.parametrize(
    ("code", "group"),
    [("I11.0", "hypertension"), ("i50.32", "heart failure"), ("G30.9", "dementia"),
     ("F10.21", "substance use"), ("C50.911", "cancer"), ("E66.9", None), ("", None)],
)  # fmt: skip
def test_chronic_groups_by_code_prefix(code: str, group: str | None) -> None:
    assert risk.chronic_group(code) == group


# -- facts from a real vault ----------------------------------------------------------------

PHQ9, LACE, KATZ = get_instrument("phq9"), get_instrument("lace"), get_instrument("katz-adl")
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def new_patient(vault: Vault, programs: tuple[str, ...] = (), tier: str = "moderate") -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": "Testperson",
            "given_name": "Ada",
            "birth_date": date(1940, 5, 6),
            "programs": list(programs),
            "risk_tier": tier,
        },
    )


def phq9_answers(total: int, q9: str = "0") -> dict[str, str]:
    answers = {f"q{n}": "0" for n in range(1, 10)}
    for n in range(1, 9):
        answers[f"q{n}"] = str(min(3, total))
        total -= min(3, total)
    answers["q9"] = q9
    return answers


def katz_answers(dependent: int) -> dict[str, str]:
    items = ("bathing", "dressing", "toileting", "transferring", "continence", "feeding")
    return {item: "dependent" if n < dependent else "independent" for n, item in enumerate(items)}


def lace_answers() -> dict[str, object]:  # 4 + 3 + 2 + 3 = 12
    return {"los": 5, "acuity": "emergent", "charlson": 2, "ed_visits": 3}


def sign(
    vault: Vault,
    patient: uuid.UUID,
    instrument: Instrument,
    answers: Mapping[str, object],
    days_ago: int,
    amends: uuid.UUID | None = None,
) -> uuid.UUID:
    done = complete(
        vault,
        patient_id=patient,
        instrument=instrument,
        answers=answers,
        now=NOW - timedelta(days=days_ago),
        amends_id=amends,
        amendment_reason="Item 9 was entered in the wrong row" if amends else "",
    )
    return done.response.id


def test_facts_are_read_from_the_chart_and_current_scores(vault: Vault) -> None:
    patient = new_patient(vault, programs=("ccm",))
    for text, code, status in [
        ("Heart failure", "I50.22", "active"),
        ("Type 2 diabetes", "E11.9", "active"),
        ("Depression", "F33.1", "active"),
        ("Old hepatitis", "B18.2", "resolved"),
    ]:
        add_chart_record(
            vault, Condition, patient, {"text": text, "icd10_code": code, "clinical_status": status}
        )
    sign(vault, patient, LACE, lace_answers(), days_ago=10)
    sign(vault, patient, KATZ, katz_answers(3), days_ago=9)
    sign(vault, patient, PHQ9, phq9_answers(14), days_ago=8)
    facts = risk.gather_risk_facts(vault, patient, today=TODAY)
    assert facts.chronic_conditions == (
        "heart failure",
        "diabetes",
        "depression or bipolar disorder",
    )
    assert facts.behavioural_conditions == ("depression or bipolar disorder",)
    assert facts.has_caregiver is False and facts.in_tcm is False
    assert facts.lace == ScoreFact(12, "high", (NOW - timedelta(days=10)).astimezone().date())
    assert facts.katz_adl is not None and facts.katz_adl.value == 3
    assert facts.phq9 is not None and (facts.phq9.value, facts.phq9.band) == (14, "moderate")
    # 3 chronic (1) + LACE 12 (2) + discharge (1) + ADL (2) + alone (1 + 1) + behavioural (1)
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    assert (suggestion.points, suggestion.tier) == (9, "very_high")


def test_a_caregiver_and_the_tcm_programme_are_seen(vault: Vault) -> None:
    from carenav.models import RelatedPerson

    patient = new_patient(vault, programs=("tcm", "ccm"))
    add_chart_record(
        vault, RelatedPerson, patient, {"name": "A Neighbour", "relationship": "friend"}
    )
    assert risk.gather_risk_facts(vault, patient, TODAY).has_caregiver is False
    add_chart_record(
        vault,
        RelatedPerson,
        patient,
        {"name": "A Daughter", "relationship": "daughter", "primary_caregiver": True},
    )
    facts = risk.gather_risk_facts(vault, patient, TODAY)
    assert facts.has_caregiver is True and facts.in_tcm is True


def test_corrected_forms_are_ignored(vault: Vault) -> None:
    patient = new_patient(vault)
    first = sign(vault, patient, PHQ9, phq9_answers(14, q9="1"), days_ago=6)
    facts = risk.gather_risk_facts(vault, patient, TODAY)
    assert facts.phq9 is not None and facts.phq9.value == 15
    assert [f.instrument for f in facts.urgent_flags] == ["phq9"]
    assert risk.suggest_risk_tier(facts).tier == "high"
    sign(vault, patient, PHQ9, phq9_answers(4), days_ago=5, amends=first)
    facts = risk.gather_risk_facts(vault, patient, TODAY)
    assert facts.phq9 is not None and facts.phq9.value == 4
    assert facts.urgent_flags == ()
    assert risk.suggest_risk_tier(facts).tier == "low"


# -- the decision -------------------------------------------------------------------------


def test_confirming_the_suggestion_records_it_and_sets_the_tier(vault: Vault) -> None:
    patient = new_patient(vault, programs=("tcm",), tier="low")
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    assert (suggestion.tier, suggestion.points) == ("moderate", 2)  # discharge, no caregiver
    decision = risk.decide_risk_tier(
        vault, patient, suggestion=suggestion, decided_tier="moderate", override_reason="ignored"
    )
    assert (decision.suggested_tier, decision.decided_tier) == ("moderate", "moderate")
    assert decision.override_reason == ""
    assert decision.reasons == list(suggestion.reasons)
    assert decision.decided_by == vault.audit.user
    assert get_patient(vault, patient).risk_tier == "moderate"
    latest = risk.latest_risk_decision(vault, patient)
    assert latest is not None and latest.id == decision.id
    with vault.session() as session:
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.record_type, AuditEvent.detail)
        ).all()
    assert ("record_created", "risk_assessment", "") in actions
    assert ("record_changed", "patient", "fields: risk_tier") in actions


def test_an_override_needs_a_reason(vault: Vault) -> None:
    patient = new_patient(vault)
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    with pytest.raises(InvalidInput) as caught:
        risk.decide_risk_tier(
            vault, patient, suggestion=suggestion, decided_tier="high", override_reason="  "
        )
    message = caught.value.errors["override_reason"]
    assert message == "Say briefly why you chose High rather than the suggested Low."
    assert get_patient(vault, patient).risk_tier == "moderate"
    assert risk.latest_risk_decision(vault, patient) is None


def test_an_override_with_a_reason_is_saved_and_changes_the_tier(vault: Vault) -> None:
    patient = new_patient(vault)
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    first = risk.decide_risk_tier(
        vault, patient, suggestion=suggestion, decided_tier="low",
        now=NOW - timedelta(days=30),
    )  # fmt: skip
    second = risk.decide_risk_tier(
        vault,
        patient,
        suggestion=suggestion,
        decided_tier="very_high",
        override_reason=" Lives alone; two falls this month not yet on the chart ",
        now=NOW,
    )
    assert second.override_reason == "Lives alone; two falls this month not yet on the chart"
    assert get_patient(vault, patient).risk_tier == "very_high"
    assert [d.id for d in risk.risk_decisions(vault, patient)] == [second.id, first.id]
    latest = risk.latest_risk_decision(vault, patient)
    assert latest is not None and latest.decided_tier == "very_high"


@pytest.mark.parametrize(
    ("tier", "reason", "field"),
    [("urgent", "x", "decided_tier"), ("high", "x" * 501, "override_reason")],
)
def test_impossible_decisions_are_refused(vault: Vault, tier: str, reason: str, field: str) -> None:
    patient = new_patient(vault)
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    with pytest.raises(InvalidInput) as caught:
        risk.decide_risk_tier(
            vault, patient, suggestion=suggestion, decided_tier=tier, override_reason=reason
        )
    assert field in caught.value.errors
    with vault.session() as session:
        assert session.exec(select(RiskAssessment)).all() == []


def test_a_removed_patient_cannot_get_a_tier(vault: Vault) -> None:
    patient = new_patient(vault)
    suggestion = risk.suggested_risk_tier(vault, patient, today=TODAY)
    remove_patient(vault, patient)
    with pytest.raises(RecordNotFound):
        risk.decide_risk_tier(vault, patient, suggestion=suggestion, decided_tier="low")
    with pytest.raises(RecordNotFound):
        risk.gather_risk_facts(vault, patient)
