"""The chart's Care plan tab against a real vault: the tree model, the keyboard, saving as
typed, removal and undo, reordering, adding from findings and templates, the CMS
checklist and publishing, drafts on lock, and forgetting everything on clear()."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from carenav.instruments import get_instrument
from carenav.models import Condition, PlanGoal
from carenav.services import assessments
from carenav.services import care_plans as plans
from carenav.services.chart import add_chart_record
from carenav.services.drafts import drafts_for
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.item_models.care_plan import (
    GOAL,
    ID_ROLE,
    INTERVENTION,
    KIND_ROLE,
    NEED,
    PLAN_DETAILS,
    SUBTITLE_ROLE,
    CarePlanModel,
)
from carenav.ui.pages.care_plan.panel import DRAFT_PREFIX, CarePlanPanel
from carenav.ui.pages.care_plan.publishing import MissingElementsDialog, PublishDialog
from carenav.ui.pages.care_plan.suggestions import AddFromDialog

FAMILY = "Quillfeather"
NEED_TEXT = "Zebrafinch falls on the back stairs"
GOAL_TEXT = "Walk to the mailbox with my stick"
ACTION_TEXT = "Order grab rails for the stairs"


# -- helpers ---------------------------------------------------------------------------------


def all_texts(root: QWidget) -> str:
    """Every text under root: labels, text boxes, combo boxes and every item model."""
    parts = [w.text() for w in root.findChildren(QLabel)]
    parts += [w.text() for w in root.findChildren(QLineEdit)]
    parts += [w.toPlainText() for w in root.findChildren(QPlainTextEdit)]
    for combo in root.findChildren(QComboBox):
        parts += [combo.itemText(i) for i in range(combo.count())]
    for model in root.findChildren(QAbstractItemModel):
        parts += model_texts(model)
    return "\n".join(parts)


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    texts: list[str] = []
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SUBTITLE_ROLE):
                value = model.data(index, role)
                if value is not None:
                    texts.append(str(value))
        texts += model_texts(model, model.index(row, 0, parent))
    return texts


def tree_rows(panel: CarePlanPanel) -> list[str]:
    """The first column of every row, depth first ('Goal: …' under its need)."""
    model = panel.model
    rows: list[str] = []
    for row in range(model.rowCount()):
        top = model.index(row, 0)
        rows.append(str(top.data()))
        rows += [str(model.index(r, 0, top).data()) for r in range(model.rowCount(top))]
    return rows


def current_text(panel: CarePlanPanel) -> str:
    return str(panel.tree.currentIndex().data())


def select(panel: CarePlanPanel, record_id: uuid.UUID) -> None:
    panel.tree.select(panel.model.index_for(record_id))
    assert panel.model.node(panel.tree.currentIndex()) is not None


def when_dialog(panel: CarePlanPanel, kind: type[QDialog], act: Callable[[Any], None]) -> None:
    """Run ``act`` on the panel's next modal dialog once it is open (it must be a ``kind``)."""

    def run() -> None:
        dialog = panel.dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(10, run)
            return
        try:
            assert isinstance(dialog, kind), type(dialog)
            act(dialog)
        except BaseException:
            dialog.reject()  # never leave a test waiting on an open dialog
            raise

    QTimer.singleShot(0, run)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def phq9_answers(total: int) -> dict[str, str]:
    answers = {f"q{n}": "0" for n in range(1, 10)}
    left = total
    for n in range(1, 9):
        answers[f"q{n}"] = str(min(3, left))
        left -= min(3, left)
    return answers


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_unexpected_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(*args: Any, **_kwargs: Any) -> Any:
        raise AssertionError(f"unexpected message box: {args[2:] if len(args) > 2 else args}")

    for name in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, name, unexpected)


def make_patient(vault: Vault, programs: list[str] | None = None) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": FAMILY,
            "given_name": "Ottilie",
            "birth_date": date(1939, 8, 9),
            "programs": programs or [],
        },
    )


@pytest.fixture
def patient(vault: Vault) -> uuid.UUID:
    return make_patient(vault)


@pytest.fixture
def panel(qtbot: Any) -> Iterator[CarePlanPanel]:
    widget = CarePlanPanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    yield widget
    widget.clear()  # as the lock does: no timer outlives the vault


@pytest.fixture
def shown(qtbot: Any, panel: CarePlanPanel) -> CarePlanPanel:
    """The panel on screen and active, so that the keyboard goes where it is sent."""
    panel.show()
    with qtbot.waitActive(panel):
        panel.activateWindow()
    return panel


