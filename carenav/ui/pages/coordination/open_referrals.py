"""Go > Open referrals: every open referral of the caseload, oldest first.

Open means draft, sent, accepted, scheduled or no-show. The list shows how long each
has been open and in its status, the urgency and the check-back call (amber when
overdue); it sorts on any column and filters by status. Enter or a double-click emits
``open_referral(patient_id, referral_id)``; the main window opens the patient's chart on
the Referrals tab with that referral selected.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.services import referrals
from carenav.services.referrals import OPEN_STATUSES, STATUSES
from carenav.store.vault import Vault
from carenav.ui.item_models.referrals import (
    AGE,
    CATEGORY,
    IN_STATUS,
    PATIENT,
    STATUS,
    TO,
    URGENCY,
    OpenReferralsModel,
)
from carenav.ui.pages.coordination.style import COORDINATION_STYLE
from carenav.ui.widgets.layout import heading
from carenav.ui.widgets.tables import read_only_rows


class OpenTable(QTableView):
    """Enter opens the referral of the current row."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class OpenReferralsPage(QWidget):
    open_referral = Signal(object, object)  # patient id, referral id
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(COORDINATION_STYLE)
        self.vault: Vault | None = None
        self.fixed_today = today
        self.model = OpenReferralsModel(self)
        self._build()

    def _build(self) -> None:
        title = heading("Open referrals")
        title.setWordWrap(False)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem("Every open status", "")
        for code, label in STATUSES.items():
            if code in OPEN_STATUSES:
                self.status.addItem(label, code)
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.back_button = QPushButton("← Back to caseload")
        self.back_button.setToolTip("Back to the caseload (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(QLabel("Status"))
        top.addWidget(self.status)
        top.addWidget(self.back_button)

        self.summary = QLabel()
        self.summary.setObjectName("fieldHint")
        self.table = OpenTable()
        self.table.setModel(self.model)
        widths = {
            PATIENT: 185,
            TO: 280,
            CATEGORY: 160,
            STATUS: 95,
            AGE: 105,
            IN_STATUS: 130,
            URGENCY: 150,
        }
        read_only_rows(self.table, "Open referrals", widths=widths)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(AGE, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.activated_row.connect(self._open_row)
        self.empty = QLabel()
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        keys = QLabel(
            "Enter or double-click opens the patient's Referrals tab. Click a heading to sort."
        )
        keys.setObjectName("fieldHint")

        page = QVBoxLayout(self)
        page.setContentsMargins(18, 12, 18, 12)
        page.setSpacing(10)
        page.addLayout(top)
        page.addWidget(self.summary)
        page.addWidget(self.table, 1)
        page.addWidget(self.empty)
        page.addWidget(keys)

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    def show_for(self, vault: Vault) -> None:
        self.vault = vault
        self.refresh()
        self.table.setFocus()

    def clear(self) -> None:
        self.vault = None
        self.model.clear()
        self.summary.clear()

    def refresh(self) -> None:
        if self.vault is None:
            return
        code = self.status.currentData()
        rows = referrals.open_referrals(self.vault, self.today, statuses=[code] if code else None)
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r.check_back_overdue)
        count = f"{len(rows)} open referral{'s' if len(rows) != 1 else ''}"
        self.summary.setText(
            count
            + (
                f"   ·   {overdue} check-back{'s' if overdue != 1 else ''} overdue"
                if overdue
                else ""
            )
        )
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.empty.setText(
            "No open referral in this status."
            if code
            else "No open referrals. Referrals are made from a patient's chart "
            "(Referrals tab, Ctrl+0)."
        )
        if rows:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, PATIENT),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_double_clicked(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        chosen = self.model.row_at(row)
        if chosen is not None:
            self.open_referral.emit(chosen.patient_id, chosen.referral_id)
