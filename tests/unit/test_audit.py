"""The audit trail: what is recorded, the hash chain, the head kept beside the vault,
the command line, and that no patient value ever reaches an audit row."""

from __future__ import annotations

import argparse
import json
import shutil
import stat
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from carenav.cli_audit import register
from carenav.errors import VaultDamaged, WrongPassphrase
from carenav.models import AllergyIntolerance, CaseNote, Condition, Patient, RelatedPerson
from carenav.services import csv_import
from carenav.services.audit import AuditFilter, count_events, event_page, events, export_audit_csv
from carenav.services.chart import (
    add_chart_record,
    load_chart,
    remove_chart_record,
    update_chart_record,
)
from carenav.services.drafts import save_draft
from carenav.services.patients import create_patient, remove_patient, update_patient
from carenav.store.audit import (
    GENESIS_MAC,
    ChainHead,
    HeadUnreadable,
    audit_head_path_for,
    chain_mac,
    head_bytes,
    iter_rows,
    parse_head,
    record_event,
    verify_chain,
)
from carenav.store.header import KdfParams
from carenav.store.lockout import UnlockThrottle
from carenav.store.vault import Vault, throttle_path_for

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "violet kettle orbit mango harbour"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
NO_DELETE_GUARD = "DROP TRIGGER audit_event_no_delete"  # only a tamperer would
PATIENT = {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}


def rows(vault: Vault) -> list[tuple[str, str, str, str, str]]:
    """(action, record_type, record_id, outcome, detail) of every row, oldest first."""
    with vault.engine.connect() as conn:
        return [
            (r.action, r.record_type, r.record_id, r.outcome, r.detail) for r in iter_rows(conn)
        ]


def actions(vault: Vault) -> list[str]:
    return [r[0] for r in rows(vault)]


def new_rows(vault: Vault, before: int) -> list[tuple[str, str, str, str, str]]:
    return rows(vault)[before:]


def raw_sql(vault: Vault, *statements: str) -> None:
    with vault.raw_connection() as conn:
        for statement in statements:
            conn.execute(statement)


# -- what is recorded ----------------------------------------------------------------


def test_a_new_vault_starts_its_trail(vault: Vault) -> None:
    assert rows(vault) == [("vault_created", "", "", "success", "")]
    with vault.engine.connect() as conn:
        first = next(iter_rows(conn))
    assert first.seq == 1 and first.prev_mac == GENESIS_MAC
    assert first.user and first.occurred_at.tzinfo is not None


def test_each_record_change_is_recorded_once_in_the_same_transaction(vault: Vault) -> None:
    before = len(rows(vault))
    pid = create_patient(vault, PATIENT)
    update_patient(vault, pid, {"visit_notes": "Dog in the yard", "city": "Springfield"})
    update_patient(vault, pid, {"city": "Springfield"})  # no change: nothing recorded
    note = add_chart_record(vault, CaseNote, pid, {"text": "Weighed daily."})
    update_chart_record(vault, CaseNote, note, {"text": "Weighed twice daily."})
    remove_chart_record(vault, CaseNote, note)
    remove_patient(vault, pid)
    assert new_rows(vault, before) == [
        ("record_created", "patient", pid.hex, "success", ""),
        ("record_changed", "patient", pid.hex, "success", "fields: city, visit_notes"),
        ("record_created", "case_note", note.hex, "success", ""),
        ("record_changed", "case_note", note.hex, "success", "fields: text"),
        ("record_deleted", "case_note", note.hex, "success", ""),
        ("record_deleted", "patient", pid.hex, "success", ""),
    ]
    assert verify_chain(vault).intact


def test_a_failed_save_records_nothing(vault: Vault) -> None:
    pid = create_patient(vault, PATIENT)
    before = len(rows(vault))
    with pytest.raises(RuntimeError), vault.session() as session:
        session.add(Patient(family_name="Second", given_name="Kofi", birth_date=date(1961, 7, 30)))
        session.flush()  # the audit row is written here...
        raise RuntimeError("the save fails after the flush")  # ...and rolled back with it
    assert len(rows(vault)) == before
    update_patient(vault, pid, {"city": "Springfield"})
    assert verify_chain(vault).intact


def test_opening_a_chart_is_recorded_but_a_refresh_is_not(vault: Vault) -> None:
    pid = create_patient(vault, PATIENT)
    before = len(rows(vault))
    load_chart(vault, pid)
    load_chart(vault, pid, opened=False)
    assert new_rows(vault, before) == [("chart_opened", "patient", pid.hex, "success", "")]


