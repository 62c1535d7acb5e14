"""Opening assessment windows from the chart's Assessments tab, and keeping the tab,
the chart banner and any open windows in step.

One window per patient and form: starting or resuming a form that is already open
brings its window forward instead of opening a second copy that could overwrite
the first one's draft. A screener started from inside a form (for example the
PHQ-9 from the comprehensive assessment) is wired the same way, so signing it
refreshes the tab and the banner too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from carenav.errors import CareNavError
from carenav.services.assessments import get_response
from carenav.services.catalogue import Catalogue
from carenav.store.vault import Vault
from carenav.ui.pages.assessment.form_dialog import AssessmentDialog, open_assessment_dialogs
from carenav.ui.pages.assessment.panel import AssessmentsPanel


class AssessmentLauncher(QObject):
    """Connects an AssessmentsPanel to the assessment windows for one chart."""

    def __init__(
        self,
        panel: AssessmentsPanel,
        owner: QWidget,
        catalogue: Callable[[], Catalogue],
        on_signed: Callable[[], None],
    ) -> None:
        super().__init__(owner)
        self.panel = panel
        self.owner = owner
        self.catalogue = catalogue
        self.on_signed = on_signed
        self.vault: Vault | None = None
        self.patient_id: uuid.UUID | None = None
        panel.start_requested.connect(self.start)
        panel.resume_requested.connect(self.resume)
        panel.open_response_requested.connect(self.open_response)

    def set_patient(self, vault: Vault | None, patient_id: uuid.UUID | None) -> None:
        self.vault, self.patient_id = vault, patient_id

    # -- opening ------------------------------------------------------------------------

    def start(self, instrument_id: str) -> AssessmentDialog | None:
        """A new form (or the unfinished one of the same form, which the form restores)."""
        existing = self._open_window(instrument_id, editing=True)
        if existing is not None:
            return existing
        if self.vault is None or self.patient_id is None:
            return None
        try:
            instrument = self.catalogue().get(instrument_id)
        except CareNavError as exc:
            self._warn(str(exc))
            return None
        dialog = AssessmentDialog(
            self.vault, self.patient_id, instrument, self.owner, catalogue=self.catalogue()
        )
        return self._show(dialog)

    def resume(self, instrument_id: str, amends_id: uuid.UUID | None) -> AssessmentDialog | None:
        """An unfinished form: a new one, or a correction of a signed one."""
        if amends_id is None:
            return self.start(instrument_id)
        dialog = self.open_response(amends_id)
        if dialog is not None and dialog.form.read_only:
            dialog.form.start_correction()
        return dialog

    def open_response(self, response_id: uuid.UUID) -> AssessmentDialog | None:
        """A signed form, read-only, with "Correct answers…" while it is the newest version."""
        if self.vault is None:
            return None
        for dialog in open_assessment_dialogs():
            entry = dialog.form.entry
            if entry is not None and entry.response.id == response_id:
                return self._bring_forward(dialog)
        try:
            entry = get_response(self.vault, response_id)
            instrument = self.catalogue().get(entry.response.questionnaire)
        except CareNavError as exc:
            self._warn(str(exc))
            return None
        dialog = AssessmentDialog.for_response(
            self.vault, entry, instrument, self.owner, catalogue=self.catalogue()
        )
        return self._show(dialog)

    # -- wiring -------------------------------------------------------------------------

    def _show(self, dialog: AssessmentDialog) -> AssessmentDialog:
        dialog.form.completed.connect(self._signed)
        dialog.finished.connect(self._closed)
        dialog.form.screener_requested.disconnect(dialog.open_screener)
        dialog.form.screener_requested.connect(
            lambda ident, parent=dialog: self._open_screener(parent, ident)
        )
        dialog.show()
        return self._bring_forward(dialog)

    def _open_screener(self, parent: AssessmentDialog, ident: str) -> None:
        already = self._open_window(ident, editing=True)
        if already is not None:
            return
        screener = parent.open_screener(ident)
        if screener is not None:
            screener.form.completed.connect(self._signed)
            screener.finished.connect(self._closed)

    def _open_window(self, instrument_id: str, *, editing: bool) -> AssessmentDialog | None:
        for dialog in open_assessment_dialogs():
            form = dialog.form
            if (
                dialog.patient_id == self.patient_id
                and form.instrument.id == instrument_id
                and (not form.read_only) == editing
                and form.entry is None
            ):
                return self._bring_forward(dialog)
        return None

    @staticmethod
    def _bring_forward(dialog: AssessmentDialog) -> AssessmentDialog:
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _signed(self, _response_id: object) -> None:
        self.panel.refresh()
        self.on_signed()

    def _closed(self, _result: int) -> None:
        if self.vault is not None and self.vault.is_open:
            self.panel.refresh()  # an unfinished form may have been started or emptied

    def _warn(self, text: str) -> None:
        QMessageBox.warning(self.owner, "Assessment", text)

    # -- locking ------------------------------------------------------------------------

    @staticmethod
    def keepers() -> list[Callable[[], bool]]:
        """What the lock calls: each open window keeps its answers, then closes."""
        return [dialog.keep_as_draft for dialog in open_assessment_dialogs()]
