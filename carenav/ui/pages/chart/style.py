"""Style rules for the chart and its dialogs, on top of resources/style.qss.

Calm: white cards on a light grey page, one soft red for allergies, amber only
for high and very high risk. Sizes are relative to the system font; nothing is
set smaller than it.
"""

from __future__ import annotations

CHART_STYLE = """
QFrame#chartBanner { background: #ffffff; border: 1px solid #d9dee5; border-radius: 10px; }
QLabel#patientName { font-size: 18pt; font-weight: 600; color: #12355b; }
QLabel#sectionTitle { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#bannerText { color: #243b53; }
QLabel#badgeInfo { background: #e6f0fa; color: #174c87; border: 1px solid #b6cde8;
    border-radius: 11px; padding: 2px 10px; }
QLabel#badgeAmber { background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 11px; padding: 2px 10px; font-weight: 600; }
QLabel#badgeNeutral { background: #eef2f6; color: #334e68; border: 1px solid #d9dee5;
    border-radius: 11px; padding: 2px 10px; }
QLabel#allergyAlert { background: #fdecea; color: #8a1c12; border: 1px solid #f3b8b0;
    border-radius: 6px; padding: 6px 10px; font-weight: 600; }
QLabel#safetyAlert { background: #fdecea; color: #8a1c12; border: 2px solid #b42318;
    border-radius: 6px; padding: 8px 12px; font-weight: 700; font-size: 12pt; }
QLabel#allergyNone { background: #f3f4f6; color: #52606d; border: 1px solid #e4e7eb;
    border-radius: 6px; padding: 6px 10px; }
QLabel#savedText { color: #2f6b45; font-weight: 600; }
QLabel#unsavedText { color: #7a4b00; }
QGroupBox { border: 1px solid #d9dee5; border-radius: 8px; margin-top: 16px;
    padding: 16px 12px 10px 12px; background: #ffffff; }
QGroupBox::title { subcontrol-origin: margin; left: 12px; padding: 0 4px; color: #12355b; }
QTabWidget::pane { border: 1px solid #d9dee5; border-radius: 8px; top: -1px; }
QTabBar::tab { background: #eef2f6; color: #334e68; border: 1px solid #d9dee5;
    border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px;
    padding: 7px 11px; margin-right: 3px; }
QTabBar::tab:selected { background: #ffffff; color: #12355b; font-weight: 600; }
QTabBar::tab:hover:!selected { background: #f6f8fa; }
QPlainTextEdit#noteReader { background: #ffffff; }
QScrollArea#demographicsScroll { border: none; }
"""
