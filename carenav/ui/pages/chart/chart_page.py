"""The patient chart: banner, demographics form and the record sections.

Everything is read with one load_chart call and written through
carenav.services.chart / carenav.services.patients. The page never puts a
patient's details in a window title, and clear() empties every widget.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import Patient
from carenav.services.chart import Chart, load_chart
from carenav.services.patients import PATIENT_FIELDS, remove_patient, update_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart.banner import ChartBanner
from carenav.ui.pages.chart.dialogs import ask_save_discard_cancel, confirm_removal
from carenav.ui.pages.chart.fields import (
    ALLERGIES,
    CARE_TEAM,
    FAMILY,
    MEDICATIONS,
    NOTES,
    PROBLEMS,
    RecordKind,
)
from carenav.ui.pages.chart.patient_form import PatientForm
from carenav.ui.pages.chart.record_section import RecordSection
from carenav.ui.pages.chart.style import CHART_STYLE

LEAVE_QUESTION = "Save changes to this patient's details?"
TAB_TITLES = (
    "Demographics",
    "Family and caregivers",
    "Care team",
    "Problems",
    "Medications and allergies",
    "Notes",
)


def patient_values(patient: Patient) -> dict[str, Any]:
    return {name: getattr(patient, name) for name in PATIENT_FIELDS}


def chart_records(chart: Chart, kind: RecordKind) -> list[Any]:
    by_kind: dict[str, list[Any]] = {
        FAMILY.title: list(chart.family),
        CARE_TEAM.title: list(chart.care_team),
        PROBLEMS.title: list(chart.problems),
        MEDICATIONS.title: list(chart.medications),
        ALLERGIES.title: list(chart.allergies),
        NOTES.title: list(chart.notes),
    }
    return by_kind[kind.title]


class ChartPage(QWidget):
    back_requested = Signal()
    patient_changed = Signal(object)
    patient_removed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(CHART_STYLE)
        self.vault: Vault | None = None
        self.patient: Patient | None = None

        self.banner = ChartBanner()
        self.form = PatientForm()
        self.sections: dict[str, RecordSection] = {
            kind.title: RecordSection(kind)
            for kind in (FAMILY, CARE_TEAM, PROBLEMS, MEDICATIONS, ALLERGIES, NOTES)
        }
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self._build_tabs()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(10)
        self._add_page_buttons()
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self._add_shortcuts()
        self.form.dirty_changed.connect(self._on_dirty_changed)
        for section in self.sections.values():
            section.changed.connect(self._on_record_changed)
        self._on_dirty_changed(False)

    # -- building ---------------------------------------------------------------

    def _add_page_buttons(self) -> None:
        """Back and the patient's actions sit on the banner's name row (saves a line)."""
        self.back_button = QPushButton("← Back to caseload")
        self.back_button.setToolTip("Back to the caseload (Esc or Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        self.remove_patient_action = QAction("Remove patient from caseload…", self)
        self.remove_patient_action.triggered.connect(self.remove_patient_from_caseload)
        self.actions_button = QPushButton("Patient actions")
        menu = QMenu(self.actions_button)
        menu.addAction(self.remove_patient_action)
        self.actions_button.setMenu(menu)
        self.banner.name_row.addWidget(self.back_button)
        self.banner.name_row.addWidget(self.actions_button)

    def _build_tabs(self) -> None:
        self.tabs.addTab(self._demographics_tab(), TAB_TITLES[0])
        for title in ("Family and caregivers", "Care team", "Problems"):
            self.tabs.addTab(self._padded(self.sections[title]), title)
        medicines = QSplitter(Qt.Orientation.Vertical)
        medicines.setChildrenCollapsible(False)
        medicines.addWidget(self.sections[MEDICATIONS.title])
        medicines.addWidget(self.sections[ALLERGIES.title])
        medicines.setStretchFactor(0, 3)
        medicines.setStretchFactor(1, 2)
        self.tabs.addTab(self._padded(medicines), TAB_TITLES[4])
        self.tabs.addTab(self._padded(self.sections[NOTES.title]), TAB_TITLES[5])
        for index in range(self.tabs.count()):
            self.tabs.setTabToolTip(index, f"{TAB_TITLES[index]} (Ctrl+{index + 1})")

    @staticmethod
    def _padded(content: QWidget) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(content)
        return page

    def _demographics_tab(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("demographicsScroll")
        scroll.setWidgetResizable(True)
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(12, 4, 12, 12)
        inner.addWidget(self.form)
        scroll.setWidget(holder)

        self.save_message = QLabel()
        self.save_message.setWordWrap(True)
        self.unsaved_hint = QLabel("Unsaved changes")
        self.unsaved_hint.setObjectName("unsavedText")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Put back the details as they were last saved")
        self.revert_button.clicked.connect(self.discard_changes)
        self.save_button = QPushButton("Save changes")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save the patient's details (Ctrl+S)")
        self.save_button.clicked.connect(self.save_changes)
        bar = QHBoxLayout()
        bar.setContentsMargins(12, 6, 12, 8)
        bar.addWidget(self.save_message, 1)
        bar.addWidget(self.unsaved_hint)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(scroll, 1)
        column.addLayout(bar)
        return page

    def _add_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(context)
        save.activated.connect(self.save_changes)
        for index in range(self.tabs.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.setContext(context)
            shortcut.activated.connect(lambda i=index: self.show_section(i))

    # -- the contract with the main window ----------------------------------------

    def show_patient(self, vault: Vault, patient_id: uuid.UUID) -> None:
        """Load the whole chart (one load_chart call) and fill every section."""
        chart = load_chart(vault, patient_id)
        self.vault = vault
        self.patient = chart.patient
        self.form.load(patient_values(chart.patient))
        self._set_message("")
        self._fill_records(chart)
        self.banner.show_chart(chart)
        self.tabs.setCurrentIndex(0)

    def clear(self) -> None:
        """Drop every piece of patient information from every widget and model."""
        for section in self.sections.values():
            section.clear()
        self.form.clear()
        self.banner.clear()
        self._set_message("")
        self._set_counts({})
        self.vault = None
        self.patient = None

    def has_unsaved_changes(self) -> bool:
        return self.patient is not None and self.form.is_dirty()

    def save_changes(self) -> bool:
        """Save the demographics; False (with messages beside the fields) if not accepted."""
        if self.vault is None or self.patient is None:
            return False
        if not self.form.is_dirty():
            return True
        try:
            saved = update_patient(
                self.vault,
                self.patient.id,
                self.form.changes(),
                expected_version=self.patient.version,
            )
        except InvalidInput as exc:
            self.tabs.setCurrentIndex(0)
            leftover = self.form.show_errors(exc.errors)
            extra = " ".join(leftover.values())
            self._set_message(f"Not saved yet: correct the details marked in red. {extra}".strip())
            return False
        except CareNavError as exc:
            self.form.clear_errors()
            self._set_message(f"Not saved. {exc}")
            return False
        self.patient = saved
        self.form.load(patient_values(saved))
        self.banner.show_patient(saved)
        self._set_message("Changes saved.", saved_ok=True)
        self.patient_changed.emit(saved.id)
        return True

    def discard_changes(self) -> None:
        """Put the form back to the details as they were last saved."""
        self.form.revert()
        self._set_message("")

    def maybe_leave(self) -> bool:
        """True if it is fine to leave the chart; asks first when details are unsaved."""
        if not self.has_unsaved_changes():
            return True
        self.tabs.setCurrentIndex(0)
        answer = ask_save_discard_cancel(self, title="Unsaved changes", question=LEAVE_QUESTION)
        if answer == "save":
            return self.save_changes()
        if answer == "discard":
            self.discard_changes()
            return True
        return False

    # -- actions ------------------------------------------------------------------

    def show_section(self, index: int) -> None:
        """Ctrl+1..Ctrl+6: show a section and put the keyboard in it."""
        self.tabs.setCurrentIndex(index)
        page = self.tabs.currentWidget()
        tables = [s.table for s in self.sections.values() if page.isAncestorOf(s.table)]
        if tables:
            tables[0].setFocus()
        else:
            self.form.editor("family_name").focus()

    def remove_patient_from_caseload(self) -> bool:
        """Ask (default Cancel), then remove the patient. True if removed."""
        if self.vault is None or self.patient is None:
            return False
        detail = "Their chart will no longer appear in your caseload."
        if self.form.is_dirty():
            detail += " The unsaved changes to their details will not be kept."
        if not confirm_removal(
            self,
            title="Remove patient",
            question="Remove this patient from your caseload?",
            detail=detail,
            remove_text="Remove patient",
            keep_text="Cancel",
        ):
            return False
        patient_id = self.patient.id
        try:
            remove_patient(self.vault, patient_id)
        except CareNavError as exc:
            QMessageBox.warning(self, "Remove patient", str(exc))
            return False
        self.clear()
        self.patient_removed.emit(patient_id)
        return True

    # -- slots and helpers ----------------------------------------------------------

    def _on_record_changed(self, _record_id: object) -> None:
        if self.vault is None or self.patient is None:
            return
        try:
            chart = load_chart(self.vault, self.patient.id)
        except CareNavError as exc:
            QMessageBox.warning(self, "Chart", str(exc))
            return
        self._fill_records(chart)
        self.banner.show_allergies(chart.allergies)
        self.patient_changed.emit(self.patient.id)

    def _fill_records(self, chart: Chart) -> None:
        counts: dict[int, int] = {}
        for section in self.sections.values():
            records = chart_records(chart, section.kind)
            section.set_context(self.vault, chart.patient.id)
            section.set_records(records)
        counts[1] = len(chart.family)
        counts[2] = len(chart.care_team)
        counts[3] = len(chart.problems)
        counts[5] = len(chart.notes)
        self._set_counts(counts)

    def _set_counts(self, counts: dict[int, int]) -> None:
        for index, title in enumerate(TAB_TITLES):
            count = counts.get(index)
            self.tabs.setTabText(index, f"{title} ({count})" if count else title)

    def _on_dirty_changed(self, dirty: bool) -> None:
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.unsaved_hint.setVisible(dirty)
        if dirty and self.save_message.objectName() == "savedText":
            self._set_message("")

    def _set_message(self, text: str, *, saved_ok: bool = False) -> None:
        self.save_message.setObjectName("savedText" if saved_ok else "errorText")
        self.save_message.style().unpolish(self.save_message)
        self.save_message.style().polish(self.save_message)
        self.save_message.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        back_keys = event.key() == Qt.Key.Key_Escape or (
            event.key() == Qt.Key.Key_Left and event.modifiers() == Qt.KeyboardModifier.AltModifier
        )
        if back_keys:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)
