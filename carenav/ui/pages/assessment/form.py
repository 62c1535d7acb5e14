"""The assessment form: an instrument's questions for one patient, filled in, signed, corrected.

- **Filling in.** Every answer is kept at once as an encrypted draft
  (``assessments.save_answers``); typed text after a short pause, when the focus
  leaves the box, and when the vault locks (``keep_as_draft``). Opening the form
  again for the same patient and instrument puts the answers back.
- **Running summary.** A bar that never scrolls away shows the score so far and its
  band, how many required questions are still unanswered, and the flags raised; an
  urgent flag (PHQ-9 item 9 above 0) shows at once as a red banner.
- **Signing.** "Complete and sign" (Ctrl+Return) scores and signs through
  ``assessments.complete``; a missing answer is pointed at, never guessed. A signed
  form is shown read-only, with who signed it and when, the score, flags and the
  needs it suggests.
- **Correcting.** "Correct answers…" on a signed form starts a correction (a new form
  that amends it, kept as its own draft); signing it asks for the reason. The
  original is never changed.
- **Keyboard.** Tab and Shift+Tab go from question to question; arrows, 1-9, Space
  and Delete answer (see questions.py); Ctrl+Down and Ctrl+Up jump to the next or
  previous section of a long form; Ctrl+Return completes and signs.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from carenav.errors import CareNavError, InvalidInput
from carenav.instruments import (
    Finding,
    Flag,
    IncompleteAnswers,
    Instrument,
    InvalidAnswer,
    ScoreResult,
    enabled_items,
    score,
)
from carenav.instruments.definition import score_range
from carenav.instruments.progress import (
    Running,
    lenient_copy,
    required_items,
    running_result,
    stored_flags,
)
from carenav.services.assessments import (
    AMENDMENT_REASON_MAX,
    HistoryEntry,
    InProgress,
    complete,
    find_in_progress,
    get_response,
    save_answers,
)
from carenav.services.catalogue import Catalogue, load_catalogue
from carenav.services.chart import Chart, load_chart
from carenav.store.vault import Vault
from carenav.ui.formatting import format_datetime
from carenav.ui.pages.assessment.questions import (
    DisplayBlock,
    QuestionBlock,
    ReadOnlyBlock,
    context_lines,
    plain_label,
    quiet_button,
)
from carenav.ui.pages.assessment.style import form_style
from carenav.ui.widgets.layout import message_label, show_message

SAVE_PAUSE_MS = 500  # typed answers are kept after this pause (and at once on focus-out)
ANSWER_FIRST = "Answer this question before completing."
STORAGE_ERRORS = (CareNavError, SQLAlchemyError, OSError)
Block = QuestionBlock | DisplayBlock | ReadOnlyBlock


# -- the form --------------------------------------------------------------------------------


class AssessmentForm(QWidget):
    """One instrument for one patient: filled in (a draft), signed, or corrected.

    ``AssessmentForm(vault, patient_id, instrument)`` starts (or resumes) a form;
    ``AssessmentForm.for_response(vault, entry, instrument)`` shows a signed one.
    """

    completed = Signal(object)  # the signed response's id (uuid.UUID)
    screener_requested = Signal(str)  # the id of a screener to start for the same patient
    state_changed = Signal()  # the form became read-only (signed) or editable (correcting)

    def __init__(
        self,
        vault: Vault,
        patient_id: uuid.UUID,
        instrument: Instrument,
        parent: QWidget | None = None,
        *,
        entry: HistoryEntry | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.vault = vault
        self.patient_id = patient_id
        self.instrument = instrument
        self.entry = entry  # the signed form shown, or the one being corrected
        self.amends_id: uuid.UUID | None = None
        self.read_only = False
        self.blocks: dict[str, Block] = {}
        self.running: Running | None = None
        self.result_card: QFrame | None = None
        self._findings: tuple[Finding, ...] = ()
        self._lenient = lenient_copy(instrument)
        self._catalogue = catalogue
        self._chart: Chart | None = None
        self._saved: dict[str, Any] | None = None  # the answers last kept as a draft
        self._current: QuestionBlock | None = None
        self._content = QWidget()  # the questions, rebuilt when the form is signed or corrected
        self._footer_focus: list[QWidget] = []
        self._sections = [i.link_id for i in instrument.items if i.section]
        self._section_of = self._section_index()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_PAUSE_MS)
        self._save_timer.timeout.connect(self._save_quietly)
        base = self.font().pointSizeF()
        self.setStyleSheet(form_style(base if base > 0 else 10.5))
        self._build_frame()
        app = QApplication.instance()
        if isinstance(app, QApplication):  # Qt disconnects it when the form is deleted
            app.focusChanged.connect(self._focus_moved)
        if entry is None:
            draft = self._find_draft(None)
            self._edit(draft.answers(instrument) if draft else {}, amends=None, draft=draft)
        else:
            self._show_signed(entry)

    @classmethod
    def for_response(
        cls,
        vault: Vault,
        entry: HistoryEntry,
        instrument: Instrument,
        parent: QWidget | None = None,
        *,
        catalogue: Catalogue | None = None,
        correct: bool = False,
    ) -> AssessmentForm:
        """A signed form, read-only, with "Correct answers…" while it is the current one.

        With ``correct`` it opens ready for correcting (a correction draft is put back).
        """
        form = cls(
            vault, entry.response.patient_id, instrument, parent, entry=entry, catalogue=catalogue
        )
        if correct:
            form.start_correction()
        return form

    # -- the frame: title, summary, banners, sections, questions, footer ------------------

    def _build_frame(self) -> None:
        title = plain_label(self.instrument.title, "formTitle")
        self.summary_bar = QFrame()
        self.summary_bar.setObjectName("summaryBar")
        self.score_label = plain_label("", "scoreText", wrap=False)
        self.band_label = plain_label("", "bandText", wrap=False)
        self.required_label = plain_label("", "requiredText", wrap=False)
        bar = QHBoxLayout(self.summary_bar)
        bar.setContentsMargins(16, 8, 16, 8)
        bar.setSpacing(18)
        centre = Qt.AlignmentFlag.AlignVCenter
        bar.addWidget(self.score_label, 0, centre)
        bar.addWidget(self.band_label, 0, centre)
        bar.addWidget(self.required_label, 0, centre)
        bar.addStretch(1)
        self.urgent_banner = plain_label("", "urgentBanner")
        self.warning_banner = plain_label("", "warningBanner")
        self.notice = plain_label("", "noticeBanner")
        for banner in (self.urgent_banner, self.warning_banner, self.notice):
            banner.setVisible(False)

        self.question_scroll = QScrollArea()
        self.question_scroll.setObjectName("questionScroll")
        self.question_scroll.setWidgetResizable(True)
        self.question_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.question_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.question_scroll.setWidget(self._content)
        body = QHBoxLayout()
        body.setSpacing(14)
        self.section_list: QListWidget | None = None
        if self._sections:
            self.section_list = self._build_section_list()
            body.addWidget(self.section_list)
        body.addWidget(self.question_scroll, 1)

        self.message = message_label()
        self.save_note = plain_label("", "savedNote", wrap=False)
        self.footer_hint = plain_label("", "savedNote")  # the window's "answers are kept"
        self.correct_button = quiet_button("Correct answers…")
        self.correct_button.clicked.connect(self.start_correction)
        self.complete_button = quiet_button("Complete and sign")
        self.complete_button.setObjectName("primary")
        self.complete_button.setToolTip("Ctrl+Return")
        self.complete_button.clicked.connect(self.complete)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(10)
        self.footer.addWidget(self.save_note)
        self.footer.addWidget(self.footer_hint, 1)
        for button in (self.correct_button, self.complete_button):
            self.footer.addWidget(button)
            self._footer_focus.append(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.summary_bar)
        layout.addWidget(self.urgent_banner)
        layout.addWidget(self.warning_banner)
        layout.addWidget(self.notice)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer)
        self._shortcuts()

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+Return", self._complete_by_key),
            ("Ctrl+Enter", self._complete_by_key),
            ("Ctrl+Down", lambda: self.step_section(1)),
            ("Ctrl+Up", lambda: self.step_section(-1)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def add_footer_widget(self, widget: QWidget) -> None:
        """Put a button (a dialog's Close) at the end of the footer, last in the Tab order."""
        self.footer.addWidget(widget)
        self._footer_focus.append(widget)

    # -- building the questions --------------------------------------------------------------

    def _build_blocks(self, *, read_only: bool, answers: Mapping[str, Any]) -> None:
        self.setUpdatesEnabled(False)
        try:
            content = QWidget()
            content.setObjectName("questionContent")
            layout = QVBoxLayout(content)
            layout.setContentsMargins(2, 2, 14, 24)
            layout.setSpacing(12)
            self.result_card = None
            if read_only:
                self.result_card = self._result_card()
                if self.result_card is not None:
                    layout.addWidget(self.result_card)
            self.blocks = {}
            self._current = None
            required = required_items(self.instrument)
            number = 0
            for item in self.instrument.items:
                block: Block
                if item.type == "display":
                    block = self._display_block(item, read_only)
                elif read_only:
                    number += 1
                    block = ReadOnlyBlock(item, number, answers.get(item.link_id))
                else:
                    number += 1
                    block = QuestionBlock(item, number, required=item.link_id in required)
                    block.answer.changed.connect(self._answer_changed)
                    block.answer.committed.connect(self._typing_done)
                layout.addWidget(block)
                self.blocks[item.link_id] = block
            layout.addStretch(1)
            old = self.question_scroll.takeWidget()
            self.question_scroll.setWidget(content)
            self._content = content
            if old is not None:
                old.deleteLater()
            self._fix_tab_order()
        finally:
            self.setUpdatesEnabled(True)

    def _display_block(self, item: Any, read_only: bool) -> DisplayBlock:
        if read_only:
            return DisplayBlock(item)
        screener = item.screener
        kind = item.context
        block = DisplayBlock(
            item,
            screener_title=self._screener_title(screener) if screener else "",
            context_lines=self._context(kind) if kind else None,
        )
        block.screener_requested.connect(self._screener_requested)
        return block

    def _screener_requested(self, ident: str) -> None:
        self.screener_requested.emit(ident)

    def _screener_title(self, ident: str) -> str:
        if self._catalogue is None:
            self._catalogue = load_catalogue(None)
        return self._catalogue.title(ident) if self._catalogue.has(ident) else ""

    def _context(self, kind: str) -> list[str]:
        if self._chart is None:
            self._chart = load_chart(self.vault, self.patient_id, opened=False)
        return context_lines(self._chart, kind)

    def _fix_tab_order(self) -> None:
        """Questions come before the footer buttons in the Tab order, whatever was rebuilt."""
        content = self._content
        last: QWidget | None = None
        widget = content.nextInFocusChain()
        while widget is not None and widget is not content and content.isAncestorOf(widget):
            last = widget
            widget = widget.nextInFocusChain()
        previous = last or content
        for widget in self._footer_focus:
            QWidget.setTabOrder(previous, widget)
            previous = widget

    # -- answers ---------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The answers on screen (hidden conditional questions keep theirs; scoring skips them)."""
        found: dict[str, Any] = {}
        for link_id, block in self.blocks.items():
            value = block.value()
            if value is not None:
                found[link_id] = value
        return found

    def set_answers(self, answers: Mapping[str, Any]) -> None:
        """Show these answers (from a draft or a signed form) without keeping them again."""
        for link_id, block in self.blocks.items():
            if isinstance(block, QuestionBlock):
                block.set_value(answers.get(link_id))
        self._refresh()

    def block(self, link_id: str) -> Block:
        return self.blocks[link_id]

    def _answer_changed(self, immediate: bool) -> None:
        show_message(self.message, "")
        self._refresh()
        if immediate:
            self._save_quietly()
        else:
            self._save_timer.start()

    def _typing_done(self) -> None:
        if self._save_timer.isActive():
            self._save_quietly()

    def _refresh(self) -> None:
        """Show the questions these answers enable, and the running score and flags."""
        answers = self.answers()
        running: Running | None = None
        while running is None:
            try:
                running = running_result(self.instrument, self._lenient, answers)
            except InvalidAnswer as exc:
                if exc.link_id not in answers:
                    raise
                answers.pop(exc.link_id)
                self._point_at(exc.link_id, str(exc), focus=False)
        self.running = running
        for link_id, block in self.blocks.items():
            wanted = link_id in running.shown
            if block.isHidden() == wanted:
                block.setVisible(wanted)
        self._show_summary(running.total, running.band, running.flags, final=running.final)
        left = running.required_left
        self.required_label.setText(
            "All required questions answered"
            if left == 0
            else f"{left} required question{'s' if left != 1 else ''} not answered yet"
        )
        self.required_label.setVisible(True)

    def _show_summary(
        self, total: int | None, band: str | None, flags: tuple[Flag, ...], *, final: bool
    ) -> None:
        scoring = self.instrument.scoring
        if scoring is None:
            self.score_label.setVisible(False)
            self.band_label.setVisible(False)
        else:
            by_id = {i.link_id: i for i in self.instrument.items}
            highest = score_range(scoring, by_id)[1]
            if total is None:
                text = "No score yet"
            elif final:
                text = f"Score: {total} of {highest}"
            else:
                text = f"Score so far: {total} of {highest}"
            self.score_label.setText(text)
            self.score_label.setVisible(True)
            self.band_label.setText(band or "")
            self.band_label.setVisible(bool(band))
        urgent = [f.label for f in flags if f.severity == "urgent"]
        others = [f.label for f in flags if f.severity != "urgent"]
        self.urgent_banner.setText("\n".join(f"Urgent: {label}" for label in urgent))
        self.urgent_banner.setVisible(bool(urgent))
        self.warning_banner.setText("\n".join(others))
        self.warning_banner.setVisible(bool(others))

    # -- keeping answers as a draft ------------------------------------------------------

    def _find_draft(self, amends_id: uuid.UUID | None) -> InProgress | None:
        try:
            return find_in_progress(self.vault, self.patient_id, self.instrument.id, amends_id)
        except STORAGE_ERRORS as exc:
            show_message(self.message, f"Earlier answers could not be read. {_why(exc)}")
            return None

    def _save(self) -> bool:
        """Keep the answers as a draft now; raise if they could not be kept."""
        self._save_timer.stop()
        if self.read_only or not self.vault.is_open:  # locked: keep_as_draft kept them
            return False
        answers = self.answers()
        if answers == self._saved:
            return False
        try:
            kept = save_answers(
                self.vault,
                patient_id=self.patient_id,
                instrument=self.instrument,
                answers=answers,
                amends_id=self.amends_id,
            )
        except STORAGE_ERRORS as exc:
            show_message(
                self.message,
                f"Not saved: {_why(exc)} Your answers are still on screen; "
                "they are saved again with your next answer.",
            )
            raise
        self._saved = answers
        self._note(f"Saved as a draft at {kept.updated_at.astimezone():%H:%M}")
        if self.message.text().startswith("Not saved"):
            show_message(self.message, "")
        return True

    def _note(self, text: str) -> None:
        """The quiet line beside the buttons: when the answers were last kept."""
        self.save_note.setText(text)
        self.save_note.setVisible(bool(text))

    def _save_quietly(self) -> None:
        with contextlib.suppress(*STORAGE_ERRORS):
            self._save()  # on failure the message is on screen and the answers stay

    def flush(self) -> bool:
        """Keep any answer typed in the last half second; False if it could not be kept."""
        try:
            self._save()
        except STORAGE_ERRORS:
            return False
        return True

    def keep_as_draft(self) -> bool:
        """Keep what is on screen as an encrypted draft now (the vault is locking).

        Never asks. True if the form has answers kept as a draft. Raises a storage
        error if they could not be kept, so the lock can say so.
        """
        self._save_timer.stop()
        if self.read_only:
            return False
        self._save()
        return bool(self._saved)

    # -- completing -----------------------------------------------------------------------

    def _complete_by_key(self) -> None:
        if not self.read_only:
            self.complete()

    def complete(self) -> bool:
        """Score and sign the answers; point at a missing answer instead. True if signed."""
        if self.read_only:
            return False
        self._save_timer.stop()
        show_message(self.message, "")
        answers = self.answers()
        try:
            score(self.instrument, answers)  # checked before anything is asked
        except (IncompleteAnswers, InvalidAnswer) as exc:
            self._refused(exc)
            return False
        reason = ""
        if self.amends_id is not None:
            self._save_quietly()
            asked = ask_correction_reason(self, self._signed_on(self.entry))
            if asked is None and not self.vault.is_open:
                return False  # the vault locked while the question was open
            if asked is None:
                show_message(self.message, "Not signed yet: the corrected answers are kept.")
                return False
            reason = asked
        try:
            done = complete(
                self.vault,
                patient_id=self.patient_id,
                instrument=self.instrument,
                answers=answers,
                amends_id=self.amends_id,
                amendment_reason=reason,
            )
        except (IncompleteAnswers, InvalidAnswer) as exc:
            self._refused(exc)
            return False
        except InvalidInput as exc:
            show_message(self.message, "Not signed: " + " ".join(exc.errors.values()))
            self._save_quietly()
            return False
        except STORAGE_ERRORS as exc:
            show_message(self.message, f"Not signed: {_why(exc)} Your answers are kept.")
            self._save_quietly()
            return False
        self._saved = None
        self._show_signed(HistoryEntry(done.response, done.observation), result=done.result)
        self.completed.emit(done.response.id)
        return True

    def _refused(self, exc: IncompleteAnswers | InvalidAnswer) -> None:
        if isinstance(exc, IncompleteAnswers):
            show_message(self.message, "Not signed yet: a required question has no answer.")
            self._point_at(exc.link_id, ANSWER_FIRST)
        else:
            show_message(self.message, "Not signed yet: an answer is not accepted.")
            self._point_at(exc.link_id, str(exc))

    def _point_at(self, link_id: str, text: str, *, focus: bool = True) -> None:
        """Show ``text`` beside the question, scroll to it and put the cursor there."""
        block = self.blocks.get(link_id)
        if not isinstance(block, QuestionBlock):
            return
        block.show_problem(text)
        if not focus:
            return
        for owner in (block, self._content, self):  # messages changed the heights
            layout = owner.layout()
            if layout is not None:
                layout.activate()
        self.question_scroll.ensureWidgetVisible(block, 0, 24)
        block.focus_answer()

    # -- signed forms and corrections -----------------------------------------------------

    def _show_signed(self, entry: HistoryEntry, result: ScoreResult | None = None) -> None:
        self._save_timer.stop()
        self.entry = entry
        self.read_only = True
        self.amends_id = None
        response = entry.response
        answers = dict(response.answers)
        if result is None:
            result = _rescored(self.instrument, answers)
        self._findings = tuple(result.findings) if result is not None else ()
        self._build_blocks(read_only=True, answers=answers)
        try:
            shown = {i.link_id for i in enabled_items(self.instrument, answers)}
        except InvalidAnswer:
            shown = set(self.blocks)
        for link_id, block in self.blocks.items():
            block.setVisible(link_id in shown)
        observation = entry.observation
        total = observation.value if observation is not None else None
        band = (observation.band or None) if observation is not None else None
        if observation is None and result is not None:
            total, band = result.total, result.band
        self._show_summary(total, band, stored_flags(response.flags), final=True)
        self.required_label.setVisible(False)
        self._show_notice(self._signed_lines(entry))
        self._note("")
        self.complete_button.setVisible(False)
        self.correct_button.setVisible(response.superseded_at is None)
        self.state_changed.emit()

    def _signed_lines(self, entry: HistoryEntry) -> list[str]:
        response = entry.response
        lines = [f"Signed by {response.author} on {format_datetime(response.authored_at)}."]
        if response.amends_id is not None:
            lines.append(f"This corrects the form signed on {self._original_signed_on()}.")
            if response.amendment_reason:
                lines.append(f"Reason for the correction: {response.amendment_reason}")
        if response.superseded_at is not None:
            lines.append(
                f"Corrected on {format_datetime(response.superseded_at)} — "
                "this is the original, kept for the record."
            )
        else:
            draft = self._find_draft(response.id)
            if draft is not None:
                lines.append(
                    f"A correction started on {format_datetime(draft.started_at)} is kept: "
                    "choose Correct answers… to go on with it."
                )
        return lines

    def _original_signed_on(self) -> str:
        response = self.entry.response if self.entry is not None else None
        if response is None or response.amends_id is None:
            return ""
        try:
            return self._signed_on(get_response(self.vault, response.amends_id))
        except STORAGE_ERRORS:
            return "an earlier date"

    @staticmethod
    def _signed_on(entry: HistoryEntry | None) -> str:
        return format_datetime(entry.response.authored_at) if entry is not None else ""

    def _show_notice(self, lines: list[str]) -> None:
        self.notice.setText("\n".join(lines))
        self.notice.setVisible(bool(lines))

    def _result_card(self) -> QFrame | None:
        """The needs this form suggests for the care plan (instruments with findings rules)."""
        if not self.instrument.findings:
            return None
        card = QFrame()
        card.setObjectName("resultCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        layout.addWidget(plain_label("Needs suggested for the care plan", "resultHeading"))
        findings = self._findings
        if not findings:
            layout.addWidget(plain_label("None found in these answers.", "helpText"))
        for finding in findings:
            label = plain_label(f"•  {finding.need} — {finding.evidence}")
            layout.addWidget(label)
        return card

    def start_correction(self) -> None:
        """Make a signed form editable as a correction (the original stays unchanged)."""
        entry = self.entry
        if entry is None or not self.read_only or entry.response.superseded_at is not None:
            return
        draft = self._find_draft(entry.response.id)
        answers = draft.answers(self.instrument) if draft else dict(entry.response.answers)
        self._edit(answers, amends=entry.response.id, draft=draft)
        self._show_notice(
            [
                f"This corrects the form signed on {self._signed_on(entry)}. The original "
                "stays as it was; the corrected answers are signed as a new form."
            ]
        )
        self.focus_first_question()

    def _edit(
        self, answers: Mapping[str, Any], *, amends: uuid.UUID | None, draft: InProgress | None
    ) -> None:
        self.read_only = False
        self.amends_id = amends
        self._build_blocks(read_only=False, answers=answers)
        self.set_answers(answers)
        self._saved = self.answers()
        self._note(f"Answers from {format_datetime(draft.updated_at)} put back" if draft else "")
        self.complete_button.setVisible(True)
        self.correct_button.setVisible(False)
        self._show_notice([])
        self.state_changed.emit()

    # -- focus, sections and scrolling -------------------------------------------------------

    def focus_first_question(self) -> None:
        for block in self.blocks.values():
            if isinstance(block, QuestionBlock) and not block.isHidden():
                block.focus_answer()
                return

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Outline the question being answered and keep it in view."""
        if not shiboken6.isValid(self._content):
            return  # the form is being destroyed (focus moves as its widgets go)
        block = self._block_of(new)
        if block is self._current:
            return
        if self._current is not None and shiboken6.isValid(self._current):
            self._current.set_current(False)
        self._current = block
        if block is None:
            return
        block.set_current(True)
        if block.height() < self.question_scroll.viewport().height():
            self.question_scroll.ensureWidgetVisible(block, 0, 12)
        index = self._section_of.get(block.item.link_id, -1)
        if index >= 0:
            self._mark_section(index)

    def _block_of(self, widget: QWidget | None) -> QuestionBlock | None:
        while widget is not None and widget is not self._content:
            if isinstance(widget, QuestionBlock):
                return widget
            widget = widget.parentWidget()
        return None

    def _section_index(self) -> dict[str, int]:
        index, found = -1, {}
        for item in self.instrument.items:
            if item.section:
                index += 1
            found[item.link_id] = index
        return found

    def _build_section_list(self) -> QListWidget:
        sections = QListWidget()
        sections.setObjectName("sectionList")
        sections.setAccessibleName("Sections")
        by_id = {i.link_id: i for i in self.instrument.items}
        for link_id in self._sections:
            sections.addItem(by_id[link_id].text)
        sections.setWordWrap(True)
        sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        sections.setTextElideMode(Qt.TextElideMode.ElideNone)
        bold = QFont(sections.font())
        bold.setBold(True)  # the current section is shown in bold
        metrics = QFontMetrics(bold)
        widest = max(metrics.horizontalAdvance(by_id[s].text) for s in self._sections)
        cap = metrics.averageCharWidth() * 34  # longer titles wrap
        sections.setFixedWidth(min(widest, cap) + 56)
        sections.currentRowChanged.connect(self._scroll_to_section)
        sections.itemActivated.connect(lambda _i: self.go_to_section(sections.currentRow()))
        sections.itemClicked.connect(lambda _i: self.go_to_section(sections.currentRow()))
        self.question_scroll.verticalScrollBar().valueChanged.connect(self._follow_scroll)
        return sections

    def _scroll_to_section(self, index: int) -> None:
        if 0 <= index < len(self._sections):
            block = self.blocks.get(self._sections[index])
            if block is not None:
                self.question_scroll.verticalScrollBar().setValue(block.y())

    def go_to_section(self, index: int) -> None:
        """Scroll to a section and put the cursor on its first question."""
        if not 0 <= index < len(self._sections):
            return
        self._mark_section(index)
        self._scroll_to_section(index)
        for link_id, block in self.blocks.items():
            if (
                self._section_of.get(link_id) == index
                and isinstance(block, QuestionBlock)
                and not block.isHidden()
            ):
                block.focus_answer()
                break
        self._scroll_to_section(index)

    def step_section(self, step: int) -> None:
        """Ctrl+Down / Ctrl+Up: the next or previous section."""
        if not self._sections:
            return
        here = self._current.item.link_id if self._current is not None else None
        index = self._section_of.get(here, -1) if here else self._section_at_scroll()
        self.go_to_section(min(max(index + step, 0), len(self._sections) - 1))

    def _section_at_scroll(self) -> int:
        top = self.question_scroll.verticalScrollBar().value()
        index = -1
        for n, link_id in enumerate(self._sections):
            block = self.blocks.get(link_id)
            if block is not None and not block.isHidden() and block.y() <= top + 8:
                index = n
        return index

    def _follow_scroll(self, _value: int) -> None:
        self._mark_section(max(self._section_at_scroll(), 0))

    def _mark_section(self, index: int) -> None:
        sections = self.section_list
        if sections is not None and sections.currentRow() != index:
            sections.blockSignals(True)
            sections.setCurrentRow(index)
            sections.blockSignals(False)


def _rescored(instrument: Instrument, answers: Mapping[str, Any]) -> ScoreResult | None:
    """A signed form's answers scored again (for its findings); None if they no longer fit."""
    try:
        return score(instrument, answers)
    except (IncompleteAnswers, InvalidAnswer):
        return None


def _why(exc: BaseException) -> str:
    if isinstance(exc, CareNavError):
        return str(exc)
    name = type(exc).__name__
    return f"The vault could not be written ({name}). Check that the disk has free space."


# -- the reason for a correction ---------------------------------------------------------------


class CorrectionReasonDialog(QDialog):
    """Asks why a signed form's answers are corrected; Cancel keeps the correction as a draft."""

    def __init__(self, parent: QWidget | None, signed_on: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reason for the correction")
        self.setModal(True)
        question = plain_label(f"Why are the answers of the form signed on {signed_on} corrected?")
        question.setObjectName("sectionTitle")
        hint = plain_label(
            "The original form is kept unchanged. This reason is kept with the correction.",
            "fieldHint",
        )
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            "For example: answers 3 and 4 were given the wrong way round"
        )
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 18)
        self.problem = message_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        sign = buttons.button(QDialogButtonBox.StandardButton.Ok)
        sign.setText("Sign the correction")
        sign.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        for widget in (question, hint, self.reason, self.problem, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(560)
        self.reason.setFocus()

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        text = self.reason_text()
        if not text:
            show_message(self.problem, "Say briefly why the answers are corrected.")
            return
        if len(text) > AMENDMENT_REASON_MAX:
            show_message(self.problem, f"Keep the reason under {AMENDMENT_REASON_MAX} characters.")
            return
        super().accept()


def ask_correction_reason(parent: QWidget | None, signed_on: str) -> str | None:
    """The reason typed, or None when the correction is not to be signed now."""
    dialog = CorrectionReasonDialog(parent, signed_on)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    text = dialog.reason_text()
    dialog.deleteLater()
    return text if accepted else None
