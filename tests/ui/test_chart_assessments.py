"""The chart and assessments: the safety alert in the banner, and unfinished forms kept
off the chart's own draft banner (they are offered on the Assessments tab)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from carenav.instruments import get_instrument
from carenav.models import Condition
from carenav.models.codes import RISK_TIERS
from carenav.services import assessments
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient, get_patient
from carenav.services.risk import suggested_risk_tier
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.assessment.form_dialog import open_assessment_dialogs
from carenav.ui.pages.assessment.risk_tier import RiskTierDialog
from carenav.ui.pages.chart import ChartPage
from carenav.ui.pages.chart.chart_page import ASSESSMENTS_TAB

PHQ9 = get_instrument("phq9")
PASSPHRASE = "correct horse battery staple"
MARKER = "Qzv-assessment-lock-3307"


def _patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": "Quispe", "given_name": "Rosa", "birth_date": date(1949, 8, 9)}
    )


def _phq9(q9: str) -> dict[str, str]:
    return {**{f"q{n}": "1" for n in range(1, 9)}, "q9": q9}


def _chart(qtbot: Any, vault: Vault, patient: uuid.UUID) -> ChartPage:
    page = ChartPage()
    qtbot.addWidget(page)
    page.show()
    page.show_patient(vault, patient)
    return page


def test_an_urgent_flag_shows_in_the_banner_until_a_newer_form_clears_it(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    t0 = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assessments.complete(vault, patient_id=patient, instrument=PHQ9, answers=_phq9("2"), now=t0)
    page = _chart(qtbot, vault, patient)
    alert = page.banner.safety_label
    assert alert.isVisible()
    assert "PHQ-9" in alert.text() and "2 Nov 2026" in alert.text()
    assert "safety" in alert.text().lower()
    assessments.complete(
        vault, patient_id=patient, instrument=PHQ9, answers=_phq9("0"), now=t0 + timedelta(days=14)
    )
    page.show_patient(vault, patient)
    assert not alert.isVisible()
    page.clear()
    assert alert.text() == ""


def test_an_unfinished_assessment_is_not_offered_as_unsaved_chart_changes(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    assessments.save_answers(vault, patient_id=patient, instrument=PHQ9, answers={"q1": "3"})
    page = _chart(qtbot, vault, patient)
    assert page.pending_drafts == []
    assert not page.draft_banner.isVisible()


def _press_answers(qtbot: Any, form: Any, answers: dict[str, str]) -> None:
    """Answer choice items as the keyboard would (the form's own tests press the keys)."""
    for link_id, code in answers.items():
        block = form.block(link_id)
        block.answer.choose([o.code for o in block.item.options].index(code))


def test_the_assessments_tab_starts_one_window_per_form_and_signing_updates_the_chart(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    page = _chart(qtbot, vault, patient)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    city = page.form.editor("city").widget
    city.setFocus()
    qtbot.keyClick(city, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == ASSESSMENTS_TAB
    assert page.tabs.currentWidget().isAncestorOf(page.assessments)
    assert page.assessments.start_button.hasFocus()

    page.assessments.start_requested.emit("phq9")
    dialogs = open_assessment_dialogs()
    assert [d.form.instrument.id for d in dialogs] == ["phq9"]
    assert dialogs[0].windowTitle() == PHQ9.title  # never the patient's name
    page.assessments.start_requested.emit("phq9")  # the same window comes forward
    assert open_assessment_dialogs() == dialogs

    dialog = dialogs[0]
    _press_answers(qtbot, dialog.form, _phq9("1"))
    assert dialog.form.complete()
    assert [e.response.questionnaire for e in assessments.history(vault, patient)] == ["phq9"]
    assert page.assessments.history.model.rowCount() == 1
    page.tabs.setCurrentIndex(0)
    assert page.banner.safety_label.isVisible()  # signed with item 9 above 0
    page.tabs.setCurrentIndex(ASSESSMENTS_TAB)
    assert not page.banner.safety_label.isVisible()  # the tab shows it with its form
    assert page.assessments.safety_texts()
    dialog.reject()


def test_a_screener_started_inside_the_comprehensive_assessment_refreshes_the_tab(
    qtbot: Any, vault: Vault
) -> None:
    patient = _patient(vault)
    page = _chart(qtbot, vault, patient)
    main = page.assessment_launcher.start("comprehensive")
    assert main is not None
    main.form.screener_requested.emit("phq2")
    screener = next(d for d in open_assessment_dialogs() if d.form.instrument.id == "phq2")
    _press_answers(qtbot, screener.form, {"q1": "3", "q2": "3"})
    assert screener.form.complete()
    texts = page.assessments.need_texts()
    assert any("PHQ-9" in t for t in texts), texts  # PHQ-2 of 6 suggests giving the PHQ-9
    for dialog in open_assessment_dialogs():
        dialog.reject()


def test_locking_keeps_what_was_typed_in_an_open_assessment(qtbot: Any, vault_path: Path) -> None:
    vault, _code = Vault.create(vault_path, PASSPHRASE)
    patient = _patient(vault)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()

    def unlock() -> None:
        qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
        qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)

    unlock()
    window.open_patient(patient)
    dialog = window.chart_page.assessment_launcher.start("comprehensive")
    assert dialog is not None
    block = dialog.form.block("wm-matters-most")
    block.answer.setFocus()
    qtbot.keyClicks(block.answer.edit, MARKER)  # no pause: the lock must keep it anyway
    assert window.lock()
    assert open_assessment_dialogs() == []
    folder = b"".join(p.read_bytes() for p in vault_path.parent.iterdir() if p.is_file())
    assert MARKER.encode() not in folder

    unlock()
    assert window.vault is not None
    kept = assessments.find_in_progress(window.vault, patient, "comprehensive")
    assert kept is not None
    assert kept.payload["wm-matters-most"] == MARKER
    window.open_patient(patient)
    assert window.chart_page.assessments.unfinished_texts()
    dialog = window.chart_page.assessment_launcher.start("comprehensive")
    assert dialog is not None
    assert dialog.form.answers()["wm-matters-most"] == MARKER
    dialog.reject()


def test_the_risk_tier_is_reviewed_from_the_assessments_tab(
    qtbot: Any, vault: Vault, monkeypatch: Any
) -> None:
    patient = create_patient(
        vault,
        {
            "family_name": "Haddad",
            "given_name": "Samir",
            "birth_date": date(1946, 1, 2),
            "risk_tier": "low",
        },
    )
    for text, code in (("Heart failure", "I50.9"), ("COPD", "J44.9"), ("Diabetes", "E11.9")):
        add_chart_record(vault, Condition, patient, {"text": text, "icd10_code": code})
    page = _chart(qtbot, vault, patient)
    suggested = suggested_risk_tier(vault, patient).tier
    assert suggested != "low"
    hint = page.assessments.risk_hint.text()
    assert f"now {RISK_TIERS['low'].lower()}" in hint
    assert RISK_TIERS[suggested].lower() in hint

    def confirm(dialog: RiskTierDialog) -> int:
        assert dialog.windowTitle() == "Risk tier"
        dialog.confirm_button.click()
        return int(dialog.result())

    monkeypatch.setattr(RiskTierDialog, "exec", confirm)
    changed: list[object] = []
    page.patient_changed.connect(changed.append)
    page.assessments.risk_button.click()
    assert get_patient(vault, patient).risk_tier == suggested
    assert RISK_TIERS[suggested] in page.banner.risk_badge.text()
    assert page.assessments.risk_hint.text() == ""
    assert changed == [patient]
