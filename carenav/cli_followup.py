"""Follow-up on the command line: log contacts, record discharges, today's worklist, the
monthly chronic-care minutes report and a calendar export of scheduled follow-ups.

    carenav contact log --vault PATH --patient ID --at ISO-DATETIME --type KIND
                        --outcome OUTCOME --minutes N [--clinician] [--with WHO]
                        [--note TEXT] [--json]
    carenav discharge add --vault PATH --patient ID --date YYYY-MM-DD
                          --complexity moderate|high [--facility TEXT] [--holidays FILE]
    carenav worklist --vault PATH [--date YYYY-MM-DD] --json [--holidays FILE]
    carenav ccm-report --vault PATH --month YYYY-MM (--json | --csv)
    carenav export-ics --vault PATH --out FILE [--days N] [--include-names]

``ID`` is the patient's id as ``carenav list --json`` prints it. Invalid values (an
unknown patient, a contact type or date that does not exist, a contact in the future)
exit 5 with a message that names the field, never the patient.

``--holidays FILE`` uses the agency's holiday list (one ``YYYY-MM-DD name`` a line) for
the business-day deadlines instead of the US federal holidays, for the years it covers;
a bad line exits 5 with its line number.

``ccm-report`` and ``export-ics`` take patient information out of the vault, so each is
recorded in the audit trail (action ``export``); so is printing the worklist. The
calendar file is not encrypted: by default its events hold only the kind of contact
and a four-character code from the patient's id, never a name or a purpose.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from carenav.cli_backup import _common, checked_output_file
from carenav.errors import InvalidInput
from carenav.export.ics import event_for, follow_ups_to_ics
from carenav.followup.business_days import HolidayCalendar
from carenav.followup.tcm import tcm_deadlines
from carenav.models import Patient, codes
from carenav.services import ccm_report, contacts, holidays, transitions
from carenav.services.worklist import worklist
from carenav.store.audit import record_event
from carenav.store.header import atomic_write
from carenav.store.vault import Vault

DEFAULT_DAYS, MAX_DAYS = 14, 366
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class Secrets(Protocol):
    """What the command line's SecretReader offers (kept structural: no import of cli)."""

    def read(self, prompt: str, *, confirm: bool = False) -> str: ...


Handler = Callable[[argparse.Namespace, Secrets], int]


def say(message: str) -> None:
    print(message, file=sys.stderr)


# -- arguments --------------------------------------------------------------------------------


def _patient_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--patient", required=True, metavar="ID", help="the patient's id, as 'list --json' prints"
    )


def _holidays_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--holidays",
        type=Path,
        metavar="FILE",
        help="the agency's holiday list (one 'YYYY-MM-DD name' a line): it replaces the US "
        "federal holidays for the years it covers in the business-day deadlines",
    )


def _holiday_list(args: argparse.Namespace) -> HolidayCalendar | None:
    path: Path | None = args.holidays
    return None if path is None else holidays.load_holiday_list(path, field="--holidays")


