"""The main window: first run, unlock, caseload and chart in one stack.

The window title never names a patient. Locking (Ctrl+L) closes the vault,
wipes the key and clears every view before the unlock screen returns.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from carenav.config import Settings, default_vault_path
from carenav.errors import VaultDamaged
from carenav.services import backups
from carenav.services.holidays import apply_holiday_file
from carenav.store.audit import record_event
from carenav.store.instance_lock import InstanceLock, VaultInUse
from carenav.store.vault import Vault
from carenav.ui.idle import InactivityWatcher
from carenav.ui.pages.audit_viewer import AuditViewerDialog
from carenav.ui.pages.backup_restore import (
    BackupSettingsDialog,
    DamagedVaultDialog,
    RestoreDialog,
    describe_restore,
)
from carenav.ui.pages.calendar import CalendarPage
from carenav.ui.pages.caseload import CaseloadPage
from carenav.ui.pages.ccm_report import CcmReportDialog
from carenav.ui.pages.change_passphrase import ChangePassphraseDialog
from carenav.ui.pages.chart import ChartPage, NewPatientDialog
from carenav.ui.pages.chart.chart_page import ASSESSMENTS_TAB, CARE_PLAN_TAB, FOLLOW_UP_TAB
from carenav.ui.pages.coordination.screens import CoordinationScreens
from carenav.ui.pages.create_vault import CreateVaultPage, RecoveryCodePage
from carenav.ui.pages.import_caseload import ImportCaseloadDialog
from carenav.ui.pages.preferences import PreferencesDialog
from carenav.ui.pages.printing.packet import VisitPacketDialog, open_visit_packet
from carenav.ui.pages.quick_log import QuickLogDialog
from carenav.ui.pages.today import TodayPage
from carenav.ui.pages.unlock import UnlockPage
from carenav.ui.screen_lock import ScreenLockListener
from carenav.ui.tasks import run_in_background

WINDOW_TITLE = "CareNav"


class MainWindow(QMainWindow):
    def __init__(self, vault_path: Path | None = None, *, demo_passphrase: str = "") -> None:
        super().__init__()
        self.setWindowTitle(WINDOW_TITLE)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is not None:
            self.resize(min(1280, int(room.width() * 0.95)), min(820, int(room.height() * 0.92)))
        else:
            self.resize(1280, 800)
        self.vault: Vault | None = None
        self.instance_lock: InstanceLock | None = None
        self.settings = Settings.load()
        self.demo_passphrase = demo_passphrase

        self.stack = QStackedWidget()
        self.create_page = CreateVaultPage()
        self.recovery_page = RecoveryCodePage()
        self.unlock_page = UnlockPage()
        self.caseload_page = CaseloadPage()
        self.today_page = TodayPage()  # a panel at the top of the caseload (see today.py)
        caseload_layout = self.caseload_page.layout()
        assert isinstance(caseload_layout, QBoxLayout)
        caseload_layout.insertWidget(0, self.today_page)
        self.quick_log_dialog: QuickLogDialog | None = None
        self.calendar_page = CalendarPage()
        self.stack.addWidget(self.calendar_page)
        self.coordination = CoordinationScreens(self)  # directory, open referrals, check-backs
        self.chart_page = ChartPage()
        self.chart_page.follow_up.log_requested.connect(
            lambda follow_up_id: (
                self.coordination.check_back(follow_up_id)
                or self.quick_log(follow_up_id=follow_up_id)
            )
        )
        self.chart_page.instruments_folder = self.settings.instruments_folder
        self.chart_page.templates_folder = self.settings.templates_folder
        for page in (
            self.create_page,
            self.recovery_page,
            self.unlock_page,
            self.caseload_page,
            self.chart_page,
        ):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)

        self._build_menus()
        self.idle_watcher = InactivityWatcher(self.settings.idle_lock_minutes, parent=self)
        self.idle_watcher.idle.connect(lambda: self.lock("idle"))
        self.screen_lock_listener = ScreenLockListener(parent=self)
        self.screen_lock_listener.locked.connect(self.lock)
        self.backup_label = QLabel()
        self.statusBar().addPermanentWidget(self.backup_label)
        self.create_page.created.connect(self._on_vault_created)
        self.create_page.open_existing_requested.connect(self.choose_vault_file)
        self.recovery_page.confirmed.connect(self._show_caseload)
        self.recovery_page.printed.connect(self._on_recovery_code_printed)
        self.unlock_page.unlocked.connect(self._on_unlocked)
        self.unlock_page.damaged.connect(self._on_damaged)
        self.unlock_page.open_other_requested.connect(self.choose_vault_file)
        self.caseload_page.open_patient.connect(self.open_patient)
        self.caseload_page.new_patient_requested.connect(self.new_patient)
        self.caseload_page.import_requested.connect(self.import_caseload)
        self.chart_page.back_requested.connect(self.back_to_caseload)
        self.today_page.open_requested.connect(self.open_work_item)
        self.today_page.caseload_requested.connect(self.find_patient)
        self.calendar_page.open_patient.connect(self.open_patient)
        self.chart_page.patient_changed.connect(self._on_patient_changed)
        self.chart_page.patient_removed.connect(self._on_patient_removed)

        self.start(vault_path or self._remembered_vault())

    # -- menus --------------------------------------------------------------

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Any,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        self.new_patient_action = self._action("&New patient…", "Ctrl+N", self.new_patient)
        self.import_action = self._action("&Import caseload…", None, self.import_caseload)
        self.packet_action = self._action("&Visit packet for a day…", None, self.visit_packet)
        self.lock_action = self._action("&Lock", "Ctrl+L", lambda: self.lock("manual"))
        self.backups_action = self._action("&Backups…", None, self.backup_settings)
        self.restore_action = self._action("&Restore from backup…", None, self.restore_backup)
        self.audit_action = self._action("&Audit trail…", None, self.show_audit_trail)
        self.preferences_action = self._action("&Settings…", None, self.preferences)
        self.find_action = self._action("&Find patient", "Ctrl+F", self.find_patient)
        self.back_action = self._action("&Back to caseload", "Alt+Left", self.back_to_caseload)
        self.today_action = self._action("&Today", "Ctrl+T", self.show_today)
        self.quick_log_action = self._action("&Log a contact…", "Ctrl+K", self.quick_log)
        self.calendar_action = self._action("&Calendar", "Ctrl+Shift+C", self.show_calendar)
        self.ccm_report_action = self._action(
            "Chronic-care &minutes report…", "Ctrl+Shift+M", self.show_ccm_report
        )
        self.passphrase_action = self._action("Change &passphrase…", None, self.change_passphrase)
        open_action = self._action("&Open another vault…", None, self.choose_vault_file)
        quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        file_menu = self.menuBar().addMenu("&File")
        for action in (self.new_patient_action, self.import_action, self.packet_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.backups_action)
        file_menu.addAction(self.restore_action)
        file_menu.addAction(self.preferences_action)
        file_menu.addAction(self.passphrase_action)
        file_menu.addAction(open_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        go_menu = self.menuBar().addMenu("&Go")
        go_menu.addAction(self.today_action)
        go_menu.addAction(self.calendar_action)
        go_menu.addAction(self.ccm_report_action)
        self.coordination.add_to(go_menu)
        go_menu.addAction(self.find_action)
        go_menu.addAction(self.quick_log_action)
        go_menu.addAction(self.back_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.audit_action)
        help_menu.addAction(self._action("&About CareNav", None, self._about))
        self._update_actions()

    def _update_actions(self) -> None:
        unlocked = self.vault is not None and self.stack.currentWidget() in (
            self.caseload_page,
            self.chart_page,
            self.calendar_page,
            *self.coordination.pages,
        )
        for action in (
            *self.coordination.actions,
            self.new_patient_action,
            self.import_action,
            self.packet_action,
            self.lock_action,
            self.passphrase_action,
            self.backups_action,
            self.audit_action,
            self.find_action,
            self.back_action,
            self.today_action,
            self.quick_log_action,
            self.calendar_action,
            self.ccm_report_action,
        ):
            action.setEnabled(unlocked)

    def _chart_may_close(self) -> bool:
        """True unless the chart is showing with unsaved edits the user wants to keep."""
        if not self._showing_chart():
            return True
        return bool(self.chart_page.maybe_leave())

    def _showing_chart(self) -> bool:
        return self.stack.currentIndex() == self.stack.indexOf(self.chart_page)

    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        self._update_actions()

    # -- vault lifecycle ---------------------------------------------------

    def _remembered_vault(self) -> Path:
        if self.settings.last_vault and Path(self.settings.last_vault).exists():
            return Path(self.settings.last_vault)
        return default_vault_path()

    def start(self, vault_path: Path) -> None:
        """Show the unlock screen for an existing vault, or first-run creation."""
        self.vault_path = vault_path
        header = vault_path.with_name(vault_path.name + ".keys")
        if vault_path.exists() or header.exists():
            demo = self.demo_passphrase
            self.unlock_page.prepare(vault_path, demo_passphrase=demo)
            self._show(self.unlock_page)
        else:
            self.create_page.prepare(vault_path)
            self._show(self.create_page)
        self.status_label.setText("Locked")

    def choose_vault_file(self) -> None:
        if self.vault is not None and not self.lock():
            return
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Open a CareNav vault", str(self.vault_path.parent), "CareNav vault (*.cnv)"
        )
        if chosen:
            self.demo_passphrase = ""
            self.start(Path(chosen))

    def _on_vault_created(self, vault: Vault, code: str) -> None:
        self._attach(vault)
        self.recovery_page.show_code(code)
        self._show(self.recovery_page)

    def _on_recovery_code_printed(self) -> None:
        if self.vault is not None:
            record_event(self.vault, "print", detail="recovery code")

    def _on_unlocked(self, vault: Vault) -> None:
        self._attach(vault)
        self._show_caseload()

    def _attach(self, vault: Vault) -> None:
        try:
            self.instance_lock = InstanceLock.acquire(vault.db_path)
        except VaultInUse as exc:
            vault.close()
            self.unlock_page.prepare(vault.db_path, demo_passphrase=self.demo_passphrase)
            self._show(self.unlock_page)
            QMessageBox.information(self, "Vault already open", str(exc))
            return
        self.vault = vault
        holidays_problem = apply_holiday_file(self.settings.holidays_file)  # before the clocks
        if not self.demo_passphrase:
            self.settings.remember_vault(vault.db_path)
        self.caseload_page.set_vault(vault)
        self.today_page.show_for(vault)
        self.status_label.setText(
            holidays_problem or "Unlocked. Press Ctrl+L to lock when you step away."
        )
        self.idle_watcher.set_timeout_minutes(self.settings.idle_lock_minutes)
        self.idle_watcher.start()
        self.idle_watcher.resume()
        self._refresh_backup_status()
        self._automatic_backup(vault)
        if vault.migration_backup is not None:
            QMessageBox.information(
                self,
                "Vault updated",
                "Your vault was updated to work with this version of CareNav. A copy of "
                f"it as it was before is kept at {vault.migration_backup}.",
            )

    def _show_caseload(self) -> None:
        if self.vault is None:
            return
        self._show(self.caseload_page)
        self.caseload_page.focus_search()

    def lock(self, reason: str = "manual") -> bool:
        """Keep unsaved work as encrypted drafts, close the vault, wipe the key, clear views.

        Never asks a question: an idle or screen lock must happen even when nobody
        is at the keyboard. The chart's details, new patients, assessment forms, the care
        plan and the quick log keep what was typed as encrypted drafts; the small
        one-step dialogs (schedule, discharge, referral, directory entry, authorisation)
        are closed without keeping what was typed in them (see docs/coordination.md).
        """
        if self.vault is None:
            return True
        self.idle_watcher.pause()
        for _ in range(10):  # open menus and pop-ups close first (they may show patient data)
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        kept = self.chart_page.save_draft()  # chart forms and dialogs become drafts first
        if self.quick_log_dialog is not None and self.quick_log_dialog.isVisible():
            kept = self.quick_log_dialog.keep_as_draft() or kept  # an encrypted draft
        for dialog in self.findChildren(QDialog):  # then anything else still open closes
            if dialog.isVisible():
                dialog.reject()
        vault, self.vault = self.vault, None
        self.chart_page.clipboard.clear_if_ours()
        self.chart_page.clear()
        self.caseload_page.set_vault(None)
        self.today_page.clear()
        self.calendar_page.clear()
        self.coordination.clear()
        self.quick_log_dialog = None
        vault.lock(reason)  # audited, then sessions closed, engine disposed, key wiped
        if self.instance_lock is not None:
            self.instance_lock.release()
            self.instance_lock = None
        self.start(self.vault_path)
        if self.chart_page.draft_error:
            self.status_label.setText(self.chart_page.draft_error)
        elif kept:
            self.status_label.setText(
                "Locked. What you were typing was kept and will be offered again."
            )
        return True

    # -- backups --------------------------------------------------------------

    def _automatic_backup(self, vault: Vault) -> None:
        """The day's backup, after the first unlock of the day (audited like any backup)."""
        folder = self.settings.backup_folder
        if not folder:
            return
        keep = self.settings.backup_keep_days
        run_in_background(
            lambda: backups.automatic_backup(vault, Path(folder), keep),
            lambda _info: self._refresh_backup_status(),
            lambda exc: self.backup_label.setText(str(exc)),
        )

    def _refresh_backup_status(self) -> None:
        self.backup_label.setText(backups.status_text(self.settings.backup_folder))

    def preferences(self) -> None:
        if PreferencesDialog(self.settings, self).exec() == QDialog.DialogCode.Accepted:
            self.idle_watcher.set_timeout_minutes(self.settings.idle_lock_minutes)
            self.chart_page.instruments_folder = self.settings.instruments_folder
            self.chart_page.templates_folder = self.settings.templates_folder
            holidays_problem = apply_holiday_file(self.settings.holidays_file)
            self.today_page.refresh()  # the clocks may count other days now
            self.status_label.setText(
                holidays_problem
                or f"CareNav now locks after {self.settings.idle_lock_minutes} idle minutes."
            )

    def show_audit_trail(self) -> None:
        if self.vault is None:
            return
        AuditViewerDialog(self.vault, self).exec()

    def backup_settings(self) -> None:
        dialog = BackupSettingsDialog(self.settings, self, vault=self.vault)
        dialog.exec()
        self._refresh_backup_status()

    def restore_backup(self) -> None:
        if self.vault is not None and not self.lock("restore"):
            return
        dialog = RestoreDialog(self.vault_path, self, backup_folder=self.settings.backup_folder)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_info is not None:
            self.start(self.vault_path)
            self.status_label.setText(describe_restore(dialog.result_info))

    def _on_damaged(self, exc: VaultDamaged) -> None:
        dialog = DamagedVaultDialog(self.vault_path, exc.detail, self.settings.backup_folder, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start(self.vault_path)
            if dialog.restored is not None:
                self.status_label.setText(describe_restore(dialog.restored))

    # -- patients -----------------------------------------------------------

    def find_patient(self) -> None:
        if self.vault is None:
            return
        if not self._chart_may_close():
            return
        self._show(self.caseload_page)
        self.caseload_page.focus_search()

    def open_patient(self, patient_id: uuid.UUID) -> None:
        if self.vault is None:
            return
        self.chart_page.show_patient(self.vault, patient_id)
        self._show(self.chart_page)

    def back_to_caseload(self) -> None:
        if self.vault is not None and self.stack.currentWidget() in (
            self.calendar_page,
            *self.coordination.pages,
        ):
            self._show(self.caseload_page)
            self.today_page.refresh()
            self.caseload_page.table.setFocus()
            return
        if not self._showing_chart() or not self._chart_may_close():
            return
        self.chart_page.clear()
        self._show(self.caseload_page)
        self.today_page.refresh()
        self.caseload_page.table.setFocus()

    # -- today, calendar and quick log ----------------------------------------

    def show_calendar(self) -> None:
        """The follow-up calendar (agenda, month, week, day); Alt+Left goes back."""
        if self.vault is None or not self._chart_may_close():
            return
        if self._showing_chart():
            self.chart_page.clear()
        self.calendar_page.show_for(self.vault)
        self._show(self.calendar_page)

    def show_ccm_report(self) -> CcmReportDialog | None:
        """Ctrl+Shift+M: the month's chronic-care minutes; a row opens the Follow-up tab."""
        if self.vault is None:
            return None
        dialog = CcmReportDialog(self.vault, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_patient.connect(lambda pid: self.open_work_item(pid, "contacts", None))
        dialog.exported.connect(self.status_label.setText)
        dialog.open()
        return dialog

    def show_today(self) -> None:
        """Ctrl+T: the caseload page with the keyboard in Today's list (fresh)."""
        if self.vault is None or not self._chart_may_close():
            return
        if self._showing_chart():
            self.chart_page.clear()
        self._show(self.caseload_page)
        self.today_page.show_for(self.vault)
        self.today_page.focus_list()

    def open_work_item(self, patient_id: uuid.UUID, opens: str, record_id: object) -> None:
        """Open the place that deals with a Today item (the chart, a tab, the quick log)."""
        if self.vault is None or not self._chart_may_close():
            return
        self.open_patient(patient_id)
        if opens == "assessments":
            self.chart_page.show_section(ASSESSMENTS_TAB)
        elif opens == "care-plan":
            self.chart_page.show_section(CARE_PLAN_TAB)
        elif opens in ("transition", "contacts"):
            self.chart_page.show_section(FOLLOW_UP_TAB)
        elif (
            opens == "follow-up"
            and isinstance(record_id, uuid.UUID)
            and not self.coordination.check_back(record_id)  # a referral check-back opens its own
        ):
            self.quick_log(follow_up_id=record_id)

    def _forget_quick_log(self, dialog: QuickLogDialog) -> None:
        if self.quick_log_dialog is dialog:
            self.quick_log_dialog = None

    def quick_log(self, *, follow_up_id: uuid.UUID | None = None) -> QuickLogDialog | None:
        """Ctrl+K: log a contact for the open chart's patient (or one found by search)."""
        if self.vault is None:
            return None
        patient = self.chart_page.patient if self._showing_chart() else None
        dialog = QuickLogDialog(
            self.vault,
            self,
            patient_id=patient.id if patient is not None else None,
            follow_up_id=follow_up_id,
            catalogue=self.chart_page.catalogue(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.today_page.refresh)
        dialog.accepted.connect(self.chart_page.follow_up.refresh)
        dialog.accepted.connect(lambda: self.status_label.setText("Contact logged."))
        dialog.finished.connect(lambda _result: self._forget_quick_log(dialog))
        self.quick_log_dialog = dialog
        dialog.open()
        return dialog

    def new_patient(self) -> None:
        if self.vault is None:
            return
        if not self._chart_may_close():
            return
        dialog = NewPatientDialog(self.vault, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.caseload_page.refresh()
            self.open_patient(dialog.created_id)

    def import_caseload(self) -> None:
        if self.vault is None:
            return
        dialog = ImportCaseloadDialog(self.vault, self)
        dialog.exec()
        if dialog.imported_count:
            self.caseload_page.refresh()

    def visit_packet(self) -> VisitPacketDialog | None:
        """File > Visit packet for a day…: the day's home visits printed in the background."""
        if self.vault is None:
            return None
        dialog = open_visit_packet(self, self.vault)
        dialog.built.connect(self.status_label.setText)
        return dialog

    def change_passphrase(self) -> None:
        if self.vault is None:
            return
        dialog = ChangePassphraseDialog(self.vault, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.changed:
            self.status_label.setText("The passphrase was changed. The recovery code still works.")

    def _on_patient_changed(self, patient_id: uuid.UUID) -> None:
        self.caseload_page.apply_query()
        self.caseload_page.select_patient(patient_id)

    def _on_patient_removed(self, _patient_id: uuid.UUID) -> None:
        self.chart_page.clear()
        self.caseload_page.refresh()
        self._show(self.caseload_page)

    def _about(self) -> None:
        from carenav import __version__

        QMessageBox.about(
            self,
            "About CareNav",
            f"CareNav {__version__}\n\nAn encrypted caseload for community care managers. "
            "Your data stays on this laptop, encrypted with your passphrase.",
        )

    # -- closing -------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.vault is not None:
            self.lock("quit")
        self.chart_page.clipboard.clear_if_ours()
        event.accept()
