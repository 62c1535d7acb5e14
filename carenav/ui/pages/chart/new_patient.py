"""New patient (Ctrl+N): the patient form in a dialog that creates the patient."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import Draft
from carenav.services.drafts import discard_draft, drafts_for, merge_into_draft
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.chart.draft_banner import FORM_NEW_PATIENT, DraftBanner, form_values
from carenav.ui.pages.chart.fields import NEW_PATIENT_DEFAULTS, PATIENT_FIELD_SPECS
from carenav.ui.pages.chart.patient_form import PatientForm, scrolled_form
from carenav.ui.pages.chart.style import CHART_STYLE


class NewPatientDialog(QDialog):
    """OK adds the patient; on a problem the dialog stays open with what was typed.

    After accept, ``created_id`` is the new patient's id.
    """

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New patient")
        self.setStyleSheet(CHART_STYLE)
        self.vault = vault
        self.created_id: uuid.UUID = uuid.UUID(int=0)
        self.draft_key = uuid.uuid4()  # each unsaved new patient keeps its own draft
        self.draft_banner = DraftBanner()
        self.draft_banner.restore_requested.connect(self.restore_draft)
        self.draft_banner.discard_requested.connect(self.discard_draft)
        self._offered: Draft | None = None

        heading = QLabel("Add a patient to your caseload")
        heading.setObjectName("sectionTitle")
        hint = QLabel(
            "Family name, given name and date of birth are needed; the rest can be added later."
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        self.form = PatientForm()
        self.form.load(NEW_PATIENT_DEFAULTS)
        scroll = scrolled_form(self.form, (0, 0, 8, 0))

        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add patient")
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(self.draft_banner)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(1120, 720)
        self.form.editor("family_name").focus()
        self._offer_draft()

    def accept(self) -> None:
        try:
            self.created_id = create_patient(self.vault, self.form.values())
        except InvalidInput as exc:
            leftover = self.form.show_errors(exc.errors)
            text = "Not added yet: correct the details marked in red. " + " ".join(
                leftover.values()
            )
            self._show_message(text.strip())
            return
        except CareNavError as exc:
            self.form.clear_errors()
            self._show_message(f"Not added. {exc}")
            return
        super().accept()

    def reject(self) -> None:
        """Cancel or Esc: ask before throwing away what was typed."""
        if self.form.is_dirty() and not confirm_removal(
            self,
            title="New patient",
            question="Discard this new patient?",
            detail="What you typed has not been saved.",
            remove_text="Discard",
            keep_text="Keep editing",
        ):
            return
        super().reject()

    # -- drafts (the vault locked while a new patient was being typed) -------------

    def _offer_draft(self) -> None:
        drafts = [d for d in drafts_for(self.vault, None) if d.form == FORM_NEW_PATIENT]
        self._offered = drafts[0] if drafts else None
        if self._offered is None:
            self.draft_banner.withdraw()
        else:
            self.draft_banner.offer(self._offered.updated_at, what="an unsaved new patient")

    def restore_draft(self) -> None:
        """Put the offered draft's values into the form (unsaved) and let the draft go."""
        draft = self._offered
        if draft is None:
            return
        self.form.restore(form_values(PATIENT_FIELD_SPECS, draft.payload))
        self.draft_key = draft.record_id or self.draft_key
        discard_draft(self.vault, draft.id)
        self._offer_draft()

    def discard_draft(self) -> bool:
        """Ask (default Keep), then throw the offered draft away. True if discarded."""
        draft = self._offered
        if draft is None or not confirm_removal(
            self,
            title="New patient",
            question="Discard the unsaved new patient?",
            detail="What was typed before the vault locked will not be kept.",
            remove_text="Discard",
            keep_text="Keep",
        ):
            return False
        discard_draft(self.vault, draft.id)
        self._offer_draft()
        return True

    def keep_as_draft(self) -> bool:
        """Keep what was typed as an encrypted draft, then close without asking (locking)."""
        changes = self.form.changes()
        try:
            if changes:
                merge_into_draft(
                    self.vault,
                    form=FORM_NEW_PATIENT,
                    patient_id=None,
                    record_id=self.draft_key,
                    changes=changes,
                )
        finally:
            self.form.clear()
            self.draft_banner.withdraw()
            self._offered = None
            self.done(QDialog.DialogCode.Rejected)
        return bool(changes)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)


def open_new_patient_dialogs() -> list[NewPatientDialog]:
    """New patient dialogs now on screen (the main window opens them, the lock closes them)."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, NewPatientDialog) and widget.isVisible()
    ]