def test_drafts_are_not_audited_as_records(vault: Vault) -> None:
    pid = create_patient(vault, PATIENT)
    before = len(rows(vault))
    save_draft(vault, form="patient", patient_id=pid, record_id=None, payload={"city": "X"})
    assert new_rows(vault, before) == []


def test_a_csv_import_records_each_patient_it_creates(vault: Vault, tmp_path: Path) -> None:
    source = tmp_path / "caseload.csv"
    source.write_text(
        "family_name,given_name,birth_date\nAbara,Ines,1950-01-02\nMensah,Kofi,1961-07-30\n",
        encoding="utf-8",
    )
    table = csv_import.read_csv(source)
    plan = csv_import.plan_import(vault, table, csv_import.guess_mapping(table.headers))
    before = len(rows(vault))
    assert csv_import.run_import(vault, plan) == 2
    created = new_rows(vault, before)
    with vault.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(text("SELECT id FROM patient"))}
    assert [r[:2] for r in created] == [("record_created", "patient")] * 2
    assert {r[2] for r in created} == {str(i).replace("-", "") for i in ids}


def test_events_from_other_parts_of_the_app(vault: Vault) -> None:
    pid = create_patient(vault, PATIENT)
    before = len(rows(vault))
    record_event(vault, "export", record_type="patient", record_id=pid, detail="chart as PDF")
    record_event(vault, "backup", detail="automatic", outcome="failure")
    record_event(vault, "print", detail="x" * 500)
    assert new_rows(vault, before) == [
        ("export", "patient", pid.hex, "success", "chart as PDF"),
        ("backup", "", "", "failure", "automatic"),
        ("print", "", "", "success", "x" * 200),  # detail is capped at 200 characters
    ]


def test_unlocks_and_failed_unlocks_with_their_times(vault: Vault) -> None:
    db_path = vault.db_path
    vault.close()
    started = datetime.now(UTC)
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            Vault.unlock(db_path, "not the passphrase at all")
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_code(db_path, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", NEW_PASSPHRASE)
    state = json.loads(throttle_path_for(db_path).read_text("utf-8"))
    assert state["failures"] == 3 and len(state["failure_times"]) == 3
    assert "not the passphrase" not in throttle_path_for(db_path).read_text("utf-8")
    with Vault.unlock(db_path, PASSPHRASE) as again, again.engine.connect() as conn:
        trail = list(iter_rows(conn))[-4:]
    assert [(r.action, r.outcome, r.detail) for r in trail] == [
        ("unlock_failed", "failure", "passphrase"),
        ("unlock_failed", "failure", "passphrase"),
        ("unlock_failed", "failure", "recovery code"),
        ("unlock", "success", "passphrase"),
    ]
    times = [r.occurred_at for r in trail]
    assert started <= times[0] <= times[1] <= times[2] <= times[3]
    assert not throttle_path_for(db_path).exists()


def test_failures_whose_times_were_lost_are_still_counted(vault: Vault) -> None:
    db_path = vault.db_path
    vault.close()
    UnlockThrottle(throttle_path_for(db_path)).record_failure()  # an older CareNav's count
    with Vault.unlock(db_path, PASSPHRASE) as again:
        assert rows(again)[-2:] == [
            ("unlock_failed", "", "", "failure", "1 earlier failed attempt(s); times not recorded"),
            ("unlock", "", "", "success", "passphrase"),
        ]


def test_passphrase_change_recovery_lock_and_check_are_recorded(vault_path: Path) -> None:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    vault.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    assert vault.check().sound
    vault.lock("idle")
    assert not vault.is_open
    with Vault.unlock_with_recovery_code(vault_path, code, PASSPHRASE) as again:
        assert actions(again) == [
            "vault_created",
            "passphrase_changed",
            "integrity_check",
            "lock",
            "recovery_used",
            "passphrase_changed",
        ]
        assert rows(again)[2][3:] == (
            "success",
            "The vault is sound: encryption, structure and schema checks passed.",
        )
        assert rows(again)[3][4] == "idle"


def test_a_lock_happens_even_when_its_event_cannot_be_written(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = vault.data_key

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("carenav.store.vault.record_event", disk_full)
    vault.lock("screen")
    assert not vault.is_open and key.wiped


def test_the_table_stays_append_only(vault: Vault) -> None:
    with pytest.raises(Exception, match="append-only"):
        raw_sql(vault, "UPDATE audit_event SET detail = 'x'")
    with pytest.raises(Exception, match="append-only"):
        raw_sql(vault, "DELETE FROM audit_event")


def test_two_threads_writing_at_once_keep_one_unbroken_chain(vault: Vault) -> None:
    pid = create_patient(vault, PATIENT)
    errors: list[BaseException] = []

    def write(kind: type, count: int) -> None:
        try:
            for n in range(count):
                add_chart_record(vault, kind, pid, {"text": f"entry {n}"})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k, 25)) for k in (CaseNote, Condition)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain(vault)
    assert report.intact and report.rows == 2 + 50
    head = parse_head(vault.audit.head_key, audit_head_path_for(vault.db_path).read_bytes())
    assert head.seq == 52


