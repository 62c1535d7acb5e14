"""The chart's Assessments tab against a real vault: history, trend, safety, unfinished
forms, rescreens due, suggested needs, the keyboard, and forgetting everything on lock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from carenav.instruments import get_instrument, parse_definition
from carenav.models import SuggestedNeed
from carenav.services import assessments as svc
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.item_models.assessments import (
    FLAGS,
    FORM,
    SCORE,
    SIGNED_BY,
    STATUS,
    URGENT,
    AssessmentHistoryModel,
)
from carenav.ui.pages.assessment.panel import AssessmentsPanel, DismissNeedDialog

PHQ9 = get_instrument("phq9")
GAD7 = get_instrument("gad7")
AHC = get_instrument("ahc-hrsn")
START = datetime(2025, 2, 3, 10, tzinfo=UTC)
FAMILY = "Quillfeather"
AHC_FOOD_RUNS_OUT = {
    "living-situation": "steady",
    "housing-problems": ["none"],
    "food-worry": "never",
    "food-didnt-last": "often",
    "transportation": "no",
    "utilities": "no",
    "physically-hurt": "never",
    "insult": "never",
    "threaten": "never",
    "scream-curse": "never",
}
UNSCORED = parse_definition(
    {
        "id": "home-visit-check",
        "title": "Home visit check",
        "version": "1",
        "source": "synthetic test form",
        "licence": "none",
        "items": [{"linkId": "ok", "text": "All well?", "type": "boolean", "required": True}],
    }
)


def phq9_answers(total: int, q9: str = "0") -> dict[str, str]:
    """PHQ-9 answers adding up to ``total`` plus item 9 (items 1-8 carry the rest)."""
    answers = {f"q{n}": "0" for n in range(1, 10)}
    left = total - int(q9)
    for n in range(1, 9):
        answers[f"q{n}"] = str(min(3, left))
        left -= min(3, left)
    answers["q9"] = q9
    return answers


def gad7_answers(total: int) -> dict[str, str]:
    answers = {}
    left = total
    for n in range(1, 8):
        answers[f"q{n}"] = str(min(3, left))
        left -= min(3, left)
    return answers


def sign(
    vault: Vault, patient: uuid.UUID, instrument: Any, answers: dict[str, Any], when: datetime
) -> svc.Completed:
    return svc.complete(vault, patient_id=patient, instrument=instrument, answers=answers, now=when)


def add_need(
    vault: Vault, patient: uuid.UUID, response_id: uuid.UUID, need: str, **extra: Any
) -> uuid.UUID:
    """A suggested need put in directly (as the findings of a form would)."""
    row = SuggestedNeed(
        patient_id=patient,
        response_id=response_id,
        questionnaire="phq9",
        code=need.lower().replace(" ", "-")[:60],
        need=need,
        domain="other",
        referral_category=extra.pop("referral", "Community services"),
        evidence=extra.pop("evidence", "Synthetic evidence"),
        found_at=extra.pop("found_at", START),
        **extra,
    )
    with vault.session() as session:
        session.add(row)
    return row.id


def answer_message_boxes(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[QMessageBox]:
    """Replace QMessageBox.exec: click the button with each text in turn; record the boxes."""
    asked: list[QMessageBox] = []
    queue = list(answers)

    def fake_exec(box: QMessageBox) -> int:
        asked.append(box)
        wanted = queue.pop(0)
        button = next(b for b in box.buttons() if b.text().replace("&", "") == wanted)
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return asked


def answer_dismiss_dialog(
    monkeypatch: pytest.MonkeyPatch, reason: str | None
) -> list[DismissNeedDialog]:
    """Replace the dialog's exec: type ``reason`` and press Dismiss, or press Cancel (None)."""
    seen: list[DismissNeedDialog] = []

    def fake_exec(dialog: DismissNeedDialog) -> int:
        seen.append(dialog)
        assert not dialog.dismiss_button.isEnabled()  # no reason yet: it cannot be dismissed
        if reason is None:
            dialog.cancel_button.click()
        else:
            dialog.reason.setText(reason)
            dialog.dismiss_button.click()
        return int(dialog.result())

    monkeypatch.setattr(DismissNeedDialog, "exec", fake_exec)
    return seen


