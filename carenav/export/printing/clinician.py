"""The clinician summary for the primary-care provider.

The full plan with the nine CMS care-plan elements (met, excused with the reason, or
missing), the plan's texts, active problems, every need with its goals and
interventions, medications, latest scores, recent contacts and the care team.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.platypus import Flowable

from carenav.export.printing.content import PlanData, full_name, instrument_titles
from carenav.export.printing.i18n import Translator
from carenav.export.printing.layout import (
    FRAME_WIDTH,
    SectionStart,
    Styles,
    grid,
    para,
    section,
    text,
)
from carenav.export.printing.patient_plan import draft_notice, furniture, version_line
from carenav.models import codes
from carenav.services.plan_coverage import coverage

PLAN_TEXTS = (
    "expected_outcome",
    "prognosis",
    "symptom_management",
    "medication_management",
    "community_services",
    "coordination",
    "barriers",
    "strengths",
    "preferences",
)


def _word(t: Translator, prefix: str, code: str, fallback: dict[str, str]) -> str:
    key = f"{prefix}_{code}"
    return t(key) if t.has(key) else fallback.get(code, code)


def _day(t: Translator, value: str | None) -> str:
    return t.date(date.fromisoformat(value)) if value else ""


def _elements(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    rows: list[list[Any]] = [
        [para(text(t("element")), s.cell_head), para(text(t("status")), s.cell_head)]
    ]
    for element in coverage(data.snapshot):
        if element.met:
            status = f"<b>{text(t('element_met'))}</b>"
        elif element.exception:
            status = f"<b>{text(t('element_excused'))}</b>: {text(element.exception)}"
        else:
            status = f"<font color='#9B0D14'><b>{text(t('element_missing'))}</b></font>"
        rows.append([para(text(t(f"cms_{element.code}")), s.cell), para(status, s.cell)])
    return [grid(rows, (FRAME_WIDTH * 0.5, FRAME_WIDTH * 0.5), s)]


def _plan_texts(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    plan = data.snapshot["plan"]
    out: list[Flowable] = []
    for name in PLAN_TEXTS:
        value = str(plan.get(name, "")).strip()
        if value:
            out.append(para(f"<b>{text(t('field_' + name))}:</b> {text(value)}", s.body))
    if plan.get("next_review"):
        out.append(
            para(f"<b>{text(t('field_next_review'))}:</b> {_day(t, plan['next_review'])}", s.body)
        )
    return out


def _problems(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    lines = [
        text(c.text) + (f" ({text(c.icd10_code)})" if c.icd10_code.strip() else "")
        for c in data.problems
    ]
    return [para(line, s.bullet, bullet="•") for line in lines]


def _needs(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    out: list[Flowable] = []
    w = FRAME_WIDTH
    for need in data.snapshot["needs"]:
        body: list[Flowable] = []
        if need["goals"]:
            rows: list[list[Any]] = [
                [para(text(t(k)), s.cell_head) for k in ("goal", "measure", "target", "status")]
            ]
            for g in need["goals"]:
                target = g["target_value"]
                if g["target_date"]:
                    target = f"{target} ({_day(t, g['target_date'])})".strip()
                status = _word(t, "gstatus", g["status"], codes.GOAL_STATUSES)
                rows.append(
                    [para(text(v), s.cell) for v in (g["text"], g["measure"], target, status)]
                )
            body.append(grid(rows, (w * 0.32, w * 0.26, w * 0.24, w * 0.18), s))
        if need["interventions"]:
            rows = [
                [
                    para(text(t(k)), s.cell_head)
                    for k in ("intervention", "responsible", "how_often", "status")
                ]
            ]
            for i in need["interventions"]:
                who = _word(t, "responsible", i["responsible"], codes.RESPONSIBLE)
                if i["responsible_name"].strip():
                    who += f": {i['responsible_name']}"
                status = _word(t, "istatus", i["status"], codes.INTERVENTION_STATUSES)
                rows.append(
                    [para(text(v), s.cell) for v in (i["what"], who, i["frequency"], status)]
                )
            body += [para("", s.small), grid(rows, (w * 0.38, w * 0.26, w * 0.18, w * 0.18), s)]
        out += section(para(text(need["text"]), s.h3), body or [para("", s.small)])
    return out


def _medications(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    if not data.medicines:
        return []
    rows: list[list[Any]] = [
        [para(text(t(k)), s.cell_head) for k in ("medicine", "dose", "frequency", "purpose")]
    ]
    for m in data.medicines:
        rows.append([para(text(v), s.cell) for v in (m.name, m.dose, m.frequency, m.purpose)])
    w = FRAME_WIDTH
    return [grid(rows, (w * 0.3, w * 0.16, w * 0.28, w * 0.26), s)]


def _scores(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    if not data.scores:
        return []
    titles = instrument_titles()
    rows: list[list[Any]] = [
        [para(text(t(k)), s.cell_head) for k in ("instrument", "score", "result", "date")]
    ]
    for o in data.scores:
        rows.append(
            [
                para(text(titles.get(o.questionnaire, o.questionnaire)), s.cell),
                para(text(o.value), s.cell),
                para(text(o.band), s.cell),
                para(text(t.date(o.effective_at.astimezone())), s.cell),
            ]
        )
    w = FRAME_WIDTH
    return [grid(rows, (w * 0.4, w * 0.12, w * 0.26, w * 0.22), s)]


def _contacts(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    if not data.contacts:
        return []
    rows: list[list[Any]] = [
        [
            para(text(t(k)), s.cell_head)
            for k in ("date", "kind_other", "with_whom", "outcome", "minutes")
        ]
    ]
    for c in data.contacts:
        rows.append(
            [
                para(text(t.date(c.occurred_at.astimezone())), s.cell),
                para(text(_word(t, "kind", c.kind, codes.CONTACT_KINDS)), s.cell),
                para(text(_word(t, "with", c.with_whom, codes.CONTACT_WITH)), s.cell),
                para(text(_word(t, "outcome", c.outcome, codes.CONTACT_OUTCOMES)), s.cell),
                para(text(c.minutes), s.cell),
            ]
        )
    w = FRAME_WIDTH
    return [grid(rows, (w * 0.22, w * 0.24, w * 0.22, w * 0.2, w * 0.12), s)]


def _team(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    team = data.snapshot.get("care_team", [])
    if not team:
        return []
    rows: list[list[Any]] = []
    for m in team:
        role = _word(t, "role", m["role"], codes.CARE_TEAM_ROLES)
        who = f"<b>{text(m['name'])}</b> — {text(role)}"
        if m["organization"].strip():
            who += f", {text(m['organization'])}"
        rows.append([para(who, s.cell), para(text(m["phone"]), s.cell_bold)])
    return [grid(rows, (FRAME_WIDTH * 0.7, FRAME_WIDTH * 0.3), s, header=False)]


def clinician_story(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    p = data.patient
    h2 = s.h2
    programs = ", ".join(codes.PROGRAMS.get(x, x) for x in p.programs)
    story: list[Flowable] = [
        SectionStart(furniture(t, s, data, "clinician_heading")),
        para(text(t("clinician_heading")), s.title),
        para(text(t("clinician_for")), s.small),
        para(f"{text(t('patient'))}: <b>{text(full_name(p))}</b>", s.big),
        para(
            f"{text(t('born'))}: {text(t.date(p.birth_date))}"
            + (f" · {text(t('programs'))}: {text(programs)}" if programs else ""),
            s.body,
        ),
        para(text(version_line(t, data)), s.body),
    ]
    if data.draft:
        story.append(draft_notice(t, s))
    story += section(para(text(t("cms_elements")), h2), _elements(t, s, data))
    story += section(para(text(t("plan_fields")), h2), _plan_texts(t, s, data))
    story += section(para(text(t("active_problems")), h2), _problems(t, s, data))
    story += section(para(text(t("needs_goals")), h2), _needs(t, s, data))
    story += section(para(text(t("medications")), h2), _medications(t, s, data))
    story += section(para(text(t("latest_scores")), h2), _scores(t, s, data))
    story += section(para(text(t("recent_contacts")), h2), _contacts(t, s, data))
    story += section(para(text(t("care_team")), h2), _team(t, s, data))
    return story