# -- the chain -------------------------------------------------------------------------


@pytest.fixture
def busy_vault(vault: Vault) -> Vault:
    """A vault with 20 audited commits after its creation."""
    pid = create_patient(vault, PATIENT)
    for n in range(19):
        add_chart_record(vault, CaseNote, pid, {"text": f"Visit {n}"})
    return vault


def test_the_macs_chain_each_row_to_the_one_before(busy_vault: Vault) -> None:
    with busy_vault.engine.connect() as conn:
        trail = list(iter_rows(conn))
    key = busy_vault.audit.audit_key
    assert [r.seq for r in trail] == list(range(1, 22))
    for before, row in zip([None, *trail], trail, strict=False):
        assert row.prev_mac == (before.mac if before else GENESIS_MAC)
        assert row.mac == chain_mac(key, row.prev_mac, row.canonical())
    report = verify_chain(busy_vault)
    assert report == type(report)(True, 21, None, "")
    assert report.summary() == "Audit trail intact: 21 entries."


def test_a_changed_row_is_found(busy_vault: Vault) -> None:
    raw_sql(
        busy_vault,
        "DROP TRIGGER audit_event_no_update",
        "UPDATE audit_event SET record_type = 'condition' WHERE seq = 7",
    )
    report = verify_chain(busy_vault)
    assert (report.intact, report.first_bad_seq, report.rows) == (False, 7, 6)
    assert report.reason == "entry 7 was changed after it was written."
    assert not busy_vault.check().sound
    assert "the audit trail is not intact (entry 7 was changed" in busy_vault.check().summary()


def test_a_row_removed_from_the_middle_is_found(busy_vault: Vault) -> None:
    raw_sql(
        busy_vault, "DROP TRIGGER audit_event_no_delete", "DELETE FROM audit_event WHERE seq = 9"
    )
    report = verify_chain(busy_vault)
    assert (report.intact, report.first_bad_seq) == (False, 9)
    assert report.reason == "entry 9 missing (removed from the middle of the trail)."


def test_a_cut_tail_is_found_by_the_head_kept_beside_the_vault(busy_vault: Vault) -> None:
    raw_sql(
        busy_vault, "DROP TRIGGER audit_event_no_delete", "DELETE FROM audit_event WHERE seq > 18"
    )
    report = verify_chain(busy_vault)
    assert (report.intact, report.rows, report.first_bad_seq) == (False, 18, 19)
    assert report.reason == "the last 3 entries are missing (the trail was cut short)."
    db_path = busy_vault.db_path
    busy_vault.close()
    with pytest.raises(VaultDamaged, match="lost recent changes"):
        Vault.unlock(db_path, PASSPHRASE)


def test_a_rewritten_row_with_a_recomputed_chain_is_still_found(busy_vault: Vault) -> None:
    """Without the key, a forger can only use another key; the head's mac then differs."""
    raw_sql(
        busy_vault,
        "DROP TRIGGER audit_event_no_update",
        f"UPDATE audit_event SET mac = '{'ab' * 32}' WHERE seq = 21",
    )
    report = verify_chain(busy_vault)
    assert (report.intact, report.first_bad_seq) == (False, 21)


# -- the head kept beside the vault ----------------------------------------------------


def test_the_head_file_follows_each_commit_and_cannot_be_forged(busy_vault: Vault) -> None:
    path = audit_head_path_for(busy_vault.db_path)
    assert path.name == "caseload.cnv.audit-head"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    head = parse_head(busy_vault.audit.head_key, path.read_bytes())
    with busy_vault.engine.connect() as conn:
        last = list(iter_rows(conn))[-1]
    assert head == ChainHead(last.seq, last.mac)
    forged = head_bytes(b"\x00" * 32, ChainHead(head.seq + 5, head.mac))
    with pytest.raises(HeadUnreadable):
        parse_head(busy_vault.audit.head_key, forged)
    with pytest.raises(HeadUnreadable):
        parse_head(busy_vault.audit.head_key, path.read_bytes().replace(b'"seq": 2', b'"seq": 3'))


