"""Print care plan: the preview (QtPdf), the options re-rendering, Save as PDF with its
once-per-unlock warning and audit event, printing to a PDF file, the chart's ways in,
and locking closing the dialog. Real vault, real widgets offscreen, PDFs read back."""

from __future__ import annotations

import io
import os
import stat
import uuid
from pathlib import Path
from typing import Any

import pypdf
import pytest
from printing_data import GOAL_WORDS, PCP_PHONE, build_patient, page_count, pdf_text
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QPushButton

from carenav.export.ics import patient_code
from carenav.services.audit import AuditFilter, events
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.main_window import MainWindow
from carenav.ui.pages.printing.common import forget_warning
from carenav.ui.pages.printing.preview import DRAFT_LABEL, PrintPreviewDialog

PASSPHRASE = "correct horse battery staple"
NAME = "Zoë Ñúñez"


@pytest.fixture
def patient_id(vault: Vault) -> uuid.UUID:
    return build_patient(vault)


@pytest.fixture
def dialog(qtbot: Any, vault: Vault, patient_id: uuid.UUID) -> PrintPreviewDialog:
    forget_warning(vault)
    widget = PrintPreviewDialog(vault, patient_id)
    qtbot.addWidget(widget)
    widget.show()
    return widget


class Answers:
    """Answers the 'saving outside the vault' warning when it appears, and counts it."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.shown: list[str] = []

    def arm(self) -> None:
        QTimer.singleShot(0, self._respond)

    def _respond(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        self.shown.append(box.text() + "\n" + box.informativeText())
        for button in box.findChildren(QPushButton):
            if button.text().replace("&", "") == self.answer:
                button.click()
                return
        raise AssertionError(f"no {self.answer!r} button")


def combo_texts(combo: Any) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_preview_shows_the_newest_published_version(
    dialog: PrintPreviewDialog, tmp_path: Path
) -> None:
    assert dialog.windowTitle() == "Print care plan"
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() == page_count(dialog.pdf) > 0
    assert dialog.pages_label.text() == f"{dialog.document.pageCount()} pages"
    versions = combo_texts(dialog.version_combo)
    assert len(versions) == 2 and versions[0].startswith("Version 1, published ")
    assert versions[0].endswith("(newest)") and versions[1] == DRAFT_LABEL
    assert combo_texts(dialog.document_combo) == ["Family plan", "Clinician summary"]
    assert combo_texts(dialog.size_combo) == ["Standard print", "Large print"]
    assert "English" in combo_texts(dialog.language_combo)
    assert "Español" in combo_texts(dialog.language_combo)
    assert not dialog.name_box.isChecked()
    text = pdf_text(dialog.pdf)
    assert GOAL_WORDS in text and PCP_PHONE in text and "Version 1" in text
    assert "Staying in my own home" in text  # the published version, not the draft
    assert "DRAFT" not in text
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    # nothing of the patient in a temporary file: the PDF lives in memory only
    assert list((tmp_path / "tmp").iterdir()) == []


def test_each_option_renders_the_plan_again(dialog: PrintPreviewDialog) -> None:
    standard = dialog.document.pageCount()
    dialog.size_combo.setCurrentIndex(1)
    assert dialog.options().large_print
    assert dialog.document.pageCount() == page_count(dialog.pdf) > standard

    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    spanish = pdf_text(dialog.pdf)
    assert "Mi plan de cuidado" in spanish and "Versión 1" in spanish
    assert dialog.document.status() == QPdfDocument.Status.Ready

    dialog.version_combo.setCurrentIndex(dialog.version_combo.count() - 1)  # the draft
    draft = pdf_text(dialog.pdf)
    assert "BORRADOR" in draft and "Staying home with my cat" in draft

    dialog.document_combo.setCurrentIndex(1)  # clinician summary: always standard size
    assert not dialog.size_combo.isEnabled()
    assert dialog.size_combo.currentText() == "Standard print"
    assert "always standard size" in dialog.size_combo.toolTip()
    assert not dialog.options().large_print
    summary = pdf_text(dialog.pdf)
    assert "Zoë Ñúñez" in summary and dialog.document.pageCount() == page_count(dialog.pdf)

    dialog.document_combo.setCurrentIndex(0)  # back to the family plan: large print again
    assert dialog.size_combo.isEnabled() and dialog.size_combo.currentText() == "Large print"
    assert dialog.options().large_print

    reader = pypdf.PdfReader(io.BytesIO(dialog.pdf))
    assert NAME not in str(reader.metadata.title if reader.metadata else "")
    dialog.name_box.setChecked(True)
    reader = pypdf.PdfReader(io.BytesIO(dialog.pdf))
    assert reader.metadata is not None and NAME in str(reader.metadata.title)
    assert NAME not in dialog.windowTitle()


def test_the_patients_language_is_chosen_first(qtbot: Any, vault: Vault) -> None:
    pid = build_patient(vault, given="Rosa", family="Díaz", language="Spanish")
    widget = PrintPreviewDialog(vault, pid)
    qtbot.addWidget(widget)
    assert widget.language_combo.currentData() == "es"
    assert "Mi plan de cuidado" in pdf_text(widget.pdf)


def test_a_patient_without_a_plan_is_told_what_to_do(qtbot: Any, vault: Vault) -> None:
    pid = create_patient(
        vault, {"family_name": "Lindqvist", "given_name": "Ada", "birth_date": "1940-03-04"}
    )
    widget = PrintPreviewDialog(vault, pid)
    qtbot.addWidget(widget)
    assert "no care plan yet" in widget.message.text()
    assert "Care plan tab" in widget.message.text()
    assert not widget.print_button.isEnabled() and not widget.save_button.isEnabled()
    assert widget.document.pageCount() == 0 and widget.pdf == b""


def test_save_warns_once_then_writes_the_pdf_and_audits(
    dialog: PrintPreviewDialog,
    vault: Vault,
    patient_id: uuid.UUID,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[str] = []
    target = tmp_path / "out" / "plan-for-fridge"  # no .pdf: it is added
    target.parent.mkdir()

    def choose(_parent: Any, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(target), "PDF files (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    declined = Answers("Cancel")
    declined.arm()
    assert dialog.save_as() is None  # the warning was declined: nothing asked, nothing written
    assert offered == [] and len(declined.shown) == 1

    first = Answers("Save the PDF")
    first.arm()
    path = dialog.save_as()
    assert path == target.with_name("plan-for-fridge.pdf") and path.read_bytes() == dialog.pdf
    assert len(first.shown) == 1
    warning = first.shown[0]
    assert "outside your encrypted vault" in warning and "not encrypted" in warning
    assert "delete your copy" in warning and NAME not in warning
    assert Path(offered[0]).name == f"care-plan-{patient_code(patient_id)}-v1.pdf"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert str(path) in dialog.message.text() and "not encrypted" in dialog.message.text()
    assert dialog.message.objectName() == "fieldHint"

    again = Answers("Save the PDF")
    again.arm()
    dialog.name_box.setChecked(True)
    second = dialog.save_as()
    assert second is not None and again.shown == []  # once per unlock
    assert "Zo" in Path(offered[1]).name  # the name only because it was asked for
    assert Path(offered[1]).parent == target.parent  # the folder used last time

    saved = events(vault, AuditFilter(action="export"))
    assert [(e.record_type, e.record_id, e.detail, e.outcome) for e in saved][-2:] == [
        ("care_plan", patient_id.hex, "care plan PDF saved from the app", "success")
    ] * 2
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_save_that_fails_says_what_to_do(
    dialog: PrintPreviewDialog, vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-folder" / "plan.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(missing), ""))
    Answers("Save the PDF").arm()
    assert dialog.save_as() is None
    assert dialog.message.text().startswith("The PDF was not saved:")
    assert "Choose another folder" in dialog.message.text()
    assert dialog.message.objectName() == "errorText"
    assert not missing.exists()
    failures = events(vault, AuditFilter(action="export"))
    assert failures and failures[-1].outcome == "failure"


def test_printing_draws_every_page_onto_the_printer(
    dialog: PrintPreviewDialog, tmp_path: Path
) -> None:
    printer = dialog.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert dialog.print_to(printer) == dialog.document.pageCount()
    assert page_count(out.read_bytes()) == dialog.document.pageCount()
    assert printer.docName() == "Care plan"

    printer = dialog.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    some = tmp_path / "pages-2-3.pdf"
    printer.setOutputFileName(str(some))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert dialog.print_to(printer) == 2 and page_count(some.read_bytes()) == 2


def test_print_goes_through_the_print_dialog_and_is_audited(
    dialog: PrintPreviewDialog,
    vault: Vault,
    patient_id: uuid.UUID,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "from-dialog.pdf"
    seen: list[tuple[int, int]] = []

    def choose_printer(print_dialog: QPrintDialog) -> int:
        # the system dialog cannot be driven offscreen: choose "print to file" on its printer
        seen.append((print_dialog.minPage(), print_dialog.maxPage()))
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(QPrintDialog, "exec", choose_printer)
    pages = dialog.document.pageCount()
    assert dialog.print_plan() == pages
    assert seen == [(1, pages)] and page_count(out.read_bytes()) == pages
    assert dialog.message.text() == f"Sent {pages} pages of the care plan to the printer."
    printed = events(vault, AuditFilter(action="print"))
    assert [(e.record_type, e.record_id, e.detail) for e in printed] == [
        ("care_plan", patient_id.hex, f"care plan printed from the app ({pages} pages)")
    ]

    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected.value))
    assert dialog.print_plan() == 0
    assert len(events(vault, AuditFilter(action="print"))) == 1  # nothing printed, nothing said


def test_closing_drops_the_plan_from_memory(dialog: PrintPreviewDialog) -> None:
    assert dialog.pdf
    dialog.reject()
    assert dialog.pdf == b"" and dialog.document.pageCount() == 0
    assert dialog.document.status() != QPdfDocument.Status.Ready


def test_the_chart_opens_the_preview_and_locking_closes_it(qtbot: Any, vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    pid = build_patient(vault)
    vault.close()
    window = MainWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.try_unlock()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.caseload_page, timeout=10000)
    window.open_patient(pid)
    chart = window.chart_page
    assert chart.patient is not None and chart.patient.id == pid

    def open_previews() -> list[PrintPreviewDialog]:
        return [d for d in window.findChildren(PrintPreviewDialog) if d.isVisible()]

    menu = chart.actions_button.menu()
    assert menu is not None
    assert "Print care plan…" in [a.text() for a in menu.actions()]
    chart.tabs.setFocus()
    qtbot.keyClick(chart.tabs, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    shown = open_previews()
    assert len(shown) == 1 and shown[0].document.pageCount() > 0
    assert NAME not in shown[0].windowTitle() and NAME not in window.windowTitle()
    shown[0].reject()
    qtbot.waitUntil(lambda: not open_previews())

    chart.show_section(7)  # the Care plan tab's button
    chart.care_plan.print_button.click()
    preview = open_previews()
    assert len(preview) == 1
    window.lock()  # closes the preview without a question, with the plan dropped
    assert not open_previews()
    assert window.vault is None


def test_after_printing_an_agreed_version_the_copy_given_can_be_recorded(
    dialog: PrintPreviewDialog,
    vault: Vault,
    patient_id: uuid.UUID,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date

    from carenav.services import care_plans
    from carenav.services.plan_versions import record_agreement

    def to_file(print_dialog: QPrintDialog) -> int:
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "copy.pdf"))
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(QPrintDialog, "exec", to_file)
    assert dialog.print_plan() > 0
    assert not dialog.copy_bar.isVisible()  # no agreement recorded yet: nothing to note

    plan = care_plans.current_plan(vault, patient_id)
    assert plan is not None
    [version] = care_plans.load_plan(vault, plan.id).versions
    agreement = record_agreement(
        vault,
        version.id,
        {"agreed_by": "The patient", "agreed_on": date.today(), "method": "verbal"},
    )
    assert dialog.print_plan() > 0
    assert dialog.copy_bar.isVisible()
    assert "printed copy of version 1" in dialog.copy_label.text()
    dialog.copy_button.click()
    assert not dialog.copy_bar.isVisible()
    assert dialog.message.text().startswith("Recorded: the patient's copy was given on")
    view = care_plans.load_plan(vault, plan.id)
    [saved] = view.agreements[version.id]
    assert saved.id == agreement.id
    assert (saved.copy_given_on, saved.copy_method) == (date.today(), "printed")
    assert dialog.print_plan() > 0
    assert not dialog.copy_bar.isVisible()  # recorded once; not offered again

    dialog.version_combo.setCurrentIndex(dialog.version_combo.findText(DRAFT_LABEL))
    assert dialog.print_plan() > 0
    assert not dialog.copy_bar.isVisible()  # a draft is never "the agreed copy"
