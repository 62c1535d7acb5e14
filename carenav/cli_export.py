"""Printable care plans on the command line.

    carenav export-plan --vault PATH --patient ID --out FILE.pdf [--large-print]
                        [--lang en|es] [--clinician] [--version N] [--include-name]
    carenav visit-packet --vault PATH --date YYYY-MM-DD --out FILE.pdf [--large-print]
                         [--lang patient|en|es] [--separate]

``export-plan`` prints the newest published version of the patient's plan (the draft,
marked DRAFT, when none is published; ``--version 0`` asks for the draft). The PDF is
not encrypted: both commands say so on standard error and record an ``export`` event
in the audit trail (never the patient's name). Invalid values exit 5 with a message
that names the option.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol

from carenav.cli_backup import _common, checked_output_file
from carenav.errors import InvalidInput
from carenav.export.plan_pdf import (
    EACH_PATIENT,
    PrintOptions,
    build_visit_packet,
    render_plan,
    write_pdf,
)
from carenav.export.printing.i18n import language_codes
from carenav.store.audit import record_event
from carenav.store.vault import Vault

LEAVES_VAULT = (
    "The file {out} is not encrypted: it holds health information outside the vault. "
    "Keep it safe, and delete it when it is no longer needed."
)


class Secrets(Protocol):
    def read(self, prompt: str, *, confirm: bool = False) -> str: ...


Handler = Callable[[argparse.Namespace, Secrets], int]


def say(message: str) -> None:
    print(message, file=sys.stderr)


def _print_args(parser: argparse.ArgumentParser, *, each_patient: bool = False) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF")
    parser.add_argument(
        "--large-print",
        action="store_true",
        help="large print (body text 17 pt; the clinician summary stays standard)",
    )
    if each_patient:
        choices = "|".join([EACH_PATIENT, *language_codes()])
        parser.add_argument(
            "--lang",
            default=EACH_PATIENT,
            metavar=choices,
            help="default: patient (each plan in its patient's language, English when "
            "there are no words for it; the visit sheets in English)",
        )
        return
    parser.add_argument(
        "--lang", default="en", metavar="|".join(language_codes()), help="default: en"
    )


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "export-plan",
        help="print a patient's care plan to a PDF (not encrypted)",
        description="Write the patient and family care plan (or, with --clinician, the "
        "summary for the primary care provider) as a PDF. Without --version the newest "
        "published version is printed; version 0 is the current draft, marked DRAFT.",
    )
    _common(p)
    p.add_argument(
        "--patient", required=True, metavar="ID", help="the patient's id, as 'list --json' prints"
    )
    _print_args(p)
    p.add_argument("--clinician", action="store_true", help="the clinician summary for the PCP")
    p.add_argument("--version", type=int, metavar="N", help="the version (0: the draft)")
    p.add_argument(
        "--include-name",
        action="store_true",
        help="put the patient's name in the PDF's title (it is always printed on the pages)",
    )
    p = subparsers.add_parser(
        "visit-packet",
        help="print the home-visit packet for a day (visit sheets and plans)",
        description="For every home visit scheduled on the day: a one-page visit sheet and "
        "the patient's plan. One PDF, or with --separate one PDF per visit in the folder "
        "given as --out.",
    )
    _common(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day of the visits")
    _print_args(p, each_patient=True)
    p.add_argument(
        "--separate", action="store_true", help="one PDF per visit; --out names a folder"
    )
    return {"export-plan": cmd_export_plan, "visit-packet": cmd_visit_packet}


def _options(
    args: argparse.Namespace, *, each_patient: bool = False, **more: object
) -> PrintOptions:
    languages = language_codes() + ([EACH_PATIENT] if each_patient else [])
    if args.lang not in languages:
        raise InvalidInput({"--lang": f"choose one of: {', '.join(languages)}"})
    return PrintOptions(large_print=args.large_print, language=args.lang, **more)  # type: ignore[arg-type]


def _check_out(args: argparse.Namespace, *, folder: bool = False) -> Path:
    out: Path = args.out
    if folder:
        if not out.is_dir():
            raise InvalidInput({"--out": "with --separate, name a folder that exists"})
        return out
    return checked_output_file(out, args.vault)


def cmd_export_plan(args: argparse.Namespace, secrets: Secrets) -> int:
    try:
        patient_id = uuid.UUID(args.patient.strip())
    except ValueError:
        raise InvalidInput(
            {"--patient": "give the id as 'carenav list --json' prints it"}
        ) from None
    if args.version is not None and args.version < 0:
        raise InvalidInput({"--version": "give a version number, or 0 for the draft"})
    options = _options(
        args, clinician=args.clinician, version=args.version, include_name=args.include_name
    )
    out = _check_out(args)
    kind = "clinician summary" if args.clinician else "care plan"
    with Vault.unlock(args.vault, secrets.read("Passphrase")) as vault:
        pdf = render_plan(vault, patient_id, options=options)
        detail = f"{kind} PDF by the command line"
        try:
            write_pdf(out, pdf)
        except OSError:
            record_event(
                vault, "export", record_type="care_plan", record_id=patient_id,
                detail=detail, outcome="failure",
            )  # fmt: skip
            raise
        record_event(vault, "export", record_type="care_plan", record_id=patient_id, detail=detail)
    say(f"Wrote the {kind} to {out}.")
    say(LEAVES_VAULT.format(out=out))
    return 0


def cmd_visit_packet(args: argparse.Namespace, secrets: Secrets) -> int:
    try:
        day = date.fromisoformat(args.date.strip())
    except ValueError:
        raise InvalidInput(
            {"--date": "write the day as YYYY-MM-DD, for example 2026-12-03"}
        ) from None
    options = _options(args, each_patient=True)
    out = _check_out(args, folder=args.separate)
    with Vault.unlock(args.vault, secrets.read("Passphrase")) as vault:
        written = build_visit_packet(vault, day, out, one_file=not args.separate, options=options)
        record_event(
            vault,
            "export",
            record_type="care_plan",
            detail=f"home-visit packet ({len(written)} files) by the command line",
        )
    say(f"Wrote the home-visit packet for {day.isoformat()} to {out}.")
    say(LEAVES_VAULT.format(out=out))
    return 0
