"""Encrypted backups: one ``.cnvbackup`` file that can be carried on a USB stick.

A backup is a zip archive (stored, not compressed) holding four entries:

``manifest.json``
    format, version, creation time (UTC), app version, vault id, schema
    revision, patient count, row count per table and SHA-256 of the two
    files below. No patient values.
``manifest.mac``
    HMAC-SHA256 of the manifest under a key derived (HKDF) from the vault's
    data key: only someone holding the key can make a manifest that verifies.
``caseload.keys``
    the key header exactly as it was when the backup was taken.
``caseload.db``
    the SQLCipher database, copied page by page with SQLite's online backup
    API into a file keyed with the same data key. It never exists in the
    clear, so the backup opens with the key slots of its header: the
    passphrase of that day, or the recovery code.

Making one (``backup_vault``): a passive checkpoint, then a read transaction
on a fresh connection (row counts and the page copy come from the same
snapshot, so a running app may keep writing), the copy into
``<out>.partial-<random>.db`` beside the target, checks on fresh connections,
packing into ``<out>.partial-<random>``, fsync, rename to ``<out>``, fsync of
the folder. A failure or a kill at any point leaves earlier backups as they
were and at most ``*.partial-*`` files, removed by the next backup there.

Checking one (``verify_backup``) opens its header with a passphrase or the
recovery code, checks the manifest's MAC, extracts the (still encrypted)
database to a hidden file in the backup's folder, checks hashes, encryption,
structure and row counts, and removes the extracted file. The backup file
itself is only read.

Restoring (``restore_backup``) checks first, then keeps the current vault in a
``<name>.before-restore-<UTC time>/`` folder beside it, and puts the backup's
database and header in place. See docs/backups.md.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlcipher3.dbapi2 as sqlcipher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from carenav import __version__
from carenav.errors import (
    CareNavError,
    InvalidInput,
    NewerVaultVersion,
    NotAVault,
    VaultDamaged,
    VaultError,
    VaultLocked,
    WrongPassphrase,
)
from carenav.store.engine import DataKey, raw_connect, raw_connection
from carenav.store.header import (
    RECOVERY_ALPHABET,
    VaultHeader,
    normalise_recovery_code,
    normalise_secret,
    read_header,
)

BACKUP_SUFFIX = ".cnvbackup"
BACKUP_FORMAT = "carenav-backup"
BACKUP_FORMAT_VERSION = 1
MANIFEST_ENTRY = "manifest.json"
MAC_ENTRY = "manifest.mac"
KEYS_ENTRY = "caseload.keys"
DB_ENTRY = "caseload.db"
ENTRIES = (MANIFEST_ENTRY, MAC_ENTRY, KEYS_ENTRY, DB_ENTRY)
MAX_SMALL_ENTRY = 1 << 20  # manifest, MAC and header are a few KiB; refuse anything huge
PAGES_PER_STEP = 1024  # 4 MiB per backup step: progress about 15 times for 10,000 patients
CHUNK = 1 << 20
PARTIAL_RE = re.compile(
    r"^(?P<name>.+" + re.escape(BACKUP_SUFFIX) + r")\.partial-[0-9a-f]{16}"
    r"(\.db(-journal|-wal|-shm)?)?$"
)
WORK_RE = re.compile(r"^\.carenav-(verify|restore)-[0-9a-f]{16}\.(db|keys)(-journal|-wal|-shm)?$")
MAC_INFO = b"carenav backup manifest v1"
STALE_WORK_SECONDS = 15 * 60

# progress(done, total): ``total`` is always PROGRESS_TOTAL; raising inside it cancels.
Progress = Callable[[int, int], None]
PROGRESS_TOTAL = 1000


# == errors ======================================================================


class NotABackup(VaultError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path} is not a CareNav backup ({detail}). Nothing was changed. "
            f"Choose a file ending in {BACKUP_SUFFIX} made by CareNav."
        )


class BackupDamaged(VaultError):
    def __init__(self, path: Path, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"The backup {path.name} is damaged ({detail}), so it cannot be used. Nothing "
            "was changed. Choose an older backup."
        )


class BackupWrongSecret(WrongPassphrase):
    def __init__(self) -> None:
        super().__init__()
        self.args = (
            "That passphrase or recovery code did not open this backup. A backup opens with "
            "the passphrase that was in use on the day it was made, or with the vault's "
            "recovery code. Nothing was changed.",
        )


class BackupFailed(CareNavError):
    exit_code = 4

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"The backup could not be completed: {detail}. Your vault and your earlier "
            "backups are unchanged."
        )


class RestoreFailed(CareNavError):
    exit_code = 4

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The restore stopped: {detail}. Nothing was deleted; look in the vault's folder "
            "for a '.before-restore-' folder holding your previous vault."
        )


class BackupCancelled(CareNavError):
    def __init__(self) -> None:
        super().__init__("The backup was cancelled. Your vault and earlier backups are unchanged.")


class BackupFolderUnavailable(CareNavError):
    exit_code = 5

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"The backup folder {folder} is not available. If it is on a USB drive, plug the "
            "drive in; otherwise choose another folder in File > Backups. Nothing was changed."
        )


class BackupExists(CareNavError):
    exit_code = 5

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists and was left as it is. Choose another file name.")


# == results =====================================================================


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    created_at: datetime
    patients: int
    vault_id: str
    schema_revision: str
    app_version: str
    verified: bool = True


@dataclass(frozen=True)
class RestoreResult:
    vault_path: Path
    kept: Path | None  # the before-restore folder, or None when there was no vault
    backup: BackupInfo


# == what a backup is taken from =================================================


class BackupSource:
    """What a backup needs: the database path, the header bytes and a copy of the key.

    It holds its own copy of the key so that a backup started just before the
    app locks can finish; ``wipe()`` zeroes it (``backup_vault`` does so when done).
    """

    def __init__(self, db_path: Path, header_bytes: bytes, vault_id: str, key: bytearray) -> None:
        self.db_path = db_path
        self.header_bytes = header_bytes
        self.vault_id = vault_id
        self.key = DataKey(key)

    @classmethod
    def from_vault(cls, vault: Any) -> BackupSource:
        """From an unlocked ``carenav.store.vault.Vault`` (fast: reads the header file)."""
        key = bytearray(vault.data_key.raw())
        header_bytes = _read_header_bytes(vault.header_path)
        header = VaultHeader.from_bytes(header_bytes, path=str(vault.header_path))
        if header.vault_id != vault.header.vault_id:
            raise VaultDamaged("the key header file belongs to another vault")
        return cls(Path(vault.db_path), header_bytes, header.vault_id, key)

    def wipe(self) -> None:
        self.key.wipe()


def _read_header_bytes(path: Path) -> bytes:
    read_header(path)  # the same checks as at unlock: missing, empty, damaged, newer
    return path.read_bytes()


def open_key(header: VaultHeader, secret: str) -> bytearray | None:
    """The data key from a passphrase slot, else from the recovery slot; None if neither."""
    normalised = normalise_secret(secret)
    for slot in header.slots_of_kind("passphrase"):
        key = slot.open(normalised, header.vault_id)
        if key is not None:
            return key
    code = normalise_recovery_code(secret)
    if len(code) != 25 or any(ch not in RECOVERY_ALPHABET for ch in code):
        return None  # cannot be a recovery code: spare the second key derivation
    for slot in header.slots_of_kind("recovery"):
        key = slot.open(code, header.vault_id)
        if key is not None:
            return key
    return None


# == taking a backup =============================================================


def backup_path(out: Path) -> Path:
    """``out`` with the ``.cnvbackup`` ending added when it is missing."""
    out = Path(out)
    return out if out.name.endswith(BACKUP_SUFFIX) else out.with_name(out.name + BACKUP_SUFFIX)


def backup_vault(
    vault: Any,
    out: Path,
    *,
    progress: Progress | None = None,
    replace: bool = False,
) -> BackupInfo:
    """Take a verified, encrypted backup of ``vault`` (a Vault or a BackupSource) to ``out``.

    With a Vault, a ``backup`` audit event is recorded once the file is in place
    (a BackupSource, used after the vault has locked, cannot record one).

    ``out`` gets the ``.cnvbackup`` ending if it lacks it. An existing file is
    refused (``BackupExists``) unless ``replace`` is true; then it is replaced
    atomically, only once the new backup has passed its checks.
    """
    owned = not isinstance(vault, BackupSource)
    source = BackupSource.from_vault(vault) if owned else vault
    try:
        info = _backup(source, backup_path(out), progress or _no_progress, replace)
    finally:
        source.wipe()
    if owned:
        _record_backup(vault, info)
    return info


def _record_backup(vault: Any, info: BackupInfo) -> None:
    """One audit event (a count, no patient values) once the backup is in place.

    Skipped when the vault locked while the backup ran: the backup is good, and
    the lock itself was audited.
    """
    from carenav.store.audit import record_event

    if not vault.is_open:
        return
    with contextlib.suppress(VaultLocked):
        record_event(vault, "backup", detail=f"encrypted backup of {info.patients} patients")


def _no_progress(_done: int, _total: int) -> None:
    return None


def _backup(source: BackupSource, out: Path, progress: Progress, replace: bool) -> BackupInfo:
    folder = out.parent
    if out.is_dir():
        raise InvalidInput({"--out": f"{out} is a folder; give a file name for the backup"})
    if not folder.is_dir():
        raise BackupFolderUnavailable(folder)
    if out.exists() and not replace:
        raise BackupExists(out)
    clean_partials(folder, out.name)
    partial = folder / f"{out.name}.partial-{secrets.token_hex(8)}"
    db_copy = partial.with_name(partial.name + ".db")
    try:
        with _as_backup_failure(folder):
            progress(0, PROGRESS_TOTAL)
            snapshot = _copy_database(source, db_copy, progress)
            check_database(db_copy, source.key, snapshot.tables, damaged=_copy_failed)
            progress(850, PROGRESS_TOTAL)
            manifest = _manifest(source, snapshot, db_copy)
            _write_container(partial, manifest, _mac(source.key, manifest), source, db_copy)
            db_copy.unlink()
            os.replace(partial, out)
            fsync_folder(folder)
            progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    finally:
        for leftover in (db_copy, partial, *_sqlite_side_files(db_copy)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return _info(out, json.loads(manifest))


def _copy_failed(detail: str) -> Exception:
    return BackupFailed(f"the copy did not pass its check ({detail}); run 'carenav check'")


@contextlib.contextmanager
def _as_backup_failure(folder: Path) -> Iterator[None]:
    """Turn disk and database errors into one plain message; nothing else is caught."""
    try:
        yield
    except OSError as exc:
        raise BackupFailed(_disk_problem(exc, folder)) from exc
    except sqlcipher.DatabaseError as exc:
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text:
            raise BackupFailed(f"there is not enough free space in {folder}") from exc
        raise BackupFailed("the vault could not be read completely; run 'carenav check'") from exc


def _disk_problem(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"there is not enough free space in {folder}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"CareNav is not allowed to write in {folder}"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO):
        return f"the folder {folder} went away or could not be written (was a drive unplugged?)"
    return f"a file could not be written in {folder} ({exc.strerror or type(exc).__name__})"


@dataclass(frozen=True)
class _Snapshot:
    tables: dict[str, int]
    patients: int
    revision: str


def _copy_database(source: BackupSource, target: Path, progress: Progress) -> _Snapshot:
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = raw_connect(source.db_path, source.key)
    try:
        dst = raw_connect(target, source.key)
        try:
            src.execute("PRAGMA wal_checkpoint(PASSIVE)")
            src.execute("BEGIN")  # one read snapshot for the counts and every page copied
            snapshot = _read_snapshot(src)

            def step(_status: int, remaining: int, total: int) -> None:
                progress(700 * (total - remaining) // max(total, 1), PROGRESS_TOTAL)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            src.execute("COMMIT")
            # One self-contained file: no write-ahead log travels with a backup.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    _fsync_file(target)
    return snapshot


def _read_snapshot(conn: Any) -> _Snapshot:
    tables = table_counts(conn)
    patients = 0
    if "patient" in tables:
        row = conn.execute("SELECT count(*) FROM patient WHERE deleted_at IS NULL").fetchone()
        patients = int(row[0])
    revision = ""
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = str(row[0]) if row else ""
    return _Snapshot(tables, patients, revision)


def table_counts(conn: Any) -> dict[str, int]:
    names = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
    return counts


def check_database(
    db_path: Path,
    key: DataKey,
    expected_tables: dict[str, int],
    *,
    damaged: Callable[[str], Exception],
) -> None:
    """Encryption, structure and row counts, each on its own fresh connection."""
    try:
        with raw_connection(db_path, key) as conn:
            failed = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        if failed:
            raise damaged(f"{len(failed)} page(s) failed the encryption check")
        with raw_connection(db_path, key) as conn:
            structure = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if structure != ["ok"]:
            raise damaged("the database structure check failed")
        with raw_connection(db_path, key) as conn:
            counts = table_counts(conn)
    except sqlcipher.DatabaseError:
        raise damaged("the database cannot be decrypted or read") from None
    if counts != expected_tables:
        raise damaged("its tables or row counts differ from what was recorded")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(source: BackupSource, snapshot: _Snapshot, db_copy: Path) -> bytes:
    content = {
        "format": BACKUP_FORMAT,
        "format_version": BACKUP_FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "vault_id": source.vault_id,
        "schema_revision": snapshot.revision,
        "patients": snapshot.patients,
        "tables": snapshot.tables,
        "db_size": db_copy.stat().st_size,
        "db_sha256": _sha256(db_copy),
        "keys_sha256": hashlib.sha256(source.header_bytes).hexdigest(),
    }
    return (json.dumps(content, indent=1) + "\n").encode("utf-8")


def _mac(key: DataKey, manifest: bytes) -> str:
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=MAC_INFO).derive(key.raw())
    return hmac.new(mac_key, manifest, hashlib.sha256).hexdigest()


def _write_container(
    partial: Path, manifest: bytes, mac: str, source: BackupSource, db_copy: Path
) -> None:
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_ENTRY, manifest)
            archive.writestr(MAC_ENTRY, mac + "\n")
            archive.writestr(KEYS_ENTRY, source.header_bytes)
            entry = zipfile.ZipInfo(DB_ENTRY, date_time=time.localtime()[:6])
            entry.compress_type = zipfile.ZIP_STORED
            entry.file_size = db_copy.stat().st_size  # zip64 when over 2 GiB
            with archive.open(entry, "w") as dst, open(db_copy, "rb") as src:
                _copy_stream(src, dst, None)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems (FAT on USB sticks) refuse this
        _fsync_file(folder)


def _sqlite_side_files(db_path: Path) -> list[Path]:
    return [db_path.with_name(db_path.name + s) for s in ("-journal", "-wal", "-shm")]


def clean_partials(folder: Path, backup_name: str | None = None) -> list[Path]:
    """Remove ``*.cnvbackup.partial-*`` files left by an interrupted backup; returns them."""
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = PARTIAL_RE.match(entry.name)
            if not match or (backup_name is not None and match["name"] != backup_name):
                continue
            if entry.is_file() and not entry.is_symlink():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def _clean_work_files(folder: Path) -> None:
    """Remove hidden working copies left by a check or restore that was killed.

    Only those older than STALE_WORK_SECONDS: a check running at the same moment
    (the app and the command line) keeps its file.
    """
    cutoff = time.time() - STALE_WORK_SECONDS
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if not WORK_RE.match(entry.name) or entry.is_symlink() or not entry.is_file():
                continue
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()


# == reading and checking a backup ===============================================


@dataclass
class _Opened:
    info: BackupInfo
    header_bytes: bytes
    db_copy: Path
    key: DataKey


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest as written (not yet authenticated: for listing and sorting only)."""
    return _parse_manifest(path, _read_entries(path)[MANIFEST_ENTRY])


