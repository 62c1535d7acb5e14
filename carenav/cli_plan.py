"""``carenav plan show``: one patient's care plan, as JSON or as a readable outline.

    carenav plan show --vault PATH --patient ID [--json] [--version N]

``ID`` is the patient's id as ``carenav list --json`` prints it. Without ``--version``
the plan in use is shown as it stands now (the draft rows, with any changes not yet
published); with ``--version N`` the snapshot frozen when version N was published.
The JSON holds ``patient``, ``plan``, ``needs`` (each with its ``goals`` and
``interventions``), ``education``, ``advocacy``, ``cms`` (whether the nine CMS
elements are required, and each one met or excused) and ``versions`` (each with its
agreements). A drawn signature is never printed, only whether there is one.

Printing a plan discloses patient information, so it is recorded in the audit trail
(action ``export``, record type ``care_plan``). A patient with no care plan, or a
version that does not exist, exits 5 with a message saying what there is.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from carenav.dates import day_text
from carenav.errors import CareNavError, InvalidInput
from carenav.models import CarePlan, CarePlanVersion, PlanAgreement, codes
from carenav.services.care_plans import PLAN_TEXT_FIELDS, PlanView, load_plan
from carenav.services.patients import _live_patient
from carenav.services.plan_coverage import CMS_ELEMENTS, coverage, needs_cms_plan
from carenav.services.plan_versions import snapshot_of, version_status
from carenav.store.audit import record_event
from carenav.store.vault import Vault

if TYPE_CHECKING:
    from carenav.cli import SecretReader

Handler = Callable[[argparse.Namespace, "SecretReader"], int]


class PlanNotFound(CareNavError):
    """No care plan, or no such version: exit 5 with what there is instead."""

    exit_code = 5


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    p = subparsers.add_parser("plan", help="show a patient's care plan (JSON or an outline)")
    p.set_defaults(passphrase_stdin=False)
    actions = p.add_subparsers(dest="plan_action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="print the plan in use, or one published version",
        description="Print the patient's care plan as it stands now (with changes not yet "
        "published), or with --version N the version published as N. Exit 5 when the "
        "patient has no plan or the version does not exist.",
    )
    show.add_argument(
        "--vault",
        type=Path,
        required=True,
        metavar="PATH",
        help="the vault's database file (its .keys header sits beside it)",
    )
    show.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from standard input instead of prompting",
    )
    show.add_argument(
        "--patient", required=True, metavar="ID", help="the patient's id, as 'list --json' prints"
    )
    show.add_argument("--json", action="store_true", help="as JSON (default: a readable outline)")
    show.add_argument(
        "--version", type=int, metavar="N", help="a published version (default: the plan now)"
    )
    return {"plan": cmd_plan}


def cmd_plan(args: argparse.Namespace, secrets: SecretReader) -> int:
    patient_id = _patient_id(args.patient)
    if args.version is not None and args.version < 1:
        raise InvalidInput({"--version": "versions are numbered from 1"})
    vault = Vault.unlock(args.vault, secrets.read("Passphrase"))
    with vault:
        shown = plan_document(vault, patient_id, version=args.version)
        record_event(
            vault,
            "export",
            record_type="care_plan",
            record_id=shown["plan"]["id"],
            detail="care plan printed by the command line",
        )
    if args.json:
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(outline(shown))
    return 0


def _patient_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(
            {"--patient": "is not a patient id; copy the 'id' that 'carenav list --json' prints"}
        ) from None


# -- the document ----------------------------------------------------------------------------


def plan_document(
    vault: Vault, patient_id: uuid.UUID, *, version: int | None = None
) -> dict[str, Any]:
    """What ``plan show --json`` prints: the plan now, or version ``version``'s snapshot."""
    with vault.session() as session:
        patient = _live_patient(session, patient_id)
        programs = list(patient.programs)
        plan = _shown_plan(session, patient_id)
    view = load_plan(vault, plan.id)
    versions = [_version_json(view, v) for v in view.versions]
    if version is None:
        snapshot = snapshot_of(view)
        status, showing = plan.status, "draft"
    else:
        frozen = next((v for v in view.versions if v.number == version), None)
        if frozen is None:
            raise PlanNotFound(_no_such_version(version, view.versions))
        snapshot = dict(frozen.snapshot)
        status, showing = version_status(plan, frozen), f"version {version}"
    texts = snapshot["plan"]
    return {
        "patient": str(patient_id),
        "showing": showing,
        "plan": {
            "id": plan.id.hex,
            "title": texts["title"],
            "status": status,
            "period": {"start": texts["period_start"], "end": texts["period_end"]},
            "next_review": texts["next_review"],
            "author": texts["author"],
            "published_version": plan.published_version,
            "changed_since_publish": plan.changed_since_publish,
            **{name: texts.get(name, "") for name in PLAN_TEXT_FIELDS},
            "cms_exceptions": dict(texts.get("cms_exceptions", {})),
        },
        "needs": snapshot["needs"],
        "education": snapshot.get("education", []),
        "advocacy": snapshot.get("advocacy", []),
        "cms": {
            "required": needs_cms_plan(programs),
            "elements": [
                {"code": e.code, "label": e.label, "met": e.met, "exception": e.exception}
                for e in coverage(snapshot)
            ],
        },
        "versions": versions,
    }


