"""The chart and the care plan: the Care plan tab, and the plan at a glance above the tabs."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.pages.chart import ChartPage
from carenav.ui.pages.chart.chart_page import CARE_PLAN_TAB


def _patient_with_plan(vault: Vault) -> uuid.UUID:
    patient = create_patient(
        vault, {"family_name": "Ferreira", "given_name": "Ana", "birth_date": date(1944, 3, 9)}
    )
    plan = plans.start_plan(vault, patient)
    need = plans.add_need(vault, plan.id, {"text": "Falls at home"})
    plans.add_goal(
        vault,
        plan.id,
        need.id,
        {"text": "Walk to the mailbox safely", "status": "in-progress", "target_value": "daily"},
    )
    plans.add_intervention(
        vault,
        plan.id,
        need.id,
        {
            "what": "Install grab bars in the bathroom",
            "responsible": "agency",
            "responsible_name": "Riverside Home Repair",
            "due_date": date.today() - timedelta(days=2),
        },
    )
    versions.publish(vault, plan.id)
    return patient


def test_the_plan_shows_at_a_glance_except_on_its_own_tab(qtbot: Any, vault: Vault) -> None:
    patient = _patient_with_plan(vault)
    page = ChartPage()
    qtbot.addWidget(page)
    page.show()
    page.show_patient(vault, patient)
    summary = page.plan_summary
    assert summary.isVisible()
    text = summary.text()
    assert "version 1" in text
    assert "Walk to the mailbox safely" in text
    assert "Install grab bars in the bathroom" in text and "Overdue" in text
    page.show_section(CARE_PLAN_TAB)
    assert page.tabs.currentWidget().isAncestorOf(page.care_plan)
    assert not summary.isVisible()
    page.show_section(0)
    assert summary.isVisible()
    page.clear()
    assert summary.text() == ""


def test_a_patient_without_a_plan_is_told_so_quietly(qtbot: Any, vault: Vault) -> None:
    patient = create_patient(
        vault, {"family_name": "Lund", "given_name": "Per", "birth_date": date(1950, 1, 2)}
    )
    page = ChartPage()
    qtbot.addWidget(page)
    page.show()
    page.show_patient(vault, patient)
    assert page.plan_summary.text() == "No care plan yet"


def test_care_plan_drafts_are_left_to_the_care_plan_tab(qtbot: Any, vault: Vault) -> None:
    from carenav.services.drafts import save_draft
    from carenav.ui.pages.care_plan.panel import DRAFT_PREFIX

    patient = _patient_with_plan(vault)
    save_draft(
        vault,
        form=f"{DRAFT_PREFIX}goal",
        patient_id=patient,
        record_id=None,
        payload={"target_value": "twice a day"},
    )
    page = ChartPage()
    qtbot.addWidget(page)
    page.show()
    page.show_patient(vault, patient)
    assert page.pending_drafts == []
    assert not page.draft_banner.isVisible()
