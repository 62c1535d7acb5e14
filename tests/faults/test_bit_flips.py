"""F6: a flipped bit in an uncheckpointed write-ahead-log frame.

SQLite ends the log at the first frame whose checksum fails, so one bad bit
silently throws away that commit and every later one, and both integrity
checks still say "ok" (security.md 1.5: 50 of 100 rows lost). Only a record
kept outside the database can tell: the head of the audit chain
(``<db>.audit-head``). A crash image (database, -wal, -shm, key header and
audit head copied while the vault is open) with one bit flipped in the middle
of the log must be reported as damaged, never as a wrong passphrase, and
never opened with the later commits missing.

Bit flips in the database pages, the key header, and truncated or empty
databases are covered in tests/unit/test_vault.py and tests/unit/test_header.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from pathlib import Path

import pytest
from fault_helpers import PASSPHRASE

from carenav.errors import VaultDamaged
from carenav.services.patients import count_patients, create_patient
from carenav.store.vault import Vault

WAL_HEADER = 32
FRAME_HEADER = 24
PAGE = 4096
COMMITS = 20

needs_audit_head = pytest.mark.skipif(
    importlib.util.find_spec("carenav.store.audit") is None,
    reason="the out-of-database audit-chain head (carenav.store.audit) is not built yet; "
    "without it a WAL bit flip is undetectable by design",
)


def crash_image(vault: Vault, folder: Path) -> Path:
    """Copy every file of the open vault, as a power cut would leave them."""
    folder.mkdir()
    for source in sorted(vault.db_path.parent.iterdir()):
        if source.name.startswith(vault.db_path.name) and not source.name.endswith(".tmp"):
            shutil.copyfile(source, folder / source.name)
    return folder / vault.db_path.name


def flip_bit_among_recent_frames(wal: Path) -> int:
    """Flip a bit in a frame of the last commits (every commit writes at least one frame,
    so the last COMMITS frames are theirs; the log's early frames hold the schema the
    migrations wrote, whose loss is a different damage)."""
    raw = bytearray(wal.read_bytes())
    frames = (len(raw) - WAL_HEADER) // (FRAME_HEADER + PAGE)
    assert frames >= COMMITS, f"only {frames} frames in the write-ahead log"
    middle = frames - COMMITS // 2
    offset = WAL_HEADER + middle * (FRAME_HEADER + PAGE) + FRAME_HEADER + 1000
    raw[offset] ^= 0x10
    wal.write_bytes(bytes(raw))
    return middle


@needs_audit_head
def test_flipped_bit_in_the_write_ahead_log_is_damage(vault: Vault, tmp_path: Path) -> None:
    for n in range(COMMITS):
        create_patient(
            vault,
            {
                "family_name": f"Walpatient{n:02d}",
                "given_name": "Synthetic",
                "birth_date": "1947-08-09",
                "preferred_language": "English",
            },
        )
    audit_module = importlib.import_module("carenav.store.audit")
    intact = crash_image(vault, tmp_path / "intact")
    flipped = crash_image(vault, tmp_path / "flipped")
    vault.close()
    names = sorted(p.name for p in flipped.parent.iterdir())
    for suffix in ("-wal", "-shm", ".keys", ".audit-head"):
        assert f"caseload.cnv{suffix}" in names, names

    # control: the same crash image without the flip opens with every commit
    with Vault.unlock(intact, PASSPHRASE) as opened:
        assert count_patients(opened) == COMMITS

    flip_bit_among_recent_frames(Path(f"{flipped}-wal"))
    with pytest.raises(VaultDamaged) as caught:  # not WrongPassphrase, not opened short
        Vault.unlock(flipped, PASSPHRASE)
    assert "Nothing was deleted" in str(caught.value)
    # caught by the audit head kept outside the database, not by a page check
    assert caught.value.detail == audit_module.ROLLED_BACK
    assert flipped.exists() and flipped.stat().st_size > 0