def _read_entries(path: Path) -> dict[str, bytes]:
    """The three small entries, with the container's own checks (CRC-32, sizes)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput({"backup": f"{path} does not exist or is not a file"})
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST_ENTRY not in names:
                raise NotABackup(path, "it holds no CareNav manifest")
            missing = [name for name in ENTRIES if name not in names]
            if missing:
                raise BackupDamaged(path, f"part of it is missing: {', '.join(missing)}")
            entries = {}
            for name in (MANIFEST_ENTRY, MAC_ENTRY, KEYS_ENTRY):
                if archive.getinfo(name).file_size > MAX_SMALL_ENTRY:
                    raise BackupDamaged(path, f"{name} is far too large")
                entries[name] = archive.read(name)
            return entries
    except zipfile.BadZipFile as exc:
        if _looks_like_zip(path):
            raise BackupDamaged(path, "its container is unreadable") from exc
        raise NotABackup(path, "it is not a CareNav backup file") from exc
    except (zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise BackupDamaged(path, "its container is unreadable") from exc


def _looks_like_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        start = fh.read(4)
    return start == b"PK\x03\x04"


def _parse_manifest(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BackupDamaged(path, "its manifest is unreadable") from exc
    if not isinstance(content, dict) or content.get("format") != BACKUP_FORMAT:
        raise NotABackup(path, "its manifest is not a CareNav backup manifest")
    version = content.get("format_version")
    if not isinstance(version, int) or version > BACKUP_FORMAT_VERSION:
        raise NewerVaultVersion(f"backup format {version}")
    return content


def _info(path: Path, manifest: dict[str, Any]) -> BackupInfo:
    return BackupInfo(
        path=path,
        size=path.stat().st_size,
        created_at=datetime.fromisoformat(str(manifest["created_at"])).astimezone(UTC),
        patients=int(manifest["patients"]),
        vault_id=str(manifest["vault_id"]),
        schema_revision=str(manifest["schema_revision"]),
        app_version=str(manifest["app_version"]),
    )


def _open_backup(path: Path, secret: str, work_dir: Path, prefix: str) -> _Opened:
    """Authenticate a backup and extract its database (encrypted) into ``work_dir``.

    The caller owns the extracted file and the key, and must remove/wipe them.
    """
    path = Path(path)
    entries = _read_entries(path)
    manifest = _parse_manifest(path, entries[MANIFEST_ENTRY])
    try:
        header = VaultHeader.from_bytes(entries[KEYS_ENTRY], path=str(path))
    except (VaultDamaged, NotAVault) as exc:
        raise BackupDamaged(path, "its key header is damaged") from exc
    if header.vault_id != manifest.get("vault_id"):
        raise BackupDamaged(path, "its key header does not belong to its database")
    raw_key = open_key(header, secret)
    if raw_key is None:
        raise BackupWrongSecret()
    key = DataKey(raw_key)
    db_copy = work_dir / f"{prefix}{secrets.token_hex(8)}.db"
    try:
        _authenticate(path, key, entries, manifest)
        _extract_database(path, db_copy, str(manifest["db_sha256"]), int(manifest["db_size"]))
        check_database(
            db_copy,
            key,
            {str(k): int(v) for k, v in dict(manifest["tables"]).items()},
            damaged=lambda detail: BackupDamaged(path, detail),
        )
        info = _info(path, manifest)
    except BaseException:
        _remove_copy(db_copy)
        key.wipe()
        raise
    return _Opened(info, entries[KEYS_ENTRY], db_copy, key)


def _authenticate(
    path: Path, key: DataKey, entries: dict[str, bytes], manifest: dict[str, Any]
) -> None:
    stored = entries[MAC_ENTRY].decode("ascii", "replace").strip()
    if not hmac.compare_digest(stored, _mac(key, entries[MANIFEST_ENTRY])):
        raise BackupDamaged(path, "its manifest failed its authentication check")
    if hashlib.sha256(entries[KEYS_ENTRY]).hexdigest() != manifest.get("keys_sha256"):
        raise BackupDamaged(path, "its key header does not match its manifest")


def _extract_database(path: Path, target: Path, sha256: str, size: int) -> None:
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") as out, zipfile.ZipFile(path) as archive:
            with archive.open(DB_ENTRY) as src:
                _copy_stream(src, out, digest)
            out.flush()
            os.fsync(out.fileno())
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BackupDamaged(path, "its database could not be read out of it") from exc
    if digest.hexdigest() != sha256 or target.stat().st_size != size:
        raise BackupDamaged(path, "its database does not match its manifest")


def _copy_stream(src: IO[bytes], out: IO[bytes], digest: Any | None) -> None:
    while chunk := src.read(CHUNK):
        if digest is not None:
            digest.update(chunk)
        out.write(chunk)


def _remove_copy(db_copy: Path) -> None:
    for leftover in (db_copy, *_sqlite_side_files(db_copy)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _work_folder(path: Path, work_dir: Path | None) -> Path:
    folder = work_dir or Path(path).parent
    if os.access(folder, os.W_OK):
        return folder
    from carenav.config import data_dir  # a read-only backup medium: work in CareNav's folder

    fallback = data_dir()
    fallback.mkdir(parents=True, exist_ok=True, mode=0o700)
    return fallback


def verify_backup(path: Path, secret: str, *, work_dir: Path | None = None) -> BackupInfo:
    """Check a backup completely with its passphrase or recovery code; change nothing.

    The database is extracted (still encrypted) to a hidden file in ``work_dir``
    (default: the backup's folder, or CareNav's data folder when that one is
    read-only), checked on fresh connections, and removed.
    """
    folder = _work_folder(path, work_dir)
    _clean_work_files(folder)
    opened = _open_backup(Path(path), secret, folder, ".carenav-verify-")
    _remove_copy(opened.db_copy)
    opened.key.wipe()
    return opened.info


# == restoring ===================================================================


def restore_backup(backup: Path, vault_path: Path, secret: str) -> RestoreResult:
    """Check ``backup``, keep the current vault aside, and put the backup in its place.

    Refused with ``VaultInUse`` while a CareNav window has the vault unlocked.
    Nothing is deleted: the current database, its
    ``-wal``/``-shm``, its ``.keys`` and ``.audit-head`` go into a
    ``<name>.before-restore-<UTC time>/`` folder beside it, under the same names
    (so that folder is itself a vault that opens as it was).
    """
    from carenav.store.instance_lock import InstanceLock

    vault_path = Path(vault_path)
    folder = vault_path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with InstanceLock.acquire(vault_path):
        return _restore(Path(backup), vault_path, secret)


def _restore(backup: Path, vault_path: Path, secret: str) -> RestoreResult:
    from carenav.store.quarantine import RESTORE_SET, set_aside
    from carenav.store.vault import header_path_for

    folder = vault_path.parent
    _clean_work_files(folder)
    opened = _open_backup(backup, secret, folder, ".carenav-restore-")
    keys_copy = opened.db_copy.with_suffix(".keys")
    try:
        _write_new_file(keys_copy, opened.header_bytes)
        kept = set_aside(vault_path, "before-restore", RESTORE_SET)
        stale = [p for p in _sqlite_side_files(vault_path) if p.exists()]
        if stale or vault_path.exists():
            raise RestoreFailed("the current vault could not be moved aside completely")
        os.replace(keys_copy, header_path_for(vault_path))
        os.replace(opened.db_copy, vault_path)
        fsync_folder(folder)
    finally:
        opened.key.wipe()
        _remove_copy(opened.db_copy)
        with contextlib.suppress(FileNotFoundError):
            keys_copy.unlink()
    return RestoreResult(vault_path, kept, opened.info)


def _write_new_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
