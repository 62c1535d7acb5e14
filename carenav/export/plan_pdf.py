"""Printable care plans: the patient and family plan, the clinician summary, the visit packet.

The API for the app and the command line (see docs/printing.md)::

    data = render_plan(vault, patient_id, options=PrintOptions(large_print=True, language="es"))
    write_pdf(path, data)                       # atomic; the file leaves the encrypted vault
    name = default_file_name(vault, patient_id, options)   # no patient name unless asked
    paths = build_visit_packet(vault, day, out, one_file=True, progress=callback)

Everything is built with ReportLab platypus in memory; only ``write_pdf`` (and the
packet, through it) writes, through a temporary file in the target's folder renamed
over it. PDF metadata (title, subject, author) never carries the patient's name unless
``include_name`` is set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.platypus import Flowable, PageBreak

from carenav.errors import InvalidInput
from carenav.export.ics import patient_code
from carenav.export.printing.clinician import clinician_story
from carenav.export.printing.content import PlanData, full_name, load_plan_data
from carenav.export.printing.i18n import (
    FALLBACK,
    Translator,
    code_for_language_name,
    language_codes,
    translator,
)
from carenav.export.printing.layout import Metadata, build, make_styles
from carenav.export.printing.packet import Visit, cover, packet_story, visits_on
from carenav.export.printing.patient_plan import plan_story
from carenav.services.plan_versions import DRAFT
from carenav.store.header import atomic_write
from carenav.store.vault import Vault

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class PrintOptions:
    """How to print: size, language, which document, which version, name in metadata.

    ``version``: None prints the newest published version (the draft if there is none),
    0 the draft, N version N.
    """

    large_print: bool = False  # the family plan and the packet; the clinician summary is standard
    language: str = "en"
    clinician: bool = False
    version: int | None = None
    include_name: bool = False


def _metadata(t: Translator, data: PlanData | None, options: PrintOptions, kind: str) -> Metadata:
    title = t(
        {"plan": "doc_title", "clinician": "doc_title_clinician"}.get(kind, "doc_title_packet")
    )
    subject = t(
        {"plan": "doc_subject", "clinician": "doc_subject_clinician"}.get(
            kind, "doc_subject_packet"
        )
    )
    if options.include_name and data is not None:
        title = f"{title}: {full_name(data.patient)}"
    return Metadata(title=title, subject=subject)


def render_data(data: PlanData, options: PrintOptions) -> bytes:
    """The PDF of an already loaded plan (see :func:`render_plan`)."""
    t = translator(options.language)
    if options.clinician:
        # for the provider: always standard size (its four-column tables need the width)
        story = clinician_story(t, make_styles(False), data)
        meta = _metadata(t, data, options, "clinician")
    else:
        story = plan_story(t, make_styles(options.large_print), data)
        meta = _metadata(t, data, options, "plan")
    return build(story, meta)


def render_plan(vault: Vault, patient_id: uuid.UUID, *, options: PrintOptions) -> bytes:
    """The patient's plan (or, with ``clinician``, the summary for the PCP) as PDF bytes."""
    translator(options.language)  # an unknown language fails before any reading
    data = load_plan_data(vault, patient_id, version=options.version, clinician=options.clinician)
    return render_data(data, options)


def default_file_name(vault: Vault, patient_id: uuid.UUID, options: PrintOptions) -> str:
    """'care-plan-3F2C-v3.pdf' (or '-draft', 'care-summary-...'): no name unless asked."""
    data = load_plan_data(vault, patient_id, version=options.version)
    return file_name_for(data, options)


def file_name_for(data: PlanData, options: PrintOptions) -> str:
    kind = "care-summary" if options.clinician else "care-plan"
    version = "draft" if data.version == DRAFT else f"v{data.version}"
    who = patient_code(data.patient.id)
    if options.include_name:
        safe = "".join(c if c.isalnum() else "-" for c in full_name(data.patient)).strip("-")
        who = f"{safe}-{who}"
    return f"{kind}-{who}-{version}.pdf"


def write_pdf(path: Path, data: bytes) -> None:
    """Write atomically (temporary file beside it, then renamed over it), owner-only."""
    if path.is_dir():
        raise InvalidInput({"path": "Choose a file name, not a folder."})
    if not path.parent.is_dir():
        raise InvalidInput({"path": "The folder does not exist; choose one that does."})
    if not data.startswith(b"%PDF-"):
        raise InvalidInput({"data": "This is not a PDF; print the plan again."})
    atomic_write(path, data, 0o600)


EACH_PATIENT = "patient"  # a packet's language: each plan in its patient's language


def family_translator(preferred_language: str) -> Translator:
    """The words for a family whose chart says ``preferred_language`` ("Spanish"): its
    word file when there is one, else English (the visit sheet's language)."""
    code = code_for_language_name(preferred_language)
    return translator(code if code in language_codes() else FALLBACK)


def build_visit_packet(
    vault: Vault,
    day: date,
    out: Path,
    *,
    one_file: bool = True,
    progress: Progress | None = None,
    options: PrintOptions | None = None,
) -> list[Path]:
    """The packet for every home visit scheduled on ``day``: a visit sheet and the plan.

    With ``options.language`` set to ``EACH_PATIENT`` the visit sheets (the care
    manager's) are in English and each plan in its patient's preferred language when
    CareNav has its words, else in English.
    ``one_file``: one PDF at ``out``, opening with the day's list of visits; otherwise
    ``out`` is a folder and each visit gets its own file (``visit-<day>-<n>-<code>.pdf``).
    ``progress(done, total)`` is called before the first visit and after each one; an
    exception it raises (a Cancel button) stops the work and nothing is written.
    Returns the files written.
    """
    options = options or PrintOptions()
    each_patient = options.language == EACH_PATIENT
    t = translator(FALLBACK if each_patient else options.language)
    s = make_styles(options.large_print)
    visits = visits_on(vault, day)
    if not visits:
        raise InvalidInput(
            {"date": f"No home visits are scheduled on {day.isoformat()}; choose another day."}
        )
    if one_file and (out.is_dir() or not out.parent.is_dir()):
        raise InvalidInput({"out": "Name a file in a folder that exists."})
    if not one_file and not out.is_dir():
        raise InvalidInput({"out": "Name a folder that exists; each visit gets its own file."})
    total = len(visits)
    if progress is not None:
        progress(0, total)
    parts: list[tuple[Visit, list[Flowable]]] = []
    for done, visit in enumerate(visits, start=1):
        plan_t = family_translator(visit.patient.preferred_language) if each_patient else None
        parts.append((visit, list(packet_story(vault, t, s, visit, plan_t))))
        if progress is not None:
            progress(done, total)
    meta = _metadata(t, None, options, "packet")
    if one_file:
        story: list[Flowable] = cover(t, s, day, visits)
        for _visit, flowables in parts:
            story += [PageBreak(), *flowables]
        write_pdf(out, build(story, meta))
        return [out]
    written: list[Path] = []
    rendered = [(visit, build(flowables, meta)) for visit, flowables in parts]
    for n, (visit, pdf) in enumerate(rendered, start=1):
        path = out / f"visit-{day.isoformat()}-{n:02d}-{patient_code(visit.patient.id)}.pdf"
        write_pdf(path, pdf)
        written.append(path)
    return written
