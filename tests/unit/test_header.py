"""The key header: AES-256-GCM key slots, its checksum, and atomic writes."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from carenav.errors import NewerVaultVersion, NotAVault, VaultDamaged
from carenav.store import header as header_module
from carenav.store.header import (
    HEADER_VERSION,
    KdfParams,
    KeySlot,
    VaultHeader,
    atomic_write,
    clean_stale_temp_files,
    new_recovery_code,
    normalise_recovery_code,
    normalise_secret,
    read_header,
    write_header,
)

CHEAP = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
SECRET = "correct horse battery staple"
DATA_KEY = bytes(range(32))
VAULT_ID = "0b8f4a52-1111-4c3e-9a55-6f0e2f1f0c11"


def sealed(slot_id: str = "passphrase:local", secret: str = SECRET) -> KeySlot:
    return KeySlot.seal(
        slot_id=slot_id,
        kind="passphrase",
        secret=secret,
        data_key=DATA_KEY,
        vault_id=VAULT_ID,
        kdf=CHEAP,
    )


def sample_header() -> VaultHeader:
    return VaultHeader(
        vault_id=VAULT_ID,
        created_at="2026-01-05T09:00:00+00:00",
        app_version="0.1.0",
        slots=[sealed(), sealed("recovery", "ABCDE12345")],
    )


def rewritten(raw: bytes, **changes: object) -> bytes:
    """The header JSON with fields changed and a checksum that matches again."""
    content = json.loads(raw)
    content.pop("checksum")
    content.update(changes)
    content["checksum"] = header_module._checksum(content)
    return json.dumps(content).encode()


# -- key slots ---------------------------------------------------------------


def test_slot_unwraps_the_data_key_with_its_own_secret_only() -> None:
    slot = sealed()
    assert slot.open(SECRET, VAULT_ID) == bytearray(DATA_KEY)
    assert slot.open(SECRET + " ", VAULT_ID) is None
    assert slot.open("Correct horse battery staple", VAULT_ID) is None
    assert len(slot.salt) == 16 and len(slot.nonce) == 12
    # AES-256-GCM: 32 bytes of key plus a 16-byte tag, never the key itself
    assert len(slot.ciphertext) == 48
    assert DATA_KEY not in slot.ciphertext


def test_slot_is_bound_to_its_vault_and_its_slot_id() -> None:
    slot = sealed()
    assert slot.open(SECRET, "another-vault-id") is None
    moved = KeySlot("recovery", slot.kind, slot.kdf, slot.salt, slot.nonce, slot.ciphertext)
    assert moved.open(SECRET, VAULT_ID) is None


@pytest.mark.parametrize("part", ["salt", "nonce", "ciphertext"])
def test_any_flipped_bit_in_a_slot_is_rejected(part: str) -> None:
    slot = sealed()
    original: bytes = getattr(slot, part)
    for index in (0, len(original) // 2, len(original) - 1):
        damaged = bytearray(original)
        damaged[index] ^= 0x01
        setattr(slot, part, bytes(damaged))
        assert slot.open(SECRET, VAULT_ID) is None
        setattr(slot, part, original)
    assert slot.open(SECRET, VAULT_ID) == bytearray(DATA_KEY)


def test_each_seal_uses_fresh_salt_and_nonce() -> None:
    first, second = sealed(), sealed()
    assert first.salt != second.salt
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


def test_slot_records_argon2id_and_its_parameters() -> None:
    slot_json = sealed().to_json()
    assert slot_json["kdf"] == {"name": "argon2id", "t": 1, "m": 8192, "p": 1}
    again = KeySlot.from_json(slot_json)
    assert again.kdf == CHEAP
    assert again.open(SECRET, VAULT_ID) == bytearray(DATA_KEY)


def test_derivation_depends_on_every_parameter() -> None:
    salt = b"s" * 16
    keys = {
        KdfParams(1, 8192, 1).derive(SECRET, salt),
        KdfParams(2, 8192, 1).derive(SECRET, salt),
        KdfParams(1, 16384, 1).derive(SECRET, salt),
        KdfParams(1, 8192, 2).derive(SECRET, salt),
        KdfParams(1, 8192, 1).derive(SECRET, b"t" * 16),
    }
    assert len(keys) == 5
    assert all(len(k) == 32 for k in keys)


def test_lone_surrogate_secret_derives_without_crashing() -> None:
    key = CHEAP.derive("abc\ud800def", b"s" * 16)
    assert len(key) == 32
    assert key != CHEAP.derive("abcdef", b"s" * 16)


# -- secrets and recovery codes ---------------------------------------------


def test_recovery_code_is_five_groups_of_crockford_base32() -> None:
    code = new_recovery_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}", code)
    assert new_recovery_code() != code


def test_recovery_code_forgives_case_spacing_and_look_alike_letters() -> None:
    assert normalise_recovery_code("abcd0-1ef2g") == "ABCD01EF2G"
    assert normalise_recovery_code("o0 Il1") == "00111"
    assert normalise_recovery_code(" 7k3m9-\tq ") == "7K3M9Q"


def test_secret_is_nfkc_normalised_and_never_truncated() -> None:
    assert normalise_secret("ﬁsh ﬁnger") == "fish finger"
    assert normalise_secret("Ａ１") == "A1"
    long_secret = "word " * 500
    assert normalise_secret(long_secret) == long_secret


# -- the header file ---------------------------------------------------------


def test_header_round_trips_through_bytes(tmp_path: Path) -> None:
    path = tmp_path / "caseload.cnv.keys"
    write_header(path, sample_header())
    loaded = read_header(path)
    assert loaded.vault_id == VAULT_ID
    assert loaded.initialised is True
    assert [s.slot_id for s in loaded.slots] == ["passphrase:local", "recovery"]
    assert loaded.slots_of_kind("passphrase")[0].open(SECRET, VAULT_ID) == bytearray(DATA_KEY)
    content = json.loads(path.read_bytes())
    assert content["format"] == "carenav-vault-header"
    assert content["header_version"] == HEADER_VERSION
    assert re.fullmatch(r"[0-9a-f]{64}", content["checksum"])


def test_header_holds_no_key_or_secret_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "caseload.cnv.keys"
    write_header(path, sample_header())
    raw = path.read_bytes()
    assert DATA_KEY not in raw
    assert DATA_KEY.hex().encode() not in raw
    assert SECRET.encode() not in raw


def test_every_single_bit_flip_in_the_header_is_reported_as_damage() -> None:
    raw = sample_header().to_bytes()
    outcomes: dict[str, int] = {}
    for index in range(len(raw)):
        for bit in range(8):
            damaged = bytearray(raw)
            damaged[index] ^= 1 << bit
            try:
                VaultHeader.from_bytes(bytes(damaged), path="caseload.cnv.keys")
                outcome = "opened"
            except VaultDamaged:
                outcome = "damaged"
            except Exception as exc:
                outcome = type(exc).__name__
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes == {"damaged": len(raw) * 8}


def test_header_cut_short_at_any_length_is_damage() -> None:
    raw = sample_header().to_bytes()
    for length in range(1, len(raw) - 1):
        with pytest.raises(VaultDamaged):
            VaultHeader.from_bytes(raw[:length], path="caseload.cnv.keys")


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated-half"),
        pytest.param(lambda raw: raw[:40], id="truncated-start"),
        pytest.param(lambda raw: raw[:-2], id="truncated-tail"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw[:200] + b"}}{{ garbage ]]" + raw[215:], id="garbage-json"),
        pytest.param(lambda raw: raw.replace(b'"slots"', b'"slotz"'), id="renamed-field"),
        pytest.param(lambda raw: raw.replace(b"\n", b"\n\x00", 1), id="nul-byte"),
        pytest.param(lambda raw: raw[:300] + b"\xff\xfe\xfd" + raw[303:], id="invalid-utf8"),
    ],
)
def test_damaged_header_file_is_vault_damaged(tmp_path: Path, mangle: object) -> None:
    path = tmp_path / "caseload.cnv.keys"
    write_header(path, sample_header())
    path.write_bytes(mangle(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(VaultDamaged):
        read_header(path)


def test_header_with_valid_checksum_but_missing_fields_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "caseload.cnv.keys"
    raw = sample_header().to_bytes()
    content = json.loads(raw)
    content.pop("checksum")
    del content["vault_id"]
    content["checksum"] = header_module._checksum(content)
    path.write_bytes(json.dumps(content).encode())
    with pytest.raises(VaultDamaged, match="missing required fields"):
        read_header(path)


def test_newer_header_version_is_reported_as_newer(tmp_path: Path) -> None:
    path = tmp_path / "caseload.cnv.keys"
    path.write_bytes(rewritten(sample_header().to_bytes(), header_version=HEADER_VERSION + 1))
    with pytest.raises(NewerVaultVersion) as caught:
        read_header(path)
    assert f"key header version {HEADER_VERSION + 1}" in str(caught.value)
    assert "Install the latest CareNav" in str(caught.value)


def test_foreign_json_is_not_a_vault_header(tmp_path: Path) -> None:
    path = tmp_path / "caseload.cnv.keys"
    path.write_bytes(b'{"name": "shopping list", "items": ["milk"]}')
    with pytest.raises(NotAVault):
        read_header(path)


# -- atomic writes -----------------------------------------------------------


def test_atomic_write_uses_temp_file_fsync_rename_then_folder_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "vault"
    folder.mkdir()
    target = folder / "caseload.cnv.keys"
    target.write_bytes(b"old")
    events: list[tuple[str, str]] = []
    real_open, real_fsync, real_replace = os.open, os.fsync, os.replace
    fd_names: dict[int, str] = {}

    def spy_open(path: str | Path, flags: int, mode: int = 0o777) -> int:
        fd = real_open(path, flags, mode)
        fd_names[fd] = Path(path).name
        events.append(("open", Path(path).name))
        return fd

    def spy_fsync(fd: int) -> None:
        events.append(("fsync", fd_names.get(fd, "?")))
        real_fsync(fd)

    def spy_replace(src: str | Path, dst: str | Path) -> None:
        events.append(("replace", f"{Path(src).name}->{Path(dst).name}"))
        assert Path(dst).read_bytes() == b"old"  # the target is untouched until the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    atomic_write(target, b"new content")

    tmp_name = events[0][1]
    assert re.fullmatch(r"\.caseload\.cnv\.keys\.[0-9a-f]{8}\.tmp", tmp_name)
    assert events == [
        ("open", tmp_name),
        ("fsync", tmp_name),
        ("replace", f"{tmp_name}->caseload.cnv.keys"),
        ("open", "vault"),
        ("fsync", "vault"),
    ]
    assert target.read_bytes() == b"new content"
    assert sorted(p.name for p in folder.iterdir()) == ["caseload.cnv.keys"]


def test_atomic_write_creates_owner_only_files(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        target = tmp_path / "caseload.cnv.keys"
        write_header(target, sample_header())
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        target.chmod(0o644)
        write_header(target, sample_header())
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "vault"
    folder.mkdir()
    target = folder / "caseload.cnv.keys"
    write_header(target, sample_header())
    before = target.read_bytes()

    def disk_full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_header(target, sample_header())
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["caseload.cnv.keys"]


def test_stale_temp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / ".caseload.cnv.keys.1a2b3c4d.tmp").write_bytes(b"half a header")
    (folder / ".caseload.cnv.keys.deadbeef.tmp").write_bytes(b"")
    keep = [
        folder / "caseload.cnv.keys",
        folder / "caseload.cnv",
        folder / ".other.cnv.keys.1a2b3c4d.tmp",
        folder / "notes.tmp",
    ]
    for path in keep:
        path.write_bytes(b"x")
    clean_stale_temp_files(folder, "caseload.cnv.keys")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in keep)
