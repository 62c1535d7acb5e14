"""The synthetic demo caseload: deterministic, valid, clinically consistent, searchable."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from carenav.errors import InvalidInput
from carenav.instruments import IncompleteAnswers, available_instruments, rescreen_due, score
from carenav.models import (
    CHART_RECORD_TYPES,
    Draft,
    Observation,
    Patient,
    QuestionnaireResponse,
    Record,
    SuggestedNeed,
    codes,
)
from carenav.services import demo, demo_assessments
from carenav.services.assessments import (
    complete,
    flags_as_data,
    in_progress,
    safety_notices,
    save_answers,
    suggested_needs,
)
from carenav.services.chart import Chart, clean_chart_values, load_chart
from carenav.services.demo_assessments import ASSESSMENT_TABLES
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
from carenav.services.risk import suggested_risk_tier
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
    """Every row of every caseload table (assessments too), ids and timestamps included."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with vault.session() as session:
        for kind in (Patient, *CHART_RECORD_TYPES, *ASSESSMENT_TABLES):
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
    for kind in ("QuestionnaireResponse", "Observation", "SuggestedNeed"):
        assert len(one[kind]) > 60, kind
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
        # check-ins ride on the contact log, which is laid out per calendar month and so
        # does not shift day for day; the assessment histories do
        forms_one, forms_two = (
            {
                r["id"]: r
                for r in everything(v)["QuestionnaireResponse"]
                if r["questionnaire"] != "hf-checkin"
            }
            for v in (first, second)
        )
    finally:
        first.close()
        second.close()
    assert forms_one.keys() == forms_two.keys() and forms_one
    for form_id, earlier_form in forms_one.items():
        later_form = forms_two[form_id]
        if earlier_form["questionnaire"] != "comprehensive":  # it has a date answer
            assert later_form["answers"] == earlier_form["answers"]
        assert later_form["authored_at"] - earlier_form["authored_at"] == timedelta(days=45)
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


# -- assessment histories -----------------------------------------------------------

INSTRUMENTS = {i.id: i for i in available_instruments()}


def rows_of(vault: Vault, kind: type[Record]) -> list[Any]:
    with vault.session() as session:
        return list(session.exec(select(kind)).all())


