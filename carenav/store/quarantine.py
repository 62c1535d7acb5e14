"""A damaged vault is moved aside, never deleted, and the newest good backup is found.

``quarantine`` moves the database and every file that belongs to it (``-wal``,
``-shm``, ``-journal``, ``.keys``, ``.audit-head``, ``.unlock-state``) into a
``<name>.quarantine-<UTC time>/`` folder beside it, keeping their names, so the
set can still be examined or repaired by hand exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from carenav.errors import NewerVaultVersion, VaultNotFound
from carenav.store.backup import (
    BACKUP_SUFFIX,
    BackupDamaged,
    BackupFolderUnavailable,
    BackupInfo,
    NotABackup,
    fsync_folder,
    read_manifest,
    verify_backup,
)

# The database first: a stop half-way never leaves a database beside a log that is not its own.
DATABASE_SET = ("", "-wal", "-shm", "-journal")
RESTORE_SET = (*DATABASE_SET, ".keys", ".audit-head")
QUARANTINE_SET = (*RESTORE_SET, ".unlock-state")


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def set_aside(db_path: Path, label: str, suffixes: tuple[str, ...]) -> Path | None:
    """Move the vault's files into ``<name>.<label>-<UTC time>/``; None if there were none."""
    db_path = Path(db_path)
    present = [
        path
        for path in (db_path.with_name(db_path.name + suffix) for suffix in suffixes)
        if path.exists() or path.is_symlink()
    ]
    if not present:
        return None
    target = _new_folder(db_path, label)
    for path in present:
        os.rename(path, target / path.name)
    fsync_folder(target)
    fsync_folder(db_path.parent)
    return target


def _new_folder(db_path: Path, label: str) -> Path:
    base = f"{db_path.name}.{label}-{utc_stamp()}"
    attempt = 1
    while True:
        name = base if attempt == 1 else f"{base}-{attempt}"
        target = db_path.with_name(name)
        try:
            target.mkdir(mode=0o700)
            return target
        except FileExistsError:
            attempt += 1


def quarantine(db_path: Path) -> Path:
    """Move a damaged vault's files aside, unchanged; returns the folder they are in."""
    target = set_aside(Path(db_path), "quarantine", QUARANTINE_SET)
    if target is None:
        raise VaultNotFound(str(db_path))
    return target


def backup_candidates(folder: Path) -> list[Path]:
    """CareNav backup files in ``folder``, newest first (by their recorded time)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupFolderUnavailable(folder)
    dated: list[tuple[datetime, Path]] = []
    for path in folder.iterdir():
        if not path.name.endswith(BACKUP_SUFFIX) or not path.is_file():
            continue
        dated.append((_recorded_time(path), path))
    dated.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in dated]


def _recorded_time(path: Path) -> datetime:
    with contextlib.suppress(Exception):
        return datetime.fromisoformat(str(read_manifest(path)["created_at"])).astimezone(UTC)
    with contextlib.suppress(OSError):
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return datetime.min.replace(tzinfo=UTC)


def newest_good_backup(
    folder: Path, secret: str, *, vault_id: str | None = None
) -> BackupInfo | None:
    """The newest backup in ``folder`` that passes every check with ``secret``.

    Damaged and foreign files are skipped. When ``vault_id`` is given, backups
    of other vaults are skipped too. A wrong secret for the newest usable backup
    raises ``BackupWrongSecret`` rather than falling back to an older backup
    (which an old passphrase might open) and silently losing the newer work.
    """
    for path in backup_candidates(folder):
        if vault_id is not None and _vault_of(path) != vault_id:
            continue
        try:
            return verify_backup(path, secret)
        except (BackupDamaged, NotABackup, NewerVaultVersion):
            continue  # BackupWrongSecret propagates: see above
    return None


def _vault_of(path: Path) -> str | None:
    try:
        return str(read_manifest(path).get("vault_id"))
    except Exception:  # a damaged or foreign file: verify_backup would skip it anyway
        return None
