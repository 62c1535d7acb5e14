"""The vault: an encrypted SQLCipher database plus its key header.

Opening follows a fixed order so each failure has one clear meaning:

1. the header is read and checked (missing, foreign, damaged, newer);
2. a key slot is opened (only a wrong passphrase fails here);
3. the database file is checked to exist and be non-empty;
4. every page's HMAC is verified on a fresh connection (a damaged page that
   the schema read would not touch fails here; ~80 ms for 10,000 patients);
5. SQLCipher reads the schema (damage or foreign data fails here);
6. the schema revision is compared (newer, older: migrate after a backup);
7. the audit trail must reach the chain head kept beside it (``<db>.audit-head``):
   a database that falls short of it (rolled back, truncated, a damaged WAL frame)
   is damaged; then the unlock, and the failed attempts before it, are audited.

A fresh empty database is created only by ``Vault.create``; never in place
of an existing vault.
"""

from __future__ import annotations

import contextlib
import getpass
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import close_all_sessions
from sqlmodel import Session

from carenav import __version__
from carenav.errors import (
    MigrationFailed,
    NotAVault,
    UnlockDelayed,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WeakPassphrase,
    WrongPassphrase,
)
from carenav.store import header as header_module
from carenav.store import migrate
from carenav.store.audit import (
    TRAIL_KEY,
    AuditedSession,
    AuditEntry,
    AuditTrail,
    ChainReport,
    pending_failed_unlocks,
    record_event,
    record_failed_unlock,
    verify_chain,
)
from carenav.store.engine import DataKey, checkpoint, make_engine, raw_connection
from carenav.store.faults import translate_storage_error
from carenav.store.header import (
    KdfParams,
    KeySlot,
    VaultHeader,
    clean_stale_temp_files,
    new_recovery_code,
    normalise_recovery_code,
    normalise_secret,
    read_header,
    write_header,
)
from carenav.store.lockout import UnlockThrottle
from carenav.store.passphrase import check_passphrase

SQLITE_MAGIC = b"SQLite format 3\x00"
PASSPHRASE_SLOT = "passphrase:local"  # noqa: S105 (a slot id, not a secret)
RECOVERY_SLOT = "recovery"


def header_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def throttle_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".unlock-state")


def local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class IntegrityReport:
    cipher_problems: list[str]
    structure: list[str]
    foreign_key_problems: int
    schema_current: bool
    audit: ChainReport | None = None  # None: the trail could not be read (see the pages)

    @property
    def sound(self) -> bool:
        return (
            not self.cipher_problems
            and self.structure == ["ok"]
            and self.foreign_key_problems == 0
            and self.schema_current
            and (self.audit is None or self.audit.intact)
        )

    def summary(self) -> str:
        if self.sound:
            return "The vault is sound: encryption, structure and schema checks passed."
        parts = []
        if self.cipher_problems:
            parts.append(f"{len(self.cipher_problems)} page(s) failed the encryption check")
        if self.structure != ["ok"]:
            parts.append("the database structure check failed")
        if self.foreign_key_problems:
            parts.append(f"{self.foreign_key_problems} broken record link(s)")
        if not self.schema_current:
            parts.append("the schema is not at the current version")
        if self.audit is not None and not self.audit.intact:
            parts.append(f"the audit trail is not intact ({self.audit.reason.rstrip('.')})")
        return "The vault is damaged: " + "; ".join(parts) + "."


# SQLite result codes that say "not now" or "not allowed", never "damaged":
# BUSY, LOCKED, NOMEM, IOERR, FULL, CONSTRAINT.
NOT_DAMAGE_CODES = frozenset({5, 6, 7, 10, 13, 19})


def _is_damage(exc: BaseException) -> bool:
    driver_error = exc.orig if isinstance(exc, SADatabaseError) else exc
    if not isinstance(driver_error, sqlcipher.DatabaseError):
        return False
    code = getattr(driver_error, "sqlite_errorcode", None)
    return code is None or (int(code) & 0xFF) not in NOT_DAMAGE_CODES


def _failed_pages(db_path: Path, key: DataKey) -> list[str]:
    """Pages of the main file whose HMAC fails, checked on a fresh connection."""
    with raw_connection(db_path, key) as conn:
        return [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]


