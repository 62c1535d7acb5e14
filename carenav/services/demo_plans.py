"""Care plans for the demo caseload: made up, plausible and deterministic.

Most active patients (and some on hold) have a care plan; a few discharged patients
have a completed one. A plan's story runs from a few days after enrolment to the
reference date:

- needs from the problem list (linked to the condition, as ``add_need_from_condition``
  writes them) and from the assessments' open suggested needs (accepted, as
  ``add_need_from_finding`` does, only after the form that found them);
- goals and interventions worded from the care-plan templates
  (:mod:`carenav.plan_templates`) that suit the problem or finding, or from a few
  built-in wordings for problems no template covers; goals in the patient's words
  with a measure, target and target date; interventions with who is responsible,
  providers and agencies named from the patient's care team;
- progress notes on goals, education records with how well they were understood,
  and for a few plans a denied service with the alternative and the appeal steps;
- for patients in chronic or principal care management, the CMS plan texts, so all
  nine elements are met, or for a few one element left out with a recorded reason;
- one to five published versions, with plausible changes between them (targets
  changed, goals met, interventions done, needs added), the patient's or caregiver's
  agreement with most versions (verbal, on paper, a few signed on screen with a small
  drawn PNG) and copies given; next review dates, some overdue; a few plans with
  changes not yet published, and a draft not yet published for a patient enrolled in
  the last few weeks.

The rows are those the care-plan services write (:mod:`carenav.services.care_plans`
and :mod:`carenav.services.plan_versions`: the same positions, version counters,
"changed since published" flags and frozen snapshots) but built in memory by
:class:`PlanRows`, with ids and times from a random stream of the patient's own
(seed and patient id), so the whole caseload stays one bulk insert in one transaction;
calling the services would be an audited transaction per record. The people of a
caseload are the same with or without plans. ``tests/unit/test_demo_plans.py`` checks
that both paths write the same rows and snapshots.

Cost: about 80% of patients get a plan, of about 19 rows with 2.3 versions (a 5 KB JSON
snapshot each); Python takes about 1 ms per plan, SQLCipher most of the rest. At 400
patients the fill takes about 1.2 s more and the vault doubles (7.6 to 14.4 MB);
``fill_demo_caseload(..., care_plans=False)`` leaves them out.
"""

from __future__ import annotations

import math
import random
import re
import struct
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from itertools import pairwise
from typing import Any, TypeVar

from carenav.models import (
    CARE_PLAN_RECORD_TYPES,
    AdvocacyRecord,
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    Condition,
    EducationRecord,
    GoalProgress,
    PlanAgreement,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
    QuestionnaireResponse,
    Record,
    RelatedPerson,
    SuggestedNeed,
)
from carenav.plan_templates import Goal, Intervention, Template, available_templates
from carenav.plan_templates.definition import icd10_key
from carenav.services.care_plans import PLAN_TEXT_FIELDS, SOCIAL_DOMAINS
from carenav.services.demo_assessments import Dice as AssessmentDice
from carenav.services.demo_assessments import Profile
from carenav.services.plan_coverage import missing, needs_cms_plan
from carenav.services.plan_versions import PNG_MAGIC

T = TypeVar("T")
Row = dict[str, Any]
AddRow = Callable[[type[Record], Row], None]

PLAN_TABLES: tuple[type[Record], ...] = CARE_PLAN_RECORD_TYPES


# == writing in memory: what the care-plan services write ==================================


@cache
def _blank(kind: type[Record]) -> Row:
    """Every column of ``kind`` with its default (required ones None until set)."""
    row: Row = {}
    for name, info in kind.model_fields.items():
        if info.default_factory is not None:
            row[name] = info.default_factory()  # type: ignore[call-arg]
        else:
            row[name] = None if info.is_required() else info.default
    return row


def _touch(row: Row, at: datetime) -> None:
    row["updated_at"] = at
    row["version"] += 1


def _apply(row: Row, values: Mapping[str, Any], at: datetime) -> bool:
    """Record.apply for a row: set changed fields; on any change, touch it."""
    changed = False
    for name, value in values.items():
        if row[name] != value:
            row[name] = value
            changed = True
    if changed:
        _touch(row, at)
    return changed


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value is not None else None


