"""The home-visit packet: for each home visit of a day, a visit sheet and the patient's plan.

The visit sheet is for the care manager (one page: when, address and phones, the
purpose and the visit notes, open goals, screenings due, questions to ask); the plan
that follows is the family's copy, numbered on its own ("Page 1 of 4"). A patient
without a care plan gets the visit sheet only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Table
from sqlmodel import col, select

from carenav.errors import InvalidInput
from carenav.export.printing.content import (
    PlanData,
    full_name,
    instrument_titles,
    load_plan_data,
)
from carenav.export.printing.i18n import Translator
from carenav.export.printing.layout import (
    FRAME_WIDTH,
    RULE,
    SHADE,
    Furniture,
    SectionStart,
    Styles,
    grid,
    para,
    section,
    text,
)
from carenav.export.printing.patient_plan import contact_when, plan_story
from carenav.models import FollowUp, Patient
from carenav.services.assessments import DueScreening, screenings_due
from carenav.store.vault import Vault

MAX_GOALS = 6
MAX_GOAL_QUESTIONS = 3


@dataclass(frozen=True)
class Visit:
    follow_up: FollowUp
    patient: Patient


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as a UTC interval [start, end)."""
    start = datetime.combine(day, time()).astimezone()
    end = datetime.combine(day + timedelta(days=1), time()).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def visits_on(vault: Vault, day: date) -> list[Visit]:
    """Home visits scheduled on the local day, in time order."""
    start, end = day_bounds(day)
    statement = (
        select(FollowUp, Patient)
        .join(Patient, col(Patient.id) == col(FollowUp.patient_id))
        .where(
            FollowUp.kind == "home-visit",
            FollowUp.status == "scheduled",
            col(FollowUp.deleted_at).is_(None),
            col(Patient.deleted_at).is_(None),
            col(FollowUp.due_at) >= start,
            col(FollowUp.due_at) < end,
        )
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
    )
    with vault.session() as session:
        return [Visit(f, p) for f, p in session.exec(statement).all()]


def _plan_of(vault: Vault, patient_id: uuid.UUID) -> PlanData | None:
    try:
        return load_plan_data(vault, patient_id)
    except InvalidInput:
        return None  # no care plan yet: the visit sheet only


def _address(p: Patient) -> str:
    place = " ".join(v for v in (p.state, p.postal_code) if v.strip())
    parts = [p.address_line, ", ".join(v for v in (p.city, place) if v.strip())]
    return "<br/>".join(text(v) for v in parts if v.strip())


def _facts(t: Translator, s: Styles, visit: Visit) -> Table:
    p = visit.patient
    rows: list[list[Any]] = []
    address = _address(p)
    if address:
        rows.append([para(text(t("address")), s.cell_bold), para(address, s.cell)])
    phones = " · ".join(v for v in (p.phone_home, p.phone_mobile) if v.strip())
    if phones:
        rows.append([para(text(t("phone")), s.cell_bold), para(text(phones), s.cell)])
    language = p.preferred_language.strip()
    if p.interpreter_needed or (language and language.lower() != "english"):
        said = text(language) + (f" ({text(t('interpreter'))})" if p.interpreter_needed else "")
        rows.append([para(text(t("preferred_language")), s.cell_bold), para(said, s.cell)])
    if visit.follow_up.purpose.strip():
        rows.append(
            [
                para(text(t("visit_purpose")), s.cell_bold),
                para(text(visit.follow_up.purpose), s.cell),
            ]
        )
    if not rows:
        rows.append([para(text(t("address")), s.cell_bold), para(text(t("none_recorded")), s.cell)])
    return grid(rows, (FRAME_WIDTH * 0.25, FRAME_WIDTH * 0.75), s, header=False)


def _notes_box(s: Styles, notes: str) -> Flowable:
    """The visit notes in a shaded box. One paragraph (lines kept), so that notes of any
    length flow onto the next page instead of failing the layout, as a table cell would."""
    lines = "<br/>".join(text(line) for line in notes.strip().splitlines())
    style = ParagraphStyle(
        "visitNotes",
        parent=s.body,
        backColor=SHADE,
        borderColor=RULE,
        borderWidth=0.8,
        borderPadding=s.body_size * 0.6,
        spaceBefore=s.body_size * 0.4,
        spaceAfter=s.body_size * 0.6,
        leftIndent=s.body_size * 0.6,
        rightIndent=s.body_size * 0.6,
    )
    return para(lines, style)


