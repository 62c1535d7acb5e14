"""Care-plan templates: the bundled ten, validation at load, the agency folder, suggestions,
and the example in docs/care-plan-templates.md."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carenav.instruments import available_instruments
from carenav.models import codes
from carenav.plan_templates import (
    InvalidTemplate,
    Template,
    UnknownTemplate,
    available_templates,
    get_template,
    load_template,
    matching_codes,
    parse_template,
    suggest_templates,
)
from carenav.plan_templates.definition import CATEGORIES, MAX_DAYS, PRIORITIES, RESPONSIBLE
from carenav.plan_templates.registry import BUNDLED

TEN = [
    "caregiver-strain",
    "copd",
    "depression",
    "fall-prevention",
    "food-insecurity",
    "heart-failure",
    "hypertension",
    "medication-adherence",
    "transition-home",
    "type-2-diabetes",
]
DOC = Path(__file__).resolve().parents[2] / "docs" / "care-plan-templates.md"
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.DOTALL | re.MULTILINE)

# A small agency template (synthetic) that uses every key of the format.
AGENCY: dict[str, Any] = {
    "id": "pressure-injury",
    "title": "Pressure injury prevention (agency example)",
    "version": "2",
    "summary": "Synthetic test template: keep the skin whole when the person sits or lies a lot.",
    "appliesTo": {"icd10": ["L89"], "findings": ["adl-help"]},
    "sources": [
        {
            "id": "agency-2026",
            "citation": "Example Agency wound team, internal guidance, 2026 (synthetic)",
            "url": "https://example.org/wounds",
        },
        {"id": "agency-red-flags", "citation": "Example Agency nurse line rules (synthetic)"},
    ],
    "needs": [
        {
            "id": "skin",
            "text": "Skin at risk from sitting or lying in one position",
            "domain": "medical",
            "source": "agency-2026",
            "goals": [
                {
                    "id": "skin-whole",
                    "text": "Keep my skin whole",
                    "patientFacing": "I change position every 2 hours.",
                    "measure": "New pressure injuries",
                    "targetValue": "None",
                    "targetDays": 30,
                    "priority": "high",
                    "education": ["turning"],
                },
                {
                    "id": "skin-cushion",
                    "text": "Have a cushion that fits my chair",
                    "patientFacing": "I sit on my special cushion.",
                    "measure": "Pressure cushion in use",
                    "targetValue": "Yes",
                    "targetDays": None,
                    "priority": "low",
                },
            ],
            "interventions": [
                {
                    "id": "turn",
                    "what": "Help change position every 2 hours",
                    "category": "self-management",
                    "responsible": "caregiver",
                    "frequency": "every 2 hours",
                    "dueDays": None,
                },
                {
                    "id": "skin-check",
                    "what": "Check heels, hips and the lower back",
                    "category": "monitoring",
                    "responsible": "care-manager",
                    "dueDays": 7,
                },
            ],
        }
    ],
    "education": [
        {"id": "turning", "topic": "Changing position", "patientFacing": "Move every 2 hours."}
    ],
    "warningSigns": [
        {
            "sign": "A red area that does not fade",
            "action": "Call the nurse today",
            "urgency": "call-today",
            "source": "agency-red-flags",
        }
    ],
}


def write(folder: Path, definition: object, name: str = "template.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(definition), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundled() -> list[Template]:
    return available_templates()


# -- the bundled templates ------------------------------------------------------------------


def test_the_ten_bundled_templates_load_in_file_name_order(bundled: list[Template]) -> None:
    assert [t.id for t in bundled] == TEN
    assert all(t.path is not None and t.path.parent == BUNDLED for t in bundled)


@pytest.mark.parametrize("ident", TEN)
def test_each_bundled_template_has_the_shape_a_care_manager_expects(ident: str) -> None:
    template = get_template(ident)
    assert 2 <= len(template.needs) <= 4
    for need in template.needs:
        assert 1 <= len(need.goals) <= 3, need.id
        assert 2 <= len(need.interventions) <= 5, need.id
        for goal in need.goals:
            # measurable: a measure, a target value and a number of days
            assert goal.measure and goal.target_value and goal.target_days, goal.id
    responsible = {i.responsible for i in template.interventions}
    assert {"care-manager", "provider"} <= responsible
    assert responsible & {"patient", "caregiver"}
    assert len(responsible) >= 4
    assert template.education
    assert len(template.warning_signs) >= 2
    used = {topic for goal in template.goals for topic in goal.education}
    assert used == {e.id for e in template.education}, "every education topic is taught"


def test_bundled_templates_cite_named_sources(bundled: list[Template]) -> None:
    by_id = {t.id: t for t in bundled}
    expected = {
        "heart-failure": "Heart Failure",
        "type-2-diabetes": "Standards of Care in Diabetes",
        "copd": "GOLD",
        "depression": "988",
        "hypertension": "High Blood Pressure in Adults",
        "transition-home": "Re-Engineered Discharge",
        "fall-prevention": "STEADI",
        "food-insecurity": "SNAP",
        "caregiver-strain": "Family Caregiver Alliance",
        "medication-adherence": "Adherence to Long-Term Therapies",
    }
    for ident, words in expected.items():
        citations = " ".join(s.citation for s in by_id[ident].sources)
        assert words in citations, ident


def test_bundled_finding_codes_are_raised_by_the_bundled_instruments(
    bundled: list[Template],
) -> None:
    raised = {f.code for i in available_instruments() for f in i.findings}
    for template in bundled:
        assert set(template.applies_to.findings) <= raised, template.id
    caregiver = next(t for t in bundled if t.id == "caregiver-strain")
    assert set(caregiver.applies_to.findings) == {"caregiver-strain", "no-backup-caregiver"} | {
        "respite"
    }


def test_allowed_values_are_the_care_plan_codes() -> None:
    """Every value a template may use can be stored in a patient's plan."""
    assert set(PRIORITIES) == set(codes.GOAL_PRIORITIES)
    assert set(CATEGORIES) == set(codes.INTERVENTION_CATEGORIES)
    assert set(RESPONSIBLE) == set(codes.RESPONSIBLE)


