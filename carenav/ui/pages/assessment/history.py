"""The completed forms of a patient: a filter, the table and the trend of the chosen form.

The filter offers "All forms" and each form the patient has done. The trend
shows the form chosen in the filter or, with "All forms", the form of the
selected row; it is hidden for forms without a score. Enter or a double-click
on a row asks to open that form (``open_requested(response_id)``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.instruments import Instrument
from carenav.services.assessments import HistoryEntry, ScorePoint
from carenav.ui.item_models.assessments import (
    FLAGS,
    FORM,
    HEADERS,
    AssessmentHistoryModel,
)
from carenav.ui.pages.assessment.trend_chart import TrendChart

ALL_FORMS = "All forms"
EMPTY_HINT = "No forms signed yet. Use “Start assessment…” to begin one."
COLUMN_WIDTHS = {FORM: 200}
SIZED_ROWS = 40  # rows measured when fitting the columns (280 rows took 50 ms)
SeriesSource = Callable[[str], list[ScorePoint]]


class HistoryTable(QTableView):
    """Enter asks to open the current row."""

    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class AssessmentHistory(QWidget):
    open_requested = Signal(object)  # the response id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instruments: Mapping[str, Instrument] = {}
        self.entries: list[HistoryEntry] = []
        self._series_source: SeriesSource | None = None
        self._series: dict[str, list[ScorePoint]] = {}
        self._loads = 0  # counts set_history calls: the trend is redrawn after each
        self._trend_key: tuple[str, int] | None = None

        self.model = AssessmentHistoryModel(self)
        self.heading = QLabel("Completed forms")
        self.heading.setObjectName("sectionTitle")
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show which forms")
        self.filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter.currentIndexChanged.connect(self._on_filter_changed)
        self.open_button = QPushButton("Open form")
        self.open_button.setToolTip("Open the selected form (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        self.empty_hint = QLabel(EMPTY_HINT)
        self.empty_hint.setObjectName("historyEmpty")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setStyleSheet(
            "QLabel#historyEmpty { background: #ffffff; border: 1px solid #d9dee5;"
            " border-radius: 10px; color: #52606d; font-size: 13pt; padding: 32px; }"
        )
        self.table = self._make_table()
        self.trend = TrendChart()
        self.trend.setMinimumHeight(230)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.heading)
        top.addStretch(1)
        self.show_label = QLabel("Show")
        self.show_label.setBuddy(self.filter)
        top.addWidget(self.show_label)
        top.addWidget(self.filter)
        top.addWidget(self.open_button)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(6)
        table_layout.addLayout(top)
        table_layout.addWidget(self.empty_hint)
        table_layout.addWidget(self.table, 1)
        table_layout.addStretch(0)
        self.table.setMinimumHeight(150)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.trend)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.clear()

    def _make_table(self) -> HistoryTable:
        table = HistoryTable()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FLAGS, QHeaderView.ResizeMode.Stretch)  # takes what is left
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(SIZED_ROWS)  # fit columns to a sample, not every row
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.setAccessibleName("Completed forms")
        table.doubleClicked.connect(self._on_double_clicked)
        table.open_requested.connect(self.open_selected)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        return table

    # -- filling ---------------------------------------------------------------------

    def set_history(
        self,
        entries: Sequence[HistoryEntry],
        instruments: Mapping[str, Instrument],
        series_source: SeriesSource,
    ) -> None:
        """Show these entries (newest first); ``series_source(id)`` reads a form's scores."""
        kept_filter = self.filter.currentData()
        kept_row = self.selected_response_id()
        self.instruments = instruments
        self.entries = list(entries)
        self._series_source = series_source
        self._series = {}
        self._loads += 1
        self._fill_filter(kept_filter)
        self._show_entries(kept_row)
        self._show_empty(not self.entries)

    def clear(self) -> None:
        """Forget every form, score and filter choice."""
        self.instruments = {}
        self.entries = []
        self._series_source = None
        self._series = {}
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(ALL_FORMS, None)
        self.filter.blockSignals(False)
        self.model.clear()
        self.trend.clear()
        self.trend.setVisible(False)
        self._trend_key = None
        self._show_empty(False)
        self.open_button.setEnabled(False)

    def _show_empty(self, empty: bool) -> None:
        """No forms yet: a calm sentence instead of an empty table and its controls."""
        self.empty_hint.setVisible(empty)
        for widget in (self.table, self.filter, self.show_label, self.open_button):
            widget.setVisible(not empty)

    def _fill_filter(self, wanted: str | None) -> None:
        done = {e.response.questionnaire for e in self.entries}
        choices = sorted(done, key=lambda ident: self._title(ident).lower())
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(ALL_FORMS, None)
        for ident in choices:
            self.filter.addItem(self._title(ident), ident)
        found = self.filter.findData(wanted) if wanted is not None else 0
        self.filter.setCurrentIndex(max(found, 0))
        self.filter.blockSignals(False)

    def _title(self, ident: str) -> str:
        instrument = self.instruments.get(ident)
        return instrument.title if instrument is not None else ident

    def _show_entries(self, keep_selected: uuid.UUID | None = None) -> None:
        chosen = self.filter.currentData()
        shown = [e for e in self.entries if chosen is None or e.response.questionnaire == chosen]
        self.model.set_entries(shown, self.instruments)
        self._fit_columns()
        row = self.model.row_of(keep_selected) if keep_selected is not None else -1
        if shown:
            self.table.selectRow(max(row, 0))
        self._show_trend()
        self.open_button.setEnabled(self.selected_response_id() is not None)

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        for column in range(len(HEADERS)):
            if column == FLAGS:
                continue
            most = COLUMN_WIDTHS.get(column, 240)
            width = min(max(self.table.columnWidth(column) + 18, 80), most)
            self.table.setColumnWidth(column, width)

    # -- the trend ---------------------------------------------------------------------

    def trend_instrument(self) -> Instrument | None:
        """The scored form the trend shows: the filter's, else the selected row's."""
        ident = self.filter.currentData()
        if ident is None:
            entry = self.selected_entry()
            ident = entry.response.questionnaire if entry is not None else None
        instrument = self.instruments.get(ident) if ident is not None else None
        return instrument if instrument is not None and instrument.scoring is not None else None

    def _show_trend(self) -> None:
        instrument = self.trend_instrument()
        if instrument is None or self._series_source is None:
            self.trend.clear()
            self.trend.setVisible(False)
            self._trend_key = None
            return
        key = (instrument.id, self._loads)
        if key != self._trend_key:
            if instrument.id not in self._series:
                self._series[instrument.id] = self._series_source(instrument.id)
            self.trend.set_series(instrument, self._series[instrument.id])
            self._trend_key = key
        self.trend.setVisible(True)

    # -- selection and opening -----------------------------------------------------------

    def selected_entry(self) -> HistoryEntry | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.entry_at(index.row())

    def selected_response_id(self) -> uuid.UUID | None:
        entry = self.selected_entry()
        return entry.response.id if entry is not None else None

    def open_selected(self) -> None:
        response_id = self.selected_response_id()
        if response_id is not None:
            self.open_requested.emit(response_id)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        response_id = self.model.response_id_at(index.row())
        if response_id is not None:
            self.open_requested.emit(response_id)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.open_button.setEnabled(self.selected_response_id() is not None)
        if self.filter.currentData() is None:
            self._show_trend()

    def _on_filter_changed(self, _index: int) -> None:
        self._show_entries(self.selected_response_id())
