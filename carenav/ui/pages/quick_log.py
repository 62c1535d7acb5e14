"""Log a contact in a few keystrokes (Ctrl+K from anywhere once unlocked).

The patient is the open chart's, or found with a search of the caseload. Kind, with
whom, direction, outcome, minutes (typed, or measured with Start/Stop: stopping fills
the minutes, rounded up), who spent the time, whether it counts toward chronic care
management (checked by default) and notes. Save (Ctrl+Return) calls log_contact, or
complete_follow_up when the dialog was opened from a follow-up, and then offers to
schedule the next date of a recurring series (Yes by default). A refused value is
explained beside its field and nothing typed is lost.

Keyboard path: kind -> outcome -> minutes -> notes -> Save; the other fields follow.
"""

from __future__ import annotations

import itertools
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from carenav.errors import CareNavError, InvalidInput
from carenav.instruments.registry import UnknownInstrument
from carenav.models import FollowUp
from carenav.models.codes import (
    CONTACT_DIRECTIONS,
    CONTACT_KINDS,
    CONTACT_OUTCOMES,
    CONTACT_WITH,
    SPENT_BY,
)
from carenav.services.assessments import get_response
from carenav.services.catalogue import Catalogue, load_catalogue
from carenav.services.contacts import (
    complete_follow_up,
    log_contact,
    schedule_follow_up,
    scheduled_follow_up,
)
from carenav.services.drafts import discard_draft, drafts_for, save_draft
from carenav.services.patients import (
    CaseloadQuery,
    caseload_rows,
    display_name,
    get_patient,
    search_patient_ids,
)
from carenav.store.vault import Vault
from carenav.ui.formatting import format_datetime
from carenav.ui.pages.assessment.form_dialog import AssessmentDialog
from carenav.ui.widgets.layout import message_label, show_message

TITLE = "Log a contact"
SEARCH_LIMIT = 12
FIELDS = ("kind", "with_whom", "direction", "outcome", "minutes", "spent_by", "notes")


class PatientSearch(QLineEdit):
    """Enter or Down takes the highlighted match (Enter never saves from here)."""

    chosen = Signal()
    move_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.chosen.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.move_down.emit()
            return
        super().keyPressEvent(event)


