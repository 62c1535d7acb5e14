"""Bad input, property-based: any text in any form field, any passphrase, any CSV bytes.

The promise for every input: no crash, either accepted or refused with one
plain message per bad field, and no partial write (a refused save changes no
row). Passphrase checking and unlock, and CSV cells and text, already have
their own property tests (test_passphrase.py, test_csv_import.py); this file
adds every patient and chart form field, changing the passphrase, creating a
vault, and CSV files of arbitrary bytes and headers.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from carenav.errors import InvalidInput, WeakPassphrase, WrongPassphrase
from carenav.models import Patient, Record
from carenav.services.chart import CLEANERS, add_chart_record, update_chart_record
from carenav.services.csv_import import CsvFileError, guess_mapping, read_csv
from carenav.services.patients import (
    PATIENT_FIELDS,
    create_patient,
    get_patient,
    update_patient,
)
from carenav.services.validation import FieldCleaner
from carenav.store.passphrase import check_passphrase
from carenav.store.vault import Vault, header_path_for

PASSPHRASE = "correct horse battery staple"
# Any Unicode the form can hand over (lone surrogates: see the last test).
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
LONG = "x" * 10_000
EDGE_TEXTS = ["", " ", "\x00", LONG, "ﷺ" * 10_000, "\u202eevil", "'; DROP TABLE patient; --"]
FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID_PATIENT = {
    "family_name": "Propertyperson",
    "given_name": "Synthetic",
    "birth_date": "1950-01-02",
    "preferred_language": "English",
}
CONSENT_PAIR = {"consent_date", "consent_method"}
# Choice fields may quote the code typed ("Unknown programme 'xyz'"); free text never.
CODE_FIELDS = {
    "administrative_sex",
    "programs",
    "risk_tier",
    "status",
    "consent_method",
    "relationship",
    "role",
    "route",
    "severity",
    "clinical_status",
    "kind",
}


class FieldNames(FieldCleaner):
    """A cleaner that records which fields a chart cleaner looks at."""

    def __init__(self) -> None:
        super().__init__({})
        self.names: list[str] = []

    def _run(self, name: str, convert: Callable[[Any], Any]) -> None:
        self.names.append(name)


def chart_fields(kind: type[Record]) -> list[str]:
    names = FieldNames()
    CLEANERS[kind](names)
    return names.names


CHART_FIELDS = [(kind, name) for kind in CLEANERS for name in chart_fields(kind)]


def rows(vault: Vault, kind: type[Record]) -> int:
    with vault.session() as session:
        return int(session.exec(select(func.count()).select_from(kind)).one())


def assert_clear_refusal(refused: InvalidInput, allowed_fields: set[str], text: str) -> None:
    assert refused.errors, "a refusal names at least one field"
    assert set(refused.errors) <= allowed_fields, refused.errors
    for name, message in refused.errors.items():
        assert message and message[0].isupper() and message.rstrip().endswith("."), message
        if len(text.strip()) >= 8 and name not in CODE_FIELDS:
            assert text.strip() not in message  # messages describe, never repeat, the value
    assert str(refused).startswith("Please correct: ")


@pytest.fixture
def patient_id(vault: Vault) -> uuid.UUID:
    return create_patient(vault, VALID_PATIENT)


# -- every patient form field -------------------------------------------------


@FAST
@given(name=st.sampled_from(PATIENT_FIELDS), text=ANY_TEXT | st.sampled_from(EDGE_TEXTS))
@example(name="family_name", text=LONG)
@example(name="visit_notes", text=LONG)
@example(name="birth_date", text="")
@example(name="programs", text="ccm;;nonsense")
def test_any_text_in_any_patient_field_is_saved_or_refused_cleanly(
    vault: Vault, name: str, text: str
) -> None:
    before = rows(vault, Patient)
    try:
        new_id = create_patient(vault, {**VALID_PATIENT, name: text})
    except InvalidInput as refused:
        assert_clear_refusal(
            refused, {name} | (CONSENT_PAIR if name in CONSENT_PAIR else set()), text
        )
        assert rows(vault, Patient) == before  # nothing half-saved
        return
    assert rows(vault, Patient) == before + 1
    saved = get_patient(vault, new_id)
    if isinstance(getattr(saved, name), str) and name not in CODE_FIELDS:
        assert getattr(saved, name) == text.strip()  # kept exactly, only trimmed


@FAST
@given(name=st.sampled_from(PATIENT_FIELDS), text=ANY_TEXT | st.sampled_from(EDGE_TEXTS))
def test_a_refused_change_leaves_the_saved_patient_as_it_was(
    vault: Vault, patient_id: uuid.UUID, name: str, text: str
) -> None:
    before = get_patient(vault, patient_id)
    try:
        after = update_patient(vault, patient_id, {name: text}, expected_version=before.version)
    except InvalidInput as refused:
        assert_clear_refusal(
            refused, {name} | (CONSENT_PAIR if name in CONSENT_PAIR else set()), text
        )
        again = get_patient(vault, patient_id)
        assert again.version == before.version
        assert again.model_dump() == before.model_dump()
        return
    assert after.version in (before.version, before.version + 1)


# -- every chart form field ---------------------------------------------------


def test_every_chart_form_is_covered() -> None:
    covered = {kind.__name__ for kind, _ in CHART_FIELDS}
    assert covered == {
        "RelatedPerson",
        "CareTeamMember",
        "Condition",
        "MedicationStatement",
        "AllergyIntolerance",
        "CaseNote",
    }
    assert len(CHART_FIELDS) == 34


@FAST
@given(field=st.sampled_from(CHART_FIELDS), text=ANY_TEXT | st.sampled_from(EDGE_TEXTS))
@example(field=CHART_FIELDS[-1], text=LONG * 3)
def test_any_text_in_any_chart_field_is_saved_or_refused_cleanly(
    vault: Vault, patient_id: uuid.UUID, field: tuple[type[Record], str], text: str
) -> None:
    kind, name = field
    required = {
        n: "Synthetic value" for n in ("name", "text", "substance") if n in chart_fields(kind)
    }
    before = rows(vault, kind)
    try:
        record_id = add_chart_record(vault, kind, patient_id, {**required, name: text})
    except InvalidInput as refused:
        allowed = {name} | ({"stop_date"} if name == "start_date" else set())
        assert_clear_refusal(refused, allowed, text)
        assert rows(vault, kind) == before
        return
    assert rows(vault, kind) == before + 1
    # changing it to the same text is accepted as well, and one row stays one row
    update_chart_record(vault, kind, record_id, {name: text})
    assert rows(vault, kind) == before + 1


# -- passphrase entry: changing it, and creating a vault --------------------


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(max_size=80) | st.sampled_from(["", "\x00", LONG, "ﬁnal ﬁg ﬁddle on the fjord"])
)
@example(text="x" * 10_000)
def test_any_new_passphrase_is_taken_or_refused_and_the_key_header_is_unchanged(
    vault: Vault, text: str
) -> None:
    header = header_path_for(vault.db_path)
    before = hashlib.sha256(header.read_bytes()).hexdigest()
    verdict = check_passphrase(text)
    if not verdict.acceptable:
        with pytest.raises(WeakPassphrase) as refused:
            vault.change_passphrase(PASSPHRASE, text)
        assert str(refused.value) == verdict.problem and verdict.problem.endswith(".")
        assert hashlib.sha256(header.read_bytes()).hexdigest() == before
        with pytest.raises(WrongPassphrase):  # a wrong old passphrase changes nothing either
            vault.change_passphrase(text + "?", PASSPHRASE + "!")
        assert hashlib.sha256(header.read_bytes()).hexdigest() == before
        return
    vault.change_passphrase(PASSPHRASE, text)
    Vault.unlock(vault.db_path, text).close()
    vault.change_passphrase(text, PASSPHRASE)
    Vault.unlock(vault.db_path, PASSPHRASE).close()


@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=40) | st.sampled_from(["", "\ud800" * 20, LONG, "ab" * 600]))
def test_creating_a_vault_with_any_passphrase_writes_nothing_unless_it_is_accepted(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("create") / "vault"
    verdict = check_passphrase(text)
    if verdict.acceptable:
        vault, code = Vault.create(folder / "x.cnv", text)
        vault.close()
        assert len(code) == 29
        return
    with pytest.raises(WeakPassphrase) as refused:
        Vault.create(folder / "x.cnv", text)
    assert str(refused.value).endswith(".")
    assert not folder.exists()  # not even the folder


# -- CSV files of any bytes and any headers -----------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400))
@example(data=b"\xff\xfeL\x00a\x00s\x00t\x00")  # UTF-16 from an old spreadsheet
@example(data=b"PK\x03\x04" + bytes(40))  # a workbook
@example(data=b"\xef\xbb\xbf")  # a BOM and nothing else
def test_any_bytes_as_a_csv_file_are_read_or_refused_with_advice(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "any.csv"
    path.write_bytes(data)
    try:
        table = read_csv(path)
    except CsvFileError as refused:
        assert str(refused).endswith(".") and "file" in str(refused).lower()
        return
    assert table.headers and all(row.number >= 2 for row in table.rows)
    chosen = [header for header in guess_mapping(table.headers).values() if header is not None]
    assert set(chosen) <= set(table.headers)


@settings(max_examples=80, deadline=None)
@given(headers=st.lists(ANY_TEXT, min_size=1, max_size=12))
def test_any_header_row_gets_a_mapping_without_crashing(headers: list[str]) -> None:
    mapping = guess_mapping(headers)
    chosen = [header for header in mapping.values() if header is not None]
    assert set(chosen) <= set(headers)  # only columns that are in the file
    assert len(chosen) == len(set(chosen))  # a column fills one field at most


# -- lone surrogates ------------------------------------------------------------


@pytest.mark.parametrize("where", ["patient", "chart"])
def test_a_lone_surrogate_is_refused_as_an_invalid_character(
    vault: Vault, patient_id: uuid.UUID, where: str
) -> None:
    from carenav.models import CaseNote

    before = rows(vault, Patient) + rows(vault, CaseNote)
    with pytest.raises(InvalidInput) as refused:
        if where == "patient":
            create_patient(vault, {**VALID_PATIENT, "city": "Spring\ud800field"})
        else:
            add_chart_record(vault, CaseNote, patient_id, {"text": "Visit \udfff"})
    assert "invalid character" in str(refused.value)
    assert rows(vault, Patient) + rows(vault, CaseNote) == before
