"""The chart's Follow-up tab: the patient's programme clocks, schedule and contact log.

From the top:

- **Transitional care**, while a discharge episode is open: the 2-business-day contact
  (met, attempts so far, hours left or lapsed), the face-to-face visit (days left),
  the medication reconciliation, and buttons to record the visit and reconciliation
  or close the episode. "Record a discharge…" starts a new one.
- **Chronic-care minutes this month** for a patient in CCM: minutes logged (staff and
  clinician), the codes already reached, what the next threshold needs, days left.
- **Scheduled**: the coming and overdue calls and visits. "Log as done…" opens the
  quick log on the follow-up (completing it, and offering the next of a series);
  Reschedule and Cancel act on the selected one; "Schedule…" adds one.
- **Contact log**: every logged contact and attempt, newest first, with the check-in
  form's score when the call carried one.

The main window connects ``log_requested`` to its quick log and refreshes the tab
when a contact is saved.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.followup.ccm import (
    days_left_in_month,
)
from carenav.models import Contact, FollowUp, Observation, Patient
from carenav.models.codes import CONTACT_KINDS, CONTACT_OUTCOMES, CONTACT_WITH, SPENT_BY
from carenav.services.assessments import scores_of
from carenav.services.catalogue import Catalogue, load_catalogue
from carenav.services.ccm_report import ReportRow, patient_row
from carenav.services.contacts import (
    ScheduledItem,
    cancel_follow_up,
    contacts_for,
    follow_ups_due,
)
from carenav.services.transitions import EpisodeClock, open_episodes, update_episode
from carenav.store.vault import Vault
from carenav.ui.formatting import code_label, format_datetime
from carenav.ui.pages.calendar import RescheduleDialog
from carenav.ui.pages.chart.follow_up_dialogs import DischargeDialog, EpisodeDialog, ScheduleDialog
from carenav.ui.widgets.layout import message_label, show_message
from carenav.ui.widgets.tables import ID_ROLE, cell, row_table

TO_CONTENTS = QHeaderView.ResizeMode.ResizeToContents

STYLE = """
QFrame#tcmBox { background: #fff8eb; border: 1px solid #e8c27a; border-radius: 8px; }
QFrame#tcmBox QLabel { background: transparent; border: none; }
QFrame#ccmBox { background: #eef5fb; border: 1px solid #b6cde8; border-radius: 8px; }
QFrame#ccmBox QLabel { background: transparent; border: none; }
QLabel#followUpHeading { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#clockMet { color: #1e6b35; }
QLabel#clockDue { color: #7a4b00; font-weight: 600; }
QLabel#clockLapsed { color: #b42318; font-weight: 600; }
"""
SCHEDULE_COLUMNS = ("Due", "Kind", "Purpose", "Repeats")
CONTACT_COLUMNS = ("When", "Kind", "With", "Outcome", "Minutes", "Check-in", "Notes")
SCHEDULE_AHEAD_DAYS = 366  # the Scheduled list shows a year ahead
CONTACTS_SHOWN = 500


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("followUpHeading")
    return label


def _line(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def contact_clock_text(clock: EpisodeClock) -> tuple[str, str]:
    """(text, style) of the 2-business-day contact."""
    status, by = clock.status, clock.deadlines.contact_by
    if status.contact_met:
        return f"Contact within 2 business days: done ({clock.attempts} logged).", "clockMet"
    tries = f"{clock.attempts} attempt{'s' if clock.attempts != 1 else ''} so far"
    if status.contact_overdue:
        return f"Contact within 2 business days: lapsed on {_day(by)} ({tries}).", "clockLapsed"
    hours = max(int(status.hours_left_for_contact), 0)
    return (
        f"Contact within 2 business days: by the end of {_day(by)}, {hours} hours left ({tries}).",
        "clockDue",
    )


def visit_clock_text(clock: EpisodeClock) -> tuple[str, str]:
    status, by = clock.status, clock.deadlines.face_to_face_by
    if status.face_to_face_met:
        return "Face-to-face visit: done.", "clockMet"
    if status.face_to_face_overdue:
        return f"Face-to-face visit: was due by {_day(by)}.", "clockLapsed"
    days = status.face_to_face_days_left
    return f"Face-to-face visit: by {_day(by)}, {days} day{'s' if days != 1 else ''} left.", (
        "clockDue"
    )


def med_rec_text(clock: EpisodeClock) -> tuple[str, str]:
    day = clock.episode.med_rec_on
    if day is not None:
        return f"Medicines reconciled on {_day(day)}.", "clockMet"
    return "Medicines not reconciled yet: due by the face-to-face visit.", "clockDue"


def ccm_text(row: ReportRow, today: date) -> str:
    """This month so far: minutes, codes reached, what the next code needs, days left."""
    parts = [f"{row.total} minutes this month (staff {row.staff}, clinician {row.clinician})."]
    if row.codes:
        parts.append("Reached " + ", ".join(f"{c} × {n}" for c, n in row.codes) + ".")
    if row.next_threshold is not None:
        code, needed = row.next_threshold
        parts.append(f"{needed} more minutes for {code}.")
    left = days_left_in_month(today)
    parts.append(f"{left} day{'s' if left != 1 else ''} left in the month.")
    return " ".join(parts)


class FollowUpPanel(QWidget):
    """Everything about keeping in touch with one patient."""

    log_requested = Signal(object)  # a follow-up id to complete, or None for a new contact
    changed = Signal()  # something was scheduled, moved, cancelled or recorded

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self.vault: Vault | None = None
        self.patient: Patient | None = None
        self.catalogue: Catalogue | None = None
        self.clocks: list[EpisodeClock] = []
        self._follow_ups: dict[uuid.UUID, FollowUp] = {}  # the Scheduled rows, by id
        self.today = date.today()

        self.message = message_label()
        self.notice = _line("", "fieldHint")
        self.notice.setVisible(False)
        self.log_button = QPushButton("Log a contact…")
        self.log_button.setObjectName("primary")
        self.log_button.setToolTip("Log a call, visit or attempt (Ctrl+K)")
        self.log_button.clicked.connect(lambda: self.log_requested.emit(None))
        self.schedule_button = QPushButton("Schedule…")
        self.schedule_button.setToolTip("Schedule a call or visit, once or repeating")
        self.schedule_button.clicked.connect(self.schedule)
        self.discharge_button = QPushButton("Record a discharge…")
        self.discharge_button.setToolTip("Start the transitional-care clocks from a discharge")
        self.discharge_button.clicked.connect(self.record_discharge)
        actions = QHBoxLayout()
        actions.addWidget(self.log_button)
        actions.addWidget(self.schedule_button)
        actions.addWidget(self.discharge_button)
        actions.addStretch(1)

        self.tcm_box = QFrame()
        self.tcm_box.setObjectName("tcmBox")
        self.tcm_layout = QVBoxLayout(self.tcm_box)
        self.tcm_layout.setContentsMargins(14, 10, 14, 10)
        self.ccm_box = QFrame()
        self.ccm_box.setObjectName("ccmBox")
        ccm_layout = QVBoxLayout(self.ccm_box)
        ccm_layout.setContentsMargins(14, 10, 14, 10)
        self.ccm_title = _heading("Chronic-care minutes")
        self.ccm_label = _line()
        ccm_layout.addWidget(self.ccm_title)
        ccm_layout.addWidget(self.ccm_label)

        self.schedule_table = row_table(
            SCHEDULE_COLUMNS, "Scheduled follow-ups", resize=TO_CONTENTS
        )
        self.schedule_table.itemSelectionChanged.connect(self._update_buttons)
        self.schedule_table.itemActivated.connect(lambda _item: self.log_selected())
        self.done_button = QPushButton("Log as done…")
        self.done_button.setToolTip("Log the contact that completes the selected follow-up")
        self.done_button.clicked.connect(self.log_selected)
        self.reschedule_button = QPushButton("Reschedule…")
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.cancel_button = QPushButton("Cancel follow-up")
        self.cancel_button.clicked.connect(self.cancel_selected)
        schedule_buttons = QHBoxLayout()
        schedule_buttons.addWidget(_heading("Scheduled"))
        schedule_buttons.addStretch(1)
        for button in (self.done_button, self.reschedule_button, self.cancel_button):
            schedule_buttons.addWidget(button)
        self.schedule_empty = _line("Nothing scheduled. Use Schedule… to plan the next call.")
        self.schedule_empty.setObjectName("fieldHint")

        self.contact_table = row_table(CONTACT_COLUMNS, "Contact log", resize=TO_CONTENTS)
        self.contacts_empty = _line("No contacts logged yet.")
        self.contacts_empty.setObjectName("fieldHint")

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addLayout(actions)
        column.addWidget(self.message)
        column.addWidget(self.notice)
        column.addWidget(self.tcm_box)
        column.addWidget(self.ccm_box)
        column.addLayout(schedule_buttons)
        column.addWidget(self.schedule_empty)
        column.addWidget(self.schedule_table, 2)
        column.addWidget(_heading("Contact log"))
        column.addWidget(self.contacts_empty)
        column.addWidget(self.contact_table, 3)
        self.schedule_table.setMinimumHeight(150)
        self.contact_table.setMinimumHeight(220)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._update_buttons()

    # -- loading --------------------------------------------------------------------------

    def show_patient(
        self, vault: Vault, patient: Patient, *, catalogue: Catalogue | None = None
    ) -> None:
        self.vault, self.patient = vault, patient
        self.catalogue = catalogue or load_catalogue(None)
        self.refresh()

    def clear(self) -> None:
        self.vault = self.patient = None
        self.clocks = []
        self.schedule_table.setRowCount(0)
        self.contact_table.setRowCount(0)
        self._follow_ups = {}
        self._clear_tcm()

    def refresh(self) -> None:
        if self.vault is None or self.patient is None:
            return
        self.today = date.today()
        show_message(self.message, "")
        show_message(self.notice, "")
        try:
            self._show_transitions()
            self._show_ccm()
            self._show_schedule()
            self._show_contacts()
        except CareNavError as exc:
            show_message(self.message, str(exc))
        self._update_buttons()

    def _clear_tcm(self) -> None:
        """Drop the episode cards (rebuilt on each refresh: there are one or two)."""
        for card in self.tcm_box.findChildren(QWidget, "tcmEpisode"):
            card.setParent(None)
            card.deleteLater()

    def _show_transitions(self) -> None:
        assert self.vault is not None and self.patient is not None
        self._clear_tcm()
        self.clocks = open_episodes(self.vault, patient_id=self.patient.id)
        self.tcm_box.setVisible(bool(self.clocks))
        for clock in self.clocks:
            self.tcm_layout.addWidget(self._episode_card(clock))

    def _episode_card(self, clock: EpisodeClock) -> QWidget:
        card = QWidget()
        card.setObjectName("tcmEpisode")
        lines = QVBoxLayout(card)
        lines.setContentsMargins(0, 0, 0, 0)
        episode = clock.episode
        where = f" from {episode.facility}" if episode.facility else ""
        lines.addWidget(
            _heading(f"Transitional care: discharged {_day(episode.discharge_date)}{where}")
        )
        complexity = "High" if episode.complexity == "high" else "Moderate"
        lines.addWidget(
            _line(
                f"{complexity} complexity; the episode runs to "
                f"{_day(clock.deadlines.period_ends)}.",
                "fieldHint",
            )
        )
        for text, style in (
            contact_clock_text(clock),
            visit_clock_text(clock),
            med_rec_text(clock),
        ):
            lines.addWidget(_line(text, style))
        buttons = QHBoxLayout()
        record = QPushButton("Record visit or reconciliation…")
        record.clicked.connect(lambda _=False, c=clock: self.edit_episode(c))
        close = QPushButton("Close episode")
        close.setToolTip("Take this episode off the worklist (for example, readmitted)")
        close.clicked.connect(lambda _=False, c=clock: self.close_episode(c))
        buttons.addWidget(record)
        buttons.addWidget(close)
        buttons.addStretch(1)
        lines.addLayout(buttons)
        return card

    def _show_ccm(self) -> None:
        assert self.vault is not None and self.patient is not None
        row = patient_row(self.vault, self.patient, self.today.strftime("%Y-%m"))
        self.ccm_box.setVisible(row.in_ccm)
        if not row.in_ccm:
            return
        name = "Complex chronic care" if row.complex else "Chronic care"
        self.ccm_title.setText(f"{name} management, {self.today:%B %Y}")
        self.ccm_label.setText(ccm_text(row, self.today))

    def _show_schedule(self) -> None:
        assert self.vault is not None and self.patient is not None
        until = datetime.now(UTC) + timedelta(days=SCHEDULE_AHEAD_DAYS)
        due = follow_ups_due(self.vault, until=until, patient_id=self.patient.id)
        now = datetime.now(UTC)
        table = self.schedule_table
        table.setRowCount(len(due))
        for row, follow_up in enumerate(due):
            when = format_datetime(follow_up.due_at)
            if follow_up.due_at < now:
                when += "  (overdue)"
            repeats = f"every {follow_up.recurrence_days} days" if follow_up.recurrence_days else ""
            values = (when, code_label(CONTACT_KINDS, follow_up.kind), follow_up.purpose, repeats)
            for column, text in enumerate(values):
                table.setItem(row, column, cell(text, follow_up.id))
        table.setVisible(bool(due))
        self.schedule_empty.setVisible(not due)
        self._follow_ups = {f.id: f for f in due}

    def _show_contacts(self) -> None:
        assert self.vault is not None and self.patient is not None
        logged = contacts_for(self.vault, self.patient.id, limit=CONTACTS_SHOWN)
        check_ins = scores_of(
            self.vault, [c.check_in_response_id for c in logged if c.check_in_response_id]
        )
        table = self.contact_table
        table.setRowCount(len(logged))
        for row, contact in enumerate(logged):
            for column, text in enumerate(self._contact_values(contact, check_ins)):
                table.setItem(row, column, cell(text, contact.id))
            notes = table.item(row, 6)
            if notes is not None:
                notes.setToolTip(contact.notes)
        table.setVisible(bool(logged))
        self.contacts_empty.setVisible(not logged)

    def _contact_values(
        self, contact: Contact, check_ins: dict[uuid.UUID, Observation]
    ) -> list[str]:
        with_whom = code_label(CONTACT_WITH, contact.with_whom)
        if contact.with_name:
            with_whom = f"{with_whom}: {contact.with_name}"
        minutes = str(contact.minutes)
        if contact.spent_by == "clinician":
            minutes += f" ({code_label(SPENT_BY, 'clinician').lower()})"
        if not contact.counts_for_ccm and contact.minutes:
            minutes += " (not CCM)"
        check_in = ""
        score = (
            check_ins.get(contact.check_in_response_id) if contact.check_in_response_id else None
        )
        if score is not None:
            catalogue = self.catalogue or load_catalogue(None)
            band = f" ({score.band})" if score.band else ""
            check_in = f"{catalogue.title(score.questionnaire)}: {score.value}{band}"
        return [
            format_datetime(contact.occurred_at),
            code_label(CONTACT_KINDS, contact.kind),
            with_whom,
            code_label(CONTACT_OUTCOMES, contact.outcome),
            minutes,
            check_in,
            contact.notes.splitlines()[0] if contact.notes else "",
        ]

    # -- acting ---------------------------------------------------------------------------

    def selected_follow_up(self) -> FollowUp | None:
        rows = self.schedule_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.schedule_table.item(rows[0].row(), 0)
        follow_up_id = item.data(ID_ROLE) if item is not None else None
        return self._follow_ups.get(follow_up_id) if follow_up_id else None

    def _update_buttons(self) -> None:
        chosen = self.selected_follow_up() is not None
        for button in (self.done_button, self.reschedule_button, self.cancel_button):
            button.setEnabled(chosen)
        loaded = self.vault is not None and self.patient is not None
        for button in (self.log_button, self.schedule_button, self.discharge_button):
            button.setEnabled(loaded)

    def _after_change(self, text: str) -> None:
        self.refresh()
        show_message(self.notice, text)
        self.changed.emit()

    def schedule(self) -> bool:
        if self.vault is None or self.patient is None:
            return False
        dialog = ScheduleDialog(self.vault, self.patient.id, self)
        if dialog.exec() != ScheduleDialog.DialogCode.Accepted:
            return False
        self._after_change("Follow-up scheduled.")
        return True

    def record_discharge(self) -> bool:
        if self.vault is None or self.patient is None:
            return False
        dialog = DischargeDialog(self.vault, self.patient.id, self)
        if dialog.exec() != DischargeDialog.DialogCode.Accepted:
            return False
        self._after_change("Discharge recorded: the transitional-care clocks have started.")
        return True

    def edit_episode(self, clock: EpisodeClock) -> bool:
        if self.vault is None:
            return False
        dialog = EpisodeDialog(self.vault, clock.episode, self)
        if dialog.exec() != EpisodeDialog.DialogCode.Accepted:
            return False
        self._after_change("Transitional care updated.")
        return True

    def close_episode(self, clock: EpisodeClock) -> bool:
        if self.vault is None:
            return False
        answer = QMessageBox.question(
            self,
            "Close this episode?",
            "Close this transitional-care episode? Its clocks leave the Today list. "
            "Do this when the patient was readmitted or care moved elsewhere.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            update_episode(self.vault, clock.episode.id, {"status": "closed"})
        except CareNavError as exc:  # removed or changed meanwhile
            self.refresh()
            show_message(self.message, f"{exc} The list is shown again as it is now.")
            return False
        self._after_change("Transitional-care episode closed.")
        return True

    def log_selected(self) -> None:
        follow_up = self.selected_follow_up()
        if follow_up is not None:
            self.log_requested.emit(follow_up.id)

    def reschedule_selected(self) -> bool:
        follow_up = self.selected_follow_up()
        if self.vault is None or self.patient is None or follow_up is None:
            return False
        item = ScheduledItem(
            follow_up.id,
            follow_up.patient_id,
            "this patient",
            follow_up.due_at,
            follow_up.kind,
            follow_up.purpose,
        )
        dialog = RescheduleDialog(self.vault, item, self)
        if dialog.exec() != RescheduleDialog.DialogCode.Accepted:
            return False
        self._after_change("Follow-up rescheduled.")
        return True

    def cancel_selected(self) -> bool:
        follow_up = self.selected_follow_up()
        if self.vault is None or follow_up is None:
            return False
        answer = QMessageBox.question(
            self,
            "Cancel this follow-up?",
            f"Cancel the {code_label(CONTACT_KINDS, follow_up.kind).lower()} due "
            f"{format_datetime(follow_up.due_at)}? It stays in the record as cancelled.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            cancel_follow_up(self.vault, follow_up.id)
        except CareNavError as exc:  # completed, cancelled or removed meanwhile
            self.refresh()
            show_message(self.message, f"{exc} The list is shown again as it is now.")
            return False
        self._after_change("Follow-up cancelled.")
        return True
