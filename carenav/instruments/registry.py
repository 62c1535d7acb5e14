"""Finding instruments: the bundled folder plus an optional agency folder.

An agency adds an instrument by dropping its definition file (``*.json``) into the folder
its settings name; no code changes. A file may not reuse a bundled instrument's id, so a
published screener can never be silently replaced, and every screener a form offers to
start (an item's ``screener``) must be one of the loaded instruments.
"""

from __future__ import annotations

from pathlib import Path

from carenav.errors import CareNavError
from carenav.instruments.definition import Instrument, InvalidInstrument, load_definition

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "instruments"


class UnknownInstrument(CareNavError):
    exit_code = 5

    def __init__(self, ident: str, known: list[str]) -> None:
        super().__init__(
            f"There is no instrument {ident!r}. Available: {', '.join(known) or 'none'}. "
            "Run 'carenav instruments' to list them."
        )


def _file_name(instrument: Instrument) -> str:
    return instrument.path.name if instrument.path else instrument.id


def _check_screeners(found: dict[str, Instrument]) -> None:
    for instrument in found.values():
        for item in instrument.items:
            if item.screener and item.screener not in found:
                raise InvalidInstrument(
                    _file_name(instrument),
                    f"item {item.link_id!r} offers the screener {item.screener!r}, which is "
                    f"not one of the instruments ({', '.join(found)})",
                )


def _load_folder(folder: Path) -> list[Instrument]:
    if not folder.is_dir():
        raise InvalidInstrument(str(folder), "the instruments folder does not exist")
    return [load_definition(p) for p in sorted(folder.glob("*.json"))]


def available_instruments(
    extra_folder: Path | None = None, *, bundled: Path = BUNDLED
) -> list[Instrument]:
    """Every instrument, bundled first, then the agency's; raise if any file is broken."""
    found: dict[str, Instrument] = {}
    agency = _load_folder(extra_folder) if extra_folder is not None else []
    for instrument in _load_folder(bundled) + agency:
        name = _file_name(instrument)
        if instrument.id in found:
            clash = found[instrument.id].path
            owner = "a bundled instrument" if clash and clash.parent == bundled else "another file"
            raise InvalidInstrument(
                name, f"its id {instrument.id!r} is already used by {owner}; give it another id"
            )
        found[instrument.id] = instrument
    _check_screeners(found)
    return list(found.values())


def get_instrument(
    ident: str, extra_folder: Path | None = None, *, bundled: Path = BUNDLED
) -> Instrument:
    instruments = available_instruments(extra_folder, bundled=bundled)
    for instrument in instruments:
        if instrument.id == ident:
            return instrument
    raise UnknownInstrument(ident, [i.id for i in instruments])
