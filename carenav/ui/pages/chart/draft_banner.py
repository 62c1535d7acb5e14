"""The calm strip that offers back what was typed before the vault locked.

"You have unsaved changes from 14:32 (the vault locked). [Restore them] [Discard]".
Restore puts the values back into the form (unsaved); Discard asks first, and
its default answer is Keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from carenav.ui.formatting import format_datetime
from carenav.ui.pages.chart.fields import FieldKind, FieldSpec

FORM_PATIENT = "patient"
FORM_NEW_PATIENT = "new_patient"

DRAFT_BANNER_STYLE = """
QFrame#draftBanner { background: #eef5fb; border: 1px solid #b6cde8; border-radius: 8px; }
QLabel#draftText { color: #174c87; }
"""


def record_form_name(title: str, *, editing: bool) -> str:
    """'edit:Medications' or 'add:Notes': which dialog a record draft belongs to."""
    return f"{'edit' if editing else 'add'}:{title}"


def parse_record_form_name(form: str) -> tuple[str, bool] | None:
    """(section title, editing) for a record dialog's draft; None for other forms."""
    verb, _, title = form.partition(":")
    if verb not in ("add", "edit") or not title:
        return None
    return title, verb == "edit"


def draft_time_text(when: datetime, today: date | None = None) -> str:
    """'14:32' for today, '3 Mar 2026, 14:32' for another day (local time)."""
    local = when.astimezone()
    if local.date() == (today or date.today()):
        return f"{local:%H:%M}"
    return format_datetime(when)


def form_values(specs: Iterable[FieldSpec], payload: Mapping[str, Any]) -> dict[str, Any]:
    """A draft's payload as editor values (ISO text back to times for date-time fields)."""
    kinds = {spec.name: spec.kind for spec in specs}
    values: dict[str, Any] = {}
    for name, value in payload.items():
        if name not in kinds:
            continue
        if kinds[name] is FieldKind.DATETIME and isinstance(value, str):
            try:
                values[name] = datetime.fromisoformat(value)
            except ValueError:
                continue
        else:
            values[name] = value
    return values


class DraftBanner(QFrame):
    """Hidden until ``offer()``; emits ``restore_requested`` or ``discard_requested``."""

    restore_requested = Signal()
    discard_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftBanner")
        self.setStyleSheet(DRAFT_BANNER_STYLE)
        self.text = QLabel()
        self.text.setObjectName("draftText")
        self.text.setWordWrap(True)
        self.restore_button = QPushButton("Restore them")
        self.restore_button.setToolTip("Put the unsaved values back into the form")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Throw the unsaved values away (asks first)")
        self.restore_button.clicked.connect(self.restore_requested)
        self.discard_button.clicked.connect(self.discard_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.restore_button)
        layout.addWidget(self.discard_button)
        self.setVisible(False)

    def offer(self, when: datetime, *, what: str = "unsaved changes") -> None:
        self.text.setText(f"You have {what} from {draft_time_text(when)} (the vault locked).")
        self.setVisible(True)

    def withdraw(self) -> None:
        self.text.clear()
        self.setVisible(False)