def _combo(choices: dict[str, str], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for code, label in choices.items():
        combo.addItem(label, code)
    return combo


def _choose(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    if index >= 0:
        combo.setCurrentIndex(index)


QUICK_LOG_FORM = "quick-log"  # an unsaved contact kept when the vault locked


class QuickLogDialog(QDialog):
    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        patient_id: uuid.UUID | None = None,
        follow_up_id: uuid.UUID | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.vault = vault
        self.patient_id = patient_id
        self.follow_up: FollowUp | None = None
        self.logged_id: uuid.UUID | None = None
        self.next_scheduled: datetime | None = None
        self.catalogue = catalogue or load_catalogue(None)
        self.check_in_id: uuid.UUID | None = None  # the signed check-in form this contact carries
        self.check_in_dialog: AssessmentDialog | None = None
        if follow_up_id is not None:
            self.follow_up = scheduled_follow_up(vault, follow_up_id)
            if self.follow_up is not None:
                self.patient_id = self.follow_up.patient_id

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._patient_row(form)
        if self.follow_up is not None:
            form.addRow("Follow-up", QLabel(_follow_up_text(self.follow_up)))

        self.kind = _combo(CONTACT_KINDS, "Kind of contact")
        self.with_whom = _combo(CONTACT_WITH, "With whom")
        self.direction = _combo(CONTACT_DIRECTIONS, "Direction")
        self.outcome = _combo(CONTACT_OUTCOMES, "Outcome")
        self.minutes = QLineEdit("0")
        self.minutes.setAccessibleName("Minutes")
        self.minutes.setMaximumWidth(90)
        self.timer_button = QPushButton("Start timer")
        self.timer_button.setToolTip("Measure the call; stopping fills the minutes (rounded up)")
        self.timer_button.clicked.connect(self.toggle_timer)
        self.timer_label = QLabel("")
        self.timer_label.setObjectName("fieldHint")
        self.spent_by = _combo(SPENT_BY, "Who spent the time")
        self.counts_for_ccm = QCheckBox("Counts toward chronic care management minutes")
        self.counts_for_ccm.setChecked(True)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(90)
        if self.follow_up is not None:
            _choose(self.kind, self.follow_up.kind)
        self._check_in_row()

        minutes_row = QHBoxLayout()
        minutes_row.addWidget(self.minutes)
        minutes_row.addWidget(self.timer_button)
        minutes_row.addWidget(self.timer_label, 1)
        for name, label, field in (
            ("kind", "Kind", self.kind),
            ("outcome", "Outcome", self.outcome),
            ("minutes", "Minutes", minutes_row),
            ("notes", "Notes", self.notes),
            ("with_whom", "With whom", self.with_whom),
            ("direction", "Direction", self.direction),
            ("spent_by", "Time spent by", self.spent_by),
            ("check_in_response_id", "Check-in", self.check_in_box),
        ):
            form.addRow(label, field)
            self.errors[name] = message_label()
            form.addRow("", self.errors[name])
        form.addRow("", self.counts_for_ccm)

        self.message = message_label()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save the contact (Ctrl+Return)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        hint = QLabel("Tab: next field  ·  Ctrl+Return: save  ·  Esc: cancel")
        hint.setObjectName("fieldHint")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(560, self.sizeHint().height())

        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(self.save)
        self._clock = QElapsedTimer()
        self._started_at: datetime | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_elapsed)
        self._set_tab_order()
        self._restore_draft()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        first = self.search if self.search.isVisibleTo(self) else self.kind
        first.setFocus()

    # -- building ---------------------------------------------------------------------

    def _patient_row(self, form: QFormLayout) -> None:
        self.search = PatientSearch()
        self.search.setAccessibleName("Find a patient")
        self.search.setPlaceholderText("Name, phone or member ID")
        self.results = QListWidget()
        self.results.setAccessibleName("Matching patients")
        self.results.setMaximumHeight(120)
        self.patient_label = QLabel()
        font = self.patient_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.patient_label.setFont(font)
        if self.patient_id is not None:
            self.patient_label.setText(display_name(get_patient(self.vault, self.patient_id)))
            form.addRow("Patient", self.patient_label)
            self.search.hide()
            self.results.hide()
        else:
            self.search.textChanged.connect(self._search)
            self.search.chosen.connect(self._take_first_match)
            self.search.move_down.connect(self.results.setFocus)
            self.results.currentItemChanged.connect(self._on_result)
            form.addRow("Patient", self.search)
            form.addRow("", self.results)
        self.errors["patient"] = message_label()
        form.addRow("", self.errors["patient"])

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = []
        if self.patient_id is None:
            chain += [self.search, self.results]
        chain += [
            self.kind,
            self.outcome,
            self.minutes,
            self.notes,
            self.save_button,
            self.with_whom,
            self.direction,
            self.spent_by,
            self.counts_for_ccm,
            self.check_in,
            self.check_in_button,
            self.timer_button,
            self.cancel_button,
        ]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _check_in_row(self) -> None:
        """A short scored form carried by the call (a heart-failure check, a PHQ-2...)."""
        self.check_in = QComboBox()
        self.check_in.setAccessibleName("Check-in form")
        self.check_in.addItem("None", None)
        for instrument in self.catalogue.instruments:
            if instrument.check_in:
                self.check_in.addItem(instrument.title, instrument.id)
        self.check_in.setToolTip(
            "A short form asked during the call; its score trends in the chart like any other"
        )
        self.check_in_button = QPushButton("Fill in…")
        self.check_in_button.setToolTip("Open the check-in form for this patient")
        self.check_in_button.clicked.connect(self.open_check_in)
        self.check_in_status = QLabel("")
        self.check_in_status.setObjectName("fieldHint")
        self.check_in_status.setWordWrap(True)
        self.check_in.currentIndexChanged.connect(self._check_in_chosen)
        self.check_in_box = QWidget()
        column = QVBoxLayout(self.check_in_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.check_in, 1)
        row.addWidget(self.check_in_button)
        column.addLayout(row)
        column.addWidget(self.check_in_status)
        self._check_in_chosen()

    def _check_in_chosen(self, _index: int = 0) -> None:
        chosen = self.check_in.currentData() is not None
        self.check_in_button.setEnabled(chosen and self.check_in_id is None)
        if self.check_in_id is None:
            self.check_in_status.setText("")

    def open_check_in(self) -> AssessmentDialog | None:
        """Open the chosen check-in form for the patient (not modal; the timer keeps running)."""
        ident = self.check_in.currentData()
        if ident is None:
            return None
        if self.patient_id is None:
            show_message(self.errors["patient"], "Find the patient first: type part of a name.")
            self.search.setFocus()
            return None
        if self.check_in_dialog is not None and self.check_in_dialog.isVisible():
            self.check_in_dialog.raise_()
            self.check_in_dialog.activateWindow()
            return self.check_in_dialog
        try:
            instrument = self.catalogue.get(ident)
        except UnknownInstrument as exc:
            show_message(self.errors["check_in_response_id"], str(exc))
            return None
        dialog = AssessmentDialog(
            self.vault, self.patient_id, instrument, self, catalogue=self.catalogue
        )
        dialog.form.completed.connect(self._check_in_signed)
        self.check_in_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _check_in_signed(self, response_id: uuid.UUID) -> None:
        self.check_in_id = response_id
        dialog = self.check_in_dialog
        title = dialog.form.instrument.title if dialog is not None else "Check-in"
        result = check_in_result(self.vault, response_id)
        self.check_in_status.setText(f"Signed: {title}{result}")
        self.check_in.setEnabled(False)
        self.check_in_button.setEnabled(False)
        show_message(self.errors["check_in_response_id"], "")

    # -- finding the patient ----------------------------------------------------------

    def _search(self, text: str) -> None:
        self.results.clear()
        self.patient_id = None
        if not text.strip():
            return
        ids = search_patient_ids(self.vault, CaseloadQuery(text=text))[:SEARCH_LIMIT]
        rows = caseload_rows(self.vault, ids)
        for patient_id in ids:
            row = rows.get(patient_id)
            if row is None:
                continue
            item = QListWidgetItem(f"{row.name}  ·  born {row.birth_date:%Y}")
            item.setData(Qt.ItemDataRole.UserRole, patient_id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _on_result(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        self.patient_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        show_message(self.errors["patient"], "")
        if self.check_in_id is not None:  # a signed check-in belongs to the patient it was for
            self.check_in_id = None
            self.check_in.setEnabled(True)
            self._check_in_chosen()

    def _take_first_match(self) -> None:
        if self.results.count():
            self.kind.setFocus()

    # -- the timer --------------------------------------------------------------------

    def toggle_timer(self) -> None:
        if self._tick.isActive():
            self.stop_timer()
        else:
            self.start_timer()

    def start_timer(self) -> None:
        self._clock.start()
        self._started_at = datetime.now(UTC)
        self._tick.start()
        self.timer_button.setText("Stop timer")
        self._show_elapsed()

    def stop_timer(self) -> None:
        if not self._tick.isActive():
            return
        self._tick.stop()
        elapsed = self.elapsed_ms()
        self.minutes.setText(str(max(1, math.ceil(elapsed / 60000))))
        self.timer_button.setText("Start timer")
        self.timer_label.setText(f"Timed {_clock_text(elapsed)}")

    def elapsed_ms(self) -> int:
        return int(self._clock.elapsed()) if self._clock.isValid() else 0

    def _show_elapsed(self) -> None:
        self.timer_label.setText(_clock_text(self.elapsed_ms()))

    # -- saving -----------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "occurred_at": self._started_at or datetime.now(UTC),
            "kind": self.kind.currentData(),
            "with_whom": self.with_whom.currentData(),
            "direction": self.direction.currentData(),
            "outcome": self.outcome.currentData(),
            "minutes": self.minutes.text(),
            "spent_by": self.spent_by.currentData(),
            "counts_for_ccm": self.counts_for_ccm.isChecked(),
            "notes": self.notes.toPlainText(),
            "check_in_response_id": self.check_in_id,
        }

    def save(self) -> bool:
        """Log the contact; False (messages beside the fields, nothing cleared) if refused."""
        self.stop_timer()
        for label in self.errors.values():
            show_message(label, "")
        show_message(self.message, "")
        if self.patient_id is None:
            show_message(self.errors["patient"], "Find the patient first: type part of a name.")
            self.search.setFocus()
            return False
        try:
            if self.follow_up is not None:
                completion = complete_follow_up(self.vault, self.follow_up.id, self.values())
                self.logged_id = completion.contact.id
                if completion.next_due is not None:
                    self._offer_next(completion.next_due)
            else:
                self.logged_id = log_contact(self.vault, self.patient_id, self.values()).id
        except InvalidInput as exc:
            self._show_errors(exc.errors)
            return False
        except CareNavError as exc:
            show_message(self.message, str(exc))
            return False
        self.accept()
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        general = []
        for name, text in errors.items():
            label = self.errors.get(name)
            if label is None:
                general.append(text)
            else:
                show_message(label, text)
        show_message(self.message, " ".join(general) or "Please correct the fields marked.")
        first = next((n for n in FIELDS if n in errors), None)
        widget = getattr(self, first, None) if first else None
        if isinstance(widget, QWidget):
            widget.setFocus()

    def _offer_next(self, next_due: datetime) -> None:
        assert self.follow_up is not None
        kind = CONTACT_KINDS.get(self.follow_up.kind, self.follow_up.kind).lower()
        answer = QMessageBox.question(
            self,
            "Schedule the next one?",
            f"This {kind} repeats every {self.follow_up.recurrence_days} days. "
            f"Schedule the next one for {format_datetime(next_due)}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        schedule_follow_up(
            self.vault,
            self.follow_up.patient_id,
            {
                "due_at": next_due,
                "kind": self.follow_up.kind,
                "purpose": self.follow_up.purpose,
                "recurrence_days": self.follow_up.recurrence_days,
            },
        )
        self.next_scheduled = next_due

    def has_typing(self) -> bool:
        """True once notes or minutes were entered (Cancel then asks before dropping them)."""
        return bool(self.notes.toPlainText().strip()) or self.minutes.text().strip() not in (
            "",
            "0",
        )

    def reject(self) -> None:
        """Cancel or Esc: asks first when something was typed (Keep editing is the default)."""
        if self.has_typing() and not self._ask_discard():
            return
        self.close_quietly()

    def close_quietly(self) -> None:
        """Close without a question (locking must never wait for an answer)."""
        self._tick.stop()
        super().reject()

    # -- a draft when the vault locks (nothing typed is lost) ---------------------------

    def keep_as_draft(self) -> bool:
        """Keep what was typed as an encrypted draft, then close; never asks."""
        self.stop_timer()
        kept = False
        if self.patient_id is not None and (self.has_typing() or self.check_in_id is not None):
            values = self.values()
            payload = {k: (v if isinstance(v, bool) else str(v)) for k, v in values.items()}
            payload["occurred_at"] = values["occurred_at"].isoformat()
            payload["check_in_response_id"] = self.check_in_id.hex if self.check_in_id else ""
            try:
                save_draft(
                    self.vault,
                    form=QUICK_LOG_FORM,
                    patient_id=self.patient_id,
                    record_id=self.follow_up.id if self.follow_up is not None else None,
                    payload=payload,
                )
                kept = True
            except (CareNavError, SQLAlchemyError, OSError):
                kept = False  # the lock goes ahead regardless; it must never wait
        self.close_quietly()
        return kept

    def _restore_draft(self) -> None:
        if self.patient_id is None:
            return
        record_id = self.follow_up.id if self.follow_up is not None else None
        draft = next(
            (
                d
                for d in drafts_for(self.vault, self.patient_id)
                if d.form == QUICK_LOG_FORM and d.record_id == record_id
            ),
            None,
        )
        if draft is None:
            return
        values = draft.payload
        for combo, name in (
            (self.kind, "kind"),
            (self.with_whom, "with_whom"),
            (self.direction, "direction"),
            (self.outcome, "outcome"),
            (self.spent_by, "spent_by"),
        ):
            index = combo.findData(values.get(name))
            if index >= 0:
                combo.setCurrentIndex(index)
        self.minutes.setText(str(values.get("minutes", "0")))
        self.counts_for_ccm.setChecked(bool(values.get("counts_for_ccm", True)))
        self.notes.setPlainText(str(values.get("notes", "")))
        started = values.get("occurred_at")
        if isinstance(started, str):
            try:
                self._started_at = datetime.fromisoformat(started)
            except ValueError:
                self._started_at = None
        self._restore_check_in(str(values.get("check_in_response_id") or ""))
        discard_draft(self.vault, draft.id)
        show_message(self.message, "What was typed before the vault locked is back. Save it.")

    def _restore_check_in(self, stored: str) -> None:
        """Put back the link to a check-in signed before the vault locked (the form itself
        was signed and kept; only the contact's link to it waited in the draft)."""
        if not stored:
            return
        try:
            response_id = uuid.UUID(stored)
            entry = get_response(self.vault, response_id)
        except (ValueError, CareNavError):
            return  # the form is gone: the contact is saved without it
        if entry.response.patient_id != self.patient_id:
            return
        self.check_in_id = response_id
        title = self.catalogue.title(entry.response.questionnaire)
        result = check_in_result(self.vault, response_id)
        self.check_in_status.setText(f"Signed: {title}{result}")
        index = self.check_in.findData(entry.response.questionnaire)
        if index >= 0:
            self.check_in.setCurrentIndex(index)
        self.check_in.setEnabled(False)
        self.check_in_button.setEnabled(False)

    def _ask_discard(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard this contact?",
            "The contact is not saved yet. Discard what you typed?",
            parent=self,
        )
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard


def check_in_result(vault: Vault, response_id: uuid.UUID) -> str:
    """ ", 2 (yellow zone)": the signed check-in's score, for the line beside the form."""
    observation = get_response(vault, response_id).observation
    if observation is None:
        return ""
    band = f" ({observation.band})" if observation.band else ""
    return f", {observation.value}{band}"


def _follow_up_text(follow_up: FollowUp) -> str:
    kind = CONTACT_KINDS.get(follow_up.kind, follow_up.kind)
    what = f"{kind}: {follow_up.purpose}" if follow_up.purpose else kind
    return f"{what}, due {format_datetime(follow_up.due_at)}"


def _clock_text(milliseconds: int) -> str:
    seconds = milliseconds // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
