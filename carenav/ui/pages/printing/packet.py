"""File > Visit packet for a day…: every home visit of a day, printed in one go.

Pick the day (today first); the dialog says how many home visits are scheduled that
local day, and Build stays off when there are none. The packet is one PDF, or one file
per patient in a folder, in the chosen language and size. Building runs off the GUI
thread (``run_in_background``) with a progress bar; Cancel raises from the progress
callback, and nothing is written because the export writes only after every visit is
laid out. Saving warns once per unlock that the files leave the encrypted vault, and
the audit event is recorded by the worker as soon as the files are written, so a vault
that locks at that moment still has it. Locking (or Close) while building cancels and
waits for the worker to stop touching the vault before the dialog goes.
"""

from __future__ import annotations

import threading
from datetime import UTC, date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import col, func, select

from carenav.dates import day_text
from carenav.errors import CareNavError
from carenav.export.plan_pdf import EACH_PATIENT, PrintOptions, build_visit_packet
from carenav.export.printing.packet import day_bounds, visits_on
from carenav.models import FollowUp, Patient
from carenav.store.audit import record_event
from carenav.store.vault import Vault
from carenav.ui.pages.printing.common import (
    PRINT_STYLE,
    confirm_leaving_vault,
    language_combo,
    say,
    size_combo,
)
from carenav.ui.tasks import run_in_background
from carenav.ui.widgets.layout import message_label, paragraph

WINDOW_TITLE = "Visit packet"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STOP_WAIT_SECONDS = 30.0  # the longest a lock waits for the worker to leave the vault
EACH_PATIENT_LABEL = "Each patient's own language"


class PacketCancelled(Exception):
    """Raised from the progress callback when Cancel was pressed."""


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


def visits_text(count: int, day: date) -> str:
    when = f"{WEEKDAYS[day.weekday()]} {day_text(day)}"
    if count == 0:
        return f"No home visits are scheduled on {when}. Choose another day."
    visits = "1 home visit is" if count == 1 else f"{count} home visits are"
    return f"{visits} scheduled on {when}."


def next_visit_day(vault: Vault, after: date) -> date | None:
    """The first local day after ``after`` with a scheduled home visit (None if none)."""
    _start, end = day_bounds(after)
    statement = (
        select(func.min(FollowUp.due_at))
        .join(Patient, col(Patient.id) == col(FollowUp.patient_id))
        .where(
            FollowUp.kind == "home-visit",
            FollowUp.status == "scheduled",
            col(FollowUp.deleted_at).is_(None),
            col(Patient.deleted_at).is_(None),
            col(FollowUp.due_at) >= end,
        )
    )
    with vault.session() as session:
        first = session.exec(statement).one()
    if first is None:
        return None
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    return first.astimezone().date()  # type: ignore[no-any-return]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


