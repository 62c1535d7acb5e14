"""Import an existing caseload from a CSV file exported from a spreadsheet.

Four steps, each usable on its own (the command line and the import dialog
both go through them):

1. ``read_csv(path)`` reads the file (UTF-8, with or without Excel's BOM;
   comma, semicolon or tab, found from the header row) into a ``CsvTable``.
2. ``guess_mapping(table.headers)`` matches column headers to patient fields
   (``TARGET_FIELDS``), accepting common spellings ("Last Name", "DOB", ...).
3. ``plan_import(vault, table, mapping)`` checks every row with the same rules
   as the patient form and looks for likely duplicates (same name and date of
   birth, in the file or already in the caseload). It writes nothing.
4. ``run_import(vault, plan)`` adds every ready row in ONE transaction: either
   all of them are imported or none is.

Messages name rows and columns, never another patient's details.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import insert
from sqlmodel import Session, col, select

from carenav.errors import CareNavError, InvalidInput
from carenav.models import Patient, utcnow
from carenav.models.codes import ADMINISTRATIVE_SEX, PATIENT_STATUSES, PROGRAMS, RISK_TIERS
from carenav.services.patients import new_patient
from carenav.services.validation import parse_date, search_tokens
from carenav.store.vault import Vault

MAX_ROWS = 50_000
MAX_FILE_BYTES = 100 * 1024 * 1024
PROGRESS_STEP = 100
DELIMITERS = (",", ";", "\t")
NOT_IN_FILE = "(not in file)"
SAVE_AS_HINT = (
    'In your spreadsheet choose File > Save As, pick "CSV UTF-8 (Comma delimited)" '
    "and import that file."
)
PersonKey = tuple[str, str, date]
BOOKKEEPING: set[str] = {"id", "created_at", "updated_at", "version", "deleted_at"}
Progress = Callable[[int, int], bool]


# == errors =====================================================================


class CsvFileError(CareNavError):
    """The file itself cannot be used (not CSV, not UTF-8, empty, too big)."""

    exit_code = 5


class ImportHasProblems(CareNavError):
    """A plan with bad rows was given to ``run_import`` without ``skip_bad_rows``."""

    exit_code = 5


class ImportCancelled(CareNavError):
    """The progress callback asked to stop; the transaction was rolled back."""

    def __init__(self) -> None:
        super().__init__(
            "The import was cancelled. Nothing was imported; the caseload is unchanged."
        )


# == the fields a file can fill ===================================================


class TargetField(NamedTuple):
    field: str
    label: str
    required: bool


TARGET_FIELDS: tuple[TargetField, ...] = (
    TargetField("family_name", "Family name", True),
    TargetField("given_name", "Given name", True),
    TargetField("birth_date", "Date of birth", True),
    TargetField("preferred_name", "Preferred name", False),
    TargetField("administrative_sex", "Sex", False),
    TargetField("gender_identity", "Gender identity", False),
    TargetField("preferred_language", "Preferred language", False),
    TargetField("interpreter_needed", "Interpreter needed", False),
    TargetField("phone_home", "Home phone", False),
    TargetField("phone_mobile", "Mobile phone", False),
    TargetField("address_line", "Street address", False),
    TargetField("city", "City", False),
    TargetField("state", "State", False),
    TargetField("postal_code", "ZIP code", False),
    TargetField("programs", "Programmes", False),
    TargetField("risk_tier", "Risk tier", False),
    TargetField("status", "Status", False),
    TargetField("primary_care_provider", "Primary care provider", False),
    TargetField("payer", "Payer (insurance)", False),
    TargetField("member_id", "Member ID", False),
    TargetField("consent_date", "Consent date", False),
    TargetField("consent_method", "Consent method", False),
    TargetField("visit_notes", "Visit notes", False),
)
FIELD_LABELS: dict[str, str] = {t.field: t.label for t in TARGET_FIELDS}
REQUIRED_FIELDS: tuple[str, ...] = tuple(t.field for t in TARGET_FIELDS if t.required)

# Header spellings recognised besides the field name and its label. Matching
# ignores case, accents, spaces and punctuation ("D.O.B." = "dob"), and a
# leading "Patient" or "Client" ("Patient Last Name" = "Last Name").
HEADER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "family_name": ("Last Name", "Surname", "Family", "Last", "Lastname"),
    "given_name": ("First Name", "Forename", "Given", "First", "Firstname"),
    "birth_date": ("DOB", "Date of Birth", "Birth Date", "Birthdate", "Birthday"),
    "preferred_name": ("Nickname", "Goes By", "Known As"),
    "administrative_sex": ("Sex", "Gender", "Administrative Sex"),
    "gender_identity": ("Gender Identity",),
    "preferred_language": ("Language", "Primary Language", "Spoken Language"),
    "interpreter_needed": ("Interpreter", "Needs Interpreter", "Interpreter Required"),
    "phone_home": ("Phone", "Phone Number", "Home Phone", "Telephone", "Tel", "Landline"),
    "phone_mobile": ("Mobile", "Cell", "Cell Phone", "Mobile Phone", "Mobile Number"),
    "address_line": ("Address", "Street", "Street Address", "Address 1", "Address Line 1"),
    "city": ("Town",),
    "state": ("Province",),
    "postal_code": ("Zip", "Zip Code", "Postal Code", "Postcode"),
    "programs": ("Programs", "Programmes", "Program", "Programme"),
    "risk_tier": ("Risk", "Risk Level"),
    "status": ("Patient Status",),
    "primary_care_provider": ("PCP", "Primary Care Physician", "Doctor"),
    "payer": ("Payer", "Insurance", "Insurer", "Health Plan", "Plan"),
    "member_id": ("Member Number", "Insurance ID", "Subscriber ID", "Policy Number"),
    "consent_date": ("Date of Consent",),
    "consent_method": ("Consent Type",),
    "visit_notes": ("Notes", "Directions", "Home Visit Notes"),
}

# Short forms seen in spreadsheets, accepted on top of the form's codes and labels.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "administrative_sex": {"f": "female", "m": "male", "u": "unknown"},
    "risk_tier": {"medium": "moderate", "med": "moderate"},
}
CODE_LABELS: dict[str, Mapping[str, str]] = {
    "administrative_sex": ADMINISTRATIVE_SEX,
    "risk_tier": RISK_TIERS,
    "status": PATIENT_STATUSES,
}


def header_key(text: str) -> str:
    """Lower-case letters and digits only, accents removed: how headers are compared."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded.lower() if ch.isalnum() and not unicodedata.combining(ch))


