"""The chart's Referrals tab on a real vault: find a food bank by category, refer, mark
accepted, complete the check-back (a barrier becomes a care-plan need), a status change
refused without its reason, the referral slip saved and read back, authorisations, the
check-back opened from Today, and the vault locking with a referral dialog open."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QWidget
from sqlmodel import select

from carenav.models import Contact, FollowUp
from carenav.services import care_plans, directory, referrals
from carenav.services.audit import AuditFilter, events
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.chart import ChartPage
from carenav.ui.pages.chart.chart_page import FOLLOW_UP_TAB, REFERRALS_TAB
from carenav.ui.pages.coordination.referral_dialogs import (
    AuthorisationDialog,
    CheckBackDialog,
    NewReferralDialog,
    SendDialog,
    StatusDialog,
)
from carenav.ui.pages.coordination.referrals_tab import ReferralsPanel
from carenav.ui.pages.coordination.slip_print import slip_printer
from carenav.ui.pages.printing.common import forget_warning

PASSPHRASE = "correct horse battery staple"
DIRECTORY_CSV = (
    "organisation,organisation_phone,address,city,state,postal_code,service,categories,"
    "hours,languages,what_to_bring,last_verified\n"
    "Hope Street Food Bank (made up),555-0142,12 Hope St,Springfield,IL,62701,Food pantry,"
    "food,Tue and Thu 9-12,English; Spanish,Photo ID and a piece of mail,2026-10-01\n"
    "Maple Table Meals (made up),555-0150,4 Maple Ave,Springfield,IL,62702,Meals on wheels,"
    "home-delivered-meals,Mon-Fri,English,,2026-09-01\n"
    "Riverbend Rides (made up),555-0160,9 River Rd,Springfield,IL,62703,Door-to-door rides,"
    "transportation,Mon-Sat,English,,2026-08-01\n"
)


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    values = {"family_name": "Okafor", "given_name": "Grace", "birth_date": "1944-05-06"}
    return create_patient(vault, values)


@pytest.fixture
def need(vault: Vault, patient: uuid.UUID) -> uuid.UUID:
    plan = care_plans.start_plan(vault, patient)
    return care_plans.add_need(
        vault, plan.id, {"text": "Runs out of food before the month ends", "domain": "food"}
    ).id


@pytest.fixture
def filled(vault: Vault) -> None:
    directory.import_csv_text(vault, DIRECTORY_CSV)


@pytest.fixture
def chart(qtbot: Any, vault: Vault, patient: uuid.UUID, filled: None) -> ChartPage:
    page = ChartPage()
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.show_patient(vault, patient)
    return page


def when_modal(kind: type[QWidget], act: Callable[[Any], None]) -> list[QWidget]:
    """Run ``act`` on the next modal window of ``kind`` once it is shown (it is exec'd)."""
    seen: list[QWidget] = []
    tries = [0]

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            seen.append(widget)
            try:
                act(widget)
            except BaseException:
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()  # never leave a test waiting on a dialog
                raise
            return
        tries[0] += 1
        if tries[0] < 300:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def click(box: QMessageBox, text: str) -> None:
    for button in box.findChildren(QPushButton):
        if button.text().replace("&", "") == text:
            button.click()
            return
    raise AssertionError(f"no {text!r} button")


def cells(table: Any, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_find_a_food_bank_by_category_refer_accept_and_check_back(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID, need: uuid.UUID
) -> None:
    chart.show_patient(vault, patient)  # again: the plan's need is in the dialog's list
    chart.tabs.setCurrentIndex(0)
    chart.activateWindow()
    qtbot.keyClick(chart.tabs, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert chart.tabs.currentIndex() == REFERRALS_TAB
    assert chart.tabs.tabText(REFERRALS_TAB) == "Referrals"
    panel = chart.referrals
    assert panel.table.rowCount() == 0 and panel.empty.isVisible()

    def refer(dialog: NewReferralDialog) -> None:
        assert dialog.windowTitle() == "New referral"  # never the patient
        dialog.category_filter.setCurrentIndex(dialog.category_filter.findData("food"))
        assert dialog.services.count() == 1  # the food bank only (meals are another category)
        qtbot.keyClicks(dialog.search, "pantry")
        assert dialog.services.item(0).text().startswith("Hope Street Food Bank (made up): Food")
        dialog.services.setCurrentRow(0)
        dialog.serves.setCurrentIndex(1)  # the plan's need
        assert "Runs out of food" in dialog.serves.currentText()
        qtbot.keyClicks(dialog.reason, "Food runs out in the last week of the month")
        dialog.urgency.setCurrentIndex(dialog.urgency.findData("urgent"))
        dialog.via.setCurrentIndex(dialog.via.findData("phone"))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    seen = when_modal(NewReferralDialog, refer)
    assert panel.new_referral() is not None and seen
    views = referrals.referrals_for(vault, patient)
    assert len(views) == 1
    view = views[0]
    assert view.referral.status == "sent" and view.referral.sent_via == "phone"
    assert view.referral.need_id == need and view.referral.urgency == "urgent"
    assert view.check_back is not None and view.check_back.status == "scheduled"
    due = view.check_back.due_at.astimezone().date()
    assert due == date.today() + timedelta(days=7)
    row = cells(panel.table, 0)
    assert row[0] == "Hope Street Food Bank (made up): Food pantry"
    assert row[1] == "Food" and row[2] == "Sent · today" and row[3].startswith("Due ")
    assert "check-back call is on the list" in panel.message.text()

    def accept(dialog: StatusDialog) -> None:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(StatusDialog, accept)
    assert panel.mark("accepted")
    assert referrals.get_referral(vault, view.referral.id).referral.status == "accepted"
    assert panel.history.rowCount() == 3  # newest first
    assert [panel.history.item(r, 1).text() for r in range(3)] == ["Accepted", "Sent", "Draft"]

    def check_back(dialog: CheckBackDialog) -> None:
        assert dialog.add_need.isEnabled() is False  # no barrier chosen yet
        dialog.got_no.setChecked(True)
        dialog.barrier.setCurrentIndex(dialog.barrier.findData("transport"))
        assert dialog.add_need.isEnabled() and dialog.add_need.isChecked()
        assert "No transportation to reach Hope Street" in dialog.need_preview.text()
        qtbot.keyClicks(dialog.note, "The bus no longer stops there")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    plan_changes: list[bool] = []
    panel.plan_changed.connect(lambda: plan_changes.append(True))
    when_modal(CheckBackDialog, check_back)
    assert panel.record_check_back()
    done = referrals.get_referral(vault, view.referral.id)
    assert done.referral.got_service is False and done.referral.barrier == "transport"
    assert done.check_back is not None and done.check_back.status == "completed"
    assert done.referral.status == "accepted"  # still open: the care manager decides next
    plan = care_plans.current_plan(vault, patient)
    assert plan is not None
    texts = [n.need.text for n in care_plans.load_plan(vault, plan.id).needs]
    assert "No transportation to reach Hope Street Food Bank (made up): Food pantry" in texts
    assert plan_changes == [True]
    assert "barrier is now a need" in panel.message.text()
    with vault.session() as session:
        call = session.get(Contact, done.check_back.contact_id)
        assert call is not None and call.outcome == "reached" and call.minutes == 5
    assert cells(panel.table, 0)[3].startswith("Not received, ")

    def got_it(dialog: CheckBackDialog) -> None:
        dialog.got_yes.setChecked(True)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(CheckBackDialog, got_it)
    assert panel.record_check_back()
    assert referrals.get_referral(vault, view.referral.id).referral.status == "completed"
    assert panel.table.item(0, 2).text().startswith("Completed")
    assert not panel.mark_button.isEnabled()  # closed: nothing more to mark


def test_a_status_change_without_its_reason_is_refused_beside_the_field(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="fax")
    chart.referrals.refresh()
    panel = chart.referrals
    assert panel.selected_id() == made.id
    labels = [a.text() for a in panel.mark_menu.actions()]
    assert labels == ["Accepted…", "Scheduled…", "Completed…", "Declined…", "Cancelled…"]
    assert not panel.send_button.isEnabled()  # already sent
    refused: list[str] = []

    def decline(dialog: StatusDialog) -> None:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        refused.append(dialog.errors["reason"].text())
        assert dialog.isVisible()  # not closed: the reason is still needed
        assert dialog.focusWidget() is dialog.reason
        qtbot.keyClicks(dialog.reason, "Over the income limit")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(StatusDialog, decline)
    assert panel.mark("declined")
    assert refused == [referrals.REASON_PROMPTS["declined"]]
    view = referrals.get_referral(vault, made.id)
    assert (view.referral.status, view.referral.status_reason) == (
        "declined",
        "Over the income limit",
    )
    assert view.check_back is not None and view.check_back.status == "cancelled"
    assert panel.history.item(0, 2).text() == "Over the income limit"
    assert not panel.slip_button.isEnabled()  # a declined referral has no slip

    def cancel(dialog: StatusDialog) -> None:
        dialog.reject()

    second = referrals.refer(vault, patient, {"service_id": service}, via="fax")
    panel.refresh(second.id)

    def schedule(dialog: StatusDialog) -> None:
        qtbot.keyClicks(dialog.appointment_day, "2026-02-30")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "does not exist" in dialog.errors["appointment_at"].text()
        dialog.appointment_day.setText((date.today() + timedelta(days=3)).isoformat())
        dialog.appointment_time.setText("14:30")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(StatusDialog, schedule)
    assert panel.mark("scheduled")
    appointment = referrals.get_referral(vault, second.id).referral.appointment_at
    assert appointment is not None and appointment.astimezone().strftime("%H:%M") == "14:30"
    assert "14:30" in panel.table.item(0, 2).text()
    when_modal(StatusDialog, cancel)
    assert not panel.mark("no-show")
    assert referrals.get_referral(vault, second.id).referral.status == "scheduled"


def test_a_draft_is_sent_later_and_a_free_text_provider_needs_a_name(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID
) -> None:
    panel = chart.referrals

    def provider(dialog: NewReferralDialog) -> None:
        dialog.to_provider.setChecked(True)
        assert not dialog.services.isEnabled() and dialog.provider_name.isEnabled()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.errors["provider_name"].text() == "Write the provider's name."
        qtbot.keyClicks(dialog.provider_name, "Dr Amara Osei, cardiology (made up)")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(NewReferralDialog, provider)
    assert panel.new_referral() is not None
    view = referrals.referrals_for(vault, patient)[0]
    assert view.referral.status == "draft" and view.check_back is None
    assert view.to == "Dr Amara Osei, cardiology (made up)"
    assert panel.send_button.isEnabled() and panel.message.text() == "Referral saved as a draft."

    def send(dialog: SendDialog) -> None:
        dialog.via.setCurrentIndex(dialog.via.findData("fax"))
        dialog.days.setValue(10)
        assert "check-back call will be on the list" in dialog.when.text()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(SendDialog, send)
    assert panel.send()
    sent = referrals.get_referral(vault, view.referral.id)
    assert sent.referral.status == "sent" and sent.referral.sent_via == "fax"
    assert sent.check_back is not None
    assert sent.check_back.due_at.astimezone().date() == date.today() + timedelta(days=10)


def test_the_referral_slip_is_saved_after_the_warning_and_reads_back(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID, tmp_path: Path
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="paper-slip")
    chart.referrals.refresh()
    forget_warning(vault)
    target = tmp_path / "slips" / "slip.pdf"
    target.parent.mkdir()
    when_modal(QMessageBox, lambda box: click(box, "Cancel"))
    assert chart.referrals.save_slip(target) is None and not target.exists()
    warned: list[str] = []

    def agree(box: QMessageBox) -> None:
        warned.append(box.text())
        click(box, "Save the PDF")

    when_modal(QMessageBox, agree)
    written = chart.referrals.save_slip(target)
    assert written == target and warned and "outside your encrypted vault" in warned[0]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(target.read_bytes())).pages
    )
    assert "Hope Street Food Bank" in text and "12 Hope St" in text
    assert made.reference_code in text and "Photo ID" in text
    assert "Okafor" not in text and "Grace" not in text  # no patient on the slip
    prints = events(vault, AuditFilter(action="print"))
    assert [e.detail for e in prints][-1] == "referral slip"
    again = tmp_path / "slips" / "again.pdf"
    assert chart.referrals.save_slip(again) == again  # warned once per unlock
    assert "slip saved" in chart.referrals.message.text()


def test_authorisations_show_denials_in_red_and_expiring_in_amber(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID
) -> None:
    today = date.today()
    referrals.add_authorisation(
        vault,
        patient,
        {
            "service": "Home physical therapy",
            "payer": "Harbor Health Plan (made up)",
            "number": "PA-1234",
            "status": "approved",
            "approved_on": today - timedelta(days=20),
            "units": 12,
            "unit_label": "visits",
            "starts_on": today - timedelta(days=20),
            "expires_on": today + timedelta(days=5),
        },
    )
    panel = chart.referrals
    panel.refresh()
    row = cells(panel.auth_table, 0)
    assert row[0] == "Home physical therapy" and row[6] == "12 visits"
    assert row[8] == "Expires in 5 days"
    assert panel.auth_table.item(0, 8).background().color().name() == "#fff4d6"

    def deny(dialog: AuthorisationDialog) -> None:
        qtbot.keyClicks(dialog.lines["service"], "Power wheelchair")
        assert not dialog.alternative.isVisible()  # only a denial asks for the alternative
        dialog.status.setCurrentIndex(dialog.status.findData("denied"))
        assert dialog.alternative.isVisible() and not dialog.lines["expires_on"].isVisible()
        dialog.lines["denied_on"].setText(today.isoformat())
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "alternative proposed" in dialog.errors["alternative"].text()
        assert dialog.isVisible()
        qtbot.keyClicks(dialog.alternative, "Appeal filed; loaner from the county")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(AuthorisationDialog, deny)
    assert panel.edit_authorisation(new=True)
    rows = {cells(panel.auth_table, r)[0]: r for r in range(panel.auth_table.rowCount())}
    denied = rows["Power wheelchair"]
    assert panel.auth_table.item(denied, 8).text() == (
        "Denied. Alternative: Appeal filed; loaner from the county"
    )
    assert panel.auth_table.item(denied, 3).foreground().color().name() == "#8a1c12"
    assert panel.auth_summary.text() == "2 need attention"


def test_the_today_check_back_opens_the_check_back_dialog_and_lock_closes_it(
    qtbot: Any, vault_path: Path, vault: Vault, patient: uuid.UUID, filled: None
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="phone")
    assert made.check_back_id is not None
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    shown: list[str] = []

    def lock_now(dialog: CheckBackDialog) -> None:
        shown.append(dialog.windowTitle())
        qtbot.keyClicks(dialog.note, "typed before the lock")
        window.lock("idle")

    when_modal(CheckBackDialog, lock_now)
    window.open_work_item(patient, "follow-up", made.check_back_id)
    assert shown == ["Referral check-back"]
    assert window.vault is None
    assert not [d for d in window.findChildren(QDialog) if d.isVisible()]
    panel = window.chart_page.findChild(ReferralsPanel)
    assert panel is not None and panel.table.rowCount() == 0 and panel.vault is None
    assert window.windowTitle() == "CareNav"
    assert window.stack.currentWidget() is window.unlock_page
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    assert window.vault is not None
    with window.vault.session() as session:
        follow_up = session.get(FollowUp, made.check_back_id)
        assert follow_up is not None and follow_up.status == "scheduled"  # nothing saved


def test_a_check_back_that_reaches_no_one_moves_to_another_day(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="phone")
    chart.referrals.refresh()
    retry = date.today() + timedelta(days=2)

    def voicemail(dialog: CheckBackDialog) -> None:
        assert not dialog.retry_day.isVisible()  # asked only when nobody was reached
        dialog.not_reached.setChecked(True)
        assert dialog.retry_day.isVisible() and not dialog.barrier.isVisible()
        dialog.outcome.setCurrentIndex(dialog.outcome.findData("voicemail"))
        dialog.retry_day.setText("tomorrow")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "YYYY-MM-DD" in dialog.errors["retry_at"].text() and dialog.isVisible()
        dialog.retry_day.setText(retry.isoformat())
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(CheckBackDialog, voicemail)
    assert chart.referrals.record_check_back()
    view = referrals.get_referral(vault, made.id)
    assert view.check_back is not None and view.check_back.status == "scheduled"
    assert view.check_back.due_at.astimezone().date() == retry
    assert view.referral.checked_back_at is None  # no answer recorded
    with vault.session() as session:
        calls = session.exec(select(Contact).where(Contact.patient_id == patient)).all()
        assert [(c.outcome, c.minutes) for c in calls] == [("voicemail", 2)]
    assert "moved to" in chart.referrals.message.text()


def test_a_denial_is_recorded_in_the_care_plan_for_an_appeal(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID, need: uuid.UUID
) -> None:
    chart.show_patient(vault, patient)  # the plan exists now
    today = date.today()

    def deny(dialog: AuthorisationDialog) -> None:
        assert not dialog.advocacy.isEnabled()  # requested: nothing to appeal
        qtbot.keyClicks(dialog.lines["service"], "Power wheelchair")
        qtbot.keyClicks(dialog.lines["payer"], "Harbor Health Plan (made up)")
        dialog.status.setCurrentIndex(dialog.status.findData("denied"))
        assert dialog.advocacy.isEnabled()
        dialog.lines["denied_on"].setText(today.isoformat())
        qtbot.keyClicks(dialog.alternative, "Manual chair offered")
        dialog.advocacy.setChecked(True)
        qtbot.keyClicks(dialog.appeal_steps, "Letter from the doctor")
        dialog.appeal_deadline.setText((today + timedelta(days=30)).isoformat())
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_modal(AuthorisationDialog, deny)
    assert chart.referrals.edit_authorisation(new=True)
    plan = care_plans.current_plan(vault, patient)
    assert plan is not None
    advocacy = care_plans.load_plan(vault, plan.id).advocacy
    assert [(a.service, a.alternative, a.appeal_steps) for a in advocacy] == [
        ("Power wheelchair", "Manual chair offered", "Letter from the doctor")
    ]
    assert "recorded in the care plan" in chart.referrals.message.text()


def test_the_referral_slip_prints_one_page_and_is_audited(
    qtbot: Any, vault: Vault, chart: ChartPage, patient: uuid.UUID, tmp_path: Path
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="paper-slip")
    chart.referrals.refresh()
    printer = slip_printer()
    assert printer.docName() == "Referral slip"  # the print queue never names the patient
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert chart.referrals.print_slip(printer) == 1
    assert len(PdfReader(io.BytesIO(printed.read_bytes())).pages) == 1
    prints = events(vault, AuditFilter(action="print"))
    assert [(e.detail, e.record_id) for e in prints][-1] == (
        "referral slip printed from the app",
        made.id.hex,
    )
    assert "sent to the printer" in chart.referrals.message.text()


def test_log_as_done_on_a_check_back_opens_the_check_back_not_the_quick_log(
    qtbot: Any, vault_path: Path, vault: Vault, patient: uuid.UUID, filled: None
) -> None:
    service = directory.search_services(vault, "food bank")[0].service_id
    made = referrals.refer(vault, patient, {"service_id": service}, via="phone")
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    window.open_patient(patient)
    window.chart_page.show_section(FOLLOW_UP_TAB)  # where "Log as done…" is

    def answer(dialog: CheckBackDialog) -> None:
        dialog.got_yes.setChecked(True)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    seen = when_modal(CheckBackDialog, answer)
    window.chart_page.follow_up.log_requested.emit(made.check_back_id)
    assert seen and window.quick_log_dialog is None
    assert window.chart_page.tabs.currentIndex() == REFERRALS_TAB
    assert window.vault is not None
    assert referrals.get_referral(window.vault, made.id).referral.status == "completed"
