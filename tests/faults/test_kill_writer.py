"""F1: kill -9 of a writer in the middle of 1,000 single-row commits.

Each round a child process unlocks the vault and commits patients one at a
time through the service layer, printing each id only after its commit
returned. The parent kills it at a random moment, reopens the vault and
checks that every acknowledged row is there, that at most one row was
committed without being acknowledged (the one in flight), and that the
integrity checks pass. Target (security.md section 8): 0 acknowledged rows lost.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fault_helpers import PASSPHRASE, SEEDED, kill_after, start, wait_ready

from carenav.services.patients import count_patients, get_patient
from carenav.store.vault import Vault

COMMITS_PER_ROUND = 1000


@dataclass
class Totals:
    rounds: int = 0
    kills: int = 0
    acknowledged: int = 0
    found: int = 0
    lost: int = 0
    unacknowledged_commits: int = 0
    seconds: float = 0.0


def one_round(db_path: Path, rng: random.Random, totals: Totals) -> None:
    with Vault.unlock(db_path, PASSPHRASE) as vault:
        before = count_patients(vault)
    child = start("writer", str(db_path), PASSPHRASE, str(COMMITS_PER_ROUND))
    wait_ready(child)
    run = kill_after(child, rng.uniform(0.2, 1.5))
    acknowledged = run.acknowledged_ids()
    with Vault.unlock(db_path, PASSPHRASE) as vault:
        present = 0
        for key in acknowledged:
            patient = get_patient(vault, uuid.UUID(hex=key))  # RecordNotFound if lost
            assert patient.family_name.startswith("Faultwriter")
            present += 1
        committed = count_patients(vault) - before
        report = vault.check()
        assert report.sound, report.summary()
    assert present == len(acknowledged)
    assert 0 <= committed - len(acknowledged) <= 1  # only the commit in flight
    totals.rounds += 1
    totals.kills += int(run.killed)
    totals.acknowledged += len(acknowledged)
    totals.found += present
    totals.unacknowledged_commits += committed - len(acknowledged)


def run_rounds(db_path: Path, rounds: int, seed: int) -> Totals:
    rng = random.Random(seed)
    totals = Totals()
    start_time = time.monotonic()
    for _ in range(rounds):
        one_round(db_path, rng, totals)
    totals.seconds = time.monotonic() - start_time
    totals.lost = totals.acknowledged - totals.found
    print(f"F1 kill -9 during commits: {totals}")
    return totals


def test_kill_9_during_commits_loses_no_acknowledged_row(closed_vault: Path) -> None:
    totals = run_rounds(closed_vault, rounds=2, seed=1)
    assert totals.lost == 0
    assert totals.acknowledged > 0  # the child really was writing when it was killed
    with Vault.unlock(closed_vault, PASSPHRASE) as vault:
        assert count_patients(vault) == SEEDED + totals.acknowledged + totals.unacknowledged_commits


@pytest.mark.slow
def test_twenty_kills_during_a_thousand_commits(closed_vault: Path) -> None:
    totals = run_rounds(closed_vault, rounds=20, seed=20)
    assert totals.rounds == 20
    assert totals.kills >= 15  # nearly every round ended with a kill, not a finished loop
    assert totals.lost == 0
    with Vault.unlock(closed_vault, PASSPHRASE) as vault:
        assert count_patients(vault) == SEEDED + totals.acknowledged + totals.unacknowledged_commits
