"""The risk tier dialog: the suggestion with its reasons, confirm, and override with a reason."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from carenav.instruments import get_instrument
from carenav.models import Condition
from carenav.services import risk
from carenav.services.assessments import complete
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient, get_patient
from carenav.store.vault import Vault
from carenav.ui.pages.assessment import risk_tier
from carenav.ui.pages.assessment.risk_tier import RiskTierDialog

FAMILY_NAME = "Quillfeather"


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    """4 chronic conditions (2), a LACE of 12 five days ago (2 + 1 discharge), no
    caregiver (1): 6 points, very high; the chart still says moderate."""
    patient_id = create_patient(
        vault,
        {
            "family_name": FAMILY_NAME,
            "given_name": "Ada",
            "birth_date": date(1940, 5, 6),
            "risk_tier": "moderate",
        },
    )
    for text, code in [
        ("Heart failure", "I50.22"),
        ("Type 2 diabetes", "E11.9"),
        ("COPD", "J44.9"),
        ("Chronic kidney disease", "N18.32"),
    ]:
        add_chart_record(vault, Condition, patient_id, {"text": text, "icd10_code": code})
    complete(
        vault,
        patient_id=patient_id,
        instrument=get_instrument("lace"),
        answers={"los": 5, "acuity": "emergent", "charlson": 2, "ed_visits": 3},
        now=datetime.now(UTC) - timedelta(days=5),
    )
    return patient_id


def open_dialog(qtbot: QtBot, vault: Vault, patient: uuid.UUID) -> RiskTierDialog:
    dialog = RiskTierDialog(vault, patient)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_shows_the_suggestion_its_reasons_and_the_current_tier(
    qtbot: QtBot, vault: Vault, patient: uuid.UUID
) -> None:
    dialog = open_dialog(qtbot, vault, patient)
    assert dialog.windowTitle() == "Risk tier"
    assert FAMILY_NAME not in dialog.windowTitle()
    assert dialog.suggested_label.text() == "Very high"
    assert dialog.current_label.text() == "Moderate"
    reasons = [label.text() for label in dialog.reason_labels]
    assert reasons[0].startswith("• 4 chronic conditions on the problem list (heart failure")
    assert any("LACE 12 on" in r and "high readmission risk" in r for r in reasons)
    assert "• No caregiver recorded" in reasons
    assert dialog.tier_buttons["very_high"].isChecked()
    assert dialog.tier_buttons["very_high"].text() == "Very high (suggested)"
    assert not dialog.reason_area.isVisible()
    assert dialog.confirm_button.objectName() == "primary"


def test_confirm_as_suggested(qtbot: QtBot, vault: Vault, patient: uuid.UUID) -> None:
    dialog = open_dialog(qtbot, vault, patient)
    click(qtbot, dialog.confirm_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.decision is not None
    assert (dialog.decision.suggested_tier, dialog.decision.decided_tier) == (
        "very_high",
        "very_high",
    )
    assert get_patient(vault, patient).risk_tier == "very_high"
    latest = risk.latest_risk_decision(vault, patient)
    assert latest is not None and latest.override_reason == ""
    assert latest.reasons == [label.text().removeprefix("• ") for label in dialog.reason_labels]


def test_an_override_without_a_reason_is_refused_with_a_message(
    qtbot: QtBot, vault: Vault, patient: uuid.UUID
) -> None:
    dialog = open_dialog(qtbot, vault, patient)
    click(qtbot, dialog.tier_buttons["high"])
    assert dialog.reason_area.isVisible()
    assert dialog.reason_caption.text() == "Why High rather than the suggested Very high?"
    click(qtbot, dialog.confirm_button)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.isVisible()
    assert dialog.message.text() == (
        "Say briefly why you chose High rather than the suggested Very high."
    )
    assert get_patient(vault, patient).risk_tier == "moderate"
    assert risk.latest_risk_decision(vault, patient) is None


def test_an_override_with_a_reason_is_saved_and_changes_the_tier(
    qtbot: QtBot, vault: Vault, patient: uuid.UUID
) -> None:
    dialog = open_dialog(qtbot, vault, patient)
    click(qtbot, dialog.tier_buttons["high"])
    qtbot.keyClicks(dialog.reason_edit, "Daughter moved in last week and manages medicines")
    click(qtbot, dialog.confirm_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_patient(vault, patient).risk_tier == "high"
    latest = risk.latest_risk_decision(vault, patient)
    assert latest is not None
    assert (latest.suggested_tier, latest.decided_tier) == ("very_high", "high")
    assert latest.override_reason == "Daughter moved in last week and manages medicines"


def test_going_back_to_the_suggestion_hides_the_reason_box(
    qtbot: QtBot, vault: Vault, patient: uuid.UUID
) -> None:
    dialog = open_dialog(qtbot, vault, patient)
    click(qtbot, dialog.tier_buttons["low"])
    click(qtbot, dialog.confirm_button)
    assert dialog.message.isVisible()
    click(qtbot, dialog.tier_buttons["very_high"])
    assert not dialog.reason_area.isVisible()
    assert not dialog.message.isVisible()


def test_cancel_asks_before_dropping_a_typed_reason(
    qtbot: QtBot, vault: Vault, patient: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def keep_editing(*_args: object, question: str, **_kwargs: object) -> bool:
        asked.append(question)
        return False

    monkeypatch.setattr(risk_tier, "confirm_removal", keep_editing)
    dialog = open_dialog(qtbot, vault, patient)
    click(qtbot, dialog.tier_buttons["low"])
    qtbot.keyClicks(dialog.reason_edit, "Stable for a year")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["Discard the reason you typed?"]
    assert dialog.isVisible()
    dialog.reject()  # what locking the vault does: closes without a question
    assert not dialog.isVisible()
    assert get_patient(vault, patient).risk_tier == "moderate"
