"""F2: kill -9 during a passphrase change.

A child process changes the passphrase back and forth as fast as it can and
is killed at a random moment. The key header is rewritten atomically (temp
file, fsync, rename, fsync of the folder), so afterwards exactly one of the
two passphrases opens the vault, with all its data, and no temporary file is
left behind once the vault has been opened.
"""

from __future__ import annotations

import random
import stat
import time
from pathlib import Path

import pytest
from fault_helpers import OTHER_PASSPHRASE, PASSPHRASE, SEEDED, kill_after, start, wait_ready

from carenav.errors import WrongPassphrase
from carenav.services.patients import count_patients, list_patients
from carenav.store.vault import Vault, header_path_for

BOTH = (PASSPHRASE, OTHER_PASSPHRASE)


def which_opens(db_path: Path) -> list[int]:
    """Indexes of the passphrases that open the vault; each opening checks all data."""
    opened = []
    for index, passphrase in enumerate(BOTH):
        try:
            vault = Vault.unlock(db_path, passphrase)
        except WrongPassphrase:
            continue
        with vault:
            assert count_patients(vault) == SEEDED
            assert sorted(p.family_name for p in list_patients(vault)) == [
                f"Seeded{n:03d}" for n in range(SEEDED)
            ]
            assert vault.check().sound
        opened.append(index)
    return opened


def run_rounds(db_path: Path, rounds: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    changes = 0
    start_time = time.monotonic()
    for _ in range(rounds):
        child = start("passwd", str(db_path), *BOTH)
        ready = wait_ready(child)
        run = kill_after(child, rng.uniform(0.05, 1.0))
        assert run.killed
        acknowledged = [int(line.split()[1]) for line in run.lines if line.startswith("now ")]
        last = acknowledged[-1] if acknowledged else int(ready.split()[1])
        opened = which_opens(db_path)
        assert len(opened) == 1, f"passphrases that open: {opened}"
        # either the last acknowledged passphrase, or the change in flight completed
        assert opened[0] in (last, 1 - last)
        header = header_path_for(db_path)
        assert stat.S_IMODE(header.stat().st_mode) == 0o600
        assert sorted(db_path.parent.glob(f".{header.name}.*.tmp")) == []  # cleaned at open
        changes += len(acknowledged)
    figures = {"rounds": rounds, "changes": changes, "seconds": time.monotonic() - start_time}
    print(f"F2 kill -9 during passphrase changes: {figures}")
    return figures


def test_kill_9_during_passphrase_change_leaves_exactly_one_passphrase(
    closed_vault: Path,
) -> None:
    figures = run_rounds(closed_vault, rounds=3, seed=3)
    assert figures["changes"] > 0


@pytest.mark.slow
def test_thirty_kills_during_passphrase_changes(closed_vault: Path) -> None:
    figures = run_rounds(closed_vault, rounds=30, seed=30)
    assert figures["changes"] > 30
