"""Fixtures for the fault-injection suite: a closed vault made with the cheap KDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_helpers import CHEAP_KDF, PASSPHRASE, SEEDED

from carenav.services.patients import create_patient
from carenav.store.vault import Vault


@pytest.fixture
def closed_vault(vault_path: Path) -> Path:
    """A vault of SEEDED synthetic patients, closed (nothing of it held by this process)."""
    vault, _code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    for n in range(SEEDED):
        create_patient(
            vault,
            {
                "family_name": f"Seeded{n:03d}",
                "given_name": "Synthetic",
                "birth_date": "1949-11-30",
                "preferred_language": "English",
            },
        )
    vault.close()
    return vault_path
