"""Shared fixtures: a real SQLCipher vault in a temporary folder, cheap Argon2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from carenav.store import header as header_module
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's files, settings and temp files inside tmp_path; cheap KDF."""
    home = tmp_path / "home"
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("CARENAV_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("CARENAV_CONFIG_DIR", str(home / "config"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp))
    monkeypatch.setattr(header_module, "calibrate_kdf", lambda *a, **k: CHEAP_KDF)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault" / "caseload.cnv"


@pytest.fixture
def vault(vault_path: Path) -> Iterator[Vault]:
    v, _code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    yield v
    v.close()
