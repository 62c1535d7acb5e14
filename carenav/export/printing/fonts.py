"""The embedded Unicode font (DejaVu Sans, shipped in resources/fonts), registered once.

Every PDF embeds a subset of it (TrueType, /FontFile2), so a name such as
"Zoë Ñúñez-Łukasiewicz" prints the same on every computer and printer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from carenav.errors import CareNavError

FONTS = Path(__file__).resolve().parents[3] / "resources" / "fonts"
REGULAR = "CareNavSans"
BOLD = "CareNavSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


class FontMissing(CareNavError):
    exit_code = 5


@lru_cache(maxsize=1)
def register_fonts(folder: Path = FONTS) -> tuple[str, str]:
    """Register the regular and bold faces with ReportLab; returns their names."""
    for name, file in FILES.items():
        path = folder / file
        if not path.is_file():
            raise FontMissing(
                f"The font file {file} is missing from {folder}; reinstall CareNav to print."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