def all_texts(root: QWidget) -> str:
    """Every text under root: labels, text boxes, combo boxes and every item model."""
    parts = [w.text() for w in root.findChildren(QLabel)]
    parts += [w.text() for w in root.findChildren(QLineEdit)]
    for combo in root.findChildren(QComboBox):
        parts += [combo.itemText(i) for i in range(combo.count())]
    for model in root.findChildren(QAbstractItemModel):
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
        for row in range(model.rowCount(QModelIndex())):
            for column in range(columns):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(model.index(row, column), role)
                    if value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def cell(model: AssessmentHistoryModel, row: int, column: int, role: int = 0) -> Any:
    return model.data(model.index(row, column), role or Qt.ItemDataRole.DisplayRole)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_unexpected_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected message box: {box.text()} {box.informativeText()}")

    def unexpected_dialog(dialog: DismissNeedDialog) -> int:
        raise AssertionError("unexpected dismiss dialog")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)
    monkeypatch.setattr(DismissNeedDialog, "exec", unexpected_dialog)


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    return create_patient(
        vault, {"family_name": FAMILY, "given_name": "Ottilie", "birth_date": date(1939, 8, 9)}
    )


@pytest.fixture
def panel(qtbot: Any) -> AssessmentsPanel:
    widget = AssessmentsPanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    return widget


# -- the history model ----------------------------------------------------------------------


