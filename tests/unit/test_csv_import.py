"""CSV import: reading files, matching headers, checking rows, all-or-nothing import."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carenav.services import csv_import
from carenav.services.csv_import import (
    CsvFileError,
    CsvRow,
    CsvTable,
    ImportCancelled,
    ImportHasProblems,
    guess_mapping,
    plan_import,
    preview_rows,
    read_csv,
    run_import,
)
from carenav.services.patients import (
    CaseloadQuery,
    count_patients,
    create_patient,
    list_patients,
    search_patient_ids,
)
from carenav.store.vault import Vault

STANDARD_HEADER = "family_name,given_name,birth_date,phone,preferred_language,address,programs\n"


def write(tmp_path: Path, text: str, name: str = "caseload.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def plan_file(vault: Vault, path: Path) -> csv_import.ImportPlan:
    table = read_csv(path)
    return plan_import(vault, table, guess_mapping(table.headers))


def problems_by_row(plan: csv_import.ImportPlan) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in plan.problems:
        found.setdefault(problem.row_number, []).append(problem.line())
    return found


# == header recognition ============================================================


def test_common_header_spellings_are_recognised() -> None:
    headers = [
        "Last Name",
        "First Name",
        "D.O.B.",
        "Phone Number",
        "Cell",
        "Language",
        "Programmes",
        "Member ID",
        "Street",
        "City",
        "State",
        "Zip",
        "Risk",
        "Status",
        "Insurance",
        "Preferred Name",
        "Gender",
        "Interpreter",
        "Favourite colour",
    ]
    mapping = guess_mapping(headers)
    assert mapping == {
        "family_name": "Last Name",
        "given_name": "First Name",
        "birth_date": "D.O.B.",
        "preferred_name": "Preferred Name",
        "administrative_sex": "Gender",
        "gender_identity": None,
        "preferred_language": "Language",
        "interpreter_needed": "Interpreter",
        "phone_home": "Phone Number",
        "phone_mobile": "Cell",
        "address_line": "Street",
        "city": "City",
        "state": "State",
        "postal_code": "Zip",
        "programs": "Programmes",
        "risk_tier": "Risk",
        "status": "Status",
        "primary_care_provider": None,
        "payer": "Insurance",
        "member_id": "Member ID",
        "consent_date": None,
        "consent_method": None,
        "visit_notes": None,
    }


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Surname", "family_name"),
        ("PATIENT LAST NAME", "family_name"),
        ("client_first_name", "given_name"),
        ("Date of Birth", "birth_date"),
        ("DOB", "birth_date"),
        ("birth_date", "birth_date"),
        ("Sex", "administrative_sex"),
        ("Gender Identity", "gender_identity"),
        ("Mobile", "phone_mobile"),
        ("phone", "phone_home"),
        ("address", "address_line"),
        ("Programs", "programs"),
        ("Payer", "payer"),
        ("Zip Code", "postal_code"),
        ("Préférred  Name", "preferred_name"),
        ("Primary care provider", "primary_care_provider"),
    ],
)
def test_single_headers(header: str, target: str) -> None:
    assert csv_import.field_for_header(header) == target


def test_first_of_two_matching_columns_wins() -> None:
    mapping = guess_mapping(["Phone", "Home Phone", "Surname"])
    assert mapping["phone_home"] == "Phone"
    assert mapping["family_name"] == "Surname"


def test_every_patient_field_can_be_imported() -> None:
    from carenav.services.patients import PATIENT_FIELDS

    assert {t.field for t in csv_import.TARGET_FIELDS} == set(PATIENT_FIELDS)
    required = [t.field for t in csv_import.TARGET_FIELDS if t.required]
    assert required == ["family_name", "given_name", "birth_date"]


# == reading files =================================================================


def test_excel_bom_and_semicolons(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffNachname;Vorname;DOB;Address\nMüller;Jürgen;1944-07-01;Hauptstr. 1, Hof\n",
    )
    table = read_csv(path)
    assert table.delimiter == ";"
    assert table.headers == ["Nachname", "Vorname", "DOB", "Address"]
    assert table.rows == [CsvRow(2, ("Müller", "Jürgen", "1944-07-01", "Hauptstr. 1, Hof"))]


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "Last Name\tFirst Name\tDOB\nOkafor\tAda\t1950-01-02\n")
    table = read_csv(path)
    assert table.delimiter == "\t"
    assert table.rows[0].cells == ("Okafor", "Ada", "1950-01-02")


def test_quoted_commas_and_line_breaks_keep_spreadsheet_row_numbers(
    vault: Vault, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        'Last Name,First Name,DOB,Address\n"Diaz, Jr",Rosa,1950-04-03,"12 Elm St\nApt 4"\n'
        "Lee,,1950-01-01,\n",
    )
    table = read_csv(path)
    assert table.delimiter == ","
    assert table.rows[0].cells[0] == "Diaz, Jr"
    assert table.rows[0].cells[3] == "12 Elm St\nApt 4"
    plan = plan_import(vault, table, guess_mapping(table.headers))
    assert list(problems_by_row(plan)) == [3]  # the second spreadsheet record, not line 4


def test_file_not_in_utf8_gets_save_as_advice(tmp_path: Path) -> None:
    path = write(tmp_path, "Last Name,First Name,DOB\nMuñoz,José,1950-01-01\n", encoding="cp1252")
    with pytest.raises(CsvFileError) as caught:
        read_csv(path)
    message = str(caught.value)
    assert "not saved as UTF-8" in message and "CSV UTF-8" in message
    assert "line 2" in message
    assert caught.value.exit_code == 5


def test_workbook_instead_of_csv(tmp_path: Path) -> None:
    path = tmp_path / "caseload.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(CsvFileError, match="spreadsheet workbook, not a CSV file"):
        read_csv(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty"),
        ("\ufeff  \n\n", "The file is empty"),
        ("Last Name,First Name,DOB\n", "no patients under it"),
        ("Last Name,First Name,DOB\n,,\n , ,\t\n", "no patients under it"),
        ("Phone,Last Name,phone\nx,y,z\n", 'Two columns are both called "phone"'),
    ],
)
def test_unusable_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(CsvFileError) as caught:
        read_csv(write(tmp_path, text))
    assert expected.lower() in str(caught.value).lower()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="not found"):
        read_csv(tmp_path / "nowhere.csv")


def test_more_than_fifty_thousand_rows(tmp_path: Path) -> None:
    rows = "".join(f"F{i},G,1950-01-01\n" for i in range(50_001))
    with pytest.raises(CsvFileError, match="more than 50,000 rows"):
        read_csv(write(tmp_path, "Last Name,First Name,DOB\n" + rows))


def test_fifty_thousand_rows_are_accepted(tmp_path: Path) -> None:
    rows = "".join(f"F{i},G,1950-01-01\n" for i in range(50_000))
    table = read_csv(write(tmp_path, "Last Name,First Name,DOB\n" + rows))
    assert len(table.rows) == 50_000
    assert table.rows[-1].number == 50_001


def test_blank_rows_are_skipped_and_reported(vault: Vault, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Last Name,First Name,DOB\nOkafor,Ada,1950-01-02\n,,\n\nLee,Min,1960-05-06\n",
    )
    plan = plan_file(vault, path)
    assert plan.ok
    assert [r.row_number for r in plan.valid] == [2, 5]
    assert plan.blank_rows == [3, 4]
    assert "Empty rows were skipped: 3, 4." in plan.report_lines()


def test_row_with_more_cells_than_headers(vault: Vault, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Last Name,First Name,DOB,Address\n"
        "Okafor,Ada,1950-01-02,12 Elm St,\n"  # a stray trailing comma: harmless
        "Lee,Min,1960-05-06,4 Oak Ave, Apt 2\n",
    )
    plan = plan_file(vault, path)
    assert [r.row_number for r in plan.valid] == [2]
    [problem] = plan.problems
    assert problem.row_number == 3
    assert "5 cells but the header row has 4 columns" in problem.message
    assert "quotes" in problem.message


# == bad rows ======================================================================


def test_every_kind_of_bad_row_is_reported_by_row_number(vault: Vault, tmp_path: Path) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    path = write(
        tmp_path,
        "Last Name,First Name,DOB,Phone,Programs,Risk,Interpreter,Consent Date\n"
        "Okafor,Ada,1950-01-02,555-010-2000,ccm,high,no,\n"  # 2: fine
        ",Missing,1951-01-01,,,,,\n"  # 3: no family name
        "Diaz,,1950-04-03,,,,,\n"  # 4: no given name
        "Diaz,Rosa,03/04/1950,,,,,\n"  # 5: wrong date format
        f"Young,Tom,{tomorrow},,,,,\n"  # 6: born tomorrow
        "Old,Ann,1850-01-01,,,,,\n"  # 7: before 1900
        "Lee,Min,1960-05-06,12,,,,\n"  # 8: phone too short
        "Park,Joon,1961-02-03,,ccm;yoga,,,\n"  # 9: unknown programme
        "Kim,Soo,1962-03-04,,,extreme,,\n"  # 10: unknown risk
        "Ito,Ken,1963-04-05,,,,maybe,\n"  # 11: interpreter not yes/no
        "Roy,Liz,1964-05-06,,,,,2020-01-01\n"  # 12: consent date without method
        "Fay,Bo,,,,,,\n",  # 13: no date of birth
    )
    plan = plan_file(vault, path)
    found = problems_by_row(plan)
    assert sorted(found) == list(range(3, 14))
    assert [r.row_number for r in plan.valid] == [2]
    assert found[3] == ['Row 3, Family name (column "Last Name"): Family name is required.']
    assert found[4] == ['Row 4, Given name (column "First Name"): Given name is required.']
    assert found[5] == [
        'Row 5, Date of birth (column "DOB"): Enter the date as YYYY-MM-DD, for example 1948-03-27.'
    ]
    assert "cannot be in the future" in found[6][0]
    assert "before 1900-01-01" in found[7][0]
    assert found[8][0].startswith('Row 8, Home phone (column "Phone"): Enter a phone number')
    assert "Unknown programme 'yoga'" in found[9][0]
    assert found[10][0].startswith('Row 10, Risk tier (column "Risk"): Choose a risk tier from')
    assert "Answer yes or no." in found[11][0]
    assert found[12] == [
        "Row 12, Consent method: Record both the date consent was given and how it was given."
    ]
    assert "Date of birth is required" in found[13][0]
    assert not plan.ok
    lines = plan.report_lines()
    assert lines[0] == "Checked 12 rows: 1 ready to import, 11 with problems:"
    assert len(lines) == 12


def test_report_names_no_patient_details(vault: Vault, tmp_path: Path) -> None:
    path = write(tmp_path, "Last Name,First Name,DOB,Phone\nQuixote,Alonso,1547-09-29,notaphone\n")
    text = "\n".join(plan_file(vault, path).report_lines())
    assert "Row 2" in text
    for detail in ("Quixote", "Alonso", "1547", "notaphone"):
        assert detail not in text


def test_missing_required_column_checks_no_rows(vault: Vault, tmp_path: Path) -> None:
    path = write(tmp_path, "Name,DOB\nAda Okafor,1950-01-02\n")
    plan = plan_file(vault, path)
    assert plan.rows_checked == 0 and not plan.valid
    assert {p.field_label for p in plan.problems} == {"Family name", "Given name"}
    assert all(p.row_number == 1 for p in plan.problems)
    lines = plan.report_lines()
    assert lines[0] == "The header row lacks a column CareNav needs, so no rows were checked."
    assert "Name a column family_name (or Last Name, Surname, Family)" in lines[1]
    assert 'These columns are not imported (no matching patient field): "Name".' in lines
    with pytest.raises(ImportHasProblems):
        run_import(vault, plan)


# == duplicates ====================================================================


def test_duplicates_within_the_file_ignore_accents_case_and_spaces(
    vault: Vault, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Last Name,First Name,DOB\n"
        "Muñoz,José,1950-01-02\n"
        "Okafor,Ada,1950-01-02\n"
        " MUNOZ , jose ,1950-01-02\n"
        "Munoz,Jose,1950-01-03\n",  # another day: a different person
    )
    plan = plan_file(vault, path)
    assert [r.row_number for r in plan.valid] == [2, 3, 5]
    [problem] = plan.problems
    assert problem.line() == (
        "Row 4: Likely duplicate of row 2 (same name and date of birth). "
        "Remove one of the two rows."
    )


def test_duplicate_of_a_patient_already_in_the_caseload(vault: Vault, tmp_path: Path) -> None:
    create_patient(
        vault,
        {"family_name": "Nguyễn", "given_name": "Lan", "birth_date": "1950-02-03"},
    )
    path = write(
        tmp_path, STANDARD_HEADER + "nguyen,LAN,1950-02-03,,,,\nDiaz,Rosa,1950-04-03,,,,\n"
    )
    plan = plan_file(vault, path)
    [problem] = plan.problems
    assert problem.row_number == 2
    assert "Likely duplicate of a patient already in the caseload" in problem.message
    assert "Nguy" not in problem.message and "Lan" not in problem.message
    assert [r.row_number for r in plan.valid] == [3]


def test_removed_patients_are_not_duplicates(vault: Vault, tmp_path: Path) -> None:
    from carenav.services.patients import remove_patient

    old = create_patient(
        vault, {"family_name": "Diaz", "given_name": "Rosa", "birth_date": "1950-04-03"}
    )
    remove_patient(vault, old)
    plan = plan_file(vault, write(tmp_path, STANDARD_HEADER + "Diaz,Rosa,1950-04-03,,,,\n"))
    assert plan.ok


# == importing =====================================================================


def test_values_are_cleaned_like_the_patient_form(vault: Vault, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Surname,Forename,Date of Birth,Phone Number,Mobile,Language,Programmes,Risk,Sex,"
        "Interpreter,Street,City,State,Zip,Status,Insurance,Member ID,Preferred Name\n"
        "Okafor,Ada,1950-01-02,555-010-2000,(555) 010-3000,Igbo,"
        '"Chronic care management, tcm",Medium,F,yes,12 Elm St,Dayton,OH,45402,On hold,'
        "Sunrise Health Plan,0ABC123,Addy\n"
        "Lee,Min,1960-05-06,,,,,,,,,,,,,,,\n",
    )
    plan = plan_file(vault, path)
    assert plan.ok, plan.report_lines()
    assert run_import(vault, plan) == 2
    patients = {p.family_name: p for p in list_patients(vault)}
    ada = patients["Okafor"]
    assert ada.birth_date == date(1950, 1, 2)
    assert ada.phone_home == "555-010-2000" and ada.phone_mobile == "(555) 010-3000"
    assert ada.preferred_language == "Igbo" and ada.interpreter_needed is True
    assert ada.programs == ["ccm", "tcm"]
    assert ada.risk_tier == "moderate" and ada.administrative_sex == "female"
    assert ada.status == "on_hold" and ada.payer == "Sunrise Health Plan"
    assert (ada.address_line, ada.city, ada.state, ada.postal_code) == (
        "12 Elm St",
        "Dayton",
        "OH",
        "45402",
    )
    assert ada.member_id == "0ABC123" and ada.preferred_name == "Addy"
    # Blank cells take the same defaults as a new patient in the form.
    lee = patients["Lee"]
    assert (lee.preferred_language, lee.risk_tier, lee.status, lee.administrative_sex) == (
        "English",
        "moderate",
        "active",
        "unknown",
    )
    assert lee.programs == [] and lee.interpreter_needed is False
    # Search text is kept, so imported patients are found like any other.
    assert search_patient_ids(vault, CaseloadQuery(text="addy")) == [ada.id]
    assert search_patient_ids(vault, CaseloadQuery(text="5550103000")) == [ada.id]


def test_a_bad_row_means_nothing_is_imported(vault: Vault, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        STANDARD_HEADER + "Nguyen,Lan,1950-02-03,,,,\nDiaz,Rosa,03/04/1950,,,,\n",
    )
    plan = plan_file(vault, path)
    with pytest.raises(ImportHasProblems) as caught:
        run_import(vault, plan)
    assert "Nothing was imported" in str(caught.value) and "rows 3" in str(caught.value)
    assert caught.value.exit_code == 5
    assert count_patients(vault) == 0
    # The import dialog may offer to leave the bad rows out; only then are the others added.
    assert run_import(vault, plan, skip_bad_rows=True) == 1
    assert [p.family_name for p in list_patients(vault)] == ["Nguyen"]


def test_cancel_through_progress_rolls_everything_back(vault: Vault, tmp_path: Path) -> None:
    rows = "".join(f"Family{i},Given,1950-01-01,,,,\n" for i in range(450))
    plan = plan_file(vault, write(tmp_path, STANDARD_HEADER + rows))
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 300

    with pytest.raises(ImportCancelled, match="Nothing was imported"):
        run_import(vault, plan, progress=progress)
    assert calls == [(0, 450), (100, 450), (200, 450), (300, 450)]
    assert count_patients(vault) == 0


def test_progress_reaches_the_total(vault: Vault, tmp_path: Path) -> None:
    rows = "".join(f"Family{i},Given,1950-01-01,,,,\n" for i in range(250))
    plan = plan_file(vault, write(tmp_path, STANDARD_HEADER + rows))
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    assert run_import(vault, plan, progress=progress) == 250
    assert calls == [(0, 250), (100, 250), (200, 250), (250, 250)]


def test_the_same_plan_cannot_be_imported_twice(vault: Vault, tmp_path: Path) -> None:
    plan = plan_file(vault, write(tmp_path, STANDARD_HEADER + "Diaz,Rosa,1950-04-03,,,,\n"))
    assert run_import(vault, plan) == 1
    with pytest.raises(ImportHasProblems, match="since the file was checked"):
        run_import(vault, plan)
    assert count_patients(vault) == 1


def test_two_thousand_rows(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Last Name", "First Name", "DOB", "Phone", "Language", "Programs"])
        for i in range(2000):
            born = date(1930, 1, 1) + timedelta(days=i * 11)
            writer.writerow(
                [f"Family{i}", f"Given{i}", born.isoformat(), "555-010-2000", "Spanish", "ccm;rpm"]
            )
    plan = plan_file(vault, path)
    assert plan.ok and len(plan.valid) == 2000
    assert plan.report_lines() == ["Checked 2,000 rows: all are ready to import."]
    assert run_import(vault, plan) == 2000
    assert count_patients(vault) == 2000
    patients = {p.family_name: p for p in list_patients(vault)}
    last = patients["Family1999"]
    assert last.given_name == "Given1999"
    assert last.birth_date == date(1930, 1, 1) + timedelta(days=1999 * 11)
    assert last.programs == ["ccm", "rpm"] and last.preferred_language == "Spanish"
    assert len({p.id for p in patients.values()}) == 2000


# == preview =======================================================================


def test_preview_shows_values_as_they_would_be_imported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Last Name,First Name,DOB,Programs,Interpreter,Fax\n"
        "Okafor,Ada,1950-01-02,ccm;bhi,y,x\n"
        "Lee,Min,06/05/1960,,,\n",
    )
    table = read_csv(path)
    mapping = guess_mapping(table.headers)
    first, second = preview_rows(table, mapping)
    assert first.row_number == 2 and first.problems == {}
    assert first.cells["programs"] == "Chronic care management, Behavioural health integration"
    assert first.cells["interpreter_needed"] == "Yes"
    assert "Fax" not in first.cells
    assert second.cells["birth_date"] == "06/05/1960"
    assert second.problems == {
        "birth_date": "Enter the date as YYYY-MM-DD, for example 1948-03-27."
    }
    assert len(preview_rows(table, mapping, limit=1)) == 1


# == property: arbitrary cells ======================================================

HEADERS = ["Last Name", "First Name", "DOB", "Phone", "Programs", "Risk", "Interpreter", "Notes"]
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
) | st.sampled_from(["", "1950-01-02", "ccm", "high", "yes", "555-010-2000", "Ada"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(cell_text, min_size=0, max_size=10), min_size=1, max_size=6))
def test_arbitrary_cells_never_crash_and_never_write_when_problems(
    vault: Vault, rows: list[list[str]]
) -> None:
    table = CsvTable(HEADERS, [CsvRow(n, tuple(cells)) for n, cells in enumerate(rows, start=2)])
    before = count_patients(vault)
    plan = plan_import(vault, table, guess_mapping(HEADERS))
    assert all(2 <= p.row_number <= len(rows) + 1 for p in plan.problems)
    assert len(plan.valid) + len(plan.bad_rows) == len(rows)
    assert plan.report_lines()
    if plan.ok:
        assert run_import(vault, plan) == len(rows)
        assert count_patients(vault) == before + len(rows)
    else:
        with pytest.raises(ImportHasProblems):
            run_import(vault, plan)
        assert count_patients(vault) == before


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_file_text_is_read_or_refused_clearly(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("files") / "any.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        table = read_csv(path)
    except CsvFileError as exc:
        assert "file" in str(exc).lower()
        return
    assert table.rows and all(row.number >= 2 for row in table.rows)


# == the documentation stays true ==================================================

DOCS = Path(__file__).resolve().parents[2] / "docs" / "csv-import.md"


def doc_blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", DOCS.read_text("utf-8"), flags=re.DOTALL)


def test_documented_example_file_imports(vault: Vault, tmp_path: Path) -> None:
    example = next(b for b in doc_blocks() if b.startswith("Last Name,First Name,DOB"))
    plan = plan_file(vault, write(tmp_path, example))
    assert plan.ok, plan.report_lines()
    assert run_import(vault, plan) == 3
    diaz = next(p for p in list_patients(vault) if p.family_name == "Diaz")
    assert diaz.address_line == "4 Oak Ave, Apt 2" and diaz.phone_mobile == "555-010-3100"


def test_documented_report_is_what_the_check_prints(vault: Vault, tmp_path: Path) -> None:
    report = next(b for b in doc_blocks() if b.startswith("Checked "))
    path = write(
        tmp_path,
        "Last Name,First Name,DOB\nOkafor,Ada,1950-01-02\n,Tom,1939-11-30\nDiaz,Rosa,03/04/1950\n",
    )
    assert plan_file(vault, path).report_lines() == report.strip().splitlines()


def test_every_recognised_header_is_documented() -> None:
    table_rows = [line for line in DOCS.read_text("utf-8").splitlines() if line.startswith("| ")]
    for target in csv_import.TARGET_FIELDS:
        row = next(r for r in table_rows if r.startswith(f"| {target.label} |"))
        documented = {csv_import.header_key(h) for h in re.split(r",\s*", row.split("|")[2])}
        for spelling in (target.field, *csv_import.HEADER_SPELLINGS[target.field]):
            assert csv_import.header_key(spelling) in documented, (target.field, spelling)
        assert ("**yes**" in row) == target.required
