"""The assessment window: a large, resizable dialog holding one AssessmentForm.

Closing (Close, Esc or the window's own button) never asks a question: every answer
is already kept as an encrypted draft, and one typed in the last half second is kept
on the way out. The title is the instrument's title, never the patient's name. A
"Start <screener>" button in the form opens a second window for that screener and
the same patient. When the vault locks, ``open_assessment_dialogs()`` lists the
windows and each one's ``keep_as_draft()`` keeps what is on screen and closes it.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QVBoxLayout, QWidget

from carenav.instruments import Instrument
from carenav.instruments.registry import UnknownInstrument
from carenav.services.assessments import HistoryEntry
from carenav.services.catalogue import Catalogue, load_catalogue
from carenav.store.vault import Vault
from carenav.ui.pages.assessment.form import AssessmentForm, CorrectionReasonDialog
from carenav.ui.pages.assessment.questions import plain_label, quiet_button
from carenav.ui.widgets.layout import show_message

KEPT_HINT = "Your answers are kept; you can finish later."
SIGNED_HINT = "Signed and saved. You can close this window."
KEYS_HINT = "Tab: next question  ·  ↑ ↓ or 1–9: choose  ·  Delete: clear  ·  Ctrl+Return: sign"
SECTION_KEYS_HINT = "  ·  Ctrl+↓ / Ctrl+↑: next / previous section"


class AssessmentDialog(QDialog):
    """One assessment form in its own large window (not modal: the chart stays usable)."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        instrument: Instrument,
        parent: QWidget | None = None,
        *,
        entry: HistoryEntry | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(instrument.title)  # never the patient's name
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.vault = vault
        self.patient_id = patient_id
        self.catalogue = catalogue
        self.screener_dialogs: list[AssessmentDialog] = []
        self.form = AssessmentForm(
            vault, patient_id, instrument, self, entry=entry, catalogue=catalogue
        )
        self.close_button = quiet_button("Close")
        self.close_button.setToolTip("Esc")
        self.close_button.clicked.connect(self.reject)
        self.form.add_footer_widget(self.close_button)
        keys = KEYS_HINT + (SECTION_KEYS_HINT if self.form.section_list is not None else "")
        self.hint = self.form.footer_hint
        self.keys_hint = plain_label(keys, "fieldHint")
        self._update_hints()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 10)
        layout.setSpacing(4)
        layout.addWidget(self.form, 1)
        self.keys_hint.setContentsMargins(18, 0, 18, 0)
        layout.addWidget(self.keys_hint)
        self.form.screener_requested.connect(self.open_screener)
        self.form.state_changed.connect(self._update_hints)
        self._size_to_screen()
        self.form.focus_first_question()

    @classmethod
    def for_response(
        cls,
        vault: Vault,
        entry: HistoryEntry,
        instrument: Instrument,
        parent: QWidget | None = None,
        *,
        catalogue: Catalogue | None = None,
        correct: bool = False,
    ) -> AssessmentDialog:
        """A signed form, read-only (with "Correct answers…" while it is current).

        With ``correct`` it opens ready for correcting, as "resume" of a correction does.
        """
        dialog = cls(
            vault, entry.response.patient_id, instrument, parent, entry=entry, catalogue=catalogue
        )
        if correct:
            dialog.form.start_correction()
        return dialog

    def _update_hints(self) -> None:
        form = self.form
        if not form.read_only:
            text = KEPT_HINT
        elif form.entry is not None and form.entry.response.superseded_at is None:
            text = SIGNED_HINT
        else:
            text = "This form was corrected later; it is kept as it was signed."
        self.hint.setText(text)
        self.keys_hint.setVisible(not form.read_only)

    def _size_to_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1100, 760)
            return
        area = screen.availableGeometry()
        self.setMinimumSize(min(760, area.width()), min(520, area.height()))
        self.resize(int(area.width() * 0.86), int(area.height() * 0.9))

    # -- closing and locking ---------------------------------------------------------------

    def reject(self) -> None:
        """Close without asking: the answers are kept (the last typed ones now)."""
        self._close_questions()
        self.form.flush()
        super().reject()

    def keep_as_draft(self) -> bool:
        """Keep what is on screen as a draft, then close (the vault is locking); never asks."""
        self._close_questions()
        try:
            return self.form.keep_as_draft()
        finally:
            self.done(QDialog.DialogCode.Rejected)

    def _close_questions(self) -> None:
        """Cancel an open question (the reason for a correction): the answers stay kept."""
        for question in self.findChildren(CorrectionReasonDialog):
            if question.isVisible():
                question.reject()

    # -- screeners -------------------------------------------------------------------------

    def open_screener(self, ident: str) -> AssessmentDialog | None:
        """Open (or bring forward) the screener's own window for the same patient."""
        for dialog in open_assessment_dialogs():
            if (
                dialog is not self
                and dialog.patient_id == self.patient_id
                and dialog.form.instrument.id == ident
                and not dialog.form.read_only
            ):
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        catalogue = self.catalogue or load_catalogue(None)
        try:
            instrument = catalogue.get(ident)
        except UnknownInstrument as exc:
            show_message(self.form.message, str(exc))
            return None
        owner = self.parentWidget() or self
        dialog = AssessmentDialog(
            self.vault, self.patient_id, instrument, owner, catalogue=catalogue
        )
        self.screener_dialogs.append(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog


def open_assessment_dialogs() -> list[AssessmentDialog]:
    """Assessment windows now on screen (the lock keeps their answers and closes them)."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, AssessmentDialog) and widget.isVisible()
    ]