def test_fields_are_read_into_the_dataclasses(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, AGENCY))
    assert template.path == tmp_path / "template.json"
    assert template.applies_to.icd10 == ("L89",)
    assert template.applies_to.findings == ("adl-help",)
    assert template.source("agency-2026") is not None
    assert template.source("agency-2026").url == "https://example.org/wounds"  # type: ignore[union-attr]
    assert template.source("agency-red-flags").url == ""  # type: ignore[union-attr]
    whole, cushion = template.needs[0].goals
    assert whole.patient_facing == "I change position every 2 hours."
    assert (whole.target_days, whole.priority, whole.education) == (30, "high", ("turning",))
    assert (cushion.target_days, cushion.education) == (None, ())
    turn, check = template.interventions
    assert (turn.responsible, turn.frequency, turn.due_days) == ("caregiver", "every 2 hours", None)
    assert (check.frequency, check.due_days) == ("", 7)
    assert template.education_topic("turning").topic == "Changing position"  # type: ignore[union-attr]
    assert template.warning_signs[0].urgency == "call-today"


def test_texts_at_the_length_limit_are_accepted(tmp_path: Path) -> None:
    definition = copy.deepcopy(AGENCY)
    need = definition["needs"][0]
    need["text"] = "n" * 300
    need["goals"][0]["text"] = "g" * 300
    need["goals"][0]["patientFacing"] = "p" * 400
    need["interventions"][0]["what"] = "w" * 300
    need["interventions"][0]["dueDays"] = MAX_DAYS
    template = load_template(write(tmp_path, definition))
    assert len(template.needs[0].text) == 300
    assert template.interventions[0].due_days == MAX_DAYS


# -- validation: every rule refuses a broken file, naming the file and the element -----------


def _need(d: dict[str, Any]) -> dict[str, Any]:
    need: dict[str, Any] = d["needs"][0]
    return need


def _goal(d: dict[str, Any]) -> dict[str, Any]:
    goal: dict[str, Any] = _need(d)["goals"][0]
    return goal


def _act(d: dict[str, Any]) -> dict[str, Any]:
    act: dict[str, Any] = _need(d)["interventions"][0]
    return act


def _sign(d: dict[str, Any]) -> dict[str, Any]:
    sign: dict[str, Any] = d["warningSigns"][0]
    return sign


GOAL = "need 'skin', goal 'skin-whole'"
ACT = "need 'skin', intervention 'turn'"

