"""The instruments this installation offers: the bundled ones plus the agency's folder.

The agency folder is named in File > Settings. A broken file there must never
take the published screeners away from a care manager in a patient's home, so
when the agency folder cannot be used the bundled instruments are still
offered, and ``problem`` says what to correct. The catalogue is read again only
when a definition file changes (names and modification times are compared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carenav.instruments import Instrument, InvalidInstrument, available_instruments
from carenav.instruments.registry import BUNDLED, UnknownInstrument

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


def _stamp(folder: Path | None) -> tuple[tuple[str, int], ...]:
    stamps: list[tuple[str, int]] = []
    for place in (BUNDLED, folder):
        if place is None or not place.is_dir():
            continue
        stamps += [(str(p), p.stat().st_mtime_ns) for p in sorted(place.glob("*.json"))]
    return tuple(stamps)


_cache: dict[str, tuple[tuple[tuple[str, int], ...], Catalogue]] = {}


def load_catalogue(agency_folder: str | Path | None = None) -> Catalogue:
    """Bundled and agency instruments; never fails because of the agency folder."""
    folder = Path(agency_folder).expanduser() if agency_folder else None
    key = str(folder or "")
    stamp = _stamp(folder)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    problem = ""
    try:
        instruments = available_instruments(folder)
    except InvalidInstrument as exc:
        if folder is None:
            raise  # a bundled file is broken: that is a defect, not a setting
        instruments = available_instruments(None)
        problem = (
            f"The agency's instruments folder is not used: {exc} "
            "The standard instruments are still available."
        )
    catalogue = Catalogue(
        instruments=tuple(instruments),
        agency_folder=None if problem else folder,
        problem=problem,
        _by_id={i.id: i for i in instruments},
    )
    _cache[key] = (stamp, catalogue)
    return catalogue
