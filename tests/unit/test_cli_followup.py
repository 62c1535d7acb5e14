"""Follow-up sub-commands (contact log, discharge add, worklist, ccm-report, export-ics),
run in-process with the passphrase on standard input."""

from __future__ import annotations

import csv
import io
import json
import stat
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from carenav import cli
from carenav.followup.business_days import default_calendar
from carenav.services.audit import AuditFilter, events
from carenav.services.contacts import contacts_for, log_contact, schedule_follow_up
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """``carenav ARGV --passphrase-stdin`` with the passphrase on standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    code = cli.main([*argv, "--passphrase-stdin"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def caseload(vault_path: Path) -> tuple[Path, dict[str, str]]:
    """Ruth (CCM), Samuel (complex CCM), Ada (no CCM)."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    ids = {}
    for family, given, programs in (
        ("Abernathy", "Ruth", ["ccm"]),
        ("Okonjo", "Samuel", ["ccm_complex"]),
        ("Lindqvist", "Ada", []),
    ):
        ids[given.lower()] = str(
            create_patient(
                vault,
                {
                    "family_name": family,
                    "given_name": given,
                    "birth_date": "1942-06-01",
                    "programs": programs,
                },
            )
        )
    vault.close()
    return vault_path, ids


def _exports(path: Path) -> list[tuple[str, str]]:
    with Vault.unlock(path, PASSPHRASE) as vault:
        return [(e.record_type, e.detail) for e in events(vault, AuditFilter(action="export"))]


# -- contact log ------------------------------------------------------------------------------


def _log(path: Path, patient: str, *extra: str) -> tuple[str, ...]:
    return ("contact", "log", "--vault", str(path), "--patient", patient, *extra)


