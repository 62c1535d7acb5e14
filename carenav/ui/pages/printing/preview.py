"""Print care plan: the patient's plan as it will print, then Print… or Save as PDF….

Opened from the chart (the Care plan tab's "Print care plan…" button, Patient actions,
Ctrl+P). The options at the top (family plan or clinician summary, standard or large
print, language, version, the name in the file name) re-render the PDF with
:func:`carenav.export.plan_pdf.render_plan`, which takes well under 300 ms, so the
preview always shows exactly what will print. The PDF lives only in memory: QtPdf reads
it from a QBuffer, nothing is written to disk unless the care manager saves it.

Print… goes through the system print dialog; each page is drawn onto the printer as an
image at up to 300 dpi. Save as PDF… warns once per unlock that the file leaves the
encrypted vault, then writes atomically. Both are recorded in the audit trail (never
with a name). The window title never names the patient.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.export.plan_pdf import PrintOptions, default_file_name, render_plan, write_pdf
from carenav.export.printing.i18n import code_for_language_name
from carenav.services import care_plans
from carenav.services.patients import get_patient
from carenav.services.plan_versions import DRAFT, agreement_without_copy, record_copy_given
from carenav.store.audit import record_event
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.pages.printing.common import (
    PRINT_STYLE,
    confirm_leaving_vault,
    language_combo,
    say,
    size_combo,
)
from carenav.ui.widgets.layout import message_label

WINDOW_TITLE = "Print care plan"
DRAFT_LABEL = "Draft (not yet agreed)"
PRINT_DPI = 300  # pages go to the printer as images; more only makes the job slower
ZOOMS = (("Fit width", "width"), ("Whole page", "page"), ("Actual size", "100"))


@dataclass(frozen=True)
class VersionChoice:
    label: str
    number: int  # DRAFT (0) for the draft


def version_choices(vault: Vault, patient_id: uuid.UUID) -> list[VersionChoice]:
    """The published versions, newest first, then the draft; empty without a plan."""
    plan = care_plans.current_plan(vault, patient_id)
    if plan is None:
        return []
    versions = sorted(
        care_plans.load_plan(vault, plan.id).versions, key=lambda v: v.number, reverse=True
    )
    choices = []
    for n, version in enumerate(versions):
        published = format_date(version.published_at.astimezone().date())
        newest = " (newest)" if n == 0 else ""
        choices.append(
            VersionChoice(
                f"Version {version.number}, published {published}{newest}", version.number
            )
        )
    choices.append(VersionChoice(DRAFT_LABEL, DRAFT))
    return choices


def pages_text(count: int) -> str:
    return f"{count} page" + ("" if count == 1 else "s")


class PrintPreviewDialog(QDialog):
    """Preview, print and save one patient's care plan (or the clinician summary)."""

    saved = Signal(str)  # a status line for the main window ("Care plan saved to …")
    printed = Signal(str)

    def __init__(self, vault: Vault, patient_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)  # never the patient's name
        self.setStyleSheet(PRINT_STYLE)
        self.vault: Vault | None = vault
        self.patient_id = patient_id
        self.pdf = b""
        self.family_large_print = False  # the family plan's size (the summary is standard)
        self.saved_to: Path | None = None
        self._buffer: QBuffer | None = None
        self._closed = False

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(14)
        self.view.setAccessibleName("Preview of the printed care plan")

        preferred = ""
        with contextlib.suppress(CareNavError):  # the plan's own message says what is wrong
            preferred = code_for_language_name(get_patient(vault, patient_id).preferred_language)
        self.document_combo = QComboBox()
        self.document_combo.setAccessibleName("Document")
        self.document_combo.addItem("Family plan", False)
        self.document_combo.addItem("Clinician summary", True)
        self.document_combo.setToolTip(
            "Family plan: plain language, to leave with the patient and family.\n"
            "Clinician summary: the full plan for the primary care provider."
        )
        self.size_combo = size_combo()
        self.language_combo, language_problem = language_combo(preferred)
        self.version_combo = QComboBox()
        self.version_combo.setAccessibleName("Version")
        self.version_combo.setToolTip(
            "A published version prints exactly as it was agreed. The draft prints with a "
            "DRAFT mark on every page."
        )
        self.versions = version_choices(vault, patient_id)
        for choice in self.versions:
            self.version_combo.addItem(choice.label, choice.number)
        self.name_box = QCheckBox("Include the patient's name in the file name and title")
        self.name_box.setToolTip(
            "The pages always show the name. Off: the file name and the PDF's title carry "
            "only a short code, so a saved or e-mailed file does not reveal who it is about."
        )
        self.zoom_combo = QComboBox()
        self.zoom_combo.setAccessibleName("Zoom")
        for text, key in ZOOMS:
            self.zoom_combo.addItem(text, key)
        self.zoom_combo.currentIndexChanged.connect(self._apply_zoom)
        self.pages_label = QLabel()
        self.pages_label.setObjectName("printFacts")
        self.pages_label.setAccessibleName("Page count")

        self.message = message_label()
        self.copy_bar = QFrame()
        self.copy_bar.setObjectName("copyBar")
        self.copy_label = QLabel()
        self.copy_label.setWordWrap(True)
        self.copy_button = QPushButton("Record copy given today")
        self.copy_button.setToolTip(
            "Notes on the plan's agreement that the patient has a copy (CMS asks for one)"
        )
        self.copy_button.clicked.connect(self.record_copy)
        copy_row = QHBoxLayout(self.copy_bar)
        copy_row.setContentsMargins(12, 8, 12, 8)
        copy_row.addWidget(self.copy_label, 1)
        copy_row.addWidget(self.copy_button)
        self.copy_bar.setVisible(False)
        self._copy_offer: tuple[uuid.UUID, str] | None = None  # agreement id, how it was given
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Save the PDF to a file (Ctrl+S)")
        self.save_button.clicked.connect(self.save_as)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("primary")
        self.print_button.setToolTip("Choose a printer and print (Ctrl+P)")
        self.print_button.clicked.connect(self.print_plan)
        self.print_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self._options_bar())
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.copy_bar)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Print, self).activated.connect(self.print_plan)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save_as)
        self._fit_to_screen()

        self.size_combo.currentIndexChanged.connect(self._on_size_changed)
        for combo in (self.document_combo, self.language_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.version_combo.currentIndexChanged.connect(self.refresh)
        self.name_box.toggled.connect(self.refresh)
        if not self.versions:
            self._show_problem(
                "This patient has no care plan yet. Start one on the Care plan tab, then print it."
            )
        elif self.refresh() and language_problem:
            say(self.message, language_problem, problem=True)

    # -- building --------------------------------------------------------------------

    def _options_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("optionsBar")
        grid = QGridLayout(bar)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        fields = (
            ("&Document", self.document_combo),
            ("Si&ze", self.size_combo),
            ("&Language", self.language_combo),
            ("&Version", self.version_combo),
        )
        for column, (text, combo) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(combo)
            grid.addWidget(label, 0, column * 2)
            grid.addWidget(combo, 0, column * 2 + 1)
        grid.setColumnStretch(7, 1)
        second = QHBoxLayout()
        second.addWidget(self.name_box)
        second.addStretch(1)
        second.addWidget(self.pages_label)
        second.addSpacing(16)
        zoom = QLabel("&Zoom")
        zoom.setBuddy(self.zoom_combo)
        second.addWidget(zoom)
        second.addSpacing(6)
        second.addWidget(self.zoom_combo)
        grid.addLayout(second, 1, 0, 1, 8)
        return bar

    def _fit_to_screen(self) -> None:
        screen = self.screen().availableGeometry()
        self.resize(min(1000, screen.width() - 40), max(480, screen.height() - 60))

    # -- rendering -------------------------------------------------------------------

    def options(self) -> PrintOptions:
        clinician = bool(self.document_combo.currentData())
        version = self.version_combo.currentData()
        return PrintOptions(
            large_print=self.family_large_print and not clinician,
            language=str(self.language_combo.currentData() or "en"),
            clinician=clinician,
            version=int(version) if version is not None else None,
            include_name=self.name_box.isChecked(),
        )

    def refresh(self) -> bool:
        """Render the PDF for the options shown and load it into the preview."""
        if self.vault is None or self._closed:
            return False
        options = self.options()
        self._show_size_for(options.clinician)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = render_plan(self.vault, self.patient_id, options=options)
        except CareNavError as exc:
            self._show_problem(f"The plan could not be prepared for printing. {exc}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._unload()
        self.pdf = data
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self.document.load(buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            self._show_problem("The preview could not be shown. Close this window and try again.")
            return False
        self.pages_label.setText(pages_text(self.document.pageCount()))
        say(self.message, "")
        self._apply_zoom()
        self._update_buttons()
        return True

    def _show_size_for(self, clinician: bool) -> None:
        """The summary is always standard size: say so, and keep the family plan's choice."""
        self.size_combo.blockSignals(True)
        self.size_combo.setCurrentIndex(int(self.family_large_print and not clinician))
        self.size_combo.blockSignals(False)
        self.size_combo.setEnabled(not clinician)
        self.size_combo.setToolTip(
            "The clinician summary is always standard size." if clinician else ""
        )

    def _on_size_changed(self) -> None:
        if self.size_combo.isEnabled():
            self.family_large_print = bool(self.size_combo.currentData())
        self.refresh()

    def _unload(self) -> None:
        """Drop the PDF (the patient's plan) from memory and from the view."""
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())
            self._buffer.deleteLater()
            self._buffer = None
        self.pdf = b""

    def _show_problem(self, text: str) -> None:
        self._unload()
        self.pages_label.setText("")
        say(self.message, text, problem=True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = bool(self.pdf) and not self._closed
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        for widget in (self.document_combo, self.language_combo, self.version_combo):
            widget.setEnabled(bool(self.versions))
        self.name_box.setEnabled(bool(self.versions))

    def _apply_zoom(self) -> None:
        key = self.zoom_combo.currentData()
        if key == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif key == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(1.0)

    def _kind(self) -> str:
        return "clinician summary" if self.options().clinician else "care plan"

    # -- printing --------------------------------------------------------------------

    def new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName("Care plan")  # the print queue shows it: never the name
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return printer

    def print_plan(self) -> int:
        """Print… : the system print dialog, then every chosen page. Returns pages printed."""
        if not self.pdf or self.vault is None:
            return 0
        printer = self.new_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print care plan")
        dialog.setMinMax(1, self.document.pageCount())
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted or self._closed or self.vault is None:
            return 0
        kind = self._kind()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # about 0.15 s a page
        try:
            count = self.print_to(printer)
        finally:
            QApplication.restoreOverrideCursor()
        if not count:
            record_event(
                self.vault, "print", record_type="care_plan", record_id=self.patient_id,
                detail=f"{kind} printed from the app", outcome="failure",
            )  # fmt: skip
            say(
                self.message,
                "The printer could not be used. Check that it is switched on and "
                "connected, then choose Print… again.",
                problem=True,
            )
            return 0
        record_event(
            self.vault, "print", record_type="care_plan", record_id=self.patient_id,
            detail=f"{kind} printed from the app ({pages_text(count)})",
        )  # fmt: skip
        done = f"Sent {pages_text(count)} of the {kind} to the printer."
        say(self.message, done)
        self.printed.emit(done)
        self.offer_copy_given("printed")
        return count

    def print_to(self, printer: QPrinter) -> int:
        """Draw the chosen pages onto ``printer``, each fitted to the paper; 0 on failure."""
        total = self.document.pageCount()
        first, last = 0, total - 1
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = printer.fromPage() - 1
            last = min(printer.toPage() or total, total) - 1
        if total == 0 or first > last:
            return 0
        printer.setFullPage(True)  # the PDF has its own margins
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        printed = 0
        try:
            paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            dpi = min(printer.resolution(), PRINT_DPI)
            for index in range(first, last + 1):
                if printed and not printer.newPage():
                    break
                painter.drawImage(_fitted(self.document.pagePointSize(index), paper),
                                  self._page_image(index, dpi))  # fmt: skip
                printed += 1
        finally:
            painter.end()
        return printed

    def _page_image(self, index: int, dpi: int) -> QImage:
        points = self.document.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        page = self.document.render(index, size)
        sheet = QImage(size, QImage.Format.Format_RGB32)
        sheet.fill(Qt.GlobalColor.white)  # QtPdf leaves the page transparent
        painter = QPainter(sheet)
        painter.drawImage(0, 0, page)
        painter.end()
        return sheet

    # -- saving ----------------------------------------------------------------------

    def save_as(self) -> Path | None:
        """Warn once per unlock, ask where, write atomically, audit. None if not saved."""
        vault = self.vault
        if not self.pdf or vault is None or self._closed:
            return None
        if not confirm_leaving_vault(self, vault, f"This {self._kind()}") or self._closed:
            return None
        options = self.options()
        try:
            name = default_file_name(vault, self.patient_id, options)
        except CareNavError as exc:
            say(self.message, str(exc), problem=True)
            return None
        folder = self.saved_to.parent if self.saved_to is not None else _documents()
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Save the {self._kind()} as PDF", str(folder / name), "PDF files (*.pdf)"
        )
        if not chosen or self._closed or self.vault is None:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        detail = f"{self._kind()} PDF saved from the app"
        try:
            write_pdf(path, self.pdf)
        except (CareNavError, OSError) as exc:
            record_event(
                vault, "export", record_type="care_plan", record_id=self.patient_id,
                detail=detail, outcome="failure",
            )  # fmt: skip
            reason = str(exc) if isinstance(exc, CareNavError) else (exc.strerror or str(exc))
            say(
                self.message,
                f"The PDF was not saved: {reason}. Choose another folder (for example "
                "Documents on this computer) and try again.",
                problem=True,
            )
            return None
        record_event(
            vault, "export", record_type="care_plan", record_id=self.patient_id, detail=detail
        )
        self.saved_to = path
        say(
            self.message,
            f"Saved to {path}. The file is not encrypted: keep it only where your agency "
            "allows, and delete it once it has been handed over.",
        )
        self.saved.emit(f"The {self._kind()} was saved to {path} (not encrypted).")
        self.offer_copy_given("electronic")
        return path

    # -- the patient's copy (CMS: the patient gets a copy of the agreed plan) ----------

    def offer_copy_given(self, method: str) -> bool:
        """After printing or saving the family plan of an agreed version whose agreement has
        no copy recorded yet, offer (never assume) to record that the copy was given."""
        self._copy_offer = None
        self.copy_bar.setVisible(False)
        options = self.options()
        if self.vault is None or options.clinician or options.version == DRAFT:
            return False
        found = agreement_without_copy(self.vault, self.patient_id, options.version)
        if found is None:
            return False
        number, agreement_id = found
        how = "a printed copy" if method == "printed" else "the saved file"
        self.copy_label.setText(
            f"Was {how} of version {number} given to the patient or family? Recording it "
            "notes on the plan's agreement that they have their copy."
        )
        self._copy_offer = (agreement_id, method)
        self.copy_bar.setVisible(True)
        return True

    def record_copy(self) -> bool:
        if self._copy_offer is None or self.vault is None:
            return False
        agreement_id, method = self._copy_offer
        try:
            record_copy_given(self.vault, agreement_id, given_on=date.today(), method=method)
        except CareNavError as exc:
            say(self.message, str(exc), problem=True)
            return False
        self._copy_offer = None
        self.copy_bar.setVisible(False)
        say(self.message, f"Recorded: the patient's copy was given on {format_date(date.today())}.")
        return True

    # -- closing ---------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Close (Close, Esc, or the vault locking): the PDF is dropped from memory."""
        self._closed = True
        self.vault = None
        for child in self.findChildren(QDialog):  # a print or file dialog still open
            if child.isVisible():
                child.reject()
        self._unload()
        self.pages_label.setText("")
        super().done(result)


def _fitted(points: QSizeF, paper: QRectF) -> QRectF:
    """The rectangle on the paper for a page of ``points``: as large as fits, centred."""
    if points.isEmpty():
        return paper
    scale = min(paper.width() / points.width(), paper.height() / points.height())
    width, height = points.width() * scale, points.height() * scale
    return QRectF(
        paper.x() + (paper.width() - width) / 2,
        paper.y() + (paper.height() - height) / 2,
        width,
        height,
    )


def _documents() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def open_print_preview(parent: QWidget, vault: Vault, patient_id: uuid.UUID) -> PrintPreviewDialog:
    """Open the preview window-modal over ``parent``; it deletes itself when closed."""
    dialog = PrintPreviewDialog(vault, patient_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
