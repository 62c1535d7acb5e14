"""Dialogs of the chart's Follow-up tab: schedule a call or visit, record a discharge,
and update a transitional-care episode (the face-to-face visit, the medication
reconciliation, notes).

Each one checks what is typed as it is saved: a refused value is explained beside its
field, the focus goes there and nothing typed is cleared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import CareTransition
from carenav.models.codes import CONTACT_KINDS, TCM_COMPLEXITY
from carenav.services.contacts import schedule_follow_up
from carenav.services.transitions import add_discharge, update_episode
from carenav.store.vault import Vault
from carenav.ui.pages.calendar import parse_day, parse_time
from carenav.ui.widgets.layout import message_label, paragraph, show_message

DEFAULT_CALL_TIME = time(10, 0)
DATE_HINT = "YYYY-MM-DD"


def _combo(choices: Mapping[str, str], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for code, label in choices.items():
        combo.addItem(label, code)
    return combo


def _date_edit(value: date | None, name: str) -> QLineEdit:
    edit = QLineEdit(value.isoformat() if value else "")
    edit.setPlaceholderText(DATE_HINT)
    edit.setAccessibleName(name)
    edit.setMaximumWidth(140)
    return edit


class FieldDialog(QDialog):
    """A small form whose fields each have an error line; subclasses fill and save it."""

    def __init__(self, title: str, save_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)  # never the patient's name
        self.setModal(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self.message = message_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(save_text)
        save.setObjectName("primary")
        self.save_button = save
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.intro = paragraph("")
        self.intro.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def add_field(self, name: str, label: str, widget: QWidget, hint: str = "") -> None:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        if hint:
            note = QLabel(hint)
            note.setObjectName("fieldHint")
            row.addWidget(note)
        row.addStretch(1)
        self.form.addRow(label, box)
        self.errors[name] = message_label()
        self.form.addRow("", self.errors[name])
        self.fields[name] = widget

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))

    def show_errors(self, errors: Mapping[str, str]) -> None:
        general = []
        for name, text in errors.items():
            label = self.errors.get(name)
            if label is None:
                general.append(text)
            else:
                show_message(label, text)
        show_message(self.message, " ".join(general) or "Please correct the fields marked.")
        first = next((n for n in self.fields if n in errors), None)
        if first is not None:
            self.fields[first].setFocus()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_message(label, "")
        show_message(self.message, "")

    def save_with(self, action: Callable[[], Any]) -> bool:
        """Run the service call; show its refusal beside the fields (nothing is cleared)."""
        try:
            action()
        except InvalidInput as exc:
            self.show_errors(exc.errors)
            return False
        except CareNavError as exc:
            show_message(self.message, str(exc))
            return False
        return True

    def read_day(self, name: str, *, required: bool) -> tuple[bool, date | None]:
        """(ok, day) from a date field; a blank field is None unless required."""
        edit = self.fields[name]
        assert isinstance(edit, QLineEdit)
        text = edit.text().strip()
        if not text:
            if required:
                self.show_errors({name: f"Write the date as {DATE_HINT}."})
                return False, None
            return True, None
        try:
            return True, parse_day(text)
        except ValueError as exc:
            self.show_errors({name: str(exc)})
            return False, None


class ScheduleDialog(FieldDialog):
    """Schedule a call or visit for the patient, once or every N days."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__("Schedule a follow-up", "Schedule", parent)
        self.vault = vault
        self.patient_id = patient_id
        self.scheduled_id: uuid.UUID | None = None
        tomorrow = (today or date.today()) + timedelta(days=1)
        self.kind = _combo(CONTACT_KINDS, "Kind of follow-up")
        self.day = _date_edit(tomorrow, "Date")
        self.at = QLineEdit(DEFAULT_CALL_TIME.strftime("%H:%M"))
        self.at.setPlaceholderText("HH:MM")
        self.at.setAccessibleName("Time")
        self.at.setMaximumWidth(90)
        self.purpose = QLineEdit()
        self.purpose.setAccessibleName("Purpose")
        self.purpose.setPlaceholderText("e.g. Weight and symptom check")
        self.purpose.setMaxLength(300)
        self.repeat = QLineEdit()
        self.repeat.setAccessibleName("Repeat every how many days")
        self.repeat.setPlaceholderText("blank: once")
        self.repeat.setMaximumWidth(110)
        self.add_field("kind", "Kind", self.kind)
        self.add_field("due_at", "Date", self.day, DATE_HINT)
        self.add_field("time", "Time", self.at, "24-hour clock")
        self.add_field("purpose", "Purpose", self.purpose)
        self.add_field("recurrence_days", "Repeat every", self.repeat, "days (e.g. 14)")
        self.day.setFocus()
        self.day.selectAll()

    def due(self) -> datetime | None:
        ok, day = self.read_day("due_at", required=True)
        if not ok or day is None:
            return None
        try:
            when = parse_time(self.at.text())
        except ValueError as exc:
            self.show_errors({"time": str(exc)})
            return None
        return datetime.combine(day, when).astimezone()

    def accept(self) -> None:
        self.clear_errors()
        due = self.due()
        if due is None:
            return
        values = {
            "due_at": due,
            "kind": self.kind.currentData(),
            "purpose": self.purpose.text(),
            "recurrence_days": self.repeat.text().strip(),
        }

        def schedule() -> None:
            self.scheduled_id = schedule_follow_up(self.vault, self.patient_id, values).id

        if self.save_with(schedule):
            super().accept()


