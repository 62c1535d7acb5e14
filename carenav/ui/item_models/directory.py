"""The resource directory's results table: one row per service, with its organisation.

Rows come from :func:`carenav.services.directory.search_services` (at most a few hundred
per search). An entry not verified for over a year (``STALE_DAYS``) shows its date in
amber with a tooltip saying so: phone numbers and hours change, so check before sending
a patient there. The directory holds no patient information.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from carenav.services.directory import ServiceView
from carenav.ui.formatting import format_date

HEADERS = (
    "Organisation",
    "Service",
    "Categories",
    "Phone",
    "Hours",
    "Languages",
    "Last verified",
)
ORGANISATION, SERVICE, CATEGORIES, PHONE, HOURS, LANGUAGES, VERIFIED = range(len(HEADERS))
STALE_DAYS = 365
AMBER_TEXT = QColor("#7a4b00")
AMBER_BACKGROUND = QColor("#fff4d6")
MUTED = QColor("#52606d")
VIEW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def is_stale(view: ServiceView, today: date) -> bool:
    """True when the entry was last verified more than a year ago."""
    return view.last_verified is not None and view.last_verified < today - timedelta(
        days=STALE_DAYS
    )


def verified_text(view: ServiceView, today: date) -> str:
    if view.last_verified is None:
        return "Not recorded"
    text = format_date(view.last_verified)
    return f"{text} (over a year ago)" if is_stale(view, today) else text


class DirectoryModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ServiceView] = []
        self.today = today or date.today()

    def set_rows(self, rows: Sequence[ServiceView]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[ServiceView]:
        return list(self._rows)

    def row_at(self, row: int) -> ServiceView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, service_id: uuid.UUID) -> int:
        for number, view in enumerate(self._rows):
            if view.service_id == service_id:
                return number
        return -1

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        view = self.row_at(index.row()) if index.isValid() else None
        if view is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(view, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == VERIFIED and is_stale(view, self.today):
                return "Not verified for over a year: check the details before referring."
            return self._text(view, column)
        if role == VIEW_ROLE:
            return view
        if role == Qt.ItemDataRole.UserRole:
            return view.service_id
        if column == VERIFIED and is_stale(view, self.today):
            if role == Qt.ItemDataRole.ForegroundRole:
                return AMBER_TEXT
            if role == Qt.ItemDataRole.BackgroundRole:
                return AMBER_BACKGROUND
        if (
            column == VERIFIED
            and view.last_verified is None
            and role == Qt.ItemDataRole.ForegroundRole
        ):
            return MUTED
        return None

    def _text(self, view: ServiceView, column: int) -> str:
        if column == ORGANISATION:
            return view.organisation
        if column == SERVICE:
            return view.name
        if column == CATEGORIES:
            return ", ".join(view.category_labels)
        if column == PHONE:
            return view.phone
        if column == HOURS:
            return view.hours
        if column == LANGUAGES:
            return ", ".join(view.languages)
        if column == VERIFIED:
            return verified_text(view, self.today)
        return ""
