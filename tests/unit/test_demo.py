"""The synthetic demo caseload: deterministic, valid, clinically consistent, searchable."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from carenav.errors import InvalidInput
from carenav.models import CHART_RECORD_TYPES, Patient, Record, codes
from carenav.services import demo
from carenav.services.chart import Chart, clean_chart_values, load_chart
from carenav.services.patients import (
    PATIENT_FIELDS,
    CaseloadQuery,
    age_on,
    build_search_text,
    count_patients,
    create_patient,
    list_patients,
    search_patient_ids,
)
from carenav.services.validation import clean_patient
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
AS_OF = date(2025, 6, 2)
BOOKKEEPING = {"id", "created_at", "updated_at", "version", "deleted_at", "patient_id"}
FICTIONAL_PHONE = re.compile(r"^\(555\) 0\d{2}-\d{4}$")


def new_vault(path: Path) -> Vault:
    vault, _code = Vault.create(path, PASSPHRASE, kdf=CHEAP_KDF)
    return vault


def everything(vault: Vault) -> dict[str, list[dict[str, Any]]]:
    """Every row of every caseload table, ids and timestamps included."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with vault.session() as session:
        for kind in (Patient, *CHART_RECORD_TYPES):
            rows = session.exec(select(kind)).all()
            tables[kind.__name__] = sorted((r.model_dump() for r in rows), key=lambda r: r["id"])
    return tables


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, list[Chart]]]:
    """400 demo patients, built once for the read-only checks below."""
    vault = new_vault(tmp_path_factory.mktemp("demo") / "demo.cnv")
    demo.fill_demo_caseload(vault, patients=400, seed=2, as_of=AS_OF)
    charts = [load_chart(vault, p.id) for p in list_patients(vault)]
    yield vault, charts
    vault.close()


# -- determinism -------------------------------------------------------------


def test_same_seed_gives_the_identical_caseload(tmp_path: Path) -> None:
    first, second = new_vault(tmp_path / "a.cnv"), new_vault(tmp_path / "b.cnv")
    try:
        for vault in (first, second):
            assert demo.fill_demo_caseload(vault, patients=60, seed=5, as_of=AS_OF) == 60
        one, two = everything(first), everything(second)
    finally:
        first.close()
        second.close()
    assert len(one["Patient"]) == 60
    assert sum(len(rows) for rows in one.values()) > 60 * 8
    assert one == two


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    first, second = new_vault(tmp_path / "a.cnv"), new_vault(tmp_path / "b.cnv")
    try:
        demo.fill_demo_caseload(first, patients=60, seed=5, as_of=AS_OF)
        demo.fill_demo_caseload(second, patients=60, seed=6, as_of=AS_OF)
        one, two = list_patients(first), list_patients(second)
    finally:
        first.close()
        second.close()
    assert not {p.id for p in one} & {p.id for p in two}
    names = lambda ps: [(p.family_name, p.given_name, p.birth_date) for p in ps]  # noqa: E731
    assert names(one) != names(two)


def test_another_day_shifts_the_same_people_in_time(tmp_path: Path) -> None:
    first, second = new_vault(tmp_path / "a.cnv"), new_vault(tmp_path / "b.cnv")
    try:
        demo.fill_demo_caseload(first, patients=30, seed=5, as_of=AS_OF)
        demo.fill_demo_caseload(second, patients=30, seed=5, as_of=AS_OF + timedelta(days=45))
        one = {p.id: p for p in list_patients(first)}
        two = {p.id: p for p in list_patients(second)}
    finally:
        first.close()
        second.close()
    assert one.keys() == two.keys()
    for patient_id, earlier in one.items():
        later = two[patient_id]
        assert (later.family_name, later.given_name) == (earlier.family_name, earlier.given_name)
        assert later.birth_date - earlier.birth_date == timedelta(days=45)
        assert later.created_at - earlier.created_at == timedelta(days=45)


# -- counts, progress, refusals, all-or-nothing ----------------------------------


