"""Demo coordination: a fictional resource directory, referrals in every state and
authorisations.

The directory: 40 made-up organisations in the demo's towns, with services in every
category family, offered in English, Spanish and the other languages of the demo
caseload; every phone number is in the (555) 0NN-NNNN range and every website ends in
``.example``, which no real site can have. Referrals: about a third of active patients
get one or two, to a directory service that answers their situation (food, rides,
meals, home health, behavioural health, ...) or to a made-up specialist or therapist,
in every status (draft, sent, accepted, scheduled, completed, declined, no-show,
cancelled) with their dated history, check-back follow-ups (some overdue, some done
with the barrier the patient met) and the call that completed them. Authorisations:
some approved (a few expiring within 14 days or already expired), requested, and
denied with the alternative proposed.

Deterministic per seed (the directory) and per seed and patient (the rest), written as
complete rows for the demo's bulk insert.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from carenav.models import (
    Authorization,
    Contact,
    FollowUp,
    HealthcareService,
    Organisation,
    Record,
    Referral,
    ReferralEvent,
)
from carenav.services.demo_assessments import AddRow, Profile, _record
from carenav.services.demo_assessments import Dice as AssessmentDice
from carenav.services.directory import CATEGORY_DOMAINS, _refresh
from carenav.services.referrals import CODE_ALPHABET, SENT_VIA, check_back_due

COORDINATION_TABLES: tuple[type[Record], ...] = (
    Organisation,
    HealthcareService,
    Referral,
    ReferralEvent,
    Authorization,
)
CHECK_BACK_DAYS = 7
OPEN = frozenset({"draft", "sent", "accepted", "scheduled", "no-show"})
Row = dict[str, Any]

TOWNS = (
    ("Springfield", "MA", "01103"),
    ("Springfield", "MA", "01105"),
    ("Springfield", "MA", "01109"),
    ("Holyoke", "MA", "01040"),
    ("Chicopee", "MA", "01013"),
    ("Westfield", "MA", "01085"),
    ("Hartford", "CT", "06106"),
    ("Hartford", "CT", "06114"),
    ("East Hartford", "CT", "06108"),
    ("Brattleboro", "VT", "05301"),
)
STREETS = (
    "Maple St", "State St", "Elm Ave", "Walnut St", "Dwight St", "Main St", "Park Ave",
    "Mill St", "Summer St", "High St", "Franklin St", "Bay St",
)  # fmt: skip
HOURS = (
    "Mon-Fri 9:00-17:00",
    "Mon-Fri 8:30-16:30",
    "Tue and Thu 9:00-12:00",
    "Mon, Wed, Fri 10:00-14:00",
    "Mon-Sat 8:00-18:00",
    "24 hours, every day",
    "Wed 16:00-19:00 and Sat 9:00-12:00",
)
HOW_TO_REFER = (
    "Fax the referral form with the patient's consent; they call the patient within 3 days.",
    "The patient calls the intake line; the care manager may call with the patient.",
    "Online partner portal; paper slip accepted at the front desk.",
    "Call intake; a worker visits at home within a week.",
    "Walk in during opening hours with the slip.",
)

# (name, languages, ((service, categories, eligibility, what to bring), ...))
Services = tuple[tuple[str, str, str, str], ...]
ORGANISATIONS: tuple[tuple[str, str, Services], ...] = (
    ("Bright Harvest Community Pantry", "English;Spanish", (
        ("Weekly food pantry", "food", "Residents of the county", "Photo ID and a piece of mail"),
        ("Holiday food baskets", "food", "Families and seniors on the pantry list", ""),
    )),
    ("Maple Table Meals on Wheels", "English;Spanish;Vietnamese", (
        ("Home-delivered meals", "home-delivered-meals", "Age 60+ or homebound after hospital",
         ""),
        ("Medically tailored meals", "home-delivered-meals;food",
         "Heart failure, diabetes or kidney disease, with a clinician's order", ""),
    )),
    ("Riverbend Senior Rides", "English", (
        ("Door-to-door medical rides", "transportation", "Age 60+ or disabled",
         "Appointment address and time"),
    )),
    ("Pioneer Valley Transit Helpers", "English;Spanish;Russian", (
        ("Ride vouchers", "transportation", "MassHealth members", "Insurance card"),
        ("Travel training", "transportation;education", "Adults who want to ride the bus", ""),
    )),
    ("Lantern Housing Collaborative", "English;Spanish;Haitian Creole", (
        ("Emergency shelter referral", "housing", "Anyone without a safe place to sleep tonight",
         "Any ID you have (not required)"),
        ("Rental assistance", "housing;financial-aid", "Behind on rent, income under 60% AMI",
         "Lease, eviction notice, proof of income"),
    )),
    ("Hearthstone Home Repair Volunteers", "English", (
        ("Grab bars and ramps", "home-modification;fall-prevention", "Homeowners 62+",
         "Proof of ownership"),
    )),
    ("Warm Hands Energy Help", "English;Spanish", (
        ("Fuel and heating assistance", "utilities;financial-aid",
         "Household income under 60% of state median", "Utility bill, proof of income"),
        ("Shut-off protection letters", "utilities", "Serious illness in the household",
         "Utility bill"),
    )),
    ("Cedar Benefits Navigators", "English;Spanish;Arabic", (
        ("SNAP and fuel benefits enrolment", "benefits-enrollment;food", "Anyone", "ID, income"),
        ("Medicare Savings Program help", "benefits-enrollment;medication-assistance",
         "Medicare beneficiaries with limited income", "Medicare card, bank statements"),
    )),
    ("Open Door Financial Counselling", "English", (
        ("Emergency cash assistance", "financial-aid", "One-time crisis, county residents",
         "Bill or notice to be paid"),
    )),
    ("Granite Legal Aid for Elders", "English;Spanish", (
        ("Housing and benefits legal help", "legal-aid", "Age 60+", "All letters received"),
    )),
    ("Bluebird Home Health", "English;Spanish", (
        ("Skilled nursing visits", "home-health", "Homebound, with a physician's order",
         "Medication list"),
        ("Home physical therapy", "home-health;therapy", "Homebound, with an order", ""),
    )),
    ("Silverleaf Visiting Nurses", "English;Vietnamese;Chinese", (
        ("Home nursing and telemonitoring", "home-health", "Heart failure or COPD, with an order",
         "Scale and blood pressure readings"),
    )),
    ("Kindred Hands Personal Care", "English;Spanish;Haitian Creole", (
        ("Personal care aides", "in-home-support", "Needs help with bathing or dressing",
         "Insurance card"),
        ("Homemaker services", "in-home-support", "Age 60+ through the elder services plan", ""),
    )),
    ("Quarry Hill Rehabilitation", "English", (
        ("Outpatient physical therapy", "therapy", "With a referral", "Referral, insurance card"),
        ("Occupational therapy", "therapy", "With a referral", "Referral, insurance card"),
    )),
    ("Harbor Light Counselling Center", "English;Spanish", (
        ("Individual counselling", "behavioural-health", "Adults; sliding fee",
         "Insurance card or proof of income"),
        ("Depression support group", "behavioural-health;social-connection", "Adults", ""),
    )),
    ("Clínica Esperanza Salud Mental", "Spanish;English", (
        ("Consejería en español", "behavioural-health", "Adultos; escala de pago", "ID"),
    )),
    ("Stillwater Recovery Services", "English;Spanish", (
        ("Outpatient substance use treatment", "substance-use", "Adults 18+",
         "Insurance card if any"),
        ("Medication for opioid use disorder", "substance-use", "Adults with OUD", "ID"),
    )),
    ("New Leaf Peer Recovery Center", "English", (
        ("Peer recovery coaching", "substance-use;social-connection", "Anyone in recovery", ""),
    )),
    ("Cornerstone Community Pharmacy", "English;Spanish;Vietnamese", (
        ("Free prescription delivery", "pharmacy-delivery", "Homebound or no transport",
         "Prescription list"),
        ("Blister packs", "pharmacy-delivery;medication-assistance", "Takes 5+ medicines", ""),
    )),
    ("Helping Hand Prescription Fund", "English", (
        ("Copay assistance", "medication-assistance;financial-aid",
         "Income under 250% of poverty", "Pharmacy receipt, proof of income"),
    )),
    ("Willow Caregiver Resource Center", "English;Spanish", (
        ("Caregiver support group", "caregiver-support", "Family caregivers", ""),
        ("Caregiver training", "caregiver-support;education", "Family caregivers", ""),
    )),
    ("Evergreen Adult Day and Respite", "English;Chinese", (
        ("Adult day program", "respite-care;social-connection", "Adults 60+ who need supervision",
         "Medication list, emergency contacts"),
        ("Overnight respite stays", "respite-care", "Caregiver needs a break", ""),
    )),
    ("Safe Harbor Family Justice Center", "English;Spanish;Arabic", (
        ("Safety planning and advocacy", "interpersonal-safety", "Anyone who feels unsafe at home",
         "Nothing; come as you are"),
        ("Confidential shelter", "interpersonal-safety;housing",
         "Survivors of domestic violence", ""),
    )),
    ("Beacon Alert Response", "English;Spanish", (
        ("Personal emergency response pendants", "personal-emergency-response",
         "Lives alone or has fallen", "Landline or mobile number"),
    )),
    ("Steady Steps Fall Prevention", "English", (
        ("Matter of Balance classes", "fall-prevention;education", "Age 60+ afraid of falling", ""),
        ("Tai chi for balance", "fall-prevention;social-connection", "Age 60+",
         "Comfortable shoes"),
    )),
    ("Friendly Voices Telephone Reassurance", "English;Spanish;Russian", (
        ("Daily check-in calls", "social-connection", "Lives alone", ""),
    )),
    ("Oakridge Senior Center", "English;Spanish", (
        ("Lunch and activities", "social-connection;food", "Age 60+", ""),
        ("Benefits check-up", "benefits-enrollment", "Age 60+", "Income information"),
    )),
    ("Clearview Hearing and Vision Clinic", "English", (
        ("Low-cost eye exams and glasses", "hearing-vision", "Income under 200% of poverty",
         "Current glasses"),
        ("Hearing aid loans", "hearing-vision", "Age 60+", ""),
    )),
    ("Breathe Free Quitline Partners", "English;Spanish;Chinese;Vietnamese", (
        ("Tobacco cessation coaching", "tobacco-cessation", "Anyone who smokes or vapes", ""),
    )),
    ("Riverside Community Health Center", "English;Spanish;Haitian Creole;Vietnamese", (
        ("New patient primary care", "primary-care", "Accepts all insurance and uninsured",
         "Insurance card, medication list"),
        ("Diabetes education classes", "education;primary-care", "Adults with diabetes",
         "Glucose meter"),
        ("Heart and lung specialty clinic", "specialist", "Patients of the center, by referral",
         "Referral, medication list, recent test results"),
    )),
    ("Northgate Workforce Center", "English;Spanish", (
        ("Job search help", "employment", "Adults", "Resume if you have one"),
    )),
    ("Little Creek Adult Literacy", "English;Spanish;Arabic", (
        ("English classes", "education", "Adults", ""),
    )),
    ("Hope Street Food Bank", "English;Spanish;Haitian Creole", (
        ("Mobile food market", "food", "Anyone", "Bags"),
    )),
    ("Sunrise Mobile Market", "English;Spanish", (
        ("Produce prescription", "food", "Diabetes or high blood pressure, with a clinician's note",
         "Voucher"),
    )),
    ("Golden Years Elder Services", "English;Spanish;Russian;Chinese", (
        ("Elder services case management", "in-home-support;caregiver-support", "Age 60+",
         "Medicare and insurance cards"),
        ("Protective services line", "interpersonal-safety", "Suspected elder abuse or neglect",
         ""),
    )),
    ("Keystone Medical Equipment Loan Closet", "English", (
        ("Walkers, shower chairs and commodes", "fall-prevention;home-modification", "Anyone",
         "Deposit not required"),
    )),
    ("Northern Star Dialysis Rides", "English;Spanish", (
        ("Dialysis transportation", "transportation", "People on dialysis", "Schedule"),
    )),
    ("Blue Heron Peer Wellness", "English", (
        ("Peer support for mental health", "behavioural-health;social-connection", "Adults", ""),
    )),
    ("Tri-Town Utility Assistance Fund", "English;Spanish", (
        ("Water and electric arrears help", "utilities;financial-aid", "Shut-off notice",
         "Shut-off notice and bill"),
    )),
    ("Pathways Housing Search", "English;Spanish;Arabic;Haitian Creole", (
        ("Housing search and applications", "housing", "Homeless or at risk", "Any ID"),
    )),
)  # fmt: skip

PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("Valley Heart Associates (made up)", "specialist", "specialist"),
    ("Pioneer Pulmonary Clinic (made up)", "specialist", "specialist"),
    ("Kidney Care of the Valley (made up)", "specialist", "specialist"),
    ("Riverside Memory Clinic (made up)", "specialist", "specialist"),
    ("Bluebird Home Health intake (made up)", "home-health", "home-health"),
    ("Quarry Hill Speech Therapy (made up)", "therapy", "therapy"),
)
PAYERS = (
    "Pioneer Valley Health Plan",
    "Commonwealth Senior Advantage",
    "Tri-State Medicaid Plan",
    "Harbor Dual Care",
)
# the statuses a demo referral ends in, with their shares
OUTCOMES: tuple[tuple[str, float], ...] = (
    ("draft", 0.07),
    ("sent", 0.22),
    ("accepted", 0.14),
    ("scheduled", 0.14),
    ("completed", 0.2),
    ("declined", 0.07),
    ("no-show", 0.08),
    ("cancelled", 0.08),
)
DECLINED = (
    "Waiting list is closed until spring",
    "Outside their service area",
    "Not eligible: income above the limit",
    "Patient declined the service",
)
NO_SHOW = ("Forgot the appointment", "No ride that day", "Was in hospital", "Not known")
CANCELLED = (
    "Patient moved in with family",
    "Need met another way",
    "Patient changed their mind",
    "Duplicate referral",
)
BARRIERS = (
    ("transport", "No bus on that route"),
    ("cost", "Copay too high"),
    ("language", "No interpreter at intake"),
    ("eligibility", "Over the income limit"),
)


class Dice(AssessmentDice):
    stream = "carenav-demo-coordination"


def _phone(rng: random.Random) -> str:
    return f"(555) 0{rng.randrange(100):02d}-{rng.randrange(10000):04d}"


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:30]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


class DemoCoordination:
    """The directory (``add_directory``, once) and each patient's referrals
    (``add_referrals``)."""

    def __init__(self, *, seed: int, author: str) -> None:
        self.seed = seed
        self.author = author
        self.services: list[Row] = []  # the directory's services, once built
        self.organisations: dict[uuid.UUID, Row] = {}

    # -- the directory ---------------------------------------------------------------------

    def add_directory(self, as_of: date, add: AddRow) -> None:
        rng = random.Random(f"carenav-demo-directory:{self.seed}")
        created = _at(as_of - timedelta(days=400), 9)
        for name, languages, services in ORGANISATIONS:
            city, state, postal = rng.choice(TOWNS)
            org_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            org = {
                **_record(org_id, created),
                "name": name,
                "phone": _phone(rng),
                "website": f"https://www.{_slug(name)}.example",
                "address_line": f"{rng.randint(2, 980)} {rng.choice(STREETS)}",
                "city": city,
                "state": state,
                "postal_code": postal,
            }
            add(Organisation, org)
            self.organisations[org_id] = org
            for service_name, categories, eligibility, bring in services:
                verified = as_of - timedelta(days=rng.randint(5, 420))
                row = {
                    **_record(uuid.UUID(int=rng.getrandbits(128), version=4), created),
                    "organisation_id": org_id,
                    "name": service_name,
                    "categories": categories.split(";"),
                    "phone": _phone(rng) if rng.random() < 0.3 else "",
                    "hours": rng.choice(HOURS),
                    "eligibility": eligibility,
                    "languages": languages.split(";"),
                    "how_to_refer": rng.choice(HOW_TO_REFER),
                    "what_to_bring": bring,
                    "notes": "Fictional organisation for practice.",
                    "last_verified": verified,
                }
                shadow_org = Organisation(**{k: v for k, v in org.items() if k != "id"})
                shadow = HealthcareService(
                    organisation_id=org_id,
                    name=service_name,
                    categories=row["categories"],
                    eligibility=eligibility,
                    languages=row["languages"],
                    notes=row["notes"],
                )
                _refresh(shadow_org, shadow)
                row.update(
                    search_text=shadow.search_text,
                    category_keys=shadow.category_keys,
                    language_keys=shadow.language_keys,
                )
                add(HealthcareService, row)
                self.services.append(row)

    def _services_for(self, category: str) -> list[Row]:
        return [s for s in self.services if category in s["categories"]]

    # -- referrals ------------------------------------------------------------------------

    def _wanted(self, dice: Dice, profile: Profile) -> list[str]:
        """Categories this patient could be referred to, most fitting first."""
        options: list[tuple[str, float]] = [
            ("food", 1.0),
            ("transportation", 1.0),
            ("home-delivered-meals", 0.6),
            ("pharmacy-delivery", 0.5),
            ("utilities", 0.4),
            ("financial-aid", 0.3),
            ("benefits-enrollment", 0.4),
            ("social-connection", 0.3),
        ]
        if profile.has("hfref", "hfpef", "copd"):
            options += [("home-health", 1.5), ("specialist", 1.0)]
        if profile.has("depression", "anxiety", "bipolar", "schizophrenia"):
            options.append(("behavioural-health", 2.0))
        if profile.has("oud", "aud"):
            options.append(("substance-use", 2.0))
        if profile.has("falls", "osteoarthritis", "parkinson", "stroke"):
            options += [("fall-prevention", 1.2), ("therapy", 1.0)]
        if profile.has("dementia") or profile.caregiver:
            options += [("caregiver-support", 1.2), ("respite-care", 0.6)]
        if profile.homeless:
            options.append(("housing", 3.0))
        if profile.has("tobacco"):
            options.append(("tobacco-cessation", 0.8))
        first = dice.weighted(options)
        second = dice.weighted([o for o in options if o[0] != first] or options)
        return [first, second]

    def add_referrals(
        self,
        profile: Profile,
        as_of: date,
        add: AddRow,
        needs: Sequence[Row] = (),
    ) -> None:
        """One or two referrals for about a third of active patients, and their
        authorisations. ``needs``: the patient's plan-need rows, to link a referral to
        the need of its domain."""
        if profile.status != "active" or not self.services:
            return
        dice = Dice(self.seed, profile.patient_id)
        if not dice.chance(0.35):
            return
        count = 2 if dice.chance(0.3) else 1
        for category in self._wanted(dice, profile)[:count]:
            self._referral(dice, profile, as_of, add, category, needs)

    def _referral(
        self,
        dice: Dice,
        profile: Profile,
        as_of: date,
        add: AddRow,
        category: str,
        needs: Sequence[Row],
    ) -> None:
        now = datetime.now(UTC)
        status = dice.weighted(OUTCOMES)
        # open referrals are recent (most check-backs still ahead); closed ones older
        age = dice.between(1, 16) if status in OPEN else dice.between(5, 75)
        day = as_of - timedelta(days=age)
        if day < profile.enrolled.astimezone().date():
            day = min(as_of, profile.enrolled.astimezone().date() + timedelta(days=1))
        written = min(_at(day, dice.between(9, 15), dice.pick((0, 15, 30, 45))), now)
        referral_id = dice.uuid()
        service = None
        provider = ("", "community")
        if category in ("specialist", "therapy", "home-health") and dice.chance(0.5):
            name, kind, _category = dice.pick(
                [p for p in PROVIDERS if p[2] == category] or list(PROVIDERS)
            )
            provider = (name, kind)
        else:
            choices = self._services_for(category)
            if not choices:
                return
            service = dice.pick(choices)
        domain = CATEGORY_DOMAINS.get(category, "other")
        need = next(
            (n for n in needs if n.get("domain") == domain and n.get("deleted_at") is None), None
        )
        events: list[tuple[str, datetime, str]] = [("draft", written, "")]
        row: Row = {
            **_record(referral_id, written),
            "patient_id": profile.patient_id,
            "service_id": service["id"] if service else None,
            "organisation_id": service["organisation_id"] if service else None,
            "provider_name": provider[0],
            "provider_kind": provider[1],
            "category": category,
            "need_id": need["id"] if need else None,
            "goal_id": None,
            "intervention_id": None,
            "reason": dice.pick(REASONS.get(category, REASONS["other"])),
            "urgency": dice.weighted([("routine", 0.8), ("urgent", 0.17), ("asap", 0.03)]),
            "sent_via": "",
            "status": "draft",
            "status_reason": "",
            "status_at": written,
            "sent_at": None,
            "appointment_at": None,
            "reference_code": "R-"
            + "".join(dice.pick(CODE_ALPHABET) for _ in range(4))
            + "-"
            + "".join(dice.pick(CODE_ALPHABET) for _ in range(4)),
            "check_back_id": None,
            "checked_back_at": None,
            "got_service": None,
            "barrier": "",
            "barrier_note": "",
            "barrier_need_id": None,
            "notes": "",
            "author": self.author,
        }
        clock = written

        def later(low: int, high: int) -> datetime:
            nonlocal clock
            clock = min(
                clock + timedelta(days=dice.between(low, high), hours=dice.between(0, 5)), now
            )
            return clock

        follow_up: Row | None = None
        if status != "draft" and not (status == "cancelled" and dice.chance(0.4)):
            sent = later(0, 1)
            via = dice.weighted(
                [("fax", 0.4), ("phone", 0.25), ("portal", 0.15), ("paper-slip", 0.2)]
            )
            row.update(sent_via=via, sent_at=sent)
            events.append(("sent", sent, f"Sent by {SENT_VIA[via].lower()}"))
            due = check_back_due(sent, CHECK_BACK_DAYS)
            follow_up = {
                **_record(dice.uuid(), sent),
                "patient_id": profile.patient_id,
                "due_at": due,
                "kind": "phone",
                "purpose": f"Referral check-back: {self._to(row)}"[:300],
                "recurrence_days": None,
                "status": "scheduled",
                "completed_at": None,
                "contact_id": None,
                "referral_id": referral_id,
            }
            row["check_back_id"] = follow_up["id"]
            path = {
                "sent": [],
                "accepted": ["accepted"],
                "scheduled": ["accepted", "scheduled"],
                "completed": ["accepted", "scheduled", "completed"],
                "declined": ["declined"],
                "no-show": ["scheduled", "no-show"],
                "cancelled": ["cancelled"],
            }[status]
            for step in path:
                at = later(1, 6)
                reason = ""
                if step == "declined":
                    reason = dice.pick(DECLINED)
                elif step == "no-show":
                    reason = dice.pick(NO_SHOW)
                elif step == "cancelled":
                    reason = dice.pick(CANCELLED)
                if step == "scheduled":
                    row["appointment_at"] = _at(
                        (at + timedelta(days=dice.between(2, 12))).astimezone().date(),
                        dice.between(9, 15),
                        dice.pick((0, 30)),
                    )
                elif row["appointment_at"] is not None:  # attended or missed: it was earlier
                    row["appointment_at"] = max(at - timedelta(hours=3), events[-1][1])
                if step == "completed" and follow_up["due_at"] <= now and dice.chance(0.6):
                    # the loop closed by the check-back call
                    at = clock = min(max(at, follow_up["due_at"]), now)
                    reason = "The patient got the service (check-back)"
                    self._check_back(dice, profile, row, follow_up, at, add, got=True)
                events.append((step, at, reason))
            final = events[-1]
            row.update(status=final[0], status_reason=final[2], status_at=final[1])
            if status in ("declined", "cancelled") or (
                status == "completed" and follow_up["status"] == "scheduled"
            ):
                follow_up["status"] = "cancelled"
                follow_up["updated_at"] = final[1]
                follow_up["version"] = 2
            elif (
                status in ("sent", "accepted")
                and follow_up["due_at"] < now - timedelta(days=1)
                and dice.chance(0.5)
            ):
                barrier, note = dice.pick(BARRIERS)
                at = min(follow_up["due_at"] + timedelta(hours=dice.between(0, 30)), now)
                if at >= clock:
                    self._check_back(dice, profile, row, follow_up, at, add, got=False,
                                     barrier=barrier, note=note)  # fmt: skip
        elif status == "cancelled":
            at = later(0, 3)
            reason = dice.pick(CANCELLED)
            events.append(("cancelled", at, reason))
            row.update(status="cancelled", status_reason=reason, status_at=at)
        row["updated_at"] = max(row["status_at"], row["checked_back_at"] or row["status_at"])
        row["version"] = len(events)
        add(Referral, row)
        if follow_up is not None:
            add(FollowUp, follow_up)
        for event_status, at, reason in events:
            add(
                ReferralEvent,
                {
                    **_record(dice.uuid(), at),
                    "referral_id": referral_id,
                    "at": at,
                    "status": event_status,
                    "reason": reason,
                    "author": self.author,
                },
            )
        if category in ("home-health", "therapy", "specialist", "in-home-support") or (
            dice.chance(0.08)
        ):
            self._authorisation(dice, profile, as_of, add, row)

    def _to(self, referral: Row) -> str:
        if referral["service_id"] is not None:
            service = next(s for s in self.services if s["id"] == referral["service_id"])
            org = self.organisations[service["organisation_id"]]
            return f"{org['name']}: {service['name']}"
        return str(referral["provider_name"])

    def _check_back(
        self,
        dice: Dice,
        profile: Profile,
        referral: Row,
        follow_up: Row,
        at: datetime,
        add: AddRow,
        *,
        got: bool,
        barrier: str = "",
        note: str = "",
    ) -> None:
        contact_id = dice.uuid()
        add(
            Contact,
            {
                **_record(contact_id, at),
                "patient_id": profile.patient_id,
                "occurred_at": at,
                "kind": "phone",
                "with_whom": "patient",
                "with_name": "",
                "direction": "outbound",
                "outcome": "reached",
                "minutes": dice.between(4, 12),
                "spent_by": "staff",
                "counts_for_ccm": True,
                "notes": "Referral check-back" + (f": {note}" if note else ""),
                "goal_ids": [],
                "check_in_response_id": None,
                "follow_up_id": follow_up["id"],
                "episode_id": None,
                "author": self.author,
            },
        )
        follow_up.update(
            status="completed", completed_at=at, contact_id=contact_id, updated_at=at, version=2
        )
        referral.update(checked_back_at=at, got_service=got, barrier=barrier, barrier_note=note)

    def _authorisation(
        self, dice: Dice, profile: Profile, as_of: date, add: AddRow, referral: Row
    ) -> None:
        kind = dice.weighted(
            [("approved", 0.45), ("expiring", 0.2), ("expired", 0.08), ("requested", 0.12),
             ("denied", 0.15)]
        )  # fmt: skip
        requested = max(
            referral["created_at"].astimezone().date(),
            as_of - timedelta(days=dice.between(20, 120)),
        )
        requested = min(requested, as_of)
        service = {
            "home-health": ("Skilled nursing home visits", "visits"),
            "therapy": ("Physical therapy sessions", "visits"),
            "specialist": ("Specialist consultation", "visits"),
            "in-home-support": ("Personal care aide hours", "hours"),
        }.get(referral["category"], ("Non-emergency medical transport", "trips"))
        row: Row = {
            **_record(dice.uuid(), _at(requested, 11)),
            "patient_id": profile.patient_id,
            "referral_id": referral["id"],
            "payer": dice.pick(PAYERS),
            "service": service[0],
            "number": "" if kind == "requested" else f"PA-{dice.between(100000, 999999)}",
            "status": "requested",
            "requested_on": requested,
            "approved_on": None,
            "denied_on": None,
            "units": None,
            "unit_label": service[1],
            "starts_on": None,
            "expires_on": None,
            "denial_reason": "",
            "alternative": "",
            "notes": "",
        }
        decided = min(requested + timedelta(days=dice.between(2, 10)), as_of)
        if kind in ("approved", "expiring", "expired"):
            expires = {
                "approved": as_of + timedelta(days=dice.between(20, 120)),
                "expiring": as_of + timedelta(days=dice.between(0, 14)),
                "expired": as_of - timedelta(days=dice.between(1, 20)),
            }[kind]
            row.update(
                status="approved",
                approved_on=decided,
                starts_on=decided,
                expires_on=max(expires, decided),
                units=dice.pick((6, 8, 12, 20, 24)),
            )
        elif kind == "denied":
            row.update(
                status="denied",
                denied_on=decided,
                denial_reason=dice.pick(
                    ("Not medically necessary", "Out-of-network provider", "Missing documentation")
                ),
                alternative=dice.pick(
                    (
                        "Appeal filed with the clinician's letter",
                        "In-network provider proposed instead",
                        "Community program covers it at no cost",
                        "None yet: care manager calling the plan",
                    )
                ),
            )
        add(Authorization, row)


REASONS: dict[str, tuple[str, ...]] = {
    "food": ("Runs out of food before the end of the month", "Food insecurity on the AHC screen"),
    "transportation": ("Missed appointments for lack of a ride", "No car; bus too far to walk"),
    "home-delivered-meals": ("Cannot stand to cook since discharge", "Low-sodium meals needed"),
    "home-health": ("Weight gain and swelling after discharge", "Needs wound care at home"),
    "specialist": ("Worsening shortness of breath", "Follow-up after hospital stay"),
    "therapy": ("Weaker since the fall; needs strength work", "Trouble with stairs"),
    "behavioural-health": ("PHQ-9 in the moderately severe range", "Low mood since losing spouse"),
    "substance-use": ("Wants help cutting down", "Asked about treatment options"),
    "fall-prevention": ("Two falls this year", "Afraid of falling"),
    "caregiver-support": ("Daughter exhausted caring alone", "Caregiver strain on the screen"),
    "respite-care": ("Caregiver needs a break", "Caregiver has surgery next month"),
    "housing": ("Staying in a car", "Eviction notice received"),
    "utilities": ("Shut-off notice from the electric company", "Cannot afford heating oil"),
    "financial-aid": ("Cannot pay this month's bills", "Lost part-time job"),
    "benefits-enrollment": ("May qualify for SNAP", "Medicare Savings Program check"),
    "pharmacy-delivery": ("Cannot get to the pharmacy", "Misses refills"),
    "social-connection": ("Lives alone and rarely talks to anyone", "Lonely since moving"),
    "tobacco-cessation": ("Wants to quit smoking", "Smoking with COPD"),
    "other": ("Care manager's assessment",),
}
