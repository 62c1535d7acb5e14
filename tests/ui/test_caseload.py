"""The caseload table model and page against a real vault."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from carenav.services.patients import CaseloadQuery, create_patient
from carenav.store.vault import Vault
from carenav.ui.item_models.caseload import CaseloadModel
from carenav.ui.pages.caseload import CaseloadPage

PEOPLE: list[dict[str, Any]] = [
    {
        "family_name": "Abernathy",
        "given_name": "Ruth",
        "birth_date": "1938-01-02",
        "phone_mobile": "(555) 010-1111",
        "programs": ["ccm"],
        "risk_tier": "very_high",
        "member_id": "MCD-778812",
    },
    {
        "family_name": "Nguyễn",
        "given_name": "Lan",
        "birth_date": "1950-06-07",
        "phone_home": "555-010-2222",
        "programs": ["ccm_complex", "tcm"],
        "risk_tier": "high",
        "preferred_language": "Vietnamese",
        "interpreter_needed": True,
    },
    {
        "family_name": "Diaz",
        "given_name": "Rosa",
        "birth_date": "1962-03-04",
        "programs": ["bhi"],
        "risk_tier": "low",
        "status": "discharged",
    },
    {
        "family_name": "Baker",
        "given_name": "Tom",
        "birth_date": "1945-09-10",
        "programs": ["ccm"],
        "risk_tier": "moderate",
        "status": "on_hold",
    },
]


@pytest.fixture
def filled(vault: Vault) -> Vault:
    for person in PEOPLE:
        create_patient(vault, person)
    return vault


def names(model: CaseloadModel) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester_and_builds_rows_lazily(qtbot: Any, filled: Vault) -> None:
    model = CaseloadModel(filled)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_query(CaseloadQuery(statuses=()))
    assert model.rowCount() == 4
    assert model.columnCount() == 8
    assert model._rows == {}  # nothing fetched before anything is painted
    assert names(model) == ["Abernathy, Ruth", "Baker, Tom", "Diaz, Rosa", "Nguyễn, Lan"]
    assert model.data(model.index(0, 1)).startswith("2 Jan 1938")
    assert model.data(model.index(3, 7)) == "Vietnamese (interpreter)"
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) is not None


def test_model_sorts_by_risk_and_clears(qtbot: Any, filled: Vault) -> None:
    model = CaseloadModel(filled)
    model.set_query(CaseloadQuery())
    model.sort(4, Qt.SortOrder.DescendingOrder)
    assert names(model)[:2] == ["Abernathy, Ruth", "Nguyễn, Lan"]
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert names(model)[0] == "Abernathy, Ruth"
    model.clear()
    assert model.rowCount() == 0
    assert model._rows == {}


def test_search_as_you_type_and_filters(qtbot: Any, filled: Vault) -> None:
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_vault(filled)
    # Default view: active and on-hold patients only.
    assert page.model.rowCount() == 3
    assert "of 4 patients" in page.count_label.text()
    qtbot.keyClicks(page.search, "nguyen")  # accents ignored
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert names(page.model) == ["Nguyễn, Lan"]
    page.search.clear()
    qtbot.keyClicks(page.search, "2222")  # phone digits
    qtbot.waitUntil(lambda: names(page.model) == ["Nguyễn, Lan"], timeout=2000)
    page.search.clear()
    qtbot.keyClicks(page.search, "778812")  # member id
    qtbot.waitUntil(lambda: names(page.model) == ["Abernathy, Ruth"], timeout=2000)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=2000)
    page.program_filter.setCurrentIndex(page.program_filter.findText("Chronic care management"))
    assert names(page.model) == ["Abernathy, Ruth", "Baker, Tom"]  # not complex CCM
    page.risk_filter.setCurrentIndex(page.risk_filter.findText("High and very high"))
    assert names(page.model) == ["Abernathy, Ruth"]
    page.program_filter.setCurrentIndex(0)
    page.risk_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findText("Discharged"))
    assert names(page.model) == ["Diaz, Rosa"]
    page.search.setText("zzzz-nobody")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2000)
    assert "No patient matches" in page.empty_hint.text()


def test_enter_opens_the_selected_patient(qtbot: Any, filled: Vault) -> None:
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_vault(filled)
    qtbot.keyClicks(page.search, "baker")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    with qtbot.waitSignal(page.open_patient, timeout=2000) as blocker:
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert blocker.args[0] == page.model.id_at(0)


def test_clear_forgets_everything(qtbot: Any, filled: Vault) -> None:
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_vault(filled)
    page.search.setText("Aber")
    page.set_vault(None)
    assert page.model.rowCount() == 0
    assert page.search.text() == ""
    assert page.count_label.text() == ""
