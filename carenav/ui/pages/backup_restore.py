"""Backups in the window: settings and "Back up now", restore, and the damaged-vault dialog.

Every slow step (backup, checking a backup, restoring) runs off the GUI thread.
No button here deletes anything, and the default button is always the one that
changes nothing (Cancel or Quit). Titles and messages never name a patient.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carenav.config import Settings
from carenav.errors import CareNavError
from carenav.services import backups
from carenav.store.backup import (
    BACKUP_SUFFIX,
    PROGRESS_TOTAL,
    BackupCancelled,
    BackupInfo,
    RestoreResult,
    restore_backup,
    verify_backup,
)
from carenav.store.quarantine import newest_good_backup, quarantine
from carenav.store.vault import Vault
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import message_label, paragraph, show_message

MAX_KEEP_DAYS = 90


def error_text(exc: BaseException) -> str:
    if isinstance(exc, CareNavError):
        return str(exc)
    if isinstance(exc, OSError):
        return (
            "A file could not be read or written "
            f"({exc.strerror or type(exc).__name__}). Nothing was deleted."
        )
    return f"Something went wrong ({type(exc).__name__}). Nothing was deleted."


def when_text(made: datetime) -> str:
    return made.astimezone().strftime("%d %b %Y at %H:%M").lstrip("0")


def secret_field(label: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(label)
    field.setPlaceholderText("The passphrase of the day of the backup, or the recovery code")
    return field


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (queued signal)."""

    changed = Signal(int, int)


# == settings and "Back up now" ====================================================


