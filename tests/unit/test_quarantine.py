"""A damaged vault is moved aside byte for byte, and the newest good backup is found."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from carenav.errors import VaultDamaged, VaultNotFound
from carenav.services.patients import create_patient, list_patients
from carenav.store.backup import (
    BackupFolderUnavailable,
    BackupWrongSecret,
    backup_vault,
    restore_backup,
)
from carenav.store.header import KdfParams
from carenav.store.quarantine import newest_good_backup, quarantine
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_patient(vault: Vault, family: str) -> None:
    create_patient(vault, {"family_name": family, "given_name": "Ana", "birth_date": "1950-01-02"})


def damage(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[4096 * 2 + 100] ^= 0x01  # a bit in page 3
    db.write_bytes(bytes(data))


def test_quarantine_moves_every_file_of_the_vault_unchanged(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    add_patient(vault, "Mensah")
    vault.close()
    extras = {"-wal": b"wal bytes", "-shm": b"shm bytes", ".unlock-state": b'{"failures": 1}'}
    for suffix, data in extras.items():
        vault_path.with_name(vault_path.name + suffix).write_bytes(data)
    unrelated = vault_path.with_name("notes.txt")
    unrelated.write_text("mine")
    folder = vault_path.parent
    before = {p.name: sha(p) for p in folder.iterdir() if p.name != "notes.txt"}
    assert {"caseload.cnv", "caseload.cnv.keys", "caseload.cnv.audit-head"} <= set(before)

    target = quarantine(vault_path)

    assert target.parent == folder and target.name.startswith("caseload.cnv.quarantine-")
    assert {p.name: sha(p) for p in target.iterdir()} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(["notes.txt", target.name])
    with Vault.unlock(target / vault_path.name, PASSPHRASE) as moved:  # still a whole vault
        assert [p.family_name for p in list_patients(moved)] == ["Mensah"]


def test_two_quarantines_in_the_same_second_never_share_a_folder(vault_path: Path) -> None:
    vault_path.parent.mkdir(parents=True)
    vault_path.write_bytes(b"first")
    first = quarantine(vault_path)
    vault_path.write_bytes(b"second")
    second = quarantine(vault_path)
    assert first != second
    assert (first / vault_path.name).read_bytes() == b"first"
    assert (second / vault_path.name).read_bytes() == b"second"


def test_quarantine_of_nothing_says_so(vault_path: Path) -> None:
    vault_path.parent.mkdir(parents=True)
    with pytest.raises(VaultNotFound):
        quarantine(vault_path)
    assert os.listdir(vault_path.parent) == []


@pytest.fixture
def with_backups(vault_path: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A vault with two backups (the older with 1 patient, the newer with 2)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    add_patient(vault, "Older")
    backup_vault(vault, folder / "a-older")
    add_patient(vault, "Newer")
    backup_vault(vault, folder / "b-newer")
    vault.close()
    return vault_path, folder, code


def test_newest_good_backup_skips_damaged_and_foreign_files(
    with_backups: tuple[Path, Path, str],
) -> None:
    _, folder, code = with_backups
    newest = newest_good_backup(folder, PASSPHRASE)
    assert newest is not None and newest.path.name == "b-newer.cnvbackup"
    assert newest.patients == 2
    raw = bytearray(newest.path.read_bytes())
    raw[len(raw) // 2] ^= 0x40  # inside the database entry
    newest.path.write_bytes(bytes(raw))
    (folder / "random.cnvbackup").write_bytes(os.urandom(2000))
    with zipfile.ZipFile(folder / "z-foreign.cnvbackup", "w") as archive:
        archive.writestr("readme.txt", "not ours")
    fallback = newest_good_backup(folder, code)
    assert fallback is not None and fallback.path.name == "a-older.cnvbackup"
    assert fallback.patients == 1


def test_a_wrong_secret_for_the_newest_backup_is_not_silently_skipped(
    with_backups: tuple[Path, Path, str],
) -> None:
    _, folder, _ = with_backups
    with pytest.raises(BackupWrongSecret):
        newest_good_backup(folder, "an old passphrase perhaps")


def test_backups_of_another_vault_are_skipped_when_asked(
    with_backups: tuple[Path, Path, str],
) -> None:
    _, folder, _ = with_backups
    assert newest_good_backup(folder, PASSPHRASE, vault_id="another-vault") is None


def test_an_empty_or_missing_folder(tmp_path: Path) -> None:
    assert newest_good_backup(tmp_path, PASSPHRASE) is None
    with pytest.raises(BackupFolderUnavailable):
        newest_good_backup(tmp_path / "unplugged", PASSPHRASE)


def test_damaged_vault_flow_quarantine_then_restore_the_newest(
    with_backups: tuple[Path, Path, str],
) -> None:
    vault_path, folder, _ = with_backups
    damage(vault_path)
    damaged_bytes = sha(vault_path)
    with pytest.raises(VaultDamaged):
        Vault.unlock(vault_path, PASSPHRASE)
    newest = newest_good_backup(folder, PASSPHRASE)
    assert newest is not None
    kept = quarantine(vault_path)
    result = restore_backup(newest.path, vault_path, PASSPHRASE)
    assert result.kept is None  # the damaged files were already in quarantine
    assert sha(kept / vault_path.name) == damaged_bytes
    with Vault.unlock(vault_path, PASSPHRASE) as restored:
        assert sorted(p.family_name for p in list_patients(restored)) == ["Newer", "Older"]
        assert restored.check().sound