def plan_with(vault: Vault, patient: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    plan = plans.start_plan(vault, patient)
    falls = plans.add_need(vault, plan.id, {"text": NEED_TEXT, "domain": "falls"})
    goal = plans.add_goal(
        vault,
        plan.id,
        falls.id,
        {"text": GOAL_TEXT, "measure": "Days walked", "target_value": "5 of 7 days"},
    )
    rails = plans.add_intervention(
        vault, plan.id, falls.id, {"what": ACTION_TEXT, "responsible": "agency"}
    )
    lonely = plans.add_need(vault, plan.id, {"text": "Lonely since moving", "domain": "social"})
    sugar = plans.add_need(vault, plan.id, {"text": "Blood sugar high", "domain": "medical"})
    return plan.id, {"falls": falls, "goal": goal, "rails": rails, "lonely": lonely, "sugar": sugar}


# -- the tree model ----------------------------------------------------------------------------


def test_the_tree_model_passes_qt_checks_and_shows_needs_goals_and_interventions(
    qtbot: Any, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    model = CarePlanModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_plan(plans.load_plan(vault, plan_id))
    assert model.rowCount() == 4  # plan details and three needs
    top = [model.index(r, 0).data() for r in range(4)]
    assert top == [PLAN_DETAILS, NEED_TEXT, "Lonely since moving", "Blood sugar high"]
    falls = model.index_for(made["falls"].id)
    children = [model.index(r, 0, falls).data() for r in range(model.rowCount(falls))]
    assert children == [f"Goal: {GOAL_TEXT}", f"Intervention: {ACTION_TEXT}"]
    goal = model.index_for(made["goal"].id)
    assert goal.parent() == falls
    assert goal.data(KIND_ROLE) == GOAL and goal.data(ID_ROLE) == made["goal"].id.hex
    assert goal.siblingAtColumn(1).data() == "Proposed"
    assert goal.siblingAtColumn(2).data() == "5 of 7 days"
    assert goal.data(SUBTITLE_ROLE) == "Goal · Proposed · 5 of 7 days"
    rails = model.index_for(made["rails"].id)
    assert rails.data(KIND_ROLE) == INTERVENTION
    assert rails.siblingAtColumn(2).data() == "Agency"
    assert falls.data(SUBTITLE_ROLE) == "1 goal, 1 intervention · Falls"
    assert model.rowCount(model.index_for(made["lonely"].id)) == 0
    changed = plans.update_item(
        vault, PlanGoal, made["goal"].id, {"target_date": date(2027, 2, 1), "status": "achieved"}
    )
    assert model.update_record(changed)
    assert goal.siblingAtColumn(2).data() == "5 of 7 days by 1 Feb 2027"
    assert goal.data(Qt.ItemDataRole.ForegroundRole) is not None  # achieved: muted
    model.clear()
    assert model.rowCount() == 0 and not model.index_for(made["goal"].id).isValid()
    del tester


# -- starting ----------------------------------------------------------------------------------


def test_without_a_plan_the_tab_offers_to_start_one(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    panel.show_patient(vault, patient)
    assert panel.stack.currentIndex() == 0
    assert panel.start_button.isEnabled()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    plan = plans.current_plan(vault, patient)
    assert plan is not None and plan.status == "draft"
    assert panel.stack.currentIndex() == 1
    assert tree_rows(panel) == [PLAN_DETAILS]
    assert panel.badge.text() == "Draft, not yet published"
    assert panel.publish_button.text() == "Publish version 1…"
    assert "Care plan started" in panel.strip_text.text()


# -- the keyboard -----------------------------------------------------------------------------


def test_a_need_a_goal_and_an_intervention_are_added_with_the_keyboard_only(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    panel = shown
    plan = plans.start_plan(vault, patient)
    panel.show_patient(vault, patient)
    panel.setFocus()  # as the chart does for Ctrl+8
    assert focused() is panel.tree
    qtbot.keyClick(panel.tree, Qt.Key.Key_Insert)  # on Plan details: a need at once
    assert panel.editor.is_adding() and focused() is panel.editor.new_page.line
    qtbot.keyClicks(focused(), NEED_TEXT)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert [n.need.text for n in plans.load_plan(vault, plan.id).needs] == [NEED_TEXT]
    assert current_text(panel) == NEED_TEXT
    assert focused() is panel.editor.editor(NEED, "domain").widget  # the next detail
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert focused() is panel.tree

    qtbot.keyClick(panel.tree, Qt.Key.Key_Insert)  # on a need: a small menu
    menu = panel.tree.add_menu
    assert isinstance(menu, QMenu) and menu.isVisible()
    assert [a.text() for a in menu.actions() if a.text()] == [
        "&Goal for this need",
        "&Intervention for this need",
        "&New need",
    ]
    qtbot.keyClick(menu, Qt.Key.Key_Return)  # the first: a goal
    qtbot.keyClicks(focused(), GOAL_TEXT)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert current_text(panel) == f"Goal: {GOAL_TEXT}"
    assert focused() is panel.editor.editor(GOAL, "measure").widget
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)

    qtbot.keyClick(panel.tree, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    menu = panel.tree.add_menu
    assert menu is not None and menu.isVisible()
    qtbot.keyClick(menu, Qt.Key.Key_I)  # its mnemonic
    assert "For the need: " + NEED_TEXT in panel.editor.new_page.context.text()
    qtbot.keyClicks(focused(), ACTION_TEXT)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    view = plans.load_plan(vault, plan.id)
    assert [g.text for g in view.goals()] == [GOAL_TEXT]
    assert [i.what for i in view.interventions()] == [ACTION_TEXT]
    assert view.interventions()[0].need_id == view.needs[0].need.id
    assert tree_rows(panel) == [
        PLAN_DETAILS,
        NEED_TEXT,
        f"Goal: {GOAL_TEXT}",
        f"Intervention: {ACTION_TEXT}",
    ]
    # Enter on a row puts the keyboard in its first field
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up)
    assert current_text(panel) == f"Goal: {GOAL_TEXT}"
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert focused() is panel.editor.editor(GOAL, "text").widget


def test_an_empty_new_item_is_refused_beside_the_field_and_esc_cancels(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan = plans.start_plan(vault, patient)
    shown.show_patient(vault, patient)
    shown.tree.setFocus()
    qtbot.keyClick(shown.tree, Qt.Key.Key_Insert)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown.editor.new_page.message.text() == "Write the need first."
    assert plans.load_plan(vault, plan.id).needs == []
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not shown.editor.is_adding() and focused() is shown.tree


# -- saving as typed ------------------------------------------------------------------------


def test_a_goals_target_is_saved_as_it_is_typed_and_a_bad_date_keeps_what_was_typed(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    changes: list[None] = []
    shown.plan_changed.connect(lambda: changes.append(None))
    shown.show_patient(vault, patient)
    select(shown, made["goal"].id)
    target = shown.editor.editor(GOAL, "target_value").widget
    assert isinstance(target, QLineEdit) and target.text() == "5 of 7 days"
    target.setFocus()
    target.selectAll()
    qtbot.keyClicks(target, "At least 6 of 7 days")
    qtbot.keyClick(target, Qt.Key.Key_Tab)  # leaving the field commits it
    assert plans.load_plan(vault, plan_id).goals()[0].target_value == "At least 6 of 7 days"
    row = shown.model.index_for(made["goal"].id)
    assert row.siblingAtColumn(2).data() == "At least 6 of 7 days"

    date_box = shown.editor.editor(GOAL, "target_date").widget.line  # type: ignore[attr-defined]
    date_box.setFocus()
    qtbot.keyClicks(date_box, "2027-13-45")
    qtbot.keyClick(date_box, Qt.Key.Key_Return)
    message = shown.editor.editor(GOAL, "target_date").message
    assert message.isVisibleTo(shown) and "date" in message.text().lower()
    assert date_box.text() == "2027-13-45"  # nothing typed is lost
    assert plans.load_plan(vault, plan_id).goals()[0].target_date is None
    date_box.selectAll()
    qtbot.keyClicks(date_box, "2027-03-01")
    qtbot.waitUntil(lambda: plans.load_plan(vault, plan_id).goals()[0].target_date is not None)
    assert plans.load_plan(vault, plan_id).goals()[0].target_date == date(2027, 3, 1)
    assert not message.isVisibleTo(shown)  # saved after a pause, with no key to commit
    qtbot.waitUntil(lambda: bool(changes))  # the chart is told (after a short pause)
    assert shown.badge.text() == "Draft, not yet published"

    status = shown.editor.editor(GOAL, "status").widget
    assert isinstance(status, QComboBox)
    status.setFocus()
    qtbot.keyClick(status, Qt.Key.Key_Down)  # a choice is saved at once
    qtbot.waitUntil(lambda: plans.load_plan(vault, plan_id).goals()[0].status == "in-progress")


def test_a_provider_or_agency_must_be_named_beside_the_field(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    _plan_id, made = plan_with(vault, patient)
    panel.show_patient(vault, patient)
    select(panel, made["rails"].id)
    name = panel.editor.editor(INTERVENTION, "responsible_name")
    assert "Name the provider or agency" in name.message.text()
    assert isinstance(name.widget, QLineEdit)
    qtbot.keyClicks(name.widget, "Homefix Ltd")
    assert name.message.text() == ""


# -- removing, undoing, reordering ----------------------------------------------------------


def test_delete_removes_at_once_and_ctrl_z_or_undo_puts_it_back(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    shown.show_patient(vault, patient)
    select(shown, made["goal"].id)
    shown.tree.setFocus()
    qtbot.keyClick(shown.tree, Qt.Key.Key_Delete)
    assert plans.load_plan(vault, plan_id).goals() == []
    assert f"Goal: {GOAL_TEXT}" not in tree_rows(shown)
    assert shown.strip_text.text() == "Goal removed."
    assert shown.strip_button.text() == "Undo" and shown.strip_button.isVisibleTo(shown)
    assert current_text(shown) == f"Intervention: {ACTION_TEXT}"  # the next row
    qtbot.keyClick(shown.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [g.text for g in plans.load_plan(vault, plan_id).goals()] == [GOAL_TEXT]
    assert current_text(shown) == f"Goal: {GOAL_TEXT}"

    select(shown, made["falls"].id)
    qtbot.keyClick(shown.tree, Qt.Key.Key_Delete)
    view = plans.load_plan(vault, plan_id)
    assert NEED_TEXT not in [n.need.text for n in view.needs] and view.goals() == []
    assert shown.strip_text.text() == "Need removed, with its 1 goal and 1 intervention."
    qtbot.mouseClick(shown.strip_button, Qt.MouseButton.LeftButton)
    view = plans.load_plan(vault, plan_id)
    assert view.needs[0].need.text == NEED_TEXT
    assert len(view.goals()) == 1 and len(view.interventions()) == 1
    qtbot.keyClick(shown.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nothing left
    assert len(plans.load_plan(vault, plan_id).needs) == 3


def test_plan_details_cannot_be_removed(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, _made = plan_with(vault, patient)
    shown.show_patient(vault, patient)
    select(shown, plan_id)
    qtbot.keyClick(shown.tree, Qt.Key.Key_Delete)
    assert len(plans.load_plan(vault, plan_id).needs) == 3
    assert tree_rows(shown)[0] == PLAN_DETAILS


def test_ctrl_up_and_down_reorder_needs_and_goals(
    qtbot: Any, shown: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    shown.show_patient(vault, patient)
    select(shown, made["sugar"].id)
    shown.tree.setFocus()
    qtbot.keyClick(shown.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    order = [n.need.text for n in plans.load_plan(vault, plan_id).needs]
    assert order == [NEED_TEXT, "Blood sugar high", "Lonely since moving"]
    top = [r for r in tree_rows(shown) if not r.startswith(("Goal", "Intervention"))]
    assert top == [PLAN_DETAILS, *order]
    assert current_text(shown) == "Blood sugar high"  # the moved row stays current
    qtbot.keyClick(shown.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shown.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)  # at the top
    order = [n.need.text for n in plans.load_plan(vault, plan_id).needs]
    assert order == ["Blood sugar high", NEED_TEXT, "Lonely since moving"]

    extra = plans.add_goal(vault, plan_id, made["falls"].id, {"text": "Sleep through the night"})
    shown.refresh()
    select(shown, extra.id)
    qtbot.keyClick(shown.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    goals = [g.text for g in plans.load_plan(vault, plan_id).goals()]
    assert goals == ["Sleep through the night", GOAL_TEXT]
    qtbot.keyClick(shown.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    goals = [g.text for g in plans.load_plan(vault, plan_id).goals()]
    assert goals == [GOAL_TEXT, "Sleep through the night"]


# -- adding from findings, problems and templates ---------------------------------------------


def test_a_need_found_by_the_phq9_is_added_with_its_evidence(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    assessments.complete(
        vault, patient_id=patient, instrument=get_instrument("phq9"), answers=phq9_answers(14)
    )
    add_chart_record(vault, Condition, patient, {"text": "Osteoarthritis", "icd10_code": "M19.90"})
    plan = plans.start_plan(vault, patient)
    panel.show_patient(vault, patient)
    seen: dict[str, Any] = {}

    def tick(dialog: AddFromDialog) -> None:
        item = dialog.item_for("Depression symptoms")
        assert item is not None
        seen["add_enabled"] = dialog.add_button.isEnabled()
        dialog.tree.setCurrentItem(item)
        seen["detail"] = dialog.detail.text()
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Space)
        problem = dialog.item_for("Osteoarthritis (M19.90)")
        assert problem is not None
        dialog.tree.setCurrentItem(problem)
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Space)
        seen["button"] = dialog.add_button.text()
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, AddFromDialog, tick)
    assert panel.add_from()
    assert seen["add_enabled"] is False  # nothing is ticked at first
    assert "PHQ-9 score 14" in seen["detail"]
    assert seen["button"] == "Add 2 to the plan"
    view = plans.load_plan(vault, plan.id)
    assert [n.need.text for n in view.needs] == ["Depression symptoms", "Osteoarthritis (M19.90)"]
    found = view.needs[0].need
    assert found.source == "finding" and "PHQ-9 score 14" in found.evidence
    assert view.needs[1].need.source == "condition"
    assert current_text(panel) == "Depression symptoms"  # the first added is selected
    assert assessments.suggested_needs(vault, patient) == []  # accepted
    assert panel.strip_text.text() == "2 items added to the plan."


def test_ticked_template_items_become_ordinary_records_with_dates_from_today(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    templates = pytest.importorskip("carenav.plan_templates")
    heart = templates.get_template("heart-failure")
    need = heart.needs[0]
    goal = need.goals[0]
    add_chart_record(vault, Condition, patient, {"text": "Heart failure", "icd10_code": "I50.9"})
    plan = plans.start_plan(vault, patient)
    panel.show_patient(vault, patient)
    seen: dict[str, Any] = {}

    def tick(dialog: AddFromDialog) -> None:
        templates_row = dialog.tree.topLevelItem(2)
        assert templates_row is not None
        seen["first"] = templates_row.child(0).text(0)  # type: ignore[union-attr]
        row = dialog.item_for(f"Goal: {goal.text}")
        assert row is not None
        dialog.tree.setCurrentItem(row)
        seen["detail"] = dialog.detail.text()
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Space)
        seen["button"] = dialog.add_button.text()
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, AddFromDialog, tick)
    assert panel.add_from()
    assert seen["first"] == f"{heart.title} (suggested for I50.9)"  # suggested first
    assert goal.measure in seen["detail"]
    assert seen["button"] == "Add 2 to the plan"  # the goal and its need
    view = plans.load_plan(vault, plan.id)
    assert [n.need.text for n in view.needs] == [need.text]
    assert view.needs[0].need.template == heart.id
    added = view.goals()[0]
    assert (added.text, added.measure, added.target_value) == (
        goal.text,
        goal.measure,
        goal.target_value,
    )
    assert added.target_date == date.today() + timedelta(days=goal.target_days)
    assert view.interventions() == []  # only what was ticked
    assert current_text(panel) == need.text

    def select_all(dialog: AddFromDialog) -> None:
        row = dialog.item_for(f"{heart.title} (suggested")
        assert row is not None
        need_row = row.child(0)
        assert need_row is not None
        dialog.tree.setCurrentItem(need_row.child(0))  # type: ignore[arg-type]
        qtbot.mouseClick(dialog.select_all, Qt.MouseButton.LeftButton)
        seen["all"] = dialog.add_button.text()
        seen["again"] = dialog.item_for(f"{need.text} (already in the plan)") is not None
        dialog.reject()

    when_dialog(panel, AddFromDialog, select_all)
    assert not panel.add_from()
    count = len(heart.needs) + len(heart.goals) + len(heart.interventions)
    assert seen["all"] == f"Add {count} to the plan"
    assert seen["again"]
    assert len(plans.load_plan(vault, plan.id).needs) == 1  # cancelled: nothing added


# -- CMS elements and publishing ------------------------------------------------------------


def test_a_ccm_plan_lists_missing_elements_and_is_not_published_until_reasons_are_recorded(
    qtbot: Any, panel: CarePlanPanel, vault: Vault
) -> None:
    patient = make_patient(vault, ["ccm"])
    plan_id, _made = plan_with(vault, patient)
    panel.show_patient(vault, patient)
    assert panel.cms_required and panel.checklist_button.isChecked()
    listed = panel.checklist.texts()
    assert "✓  Problem list" in listed
    assert "○  Expected outcome and prognosis" in listed
    assert "○  Periodic review and revision" in listed
    assert "Needed before publishing" in panel.checklist.summary.text()
    seen: dict[str, Any] = {}

    def go_back(dialog: MissingElementsDialog) -> None:
        seen["missing"] = dialog.missing_texts()
        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, MissingElementsDialog, go_back)
    assert not panel.publish()
    assert "Expected outcome and prognosis" in seen["missing"]
    assert "Periodic review and revision" in seen["missing"]
    assert "Problem list" not in seen["missing"]
    assert panel.strip_text.text().startswith("Not published: ")
    assert plans.load_plan(vault, plan_id).versions == []

    # one element met through the editor, one excused from the checklist
    select(panel, plan_id)
    review = panel.editor.editor("plan", "next_review").widget.line  # type: ignore[attr-defined]
    review.setText((date.today() + timedelta(days=90)).isoformat())
    review.editingFinished.emit()
    panel._refresh_status()
    assert "✓  Periodic review and revision" in panel.checklist.texts()
    assert panel.record_exception("coordination", "No outside agencies involved yet")
    assert "Left out: No outside agencies involved yet" in all_texts(panel.checklist)

    def give_reasons(dialog: MissingElementsDialog) -> None:
        seen["second"] = dialog.missing_texts()
        for line in dialog.reasons.values():
            line.setText("To be discussed with the family next visit")
        seen["record"] = dialog.record_button.text()
        when_dialog(panel, PublishDialog, publish_it)
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)

    def publish_it(dialog: PublishDialog) -> None:
        qtbot.keyClicks(dialog.note, "First plan with the family")
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, MissingElementsDialog, give_reasons)
    assert panel.publish()
    assert "Periodic review and revision" not in seen["second"]
    assert "How outside agencies and specialists are coordinated" not in seen["second"]
    assert seen["record"] == "Record reasons and publish"
    view = plans.load_plan(vault, plan_id)
    assert [v.number for v in view.versions] == [1]
    assert view.versions[0].change_note == "First plan with the family"
    assert view.plan.cms_exceptions["outcome-prognosis"].startswith("To be discussed")
    assert panel.badge.text() == "Active, version 1"


def test_publishing_makes_version_1_then_changes_show_and_version_2_lists_them(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    panel.show_patient(vault, patient)
    assert not panel.cms_required and not panel.checklist_button.isChecked()
    assert "Guidance only" in panel.checklist.summary.text()
    seen: dict[str, Any] = {}

    def first(dialog: PublishDialog) -> None:
        seen["first"] = all_texts(dialog)
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, PublishDialog, first)
    assert panel.publish()
    assert "This is the first version." in seen["first"]
    assert panel.badge.text() == "Active, version 1"
    assert panel.publish_button.text() == "Publish version 2…"
    assert not panel.publish_button.isEnabled()
    assert "Version 1 published" in panel.strip_text.text()

    select(panel, made["goal"].id)
    target = panel.editor.editor(GOAL, "target_value").widget
    assert isinstance(target, QLineEdit)
    target.setText("7 of 7 days")
    target.editingFinished.emit()
    qtbot.waitUntil(lambda: "unpublished changes" in panel.badge.text())
    assert panel.badge.text() == "Active, version 1, with unpublished changes"
    assert panel.publish_button.isEnabled()

    def second(dialog: PublishDialog) -> None:
        seen["changes"] = dialog.change_texts
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)

    when_dialog(panel, PublishDialog, second)
    assert panel.publish()
    assert any("target from '5 of 7 days' to '7 of 7 days'" in c for c in seen["changes"])
    assert [v.number for v in plans.load_plan(vault, plan_id).versions] == [1, 2]
    assert panel.badge.text() == "Active, version 2"


# -- lock: drafts and forgetting ----------------------------------------------------------------


def test_keep_as_draft_saves_pending_typing_and_keeps_refused_values_as_a_draft(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    plan_id, made = plan_with(vault, patient)
    panel.show_patient(vault, patient)
    select(panel, made["goal"].id)
    measure = panel.editor.editor(GOAL, "measure").widget
    assert isinstance(measure, QLineEdit)
    measure.setText("Steps counted by the phone")  # typed, not yet committed
    date_field = panel.editor.editor(GOAL, "target_date").widget
    date_field.line.setText("31/02/2027")  # type: ignore[attr-defined]
    assert panel.keep_as_draft()
    panel.clear()
    assert plans.load_plan(vault, plan_id).goals()[0].measure == "Steps counted by the phone"
    drafts = [d for d in drafts_for(vault, patient) if d.form.startswith(DRAFT_PREFIX)]
    assert [(d.form, d.record_id, d.payload) for d in drafts] == [
        ("care-plan:goal", made["goal"].id, {"target_date": "31/02/2027"})
    ]

    panel.show_patient(vault, patient)  # unlocked again
    select(panel, made["goal"].id)
    assert date_field.line.text() == "31/02/2027"  # type: ignore[attr-defined]
    assert panel.editor.editor(GOAL, "target_date").message.text()
    assert "marked in red" in panel.strip_text.text()
    date_field.line.setText("2027-02-28")  # type: ignore[attr-defined]
    date_field.line.editingFinished.emit()  # type: ignore[attr-defined]
    assert plans.load_plan(vault, plan_id).goals()[0].target_date == date(2027, 2, 28)
    assert not [d for d in drafts_for(vault, patient) if d.form.startswith(DRAFT_PREFIX)]


def test_clear_leaves_no_patient_text_in_any_widget_or_model(
    qtbot: Any, panel: CarePlanPanel, vault: Vault
) -> None:
    patient = make_patient(vault, ["ccm"])
    plan_id, made = plan_with(vault, patient)
    plans.update_plan(vault, plan_id, {"expected_outcome": "Stays at home in Larkspur Lane"})
    plans.add_progress(
        vault, made["goal"].id, {"noted_on": date.today(), "value": "3 of 7", "note": "Sore hip"}
    )
    plans.set_cms_exception(vault, plan_id, "coordination", "Waiting for Dr Pomegranate")
    panel.show_patient(vault, patient)
    select(panel, made["goal"].id)
    before = all_texts(panel)
    for present in (NEED_TEXT, GOAL_TEXT, ACTION_TEXT, "Sore hip", "Dr Pomegranate"):
        assert present in before, present
    select(panel, plan_id)
    assert "Larkspur Lane" in all_texts(panel)

    panel.clear()
    after = all_texts(panel)
    for gone in (
        NEED_TEXT,
        GOAL_TEXT,
        ACTION_TEXT,
        "Lonely since moving",
        "Larkspur Lane",
        "Sore hip",
        "3 of 7",
        "Dr Pomegranate",
        "5 of 7 days",
        "Days walked",
        "Draft, not yet",
        FAMILY,
    ):
        assert gone not in after, gone
    assert panel.model.rowCount() == 0
    assert panel.vault is None and panel.patient_id is None and panel.view is None
    assert panel.undo_stack == [] and panel.kept == {}
    assert not panel.start_button.isEnabled()
    panel.refresh()  # nothing to read: stays empty
    assert panel.model.rowCount() == 0


def test_a_progress_note_dialog_open_when_the_vault_locks_is_kept_and_offered_back(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    _plan_id, made = plan_with(vault, patient)
    panel.show_patient(vault, patient)
    select(panel, made["goal"].id)
    seen: dict[str, Any] = {}

    def type_then_lock(dialog: QDialog) -> None:
        note = dialog.editors["note"].widget  # type: ignore[attr-defined]
        note.setPlainText("Walked twice with the neighbour")
        seen["kept"] = panel.keep_as_draft()
        panel.clear()

    when_dialog(panel, QDialog, type_then_lock)
    assert not panel.add_progress()
    assert seen["kept"]
    panel.show_patient(vault, patient)
    assert panel.strip_text.text() == "You were writing a progress note when the vault locked."

    def check(dialog: QDialog) -> None:
        note = dialog.editors["note"].widget  # type: ignore[attr-defined]
        seen["text"] = note.toPlainText()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    when_dialog(panel, QDialog, check)
    qtbot.mouseClick(panel.strip_button, Qt.MouseButton.LeftButton)
    assert seen["text"] == "Walked twice with the neighbour"
    notes = plans.load_plan(vault, _plan_id).needs[0].goals[0].progress
    assert [n.note for n in notes] == ["Walked twice with the neighbour"]
    assert not [d for d in drafts_for(vault, patient) if d.form.startswith(DRAFT_PREFIX)]


# -- progress, education and appeals --------------------------------------------------------------


def test_progress_education_and_a_denied_service_are_recorded_from_the_editor(
    qtbot: Any, panel: CarePlanPanel, vault: Vault, patient: uuid.UUID
) -> None:
    templates = pytest.importorskip("carenav.plan_templates")
    heart = templates.get_template("heart-failure")
    goal_spec = next(g for g in heart.goals if g.education)
    topic = heart.education_topic(goal_spec.education[0]).topic
    plan = plans.start_plan(vault, patient)
    need = plans.add_need(vault, plan.id, {"text": "Fluid build-up", "template": heart.id})
    goal = plans.add_goal(vault, plan.id, need.id, {"text": goal_spec.text})
    panel.show_patient(vault, patient)
    select(panel, goal.id)
    assert panel.editor.progress_list.texts() == []
    seen: dict[str, Any] = {}

    def note(dialog: QDialog) -> None:
        editors = dialog.editors  # type: ignore[attr-defined]
        assert editors["noted_on"].value() == date.today().isoformat()
        assert dialog.focusWidget() is editors["value"].widget  # the date is filled in
        qtbot.keyClicks(editors["value"].widget, "181 lb")
        editors["note"].widget.setPlainText("Ankles less swollen")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    when_dialog(panel, QDialog, note)
    qtbot.mouseClick(panel.editor.progress_list.add_button, Qt.MouseButton.LeftButton)
    today = date.today()
    assert panel.editor.progress_list.texts() == [
        f"{today.day} {today.strftime('%b')} {today.year} · 181 lb: Ankles less swollen"
    ]

    def teach(dialog: QDialog) -> None:
        chips = [b.text() for b in dialog.findChildren(QPushButton, "topicChip")]
        seen["chips"] = chips
        chip = next(b for b in dialog.findChildren(QPushButton, "topicChip") if b.text() == topic)
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
        dialog.editors["recipient"].set_value("daughter")  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    when_dialog(panel, QDialog, teach)
    qtbot.mouseClick(panel.editor.education_list.add_button, Qt.MouseButton.LeftButton)
    assert seen["chips"][0] == topic  # the goal's own topics first
    taught = plans.load_plan(vault, plan.id).education
    assert [(e.topic, e.recipient, e.goal_id) for e in taught] == [(topic, "daughter", goal.id)]
    assert (
        f"{topic} to daughter (teach-back; understanding: good)"
        in (panel.editor.education_list.texts()[0])
    )

    select(panel, plan.id)

    def denied(dialog: QDialog) -> None:
        editors = dialog.editors  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        seen["refused"] = editors["service"].message.text()  # required: stays open
        qtbot.keyClicks(editors["service"].widget, "Home health aide")
        editors["payer"].set_value("Medicare Advantage")
        editors["appeal_deadline"].set_value(date(2027, 1, 20))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    when_dialog(panel, QDialog, denied)
    qtbot.mouseClick(panel.editor.advocacy_list.add_button, Qt.MouseButton.LeftButton)
    assert seen["refused"]
    assert panel.editor.advocacy_list.texts() == [
        "Home health aide: Open · Medicare Advantage · appeal by 20 Jan 2027"
    ]
    assert [a.service for a in plans.load_plan(vault, plan.id).advocacy] == ["Home health aide"]


def test_go_to_it_opens_the_field_and_writing_it_ticks_the_element(
    qtbot: Any, shown: CarePlanPanel, vault: Vault
) -> None:
    patient = make_patient(vault, ["ccm_complex"])
    _plan_id, made = plan_with(vault, patient)
    shown.show_patient(vault, patient)
    select(shown, made["goal"].id)
    go = next(
        b
        for b in shown.checklist.findChildren(QPushButton)
        if b.accessibleName() == "Go to Expected outcome and prognosis"
    )
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert current_text(shown) == PLAN_DETAILS
    outcome = shown.editor.editor("plan", "expected_outcome").widget
    assert focused() is outcome
    qtbot.keyClicks(outcome, "Stays at home through the winter")
    prognosis = shown.editor.editor("plan", "prognosis").widget
    qtbot.keyClick(outcome, Qt.Key.Key_Tab)  # leaving the box saves it
    assert focused() is prognosis
    qtbot.keyClicks(prognosis, "Stable with support")
    qtbot.waitUntil(lambda: "✓  Expected outcome and prognosis" in shown.checklist.texts())
    plan = plans.current_plan(vault, patient)
    assert plan is not None and plan.expected_outcome == "Stays at home through the winter"

    qtbot.mouseClick(
        next(
            b
            for b in shown.checklist.findChildren(QPushButton)
            if b.accessibleName() == "Go to Interventions, with who is responsible"
        ),
        Qt.MouseButton.LeftButton,
    )
    assert current_text(shown) == f"Intervention: {ACTION_TEXT}"  # an agency, not named
    assert focused() is shown.editor.editor(INTERVENTION, "responsible_name").widget