class PlanRows:
    """One care plan as rows, exactly as the care-plan services would write them, with
    ids from ``new_id`` and the given (past) times. Values are trusted: the demo's
    wording is checked against the services' validation by the tests."""

    def __init__(
        self,
        patient_id: uuid.UUID,
        *,
        author: str,
        add: AddRow,
        new_id: Callable[[], uuid.UUID],
        cms_required: bool,
        care_team: Sequence[Row] = (),
    ) -> None:
        self.patient_id = patient_id
        self.care_team = list(care_team)  # the chart's, frozen into each version
        self.author = author
        self.add = add
        self.new_id = new_id
        self.cms_required = cms_required
        self.plan: Row = {}
        self.needs: list[Row] = []
        self.goals: list[Row] = []
        self.interventions: list[Row] = []
        self.progress: list[Row] = []
        self.education: list[Row] = []
        self.advocacy: list[Row] = []
        self.versions: list[Row] = []
        self.agreements: list[Row] = []

    def _new(self, kind: type[Record], at: datetime, values: Mapping[str, Any]) -> Row:
        row = dict(_blank(kind))
        row.update(id=self.new_id(), created_at=at, updated_at=at, version=1, deleted_at=None)
        row.update(values)
        self.add(kind, row)
        return row

    def _touch_plan(self, at: datetime) -> None:
        self.plan["changed_since_publish"] = True
        _touch(self.plan, at)

    @staticmethod
    def _next_position(rows: Iterable[Row], **where: Any) -> int:
        positions = [r["position"] for r in rows if all(r[k] == v for k, v in where.items())]
        return max(positions) + 1 if positions else 0

    # -- the plan ------------------------------------------------------------------------

    def start_plan(self, values: Mapping[str, Any], at: datetime) -> Row:
        self.plan = self._new(
            CarePlan,
            at,
            {"patient_id": self.patient_id, "author": self.author, "cms_exceptions": {}, **values},
        )
        return self.plan

    def update_plan(self, changes: Mapping[str, Any], at: datetime) -> None:
        if _apply(self.plan, changes, at):
            self._touch_plan(at)

    def set_cms_exception(self, element: str, reason: str, at: datetime) -> None:
        exceptions = dict(self.plan["cms_exceptions"])
        exceptions[element] = reason
        if _apply(self.plan, {"cms_exceptions": exceptions}, at):
            self._touch_plan(at)

    def complete_plan(self, at: datetime) -> None:
        end = self.plan["period_end"] or at.date()
        _apply(self.plan, {"status": "completed", "period_end": end}, at)

    # -- needs, goals, interventions and the rest ----------------------------------------

    def add_need(self, values: Mapping[str, Any], at: datetime) -> Row:
        position = self._next_position(self.needs)
        need = self._new(PlanNeed, at, {"plan_id": self.plan["id"], "position": position, **values})
        self.needs.append(need)
        self._touch_plan(at)
        return need

    def add_need_from_condition(self, condition: Row, at: datetime) -> Row:
        text = condition["text"]
        if condition["icd10_code"]:
            text = f"{text} ({condition['icd10_code']})"
        values = {
            "text": text[:300],
            "domain": "medical",
            "source": "condition",
            "condition_id": condition["id"],
        }
        return self.add_need(values, at)

    def add_need_from_finding(self, suggestion: Row, at: datetime) -> Row:
        if suggestion["patient_id"] != self.patient_id or suggestion["status"] != "suggested":
            raise ValueError("a demo plan accepts only the patient's open suggestions")
        if suggestion["found_at"] >= at:
            raise ValueError("a suggested need is accepted only after it was found")
        social = suggestion["domain"] in SOCIAL_DOMAINS
        values = {
            "text": suggestion["need"][:300],
            "domain": suggestion["domain"],
            "source": "social" if social else "finding",
            "suggested_need_id": suggestion["id"],
            "evidence": suggestion["evidence"],
        }
        need = self.add_need(values, at)
        _apply(suggestion, {"status": "accepted", "decided_at": at}, at)
        return need

    def add_goal(self, need: Row, values: Mapping[str, Any], at: datetime) -> Row:
        position = self._next_position(self.goals, need_id=need["id"])
        values = {"plan_id": self.plan["id"], "need_id": need["id"], "position": position, **values}
        goal = self._new(PlanGoal, at, values)
        self.goals.append(goal)
        self._touch_plan(at)
        return goal

    def add_intervention(
        self, need: Row, values: Mapping[str, Any], at: datetime, *, goal: Row | None = None
    ) -> Row:
        position = self._next_position(self.interventions, need_id=need["id"])
        item = self._new(
            PlanIntervention,
            at,
            {
                "plan_id": self.plan["id"],
                "need_id": need["id"],
                "goal_id": goal["id"] if goal is not None else None,
                "position": position,
                **values,
            },
        )
        self.interventions.append(item)
        self._touch_plan(at)
        return item

    def add_progress(self, goal: Row, values: Mapping[str, Any], at: datetime) -> Row:
        note = self._new(GoalProgress, at, {"goal_id": goal["id"], **values})
        self.progress.append(note)
        return note

    def add_education(self, values: Mapping[str, Any], at: datetime, *, goal: Row | None) -> Row:
        goal_id = goal["id"] if goal is not None else None
        record = self._new(
            EducationRecord, at, {"plan_id": self.plan["id"], "goal_id": goal_id, **values}
        )
        self.education.append(record)
        return record

    def add_advocacy(self, values: Mapping[str, Any], at: datetime, *, need: Row | None) -> Row:
        need_id = need["id"] if need is not None else None
        record = self._new(
            AdvocacyRecord, at, {"plan_id": self.plan["id"], "need_id": need_id, **values}
        )
        self.advocacy.append(record)
        self._touch_plan(at)
        return record

    def update_item(
        self, kind: type[Record], row: Row, changes: Mapping[str, Any], at: datetime
    ) -> None:
        if _apply(row, changes, at) and kind not in (GoalProgress, EducationRecord):
            self._touch_plan(at)

    # -- versions and agreement -------------------------------------------------------------

    def publish(self, change_note: str, at: datetime) -> Row:
        plan = self.plan
        if plan["status"] == "completed":
            raise ValueError("a completed demo plan cannot be published")
        if plan["published_version"] and not plan["changed_since_publish"]:
            raise ValueError("a demo version must change something")
        snapshot = self.snapshot()
        if self.cms_required and missing(snapshot):
            gaps = ", ".join(e.code for e in missing(snapshot))
            raise ValueError(f"a demo CCM plan is missing CMS elements: {gaps}")
        version = self._new(
            CarePlanVersion,
            at,
            {
                "plan_id": plan["id"],
                "number": plan["published_version"] + 1,
                "published_at": at,
                "published_by": self.author,
                "change_note": change_note.strip(),
                "snapshot": snapshot,
            },
        )
        self.versions.append(version)
        values = {"status": "active", "published_version": version["number"]}
        _apply(plan, {**values, "changed_since_publish": False}, at)
        return version

    def record_agreement(self, version: Row, values: Mapping[str, Any], at: datetime) -> Row:
        screen = values.get("method") == "screen"
        if screen != bool(values.get("signature_png")):
            raise ValueError("a demo signature goes with 'signed on screen', and only with it")
        copy_on = values.get("copy_given_on")
        if copy_on is not None and copy_on < version["published_at"].date():
            raise ValueError("a demo copy cannot be given before the version was published")
        agreement = self._new(PlanAgreement, at, {"version_id": version["id"], **values})
        self.agreements.append(agreement)
        return agreement

    def record_copy_given(self, agreement: Row, given_on: date, method: str, at: datetime) -> None:
        _apply(agreement, {"copy_given_on": given_on, "copy_method": method}, at)

    # -- the snapshot -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What :func:`carenav.services.plan_versions.snapshot_of` gives for these rows."""
        plan = self.plan
        goals = _ordered(self.goals)
        interventions = _ordered(self.interventions)
        education = sorted(_live(self.education), key=lambda r: r["created_at"])
        education.sort(key=lambda r: r["given_on"], reverse=True)
        advocacy = sorted(_live(self.advocacy), key=lambda r: r["created_at"])
        return {
            "plan": {
                "title": plan["title"],
                "period_start": _day(plan["period_start"]),
                "period_end": _day(plan["period_end"]),
                "next_review": _day(plan["next_review"]),
                "author": plan["author"],
                **{name: plan[name] for name in PLAN_TEXTS},
                "cms_exceptions": dict(plan["cms_exceptions"]),
            },
            "needs": [
                _need_snapshot(
                    need,
                    [g for g in goals if g["need_id"] == need["id"]],
                    [i for i in interventions if i["need_id"] == need["id"]],
                )
                for need in _ordered(self.needs)
            ],
            "education": [
                {
                    "id": e["id"].hex,
                    "goal_id": _hex(e["goal_id"]),
                    "given_on": _day(e["given_on"]),
                    "topic": e["topic"],
                    "recipient": e["recipient"],
                    "method": e["method"],
                    "understanding": e["understanding"],
                }
                for e in education
            ],
            "care_team": [
                {
                    "id": m["id"].hex,
                    "name": m["name"],
                    "role": m["role"],
                    "organization": m["organization"],
                    "phone": m["phone"],
                }
                for m in sorted(
                    (m for m in self.care_team if m.get("deleted_at") is None),
                    key=lambda m: (m["created_at"], str(m["id"])),
                )
            ],
            "advocacy": [
                {
                    "id": a["id"].hex,
                    "need_id": _hex(a["need_id"]),
                    "service": a["service"],
                    "payer": a["payer"],
                    "denied_on": _day(a["denied_on"]),
                    "alternative": a["alternative"],
                    "appeal_steps": a["appeal_steps"],
                    "appeal_deadline": _day(a["appeal_deadline"]),
                    "status": a["status"],
                }
                for a in advocacy
            ],
        }


PLAN_TEXTS = PLAN_TEXT_FIELDS


def _live(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if r["deleted_at"] is None]


def _ordered(rows: Iterable[Row]) -> list[Row]:
    return sorted(_live(rows), key=lambda r: (r["position"], r["created_at"]))


def _need_snapshot(need: Row, goals: list[Row], interventions: list[Row]) -> dict[str, Any]:
    return {
        "id": need["id"].hex,
        "text": need["text"],
        "domain": need["domain"],
        "source": need["source"],
        "evidence": need["evidence"],
        "condition_id": _hex(need["condition_id"]),
        "suggested_need_id": _hex(need["suggested_need_id"]),
        "template": need["template"],
        "goals": [
            {
                "id": g["id"].hex,
                "text": g["text"],
                "patient_facing": g["patient_facing"],
                "measure": g["measure"],
                "target_value": g["target_value"],
                "target_date": _day(g["target_date"]),
                "priority": g["priority"],
                "status": g["status"],
            }
            for g in goals
        ],
        "interventions": [
            {
                "id": i["id"].hex,
                "what": i["what"],
                "category": i["category"],
                "responsible": i["responsible"],
                "responsible_name": i["responsible_name"],
                "frequency": i["frequency"],
                "due_date": _day(i["due_date"]),
                "status": i["status"],
                "goal_id": _hex(i["goal_id"]),
            }
            for i in interventions
        ],
    }


