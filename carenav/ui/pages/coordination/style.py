"""Style rules for the coordination screens, on top of resources/style.qss.

Calm, like the chart: white panes on the light page, amber for what needs a look soon
(an old directory entry, an expiring authorisation, an overdue check-back), red only for
a denied authorisation.
"""

from __future__ import annotations

COORDINATION_STYLE = """
QScrollArea#detailPane { background: #ffffff; border: 1px solid #d9dee5; border-radius: 8px; }
QWidget#detailInner { background: #ffffff; }
QLabel#directoryDetail { color: #243b53; }
QLabel#emptyHint { color: #334e68; background: #ffffff; border: 1px dashed #bcccdc;
    border-radius: 8px; padding: 18px; font-size: 12pt; }
QLabel#coordHeading { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#savedText { color: #2f6b45; font-weight: 600; }
"""