def crash_image(vault: Vault, folder: Path) -> Path:
    """Copy the open vault's files as a power cut would leave them (db, -wal, -shm)."""
    folder.mkdir()
    src = vault.db_path
    for suffix in ("", "-wal", "-shm", ".keys", ".audit-head"):
        original = Path(f"{src}{suffix}")
        if original.exists():
            shutil.copyfile(original, folder / f"{src.name}{suffix}")
    return folder / src.name


def test_a_flipped_bit_in_the_wal_is_damage_not_a_wrong_passphrase(
    busy_vault: Vault, tmp_path: Path
) -> None:
    copy = crash_image(busy_vault, tmp_path / "image")
    wal = Path(f"{copy}-wal")
    raw = bytearray(wal.read_bytes())
    assert len(raw) > 32 * 4096  # the 20 commits are still in the log
    # a bit among the last commits' frames: the schema (also still in the log) stays whole
    raw[len(raw) - 3 * 4096] ^= 0x10
    wal.write_bytes(bytes(raw))
    with pytest.raises(VaultDamaged, match="lost recent changes"):
        Vault.unlock(copy, PASSPHRASE)
    # and again: the damage is still reported, never papered over by the first attempt
    with pytest.raises(VaultDamaged, match="lost recent changes"):
        Vault.unlock(copy, PASSPHRASE)


def test_an_intact_crash_image_opens_with_everything(busy_vault: Vault, tmp_path: Path) -> None:
    copy = crash_image(busy_vault, tmp_path / "image")
    with Vault.unlock(copy, PASSPHRASE) as again:
        report = verify_chain(again)
        assert report.intact and report.rows == 22  # the 21 rows and this unlock


def test_an_older_database_beside_a_newer_head_is_damage(vault: Vault, tmp_path: Path) -> None:
    create_patient(vault, PATIENT)
    db_path = vault.db_path
    vault.close()
    older = tmp_path / "older.cnv"
    shutil.copyfile(db_path, older)
    with Vault.unlock(db_path, PASSPHRASE) as again:
        create_patient(again, {**PATIENT, "given_name": "Ada"})
    shutil.copyfile(older, db_path)  # rolled back behind the head
    with pytest.raises(VaultDamaged, match="lost recent changes"):
        Vault.unlock(db_path, PASSPHRASE)


def test_a_head_behind_the_database_is_brought_forward(vault: Vault) -> None:
    """A crash between the commit and the head write leaves the head behind: no damage."""
    head_path = audit_head_path_for(vault.db_path)
    old_head = head_path.read_bytes()
    create_patient(vault, PATIENT)
    db_path = vault.db_path
    vault.close()
    head_path.write_bytes(old_head)
    with Vault.unlock(db_path, PASSPHRASE) as again:
        assert verify_chain(again).intact
        assert actions(again)[-1] == "unlock"
        head = parse_head(again.audit.head_key, head_path.read_bytes())
        assert head.seq == len(rows(again))


@pytest.mark.parametrize("state", ["missing", "unreadable"])
def test_a_missing_head_is_rebuilt_and_the_rebuild_recorded(vault: Vault, state: str) -> None:
    create_patient(vault, PATIENT)
    db_path = vault.db_path
    vault.close()
    head_path = audit_head_path_for(db_path)
    if state == "missing":
        head_path.unlink()
    else:
        head_path.write_bytes(head_path.read_bytes().replace(b'"seq": ', b'"seq": 1'))
    with Vault.unlock(db_path, PASSPHRASE) as again:
        assert rows(again)[-2] == (
            "audit_head_recreated",
            "",
            "",
            "warning",
            f"the record kept beside the vault was {state}",
        )
        assert verify_chain(again).intact
    assert head_path.exists()


# -- no patient values, ever -------------------------------------------------------------


def test_no_audit_column_ever_holds_a_patient_value(vault: Vault) -> None:
    marker = "ZQXCANARY" + uuid.uuid4().hex[:10].upper()
    pid = create_patient(
        vault,
        {
            **PATIENT,
            "family_name": marker,
            "given_name": marker,
            "visit_notes": marker,
            "city": marker,
            "member_id": marker,
        },
    )
    add_chart_record(vault, RelatedPerson, pid, {"name": marker, "notes": marker})
    allergy = add_chart_record(vault, AllergyIntolerance, pid, {"substance": marker})
    note = add_chart_record(vault, CaseNote, pid, {"text": marker, "subject": marker})
    update_patient(vault, pid, {"visit_notes": f"{marker} again"})
    update_chart_record(vault, CaseNote, note, {"text": f"{marker} revisited"})
    remove_chart_record(vault, AllergyIntolerance, allergy)
    load_chart(vault, pid)
    assert vault.check().sound
    with vault.raw_connection() as conn:
        every_value = " ".join(
            str(value) for row in conn.execute("SELECT * FROM audit_event") for value in row
        )
    assert len(rows(vault)) >= 9
    assert marker.lower() not in every_value.lower()