# == a drawn signature, as a small PNG made in memory =========================================


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def grey_png(width: int, height: int, pixels: bytes | bytearray) -> bytes:
    """An 8-bit greyscale PNG of ``pixels`` (one byte per pixel, rows top to bottom)."""
    lines = b"".join(
        b"\x00" + bytes(pixels[y * width : (y + 1) * width]) for y in range(height)
    )  # filter type 0 on every line
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_MAGIC
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(lines, 9))
        + _png_chunk(b"IEND", b"")
    )


SIGNATURE_STYLES = 12


@cache
def signature_png(style: int) -> bytes:
    """A made-up handwritten signature (one of a few styles): cursive loops of varying
    height along a drifting baseline, then a flourish underneath; dark ink on white."""
    width, height = 240, 72
    rng = random.Random(f"carenav-demo-signature:{style}")
    points: list[tuple[float, float]] = []
    x, base = 12.0, 44.0 + rng.uniform(-4, 4)
    for letter in range(rng.randint(6, 10)):
        tall = letter == 0 or rng.random() < 0.3  # a capital first
        rise = rng.uniform(22, 30) if tall else rng.uniform(9, 15)
        step, loop = rng.uniform(12, 18), rng.uniform(4, 8)
        for n in range(24):
            t = 2 * math.pi * n / 24
            along = x + step * t / (2 * math.pi) - loop * math.sin(t)
            points.append((along, base - rise * (1 - math.cos(t)) / 2))
        x += step
        base += rng.uniform(-1.5, 1.5)
    end_x = x
    for n in range(30):  # the flourish: back under the name
        share = n / 29
        points.append((end_x - share * (end_x - 20), base + 6 + 5 * math.sin(share * math.pi)))
    pixels = bytearray(b"\xff" * (width * height))
    for (x0, y0), (x1, y1) in pairwise(points):
        steps = max(1, int(2 * max(abs(x1 - x0), abs(y1 - y0))))
        for k in range(steps + 1):
            px = int(x0 + (x1 - x0) * k / steps)
            py = int(y0 + (y1 - y0) * k / steps)
            for dx, dy in ((0, 0), (1, 0), (0, 1)):
                if 0 <= px + dx < width and 0 <= py + dy < height:
                    pixels[(py + dy) * width + px + dx] = 25
    return grey_png(width, height, pixels)


# == wording for problems and findings no template covers ======================================


@dataclass(frozen=True)
class Wording:
    """Goals and interventions for one need, from a template need or built in."""

    goals: tuple[Goal, ...]
    interventions: tuple[Intervention, ...]
    topics: Mapping[str, str] = field(default_factory=dict)  # education id -> topic
    template: str = ""
    provider: str = ""  # the care-team specialty that acts as "provider" here


# Wording for problems and findings no template covers, one goal or step a line
# (indented lines continue the one above):
#   == name [provider SPECIALTY] [teach TOPIC]
#   goal PRIORITY DAYS | in the patient's words | printed wording | measure | target
#   step CATEGORY RESPONSIBLE DUE-DAYS-or-"-" | how often | what is done
BUILT_IN_TEXT = """
== kidney provider nephrology teach Protecting your kidneys
goal high 90 | Keep my kidneys working as well as they can | I keep my blood pressure down, stay
  away from pain pills like ibuprofen, and get my kidney blood tests on time. | Kidney blood test
  (eGFR) and urine albumin done on schedule | Both done every 3 to 6 months, as the kidney doctor
  sets
step medication provider 30 | once | Review all medicines for kidney dosing and stop pain pills
  such as ibuprofen
step coordination care-manager 14 | every 3 months | Book the kidney blood tests and remind the
  day before
== afib provider cardiology teach Stroke and bleeding warning signs
goal high 30 | Take my blood thinner every day and know when to get help | I take my blood thinner
  every day. If I see signs of a stroke or bleeding, I call 911. | Missed blood-thinner doses in
  the past 7 days | None
step medication care-manager - | monthly | Check the blood-thinner supply and refills at each call
step education care-manager 14 | once | Teach the BE FAST stroke signs and the bleeding signs,
  with teach-back
step coordination provider - | every 6 months | Review the heart rhythm and the blood thinner
== heart-vessels provider cardiology teach What to do for chest pain
goal medium 60 | Walk without chest pain | I walk most days and I know what to do if chest pain
  comes. | Days each week with a 20-minute walk | At least 4 days a week
step education care-manager 14 | once | Go over the chest-pain plan: when to use nitroglycerin
  and when to call 911
step medication provider - | every 6 months | Review heart and cholesterol medicines
== dementia provider neurology teach Safety at home with memory loss
goal high 60 | Stay safe at home with my family's help | My family and I keep a daily routine, my
  medicines are given to me, and the doors and stove are safe. | Home safety checklist items
  done (locks, stove, medicines kept safe) | All items done
step medication caregiver - | daily | Give the medicines from a locked weekly organizer
step community-service agency 30 | once | Refer to an adult day program or a memory cafe
step coordination provider - | every 6 months | Review memory, mood and behaviour
== anxiety provider psychiatry teach A breathing exercise for worry
goal medium 84 | Feel calmer and sleep better | I use my breathing exercise when I worry, and I go
  to counseling. | GAD-7 score | Below 10, or 5 points lower than at the start
step referral provider - | every 2 weeks | Counseling
step self-management patient - | daily | Practice a slow-breathing exercise when worried
== pain teach Safe pain relief at home
goal medium 60 | Do my own shopping again with less pain | I do my exercises and use heat and
  acetaminophen so that I can get out more. | Pain that gets in the way of daily activities
  (0 to 10) | 4 or lower most days
step referral provider 30 | once | Refer to physical therapy for a home exercise program
step symptom-management patient - | as needed | Use heat and acetaminophen as advised; no extra
  ibuprofen
== recovery provider addiction teach Naloxone and overdose
goal high 90 | Stay in recovery and keep my appointments | I take my recovery medicine, go to my
  group, and call my counselor if I feel at risk. | Recovery visits kept each month | All
  scheduled visits kept
step medication patient - | daily | Take the maintenance medicine every day as prescribed
step coordination provider - | weekly | Recovery clinic visits and group
step education care-manager 14 | once | Keep naloxone at home and show the family how to use it
== serious-mental-illness provider psychiatry teach Early warning signs of relapse
goal high 180 | Keep well and stay out of the hospital | I take my medicine, see my counselor,
  and know my early warning signs. | Psychiatric hospital stays | None in 6 months
step coordination provider - | monthly | Medication visits
step coordination care-manager - | as needed | Help with appointments and rides
== parkinson provider neurology
goal medium 60 | Keep moving safely | I do my exercises and take my Parkinson's medicine on
  time. | Days each week with the exercises from the therapist | At least 3 days a week
step medication patient - | as prescribed | Take the Parkinson's medicine on time, every time
step coordination provider - | every 6 months | Review medicines and movement
== stroke teach Stroke warning signs
goal high 30 | Prevent another stroke | I take my stroke-prevention medicines every day and
  know the BE FAST signs. | Missed doses of stroke-prevention medicines in the past 7 days | None
step education care-manager 14 | once | Teach the BE FAST signs of stroke and to call 911
step coordination provider - | every 3 months | Review blood pressure and cholesterol
== housing
goal high 90 | Have a safe place to sleep every night | I will have a place of my own. Until
  then I keep my phone charged so you can reach me. | Nights in stable housing each week |
  7 of 7 nights
step community-service agency 30 | once | Apply for supportive housing through coordinated entry
step self-management patient - | ongoing | Keep a charged phone and a mailing address for
  appointments
== transportation
goal medium 90 | Get to all my appointments | I book a ride when I make each appointment. |
  Medical appointments missed for lack of a ride | None in 90 days
step community-service agency 14 | once | Enroll in the health plan's ride benefit or paratransit
step self-management patient - | for each appointment | Book a ride when each appointment is made
== utilities
goal medium 90 | Keep the heat and lights on | I applied for fuel assistance and I call the
  utility before a bill is late. | Shut-off notices | None this winter
step community-service agency 14 | once | Apply for fuel assistance and a utility payment plan
== loneliness
goal low 60 | Talk with someone every day | I talk with someone every day and go to the senior
  center lunch. | Days each week with a call or visit | At least 5 days a week
step community-service agency 30 | once | Set up a telephone reassurance program
step community-service patient - | twice a week | Senior center lunch
== help-at-home
goal high 30 | Get the help I need to keep living at home | Someone helps me with bathing and
  meals so I can stay in my home. | Hours of personal care help each week | Hours approved and
  started
step referral agency 14 | once | Request a personal care assessment through the home care program
step other caregiver - | daily | Help with bathing and meals
== advance-care teach Choosing a health care proxy
goal low 90 | Make sure my family and doctors know my wishes | I chose who speaks for me and my
  wishes are written down. | Health care proxy and advance directive | Signed, with copies at
  home and in the chart
step education care-manager 30 | once | Go over the health care proxy form with the patient and
  family
step coordination provider 60 | once | Talk about goals of care
== call-for-help
goal medium 30 | Be able to get help if I fall or feel sick | I wear my alert button or keep my
  phone with me. | Medical alert device or phone within reach | In place and tested
step community-service agency 14 | once | Order a medical alert device
== memory
goal medium 60 | Find out why I forget things | My doctor checks my memory and we make a plan
  together. | Memory check with the primary care provider | Done, with a plan
step referral provider 30 | once | Cognitive screening with the primary care provider
"""