def _shown_plan(session: Session, patient_id: uuid.UUID) -> CarePlan:
    """The plan in use; when every plan is completed, the newest of them (as history)."""
    plans = session.exec(
        select(CarePlan)
        .where(CarePlan.patient_id == patient_id, col(CarePlan.deleted_at).is_(None))
        .order_by(col(CarePlan.created_at).desc())
    ).all()
    in_use = [p for p in plans if p.status != "completed"]
    if in_use:
        return in_use[0]
    if plans:
        return plans[0]
    raise PlanNotFound(
        "This patient has no care plan yet. Start one from the patient's Care plan tab."
    )


def _no_such_version(number: int, versions: list[CarePlanVersion]) -> str:
    if not versions:
        return (
            f"This care plan has no version {number}: it has not been published yet. "
            "Leave out --version to see the plan as it stands."
        )
    numbers = ", ".join(str(v.number) for v in versions)
    return f"This care plan has no version {number}. Its versions are: {numbers}."


def _version_json(view: PlanView, version: CarePlanVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version_status(view.plan, version),
        "published_at": version.published_at.isoformat(),
        "published_by": version.published_by,
        "change_note": version.change_note,
        "agreements": [_agreement_json(a) for a in view.agreements.get(version.id, [])],
    }


def _agreement_json(agreement: PlanAgreement) -> dict[str, Any]:
    """Who agreed and how; the drawn signature itself is never printed."""
    return {
        "agreed_by": agreement.agreed_by,
        "relationship": agreement.relationship,
        "agreed_on": agreement.agreed_on.isoformat(),
        "method": agreement.method,
        "signed_on_screen": bool(agreement.signature_png),
        "copy_given_on": (
            agreement.copy_given_on.isoformat() if agreement.copy_given_on is not None else None
        ),
        "copy_method": agreement.copy_method,
    }


# -- the readable outline ---------------------------------------------------------------------

TEXT_LABELS = {
    "expected_outcome": "Expected outcome",
    "prognosis": "Prognosis",
    "symptom_management": "Symptom management",
    "medication_management": "Medication management",
    "community_services": "Community and social services",
    "coordination": "Coordination",
    "barriers": "Barriers",
    "strengths": "Strengths",
    "preferences": "What matters most",
}


def _label(table: Mapping[str, str], code: str | None) -> str:
    return table.get(code or "", code or "")


def _day(iso: str | None, empty: str = "") -> str:
    """'3 Mar 2026' from an ISO date (or datetime) text."""
    return day_text(date.fromisoformat(iso[:10])) if iso else empty


def _showing(showing: str) -> str:
    return "as it stands now" if showing == "draft" else showing