# -- reading the trail ---------------------------------------------------------------------


def test_pages_filters_and_export(busy_vault: Vault, tmp_path: Path) -> None:
    assert count_events(busy_vault) == 21
    newest = event_page(busy_vault, offset=0, limit=5)
    assert [r.seq for r in newest] == [21, 20, 19, 18, 17]
    assert count_events(busy_vault, AuditFilter(action="record_created")) == 20
    assert count_events(busy_vault, AuditFilter(record_type="case_note")) == 19
    today = date.today()
    assert count_events(busy_vault, AuditFilter(since=today, until=today)) == 21
    assert count_events(busy_vault, AuditFilter(until=today - timedelta(days=1))) == 0
    out = tmp_path / "audit.csv"
    assert export_audit_csv(busy_vault, out, AuditFilter(action="record_created")) == 20
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "seq,occurred_at,user,action,record_type,record_id,outcome,detail"
    assert len(lines) == 21 and lines[1].startswith("2,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert events(busy_vault)[-1].action == "export"
    assert events(busy_vault)[-1].detail == "audit trail as CSV, 20 rows"


# -- the command line ----------------------------------------------------------------------


class Secrets:
    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    def read(self, _prompt: str, *, confirm: bool = False) -> str:
        return self.lines.pop(0)


def run_audit(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="carenav")
    handlers = register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = handlers[args.command](args, Secrets(PASSPHRASE))  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_verify_exits_0_when_intact_and_4_when_not(
    busy_vault: Vault, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = busy_vault.db_path
    busy_vault.close()
    code, out, err = run_audit(["audit", "--vault", str(db_path), "--verify"], capsys)
    assert (code, out) == (0, "")
    assert err.strip() == "Audit trail intact: 22 entries."
    with Vault.unlock(db_path, PASSPHRASE) as again:
        raw_sql(again, "DROP TRIGGER audit_event_no_update", "UPDATE audit_event SET user='x'")
    code, out, err = run_audit(["audit", "--vault", str(db_path), "--verify"], capsys)
    assert code == 4
    assert err.strip() == "Audit trail not intact: entry 1 was changed after it was written."


def test_cli_verify_reports_a_rolled_back_vault_with_exit_4(
    busy_vault: Vault, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = busy_vault.db_path
    raw_sql(
        busy_vault, "DROP TRIGGER audit_event_no_delete", "DELETE FROM audit_event WHERE seq > 5"
    )
    busy_vault.close()
    code, _out, err = run_audit(["audit", "--vault", str(db_path), "--verify"], capsys)
    assert code == 4
    assert err.startswith("Audit trail not intact. The vault is damaged and was not opened")


def test_cli_json_prints_the_rows_with_filters(
    busy_vault: Vault, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = busy_vault.db_path
    busy_vault.close()
    code, out, _err = run_audit(["audit", "--vault", str(db_path), "--json"], capsys)
    printed = json.loads(out)
    assert code == 0 and len(printed) == 22
    assert set(printed[0]) == {
        "seq",
        "occurred_at",
        "user",
        "action",
        "record_type",
        "record_id",
        "outcome",
        "detail",
    }
    assert printed[0]["action"] == "vault_created" and printed[-1]["action"] == "unlock"
    assert datetime.fromisoformat(printed[0]["occurred_at"]).utcoffset() == timedelta(0)
    today = date.today().isoformat()
    argv = ["audit", "--vault", str(db_path), "--json", "--action", "unlock", "--since", today]
    code, out, _err = run_audit(argv, capsys)
    assert code == 0 and [r["seq"] for r in json.loads(out)] == [22, 23]


def test_cli_usage_errors(vault_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="carenav")
    register(parser.add_subparsers(dest="command"))
    for argv in (
        ["audit", "--vault", str(vault_path)],  # neither --verify nor --json
        ["audit", "--vault", str(vault_path), "--verify", "--json"],
        ["audit", "--vault", str(vault_path), "--json", "--since", "March 1st"],
    ):
        with pytest.raises(SystemExit) as caught:
            parser.parse_args(argv)
        assert caught.value.code == 2
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