def parse_wordings(text: str) -> dict[str, Wording]:
    """The built-in wordings written as in :data:`BUILT_IN_TEXT`."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        if raw.startswith("  ") and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw.strip())
    found: dict[str, Wording] = {}
    name, provider, topic = "", "", ""
    goals: list[Goal] = []
    steps: list[Intervention] = []

    def keep() -> None:
        if name:
            topics = {name: topic} if topic else {}
            found[name] = Wording(tuple(goals), tuple(steps), topics, "", provider)

    for line in lines:
        head, _, rest = line.partition(" | ")
        words = head.split()
        if words[0] == "==":
            keep()
            name, goals, steps = words[1], [], []
            options = words[2:]
            provider = options[options.index("provider") + 1] if "provider" in options else ""
            topic = " ".join(options[options.index("teach") + 1 :]) if "teach" in options else ""
        elif words[0] == "goal":
            text_, facing, measure, target = (p.strip() for p in rest.split(" | "))
            goals.append(Goal("", text_, facing, measure, target, int(words[2]), words[1]))
        else:
            frequency, what = (p.strip() for p in rest.split(" | "))
            due = None if words[3] == "-" else int(words[3])
            steps.append(Intervention("", what, words[1], words[2], frequency, due))
    keep()
    return found


BUILT_IN = parse_wordings(BUILT_IN_TEXT)

# ICD-10 prefixes (as compared: no dots, capitals) -> built-in wording, for problems no
# template covers; the order is also the order in which problems are taken into a plan
# after those that have a template.
BUILT_IN_ICD10: tuple[tuple[str, str], ...] = (
    ("N18", "kidney"),
    ("F03", "dementia"),
    ("G30", "dementia"),
    ("F11", "recovery"),
    ("F10", "recovery"),
    ("F20", "serious-mental-illness"),
    ("F31", "serious-mental-illness"),
    ("I48", "afib"),
    ("I25", "heart-vessels"),
    ("Z5900", "housing"),
    ("G20", "parkinson"),
    ("Z8673", "stroke"),
    ("F41", "anxiety"),
    ("M", "pain"),
)
# Suggested needs the demo care manager takes into plans, with the built-in wording for
# those no template covers (a template that lists the finding code comes first).
BUILT_IN_FINDINGS: dict[str, str] = {
    "transportation": "transportation",
    "housing-instability": "housing",
    "utilities": "utilities",
    "home-temperature": "utilities",
    "social-isolation": "loneliness",
    "adl-help": "help-at-home",
    "iadl-help": "help-at-home",
    "advance-care-planning": "advance-care",
    "emergency-response": "call-for-help",
    "anxiety": "anxiety",
    "pain": "pain",
    "memory-concern": "memory",
}
NOT_TAKEN = frozenset({"self-harm-risk", "new-confusion", "unsafe-at-home", "possible-depression"})
# Problems first taken into a plan, most pressing first (ICD-10 prefixes as compared).
PRIORITY = ("I50", "J44", "E11", "N18", "F3", "F0", "G30", "F1", "F2", "I48", "I1", "Z59")
TEMPLATE_PROVIDER = {
    "heart-failure": "cardiology",
    "copd": "pulmonology",
    "type-2-diabetes": "endocrinology",
    "depression": "psychiatry",
}
DOMAIN_AGENCY = {
    "food": "Riverbend Food Pantry",
    "transportation": "Valley Ride paratransit",
    "housing": "Hampden Housing Help Desk",
    "utilities": "Pioneer Valley Fuel Assistance",
    "social": "Riverbend Senior Center",
    "financial": "Riverbend Benefits Counseling (SHINE)",
}
DEFAULT_AGENCY = "Riverbend Elder Services"


# == who is who in the patient's chart ============================================================


@dataclass(frozen=True)
class Team:
    """Names the plan uses: the care team's providers and agencies, and the main caregiver."""

    pcp: str
    pcp_short: str
    specialists: Mapping[str, str]
    pharmacy: str
    blister_packs: bool
    home_health: str
    community: str
    caregiver: str  # "Maria Lopez"
    caregiver_relationship: str  # "daughter"
    representative: bool  # the caregiver is a guardian or holds power of attorney

    def provider(self, specialty: str) -> str:
        return self.specialists.get(specialty) or self.pcp


@cache
def _specialty_by_office() -> dict[str, str]:
    from carenav.services.demo import SPECIALISTS  # demo imports this module

    return {office.name: key for key, (_role, office, _names) in SPECIALISTS.items()}


def _named(row: Row) -> str:
    return f"{row['name']} ({row['organization']})" if row["organization"] else row["name"]


def _short(clinician: str) -> str:
    name, _, credential = clinician.partition(", ")
    return "Dr. " + name.split(" ")[-1] if credential in ("MD", "DO") else name


def team_of(members: Sequence[Row], family: Sequence[Row]) -> Team:
    by_office = _specialty_by_office()
    pcp = next((m for m in members if m["role"] == "pcp"), None)
    specialists = {
        by_office[m["organization"]]: _named(m)
        for m in members
        if m["organization"] in by_office and m["role"] != "pcp"
    }
    pharmacy = next((m for m in members if m["role"] == "pharmacist"), None)
    home = next((m for m in members if m["role"] == "home_health"), None)
    community = next((m for m in members if m["role"] == "community"), None)
    carer = next((r for r in family if r["primary_caregiver"]), None)
    return Team(
        pcp=_named(pcp) if pcp else "the primary care provider",
        pcp_short=_short(pcp["name"]) if pcp else "the primary care provider",
        specialists=specialists,
        pharmacy=pharmacy["name"] if pharmacy else "",
        blister_packs=bool(pharmacy and "blister" in pharmacy["notes"]),
        home_health=home["organization"] if home else "",
        community=_named(community) if community else "",
        caregiver=carer["name"] if carer else "",
        caregiver_relationship=carer["relationship"].replace("_", " ") if carer else "",
        representative=bool(carer and carer["relationship"] in ("guardian", "poa")),
    )


# == the random stream of one patient's plan ======================================================


class Dice(AssessmentDice):
    """The same dice as the assessment histories, on a stream of the plans' own."""

    stream = "carenav-demo-plans"


class Clock:
    """Moments of the plan's story: office hours on a day, each step a little after the last."""

    def __init__(self, dice: Dice, start: datetime) -> None:
        self.dice = dice
        self.last = start

    def at(self, day: date) -> datetime:
        moment = datetime.combine(
            day, time(self.dice.between(13, 18), self.dice.between(0, 59)), tzinfo=UTC
        )
        if moment <= self.last:
            moment = self.last + timedelta(seconds=self.dice.between(20, 90))
        self.last = moment
        return moment


