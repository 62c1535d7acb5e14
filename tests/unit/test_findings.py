"""Findings: the needs a result suggests for the care plan.

Validation of the ``findings`` array at load, evidence templates filled in from the total,
band and answers, the findings of every bundled screener on both sides of its cut-off
(the cut-offs are those of the bands and flags in the same files; sources in
test_scoring_vectors.py), and an agency instrument with findings.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carenav.instruments import (
    Finding,
    InvalidInstrument,
    available_instruments,
    get_instrument,
    load_definition,
    parse_definition,
    score,
)
from carenav.instruments.definition import DOMAINS, EVIDENCE_MAX

# A small instrument with a total, bands and one finding on the total and one on answers.
BASE: dict[str, Any] = {
    "id": "mood-check",
    "title": "Mood check (test)",
    "version": "1",
    "source": "Synthetic test instrument",
    "licence": "Test only",
    "items": [
        {"linkId": "note", "type": "display", "text": "Ask both questions."},
        {
            "linkId": "low",
            "type": "choice",
            "text": "Feeling low",
            "required": True,
            "options": [
                {"code": "no", "display": "Not at all", "score": 0},
                {"code": "some", "display": "Some days", "score": 1},
                {"code": "most", "display": "Most days", "score": 2},
            ],
        },
        {"linkId": "alone", "type": "boolean", "text": "Lives alone", "required": True},
        {
            "linkId": "support",
            "type": "multi-choice",
            "text": "Who helps",
            "options": [
                {"code": "family", "display": "Family"},
                {"code": "friends", "display": "Friends"},
                {"code": "nobody", "display": "Nobody"},
            ],
        },
        {"linkId": "weight", "type": "decimal", "text": "Weight in kg", "min": 20, "max": 300},
        {"linkId": "seen", "type": "date", "text": "Last seen by the doctor"},
        {"linkId": "visits", "type": "integer", "text": "Visits", "min": 0, "max": 9},
        {"linkId": "words", "type": "text", "text": "In their words"},
    ],
    "scoring": {"method": "sum", "items": ["low", "alone"]},
    "bands": [
        {"min": 0, "max": 1, "label": "low"},
        {"min": 2, "max": 3, "label": "high"},
    ],
    "findings": [
        {
            "code": "low-mood",
            "need": "Low mood",
            "domain": "behavioural-health",
            "referralCategory": "behavioural health",
            "evidence": "Score {total} ({band}); feeling low: {answer:low}",
            "source": "test rule",
            "when": [{"question": "$total", "operator": ">=", "answer": 2}],
        },
        {
            "code": "isolated",
            "need": "Alone without help",
            "domain": "social",
            "evidence": "Alone: {answer:alone}; help: {answer:support}",
            "source": "test rule",
            "behavior": "all",
            "when": [
                {"question": "alone", "operator": "=", "answer": True},
                {"question": "support", "operator": "=", "answer": "nobody"},
            ],
        },
    ],
}


def _finding(d: dict[str, Any], n: int = 0) -> dict[str, Any]:
    finding: dict[str, Any] = d["findings"][n]
    return finding


def _without_scoring(d: dict[str, Any]) -> None:
    d.pop("scoring")
    d.pop("bands")


def _total_rule_without_scoring(d: dict[str, Any]) -> None:
    _without_scoring(d)
    _finding(d)["evidence"] = "Low"


def _total_evidence_without_scoring(d: dict[str, Any]) -> None:
    _without_scoring(d)
    _finding(d)["when"] = _finding(d, 1)["when"]


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("not a list", lambda d: d.update(findings={"code": "x"}), "'findings' must be a JSON array"),
    ("not an object", lambda d: d["findings"].append("x"), "finding 3 must be a JSON object"),
    ("no code", lambda d: _finding(d).pop("code"), "finding 1 needs a non-empty text 'code'"),
    (
        "code with capitals",
        lambda d: _finding(d).update(code="Low Mood"),
        "finding 'Low Mood': the code must be lower-case letters, digits and dashes",
    ),
    (
        "code too long",
        lambda d: _finding(d).update(code="x" * 61),
        "at most 60 characters",
    ),
    (
        "code twice",
        lambda d: _finding(d, 1).update(code="low-mood"),
        "finding code 'low-mood' is used twice",
    ),
    (
        "unknown field",
        lambda d: _finding(d).update(referal="x"),
        "finding 'low-mood' has unknown field 'referal'",
    ),
    (
        "no need",
        lambda d: _finding(d).pop("need"),
        "finding 'low-mood' needs a non-empty text 'need'",
    ),
    (
        "need too long",
        lambda d: _finding(d).update(need="n" * 201),
        "finding 'low-mood': 'need' is longer than 200 characters",
    ),
    (
        "unknown domain",
        lambda d: _finding(d).update(domain="mental"),
        "finding 'low-mood': domain 'mental' is unknown; use one of behavioural-health",
    ),
    (
        "no domain",
        lambda d: _finding(d).pop("domain"),
        "finding 'low-mood': domain None is unknown",
    ),
    (
        "referral not text",
        lambda d: _finding(d).update(referralCategory=3),
        "finding 'low-mood' needs a non-empty text 'referralCategory'",
    ),
    (
        "referral too long",
        lambda d: _finding(d).update(referralCategory="r" * 81),
        "finding 'low-mood': 'referralCategory' is longer than 80 characters",
    ),
    (
        "no source",
        lambda d: _finding(d).pop("source"),
        "finding 'low-mood' needs a non-empty text 'source'",
    ),
    (
        "no evidence",
        lambda d: _finding(d).pop("evidence"),
        "finding 'low-mood' needs a non-empty text 'evidence'",
    ),
    (
        "evidence too long",
        lambda d: _finding(d).update(evidence="e" * 501),
        "finding 'low-mood': 'evidence' is longer than 500 characters",
    ),
    (
        "unknown placeholder",
        lambda d: _finding(d).update(evidence="Score {score}"),
        "finding 'low-mood': evidence has an unknown placeholder {score}",
    ),
    (
        "placeholder for an unknown item",
        lambda d: _finding(d).update(evidence="{answer:mood}"),
        "finding 'low-mood': evidence uses {answer:mood}, but 'mood' is not a question",
    ),
    (
        "placeholder for a display item",
        lambda d: _finding(d).update(evidence="{answer:note}"),
        "evidence uses {answer:note}, but 'note' is not a question",
    ),
    (
        "unmatched brace",
        lambda d: _finding(d).update(evidence="Score {total"),
        "finding 'low-mood': evidence has an unmatched { or }",
    ),
    (
        "stray closing brace",
        lambda d: _finding(d).update(evidence="Score} {total}"),
        "evidence has an unmatched { or }",
    ),
    (
        "no conditions",
        lambda d: _finding(d).update(when=[]),
        "finding 'low-mood' needs a list of conditions in 'when'",
    ),
    (
        "behavior",
        lambda d: _finding(d).update(behavior="most"),
        "finding 'low-mood': behavior must be 'all' or 'any'",
    ),
    (
        "condition on an unknown item",
        lambda d: _finding(d, 1)["when"][0].update(question="home"),
        "finding 'isolated' depends on 'home', which is not an earlier item",
    ),
    (
        "unknown option",
        lambda d: _finding(d, 1)["when"][1].update(answer="neighbours"),
        "finding 'isolated': 'support' has no option 'neighbours'",
    ),
    (
        "sum of an unscored item",
        lambda d: _finding(d)["when"].append({"sum_of": ["words"], "operator": ">", "answer": 1}),
        "'words' is of type text, which has no score",
    ),
    (
        "total without scoring",
        _total_rule_without_scoring,
        "finding 'low-mood' uses the total score, but this instrument has no scoring",
    ),
    (
        "{total} without scoring",
        _total_evidence_without_scoring,
        "finding 'low-mood': evidence uses {total}, but there is no scoring",
    ),
    (
        "{band} without bands",
        lambda d: d.pop("bands"),
        "finding 'low-mood': evidence uses {band}, but there are no bands",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_broken_findings_are_refused_naming_file_and_finding(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    definition = copy.deepcopy(BASE)
    mutate(definition)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    with pytest.raises(InvalidInstrument) as caught:
        load_definition(path)
    assert "broken.json" in str(caught.value)
    assert expected in str(caught.value)


def test_every_listed_domain_is_accepted() -> None:
    assert len(DOMAINS) == 17
    for domain in sorted(DOMAINS):
        definition = copy.deepcopy(BASE)
        _finding(definition)["domain"] = domain
        assert parse_definition(definition).findings[0].domain == domain


# -- evidence -------------------------------------------------------------------------------


def found(answers: dict[str, Any], definition: dict[str, Any] = BASE) -> dict[str, Finding]:
    result = score(parse_definition(definition, "mood-check.json"), answers)
    return {f.code: f for f in result.findings}


def test_finding_carries_its_rule_and_filled_in_evidence() -> None:
    findings = found({"low": "most", "alone": False})
    assert findings == {
        "low-mood": Finding(
            code="low-mood",
            need="Low mood",
            domain="behavioural-health",
            referral_category="behavioural health",
            evidence="Score 2 (high); feeling low: Most days",
            source="test rule",
            instrument="mood-check",
        )
    }


def test_findings_on_both_sides_of_the_cut_off_and_with_all_conditions() -> None:
    assert found({"low": "some", "alone": False}) == {}
    assert set(found({"low": "some", "alone": True})) == {"low-mood"}
    # "all": alone and nobody helps
    assert "isolated" not in found({"low": "no", "alone": True, "support": ["family"]})
    assert "isolated" not in found({"low": "no", "alone": False, "support": ["nobody"]})
    isolated = found({"low": "no", "alone": True, "support": ["nobody", "friends"]})["isolated"]
    assert isolated.evidence == "Alone: Yes; help: Friends; Nobody"  # in option order
    assert isolated.referral_category == ""


@pytest.mark.parametrize(
    ("item", "answer", "shown"),
    [
        ("alone", False, "No"),
        ("support", [], "none chosen"),
        ("weight", 71.5, "71.5"),
        ("weight", 70, "70"),
        ("seen", "2026-03-01", "2026-03-01"),
        ("visits", 3, "3"),
        ("words", "  Wants to\n garden again ", "Wants to garden again"),
        ("words", None, "not answered"),
    ],
)
def test_each_answer_type_is_shown_as_a_care_manager_reads_it(
    item: str, answer: Any, shown: str
) -> None:
    definition = copy.deepcopy(BASE)
    _finding(definition)["evidence"] = f"{{answer:{item}}}"
    answers = {"low": "most", "alone": True} | ({item: answer} if answer is not None else {})
    assert found(answers, definition)["low-mood"].evidence == shown


def test_answer_of_a_disabled_item_is_not_answered() -> None:
    definition = copy.deepcopy(BASE)
    _items = definition["items"]
    _items[7]["enableWhen"] = [{"question": "alone", "operator": "=", "answer": True}]
    _finding(definition)["evidence"] = "Words: {answer:words}"
    answers = {"low": "most", "alone": False, "words": "ignored"}
    assert found(answers, definition)["low-mood"].evidence == "Words: not answered"


def test_long_evidence_is_cut_to_what_a_suggested_need_holds() -> None:
    definition = copy.deepcopy(BASE)
    _finding(definition)["evidence"] = "Said: {answer:words}"
    evidence = found({"low": "most", "alone": True, "words": "w" * 600}, definition)
    text = evidence["low-mood"].evidence
    assert len(text) == EVIDENCE_MAX
    assert text.startswith("Said: www") and text.endswith("…")


def test_as_json_adds_findings_and_keeps_the_existing_keys() -> None:
    result = score(parse_definition(BASE), {"low": "most", "alone": True, "support": ["nobody"]})
    out = result.as_json()
    assert list(out) == ["instrument", "total", "band", "flags", "missing", "findings"]
    assert out["findings"] == [
        {
            "code": "low-mood",
            "need": "Low mood",
            "domain": "behavioural-health",
            "referralCategory": "behavioural health",
            "evidence": "Score 3 (high); feeling low: Most days",
        },
        {
            "code": "isolated",
            "need": "Alone without help",
            "domain": "social",
            "referralCategory": None,
            "evidence": "Alone: Yes; help: Nobody",
        },
    ]


def test_findings_work_without_scoring_on_answers_alone() -> None:
    definition = copy.deepcopy(BASE)
    _without_scoring(definition)
    definition["findings"] = [_finding(definition, 1)]
    result = score(
        parse_definition(definition), {"low": "no", "alone": True, "support": ["nobody"]}
    )
    assert (result.total, result.band) == (None, None)
    assert [f.code for f in result.findings] == ["isolated"]


# -- the agency folder ----------------------------------------------------------------------


def test_agency_instrument_with_findings_works_with_no_code_change(tmp_path: Path) -> None:
    definition = copy.deepcopy(BASE)
    definition["items"][0]["screener"] = "phq2"
    (tmp_path / "mood-check.json").write_text(json.dumps(definition), encoding="utf-8")
    assert "mood-check" in {i.id for i in available_instruments(tmp_path)}
    check = get_instrument("mood-check", tmp_path)
    result = score(check, {"low": "most", "alone": True, "support": ["nobody"]})
    assert [(f.code, f.instrument) for f in result.findings] == [
        ("low-mood", "mood-check"),
        ("isolated", "mood-check"),
    ]
    assert score(check, {"low": "no", "alone": False}).findings == []


# -- the bundled screeners --------------------------------------------------------------------


def findings_of(ident: str, answers: dict[str, Any]) -> dict[str, Finding]:
    return {f.code: f for f in score(get_instrument(ident), answers).findings}


def spread(total: int, n: int, *, keep_last_zero: bool = False) -> dict[str, str]:
    answers: dict[str, str] = {}
    left = total
    for i in range(1, n + 1):
        take = 0 if keep_last_zero and i == n else min(3, left)
        answers[f"q{i}"] = str(take)
        left -= take
    assert left == 0
    return answers


def test_every_bundled_finding_names_its_source_and_a_known_domain() -> None:
    for instrument in available_instruments():
        assert instrument.findings, instrument.id
        for rule in instrument.findings:
            assert rule.source.strip() and rule.domain in DOMAINS, (instrument.id, rule.code)


@pytest.mark.parametrize(("total", "positive"), [(9, False), (10, True), (27, True)])
def test_phq9_depression_from_ten(total: int, positive: bool) -> None:
    answers = spread(total, 9, keep_last_zero=total < 27)
    findings = findings_of("phq9", answers)
    assert ("depression" in findings) is positive
    if positive:
        depression = findings["depression"]
        assert (depression.domain, depression.referral_category) == (
            "behavioural-health",
            "behavioural health",
        )
        band = "moderate" if total == 10 else "severe"
        assert depression.evidence == f"PHQ-9 score {total} ({band})"
        assert "Kroenke" in depression.source


@pytest.mark.parametrize(("item9", "positive"), [("0", False), ("1", True), ("3", True)])
def test_phq9_item9_above_zero_is_an_urgent_safety_need(item9: str, positive: bool) -> None:
    findings = findings_of("phq9", spread(0, 9) | {"q9": item9})
    assert ("self-harm-risk" in findings) is positive
    assert "depression" not in findings
    if positive:
        safety = findings["self-harm-risk"]
        assert safety.need.startswith("URGENT") and "self-harm" in safety.need
        assert safety.domain == "behavioural-health"
        shown = {"1": "Several days", "3": "Nearly every day"}[item9]
        assert safety.evidence.endswith(f": {shown}")


@pytest.mark.parametrize(("q1", "q2", "positive"), [("1", "1", False), ("2", "1", True)])
def test_phq2_possible_depression_from_three(q1: str, q2: str, positive: bool) -> None:
    findings = findings_of("phq2", {"q1": q1, "q2": q2})
    assert ("possible-depression" in findings) is positive
    if positive:
        assert findings["possible-depression"].need == "Possible depression: give the PHQ-9"
        assert findings["possible-depression"].evidence == "PHQ-2 score 3 (positive)"


@pytest.mark.parametrize(("total", "positive"), [(9, False), (10, True)])
def test_gad7_anxiety_from_ten(total: int, positive: bool) -> None:
    findings = findings_of("gad7", spread(total, 7))
    assert ("anxiety" in findings) is positive
    if positive:
        assert findings["anxiety"].evidence == "GAD-7 score 10 (moderate)"
        assert findings["anxiety"].referral_category == "behavioural health"


AHC_NONE = {
    "living-situation": "steady",
    "housing-problems": ["none"],
    "food-worry": "never",
    "food-didnt-last": "never",
    "transportation": "no",
    "utilities": "no",
    "physically-hurt": "never",
    "insult": "never",
    "threaten": "never",
    "scream-curse": "never",
}


def test_ahc_no_risk_answers_no_findings() -> None:
    assert findings_of("ahc-hrsn", AHC_NONE) == {}


@pytest.mark.parametrize(
    ("changes", "code", "domain", "referral", "evidence"),
    [
        (
            {"living-situation": "worried"},
            "housing-instability",
            "housing",
            "housing",
            "Living situation: I have a place to live today, but I am worried about losing "
            "it in the future",
        ),
        (
            {"housing-problems": ["mold", "heat"]},
            "housing-quality",
            "housing",
            "housing",
            "Problems with the place they live: Mold; Lack of heat",
        ),
        (
            {"food-didnt-last": "sometimes"},
            "food-insecurity",
            "food",
            "food",
            "Worried food would run out: Never true; food did not last: Sometimes true",
        ),
        (
            {"transportation": "yes"},
            "transportation",
            "transportation",
            "transportation",
            ": Yes",
        ),
        (
            {"utilities": "already-shut-off"},
            "utilities",
            "utilities",
            "utilities",
            ": Already shut off",
        ),
        (
            {"physically-hurt": "sometimes", "insult": "sometimes", "threaten": "fairly-often"},
            "interpersonal-safety",
            "safety",
            "interpersonal safety",
            "Physically hurt: Sometimes (3); insulted or talked down to: Sometimes (3); "
            "threatened with harm: Fairly often (4); screamed or cursed at: Never (1)",
        ),
    ],
)
def test_ahc_each_positive_domain_is_a_need_naming_the_answer(
    changes: dict[str, Any], code: str, domain: str, referral: str, evidence: str
) -> None:
    findings = findings_of("ahc-hrsn", AHC_NONE | changes)
    assert list(findings) == [code]
    assert (findings[code].domain, findings[code].referral_category) == (domain, referral)
    assert evidence in findings[code].evidence


def test_ahc_safety_sum_of_ten_is_not_a_need() -> None:
    changes = {"physically-hurt": "sometimes", "insult": "sometimes", "threaten": "rarely"}
    changes |= {"scream-curse": "rarely"}  # 3 + 3 + 2 + 2 = 10
    assert findings_of("ahc-hrsn", AHC_NONE | changes) == {}


KATZ = ["bathing", "dressing", "toileting", "transferring", "continence", "feeding"]


@pytest.mark.parametrize(("dependent", "positive"), [(0, False), (1, False), (2, True), (6, True)])
def test_katz_help_with_daily_activities_from_four_down(dependent: int, positive: bool) -> None:
    answers = {a: "dependent" if n < dependent else "independent" for n, a in enumerate(KATZ)}
    findings = findings_of("katz-adl", answers)
    assert ("adl-help" in findings) is positive
    if positive:
        need = findings["adl-help"]
        assert (need.domain, need.referral_category) == ("functional", "home health")
        assert need.evidence == f"Katz ADL {6 - dependent} of 6"


LAWTON_BEST = {
    "telephone": "1",
    "shopping": "1",
    "food": "1",
    "housekeeping": "1",
    "laundry": "1",
    "transportation": "1",
    "medications": "1",
    "finances": "1",
}


def test_lawton_help_with_household_tasks_when_any_task_scores_zero() -> None:
    assert findings_of("lawton-iadl", LAWTON_BEST) == {}
    # options that still score 1 (needs some help but counts as able) raise nothing
    assert findings_of("lawton-iadl", LAWTON_BEST | {"housekeeping": "4", "laundry": "2"}) == {}
    findings = findings_of("lawton-iadl", LAWTON_BEST | {"shopping": "2"})
    need = findings["iadl-help"]
    assert (need.domain, need.referral_category) == ("functional", "in-home support")
    assert need.evidence.startswith("Lawton IADL 7 of 8")
    assert "no cut-off" in need.source and "scored 0" in need.source


STEADI_ITEMS = ["fallen", "cane_walker", "unsteady", "furniture", "worried", "push_up"]
STEADI_ITEMS += ["curb", "toilet", "feet", "medicine_tired", "medicine_sleep_mood", "sad"]


@pytest.mark.parametrize(
    ("yes", "positive"),
    [(("curb", "toilet", "feet"), False), (("curb", "toilet", "feet", "sad"), True)],
)
def test_steadi_fall_risk_from_four(yes: tuple[str, ...], positive: bool) -> None:
    answers = {i: "yes" if i in yes else "no" for i in STEADI_ITEMS}
    findings = findings_of("steadi", answers)
    assert ("fall-risk" in findings) is positive
    if positive:
        need = findings["fall-risk"]
        assert (need.domain, need.referral_category) == ("falls", "fall prevention")
        assert need.evidence == "STEADI Stay Independent score 4 (at risk of falling)"


@pytest.mark.parametrize(
    ("inputs", "positive"), [((4, True, 2, 0), False), ((7, True, 2, 0), True)]
)
def test_lace_high_readmission_risk_from_ten(
    inputs: tuple[int, bool, int, int], positive: bool
) -> None:
    los, emergent, charlson, ed = inputs
    answers = {"los": los, "acuity": "emergent" if emergent else "elective"}
    findings = findings_of("lace", answers | {"charlson": charlson, "ed_visits": ed})
    assert ("readmission-risk" in findings) is positive
    if positive:
        assert findings["readmission-risk"].domain == "readmission"
        assert findings["readmission-risk"].evidence == "LACE index 10 (high risk)"
