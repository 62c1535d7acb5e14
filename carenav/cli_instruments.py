"""``carenav instruments`` and ``carenav score``: the screeners, without a vault.

    carenav instruments [--json]                  ids and titles
    carenav instruments show ID [--json]          one definition
    carenav score ID --answers JSON               {"instrument", "total", "band", "flags",
                                                   "missing", "findings"}

``--instruments-folder PATH`` adds an agency's folder of definition files. Scoring
touches no vault and stores nothing; a missing required answer or an unknown option
code exits 5 with a message naming the item.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carenav.errors import InvalidInput
from carenav.instruments import Instrument, Item, available_instruments, get_instrument, score

if TYPE_CHECKING:
    from carenav.cli import SecretReader

Handler = Callable[[argparse.Namespace, "SecretReader"], int]


def _folder_arg(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument(
        "--instruments-folder",
        type=Path,
        default=default,
        metavar="PATH",
        help="also use the agency's instrument files (*.json) in this folder",
    )
    parser.set_defaults(passphrase_stdin=False)  # no vault, so no passphrase


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    p = subparsers.add_parser("instruments", help="list the screeners, or show one (no vault)")
    _folder_arg(p)
    p.add_argument("--json", action="store_true", help="as JSON")
    actions = p.add_subparsers(dest="instruments_action", metavar="ACTION")
    show = actions.add_parser("show", help="print one instrument's items and bands")
    show.add_argument("id", help="the instrument's id, for example phq9")
    # SUPPRESS: an option given before "show" is not reset by the subcommand's default
    show.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="as JSON")
    _folder_arg(show, argparse.SUPPRESS)

    p = subparsers.add_parser("score", help="score a screener's answers (no vault, nothing saved)")
    p.add_argument("id", help="the instrument's id, for example phq9")
    p.add_argument(
        "--answers",
        required=True,
        metavar="JSON",
        help='answers by linkId, for example \'{"q1": "2", "q2": "0"}\'',
    )
    _folder_arg(p)
    return {"instruments": cmd_instruments, "score": cmd_score}


def cmd_instruments(args: argparse.Namespace, secrets: SecretReader) -> int:
    folder = args.instruments_folder
    if args.instruments_action == "show":
        instrument = get_instrument(args.id, folder)
        if args.json:
            _dump(definition_json(instrument))
        else:
            print(_definition_text(instrument))
        return 0
    instruments = available_instruments(folder)
    if args.json:
        _dump([{"id": i.id, "title": i.title} for i in instruments])
    else:
        for i in instruments:
            print(f"{i.id:<14} {i.title}")
    return 0


def cmd_score(args: argparse.Namespace, secrets: SecretReader) -> int:
    instrument = get_instrument(args.id, args.instruments_folder)
    try:
        answers = json.loads(args.answers)
    except json.JSONDecodeError as exc:
        raise InvalidInput({"--answers": f"is not valid JSON ({exc.msg})"}) from None
    if not isinstance(answers, dict):
        raise InvalidInput({"--answers": 'must be a JSON object such as {"q1": "2"}'})
    result = score(instrument, answers)
    out = result.as_json()
    _dump({k: out[k] for k in ("instrument", "total", "band", "flags", "missing", "findings")})
    return 0


def definition_json(instrument: Instrument) -> dict[str, Any]:
    """The shape ``instruments show ID --json`` prints."""
    return {
        "id": instrument.id,
        "title": instrument.title,
        "version": instrument.version,
        "source": instrument.source,
        "licence": instrument.licence,
        "loinc": instrument.loinc,
        "items": [_item_json(item) for item in instrument.items],
        "bands": [
            {"min": b.min, "max": b.max, "label": b.label, "source": b.source}
            for b in instrument.bands
        ],
        "findings": [
            {
                "code": f.code,
                "need": f.need,
                "domain": f.domain,
                "referralCategory": f.referral_category or None,
                "source": f.source,
            }
            for f in instrument.findings
        ],
    }


def _item_json(item: Item) -> dict[str, Any]:
    """One item: the keys every item has, then the form hints only when they are set."""
    shown: dict[str, Any] = {
        "linkId": item.link_id,
        "text": item.text,
        "type": item.type,
        "required": item.required,
        "options": [{"code": o.code, "display": o.display, "score": o.score} for o in item.options],
    }
    hints = {
        "section": item.section,
        "screener": item.screener,
        "context": item.context,
        "help": item.help,
        "maxLength": item.max_length,
    }
    shown.update({key: value for key, value in hints.items() if value})
    return shown


def _definition_text(instrument: Instrument) -> str:
    lines = [f"{instrument.title} ({instrument.id}, version {instrument.version})"]
    lines.append(f"Source: {instrument.source}")
    for item in instrument.items:
        mark = " *" if item.required else ""
        if item.section:
            lines.append(f"  == {item.text} ==")
        else:
            lines.append(f"  {item.link_id}{mark}: {item.text}")
        if item.screener:
            lines.append(f"      [start the screener {item.screener}]")
        if item.context:
            lines.append(f"      [shows the chart's {item.context}]")
        lines.extend(f"      {o.code} = {o.display}" for o in item.options)
    lines.extend(f"  {b.min}-{b.max}: {b.label}" for b in instrument.bands)
    lines.extend(f"  finding {f.code}: {f.need}" for f in instrument.findings)
    return "\n".join(lines)


def _dump(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
