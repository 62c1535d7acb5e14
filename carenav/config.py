"""Where CareNav keeps things, and the few settings it remembers.

Settings hold no patient information: only the path of the last vault used
and preferences. They are written atomically as JSON in the user config folder.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from carenav.store.header import atomic_write

APP_NAME = "CareNav"
DEMO_PASSPHRASE = "demo caseload for practice only"  # noqa: S105 (practice vault, shown on screen)
DEFAULT_VAULT_NAME = "caseload.cnv"


def data_dir() -> Path:
    override = os.environ.get("CARENAV_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def config_dir() -> Path:
    override = os.environ.get("CARENAV_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, False))


def default_vault_path() -> Path:
    return data_dir() / DEFAULT_VAULT_NAME


def demo_vault_path() -> Path:
    return data_dir() / "demo" / "demo-caseload.cnv"


IDLE_LOCK_DEFAULT_MINUTES = 5
IDLE_LOCK_MAX_MINUTES = 15  # HIPAA automatic logoff: never longer than this
BACKUP_KEEP_DEFAULT_DAYS = 7
REFERRAL_CHECK_BACK_DEFAULT_DAYS = 7  # sending a referral schedules a check-back this far ahead
REFERRAL_CHECK_BACK_MAX_DAYS = 90


@dataclass
class Settings:
    last_vault: str = ""
    recent_vaults: list[str] = field(default_factory=list)
    idle_lock_minutes: int = IDLE_LOCK_DEFAULT_MINUTES
    backup_folder: str = ""  # where automatic backups go (e.g. a USB drive); "" = off
    backup_keep_days: int = BACKUP_KEEP_DEFAULT_DAYS
    instruments_folder: str = ""  # the agency's extra instrument files (*.json); "" = none
    templates_folder: str = ""  # the agency's extra care-plan templates (*.json); "" = none
    referral_check_back_days: int = REFERRAL_CHECK_BACK_DEFAULT_DAYS
    holidays_file: str = ""  # the agency's holiday list (YYYY-MM-DD name lines); "" = federal

    @classmethod
    def load(cls) -> Settings:
        path = config_dir() / "settings.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            minutes = int(data.get("idle_lock_minutes", IDLE_LOCK_DEFAULT_MINUTES))
            return cls(
                last_vault=str(data.get("last_vault", "")),
                recent_vaults=[str(p) for p in data.get("recent_vaults", [])][:10],
                idle_lock_minutes=min(max(minutes, 1), IDLE_LOCK_MAX_MINUTES),
                backup_folder=str(data.get("backup_folder", "")),
                backup_keep_days=max(int(data.get("backup_keep_days", 7)), 1),
                instruments_folder=str(data.get("instruments_folder", "")),
                templates_folder=str(data.get("templates_folder", "")),
                referral_check_back_days=min(
                    max(int(data.get("referral_check_back_days", 7)), 1),
                    REFERRAL_CHECK_BACK_MAX_DAYS,
                ),
                holidays_file=str(data.get("holidays_file", "")),
            )
        except (OSError, ValueError, AttributeError, TypeError):
            return cls()

    def save(self) -> None:
        folder = config_dir()
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(folder / "settings.json", json.dumps(asdict(self), indent=1).encode())

    def remember_vault(self, path: Path) -> None:
        text = str(path)
        self.last_vault = text
        self.recent_vaults = [text, *[p for p in self.recent_vaults if p != text]][:10]
        self.save()
