"""Style of the assessment form, on top of resources/style.qss.

The same calm palette as the chart (carenav/ui/pages/chart/style.py): navy
headings, white question cards on a light grey page, a soft red only for an
urgent flag and amber for a warning. Sizes grow with the system font and are
never smaller than it: the question text is about 12-13 pt at the usual
10-11 pt system font, larger when the system font is larger.

One style sheet is set on the form (never one per widget): building a long
form stays fast because Qt matches these rules by object name.
"""

from __future__ import annotations

NAVY = "#12355b"
MUTED = "#52606d"
URGENT_BACKGROUND, URGENT_TEXT, URGENT_BORDER = "#fdecea", "#8a1c12", "#f3b8b0"
AMBER_BACKGROUND, AMBER_TEXT, AMBER_BORDER = "#fff4d6", "#7a4b00", "#eec36a"


def sizes(base_pt: float) -> dict[str, float]:
    """Point sizes relative to the application font (never below it)."""
    base = max(base_pt, 10.0)
    return {
        "base": base,
        "question": round(max(12.5, base * 1.2), 1),
        "display": round(max(11.0, base * 1.08), 1),
        "section": round(max(15.0, base * 1.45), 1),
        "title": round(max(17.0, base * 1.6), 1),
        "score": round(max(13.0, base * 1.25), 1),
    }


def form_style(base_pt: float) -> str:
    """The style sheet of an AssessmentForm for an application font of ``base_pt`` points."""
    pt = sizes(base_pt)
    return f"""
QWidget#assessmentPage {{ background: #f6f7f9; }}
QScrollArea#questionScroll {{ border: none; background: #f6f7f9; }}
QWidget#questionContent {{ background: #f6f7f9; }}
QLabel#formTitle {{ font-size: {pt["title"]}pt; font-weight: 600; color: {NAVY}; }}
QFrame#question {{ background: #ffffff; border: 1px solid #d9dee5; border-radius: 10px; }}
QFrame#question[current="true"] {{ border: 2px solid #1d5fa8; }}
QFrame#question[problem="true"] {{ border: 2px solid #b42318; }}
QFrame#note {{ background: transparent; border: none; }}
QLabel#questionText {{ font-size: {pt["question"]}pt; color: #102a43; }}
QLabel#displayText {{ font-size: {pt["display"]}pt; color: #334e68; }}
QLabel#sectionHeading {{ font-size: {pt["section"]}pt; font-weight: 600; color: {NAVY};
    padding-top: 14px; }}
QLabel#requiredMark {{ color: {AMBER_TEXT}; background: {AMBER_BACKGROUND};
    border: 1px solid {AMBER_BORDER}; border-radius: 10px; padding: 1px 9px; }}
QLabel#helpText {{ color: {MUTED}; }}
QLabel#answerText {{ font-size: {pt["question"]}pt; font-weight: 600; color: {NAVY}; }}
QLabel#notAnswered {{ color: {MUTED}; font-style: italic; }}
QLabel#contextList {{ color: #1f2933; background: #f6f8fa; border: 1px solid #e4e7eb;
    border-radius: 6px; padding: 8px 12px; }}
QLabel#problemText {{ color: #b42318; font-weight: 600; }}
QLabel#datePreview {{ color: {MUTED}; }}
QRadioButton, QCheckBox {{ padding: 4px 10px 4px 8px; spacing: 10px; border-radius: 6px;
    border: 1px solid transparent; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: 18px; height: 18px; }}
QRadioButton:checked, QCheckBox:checked {{ background: #e6f0fa; color: {NAVY}; }}
QRadioButton:focus, QCheckBox:focus {{ border: 1px solid #1d5fa8; }}
QFrame#summaryBar {{ background: #ffffff; border: 1px solid #d9dee5; border-radius: 10px; }}
QLabel#scoreText {{ font-size: {pt["score"]}pt; font-weight: 600; color: {NAVY}; }}
QLabel#bandText {{ font-size: {pt["score"]}pt; color: #174c87; background: #e6f0fa;
    border: 1px solid #b6cde8; border-radius: 12px; padding: 1px 12px; }}
QLabel#requiredText {{ color: #334e68; }}
QLabel#warningBanner {{ background: {AMBER_BACKGROUND}; color: {AMBER_TEXT};
    border: 1px solid {AMBER_BORDER}; border-radius: 8px; padding: 6px 12px; font-weight: 600; }}
QLabel#urgentBanner {{ background: {URGENT_BACKGROUND}; color: {URGENT_TEXT};
    border: 2px solid {URGENT_TEXT}; border-radius: 8px; padding: 10px 14px;
    font-size: {pt["question"]}pt; font-weight: 700; }}
QLabel#noticeBanner {{ background: #e6f0fa; color: #174c87; border: 1px solid #b6cde8;
    border-radius: 8px; padding: 8px 12px; }}
QFrame#resultCard {{ background: #ffffff; border: 1px solid #b6cde8; border-radius: 10px; }}
QLabel#resultHeading {{ font-size: {pt["score"]}pt; font-weight: 600; color: {NAVY}; }}
QLabel#savedNote {{ color: {MUTED}; }}
QLabel#saveFailed {{ color: #b42318; font-weight: 600; }}
QListWidget#sectionList {{ background: #ffffff; border: 1px solid #d9dee5; border-radius: 10px;
    padding: 6px; }}
QListWidget#sectionList::item {{ padding: 8px 8px; border-radius: 6px; color: #243b53; }}
QListWidget#sectionList::item:selected {{ background: #e6f0fa; color: {NAVY}; font-weight: 600; }}
"""
