"""F3: the disk fills up while the vault is being written.

The child limits the size of any file it writes (RLIMIT_FSIZE, with SIGXFSZ
ignored so the write fails instead of killing it) and commits until a commit
fails. The failure must be translated into a clear message, and every row
committed before it must still be there, with the vault sound.
"""

from __future__ import annotations

import errno
import json
import time
import uuid
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from fault_helpers import PASSPHRASE, SEEDED, start, wait_ready
from sqlalchemy.exc import OperationalError

from carenav.errors import CareNavError
from carenav.services.patients import count_patients, get_patient
from carenav.store.faults import StorageFull, translate_storage_error
from carenav.store.vault import Vault

HEADROOM = 2 * 1024 * 1024


def test_disk_full_is_a_clear_error_and_every_committed_row_survives(closed_vault: Path) -> None:
    limit = closed_vault.stat().st_size + HEADROOM
    start_time = time.monotonic()
    child = start("diskfull", str(closed_vault), PASSPHRASE, str(limit))
    wait_ready(child)
    out, err = child.communicate(timeout=120)
    seconds = time.monotonic() - start_time
    assert child.returncode == 0, err[-2000:]
    lines = [line for line in out.splitlines() if line]
    acknowledged = lines[:-1]
    outcome = json.loads(lines[-1])
    assert outcome["translated"] == "StorageFull", outcome
    assert outcome["message"] == str(StorageFull())
    assert "Everything saved before it is safe" in outcome["message"]
    assert len(acknowledged) > 50  # it failed because the disk was full, not at once

    with Vault.unlock(closed_vault, PASSPHRASE) as vault:
        assert count_patients(vault) == SEEDED + len(acknowledged)
        for key in acknowledged:
            assert get_patient(vault, uuid.UUID(hex=key)).family_name.startswith("Faultwriter")
        report = vault.check()
        assert report.sound, report.summary()
    print(
        f"F3 disk full: {len(acknowledged)} commits before the error "
        f"({outcome['raised']}: {outcome['driver']}), all present, integrity ok, {seconds:.1f} s"
    )


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        OSError(errno.EFBIG, "File too large"),
        sqlcipher.OperationalError("database or disk is full"),
        sqlcipher.OperationalError("disk I/O error"),
        OperationalError("INSERT", {}, sqlcipher.OperationalError("disk I/O error")),
    ],
)
def test_storage_failures_become_storage_full(error: BaseException) -> None:
    translated = translate_storage_error(error)
    assert isinstance(translated, StorageFull) and isinstance(translated, CareNavError)
    assert str(translated).startswith("CareNav could not save your last change")


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EACCES, "Permission denied"),
        sqlcipher.DatabaseError("file is not a database"),
        sqlcipher.IntegrityError("UNIQUE constraint failed"),
        ValueError("disk I/O error"),  # not a storage error, whatever its text
    ],
)
def test_other_errors_are_left_alone(error: BaseException) -> None:
    assert translate_storage_error(error) is None
