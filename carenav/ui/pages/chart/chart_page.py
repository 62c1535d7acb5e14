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
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from carenav.errors import CareNavError, InvalidInput
from carenav.models import Draft, Patient
from carenav.services.assessments import instrument_of_form, safety_notices
from carenav.services.catalogue import Catalogue, load_catalogue
from carenav.services.chart import Chart, load_chart
from carenav.services.drafts import discard_draft, drafts_for, merge_into_draft
from carenav.services.patients import (
    PATIENT_FIELDS,
    get_patient,
    remove_patient,
    update_patient,
)
from carenav.store.vault import Vault
from carenav.ui.clipboard import SecureClipboard
from carenav.ui.item_models.assessments import short_name
from carenav.ui.pages.assessment.launcher import AssessmentLauncher
from carenav.ui.pages.assessment.panel import AssessmentsPanel
from carenav.ui.pages.assessment.risk_tier import RiskTierDialog
from carenav.ui.pages.care_plan.panel import DRAFT_PREFIX as PLAN_DRAFT_PREFIX
from carenav.ui.pages.care_plan.panel import CarePlanPanel
from carenav.ui.pages.care_plan.summary import PlanSummary
from carenav.ui.pages.chart.banner import ChartBanner
from carenav.ui.pages.chart.dialogs import ask_save_discard_cancel, confirm_removal
from carenav.ui.pages.chart.draft_banner import (
    FORM_PATIENT,
    DraftBanner,
    draft_time_text,
    form_values,
    parse_record_form_name,
)
from carenav.ui.pages.chart.fields import (
    ALLERGIES,
    CARE_TEAM,
    FAMILY,
    MEDICATIONS,
    NOTES,
    PATIENT_FIELD_SPECS,
    PROBLEMS,
    RecordKind,
)
from carenav.ui.pages.chart.follow_up_tab import FollowUpPanel
from carenav.ui.pages.chart.new_patient import open_new_patient_dialogs
from carenav.ui.pages.chart.patient_form import PatientForm, scrolled_form
from carenav.ui.pages.chart.record_section import RecordSection
from carenav.ui.pages.chart.style import CHART_STYLE
from carenav.ui.pages.coordination.referrals_tab import ReferralsPanel
from carenav.ui.pages.printing.preview import PrintPreviewDialog, open_print_preview
from carenav.ui.pages.quick_log import QUICK_LOG_FORM

LEAVE_QUESTION = "Save changes to this patient's details?"
DRAFT_NOT_KEPT = (
    "What was typed could not be kept as a draft before the vault locked ({error}). "
    "Check that the disk has free space."
)
TAB_TITLES = (
    "Demographics",
    "Family and caregivers",
    "Care team",
    "Problems",
    "Medications and allergies",
    "Notes",
    "Assessments",
    "Care plan",
    "Follow-up",
    "Referrals",
)
ASSESSMENTS_TAB = 6
CARE_PLAN_TAB = 7
FOLLOW_UP_TAB = 8
REFERRALS_TAB = 9  # Ctrl+0


