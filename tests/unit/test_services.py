"""The caseload and chart services against a real encrypted vault."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from carenav.errors import InvalidInput, RecordNotFound, StaleRecord
from carenav.models import (
    AllergyIntolerance,
    CareTeamMember,
    CaseNote,
    Condition,
    MedicationStatement,
    Record,
    RelatedPerson,
)
from carenav.services.chart import (
    RECORD_NAMES,
    add_chart_record,
    load_chart,
    remove_chart_record,
    update_chart_record,
)
from carenav.services.patients import (
    SORT_KEYS,
    CaseloadQuery,
    caseload_rows,
    count_patients,
    create_patient,
    display_name,
    get_patient,
    list_patients,
    remove_patient,
    search_patient_ids,
    update_patient,
)
from carenav.store.vault import Vault

# Synthetic people. Each sort key orders them differently.
OKAFOR = {
    "family_name": "Okafor",
    "given_name": "Grace",
    "birth_date": "1941-05-09",
    "risk_tier": "high",
    "status": "active",
    "city": "Dayton",
    "preferred_language": "English",
    "programs": ["ccm"],
    "phone_mobile": "(555) 201-4432",
    "member_id": "MBR-77812",
}
MULLER = {
    "family_name": "Müller",
    "given_name": "Zoë",
    "birth_date": "1952-11-30",
    "risk_tier": "very_high",
    "status": "on_hold",
    "city": "akron",
    "preferred_language": "German",
    "programs": ["ccm_complex"],
    "phone_home": "555 380 1190",
}
ABARA = {
    "family_name": "abara",
    "given_name": "Ines",
    "birth_date": "1938-01-15",
    "risk_tier": "low",
    "status": "discharged",
    "city": "Columbus",
    "preferred_language": "Yoruba",
    "programs": ["bhi", "ccm"],
}
NGUYEN = {
    "family_name": "Nguyen",
    "given_name": "Thi",
    "birth_date": "1960-07-04",
    "risk_tier": "moderate",
    "status": "active",
    "city": "Bexley",
    "preferred_language": "vietnamese",
    "programs": ["rpm"],
}


@pytest.fixture
def people(vault: Vault) -> dict[str, uuid.UUID]:
    ids = {}
    for name, values in (
        ("okafor", OKAFOR),
        ("muller", MULLER),
        ("abara", ABARA),
        ("nguyen", NGUYEN),
    ):
        ids[name] = create_patient(vault, values)
    return ids


def found(vault: Vault, people: Mapping[str, uuid.UUID], **query: Any) -> list[str]:
    names = {v: k for k, v in people.items()}
    return [names[i] for i in search_patient_ids(vault, CaseloadQuery(**query))]


def invalid(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return error.value.errors


# -- creating, changing and removing patients --------------------------------


def test_created_patient_reads_back_with_typed_values(vault: Vault) -> None:
    patient_id = create_patient(vault, {**OKAFOR, "interpreter_needed": "yes"})
    patient = get_patient(vault, patient_id)
    assert (patient.family_name, patient.given_name) == ("Okafor", "Grace")
    assert patient.birth_date == date(1941, 5, 9)
    assert patient.programs == ["ccm"]
    assert patient.interpreter_needed is True
    assert patient.version == 1
    assert patient.created_at.tzinfo is not None
    assert patient.deleted_at is None
    assert display_name(patient) == "Okafor, Grace"
    assert count_patients(vault) == 1


def test_update_increments_version_and_moves_updated_at(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    before = get_patient(vault, patient_id)
    changed = update_patient(vault, patient_id, {"city": "Kettering", "preferred_name": "Gracie"})
    assert changed.version == 2
    assert changed.updated_at > before.updated_at
    assert changed.created_at == before.created_at
    again = get_patient(vault, patient_id)
    assert (again.city, again.preferred_name, again.version) == ("Kettering", "Gracie", 2)
    assert display_name(again) == 'Okafor, Grace "Gracie"'

    update_patient(vault, patient_id, {"city": "Kettering"})  # nothing actually changes
    assert get_patient(vault, patient_id).version == 2


def test_update_with_an_old_version_is_refused_and_saves_nothing(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    update_patient(vault, patient_id, {"city": "Kettering"}, expected_version=1)
    with pytest.raises(StaleRecord, match="changed elsewhere"):
        update_patient(vault, patient_id, {"city": "Xenia"}, expected_version=1)
    patient = get_patient(vault, patient_id)
    assert (patient.city, patient.version) == ("Kettering", 2)


def test_removed_patient_is_hidden_but_kept_as_a_tombstone(
    vault: Vault, people: dict[str, uuid.UUID]
) -> None:
    remove_patient(vault, people["muller"])
    assert found(vault, people) == ["abara", "nguyen", "okafor"]
    assert found(vault, people, text="muller") == []
    assert count_patients(vault) == 3
    assert [p.family_name for p in list_patients(vault)] == ["abara", "Nguyen", "Okafor"]
    with pytest.raises(RecordNotFound, match="That patient no longer exists"):
        get_patient(vault, people["muller"])
    with pytest.raises(RecordNotFound):
        update_patient(vault, people["muller"], {"city": "Xenia"})
    with pytest.raises(RecordNotFound):
        remove_patient(vault, people["muller"])
    with vault.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT deleted_at IS NOT NULL, version FROM patient WHERE id = ?",
            (people["muller"].hex,),
        ).one()
    assert tuple(row) == (1, 2)


def test_unknown_patient_is_not_found(vault: Vault) -> None:
    with pytest.raises(RecordNotFound):
        get_patient(vault, uuid.uuid4())


# -- finding patients ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oka", ["okafor"]),
        ("OKAFOR", ["okafor"]),
        ("muller", ["muller"]),  # accents do not matter...
        ("Müll", ["muller"]),
        ("zoe", ["muller"]),
        ("ABARA", ["abara"]),
        ("201-4432", ["okafor"]),  # ...nor punctuation in phone numbers
        ("5552014432", ["okafor"]),
        ("3801190", ["muller"]),
        ("MBR-77812", ["okafor"]),
        ("mbr77812", ["okafor"]),
        ("grace okafor", ["okafor"]),  # every word must match
        ("grace nguyen", []),
        ("  ", ["abara", "muller", "nguyen", "okafor"]),
        ("%_", ["abara", "muller", "nguyen", "okafor"]),  # punctuation alone filters nothing
    ],
)
def test_search_by_name_phone_and_member_id(
    vault: Vault, people: dict[str, uuid.UUID], text: str, expected: list[str]
) -> None:
    assert found(vault, people, text=text) == expected


def test_programme_filter_matches_whole_codes_only(
    vault: Vault, people: dict[str, uuid.UUID]
) -> None:
    assert found(vault, people, programs=["ccm"]) == ["abara", "okafor"]
    assert found(vault, people, programs=["ccm_complex"]) == ["muller"]
    assert found(vault, people, programs=["ccm", "rpm"]) == ["abara", "nguyen", "okafor"]
    assert found(vault, people, programs=["hospice"]) == []


def test_risk_and_status_filters_combine_with_text(
    vault: Vault, people: dict[str, uuid.UUID]
) -> None:
    assert found(vault, people, risk_tiers=["high", "very_high"]) == ["muller", "okafor"]
    assert found(vault, people, statuses=["active"]) == ["nguyen", "okafor"]
    assert found(vault, people, statuses=["active"], risk_tiers=["high"]) == ["okafor"]
    assert found(vault, people, statuses=["active"], text="abara") == []
    assert found(vault, people, programs=["ccm"], statuses=["discharged"]) == ["abara"]


ASCENDING = {
    "name": ["abara", "muller", "nguyen", "okafor"],
    "birth_date": ["abara", "okafor", "muller", "nguyen"],
    "risk": ["abara", "nguyen", "okafor", "muller"],
    "status": ["nguyen", "okafor", "abara", "muller"],  # active, discharged, on hold
    "city": ["muller", "nguyen", "abara", "okafor"],  # akron, Bexley, Columbus, Dayton
    "language": ["okafor", "muller", "nguyen", "abara"],
    "updated": ["muller", "abara", "nguyen", "okafor"],
}
DESCENDING = {
    "name": ["okafor", "nguyen", "muller", "abara"],
    "birth_date": ["nguyen", "muller", "okafor", "abara"],
    "risk": ["muller", "okafor", "nguyen", "abara"],
    "status": ["muller", "abara", "nguyen", "okafor"],  # ties stay in name order
    "city": ["okafor", "abara", "nguyen", "muller"],
    "language": ["abara", "nguyen", "muller", "okafor"],
    "updated": ["okafor", "nguyen", "abara", "muller"],
}


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_key_in_both_directions(
    vault: Vault, people: dict[str, uuid.UUID], sort: str
) -> None:
    assert set(ASCENDING) == set(SORT_KEYS)
    update_patient(vault, people["okafor"], {"visit_notes": "Changed last."})
    assert found(vault, people, sort=sort) == ASCENDING[sort]
    assert found(vault, people, sort=sort, descending=True) == DESCENDING[sort]


def test_caseload_rows_show_what_the_table_needs(
    vault: Vault, people: dict[str, uuid.UUID]
) -> None:
    rows = caseload_rows(vault, [people["okafor"], people["muller"]])
    assert set(rows) == {people["okafor"], people["muller"]}
    okafor = rows[people["okafor"]]
    assert okafor.name == "Okafor, Grace"
    assert okafor.phone == "(555) 201-4432"
    assert okafor.programs_text == "Chronic care management"
    assert (okafor.risk_text, okafor.status_text) == ("High", "Active")
    assert rows[people["muller"]].phone == "555 380 1190"  # home phone when no mobile
    assert rows[people["muller"]].status_text == "On hold"
    assert caseload_rows(vault, []) == {}


# -- the chart ---------------------------------------------------------------

CHART_CASES: list[tuple[type[Record], dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    (
        RelatedPerson,
        {"name": "Ada Okafor", "relationship": "daughter", "phone": "555-201-9000"},
        {"primary_caregiver": "yes"},
        {"primary_caregiver": True, "name": "Ada Okafor"},
        "family",
    ),
    (
        CareTeamMember,
        {"name": "Dr. Lee", "role": "pcp", "organization": "Dayton Family Practice"},
        {"fax": "555-201-7000"},
        {"fax": "555-201-7000", "role": "pcp"},
        "care_team",
    ),
    (
        Condition,
        {"text": "Type 2 diabetes", "icd10_code": "e11.9", "onset_date": "2015-03-01"},
        {"clinical_status": "In remission"},
        {"clinical_status": "remission", "icd10_code": "E11.9", "onset_date": date(2015, 3, 1)},
        "problems",
    ),
    (
        MedicationStatement,
        {"name": "Metformin", "dose": "500 mg", "start_date": "2020-01-01"},
        {"status": "stopped", "stop_date": "2024-02-01"},
        {"status": "stopped", "stop_date": date(2024, 2, 1), "dose": "500 mg"},
        "medications",
    ),
    (
        AllergyIntolerance,
        {"substance": "Penicillin", "reaction": "Hives"},
        {"severity": "severe"},
        {"severity": "severe", "reaction": "Hives"},
        "allergies",
    ),
    (
        CaseNote,
        {"text": "Home visit: feet checked.", "kind": "visit"},
        {"subject": "Foot check"},
        {"subject": "Foot check", "kind": "visit", "text": "Home visit: feet checked."},
        "notes",
    ),
]


@pytest.mark.parametrize(("kind", "values", "changes", "after", "section"), CHART_CASES)
def test_chart_records_can_be_added_changed_and_removed(
    vault: Vault,
    kind: type[Record],
    values: dict[str, Any],
    changes: dict[str, Any],
    after: dict[str, Any],
    section: str,
) -> None:
    patient_id = create_patient(vault, OKAFOR)
    record_id = add_chart_record(vault, kind, patient_id, values)
    shown = getattr(load_chart(vault, patient_id), section)
    assert [r.id for r in shown] == [record_id]
    assert shown[0].version == 1

    changed = update_chart_record(vault, kind, record_id, changes, expected_version=1)
    assert changed.version == 2
    reloaded = getattr(load_chart(vault, patient_id), section)[0]
    assert {name: getattr(reloaded, name) for name in after} == after
    assert reloaded.updated_at > shown[0].updated_at

    with pytest.raises(StaleRecord):
        update_chart_record(vault, kind, record_id, changes, expected_version=1)

    remove_chart_record(vault, kind, record_id)
    assert getattr(load_chart(vault, patient_id), section) == []
    with pytest.raises(RecordNotFound, match=RECORD_NAMES[kind]):
        update_chart_record(vault, kind, record_id, changes)
    with pytest.raises(RecordNotFound):
        remove_chart_record(vault, kind, record_id)


def test_chart_values_are_typed_and_coded(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    add_chart_record(
        vault, Condition, patient_id, {"text": "Heart failure", "icd10_code": "i50.22"}
    )
    add_chart_record(vault, Condition, patient_id, {"text": "COVID-19", "icd10_code": "U07.1"})
    add_chart_record(
        vault, MedicationStatement, patient_id, {"name": "Furosemide", "route": "By mouth"}
    )
    chart = load_chart(vault, patient_id)
    assert sorted(c.icd10_code for c in chart.problems) == ["I50.22", "U07.1"]
    assert chart.medications[0].route == "oral"  # the label typed in is stored as its code


def test_chart_records_need_a_living_patient(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    with pytest.raises(RecordNotFound):
        add_chart_record(vault, Condition, uuid.uuid4(), {"text": "Asthma"})
    remove_patient(vault, patient_id)
    with pytest.raises(RecordNotFound):
        add_chart_record(vault, Condition, patient_id, {"text": "Asthma"})
    with pytest.raises(RecordNotFound):
        load_chart(vault, patient_id)


def test_case_notes_are_newest_first(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    now = datetime.now(UTC)
    for days_ago, text in ((3, "oldest"), (0, "newest"), (1, "middle")):
        add_chart_record(
            vault,
            CaseNote,
            patient_id,
            {"text": text, "written_at": now - timedelta(days=days_ago)},
        )
    assert [n.text for n in load_chart(vault, patient_id).notes] == ["newest", "middle", "oldest"]


# -- validation messages ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "03/27/1948"}, "birth_date", "Enter the date as YYYY-MM-DD"),
        ({"birth_date": "1948-02-30"}, "birth_date", "Enter the date as YYYY-MM-DD"),
        (
            {"birth_date": (date.today() + timedelta(days=1)).isoformat()},
            "birth_date",
            "Date of birth cannot be in the future.",
        ),
        ({"birth_date": "1848-03-27"}, "birth_date", "is before 1900-01-01; check the year"),
        ({"birth_date": ""}, "birth_date", "Date of birth is required"),
        ({"family_name": "  "}, "family_name", "Family name is required."),
        ({"given_name": "x" * 101}, "given_name", "too long (101 characters; at most 100)"),
        ({"phone_mobile": "555-12"}, "phone_mobile", "7 to 15 digits"),
        ({"phone_home": "555 201 4432 #9"}, "phone_home", "Use only digits"),
        ({"risk_tier": "extreme"}, "risk_tier", "Choose a risk tier from: Low, Moderate"),
        ({"programs": ["ccm", "astrology"]}, "programs", "Unknown programme 'astrology'."),
        ({"interpreter_needed": "perhaps"}, "interpreter_needed", "Answer yes or no."),
        ({"consent_date": "2024-01-05"}, "consent_method", "Record both the date consent"),
        ({"visit_notes": "a\x00b"}, "visit_notes", "contains an invalid character"),
    ],
)
def test_patient_validation_names_the_field_and_what_to_do(
    vault: Vault, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_patient(vault, {**OKAFOR, **changes})
    assert message in invalid(caught)[field]
    assert count_patients(vault) == 0


def test_every_bad_field_is_reported_at_once(vault: Vault) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_patient(vault, {"family_name": "", "birth_date": "soon", "phone_home": "1"})
    assert set(invalid(caught)) == {"family_name", "given_name", "birth_date", "phone_home"}
    assert str(caught.value).startswith("Please correct: ")


def test_invalid_update_leaves_the_patient_unchanged(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    with pytest.raises(InvalidInput):
        update_patient(vault, patient_id, {"city": "Xenia", "birth_date": "2999-01-01"})
    patient = get_patient(vault, patient_id)
    assert (patient.city, patient.birth_date, patient.version) == ("Dayton", date(1941, 5, 9), 1)


@pytest.mark.parametrize(
    ("kind", "values", "field", "message"),
    [
        (Condition, {"text": "Asthma", "icd10_code": "J45.9.9"}, "icd10_code", "looks like E11.9"),
        (Condition, {"text": "Asthma", "icd10_code": "45.9"}, "icd10_code", "looks like E11.9"),
        (
            Condition,
            {"text": "Asthma", "onset_date": (date.today() + timedelta(days=3)).isoformat()},
            "onset_date",
            "Onset date cannot be in the future.",
        ),
        (Condition, {"icd10_code": "J45.909"}, "text", "This field is required."),
        (
            MedicationStatement,
            {"name": "Warfarin", "start_date": "2024-05-01", "stop_date": "2024-04-30"},
            "stop_date",
            "The stop date is before the start date.",
        ),
        (
            MedicationStatement,
            {"name": "Warfarin", "route": "by osmosis"},
            "route",
            "Choose a route",
        ),
        (RelatedPerson, {"name": "Ada", "phone": "call me"}, "phone", "7 to 15 digits"),
        (AllergyIntolerance, {"substance": "  "}, "substance", "Allergy to is required."),
        (CaseNote, {"text": "x" * 20001}, "text", "at most 20000"),
        (CaseNote, {"text": "Visit", "written_at": "yesterday"}, "written_at", "Choose when"),
    ],
)
def test_chart_validation_names_the_field(
    vault: Vault, kind: type[Record], values: dict[str, Any], field: str, message: str
) -> None:
    patient_id = create_patient(vault, OKAFOR)
    with pytest.raises(InvalidInput) as caught:
        add_chart_record(vault, kind, patient_id, values)
    assert message in invalid(caught)[field]


def test_changing_one_date_is_checked_against_the_saved_other_date(vault: Vault) -> None:
    patient_id = create_patient(vault, OKAFOR)
    record_id = add_chart_record(
        vault, MedicationStatement, patient_id, {"name": "Warfarin", "start_date": "2024-05-01"}
    )
    with pytest.raises(InvalidInput) as caught:
        update_chart_record(vault, MedicationStatement, record_id, {"stop_date": "2024-04-01"})
    assert invalid(caught) == {"stop_date": "The stop date is before the start date."}
    saved = load_chart(vault, patient_id).medications[0]
    assert (saved.stop_date, saved.version) == (None, 1)
    update_chart_record(vault, MedicationStatement, record_id, {"stop_date": "2024-06-01"})
    assert load_chart(vault, patient_id).medications[0].stop_date == date(2024, 6, 1)


def test_update_refuses_unknown_fields(vault: Vault) -> None:
    patient_id = create_patient(
        vault, {"family_name": "Moreau", "given_name": "Lise", "birth_date": "1947-07-07"}
    )
    with pytest.raises(InvalidInput) as failure:
        update_patient(vault, patient_id, {"familyname": "Typo"})
    assert set(failure.value.errors) == {"familyname"}
    assert get_patient(vault, patient_id).family_name == "Moreau"
