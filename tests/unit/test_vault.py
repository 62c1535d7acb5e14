"""The vault: key slots, recovery, passphrase change, and one clear outcome per failure."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from carenav.errors import (
    NewerVaultVersion,
    NotAVault,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WeakPassphrase,
    WrongPassphrase,
)
from carenav.services.patients import create_patient, list_patients, new_patient
from carenav.store import header as header_module
from carenav.store.header import (
    KdfParams,
    calibrate_kdf,
    normalise_secret,
    read_header,
)
from carenav.store.vault import (
    PASSPHRASE_SLOT,
    RECOVERY_SLOT,
    Vault,
    header_path_for,
    throttle_path_for,
)

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "purple elephants dance at noon"
OTHER_PASSPHRASE = "seven quiet lanterns over harbour"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
SQLITE_MAGIC = b"SQLite format 3\x00"
PAGE = 4096
REAL_CALIBRATE_KDF = calibrate_kdf  # conftest swaps in cheap parameters for every test


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_key(db_path: Path, passphrase: str = PASSPHRASE) -> bytes:
    """The raw data key, unwrapped from the passphrase slot as the vault does."""
    header = read_header(header_path_for(db_path))
    key = header.slots_of_kind("passphrase")[0].open(normalise_secret(passphrase), header.vault_id)
    assert key is not None
    return bytes(key)


def keyed(db_path: Path, key: bytes) -> sqlcipher.Connection:
    conn = sqlcipher.connect(str(db_path))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def filled_path(vault_path: Path) -> Path:
    """A closed vault of 60 patients (about 55 pages), checkpointed into one file."""
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    with vault.session() as session:
        for n in range(60):
            session.add(
                new_patient(
                    {
                        "family_name": f"Testperson{n:02d}",
                        "given_name": "Synthetic",
                        "birth_date": "1944-02-29",
                        "visit_notes": f"Visit note {n} " * 100,
                    }
                )
            )
    vault.close()
    assert not Path(f"{vault_path}-wal").exists() or Path(f"{vault_path}-wal").stat().st_size == 0
    assert vault_path.stat().st_size // PAGE >= 40
    return vault_path


def assert_damaged_and_untouched(db_path: Path, passphrase: str = PASSPHRASE) -> VaultDamaged:
    before = sha256(db_path) if db_path.exists() else None
    size = db_path.stat().st_size if db_path.exists() else None
    with pytest.raises(VaultDamaged) as caught:
        Vault.unlock(db_path, passphrase)
    if before is None:
        assert not db_path.exists()
    else:
        assert sha256(db_path) == before
        assert db_path.stat().st_size == size
    message = str(caught.value)
    assert "Nothing was deleted" in message and "restore from a backup" in message
    return caught.value


# -- creating a vault --------------------------------------------------------


def test_create_writes_an_encrypted_database_and_a_key_header_beside_it(vault_path: Path) -> None:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    header_file = vault_path.with_name("caseload.cnv.keys")
    assert header_path_for(vault_path) == header_file
    assert files_in(vault_path.parent) == [
        "caseload.cnv",
        "caseload.cnv.audit-head",
        "caseload.cnv.keys",
    ]
    raw_db = vault_path.read_bytes()
    assert not raw_db.startswith(SQLITE_MAGIC)
    assert b"Abara" not in raw_db
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(header_file.stat().st_mode) == 0o600

    header = read_header(header_file)
    assert header.initialised is True
    assert [(s.slot_id, s.kind) for s in header.slots] == [
        (PASSPHRASE_SLOT, "passphrase"),
        (RECOVERY_SLOT, "recovery"),
    ]
    assert all(s.kdf == CHEAP_KDF for s in header.slots)
    assert len(code.replace("-", "")) == 25


def test_data_key_is_random_and_used_raw_never_the_passphrase(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "one.cnv", tmp_path / "b" / "two.cnv"
    for path in (first, second):
        vault, _ = Vault.create(path, PASSPHRASE, kdf=CHEAP_KDF)
        vault.close()
    key = data_key(first)
    assert len(key) == 32
    assert key != data_key(second)
    header_bytes = header_path_for(first).read_bytes()
    assert key not in header_bytes and key.hex().encode() not in header_bytes

    with keyed(first, key) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"patient", "alembic_version"} <= tables
    passphrase_mode = sqlcipher.connect(str(first))
    passphrase_mode.execute(f"PRAGMA key = '{PASSPHRASE}'")
    with pytest.raises(sqlcipher.DatabaseError, match="not a database"):
        passphrase_mode.execute("SELECT count(*) FROM sqlite_master").fetchone()
    passphrase_mode.close()


def test_weak_passphrase_is_refused_before_anything_is_written(vault_path: Path) -> None:
    with pytest.raises(WeakPassphrase, match="at least 15 characters"):
        Vault.create(vault_path, "short one", kdf=CHEAP_KDF)
    assert not vault_path.parent.exists() or files_in(vault_path.parent) == []


@pytest.mark.parametrize(
    "present",
    [
        ("caseload.cnv", "caseload.cnv.keys"),
        ("caseload.cnv",),
        ("caseload.cnv.keys",),
        ("caseload.cnv-wal",),
    ],
)
def test_create_refuses_to_overwrite_and_leaves_files_byte_identical(
    tmp_path: Path, vault_path: Path, present: tuple[str, ...]
) -> None:
    made = tmp_path / "made" / "caseload.cnv"
    vault, _ = Vault.create(made, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    Path(f"{made}-wal").write_bytes(b"left by a session that crashed")
    vault_path.parent.mkdir()
    for name in present:
        shutil.copy2(made.parent / name, vault_path.parent / name)
    before = {p.name: p.read_bytes() for p in vault_path.parent.iterdir()}

    with pytest.raises(VaultExists, match="Nothing was changed"):
        Vault.create(vault_path, OTHER_PASSPHRASE, kdf=CHEAP_KDF)
    assert {p.name: p.read_bytes() for p in vault_path.parent.iterdir()} == before


def test_existing_vault_still_opens_after_a_refused_create(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    with pytest.raises(VaultExists):
        Vault.create(vault_path, OTHER_PASSPHRASE, kdf=CHEAP_KDF)
    with Vault.unlock(vault_path, PASSPHRASE) as again:
        assert [p.family_name for p in list_patients(again)] == ["Abara"]


# -- unlocking and the recovery code ----------------------------------------


def test_unlock_reads_back_what_was_saved(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    with Vault.unlock(vault_path, PASSPHRASE) as again:
        assert [(p.family_name, p.given_name) for p in list_patients(again)] == [("Abara", "Ines")]
        assert again.migration_backup is None


def test_recovery_code_unlocks_and_sets_a_new_passphrase(vault_path: Path) -> None:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()

    with Vault.unlock_with_recovery_code(vault_path, code, NEW_PASSPHRASE) as recovered:
        assert [p.family_name for p in list_patients(recovered)] == ["Abara"]
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, PASSPHRASE)
    with Vault.unlock(vault_path, NEW_PASSPHRASE) as again:
        assert [p.family_name for p in list_patients(again)] == ["Abara"]

    # the recovery code keeps working, typed loosely (lower case, no dashes)
    loose = code.replace("-", " ").lower()
    Vault.unlock_with_recovery_code(vault_path, loose, OTHER_PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, NEW_PASSPHRASE)
    Vault.unlock(vault_path, OTHER_PASSPHRASE).close()


def test_wrong_recovery_code_is_refused_and_changes_nothing(vault_path: Path) -> None:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    vault.close()
    header_before = header_path_for(vault_path).read_bytes()
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    with pytest.raises(WrongPassphrase, match="recovery code did not unlock"):
        Vault.unlock_with_recovery_code(vault_path, wrong, NEW_PASSPHRASE)
    with pytest.raises(WeakPassphrase):
        Vault.unlock_with_recovery_code(vault_path, code, "too short")
    assert header_path_for(vault_path).read_bytes() == header_before
    Vault.unlock(vault_path, PASSPHRASE).close()


def test_stale_header_temp_files_are_cleaned_when_the_vault_is_opened(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    vault.close()
    stale = vault_path.parent / ".caseload.cnv.keys.0badc0de.tmp"
    stale.write_bytes(b'{"format": "carenav-vault-header", "slo')
    Vault.unlock(vault_path, PASSPHRASE).close()
    assert not stale.exists()
    assert files_in(vault_path.parent) == [
        "caseload.cnv",
        "caseload.cnv.audit-head",
        "caseload.cnv.keys",
    ]


def test_closing_wipes_the_key_and_locks_the_vault(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    key_holder = vault._key
    assert key_holder is not None and not key_holder.wiped
    vault.close()
    vault.close()  # twice is harmless
    assert key_holder.wiped
    assert not vault.is_open
    with pytest.raises(VaultLocked), vault.session():
        pass
    with pytest.raises(VaultLocked):
        vault.check()


# -- changing the passphrase -------------------------------------------------


def test_change_passphrase_rewraps_only_the_slot(vault_path: Path) -> None:
    vault, code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    key_before = data_key(vault_path)
    recovery_before = read_header(header_path_for(vault_path)).slots_of_kind("recovery")[0]

    vault = Vault.unlock(vault_path, PASSPHRASE)
    vault.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    vault.close()

    # the same data key: the database was not re-encrypted (only audit rows were added)
    assert data_key(vault_path, NEW_PASSPHRASE) == key_before
    header = read_header(header_path_for(vault_path))
    assert header.slots_of_kind("recovery")[0] == recovery_before
    assert len(header.slots_of_kind("passphrase")) == 1
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, PASSPHRASE)
    with Vault.unlock(vault_path, NEW_PASSPHRASE) as again:
        assert [p.family_name for p in list_patients(again)] == ["Abara"]
    Vault.unlock_with_recovery_code(vault_path, code, OTHER_PASSPHRASE).close()


def test_change_passphrase_with_wrong_old_passphrase_changes_nothing(vault: Vault) -> None:
    before = vault.header_path.read_bytes()
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not the passphrase at all", NEW_PASSPHRASE)
    with pytest.raises(WeakPassphrase):
        vault.change_passphrase(PASSPHRASE, "password123")
    assert vault.header_path.read_bytes() == before
    db_path = vault.db_path
    vault.close()
    Vault.unlock(db_path, PASSPHRASE).close()


# -- one clear outcome per failure -------------------------------------------


def test_wrong_passphrase_never_opens_the_database(filled_path: Path) -> None:
    before = sha256(filled_path)
    with pytest.raises(WrongPassphrase) as caught:
        Vault.unlock(filled_path, "correct horse battery stapler")
    assert caught.value.failures == 1
    assert "did not unlock" in str(caught.value)
    assert sha256(filled_path) == before
    # no -wal/-shm: SQLCipher was never asked to open the file
    assert files_in(filled_path.parent) == [
        "caseload.cnv",
        "caseload.cnv.audit-head",
        "caseload.cnv.keys",
        "caseload.cnv.unlock-state",
    ]


@pytest.mark.parametrize("where", ["first", "second", "middle", "last"])
def test_flipped_bit_in_any_page_is_damage(filled_path: Path, where: str) -> None:
    raw = bytearray(filled_path.read_bytes())
    pages = len(raw) // PAGE
    page = {"first": 1, "second": 2, "middle": pages // 2, "last": pages}[where]
    raw[(page - 1) * PAGE + 1000] ^= 0x04
    filled_path.write_bytes(bytes(raw))
    error = assert_damaged_and_untouched(filled_path)
    # found at open by the page check, whether or not the schema read touches the page
    assert error.detail == "1 page(s) failed the encryption check"
    assert not throttle_path_for(filled_path).exists()  # a right passphrase is no failure


@pytest.mark.parametrize("keep", ["half", "one page", "one byte short"])
def test_truncated_database_is_damage(filled_path: Path, keep: str) -> None:
    raw = filled_path.read_bytes()
    length = {"half": len(raw) // 2, "one page": PAGE, "one byte short": len(raw) - 1}[keep]
    filled_path.write_bytes(raw[:length])
    assert_damaged_and_untouched(filled_path)


def test_zero_length_database_is_damage_not_a_new_vault(filled_path: Path) -> None:
    filled_path.write_bytes(b"")
    error = assert_damaged_and_untouched(filled_path)
    assert error.detail == "the database file is empty"
    assert filled_path.stat().st_size == 0
    assert files_in(filled_path.parent) == [
        "caseload.cnv",
        "caseload.cnv.audit-head",
        "caseload.cnv.keys",
    ]


def test_missing_database_beside_an_initialised_header_is_damage(filled_path: Path) -> None:
    filled_path.unlink()
    error = assert_damaged_and_untouched(filled_path)
    assert "missing" in error.detail
    assert not filled_path.exists()


def test_header_of_a_vault_never_finished_is_damage(filled_path: Path) -> None:
    header = read_header(header_path_for(filled_path))
    header.initialised = False
    header_module.write_header(header_path_for(filled_path), header)
    error = assert_damaged_and_untouched(filled_path)
    assert "never finished" in error.detail


@pytest.mark.parametrize(
    "replacement",
    ["random bytes", "plain sqlite", "pdf", "another vault", "salt overwritten"],
)
def test_foreign_database_beside_a_valid_header_is_damage_never_wrong_passphrase(
    filled_path: Path, tmp_path: Path, replacement: str
) -> None:
    raw = filled_path.read_bytes()
    if replacement == "random bytes":
        filled_path.write_bytes(os.urandom(8192))
    elif replacement == "plain sqlite":
        filled_path.unlink()
        with sqlite3.connect(filled_path) as plain:
            plain.execute("CREATE TABLE patient (name TEXT)")
        plain.close()
    elif replacement == "pdf":
        filled_path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    elif replacement == "another vault":
        other, _ = Vault.create(tmp_path / "other" / "x.cnv", PASSPHRASE, kdf=CHEAP_KDF)
        other.close()
        filled_path.write_bytes((tmp_path / "other" / "x.cnv").read_bytes())
    else:
        filled_path.write_bytes(os.urandom(16) + raw[16:])
    assert_damaged_and_untouched(filled_path)


@pytest.mark.parametrize("damage", ["bit flip", "truncated", "empty", "garbage json"])
def test_damaged_header_is_damage_and_the_database_is_untouched(
    filled_path: Path, damage: str
) -> None:
    header_file = header_path_for(filled_path)
    raw = bytearray(header_file.read_bytes())
    if damage == "bit flip":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "truncated":
        raw = raw[: len(raw) // 3]
    elif damage == "empty":
        raw = bytearray()
    else:
        raw[60:90] = b"@@ not json at all @@ }}}]]]]]"
    header_file.write_bytes(bytes(raw))
    assert_damaged_and_untouched(filled_path)
    assert header_file.read_bytes() == bytes(raw)


@pytest.mark.parametrize("content", ["random bytes", "plain sqlite", "pdf"])
def test_a_file_that_is_not_a_vault_is_not_a_vault(tmp_path: Path, content: str) -> None:
    path = tmp_path / "folder" / "caseload.cnv"
    path.parent.mkdir()
    if content == "random bytes":
        path.write_bytes(os.urandom(8192))
    elif content == "plain sqlite":
        with sqlite3.connect(path) as plain:
            plain.execute("CREATE TABLE notes (text TEXT)")
        plain.close()
    else:
        path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    before = sha256(path)
    with pytest.raises(NotAVault) as caught:
        Vault.unlock(path, PASSPHRASE)
    assert "is not a CareNav vault" in str(caught.value)
    if content == "plain sqlite":
        assert "unencrypted SQLite database" in str(caught.value)
    else:
        assert "caseload.cnv.keys" in str(caught.value)
    assert sha256(path) == before
    assert files_in(path.parent) == ["caseload.cnv"]


def test_no_file_at_all_is_vault_not_found(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound, match="carenav init"):
        Vault.unlock(tmp_path / "nowhere" / "caseload.cnv", PASSPHRASE)
    assert not (tmp_path / "nowhere").exists()


def test_newer_header_version_is_reported_as_newer(filled_path: Path) -> None:
    header_file = header_path_for(filled_path)
    content = json.loads(header_file.read_bytes())
    content.pop("checksum")
    content["header_version"] = header_module.HEADER_VERSION + 1
    content["checksum"] = header_module._checksum(content)
    header_file.write_text(json.dumps(content))
    before = sha256(filled_path)
    with pytest.raises(NewerVaultVersion, match="newer version of CareNav"):
        Vault.unlock(filled_path, PASSPHRASE)
    assert sha256(filled_path) == before


def test_unknown_newer_schema_revision_is_reported_as_newer(filled_path: Path) -> None:
    with keyed(filled_path, data_key(filled_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz_future'")
    conn.close()
    before = sha256(filled_path)
    with pytest.raises(NewerVaultVersion) as caught:
        Vault.unlock(filled_path, PASSPHRASE)
    assert "zzzz_future" in str(caught.value)
    assert sha256(filled_path) == before
    assert not list(filled_path.parent.glob("*.bak"))  # no migration was attempted


def test_database_with_no_tables_is_damage(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    vault.close()
    with keyed(vault_path, data_key(vault_path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            conn.execute(f'DROP TABLE "{table}"')
    conn.close()
    error = assert_damaged_and_untouched(vault_path)
    assert error.detail == "the database holds no CareNav tables"


# -- integrity check while open ----------------------------------------------


def test_check_reports_a_sound_vault(vault: Vault) -> None:
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    report = vault.check()
    assert report.sound
    assert report.cipher_problems == [] and report.structure == ["ok"]
    assert report.foreign_key_problems == 0 and report.schema_current
    assert report.summary().startswith("The vault is sound")


def test_check_names_a_page_damaged_while_the_vault_is_open(filled_path: Path) -> None:
    vault = Vault.unlock(filled_path, PASSPHRASE)
    raw = bytearray(filled_path.read_bytes())
    page = len(raw) // PAGE // 2
    raw[(page - 1) * PAGE + 1000] ^= 0x04
    filled_path.write_bytes(bytes(raw))
    report = vault.check()
    vault.close(checkpoint_first=False)
    assert not report.sound
    assert report.cipher_problems == [f"HMAC verification failed for page {page}"]
    assert report.structure != ["ok"]
    assert report.schema_current  # the schema pages are intact: not misreported as outdated
    assert report.summary() == (
        "The vault is damaged: 1 page(s) failed the encryption check; "
        "the database structure check failed."
    )


# -- production key derivation (slow) ----------------------------------------


@pytest.mark.slow
def test_production_calibration_meets_the_floor_and_unwraps_in_half_a_second(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(header_module, "calibrate_kdf", REAL_CALIBRATE_KDF)
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    header = read_header(header_path_for(vault_path))
    for slot in header.slots:
        assert slot.kdf.time_cost >= 3
        assert slot.kdf.memory_kib >= 64 * 1024
        assert slot.kdf.parallelism >= 1
    slot = header.slots_of_kind("passphrase")[0]
    start = time.perf_counter()
    key = slot.open(normalise_secret(PASSPHRASE), header.vault_id)
    elapsed = time.perf_counter() - start
    assert key is not None
    assert 0.25 <= elapsed <= 2.0, f"unwrap took {elapsed:.2f} s"
    Vault.unlock(vault_path, PASSPHRASE).close()


def test_slots_use_the_calibrated_parameters_when_none_are_given(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calibrated = KdfParams(time_cost=2, memory_kib=9216, parallelism=1)
    monkeypatch.setattr(header_module, "calibrate_kdf", lambda *a, **k: calibrated)
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.close()
    assert [s.kdf for s in read_header(header_path_for(vault_path)).slots] == [calibrated] * 2