class Vault:
    """An unlocked vault. Create with ``Vault.create`` or ``Vault.unlock``."""

    def __init__(self, db_path: Path, header: VaultHeader, key: DataKey) -> None:
        self.db_path = db_path
        self.header_path = header_path_for(db_path)
        self.header = header
        self._key: DataKey | None = key
        self._engine: Engine | None = make_engine(db_path, key)
        self.migration_backup: Path | None = None
        self.audit = AuditTrail(db_path, lambda: self.data_key, local_user())

    # -- creation -------------------------------------------------------

    @classmethod
    def create(
        cls, db_path: Path, passphrase: str, *, kdf: KdfParams | None = None
    ) -> tuple[Vault, str]:
        """Create a new vault; returns it unlocked with the recovery code (shown once)."""
        db_path = Path(db_path)
        header_path = header_path_for(db_path)
        for existing in (db_path, header_path, Path(f"{db_path}-wal")):
            if existing.exists():
                raise VaultExists(str(db_path))
        verdict = check_passphrase(passphrase)
        if not verdict.acceptable:
            raise WeakPassphrase(verdict.problem)
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        kdf = kdf or header_module.calibrate_kdf()
        data_key = bytearray(secrets.token_bytes(32))
        vault_id = str(uuid.uuid4())
        recovery_code = new_recovery_code()
        header = VaultHeader(
            vault_id=vault_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            app_version=__version__,
            initialised=False,
        )
        header.slots = [
            KeySlot.seal(
                slot_id=PASSPHRASE_SLOT,
                kind="passphrase",
                secret=normalise_secret(passphrase),
                data_key=data_key,
                vault_id=vault_id,
                kdf=kdf,
            ),
            KeySlot.seal(
                slot_id=RECOVERY_SLOT,
                kind="recovery",
                secret=normalise_recovery_code(recovery_code),
                data_key=data_key,
                vault_id=vault_id,
                kdf=kdf,
            ),
        ]
        # The header goes first, marked not yet initialised: a crash now leaves
        # a header without a database, which `create` refuses to overwrite.
        write_header(header_path, header)
        vault = cls(db_path, header, DataKey(data_key))
        try:
            migrate.upgrade(vault.engine)
            db_path.chmod(0o600)
        except BaseException:
            vault.close()
            raise
        header.initialised = True
        write_header(header_path, header)
        try:
            record_event(vault, "vault_created")
        except BaseException:
            vault.close()
            raise
        return vault, recovery_code

    # -- unlocking ------------------------------------------------------

    @staticmethod
    def _read_header(db_path: Path) -> VaultHeader:
        header_path = header_path_for(db_path)
        clean_stale_temp_files(header_path.parent, header_path.name)
        try:
            return read_header(header_path)
        except FileNotFoundError:
            if not db_path.exists():
                raise VaultNotFound(str(db_path)) from None
            with open(db_path, "rb") as fh:
                start = fh.read(16)
            if start == SQLITE_MAGIC:
                raise NotAVault(str(db_path), "it is an unencrypted SQLite database") from None
            raise NotAVault(
                str(db_path),
                "its key header file is missing; if you moved the vault, "
                f"move {header_path.name} with it",
            ) from None

    @classmethod
    def unlock(
        cls,
        db_path: Path,
        passphrase: str,
        *,
        throttle: UnlockThrottle | None = None,
        allow_migration: bool = True,
    ) -> Vault:
        db_path = Path(db_path)
        header = cls._read_header(db_path)
        throttle = throttle or UnlockThrottle(throttle_path_for(db_path))
        wait = throttle.wait_remaining()
        if wait > 0:
            raise UnlockDelayed(wait)
        key: bytearray | None = None
        secret = normalise_secret(passphrase)
        for slot in header.slots_of_kind("passphrase"):
            key = slot.open(secret, header.vault_id)
            if key is not None:
                break
        if key is None:
            failures = record_failed_unlock(throttle, "passphrase")
            raise WrongPassphrase(failures, throttle.wait_remaining())
        events = [*pending_failed_unlocks(throttle.path), AuditEntry("unlock", detail="passphrase")]
        throttle.reset()
        return cls._open_with_key(
            db_path, header, key, allow_migration=allow_migration, events=events
        )

    @classmethod
    def unlock_with_recovery_code(
        cls, db_path: Path, recovery_code: str, new_passphrase: str
    ) -> Vault:
        """Open with the recovery code and set a new passphrase in the same step."""
        db_path = Path(db_path)
        header = cls._read_header(db_path)
        verdict = check_passphrase(new_passphrase)
        if not verdict.acceptable:
            raise WeakPassphrase(verdict.problem)
        # Not held back by the passphrase delay: UnlockDelayed offers the recovery
        # code as the way out, and a 125-bit code cannot be guessed online anyway.
        throttle = UnlockThrottle(throttle_path_for(db_path))
        key = None
        for slot in header.slots_of_kind("recovery"):
            key = slot.open(normalise_recovery_code(recovery_code), header.vault_id)
            if key is not None:
                break
        if key is None:
            failures = record_failed_unlock(throttle, "recovery code")
            err = WrongPassphrase(failures, throttle.wait_remaining())
            err.args = ("That recovery code did not unlock the vault. Check each group of five.",)
            raise err
        events = [
            *pending_failed_unlocks(throttle.path),
            AuditEntry("recovery_used", detail="unlocked with the recovery code"),
        ]
        throttle.reset()
        vault = cls._open_with_key(db_path, header, key, allow_migration=True, events=events)
        vault._rewrap_passphrase(new_passphrase)
        record_event(
            vault, "passphrase_changed", detail="new passphrase set with the recovery code"
        )
        return vault

    @classmethod
    def _open_with_key(
        cls,
        db_path: Path,
        header: VaultHeader,
        key: bytearray,
        *,
        allow_migration: bool,
        events: list[AuditEntry],
    ) -> Vault:
        data_key = DataKey(key)
        if not header.initialised:
            data_key.wipe()
            raise VaultDamaged("the vault was never finished being created")
        if not db_path.exists():
            data_key.wipe()
            raise VaultDamaged("the database file is missing beside its key header")
        if db_path.stat().st_size == 0:
            data_key.wipe()
            raise VaultDamaged("the database file is empty")
        try:
            failed_pages = _failed_pages(db_path, data_key)
        except sqlcipher.DatabaseError:
            data_key.wipe()
            raise VaultDamaged("the database file cannot be decrypted or read") from None
        if failed_pages:
            data_key.wipe()
            raise VaultDamaged(f"{len(failed_pages)} page(s) failed the encryption check")
        vault = cls(db_path, header, data_key)
        try:
            state = migrate.schema_state(vault.engine)
            if not state.has_tables or state.current is None:
                raise VaultDamaged("the database holds no CareNav tables")
            if not state.is_current and not allow_migration:
                raise VaultDamaged("the database schema needs an upgrade")
        except BaseException as exc:
            vault.close(checkpoint_first=False)
            if _is_damage(exc):
                raise VaultDamaged("the database file cannot be decrypted or read") from None
            raise
        if not state.is_current:
            vault._migrate(state.current)
        vault._audit_opening(events)
        return vault

    def _audit_opening(self, events: list[AuditEntry]) -> None:
        """Check the database reaches the audit head kept beside it, then record the
        unlock (and the failed attempts before it) in one transaction."""
        try:
            with self.session() as session:
                warnings = self.audit.reconcile_at_open(session.connection())
                if warnings or events:
                    self.audit.append(session, [*warnings, *events])
        except BaseException as exc:
            self.close(checkpoint_first=False)
            if _is_damage(exc):
                raise VaultDamaged("the database file cannot be decrypted or read") from None
            raise

    def _migrate(self, from_revision: str) -> None:
        """Back up, then upgrade in one transaction. A failure here (a full disk, a
        faulty step) is not damage: the vault is left as it was, so it propagates."""
        try:
            self.migration_backup = migrate.backup_before_migration(
                self.engine, self.db_path, from_revision
            )
            migrate.upgrade(self.engine)
        except Exception as exc:
            self.close(checkpoint_first=False)
            raise MigrationFailed(self.migration_backup) from exc
        except BaseException:
            self.close(checkpoint_first=False)
            raise

    # -- use ------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise VaultLocked()
        return self._engine

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on error."""
        info = {TRAIL_KEY: self.audit}
        with AuditedSession(self.engine, expire_on_commit=False, info=info) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                storage = translate_storage_error(exc)
                if storage is not None:
                    raise storage from exc
                raise

    @contextlib.contextmanager
    def raw_connection(self) -> Iterator[Any]:
        """A fresh keyed DB-API connection outside the pool (backups, checks)."""
        if self._key is None:
            raise VaultLocked()
        with raw_connection(self.db_path, self._key) as conn:
            yield conn

    @property
    def data_key(self) -> DataKey:
        """The unlocked data key (for deriving sub-keys such as the audit key)."""
        if self._key is None:
            raise VaultLocked()
        return self._key

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under a new passphrase; the database is not rewritten."""
        secret = normalise_secret(old)
        if not any(
            s.open(secret, self.header.vault_id) is not None
            for s in self.header.slots_of_kind("passphrase")
        ):
            raise WrongPassphrase()
        self._rewrap_passphrase(new)
        record_event(self, "passphrase_changed")

    def _rewrap_passphrase(self, new: str) -> None:
        verdict = check_passphrase(new)
        if not verdict.acceptable:
            raise WeakPassphrase(verdict.problem)
        if self._key is None:
            raise VaultLocked()
        old_slot = self.header.slots_of_kind("passphrase")[0]
        slot = KeySlot.seal(
            slot_id=PASSPHRASE_SLOT,
            kind="passphrase",
            secret=normalise_secret(new),
            data_key=self._key.raw(),
            vault_id=self.header.vault_id,
            kdf=old_slot.kdf,
        )
        self.header.replace_slot(slot)
        write_header(self.header_path, self.header)

    def check(self) -> IntegrityReport:
        """Integrity checks, each on its own fresh connection (sqlcipher#617)."""
        if self._key is None:
            raise VaultLocked()
        checkpoint(self.engine)
        cipher = self._fresh_check("PRAGMA cipher_integrity_check")
        structure = self._fresh_check("PRAGMA integrity_check")
        links = self._fresh_check("PRAGMA foreign_key_check")
        try:
            schema_current = migrate.schema_state(self.engine).is_current
        except SADatabaseError:
            schema_current = False
        report = IntegrityReport(
            cipher if cipher is not None else ["the encryption check could not read the file"],
            structure if structure is not None else ["the structure check could not run"],
            len(links) if links is not None else 0,
            schema_current,
            self._verify_audit_quietly(),
        )
        self._audit_quietly(
            "integrity_check",
            outcome="success" if report.sound else "failure",
            detail=report.summary(),
        )
        return report

    def _verify_audit_quietly(self) -> ChainReport | None:
        try:
            return verify_chain(self)
        except (SADatabaseError, sqlcipher.DatabaseError):
            return None

    def _audit_quietly(self, action: str, *, outcome: str = "success", detail: str = "") -> bool:
        """Best effort, for moments that must not fail (locking, checking a damaged file)."""
        try:
            record_event(self, action, outcome=outcome, detail=detail)
        except Exception:  # a full disk or a damaged page must not block a lock
            return False
        return True

    def _fresh_check(self, pragma: str) -> list[str] | None:
        """One check on its own connection; None when the check itself failed to run."""
        if self._key is None:
            raise VaultLocked()
        try:
            with raw_connection(self.db_path, self._key) as conn:
                return [str(row[0]) for row in conn.execute(pragma)]
        except sqlcipher.DatabaseError:
            return None

    def lock(self, reason: str) -> None:
        """Record the lock ("manual", "idle", "screen", "suspend", "quit") and close.

        The lock always happens: when the event cannot be written, the vault closes anyway.
        """
        if self._engine is not None:
            self._audit_quietly("lock", detail=reason)
        self.close()

    def close(self, *, checkpoint_first: bool = True) -> None:
        """Checkpoint, close every connection and wipe the key. Safe to call twice."""
        if self._engine is not None:
            close_all_sessions()
            if checkpoint_first:
                with contextlib.suppress(Exception):
                    checkpoint(self._engine)
            self._engine.dispose()
            self._engine = None
        if self._key is not None:
            self._key.wipe()
            self._key = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
