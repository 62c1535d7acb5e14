"""Automatic daily backups to a folder the user chose (a USB drive, a synced folder).

At most one backup a day, named ``carenav-backup-YYYY-MM-DD.cnvbackup`` after
the local date (no patient information in names). After each new backup the
folder keeps the newest ``keep_days`` of these daily files; nothing else in the
folder is ever deleted, and the backup just made is always kept.

Run it off the GUI thread. To back up on lock, capture the source first
(``BackupSource.from_vault(vault)``, fast), then close the vault, then run
``automatic_backup(source, ...)`` in the background: the source holds its own
copy of the key and wipes it when the backup ends.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from carenav.store.backup import (
    BACKUP_SUFFIX,
    BackupFolderUnavailable,
    BackupInfo,
    BackupSource,
    Progress,
    backup_vault,
    clean_partials,
    read_manifest,
)

DAILY_RE = re.compile(r"^carenav-backup-(\d{4}-\d{2}-\d{2})" + re.escape(BACKUP_SUFFIX) + "$")
NO_FOLDER_TEXT = "No backup yet — choose a backup folder in File > Backups"


def daily_name(day: date) -> str:
    return f"carenav-backup-{day.isoformat()}{BACKUP_SUFFIX}"


@dataclass(frozen=True)
class DailyBackup:
    path: Path
    day: date


def daily_backups(folder: Path) -> list[DailyBackup]:
    """The daily backup files CareNav made in ``folder``, newest day first."""
    found = []
    with contextlib.suppress(OSError):
        for path in Path(folder).iterdir():
            match = DAILY_RE.match(path.name)
            if not match or path.is_symlink() or not path.is_file():
                continue
            with contextlib.suppress(ValueError):
                found.append(DailyBackup(path, date.fromisoformat(match[1])))
    found.sort(key=lambda b: b.day, reverse=True)
    return found


def _local_today(now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone().date()


def automatic_backup(
    vault: Any,
    folder: Path,
    keep_days: int = 7,
    now: datetime | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> BackupInfo | None:
    """Today's backup into ``folder``; None when today's already exists (unless ``force``).

    ``vault`` is an unlocked Vault or a BackupSource. ``force`` ("Back up now")
    replaces today's file with a fresh one, atomically, once the new one is
    verified. Raises ``BackupFolderUnavailable`` when the folder is missing (an
    unplugged drive): it is never created, so backups never land on the laptop
    by mistake.
    """
    folder = Path(folder)
    if not folder.is_dir():
        if isinstance(vault, BackupSource):
            vault.wipe()
        raise BackupFolderUnavailable(folder)
    clean_partials(folder)
    target = folder / daily_name(_local_today(now))
    if target.exists() and not force:
        if isinstance(vault, BackupSource):
            vault.wipe()
        return None
    info = backup_vault(vault, target, progress=progress, replace=True)
    rotate(folder, keep_days, protect=target)
    return info


def rotate(folder: Path, keep_days: int, *, protect: Path | None = None) -> list[Path]:
    """Delete the daily backups beyond the newest ``keep_days``; returns what was deleted.

    Only files named like CareNav's daily backups are considered, and
    ``protect`` (the backup just made and verified) is never deleted, even when
    a wrong clock has produced files dated in the future.
    """
    keep = max(int(keep_days), 1)
    daily = daily_backups(folder)
    deleted = []
    for backup in daily[keep:]:
        if protect is not None and backup.path == protect:
            continue
        with contextlib.suppress(FileNotFoundError):
            backup.path.unlink()
            deleted.append(backup.path)
    return deleted


def last_backup(folder: Path) -> datetime | None:
    """When the newest backup in ``folder`` was made (aware UTC), or None."""
    newest: datetime | None = None
    with contextlib.suppress(OSError):
        for path in Path(folder).iterdir():
            if not path.name.endswith(BACKUP_SUFFIX) or not path.is_file():
                continue
            made = _made_at(path)
            if made is not None and (newest is None or made > newest):
                newest = made
    return newest


def _made_at(path: Path) -> datetime | None:
    with contextlib.suppress(Exception):
        return datetime.fromisoformat(str(read_manifest(path)["created_at"])).astimezone(UTC)
    return None


def describe_time(when: datetime, now: datetime | None = None) -> str:
    """'today 09:14', 'yesterday 18:02' or '3 Mar 2025 09:14', in local time."""
    local = when.astimezone()
    today = _local_today(now)
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"today {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday {clock}"
    return f"{local.day} {local.strftime('%b %Y')} {clock}"


def status_text(folder: str | Path, now: datetime | None = None) -> str:
    """The status bar text about backups (no patient information)."""
    if not str(folder):
        return NO_FOLDER_TEXT
    path = Path(folder)
    if not path.is_dir():
        return "Backup folder not available — plug in the drive or choose another in File > Backups"
    made = last_backup(path)
    if made is None:
        return "No backup yet — it will be made at the next unlock, or use File > Backups"
    return f"Last backup: {describe_time(made, now)}"
