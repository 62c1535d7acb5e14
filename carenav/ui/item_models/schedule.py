"""Scheduled follow-ups for the calendar: a window query and a day-grouped table model.

The model is a flat table whose rows are either a day heading ("Today",
"Tomorrow", "Thursday 3 Dec", or "Overdue" in amber) or one follow-up (local
time, kind, patient, purpose). Views span heading rows across all columns.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from carenav.dates import MONTHS
from carenav.models.codes import CONTACT_KINDS
from carenav.services.contacts import ScheduledItem, follow_ups_between
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_datetime

COLUMNS = ("Time", "Kind", "Patient", "Purpose")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AMBER_TEXT = QColor("#7a4b00")
AMBER_BACKGROUND = QColor("#fff4d6")
HEADING_TEXT = QColor("#12355b")
HEADING_BACKGROUND = QColor("#eef2f6")
FOLLOW_UP_ID_ROLE = Qt.ItemDataRole.UserRole
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADING_ROLE = Qt.ItemDataRole.UserRole + 2
DUE_AT_ROLE = Qt.ItemDataRole.UserRole + 3
Index = QModelIndex | QPersistentModelIndex


def local_start(day: date) -> datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


def scheduled_between(vault: Vault, start: datetime | None, end: datetime) -> list[ScheduledItem]:
    """The calendar's window of scheduled follow-ups (see contacts.follow_ups_between)."""
    return follow_ups_between(vault, start, end)


def day_heading(day: date, today: date) -> str:
    """'Today', 'Tomorrow', 'Yesterday' or 'Thursday 3 Dec'."""
    offset = (day - today).days
    if offset == 0:
        return "Today"
    if offset == 1:
        return "Tomorrow"
    if offset == -1:
        return "Yesterday"
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


@dataclass(frozen=True)
class _Heading:
    text: str
    overdue: bool


@dataclass(frozen=True)
class _Entry:
    item: ScheduledItem
    overdue: bool


class ScheduleModel(QAbstractTableModel):
    """Follow-ups grouped under day headings; overdue ones first, under 'Overdue'."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[_Heading | _Entry] = []

    def set_items(
        self,
        items: Sequence[ScheduledItem],
        *,
        today: date,
        overdue: Sequence[ScheduledItem] = (),
    ) -> None:
        rows: list[_Heading | _Entry] = []
        if overdue:
            rows.append(_Heading("Overdue", True))
            rows.extend(_Entry(item, True) for item in overdue)
        current: date | None = None
        for item in items:
            day = item.local_due.date()
            if day != current:
                rows.append(_Heading(day_heading(day, today), False))
                current = day
            rows.append(_Entry(item, False))
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def is_heading(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and isinstance(self._rows[row], _Heading)

    def heading_rows(self) -> list[int]:
        return [r for r, entry in enumerate(self._rows) if isinstance(entry, _Heading)]

    def item_at(self, row: int) -> ScheduledItem | None:
        entry = self._rows[row] if 0 <= row < len(self._rows) else None
        return entry.item if isinstance(entry, _Entry) else None

    def row_of(self, follow_up_id: uuid.UUID) -> int:
        for row, entry in enumerate(self._rows):
            if isinstance(entry, _Entry) and entry.item.id == follow_up_id:
                return row
        return -1

    def items(self) -> list[ScheduledItem]:
        return [e.item for e in self._rows if isinstance(e, _Entry)]

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.is_heading(index.row()):
            return Qt.ItemFlag.ItemIsEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        if isinstance(entry, _Heading):
            return self._heading_data(entry, index.column(), role)
        return self._entry_data(entry, index.column(), role)

    @staticmethod
    def _heading_data(heading: _Heading, column: int, role: int) -> Any:
        if role == HEADING_ROLE:
            return True
        if role == Qt.ItemDataRole.DisplayRole:
            return heading.text if column == 0 else ""
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return AMBER_TEXT if heading.overdue else HEADING_TEXT
        if role == Qt.ItemDataRole.BackgroundRole:
            return AMBER_BACKGROUND if heading.overdue else HEADING_BACKGROUND
        return None

    @staticmethod
    def _entry_data(entry: _Entry, column: int, role: int) -> Any:
        item = entry.item
        if role == FOLLOW_UP_ID_ROLE:
            return item.id
        if role == PATIENT_ID_ROLE:
            return item.patient_id
        if role == HEADING_ROLE:
            return False
        if role == DUE_AT_ROLE:
            return item.due_at
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _entry_text(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and entry.overdue:
            return AMBER_TEXT
        if role == Qt.ItemDataRole.BackgroundRole and entry.overdue:
            return AMBER_BACKGROUND
        return None


def _entry_text(entry: _Entry, column: int) -> str:
    item = entry.item
    if column == 0:
        if entry.overdue:
            return f"Overdue · {format_datetime(item.due_at)}"
        return f"{item.local_due:%H:%M}"
    if column == 1:
        return code_label(CONTACT_KINDS, item.kind)
    if column == 2:
        return item.patient_name
    if column == 3:
        return item.purpose
    return ""


def agenda_window(today: date, days: int) -> tuple[datetime, datetime]:
    """Local midnight of ``today`` and of ``today + days``."""
    return local_start(today), local_start(today + timedelta(days=days))
