"""Coordination on the command line: the resource directory and the referral list.

    carenav resources import --vault PATH FILE.csv
    carenav resources export --vault PATH --out FILE.csv
    carenav resources list --vault PATH [--category C] [--language L] [--search TEXT] --json
    carenav referral list --vault PATH [--patient ID] [--open] --json

The directory holds no patient information. ``referral list`` prints referrals with their
status history, so it is recorded in the audit trail (action ``export``). An import is
all or nothing: a file with a bad row exits 5 with every bad row named by its number
and nothing saved. Columns: see docs/coordination.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from carenav.cli_backup import _common, checked_output_file
from carenav.errors import InvalidInput
from carenav.services import directory, referrals
from carenav.store.audit import record_event
from carenav.store.vault import Vault


class Secrets(Protocol):
    """What the command line's SecretReader offers (kept structural: no import of cli)."""

    def read(self, prompt: str, *, confirm: bool = False) -> str: ...


Handler = Callable[[argparse.Namespace, Secrets], int]


def say(message: str) -> None:
    print(message, file=sys.stderr)


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _unlock(args: argparse.Namespace, secrets: Secrets) -> Vault:
    return Vault.unlock(args.vault, secrets.read("Passphrase"))


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    """Add ``resources`` and ``referral``; returns their handlers by name."""
    p = subparsers.add_parser("resources", help="the community resource directory")
    p.set_defaults(passphrase_stdin=False)
    actions = p.add_subparsers(dest="resources_action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="import a directory CSV (all or nothing)",
        description="Import organisations and services from a CSV file. Every row is "
        "checked first; if any row is bad nothing is saved and every bad row is listed "
        "by its row number (the header is row 1). Rows matching a service already in the "
        "directory (same organisation and service name) update it.",
    )
    _common(imp)
    imp.add_argument("file", type=Path, help="the CSV file (UTF-8; header row first)")
    exp = actions.add_parser("export", help="write the directory to a CSV file")
    _common(exp)
    exp.add_argument("--out", type=Path, required=True, metavar="FILE", help="the CSV file")
    lst = actions.add_parser("list", help="print the directory's services (JSON)")
    _common(lst)
    lst.add_argument(
        "--category", metavar="C", help="only this category (e.g. food, transportation)"
    )
    lst.add_argument("--language", metavar="L", help="only services offered in this language")
    lst.add_argument("--search", metavar="TEXT", default="", help="words that must all match")
    lst.add_argument("--json", action="store_true", required=True, help="as a JSON array")

    p = subparsers.add_parser("referral", help="referrals and their status history")
    p.set_defaults(passphrase_stdin=False)
    actions = p.add_subparsers(dest="referral_action", metavar="ACTION", required=True)
    lst = actions.add_parser(
        "list",
        help="print referrals with their status history (JSON)",
        description="Print every referral (or one patient's), newest first, each with its "
        "dated status history. --open keeps draft, sent, accepted, scheduled and no-show.",
    )
    _common(lst)
    lst.add_argument("--patient", metavar="ID", help="only this patient ('list --json' id)")
    lst.add_argument("--open", action="store_true", help="only open referrals")
    lst.add_argument("--json", action="store_true", required=True, help="as a JSON array")
    return {"resources": cmd_resources, "referral": cmd_referral}


def cmd_resources(args: argparse.Namespace, secrets: Secrets) -> int:
    if args.resources_action == "import":
        text = directory.read_directory_csv(args.file)  # before unlocking: a bad path is quick
        with _unlock(args, secrets) as vault:
            report = directory.import_csv_text(vault, text)
        say(
            f"Imported the directory: {report.added} services added, {report.updated} "
            f"updated, {report.unchanged} unchanged; {report.organisations_added} new "
            "organisations."
        )
        return 0
    if args.resources_action == "export":
        checked_output_file(args.out, args.vault)
        with _unlock(args, secrets) as vault:
            count = directory.export_csv(vault, args.out)
        say(f"Wrote {count} services to {args.out}.")
        return 0
    with _unlock(args, secrets) as vault:
        views = directory.search_services(
            vault, args.search, category=args.category, language=args.language, limit=None
        )
    _print_json([v.as_json() for v in views])
    return 0


def _patient_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(
            {"--patient": "is not a patient id; copy the 'id' that 'carenav list --json' prints"}
        ) from None


def cmd_referral(args: argparse.Namespace, secrets: Secrets) -> int:
    patient = _patient_id(args.patient) if args.patient else None
    with _unlock(args, secrets) as vault:
        if patient is not None:
            from carenav.services.patients import get_patient

            get_patient(vault, patient)  # an unknown patient says so
            views = referrals.referrals_for(vault, patient, open_only=args.open)
        else:
            views = referrals.all_referrals(vault, open_only=args.open)
        record_event(
            vault,
            "export",
            record_type="referral",
            detail="referral list printed by the command line",
        )
    _print_json([v.as_json() for v in views])
    return 0
