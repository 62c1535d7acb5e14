"""File > Visit packet for a day…: the day's home visits counted, the packet built in the
background (one PDF or one per patient) with its warning and audit event, Cancel writing
nothing, and locking closing the dialog (also mid-build). Real vault, PDFs read back."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from printing_data import GOAL_WORDS, build_patient, pdf_text
from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from carenav.export.ics import patient_code
from carenav.services import contacts
from carenav.services.audit import AuditFilter, events
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.printing.common import forget_warning
from carenav.ui.pages.printing.packet import VisitPacketDialog

PASSPHRASE = "correct horse battery staple"
DAY = date.today() + timedelta(days=2)
NAMES = (("Zoë", "Ñúñez"), ("Samuel", "Okonjo"), ("Lan", "Nguyen"))


def fill(vault: Vault) -> list[uuid.UUID]:
    """Three patients with a home visit on DAY; a phone call that day does not count."""
    ids = [build_patient(vault, given=g, family=f, visit_on=DAY) for g, f in NAMES]
    call = datetime.combine(DAY, datetime.min.time()).astimezone().replace(hour=15)
    contacts.schedule_follow_up(vault, ids[0], {"due_at": call, "kind": "phone"})
    return ids


@pytest.fixture
def patient_ids(vault: Vault) -> list[uuid.UUID]:
    return fill(vault)


@pytest.fixture
def dialog(qtbot: Any, vault: Vault, patient_ids: list[uuid.UUID]) -> VisitPacketDialog:
    forget_warning(vault)
    widget = VisitPacketDialog(vault, today=DAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def answer_warning(answer: str, shown: list[str]) -> None:
    def respond() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        shown.append(box.text() + "\n" + box.informativeText())
        for button in box.findChildren(QPushButton):
            if button.text().replace("&", "") == answer:
                button.click()
                return
        raise AssertionError(f"no {answer!r} button")

    QTimer.singleShot(0, respond)


def exports(vault: Vault) -> list[str]:
    return [e.detail for e in events(vault, AuditFilter(action="export"))]


def test_the_day_says_how_many_home_visits_are_scheduled(dialog: VisitPacketDialog) -> None:
    assert dialog.windowTitle() == "Visit packet"
    assert dialog.visit_count == 3
    assert dialog.count_label.text().startswith("3 home visits are scheduled on ")
    assert dialog.build_button.isEnabled()
    dialog.day_edit.setDate(QDate(DAY.year, DAY.month, DAY.day).addDays(1))
    assert dialog.visit_count == 0
    assert dialog.count_label.text().startswith("No home visits are scheduled on ")
    assert dialog.count_label.text().endswith("Choose another day.")
    assert not dialog.build_button.isEnabled()
    assert not dialog.build()  # Build is off and does nothing
    assert not dialog.next_button.isVisible()  # nothing later either

    dialog.day_edit.setDate(QDate(DAY.year, DAY.month, DAY.day).addDays(-1))
    assert dialog.visit_count == 0 and dialog.next_button.isVisible()
    assert dialog.next_day == DAY and "Next day with home visits" in dialog.next_button.text()
    dialog.next_button.click()
    assert dialog.day() == DAY and dialog.visit_count == 3 and not dialog.next_button.isVisible()


def test_the_packet_is_built_in_the_background_as_one_pdf(
    qtbot: Any,
    dialog: VisitPacketDialog,
    vault: Vault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[str] = []
    out = tmp_path / "packets" / "thursday"
    out.parent.mkdir()

    def choose(_parent: Any, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    shown: list[str] = []
    answer_warning("Save the PDF", shown)
    assert dialog.build()
    assert not dialog.close_button.isEnabled() and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not dialog._building, timeout=20000)
    written = out.with_name("thursday.pdf")
    assert dialog.written == [written]
    assert Path(offered[0]).name == f"visit-packet-{DAY.isoformat()}.pdf"
    assert len(shown) == 1 and "outside your encrypted vault" in shown[0]
    text = pdf_text(written.read_bytes())
    assert GOAL_WORDS in text and "Mi plan de cuidado" in text  # the plans, in Spanish
    for given, family in NAMES:
        assert f"{given} {family}" in text
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 3
    assert str(written) in dialog.message.text() and "3 visits" in dialog.message.text()
    assert "not encrypted" in dialog.message.text()
    assert dialog.close_button.isEnabled() and not dialog.cancel_button.isVisible()
    assert exports(vault) == ["home-visit packet from the app (1 file)"]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_one_pdf_per_patient_in_a_folder(
    qtbot: Any,
    dialog: VisitPacketDialog,
    vault: Vault,
    patient_ids: list[uuid.UUID],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "each"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a: str(folder))
    dialog.per_patient.setChecked(True)
    dialog.size_combo.setCurrentIndex(1)
    answer_warning("Save the PDF", [])
    assert dialog.build()
    qtbot.waitUntil(lambda: not dialog._building, timeout=20000)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 and sorted(p.name for p in dialog.written) == names
    for pid in patient_ids:
        assert any(patient_code(pid) in name for name in names)
    assert all(n.startswith(f"visit-{DAY.isoformat()}-") for n in names)
    assert "3 PDFs" in dialog.message.text()
    assert exports(vault) == ["home-visit packet from the app (3 files)"]


def test_cancel_writes_nothing(
    qtbot: Any,
    dialog: VisitPacketDialog,
    vault: Vault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (str(folder / "packet.pdf"), "")
    )
    answer_warning("Save the PDF", [])
    assert dialog.build()
    dialog.cancel()  # the worker stops at its next visit
    assert not dialog.cancel_button.isEnabled()
    assert "nothing will be saved" in dialog.progress_label.text()
    qtbot.waitUntil(lambda: not dialog._building, timeout=20000)
    assert list(folder.iterdir()) == []
    assert dialog.message.text() == "Cancelled. Nothing was saved."
    assert exports(vault) == []
    assert dialog.build_button.isEnabled()  # ready to try again


def test_declining_the_warning_builds_nothing(
    dialog: VisitPacketDialog, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: asked.append(a) or ("", ""))
    shown: list[str] = []
    answer_warning("Cancel", shown)
    assert not dialog.build()
    assert len(shown) == 1 and asked == [] and not dialog._building


def test_locking_closes_the_dialog_even_while_building(
    qtbot: Any, vault_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    fill(vault)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.caseload_page, timeout=10000)
    assert window.packet_action.isEnabled()
    file_menu = window.menuBar().actions()[0].menu()
    assert window.packet_action in file_menu.actions()  # type: ignore[union-attr]

    def open_packets() -> list[VisitPacketDialog]:
        return [d for d in window.findChildren(VisitPacketDialog) if d.isVisible()]

    window.packet_action.trigger()
    assert len(open_packets()) == 1
    window.lock()  # an idle dialog simply closes
    assert not open_packets() and not window.packet_action.isEnabled()

    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=10000)
    folder = tmp_path / "lock"
    folder.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (str(folder / "packet.pdf"), "")
    )
    dialog = window.visit_packet()
    assert dialog is not None
    dialog.day_edit.setDate(QDate(DAY.year, DAY.month, DAY.day))
    answer_warning("Save the PDF", [])
    assert dialog.build()
    window.lock()  # mid-build: cancelled, the worker has left the vault before it locks
    assert not open_packets() and window.vault is None
    assert dialog._stopped.is_set()
    qtbot.waitUntil(lambda: not window.findChildren(VisitPacketDialog), timeout=20000)
    assert list(folder.iterdir()) == []


def test_by_default_each_family_gets_its_plan_in_its_own_language(
    vault: Vault, tmp_path: Path, qtbot: Any
) -> None:
    from carenav.export.plan_pdf import EACH_PATIENT, PrintOptions, build_visit_packet

    spanish = build_patient(vault, given="Rosa", family="Ibáñez", visit_on=DAY, language="Spanish")
    creole = build_patient(
        vault, given="Jean", family="Baptiste", visit_on=DAY, language="Haitian Creole"
    )
    english = build_patient(vault, given="Ada", family="Park", visit_on=DAY)
    forget_warning(vault)
    widget = VisitPacketDialog(vault, today=DAY)
    qtbot.addWidget(widget)
    assert widget.options().language == EACH_PATIENT  # the default choice
    assert widget.language_combo.currentText() == "Each patient's own language"

    written = build_visit_packet(
        vault, DAY, tmp_path, one_file=False, options=PrintOptions(language=EACH_PATIENT)
    )
    texts = {path.name: pdf_text(path.read_bytes()) for path in written}
    by_patient = {
        pid: next(text for name, text in texts.items() if patient_code(pid) in name)
        for pid in (spanish, creole, english)
    }
    assert "Mi plan de cuidado" in by_patient[spanish]
    assert "My care plan" not in by_patient[spanish]
    for pid in (creole, english):  # no Creole words yet: English, never a wrong language
        assert "My care plan" in by_patient[pid] and "Mi plan de cuidado" not in by_patient[pid]
    for text in by_patient.values():  # the visit sheet is the care manager's: English
        assert "Home visit" in text


def test_long_visit_notes_flow_onto_the_next_page_in_large_print(
    vault: Vault, tmp_path: Path
) -> None:
    from reportlab.platypus import Table

    from carenav.export.plan_pdf import PrintOptions, build_visit_packet
    from carenav.export.printing.layout import Metadata, PrintLayoutError, build, make_styles
    from carenav.services.patients import update_patient

    pid = build_patient(vault, given="Nell", family="Quist", visit_on=DAY)
    notes = "\n".join(
        f"Gate code {n}: side door, dog is friendly, park on the left." for n in range(32)
    )
    update_patient(vault, pid, {"visit_notes": notes[:2000]})
    [out] = build_visit_packet(
        vault, DAY, tmp_path / "p.pdf", options=PrintOptions(language="en", large_print=True)
    )
    assert "Gate code 31" in pdf_text(out.read_bytes()) or "Gate code 3" in pdf_text(
        out.read_bytes()
    )

    # anything that still cannot fit fails with a message that quotes nothing
    s = make_styles(True)
    secret = "Synthetic-secret-note " * 400
    from carenav.export.printing.layout import para, text

    too_tall = Table([[para(text(secret), s.body)]])
    with pytest.raises(PrintLayoutError) as caught:
        build([too_tall], Metadata("t", "s"))
    assert "Synthetic-secret" not in str(caught.value)
    assert "too large to fit on a page" in str(caught.value)