# == one patient's plan ==========================================================================


@dataclass
class Source:
    """Something the plan may take in as a need: a problem or a suggested need."""

    condition: Row | None
    suggestion: Row | None
    wording: Wording
    key: str  # the template id or built-in key, so one wording is used once per plan


@dataclass
class Window:
    """The days between two versions, when the plan was worked on."""

    first: date
    last: date

    def day(self, dice: Dice) -> date:
        return self.first + timedelta(days=dice.between(0, max((self.last - self.first).days, 0)))


CHANGE_PHRASES = {
    "dates": "dates brought up to date",
    "target": "target adjusted",
    "achieved": "goal met",
    "completed": "step done",
    "need": "need added",
    "intervention": "step added",
    "started": "goals under way",
    "advocacy": "appeal update",
}
REVIEW_NAMES = (
    "Review at the home visit",
    "Phone review with the patient",
    "Scheduled review",
    "Review with the patient and family",
)
PROGRESS_NOTES = (
    "Reviewed on the phone.",
    "Checked together at the home visit.",
    "Family helped keep the log.",
    "Going better than last month.",
    "Harder this month; agreed to keep trying.",
    "Talked it through; keeps working on it.",
)
PROGNOSES = (
    "Stable with support; expected to stay at home",
    "Fair: expected to stay stable if medicines are taken as prescribed",
    "Guarded: recent hospital stays; close follow-up needed",
    "Good with treatment and regular follow-up",
)
STRENGTHS = (
    "Close family support",
    "Motivated; keeps a log",
    "Active in church; neighbors check in",
    "Knows the medicines well",
    "Good relationship with the primary care office",
)
TEACHING_METHODS = (
    ("teach-back", 0.5),
    ("handout", 0.2),
    ("demonstration", 0.15),
    ("discussion", 0.15),
)
DENIALS: tuple[tuple[str, str, str], ...] = (
    (
        "Extra home health aide hours",
        "Not medically necessary under the plan's criteria",
        "Adult day program three days a week through the elder services agency",
    ),
    (
        "Continuous glucose monitor",
        "Does not meet coverage criteria (not on insulin three times a day)",
        "Glucose meter with extra test strips; sugars reviewed at each call",
    ),
    (
        "Power wheelchair",
        "Home assessment not on file",
        "Rollator walker now; occupational therapy home assessment booked",
    ),
    (
        "Brand-name inhaler",
        "Not on the plan's formulary",
        "Formulary inhaler of the same class; technique checked at the next visit",
    ),
    (
        "Pulmonary rehabilitation",
        "Prior authorization missing",
        "Home walking program until the authorization is sent again",
    ),
)