class VisitPacketDialog(QDialog):
    built = Signal(str)  # a status line for the main window

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(PRINT_STYLE)
        self.vault: Vault | None = vault
        self.visit_count = 0
        self.written: list[Path] = []
        self._building = False
        self._closing = False
        self._cancel = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._relay = _ProgressRelay(self)
        self._relay.moved.connect(self._on_progress)

        title = QLabel("Home-visit packet for a day")
        title.setObjectName("printTitle")
        intro = paragraph(
            "For each home visit on the day: a one-page visit sheet for you (address, "
            "visit notes, open goals, screenings due, questions to ask) followed by the "
            "patient's care plan to leave with the family."
        )
        intro.setObjectName("fieldHint")
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd d MMM yyyy")
        self.day_edit.setAccessibleName("Day")
        start = today or date.today()
        self.day_edit.setDate(QDate(start.year, start.month, start.day))
        self.count_label = paragraph("")
        self.count_label.setObjectName("visitCount")
        self.next_day: date | None = None
        self.next_button = QPushButton()
        self.next_button.setToolTip("Show the next day with home visits")
        self.next_button.clicked.connect(self.go_to_next_day)
        self.next_button.setVisible(False)
        self.one_file = QRadioButton("One PDF for the whole day")
        self.per_patient = QRadioButton("One PDF per patient, in a folder")
        self.one_file.setChecked(True)
        self.output_group = QButtonGroup(self)
        self.output_group.addButton(self.one_file)
        self.output_group.addButton(self.per_patient)
        self.language_combo, language_problem = language_combo()
        # the default: each family's plan in its own language, the visit sheets in English
        self.language_combo.insertItem(0, EACH_PATIENT_LABEL, EACH_PATIENT)
        self.language_combo.setCurrentIndex(0)
        self.language_combo.setToolTip(
            "Each patient's own language: every plan in the language on the patient's chart "
            "(English when CareNav has no words for it); your visit sheets stay in English."
        )
        self.size_combo = size_combo()

        for field in (self.day_edit, self.language_combo, self.size_combo):
            field.setMinimumWidth(240)
            field.setMaximumWidth(320)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow("&Day", self.day_edit)
        form.addRow("", self.count_label)
        next_row = QHBoxLayout()
        next_row.addWidget(self.next_button)
        next_row.addStretch(1)
        form.addRow("", next_row)
        outputs = QVBoxLayout()
        outputs.setSpacing(4)
        outputs.addWidget(self.one_file)
        outputs.addWidget(self.per_patient)
        form.addRow("Save as", outputs)
        form.addRow("&Language", self.language_combo)
        form.addRow("Si&ze", self.size_combo)

        self.progress_label = paragraph("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMinimumHeight(22)
        self.progress_bar.setVisible(False)
        self.message = message_label()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; nothing is saved")
        self.cancel_button.clicked.connect(self.cancel)
        self.build_button = QPushButton("Build packet…")
        self.build_button.setObjectName("primary")
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self.build)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.build_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(640, 420)

        self.day_edit.dateChanged.connect(self.count_visits)
        self.count_visits()
        if language_problem:
            say(self.message, language_problem, problem=True)

    # -- the day -------------------------------------------------------------------------

    def day(self) -> date:
        picked = self.day_edit.date()
        return date(picked.year(), picked.month(), picked.day())

    def count_visits(self) -> int:
        """How many home visits are scheduled on the chosen local day."""
        if self.vault is None:
            return 0
        day = self.day()
        self.visit_count = len(visits_on(self.vault, day))
        self.count_label.setObjectName("visitCount" if self.visit_count else "visitCountNone")
        self.count_label.style().unpolish(self.count_label)
        self.count_label.style().polish(self.count_label)
        self.count_label.setText(visits_text(self.visit_count, day))
        self.next_day = None if self.visit_count else next_visit_day(self.vault, day)
        if self.next_day is not None:
            when = f"{WEEKDAYS[self.next_day.weekday()]} {day_text(self.next_day)}"
            self.next_button.setText(f"Next day with home visits: {when}")
        self.next_button.setVisible(self.next_day is not None)
        self._update_buttons()
        return self.visit_count

    def go_to_next_day(self) -> None:
        if self.next_day is not None:
            day = self.next_day
            self.day_edit.setDate(QDate(day.year, day.month, day.day))

    def options(self) -> PrintOptions:
        return PrintOptions(
            large_print=bool(self.size_combo.currentData()),
            language=str(self.language_combo.currentData() or "en"),
        )

    def _update_buttons(self) -> None:
        busy = self._building
        self.build_button.setEnabled(not busy and self.visit_count > 0 and self.vault is not None)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy and not self._cancel.is_set())
        self.close_button.setEnabled(not busy)
        for widget in (
            self.day_edit,
            self.next_button,
            self.one_file,
            self.per_patient,
            self.language_combo,
            self.size_combo,
        ):
            widget.setEnabled(not busy)

    # -- building ------------------------------------------------------------------------

    def choose_target(self) -> Path | None:
        """Where to write: a file (one PDF) or a folder (one per patient); None if cancelled."""
        day = self.day()
        start = _documents()
        if self.one_file.isChecked():
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Save the visit packet",
                str(start / f"visit-packet-{day.isoformat()}.pdf"),
                "PDF files (*.pdf)",
            )
            if not chosen:
                return None
            path = Path(chosen)
            return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the folder for the patients' PDFs", str(start)
        )
        return Path(folder) if folder else None

    def build(self) -> bool:
        """Warn once per unlock, ask where, then build in the background. False if not started."""
        vault = self.vault
        if vault is None or self._building or not self.count_visits():
            return False
        if not confirm_leaving_vault(self, vault, "This visit packet") or self._closing:
            return False
        target = self.choose_target()
        if target is None or self._closing or self.vault is None:
            return False
        day, one_file, options = self.day(), self.one_file.isChecked(), self.options()
        cancel, stopped, relay = self._cancel, self._stopped, self._relay
        cancel.clear()
        stopped.clear()

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                raise PacketCancelled
            relay.moved.emit(done, total)

        def work() -> list[Path]:
            detail = "home-visit packet from the app"
            try:
                try:
                    written = build_visit_packet(
                        vault, day, target, one_file=one_file, progress=progress, options=options
                    )
                except OSError:  # some files of a per-patient packet may be written
                    record_event(
                        vault, "export", record_type="care_plan", detail=detail,
                        outcome="failure",
                    )  # fmt: skip
                    raise
                # recorded here, the moment the files exist: a lock may already be waiting
                count = _plural(len(written), "file")
                record_event(vault, "export", record_type="care_plan", detail=f"{detail} ({count})")
                return written
            finally:
                stopped.set()

        self._building = True
        self.written = []
        self.progress_bar.setRange(0, max(self.visit_count, 1))
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.progress_label.setText("Preparing the packet…")
        say(self.message, "")
        self._update_buttons()
        run_in_background(work, self._on_built, self._on_failed)
        return True

    def cancel(self) -> None:
        if not self._building or self._cancel.is_set():
            return
        self._cancel.set()
        self.progress_label.setText("Cancelling… nothing will be saved.")
        self._update_buttons()

    def _on_progress(self, done: int, total: int) -> None:
        if not self._building or self._cancel.is_set():
            return
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(done)
        if done < total:
            self.progress_label.setText(f"Preparing visit {done + 1} of {total}…")
        else:
            self.progress_label.setText("Putting the pages together and saving…")

    def _on_built(self, written: list[Path]) -> None:
        self._building = False
        self.written = list(written)
        if self._closing:
            super().reject()
            return
        self.progress_bar.setValue(self.progress_bar.maximum())
        where = written[0] if len(written) == 1 else written[0].parent
        what = "the packet" if len(written) == 1 else _plural(len(written), "PDF")
        self.progress_label.setText("Done.")
        say(
            self.message,
            f"Saved {what} for {_plural(self.visit_count, 'visit')} to {where}. "
            + ("The file is" if len(written) == 1 else "The files are")
            + " not encrypted: keep "
            + ("it" if len(written) == 1 else "them")
            + " only where your agency allows, and delete "
            + ("it" if len(written) == 1 else "them")
            + " after the visits.",
        )
        self.built.emit(f"Visit packet saved to {where} (not encrypted).")
        self._update_buttons()

    def _on_failed(self, exc: BaseException) -> None:
        self._building = False
        if self._closing:
            super().reject()
            return
        self.progress_bar.setVisible(False)
        if isinstance(exc, PacketCancelled):
            self.progress_label.setText("")
            say(self.message, "Cancelled. Nothing was saved.")
        elif isinstance(exc, CareNavError):
            self.progress_label.setText("")
            say(self.message, f"The packet was not saved. {exc}", problem=True)
        elif isinstance(exc, OSError):
            self.progress_label.setText("")
            say(
                self.message,
                f"The packet was not saved: {exc.strerror or exc}. Choose another folder "
                "(for example Documents on this computer) and try again.",
                problem=True,
            )
        else:
            self.progress_label.setText("")
            say(
                self.message,
                f"The packet was not saved ({type(exc).__name__}). Try again; if it happens "
                "again, contact your agency's support.",
                problem=True,
            )
        self._cancel.clear()
        self.count_visits()

    # -- closing -------------------------------------------------------------------------

    def reject(self) -> None:
        """Close, Esc or the vault locking: never asks; a build is cancelled first.

        The dialog hides at once and waits (briefly: until the next visit is laid out)
        for the worker to stop using the vault, so the vault can lock safely; it goes
        when the worker's answer arrives.
        """
        self._closing = True
        self.vault = None
        for child in self.findChildren(QDialog):  # a file dialog or the warning
            if child.isVisible():
                child.reject()
        if self._building:
            self._cancel.set()
            self.hide()
            self._stopped.wait(STOP_WAIT_SECONDS)
            return
        super().reject()


def _documents() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def open_visit_packet(parent: QWidget, vault: Vault) -> VisitPacketDialog:
    """Open the dialog window-modal over ``parent``; it deletes itself when closed."""
    dialog = VisitPacketDialog(vault, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