def outline(document: Mapping[str, Any]) -> str:
    """The document as indented plain text, for reading in a terminal."""
    plan = document["plan"]
    period = plan["period"]
    lines = [
        f"{plan['title']} ({_showing(document['showing'])}; {plan['status']})",
        f"  Period: {_day(period['start'], '-')} to {_day(period['end'], 'ongoing')}; "
        f"next review {_day(plan['next_review'], 'not set')}; author {plan['author'] or '-'}",
    ]
    published = plan["published_version"]
    if published:
        unpublished = "; changes not yet published" if plan["changed_since_publish"] else ""
        lines.append(f"  Published: version {published}{unpublished}")
    else:
        lines.append("  Not published yet")
    for name, label in TEXT_LABELS.items():
        if plan.get(name):
            lines.append(f"  {label}: {plan[name]}")
    lines.append("")
    lines.append("Needs")
    if not document["needs"]:
        lines.append("  (none)")
    for n, need in enumerate(document["needs"], 1):
        lines.append(f"  {n}. {need['text']} [{_label(codes.NEED_SOURCES, need['source'])}]")
        for goal in need["goals"]:
            target = ", ".join(
                part
                for part in (goal["measure"], goal["target_value"], _day(goal["target_date"]))
                if part
            )
            status = _label(codes.GOAL_STATUSES, goal["status"]).lower()
            lines.append(f"     Goal: {goal['text']} ({status})")
            if target:
                lines.append(f"       target: {target}")
        for item in need["interventions"]:
            who = _label(codes.RESPONSIBLE, item["responsible"])
            if item["responsible_name"]:
                who = f"{who}: {item['responsible_name']}"
            status = _label(codes.INTERVENTION_STATUSES, item["status"]).lower()
            when = ", ".join(p for p in (item["frequency"], _day(item["due_date"])) if p)
            lines.append(f"     - {item['what']} ({who}; {status}{'; ' + when if when else ''})")
    if document["education"]:
        lines.append("")
        lines.append("Education")
        for record in document["education"]:
            understood = _label(codes.UNDERSTANDING, record["understanding"]).lower()
            lines.append(
                f"  {_day(record['given_on'])} {record['topic']} to {record['recipient']} "
                f"({_label(codes.EDUCATION_METHODS, record['method']).lower()}; {understood})"
            )
    if document["advocacy"]:
        lines.append("")
        lines.append("Denied services and appeals")
        for record in document["advocacy"]:
            status = _label(codes.ADVOCACY_STATUSES, record["status"]).lower()
            lines.append(
                f"  {record['service']} ({record['payer'] or 'payer not named'}; {status})"
            )
            if record["alternative"]:
                lines.append(f"    alternative: {record['alternative']}")
    cms = document["cms"]
    lines.append("")
    lines.append("CMS care-plan elements" + ("" if cms["required"] else " (not required)"))
    for element in cms["elements"]:
        mark = "met" if element["met"] else "excused" if element["exception"] else "MISSING"
        reason = f": {element['exception']}" if element["exception"] else ""
        lines.append(f"  [{mark}] {CMS_ELEMENTS[element['code']]}{reason}")
    lines.append("")
    lines.append("Versions")
    if not document["versions"]:
        lines.append("  (none published)")
    for version in document["versions"]:
        note = f" - {version['change_note']}" if version["change_note"] else ""
        lines.append(
            f"  {version['number']}. {_day(version['published_at'])} by "
            f"{version['published_by']} ({version['status']}){note}"
        )
        for agreed in version["agreements"]:
            copy = (
                f"; copy {agreed['copy_method'] or 'given'} {_day(agreed['copy_given_on'])}"
                if agreed["copy_given_on"]
                else "; no copy given yet"
            )
            how = _label(codes.AGREEMENT_METHODS, agreed["method"]).lower()
            lines.append(
                f"     agreed by {agreed['agreed_by']} ({agreed['relationship']}) on "
                f"{_day(agreed['agreed_on'])}, {how}{copy}"
            )
    return "\n".join(lines) + "\n"