class BackupSettingsDialog(QDialog):
    """File > Backups: where automatic backups go, how many days to keep, Back up now."""

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, vault: Vault | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.settings = settings
        self.vault = vault
        self.last_info: BackupInfo | None = None
        self._busy = False
        self._cancel = threading.Event()
        self._relay = _ProgressRelay(self)
        self._relay.changed.connect(self._on_progress)
        self._build()
        self.folder.setText(settings.backup_folder)
        self.keep_days.setValue(min(max(settings.backup_keep_days, 1), MAX_KEEP_DAYS))
        self._refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "CareNav keeps one encrypted backup a day in the folder you choose, for "
                "example a USB drive kept apart from the laptop. A backup opens with the "
                "passphrase in use on the day it was made, or with your recovery code."
            )
        )
        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setAccessibleName("Backup folder")
        self.folder.setPlaceholderText("No folder chosen: automatic backups are off")
        self.choose_button = QPushButton("Choose folder…")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose_button)
        self.keep_days = QSpinBox()
        self.keep_days.setRange(1, MAX_KEEP_DAYS)
        self.keep_days.setSuffix(" days")
        self.keep_days.setAccessibleName("Keep daily backups for")
        self.keep_days.setMaximumWidth(140)
        form = QFormLayout()
        form.addRow("Backup folder", row)
        form.addRow("Keep the last", self.keep_days)
        layout.addLayout(form)
        self.last_label = QLabel()
        self.last_label.setWordWrap(True)
        layout.addWidget(self.last_label)
        self.backup_now_button = QPushButton("Back up now")
        self.backup_now_button.setAutoDefault(False)
        self.backup_now_button.clicked.connect(self.back_up_now)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAutoDefault(False)
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self._cancel.set)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_TOTAL)
        self.progress.setVisible(False)
        now_row = QHBoxLayout()
        now_row.addWidget(self.backup_now_button)
        now_row.addWidget(self.progress, 1)
        now_row.addWidget(self.stop_button)
        now_row.addStretch(1)
        layout.addLayout(now_row)
        self.message = message_label()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def chosen_folder(self) -> str:
        return self.folder.text().strip()

    def choose_folder(self) -> None:
        start = self.chosen_folder() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Choose a backup folder", start)
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: str) -> None:
        self.folder.setText(folder)
        self._refresh()

    def _refresh(self) -> None:
        self.last_label.setText(backups.status_text(self.chosen_folder()))
        self.backup_now_button.setEnabled(
            not self._busy and self.vault is not None and bool(self.chosen_folder())
        )
        self.choose_button.setEnabled(not self._busy)
        self.buttons.setEnabled(not self._busy)

    def back_up_now(self) -> None:
        if self.vault is None or not self.chosen_folder() or self._busy:
            return
        vault, folder, keep = self.vault, Path(self.chosen_folder()), self.keep_days.value()
        self._cancel.clear()
        relay, cancel = self._relay, self._cancel

        def report(done: int, total: int) -> None:
            if cancel.is_set():
                raise BackupCancelled()
            relay.changed.emit(done, total)

        self._set_busy(True)
        show_message(self.message, "")
        run_in_background(
            lambda: backups.automatic_backup(vault, folder, keep, force=True, progress=report),
            self._on_backed_up,
            self._on_failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.stop_button.setVisible(busy)
        self._refresh()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _on_backed_up(self, info: BackupInfo | None) -> None:
        self._set_busy(False)
        self.last_info = info
        if info is not None:
            self.last_label.setText(
                f"Backed up {info.patients} patients to {info.path.name} just now; the copy "
                "passed its checks."
            )

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_message(self.message, error_text(exc))

    def accept(self) -> None:
        if self._busy:
            return
        self.settings.backup_folder = self.chosen_folder()
        self.settings.backup_keep_days = self.keep_days.value()
        self.settings.save()
        super().accept()

    def reject(self) -> None:
        if self._busy:  # the worker reports back to this dialog: stop it first
            self._cancel.set()
            return
        super().reject()


# == restore ==========================================================================


def _status_area(layout: QVBoxLayout) -> tuple[QLabel, QProgressBar, QLabel]:
    """What a check found, a busy bar while working, and a message line (all hidden)."""
    summary = paragraph("")
    summary.setVisible(False)
    layout.addWidget(summary)
    busy_bar = QProgressBar()
    busy_bar.setRange(0, 0)
    busy_bar.setVisible(False)
    layout.addWidget(busy_bar)
    message = message_label()
    layout.addWidget(message)
    return summary, busy_bar, message


class _WorkingDialog(QDialog):
    """A dialog whose work runs in the background: it cannot be closed while busy,
    and a failure is shown in its message line."""

    _busy: bool
    message: QLabel

    def _set_busy(self, busy: bool) -> None:
        raise NotImplementedError

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_message(self.message, error_text(exc))

    def reject(self) -> None:
        if not self._busy:
            super().reject()


class RestoreDialog(_WorkingDialog):
    """File > Restore from backup: choose, check, then restore (current vault kept aside)."""

    def __init__(
        self, vault_path: Path, parent: QWidget | None = None, *, backup_folder: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        self.vault_path = Path(vault_path)
        self.backup_folder = backup_folder
        self.checked: BackupInfo | None = None
        self.result_info: RestoreResult | None = None
        self._busy = False
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "Choose a CareNav backup file and type the passphrase that was in use when it "
                "was made, or your recovery code. CareNav checks the backup before anything "
                f"changes. Your current vault is kept, unchanged, in a folder named "
                f"{self.vault_path.name}.before-restore-<date and time> beside it."
            )
        )
        self.file = QLineEdit()
        self.file.setAccessibleName("Backup file")
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.secret = secret_field("Passphrase or recovery code")
        form = QFormLayout()
        form.addRow("Backup file", row)
        form.addRow("Passphrase or recovery code", self.secret)
        layout.addLayout(form)
        self.check_button = QPushButton("Check backup")
        self.check_button.setAutoDefault(False)
        self.check_button.clicked.connect(self.check_backup)
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        layout.addLayout(check_row)
        self.summary, self.busy_bar, self.message = _status_area(layout)
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(
            "Restore", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.setAutoDefault(False)
        self.restore_button.setEnabled(False)
        self.cancel_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.file.textChanged.connect(self._forget_check)
        self.secret.textChanged.connect(self._forget_check)

    def choose_file(self) -> None:
        start = self.backup_folder or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a backup", start, f"CareNav backup (*{BACKUP_SUFFIX})"
        )
        if chosen:
            self.file.setText(chosen)

    def _forget_check(self) -> None:
        self.checked = None
        self.restore_button.setEnabled(False)
        self.summary.setVisible(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.file, self.secret, self.check_button, self.cancel_button):
            widget.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.checked is not None)
        self.cancel_button.setDefault(True)  # Enter never restores

    def check_backup(self) -> None:
        path, secret = Path(self.file.text().strip()), self.secret.text()
        if not self.file.text().strip():
            show_message(self.message, "Choose a backup file first (Browse…).")
            return
        show_message(self.message, "")
        self._set_busy(True)
        run_in_background(lambda: verify_backup(path, secret), self._on_checked, self._on_failed)

    def _on_checked(self, info: BackupInfo) -> None:
        self.checked = info
        self.summary.setText(
            f"This backup was made on {when_text(info.created_at)} and holds "
            f"{info.patients} patients. It passed every check. Restore replaces what is in "
            "your vault now with it; your current vault is kept, not deleted."
        )
        self.summary.setVisible(True)
        self._set_busy(False)

    def restore(self) -> None:
        if self.checked is None or self._busy:
            return
        path, secret, target = self.checked.path, self.secret.text(), self.vault_path
        self._set_busy(True)
        run_in_background(
            lambda: restore_backup(path, target, secret), self._on_restored, self._on_failed
        )

    def _on_restored(self, result: RestoreResult) -> None:
        self.result_info = result
        self._set_busy(False)
        self.accept()


# == damaged vault ========================================================================