BROKEN: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    # unknown keys, at every level
    ("misspelt top key", lambda d: d.update(sumary="x"), "the template has unknown field 'sumary'"),
    ("misspelt need key", lambda d: _need(d).update(txt="x"), "need 'skin' has unknown field"),
    (
        "misspelt goal key",
        lambda d: _goal(d).update(target=1),
        f"{GOAL} has unknown field 'target'",
    ),
    ("misspelt intervention key", lambda d: _act(d).update(who="x"), f"{ACT} has unknown field"),
    (
        "misspelt source key",
        lambda d: d["sources"][0].update(link="x"),
        "source 'agency-2026' has unknown field 'link'",
    ),
    (
        "misspelt education key",
        lambda d: d["education"][0].update(title="x"),
        "education topic 'turning' has unknown field 'title'",
    ),
    ("misspelt sign key", lambda d: _sign(d).update(what="x"), "warning sign 1 has unknown field"),
    (
        "misspelt appliesTo key",
        lambda d: d["appliesTo"].update(icd=["I50"]),
        "appliesTo has unknown field 'icd'",
    ),
    # the template
    ("id null", lambda d: d.update(id=None), "the template needs a non-empty"),
    ("id with capitals", lambda d: d.update(id="Pressure"), "id 'Pressure' must be lower-case"),
    ("id with a space", lambda d: d.update(id="pressure injury"), "must be lower-case letters"),
    ("id too long", lambda d: d.update(id="x" * 61), "'id' is longer than 60 characters"),
    ("no title", lambda d: d.pop("title"), "the template needs a non-empty text 'title'"),
    ("blank summary", lambda d: d.update(summary="  "), "needs a non-empty text 'summary'"),
    ("version a number", lambda d: d.update(version=2), "needs a non-empty text 'version'"),
    ("no appliesTo", lambda d: d.pop("appliesTo"), "the template needs 'appliesTo'"),
    ("appliesTo a list", lambda d: d.update(appliesTo=["I50"]), "appliesTo must be a JSON object"),
    (
        "icd10 not a list",
        lambda d: d["appliesTo"].update(icd10="L89"),
        "appliesTo: 'icd10' must be a JSON array",
    ),
    (
        "icd10 not a code",
        lambda d: d["appliesTo"]["icd10"].append("heart"),
        "appliesTo: ICD-10 code 'heart' is not a code",
    ),
    (
        "icd10 too short",
        lambda d: d["appliesTo"]["icd10"].append("I5"),
        "ICD-10 code 'I5' is not a code",
    ),
    (
        "icd10 dot in the wrong place",
        lambda d: d["appliesTo"]["icd10"].append("l.89"),
        "ICD-10 code 'l.89' is not a code",
    ),
    (
        "icd10 twice in another spelling",
        lambda d: d["appliesTo"]["icd10"].append("l89"),
        "appliesTo: ICD-10 code 'l89' is listed twice",
    ),
    (
        "finding code with capitals",
        lambda d: d["appliesTo"]["findings"].append("Fall-Risk"),
        "appliesTo: finding code 'Fall-Risk' must be lower-case",
    ),
    (
        "finding code twice",
        lambda d: d["appliesTo"]["findings"].append("adl-help"),
        "finding code 'adl-help' is listed twice",
    ),
    # sources
    ("no sources", lambda d: d.update(sources=[]), "needs at least 1 entry in 'sources'"),
    ("source without id", lambda d: d["sources"][0].pop("id"), "source 1 needs a non-empty text"),
    (
        "source without citation",
        lambda d: d["sources"][0].pop("citation"),
        "source 'agency-2026' needs a non-empty text 'citation'",
    ),
    (
        "source url not a web address",
        lambda d: d["sources"][0].update(url="example.org"),
        "source 'agency-2026': url 'example.org' must start with https://",
    ),
    (
        "source url empty",
        lambda d: d["sources"][0].update(url=""),
        "source 'agency-2026': 'url' must be a non-empty text, or left out",
    ),
    (
        "source id twice",
        lambda d: d["sources"][1].update(id="agency-2026"),
        "source 'agency-2026': id 'agency-2026' is already used by source 'agency-2026'",
    ),
    # needs
    ("no needs", lambda d: d.update(needs=[]), "needs at least 1 entry in 'needs'"),
    ("need not an object", lambda d: d.update(needs=["skin"]), "need 1 must be a JSON object"),
    ("need without goals", lambda d: _need(d).update(goals=[]), "need 'skin' needs at least 1"),
    (
        "need without interventions",
        lambda d: _need(d).pop("interventions"),
        "need 'skin' needs at least 1 entry in 'interventions'",
    ),
    (
        "need text too long",
        lambda d: _need(d).update(text="n" * 301),
        "need 'skin': 'text' is longer than 300 characters",
    ),
    (
        "unknown domain",
        lambda d: _need(d).update(domain="skin"),
        "need 'skin': domain 'skin' is unknown; use one of behavioural-health, caregiver",
    ),
    (
        "need names an unknown source",
        lambda d: _need(d).update(source="nice-2014"),
        "need 'skin': source 'nice-2014' is not one of the file's sources",
    ),
    ("need without source", lambda d: _need(d).pop("source"), "need 'skin' needs a non-empty"),
    # ids shared by needs, goals and interventions
    (
        "goal with the need's id",
        lambda d: _goal(d).update(id="skin"),
        "need 'skin', goal 'skin': id 'skin' is already used by need 'skin'",
    ),
    (
        "two goals with one id",
        lambda d: _need(d)["goals"][1].update(id="skin-whole"),
        "id 'skin-whole' is already used by need 'skin', goal 'skin-whole'",
    ),
    (
        "intervention with a goal's id",
        lambda d: _act(d).update(id="skin-whole"),
        "need 'skin', intervention 'skin-whole': id 'skin-whole' is already used by need",
    ),
    (
        "education id twice",
        lambda d: d["education"].append(dict(d["education"][0])),
        "education topic 'turning': id 'turning' is already used by education topic",
    ),
    ("goal id with capitals", lambda d: _goal(d).update(id="Skin"), "goal 1: id 'Skin' must be"),
    # goals
    (
        "goal text too long",
        lambda d: _goal(d).update(text="g" * 301),
        f"{GOAL}: 'text' is longer than 300 characters",
    ),
    (
        "goal patientFacing too long",
        lambda d: _goal(d).update(patientFacing="p" * 401),
        f"{GOAL}: 'patientFacing' is longer than 400 characters",
    ),
    (
        "education patientFacing too long",
        lambda d: d["education"][0].update(patientFacing="p" * 401),
        "education topic 'turning': 'patientFacing' is longer than 400 characters",
    ),
    ("goal without measure", lambda d: _goal(d).pop("measure"), f"{GOAL} needs a non-empty text"),
    (
        "goal without target value",
        lambda d: _goal(d).update(targetValue=""),
        f"{GOAL} needs a non-empty text 'targetValue'",
    ),
    (
        "targetDays zero",
        lambda d: _goal(d).update(targetDays=0),
        f"{GOAL}: 'targetDays' must be a whole number of days from 1 to {MAX_DAYS}, or null",
    ),
    ("targetDays negative", lambda d: _goal(d).update(targetDays=-5), f"{GOAL}: 'targetDays'"),
    ("targetDays fraction", lambda d: _goal(d).update(targetDays=1.5), f"{GOAL}: 'targetDays'"),
    ("targetDays text", lambda d: _goal(d).update(targetDays="90"), f"{GOAL}: 'targetDays'"),
    ("targetDays true", lambda d: _goal(d).update(targetDays=True), f"{GOAL}: 'targetDays'"),
    (
        "targetDays too large",
        lambda d: _goal(d).update(targetDays=MAX_DAYS + 1),
        f"{GOAL}: 'targetDays'",
    ),
    (
        "unknown priority",
        lambda d: _goal(d).update(priority="urgent"),
        f"{GOAL}: priority 'urgent' is unknown; use one of high, medium, low",
    ),
    ("no priority", lambda d: _goal(d).pop("priority"), f"{GOAL}: priority None is unknown"),
    (
        "goal names an unknown education topic",
        lambda d: _goal(d).update(education=["low-salt"]),
        f"{GOAL}: education topic 'low-salt' is not one of the file's education topics (turning)",
    ),
    (
        "goal names an education topic twice",
        lambda d: _goal(d).update(education=["turning", "turning"]),
        f"{GOAL}: education topic 'turning' is listed twice",
    ),
    (
        "goal education not a list",
        lambda d: _goal(d).update(education="turning"),
        f"{GOAL}: 'education' must be a JSON array",
    ),
    # interventions
    (
        "what too long",
        lambda d: _act(d).update(what="w" * 301),
        f"{ACT}: 'what' is longer than 300 characters",
    ),
    ("no what", lambda d: _act(d).pop("what"), f"{ACT} needs a non-empty text 'what'"),
    (
        "unknown category",
        lambda d: _act(d).update(category="teaching"),
        f"{ACT}: category 'teaching' is unknown; use one of community-service",
    ),
    (
        "unknown responsible",
        lambda d: _act(d).update(responsible="nurse"),
        f"{ACT}: responsible 'nurse' is unknown; use one of agency, care-manager, caregiver",
    ),
    ("dueDays zero", lambda d: _act(d).update(dueDays=0), f"{ACT}: 'dueDays' must be a whole"),
    ("dueDays text", lambda d: _act(d).update(dueDays="7"), f"{ACT}: 'dueDays' must be a whole"),
    (
        "empty frequency",
        lambda d: _act(d).update(frequency=""),
        f"{ACT}: 'frequency' must be a non-empty text, or left out",
    ),
    # education and warning signs
    (
        "education without topic",
        lambda d: d["education"][0].pop("topic"),
        "education topic 'turning' needs a non-empty text 'topic'",
    ),
    (
        "unknown urgency",
        lambda d: _sign(d).update(urgency="urgent"),
        "warning sign 1: urgency 'urgent' is unknown; use one of emergency, call-today, call-soon",
    ),
    (
        "sign names an unknown source",
        lambda d: _sign(d).update(source="google"),
        "warning sign 1: source 'google' is not one of the file's sources",
    ),
    ("sign without source", lambda d: _sign(d).pop("source"), "warning sign 1 needs a non-empty"),
    ("sign without action", lambda d: _sign(d).pop("action"), "warning sign 1 needs a non-empty"),
    (
        "sign too long",
        lambda d: _sign(d).update(sign="s" * 301),
        "warning sign 1: 'sign' is longer than 300 characters",
    ),
    (
        "warningSigns an object",
        lambda d: d.update(warningSigns=_sign(d)),
        "the template: 'warningSigns' must be a JSON array",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_broken_templates_are_refused_naming_file_and_element(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], object], expected: str
) -> None:
    definition = copy.deepcopy(AGENCY)
    mutate(definition)
    path = write(tmp_path, definition, "broken.json")
    with pytest.raises(InvalidTemplate) as caught:
        load_template(path)
    assert caught.value.exit_code == 5
    message = str(caught.value)
    assert message.startswith("The care-plan template file broken.json cannot be used: ")
    assert expected in message


