"""Care plan versions on screen: the versions list and comparison, recording agreement
(with a signature drawn on the pad), the copy given, and the plan summary on the chart."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from carenav.models import PlanGoal, PlanIntervention
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.pages.care_plan.agreement_dialog import AgreementDialog, CopyGivenDialog
from carenav.ui.pages.care_plan.summary import NO_PLAN, PlanSummary
from carenav.ui.pages.care_plan.versions_dialog import (
    DRAFT_TITLE,
    NO_AGREEMENT,
    SignatureDialog,
    VersionsDialog,
)
from carenav.ui.widgets.signature_pad import SignaturePad

TODAY = date.today()
TARGET_CHANGE = (
    "Goal 'Keep my weight steady': target from 'no gain over 2 lb a day' to 'no gain over 3 lb'."
)


@pytest.fixture(autouse=True)
def _questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A question box would wait for an answer: record it and answer 'keep' at once."""
    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return asked


def _patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": "Mwangi", "given_name": "Grace", "birth_date": date(1948, 6, 1)}
    )


def _plan(vault: Vault, patient: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    """A synthetic plan: one need, one goal, four dated interventions (one overdue, one done)."""
    plan = plans.start_plan(vault, patient, {"title": "Care plan"})
    plans.update_plan(vault, plan.id, {"next_review": TODAY + timedelta(days=60)})
    need = plans.add_need(vault, plan.id, {"text": "Heart failure with fluid build-up"})
    goal = plans.add_goal(
        vault,
        plan.id,
        need.id,
        {
            "text": "Keep my weight steady",
            "measure": "Morning weight",
            "target_value": "no gain over 2 lb a day",
            "target_date": TODAY + timedelta(days=60),
            "status": "in-progress",
        },
    )
    made: dict[str, Any] = {"need": need, "goal": goal}
    for key, what, due, extra in (
        ("weigh", "Weigh every morning", 5, {"responsible": "patient"}),
        ("call", "Review weights with cardiology", -3, {"responsible_name": "Dr Osei"}),
        ("pills", "Fill the pill organiser", 10, {"responsible": "caregiver"}),
        ("later", "Check ankles for swelling", 30, {}),
        ("done", "Order a bathroom scale", 1, {"status": "completed"}),
    ):
        made[key] = plans.add_intervention(
            vault,
            plan.id,
            need.id,
            {"what": what, "due_date": TODAY + timedelta(days=due), **extra},
            goal_id=goal.id,
        )
    return plan.id, made


def _two_versions(vault: Vault) -> tuple[uuid.UUID, uuid.UUID, dict[str, Any]]:
    patient = _patient(vault)
    plan_id, made = _plan(vault, patient)
    versions.publish(vault, plan_id, change_note="First plan")
    plans.update_item(vault, PlanGoal, made["goal"].id, {"target_value": "no gain over 3 lb"})
    versions.publish(vault, plan_id, change_note="Target eased after the cardiology visit")
    return patient, plan_id, made


def _click(widget: QWidget) -> None:
    """Click near the left edge: a check box or radio button only reacts on its box and text."""
    where = QPoint(min(10, widget.width() // 2), widget.height() // 2)
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)


def _sign(pad: SignaturePad) -> None:
    none = Qt.KeyboardModifier.NoModifier
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, none, QPoint(60, 120))
    for x, y in ((110, 60), (170, 125), (230, 65), (300, 120)):
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, none, QPoint(360, 80))


def _dark_pixels(image: QImage) -> int:
    return sum(
        1
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
        if QColor(image.pixel(x, y)).lightness() < 100
    )