def test_every_stored_score_is_what_the_engine_gives_for_its_answers(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    vault, _charts = caseload
    responses = rows_of(vault, QuestionnaireResponse)
    observations = {o.derived_from_id: o for o in rows_of(vault, Observation)}
    assert len(responses) > 400 * 5
    seen: Counter[str] = Counter()
    for response in responses:
        instrument = INSTRUMENTS[response.questionnaire]
        result = score(instrument, response.answers)
        seen[instrument.id] += 1
        assert response.flags == flags_as_data(result)
        assert response.questionnaire_version == instrument.version
        observation = observations.get(response.id)
        if result.total is None:
            assert observation is None
            continue
        assert observation is not None
        assert (observation.value, observation.band) == (result.total, result.band or "")
        assert observation.flags == response.flags
        assert observation.effective_at == response.authored_at
        assert observation.rescreen_due == rescreen_due(result, response.authored_at.date())
        assert (observation.superseded_at is None) is (response.superseded_at is None)
    wanted = {"phq2", "phq9", "gad7", "ahc-hrsn", "katz-adl", "lawton-iadl", "steadi", "lace"}
    if "comprehensive" in INSTRUMENTS:
        wanted.add("comprehensive")
    assert wanted <= set(seen)


def test_forms_fall_between_enrolment_and_the_reference_day(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    vault, charts = caseload
    enrolled = {c.patient.id: c.patient.created_at for c in charts}
    for response in rows_of(vault, QuestionnaireResponse):
        assert enrolled[response.patient_id] <= response.authored_at
        assert response.authored_at.date() < AS_OF
        assert response.started_at is not None and response.started_at < response.authored_at
        assert response.author == vault.audit.user


def test_histories_look_like_a_real_caseload(caseload: tuple[Vault, list[Chart]]) -> None:
    vault, charts = caseload
    by_patient: dict[uuid.UUID, list[Any]] = {}
    for response in sorted(rows_of(vault, QuestionnaireResponse), key=lambda r: r.authored_at):
        by_patient.setdefault(response.patient_id, []).append(response)
    assert len(by_patient) > 0.95 * len(charts)
    if "comprehensive" in INSTRUMENTS:
        with_intake = sum(
            any(r.questionnaire == "comprehensive" for r in forms) for forms in by_patient.values()
        )
        assert with_intake > 0.7 * len(charts)
    trends = []
    for forms in by_patient.values():
        series = [
            sum(int(v) for k, v in r.answers.items() if k != "difficulty")
            for r in forms
            if r.questionnaire == "phq9" and r.superseded_at is None
        ]
        if len(series) >= 4:
            trends.append(series[-1] - series[0])
    assert sum(t <= -5 for t in trends) >= 5  # improving with treatment
    assert sum(t >= 5 for t in trends) >= 2  # worsening
    for chart in charts:
        if "tcm" in chart.patient.programs:
            lace = [r for r in by_patient.get(chart.patient.id, []) if r.questionnaire == "lace"]
            assert lace and (AS_OF - lace[-1].authored_at.date()).days <= 30


def test_some_safety_notices_and_suggested_needs(caseload: tuple[Vault, list[Chart]]) -> None:
    vault, charts = caseload
    notices = {c.patient.id: safety_notices(vault, c.patient.id) for c in charts}
    flagged = {pid: found for pid, found in notices.items() if found}
    assert 2 <= len(flagged) < 0.1 * len(charts)
    assert "phq9" in {n.instrument_id for found in flagged.values() for n in found}
    self_harm = [r for r in rows_of(vault, QuestionnaireResponse) if r.questionnaire == "phq9"]
    assert any(r.answers["q9"] != "0" for r in self_harm)
    if any(i.findings for i in INSTRUMENTS.values()):
        needs = rows_of(vault, SuggestedNeed)
        assert len({n.patient_id for n in needs}) > 0.5 * len(charts)
        assert {"depression", "food-insecurity", "fall-risk"} <= {n.code for n in needs}
        patient = next(c.patient.id for c in charts if suggested_needs(vault, c.patient.id))
        assert all(n.status == "suggested" for n in suggested_needs(vault, patient))


def test_some_forms_were_corrected_after_signing(caseload: tuple[Vault, list[Chart]]) -> None:
    vault, _charts = caseload
    responses = {r.id: r for r in rows_of(vault, QuestionnaireResponse)}
    corrections = [r for r in responses.values() if r.status == "amended"]
    assert 3 <= len(corrections) < 0.05 * len(responses)
    for correction in corrections:
        original = responses[correction.amends_id]
        assert original.superseded_at == correction.authored_at
        assert original.version == 2
        assert (original.patient_id, original.questionnaire) == (
            correction.patient_id,
            correction.questionnaire,
        )
        assert correction.amendment_reason
        assert correction.answers != original.answers
        assert correction.superseded_at is None
    superseded = [r for r in responses.values() if r.superseded_at is not None]
    assert len(superseded) == len(corrections)


def test_some_forms_are_unfinished(caseload: tuple[Vault, list[Chart]]) -> None:
    vault, charts = caseload
    unfinished = [f for c in charts for f in in_progress(vault, c.patient.id)]
    assert 2 <= len(unfinished) < 0.1 * len(charts)
    for form in unfinished:
        instrument = INSTRUMENTS[form.instrument_id]
        answers = form.answers(instrument)
        assert answers and set(answers) <= {i.link_id for i in instrument.items}
        assert form.started_at.date() < AS_OF
        with pytest.raises(IncompleteAnswers):
            score(instrument, answers)


def test_demo_patients_get_a_spread_of_suggested_tiers(
    caseload: tuple[Vault, list[Chart]],
) -> None:
    vault, charts = caseload
    tiers = Counter(suggested_risk_tier(vault, c.patient.id, AS_OF).tier for c in charts[:120])
    assert set(tiers) == set(codes.RISK_TIERS), tiers


# -- the bulk path writes what complete() writes ----------------------------------------

BOOK = ("id", "created_at", "updated_at")
LINKS = ("derived_from_id", "response_id", "amends_id")
T0 = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


def _script() -> list[tuple[str, dict[str, Any], int, int | None]]:
    """(instrument, answers, days after T0, index of the form it corrects)."""
    no_needs = {
        "living-situation": "steady", "housing-problems": ["none"], "food-worry": "never",
        "food-didnt-last": "never", "transportation": "no", "utilities": "no",
        "physically-hurt": "never", "insult": "never", "threaten": "never",
        "scream-curse": "never",
    }  # fmt: skip
    needs = dict(no_needs, **{"food-worry": "often", "transportation": "yes"})
    phq9 = {**{f"q{n}": "2" for n in range(1, 9)}, "q9": "1", "difficulty": "very"}
    return [
        ("phq9", phq9, 0, None),
        ("ahc-hrsn", needs, 1, None),
        ("ahc-hrsn", dict(needs, transportation="no"), 2, 1),  # corrected: one need goes
        ("phq9", dict(phq9, q9="0", q1="3"), 90, None),  # the open need is refreshed
        ("steadi", {k: "yes" for k in demo_assessments.STEADI_POINTS}, 91, None),
        ("lace", {"los": 5, "acuity": "emergent", "charlson": 2, "ed_visits": 1}, 92, None),
        ("katz-adl", demo_assessments.katz_answers(3), 93, None),
    ]


def _comparable(rows: list[dict[str, Any]], ids: dict[Any, int]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        kept = {k: v for k, v in row.items() if k not in BOOK}
        for link in LINKS:
            if kept.get(link) is not None:
                kept[link] = ids[kept[link]]
        out.append(kept)
    return sorted(out, key=lambda row: repr(sorted(row.items())))


def _tables(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    order = sorted(rows["QuestionnaireResponse"], key=lambda r: (r["authored_at"], r["status"]))
    ids = {r["id"]: n for n, r in enumerate(order)}
    return {kind: _comparable(found, ids) for kind, found in rows.items()}


def test_the_bulk_path_writes_the_rows_complete_writes(vault: Vault, tmp_path: Path) -> None:
    patient_id = create_patient(
        vault, {"family_name": "Bulk", "given_name": "Check", "birth_date": "1944-04-04"}
    )
    signed: list[uuid.UUID] = []
    for ident, answers, days, amends in _script():
        done = complete(
            vault,
            patient_id=patient_id,
            instrument=INSTRUMENTS[ident],
            answers=answers,
            amends_id=signed[amends] if amends is not None else None,
            amendment_reason="Corrected with the patient" if amends is not None else "",
            started_at=T0 + timedelta(days=days) - timedelta(minutes=5),
            now=T0 + timedelta(days=days),
        )
        signed.append(done.response.id)
    kinds = (QuestionnaireResponse, Observation, SuggestedNeed)
    by_complete = {k.__name__: [r.model_dump() for r in rows_of(vault, k)] for k in kinds}

    added: dict[str, list[dict[str, Any]]] = {k.__name__: [] for k in kinds}
    forms = demo_assessments.PatientForms(
        patient_id,
        author=vault.audit.user,
        add=lambda kind, row: added[kind.__name__].append(row),
        new_id=uuid.uuid4,
        scorer=demo_assessments.Scorer(),
    )
    made: list[uuid.UUID] = []
    for ident, answers, days, amends in _script():
        row = forms.complete(
            INSTRUMENTS[ident],
            answers,
            at=T0 + timedelta(days=days),
            started_at=T0 + timedelta(days=days) - timedelta(minutes=5),
            amends=made[amends] if amends is not None else None,
            reason="Corrected with the patient" if amends is not None else "",
        )
        made.append(row["id"])
    for kind in kinds:  # every column, as a bulk insert needs
        table_columns = set(demo.table_of(kind).columns.keys())
        assert all(set(row) == table_columns for row in added[kind.__name__]), kind
    assert _tables(added) == _tables(by_complete)
    assert len(by_complete["SuggestedNeed"]) >= 3
    assert {n["status"] for n in by_complete["SuggestedNeed"]} == {"suggested", "dismissed"}


def test_an_unfinished_demo_form_is_the_draft_save_answers_keeps(vault: Vault) -> None:
    patient_id = create_patient(
        vault, {"family_name": "Draft", "given_name": "Check", "birth_date": "1944-04-04"}
    )
    phq9 = INSTRUMENTS["phq9"]
    answers = {"q1": "2", "q2": "1", "q3": "0"}
    kept = save_answers(vault, patient_id=patient_id, instrument=phq9, answers=answers)
    with vault.session() as session:
        real = session.exec(select(Draft)).one().model_dump()
    rows: list[dict[str, Any]] = []
    demo_assessments.PatientForms(
        patient_id,
        author=vault.audit.user,
        add=lambda _kind, row: rows.append(row),
        new_id=uuid.uuid4,
        scorer=demo_assessments.Scorer(),
    ).save_answers(phq9, answers, started_at=kept.started_at, saved_at=kept.updated_at)
    (row,) = rows
    assert set(row) == set(demo.table_of(Draft).columns.keys())
    skip = {"id", "created_at", "updated_at", "version"}
    assert {k: v for k, v in row.items() if k not in skip} == {
        k: v for k, v in real.items() if k not in skip
    }