def test_contact_log_records_the_contact_and_prints_its_id(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    at = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    args = ("--at", at.isoformat(), "--type", "home-visit", "--outcome", "reached")
    code, out, err = run(
        monkeypatch, capsys, *_log(path, ids["ruth"], *args, "--minutes", "25", "--note", "ok")
    )
    assert code == 0, err
    contact_id = uuid.UUID(out.strip())
    code, out, err = run(
        monkeypatch,
        capsys,
        *_log(path, ids["ruth"], "--at", at.isoformat(), "--type", "phone"),
        *("--outcome", "voicemail", "--minutes", "3", "--clinician", "--json"),
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["patient"] == ids["ruth"]
    assert (shown["type"], shown["outcome"], shown["minutes"]) == ("phone", "voicemail", 3)
    assert shown["spent_by"] == "clinician" and shown["counts_for_ccm"] is True
    assert datetime.fromisoformat(shown["occurred_at"]) == at
    with Vault.unlock(path, PASSPHRASE) as vault:
        logged = {c.id: c for c in contacts_for(vault, uuid.UUID(ids["ruth"]))}
    assert set(logged) == {contact_id, uuid.UUID(shown["id"])}
    visit = logged[contact_id]
    assert (visit.kind, visit.minutes, visit.spent_by, visit.notes) == (
        "home-visit",
        25,
        "staff",
        "ok",
    )


@pytest.mark.parametrize(
    ("patient", "change", "message"),
    [
        ("unknown", {}, "patient no longer exists"),
        ("not-an-id", {}, "list --json"),
        ("ruth", {"--type": "pigeon"}, "--type"),
        ("ruth", {"--outcome": "maybe"}, "--outcome"),
        ("ruth", {"--at": "yesterday"}, "YYYY-MM-DD"),
        ("ruth", {"--at": "future"}, "in the future"),
        ("ruth", {"--minutes": "ninety"}, "whole number"),
        ("ruth", {"--minutes": "900"}, "between 0 and 600"),
    ],
)
def test_contact_log_invalid_input_exits_5(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    patient: str,
    change: dict[str, str],
    message: str,
) -> None:
    path, ids = caseload
    options = {
        "--at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "--type": "phone",
        "--outcome": "reached",
        "--minutes": "10",
        **change,
    }
    if options["--at"] == "future":
        options["--at"] = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    who = ids.get(patient, str(uuid.uuid4()) if patient == "unknown" else patient)
    flat = [part for pair in options.items() for part in pair]
    code, out, err = run(monkeypatch, capsys, *_log(path, who, *flat))
    assert (code, out) == (5, ""), err
    assert message in err
    assert "Abernathy" not in err and "Ruth" not in err
    with Vault.unlock(path, PASSPHRASE) as vault:
        assert contacts_for(vault, uuid.UUID(ids["ruth"])) == []


# -- discharge add ----------------------------------------------------------------------------


def test_discharge_add_prints_the_episode_and_its_deadlines(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    day = date(2026, 11, 27)  # the Friday after Thanksgiving: Mon 30 Nov, then Tue 1 Dec
    assert day <= date.today()
    code, out, err = run(
        monkeypatch,
        capsys,
        *("discharge", "add", "--vault", str(path), "--patient", ids["samuel"]),
        *("--date", day.isoformat(), "--complexity", "high", "--facility", "St Mary's"),
    )
    assert code == 0, err
    episode = json.loads(out)
    assert set(episode) == {
        "id",
        "patient",
        "discharge_date",
        "complexity",
        "contact_by",
        "face_to_face_by",
        "period_ends",
    }
    uuid.UUID(episode["id"])
    expected_contact = default_calendar(range(2025, 2028)).add_business_days(day, 2)
    assert episode["contact_by"] == expected_contact.isoformat() == "2026-12-01"
    assert episode["face_to_face_by"] == (day + timedelta(days=7)).isoformat()
    assert episode["period_ends"] == (day + timedelta(days=29)).isoformat()
    assert (episode["patient"], episode["complexity"]) == (ids["samuel"], "high")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--date": "2026-02-30"}, "YYYY-MM-DD"),
        ({"--date": "2999-01-01"}, "future"),
        ({"--complexity": "low"}, "--complexity"),
        ({"--patient": "unknown"}, "patient no longer exists"),
    ],
)
def test_discharge_add_invalid_input_exits_5(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    message: str,
) -> None:
    path, ids = caseload
    options = {
        "--patient": ids["ruth"],
        "--date": date.today().isoformat(),
        "--complexity": "moderate",
        **change,
    }
    if options["--patient"] == "unknown":
        options["--patient"] = str(uuid.uuid4())
    flat = [part for pair in options.items() for part in pair]
    code, out, err = run(monkeypatch, capsys, "discharge", "add", "--vault", str(path), *flat)
    assert (code, out) == (5, ""), err
    assert message in err


# -- worklist ---------------------------------------------------------------------------------


def test_worklist_json_items_with_transition_deadlines(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    today = date.today()
    with Vault.unlock(path, PASSPHRASE) as vault:
        schedule_follow_up(
            vault,
            uuid.UUID(ids["ada"]),
            {"due_at": datetime.now(UTC) - timedelta(days=2), "purpose": "Weight check"},
        )
    code, _, err = run(
        monkeypatch,
        capsys,
        *("discharge", "add", "--vault", str(path), "--patient", ids["ada"]),
        *("--date", today.isoformat(), "--complexity", "moderate"),
    )
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, "worklist", "--vault", str(path), "--json")
    assert code == 0, err
    items = json.loads(out)
    assert isinstance(items, list)
    base = {"patient", "kind", "due", "status", "title", "opens", "record"}
    assert all(base <= set(item) for item in items)
    by_kind = {(item["kind"], item["patient"]): item for item in items}
    follow_up = by_kind["follow-up", ids["ada"]]
    assert follow_up["status"] == "overdue" and follow_up["title"] == "Phone call: Weight check"
    assert "contact_by" not in follow_up
    transition = by_kind["transition", ids["ada"]]
    assert transition["contact_by"] == transition["due"]
    face_to_face = date.fromisoformat(transition["face_to_face_by"])
    assert face_to_face == today + timedelta(days=14)
    ccm = {item["patient"] for item in items if item["kind"] == "ccm-minutes"}
    assert ccm == {ids["ruth"], ids["samuel"]}
    assert ("worklist", "worklist printed by the command line") in _exports(path)


def test_worklist_bad_date_exits_5_and_json_is_required(
    caseload: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = caseload
    code, _, err = run(
        monkeypatch, capsys, "worklist", "--vault", str(path), "--date", "31/12/2026", "--json"
    )
    assert code == 5 and "YYYY-MM-DD" in err
    assert run(monkeypatch, capsys, "worklist", "--vault", str(path))[0] == 2


# -- ccm-report -------------------------------------------------------------------------------


def _minutes(path: Path, ids: dict[str, str], month_day: datetime) -> None:
    with Vault.unlock(path, PASSPHRASE) as vault:
        for who, minutes, spent_by in (
            ("ruth", 15, "staff"),
            ("ruth", 10, "staff"),
            ("samuel", 50, "staff"),
            ("samuel", 15, "clinician"),
            ("ada", 40, "staff"),
        ):
            log_contact(
                vault,
                uuid.UUID(ids[who]),
                {"occurred_at": month_day, "minutes": minutes, "spent_by": spent_by},
            )


@pytest.fixture
def month() -> tuple[str, datetime]:
    """Last month (so every contact is in the past), mid-month at noon local time."""
    first = date.today().replace(day=1) - timedelta(days=1)
    moment = datetime(first.year, first.month, 15, 12).astimezone()
    return first.strftime("%Y-%m"), moment


def test_ccm_report_json_lists_minutes_and_codes(
    caseload: tuple[Path, dict[str, str]],
    month: tuple[str, datetime],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    _minutes(path, ids, month[1])
    code, out, err = run(
        monkeypatch, capsys, "ccm-report", "--vault", str(path), "--month", month[0], "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["month"] == month[0]
    rows = {row["patient"]: row for row in report["patients"]}
    assert set(rows) == {ids["ruth"], ids["samuel"], ids["ada"]}
    ruth = rows[ids["ruth"]]
    assert (ruth["total_minutes"], ruth["staff_minutes"], ruth["clinician_minutes"]) == (25, 25, 0)
    assert ruth["codes"] == [{"code": "99490", "units": 1}]
    assert ruth["complex"] is False and ruth["in_ccm"] is True
    samuel = rows[ids["samuel"]]
    assert samuel["complex"] is True and samuel["total_minutes"] == 65
    assert samuel["codes"] == [{"code": "99487", "units": 1}]
    ada = rows[ids["ada"]]
    assert (ada["in_ccm"], ada["codes"], ada["total_minutes"]) == (False, [], 40)
    assert [(t, d) for t, d in _exports(path) if t == "ccm_report"] == [
        ("ccm_report", f"CCM minutes report for {month[0]} (3 patients) by the command line")
    ]


def test_ccm_report_csv_has_a_header_and_codes(
    caseload: tuple[Path, dict[str, str]],
    month: tuple[str, datetime],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    _minutes(path, ids, month[1])
    code, out, err = run(
        monkeypatch, capsys, "ccm-report", "--vault", str(path), "--month", month[0], "--csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "patient",
        "month",
        "total_minutes",
        "staff_minutes",
        "clinician_minutes",
        "in_ccm",
        "complex",
        "codes",
    ]
    by_patient = {row["patient"]: row for row in rows}
    assert by_patient[ids["ruth"]]["codes"] == "99490x1"
    assert by_patient[ids["ruth"]]["total_minutes"] == "25"
    assert (by_patient[ids["ruth"]]["in_ccm"], by_patient[ids["ruth"]]["complex"]) == (
        "true",
        "false",
    )
    assert by_patient[ids["samuel"]]["codes"] == "99487x1"
    assert by_patient[ids["ada"]]["codes"] == ""


def test_ccm_report_other_months_are_empty_and_bad_months_exit_5(
    caseload: tuple[Path, dict[str, str]],
    month: tuple[str, datetime],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = caseload
    _minutes(path, ids, month[1])
    code, out, _ = run(
        monkeypatch, capsys, "ccm-report", "--vault", str(path), "--month", "2020-01", "--json"
    )
    assert code == 0 and json.loads(out) == {"month": "2020-01", "patients": []}
    for bad in ("2026-13", "11-2026", "2026-1"):
        code, out, err = run(
            monkeypatch, capsys, "ccm-report", "--vault", str(path), "--month", bad, "--csv"
        )
        assert (code, out) == (5, "") and "YYYY-MM" in err
    both = ("ccm-report", "--vault", str(path), "--month", month[0], "--csv", "--json")
    assert run(monkeypatch, capsys, *both)[0] == 2


# -- export-ics -------------------------------------------------------------------------------


@pytest.fixture
def scheduled(caseload: tuple[Path, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    """Follow-ups in 1 day (Ruth), 10 days (Samuel), 20 days (Ada), and one overdue."""
    path, ids = caseload
    now = datetime.now(UTC)
    with Vault.unlock(path, PASSPHRASE) as vault:
        for who, days, purpose in (
            ("ruth", 1, "Insulin review"),
            ("samuel", 10, "Oxygen supplier"),
            ("ada", 20, "Walker fitting"),
            ("ruth", -1, "Overdue call"),
        ):
            follow_up = schedule_follow_up(
                vault,
                uuid.UUID(ids[who]),
                {"due_at": now + timedelta(days=days), "kind": "phone", "purpose": purpose},
            )
            ids[f"{who}{days}"] = str(follow_up.id)
    return path, ids


def _export(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: Path,
    out: Path,
    *extra: str,
) -> tuple[int, str, str]:
    return run(monkeypatch, capsys, "export-ics", "--vault", str(path), "--out", str(out), *extra)


def test_export_ics_writes_a_private_file_without_names(
    scheduled: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = scheduled
    out = tmp_path / "calendar" / "follow-ups.ics"
    out.parent.mkdir()
    code, stdout, err = _export(monkeypatch, capsys, path, out)
    assert code == 0, err
    assert stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["follow-ups.ics"]  # no temp left
    assert "is not encrypted" in err and "no names unless --include-names" in err
    assert "Warning" not in err
    calendar = Calendar.from_ical(out.read_bytes())
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [f"{ids['ruth1']}@carenav", f"{ids['samuel10']}@carenav"]  # 14 days ahead
    text = out.read_text("utf-8").replace("\r\n ", "")
    for secret in ("Ruth", "Abernathy", "Samuel", "Okonjo", "Insulin", "Oxygen"):
        assert secret not in text
    assert all(len(list(e.walk("VALARM"))) == 1 for e in calendar.walk("VEVENT"))
    assert [(t, d) for t, d in _exports(path) if t == "follow_up"] == [
        ("follow_up", "2 follow-ups to a calendar file without names")
    ]
    code, _, err = _export(monkeypatch, capsys, path, out, "--days", "30")
    assert code == 0, err
    again = Calendar.from_ical(out.read_bytes())
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [*uids, f"{ids['ada20']}@carenav"]


def test_export_ics_include_names_warns_and_names(
    scheduled: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = scheduled
    out = tmp_path / "named.ics"
    code, _, err = _export(monkeypatch, capsys, path, out, "--include-names")
    assert code == 0, err
    assert "Warning" in err and "patient names" in err
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert summaries == ["Phone call: Ruth Abernathy", "Phone call: Samuel Okonjo"]
    assert ("follow_up", "2 follow-ups to a calendar file with names") in _exports(path)


def test_export_ics_invalid_input_exits_5_and_writes_nothing(
    scheduled: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = scheduled
    missing = tmp_path / "no-such-folder" / "x.ics"
    assert _export(monkeypatch, capsys, path, missing)[0] == 5
    assert not missing.parent.exists()
    code, _, err = _export(monkeypatch, capsys, path, tmp_path / "x.ics", "--days", "0")
    assert code == 5 and "--days" in err
    assert not (tmp_path / "x.ics").exists()
    assert _export(monkeypatch, capsys, path, path)[0] == 5
    assert [t for t, _ in _exports(path) if t == "follow_up"] == []
