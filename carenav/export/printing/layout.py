"""Page layout shared by every printed document: styles, page furniture, building.

US Letter, wide margins, DejaVu Sans embedded. Two sizes: standard (body 12 pt) and
large print (body 17 pt); every other size follows from the body size. Headings keep
with what follows them. The footer ("Confidential health information", the
document's short label, "Page 1 of 3") and a diagonal DRAFT mark are drawn once all
pages are laid out, by a canvas that knows each section's page count: a visit packet
numbers each patient's pages on their own.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from carenav.errors import CareNavError
from carenav.export.printing.fonts import BOLD, REGULAR, register_fonts

PAGE = LETTER
MARGIN = 0.7 * inch
FOOTER_SPACE = 0.55 * inch
FRAME_WIDTH = PAGE[0] - 2 * MARGIN
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN - FOOTER_SPACE

INK = colors.HexColor("#111111")
HEADING = colors.HexColor("#0B2545")  # dark navy: strong contrast on white
MUTED = colors.HexColor("#3A3A3A")
RULE = colors.HexColor("#8A8A8A")
SHADE = colors.HexColor("#EEF2F7")
EMERGENCY = colors.HexColor("#9B0D14")
EMERGENCY_BG = colors.HexColor("#FBE9EA")
TODAY = colors.HexColor("#6B3A00")
TODAY_BG = colors.HexColor("#FFF3DF")
SOON_BG = colors.HexColor("#EEF2F7")
DRAFT_INK = colors.HexColor("#C0392B")

STANDARD_BODY = 12.0
LARGE_BODY = 17.0


def text(value: object) -> str:
    """Escape a value for a Paragraph (names and texts may hold &, < or >)."""
    return escape(str(value))


@dataclass(frozen=True)
class Styles:
    body_size: float
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    strong: ParagraphStyle
    big: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    center: ParagraphStyle
    bullet: ParagraphStyle

    @property
    def gap(self) -> float:
        return self.body_size * 0.9


def make_styles(large_print: bool) -> Styles:
    register_fonts()
    size = LARGE_BODY if large_print else STANDARD_BODY
    lead = size * 1.42

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {
            "fontName": REGULAR,
            "fontSize": size,
            "leading": lead,
            "textColor": INK,
            "splitLongWords": 1,
            "allowWidows": 0,
            "allowOrphans": 0,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        body_size=size,
        body=style("body", spaceAfter=size * 0.5),
        small=style("small", fontSize=size * 0.85, leading=size * 0.85 * 1.4, textColor=MUTED),
        title=style(
            "title", fontName=BOLD, fontSize=size * 2.0, leading=size * 2.4, textColor=HEADING,
            spaceAfter=size * 0.3,
        ),
        h2=style(
            "h2", fontName=BOLD, fontSize=size * 1.4, leading=size * 1.8, textColor=HEADING,
            spaceBefore=size * 1.3, spaceAfter=size * 0.45,
        ),
        h3=style(
            "h3", fontName=BOLD, fontSize=size * 1.12, leading=size * 1.5, textColor=HEADING,
            spaceBefore=size * 0.8, spaceAfter=size * 0.3,
        ),
        strong=style("strong", fontName=BOLD, spaceAfter=size * 0.2),
        big=style("big", fontName=BOLD, fontSize=size * 1.3, leading=size * 1.7),
        cell=style("cell", leading=size * 1.3),
        cell_bold=style("cell_bold", fontName=BOLD, leading=size * 1.3),
        cell_head=style(
            "cell_head", fontName=BOLD, fontSize=size * 0.82, leading=size * 1.1,
            textColor=HEADING,
        ),
        center=style("center", alignment=TA_CENTER, leading=size * 1.3),
        bullet=style(
            "bullet", leftIndent=size * 1.85, bulletIndent=size * 0.2, spaceAfter=size * 0.45,
            bulletFontName=BOLD, bulletFontSize=size * 1.15,
        ),
    )  # fmt: skip


def section(heading: Flowable, body: Sequence[Flowable]) -> list[Flowable]:
    """A heading kept on the same page as the first part of what follows it.

    An empty body gives nothing at all: empty sections are left out, never printed blank.
    """
    if not body:
        return []
    first = body[0]
    # a KeepTogether inside a KeepTogether pushes the whole group to the next page
    inner = list(first._content) if isinstance(first, KeepTogether) else [first]
    return [HeadingWithStart([heading, *inner]), *body[1:]]


class HeadingWithStart(KeepTogether):  # type: ignore[misc]
    """A heading and the start of its section, never parted.

    When they do not fit, they go to the next page together; but when more than a
    quarter of the page is left and what follows the heading can split (a long table),
    it starts here under its heading rather than leaving half a page empty.
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803
        content = list(self._content)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if aH < self._H and aH > FRAME_HEIGHT * 0.25 and len(content) >= 2:
            heading, first = content[0], content[1]
            _w, height = heading.wrap(aW, aH)
            room = aH - height - heading.getSpaceAfter() - first.getSpaceBefore()
            parts = first.split(aW, room) if room > 0 else []
            if len(parts) >= 2:
                return [heading, *parts, *content[2:]]
        return list(super().split(aW, aH))


