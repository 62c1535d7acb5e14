"""Style of the Care plan tab, on top of resources/style.qss and the chart's style.

The chart's calm palette: navy headings, white cards with #d9dee5 borders on the
light grey page, the primary blue for the one main action, amber (#fff4d6 /
#7a4b00) for what is overdue or still missing, a soft red only for errors. One
sheet is set on the panel; rules match by object name. Sizes are relative to the
application font and never below it.
"""

from __future__ import annotations

NAVY = "#12355b"
MUTED = "#52606d"


def panel_style(base_pt: float) -> str:
    base = max(base_pt, 10.0)
    title = round(max(16.0, base * 1.5), 1)
    heading = round(max(13.0, base * 1.2), 1)
    return f"""
QWidget#carePlanPanel {{ background: #f6f7f9; }}
QLabel#planTitle {{ font-size: {title}pt; font-weight: 600; color: {NAVY}; }}
QLabel#badgeDraft {{ background: #eef2f6; color: #334e68; border: 1px solid #d9dee5;
    border-radius: 11px; padding: 3px 12px; }}
QLabel#badgeActive {{ background: #e3f1e8; color: #1f5132; border: 1px solid #a9d3b6;
    border-radius: 11px; padding: 3px 12px; font-weight: 600; }}
QLabel#badgeChanged {{ background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 11px; padding: 3px 12px; font-weight: 600; }}
QLabel#reviewDate {{ color: #334e68; }}
QLabel#reviewOverdue {{ background: #fff4d6; color: #7a4b00; border: 1px solid #eec36a;
    border-radius: 6px; padding: 3px 10px; font-weight: 600; }}
QFrame#messageStrip {{ background: #eef5fb; border: 1px solid #b6cde8; border-radius: 8px; }}
QFrame#messageStrip QLabel {{ color: #174c87; background: transparent; border: none; }}
QFrame#treeCard, QFrame#editorCard, QFrame#checklistCard {{ background: #ffffff;
    border: 1px solid #d9dee5; border-radius: 10px; }}
QTreeView#planTree {{ border: none; background: #ffffff; outline: 0; }}
QTreeView#planTree::item {{ padding: 5px 4px; }}
QTreeView#planTree::item:selected {{ background: #cfe0f5; color: #102a43; }}
QLabel#keysHint {{ color: {MUTED}; padding: 2px 4px; }}
QWidget#editorPage, QScrollArea#editorScroll {{ background: #ffffff; }}
QLabel#editorHeading {{ font-size: {heading}pt; font-weight: 600; color: {NAVY}; }}
QLabel#editorContext, QLabel#editorHint, QLabel#savedNote, QLabel#listEmpty {{ color: {MUTED}; }}
QLabel#savedNote {{ padding: 0 18px 8px 18px; }}
QLabel#groupTitle {{ font-weight: 600; color: {NAVY}; padding-top: 10px;
    border-bottom: 1px solid #e4e7eb; }}
QLabel#listTitle {{ font-weight: 600; color: {NAVY}; }}
QLabel#listLine {{ color: #243b53; }}
QPushButton#topicChip {{ border-radius: 12px; padding: 3px 10px; background: #eef5fb;
    border: 1px solid #b6cde8; color: #174c87; }}
QLabel#checklistTitle {{ font-size: {heading}pt; font-weight: 600; color: {NAVY}; }}
QLabel#checklistIntro, QLabel#howToMeet {{ color: {MUTED}; }}
QLabel#elementMet {{ color: #1f5132; }}
QLabel#elementMissing {{ color: #7a4b00; font-weight: 600; }}
QLabel#elementExcused {{ color: #334e68; }}
QLabel#exceptionText {{ color: #334e68; font-style: italic; }}
QScrollArea#checklistScroll, QWidget#checklistContent {{ background: #ffffff; border: none; }}
QWidget#checklistContent QPushButton:flat {{ padding: 2px 4px; }}
QLabel#emptyTitle {{ font-size: {title}pt; font-weight: 600; color: {NAVY}; }}
QLabel#emptyText {{ color: #334e68; }}
QFrame#emptyCard {{ background: #ffffff; border: 1px solid #d9dee5; border-radius: 12px; }}
QMenu::item {{ padding: 6px 28px 6px 20px; }}
"""


DIALOG_STYLE = """
QLabel#dialogHeading { font-size: 13pt; font-weight: 600; color: #12355b; }
QLabel#subHeading { font-weight: 600; color: #12355b; padding-top: 6px; }
QLabel#fieldHint, QLabel#howToMeet { color: #52606d; }
QLabel#elementMissing { color: #7a4b00; font-weight: 600; }
QLabel#changeLine { color: #243b53; }
QFrame#gapCard { background: #fffaf0; border: 1px solid #eec36a; border-radius: 8px; }
QFrame#gapCard QLabel { background: transparent; border: none; }
QTreeWidget#suggestionTree { background: #ffffff; border: 1px solid #d9dee5;
    border-radius: 6px; }
QTreeWidget#suggestionTree::item:selected { background: #cfe0f5; color: #102a43; }
QScrollArea { background: transparent; }
QLabel#detailText { color: #243b53; background: #f6f8fa; border: 1px solid #e4e7eb;
    border-radius: 6px; padding: 8px 10px; }
"""
