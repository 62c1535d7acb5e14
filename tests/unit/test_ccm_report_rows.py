"""The monthly chronic-care minutes report shared by ``ccm-report`` and the report screen:
who is listed, the minutes, the codes met and the minutes to the next, the CSV."""

from __future__ import annotations

import csv
import io
import stat
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from carenav.errors import InvalidInput
from carenav.services.audit import AuditFilter, events
from carenav.services.ccm_report import (
    CSV_COLUMNS,
    NAMED_CSV_COLUMNS,
    csv_text,
    export_csv,
    report_rows,
    summarize,
    write_csv,
)
from carenav.services.contacts import log_contact
from carenav.services.patients import create_patient, remove_patient
from carenav.store.vault import Vault

MONTH = "2026-10"
IN_MONTH = datetime(2026, 10, 15, 12).astimezone()
MONTH_BEFORE = datetime(2026, 9, 30, 12).astimezone()


def _patient(vault: Vault, family: str, given: str, programs: list[str], **extra: str) -> uuid.UUID:
    values = {"family_name": family, "given_name": given, "birth_date": "1944-05-06"}
    return create_patient(vault, {**values, "programs": programs, **extra})


def _log(
    vault: Vault,
    patient: uuid.UUID,
    minutes: int,
    spent_by: str = "staff",
    at: datetime = IN_MONTH,
    **extra: object,
) -> None:
    log_contact(
        vault, patient, {"occurred_at": at, "minutes": minutes, "spent_by": spent_by, **extra}
    )


@pytest.fixture
def caseload(vault: Vault) -> dict[str, uuid.UUID]:
    ids = {
        "ruth": _patient(vault, "Abernathy", "Ruth", ["ccm"]),
        "samuel": _patient(vault, "Okonjo", "Samuel", ["ccm_complex"]),
        "ada": _patient(vault, "Lindqvist", "Ada", []),
        "lan": _patient(vault, "Nguyen", "Lan", ["ccm"]),
        "rosa": _patient(vault, "Diaz", "Rosa", ["ccm"], status="discharged"),
        "omar": _patient(vault, "Darwish", "Omar", ["ccm"]),
        "bob": _patient(vault, "Baker", "Bob", ["ccm"]),
        "gone": _patient(vault, "Zeller", "Greta", ["ccm"]),
    }
    _log(vault, ids["ruth"], 15)
    _log(vault, ids["ruth"], 10)
    _log(vault, ids["ruth"], 45, at=MONTH_BEFORE)  # another month
    _log(vault, ids["ruth"], 30, counts_for_ccm=False)  # not care management
    _log(vault, ids["samuel"], 50)
    _log(vault, ids["samuel"], 15, "clinician")
    _log(vault, ids["ada"], 40)
    _log(vault, ids["omar"], 35, "clinician")
    _log(vault, ids["bob"], 65)
    _log(vault, ids["gone"], 30)
    remove_patient(vault, ids["gone"])
    return ids


def test_rows_list_enrolled_patients_and_anyone_with_minutes(
    vault: Vault, caseload: dict[str, uuid.UUID]
) -> None:
    rows = report_rows(vault, MONTH)
    assert [r.name for r in rows] == [
        "Abernathy, Ruth",
        "Baker, Bob",
        "Darwish, Omar",
        "Lindqvist, Ada",
        "Nguyen, Lan",
        "Okonjo, Samuel",
    ]  # Rosa (discharged, no minutes) and Greta (removed) are not listed
    by_id = {r.patient_id: r for r in rows}
    ruth = by_id[caseload["ruth"]]
    assert (ruth.total, ruth.staff, ruth.clinician) == (25, 25, 0)
    assert (ruth.codes, ruth.next_threshold, ruth.programme) == (
        (("99490", 1),),
        ("99439", 15),
        "CCM",
    )
    samuel = by_id[caseload["samuel"]]
    assert (samuel.total, samuel.staff, samuel.clinician, samuel.complex) == (65, 50, 15, True)
    assert (samuel.codes, samuel.next_threshold) == ((("99487", 1),), ("99489", 25))
    assert samuel.programme == "Complex CCM"
    omar = by_id[caseload["omar"]]
    assert (omar.codes, omar.next_threshold) == ((("99491", 1),), ("99437", 25))
    bob = by_id[caseload["bob"]]
    assert (bob.codes, bob.next_threshold) == ((("99490", 1), ("99439", 2)), None)
    assert bob.codes_text == "99490x1;99439x2"
    lan = by_id[caseload["lan"]]
    assert (lan.total, lan.codes, lan.next_threshold, lan.met_first) == (
        0,
        (),
        ("99490", 20),
        False,
    )
    ada = by_id[caseload["ada"]]
    assert (ada.in_ccm, ada.codes, ada.next_threshold, ada.total) == (False, (), None, 40)
    assert ada.programme == "Not enrolled"


