"""The Today list: work items (carenav.services.worklist) grouped by urgency.

Columns: the group (Overdue, Today, Coming up, Minutes this month), the patient's
display name, what is due and when. Transitional-care clocks say the hours left.
A day's list holds a few dozen items, so the rows are built once when set.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.services.worklist import WorkItem
from carenav.ui.formatting import format_date, format_datetime

HEADERS = ("", "Patient", "What", "When")
GROUP, PATIENT, WHAT, WHEN = range(len(HEADERS))
GROUPS = {
    "overdue": "Overdue",
    "due-today": "Today",
    "due-soon": "Coming up",
    "below-threshold": "Minutes this month",
}
GROUP_ORDER = tuple(GROUPS)
GROUP_COLOURS = {  # (background, text) from the chart palette
    "overdue": (QColor("#fdecea"), QColor("#8a1c12")),
    "due-today": (QColor("#fff4d6"), QColor("#7a4b00")),
}
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def hours_text(hours: float) -> str:
    whole = int(abs(hours))
    unit = "hour" if whole == 1 else "hours"
    return f"{whole} {unit} left" if hours >= 0 else f"lapsed {whole} {unit} ago"


def when_text(item: WorkItem, now: datetime, today: date) -> str:
    """'Today, 14:05', '3 Mar 2026, 09:00', '30 hours left (by 3 Mar 2026, 17:00)'."""
    due = item.due
    if item.kind == "ccm-minutes":
        return f"by {format_date(due if isinstance(due, date) else due.date())}"
    if isinstance(due, datetime):
        shown = format_datetime(due)
        if item.kind == "transition":
            hours = (due - now).total_seconds() / 3600
            return f"{hours_text(hours)} (by {shown})"
        local_day = due.astimezone().date()
        if local_day == today:
            return f"Today, {due.astimezone():%H:%M}"
        if local_day < today:
            late = (today - local_day).days
            return f"{shown} ({late} day{'s' if late > 1 else ''} ago)"
        return shown
    return "Today" if due == today else format_date(due)


@dataclass(frozen=True)
class WorkRow:
    item: WorkItem
    texts: tuple[str, str, str, str]


class WorklistModel(QAbstractTableModel):
    """Rows are WorkItem values in group order (overdue first), each group by due time."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[WorkRow] = []

    def set_items(
        self,
        items: Sequence[WorkItem],
        names: Mapping[uuid.UUID, str],
        *,
        today: date,
        now: datetime | None = None,
    ) -> None:
        now = now or datetime.now(UTC)
        ordered = sorted(
            enumerate(items),
            key=lambda pair: (_group_rank(pair[1].status), pair[0]),
        )
        rows = [
            WorkRow(
                item,
                (
                    GROUPS.get(item.status, item.status),
                    names.get(item.patient_id, ""),
                    item.title,
                    when_text(item, now, today),
                ),
            )
            for _n, item in ordered
        ]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def item_at(self, row: int) -> WorkItem | None:
        return self._rows[row].item if 0 <= row < len(self._rows) else None

    def group_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._rows:
            counts[row.item.status] = counts.get(row.item.status, 0) + 1
        return counts

    # -- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return HEADERS[section] if 0 <= section < len(HEADERS) else None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if not 0 <= column < len(HEADERS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row.texts[column]
        colours = GROUP_COLOURS.get(row.item.status)
        if role == Qt.ItemDataRole.BackgroundRole and colours and column == GROUP:
            return colours[0]
        if role == Qt.ItemDataRole.ForegroundRole and colours and column in (GROUP, WHEN):
            return colours[1]
        if role == ITEM_ROLE:
            return row.item
        return None


def _group_rank(status: str) -> int:
    return GROUP_ORDER.index(status) if status in GROUP_ORDER else len(GROUP_ORDER)
