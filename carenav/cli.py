"""The command line: the GUI by default, sub-commands for scripting.

Exit codes: 0 ok, 2 usage, 3 wrong passphrase, 4 damaged or unreadable
vault, 5 invalid input. Messages go to stderr and never carry patient
information; only ``list`` prints patient data, to stdout, because asked to.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from carenav import __version__
from carenav.config import DEMO_PASSPHRASE, demo_vault_path
from carenav.errors import CareNavError, InvalidInput
from carenav.hardening import harden_process
from carenav.store.audit import record_event
from carenav.store.vault import Vault

EXIT_OK, EXIT_USAGE, EXIT_WRONG_PASSPHRASE, EXIT_DAMAGED, EXIT_INVALID = 0, 2, 3, 4, 5
DEMO_GUI_PATIENTS = 400


class SecretReader:
    """Reads secrets one line at a time from stdin, or prompts without echo."""

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin or sys.stdin

    def read(self, prompt: str, *, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise InvalidInput({"passphrase": "expected one more line on standard input"})
            return line.rstrip("\r\n")
        first = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass("Repeat it: ") != first:
            raise InvalidInput({"passphrase": "the two entries did not match"})
        return first


def say(message: str) -> None:
    print(message, file=sys.stderr)


def _vault_arg(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--vault",
        type=Path,
        required=required,
        metavar="PATH",
        help="the vault's database file (its .keys header sits beside it)",
    )


def _stdin_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read passphrases (one per line) from standard input instead of prompting",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carenav",
        description="CareNav: an encrypted caseload for community care managers. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"CareNav {__version__}")
    parser.add_argument("--vault", type=Path, metavar="PATH", help="open the app on this vault")
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a practice vault of made-up patients"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("init", help="create a new vault and print its recovery code once")
    _vault_arg(p)
    _stdin_arg(p)

    p = commands.add_parser("demo", help="create a vault filled with a synthetic caseload")
    _vault_arg(p)
    _stdin_arg(p)
    p.add_argument("--patients", type=int, default=200, help="how many patients (default 200)")
    p.add_argument("--seed", type=int, default=1, help="random seed; same seed, same caseload")

    p = commands.add_parser("import-csv", help="import patients from a CSV file")
    _vault_arg(p)
    _stdin_arg(p)
    p.add_argument("file", type=Path, help="the CSV file (UTF-8; header row first)")
    p.add_argument("--dry-run", action="store_true", help="check every row, import nothing")

    p = commands.add_parser("list", help="print the patients")
    _vault_arg(p)
    _stdin_arg(p)
    p.add_argument("--json", action="store_true", required=True, help="as a JSON array")

    p = commands.add_parser("check", help="run the integrity checks; exit 0 only if sound")
    _vault_arg(p)
    _stdin_arg(p)

    p = commands.add_parser("passwd", help="change the passphrase (old, then new)")
    _vault_arg(p)
    _stdin_arg(p)

    p = commands.add_parser(
        "unlock-recovery", help="set a new passphrase with the recovery code (code, then new)"
    )
    _vault_arg(p)
    _stdin_arg(p)

    from carenav import (
        cli_audit,
        cli_backup,
        cli_coordination,
        cli_export,
        cli_followup,
        cli_instruments,
        cli_plan,
    )

    for module in (
        cli_audit,
        cli_backup,
        cli_instruments,
        cli_plan,
        cli_followup,
        cli_export,
        cli_coordination,
    ):
        COMMANDS.update(module.register(commands))
    return parser


# -- commands -------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, secrets: SecretReader) -> int:
    passphrase = secrets.read("New passphrase (at least 15 characters)", confirm=True)
    vault, code = Vault.create(args.vault, passphrase)
    vault.close()
    print(code)
    say(
        f"Created an encrypted vault at {args.vault}.\n"
        "The line above is your recovery code. It is shown only this once: print it or "
        "write it down and keep it somewhere safe, away from this computer."
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, secrets: SecretReader) -> int:
    from carenav.services.demo import fill_demo_caseload

    if args.patients < 0 or args.patients > 100_000:
        raise InvalidInput({"--patients": "choose a number from 0 to 100,000"})
    passphrase = secrets.read("New passphrase for the demo vault", confirm=True)
    vault, code = Vault.create(args.vault, passphrase)
    try:
        count = fill_demo_caseload(vault, patients=args.patients, seed=args.seed)
        record_event(vault, "demo_caseload_created", detail=f"{count} synthetic patients")
    finally:
        vault.close()
    print(code)
    say(f"Created a demo vault at {args.vault} with {count} synthetic patients.")
    return EXIT_OK


def _unlock(
    args: argparse.Namespace, secrets: SecretReader, *, allow_migration: bool = True
) -> Vault:
    return Vault.unlock(args.vault, secrets.read("Passphrase"), allow_migration=allow_migration)


def cmd_import_csv(args: argparse.Namespace, secrets: SecretReader) -> int:
    from carenav.services import csv_import

    table = csv_import.read_csv(args.file)
    vault = _unlock(args, secrets)
    try:
        plan = csv_import.plan_import(vault, table, csv_import.guess_mapping(table.headers))
        for line in plan.report_lines():
            say(line)
        if not plan.ok:
            say("Nothing was imported. Correct the rows above in the file and run again.")
            return EXIT_INVALID
        if args.dry_run:
            say("Dry run: nothing was imported.")
            return EXIT_OK
        count = csv_import.run_import(vault, plan)
        say(f"Imported {count} patients.")
        return EXIT_OK
    finally:
        vault.close()


def cmd_list(args: argparse.Namespace, secrets: SecretReader) -> int:
    from carenav.services.patients import list_patients

    with _unlock(args, secrets) as vault:
        rows = [
            {
                "id": str(p.id),
                "family": p.family_name,
                "given": p.given_name,
                "birth_date": p.birth_date.isoformat(),
                "programs": list(p.programs),
                "status": p.status,
            }
            for p in list_patients(vault)
        ]
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, secrets: SecretReader) -> int:
    with _unlock(args, secrets, allow_migration=False) as vault:
        report = vault.check()
    say(report.summary())
    return EXIT_OK if report.sound else EXIT_DAMAGED


def cmd_passwd(args: argparse.Namespace, secrets: SecretReader) -> int:
    old = secrets.read("Current passphrase")
    with Vault.unlock(args.vault, old) as vault:
        new = secrets.read("New passphrase (at least 15 characters)", confirm=True)
        vault.change_passphrase(old, new)
    say("The passphrase was changed. The recovery code still works; backups keep their keys.")
    return EXIT_OK


def cmd_unlock_recovery(args: argparse.Namespace, secrets: SecretReader) -> int:
    code = secrets.read("Recovery code")
    new = secrets.read("New passphrase (at least 15 characters)", confirm=True)
    with Vault.unlock_with_recovery_code(args.vault, code, new):
        pass
    say("The vault was unlocked with the recovery code and has a new passphrase.")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, SecretReader], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "import-csv": cmd_import_csv,
    "list": cmd_list,
    "check": cmd_check,
    "passwd": cmd_passwd,
    "unlock-recovery": cmd_unlock_recovery,
}


def prepare_demo_vault() -> Path:
    """The practice vault in the user data folder, created with made-up patients on first use."""
    from carenav.services.demo import fill_demo_caseload

    path = demo_vault_path()
    if not path.with_name(path.name + ".keys").exists():
        say("Preparing the practice vault with made-up patients (first time only)…")
        vault, _code = Vault.create(path, DEMO_PASSPHRASE)
        try:
            count = fill_demo_caseload(vault, patients=DEMO_GUI_PATIENTS, seed=7)
            record_event(vault, "demo_caseload_created", detail=f"{count} synthetic patients")
        finally:
            vault.close()
    return path


def open_gui(args: argparse.Namespace) -> int:
    from carenav.logs import configure_logging, install_excepthook
    from carenav.ui.app import run_gui

    configure_logging()
    install_excepthook()

    if args.demo:
        return run_gui(prepare_demo_vault(), demo_passphrase=DEMO_PASSPHRASE)
    return run_gui(args.vault if args.vault else None)


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()  # no core dumps of a process that holds patient data
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command is None:
            return open_gui(args)
        return COMMANDS[args.command](args, SecretReader(args.passphrase_stdin))
    except CareNavError as exc:
        say(str(exc))
        return exc.exit_code if exc.exit_code in (3, 4, 5) else 1
    except KeyboardInterrupt:
        say("Stopped.")
        return 130
    except OSError as exc:
        say(f"A file could not be read or written: {exc.strerror or type(exc).__name__}.")
        return EXIT_DAMAGED


if __name__ == "__main__":
    raise SystemExit(main())