def test_the_unchanged_example_is_valid(tmp_path: Path) -> None:
    """The broken files above differ from a valid file only by their mutation."""
    assert load_template(write(tmp_path, AGENCY)).id == "pressure-injury"


def test_a_file_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidTemplate, match="the template must be a JSON object"):
        parse_template(["heart-failure"], "list.json")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x",}', encoding="utf-8")
    with pytest.raises(InvalidTemplate, match=r"bad\.json cannot be used: it is not valid UTF-8"):
        load_template(path)


def test_a_file_with_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(AGENCY), encoding="utf-8-sig")
    with pytest.raises(InvalidTemplate, match="not valid UTF-8 JSON"):
        load_template(path)


# -- the registry and the agency folder -----------------------------------------------------


def test_get_template_and_unknown_template() -> None:
    assert get_template("heart-failure").title == "Heart failure"
    with pytest.raises(UnknownTemplate) as caught:
        get_template("gout")
    assert caught.value.exit_code == 5
    assert "There is no care-plan template 'gout'" in str(caught.value)
    assert "copd, depression" in str(caught.value)


def test_an_agency_template_works_with_no_code_change(tmp_path: Path) -> None:
    folder = tmp_path / "agency-templates"
    folder.mkdir()
    write(folder, AGENCY, "pressure.json")
    (folder / "old-copy.json.old").write_text("not read", encoding="utf-8")
    templates = available_templates(folder)
    assert [t.id for t in templates] == [*TEN, "pressure-injury"]
    agency = get_template("pressure-injury", folder)
    assert agency.path == folder / "pressure.json"
    assert suggest_templates(templates, ["L89.152"], []) == [agency]
    assert suggest_templates(templates, [], ["adl-help"]) == [agency]
    with pytest.raises(UnknownTemplate):
        get_template("pressure-injury")  # not without the folder


def test_an_agency_template_may_not_reuse_a_bundled_id(tmp_path: Path) -> None:
    write(tmp_path, {**AGENCY, "id": "heart-failure"}, "my-hf.json")
    with pytest.raises(InvalidTemplate) as caught:
        available_templates(tmp_path)
    message = str(caught.value)
    assert "my-hf.json cannot be used" in message
    assert "its id 'heart-failure' is already used by a bundled template" in message


def test_two_agency_files_may_not_share_an_id(tmp_path: Path) -> None:
    write(tmp_path, AGENCY, "a.json")
    write(tmp_path, AGENCY, "b.json")
    with pytest.raises(InvalidTemplate, match=r"b\.json .*already used by another file"):
        available_templates(tmp_path)


def test_one_broken_agency_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, AGENCY, "good.json")
    write(tmp_path, {**AGENCY, "id": "other", "version": 3}, "broken.json")
    with pytest.raises(InvalidTemplate, match=r"broken\.json cannot be used: .*'version'"):
        available_templates(tmp_path)


def test_a_missing_agency_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InvalidTemplate, match="the care-plan templates folder does not exist"):
        available_templates(tmp_path / "nowhere")


# -- suggestions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("icd10", "findings", "expected"),
    [
        (["I50.22"], [], ["heart-failure"]),
        (["E11.9"], [], ["type-2-diabetes"]),
        (["J44.1"], [], ["copd"]),
        (["F32.1"], [], ["depression"]),
        (["F33"], [], ["depression"]),
        (["I10"], [], ["hypertension"]),
        ([], ["food-insecurity"], ["food-insecurity"]),
        ([], ["fall-risk"], ["fall-prevention"]),
        ([], ["caregiver-strain"], ["caregiver-strain"]),
        ([], ["readmission-risk"], ["transition-home"]),
        ([], ["medication-cost"], ["medication-adherence"]),
        (["Z59.41"], [], ["food-insecurity"]),
        (["I11.0"], [], ["heart-failure", "hypertension"]),
        # dots, case and spaces do not matter
        (["i5022"], [], ["heart-failure"]),
        ([" e11.65 "], [], ["type-2-diabetes"]),
        ([], ["Fall-Risk"], ["fall-prevention"]),
        # codes that only look alike
        (["E10.9"], [], []),  # type 1 diabetes
        (["J45.909"], [], []),  # asthma
        (["F31.9"], [], []),  # bipolar disorder
        (["I1"], [], []),
        (["I5"], [], []),
        (["", "  "], ["", "falls"], []),
        ([], ["possible-depression"], []),  # the PHQ-2 asks for a PHQ-9 first
    ],
)
def test_suggestions_match_code_prefixes_and_finding_codes(
    bundled: list[Template], icd10: list[str], findings: list[str], expected: list[str]
) -> None:
    assert [t.id for t in suggest_templates(bundled, icd10, findings)] == expected