def _open_goals(data: PlanData | None) -> list[dict[str, Any]]:
    if data is None:
        return []
    return [g for g in data.goals() if g["status"] != "achieved"][:MAX_GOALS]


def _screenings(t: Translator, s: Styles, due: list[DueScreening]) -> list[Flowable]:
    titles = instrument_titles()
    lines = []
    for d in due:
        last = t(
            "last_result",
            value=d.last_value,
            band=d.last_band,
            date=t.date(d.last_done.astimezone()),
        )
        lines.append(
            f"<b>{text(titles.get(d.instrument_id, d.instrument_id))}</b> — {text(t('due'))} "
            f"{text(t.date(d.due))}; {text(last)}"
        )
    return [para(line, s.bullet, bullet="•") for line in lines]


def _questions(t: Translator, data: PlanData | None, goals: list[dict[str, Any]]) -> list[str]:
    asks = [t("q_goal", goal=g["text"].strip()) for g in goals[:MAX_GOAL_QUESTIONS]]
    if data is not None and data.medicines:
        asks.append(t("q_medicines"))
    if data is not None and any(tpl.warning_signs for tpl in data.templates.values()):
        asks.append(t("q_warning"))
    asks += [t("q_family"), t("q_questions")]
    return asks


def cover(t: Translator, s: Styles, day: date, visits: list[Visit]) -> list[Flowable]:
    """The day's visits in time order (first page of a combined packet, for the care manager)."""
    rows: list[list[Any]] = [
        [para(text(t(k)), s.cell_head) for k in ("visit_time", "patient", "address")]
    ]
    for visit in visits:
        rows.append(
            [
                para(text(t.time(visit.follow_up.due_at.astimezone())), s.cell_bold),
                para(text(full_name(visit.patient)), s.cell),
                para(_address(visit.patient), s.cell),
            ]
        )
    return [
        SectionStart(_furniture(t, s, "visits_heading")),
        para(f"{text(t('visits_heading'))} — {text(t.weekday_date(day))}", s.title),
        para(
            text(t("visits_one") if len(visits) == 1 else t("visits_count", count=len(visits))),
            s.body,
        ),
        grid(rows, (FRAME_WIDTH * 0.18, FRAME_WIDTH * 0.37, FRAME_WIDTH * 0.45), s),
    ]


def _furniture(t: Translator, s: Styles, label_key: str) -> Furniture:
    return Furniture(
        footer=t("footer"),
        label=t(label_key),
        page_of=t("page_of", page="{page}", total="{total}"),
        draft_mark="",
        size=min(max(9.0, s.body_size * 0.72), 11.0),
    )


def visit_sheet(
    t: Translator, s: Styles, visit: Visit, data: PlanData | None, due: list[DueScreening]
) -> list[Flowable]:
    furniture = _furniture(t, s, "visit_sheet")
    p = visit.patient
    goals = _open_goals(data)
    h2 = s.h3
    story: list[Flowable] = [
        SectionStart(furniture),
        para(f"{text(t('visit_sheet'))} — {text(contact_when(t, visit.follow_up))}", s.h2),
        para(f"<b>{text(full_name(p))}</b>", s.title),
        _facts(t, s, visit),
    ]
    if p.visit_notes.strip():
        story += section(para(text(t("visit_notes")), h2), [_notes_box(s, p.visit_notes)])
    story += section(
        para(text(t("open_goals")), h2),
        [para(text(g["text"]), s.bullet, bullet="☐") for g in goals],
    )
    story += section(para(text(t("due_screenings")), h2), _screenings(t, s, due))
    story += section(
        para(text(t("questions")), h2),
        [para(text(q), s.bullet, bullet="☐") for q in _questions(t, data, goals)],
    )
    return story


def packet_story(
    vault: Vault, t: Translator, s: Styles, visit: Visit, plan_t: Translator | None = None
) -> Iterator[Flowable]:
    """One visit's part of the packet: the visit sheet (in ``t``), then the patient's plan
    (in ``plan_t``, the family's language, when given; else in ``t`` too)."""
    day = visit.follow_up.due_at.astimezone().date()
    data = _plan_of(vault, visit.patient.id)
    due = screenings_due(vault, until=day, patient_id=visit.patient.id)
    yield from visit_sheet(t, s, visit, data, due)
    if data is not None:
        yield PageBreak()
        yield from plan_story(plan_t or t, s, data)
