"""How the main window shows the coordination screens, kept here so that the window
needs only a few lines: the two pages in its stack, their Go menu actions, opening a
referral's chart, the check-back from Today, and clearing everything on lock.

- Go > Resource directory (Ctrl+Shift+R) and Go > Open referrals (Ctrl+Shift+O) are
  pages of the window's stack, like the calendar; Alt+Left goes back to the caseload.
- ``open_referral(patient_id, referral_id)``: the chart on the Referrals tab with the
  referral selected.
- ``check_back(follow_up_id)``: when a Today follow-up is a referral check-back, the
  chart's check-back dialog opens instead of the plain quick log (True if it was one).
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QMenu, QWidget

from carenav.services import referrals
from carenav.ui.pages.coordination.directory_page import DirectoryPage
from carenav.ui.pages.coordination.open_referrals import OpenReferralsPage

REFERRALS_TAB = 9  # the chart's tenth tab (Ctrl+0)


class CoordinationScreens:
    def __init__(self, window: Any) -> None:
        self.window = window
        self.directory_page = DirectoryPage()
        self.open_referrals_page = OpenReferralsPage()
        for page in (self.directory_page, self.open_referrals_page):
            window.stack.addWidget(page)
            page.back_requested.connect(window.back_to_caseload)
        self.open_referrals_page.open_referral.connect(self.open_referral)
        self.directory_action = window._action(
            "&Resource directory", "Ctrl+Shift+R", self.show_directory
        )
        self.open_referrals_action = window._action(
            "&Open referrals", "Ctrl+Shift+O", self.show_open_referrals
        )

    @property
    def pages(self) -> tuple[QWidget, ...]:
        return (self.directory_page, self.open_referrals_page)

    @property
    def actions(self) -> tuple[Any, ...]:
        return (self.directory_action, self.open_referrals_action)

    def add_to(self, menu: QMenu) -> None:
        for action in self.actions:
            menu.addAction(action)

    def _leave_chart(self) -> bool:
        window = self.window
        if window.vault is None or not window._chart_may_close():
            return False
        if window._showing_chart():
            window.chart_page.clear()
        return True

    def show_directory(self) -> None:
        if not self._leave_chart():
            return
        self.directory_page.show_for(self.window.vault)
        self.window._show(self.directory_page)

    def show_open_referrals(self) -> None:
        if not self._leave_chart():
            return
        self.open_referrals_page.show_for(self.window.vault)
        self.window._show(self.open_referrals_page)

    def open_referral(self, patient_id: uuid.UUID, referral_id: uuid.UUID) -> None:
        window = self.window
        if window.vault is None:
            return
        window.open_patient(patient_id)
        window.chart_page.show_section(REFERRALS_TAB)
        window.chart_page.referrals.select_referral(referral_id)

    def check_back(self, follow_up_id: uuid.UUID) -> bool:
        """Open the check-back dialog if this follow-up is a referral's check-back."""
        window = self.window
        if window.vault is None:
            return False
        referral_id = referrals.referral_of_follow_up(window.vault, follow_up_id)
        if referral_id is None:
            return False
        patient_id = referrals.get_referral(window.vault, referral_id).referral.patient_id
        if (
            not window._showing_chart()
            or window.chart_page.patient is None
            or (window.chart_page.patient.id != patient_id)
        ):
            window.open_patient(patient_id)
        window.chart_page.show_section(REFERRALS_TAB)
        window.chart_page.referrals.record_check_back(referral_id)
        return True

    def clear(self) -> None:
        for page in (self.directory_page, self.open_referrals_page):
            page.clear()