def _choices(table: dict[str, str]) -> str:
    return "|".join(table)


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    p = subparsers.add_parser("contact", help="log a contact or an attempt")
    p.set_defaults(passphrase_stdin=False)
    actions = p.add_subparsers(dest="contact_action", metavar="ACTION", required=True)
    log = actions.add_parser(
        "log",
        help="log a contact (or an attempt that reached no one) with its minutes",
        description="Log a contact that happened. Minutes count toward chronic care "
        "management; --clinician says a clinician spent them. Prints the contact's id.",
    )
    _common(log)
    _patient_arg(log)
    log.add_argument("--at", required=True, metavar="ISO-DATETIME", help="e.g. 2026-11-30T14:05")
    log.add_argument("--type", required=True, metavar=_choices(codes.CONTACT_KINDS))
    log.add_argument("--outcome", required=True, metavar=_choices(codes.CONTACT_OUTCOMES))
    log.add_argument("--minutes", required=True, metavar="N", help="minutes spent (0 to 600)")
    log.add_argument("--clinician", action="store_true", help="a clinician spent the minutes")
    log.add_argument(
        "--with",
        dest="with_whom",
        default="patient",
        metavar=_choices(codes.CONTACT_WITH),
        help="with whom (default: patient)",
    )
    log.add_argument("--note", default="", metavar="TEXT", help="a short note")
    log.add_argument("--json", action="store_true", help="print the contact as JSON")

    p = subparsers.add_parser("discharge", help="record a hospital discharge (transitional care)")
    p.set_defaults(passphrase_stdin=False)
    actions = p.add_subparsers(dest="discharge_action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="record a discharge; prints the episode and its deadlines as JSON",
        description="Record a discharge: a 30-day transitional-care episode starts. Prints "
        "its id and deadlines (contact_by, face_to_face_by, period_ends) as JSON.",
    )
    _common(add)
    _patient_arg(add)
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the discharge date")
    add.add_argument("--complexity", required=True, metavar=_choices(codes.TCM_COMPLEXITY))
    add.add_argument("--facility", default="", metavar="TEXT", help="the hospital or facility")
    _holidays_arg(add)

    p = subparsers.add_parser("worklist", help="print what is due or overdue (JSON)")
    _common(p)
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day's list (default: today)")
    p.add_argument("--json", action="store_true", required=True, help="as a JSON array")
    _holidays_arg(p)

    p = subparsers.add_parser(
        "ccm-report", help="chronic-care minutes and billing codes per patient for a month"
    )
    _common(p)
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the calendar month")
    form = p.add_mutually_exclusive_group(required=True)
    form.add_argument("--json", action="store_true", help="as JSON")
    form.add_argument("--csv", action="store_true", help="as CSV with a header row")

    p = subparsers.add_parser(
        "export-ics",
        help="write scheduled follow-ups to a calendar (.ics) file",
        description="Write the follow-ups scheduled from now to N days ahead to an "
        "iCalendar file. The file is not encrypted; its events carry no names and no "
        "purposes unless --include-names is given.",
    )
    _common(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the .ics file")
    p.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, metavar="N", help="days ahead (default 14)"
    )
    p.add_argument(
        "--include-names",
        action="store_true",
        help="put patient names and purposes in the events (they leave the vault)",
    )
    return {
        "contact": cmd_contact,
        "discharge": cmd_discharge,
        "worklist": cmd_worklist,
        "ccm-report": cmd_ccm_report,
        "export-ics": cmd_export_ics,
    }


# -- helpers ----------------------------------------------------------------------------------


def _patient_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(
            {"--patient": "is not a patient id; copy the 'id' that 'carenav list --json' prints"}
        ) from None


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            {option: "write the date as YYYY-MM-DD, for example 2026-11-30"}
        ) from None


def _code(value: str, table: dict[str, str], option: str) -> str:
    if value not in table:
        raise InvalidInput({option: f"choose one of {', '.join(table)}"})
    return value


def _unlock(args: argparse.Namespace, secrets: Secrets) -> Vault:
    return Vault.unlock(args.vault, secrets.read("Passphrase"))


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# -- contact log ------------------------------------------------------------------------------


def cmd_contact(args: argparse.Namespace, secrets: Secrets) -> int:
    patient_id = _patient_id(args.patient)
    values = {
        "occurred_at": args.at.strip(),
        "kind": _code(args.type, codes.CONTACT_KINDS, "--type"),
        "outcome": _code(args.outcome, codes.CONTACT_OUTCOMES, "--outcome"),
        "with_whom": _code(args.with_whom, codes.CONTACT_WITH, "--with"),
        "minutes": args.minutes,
        "spent_by": "clinician" if args.clinician else "staff",
        "notes": args.note,
    }
    with _unlock(args, secrets) as vault:
        contact = contacts.log_contact(vault, patient_id, values)
    if args.json:
        _print_json(
            {
                "id": str(contact.id),
                "patient": str(contact.patient_id),
                "occurred_at": contact.occurred_at.isoformat(),
                "type": contact.kind,
                "outcome": contact.outcome,
                "with": contact.with_whom,
                "minutes": contact.minutes,
                "spent_by": contact.spent_by,
                "counts_for_ccm": contact.counts_for_ccm,
            }
        )
    else:
        print(contact.id)
    return 0


# -- discharge add ----------------------------------------------------------------------------