def test_history_model_rows_say_score_band_flags_status_and_signer(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    first = sign(vault, patient, PHQ9, phq9_answers(12), START)
    svc.complete(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=phq9_answers(14, q9="1"),
        amends_id=first.response.id,
        amendment_reason="Item 9 was misheard",
        now=START + timedelta(days=1),
    )
    sign(vault, patient, UNSCORED, {"ok": True}, START - timedelta(days=3))
    model = AssessmentHistoryModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_entries(svc.history(vault, patient), {"phq9": PHQ9, UNSCORED.id: UNSCORED})

    assert model.rowCount() == 3
    assert [cell(model, r, SCORE) for r in range(3)] == ["14 of 27", "12 of 27", "—"]
    assert [cell(model, r, STATUS) for r in range(3)] == [
        "Corrected",
        f"Original, corrected on {format_date((START + timedelta(days=1)).astimezone().date())}",
        "Signed",
    ]
    assert cell(model, 0, FORM) == "PHQ-9"
    assert cell(model, 0, FORM, Qt.ItemDataRole.ToolTipRole) == PHQ9.title
    assert cell(model, 2, FORM) == "Home visit check"
    assert cell(model, 0, FLAGS).startswith("Urgent: PHQ-9 item 9 above 0")
    assert cell(model, 0, FLAGS, Qt.ItemDataRole.ForegroundRole) == URGENT
    assert "Assess safety today" in cell(model, 0, FLAGS, Qt.ItemDataRole.ToolTipRole)
    assert "Item 9 was misheard" in cell(model, 0, STATUS, Qt.ItemDataRole.ToolTipRole)
    assert "Urgent" not in cell(model, 1, FLAGS)
    assert cell(model, 0, SIGNED_BY) == vault.audit.user
    assert cell(model, 0, 0, Qt.ItemDataRole.UserRole) == model.response_id_at(0)
    assert model.row_of(first.response.id) == 1

    model.clear()
    assert model.rowCount() == 0


# -- history, filter and trend --------------------------------------------------------------


def test_an_amended_score_replaces_the_original_in_the_trend_and_both_rows_are_listed(
    panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    sign(vault, patient, PHQ9, phq9_answers(5), START)
    first = sign(vault, patient, PHQ9, phq9_answers(7), START + timedelta(days=30))
    svc.complete(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=phq9_answers(9),
        amends_id=first.response.id,
        amendment_reason="Answers read back wrongly",
        now=START + timedelta(days=31),
    )
    panel.show_patient(vault, patient)
    model = panel.history.model
    assert model.rowCount() == 3
    assert [cell(model, r, SCORE) for r in range(3)] == ["9 of 27", "7 of 27", "5 of 27"]
    trend = panel.history.trend
    assert not trend.isHidden()
    assert trend.chart.title() == "PHQ-9 over time"
    assert [p.y() for p in trend.points.points()] == [5, 9]


def test_the_filter_chooses_the_form_and_the_trend_hides_for_unscored_forms(
    panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    for n in range(3):
        sign(vault, patient, PHQ9, phq9_answers(4 + n), START + timedelta(days=30 * n))
    sign(vault, patient, GAD7, gad7_answers(6), START + timedelta(days=70))
    sign(vault, patient, AHC, AHC_FOOD_RUNS_OUT, START + timedelta(days=90))
    panel.show_patient(vault, patient)
    history = panel.history
    assert [history.filter.itemText(i) for i in range(history.filter.count())] == [
        "All forms",
        AHC.title,
        GAD7.title,
        PHQ9.title,
    ]
    # the newest row (AHC, no score) is selected: no trend
    assert cell(history.model, 0, SCORE) == "—"
    assert history.trend.isHidden()
    history.table.selectRow(1)  # GAD-7
    assert not history.trend.isHidden()
    assert history.trend.chart.title() == "GAD-7 over time"

    history.filter.setCurrentIndex(history.filter.findData("phq9"))
    assert history.model.rowCount() == 3
    assert {cell(history.model, r, FORM) for r in range(3)} == {"PHQ-9"}
    assert history.trend.chart.title() == "PHQ-9 over time"
    assert history.trend.point_count() == 3

    history.filter.setCurrentIndex(history.filter.findData("ahc-hrsn"))
    assert history.model.rowCount() == 1
    assert history.trend.isHidden()


def test_enter_and_double_click_ask_to_open_the_selected_form(
    qtbot: Any, panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    older = sign(vault, patient, PHQ9, phq9_answers(3), START)
    newer = sign(vault, patient, GAD7, gad7_answers(2), START + timedelta(days=5))
    panel.show_patient(vault, patient)
    table = panel.history.table
    with qtbot.waitSignal(panel.open_response_requested) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [newer.response.id]
    table.selectRow(1)
    with qtbot.waitSignal(panel.open_response_requested) as opened:
        table.doubleClicked.emit(panel.history.model.index(1, 0))
    assert opened.args == [older.response.id]
    with qtbot.waitSignal(panel.open_response_requested) as opened:
        panel.history.open_button.click()
    assert opened.args == [older.response.id]


# -- start and due ------------------------------------------------------------------------


def test_start_menu_offers_every_form_comprehensive_first_then_by_title(
    qtbot: Any, panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    panel.show_patient(vault, patient)
    items = panel.start_menu_items()
    ids = [ident for _title, ident in items]
    catalogue = panel.catalogue()
    assert sorted(ids) == sorted(i.id for i in catalogue.instruments)
    if "comprehensive" in ids:
        assert ids[0] == "comprehensive"
        items = items[1:]
    titles = [title for title, _ident in items]
    assert titles == sorted(titles, key=str.lower)
    action = next(a for a in panel.start_menu.actions() if a.data() == "gad7")
    with qtbot.waitSignal(panel.start_requested) as started:
        action.trigger()
    assert started.args == ["gad7"]


def test_rescreens_due_within_30_days_are_listed_and_overdue_ones_marked(
    panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    sign(vault, patient, PHQ9, phq9_answers(14), now - timedelta(days=80))  # due in 10 days
    panel.show_patient(vault, patient)
    due = (now - timedelta(days=80)).astimezone().date() + timedelta(days=90)
    assert panel.due_texts() == [f"PHQ-9 rescreen due {format_date(due)} (last: 14, moderate)"]
    assert panel.findChildren(QLabel, "dueSoon")

    sign(vault, patient, PHQ9, phq9_answers(16), now - timedelta(days=100))  # older: ignored
    patient_two = create_patient(
        vault, {"family_name": "Other", "given_name": "Bea", "birth_date": date(1950, 1, 1)}
    )
    sign(vault, patient_two, PHQ9, phq9_answers(15), now - timedelta(days=95))
    panel.show_patient(vault, patient_two)
    [text] = panel.due_texts()
    assert text.startswith("PHQ-9 rescreen overdue since ")
    assert text.endswith("(last: 15, moderately severe)")
    assert panel.findChildren(QLabel, "dueOverdue")


# -- safety ------------------------------------------------------------------------------


def test_the_safety_banner_shows_item_9_and_goes_after_a_newer_form_without(
    panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID, qtbot: Any
) -> None:
    panel.show_patient(vault, patient)
    assert panel.safety_banner.isHidden()
    flagged = sign(vault, patient, PHQ9, phq9_answers(11, q9="2"), START)
    panel.refresh()
    assert not panel.safety_banner.isHidden()
    when = format_date(START.astimezone().date())
    [text] = panel.safety_texts()
    assert text.startswith(f"PHQ-9 on {when}: item 9 above 0")
    assert text.endswith("Assess safety today.")
    button = panel.safety_banner.findChild(QPushButton)
    assert button is not None
    with qtbot.waitSignal(panel.open_response_requested) as opened:
        button.click()
    assert opened.args == [flagged.response.id]

    sign(vault, patient, PHQ9, phq9_answers(6), START + timedelta(days=14))
    panel.refresh()
    assert panel.safety_banner.isHidden()
    assert panel.safety_texts() == []


# -- unfinished forms --------------------------------------------------------------------


def test_resume_asks_for_the_form_and_the_correction_it_belongs_to(
    qtbot: Any, panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    signed = sign(vault, patient, PHQ9, phq9_answers(8), START)
    svc.save_answers(vault, patient_id=patient, instrument=GAD7, answers={"q1": "2"})
    svc.save_answers(
        vault,
        patient_id=patient,
        instrument=PHQ9,
        answers=phq9_answers(9),
        amends_id=signed.response.id,
    )
    panel.show_patient(vault, patient)
    assert not panel.unfinished_box.isHidden()
    texts = panel.unfinished_texts()
    assert len(texts) == 2
    when = format_date(START.astimezone().date())
    assert any(
        t.startswith(f"Correction to the PHQ-9 of {when}, last changed today") for t in texts
    )
    assert any(t.startswith(f"{GAD7.title}, last changed today at ") for t in texts)

    resumes = {b.accessibleName(): b for b in panel.unfinished_box.findChildren(QPushButton)}
    with qtbot.waitSignal(panel.resume_requested) as resumed:
        resumes[f"Resume {GAD7.title}"].click()
    assert resumed.args == ["gad7", None]
    with qtbot.waitSignal(panel.resume_requested) as resumed:
        resumes[f"Resume Correction to the PHQ-9 of {when}"].click()
    assert resumed.args == ["phq9", signed.response.id]


def test_discard_asks_first_and_keep_keeps_the_unfinished_form(
    qtbot: Any,
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc.save_answers(vault, patient_id=patient, instrument=GAD7, answers={"q1": "2"})
    panel.show_patient(vault, patient)
    discard = next(
        b for b in panel.unfinished_box.findChildren(QPushButton) if "Discard" in b.text()
    )

    asked = answer_message_boxes(monkeypatch, "Keep")
    discard.click()
    assert len(asked) == 1
    assert asked[0].text() == "Discard the unfinished GAD-7?"
    assert asked[0].defaultButton().text() == "Keep"
    assert [p.instrument_id for p in svc.in_progress(vault, patient)] == ["gad7"]
    assert not panel.unfinished_box.isHidden()

    answer_message_boxes(monkeypatch, "Discard")
    with qtbot.waitSignal(panel.forms_changed):
        discard.click()
    assert svc.in_progress(vault, patient) == []
    assert panel.unfinished_box.isHidden()
    assert panel.unfinished_texts() == []


# -- suggested needs -------------------------------------------------------------------------


@pytest.fixture
def two_needs(vault: Vault, patient: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    response = sign(vault, patient, PHQ9, phq9_answers(3), START)  # finds nothing itself
    assert svc.suggested_needs(vault, patient) == []
    meals = add_need(
        vault,
        patient,
        response.response.id,
        "Help with meals",
        evidence="Skips lunch most days",
        referral="Home-delivered meals",
    )
    rides = add_need(vault, patient, response.response.id, "Transport to appointments")
    return meals, rides


def test_suggested_needs_show_their_evidence_and_referral_and_can_be_accepted(
    qtbot: Any,
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    two_needs: tuple[uuid.UUID, uuid.UUID],
) -> None:
    panel.show_patient(vault, patient)
    assert sorted(panel.need_texts()) == ["Help with meals", "Transport to appointments"]
    texts = all_texts(panel)
    assert "Skips lunch most days" in texts
    assert "Suggested referral: Home-delivered meals." in texts
    assert panel.accepted_toggle.isHidden()

    accept = next(
        b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Accept Help with meals"
    )
    with qtbot.waitSignal(panel.needs_changed):
        accept.click()
    assert {n.need: n.status for n in svc.suggested_needs(vault, patient, status=None)} == {
        "Help with meals": "accepted",
        "Transport to appointments": "suggested",
    }
    assert panel.need_texts() == ["Transport to appointments"]
    assert not panel.accepted_toggle.isHidden()
    assert panel.accepted_toggle.text() == "Accepted for the care plan (1)"
    assert panel.accepted_box.isHidden()  # collapsed until asked
    panel.accepted_toggle.click()
    assert not panel.accepted_box.isHidden()
    [accepted] = panel.accepted_texts()
    assert accepted.startswith("Help with meals (accepted ")


def test_dismissing_a_need_asks_for_a_reason_and_cancel_changes_nothing(
    qtbot: Any,
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    two_needs: tuple[uuid.UUID, uuid.UUID],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel.show_patient(vault, patient)

    def dismiss_button() -> QPushButton:
        return next(
            b
            for b in panel.findChildren(QPushButton)
            if b.accessibleName() == "Dismiss Transport to appointments"
        )

    seen = answer_dismiss_dialog(monkeypatch, None)
    dismiss_button().click()
    assert len(seen) == 1
    assert len(svc.suggested_needs(vault, patient)) == 2
    assert len(panel.need_texts()) == 2

    seen = answer_dismiss_dialog(monkeypatch, "   ")
    dismiss_button().click()
    assert not seen[0].dismiss_button.isEnabled()  # spaces are no reason
    assert len(svc.suggested_needs(vault, patient)) == 2

    answer_dismiss_dialog(monkeypatch, "Daughter drives her every week")
    with qtbot.waitSignal(panel.needs_changed):
        dismiss_button().click()
    decided = {n.need: n for n in svc.suggested_needs(vault, patient, status=None)}
    assert decided["Transport to appointments"].status == "dismissed"
    assert decided["Transport to appointments"].decision_note == "Daughter drives her every week"
    assert decided["Help with meals"].status == "suggested"
    assert panel.need_texts() == ["Help with meals"]
    assert panel.accepted_toggle.isHidden()  # dismissed needs are not "accepted"


def test_needs_found_by_a_signed_form_are_offered(
    panel: AssessmentsPanel, vault: Vault, patient: uuid.UUID
) -> None:
    sign(vault, patient, AHC, AHC_FOOD_RUNS_OUT, START)
    panel.show_patient(vault, patient)
    assert any(text.startswith("Food insecurity") for text in panel.need_texts())
    assert panel.no_needs_hint.isHidden()


# -- keyboard -----------------------------------------------------------------------------


def test_tab_reaches_every_control_in_reading_order(
    qtbot: Any,
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    two_needs: tuple[uuid.UUID, uuid.UUID],
) -> None:
    sign(vault, patient, PHQ9, phq9_answers(10, q9="1"), START + timedelta(days=1))
    svc.save_answers(vault, patient_id=patient, instrument=GAD7, answers={"q1": "2"})
    panel.show_patient(vault, patient)
    panel.show()
    with qtbot.waitActive(panel):
        panel.activateWindow()
    panel.start_button.setFocus()
    reached: list[QWidget] = []
    for _ in range(30):
        widget = QApplication.focusWidget()
        assert widget is not None
        if widget in reached:
            break
        reached.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    names = [w.accessibleName() or w.text() if isinstance(w, QPushButton) else w for w in reached]
    assert reached[0] is panel.start_button
    assert "Open the PHQ-9 form" in names
    assert f"Resume {GAD7.title}" in names
    assert f"Discard {GAD7.title}" in names
    assert panel.history.filter in reached
    assert panel.history.table in reached
    assert "Accept Help with meals" in names and "Dismiss Help with meals" in names
    order = [
        reached.index(w) for w in (panel.start_button, panel.history.filter, panel.history.table)
    ]
    assert order == sorted(order)
    assert names.index(f"Resume {GAD7.title}") < reached.index(panel.history.filter)
    assert reached.index(panel.history.table) < names.index("Accept Help with meals")


# -- lock -------------------------------------------------------------------------------


def test_clear_leaves_no_patient_detail_anywhere(
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    two_needs: tuple[uuid.UUID, uuid.UUID],
) -> None:
    svc.decide_need(vault, two_needs[1], status="accepted")
    for n in range(4):
        sign(vault, patient, PHQ9, phq9_answers(10 + n, q9="1"), START + timedelta(days=20 * n))
    sign(vault, patient, GAD7, gad7_answers(5), START + timedelta(days=3))
    svc.save_answers(vault, patient_id=patient, instrument=GAD7, answers={"q1": "2"})
    panel.show_patient(vault, patient)
    panel.accepted_toggle.setChecked(True)
    before = all_texts(panel)
    for present in ("Help with meals", "Skips lunch", "13 of 27", "item 9", "rescreen", "GAD-7"):
        assert present in before

    panel.clear()
    after = all_texts(panel)
    for gone in (
        "Help with meals",
        "Skips lunch",
        "Transport to appointments",
        "of 27",
        "item 9",
        "rescreen",
        "last changed",
        "Accepted for",
        format_date(START.astimezone().date()),
        str(START.year),
        vault.audit.user,
    ):
        assert gone not in after, gone
    history = panel.history
    assert history.model.rowCount() == 0
    assert [history.filter.itemText(i) for i in range(history.filter.count())] == ["All forms"]
    assert history.trend.point_count() == 0 and history.trend.axis_labels() == []
    assert history.trend.chart.title() == ""
    assert panel.safety_banner.isHidden() and panel.unfinished_box.isHidden()
    assert panel.vault is None and panel.patient_id is None
    assert not panel.start_button.isEnabled()
    panel.refresh()  # nothing to read: stays empty
    assert history.model.rowCount() == 0


def test_a_dismiss_question_open_when_the_vault_locks_changes_nothing(
    panel: AssessmentsPanel,
    vault: Vault,
    patient: uuid.UUID,
    two_needs: tuple[uuid.UUID, uuid.UUID],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel.show_patient(vault, patient)

    def lock_while_asking(dialog: DismissNeedDialog) -> int:
        dialog.reason.setText("typed before the lock")
        panel.clear()  # the vault locks while the question is open
        return int(dialog.result())

    monkeypatch.setattr(DismissNeedDialog, "exec", lock_while_asking)
    assert not panel.dismiss_need(svc.suggested_needs(vault, patient)[0])
    assert len(svc.suggested_needs(vault, patient)) == 2  # nothing was dismissed
    assert panel.need_texts() == []
    assert panel.dialog is None
