"""Go > Open referrals on a real vault: every open referral of the caseload by age and
status, sorting on values, the status filter, the overdue check-back in amber, Enter
opening the patient's Referrals tab on that referral, and lock clearing the page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from carenav.services import referrals
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.item_models.referrals import AGE, CHECK_BACK, PATIENT, STATUS
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.chart.chart_page import REFERRALS_TAB
from carenav.ui.pages.coordination.open_referrals import OpenReferralsPage

PASSPHRASE = "correct horse battery staple"


def ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.fixture
def made(vault: Vault) -> dict[str, uuid.UUID]:
    def patient(family: str, given: str) -> uuid.UUID:
        values = {"family_name": family, "given_name": given, "birth_date": "1941-02-03"}
        return create_patient(vault, values)

    ruth = patient("Abernathy", "Ruth")
    lan = patient("Nguyen", "Lan")
    old = referrals.refer(
        vault, ruth, {"provider_name": "Cardiology (made up)"}, via="fax", at=ago(20)
    )
    referrals.set_status(vault, old.id, "accepted", at=ago(12))
    recent = referrals.refer(
        vault, lan, {"provider_name": "Home PT (made up)"}, via="phone", at=ago(3)
    )
    draft = referrals.create_referral(vault, lan, {"provider_name": "Podiatry (made up)"})
    closed = referrals.refer(vault, ruth, {"provider_name": "Dentist (made up)"}, via="fax")
    referrals.set_status(vault, closed.id, "cancelled", reason="Moved away")
    return {"ruth": ruth, "lan": lan, "old": old.id, "recent": recent.id, "draft": draft.id}


@pytest.fixture
def page(qtbot: Any, vault: Vault, made: dict[str, uuid.UUID]) -> OpenReferralsPage:
    widget = OpenReferralsPage()
    qtbot.addWidget(widget)
    QAbstractItemModelTester(widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    widget.resize(1300, 700)
    widget.show()
    widget.show_for(vault)
    return widget


def column(page: OpenReferralsPage, number: int) -> list[str]:
    model = page.model
    return [model.data(model.index(r, number)) for r in range(model.rowCount())]


def test_open_referrals_are_listed_oldest_first_with_their_age(page: OpenReferralsPage) -> None:
    assert column(page, PATIENT) == ["Abernathy, Ruth", "Nguyen, Lan", "Nguyen, Lan"]
    assert column(page, AGE) == ["20", "3", "0"]
    assert column(page, STATUS) == ["Accepted", "Sent", "Draft"]  # the cancelled one is not open
    checks = column(page, CHECK_BACK)
    assert checks[0].startswith("Overdue · ") and checks[2] == "—"
    overdue = page.model.index(0, CHECK_BACK)
    assert page.model.data(overdue, Qt.ItemDataRole.BackgroundRole).name() == "#fff4d6"
    assert page.summary.text() == "3 open referrals   ·   1 check-back overdue"


def test_sorting_and_the_status_filter(page: OpenReferralsPage) -> None:
    page.table.sortByColumn(AGE, Qt.SortOrder.AscendingOrder)
    assert column(page, AGE) == ["0", "3", "20"]
    page.table.sortByColumn(PATIENT, Qt.SortOrder.DescendingOrder)
    assert column(page, PATIENT)[0] == "Nguyen, Lan"
    page.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    assert column(page, STATUS) == ["Draft", "Sent", "Accepted"]
    page.status.setCurrentIndex(page.status.findData("sent"))
    assert column(page, STATUS) == ["Sent"]
    page.status.setCurrentIndex(page.status.findData("no-show"))
    assert page.model.rowCount() == 0 and page.empty.isVisible()
    assert page.empty.text() == "No open referral in this status."


def test_enter_opens_the_patients_referrals_tab_and_lock_clears_the_page(
    qtbot: Any, vault_path: Path, vault: Vault, made: dict[str, uuid.UUID]
) -> None:
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    action = window.coordination.open_referrals_action
    assert action.shortcut().toString() == "Ctrl+Shift+O" and action.isEnabled()
    action.trigger()
    page = window.coordination.open_referrals_page
    assert window.stack.currentWidget() is page and page.model.rowCount() == 3
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)  # the second row: Lan's referral sent 3 days ago
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.chart_page
    assert window.chart_page.tabs.currentIndex() == REFERRALS_TAB
    assert window.chart_page.patient is not None and window.chart_page.patient.id == made["lan"]
    assert window.chart_page.referrals.selected_id() == made["recent"]
    assert window.windowTitle() == "CareNav"
    action.trigger()
    assert window.stack.currentWidget() is page
    window.lock("manual")
    assert page.vault is None and page.model.rowCount() == 0 and page.summary.text() == ""
    assert window.chart_page.referrals.table.rowCount() == 0
    assert not action.isEnabled()
