"""The assessment form and its window, against a real vault, driven from the keyboard."""

from __future__ import annotations

import gc
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from carenav.instruments import Instrument, get_instrument, parse_definition
from carenav.models import MedicationStatement
from carenav.services import assessments
from carenav.services.catalogue import load_catalogue
from carenav.services.chart import add_chart_record
from carenav.services.patients import create_patient
from carenav.store.faults import StorageFull
from carenav.store.vault import Vault
from carenav.ui.pages.assessment import form as form_module
from carenav.ui.pages.assessment.form import (
    ANSWER_FIRST,
    AssessmentForm,
    CorrectionReasonDialog,
)
from carenav.ui.pages.assessment.form_dialog import (
    KEPT_HINT,
    AssessmentDialog,
    open_assessment_dialogs,
)
from carenav.ui.pages.assessment.questions import (
    DATE_PROBLEM,
    NONE_RECORDED,
    DisplayBlock,
    QuestionBlock,
    ReadOnlyBlock,
)

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
PHQ9 = get_instrument("phq9")
FAMILY, GIVEN = "Quillfeather", "Odalys"  # synthetic; must never reach a window title
HOME_CHECK: dict[str, Any] = {
    "id": "home-check",
    "title": "Home check",
    "version": "1",
    "source": "CareNav tests",
    "licence": "test data",
    "items": [
        {"linkId": "home", "type": "display", "text": "The home", "section": True},
        {
            "linkId": "stairs",
            "type": "boolean",
            "text": "Are there stairs inside?",
            "required": True,
        },
        {
            "linkId": "rail",
            "type": "boolean",
            "text": "Is there a hand rail on the stairs?",
            "enableWhen": [{"question": "stairs", "operator": "=", "answer": True}],
        },
        {
            "linkId": "aids",
            "type": "multi-choice",
            "text": "Which walking aids are used?",
            "options": [
                {"code": "walker", "display": "Walker"},
                {"code": "cane", "display": "Cane"},
                {"code": "none", "display": "None"},
            ],
        },
        {"linkId": "medicines", "type": "display", "text": "Medicines", "section": True},
        {"linkId": "meds", "type": "display", "text": "On the chart", "context": "medications"},
        {"linkId": "allergy", "type": "display", "text": "Allergies", "context": "allergies"},
        {
            "linkId": "mood",
            "type": "display",
            "text": "If low mood comes up, screen for depression.",
            "screener": "phq2",
        },
        {"linkId": "pills", "type": "integer", "text": "Pills a day", "min": 0, "max": 60},
        {"linkId": "last-fall", "type": "date", "text": "Date of the last fall"},
        {
            "linkId": "note",
            "type": "text",
            "text": "Anything else?",
            "maxLength": 300,
            "help": "Write what the patient said.",
        },
    ],
}


# -- helpers ------------------------------------------------------------------------------


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": FAMILY, "given_name": GIVEN, "birth_date": date(1941, 4, 5)}
    )


@pytest.fixture
def home_check() -> Instrument:
    return parse_definition(HOME_CHECK, "home-check.json")


@pytest.fixture(autouse=True)
def _close_assessment_windows() -> Iterator[None]:
    yield
    for dialog in open_assessment_dialogs():
        dialog.done(0)
    QApplication.processEvents()


def shown(qtbot: Any, widget: QWidget) -> None:
    widget.resize(1100, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def make_form(qtbot: Any, vault: Vault, patient: uuid.UUID, instrument: Instrument = PHQ9) -> Any:
    form = AssessmentForm(vault, patient, instrument)
    qtbot.addWidget(form)
    shown(qtbot, form)
    return form


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(
    qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), key, modifier)


def focused_block(form: AssessmentForm) -> str:
    widget: QWidget | None = focused()
    while widget is not None and not isinstance(widget, QuestionBlock):
        widget = widget.parentWidget()
    assert widget is not None, "the focus is not on a question"
    return widget.item.link_id


