"""``carenav audit``: verify the audit trail or print it as JSON.

    carenav audit --vault PATH --verify      exit 0 only when the chain is intact, else 4
    carenav audit --vault PATH --json [--action ACTION] [--since YYYY-MM-DD]

Audit rows hold no patient values, so printing them is safe. Opening the vault to
read the trail is itself an unlock, and is recorded like any other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from carenav.errors import InvalidInput, VaultDamaged
from carenav.services.audit import AuditFilter, events
from carenav.store.audit import verify_chain
from carenav.store.vault import Vault

if TYPE_CHECKING:
    from carenav.cli import SecretReader

EXIT_OK, EXIT_DAMAGED = 0, 4

Handler = Callable[[argparse.Namespace, "SecretReader"], int]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, for example 2025-03-01"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "audit", help="verify the audit trail (exit 0 only if intact) or print it as JSON"
    )
    p.add_argument(
        "--vault",
        type=Path,
        required=True,
        metavar="PATH",
        help="the vault's database file (its .keys header sits beside it)",
    )
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from standard input instead of prompting",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--verify",
        action="store_true",
        help="check every entry's chain and the record kept beside the vault",
    )
    what.add_argument("--json", action="store_true", help="print the entries as a JSON array")
    p.add_argument("--action", default="", help="with --json: only entries of this action")
    p.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="with --json: entries from this day on"
    )
    return {"audit": cmd_audit}


def cmd_audit(args: argparse.Namespace, secrets: SecretReader) -> int:
    if args.verify and (args.action or args.since):
        raise InvalidInput({"--action/--since": "filters go with --json; --verify checks it all"})
    passphrase = secrets.read("Passphrase")
    try:
        vault = Vault.unlock(args.vault, passphrase, allow_migration=False)
    except VaultDamaged as exc:
        if not args.verify:
            raise
        print(f"Audit trail not intact. {exc}", file=sys.stderr)
        return EXIT_DAMAGED
    with vault:
        return _verify(vault) if args.verify else _print_json(vault, args)


def _verify(vault: Vault) -> int:
    report = verify_chain(vault)
    print(report.summary(), file=sys.stderr)
    return EXIT_OK if report.intact else EXIT_DAMAGED


def _print_json(vault: Vault, args: argparse.Namespace) -> int:
    rows = events(vault, AuditFilter(action=args.action, since=args.since))
    json.dump([r.as_json() for r in rows], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK
