"""The agency-wide list of open referrals: one row per referral, sortable on values.

Rows come from :func:`carenav.services.referrals.open_referrals` (oldest first). Sorting
is done here, on the values rather than the shown text, so 5 days sorts before 40. An
overdue check-back is amber; a no-show (the care manager must rebook or close it) too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from carenav.services.directory import CATEGORIES
from carenav.services.referrals import STATUSES, URGENCIES, OpenReferral
from carenav.ui.formatting import code_label, format_date
from carenav.ui.item_models.rows import ROW_ROLE, Index, RowsModel

HEADERS = (
    "Patient",
    "Referred to",
    "Category",
    "Status",
    "Days open",
    "Days in status",
    "Urgency",
    "Check-back",
)
PATIENT, TO, CATEGORY, STATUS, AGE, IN_STATUS, URGENCY, CHECK_BACK = range(len(HEADERS))
NUMBER_COLUMNS = (AGE, IN_STATUS)
AMBER_TEXT = QColor("#7a4b00")
AMBER_BACKGROUND = QColor("#fff4d6")
__all__ = ["ROW_ROLE", "Index", "OpenReferralsModel"]
_STATUS_ORDER = {code: number for number, code in enumerate(STATUSES)}
_URGENCY_ORDER = {"asap": 0, "urgent": 1, "routine": 2}


def days_text(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


def check_back_text(row: OpenReferral) -> str:
    """'Overdue · 24 Nov 2026', '3 Dec 2026', or '—' when none is scheduled."""
    if row.check_back_due is None:
        return "—"
    day = format_date(row.check_back_due.astimezone().date())
    return f"Overdue · {day}" if row.check_back_overdue else day


def _sort_key(column: int) -> Callable[[OpenReferral], Any]:
    keys: dict[int, Callable[[OpenReferral], Any]] = {
        PATIENT: lambda r: r.patient_name.casefold(),
        TO: lambda r: r.to.casefold(),
        CATEGORY: lambda r: code_label(CATEGORIES, r.category).casefold(),
        STATUS: lambda r: _STATUS_ORDER.get(r.status, 99),
        AGE: lambda r: r.age_days,
        IN_STATUS: lambda r: r.days_in_status,
        URGENCY: lambda r: _URGENCY_ORDER.get(r.urgency, 9),
        CHECK_BACK: lambda r: (r.check_back_due is None, r.check_back_due or 0),
    }
    return keys.get(column, keys[AGE])


class OpenReferralsModel(RowsModel[OpenReferral]):
    headers = HEADERS
    number_columns = frozenset(NUMBER_COLUMNS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, sort=(AGE, Qt.SortOrder.DescendingOrder))

    def ident(self, row: OpenReferral) -> uuid.UUID:
        return row.referral_id

    def tie_key(self, row: OpenReferral) -> Any:
        return (row.patient_name.casefold(), str(row.referral_id))

    def sort_key(self, column: int) -> Callable[[OpenReferral], Any]:
        return _sort_key(column)

    def style(self, row: OpenReferral, column: int, role: int) -> Any:
        flagged = (column == CHECK_BACK and row.check_back_overdue) or (
            column == STATUS and row.status == "no-show"
        )
        if flagged and role == Qt.ItemDataRole.ForegroundRole:
            return AMBER_TEXT
        if flagged and role == Qt.ItemDataRole.BackgroundRole:
            return AMBER_BACKGROUND
        return None

    def text(self, row: OpenReferral, column: int) -> str:
        if column == PATIENT:
            return row.patient_name
        if column == TO:
            return row.to
        if column == CATEGORY:
            return code_label(CATEGORIES, row.category) if row.category else ""
        if column == STATUS:
            return code_label(STATUSES, row.status)
        if column == AGE:
            return str(row.age_days)
        if column == IN_STATUS:
            return str(row.days_in_status)
        if column == URGENCY:
            return code_label(URGENCIES, row.urgency)
        if column == CHECK_BACK:
            return check_back_text(row)
        return ""
