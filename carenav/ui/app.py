"""Start the Qt application: fonts, style, the main window."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from carenav.config import APP_NAME

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
MIN_POINT_SIZE = 10.5


def style_application(app: QApplication) -> None:
    """Respect the system font, but never smaller than 10.5 pt; apply the style sheet."""
    font = QFont(app.font())
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)
    sheet = RESOURCES / "style.qss"
    if sheet.exists():
        app.setStyleSheet(sheet.read_text("utf-8"))


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    style_application(app)
    return app


def run_gui(vault_path: Path | None, *, demo_passphrase: str = "") -> int:
    from carenav.ui.main_window import MainWindow

    app = make_application()
    window = MainWindow(vault_path, demo_passphrase=demo_passphrase)
    window.show()
    # Everything built so far (Qt wrappers, SQLAlchemy's mappers, the instruments) lives as
    # long as the app: keep it out of the garbage collector's full passes, which otherwise
    # walk all of it every time and show up as pauses in long lists.
    gc.collect()
    gc.freeze()
    return app.exec()