def _spelling_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for target in TARGET_FIELDS:
        spellings = (target.field, target.label, *HEADER_SPELLINGS.get(target.field, ()))
        for spelling in spellings:
            key = header_key(spelling)
            if index.setdefault(key, target.field) != target.field:
                raise ValueError(f"header spelling {spelling!r} is given to two fields")
    return index


SPELLING_INDEX: dict[str, str] = _spelling_index()


def field_for_header(header: str) -> str | None:
    """The patient field a column header stands for, or None when it is not recognised."""
    key = header_key(header)
    for prefix in ("patient", "client"):
        if key not in SPELLING_INDEX and key.startswith(prefix):
            key = key[len(prefix) :]
    return SPELLING_INDEX.get(key)


def guess_mapping(headers: Sequence[str]) -> dict[str, str | None]:
    """Every target field -> the CSV header that fills it (the first recognised), or None."""
    mapping: dict[str, str | None] = {t.field: None for t in TARGET_FIELDS}
    for header in headers:
        target = field_for_header(header)
        if target is not None and mapping[target] is None:
            mapping[target] = header
    return mapping


# == reading the file =============================================================


@dataclass(frozen=True)
class CsvRow:
    number: int  # the spreadsheet row number: the header is row 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[CsvRow]
    delimiter: str = ","
    blank_rows: list[int] = field(default_factory=list)  # skipped: every cell empty

    def column(self, header: str) -> int:
        return self.headers.index(header)