def choose(form: AssessmentForm, link_id: str, position: int) -> None:
    """Choose an option as the keyboard would (position counts from 0)."""
    block = form.block(link_id)
    assert isinstance(block, QuestionBlock)
    block.answer.choose(position)  # type: ignore[attr-defined]


def phq9_all(form: AssessmentForm, positions: list[int]) -> None:
    for n, position in enumerate(positions, start=1):
        choose(form, f"q{n}", position)


def window_titles() -> list[str]:
    return [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]


# -- filling in from the keyboard -----------------------------------------------------------


def test_phq9_is_filled_from_the_keyboard_and_the_score_runs(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    form = make_form(qtbot, vault, patient)
    assert form.score_label.text() == "No score yet"
    assert form.required_label.text() == "9 required questions not answered yet"
    assert not form.band_label.isVisible()
    form.focus_first_question()
    assert focused_block(form) == "q1"
    assert isinstance(focused(), QRadioButton) and focused().text() == "Not at all"

    press(qtbot, Qt.Key.Key_2)  # the 2nd option of q1: "Several days"
    assert form.answers() == {"q1": "1"}
    assert form.score_label.text() == "Score so far: 1 of 27"
    assert form.band_label.text() == "minimal"
    assert form.required_label.text() == "8 required questions not answered yet"

    press(qtbot, Qt.Key.Key_Tab)
    assert focused_block(form) == "q2"
    press(qtbot, Qt.Key.Key_4)  # "Nearly every day"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused_block(form) == "q3"
    press(qtbot, Qt.Key.Key_Down)  # arrows move and choose: "Several days"
    press(qtbot, Qt.Key.Key_Down)  # "More than half the days"
    assert form.answers()["q3"] == "2"
    assert form.score_label.text() == "Score so far: 6 of 27"
    assert form.band_label.text() == "mild"
    press(qtbot, Qt.Key.Key_Up)  # back to "Several days"
    assert form.answers()["q3"] == "1"

    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_block(form) == "q2"
    assert focused().text() == "Nearly every day"  # back on the chosen option
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    for key in (Qt.Key.Key_4, Qt.Key.Key_3, Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_1):
        press(qtbot, key)
        press(qtbot, Qt.Key.Key_Tab)
    assert focused_block(form) == "q9"
    assert form.score_label.text() == "Score so far: 10 of 27"
    assert form.band_label.text() == "moderate"
    assert "10 or more" in form.warning_banner.text()  # a total can only grow
    press(qtbot, Qt.Key.Key_1)
    assert form.score_label.text() == "Score: 10 of 27"
    assert form.required_label.text() == "All required questions answered"
    assert not form.urgent_banner.isVisible()

    press(qtbot, Qt.Key.Key_Delete)  # clears the answer
    assert "q9" not in form.answers()
    assert form.score_label.text() == "Score so far: 10 of 27"


def test_item_9_above_0_shows_the_urgent_banner_at_once(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    form = make_form(qtbot, vault, patient)
    assert not form.urgent_banner.isVisible()
    form.block("q9").focus_answer()  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_2)  # "Several days", before anything else is answered
    assert form.urgent_banner.isVisible()
    assert "item 9" in form.urgent_banner.text()
    assert "Assess safety today" in form.urgent_banner.text()
    assert form.urgent_banner.text().startswith("Urgent:")
    press(qtbot, Qt.Key.Key_Up)  # "Not at all"
    assert not form.urgent_banner.isVisible()


def test_a_conditional_question_shows_only_while_its_condition_holds(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    form = make_form(qtbot, vault, patient)
    difficulty = form.block("difficulty")
    assert difficulty.isHidden()
    choose(form, "q1", 0)
    assert difficulty.isHidden()
    choose(form, "q2", 1)  # a problem checked off: the difficulty question appears
    assert difficulty.isVisible()
    form.block("q9").focus_answer()  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_Tab)
    assert focused_block(form) == "difficulty"
    press(qtbot, Qt.Key.Key_3)
    assert form.answers()["difficulty"] == "very"
    choose(form, "q2", 0)
    assert difficulty.isHidden()
    form.block("q9").focus_answer()  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.complete_button  # the hidden question is skipped


def test_a_conditional_question_of_a_small_definition(
    qtbot: Any, vault: Vault, patient: uuid.UUID, home_check: Instrument
) -> None:
    form = make_form(qtbot, vault, patient, home_check)
    rail = form.block("rail")
    assert rail.isHidden()
    form.focus_first_question()
    assert focused_block(form) == "stairs"
    press(qtbot, Qt.Key.Key_Y)  # not an answer key: nothing happens
    assert "stairs" not in form.answers()
    press(qtbot, Qt.Key.Key_1)  # Yes
    assert form.answers()["stairs"] is True
    assert rail.isVisible()
    press(qtbot, Qt.Key.Key_Right)  # No
    assert form.answers()["stairs"] is False
    assert rail.isHidden()

    press(qtbot, Qt.Key.Key_Tab)  # the hidden question is skipped
    assert focused_block(form) == "aids"
    press(qtbot, Qt.Key.Key_1)  # digits tick and untick check boxes
    press(qtbot, Qt.Key.Key_3)
    assert form.answers()["aids"] == ["walker", "none"]
    press(qtbot, Qt.Key.Key_1)
    assert form.answers()["aids"] == ["none"]
    assert focused().text() == "Walker"  # the digit put the cursor on the box it ticked
    press(qtbot, Qt.Key.Key_Down)  # arrows only move among check boxes
    assert focused().text() == "Cane" and form.answers()["aids"] == ["none"]
    press(qtbot, Qt.Key.Key_Space)
    assert form.answers()["aids"] == ["cane", "none"]
    press(qtbot, Qt.Key.Key_Tab)  # the group is one stop; next comes the screener button
    mood = form.block("mood")
    assert isinstance(mood, DisplayBlock) and focused() is mood.screener_button

    with qtbot.waitSignal(form.completed):
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.read_only
    assert form.score_label.isHidden() and form.band_label.isHidden()  # no score here
    aids = form.block("aids")
    assert isinstance(aids, ReadOnlyBlock) and aids.answer_label.text() == "Cane\nNone"
    assert form.block("rail").isHidden()


# -- drafts ---------------------------------------------------------------------------------


def test_answers_survive_a_crash_and_are_put_back(
    qtbot: Any, vault: Vault, vault_path: Path, patient: uuid.UUID
) -> None:
    form = AssessmentForm(vault, patient, PHQ9)
    shown(qtbot, form)
    form.focus_first_question()
    press(qtbot, Qt.Key.Key_3)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_4)
    assert form.save_note.text().startswith("Saved as a draft at ")
    form.hide()
    form.deleteLater()  # dropped without closing or signing, as a crash would
    QApplication.processEvents()
    vault.close(checkpoint_first=False)

    reopened = Vault.unlock(vault_path, PASSPHRASE)
    try:
        again = AssessmentForm(reopened, patient, PHQ9)
        qtbot.addWidget(again)
        assert again.answers() == {"q1": "2", "q2": "3"}
        assert again.save_note.text().startswith("Answers from ")
        assert again.save_note.text().endswith(" put back")
        assert again.score_label.text() == "Score so far: 5 of 27"
        radio = again.block("q2").findChildren(QRadioButton)[3]
        assert radio.isChecked() and radio.text() == "Nearly every day"
    finally:
        reopened.close()


