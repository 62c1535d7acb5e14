"""What this installation offers: instruments and care-plan templates, bundled plus the
agency's folders.

The agency folders are named in File > Settings. A broken file there must never
take the published screeners or the bundled templates away from a care manager in
a patient's home, so when an agency folder cannot be used the bundled ones are
still offered, and ``problem`` says what to correct. A catalogue is read again only
when a definition file changes (names and modification times are compared).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carenav.errors import CareNavError
from carenav.instruments import Instrument, InvalidInstrument, available_instruments
from carenav.instruments.registry import BUNDLED, UnknownInstrument
from carenav.plan_templates import (
    InvalidTemplate,
    Template,
    UnknownTemplate,
    available_templates,
)
from carenav.plan_templates.registry import BUNDLED as BUNDLED_TEMPLATES

FIRST = "comprehensive"  # offered first: the assessment every patient starts with


@dataclass(frozen=True)
class Catalogue:
    instruments: tuple[Instrument, ...]
    agency_folder: Path | None = None
    problem: str = ""  # why the agency folder's files are not offered, if they are not
    _by_id: dict[str, Instrument] = field(default_factory=dict, compare=False, repr=False)

    def get(self, ident: str) -> Instrument:
        found = self._by_id.get(ident)
        if found is None:
            raise UnknownInstrument(ident, sorted(self._by_id))
        return found

    def has(self, ident: str) -> bool:
        return ident in self._by_id

    def title(self, ident: str) -> str:
        """The instrument's title, or its id when it is no longer installed."""
        found = self._by_id.get(ident)
        return found.title if found is not None else ident

    def in_menu_order(self) -> list[Instrument]:
        """The comprehensive assessment first, then the rest by title."""
        return sorted(self.instruments, key=lambda i: (i.id != FIRST, i.title.lower()))

    def from_agency(self) -> list[Instrument]:
        if self.agency_folder is None:
            return []
        return [i for i in self.instruments if i.path and i.path.parent != BUNDLED]


def _stamp(bundled: Path, folder: Path | None) -> tuple[tuple[str, int], ...]:
    stamps: list[tuple[str, int]] = []
    for place in (bundled, folder):
        if place is None or not place.is_dir():
            continue
        stamps += [(str(p), p.stat().st_mtime_ns) for p in sorted(place.glob("*.json"))]
    return tuple(stamps)


_cache: dict[tuple[str, str], tuple[tuple[tuple[str, int], ...], Any]] = {}


def _load_with_fallback(
    folder: Path | None,
    load: Callable[[Path | None], list[Any]],
    broken: type[CareNavError],
    noun: str,
) -> tuple[list[Any], str]:
    """The bundled and agency definitions, or the bundled ones and why the agency's are not used."""
    try:
        return load(folder), ""
    except broken as exc:
        if folder is None:
            raise  # a bundled file is broken: that is a defect, not a setting
        return load(None), (
            f"The agency's {noun} folder is not used: {exc} "
            f"The standard {noun}s are still available."
        )


def load_catalogue(agency_folder: str | Path | None = None) -> Catalogue:
    """Bundled and agency instruments; never fails because of the agency folder."""
    folder = Path(agency_folder).expanduser() if agency_folder else None
    key = ("instruments", str(folder or ""))
    stamp = _stamp(BUNDLED, folder)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        found: Catalogue = cached[1]
        return found
    instruments, problem = _load_with_fallback(
        folder, available_instruments, InvalidInstrument, "instrument"
    )
    catalogue = Catalogue(
        instruments=tuple(instruments),
        agency_folder=None if problem else folder,
        problem=problem,
        _by_id={i.id: i for i in instruments},
    )
    _cache[key] = (stamp, catalogue)
    return catalogue


@dataclass(frozen=True)
class TemplateCatalogue:
    templates: tuple[Template, ...]
    agency_folder: Path | None = None
    problem: str = ""

    def get(self, ident: str) -> Template:
        found = next((t for t in self.templates if t.id == ident), None)
        if found is None:
            raise UnknownTemplate(ident, [t.id for t in self.templates])
        return found

    def from_agency(self) -> list[Template]:
        if self.agency_folder is None:
            return []
        return [t for t in self.templates if t.path and t.path.parent != BUNDLED_TEMPLATES]


def load_template_catalogue(agency_folder: str | Path | None = None) -> TemplateCatalogue:
    """Bundled and agency care-plan templates; never fails because of the agency folder."""
    folder = Path(agency_folder).expanduser() if agency_folder else None
    key = ("templates", str(folder or ""))
    stamp = _stamp(BUNDLED_TEMPLATES, folder)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        found: TemplateCatalogue = cached[1]
        return found
    templates, problem = _load_with_fallback(
        folder, available_templates, InvalidTemplate, "care-plan template",
    )  # fmt: skip
    catalogue = TemplateCatalogue(tuple(templates), None if problem else folder, problem)
    _cache[key] = (stamp, catalogue)
    return catalogue
