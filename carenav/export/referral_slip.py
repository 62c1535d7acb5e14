"""The referral slip the patient keeps: where to go, how to reach them, what to bring.

One page in large clear type (the shared print layout's large-print styles, DejaVu Sans
embedded): the organisation and service, address, phone, hours, what to bring, how the
referral was made, the reference code to quote and when the care manager will call to
check how it went. The slip carries no patient name and no reason for the referral, so a
lost slip discloses nothing more than that someone was referred.

    data = render_referral_slip(vault, referral_id)      # PDF bytes, nothing written
    write_referral_slip(vault, referral_id, path)        # atomic, owner-only, audited

``slip_lines(vault, referral_id)`` gives the same content as (label, text) pairs, for a
preview on screen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from carenav.errors import InvalidInput
from carenav.export.printing.layout import (
    FRAME_WIDTH,
    HEADING,
    RULE,
    SHADE,
    Furniture,
    Metadata,
    SectionStart,
    build,
    make_styles,
    para,
    spacer,
    text,
)
from carenav.services import directory, referrals
from carenav.store.audit import record_event
from carenav.store.vault import Vault

TITLE = "Your referral"
FOOTER = "Keep this slip"


@dataclass(frozen=True)
class Slip:
    """What the slip says; empty fields are left off the page."""

    organisation: str
    service: str
    address: str
    phone: str
    hours: str
    what_to_bring: str
    how_sent: str  # "Sent by fax on 2026-12-01"
    reference_code: str
    check_back: str  # "Your care manager will call you on or after ..."

    def lines(self) -> list[tuple[str, str]]:
        pairs = [
            ("Where to go", self.organisation),
            ("Service", self.service),
            ("Address", self.address),
            ("Phone", self.phone),
            ("Hours", self.hours),
            ("What to bring", self.what_to_bring),
            ("Referral", self.how_sent),
            ("Reference code", self.reference_code),
            ("We will check in", self.check_back),
        ]
        return [(label, value) for label, value in pairs if value]


def load_slip(vault: Vault, referral_id: uuid.UUID) -> Slip:
    """The slip's content for a referral (a directory service or a named provider)."""
    view = referrals.get_referral(vault, referral_id)
    r = view.referral
    if r.status in ("cancelled", "declined"):
        raise InvalidInput(
            {"status": "This referral is closed; print a slip for the referral that replaced it."}
        )
    service = directory.get_service(vault, r.service_id) if r.service_id else None
    if service is not None:
        organisation, name = service.organisation, service.name
        address, phone, hours, bring = (
            service.address,
            service.phone,
            service.hours,
            service.what_to_bring,
        )
    else:
        organisation, name, address, phone, hours, bring = r.provider_name, "", "", "", "", ""
    how = ""
    if r.sent_at is not None:
        how = f"{referrals.SENT_VIA.get(r.sent_via, r.sent_via)} on {_day(r.sent_at)}"
        if r.sent_via != "paper-slip":
            how = f"Sent by {how[0].lower()}{how[1:]}"
    if r.status == "scheduled" and r.appointment_at is not None:
        when = r.appointment_at.astimezone().strftime("%A %d %B %Y at %H:%M")
        how = f"{how}. Appointment: {when}" if how else f"Appointment: {when}"
    check_back = ""
    if view.check_back is not None and view.check_back.status == "scheduled":
        check_back = (
            f"Your care manager will call you on or after {_day(view.check_back.due_at)} "
            "to hear how it went."
        )
    return Slip(
        organisation=organisation,
        service=name,
        address=address,
        phone=phone,
        hours=hours,
        what_to_bring=bring,
        how_sent=how,
        reference_code=r.reference_code,
        check_back=check_back,
    )


def _day(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{local:%A} {local.day} {local:%B %Y}"


def slip_lines(vault: Vault, referral_id: uuid.UUID) -> list[tuple[str, str]]:
    return load_slip(vault, referral_id).lines()


def render_slip(slip: Slip) -> bytes:
    """The PDF of a slip (US Letter, large print, one page)."""
    s = make_styles(large_print=True)
    furniture = Furniture(
        footer=FOOTER,
        label=f"Reference {slip.reference_code}",
        page_of="Page {page} of {total}",
        draft_mark="",
        size=s.body_size * 0.7,
    )
    story: list[Flowable] = [SectionStart(furniture), para(text(TITLE), s.title)]
    if slip.organisation:
        story.append(para(text(slip.organisation), s.big))
    if slip.service:
        story.append(para(text(slip.service), s.body))
    story.append(spacer(s, 0.6))
    rows = [
        [para(text(label), s.cell_bold), para(text(value), s.cell)]
        for label, value in slip.lines()
        if label not in ("Where to go", "Service", "Reference code", "We will check in")
    ]
    if rows:
        table = Table(rows, colWidths=[FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.7])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), s.body_size * 0.45),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), s.body_size * 0.45),
                ]
            )
        )
        story += [table, spacer(s, 1.0)]
    code = Table(
        [
            [para("Reference code: give it when you call or visit", s.cell_head)],
            [para(text(slip.reference_code), s.title)],
        ],
        colWidths=[FRAME_WIDTH],
    )
    code.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, HEADING),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), s.body_size * 0.8),
                ("TOPPADDING", (0, 0), (-1, -1), s.body_size * 0.4),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
            ]
        )
    )
    story.append(code)
    if slip.check_back:
        story += [spacer(s, 1.0), para(text(slip.check_back), s.body)]
    return build(story, Metadata(title="Referral slip", subject="Where to go for your referral"))


def render_referral_slip(vault: Vault, referral_id: uuid.UUID) -> bytes:
    return render_slip(load_slip(vault, referral_id))


def write_referral_slip(vault: Vault, referral_id: uuid.UUID, path: Path) -> Path:
    """Write the slip to ``path`` (atomically, owner-only) and record the print in the
    audit trail. Name the file without patient information (e.g. the reference code)."""
    from carenav.export.plan_pdf import write_pdf

    data = render_referral_slip(vault, referral_id)
    write_pdf(path, data)
    record_event(
        vault, "print", record_type="referral", record_id=referral_id, detail="referral slip"
    )
    return path
