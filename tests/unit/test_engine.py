"""The SQLCipher engine: raw key first, safe settings, nothing secret in URLs, logs or errors."""

from __future__ import annotations

import logging
import re
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from carenav.errors import SQLCipherUnavailable, VaultLocked
from carenav.models import CaseNote, utcnow
from carenav.services.patients import create_patient
from carenav.store import engine as engine_module
from carenav.store.engine import DataKey, key_connection, make_engine, raw_connection
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
KEY_PRAGMA = re.compile(r"""^PRAGMA key = "x'[0-9a-f]{64}'"$""")
SQLITE_MAGIC = b"SQLite format 3\x00"


def key_hex(vault: Vault) -> str:
    assert vault._key is not None
    return vault._key.raw().hex()


def pragma(conn: Any, name: str) -> Any:
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


@pytest.fixture
def traced_connections(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every SQLCipher connection opened from here on, with the SQL it ran, in order."""
    traces: list[list[str]] = []
    real_connect: Callable[..., Any] = sqlcipher.connect

    def spying_connect(*args: Any, **kwargs: Any) -> Any:
        conn = real_connect(*args, **kwargs)
        statements: list[str] = []
        traces.append(statements)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlcipher, "connect", spying_connect)
    return traces


# -- the key comes first ------------------------------------------------------


def test_first_statement_on_every_connection_is_the_raw_key(
    vault_path: Path, traced_connections: list[list[str]]
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    create_patient(
        vault, {"family_name": "Abara", "given_name": "Ines", "birth_date": "1950-01-02"}
    )
    vault.close()
    vault = Vault.unlock(vault_path, PASSPHRASE)
    held = [vault.engine.connect() for _ in range(3)]  # three pooled connections at once
    for conn in held:
        assert conn.exec_driver_sql("SELECT count(*) FROM patient").scalar() == 1
    for conn in held:
        conn.close()
    assert vault.check().sound  # one fresh raw connection per check
    hex_key = key_hex(vault)
    vault.close()

    assert len(traced_connections) >= 8
    for statements in traced_connections:
        assert statements, "a connection ran no SQL at all"
        assert KEY_PRAGMA.match(statements[0]), statements[0]
        assert statements[1] == "PRAGMA cipher_version"
    assert {s[0] for s in traced_connections} == {f"PRAGMA key = \"x'{hex_key}'\""}
    assert PASSPHRASE not in "".join("".join(s) for s in traced_connections)


def test_a_wiped_or_malformed_key_never_reaches_sql() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        DataKey(bytearray(31))
    key = DataKey(bytearray(range(1, 33)))
    assert key.pragma() == f"PRAGMA key = \"x'{bytes(range(1, 33)).hex()}'\""
    key.wipe()
    assert key.wiped
    with pytest.raises(VaultLocked):
        key.pragma()
    with pytest.raises(VaultLocked):
        key.raw()


def test_engine_refuses_to_run_without_sqlcipher(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain SQLite build ignores PRAGMA key and would write plaintext."""
    monkeypatch.setattr(engine_module, "sqlcipher", sqlite3)
    with pytest.raises(SQLCipherUnavailable, match="refuses to store any data"):
        Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    assert not vault_path.exists() or vault_path.stat().st_size == 0


def test_unlock_refuses_to_run_without_sqlcipher(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)[0].close()
    before = vault_path.read_bytes()
    monkeypatch.setattr(engine_module, "sqlcipher", sqlite3)
    with pytest.raises(SQLCipherUnavailable):
        Vault.unlock(vault_path, PASSPHRASE)
    assert vault_path.read_bytes() == before


class _EmptyCipherVersion:
    """A real connection whose ``PRAGMA cipher_version`` answers with an empty string."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def cursor(self) -> Any:
        real = self._conn.cursor()
        outer = self

        class Cursor:
            def execute(self, sql: str) -> Any:
                if sql == "PRAGMA cipher_version":
                    return outer._conn.execute("SELECT ''")
                return real.execute(sql)

            def close(self) -> None:
                real.close()

        return Cursor()


def test_empty_cipher_version_is_refused(tmp_path: Path) -> None:
    conn = sqlcipher.connect(str(tmp_path / "probe.db"))
    try:
        with pytest.raises(SQLCipherUnavailable):
            key_connection(_EmptyCipherVersion(conn), DataKey(bytearray(range(32))))
    finally:
        conn.close()


# -- settings on every pooled connection --------------------------------------


def test_every_pooled_connection_has_the_safe_settings(vault: Vault) -> None:
    held = [vault.engine.connect() for _ in range(4)]  # pool_size 2 + overflow 2
    try:
        for conn in held:
            assert pragma(conn, "journal_mode") == "wal"
            assert pragma(conn, "synchronous") == 2  # FULL
            assert str(pragma(conn, "cipher_memory_security")) == "1"
            assert pragma(conn, "temp_store") == 2  # MEMORY
            assert pragma(conn, "foreign_keys") == 1
            assert pragma(conn, "secure_delete") == 1
            assert pragma(conn, "busy_timeout") == 5000
            assert pragma(conn, "cache_size") == -32768  # 32 MiB of decrypted pages
            assert str(pragma(conn, "cipher_version")).startswith("4.")
    finally:
        for conn in held:
            conn.close()


def test_sqlcipher_build_has_the_expected_crypto(vault: Vault) -> None:
    with vault.engine.connect() as conn:
        options = {row[0] for row in conn.exec_driver_sql("PRAGMA compile_options")}
        settings = " ".join(row[0] for row in conn.exec_driver_sql("PRAGMA cipher_settings"))
    assert {"HAS_CODEC", "TEMP_STORE=2"} <= options
    assert "cipher_hmac_algorithm = HMAC_SHA512" in settings
    assert "cipher_page_size = 4096" in settings
    assert "cipher_use_hmac = 1" in settings


def test_sorting_indexing_and_vacuum_leave_no_temp_files(vault: Vault, tmp_path: Path) -> None:
    temp_folder = tmp_path / "tmp"  # TMPDIR and SQLITE_TMPDIR point here (conftest)
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (n INTEGER, word TEXT)")
        conn.execute(
            text("INSERT INTO scratch VALUES (:n, :word)"),
            [{"n": n, "word": uuid.uuid4().hex} for n in range(20_000)],
        )
        conn.exec_driver_sql("CREATE INDEX scratch_word ON scratch (word)")
        assert len(conn.exec_driver_sql("SELECT word FROM scratch ORDER BY n DESC").all()) == 20_000
    with vault.engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")
    assert list(temp_folder.iterdir()) == []


# -- write-ahead log ---------------------------------------------------------


def test_close_checkpoints_the_write_ahead_log(vault: Vault) -> None:
    marker = "ZQXWAL" + uuid.uuid4().hex[:10]
    create_patient(vault, {"family_name": marker, "given_name": "Ines", "birth_date": "1950-01-02"})
    wal = Path(f"{vault.db_path}-wal")
    assert wal.exists() and wal.stat().st_size > 0
    for path in (wal, Path(f"{vault.db_path}-shm"), vault.db_path):
        raw = path.read_bytes()
        assert marker.encode() not in raw
        assert marker.encode("utf-16-le") not in raw
    assert not wal.read_bytes().startswith(SQLITE_MAGIC)

    db_path = vault.db_path
    vault.close()
    assert not wal.exists() or wal.stat().st_size == 0
    with Vault.unlock(db_path, PASSPHRASE) as again, again.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT family_name FROM patient").scalar() == marker


# -- nothing secret or personal in URLs, errors or logs -----------------------


def test_engine_url_and_repr_hold_no_key_or_passphrase(vault: Vault) -> None:
    engine: Engine = vault.engine
    hex_key = key_hex(vault)
    shown = " ".join([str(engine.url), repr(engine.url), repr(engine), str(engine.pool.status())])
    assert hex_key not in shown and hex_key.upper() not in shown
    assert PASSPHRASE not in shown
    assert engine.url.password is None
    assert engine.url.query == {}


def test_failed_insert_does_not_show_patient_text(
    vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # log every statement
    marker = "ZQXPARAM" + uuid.uuid4().hex[:10]
    orphan = CaseNote(patient_id=uuid.uuid4(), written_at=utcnow(), text=marker, subject=marker)
    with pytest.raises(IntegrityError) as caught, vault.session() as session:
        session.add(orphan)
    shown = str(caught.value) + repr(caught.value) + caplog.text
    assert "FOREIGN KEY constraint failed" in str(caught.value)
    assert "hidden due to hide_parameters=True" in str(caught.value)
    assert "INSERT INTO case_note" in caplog.text  # the statement was logged...
    assert marker not in shown  # ...but never its values


def test_wrong_key_writes_nothing_to_stderr(vault_path: Path, tmp_path: Path) -> None:
    """SQLCipher logs 'hmac check failed' to stderr by default; CareNav silences it."""
    Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)[0].close()
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        import sqlcipher3.dbapi2 as sqlcipher
        path = sys.argv[1]
        if sys.argv[2] == "carenav":
            from carenav.store.engine import DataKey, raw_connect
            conn = raw_connect(Path(path), DataKey(bytearray(b"w" * 32)))
        else:
            conn = sqlcipher.connect(path)
            conn.execute("PRAGMA key = \\"x'" + "77" * 32 + "'\\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except sqlcipher.DatabaseError as exc:
            print("refused:", exc)
        """
    )

    def run(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, str(vault_path), mode],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    plain = run("plain")
    assert "refused: file is not a database" in plain.stdout
    assert "hmac check failed" in plain.stderr  # the default this test guards against
    ours = run("carenav")
    assert "refused: file is not a database" in ours.stdout
    assert ours.stderr == ""


def test_raw_connection_is_keyed_and_closed(vault: Vault) -> None:
    assert vault._key is not None
    with raw_connection(vault.db_path, vault._key) as conn:
        assert conn.execute("SELECT count(*) FROM patient").fetchone() == (0,)
    with pytest.raises(sqlcipher.ProgrammingError):
        conn.execute("SELECT 1")


def test_make_engine_connects_lazily_and_keys_each_new_connection(tmp_path: Path) -> None:
    key = DataKey(bytearray(range(32)))
    engine = make_engine(tmp_path / "fresh.db", key)
    assert not (tmp_path / "fresh.db").exists()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('hello')")
    engine.dispose()
    assert not (tmp_path / "fresh.db").read_bytes().startswith(SQLITE_MAGIC)
    with raw_connection(tmp_path / "fresh.db", key) as conn:
        assert conn.execute("SELECT x FROM t").fetchone() == ("hello",)