def grid(
    rows: list[list[Any]],
    widths: Sequence[float],
    s: Styles,
    *,
    header: bool = True,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A table with generous padding, a shaded header row, thin rules between rows."""
    pad = s.body_size * 0.4
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, HEADING),
        ]
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def spacer(s: Styles, lines: float = 1.0) -> Spacer:
    return Spacer(1, s.body_size * lines)


# -- page furniture ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Furniture:
    """What is drawn on each page of a section: footer words and the draft mark."""

    footer: str  # "Confidential health information"
    label: str  # e.g. "My care plan, version 3"
    page_of: str  # "Page {page} of {total}"
    draft_mark: str  # "" when the section is not a draft
    size: float  # footer font size


class SectionStart(Flowable):  # type: ignore[misc]
    """Zero-size marker: the pages from here on belong to a new section (own numbering)."""

    def __init__(self, furniture: Furniture) -> None:
        super().__init__()
        self.furniture = furniture

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        canvas = self.canv
        canvas._carenav_section = (id(self), self.furniture)  # type: ignore[attr-defined]


class SectionCanvas(Canvas):  # type: ignore[misc]
    """A canvas that holds every page until the end, then draws the page furniture."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._carenav_pages: list[dict[str, Any]] = []
        self._carenav_section: tuple[int, Furniture] | None = None

    def showPage(self) -> None:
        self._carenav_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[int, int] = {}
        for state in self._carenav_pages:
            key = state["_carenav_section"][0] if state["_carenav_section"] else 0
            totals[key] = totals.get(key, 0) + 1
        seen: dict[int, int] = {}
        for state in self._carenav_pages:
            self.__dict__.update(state)
            current = state["_carenav_section"]
            if current is not None:
                key, furniture = current
                seen[key] = seen.get(key, 0) + 1
                self._furnish(furniture, seen[key], totals[key])
            Canvas.showPage(self)
        Canvas.save(self)

    def _furnish(self, f: Furniture, page: int, total: int) -> None:
        width, _height = PAGE
        y = MARGIN * 0.55
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(MARGIN, y + f.size * 1.5, width - MARGIN, y + f.size * 1.5)
        self.setFillColor(INK)
        self.setFont(BOLD, f.size)
        self.drawString(MARGIN, y, f.footer)
        self.setFont(REGULAR, f.size)
        right = f.page_of.format(page=page, total=total)
        self.drawRightString(width - MARGIN, y, right)
        if f.label:
            left_end = MARGIN + self.stringWidth(f.footer, BOLD, f.size) + f.size
            room = width - MARGIN - self.stringWidth(right, REGULAR, f.size) - f.size - left_end
            label = _fit(self, f"· {f.label}", REGULAR, f.size, room)
            self.drawString(left_end, y, label)
        if f.draft_mark:
            self._draft(f.draft_mark)
        self.restoreState()

    def _draft(self, mark: str) -> None:
        width, height = PAGE
        self.saveState()
        self.setFillColor(DRAFT_INK)
        self.setFillAlpha(0.16)
        self.translate(width / 2, height / 2)
        self.rotate(45)
        size = 130.0
        while self.stringWidth(mark, BOLD, size) > height * 0.9 and size > 40:
            size -= 10
        self.setFont(BOLD, size)
        self.drawCentredString(0, -size / 3, mark)
        self.restoreState()


def _fit(canvas: Canvas, value: str, font: str, size: float, room: float) -> str:
    """The label whole, or nothing when it does not fit (never a cut word)."""
    return value if canvas.stringWidth(value, font, size) <= room else ""


@dataclass(frozen=True)
class Metadata:
    title: str
    subject: str
    author: str = "CareNav"


def build(story: list[Flowable], meta: Metadata) -> bytes:
    """Lay out the story on Letter pages and return the PDF (fonts embedded)."""
    register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_SPACE,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator="CareNav",
    )
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_SPACE,
        FRAME_WIDTH,
        FRAME_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    maker: Callable[..., Canvas] = SectionCanvas
    try:
        doc.build(story, canvasmaker=maker)
    except LayoutError:
        # ReportLab's message quotes the text that did not fit (patient information):
        # never pass it on, and say what to do instead
        raise PrintLayoutError() from None
    return out.getvalue()


class PrintLayoutError(CareNavError):
    """Something on the page could not be laid out; the message holds no patient text."""

    exit_code = 5

    def __init__(self) -> None:
        super().__init__(
            "A part of this printout is too large to fit on a page (usually a very long "
            "note or field). Shorten it in the chart, or print in standard size, then try "
            "again."
        )


def para(value: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A Paragraph from already-escaped markup."""
    return Paragraph(value, style, bulletText=bullet)