class PlanStory:
    """Plans and writes one patient's care plan from a few days after enrolment on."""

    def __init__(
        self,
        dice: Dice,
        patient: Row,
        profile: Profile,
        mine: Mapping[type[Record], Sequence[Row]],
        as_of: date,
        templates: Sequence[Template],
        writer: PlanRows,
    ) -> None:
        self.dice = dice
        self.patient = patient
        self.profile = profile
        self.as_of = as_of
        self.templates = templates
        self.rows = writer
        self.team = team_of(mine.get(CareTeamMember, ()), mine.get(RelatedPerson, ()))
        self.conditions = [c for c in mine.get(Condition, ()) if c["clinical_status"] == "active"]
        self.suggestions = sorted(
            (s for s in mine.get(SuggestedNeed, ()) if s["status"] == "suggested"),
            key=lambda s: s["found_at"],
        )
        self.matters_most = _matters_most(mine.get(QuestionnaireResponse, ()))
        self.ccm = needs_cms_plan(list(profile.programs))
        self.clock = Clock(dice, profile.enrolled)
        self.used: set[str] = set()
        self.sources = self._problem_sources()
        self.need_wording: dict[uuid.UUID, Wording] = {}

    # -- what the plan can hold ----------------------------------------------------------

    def _problem_sources(self) -> list[Source]:
        found: list[Source] = []
        taken: set[str] = set()
        for condition in sorted(self.conditions, key=lambda c: _priority(c["icd10_code"])):
            wording = self._wording_for_code(condition["icd10_code"])
            if wording is None:
                continue
            key = wording.template or _built_in_key(wording)
            if key not in taken:
                taken.add(key)
                found.append(Source(condition, None, wording, key))
        return found

    def _wording_for_code(self, code: str) -> Wording | None:
        key = icd10_key(code)
        if not key:
            return None
        for template in self.templates:
            if any(key.startswith(icd10_key(p)) for p in template.applies_to.icd10):
                return _template_wording(template, self.dice)
        for prefix, name in BUILT_IN_ICD10:
            if key.startswith(prefix):
                return BUILT_IN[name]
        return None

    def _finding_source(self, suggestion: Row) -> Source | None:
        code = suggestion["code"]
        if code in NOT_TAKEN:
            return None
        for template in self.templates:
            if code in template.applies_to.findings:
                wording = _template_wording(template, self.dice, suggestion["need"])
                return Source(None, suggestion, wording, template.id)
        name = BUILT_IN_FINDINGS.get(code)
        if name is None:
            return None
        return Source(None, suggestion, BUILT_IN[name], name)

    def _open_findings(self, before: datetime) -> list[Source]:
        """Suggested needs found before ``before`` that the plan does not hold yet."""
        found = []
        for suggestion in self.suggestions:
            if suggestion["status"] != "suggested" or suggestion["found_at"] >= before:
                continue
            source = self._finding_source(suggestion)
            if source is not None and source.key not in self.used:
                found.append(source)
        return found

    # -- the story -------------------------------------------------------------------------

    def write(self) -> None:
        p = self.profile
        start = p.enrolled.date() + timedelta(days=self.dice.between(2, 14))
        end = self.as_of - timedelta(days=1)
        if p.status != "active":
            end = self.as_of - timedelta(days=self.dice.between(20, 150))
        if start > end:
            start = end
        review_days = self.dice.weighted([(90, 0.45), (180, 0.55)])
        span = (end - start).days
        if span < 12:
            if p.status == "active":
                self._first_version(start, end, review_days, publish=False)
            return
        days = self._version_days(start, end, review_days)
        if (days[0] - start).days > 14:  # one recent version: the plan was written lately
            start = days[0] - timedelta(days=self.dice.between(1, 7))
        self._first_version(start, days[0], review_days, publish=True)
        for before, day in pairwise(days):
            self._revision(Window(before + timedelta(days=1), day), review_days, publish=True)
        if days[-1] < end and self.dice.chance(0.12) and p.status == "active":
            self._revision(Window(days[-1] + timedelta(days=1), end), review_days, publish=False)
        if p.status == "discharged":
            self.rows.complete_plan(self.clock.at(end))

    def _version_days(self, start: date, end: date, review_days: int) -> list[date]:
        first = start + timedelta(days=self.dice.between(1, 7))
        overdue = self.dice.chance(0.12)
        gap = (
            review_days + self.dice.between(5, 60)
            if overdue
            else self.dice.between(3, int(review_days * 0.9))
        )
        last = max(end - timedelta(days=gap), first)
        possible = 1 + (last - first).days // 45
        wanted = self.dice.weighted([(1, 0.26), (2, 0.32), (3, 0.22), (4, 0.12), (5, 0.08)])
        count = max(1, min(possible, wanted))
        if count == 1:
            return [last]
        step = (last - first).days / (count - 1)
        days = [first + timedelta(days=round(step * n)) for n in range(count)]
        return sorted(set(days))

    def _first_version(self, start: date, day: date, review_days: int, *, publish: bool) -> None:
        rows = self.rows
        rows.start_plan({"title": "Care plan", "period_start": start}, self.clock.at(start))
        count = self.dice.weighted([(1, 0.3), (2, 0.45), (3, 0.25)])
        sources = self.sources[:count] or self.sources[:1]
        findings = self._open_findings(datetime.combine(start, time(0, 0), tzinfo=UTC))
        sources += findings[: self.dice.weighted([(0, 0.5), (1, 0.4), (2, 0.1)])]
        if not sources:
            sources = [self._fallback_source()]
        for source in sources:
            self._add_need(source, start)
        texts = self._plan_texts(start + timedelta(days=review_days))
        rows.update_plan(texts, self.clock.at(start))
        if self.ccm and self.dice.chance(0.08):
            self._leave_out_an_element(start)
        window = Window(start, day)
        teaching = [(window.day(self.dice), g) for g in rows.goals if self.dice.chance(0.35)]
        for when, goal in sorted(teaching, key=lambda t: t[0]):
            self._teach(goal, when)
        if publish:
            version = rows.publish(self._first_note(), self.clock.at(day))
            self._agree(version, day)

    def _fallback_source(self) -> Source:
        template = next((t for t in self.templates if t.id == "medication-adherence"), None)
        wording = _template_wording(template, self.dice) if template else BUILT_IN["memory"]
        condition = self.conditions[0] if self.conditions else None
        return Source(condition, None, wording, wording.template or "fallback")

    def _first_note(self) -> str:
        return self.dice.pick(
            (
                "First care plan, agreed at the home visit",
                "First care plan after the intake assessment",
                "First care plan, gone through with the patient by phone",
            )
        )

    # -- needs, goals, interventions ----------------------------------------------------------

    def _add_need(self, source: Source, day: date) -> Row:
        rows, dice, wording = self.rows, self.dice, source.wording
        at = self.clock.at(day)
        if source.suggestion is not None:
            need = rows.add_need_from_finding(source.suggestion, at)
        elif source.condition is not None:
            need = rows.add_need_from_condition(source.condition, at)
        else:
            need = rows.add_need({"text": "Staying well at home", "domain": "medical"}, at)
        if wording.template:
            rows.update_item(PlanNeed, need, {"template": wording.template}, self.clock.at(day))
        self.used.add(source.key)
        self.need_wording[need["id"]] = wording
        goals = wording.goals[: dice.weighted([(1, 0.55), (2, 0.45)])]
        made = [self._add_goal(need, goal, day) for goal in goals]
        count = min(len(wording.interventions), dice.weighted([(2, 0.65), (3, 0.35)]))
        for step in wording.interventions[:count]:
            self._add_intervention(need, step, day, made[0] if dice.chance(0.5) else None)
        return need

    def _add_goal(self, need: Row, goal: Goal, day: date) -> Row:
        target = day + timedelta(days=goal.target_days) if goal.target_days else None
        values = {
            "text": goal.text,
            "patient_facing": goal.patient_facing,
            "measure": goal.measure[:200],
            "target_value": goal.target_value,
            "target_date": target,
            "priority": goal.priority,
            "status": "in-progress" if self.dice.chance(0.8) else "proposed",
        }
        return self.rows.add_goal(need, values, self.clock.at(day))

    def _add_intervention(self, need: Row, step: Intervention, day: date, goal: Row | None) -> Row:
        responsible, name = self._who(step, need)
        due = day + timedelta(days=step.due_days) if step.due_days else None
        values = {
            "what": step.what,
            "category": step.category,
            "responsible": responsible,
            "responsible_name": name,
            "frequency": step.frequency[:100],
            "due_date": due,
            "status": self.dice.weighted(
                [("not-started", 0.3), ("scheduled", 0.2), ("in-progress", 0.5)]
            ),
        }
        return self.rows.add_intervention(need, values, self.clock.at(day), goal=goal)

    def _who(self, step: Intervention, need: Row) -> tuple[str, str]:
        team = self.team
        if step.responsible == "provider":
            return "provider", team.provider(self.need_wording[need["id"]].provider)
        if step.responsible == "agency":
            return "agency", self._agency(step, need)
        if step.responsible == "caregiver":
            if not team.caregiver:
                return "patient", ""
            return "caregiver", f"{team.caregiver} ({team.caregiver_relationship})"
        return step.responsible, ""

    def _agency(self, step: Intervention, need: Row) -> str:
        team = self.team
        if step.category == "medication" and team.pharmacy:
            return team.pharmacy
        if step.category in ("monitoring", "symptom-management") and team.home_health:
            return team.home_health
        if need["domain"] in DOMAIN_AGENCY:
            return DOMAIN_AGENCY[need["domain"]]
        if team.home_health and step.category == "other":
            return team.home_health
        return team.community or DEFAULT_AGENCY

    # -- plan texts and the CMS elements ---------------------------------------------------------

    def _plan_texts(self, next_review: date) -> dict[str, Any]:
        team, dice = self.team, self.dice
        names = [s.condition["text"].split(" (")[0] for s in self.sources[:3] if s.condition]
        problems = " and ".join(n[0].lower() + n[1:] for n in names[:2]) or "long-term conditions"
        texts: dict[str, Any] = {
            "next_review": next_review,
            "expected_outcome": f"Stays at home with fewer hospital stays; {problems} kept steady",
            "preferences": self.matters_most,
            "strengths": dice.pick(STRENGTHS),
            "barriers": self._barriers(),
        }
        if self.ccm or dice.chance(0.4):
            texts.update(
                prognosis=dice.pick(PROGNOSES),
                symptom_management=(
                    "Knows the warning signs in the plan and whom to call, day and night; "
                    f"reports changes to the care manager, who tells {team.pcp_short}"
                ),
                medication_management=self._medicines_text(),
                community_services=self._community_text(),
                coordination=self._coordination_text(),
            )
        return texts

    def _barriers(self) -> str:
        found = []
        if self.patient["interpreter_needed"]:
            found.append(f"Needs a {self.patient['preferred_language']} interpreter")
        if self.profile.homeless:
            found.append("No steady address or phone")
        if not self.profile.spouse and not self.profile.caregiver:
            found.append("Lives alone")
        if self.profile.payer_kind in ("medicaid", "dual") and self.dice.chance(0.4):
            found.append("Money is tight at the end of the month")
        return "; ".join(found)

    def _medicines_text(self) -> str:
        team = self.team
        if team.blister_packs:
            return f"{team.pharmacy} prepares weekly blister packs; list reviewed at each visit"
        if team.caregiver:
            return (
                f"{team.caregiver} fills a weekly pill organizer; the care manager reconciles "
                "the list after every visit or hospital stay"
            )
        return "Weekly pill organizer; medicine list reconciled after every visit or hospital stay"

    def _community_text(self) -> str:
        if self.team.community:
            return f"{self.team.community} in place"
        return self.dice.pick(
            (
                "None needed now: family shops and drives; revisit at the next review",
                "Senior center lunch program offered; information on home-delivered meals given",
                "Benefits check (SHINE counselor) arranged",
            )
        )

    def _coordination_text(self) -> str:
        team = self.team
        others = ", ".join(sorted(team.specialists.values())[:2])
        also = f" and {others}" if others else ""
        home = f"; speaks with {team.home_health} after each change" if team.home_health else ""
        return f"The care manager sends the plan to {team.pcp}{also} after each version{home}"

    def _leave_out_an_element(self, day: date) -> None:
        element, field_name, reason = self.dice.pick(
            (
                (
                    "outcome-prognosis",
                    "prognosis",
                    "The patient wants to talk about the outlook with "
                    f"{self.team.pcp_short} first; to be added after that visit",
                ),
                (
                    "coordination",
                    "coordination",
                    "Only the primary care office is involved so far; coordination will be "
                    "written when the first referral is made",
                ),
            )
        )
        self.rows.update_plan({field_name: ""}, self.clock.at(day))
        self.rows.set_cms_exception(element, reason, self.clock.at(day))

    # -- between versions ------------------------------------------------------------------------

    def _revision(self, window: Window, review_days: int, *, publish: bool) -> None:
        """Work between two versions, in date order: progress notes, teaching, changes."""
        dice = self.dice
        planned: list[tuple[date, Callable[[date], object]]] = []
        for goal in list(self.rows.goals):
            if dice.chance(0.4):
                planned.append((window.day(dice), partial(self._log_progress, goal)))
            if dice.chance(0.3):
                planned.append((window.day(dice), partial(self._teach, goal)))
        choices = self._possible_changes(window)
        count = min(len(choices), dice.weighted([(1, 0.35), (2, 0.45), (3, 0.2)]))
        picked = dice.rng.choices([n for n, _w in choices], [w for _n, w in choices], k=count)
        done: list[str] = []

        def change(name: str, day: date) -> None:
            if self._change(name, day):
                done.append(name)

        for name in dict.fromkeys(picked):
            planned.append((window.day(dice), partial(change, name)))
        for day, action in sorted(planned, key=lambda p: p[0]):
            action(day)
        if not publish:
            return
        rows = self.rows
        if self._bring_up_to_date(window.last):
            done.append("dates")
        review = window.last + timedelta(days=review_days)
        rows.update_plan({"next_review": review}, self.clock.at(window.last))
        phrases = ", ".join(CHANGE_PHRASES[d] for d in dict.fromkeys(done)) or "next review set"
        note = f"{dice.pick(REVIEW_NAMES)}: {phrases}"
        version = rows.publish(note, self.clock.at(window.last))
        self._agree(version, window.last)

    def _bring_up_to_date(self, day: date) -> bool:
        """At a review: goals past their target date get a new one (or are closed as not
        achieved), and steps agreed long ago are under way."""
        rows, dice = self.rows, self.dice
        changed = False
        for goal in self._open_goals():
            if goal["target_date"] is None or goal["target_date"] >= day:
                continue
            if dice.chance(0.15):
                changes: dict[str, Any] = {"status": "not-achieved"}
            else:
                changes = {"target_date": day + timedelta(days=dice.pick((30, 60, 90)))}
            rows.update_item(PlanGoal, goal, changes, self.clock.at(day))
            changed = True
        for item in rows.interventions:
            waiting = item["status"] in ("not-started", "scheduled")
            if waiting and (day - item["created_at"].date()).days > 30 and dice.chance(0.7):
                rows.update_item(
                    PlanIntervention, item, {"status": "in-progress"}, self.clock.at(day)
                )
                changed = True
        for item in rows.interventions:  # a step long past its date is done or rescheduled
            due = item["due_date"]
            if item["status"] in ("completed", "cancelled") or due is None or due >= day:
                continue
            if dice.chance(0.4):
                update: dict[str, Any] = {"status": "completed"}
            else:
                update = {"due_date": day + timedelta(days=dice.pick((7, 14, 21, 30)))}
            rows.update_item(PlanIntervention, item, update, self.clock.at(day))
            changed = True
        return changed

    def _possible_changes(self, window: Window) -> list[tuple[str, float]]:
        rows = self.rows
        open_goals = [g for g in rows.goals if g["status"] in ("in-progress", "proposed")]
        open_steps = [i for i in rows.interventions if i["status"] != "completed"]
        choices: list[tuple[str, float]] = []
        if open_goals:
            choices += [("target", 3.0), ("achieved", 2.5)]
        if any(g["status"] == "proposed" for g in open_goals):
            choices.append(("started", 1.0))
        if open_steps:
            choices.append(("completed", 3.0))
        moment = datetime.combine(window.first, time(0, 0), tzinfo=UTC)
        if self._next_sources(moment):
            choices.append(("need", 2.0))
        choices.append(("intervention", 0.6))
        if not rows.advocacy and self.dice.chance(0.04):
            choices.append(("advocacy", 50.0))
        elif rows.advocacy and rows.advocacy[0]["status"] in ("open", "appealed"):
            choices.append(("advocacy", 3.0))
        return choices

    def _next_sources(self, before: datetime) -> list[Source]:
        problems = [s for s in self.sources if s.key not in self.used]
        return problems[:1] + self._open_findings(before)[:1]

    def _change(self, name: str, day: date) -> bool:
        if name == "target":
            return self._change_target(day)
        if name == "achieved":
            return self._achieve(day)
        if name == "started":
            return self._start_goals(day)
        if name == "completed":
            return self._complete_step(day)
        if name == "need":
            sources = self._next_sources(self.clock.at(day))
            if sources:
                self._add_need(self.dice.pick(sources), day)
            return bool(sources)
        if name == "intervention":
            return self._add_step(day)
        return self._advocacy(day)

    def _open_goals(self) -> list[Row]:
        return [g for g in self.rows.goals if g["status"] in ("in-progress", "proposed")]

    def _start_goals(self, day: date) -> bool:
        proposed = [g for g in self.rows.goals if g["status"] == "proposed"]
        for goal in proposed:
            self.rows.update_item(PlanGoal, goal, {"status": "in-progress"}, self.clock.at(day))
        return bool(proposed)

    def _change_target(self, day: date) -> bool:
        goals = self._open_goals()
        if not goals:
            return False
        goal = self.dice.pick(goals)
        changes: dict[str, Any] = {}
        eased = _eased_target(goal["target_value"])
        if eased and self.dice.chance(0.6):
            changes["target_value"] = eased
        base = max(goal["target_date"] or day, day)
        changes["target_date"] = base + timedelta(days=self.dice.pick((30, 45, 60, 90)))
        self.rows.update_item(PlanGoal, goal, changes, self.clock.at(day))
        return True

    def _achieve(self, day: date) -> bool:
        goals = self._open_goals()
        if not goals:
            return False
        goal = self.dice.pick(goals)
        value = _progress_value(goal, 3, self.dice)
        values = {"noted_on": day, "value": value, "note": "Goal met."}
        self.rows.add_progress(goal, values, self.clock.at(day))
        self.rows.update_item(PlanGoal, goal, {"status": "achieved"}, self.clock.at(day))
        for item in self.rows.interventions:
            if item["goal_id"] == goal["id"] and item["status"] != "completed":
                self.rows.update_item(
                    PlanIntervention, item, {"status": "completed"}, self.clock.at(day)
                )
        return True

    def _complete_step(self, day: date) -> bool:
        steps = [i for i in self.rows.interventions if i["status"] != "completed"]
        if not steps:
            return False
        once = [i for i in steps if i["frequency"].startswith("once")]
        item = self.dice.pick(once or steps)
        self.rows.update_item(PlanIntervention, item, {"status": "completed"}, self.clock.at(day))
        return True

    def _add_step(self, day: date) -> bool:
        for need in self.rows.needs:
            wording = self.need_wording[need["id"]]
            have = {i["what"] for i in self.rows.interventions if i["need_id"] == need["id"]}
            for step in wording.interventions:
                if step.what not in have:
                    self._add_intervention(need, step, day, None)
                    return True
        return False

    def _advocacy(self, day: date) -> bool:
        rows, dice = self.rows, self.dice
        if not rows.advocacy:
            service, reason, alternative = dice.pick(DENIALS)
            values = {
                "service": service,
                "payer": self.patient["payer"] or "the health plan",
                "denied_on": day,
                "reason_given": reason,
                "alternative": alternative,
                "appeal_steps": (
                    f"1. Ask {self.team.pcp_short} for a letter of medical necessity. "
                    "2. Send a written appeal (reconsideration) with the letter. "
                    "3. If it is upheld, ask for an independent review."
                ),
                "appeal_deadline": day + timedelta(days=60),
                "status": "open",
            }
            need = rows.needs[0] if rows.needs else None
            rows.add_advocacy(values, self.clock.at(day), need=need)
            return True
        record = rows.advocacy[0]
        if record["status"] not in ("open", "appealed"):
            return False
        after = "appealed" if record["status"] == "open" else dice.pick(("approved", "alternative"))
        rows.update_item(AdvocacyRecord, record, {"status": after}, self.clock.at(day))
        return True

    # -- the running log: progress and education ---------------------------------------------------

    def _log_progress(self, goal: Row, day: date) -> None:
        if goal["status"] not in ("in-progress", "proposed"):
            return
        step = sum(1 for p in self.rows.progress if p["goal_id"] == goal["id"])
        values = {
            "noted_on": day,
            "value": _progress_value(goal, step, self.dice),
            "note": self.dice.pick(PROGRESS_NOTES),
        }
        self.rows.add_progress(goal, values, self.clock.at(day))

    def _teach(self, goal: Row, day: date) -> None:
        dice = self.dice
        topics = self.need_wording[goal["need_id"]].topics
        if not topics or goal["status"] == "achieved":
            return
        topic = topics[dice.pick(sorted(topics))][:200]
        if any(e["topic"] == topic for e in self.rows.education):
            return
        values = {
            "given_on": day,
            "topic": topic,
            "recipient": self._recipient(),
            "method": dice.weighted(TEACHING_METHODS),
            "understanding": "good" if dice.chance(0.75) else "needs-review",
        }
        self.rows.add_education(values, self.clock.at(day), goal=goal)

    def _recipient(self) -> str:
        team = self.team
        if team.caregiver and self.dice.chance(0.4):
            return f"patient and {team.caregiver_relationship}"[:100]
        return "patient"

    # -- agreement -------------------------------------------------------------------------------

    def _agree(self, version: Row, day: date) -> None:
        dice, team = self.dice, self.team
        if not dice.chance(0.85):
            return
        later = dice.weighted([(0, 0.7), (3, 0.2), (7, 0.1)])
        agreed_on = min(day + timedelta(days=later), self.as_of - timedelta(days=1))
        by_caregiver = bool(team.caregiver) and (self.profile.has("dementia") or dice.chance(0.15))
        patient = self.patient
        name = f"{patient['given_name']} {patient['family_name']}"
        relationship = "patient"
        if by_caregiver:
            name = team.caregiver
            relationship = "representative" if team.representative else "caregiver"
        method = dice.weighted([("verbal", 0.5), ("paper", 0.35), ("screen", 0.15)])
        values: dict[str, Any] = {
            "agreed_by": name,
            "relationship": relationship,
            "agreed_on": agreed_on,
            "method": method,
            "signature_png": signature_png(dice.between(0, SIGNATURE_STYLES - 1))
            if method == "screen"
            else None,
        }
        copy = dice.weighted([("same-day", 0.55), ("later", 0.3), ("none", 0.15)])
        if copy == "same-day":
            values["copy_given_on"] = agreed_on
            values["copy_method"] = "printed" if method != "verbal" else "mailed"
        agreement = self.rows.record_agreement(version, values, self.clock.at(agreed_on))
        if copy == "later":
            given = min(agreed_on + timedelta(days=dice.between(1, 10)), self.as_of - timedelta(1))
            method_of_copy = dice.pick(("mailed", "electronic"))
            self.rows.record_copy_given(agreement, given, method_of_copy, self.clock.at(given))