def test_typed_text_is_kept_after_a_pause_and_when_the_window_locks(
    qtbot: Any, vault: Vault, patient: uuid.UUID, home_check: Instrument
) -> None:
    dialog = AssessmentDialog(vault, patient, home_check)
    shown(qtbot, dialog)
    note = dialog.form.block("note").findChild(QPlainTextEdit)
    assert isinstance(note, QPlainTextEdit)
    note.setFocus()
    qtbot.keyClicks(note, "Lives alone")

    def kept() -> dict[str, Any]:
        draft = assessments.find_in_progress(vault, patient, "home-check")
        return draft.answers(home_check) if draft else {}

    assert kept() == {}  # not on every key press
    qtbot.waitUntil(lambda: kept().get("note") == "Lives alone", timeout=3000)
    qtbot.keyClicks(note, "; dog")
    assert open_assessment_dialogs() == [dialog]
    assert dialog.keep_as_draft() is True  # the lock flushes at once, then closes
    assert kept()["note"] == "Lives alone; dog"
    assert open_assessment_dialogs() == []


def test_a_failed_save_says_so_and_keeps_the_answers(
    qtbot: Any, vault: Vault, patient: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = make_form(qtbot, vault, patient)

    def full_disk(*_args: Any, **_kwargs: Any) -> Any:
        raise StorageFull()

    real = form_module.save_answers
    monkeypatch.setattr(form_module, "save_answers", full_disk)
    choose(form, "q1", 2)
    assert form.message.isVisible()
    assert form.message.text().startswith("Not saved: ")
    assert "disk is full" in form.message.text()
    assert form.answers() == {"q1": "2"}
    assert assessments.find_in_progress(vault, patient, "phq9") is None
    monkeypatch.setattr(form_module, "save_answers", real)
    choose(form, "q2", 1)  # the next answer saves everything
    assert not form.message.isVisible()
    draft = assessments.find_in_progress(vault, patient, "phq9")
    assert draft is not None and draft.answers(PHQ9) == {"q1": "2", "q2": "1"}


# -- completing and signing -----------------------------------------------------------------


def test_completing_with_a_missing_answer_points_at_it(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    form = make_form(qtbot, vault, patient)
    phq9_all(form, [1, 1, 1, 1, 1, 1, 1, 1, 0])
    choose(form, "q4", 0)
    block = form.block("q6")
    assert isinstance(block, QuestionBlock)
    block.answer.clear()  # type: ignore[attr-defined]
    form.block("q1").focus_answer()  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert focused_block(form) == "q6"
    assert block.problem_text == ANSWER_FIRST
    assert not form.read_only
    assert assessments.history(vault, patient) == []
    press(qtbot, Qt.Key.Key_1)
    assert block.problem_text == ""  # answered: the message goes


def test_complete_and_sign_shows_the_signed_form(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    form = make_form(qtbot, vault, patient)
    phq9_all(form, [2, 2, 1, 1, 1, 1, 1, 1, 0])  # 2+2+1*6 = 10
    form.block("q9").focus_answer()  # type: ignore[union-attr]
    with qtbot.waitSignal(form.completed) as signed:
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [entry] = assessments.history(vault, patient)
    assert signed.args == [entry.response.id]
    assert form.read_only
    assert form.findChildren(QRadioButton) == []
    assert f"Signed by {entry.response.author} on " in form.notice.text()
    assert form.score_label.text() == "Score: 10 of 27"
    assert form.band_label.text() == "moderate"
    assert "10 or more" in form.warning_banner.text()
    q1 = form.block("q1")
    assert isinstance(q1, ReadOnlyBlock)
    assert q1.answer_label.text() == "More than half the days"
    assert not form.complete_button.isVisible()
    assert form.correct_button.isVisible()
    assert assessments.find_in_progress(vault, patient, "phq9") is None


def test_correcting_keeps_the_original_and_asks_for_the_reason(
    qtbot: Any, vault: Vault, patient: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {**{f"q{n}": "1" for n in range(1, 10)}, "difficulty": "somewhat"}
    signed = assessments.complete(vault, patient_id=patient, instrument=PHQ9, answers=answers)
    entry = assessments.get_response(vault, signed.response.id)
    form = AssessmentForm.for_response(vault, entry, PHQ9)
    qtbot.addWidget(form)
    shown(qtbot, form)
    assert form.read_only and form.score_label.text() == "Score: 9 of 27"
    assert "Urgent: " in form.urgent_banner.text()  # as it was signed
    qtbot.mouseClick(form.correct_button, Qt.MouseButton.LeftButton)
    assert not form.read_only
    assert form.answers() == answers
    assert form.notice.text().startswith("This corrects the form signed on ")
    assert focused_block(form) == "q1"
    press(qtbot, Qt.Key.Key_1)  # q1 "Not at all"
    form.block("q9").focus_answer()  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_1)  # q9 "Not at all": it was entered wrongly
    assert not form.urgent_banner.isVisible()

    monkeypatch.setattr(form_module, "ask_correction_reason", lambda *_a: None)
    assert form.complete() is False  # Cancel: nothing signed, the correction is kept
    kept = assessments.find_in_progress(vault, patient, "phq9", amends_id=entry.response.id)
    assert kept is not None and kept.answers(PHQ9)["q9"] == "0"
    monkeypatch.undo()
    later = AssessmentForm.for_response(vault, entry, PHQ9)
    qtbot.addWidget(later)
    assert "A correction started on" in later.notice.text()
    resumed = AssessmentForm.for_response(vault, entry, PHQ9, correct=True)
    qtbot.addWidget(resumed)
    assert resumed.answers() == kept.answers(PHQ9)
    assert resumed.save_note.text().endswith(" put back")

    def give_reason() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CorrectionReasonDialog)
        dialog.accept()  # no reason yet: refused with a message
        assert dialog.problem.text() == "Say briefly why the answers are corrected."
        qtbot.keyClicks(dialog.reason, "Item 9 was entered on the wrong line")
        ok = [b for b in dialog.findChildren(QPushButton) if b.text() == "Sign the correction"]
        qtbot.mouseClick(ok[0], Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, give_reason)
    with qtbot.waitSignal(form.completed) as done:
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    newest, original = assessments.history(vault, patient, "phq9")
    assert done.args == [newest.response.id]
    assert newest.response.amends_id == original.response.id == entry.response.id
    assert newest.response.amendment_reason == "Item 9 was entered on the wrong line"
    assert original.response.answers == answers  # never changed
    assert original.response.superseded_at is not None
    assert form.read_only and form.score_label.text() == "Score: 7 of 27"
    assert "This corrects the form signed on" in form.notice.text()
    assert "Item 9 was entered on the wrong line" in form.notice.text()
    assert not form.urgent_banner.isVisible()

    old = AssessmentForm.for_response(vault, original, PHQ9)
    qtbot.addWidget(old)
    assert "this is the original, kept for the record" in old.notice.text()
    assert old.notice.text().count("Corrected on ") == 1
    assert old.score_label.text() == "Score: 9 of 27"
    assert old.correct_button.isHidden()


# -- long forms: sections, screeners, the patient's records ------------------------------------


def test_sections_context_and_a_screener_in_the_window(
    qtbot: Any, vault: Vault, patient: uuid.UUID, home_check: Instrument
) -> None:
    add_chart_record(
        vault,
        MedicationStatement,
        patient,
        {"name": "Furosemide", "dose": "40 mg", "frequency": "every morning"},
    )
    dialog = AssessmentDialog(vault, patient, home_check, catalogue=load_catalogue(None))
    shown(qtbot, dialog)
    form = dialog.form
    assert dialog.windowTitle() == "Home check"
    assert KEPT_HINT in dialog.hint.text()
    sections = form.section_list
    assert sections is not None
    assert [sections.item(n).text() for n in range(sections.count())] == ["The home", "Medicines"]
    meds = form.block("meds")
    assert isinstance(meds, DisplayBlock) and meds.context_label is not None
    assert meds.context_label.text() == "•  Furosemide · 40 mg · every morning"
    allergy = form.block("allergy")
    assert isinstance(allergy, DisplayBlock) and allergy.context_label is not None
    assert allergy.context_label.text() == NONE_RECORDED

    form.focus_first_question()
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert focused_block(form) == "pills"  # the next section's first question
    assert sections.currentRow() == 1
    press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert focused_block(form) == "stairs"

    mood = form.block("mood")
    assert isinstance(mood, DisplayBlock) and mood.screener_button is not None
    assert mood.screener_button.text() == "Start PHQ-2 depression screen"
    qtbot.mouseClick(mood.screener_button, Qt.MouseButton.LeftButton)
    [screener] = dialog.screener_dialogs
    assert screener.isVisible() and screener.form.instrument.id == "phq2"
    assert screener.patient_id == patient
    assert set(open_assessment_dialogs()) == {dialog, screener}
    titles = " ".join(window_titles())
    assert FAMILY not in titles and GIVEN not in titles
    qtbot.mouseClick(mood.screener_button, Qt.MouseButton.LeftButton)
    assert dialog.screener_dialogs == [screener]  # brought forward, not opened twice


def test_numbers_and_dates_start_empty_and_explain_a_wrong_entry(
    qtbot: Any, vault: Vault, patient: uuid.UUID, home_check: Instrument
) -> None:
    form = make_form(qtbot, vault, patient, home_check)
    pills = form.block("pills")
    fall = form.block("last-fall")
    assert isinstance(pills, QuestionBlock) and isinstance(fall, QuestionBlock)
    assert pills.value() is None and fall.value() is None  # never a default 0

    pills.focus_answer()
    qtbot.keyClicks(focused(), "75")
    press(qtbot, Qt.Key.Key_Tab)
    assert pills.problem_text == "75 is not accepted: enter a whole number from 0 to 60."
    assert "pills" not in form.answers()
    assert focused_block(form) == "last-fall"
    qtbot.keyClicks(focused(), "2025-14-03")
    press(qtbot, Qt.Key.Key_Tab)
    assert fall.problem_text == DATE_PROBLEM
    assert "last-fall" not in form.answers()

    fall.focus_answer()
    focused().clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(focused(), "2025-03-14")
    preview = [label for label in fall.findChildren(QLabel) if label.text() == "14 Mar 2025"]
    assert preview and preview[0].isVisible()
    press(qtbot, Qt.Key.Key_Tab)
    assert fall.problem_text == ""
    assert form.answers()["last-fall"] == "2025-03-14"


def test_closing_the_window_never_asks_and_keeps_the_answers(
    qtbot: Any, vault: Vault, patient: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)
    dialog = AssessmentDialog(vault, patient, PHQ9)
    shown(qtbot, dialog)
    assert dialog.windowTitle() == PHQ9.title
    assert focused_block(dialog.form) == "q1"
    press(qtbot, Qt.Key.Key_4)
    press(qtbot, Qt.Key.Key_Escape)
    assert asked == []
    assert open_assessment_dialogs() == []
    draft = assessments.find_in_progress(vault, patient, "phq9")
    assert draft is not None and draft.answers(PHQ9) == {"q1": "3"}


def test_the_comprehensive_assessment_builds_with_sections_and_screeners(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    catalogue = load_catalogue(None)
    if not catalogue.has("comprehensive"):
        pytest.skip("the comprehensive assessment is not installed yet")
    comprehensive = catalogue.get("comprehensive")
    dialog = AssessmentDialog(vault, patient, comprehensive, catalogue=catalogue)
    shown(qtbot, dialog)
    form = dialog.form
    assert form.section_list is not None
    assert form.section_list.count() == len(comprehensive.sections) >= 2
    buttons = [
        b
        for b in (form.blocks[i.link_id] for i in comprehensive.items if i.screener)
        if isinstance(b, DisplayBlock) and b.screener_button is not None
    ]
    assert buttons, "the comprehensive form offers no screener"
    first = buttons[0]
    assert first.screener_button is not None
    qtbot.mouseClick(first.screener_button, Qt.MouseButton.LeftButton)
    [screener] = dialog.screener_dialogs
    assert screener.form.instrument.id == first.item.screener
    assert screener.isVisible()


def test_answering_does_not_use_up_pythons_true(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    """PySide6 6.12.0's Signal.emit drops a reference to True on every call, so a long
    visit would end with Python aborting (bool_dealloc); the project pins a version
    without the bug (see tests/ui/test_qt_bindings.py)."""
    form = make_form(qtbot, vault, patient)
    choose(form, "q1", 1)
    gc.collect()
    before = sys.getrefcount(True)
    for n in range(60):
        choose(form, "q1", n % 4)
    gc.collect()
    assert sys.getrefcount(True) >= before - 5


def test_locking_while_the_reason_is_asked_keeps_the_correction(
    qtbot: Any, vault: Vault, vault_path: Path, patient: uuid.UUID
) -> None:
    answers = {f"q{n}": "1" for n in range(1, 10)}
    signed = assessments.complete(vault, patient_id=patient, instrument=PHQ9, answers=answers)
    entry = assessments.get_response(vault, signed.response.id)
    dialog = AssessmentDialog.for_response(vault, entry, PHQ9, correct=True)
    shown(qtbot, dialog)
    assert not dialog.form.read_only and dialog.keys_hint.isVisible()
    choose(dialog.form, "q9", 0)
    kept: list[bool] = []

    def lock_now() -> None:  # as the idle lock would, with the question still open
        assert isinstance(QApplication.activeModalWidget(), CorrectionReasonDialog)
        kept.append(dialog.keep_as_draft())
        vault.close()

    QTimer.singleShot(0, lock_now)
    assert dialog.form.complete() is False
    assert kept == [True]
    assert open_assessment_dialogs() == []
    assert QApplication.activeModalWidget() is None
    reopened = Vault.unlock(vault_path, PASSPHRASE)
    try:
        draft = assessments.find_in_progress(reopened, patient, "phq9", entry.response.id)
        assert draft is not None and draft.answers(PHQ9)["q9"] == "0"
        assert [h.response.id for h in assessments.history(reopened, patient)] == [
            entry.response.id
        ]
    finally:
        reopened.close()


@pytest.mark.parametrize("ident", [i.id for i in load_catalogue(None).instruments])
def test_every_bundled_instrument_is_filled_in_and_signed_through_the_form(
    qtbot: Any, vault: Vault, patient: uuid.UUID, ident: str
) -> None:
    instrument = load_catalogue(None).get(ident)
    form = make_form(qtbot, vault, patient, instrument)
    for _ in range(5):  # answering can show more questions
        for block in form.blocks.values():
            if isinstance(block, QuestionBlock) and not block.isHidden() and block.value() is None:
                _answer_plainly(qtbot, block)
    assert form.running is not None and form.running.required_left == 0
    assert form.complete() is True, form.message.text()
    [entry] = assessments.history(vault, patient, ident)
    assert entry.response.answers == {
        k: v for k, v in form.answers().items() if not form.block(k).isHidden()
    }
    if instrument.scoring is not None:
        assert form.score_label.text().startswith("Score: ")


def _answer_plainly(qtbot: Any, block: QuestionBlock) -> None:
    item = block.item
    if item.type in ("choice", "multi-choice", "boolean"):
        block.answer.choose(0)  # type: ignore[attr-defined]
        return
    if item.type in ("integer", "decimal"):
        low = item.points[0].min if item.points else int(item.min or 0)
        text = str(low)
    elif item.type == "date":
        text = "2025-01-15"
    else:
        text = "Synthetic answer"
    box = block.answer.focusProxy()
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