def test_suggestions_keep_the_order_of_the_templates_given(bundled: list[Template]) -> None:
    codes = (["J44.1", "E11.9", "I50.9"], ["fall-risk", "food-insecurity"])
    expected = ["copd", "fall-prevention", "food-insecurity", "heart-failure", "type-2-diabetes"]
    assert [t.id for t in suggest_templates(bundled, *codes)] == expected
    assert [t.id for t in suggest_templates(bundled[::-1], *codes)] == expected[::-1]
    # generators work too, and each template is suggested once however many codes match
    found = suggest_templates(iter(bundled), iter(["I50.1", "I50.9", "I11.0"]), iter([]))
    assert [t.id for t in found] == ["heart-failure", "hypertension"]


def test_matching_codes_say_why_a_template_is_suggested() -> None:
    falls = get_template("fall-prevention")
    assert matching_codes(falls, ["Z91.81", "E11.9", "z91.81"], ["fall-risk", "pain"]) == (
        "Z91.81",
        "z91.81",
        "fall-risk",
    )
    assert matching_codes(falls, ["E11.9"], ["pain"]) == ()


# -- docs/care-plan-templates.md ------------------------------------------------------------


def test_the_documented_example_is_a_valid_agency_template(tmp_path: Path) -> None:
    first = JSON_BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert first is not None, "docs/care-plan-templates.md has no ```json block"
    write(tmp_path, json.loads(first.group(1)), "example.json")
    templates = available_templates(tmp_path)
    example = templates[-1]
    assert example.id not in TEN
    assert example.path == tmp_path / "example.json"
    # what the page says it means
    assert suggest_templates(templates, ["z9981"], []) == [example]
    assert [i.due_days for i in example.interventions] == [7, 14, None]
    assert example.goals[0].target_days == 14


def test_the_documented_table_lists_every_bundled_template(bundled: list[Template]) -> None:
    text = DOC.read_text(encoding="utf-8")
    for template in bundled:
        assert f"| `{template.id}` |" in text, template.id