def _priority(code: str) -> int:
    key = icd10_key(code)
    for n, prefix in enumerate(PRIORITY):
        if key.startswith(prefix):
            return n
    return len(PRIORITY)


def _built_in_key(wording: Wording) -> str:
    return next((k for k, w in BUILT_IN.items() if w is wording), "built-in")


def _template_wording(template: Template, dice: Dice, finding: str = "") -> Wording:
    """For a problem, the template's first need (its main one) or sometimes its second; for
    a finding, the need worded most like it."""
    needs = template.needs
    if finding:
        words = _words(finding)
        need = max(needs, key=lambda n: len(words & _words(n.text)))
    else:
        need = needs[1] if len(needs) > 1 and dice.chance(0.2) else needs[0]
    topics = {e.id: e.topic for e in template.education}
    goal_topics = {t for g in need.goals for t in g.education}
    return Wording(
        need.goals,
        need.interventions,
        {k: v for k, v in topics.items() if k in goal_topics},
        template.id,
        TEMPLATE_PROVIDER.get(template.id, ""),
    )


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", text.lower())}


def _matters_most(responses: Sequence[Row]) -> str:
    for response in responses:
        if response["questionnaire"] == "comprehensive":
            said = response["answers"].get("wm-matters-most")
            if isinstance(said, str) and said:
                return said[:2000]
    return ""