def cmd_discharge(args: argparse.Namespace, secrets: Secrets) -> int:
    patient_id = _patient_id(args.patient)
    values = {
        "discharge_date": _day(args.date, "--date"),
        "complexity": _code(args.complexity, codes.TCM_COMPLEXITY, "--complexity"),
        "facility": args.facility,
    }
    agency = _holiday_list(args)
    with _unlock(args, secrets) as vault:
        episode = transitions.add_discharge(vault, patient_id, values)
    with holidays.using(agency):
        deadlines = tcm_deadlines(
            episode.discharge_date,
            "high" if episode.complexity == "high" else "moderate",
            transitions.calendar_for(episode.discharge_date),
        )
    _print_json(
        {
            "id": str(episode.id),
            "patient": str(episode.patient_id),
            "discharge_date": episode.discharge_date.isoformat(),
            "complexity": episode.complexity,
            "contact_by": deadlines.contact_by.isoformat(),
            "face_to_face_by": deadlines.face_to_face_by.isoformat(),
            "period_ends": deadlines.period_ends.isoformat(),
        }
    )
    return 0


# -- worklist ---------------------------------------------------------------------------------


def cmd_worklist(args: argparse.Namespace, secrets: Secrets) -> int:
    today = _day(args.date, "--date") if args.date else date.today()
    now = (
        datetime.now(UTC)
        if today == date.today()
        else datetime.combine(today, datetime.min.time()).astimezone().astimezone(UTC)
    )
    agency = _holiday_list(args)
    with _unlock(args, secrets) as vault, holidays.using(agency):
        items = worklist(vault, today, now=now)
        clocks = {c.episode.id: c.deadlines for c in transitions.open_episodes(vault, now=now)}
        record_event(
            vault, "export", record_type="worklist", detail="worklist printed by the command line"
        )
    rows: list[dict[str, object]] = []
    for item in items:
        row = item.as_json()
        transition = item.kind == "transition" and item.record_id is not None
        deadlines = clocks.get(item.record_id) if transition and item.record_id else None
        if deadlines is not None:
            row["contact_by"] = deadlines.contact_by.isoformat()
            row["face_to_face_by"] = deadlines.face_to_face_by.isoformat()
        rows.append(row)
    _print_json(rows)
    return 0


# -- ccm-report -------------------------------------------------------------------------------


def cmd_ccm_report(args: argparse.Namespace, secrets: Secrets) -> int:
    month = args.month.strip()
    if not _MONTH.fullmatch(month):
        raise InvalidInput({"--month": "write the month as YYYY-MM, for example 2026-11"})
    with _unlock(args, secrets) as vault:
        rows = sorted(
            ccm_report.report_rows(vault, month, enrolled=False), key=lambda r: str(r.patient_id)
        )
        record_event(
            vault,
            "export",
            record_type="ccm_report",
            detail=f"CCM minutes report for {month} ({len(rows)} patients) by the command line",
        )
    if args.json:
        _print_json({"month": month, "patients": [row.as_json() for row in rows]})
        return 0
    sys.stdout.write(ccm_report.csv_text(rows))
    return 0


# -- export-ics -------------------------------------------------------------------------------


def cmd_export_ics(args: argparse.Namespace, secrets: Secrets) -> int:
    out: Path = args.out
    if not 1 <= args.days <= MAX_DAYS:
        raise InvalidInput({"--days": f"choose a number of days from 1 to {MAX_DAYS}"})
    checked_output_file(out, args.vault)
    now = datetime.now(UTC)
    with _unlock(args, secrets) as vault:
        due = [
            f
            for f in contacts.follow_ups_due(vault, until=now + timedelta(days=args.days))
            if f.due_at >= now
        ]
        with vault.session() as session:
            patients = {f.patient_id: session.get(Patient, f.patient_id) for f in due}
        events = [
            event_for(f, patient, include_names=args.include_names)
            for f in due
            if (patient := patients[f.patient_id]) is not None
        ]
        detail = f"{len(events)} follow-ups to a calendar file" + (
            " with names" if args.include_names else " without names"
        )
        try:
            atomic_write(out, follow_ups_to_ics(events), 0o600)
        except OSError:
            record_event(vault, "export", record_type="follow_up", detail=detail, outcome="failure")
            raise
        record_event(vault, "export", record_type="follow_up", detail=detail)
    say(f"Wrote {len(events)} follow-ups (the next {args.days} days) to {out}.")
    say(
        f"The file {out} is not encrypted; it holds no names unless --include-names was given. "
        "Delete it once your calendar has imported it."
    )
    if args.include_names:
        say(
            "Warning: --include-names put patient names and the purpose of each follow-up in "
            "the file. Anyone who can see that calendar can see them."
        )
    return 0