class DamagedVaultDialog(_WorkingDialog):
    """Shown when unlocking raised VaultDamaged: explain, and offer the newest good backup.

    Restoring first moves the damaged files into a ``.quarantine-`` folder beside
    the vault (never deleted). After ``exec()`` returns Accepted, ``restored``
    holds the result and the vault opens with the backup's passphrase.
    """

    def __init__(
        self,
        vault_path: Path,
        detail: str,
        backup_folder: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("The vault could not be opened")
        self.vault_path = Path(vault_path)
        self.backup_folder = backup_folder
        self.chosen_file: Path | None = None
        self.found: BackupInfo | None = None
        self.restored: RestoreResult | None = None
        self.quarantined: Path | None = None
        self._busy = False
        layout = QVBoxLayout(self)
        title = paragraph("CareNav could not read your vault safely. Nothing has been deleted.")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(
            paragraph(
                f"What CareNav found: {detail}. This can happen after the laptop lost power "
                "or a disk problem. Your passphrase is not the problem.\n\n"
                "You can restore your most recent backup. Before that, the damaged files are "
                "moved, unchanged, into a folder named "
                f"{self.vault_path.name}.quarantine-<date and time> beside the vault, so "
                "your agency's support can still look at them."
            )
        )
        self.where = paragraph("")
        layout.addWidget(self.where)
        choose = QPushButton("Choose a backup file…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose_file)
        choose_row = QHBoxLayout()
        choose_row.addWidget(choose)
        choose_row.addStretch(1)
        layout.addLayout(choose_row)
        self.secret = secret_field("Passphrase or recovery code of the backup")
        form = QFormLayout()
        form.addRow("Passphrase or recovery code", self.secret)
        layout.addLayout(form)
        self.summary, self.busy_bar, self.message = _status_area(layout)
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(
            "Restore from newest backup…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setAutoDefault(False)
        self.quit_button.setDefault(True)
        self.restore_button.clicked.connect(self.find_or_restore)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.secret.textChanged.connect(self._forget_found)
        self._show_source()

    def _show_source(self) -> None:
        if self.chosen_file is not None:
            text = f"Backup to use: {self.chosen_file}"
        elif self.backup_folder:
            text = f"CareNav will look for the newest good backup in {self.backup_folder}."
        else:
            text = "No backup folder is set. Choose a backup file (for example on your USB drive)."
        self.where.setText(text)

    def choose_file(self) -> None:
        start = self.backup_folder or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a backup", start, f"CareNav backup (*{BACKUP_SUFFIX})"
        )
        if chosen:
            self.use_file(Path(chosen))

    def use_file(self, path: Path) -> None:
        self.chosen_file = path
        self._forget_found()
        self._show_source()

    def _forget_found(self) -> None:
        self.found = None
        self.summary.setVisible(False)
        self.restore_button.setText("Restore from newest backup…")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.secret, self.restore_button, self.quit_button):
            widget.setEnabled(not busy)
        self.quit_button.setDefault(True)  # Enter never restores

    def find_or_restore(self) -> None:
        if self._busy:
            return
        if self.found is None:
            self._find()
        else:
            self._restore(self.found)

    def _find(self) -> None:
        secret, chosen, folder = self.secret.text(), self.chosen_file, self.backup_folder
        if chosen is None and not folder:
            show_message(self.message, "Choose a backup file first.")
            return
        if not secret:
            show_message(self.message, "Type the backup's passphrase or your recovery code.")
            return

        def find() -> BackupInfo | None:
            if chosen is not None:
                return verify_backup(chosen, secret)
            return newest_good_backup(Path(folder), secret)

        show_message(self.message, "")
        self._set_busy(True)
        run_in_background(find, self._on_found, self._on_failed)

    def _on_found(self, info: BackupInfo | None) -> None:
        self._set_busy(False)
        if info is None:
            show_message(
                self.message,
                "No usable backup was found there. Choose a backup file, or quit and contact "
                "your agency's support. Nothing was changed.",
            )
            return
        self.found = info
        self.summary.setText(
            f"Newest good backup: made on {when_text(info.created_at)}, {info.patients} "
            "patients. Work done after that time is not in it. Press 'Restore this backup' "
            "to go ahead."
        )
        self.summary.setVisible(True)
        self.restore_button.setText("Restore this backup")

    def _restore(self, info: BackupInfo) -> None:
        secret, target = self.secret.text(), self.vault_path

        def work() -> tuple[Path | None, RestoreResult]:
            kept = quarantine(target) if _has_vault_files(target) else None
            return kept, restore_backup(info.path, target, secret)

        self._set_busy(True)
        run_in_background(work, self._on_restored, self._on_failed)

    def _on_restored(self, outcome: tuple[Path | None, RestoreResult]) -> None:
        self.quarantined, self.restored = outcome
        self._set_busy(False)
        self.accept()


def _has_vault_files(db_path: Path) -> bool:
    return any(
        db_path.with_name(db_path.name + suffix).exists() for suffix in ("", ".keys", "-wal")
    )


def describe_restore(result: RestoreResult) -> str:
    """A status-bar sentence after a restore (no patient information)."""
    kept = f" Your previous vault is kept in {result.kept.name}." if result.kept else ""
    return (
        f"Restored the backup of {when_text(result.backup.created_at)}.{kept} Unlock with the "
        "passphrase of that day or your recovery code."
    )
