"""Go > Resource directory: the agency's community organisations and their services.

Search as you type (every word must appear: names, categories, city, postal code,
eligibility, languages, notes), narrow by category and by language. The table lists the
services found; an entry not verified for over a year shows its date in amber. The pane
beside it shows the selected service in full: address, eligibility, how to refer, what
to bring, notes.

Add organisation…, Add service… (to the selected organisation), Change… and Remove…
keep the directory by hand; Import CSV… takes another agency's list (all or nothing:
bad rows are reported by their row number and nothing is saved) and Export CSV… writes
the whole directory (atomically). The directory holds no patient information. An empty
directory says how to fill it.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carenav.errors import CareNavError
from carenav.services import directory
from carenav.services.directory import CATEGORIES, ServiceView
from carenav.store.vault import Vault
from carenav.ui.formatting import format_date
from carenav.ui.item_models.directory import (
    CATEGORIES as CATEGORIES_COLUMN,
)
from carenav.ui.item_models.directory import (
    HOURS,
    LANGUAGES,
    ORGANISATION,
    PHONE,
    SERVICE,
    DirectoryModel,
    is_stale,
)
from carenav.ui.pages.chart.dialogs import confirm_removal
from carenav.ui.pages.coordination.directory_dialog import (
    ADD_SERVICE,
    EDIT_ENTRY,
    NEW_ENTRY,
    DirectoryEntryDialog,
)
from carenav.ui.pages.coordination.style import COORDINATION_STYLE
from carenav.ui.widgets.layout import heading

EMPTY_TEXT = (
    "The resource directory is empty. Import your agency's list with Import CSV… "
    "(a spreadsheet saved as CSV, one row per service), or add an organisation by hand "
    "with Add organisation…."
)
NOTHING_FOUND = "No service matches. Try fewer words, or another category or language."


def detail_html(view: ServiceView, today: date) -> str:
    """The selected service in full, as simple rich text (every value escaped)."""
    from html import escape

    def row(label: str, value: str) -> str:
        if not value:
            return ""
        text = escape(value).replace("\n", "<br>")
        return f"<p><b>{escape(label)}</b><br>{text}</p>"

    verified = "Not recorded"
    if view.last_verified is not None:
        verified = format_date(view.last_verified)
        if is_stale(view, today):
            verified += " — over a year ago: check the details before referring"
    parts = [
        f"<h3>{escape(view.organisation)}</h3>",
        f"<p style='font-size:12pt'>{escape(view.name)}</p>",
        row("Categories", ", ".join(view.category_labels)),
        row("Phone", view.phone),
        row("Address", view.address),
        row("Website", view.website),
        row("Hours", view.hours),
        row("Languages", ", ".join(view.languages)),
        row("Eligibility", view.eligibility),
        row("How to refer", view.how_to_refer),
        row("What to bring", view.what_to_bring),
        row("Notes", view.notes),
        row("Last verified", verified),
    ]
    return "".join(parts)


class ResultsTable(QTableView):
    """Enter asks for the selected entry to be changed; Delete to be removed."""

    edit_requested = Signal()
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.edit_requested.emit()
            return
        if event.key() == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class DirectoryPage(QWidget):
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(COORDINATION_STYLE)
        self.vault: Vault | None = None
        self.today = today or date.today()
        self.model = DirectoryModel(self, today=self.today)
        self._build()

    # -- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        self.back_button = QPushButton("← Back to caseload")
        self.back_button.setToolTip("Back to the caseload (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setToolTip("Add or update entries from a CSV file (one row a service)")
        self.import_button.clicked.connect(self.import_csv)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the whole directory as a CSV file to share")
        self.export_button.clicked.connect(self.export_csv)
        title = heading("Resource directory")
        title.setWordWrap(False)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        top.addWidget(self.back_button)

        self.search = QLineEdit()
        self.search.setAccessibleName("Search the directory")
        self.search.setPlaceholderText("Search: food pantry, Spanish, 62701…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_query)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("All categories", "")
        for code, label in CATEGORIES.items():
            self.category.addItem(label, code)
        self.category.currentIndexChanged.connect(self.apply_query)
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        self.language.addItem("Any language", "")
        self.language.currentIndexChanged.connect(self.apply_query)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Category"))
        filters.addWidget(self.category, 2)
        filters.addWidget(QLabel("Language"))
        filters.addWidget(self.language, 1)

        self.table = ResultsTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Services found")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {
            ORGANISATION: 175,
            SERVICE: 150,
            CATEGORIES_COLUMN: 125,
            PHONE: 132,
            HOURS: 135,
            LANGUAGES: 105,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.doubleClicked.connect(lambda _index: self.edit_entry())
        self.table.edit_requested.connect(self.edit_entry)
        self.search.returnPressed.connect(self.table.setFocus)  # Enter: to the results
        self.table.remove_requested.connect(self.remove_entry)

        self.detail = QLabel()
        self.detail.setObjectName("directoryDetail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        detail_inner = QWidget()
        detail_inner.setObjectName("detailInner")
        detail_layout = QVBoxLayout(detail_inner)
        detail_layout.addWidget(self.detail)
        detail_layout.addStretch(1)
        detail_frame = QScrollArea()
        detail_frame.setObjectName("detailPane")
        detail_frame.setWidgetResizable(True)
        detail_frame.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_frame.setWidget(detail_inner)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(detail_frame)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([980, 300])
        self.results = split

        self.empty_hint = QLabel(EMPTY_TEXT)
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("fieldHint")
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)

        self.add_button = QPushButton("Add organisation…")
        self.add_button.setToolTip("A new organisation with its first service")
        self.add_button.clicked.connect(self.add_organisation)
        self.add_service_button = QPushButton("Add service…")
        self.add_service_button.setToolTip("Another service of the selected organisation")
        self.add_service_button.clicked.connect(self.add_service)
        self.edit_button = QPushButton("Change…")
        self.edit_button.setToolTip("Change the selected entry (Enter)")
        self.edit_button.clicked.connect(self.edit_entry)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Remove the selected service or its organisation (Delete)")
        remove_menu = QMenu(self.remove_button)
        self.remove_service_action = remove_menu.addAction("Remove this service…")
        self.remove_service_action.triggered.connect(self.remove_entry)
        self.remove_org_action = remove_menu.addAction(
            "Remove the organisation and all its services…"
        )
        self.remove_org_action.triggered.connect(self.remove_organisation)
        self.remove_button.setMenu(remove_menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.add_service_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.summary)

        page = QVBoxLayout(self)
        page.setContentsMargins(18, 12, 18, 12)
        page.setSpacing(10)
        page.addLayout(top)
        page.addLayout(filters)
        page.addWidget(self.empty_hint)
        page.addWidget(self.results, 1)
        page.addWidget(self.message)
        page.addLayout(buttons)
        self._update_buttons()

    # -- contract with the main window ----------------------------------------------

    def show_for(self, vault: Vault) -> None:
        """Fill the language list and the results; the keyboard goes to the search box."""
        self.vault = vault
        self._fill_languages()
        self._say("")
        self.apply_query()
        self.search.setFocus()

    def clear(self) -> None:
        """Forget the vault (the directory holds no patient information, but it is locked)."""
        self.vault = None
        self.model.clear()
        self.detail.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._say("")

    # -- search ---------------------------------------------------------------------

    def _fill_languages(self) -> None:
        if self.vault is None:
            return
        chosen = self.language.currentData()
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItem("Any language", "")
        for language in directory.languages_in_use(self.vault):
            self.language.addItem(language, language)
        found = self.language.findData(chosen)
        self.language.setCurrentIndex(max(found, 0))
        self.language.blockSignals(False)

    def set_category(self, code: str) -> None:
        self.category.setCurrentIndex(max(self.category.findData(code), 0))

    def apply_query(self, *_args: object) -> None:
        if self.vault is None:
            return
        kept = self.selected()
        rows = directory.search_services(
            self.vault,
            self.search.text(),
            category=self.category.currentData() or None,
            language=self.language.currentData() or None,
        )
        self.model.set_rows(rows)
        total = directory.count_services(self.vault)
        empty = total == 0
        self.empty_hint.setVisible(empty)
        self.results.setVisible(not empty)
        self.export_button.setEnabled(not empty)
        if empty:
            self.summary.setText("")
        elif not rows:
            self.summary.setText(NOTHING_FOUND)
        else:
            shown = f"{len(rows)} of {total} service{'s' if total != 1 else ''}"
            limited = len(rows) >= directory.SEARCH_LIMIT
            self.summary.setText(shown + (" — type more words to narrow" if limited else ""))
        row = self.model.row_of(kept.service_id) if kept is not None else -1
        self._select_row(row if row >= 0 else 0)
        self._update_buttons()

    def _select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            self.detail.clear()
            return
        index = self.model.index(max(min(row, self.model.rowCount() - 1), 0), 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._on_current(index)

    def select_service(self, service_id: uuid.UUID) -> bool:
        row = self.model.row_of(service_id)
        if row < 0:
            return False
        self._select_row(row)
        return True

    def selected(self) -> ServiceView | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _on_current(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        view = self.model.row_at(current.row()) if current.isValid() else None
        self.detail.setText(detail_html(view, self.today) if view is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.vault is not None and self.selected() is not None
        for button in (self.add_service_button, self.edit_button, self.remove_button):
            button.setEnabled(chosen)
        for button in (self.add_button, self.import_button):
            button.setEnabled(self.vault is not None)

    # -- keeping the directory by hand ----------------------------------------------

    def _open_dialog(self, mode: str, entry: ServiceView | None) -> DirectoryEntryDialog | None:
        if self.vault is None:
            return None
        dialog = DirectoryEntryDialog(self.vault, self, mode=mode, entry=entry, today=self.today)
        if dialog.exec() != QDialog.DialogCode.Accepted or self.vault is None:
            return None
        self._fill_languages()
        self.apply_query()
        if dialog.saved_service_id is not None and not self.select_service(dialog.saved_service_id):
            self._say("Saved. It is not among the services found; clear the search to see it.")
        return dialog

    def add_organisation(self) -> None:
        if self._open_dialog(NEW_ENTRY, None) is not None:
            self._say("Organisation and service added.", ok=True)

    def add_service(self) -> None:
        entry = self.selected()
        if entry is not None and self._open_dialog(ADD_SERVICE, entry) is not None:
            self._say(f"Service added to {entry.organisation}.", ok=True)

    def edit_entry(self) -> None:
        entry = self.selected()
        if entry is not None and self._open_dialog(EDIT_ENTRY, entry) is not None:
            self._say("Changes saved.", ok=True)

    def remove_entry(self) -> bool:
        entry = self.selected()
        if self.vault is None or entry is None:
            return False
        if not confirm_removal(
            self,
            title="Remove service",
            question=f"Remove “{entry.name}” of {entry.organisation} from the directory?",
            detail="Referrals already made to it keep its name and details.",
            remove_text="Remove service",
            keep_text="Keep",
        ):
            return False
        try:
            directory.remove_service(self.vault, entry.service_id)
        except CareNavError as exc:
            self._say(f"Not removed: {exc}", problem=True)
            return False
        self._after_removal(f"“{entry.name}” removed from the directory.")
        return True

    def remove_organisation(self) -> bool:
        entry = self.selected()
        if self.vault is None or entry is None:
            return False
        if not confirm_removal(
            self,
            title="Remove organisation",
            question=f"Remove {entry.organisation} and all its services from the directory?",
            detail="Referrals already made to it keep its name and details.",
            remove_text="Remove organisation",
            keep_text="Keep",
        ):
            return False
        try:
            count = directory.remove_organisation(self.vault, entry.organisation_id)
        except CareNavError as exc:
            self._say(f"Not removed: {exc}", problem=True)
            return False
        services = f"{count} service{'s' if count != 1 else ''}"
        self._after_removal(f"{entry.organisation} removed with its {services}.")
        return True

    def _after_removal(self, text: str) -> None:
        row = self.table.currentIndex().row()
        self._fill_languages()
        self.apply_query()
        self._select_row(row)
        self._say(text, ok=True)

    # -- CSV ------------------------------------------------------------------------

    def import_csv(self, path: Path | None = None) -> directory.ImportReport | None:
        """Ask for a file (unless given), import it all or nothing, say what happened."""
        if self.vault is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Import a resource directory", str(Path.home()), "CSV files (*.csv)"
            )
            if not chosen or self.vault is None:
                return None
            path = Path(chosen)
        try:
            report = directory.import_csv(self.vault, path)
        except CareNavError as exc:
            self._say(str(exc), problem=True)
            return None
        self._fill_languages()
        self.apply_query()
        parts = [f"{report.added} service{'s' if report.added != 1 else ''} added"]
        if report.updated:
            parts.append(f"{report.updated} updated")
        if report.unchanged:
            parts.append(f"{report.unchanged} unchanged")
        if report.organisations_added:
            orgs = report.organisations_added
            parts.append(f"{orgs} new organisation{'s' if orgs != 1 else ''}")
        self._say(f"Imported {path.name}: " + ", ".join(parts) + ".", ok=True)
        return report

    def export_csv(self, path: Path | None = None) -> Path | None:
        if self.vault is None:
            return None
        if path is None:
            suggested = Path.home() / f"resource-directory-{self.today.isoformat()}.csv"
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the resource directory", str(suggested), "CSV files (*.csv)"
            )
            if not chosen or self.vault is None:
                return None
            path = Path(chosen)
            if path.suffix.lower() != ".csv":
                path = path.with_name(path.name + ".csv")
        try:
            count = directory.export_csv(self.vault, path)
        except (CareNavError, OSError) as exc:
            reason = str(exc) if isinstance(exc, CareNavError) else (exc.strerror or str(exc))
            self._say(
                f"The directory was not saved: {reason}. Choose another folder and try again.",
                problem=True,
            )
            return None
        self._say(f"Saved {count} service{'s' if count != 1 else ''} to {path}.", ok=True)
        return path

    def _say(self, text: str, *, ok: bool = False, problem: bool = False) -> None:
        self.message.setObjectName("errorText" if problem else "savedText" if ok else "fieldHint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))
