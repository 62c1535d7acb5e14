"""Dialogs of the chart's Referrals tab: a new referral, sending it, a change of status,
the check-back call and an authorisation.

Each one checks what is typed through the services as it is saved: a refused value is
explained beside its field (the services' own messages), the focus goes there and
nothing typed is cleared. Window titles never name the patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError, InvalidInput
from carenav.models import Authorization
from carenav.models.codes import CONTACT_OUTCOMES, CONTACT_WITH
from carenav.services import care_plans, directory, referrals
from carenav.services.directory import CATEGORIES
from carenav.services.referrals import (
    ATTEMPT_OUTCOMES,
    AUTHORISATION_STATUSES,
    BARRIER_NEEDS,
    BARRIERS,
    PROVIDER_KINDS,
    REASON_PROMPTS,
    REASON_REQUIRED,
    SENT_VIA,
    STATUSES,
    URGENCIES,
    ReferralView,
)
from carenav.store.vault import Vault
from carenav.ui.formatting import format_datetime
from carenav.ui.pages.calendar import parse_day, parse_time
from carenav.ui.pages.chart.follow_up_dialogs import FieldDialog
from carenav.ui.widgets.layout import show_message

DATE_HINT = "YYYY-MM-DD"
NOT_YET = ""  # the "send later" choice: the referral stays a draft


def combo(
    choices: Mapping[str, str], name: str, *, first: tuple[str, str] | None = None
) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    if first is not None:
        box.addItem(first[1], first[0])
    for code, label in choices.items():
        box.addItem(label, code)
    return box


def text_box(name: str, height: int = 60) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def line(name: str, placeholder: str = "", width: int = 0) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    if width:
        edit.setMaximumWidth(width)
    return edit


def set_choice(box: QComboBox, code: object) -> None:
    box.setCurrentIndex(max(box.findData(code), 0))


def widen(widget: QWidget) -> None:
    """Let a field added with ``FieldDialog.add_field`` take the row's width."""
    parent = widget.parentWidget()
    row = parent.layout() if parent is not None else None
    if isinstance(row, QHBoxLayout):
        row.setStretchFactor(widget, 20)


def show_row(dialog: FieldDialog, field: QWidget, shown: bool) -> None:
    """Show or hide the form row holding ``field`` (add_field wraps each in a row box)."""
    box = field.parentWidget()
    while box is not None and dialog.form.indexOf(box) < 0:
        box = box.parentWidget()
    if box is not None:
        dialog.form.setRowVisible(box, shown)


def check_back_day(days: int, today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=days)


# -- a new referral ---------------------------------------------------------------------------