def read_csv(path: Path) -> CsvTable:
    """Read a spreadsheet's CSV export; CsvFileError says what to do when it cannot be used."""
    text = _decode(_read_bytes(Path(path)))
    delimiter = sniff_delimiter(text)
    records = _parse(text, delimiter)
    header_number, header_cells = _header_record(records)
    headers = _clean_headers(header_cells)
    rows: list[CsvRow] = []
    blank_rows: list[int] = []
    for number, cells in records:
        if number <= header_number:
            continue
        if not any(cell.strip() for cell in cells):
            blank_rows.append(number)
        else:
            rows.append(CsvRow(number, tuple(cells)))
    if not rows:
        raise CsvFileError(
            "The file has a header row but no patients under it. Add one row per patient "
            "below the header row, save, and import the file again."
        )
    return CsvTable(headers, rows, delimiter, blank_rows)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CsvFileError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, too large for "
                "one import. Split it into smaller files and import them one after another."
            )
        data = path.read_bytes()
    except CsvFileError:
        raise
    except IsADirectoryError:
        raise CsvFileError(
            "That is a folder, not a CSV file. Choose the CSV file itself."
        ) from None
    except FileNotFoundError:
        raise CsvFileError("The CSV file was not found. Check the file name and folder.") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CsvFileError(
            f"The CSV file could not be read ({reason}). Check that you may open it, "
            "close it in other programs, and try again."
        ) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvFileError(f"This is a spreadsheet workbook, not a CSV file. {SAVE_AS_HINT}")
    return data


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            "This file is not saved as UTF-8 text (the first character CareNav cannot read "
            f"is on line {line}), so names with accents could be garbled. {SAVE_AS_HINT}"
        ) from None
    if not text.strip():
        raise CsvFileError(
            "The file is empty. Export the caseload from your spreadsheet again, with a "
            "header row (family_name, given_name, birth_date, ...) followed by one row per "
            "patient."
        )
    return text


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one the header row uses most (csv.Sniffer if none)."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] > 0:
        return best
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _parse(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of every record; empty rows do not count to MAX_ROWS."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    number = filled = 0
    try:
        for number, cells in enumerate(reader, start=1):
            records.append((number, cells))
            filled += any(cell.strip() for cell in cells)
            if filled > MAX_ROWS + 1:  # the header row and MAX_ROWS patients
                raise CsvFileError(
                    f"The file has more than {MAX_ROWS:,} rows; CareNav imports at most "
                    f"{MAX_ROWS:,} patients at a time. Split it into smaller files and import "
                    "them one after another."
                )
    except csv.Error as exc:
        raise CsvFileError(
            f"Row {number + 1} could not be read as CSV ({exc}). Check that row in the "
            f"spreadsheet. {SAVE_AS_HINT}"
        ) from None
    return records


def _header_record(records: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    for number, cells in records:
        if any(cell.strip() for cell in cells):
            return number, cells
    raise CsvFileError(
        "The file holds no text, only empty rows. Export the caseload from your "
        "spreadsheet again, with a header row first."
    )


def _clean_headers(cells: list[str]) -> list[str]:
    headers = [cell.strip() or f"(unnamed column {i})" for i, cell in enumerate(cells, start=1)]
    while headers and headers[-1].startswith("(unnamed column"):
        headers.pop()  # trailing empty header cells: a spreadsheet's stray delimiters
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        first = seen.setdefault(header.casefold(), position)
        if first != position:
            raise CsvFileError(
                f'Two columns are both called "{header}" (columns {first} and {position}). '
                "Rename one of them in the header row, save, and import the file again."
            )
    return headers


# == checking the rows ============================================================


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    field_label: str  # the patient field ("Date of birth"), or "" for the whole row
    message: str
    column: str = ""  # the file's column header, when the problem is in one cell

    def line(self) -> str:
        where = f"Row {self.row_number}"
        if self.field_label:
            where += f", {self.field_label}"
            if self.column:
                where += f' (column "{self.column}")'
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ValidRow:
    row_number: int
    values: dict[str, Any]  # every Patient field, cleaned, plus search_text


@dataclass
class ImportPlan:
    valid: list[ValidRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows_checked: int = 0
    blank_rows: list[int] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row is ready: run_import will import them all."""
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row_number for p in self.problems})

    def report_lines(self) -> list[str]:
        """The dry-run report, one line each, in plain words and without patient details."""
        lines = [self._summary()]
        lines += [problem.line() for problem in self.problems]
        if self.blank_rows:
            lines.append(f"Empty rows were skipped: {_row_list(self.blank_rows)}.")
        if self.unused_columns:
            names = ", ".join(f'"{c}"' for c in self.unused_columns)
            lines.append(f"These columns are not imported (no matching patient field): {names}.")
        return lines

    def _summary(self) -> str:
        if self.rows_checked == 0:
            return "The header row lacks a column CareNav needs, so no rows were checked."
        ready = len(self.valid)
        bad = len(self.bad_rows)
        if not bad:
            return f"Checked {_count(self.rows_checked, 'row')}: all are ready to import."
        return (
            f"Checked {_count(self.rows_checked, 'row')}: {ready:,} ready to import, "
            f"{bad:,} with problems:"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _row_list(numbers: Sequence[int], most: int = 20) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return shown if len(numbers) <= most else f"{shown} and {len(numbers) - most:,} more"


def plan_import(vault: Vault, table: CsvTable, mapping: Mapping[str, str | None]) -> ImportPlan:
    """Check every row without writing anything; duplicates use one query for the caseload."""
    columns = _columns(table, mapping)
    plan = ImportPlan(blank_rows=list(table.blank_rows), unused_columns=_unused(table, columns))
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        plan.problems = [_missing_column(f) for f in missing]
        return plan
    with vault.session() as session:
        in_caseload = _caseload_people(session)
    seen_in_file: dict[PersonKey, int] = {}
    for row in table.rows:
        plan.rows_checked += 1
        problems, values = check_row(row, columns, table.headers)
        key = _row_person(row, columns)
        if key is not None:
            problems += _duplicate_problems(row.number, key, seen_in_file, in_caseload)
            seen_in_file.setdefault(key, row.number)
        if problems:
            plan.problems += problems
        elif values is not None:
            plan.valid.append(ValidRow(row.number, values))
    return plan


def _columns(table: CsvTable, mapping: Mapping[str, str | None]) -> dict[str, int]:
    """Target field -> column index for the mapped fields."""
    columns: dict[str, int] = {}
    for target, header in mapping.items():
        if target not in FIELD_LABELS:
            raise ValueError(f"{target!r} is not a patient field that can be imported")
        if header is None or header == NOT_IN_FILE:
            continue
        if header not in table.headers:
            raise ValueError(f"the file has no column {header!r}")
        columns[target] = table.column(header)
    return columns


def _unused(table: CsvTable, columns: Mapping[str, int]) -> list[str]:
    used = set(columns.values())
    return [
        header
        for index, header in enumerate(table.headers)
        if index not in used and any(_cell(row, index) for row in table.rows)
    ]


def _missing_column(target: str) -> RowProblem:
    spellings = ", ".join(HEADER_SPELLINGS[target][:3])
    return RowProblem(
        1,
        FIELD_LABELS[target],
        f"No column gives the {FIELD_LABELS[target].lower()}, which every patient needs. "
        f"Name a column {target} (or {spellings}), or choose the column in the import dialog.",
    )


def _cell(row: CsvRow, index: int) -> str:
    return row.cells[index].strip() if index < len(row.cells) else ""


def raw_values(row: CsvRow, columns: Mapping[str, int]) -> dict[str, Any]:
    """The row's cells by field; blank cells are left out so the form's defaults apply."""
    values: dict[str, Any] = {}
    for target, index in columns.items():
        text = _cell(row, index)
        if not text and target not in REQUIRED_FIELDS:
            continue
        values[target] = _normalise(target, text)
    return values


def _normalise(target: str, text: str) -> Any:
    if target == "programs":
        return [part for part in text.replace(",", ";").split(";") if part.strip()]
    alias = VALUE_ALIASES.get(target, {}).get(text.lower())
    return alias if alias is not None else text


def check_row(
    row: CsvRow, columns: Mapping[str, int], headers: Sequence[str]
) -> tuple[list[RowProblem], dict[str, Any] | None]:
    """(problems, cleaned Patient values) for one row, with the patient form's rules."""
    if any(cell.strip() for cell in row.cells[len(headers) :]):
        return [_too_many_cells(row, len(headers))], None
    try:
        patient = new_patient(raw_values(row, columns))
    except InvalidInput as exc:
        problems = [
            RowProblem(
                row.number,
                FIELD_LABELS.get(name, name),
                message,
                headers[columns[name]] if name in columns else "",
            )
            for name, message in exc.errors.items()
        ]
        return problems, None
    return [], patient.model_dump(exclude=BOOKKEEPING)


def _too_many_cells(row: CsvRow, header_count: int) -> RowProblem:
    filled = len(row.cells)
    while filled > header_count and not row.cells[filled - 1].strip():
        filled -= 1
    return RowProblem(
        row.number,
        "",
        f"This row has {filled} cells but the header row has {header_count} columns, so its "
        "values cannot be matched to columns. A value probably contains the separator "
        "character: put that value in quotes, or save the file again from the spreadsheet.",
    )


def _row_person(row: CsvRow, columns: Mapping[str, int]) -> PersonKey | None:
    """The duplicate-matching key (folded names, date of birth), if the row has them."""
    try:
        birth = parse_date(_cell(row, columns["birth_date"]))
    except ValueError:
        return None
    family = " ".join(search_tokens(_cell(row, columns["family_name"])))
    given = " ".join(search_tokens(_cell(row, columns["given_name"])))
    if birth is None or not family or not given:
        return None
    return family, given, birth


def person_key(family_name: str, given_name: str, birth_date: date) -> PersonKey:
    return (
        " ".join(search_tokens(family_name)),
        " ".join(search_tokens(given_name)),
        birth_date,
    )


def _caseload_people(session: Session) -> set[PersonKey]:
    """Name and date-of-birth keys of everyone in the caseload, in one query."""
    statement = select(
        col(Patient.family_name), col(Patient.given_name), col(Patient.birth_date)
    ).where(col(Patient.deleted_at).is_(None))
    return {person_key(f, g, b) for f, g, b in session.exec(statement)}


def _duplicate_problems(
    number: int, key: PersonKey, seen_in_file: Mapping[PersonKey, int], in_caseload: set[PersonKey]
) -> list[RowProblem]:
    problems = []
    first = seen_in_file.get(key)
    if first is not None:
        problems.append(
            RowProblem(
                number,
                "",
                f"Likely duplicate of row {first} (same name and date of birth). "
                "Remove one of the two rows.",
            )
        )
    if key in in_caseload:
        problems.append(
            RowProblem(
                number,
                "",
                "Likely duplicate of a patient already in the caseload (same name and date "
                "of birth). Remove this row; update that patient's chart instead.",
            )
        )
    return problems


# == importing ====================================================================


def run_import(
    vault: Vault,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    skip_bad_rows: bool = False,
) -> int:
    """Add every ready row in one transaction; returns how many patients were imported.

    Refuses (ImportHasProblems) a plan with problems unless ``skip_bad_rows`` is True,
    then only the ready rows are imported. ``progress(done, total)`` is called before the
    first row, every PROGRESS_STEP rows and at the end; when it returns False the
    transaction is rolled back, nothing is imported and ImportCancelled is raised.
    """
    if plan.problems and not skip_bad_rows:
        raise ImportHasProblems(
            f"Nothing was imported: {_count(len(plan.bad_rows), 'row')} of the file "
            f"{'has' if len(plan.bad_rows) == 1 else 'have'} problems "
            f"(rows {_row_list(plan.bad_rows)}). Correct them in the file and check it again."
        )
    rows = plan.valid
    total = len(rows)
    with vault.session() as session:
        _refuse_new_duplicates(session, rows)
        _report(progress, 0, total)
        for start in range(0, total, PROGRESS_STEP):
            chunk = rows[start : start + PROGRESS_STEP]
            session.exec(insert(Patient), params=[_new_record(r.values) for r in chunk])
            _report(progress, start + len(chunk), total)
    return total


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise ImportCancelled()


def _new_record(values: Mapping[str, Any]) -> dict[str, Any]:
    now = utcnow()
    return {
        **values,
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "deleted_at": None,
    }


def _refuse_new_duplicates(session: Session, rows: Iterable[ValidRow]) -> None:
    """Patients added since the check (or an import run twice) must not be doubled."""
    in_caseload = _caseload_people(session)
    clashes = [
        r.row_number
        for r in rows
        if person_key(r.values["family_name"], r.values["given_name"], r.values["birth_date"])
        in in_caseload
    ]
    if clashes:
        raise ImportHasProblems(
            "Nothing was imported: since the file was checked, patients with the same name "
            f"and date of birth as rows {_row_list(clashes)} were added to the caseload. "
            "Check the file again."
        )


# == preview (for the import dialog) ================================================


@dataclass(frozen=True)
class PreviewRow:
    row_number: int
    cells: dict[str, str]  # field -> the value as it would be imported, as text
    problems: dict[str, str]  # field -> what is wrong; "" for the whole row


def preview_rows(
    table: CsvTable, mapping: Mapping[str, str | None], limit: int = 20
) -> list[PreviewRow]:
    """The first rows as they would be imported (no duplicate check: that needs the vault)."""
    columns = _columns(table, mapping)
    preview = []
    for row in table.rows[:limit]:
        problems, values = check_row(row, columns, table.headers)
        raw = raw_values(row, columns)
        cells = {
            target: display_value(target, values[target] if values else raw.get(target, ""))
            for target in columns
        }
        found = {_problem_field(p): p.message for p in problems}
        preview.append(PreviewRow(row.number, cells, found))
    return preview


def _problem_field(problem: RowProblem) -> str:
    by_label = {t.label: t.field for t in TARGET_FIELDS}
    return by_label.get(problem.field_label, "")


def display_value(target: str, value: Any) -> str:
    """A cleaned (or raw) value as the caseload would show it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(PROGRAMS.get(str(v), str(v)) for v in value)
    labels = CODE_LABELS.get(target)
    if labels is not None:
        return labels.get(str(value), str(value))
    return "" if value is None else str(value)
