"""The chart's Referrals tab (Ctrl+0): the patient's referrals and authorisations.

- **Referrals**, newest first: to whom, category, status and for how long, urgency, the
  check-back. The selected one's dated history is beside the list.
- Actions on the selected referral: Send… (how it was sent; this schedules the
  check-back call), Mark as ▾ (the statuses it may move to; a reason where required),
  Record check-back… (got the service? a barrier? the barrier can become a care-plan
  need; or nobody answered: try again another day) and Referral slip ▾ (Print… or Save
  as PDF…: the slip the patient keeps, with no name on it; a saved PDF leaves the vault,
  so the first one after each unlock says so, as for every PDF; both are audited).
- **Authorisations**: payer, service, number, dates, units, expiry; a denied one shows
  the alternative proposed. Denied ones are red, expiring or expired ones amber.

Nothing about the patient reaches a window title; ``clear()`` empties every widget.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from carenav.config import Settings
from carenav.errors import CareNavError
from carenav.export.referral_slip import render_referral_slip, write_referral_slip
from carenav.services import referrals
from carenav.services.directory import CATEGORIES
from carenav.services.referrals import (
    AUTHORISATION_STATUSES,
    SENT_VIA,
    STATUSES,
    URGENCIES,
    AuthorisationView,
    ReferralView,
    allowed_next,
)
from carenav.store.audit import record_event
from carenav.store.vault import Vault
from carenav.ui.formatting import MONTHS, code_label, format_date, format_datetime
from carenav.ui.item_models.referrals import days_text
from carenav.ui.pages.coordination.referral_dialogs import (
    AuthorisationDialog,
    CheckBackDialog,
    NewReferralDialog,
    SendDialog,
    StatusDialog,
)
from carenav.ui.pages.coordination.slip_print import print_pdf, slip_printer
from carenav.ui.pages.coordination.style import COORDINATION_STYLE
from carenav.ui.pages.printing.common import confirm_leaving_vault
from carenav.ui.widgets.tables import ID_ROLE, cell, row_table

REFERRAL_COLUMNS = ("Referred to", "Category", "Status", "Check-back", "Urgency", "Reference")
HISTORY_COLUMNS = ("When", "Status", "Reason")
AUTH_COLUMNS = (
    "Service",
    "Payer",
    "Number",
    "Status",
    "Requested",
    "Decided",
    "Units",
    "Valid",
    "Flag / alternative proposed",
)
AMBER_TEXT = QColor("#7a4b00")
AMBER_BACKGROUND = QColor("#fff4d6")
RED_TEXT = QColor("#8a1c12")
RED_BACKGROUND = QColor("#fdecea")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("coordHeading")
    return label


def status_text(view: ReferralView, today: date) -> str:
    """'Sent · 12 days', 'Scheduled 4 Dec 2026, 10:00', 'Declined · 3 days'."""
    r = view.referral
    label = code_label(STATUSES, r.status)
    if r.status == "scheduled" and r.appointment_at is not None:
        return f"{label} {format_datetime(r.appointment_at)}"
    days = max((today - r.status_at.astimezone().date()).days, 0)
    return f"{label} · {days_text(days)}"


def check_back_text(view: ReferralView, today: date) -> tuple[str, bool]:
    """The check-back column and whether it is overdue."""
    r = view.referral
    if r.checked_back_at is not None:
        day = r.checked_back_at.astimezone().date()
        got = "Received" if r.got_service else "Not received"
        return f"{got}, {day.day} {MONTHS[day.month - 1]}", False
    follow_up = view.check_back
    if follow_up is not None and follow_up.status == "scheduled":
        due = follow_up.due_at.astimezone().date()
        if due < today:
            return f"Overdue · {format_date(due)}", True
        return f"Due {format_date(due)}", False
    return "—", False


def authorisation_flag_text(view: AuthorisationView) -> str:
    a = view.authorisation
    if "denied" in view.flags:
        return "Denied. Alternative: " + (a.alternative or "none recorded")
    if "expired" in view.flags:
        return "Expired"
    if "expiring" in view.flags and view.days_left is not None:
        return "Expires today" if view.days_left == 0 else f"Expires in {days_text(view.days_left)}"
    return a.notes


class ReferralsPanel(QWidget):
    plan_changed = Signal()  # a barrier became a care-plan need
    follow_ups_changed = Signal()  # a check-back was scheduled, completed or cancelled

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(COORDINATION_STYLE)
        self.vault: Vault | None = None
        self.patient_id: uuid.UUID | None = None
        self.fixed_today = today
        self.views: list[ReferralView] = []
        self.auths: list[AuthorisationView] = []
        self._build()

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    # -- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        self.new_button = QPushButton("New referral…")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("Refer the patient to a directory service or a provider")
        self.new_button.clicked.connect(self.new_referral)
        self.summary = QLabel()
        self.summary.setObjectName("fieldHint")

        self.table = row_table(REFERRAL_COLUMNS, "The patient's referrals")
        for column, width in enumerate((262, 122, 125, 150, 75)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self._default_action())
        self.history = row_table(HISTORY_COLUMNS, "Status history of the selected referral")
        self.history.setColumnWidth(0, 150)
        self.history.setColumnWidth(1, 80)
        self.history.setAlternatingRowColors(False)
        self.detail = QLabel()
        self.detail.setObjectName("fieldHint")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("History of the selected referral"))
        side_layout.addWidget(self.history, 1)
        side_layout.addWidget(self.detail)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setSizes([850, 420])

        self.send_button = QPushButton("Send…")
        self.send_button.setToolTip("Say how it was sent; a check-back call is scheduled")
        self.send_button.clicked.connect(self.send)
        self.mark_button = QPushButton("Mark as…")
        self.mark_button.setToolTip("Accepted, scheduled, completed, declined, no-show, cancelled")
        self.mark_menu = QMenu(self.mark_button)
        self.mark_button.setMenu(self.mark_menu)
        self.check_back_button = QPushButton("Record check-back…")
        self.check_back_button.setToolTip("Did the patient get the service? Any barrier?")
        self.check_back_button.clicked.connect(lambda: self.record_check_back())
        self.slip_button = QPushButton("Referral slip")
        self.slip_button.setToolTip("The slip the patient keeps: where to go, what to bring")
        slip_menu = QMenu(self.slip_button)
        slip_menu.addAction("Print…").triggered.connect(lambda: self.print_slip())
        slip_menu.addAction("Save as PDF…").triggered.connect(lambda: self.save_slip())
        self.slip_button.setMenu(slip_menu)
        actions = QHBoxLayout()  # the heading and every action on one line: room for rows
        actions.addWidget(_heading("Referrals"))
        actions.addWidget(self.summary)
        actions.addStretch(1)
        for button in (self.send_button, self.mark_button, self.check_back_button):
            actions.addWidget(button)
        actions.addWidget(self.slip_button)
        actions.addSpacing(12)
        actions.addWidget(self.new_button)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.empty = QLabel(
            "No referrals yet. New referral… finds a service in the resource directory "
            "or names another provider."
        )
        self.empty.setObjectName("fieldHint")
        self.empty.setWordWrap(True)

        referral_part = QWidget()
        referral_layout = QVBoxLayout(referral_part)
        referral_layout.setContentsMargins(0, 0, 0, 0)
        referral_layout.addLayout(actions)
        referral_layout.addWidget(self.empty)
        referral_layout.addWidget(split, 1)
        referral_layout.addWidget(self.message)

        self.new_auth_button = QPushButton("New authorisation…")
        self.new_auth_button.clicked.connect(lambda: self.edit_authorisation(new=True))
        self.edit_auth_button = QPushButton("Change…")
        self.edit_auth_button.setToolTip("Record the approval or denial, units, expiry")
        self.edit_auth_button.clicked.connect(lambda: self.edit_authorisation())
        self.auth_summary = QLabel()
        self.auth_summary.setObjectName("fieldHint")
        auth_top = QHBoxLayout()
        auth_top.addWidget(_heading("Authorisations"))
        auth_top.addWidget(self.auth_summary, 1)
        auth_top.addWidget(self.new_auth_button)
        auth_top.addWidget(self.edit_auth_button)
        self.auth_table = row_table(AUTH_COLUMNS, "The patient's authorisations")
        for column, width in enumerate((190, 150, 110, 90, 100, 100, 80, 190)):
            self.auth_table.setColumnWidth(column, width)
        self.auth_table.itemSelectionChanged.connect(self._update_buttons)
        self.auth_table.doubleClicked.connect(lambda _i: self.edit_authorisation())
        auth_part = QWidget()
        auth_layout = QVBoxLayout(auth_part)
        auth_layout.setContentsMargins(0, 6, 0, 0)
        auth_layout.addLayout(auth_top)
        auth_layout.addWidget(self.auth_table, 1)

        parts = QSplitter(Qt.Orientation.Vertical)
        parts.setChildrenCollapsible(False)
        parts.addWidget(referral_part)
        parts.addWidget(auth_part)
        parts.setStretchFactor(0, 3)
        parts.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(parts)
        self._update_buttons()

    # -- contract with the chart ----------------------------------------------------

    def show_patient(self, vault: Vault, patient_id: uuid.UUID) -> None:
        self.vault = vault
        self.patient_id = patient_id
        self._say("")
        self.refresh()

    def clear(self) -> None:
        self.vault = None
        self.patient_id = None
        self.views = []
        self.auths = []
        self.table.setRowCount(0)
        self.history.setRowCount(0)
        self.auth_table.setRowCount(0)
        self.detail.clear()
        self.summary.clear()
        self.auth_summary.clear()
        self._say("")
        self._update_buttons()

    def refresh(self, select: uuid.UUID | None = None) -> None:
        if self.vault is None or self.patient_id is None:
            return
        keep = select or self.selected_id()
        self.views = referrals.referrals_for(self.vault, self.patient_id)
        self.auths = referrals.authorisations_for(self.vault, self.patient_id, self.today)
        self._fill_referrals()
        self._fill_authorisations()
        if keep is not None:
            self.select_referral(keep)
        elif self.views:
            self.table.selectRow(0)
        self._on_selection()

    def _fill_referrals(self) -> None:
        self.table.setRowCount(len(self.views))
        for row, view in enumerate(self.views):
            r = view.referral
            back, overdue = check_back_text(view, self.today)
            cells = (
                view.to,
                code_label(CATEGORIES, r.category) if r.category else "",
                status_text(view, self.today),
                back,
                code_label(URGENCIES, r.urgency),
                r.reference_code,
            )
            for column, text in enumerate(cells):
                item = cell(text, r.id, tooltip=True)
                if (column == 3 and overdue) or (column == 2 and r.status == "no-show"):
                    item.setForeground(AMBER_TEXT)
                    item.setBackground(AMBER_BACKGROUND)
                if column == 4 and r.urgency != "routine":
                    item.setForeground(AMBER_TEXT)
                self.table.setItem(row, column, item)
        open_count = sum(1 for v in self.views if v.is_open)
        total = len(self.views)
        self.summary.setText(f"{open_count} open of {total}" if total else "")
        self.empty.setVisible(total == 0)

    def _fill_authorisations(self) -> None:
        self.auth_table.setRowCount(len(self.auths))
        for row, view in enumerate(self.auths):
            a = view.authorisation
            decided = a.approved_on if a.status == "approved" else a.denied_on
            units = f"{a.units} {a.unit_label}".strip() if a.units is not None else a.unit_label
            valid = " – ".join(format_date(d) for d in (a.starts_on, a.expires_on) if d)
            cells = (
                a.service,
                a.payer,
                a.number,
                code_label(AUTHORISATION_STATUSES, a.status),
                format_date(a.requested_on),
                format_date(decided),
                units,
                valid,
                authorisation_flag_text(view),
            )
            colour: tuple[QColor, QColor] | None = None
            if "denied" in view.flags:
                colour = (RED_TEXT, RED_BACKGROUND)
            elif view.flags:
                colour = (AMBER_TEXT, AMBER_BACKGROUND)
            for column, text in enumerate(cells):
                item = cell(text, a.id, tooltip=True)
                if colour is not None and (column in (3, 8) or (column == 7 and text)):
                    item.setForeground(colour[0])
                    item.setBackground(colour[1])
                self.auth_table.setItem(row, column, item)
        flagged = sum(1 for v in self.auths if v.flags)
        self.auth_summary.setText(
            f"{flagged} need{'s' if flagged == 1 else ''} attention" if flagged else ""
        )

    # -- selection ------------------------------------------------------------------

    def selected_id(self) -> uuid.UUID | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        value = item.data(ID_ROLE) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def selected_view(self) -> ReferralView | None:
        chosen = self.selected_id()
        return next((v for v in self.views if v.referral.id == chosen), None)

    def select_referral(self, referral_id: uuid.UUID) -> bool:
        for row, view in enumerate(self.views):
            if view.referral.id == referral_id:
                self.table.selectRow(row)
                self.table.setCurrentCell(row, 0)
                return True
        return False

    def selected_authorisation(self) -> AuthorisationView | None:
        rows = self.auth_table.selectionModel().selectedRows()
        return self.auths[rows[0].row()] if rows and rows[0].row() < len(self.auths) else None

    def _on_selection(self) -> None:
        view = self.selected_view()
        self.history.setRowCount(0)
        self.detail.clear()
        if view is not None:
            self.history.setRowCount(len(view.history))
            for row, event in enumerate(reversed(view.history)):
                self.history.setItem(row, 0, cell(format_datetime(event.at), tooltip=True))
                self.history.setItem(row, 1, cell(code_label(STATUSES, event.status), tooltip=True))
                self.history.setItem(row, 2, cell(event.reason, tooltip=True))
            self.detail.setText(self._detail_text(view))
        self._update_buttons()

    @staticmethod
    def _detail_text(view: ReferralView) -> str:
        r = view.referral
        parts = []
        if r.reason:
            parts.append(f"Reason: {r.reason}")
        if r.sent_via and r.sent_at is not None:
            via = code_label(SENT_VIA, r.sent_via).lower()
            parts.append(f"Sent by {via} on {format_date(r.sent_at.astimezone().date())}.")
        if r.barrier:
            barrier = code_label(referrals.BARRIERS, r.barrier)
            parts.append(
                f"Barrier at check-back: {barrier}"
                + (f" ({r.barrier_note})" if r.barrier_note else "")
            )
        return "\n".join(parts)

    def _update_buttons(self) -> None:
        view = self.selected_view()
        has_patient = self.vault is not None and self.patient_id is not None
        self.new_button.setEnabled(has_patient)
        self.new_auth_button.setEnabled(has_patient)
        self.edit_auth_button.setEnabled(has_patient and self.selected_authorisation() is not None)
        status = view.referral.status if view is not None else ""
        self.send_button.setEnabled(status == "draft")
        self.mark_menu.clear()
        for code in allowed_next(status):
            if code == "sent":
                continue
            action = self.mark_menu.addAction(f"{STATUSES[code]}…")
            action.triggered.connect(lambda _checked=False, c=code: self.mark(c))
        self.mark_button.setEnabled(bool(self.mark_menu.actions()))
        can_check = view is not None and view.referral.sent_at is not None
        self.check_back_button.setEnabled(can_check)
        self.slip_button.setEnabled(view is not None and status not in ("declined", "cancelled"))

    def _default_action(self) -> None:
        view = self.selected_view()
        if view is None:
            return
        if view.referral.status == "draft":
            self.send()
        elif view.check_back is not None and view.check_back.status == "scheduled":
            self.record_check_back()

    # -- actions --------------------------------------------------------------------

    def _check_back_days(self) -> int:
        return Settings.load().referral_check_back_days

    def _after(self, text: str, select: uuid.UUID | None = None) -> None:
        if self.vault is None:
            return
        self.refresh(select)
        self._say(text, ok=True)
        self.follow_ups_changed.emit()

    def new_referral(self) -> NewReferralDialog | None:
        if self.vault is None or self.patient_id is None:
            return None
        dialog = NewReferralDialog(
            self.vault, self.patient_id, self, check_back_days=self._check_back_days()
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.created_id is None:
            return None
        view = referrals.get_referral(self.vault, dialog.created_id) if self.vault else None
        sent = view is not None and view.referral.status == "sent"
        self._after(
            "Referral sent; the check-back call is on the list."
            if sent
            else "Referral saved as a draft.",
            dialog.created_id,
        )
        return dialog

    def send(self) -> bool:
        view = self.selected_view()
        if self.vault is None or view is None:
            return False
        dialog = SendDialog(self.vault, view, self, check_back_days=self._check_back_days())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._after("Referral sent; the check-back call is on the list.", view.referral.id)
        return True

    def mark(self, status: str) -> bool:
        view = self.selected_view()
        if self.vault is None or view is None:
            return False
        dialog = StatusDialog(self.vault, view, status, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._after(f"Referral marked {STATUSES[status].lower()}.", view.referral.id)
        return True

    def record_check_back(self, referral_id: uuid.UUID | None = None) -> bool:
        """The check-back dialog for the selected referral (or the one given)."""
        if referral_id is not None and not self.select_referral(referral_id):
            return False  # not one of this patient's referrals: never act on another one
        view = self.selected_view()
        if self.vault is None or view is None:
            return False
        dialog = CheckBackDialog(self.vault, view, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._after(dialog.result_text, view.referral.id)
        if dialog.need_added:
            self.plan_changed.emit()
        return True

    def edit_authorisation(self, *, new: bool = False) -> bool:
        if self.vault is None or self.patient_id is None:
            return False
        current = None if new else self.selected_authorisation()
        if not new and current is None:
            return False
        dialog = AuthorisationDialog(
            self.vault,
            self.patient_id,
            self,
            authorisation=current.authorisation if current is not None else None,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.refresh()
        for row, view in enumerate(self.auths):
            if view.authorisation.id == dialog.saved_id:
                self.auth_table.selectRow(row)
        self._say(dialog.result_text, ok=True)
        if dialog.advocacy_added:
            self.plan_changed.emit()
        return True

    # -- the slip -------------------------------------------------------------------

    def print_slip(self, printer: QPrinter | None = None) -> int:
        """The system print dialog (unless a printer is given), then the slip; audited."""
        view = self.selected_view()
        if self.vault is None or view is None:
            return 0
        try:
            data = render_referral_slip(self.vault, view.referral.id)
        except CareNavError as exc:
            self._say(f"The slip cannot be printed: {exc}", problem=True)
            return 0
        if printer is None:
            printer = slip_printer()
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle("Print referral slip")
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            dialog.deleteLater()
            if not accepted or self.vault is None:
                return 0
        count = print_pdf(data, printer)
        record_event(
            self.vault,
            "print",
            record_type="referral",
            record_id=view.referral.id,
            detail="referral slip printed from the app",
            outcome="success" if count else "failure",
        )
        if not count:
            self._say(
                "The printer could not be used. Check that it is switched on and connected, "
                "then print again.",
                problem=True,
            )
            return 0
        self._say("Referral slip sent to the printer. Give it to the patient.", ok=True)
        return count

    def save_slip(self, path: Path | None = None) -> Path | None:
        """Warn (once per unlock), ask where (named by the reference code), write the PDF."""
        view = self.selected_view()
        if self.vault is None or view is None:
            return None
        if not confirm_leaving_vault(self, self.vault, "This referral slip") or self.vault is None:
            return None
        if path is None:
            name = f"referral-slip-{view.referral.reference_code or 'CareNav'}.pdf"
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save the referral slip", str(Path.home() / name), "PDF files (*.pdf)"
            )
            if not chosen or self.vault is None:
                return None
            path = Path(chosen)
            if path.suffix.lower() != ".pdf":
                path = path.with_name(path.name + ".pdf")
        try:
            write_referral_slip(self.vault, view.referral.id, path)
        except (CareNavError, OSError) as exc:
            reason = str(exc) if isinstance(exc, CareNavError) else (exc.strerror or str(exc))
            self._say(f"The slip was not saved: {reason}. Choose another folder.", problem=True)
            return None
        self._say(f"Referral slip saved to {path}. Print it, then delete the file.", ok=True)
        return path

    def _say(self, text: str, *, ok: bool = False, problem: bool = False) -> None:
        self.message.setObjectName("errorText" if problem else "savedText" if ok else "fieldHint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))