def _agreement_dialog(qtbot: QtBot, vault: Vault, plan_id: uuid.UUID) -> AgreementDialog:
    version = versions.get_version(vault, plan_id, 2)
    dialog = AgreementDialog(vault, version)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _versions_dialog(qtbot: QtBot, vault: Vault, plan_id: uuid.UUID) -> VersionsDialog:
    dialog = VersionsDialog(vault, plan_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


# -- recording agreement ---------------------------------------------------------------------


def test_signed_on_screen_needs_a_drawing_and_keeps_it_in_the_vault(
    qtbot: QtBot, vault: Vault
) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _agreement_dialog(qtbot, vault, plan_id)
    assert dialog.windowTitle() == "Agreement"
    assert dialog.name_edit.text() == "Grace Mwangi"
    assert dialog.date_field.text() == TODAY.isoformat()
    assert not dialog.pad.isVisible()
    _click(dialog.how_buttons["screen"])
    assert dialog.pad.isVisible()
    dialog.note_edit.setPlainText("Daughter present")

    _click(dialog.save_button)
    message = dialog.messages["signature_png"]
    assert dialog.isVisible() and message.isVisible()
    assert "sign on the pad" in message.text()
    assert message.parentWidget() is dialog.pad.parentWidget()  # beside the pad
    assert dialog.note_edit.toPlainText() == "Daughter present"  # nothing typed is lost
    assert plans.load_plan(vault, plan_id).agreements[dialog.version.id] == []

    _sign(dialog.pad)
    assert not message.isVisible()  # signing clears the message
    with qtbot.waitSignal(dialog.agreement_saved, timeout=2000):
        _click(dialog.save_button)
    assert not dialog.isVisible()
    [kept] = plans.load_plan(vault, plan_id).agreements[dialog.version.id]
    assert (kept.agreed_by, kept.method, kept.note) == (
        "Grace Mwangi",
        "screen",
        "Daughter present",
    )
    assert kept.signature_png is not None and kept.signature_png.startswith(b"\x89PNG")
    stored = QImage.fromData(kept.signature_png)
    assert not stored.isNull() and _dark_pixels(stored) > 50
    assert kept.copy_given_on is None


def test_agreed_verbally_by_a_caregiver_with_a_copy_given_today(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _agreement_dialog(qtbot, vault, plan_id)
    dialog.relationship_combo.setCurrentIndex(dialog.relationship_combo.findData("caregiver"))
    assert dialog.name_edit.text() == ""  # the patient's name goes with 'Patient' only
    QTest.keyClicks(dialog.name_edit, "Joseph Mwangi")
    _click(dialog.how_buttons["verbal"])
    assert not dialog.copy_method.isEnabled()
    _click(dialog.copy_today)
    assert dialog.copy_date.text() == TODAY.isoformat() and dialog.copy_method.isEnabled()
    dialog.copy_method.setCurrentIndex(dialog.copy_method.findData("mailed"))
    _click(dialog.save_button)
    assert not dialog.isVisible()
    [kept] = plans.load_plan(vault, plan_id).agreements[dialog.version.id]
    assert (kept.agreed_by, kept.relationship, kept.method) == (
        "Joseph Mwangi",
        "caregiver",
        "verbal",
    )
    assert (kept.copy_given_on, kept.copy_method) == (TODAY, "mailed")
    assert kept.signature_png is None


def test_a_drawing_is_kept_only_with_signed_on_screen(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _agreement_dialog(qtbot, vault, plan_id)
    _click(dialog.how_buttons["screen"])
    _sign(dialog.pad)
    _click(dialog.how_buttons["paper"])  # changed their mind: they sign the printed copy
    assert not dialog.pad.isVisible() and not dialog.pad.is_empty()  # the drawing waits
    _click(dialog.save_button)
    assert not dialog.isVisible()
    [kept] = plans.load_plan(vault, plan_id).agreements[dialog.version.id]
    assert kept.method == "paper" and kept.signature_png is None


def test_how_they_agreed_must_be_chosen(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _agreement_dialog(qtbot, vault, plan_id)
    dialog.name_edit.clear()
    _click(dialog.save_button)
    assert dialog.isVisible()
    assert dialog.messages["method"].text() == "Choose how they agreed."
    assert "required" in dialog.messages["agreed_by"].text()
    _click(dialog.how_buttons["paper"])
    assert not dialog.messages["method"].isVisible()


# -- the versions dialog ---------------------------------------------------------------------


def test_versions_list_and_comparison_in_plain_words(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _versions_dialog(qtbot, vault, plan_id)
    assert dialog.windowTitle() == "Care plan versions"
    texts = dialog.item_texts()
    assert len(texts) == 2 and not any(DRAFT_TITLE in t for t in texts)
    assert texts[0].startswith("Version 2") and "Active" in texts[0]
    assert "Target eased after the cardiology visit" in texts[0]
    assert NO_AGREEMENT in texts[0]
    assert texts[1].startswith("Version 1") and "Revised" in texts[1]
    assert NO_AGREEMENT not in texts[1]
    missing = [
        label
        for label in dialog.version_list.findChildren(QLabel)
        if label.text() == NO_AGREEMENT and label.isVisible()
    ]
    assert missing and all(label.objectName() == "agreementMissing" for label in missing)
    assert "#7a4b00" in dialog.styleSheet().split("QLabel#agreementMissing")[1].split("}")[0]

    assert (dialog.old_combo.currentData(), dialog.new_combo.currentData()) == (1, 2)
    shown = dialog.changes_text()
    assert "Changed (1)" in shown and TARGET_CHANGE in shown
    assert "Added" not in shown and "Removed" not in shown

    dialog.compare(2, 1)
    assert "Goal 'Keep my weight steady': target from 'no gain over 3 lb'" in dialog.changes_text()
    dialog.compare(2, 2)
    assert "Choose two different versions" in dialog.changes_text()


def test_the_draft_appears_only_with_unpublished_changes(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, made = _two_versions(vault)
    falls = plans.add_need(vault, plan_id, {"text": "Falls at home"})
    plans.update_item(vault, PlanIntervention, made["weigh"].id, {"status": "completed"})
    dialog = _versions_dialog(qtbot, vault, plan_id)
    texts = dialog.item_texts()
    assert texts[0].startswith(DRAFT_TITLE) and "Changed since version 2" in texts[0]
    assert dialog.selected_number() == 2  # the newest version, ready for agreement
    assert (dialog.old_combo.currentData(), dialog.new_combo.currentData()) == (2, versions.DRAFT)
    shown = dialog.changes_text()
    assert "Added (1)" in shown and "Need added: 'Falls at home'." in shown
    assert "Completed or achieved (1)" in shown
    assert "Intervention completed: 'Weigh every morning'." in shown
    assert shown.index("Added") < shown.index("Completed or achieved")

    dialog.select_version(versions.DRAFT)
    assert not dialog.record_button.isEnabled()

    plans.remove_item(vault, type(falls), falls.id)
    plans.update_item(vault, PlanIntervention, made["weigh"].id, {"status": "not-started"})
    dialog.reload()  # still marked as changed, but the same as version 2
    assert dialog.item_texts()[0].startswith(DRAFT_TITLE)
    dialog.compare(2, versions.DRAFT)
    assert "No changes" in dialog.changes_text()

    plans.add_need(vault, plan_id, {"text": "Loneliness"})
    versions.publish(vault, plan_id)
    dialog.reload()
    assert not any(DRAFT_TITLE in t for t in dialog.item_texts())
    assert dialog.item_texts()[0].startswith("Version 3")


def test_recording_agreement_and_the_copy_from_the_versions_dialog(
    qtbot: QtBot, vault: Vault
) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _versions_dialog(qtbot, vault, plan_id)
    assert dialog.selected_number() == 2
    _click(dialog.record_button)
    agreement = dialog.child_dialog
    assert isinstance(agreement, AgreementDialog) and agreement.version.number == 2
    qtbot.waitExposed(agreement)
    _click(agreement.how_buttons["verbal"])
    with qtbot.waitSignal(dialog.agreements_changed, timeout=2000):
        _click(agreement.save_button)
    today = format_date(TODAY)
    expected = f"Agreed by Grace Mwangi (patient), agreed verbally, {today}; no copy given yet"
    assert expected in dialog.item_texts()[0]
    assert NO_AGREEMENT not in dialog.item_texts()[0]

    [copy_button] = [b for b in dialog.agreement_buttons() if b.text() == "Copy given…"]
    _click(copy_button)
    copy = dialog.child_dialog
    assert isinstance(copy, CopyGivenDialog)
    qtbot.waitExposed(copy)
    assert copy.date_field.text() == TODAY.isoformat()
    with qtbot.waitSignal(dialog.agreements_changed, timeout=2000):
        _click(copy.save_button)
    assert f"agreed verbally, {today}; copy given {today}" in dialog.item_texts()[0]
    assert not [b for b in dialog.agreement_buttons() if b.text() == "Copy given…"]


def test_a_stored_signature_can_be_viewed(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    drawn = SignaturePad()
    qtbot.addWidget(drawn)
    drawn.resize(600, 190)
    _sign(drawn)
    version = versions.get_version(vault, plan_id, 2)
    versions.record_agreement(
        vault,
        version.id,
        {
            "agreed_by": "Grace Mwangi",
            "agreed_on": TODAY,
            "method": "screen",
            "signature_png": drawn.to_png(),
            "copy_given_on": TODAY,
            "copy_method": "printed",
        },
    )
    dialog = _versions_dialog(qtbot, vault, plan_id)
    assert f"signed on screen, {format_date(TODAY)}; copy given" in dialog.item_texts()[0]
    buttons = dialog.agreement_buttons()
    assert [b.text() for b in buttons] == ["View signature…"]
    _click(buttons[0])
    viewer = dialog.child_dialog
    assert isinstance(viewer, SignatureDialog)
    qtbot.waitExposed(viewer)
    assert viewer.windowTitle() == "Signature"
    assert viewer.pad.is_read_only() and _dark_pixels(viewer.pad.grab().toImage()) > 30
    dialog.reject()  # closing (or locking) closes the signature with it, and forgets it
    assert not viewer.isVisible() and not viewer.pad.is_read_only()
    assert dialog.child_dialog is None


def test_every_control_is_reachable_with_tab(qtbot: QtBot, vault: Vault) -> None:
    _patient_id, plan_id, _made = _two_versions(vault)
    dialog = _versions_dialog(qtbot, vault, plan_id)
    wanted = {dialog.version_list, dialog.record_button, dialog.old_combo, dialog.new_combo}
    wanted.add(dialog.changes_view)
    reached: set[QWidget] = set()
    widget: QWidget | None = dialog.version_list
    for _ in range(40):
        assert widget is not None
        reached.add(widget)
        widget = widget.nextInFocusChain()
    assert wanted <= reached
    assert all(w.focusPolicy() & Qt.FocusPolicy.TabFocus for w in wanted)
    assert all(isinstance(b, QPushButton) for b in dialog.agreement_buttons())


# -- the summary on the chart ----------------------------------------------------------------


def _summary(qtbot: QtBot) -> PlanSummary:
    summary = PlanSummary()
    qtbot.addWidget(summary)
    summary.show()
    return summary


def test_summary_shows_goals_and_the_next_due_interventions(qtbot: QtBot, vault: Vault) -> None:
    patient = _patient(vault)
    plan_id, _made = _plan(vault, patient)
    version = versions.publish(vault, plan_id)
    summary = _summary(qtbot)
    summary.show_plan(vault, patient)
    text = summary.text()
    since = format_date(version.published_at.astimezone().date())
    assert f"Care plan: version 1, active since {since}" in text
    assert f"next review {format_date(TODAY + timedelta(days=60))}" in text
    assert "(overdue)" not in text and "unpublished" not in text
    target_by = format_date(TODAY + timedelta(days=60))
    assert f"Keep my weight steady\nTarget: no gain over 2 lb a day, by {target_by}" in text
    assert "In progress" in text
    due = summary.summary.due if summary.summary else []
    assert [(d.what, d.who, d.due, d.overdue) for d in due] == [
        ("Review weights with cardiology", "Dr Osei", TODAY - timedelta(days=3), True),
        ("Weigh every morning", "Patient", TODAY + timedelta(days=5), False),
        ("Fill the pill organiser", "Caregiver or family", TODAY + timedelta(days=10), False),
    ]
    assert "Review weights with cardiology · Dr Osei" in text
    assert format_date(TODAY - timedelta(days=3)) in text
    assert "Order a bathroom scale" not in text  # completed
    assert "Check ankles for swelling" not in text  # the fourth: only the next three
    overdue = [label for label in summary.findChildren(QLabel) if label.text() == "Overdue"]
    assert len(overdue) == 1 and overdue[0].objectName() == "badgeAmber"
    late = [
        label for label in summary.findChildren(QLabel) if label.objectName() == "summaryOverdue"
    ]
    assert [label.text().replace("\u00a0", " ") for label in late] == [
        format_date(TODAY - timedelta(days=3))
    ]


def test_summary_shows_the_agreed_version_and_says_when_the_draft_differs(
    qtbot: QtBot, vault: Vault
) -> None:
    patient = _patient(vault)
    plan_id, made = _plan(vault, patient)
    versions.publish(vault, plan_id)
    plans.update_item(vault, PlanGoal, made["goal"].id, {"target_value": "no gain over 3 lb"})
    plans.update_plan(vault, plan_id, {"next_review": TODAY - timedelta(days=1)})
    summary = _summary(qtbot)
    summary.show_plan(vault, patient)
    text = summary.text()
    assert "has unpublished changes" in text
    assert "Target: no gain over 2 lb a day" in text and "3 lb" not in text
    review = next(label for label in summary.findChildren(QLabel) if "next review" in label.text())
    assert review.text().endswith("(overdue)") and review.objectName() == "summaryOverdue"


def test_summary_without_a_plan_and_after_clear(qtbot: QtBot, vault: Vault) -> None:
    patient = _patient(vault)
    summary = _summary(qtbot)
    summary.show_plan(vault, patient)
    assert summary.text() == NO_PLAN
    _plan_id, _made = _plan(vault, patient)
    summary.show_plan(vault, patient)
    assert "Care plan: draft, not published yet" in summary.text()
    assert "Keep my weight steady" in summary.text()
    summary.clear()
    assert summary.text() == ""
    assert [label.text() for label in summary.findChildren(QLabel) if label.text()] == []


def test_an_agreement_being_entered_when_the_vault_locks_is_kept_and_put_back(
    qtbot: QtBot, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carenav.services.drafts import drafts_for
    from carenav.ui.pages.care_plan.agreement_dialog import AGREEMENT_DRAFT_FORM
    from carenav.ui.pages.care_plan.panel import CarePlanPanel

    patient, plan_id, _made = _two_versions(vault)
    panel = CarePlanPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_patient(vault, patient)
    version = versions.get_version(vault, plan_id, 2)
    dialog = AgreementDialog(vault, version, parent=panel)
    dialog.show()
    qtbot.waitExposed(dialog)
    _click(dialog.how_buttons["screen"])
    _sign(dialog.pad)
    dialog.note_edit.setPlainText("Signed at the kitchen table with her son present")
    strokes = dialog.pad.strokes_text()
    assert strokes

    assert panel.keep_as_draft()  # what the lock calls; it never asks
    assert not dialog.isVisible()
    [kept] = [d for d in drafts_for(vault, patient) if d.form == AGREEMENT_DRAFT_FORM]
    assert kept.record_id == version.id and kept.payload["strokes"] == strokes
    panel.clear()

    restored: dict[str, Any] = {}

    def check_and_save(shown: AgreementDialog) -> int:
        restored["note"] = shown.note_edit.toPlainText()
        restored["method"] = shown.method()
        restored["drawn"] = not shown.pad.is_empty()
        shown.accept()
        return int(shown.result())

    monkeypatch.setattr(AgreementDialog, "exec", check_and_save)
    panel.show_patient(vault, patient)
    assert "an agreement" in panel.strip_text.text()
    panel._reopen_draft()
    assert restored == {
        "note": "Signed at the kitchen table with her son present",
        "method": "screen",
        "drawn": True,
    }
    agreements = plans.load_plan(vault, plan_id).agreements[version.id]
    assert [a.method for a in agreements] == ["screen"]
    assert agreements[0].signature_png and agreements[0].signature_png.startswith(b"\x89PNG")
    assert not [d for d in drafts_for(vault, patient) if d.form == AGREEMENT_DRAFT_FORM]
