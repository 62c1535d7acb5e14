"""The resource directory's results table: one row per service, with its organisation.

Rows come from :func:`carenav.services.directory.search_services` (at most a few hundred
per search). An entry not verified for over a year (``STALE_DAYS``) shows its date in
amber with a tooltip saying so: phone numbers and hours change, so check before sending
a patient there. The directory holds no patient information.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from carenav.services.directory import ServiceView
from carenav.ui.formatting import format_date
from carenav.ui.item_models.rows import ROW_ROLE, Index, RowsModel

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
VIEW_ROLE = ROW_ROLE
__all__ = ["VIEW_ROLE", "DirectoryModel", "Index"]


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


class DirectoryModel(RowsModel[ServiceView]):
    """The search's results in the order the search gave them (by organisation name)."""

    headers = HEADERS

    def __init__(self, parent: Any = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.today = today or date.today()

    def ident(self, row: ServiceView) -> uuid.UUID:
        return row.service_id

    def style(self, row: ServiceView, column: int, role: int) -> Any:
        if column != VERIFIED:
            return None
        if is_stale(row, self.today):
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Not verified for over a year: check the details before referring."
            if role == Qt.ItemDataRole.ForegroundRole:
                return AMBER_TEXT
            if role == Qt.ItemDataRole.BackgroundRole:
                return AMBER_BACKGROUND
        elif row.last_verified is None and role == Qt.ItemDataRole.ForegroundRole:
            return MUTED
        return None

    def text(self, row: ServiceView, column: int) -> str:
        if column == ORGANISATION:
            return row.organisation
        if column == SERVICE:
            return row.name
        if column == CATEGORIES:
            return ", ".join(row.category_labels)
        if column == PHONE:
            return row.phone
        if column == HOURS:
            return row.hours
        if column == LANGUAGES:
            return ", ".join(row.languages)
        if column == VERIFIED:
            return verified_text(row, self.today)
        return ""