AT_LEAST_DAYS = re.compile(r"At least (\d) (of 7 days|days a week|a week)")


def _eased_target(target: str) -> str:
    """A target made reachable after a review ('At least 6 of 7 days' -> 5), or ''."""
    found = AT_LEAST_DAYS.search(target)
    if found and int(found.group(1)) > 2:
        lower = int(found.group(1)) - 1
        eased = f"At least {lower} {found.group(2)}"
        return target[: found.start()] + eased + target[found.end() :]
    if "None in 90 days" in target:
        return target.replace("None in 90 days", "No more than 1 in 90 days")
    return ""


def _progress_value(goal: Row, step: int, dice: Dice) -> str:
    """A plausible reading of the goal's measure."""
    measure = goal["measure"].lower()
    if "of 7" in goal["target_value"] or "each week" in measure or "a week" in goal["target_value"]:
        return f"{min(7, dice.between(2, 4) + step)} of 7 days"
    if "phq-9" in measure:
        return f"PHQ-9 {max(2, dice.between(8, 16) - 3 * step)}"
    if "gad-7" in measure:
        return f"GAD-7 {max(2, dice.between(7, 14) - 2 * step)}"
    if "a1c" in measure:
        return f"A1C {max(6.4, dice.between(74, 92) / 10 - 0.3 * step):.1f}%"
    if "blood-pressure" in measure or "blood pressure" in measure:
        return f"{dice.between(124, 152) - 3 * step}/{dice.between(74, 92)} average"
    if "minutes" in measure:
        return f"{dice.between(40, 90) + 20 * step} minutes this week"
    if "missed" in measure:
        return f"{max(0, dice.between(1, 3) - step)} missed this week"
    if "emergency" in measure or "hospital" in measure:
        return dice.pick(("None since the last review", "None so far", "1 emergency visit"))
    if "seconds" in measure:
        return f"{dice.between(12, 18) - step} seconds"
    if "pain" in measure:
        return f"Pain {max(2, dice.between(5, 8) - step)} of 10"
    return dice.pick(("Partly done", "Started", "Done", ""))


# == the caseload's plans ========================================================================


class DemoPlans:
    """Adds each demo patient's care plan to the bulk insert (one per fill)."""

    def __init__(
        self, *, seed: int, author: str, templates: Sequence[Template] | None = None
    ) -> None:
        self.templates = list(available_templates() if templates is None else templates)
        self.seed = seed
        self.author = author

    def add_plan(
        self,
        patient: Row,
        profile: Profile,
        mine: Mapping[type[Record], Sequence[Row]],
        as_of: date,
        add: AddRow,
    ) -> None:
        """``mine``: the patient's chart and assessment rows, by table (not yet inserted)."""
        dice = Dice(self.seed, profile.patient_id)
        share = {"active": 0.88, "on_hold": 0.6, "discharged": 0.3}.get(profile.status, 0.0)
        if not dice.chance(share):
            return
        writer = PlanRows(
            profile.patient_id,
            author=self.author,
            add=add,
            new_id=dice.uuid,
            cms_required=needs_cms_plan(list(profile.programs)),
            care_team=mine.get(CareTeamMember, ()),
        )
        PlanStory(dice, patient, profile, mine, as_of, self.templates, writer).write()
