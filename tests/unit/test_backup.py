"""Encrypted backups, restore and daily rotation, against real SQLCipher vaults."""

from __future__ import annotations

import argparse
import errno
import hashlib
import io
import os
import shutil
import stat
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carenav.cli import SecretReader
from carenav.cli_backup import register
from carenav.errors import CareNavError
from carenav.services import backups
from carenav.services.patients import create_patient, list_patients
from carenav.store import backup as backup_module
from carenav.store.backup import (
    BackupCancelled,
    BackupDamaged,
    BackupExists,
    BackupFailed,
    BackupFolderUnavailable,
    BackupSource,
    BackupWrongSecret,
    NotABackup,
    backup_vault,
    restore_backup,
    verify_backup,
)
from carenav.store.header import KdfParams
from carenav.store.instance_lock import InstanceLock, VaultInUse
from carenav.store.vault import Vault, header_path_for

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
NEW_PASSPHRASE = "purple elephants dance at noon"
MARKER = "Zqxbackupmarker"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_patient(vault: Vault, family: str, given: str = "Grace") -> None:
    create_patient(vault, {"family_name": family, "given_name": given, "birth_date": "1941-05-09"})


def families(vault: Vault) -> set[str]:
    return {p.family_name for p in list_patients(vault)}


@pytest.fixture
def made(vault_path: Path) -> Iterator[tuple[Vault, str]]:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    add_patient(vault, MARKER)
    add_patient(vault, "Okafor")
    yield vault, code
    vault.close()


@pytest.fixture
def backups_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


# -- taking a backup --------------------------------------------------------------