def _short_title(catalogue: Catalogue, instrument_id: str) -> str:
    """'PHQ-9' for the PHQ-9 depression questionnaire (the alert's own label says the rest)."""
    return (
        short_name(catalogue.get(instrument_id)) if catalogue.has(instrument_id) else instrument_id
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
        self.clipboard = SecureClipboard(self)
        self.pending_drafts: list[Draft] = []
        self.draft_error = ""  # set when save_draft() could not keep what was typed
        self.instruments_folder = ""  # the agency's instruments (File > Settings)
        self.templates_folder = ""  # the agency's care-plan templates (File > Settings)

        self.banner = ChartBanner()
        self.draft_banner = DraftBanner()
        self.draft_banner.restore_requested.connect(self.restore_drafts)
        self.draft_banner.discard_requested.connect(self.discard_drafts)
        self.form = PatientForm()
        self.sections: dict[str, RecordSection] = {
            kind.title: RecordSection(kind)
            for kind in (FAMILY, CARE_TEAM, PROBLEMS, MEDICATIONS, ALLERGIES, NOTES)
        }
        self.assessments = AssessmentsPanel()
        self.care_plan = CarePlanPanel()
        self.follow_up = FollowUpPanel()
        self.referrals = ReferralsPanel()
        self.referrals.plan_changed.connect(self.care_plan.refresh)
        self.referrals.plan_changed.connect(self._show_plan_summary)
        self.referrals.follow_ups_changed.connect(self.follow_up.refresh)
        self.plan_summary = PlanSummary()
        self.care_plan.plan_changed.connect(self._show_plan_summary)
        self.care_plan.print_requested.connect(self.print_care_plan)
        self.assessment_launcher = AssessmentLauncher(
            self.assessments, self, self.catalogue, self.show_safety
        )
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self._build_tabs()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.assessments.risk_tier_requested.connect(self.review_risk_tier)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(10)
        self._add_page_buttons()
        layout.addWidget(self.banner)
        layout.addWidget(self.draft_banner)
        layout.addWidget(self.plan_summary)
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
        self.copy_phone_action = QAction("Copy phone number", self)
        self.copy_phone_action.setToolTip("Copy the phone number; cleared from the clipboard soon")
        self.copy_phone_action.triggered.connect(self.copy_phone_number)
        self.copy_phone_action.setEnabled(False)
        self.print_plan_action = QAction("Print care plan…", self)
        self.print_plan_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_plan_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_plan_action.triggered.connect(self.print_care_plan)
        self.addAction(self.print_plan_action)  # Ctrl+P anywhere in the chart
        self.actions_button = QPushButton("Patient actions")
        menu = QMenu(self.actions_button)
        menu.addAction(self.print_plan_action)
        menu.addAction(self.copy_phone_action)
        menu.addSeparator()
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
        self.tabs.addTab(self._padded(self.assessments), TAB_TITLES[6])
        self.tabs.addTab(self._padded(self.care_plan), TAB_TITLES[7])
        self.tabs.addTab(self._padded(self.follow_up), TAB_TITLES[FOLLOW_UP_TAB])
        self.tabs.addTab(self._padded(self.referrals), TAB_TITLES[REFERRALS_TAB])
        for index in range(self.tabs.count()):
            self.tabs.setTabToolTip(index, f"{TAB_TITLES[index]} (Ctrl+{(index + 1) % 10})")

    @staticmethod
    def _padded(content: QWidget) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(content)
        return page

    def _demographics_tab(self) -> QWidget:
        scroll = scrolled_form(self.form, (12, 4, 12, 12))

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
            shortcut = QShortcut(QKeySequence(f"Ctrl+{(index + 1) % 10}"), self)
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
        self.assessments.instruments_folder = self.instruments_folder
        self.assessments.show_patient(vault, chart.patient.id)
        self.assessment_launcher.set_patient(vault, chart.patient.id)
        self.care_plan.templates_folder = self.templates_folder
        self.care_plan.show_patient(vault, chart.patient.id)
        self._show_plan_summary()
        self.follow_up.show_patient(vault, chart.patient, catalogue=self.catalogue())
        self.referrals.show_patient(vault, chart.patient.id)
        self.show_safety()
        self.copy_phone_action.setEnabled(bool(self.phone_number()))
        self.tabs.setCurrentIndex(0)
        self._offer_drafts()

    def print_care_plan(self) -> PrintPreviewDialog | None:
        """Ctrl+P: preview, print or save this patient's care plan."""
        if self.vault is None or self.patient is None:
            return None
        return open_print_preview(self, self.vault, self.patient.id)

    def catalogue(self) -> Catalogue:
        return load_catalogue(self.instruments_folder)

    def show_safety(self) -> None:
        """The urgent flags of the patient's newest screeners, in the banner."""
        if self.vault is None or self.patient is None:
            return
        catalogue = self.catalogue()
        notices = safety_notices(self.vault, self.patient.id)
        self.banner.show_safety(
            notices, {n.instrument_id: _short_title(catalogue, n.instrument_id) for n in notices}
        )
        # on the Assessments tab the same alert is shown with a way to open the form
        if self.tabs.currentIndex() == ASSESSMENTS_TAB:
            self.banner.safety_label.setVisible(False)

    def review_risk_tier(self) -> bool:
        """The suggested tier with its reasons; True when the care manager recorded a tier."""
        if self.vault is None or self.patient is None:
            return False
        dialog = RiskTierDialog(self.vault, self.patient.id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.patient = get_patient(self.vault, self.patient.id)
        if not self.form.is_dirty():  # never overwrite details being typed
            self.form.load(patient_values(self.patient))
        self.banner.show_patient(self.patient)
        self.assessments.refresh()
        self.patient_changed.emit(self.patient.id)
        return True

    def _on_tab_changed(self, _index: int) -> None:
        self.show_safety()
        self._show_plan_summary()

    def _show_plan_summary(self) -> None:
        """The plan at a glance above every tab but the Care plan tab (which shows it all)."""
        on_plan_tab = self.tabs.currentIndex() == CARE_PLAN_TAB
        if self.vault is None or self.patient is None or on_plan_tab:
            self.plan_summary.setVisible(False)
            return
        self.plan_summary.show_plan(self.vault, self.patient.id)
        self.plan_summary.setVisible(True)

    def clear(self) -> None:
        """Drop every piece of patient information from every widget and model."""
        for section in self.sections.values():
            section.clear()
        self.assessments.clear()
        self.assessment_launcher.set_patient(None, None)
        self.care_plan.clear()
        self.follow_up.clear()
        self.referrals.clear()
        self.plan_summary.clear()
        self.form.clear()
        self.banner.clear()
        self.pending_drafts = []
        self.draft_banner.withdraw()
        self.copy_phone_action.setEnabled(False)
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

    # -- drafts: nothing typed is lost when the vault locks ----------------------------

    def save_draft(self) -> bool:
        """Keep every unsaved form as an encrypted draft and close it, without asking.

        Called when the vault locks, before clear(): the demographics (if
        changed), an open record dialog and an open New patient dialog. Their
        questions are closed too, so locking never waits for an answer. True
        if something was kept; ``draft_error`` says what went wrong, if anything.
        """
        self.draft_error = ""
        kept = False
        for keep in (self._keep_form_draft, *self._dialog_keepers()):
            try:
                kept = keep() or kept
            except (CareNavError, SQLAlchemyError, OSError) as exc:
                self.draft_error = DRAFT_NOT_KEPT.format(error=type(exc).__name__)
        return kept

    def _keep_form_draft(self) -> bool:
        self._close_questions(self)
        if self.vault is None or self.patient is None or not self.form.is_dirty():
            return False
        merge_into_draft(
            self.vault,
            form=FORM_PATIENT,
            patient_id=self.patient.id,
            record_id=None,
            changes=self.form.changes(),
        )
        self.form.revert()  # kept safely: nothing is left to ask about
        return True

    def _dialog_keepers(self) -> list[Any]:
        keepers: list[Any] = [section.keep_draft for section in self.sections.values()]
        keepers += self.assessment_launcher.keepers()
        keepers.append(self.care_plan.keep_as_draft)
        for dialog in open_new_patient_dialogs():
            self._close_questions(dialog)
            keepers.append(dialog.keep_as_draft)
        return keepers

    @staticmethod
    def _close_questions(owner: QWidget) -> None:
        """Answer any open question under owner with its safe (escape) button."""
        for box in owner.findChildren(QMessageBox):
            if box.isVisible():
                box.reject()

    def _offer_drafts(self) -> None:
        if self.vault is None or self.patient is None:
            return
        self.pending_drafts = [  # assessments and care-plan edits are offered on their own tabs
            d
            for d in drafts_for(self.vault, self.patient.id)
            if instrument_of_form(d.form) is None
            and not d.form.startswith(PLAN_DRAFT_PREFIX)
            and d.form != QUICK_LOG_FORM
        ]
        if self.pending_drafts:
            self.draft_banner.offer(self.pending_drafts[0].updated_at)
        else:
            self.draft_banner.withdraw()

    def restore_drafts(self) -> None:
        """Put the drafts' values back: the details form, and one record dialog at a time."""
        if self.vault is None:
            return
        opened_dialog = False
        for draft in list(self.pending_drafts):
            if draft.form == FORM_PATIENT:
                self.tabs.setCurrentIndex(0)
                self.form.restore(form_values(PATIENT_FIELD_SPECS, draft.payload))
            elif not opened_dialog and self._open_record_draft(draft):
                opened_dialog = True
            else:
                continue
            discard_draft(self.vault, draft.id)
        self._offer_drafts()
        self._set_message("Unsaved changes put back. Save them when they are right.")

    def _open_record_draft(self, draft: Draft) -> bool:
        parsed = parse_record_form_name(draft.form)
        section = self.sections.get(parsed[0]) if parsed else None
        if section is None or draft.record_id is None:
            return False
        self._show_section_of(section)
        values = form_values(section.kind.fields, draft.payload)
        return section.open_draft(draft.record_id, values) is not None

    def _show_section_of(self, section: RecordSection) -> None:
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(section):
                self.tabs.setCurrentIndex(index)

    def discard_drafts(self) -> bool:
        """Ask (default Keep), then throw the offered drafts away. True if discarded."""
        if self.vault is None or not self.pending_drafts:
            return False
        when = draft_time_text(self.pending_drafts[0].updated_at)
        if not confirm_removal(
            self,
            title="Unsaved changes",
            question=f"Discard the unsaved changes from {when}?",
            detail="What was typed before the vault locked will not be kept.",
            remove_text="Discard",
            keep_text="Keep",
        ):
            return False
        for draft in self.pending_drafts:
            discard_draft(self.vault, draft.id)
        self._offer_drafts()
        return True

    # -- actions ------------------------------------------------------------------

    def phone_number(self) -> str:
        if self.patient is None:
            return ""
        return self.patient.phone_mobile or self.patient.phone_home

    def copy_phone_number(self) -> bool:
        """Copy the phone number, marked secret; the clipboard is cleared after 30 seconds."""
        number = self.phone_number()
        if not number:
            return False
        self.clipboard.copy(number)
        seconds = self.clipboard.clear_after_ms // 1000
        self._set_message(
            f"Phone number copied. It will be cleared from the clipboard in {seconds} seconds.",
            saved_ok=True,
        )
        return True

    def show_section(self, index: int) -> None:
        """Ctrl+1..Ctrl+9, Ctrl+0: show a section and put the keyboard in it."""
        self.tabs.setCurrentIndex(index)
        if index == ASSESSMENTS_TAB:
            self.assessments.start_button.setFocus()
            return
        if index == CARE_PLAN_TAB:
            self.care_plan.setFocus()
            return
        if index == FOLLOW_UP_TAB:
            self.follow_up.log_button.setFocus()
            return
        if index == REFERRALS_TAB:
            self.referrals.table.setFocus()
            return
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
            chart = load_chart(self.vault, self.patient.id, opened=False)
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