class DischargeDialog(FieldDialog):
    """Record a hospital discharge: the transitional-care clocks start from it."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__("Record a hospital discharge", "Record discharge", parent)
        self.vault = vault
        self.patient_id = patient_id
        self.episode_id: uuid.UUID | None = None
        self.set_intro(
            "Transitional care starts at discharge: an interactive contact within 2 "
            "business days, then a face-to-face visit within 7 or 14 days, with the "
            "medicines reconciled by that visit."
        )
        self.day = _date_edit(today or date.today(), "Discharge date")
        self.facility = QLineEdit()
        self.facility.setAccessibleName("Facility")
        self.facility.setPlaceholderText("Hospital or facility")
        self.facility.setMaxLength(200)
        self.complexity = _combo(TCM_COMPLEXITY, "Complexity")
        self.add_field("discharge_date", "Discharged on", self.day, DATE_HINT)
        self.add_field("facility", "From", self.facility)
        self.add_field("complexity", "Complexity", self.complexity)
        self.day.setFocus()
        self.day.selectAll()

    def accept(self) -> None:
        self.clear_errors()
        ok, day = self.read_day("discharge_date", required=True)
        if not ok:
            return
        values = {
            "discharge_date": day,
            "facility": self.facility.text(),
            "complexity": self.complexity.currentData(),
        }

        def record() -> None:
            self.episode_id = add_discharge(self.vault, self.patient_id, values).id

        if self.save_with(record):
            super().accept()


class EpisodeDialog(FieldDialog):
    """Record the face-to-face visit and the medication reconciliation of an episode."""

    def __init__(self, vault: Vault, episode: CareTransition, parent: QWidget | None = None):
        super().__init__("Transitional care", "Save", parent)
        self.vault = vault
        self.episode = episode
        self.set_intro(
            f"Discharged on {episode.discharge_date:%d %b %Y}"
            + (f" from {episode.facility}" if episode.facility else "")
            + ". Leave a date blank until it is done. A visit logged as a reached home or "
            "clinic visit already counts as the face-to-face visit."
        )
        self.face_to_face = _date_edit(episode.face_to_face_on, "Face-to-face visit on")
        self.med_rec = _date_edit(episode.med_rec_on, "Medicines reconciled on")
        self.notes = QPlainTextEdit(episode.notes)
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.add_field("face_to_face_on", "Face-to-face visit", self.face_to_face, DATE_HINT)
        self.add_field("med_rec_on", "Medicines reconciled", self.med_rec, DATE_HINT)
        self.add_field("notes", "Notes", self.notes)
        self.med_rec.setFocus()

    def accept(self) -> None:
        self.clear_errors()
        ok_visit, visit = self.read_day("face_to_face_on", required=False)
        ok_rec, rec = self.read_day("med_rec_on", required=False)
        if not (ok_visit and ok_rec):
            return
        changes = {
            "face_to_face_on": visit,
            "med_rec_on": rec,
            "notes": self.notes.toPlainText(),
        }
        if self.save_with(lambda: update_episode(self.vault, self.episode.id, changes)):
            super().accept()