def test_the_command_line_rows_are_only_patients_with_minutes(
    vault: Vault, caseload: dict[str, uuid.UUID]
) -> None:
    rows = report_rows(vault, MONTH, enrolled=False)
    assert {r.patient_id for r in rows} == {
        caseload[k] for k in ("ruth", "samuel", "ada", "omar", "bob")
    }
    assert report_rows(vault, "2026-08", enrolled=False) == []
    for bad in ("2026-13", "10-2026", "2026-1"):
        with pytest.raises(InvalidInput):
            report_rows(vault, bad)


def test_the_summary_counts_the_enrolled_who_met_the_first_threshold(
    vault: Vault, caseload: dict[str, uuid.UUID]
) -> None:
    figures = summarize(report_rows(vault, MONTH))
    assert (figures.patients, figures.enrolled, figures.met_first) == (6, 5, 4)
    assert figures.total_minutes == 25 + 65 + 40 + 35 + 65


def test_csv_without_names_is_the_command_line_format(
    vault: Vault, caseload: dict[str, uuid.UUID]
) -> None:
    rows = report_rows(vault, MONTH, enrolled=False)
    text = csv_text(rows)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    read = {r["patient"]: r for r in csv.DictReader(io.StringIO(text))}
    ruth = read[str(caseload["ruth"])]
    assert ruth == {
        "patient": str(caseload["ruth"]),
        "month": MONTH,
        "total_minutes": "25",
        "staff_minutes": "25",
        "clinician_minutes": "0",
        "in_ccm": "true",
        "complex": "false",
        "codes": "99490x1",
    }
    assert "Abernathy" not in text


def test_the_named_file_is_written_atomically_and_reads_back(
    vault: Vault, caseload: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    tricky = _patient(vault, "=HYPERLINK(1)", "Eve", ["ccm"])
    _log(vault, tricky, 20)
    rows = report_rows(vault, MONTH)
    out = tmp_path / "reports" / f"ccm-minutes-{MONTH}.csv"
    out.parent.mkdir()
    write_csv(rows, out)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp file left
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads the names as UTF-8
    with out.open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == list(NAMED_CSV_COLUMNS)
    expected = ["'" + r.name if r.patient_id == tricky else r.name for r in rows]
    assert [r["name"] for r in read] == expected
    by_name = {r["name"]: r for r in read}
    assert by_name["'=HYPERLINK(1), Eve"]["codes"] == "99490x1"  # never run as a formula
    lan = by_name["Nguyen, Lan"]
    assert (lan["total_minutes"], lan["next_code"], lan["minutes_to_next"]) == ("0", "99490", "20")
    bob = by_name["Baker, Bob"]
    assert (bob["codes"], bob["next_code"], bob["minutes_to_next"]) == ("99490x1;99439x2", "", "")
    assert by_name["Okonjo, Samuel"]["complex"] == "true"
    assert len(read) == 7


def test_export_is_recorded_and_a_failed_write_too(
    vault: Vault, caseload: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    rows = report_rows(vault, MONTH)
    export_csv(vault, rows, MONTH, tmp_path / "report.csv")
    with pytest.raises(OSError):
        export_csv(vault, rows, MONTH, tmp_path / "no-such-folder" / "report.csv")
    exported = [
        (e.record_type, e.outcome, e.detail)
        for e in events(vault, AuditFilter(action="export"))
        if e.record_type == "ccm_report"
    ]
    detail = f"CCM minutes report for {MONTH} (6 patients) as CSV with names"
    assert [(t, d) for t, _, d in exported] == [("ccm_report", detail)] * 2
    assert exported[0][1] != exported[1][1]  # the second one failed
    assert all("Abernathy" not in d for _, _, d in exported)
