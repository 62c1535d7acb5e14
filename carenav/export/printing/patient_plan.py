"""The patient and family plan, and the medicine schedule page that goes with it.

Plain language from the plan's patient-facing wording; every fixed word from the
translation files. A section with nothing in it is left out. The medicine schedule
is a page of its own (it is the page taped to the refrigerator).
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Table, TableStyle

from carenav.export.printing.content import PlanData, full_name
from carenav.export.printing.i18n import Translator
from carenav.export.printing.layout import (
    EMERGENCY,
    EMERGENCY_BG,
    FRAME_WIDTH,
    HEADING,
    RULE,
    SHADE,
    SOON_BG,
    TODAY,
    TODAY_BG,
    Furniture,
    SectionStart,
    Styles,
    grid,
    para,
    section,
    spacer,
    text,
)
from carenav.export.printing.schedule import SLOTS, dose_times
from carenav.models.followup import FollowUp

TEAM = ("care-manager", "provider", "agency")
URGENCY_ORDER = {"emergency": 0, "call-today": 1, "call-soon": 2}


def furniture(t: Translator, s: Styles, data: PlanData, label_key: str) -> Furniture:
    label = t(label_key)
    if data.draft:
        label += f", {t('draft_mark').lower()}"
    else:
        label += f", v{data.version}"
    return Furniture(
        footer=t("footer"),
        label=label,
        page_of=t("page_of", page="{page}", total="{total}"),
        draft_mark=t("draft_mark") if data.draft else "",
        size=min(max(9.0, s.body_size * 0.72), 11.0),
    )


def version_line(t: Translator, data: PlanData) -> str:
    if data.draft:
        return t("draft_version_line", date=t.date(data.version_date))
    return t("version_line", number=data.version, date=t.date(data.version_date))


def draft_notice(t: Translator, s: Styles) -> Table:
    box = Table([[para(text(t("draft_notice")), s.strong)]], colWidths=[FRAME_WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, EMERGENCY),
                ("BACKGROUND", (0, 0), (-1, -1), EMERGENCY_BG),
                ("LEFTPADDING", (0, 0), (-1, -1), s.body_size * 0.7),
                ("RIGHTPADDING", (0, 0), (-1, -1), s.body_size * 0.7),
                ("TOPPADDING", (0, 0), (-1, -1), s.body_size * 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), s.body_size * 0.6),
            ]
        )
    )
    return box


def _title_block(t: Translator, s: Styles, data: PlanData, heading: str) -> list[Flowable]:
    out: list[Flowable] = [
        para(text(heading), s.title),
        para(f"{text(t('plan_for'))}: <b>{text(full_name(data.patient))}</b>", s.big),
        para(text(version_line(t, data)), s.body),
    ]
    if data.draft:
        out += [spacer(s, 0.3), draft_notice(t, s)]
    return out


def _bullets(items: list[str], s: Styles, mark: str = "•") -> list[Flowable]:
    return [para(item, s.bullet, bullet=mark) for item in items]


def _goals(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    out: list[Flowable] = []
    for goal in data.goals():
        words = goal["patient_facing"].strip() or goal["text"].strip()
        done = goal["status"] == "achieved"
        first = f"<b>{text(t('goal_achieved'))}</b> {text(words)}" if done else text(words)
        know = [v for v in (goal["measure"].strip(), goal["target_value"].strip()) if v]
        lines = [para(first, s.bullet, bullet="✔" if done else "•")]
        if know or goal["target_date"]:
            how = ": ".join(text(v) for v in know)
            if goal["target_date"]:
                from datetime import date

                when = t("by_date", date=t.date(date.fromisoformat(goal["target_date"])))
                how = f"{how}, {text(when)}" if how else text(when)
            lines.append(para(f"<b>{text(t('how_we_know'))}:</b> {how}", _indented(s), bullet=None))
        out.append(KeepTogether(lines))
    return out


def _indented(s: Styles) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        "know",
        parent=s.small,
        fontSize=s.body_size * 0.92,
        leading=s.body_size * 0.92 * 1.4,
        leftIndent=s.bullet.leftIndent,
        spaceAfter=s.body_size * 0.7,
        textColor=s.body.textColor,
    )


def _doing(t: Translator, s: Styles, items: list[dict[str, Any]], team: bool) -> list[Flowable]:
    lines = []
    for item in items:
        line = text(item["what"])
        if team and item["responsible_name"].strip():
            line += f" ({text(item['responsible_name'])})"
        if item["frequency"].strip():
            line += (
                f" <font color='#3A3A3A'>— {text(t('how_often'))}: {text(item['frequency'])}</font>"
            )
        lines.append(line)
    return _bullets(lines, s)


def _medicines(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    if not data.medicines:
        return []
    rows: list[list[Any]] = [
        [para(text(t(k)), s.cell_head) for k in ("medicine", "what_for", "how_when")]
    ]
    for med in data.medicines:
        name = f"<b>{text(med.name)}</b>" + (f" {text(med.dose)}" if med.dose.strip() else "")
        rows.append(
            [
                para(name, s.cell),
                para(text(med.purpose), s.cell),
                para(text(med.frequency), s.cell),
            ]
        )
    w = FRAME_WIDTH
    return [grid(rows, (w * 0.36, w * 0.32, w * 0.32), s)]


def _warning_signs(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    out: list[Flowable] = []
    seen: set[str] = set()
    for need in data.snapshot["needs"]:
        template = data.templates.get(need.get("template") or "")
        if template is None or template.id in seen or not template.warning_signs:
            continue
        seen.add(template.id)
        signs = sorted(template.warning_signs, key=lambda w: URGENCY_ORDER.get(w.urgency, 9))
        rows: list[list[Any]] = [
            [para(text(t("if_you_notice")), s.cell_head), para(text(t("what_to_do")), s.cell_head)]
        ]
        extra: list[tuple[Any, ...]] = []
        for n, sign in enumerate(signs, start=1):
            label = t(f"urgency_{sign.urgency}")
            colour = EMERGENCY if sign.urgency == "emergency" else TODAY
            action = f"<font color='#{colour.hexval()[2:]}'><b>{text(label)}</b></font>"
            rows.append(
                [para(text(sign.sign), s.cell), para(f"{action}<br/>{text(sign.action)}", s.cell)]
            )
            back = {"emergency": EMERGENCY_BG, "call-today": TODAY_BG}.get(sign.urgency, SOON_BG)
            extra.append(("BACKGROUND", (0, n), (-1, n), back))
        table = grid(rows, (FRAME_WIDTH * 0.58, FRAME_WIDTH * 0.42), s, extra=extra)
        out += section(para(text(template.title), s.h3), [table])
    return out


def first_calls(data: PlanData) -> list[dict[str, Any]]:
    """Whom to call first (beside 911): the primary care provider(s) with a phone, else
    the first care-team member with one. The whole team follows in "My care team"."""
    reachable = [m for m in data.snapshot.get("care_team", []) if m["phone"].strip()]
    return [m for m in reachable if m["role"] == "pcp"] or reachable[:1]


def _who_to_call(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    rows: list[list[Any]] = [
        [para(text(t("emergency_call")), s.big), para("<b>911</b>", _phone(s, EMERGENCY))]
    ]
    for member in first_calls(data):
        who = f"<b>{text(member['name'])}</b><br/>{text(role_of(t, member['role']))}"
        rows.append([para(who, s.cell), para(phone(member["phone"]), _phone(s, HEADING))])
    table = Table(rows, colWidths=[FRAME_WIDTH * 0.5, FRAME_WIDTH * 0.5], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 1.5, HEADING),
                ("BACKGROUND", (0, 0), (-1, 0), EMERGENCY_BG),
                ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), s.body_size * 0.6),
                ("TOPPADDING", (0, 0), (-1, -1), s.body_size * 0.45),
                ("BOTTOMPADDING", (0, 0), (-1, -1), s.body_size * 0.55),
            ]
        )
    )
    return [table]


def phone(number: str) -> str:
    """A phone number that never breaks across lines."""
    return text(number.strip()).replace(" ", "\u00a0").replace("-", "\u2011")


def _phone(s: Styles, colour: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    size = max(s.body_size * 1.35, 19.0)
    return ParagraphStyle(
        "phone", parent=s.cell_bold, fontSize=size, leading=size * 1.25, textColor=colour
    )


def _care_team(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    team = data.snapshot.get("care_team", [])
    if not team:
        return []
    rows: list[list[Any]] = []
    for member in team:
        role = role_of(t, member["role"])
        who = f"<b>{text(member['name'])}</b><br/>{text(role)}"
        if member["organization"].strip():
            who += f"<br/>{text(member['organization'])}"
        rows.append([para(who, s.cell), para(phone(member["phone"]), s.big)])
    return [grid(rows, (FRAME_WIDTH * 0.55, FRAME_WIDTH * 0.45), s, header=False)]


def role_of(t: Translator, role: str) -> str:
    key = f"role_{role}"
    return t(key) if t.has(key) else t("role_other")


def contact_when(t: Translator, follow_up: FollowUp) -> str:
    local = follow_up.due_at.astimezone()
    return t("at_time", day=t.weekday_date(local), time=t.time(local))


def _next_contacts(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    lines = []
    for follow_up in data.next_contacts:
        kind_key = f"kind_{follow_up.kind}"
        kind = t(kind_key) if t.has(kind_key) else t("kind_other")
        line = f"<b>{text(contact_when(t, follow_up))}</b> — {text(kind)}"
        if follow_up.purpose.strip():
            line += f": {text(follow_up.purpose)}"
        lines.append(line)
    return _bullets(lines, s)


def _learned(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    lines: list[str] = []
    seen: set[str] = set()
    for record in data.snapshot.get("education", []):
        topic = record["topic"].strip()
        if not topic or topic.lower() in seen:
            continue
        seen.add(topic.lower())
        wording = next(
            (
                e.patient_facing
                for tpl in data.templates.values()
                for e in tpl.education
                if e.topic.lower() == topic.lower()
            ),
            "",
        )
        lines.append(f"<b>{text(topic)}</b>" + (f": {text(wording)}" if wording else ""))
    return _bullets(lines, s)


class NoteLines(Flowable):  # type: ignore[misc]
    """Ruled lines for notes that fill the rest of the page (at least a few lines)."""

    def __init__(self, gap: float, least: int = 4, most: int = 14) -> None:
        super().__init__()
        self.gap, self.least, self.most = gap, least, most
        self.lines = least

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.lines = max(self.least, min(self.most, int(availHeight // self.gap)))
        return availWidth, self.lines * self.gap

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.7)
        for n in range(self.lines):
            y = n * self.gap
            canvas.line(0, y, self.width, y)


def _note_lines(s: Styles) -> NoteLines:
    return NoteLines(s.body_size * 2.2)


def plan_story(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    """The patient and family plan, then the medicine schedule page."""
    plan = data.snapshot["plan"]
    h2 = s.h2
    story: list[Flowable] = [SectionStart(furniture(t, s, data, "plan_heading"))]
    story += _title_block(t, s, data, t("plan_heading"))
    if plan.get("preferences", "").strip():
        story += section(
            para(text(t("what_matters")), h2), [para(text(plan["preferences"]), s.body)]
        )
    story += section(para(text(t("my_goals")), h2), _goals(t, s, data))
    for key, who, team in (
        ("i_will", ("patient",), False),
        ("family_will", ("caregiver",), False),
        ("team_will", TEAM, True),
    ):
        story += section(para(text(t(key)), h2), _doing(t, s, data.interventions(*who), team))
    story += section(para(text(t("my_medicines")), h2), _medicines(t, s, data))
    story += section(para(text(t("warning_signs")), h2), _warning_signs(t, s, data))
    story += section(para(text(t("who_to_call")), h2), _who_to_call(t, s, data))
    story += section(para(text(t("my_care_team")), h2), _care_team(t, s, data))
    story += section(para(text(t("next_contacts")), h2), _next_contacts(t, s, data))
    story += section(para(text(t("learned")), h2), _learned(t, s, data))
    if plan.get("next_review"):
        from datetime import date

        review = t.date(date.fromisoformat(plan["next_review"]))
        story += [spacer(s, 0.6), para(text(t("next_review", date=review)), s.strong)]
    story += section(para(text(t("notes")), h2), [_note_lines(s)])
    story += schedule_story(t, s, data)
    return story


def schedule_story(t: Translator, s: Styles, data: PlanData) -> list[Flowable]:
    """The medicine schedule on a page of its own (nothing when there are no medicines)."""
    if not data.medicines:
        return []
    w = FRAME_WIDTH
    slot_w = w * (0.125 if s.body_size < 14 else 0.15)
    head = [para(text(t("medicine")), s.cell_head)]
    head += [para(text(t(slot)), _slot_head(s)) for slot in SLOTS]
    rows: list[list[Any]] = [head]
    dot = _centred(_dot_style(s))
    for med in data.medicines:
        times = dose_times(med.frequency)
        name = f"<b>{text(med.name)}</b>" + (f" {text(med.dose)}" if med.dose.strip() else "")
        how = text(med.frequency)
        if times.as_needed:
            how = f"<b>{text(t('as_needed'))}:</b> {how}"
        details = " · ".join(v for v in (text(med.purpose), how) if v)
        if details:
            name += f"<br/>{details}"
        row = [para(name, s.cell)]
        row += [para("●" if slot in times.slots else "", dot) for slot in SLOTS]
        rows.append(row)
    extra = [
        ("GRID", (1, 0), (4, -1), 0.6, RULE),
        ("BACKGROUND", (1, 1), (4, -1), SHADE),
        ("VALIGN", (1, 1), (4, -1), "MIDDLE"),
        ("LEFTPADDING", (1, 0), (4, 0), 2),
        ("RIGHTPADDING", (1, 0), (4, 0), 2),
    ]
    table = grid(rows, (w - 4 * slot_w, slot_w, slot_w, slot_w, slot_w), s, extra=extra)
    return [
        PageBreak(),
        para(text(t("schedule_heading")), s.title),
        para(
            f"{text(t('plan_for'))}: <b>{text(full_name(data.patient))}</b> · "
            f"{text(version_line(t, data))}",
            s.body,
        ),
        para(text(t("schedule_intro")), s.body),
        para(text(t("schedule_ask")), s.small),
        spacer(s, 0.3),
        table,
    ]


def _centred(style: Any) -> Any:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}-c", parent=style, alignment=TA_CENTER)


def _slot_head(s: Styles) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    size = min(s.cell_head.fontSize, 13.0)
    return ParagraphStyle(
        "slot", parent=_centred(s.cell_head), fontSize=size, leading=size * 1.2, splitLongWords=0
    )


def _dot_style(s: Styles) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    size = s.body_size * 1.5
    return ParagraphStyle(
        "dot", parent=s.cell_bold, fontSize=size, leading=size * 1.1, textColor=HEADING
    )
