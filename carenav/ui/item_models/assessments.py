"""The table of a patient's completed forms (newest first), for the Assessments tab.

One row per signed QuestionnaireResponse, corrected originals included: when it
was signed (local time), the form (its short name, such as PHQ-9; the title in
the tooltip), its score out of the highest possible, the band, the flags it
raised (their headlines, urgent ones marked; whole labels in the tooltip),
whether it is current or was corrected, and who signed it. A patient has at
most a few hundred forms, so the rows are built once when the entries are set.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from carenav.instruments import Instrument
from carenav.instruments.definition import score_range
from carenav.services.assessments import HistoryEntry
from carenav.ui.formatting import format_date, format_datetime

HEADERS = ("Signed", "Form", "Score", "Band", "Flags", "Status", "Signed by")
SIGNED, FORM, SCORE, BAND, FLAGS, STATUS, SIGNED_BY = range(len(HEADERS))
NO_SCORE = "—"
URGENT_MARK = "Urgent: "
MUTED = QColor("#6b7785")
URGENT = QColor("#8a1c12")
INSTRUMENT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def short_name(instrument: Instrument) -> str:
    """'PHQ-9' for 'PHQ-9 depression questionnaire'; the whole title when it has no code."""
    first = instrument.title.split(" ", 1)[0]
    looks_like_code = first.isupper() or any(c.isdigit() for c in first)
    return first if looks_like_code and len(first) > 1 else instrument.title


def highest_score(instrument: Instrument) -> int | None:
    if instrument.scoring is None:
        return None
    return score_range(instrument.scoring, {i.link_id: i for i in instrument.items})[1]


def score_text(value: int | None, highest: int | None) -> str:
    """'12 of 27', '12' when the highest score is unknown, '—' for an unscored form."""
    if value is None:
        return NO_SCORE
    return f"{value} of {highest}" if highest is not None else str(value)


def flag_headline(label: str) -> str:
    """'PHQ-9 item 9 above 0' for 'PHQ-9 item 9 above 0: thoughts of … today.'"""
    return label.split(": ", 1)[0]


def flags_text(flags: Sequence[Mapping[str, Any]], *, full: bool = False) -> str:
    """The raised flags (their headlines, or ``full`` labels), urgent ones first and marked."""
    ordered = sorted(flags, key=lambda f: f.get("severity") != "urgent")
    parts = []
    for flag in ordered:
        label = str(flag.get("label", ""))
        text = label if full else flag_headline(label)
        parts.append(URGENT_MARK + text if flag.get("severity") == "urgent" else text)
    return "; ".join(parts)


def status_text(entry: HistoryEntry) -> str:
    response = entry.response
    if response.superseded_at is not None:
        kind = "Earlier correction" if response.status == "amended" else "Original"
        return f"{kind}, corrected on {format_date(response.superseded_at.astimezone().date())}"
    return "Corrected" if response.status == "amended" else "Signed"


@dataclass(frozen=True)
class HistoryRow:
    response_id: uuid.UUID
    instrument_id: str
    texts: tuple[str, ...]
    tips: tuple[str, ...]
    urgent: bool
    current: bool


def history_row(
    entry: HistoryEntry, instrument: Instrument | None, highest: int | None = None
) -> HistoryRow:
    """One row; ``highest`` is the instrument's highest possible score, if scored."""
    response, observation = entry.response, entry.observation
    value = observation.value if observation is not None else None
    band = observation.band if observation is not None else ""
    status = status_text(entry)
    reason = response.amendment_reason
    texts = (
        format_datetime(response.authored_at),
        short_name(instrument) if instrument is not None else response.questionnaire,
        score_text(value, highest),
        band,
        flags_text(response.flags),
        status,
        response.author,
    )
    tips = list(texts)
    tips[FORM] = instrument.title if instrument is not None else response.questionnaire
    tips[FLAGS] = flags_text(response.flags, full=True).replace("; ", "\n")
    if reason:
        tips[STATUS] = f"{status}. Why it was corrected: {reason}"
    urgent = any(f.get("severity") == "urgent" for f in response.flags)
    return HistoryRow(
        response.id, response.questionnaire, texts, tuple(tips), urgent, entry.current
    )


class AssessmentHistoryModel(QAbstractTableModel):
    """Rows are HistoryEntry values (carenav.services.assessments.history), newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        self._rows: list[HistoryRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_entries(
        self, entries: Sequence[HistoryEntry], instruments: Mapping[str, Instrument]
    ) -> None:
        done = {e.response.questionnaire for e in entries}
        highest = {q: highest_score(instruments[q]) for q in done if q in instruments}
        rows = [
            history_row(e, instruments.get(q := e.response.questionnaire), highest.get(q))
            for e in entries
        ]
        self.beginResetModel()
        self._entries = list(entries)
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._entries = []
        self._rows = []
        self.endResetModel()

    def entry_at(self, row: int) -> HistoryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def response_id_at(self, row: int) -> uuid.UUID | None:
        return self._rows[row].response_id if 0 <= row < len(self._rows) else None

    def row_of(self, response_id: uuid.UUID) -> int:
        return next((n for n, r in enumerate(self._rows) if r.response_id == response_id), -1)

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
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips[column] or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == FLAGS and row.urgent:
                return URGENT
            return None if row.current else MUTED
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if column == FLAGS and row.urgent else None
        if role == Qt.ItemDataRole.UserRole:
            return row.response_id
        if role == INSTRUMENT_ROLE:
            return row.instrument_id
        return None