def test_counts_and_progress_over_several_steps(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK", 16)
    seen: list[tuple[int, int]] = []
    made = demo.fill_demo_caseload(
        vault, patients=40, seed=3, as_of=AS_OF, progress=lambda d, t: seen.append((d, t))
    )
    assert made == 40
    assert count_patients(vault) == 40
    assert seen == [(0, 40), (16, 40), (32, 40), (40, 40)]
    assert len(everything(vault)["CareTeamMember"]) >= 40  # everyone has a primary care provider


def test_zero_patients_adds_nothing(vault: Vault) -> None:
    assert demo.fill_demo_caseload(vault, patients=0, as_of=AS_OF) == 0
    assert count_patients(vault) == 0


def test_refuses_a_vault_that_already_holds_patients(vault: Vault) -> None:
    create_patient(
        vault, {"family_name": "Real", "given_name": "Person", "birth_date": "1950-01-01"}
    )
    with pytest.raises(InvalidInput) as caught:
        demo.fill_demo_caseload(vault, patients=5, as_of=AS_OF)
    assert "already holds patients" in str(caught.value)
    assert "new, empty vault" in str(caught.value)
    assert count_patients(vault) == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"patients": -1}, "patients", "from 0 to 100,000"),
        ({"patients": 100_001}, "patients", "from 0 to 100,000"),
        ({"patients": 3, "as_of": date.today() + timedelta(days=1)}, "as_of", "future"),
    ],
)
def test_rejects_impossible_requests(
    vault: Vault, kwargs: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        demo.fill_demo_caseload(vault, **kwargs)
    assert words in caught.value.errors[field]
    assert count_patients(vault) == 0


def test_a_failure_part_way_keeps_nothing(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "CHUNK", 10)
    real_insert = demo._insert
    calls = []

    def insert_then_fail(session: Any, batch: demo.Batch) -> None:
        calls.append(len(batch.patients))
        if len(calls) == 2:
            raise OSError("disk full")
        real_insert(session, batch)

    monkeypatch.setattr(demo, "_insert", insert_then_fail)
    with pytest.raises(OSError, match="disk full"):
        demo.fill_demo_caseload(vault, patients=30, as_of=AS_OF)
    assert calls == [10, 10]
    assert count_patients(vault) == 0
    assert all(rows == [] for rows in everything(vault).values())


def test_cancelling_from_progress_keeps_nothing(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK", 10)

    class Cancelled(Exception):
        pass

    def cancel_after_first_step(done: int, total: int) -> None:
        if done >= 10:
            raise Cancelled

    with pytest.raises(Cancelled):
        demo.fill_demo_caseload(vault, patients=30, as_of=AS_OF, progress=cancel_after_first_step)
    assert count_patients(vault) == 0


# -- every record is valid ----------------------------------------------------------


def test_every_patient_passes_the_same_validation_as_a_form(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    _vault, charts = caseload
    assert len(charts) == 400
    for chart in charts:
        patient = chart.patient
        stored = {name: getattr(patient, name) for name in PATIENT_FIELDS}
        cleaned = clean_patient(stored, creating=True)
        assert {k: v for k, v in cleaned.items()} == {k: stored[k] for k in cleaned}
        assert patient.search_text == build_search_text(patient)
        assert patient.created_at <= patient.updated_at


def test_every_chart_record_passes_validation(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    checked: Counter[str] = Counter()
    for chart in charts:
        groups: list[list[Any]] = [
            chart.family, chart.care_team, chart.problems,
            chart.medications, chart.allergies, chart.notes,
        ]  # fmt: skip
        for records in groups:
            for record in records:
                assert_valid(record)
                checked[type(record).__name__] += 1
    assert set(checked) == {kind.__name__ for kind in CHART_RECORD_TYPES}
    assert checked["MedicationStatement"] > 400 * 3


def assert_valid(record: Record) -> None:
    values = {k: v for k, v in record.model_dump().items() if k not in BOOKKEEPING}
    cleaned = clean_chart_values(type(record), values, creating=True)
    assert cleaned == {k: values[k] for k in cleaned}, type(record).__name__


# -- clinical consistency ------------------------------------------------------------

TREATS_BY_NAME: dict[str, tuple[str, ...]] = {
    "Furosemide": ("I50",),
    "Torsemide": ("I50",),
    "Sacubitril/valsartan": ("I50",),
    "Carvedilol": ("I50",),
    "Donepezil": ("F03", "G30"),
    "Memantine": ("F03", "G30"),
    "Apixaban": ("I48",),
    "Warfarin": ("I48",),
    "Buprenorphine/naloxone": ("F11",),
    "Methadone": ("F11",),
    "Naloxone nasal spray": ("F11",),
    "Naltrexone": ("F10",),
    "Metformin": ("E11",),
    "Insulin glargine": ("E11",),
    "Glipizide": ("E11",),
    "Tiotropium": ("J44",),
    "Albuterol inhaler": ("J44",),
    "Levothyroxine": ("E03",),
    "Tamsulosin": ("N40",),
    "Carbidopa/levodopa": ("G20",),
    "Paliperidone palmitate": ("F20",),
}
BEHAVIOURAL_CODES = ("F32", "F33", "F41", "F31", "F20", "F10", "F11")
MONITORED_CODES = ("I50", "J44", "E11", "I10", "I11", "I12", "I13")


def codes_of(chart: Chart) -> list[str]:
    return [problem.icd10_code for problem in chart.problems]


def has_code(chart: Chart, *prefixes: str) -> bool:
    return any(code.startswith(prefixes) for code in codes_of(chart))


def test_programmes_fit_the_problem_list(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    seen: Counter[str] = Counter()
    for chart in charts:
        p = chart.patient
        assert p.programs, "every patient is enrolled in something"
        assert set(p.programs) <= set(codes.PROGRAMS)
        seen.update(p.programs)
        if "sud" in p.programs:
            assert has_code(chart, "F10", "F11")
        if "bhi" in p.programs:
            assert has_code(chart, *BEHAVIOURAL_CODES)
        if {"ccm", "ccm_complex"} & set(p.programs):
            assert len(chart.problems) >= 2
        if "ccm_complex" in p.programs:
            assert p.risk_tier in ("high", "very_high")
        if "rpm" in p.programs:
            assert has_code(chart, *MONITORED_CODES)
        if "ltss" in p.programs:
            assert "Medicaid" in p.payer or "dual" in p.payer.lower() or "D-SNP" in p.payer
        if "hospice" in p.programs:
            assert p.risk_tier == "very_high" and p.status == "active"
    assert {"ccm", "ccm_complex", "bhi", "sud", "rpm", "case_mgmt", "tcm"} <= set(seen)


def test_medicines_match_problems_and_start_after_them(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    _vault, charts = caseload
    checked = 0
    for chart in charts:
        for med in chart.medications:
            prefixes = TREATS_BY_NAME.get(med.name)
            if prefixes is None:
                continue
            matching = [c for c in chart.problems if c.icd10_code.startswith(prefixes)]
            assert matching, f"{med.name} without {prefixes}"
            onsets = [c.onset_date for c in matching if c.onset_date is not None]
            if med.start_date and onsets:
                assert med.start_date >= min(onsets), med.name
                checked += 1
            if med.stop_date:
                assert med.start_date is not None and med.stop_date >= med.start_date
                assert med.stop_date < AS_OF
    assert checked > 100


def test_no_medicine_the_patient_is_allergic_to(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    forbidden = {
        "Lisinopril": {"Lisinopril", "Sacubitril/valsartan"},
        "Atorvastatin": {"Atorvastatin"},
        "Metformin": {"Metformin"},
        "Aspirin": {"Aspirin"},
    }
    allergic = 0
    for chart in charts:
        taking = {m.name for m in chart.medications if m.status == "active"}
        for allergy in chart.allergies:
            allergic += 1
            assert not forbidden.get(allergy.substance, set()) & taking
    assert allergic > 40  # about a third of patients have an allergy recorded


def test_family_roles_make_sense(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    for chart in charts:
        assert sum(r.primary_caregiver for r in chart.family) <= 1
        if has_code(chart, "F03", "G30"):
            assert chart.family, "a patient with dementia has someone at home on record"
        for person in chart.family:
            if person.primary_caregiver:
                assert person.may_receive_health_info
        assert chart.care_team[0].role == "pcp"
        assert chart.patient.primary_care_provider == chart.care_team[0].name


def test_the_mix_looks_like_a_real_caseload(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    patients = [c.patient for c in charts]
    languages = Counter(p.preferred_language for p in patients)
    assert languages["English"] > len(patients) / 2
    assert len(set(languages) - {"English"}) >= 6
    others = [p for p in patients if p.preferred_language != "English"]
    assert sum(p.interpreter_needed for p in others) >= 0.75 * len(others)
    assert not any(p.interpreter_needed for p in patients if p.preferred_language == "English")
    ages = [age_on(p.birth_date, AS_OF) for p in patients]
    assert sum(55 <= a <= 95 for a in ages) >= 0.75 * len(ages)
    assert min(ages) >= 18 and max(ages) <= 100
    assert any(a < 55 for a in ages)
    risks = Counter(p.risk_tier for p in patients)
    assert risks["moderate"] + risks["high"] > 0.55 * len(patients)
    assert risks["low"] < 0.25 * len(patients)
    statuses = Counter(p.status for p in patients)
    assert statuses["active"] > 0.75 * len(patients)
    assert statuses["on_hold"] and statuses["discharged"]
    assert sum(p.consent_date is not None for p in patients) > 0.8 * len(patients)
    assert any(p.preferred_name for p in patients)
    assert any(p.visit_notes for p in patients)
    all_codes = {code for c in charts for code in codes_of(c)}
    for wanted in ("I10", "F41.1", "F03.90", "I48.91", "E78.5"):
        assert wanted in all_codes
    for prefix in ("I50.", "E11.", "J44.", "N18.", "F11.2", "F10.2"):
        assert any(code.startswith(prefix) for code in all_codes), prefix
    assert any(code.startswith(("F32", "F33")) for code in all_codes)


def test_everything_is_clearly_made_up(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    for chart in charts:
        p = chart.patient
        for phone in (p.phone_home, p.phone_mobile):
            assert phone == "" or FICTIONAL_PHONE.match(phone), phone
        assert p.phone_home or p.phone_mobile
        for person in chart.family:
            assert FICTIONAL_PHONE.match(person.phone)
        for member in chart.care_team:
            assert member.phone.startswith("(555) 010-")
        if p.payer.startswith("Medicare (") or p.payer.startswith("Medicare +"):
            assert p.member_id.startswith("0"), "real Medicare numbers never start with 0"
        assert p.state in ("MA", "CT", "VT")
        for note in chart.notes:
            assert note.written_at.date() < AS_OF
            assert note.kind in codes.NOTE_KINDS
            assert "{" not in note.text and "}" not in note.text
        assert len(chart.notes) <= 4


# -- search ------------------------------------------------------------------------


def test_search_finds_a_demo_patient_by_name_and_phone(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    vault, charts = caseload
    patient = next(c.patient for c in charts if c.patient.phone_mobile)
    by_family = search_patient_ids(vault, CaseloadQuery(text=patient.family_name))
    by_both = search_patient_ids(
        vault, CaseloadQuery(text=f"{patient.given_name} {patient.family_name}")
    )
    digits = "".join(ch for ch in patient.phone_mobile if ch.isdigit())
    by_phone = search_patient_ids(vault, CaseloadQuery(text=patient.phone_mobile[-8:]))
    by_fragment = search_patient_ids(vault, CaseloadQuery(text=digits[-4:]))
    for found in (by_family, by_both, by_phone, by_fragment):
        assert patient.id in found
    assert len(by_both) <= len(by_family) < 400


def test_search_ignores_accents_in_demo_names(caseload: tuple[Vault, list[Chart]]) -> None:
    vault, charts = caseload
    accented = next(c.patient for c in charts if re.search(r"[áéíóúñ]", c.patient.family_name))
    word = next(w for w in accented.family_name.split(" ") if re.search(r"[áéíóúñ]", w))
    plain = word.translate(str.maketrans("áéíóúñ", "aeioun"))
    assert plain != word
    assert accented.id in search_patient_ids(vault, CaseloadQuery(text=plain.lower()))


def test_ids_are_version_4_uuids(caseload: tuple[Vault, list[Chart]]) -> None:
    _vault, charts = caseload
    ids = [c.patient.id for c in charts] + [m.id for c in charts for m in c.medications]
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert len(set(ids)) == len(ids)
