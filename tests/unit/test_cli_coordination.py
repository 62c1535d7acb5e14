"""``carenav resources`` and ``carenav referral``, run in-process with the passphrase on
standard input."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carenav import cli
from carenav.services import directory, referrals
from carenav.services.audit import AuditFilter, events
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CSV_TEXT = (
    "organisation,organisation_phone,city,service,categories,languages,hours\n"
    "Hope Street Food Bank,555-010-4000,Springfield,Food pantry,food,English;Spanish,Tue 9-12\n"
    "Hope Street Food Bank,555-010-4000,Springfield,Hot meals,home-delivered-meals,English,\n"
    "Riverside Rides,555-010-4001,Shelbyville,Door-to-door rides,transportation,Vietnamese,\n"
)


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    code = cli.main([*argv, "--passphrase-stdin"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def empty(vault_path: Path) -> Path:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    return vault_path


def test_import_list_and_export_the_directory(
    empty: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "shared.csv"
    source.write_text(CSV_TEXT, "utf-8")
    code, _out, err = run(
        monkeypatch, capsys, "resources", "import", "--vault", str(empty), str(source)
    )
    assert code == 0, err
    assert "3 services added" in err and "2 new organisations" in err

    code, out, err = run(
        monkeypatch,
        capsys,
        "resources",
        "list",
        "--vault",
        str(empty),
        "--category",
        "food",
        "--json",
    )
    assert code == 0, err
    listed = json.loads(out)
    assert [s["service"] for s in listed] == ["Food pantry"]
    assert listed[0]["languages"] == ["English", "Spanish"] and listed[0]["phone"] == "555-010-4000"
    code, out, _ = run(monkeypatch, capsys, "resources", "list", "--vault", str(empty), "--json")
    assert len(json.loads(out)) == 3
    code, out, _ = run(
        monkeypatch,
        capsys,
        "resources",
        "list",
        "--vault",
        str(empty),
        "--language",
        "vietnamese",
        "--json",
    )
    assert [s["organisation"] for s in json.loads(out)] == ["Riverside Rides"]
    code, _out, err = run(
        monkeypatch,
        capsys,
        "resources",
        "list",
        "--vault",
        str(empty),
        "--category",
        "snacks",
        "--json",
    )
    assert code == 5 and "Unknown category 'snacks'" in err

    out_file = tmp_path / "export.csv"
    code, _out, err = run(
        monkeypatch, capsys, "resources", "export", "--vault", str(empty), "--out", str(out_file)
    )
    assert code == 0 and "Wrote 3 services" in err
    exported = out_file.read_text("utf-8")
    assert exported.splitlines()[0] == ",".join(directory.CSV_COLUMNS)
    assert "Door-to-door rides,transportation" in exported


def test_an_import_with_bad_rows_exits_5_and_saves_nothing(
    empty: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(CSV_TEXT + "Nobody,555-010-4002,,Something,pizza,,\n,,,,food,,\n", "utf-8")
    code, out, err = run(
        monkeypatch, capsys, "resources", "import", "--vault", str(empty), str(source)
    )
    assert code == 5 and out == ""
    assert "Nothing was imported: 2 rows need correcting" in err
    assert "Row 5: categories: Unknown category 'pizza'" in err
    assert "Row 6: " in err and "Organisation name is required" in err
    code, out, _ = run(monkeypatch, capsys, "resources", "list", "--vault", str(empty), "--json")
    assert json.loads(out) == []
    code, _out, err = run(
        monkeypatch, capsys, "resources", "import", "--vault", str(empty), str(tmp_path / "no.csv")
    )
    assert code == 5 and "check the path" in err


def test_referral_list_prints_history_and_filters(
    empty: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = Vault.unlock(empty, PASSPHRASE)
    ruth = create_patient(
        vault, {"family_name": "Abernathy", "given_name": "Ruth", "birth_date": "1942-06-01"}
    )
    ada = create_patient(
        vault, {"family_name": "Lindqvist", "given_name": "Ada", "birth_date": "1950-02-03"}
    )
    sent = datetime.now(UTC) - timedelta(days=4)
    open_one = referrals.refer(
        vault, ruth, {"provider_name": "Made-up Cardiology"}, via="fax", at=sent
    )
    referrals.set_status(vault, open_one.id, "accepted", at=sent + timedelta(days=1))
    closed = referrals.refer(vault, ruth, {"provider_name": "Made-up Therapy"}, via="phone")
    referrals.set_status(vault, closed.id, "declined", reason="Not taking new patients")
    referrals.create_referral(vault, ada, {"provider_name": "Made-up Home Health"})
    vault.close()

    code, out, err = run(
        monkeypatch,
        capsys,
        "referral",
        "list",
        "--vault",
        str(empty),
        "--patient",
        str(ruth),
        "--json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert {r["to"] for r in rows} == {"Made-up Cardiology", "Made-up Therapy"}
    declined = next(r for r in rows if r["status"] == "declined")
    assert [(h["status"], h["reason"]) for h in declined["history"]] == [
        ("draft", ""),
        ("sent", "Sent by phone"),
        ("declined", "Not taking new patients"),
    ]
    accepted = next(r for r in rows if r["status"] == "accepted")
    assert accepted["check_back_due"] is not None and accepted["sent_via"] == "fax"
    assert [h["status"] for h in accepted["history"]] == ["draft", "sent", "accepted"]

    code, out, _ = run(
        monkeypatch, capsys, "referral", "list", "--vault", str(empty), "--open", "--json"
    )
    assert sorted(r["status"] for r in json.loads(out)) == ["accepted", "draft"]
    code, out, _ = run(monkeypatch, capsys, "referral", "list", "--vault", str(empty), "--json")
    assert len(json.loads(out)) == 3

    code, _out, err = run(
        monkeypatch,
        capsys,
        "referral",
        "list",
        "--vault",
        str(empty),
        "--patient",
        "nobody",
        "--json",
    )
    assert code == 5 and "--patient" in err
    vault = Vault.unlock(empty, PASSPHRASE)
    try:
        printed = [
            e
            for e in events(vault, AuditFilter())
            if e.record_type == "referral" and e.action == "export"
        ]
    finally:
        vault.close()
    assert len(printed) == 3


def test_export_never_writes_over_the_vault_and_a_broken_csv_is_explained(
    empty: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = empty.read_bytes()
    for target in (empty, Path(f"{empty}.keys"), Path(f"{empty}-wal"), tmp_path / "no" / "x.csv"):
        code, _out, err = run(
            monkeypatch, capsys, "resources", "export", "--vault", str(empty), "--out", str(target)
        )
        assert code == 5 and "--out" in err, err
    assert empty.read_bytes() == before
    code, _out, _err = run(
        monkeypatch, capsys, "resources", "list", "--vault", str(empty), "--json"
    )
    assert code == 0  # still opens

    huge = tmp_path / "huge.csv"
    huge.write_text(CSV_TEXT + 'Big Org,,,"' + "x" * 200_000 + '",food,,\n', "utf-8")
    code, out, err = run(
        monkeypatch, capsys, "resources", "import", "--vault", str(empty), str(huge)
    )
    assert code == 5 and out == ""
    assert "Nothing was imported: row 5 could not be read as CSV" in err
    assert "Traceback" not in err