class NewReferralDialog(FieldDialog):
    """Pick a directory service (search + category) or name a provider; link it to the
    care plan; reason and urgency; send it now or keep it as a draft."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        check_back_days: int = 7,
    ) -> None:
        super().__init__("New referral", "Save referral", parent)
        self.vault = vault
        self.patient_id = patient_id
        self.check_back_days = check_back_days
        self.created_id: uuid.UUID | None = None
        self.set_intro(
            "Choose a service from the directory, or name another provider. Sending it "
            f"schedules a check-back call {check_back_days} days later."
        )
        self.to_directory = QRadioButton("A service in the directory")
        self.to_provider = QRadioButton("Another provider")
        self.to_directory.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.to_directory)
        group.addButton(self.to_provider)
        to_row = QWidget()
        to_line = QHBoxLayout(to_row)
        to_line.setContentsMargins(0, 0, 0, 0)
        to_line.addWidget(self.to_directory)
        to_line.addWidget(self.to_provider)
        to_line.addStretch(1)
        self.form.addRow("Refer to", to_row)

        self.search = line("Search the directory", "Search: food, pantry, Spanish…")
        self.search.setClearButtonEnabled(True)
        self.category_filter = combo(CATEGORIES, "Category", first=("", "All categories"))
        finder = QWidget()
        finder_line = QHBoxLayout(finder)
        finder_line.setContentsMargins(0, 0, 0, 0)
        finder_line.addWidget(self.search, 2)
        finder_line.addWidget(self.category_filter, 1)
        self.form.addRow("Find", finder)
        self.services = QListWidget()
        self.services.setAccessibleName("Services found")
        self.services.setMinimumHeight(150)
        self.add_field("service_id", "Service", self.services)
        widen(self.services)
        self.provider_name = line("Provider's name", "e.g. Dr Amara Osei, cardiology")
        self.provider_kind = combo(PROVIDER_KINDS, "Kind of provider")
        set_choice(self.provider_kind, "specialist")
        self.add_field("provider_name", "Provider", self.provider_name)
        widen(self.provider_name)
        self.add_field("provider_kind", "Kind", self.provider_kind)
        self.category = combo(CATEGORIES, "Category", first=("", "The service's own category"))
        self.add_field("category", "Category", self.category)
        self.serves = QComboBox()
        self.serves.setAccessibleName("What in the care plan it serves")
        self._fill_plan()
        self.add_field("need_id", "Serves", self.serves)
        self.reason = text_box("Reason for the referral")
        self.add_field("reason", "Reason", self.reason)
        widen(self.reason)
        self.urgency = combo(URGENCIES, "Urgency")
        self.add_field("urgency", "Urgency", self.urgency)
        self.via = combo(
            {code: f"Sent now: {label.lower()}" for code, label in SENT_VIA.items()},
            "How it was sent",
            first=(NOT_YET, "Not sent yet (keep as a draft)"),
        )
        self.add_field("via", "Sending", self.via)

        self.search.textChanged.connect(self.find_services)
        self.category_filter.currentIndexChanged.connect(self.find_services)
        self.to_directory.toggled.connect(self._show_target)
        self.services.currentItemChanged.connect(self._on_service)
        self.serves.currentIndexChanged.connect(self._on_serves)
        self.find_services()
        self._show_target()
        self.setMinimumWidth(680)
        self.search.setFocus()

    def _fill_plan(self) -> None:
        self.serves.addItem("Not linked to the care plan", None)
        plan = care_plans.current_plan(self.vault, self.patient_id)
        if plan is None:
            return
        view = care_plans.load_plan(self.vault, plan.id)
        for need in view.needs:
            self.serves.addItem(f"Need: {need.need.text}", ("need_id", need.need.id, need.need))
            for goal in need.goals:
                self.serves.addItem(
                    f"    Goal: {goal.goal.text}", ("goal_id", goal.goal.id, need.need)
                )
            for item in need.interventions:
                self.serves.addItem(
                    f"    Action: {item.what}", ("intervention_id", item.id, need.need)
                )

    def find_services(self, *_args: object) -> None:
        chosen = self.chosen_service()
        self.services.clear()
        found = directory.search_services(
            self.vault,
            self.search.text(),
            category=self.category_filter.currentData() or None,
            limit=100,
        )
        for view in found:
            text = f"{view.organisation}: {view.name}"
            if view.phone:
                text += f"  ·  {view.phone}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, view.service_id)
            item.setToolTip(", ".join(view.category_labels))
            self.services.addItem(item)
            if view.service_id == chosen:
                self.services.setCurrentItem(item)
        if not found:
            empty = QListWidgetItem(
                "No service matches. Try other words, or refer to another provider."
                if directory.count_services(self.vault)
                else "The directory is empty: refer to another provider, or fill the "
                "directory first (Go > Resource directory)."
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.services.addItem(empty)

    def chosen_service(self) -> uuid.UUID | None:
        item = self.services.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def choose_service(self, service_id: uuid.UUID) -> bool:
        for row in range(self.services.count()):
            item = self.services.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == service_id:
                self.services.setCurrentItem(item)
                return True
        return False

    def _on_serves(self, *_args: object) -> None:
        """Choosing a need narrows the directory to the categories that answer it."""
        link = self.serves.currentData()
        if not isinstance(link, tuple) or self.category_filter.currentData():
            return
        answers = directory.categories_for_domain(link[2].domain)
        if answers:
            set_choice(self.category_filter, answers[0])

    def _on_service(self, *_args: object) -> None:
        show_message(self.errors["service_id"], "")

    def _show_target(self, *_args: object) -> None:
        directory_chosen = self.to_directory.isChecked()
        for widget in (self.search, self.category_filter, self.services):
            widget.setEnabled(directory_chosen)
        for widget in (self.provider_name, self.provider_kind):
            widget.setEnabled(not directory_chosen)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "reason": self.reason.toPlainText().strip(),
            "urgency": self.urgency.currentData(),
        }
        if self.category.currentData():
            values["category"] = self.category.currentData()
        if self.to_directory.isChecked():
            values["service_id"] = self.chosen_service()
        else:
            values["provider_name"] = self.provider_name.text().strip()
            values["provider_kind"] = self.provider_kind.currentData()
        link = self.serves.currentData()
        if isinstance(link, tuple):
            values[link[0]] = link[1]
        return values

    def accept(self) -> None:
        self.clear_errors()
        values = self.values()
        if self.to_directory.isChecked() and values.get("service_id") is None:
            self.show_errors(
                {
                    "service_id": "Choose a service from the list (search above), or choose "
                    "'Another provider'."
                }
            )
            return
        if not self.to_directory.isChecked() and not values.get("provider_name"):
            self.show_errors({"provider_name": "Write the provider's name."})
            return
        via = self.via.currentData()

        def save() -> None:
            if via:
                made = referrals.refer(
                    self.vault,
                    self.patient_id,
                    values,
                    via=via,
                    check_back_days=self.check_back_days,
                )
            else:
                made = referrals.create_referral(self.vault, self.patient_id, values)
            self.created_id = made.id

        if self.save_with(save):
            super().accept()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        moved = {
            ("need_id" if k in ("goal_id", "intervention_id") else k): v for k, v in errors.items()
        }
        if "sent_via" in moved:
            moved["via"] = moved.pop("sent_via")
        super().show_errors(moved)


# -- sending ----------------------------------------------------------------------------------


class SendDialog(FieldDialog):
    """How the referral was sent; sending schedules the check-back call."""

    def __init__(
        self,
        vault: Vault,
        view: ReferralView,
        parent: QWidget | None = None,
        *,
        check_back_days: int = 7,
    ) -> None:
        super().__init__("Send referral", "Mark as sent", parent)
        self.vault = vault
        self.view = view
        self.set_intro(f"Referral to {view.to}.")
        self.via = combo(SENT_VIA, "How it was sent")
        self.add_field("via", "Sent by", self.via)
        self.days = QSpinBox()
        self.days.setAccessibleName("Check back after how many days")
        self.days.setRange(1, 90)
        self.days.setValue(check_back_days)
        self.add_field("check_back_days", "Check back in", self.days, "days")
        self.when = QLabel()
        self.when.setObjectName("fieldHint")
        self.form.addRow("", self.when)
        self.days.valueChanged.connect(self._show_when)
        self._show_when()
        self.via.setFocus()

    def _show_when(self, *_args: object) -> None:
        day = check_back_day(self.days.value())
        self.when.setText(f"A check-back call will be on the list for {day:%a %d %b %Y}.")

    def accept(self) -> None:
        self.clear_errors()

        def save() -> None:
            referrals.send_referral(
                self.vault,
                self.view.referral.id,
                via=self.via.currentData(),
                check_back_days=self.days.value(),
            )

        if self.save_with(save):
            super().accept()


# -- a change of status ------------------------------------------------------------------------


class StatusDialog(FieldDialog):
    """Mark accepted / scheduled / completed / declined / no-show / cancelled, with the
    reason (required for declined, no-show, cancelled) and, when scheduled, the
    appointment."""

    def __init__(
        self, vault: Vault, view: ReferralView, status: str, parent: QWidget | None = None
    ) -> None:
        label = STATUSES.get(status, status)
        super().__init__(f"Referral: {label.lower()}", f"Mark {label.lower()}", parent)
        self.vault = vault
        self.view = view
        self.status = status
        self.set_intro(f"Referral to {view.to}: mark it {label.lower()}.")
        self.appointment_day = line("Appointment date", DATE_HINT, 140)
        self.appointment_time = line("Appointment time", "HH:MM", 90)
        if status == "scheduled":
            self.add_field("appointment_at", "Appointment", self.appointment_day, DATE_HINT)
            self.add_field("appointment_time", "Time", self.appointment_time, "24-hour clock")
        self.reason = text_box("Reason")
        needed = status in REASON_REQUIRED
        self.add_field("reason", "Reason" + (" (required)" if needed else ""), self.reason)
        widen(self.reason)
        if needed:
            self.reason.setPlaceholderText(REASON_PROMPTS[status])
        self.day = line("Date of the change", f"blank: now, or {DATE_HINT}", 200)
        self.add_field("at", "When", self.day)
        first = self.appointment_day if status == "scheduled" else self.reason
        first.setFocus()

    def appointment(self) -> tuple[bool, datetime | None]:
        if self.status != "scheduled":
            return True, None
        text = self.appointment_day.text().strip()
        if not text:
            return True, None
        try:
            day = parse_day(text)
        except ValueError as exc:
            self.show_errors({"appointment_at": str(exc)})
            return False, None
        hour = self.appointment_time.text().strip()
        try:
            at = parse_time(hour) if hour else time(9, 0)
        except ValueError as exc:
            self.show_errors({"appointment_time": str(exc)})
            return False, None
        return True, datetime.combine(day, at).astimezone()

    def when(self) -> tuple[bool, datetime | None]:
        text = self.day.text().strip()
        if not text:
            return True, None
        try:
            day = parse_day(text)
        except ValueError as exc:
            self.show_errors({"at": str(exc)})
            return False, None
        if day == date.today():
            return True, None
        return True, datetime.combine(day, time(12, 0)).astimezone()

    def accept(self) -> None:
        self.clear_errors()
        ok, appointment = self.appointment()
        if not ok:
            return
        ok, at = self.when()
        if not ok:
            return

        def save() -> None:
            referrals.set_status(
                self.vault,
                self.view.referral.id,
                self.status,
                reason=self.reason.toPlainText(),
                at=at,
                appointment_at=appointment,
            )

        if self.save_with(save):
            super().accept()


# -- the check-back call ----------------------------------------------------------------------


class CheckBackDialog(FieldDialog):
    """Record the check-back call: did the patient get the service? any barrier? A barrier
    can go into the care plan as a need (the care manager decides here)."""

    def __init__(self, vault: Vault, view: ReferralView, parent: QWidget | None = None) -> None:
        super().__init__("Referral check-back", "Save check-back", parent)
        self.vault = vault
        self.view = view
        self.result_text = ""
        self.need_added = False
        due = view.check_back.due_at if view.check_back is not None else None
        intro = f"Did the patient get the service from {view.to}?"
        if (
            due is not None
            and view.check_back is not None
            and view.check_back.status == "scheduled"
        ):
            intro += f" (Check-back due {format_datetime(due)}.)"
        self.set_intro(intro)
        self.got_yes = QRadioButton("Yes, they got the service")
        self.got_no = QRadioButton("No, not (yet)")
        group = QButtonGroup(self)
        group.addButton(self.got_yes)
        group.addButton(self.got_no)
        self.not_reached = QRadioButton("Could not reach them: try again later")
        group.addButton(self.not_reached)
        got = QWidget()
        got_line = QVBoxLayout(got)
        got_line.setContentsMargins(0, 0, 0, 0)
        got_line.addWidget(self.got_yes)
        got_line.addWidget(self.got_no)
        got_line.addWidget(self.not_reached)
        self.add_field("got_service", "Got the service?", got)
        self.outcome = combo(
            {code: CONTACT_OUTCOMES[code] for code in ATTEMPT_OUTCOMES}, "What happened"
        )
        self.add_field("outcome", "What happened", self.outcome)
        tomorrow = date.today() + timedelta(days=1)
        self.retry_day = line("Try again on", DATE_HINT, 140)
        self.retry_day.setText(tomorrow.isoformat())
        self.retry_time = line("Try again at", "HH:MM", 90)
        self.retry_time.setText("10:00")
        self.add_field("retry_at", "Try again on", self.retry_day, DATE_HINT)
        self.add_field("retry_time", "At", self.retry_time, "24-hour clock")
        scheduled = view.check_back is not None and view.check_back.status == "scheduled"
        self.not_reached.setEnabled(scheduled)
        self.attempt_fields: tuple[QWidget, ...] = (self.outcome, self.retry_day, self.retry_time)
        self.barrier = combo(BARRIERS, "Barrier", first=("", "No barrier"))
        self.add_field("barrier", "Barrier", self.barrier)
        self.note = text_box("Note")
        self.note.setPlaceholderText("What the patient said, in a few words")
        self.add_field("note", "Note", self.note)
        widen(self.note)
        self.add_need = QCheckBox("Add the barrier to the care plan as a need")
        self.add_need.setAccessibleName("Add the barrier to the care plan as a need")
        self.need_preview = QLabel()
        self.need_preview.setObjectName("fieldHint")
        self.need_preview.setWordWrap(True)
        need_box = QWidget()
        need_line = QVBoxLayout(need_box)
        need_line.setContentsMargins(0, 0, 0, 0)
        need_line.addWidget(self.add_need)
        need_line.addWidget(self.need_preview)
        self.add_field("plan", "Care plan", need_box)
        self.with_whom = combo(CONTACT_WITH, "Spoke with")
        self.add_field("with_whom", "Spoke with", self.with_whom)
        self.minutes = QSpinBox()
        self.minutes.setAccessibleName("Minutes")
        self.minutes.setRange(1, 240)
        self.minutes.setValue(5)
        self.add_field("minutes", "Minutes", self.minutes, "the call is logged as a contact")
        self.has_plan = care_plans.current_plan(vault, view.referral.patient_id) is not None
        self.barrier.currentIndexChanged.connect(self._show_need)
        self.not_reached.toggled.connect(self._show_answer)
        self._show_need()
        self._show_answer()
        self.got_yes.setFocus()

    def _show_answer(self, *_args: object) -> None:
        """An attempt asks when to try again; an answer asks about barriers and the call."""
        attempt = self.not_reached.isChecked()
        answer: tuple[QWidget, ...] = (
            self.barrier,
            self.note,
            self.add_need,
            self.with_whom,
            self.minutes,
        )
        for fields, shown in ((self.attempt_fields, attempt), (answer, not attempt)):
            for field in fields:
                field.setEnabled(shown)
                show_row(self, field, shown)
        if not attempt:
            self._show_need()

    def retry_at(self) -> datetime | None:
        try:
            day = parse_day(self.retry_day.text())
        except ValueError as exc:
            self.show_errors({"retry_at": str(exc)})
            return None
        try:
            at = parse_time(self.retry_time.text())
        except ValueError as exc:
            self.show_errors({"retry_time": str(exc)})
            return None
        return datetime.combine(day, at).astimezone()

    def save_attempt(self) -> bool:
        retry = self.retry_at()
        if retry is None:
            return False

        def save() -> None:
            referrals.check_back_attempt(
                self.vault,
                self.view.referral.id,
                outcome=self.outcome.currentData(),
                retry_at=retry,
            )

        if not self.save_with(save):
            return False
        self.result_text = f"Attempt logged; the check-back is moved to {format_datetime(retry)}."
        return True

    def _show_need(self, *_args: object) -> None:
        code = self.barrier.currentData()
        if not code:
            self.add_need.setEnabled(False)
            self.add_need.setChecked(False)
            self.need_preview.setText("")
            return
        text = BARRIER_NEEDS[code].format(to=self.view.to)
        if self.has_plan:
            self.add_need.setEnabled(True)
            self.add_need.setChecked(True)
            self.need_preview.setText(f"The need: “{text}”")
        else:
            self.add_need.setEnabled(False)
            self.add_need.setChecked(False)
            self.need_preview.setText(
                "This patient has no care plan in use: start one on the Care plan tab to "
                "add this barrier as a need."
            )

    def accept(self) -> None:
        self.clear_errors()
        if not (
            self.got_yes.isChecked() or self.got_no.isChecked() or self.not_reached.isChecked()
        ):
            self.show_errors({"got_service": "Say whether the patient got the service."})
            return
        if self.not_reached.isChecked():
            if self.save_attempt():
                super().accept()
            return
        got = self.got_yes.isChecked()
        barrier = self.barrier.currentData() or ""

        def save() -> None:
            result = referrals.complete_check_back(
                self.vault,
                self.view.referral.id,
                got_service=got,
                barrier=barrier,
                note=self.note.toPlainText(),
                minutes=self.minutes.value(),
                with_whom=self.with_whom.currentData(),
            )
            self.result_text = (
                "Check-back saved: the referral is completed."
                if result.referral.status == "completed"
                else "Check-back saved."
            )

        if not self.save_with(save):
            return
        if barrier and self.add_need.isChecked():
            try:
                referrals.add_barrier_need(self.vault, self.view.referral.id)
            except InvalidInput as exc:  # the check-back is saved; say why the need is not
                self.result_text += f" The need was not added: {' '.join(exc.errors.values())}"
            except CareNavError as exc:
                self.result_text += f" The need was not added: {exc}"
            else:
                self.need_added = True
                self.result_text += " The barrier is now a need in the care plan."
        super().accept()


# -- authorisations ---------------------------------------------------------------------------


AUTH_LINES = (
    ("service", "Service", "", 0),
    ("payer", "Payer", "e.g. Medicare Advantage plan", 0),
    ("number", "Authorisation number", "", 240),
    ("requested_on", "Requested on", DATE_HINT, 140),
    ("approved_on", "Approved on", DATE_HINT, 140),
    ("denied_on", "Denied on", DATE_HINT, 140),
    ("units", "Units", "e.g. 12", 90),
    ("unit_label", "Unit", "e.g. visits", 160),
    ("starts_on", "Starts on", DATE_HINT, 140),
    ("expires_on", "Expires on", DATE_HINT, 140),
)


class AuthorisationDialog(FieldDialog):
    """Record or change an insurance authorisation; a denial records the alternative."""

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        authorisation: Authorization | None = None,
    ) -> None:
        title = "Change authorisation" if authorisation is not None else "New authorisation"
        super().__init__(title, "Save authorisation", parent)
        self.vault = vault
        self.patient_id = patient_id
        self.authorisation = authorisation
        self.saved_id: uuid.UUID | None = None
        self.advocacy_added = False
        self.status = combo(AUTHORISATION_STATUSES, "Status")
        self.lines: dict[str, QLineEdit] = {}
        for name, label, hint, width in AUTH_LINES[:3]:
            self.lines[name] = line(label, hint, width)
            self.add_field(name, label, self.lines[name])
            if not width:
                widen(self.lines[name])
        self.add_field("status", "Status", self.status)
        for name, label, hint, width in AUTH_LINES[3:]:
            self.lines[name] = line(label, hint, width)
            self.add_field(name, label, self.lines[name])
        self.denial_reason = text_box("Reason for denial", 48)
        self.add_field("denial_reason", "Reason for denial", self.denial_reason)
        widen(self.denial_reason)
        self.alternative = text_box("Alternative proposed", 48)
        self.alternative.setPlaceholderText("Another service, an appeal filed, or 'none yet'")
        self.add_field("alternative", "Alternative proposed", self.alternative)
        widen(self.alternative)
        self.notes = text_box("Notes", 48)
        self.add_field("notes", "Notes", self.notes)
        widen(self.notes)
        self.result_text = "Authorisation saved."
        self.has_plan = care_plans.current_plan(vault, patient_id) is not None
        self.advocacy = QCheckBox("Record the denial in the care plan, for an appeal")
        self.advocacy.setAccessibleName("Record the denial in the care plan")
        self.appeal_steps = line("Appeal steps", "e.g. Appeal letter with the doctor's note")
        self.appeal_deadline = line("Appeal deadline", DATE_HINT, 140)
        self.add_field("advocacy", "Care plan", self.advocacy)
        self.add_field("appeal_steps", "Appeal steps", self.appeal_steps)
        widen(self.appeal_steps)
        self.add_field("appeal_deadline", "Appeal by", self.appeal_deadline)
        self.status.currentIndexChanged.connect(self._show_advocacy)
        if authorisation is not None:
            self._fill(authorisation)
        else:
            self.lines["requested_on"].setText(date.today().isoformat())
        self._show_advocacy()
        self.lines["service"].setFocus()

    def _show_advocacy(self, *_args: object) -> None:
        """Only the fields of the status chosen: approval dates, or the denial and appeal."""
        denied = self.status.currentData() == "denied"
        approved = self.status.currentData() == "approved"
        for name in ("approved_on", "starts_on", "expires_on"):
            show_row(self, self.lines[name], approved)
        show_row(self, self.lines["denied_on"], denied)
        denial: tuple[QWidget, ...] = (
            self.denial_reason,
            self.alternative,
            self.advocacy,
            self.appeal_steps,
            self.appeal_deadline,
        )
        for field in denial:
            show_row(self, field, denied)
        self.advocacy.setEnabled(denied and self.has_plan)
        if not self.advocacy.isEnabled():
            self.advocacy.setChecked(False)
        self.advocacy.setToolTip(
            ""
            if self.has_plan
            else "This patient has no care plan in use: start one to record the denial there."
        )
        for widget in (self.appeal_steps, self.appeal_deadline):
            widget.setEnabled(denied and self.has_plan)

    def _fill(self, auth: Authorization) -> None:
        values: dict[str, Any] = {
            "service": auth.service,
            "payer": auth.payer,
            "number": auth.number,
            "requested_on": auth.requested_on,
            "approved_on": auth.approved_on,
            "denied_on": auth.denied_on,
            "units": auth.units,
            "unit_label": auth.unit_label,
            "starts_on": auth.starts_on,
            "expires_on": auth.expires_on,
        }
        for name, value in values.items():
            text = (
                value.isoformat()
                if isinstance(value, date)
                else ""
                if value is None
                else str(value)
            )
            self.lines[name].setText(text)
        set_choice(self.status, auth.status)
        self.denial_reason.setPlainText(auth.denial_reason)
        self.alternative.setPlainText(auth.alternative)
        self.notes.setPlainText(auth.notes)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: edit.text().strip() for name, edit in self.lines.items()}
        for name in ("requested_on", "approved_on", "denied_on", "starts_on", "expires_on"):
            if not values[name]:
                values[name] = None
        values["status"] = self.status.currentData()
        values["denial_reason"] = self.denial_reason.toPlainText().strip()
        values["alternative"] = self.alternative.toPlainText().strip()
        values["notes"] = self.notes.toPlainText().strip()
        return values

    def accept(self) -> None:
        self.clear_errors()
        values = self.values()

        def save() -> None:
            if self.authorisation is None:
                made = referrals.add_authorisation(self.vault, self.patient_id, values)
            else:
                made = referrals.update_authorisation(self.vault, self.authorisation.id, values)
            self.saved_id = made.id

        deadline: date | None = None
        if self.advocacy.isChecked() and self.appeal_deadline.text().strip():
            try:
                deadline = parse_day(self.appeal_deadline.text())
            except ValueError as exc:
                self.show_errors({"appeal_deadline": str(exc)})
                return
        if not self.save_with(save):
            return
        if self.advocacy.isChecked() and self.saved_id is not None:
            try:
                referrals.advocacy_from_denial(
                    self.vault,
                    self.saved_id,
                    appeal_steps=self.appeal_steps.text().strip(),
                    appeal_deadline=deadline,
                )
            except InvalidInput as exc:
                self.result_text += (
                    f" Not recorded in the care plan: {' '.join(exc.errors.values())}"
                )
            except CareNavError as exc:
                self.result_text += f" Not recorded in the care plan: {exc}"
            else:
                self.result_text += " The denial is recorded in the care plan for the appeal."
                self.advocacy_added = True
        super().accept()