def test_backup_is_one_encrypted_file_that_opens_with_passphrase_and_recovery_code(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, code = made
    info = backup_vault(vault, backups_dir / "monday")
    assert info.path == backups_dir / "monday.cnvbackup"
    assert info.patients == 2 and info.verified
    assert info.size == info.path.stat().st_size
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    raw = info.path.read_bytes()
    for needle in (MARKER.encode(), MARKER.encode("utf-16-le"), b"SQLite format 3\x00"):
        assert needle not in raw
    with zipfile.ZipFile(info.path) as archive:
        assert archive.namelist() == [
            "manifest.json",
            "manifest.mac",
            "caseload.keys",
            "caseload.db",
        ]
        assert archive.read("caseload.keys") == vault.header_path.read_bytes()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    assert os.listdir(backups_dir) == ["monday.cnvbackup"]  # no partial left behind
    by_passphrase = verify_backup(info.path, PASSPHRASE)
    by_code = verify_backup(info.path, code.lower().replace("-", " "))
    assert by_passphrase.patients == by_code.patients == 2
    assert by_passphrase.vault_id == vault.header.vault_id
    assert os.listdir(backups_dir) == ["monday.cnvbackup"]  # checking left nothing either


def test_backup_records_an_audit_event_without_patient_values(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    from carenav.store.audit import iter_rows

    vault, _ = made
    backup_vault(vault, backups_dir / "b")
    with vault.session() as session:
        rows = list(iter_rows(session.connection()))
    backup_rows = [r for r in rows if r.action == "backup"]
    assert len(backup_rows) == 1
    assert "2 patients" in backup_rows[0].detail
    assert not any(MARKER in str(r.as_json()) for r in rows)


def test_a_vault_that_locks_during_the_backup_still_gets_its_backup(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made

    def lock_midway(done: int, _total: int) -> None:
        if done >= 850:
            vault.close()

    info = backup_vault(vault, backups_dir / "b", progress=lock_midway)
    assert not vault.is_open
    assert verify_backup(info.path, PASSPHRASE).patients == 2


def test_wrong_secret_is_told_apart_from_damage(made: tuple[Vault, str], backups_dir: Path) -> None:
    vault, _ = made
    info = backup_vault(vault, backups_dir / "b")
    with pytest.raises(BackupWrongSecret) as caught:
        verify_backup(info.path, "not the passphrase at all, sorry")
    assert caught.value.exit_code == 3
    assert "recovery code" in str(caught.value)


def test_backup_is_consistent_while_the_app_keeps_writing(
    made: tuple[Vault, str], backups_dir: Path, tmp_path: Path
) -> None:
    vault, _ = made
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        while not stop.is_set():
            add_patient(vault, f"Writer{len(written)}")
            written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        before = len(written)
        info = backup_vault(vault, backups_dir / "busy")
    finally:
        stop.set()
        writer.join()
    assert info.patients >= 2 + before
    restored = tmp_path / "restored" / "caseload.cnv"
    restore_backup(info.path, restored, PASSPHRASE)
    with Vault.unlock(restored, PASSPHRASE) as copy:
        assert copy.check().sound
        assert len(list_patients(copy)) == info.patients


def test_backup_never_copies_the_live_file(
    made: tuple[Vault, str], backups_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("a file copy of the database was attempted")

    for name in ("copy", "copy2", "copyfile", "copyfileobj"):
        monkeypatch.setattr(shutil, name, refuse)
    info = backup_vault(made[0], backups_dir / "b")
    assert verify_backup(info.path, PASSPHRASE).patients == 2


def test_an_existing_file_is_kept_unless_replacing(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    first = backup_vault(vault, backups_dir / "b.cnvbackup")
    before = sha(first.path)
    with pytest.raises(BackupExists):
        backup_vault(vault, first.path)
    assert sha(first.path) == before
    add_patient(vault, "Later")
    second = backup_vault(vault, first.path, replace=True)
    assert second.patients == 3 and sha(first.path) != before


def test_a_missing_folder_is_a_clear_error_and_is_not_created(
    made: tuple[Vault, str], tmp_path: Path
) -> None:
    unplugged = tmp_path / "media" / "usb"
    with pytest.raises(BackupFolderUnavailable) as caught:
        backup_vault(made[0], unplugged / "b")
    assert "plug the drive in" in str(caught.value)
    assert not unplugged.exists()


def test_a_failure_mid_backup_leaves_the_previous_backup_intact(
    made: tuple[Vault, str], backups_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, _ = made
    previous = backup_vault(vault, backups_dir / "b")
    before = sha(previous.path)
    real_write = backup_module._write_container

    def disk_full(partial: Path, *args: object) -> None:
        real_write(partial, *args)  # type: ignore[arg-type]
        with open(partial, "r+b") as fh:
            fh.truncate(1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "_write_container", disk_full)
    add_patient(vault, "Later")
    with pytest.raises(BackupFailed) as caught:
        backup_vault(vault, previous.path, replace=True)
    assert "not enough free space" in str(caught.value)
    assert sha(previous.path) == before
    assert sorted(os.listdir(backups_dir)) == ["b.cnvbackup"]
    assert verify_backup(previous.path, PASSPHRASE).patients == 2


def test_partials_left_by_a_kill_are_cleaned_by_the_next_backup(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    leftovers = [
        backups_dir / "b.cnvbackup.partial-0123456789abcdef",
        backups_dir / "b.cnvbackup.partial-0123456789abcdef.db",
        backups_dir / "b.cnvbackup.partial-0123456789abcdef.db-journal",
    ]
    unrelated = [backups_dir / "b.cnvbackup.partial-notours", backups_dir / "holiday.jpg"]
    for path in leftovers + unrelated:
        path.write_bytes(b"x" * 10)
    backup_vault(made[0], backups_dir / "b")
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in unrelated)


def test_cancelling_from_progress_stops_cleanly(made: tuple[Vault, str], backups_dir: Path) -> None:
    seen: list[int] = []

    def cancel_midway(done: int, total: int) -> None:
        seen.append(done)
        if done > 0:
            raise BackupCancelled()

    with pytest.raises(BackupCancelled):
        backup_vault(made[0], backups_dir / "b", progress=cancel_midway)
    assert seen[0] == 0 and len(seen) >= 2
    assert os.listdir(backups_dir) == []


def test_progress_reaches_the_end(made: tuple[Vault, str], backups_dir: Path) -> None:
    seen: list[tuple[int, int]] = []
    backup_vault(made[0], backups_dir / "b", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 1000) and seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_source_captured_before_lock_still_backs_up_and_wipes_its_key(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    source = BackupSource.from_vault(vault)
    vault.close()
    info = backup_vault(source, backups_dir / "on-lock")
    assert source.key.wiped
    assert verify_backup(info.path, PASSPHRASE).patients == 2


# -- damaged or foreign backups ----------------------------------------------------


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


def db_entry_offset(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("caseload.db")
    return entry.header_offset + 30 + len(entry.filename) + len(entry.extra) + 8000


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (lambda p: p.write_bytes(os.urandom(4096)), NotABackup),
        (lambda p: p.write_bytes(b""), NotABackup),
        (lambda p: flip_byte(p, db_entry_offset(p)), BackupDamaged),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), BackupDamaged),
    ],
    ids=["random-bytes", "empty", "flipped-bit-in-database", "cut-in-half"],
)
def test_a_damaged_or_foreign_backup_is_refused_before_touching_the_vault(
    made: tuple[Vault, str], backups_dir: Path, spoil: object, error: type[Exception]
) -> None:
    vault, _ = made
    info = backup_vault(vault, backups_dir / "b")
    vault.close()
    spoil(info.path)  # type: ignore[operator]
    folder = vault.db_path.parent
    before = {p.name: sha(p) for p in folder.iterdir() if p.is_file()}
    with pytest.raises(error) as caught:
        restore_backup(info.path, vault.db_path, PASSPHRASE)
    assert caught.value.exit_code == 4  # type: ignore[attr-defined]
    assert "Nothing was changed" in str(caught.value)
    after = {p.name: sha(p) for p in folder.iterdir() if p.is_file()}
    after.pop(vault.db_path.name + ".lock", None)
    before.pop(vault.db_path.name + ".lock", None)
    assert after == before
    assert not [p for p in folder.iterdir() if p.is_dir()]


def test_a_zip_that_is_not_ours_is_not_a_backup(tmp_path: Path) -> None:
    other = tmp_path / "photos.cnvbackup"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("photo.jpg", b"not really")
    with pytest.raises(NotABackup):
        verify_backup(other, PASSPHRASE)


def test_a_tampered_manifest_fails_authentication(
    made: tuple[Vault, str], backups_dir: Path, tmp_path: Path
) -> None:
    info = backup_vault(made[0], backups_dir / "b")
    forged = tmp_path / "forged.cnvbackup"
    with zipfile.ZipFile(info.path) as src, zipfile.ZipFile(forged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "manifest.json":
                data = data.replace(b'"patients": 2', b'"patients": 9')
            dst.writestr(item.filename, data)
    with pytest.raises(BackupDamaged, match="authentication"):
        verify_backup(forged, PASSPHRASE)


# -- restoring ---------------------------------------------------------------------


def test_restore_keeps_the_current_vault_and_brings_back_the_backup(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    info = backup_vault(vault, backups_dir / "b")
    add_patient(vault, "AfterBackup")
    vault.close()
    db = vault.db_path
    audit_head = db.with_name(db.name + ".audit-head")
    current = {
        p.name: sha(p)
        for p in (db, header_path_for(db), audit_head, db.with_name(db.name + "-wal"))
        if p.exists()
    }
    assert db.name in current and audit_head.name in current
    result = restore_backup(info.path, db, PASSPHRASE)
    assert result.kept is not None and result.kept.name.startswith("caseload.cnv.before-restore-")
    assert {p.name: sha(p) for p in result.kept.iterdir()} == current
    assert not audit_head.exists()  # the restored vault starts a clean head
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    with Vault.unlock(db, PASSPHRASE) as restored:
        assert families(restored) == {MARKER, "Okafor"}
        assert restored.check().sound
    with Vault.unlock(result.kept / db.name, PASSPHRASE) as kept:
        assert "AfterBackup" in families(kept)


def test_after_a_passphrase_change_an_older_backup_opens_with_the_old_one_or_the_code(
    made: tuple[Vault, str], backups_dir: Path, tmp_path: Path
) -> None:
    vault, code = made
    info = backup_vault(vault, backups_dir / "b")
    vault.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    with pytest.raises(BackupWrongSecret):
        verify_backup(info.path, NEW_PASSPHRASE)
    target = tmp_path / "elsewhere" / "caseload.cnv"
    result = restore_backup(info.path, target, code)
    assert result.kept is None
    with Vault.unlock(target, PASSPHRASE) as restored:
        assert families(restored) == {MARKER, "Okafor"}


def test_restore_is_refused_while_the_vault_is_open_in_a_window(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    info = backup_vault(vault, backups_dir / "b")
    vault.close()
    before = sha(vault.db_path)
    with InstanceLock.acquire(vault.db_path), pytest.raises(VaultInUse):
        restore_backup(info.path, vault.db_path, PASSPHRASE)
    assert sha(vault.db_path) == before
    assert not [p for p in vault.db_path.parent.iterdir() if p.is_dir()]


# -- the command line --------------------------------------------------------------


def run_cli(*argv: str, stdin: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="carenav")
    handlers = register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    secrets = SecretReader(args.passphrase_stdin, io.StringIO(stdin))
    try:
        return handlers[args.command](args, secrets), ""
    except CareNavError as exc:
        return exc.exit_code, str(exc)


def test_cli_backup_and_restore(
    made: tuple[Vault, str], backups_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vault, _ = made
    vault.close()
    db = str(vault.db_path)
    out = str(backups_dir / "cli.cnvbackup")
    code, _ = run_cli("backup", "--vault", db, "--out", out, "--passphrase-stdin", stdin=PASSPHRASE)
    assert code == 0
    assert "Backed up 2 patients" in capsys.readouterr().err
    code, message = run_cli(
        "backup", "--vault", db, "--out", out, "--passphrase-stdin", stdin=PASSPHRASE
    )
    assert code == 5 and "already exists" in message
    code, message = run_cli(
        "restore", "--backup", out, "--vault", db, "--passphrase-stdin", stdin="wrong one here!"
    )
    assert code == 3 and "did not open this backup" in message
    code, message = run_cli(
        "restore", "--backup", db, "--vault", db, "--passphrase-stdin", stdin=PASSPHRASE
    )
    assert code == 4 and "not a CareNav backup" in message
    code, _ = run_cli(
        "restore", "--backup", out, "--vault", db, "--passphrase-stdin", stdin=PASSPHRASE
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "before-restore" in err and "2 patients" in err


def test_cli_backup_with_a_wrong_passphrase_exits_3(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    vault.close()
    code, _ = run_cli(
        "backup",
        "--vault",
        str(vault.db_path),
        "--out",
        str(backups_dir / "x"),
        "--passphrase-stdin",
        stdin="certainly not the passphrase",
    )
    assert code == 3
    assert os.listdir(backups_dir) == []


# -- automatic daily backups and rotation --------------------------------------------


def day(n: int) -> datetime:
    return datetime(2025, 3, 1, 12, 0, tzinfo=UTC) + timedelta(days=n)


def test_one_automatic_backup_a_day_named_without_patient_information(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    first = backups.automatic_backup(vault, backups_dir, now=day(0))
    assert first is not None
    local_date = day(0).astimezone().date().isoformat()
    assert first.path.name == f"carenav-backup-{local_date}.cnvbackup"
    assert backups.automatic_backup(vault, backups_dir, now=day(0)) is None
    add_patient(vault, "Later")
    again = backups.automatic_backup(vault, backups_dir, now=day(0), force=True)
    assert again is not None and again.patients == 3
    assert len(os.listdir(backups_dir)) == 1


def test_rotation_keeps_the_newest_seven_and_deletes_only_its_own_files(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    others = [
        backups_dir / "notes.txt",
        backups_dir / "carenav-backup-2001-01-01.cnvbackup.txt",
        backups_dir / "my-own-copy.cnvbackup",
    ]
    for path in others:
        path.write_text("keep me")
    for n in range(10):
        assert backups.automatic_backup(vault, backups_dir, keep_days=7, now=day(n)) is not None
    daily = backups.daily_backups(backups_dir)
    assert [b.day for b in daily] == [day(n).astimezone().date() for n in range(9, 2, -1)]
    assert all(p.read_text() == "keep me" for p in others)


def test_rotation_never_deletes_the_backup_just_made_even_with_future_files(
    made: tuple[Vault, str], backups_dir: Path
) -> None:
    vault, _ = made
    for n in (30, 31):
        (backups_dir / backups.daily_name(day(n).date())).write_bytes(b"from a wrong clock")
    made_now = backups.automatic_backup(vault, backups_dir, keep_days=1, now=day(0))
    assert made_now is not None and made_now.path.exists()
    assert len(backups.daily_backups(backups_dir)) == 2


def test_last_backup_and_status_text(
    made: tuple[Vault, str], backups_dir: Path, tmp_path: Path
) -> None:
    vault, _ = made
    assert backups.last_backup(backups_dir) is None
    assert backups.status_text("") == backups.NO_FOLDER_TEXT
    assert "not available" in backups.status_text(tmp_path / "unplugged")
    assert "No backup yet" in backups.status_text(backups_dir)
    info = backups.automatic_backup(vault, backups_dir)
    assert info is not None
    assert backups.last_backup(backups_dir) == info.created_at
    now = datetime.now(UTC)
    assert backups.status_text(backups_dir, now).startswith("Last backup: today ")
    assert backups.describe_time(now - timedelta(days=1), now).startswith("yesterday ")
    old = datetime(2025, 3, 3, 9, 14, tzinfo=UTC)
    assert "Mar 2025" in backups.describe_time(old, now)


def test_automatic_backup_to_an_unplugged_drive_is_a_clear_error(
    made: tuple[Vault, str], tmp_path: Path
) -> None:
    with pytest.raises(BackupFolderUnavailable):
        backups.automatic_backup(made[0], tmp_path / "gone")
    assert not (tmp_path / "gone").exists()


# -- fault injection (slow) -----------------------------------------------------------

KILL_CHILD = """
import sys
from pathlib import Path
from carenav.store.backup import backup_vault
from carenav.store.vault import Vault
vault = Vault.unlock(Path(sys.argv[1]), sys.argv[2])
print("ready", flush=True)
while True:
    backup_vault(vault, Path(sys.argv[3]), replace=True)
"""


@pytest.mark.slow
def test_kill_9_during_backup_leaves_the_previous_backup_intact(
    vault_path: Path, backups_dir: Path
) -> None:
    import random
    import signal
    import subprocess
    import sys
    import time

    from carenav.services.demo import fill_demo_caseload

    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    fill_demo_caseload(vault, patients=1500, seed=3)
    target = backups_dir / "kept.cnvbackup"
    good = backup_vault(vault, target)
    vault.close()
    rng = random.Random(7)
    interrupted = 0
    for _round in range(10):
        before = sha(target)
        child = subprocess.Popen(
            [sys.executable, "-c", KILL_CHILD, str(vault_path), PASSPHRASE, str(target)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait()
        interrupted += any(".partial-" in name for name in os.listdir(backups_dir))
        now = sha(target)
        # Either untouched, or replaced whole by a newer backup that verifies.
        assert verify_backup(target, PASSPHRASE).patients == good.patients
        assert now == before or verify_backup(target, PASSPHRASE).created_at >= good.created_at
    assert interrupted >= 3  # the kills did land in the middle of backups
    with Vault.unlock(vault_path, PASSPHRASE) as reopened:
        assert reopened.check().sound
        backup_vault(reopened, target, replace=True)  # cleans what the kills left
    assert sorted(os.listdir(backups_dir)) == ["kept.cnvbackup"]
