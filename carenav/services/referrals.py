"""Closed-loop referrals and insurance authorisations.

A referral (FHIR ServiceRequest, its history the Task that tracks it) goes to a
directory service or to a provider named in free text (a specialist, home health,
therapy), serves a need, goal or intervention of the patient's care plan, and moves
through these statuses, each change a dated ``ReferralEvent`` with its reason:

    draft -> sent, cancelled
    sent -> accepted, scheduled, completed, declined, cancelled
    accepted -> scheduled, completed, declined, cancelled
    scheduled -> completed, no-show, cancelled
    no-show -> scheduled, cancelled
    completed, declined, cancelled: closed (make a new referral to try again)

Declined, no-show and cancelled need a reason. Open means draft, sent, accepted,
scheduled or no-show (a no-show still needs the care manager: rebook or cancel).

Closing the loop: sending a referral schedules a check-back follow-up (a phone call,
``FollowUp.referral_id`` set) ``check_back_days`` later (the Settings value, 7 by
default) that appears on the worklist like any follow-up. ``complete_check_back``
records whether the patient got the service and any barrier (transport, cost,
language, eligibility, other), logs the call and completes the follow-up in one
transaction; a service received completes the referral. A barrier can become a need in
the patient's current care plan (``add_barrier_need``). Closing a referral (completed,
declined, cancelled) cancels a check-back still scheduled.

API (``vault`` first; bad values raise ``InvalidInput`` saying what to do):
``create_referral``, ``refer`` (create and send), ``update_referral``, ``send_referral``,
``set_status``, ``allowed_next(status)``, ``complete_check_back``, ``barrier_suggestion``,
``add_barrier_need``, ``referrals_for`` / ``get_referral`` -> ``ReferralView`` (with the
history), ``open_referrals`` -> ``OpenReferral`` (agency-wide, by age and status);
``add_authorisation``, ``update_authorisation``, ``authorisations_for``,
``flagged_authorisations`` -> ``AuthorisationView`` with flags denied / expiring (within
``EXPIRING_DAYS``) / expired; ``advocacy_from_denial`` puts a denial in the care plan's
advocacy; ``referral_of_follow_up`` tells a check-back from an ordinary follow-up;
``check_back_attempt`` logs a call that reached no one and moves the check-back.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from carenav.config import REFERRAL_CHECK_BACK_DEFAULT_DAYS, REFERRAL_CHECK_BACK_MAX_DAYS
from carenav.errors import InvalidInput, RecordNotFound
from carenav.models import (
    AdvocacyRecord,
    Authorization,
    CarePlan,
    Contact,
    FollowUp,
    HealthcareService,
    Organisation,
    Patient,
    PlanGoal,
    PlanIntervention,
    PlanNeed,
    Referral,
    ReferralEvent,
    utcnow,
)
from carenav.services.directory import CATEGORIES, category_for
from carenav.services.patients import _live_patient
from carenav.services.validation import FieldCleaner
from carenav.store.vault import Vault

STATUSES: dict[str, str] = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "scheduled": "Scheduled",
    "completed": "Completed",
    "declined": "Declined",
    "no-show": "No-show",
    "cancelled": "Cancelled",
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"sent", "cancelled"}),
    "sent": frozenset({"accepted", "scheduled", "completed", "declined", "cancelled"}),
    "accepted": frozenset({"scheduled", "completed", "declined", "cancelled"}),
    "scheduled": frozenset({"completed", "no-show", "cancelled"}),
    "no-show": frozenset({"scheduled", "cancelled"}),
    "completed": frozenset(),
    "declined": frozenset(),
    "cancelled": frozenset(),
}
REASON_REQUIRED = frozenset({"declined", "no-show", "cancelled"})
REASON_PROMPTS = {
    "declined": "Say in a few words why the referral was declined (by whom and why).",
    "no-show": "Say in a few words why the patient did not attend, if known ('not known' is fine).",
    "cancelled": "Say in a few words why the referral is cancelled.",
}
OPEN_STATUSES = frozenset({"draft", "sent", "accepted", "scheduled", "no-show"})
CLOSED_STATUSES = frozenset({"completed", "declined", "cancelled"})
URGENCIES: dict[str, str] = {
    "routine": "Routine",
    "urgent": "Urgent",
    "asap": "As soon as possible",
}
SENT_VIA: dict[str, str] = {
    "fax": "Fax",
    "phone": "Phone",
    "portal": "Portal",
    "paper-slip": "Paper slip given to the patient",
}
PROVIDER_KINDS: dict[str, str] = {
    "community": "Community organisation",
    "specialist": "Specialist",
    "home-health": "Home health",
    "therapy": "Therapy",
    "other": "Other provider",
}
BARRIERS: dict[str, str] = {
    "transport": "Transportation",
    "cost": "Cost",
    "language": "Language",
    "eligibility": "Eligibility",
    "other": "Other",
}
# the care-plan domain a barrier becomes a need of
BARRIER_DOMAINS: dict[str, str] = {
    "transport": "transportation",
    "cost": "financial",
    "language": "health-care-access",
    "eligibility": "health-care-access",
    "other": "other",
}
BARRIER_NEEDS: dict[str, str] = {
    "transport": "No transportation to reach {to}",
    "cost": "Cannot afford {to}",
    "language": "Language barrier to using {to}",
    "eligibility": "Not eligible for {to}; needs another option",
    "other": "Could not use {to}",
}
AUTHORISATION_STATUSES: dict[str, str] = {
    "requested": "Requested",
    "approved": "Approved",
    "denied": "Denied",
}
EXPIRING_DAYS = 14  # an approved authorisation is flagged this many days before it expires
CHECK_BACK_HOUR = 10  # local time the check-back call falls due
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def allowed_next(status: str) -> list[str]:
    """The statuses a referral in ``status`` may move to, in display order."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s for s in STATUSES if s in allowed]


def new_reference_code() -> str:
    """A code the patient quotes to the organisation, e.g. 'R-7KQ3-M2XD'."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


# -- validation ------------------------------------------------------------------------------


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError("is not a record id; choose it from the list.") from None


def _aware(value: Any, label: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.astimezone()
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{label}: write the date and time as YYYY-MM-DD HH:MM.") from None
        return parsed if parsed.tzinfo is not None else parsed.astimezone()
    raise ValueError(f"Say {label.lower()} (YYYY-MM-DD HH:MM).")


def _clean_referral(values: Mapping[str, Any]) -> dict[str, Any]:
    c = FieldCleaner(values)
    for name in ("service_id", "need_id", "goal_id", "intervention_id"):
        c._run(name, _uuid_or_none)
    c.text("provider_name", label="Provider")
    c.code("provider_kind", label="Kind of provider", choices=PROVIDER_KINDS)
    c._run("category", _category)
    c.text("reason", label="Reason", max_len=1000)
    c.code("urgency", label="Urgency", choices=URGENCIES)
    c.text("notes", label="Notes", max_len=2000)
    return c.done()


def _category(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    code = category_for(text)
    if code is None:
        raise ValueError(f"Choose a category from: {', '.join(CATEGORIES)}.")
    return code


def _live_referral(session: Session, referral_id: uuid.UUID) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.deleted_at is not None:
        raise RecordNotFound("referral")
    return referral


def _check_links(session: Session, patient_id: uuid.UUID, cleaned: dict[str, Any]) -> None:
    """The plan items named belong to this patient's care plan; the service exists."""
    errors: dict[str, str] = {}
    for name, kind, label in (
        ("need_id", PlanNeed, "need"),
        ("goal_id", PlanGoal, "goal"),
        ("intervention_id", PlanIntervention, "intervention"),
    ):
        item_id = cleaned.get(name)
        if item_id is None:
            continue
        item = session.get(kind, item_id)
        plan_id: uuid.UUID | None = getattr(item, "plan_id", None)
        plan = session.get(CarePlan, plan_id) if plan_id is not None else None
        if item is None or item.deleted_at is not None or plan is None:
            errors[name] = f"That {label} is no longer in the care plan; choose another."
        elif plan.patient_id != patient_id:
            errors[name] = f"That {label} is in another patient's care plan."
    service_id = cleaned.get("service_id")
    if service_id is not None:
        service = session.get(HealthcareService, service_id)
        if service is None or service.deleted_at is not None:
            errors["service_id"] = "That service is no longer in the directory; choose another."
        else:
            cleaned["organisation_id"] = service.organisation_id
            if not cleaned.get("category") and service.categories:
                cleaned["category"] = service.categories[0]
    if errors:
        raise InvalidInput(errors)


def _event(session: Session, referral: Referral, status: str, reason: str, at: datetime) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            at=at,
            status=status,
            reason=reason,
            author=referral.author,
        )
    )


# -- creating and sending --------------------------------------------------------------------


def _create(
    session: Session,
    vault: Vault,
    patient_id: uuid.UUID,
    values: Mapping[str, Any],
    at: datetime | None = None,
) -> Referral:
    cleaned = _clean_referral(values)
    if cleaned.get("service_id") is None and not cleaned.get("provider_name"):
        raise InvalidInput(
            {
                "service_id": "Choose a service from the directory, or write the provider's "
                "name (a specialist, home health agency or therapist)."
            }
        )
    _live_patient(session, patient_id)
    _check_links(session, patient_id, cleaned)
    if cleaned.get("service_id") is not None and "provider_kind" not in cleaned:
        cleaned["provider_kind"] = "community"
    now = at or utcnow()
    referral = Referral(
        patient_id=patient_id,
        status="draft",
        status_at=now,
        reference_code=new_reference_code(),
        author=vault.audit.user,
        **cleaned,
    )
    session.add(referral)
    session.flush()
    _event(session, referral, "draft", "", now)
    return referral


def create_referral(vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any]) -> Referral:
    """A draft referral. ``values``: ``service_id`` (a directory service) or
    ``provider_name`` (+ ``provider_kind``: specialist, home-health, therapy, other);
    optional ``category``, ``need_id`` / ``goal_id`` / ``intervention_id`` (the plan item
    it serves), ``reason``, ``urgency`` (routine, urgent, asap), ``notes``."""
    with vault.session() as session:
        return _create(session, vault, patient_id, values)


def _check_back_days(days: int | None) -> int:
    value = REFERRAL_CHECK_BACK_DEFAULT_DAYS if days is None else days
    if not 1 <= value <= REFERRAL_CHECK_BACK_MAX_DAYS:
        raise InvalidInput(
            {"check_back_days": f"Check back after 1 to {REFERRAL_CHECK_BACK_MAX_DAYS} days."}
        )
    return value


def check_back_due(sent_at: datetime, days: int) -> datetime:
    """When the check-back falls due: ``days`` after sending, at 10:00 local time."""
    day = sent_at.astimezone().date() + timedelta(days=days)
    return datetime.combine(day, time(CHECK_BACK_HOUR)).astimezone().astimezone(UTC)


def _to_text(session: Session, referral: Referral) -> str:
    if referral.service_id is not None:
        service = session.get(HealthcareService, referral.service_id)
        organisation = (
            session.get(Organisation, referral.organisation_id)
            if referral.organisation_id
            else None
        )
        if service is not None and organisation is not None:
            return f"{organisation.name}: {service.name}"
    return referral.provider_name or "the service"


@dataclass
class _Lookups:
    """Whom each referral goes to and its check-back, read in a few queries for a list."""

    names: dict[uuid.UUID, str]  # service id -> "Organisation: service"
    check_backs: dict[uuid.UUID, FollowUp]

    def to(self, referral: Referral) -> str:
        if referral.service_id is not None and referral.service_id in self.names:
            return self.names[referral.service_id]
        return referral.provider_name or "the service"

    def check_back(self, referral: Referral) -> FollowUp | None:
        return self.check_backs.get(referral.check_back_id) if referral.check_back_id else None


def _chunks(ids: list[uuid.UUID], size: int = 500) -> list[list[uuid.UUID]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _lookups(session: Session, referrals: Sequence[Referral]) -> _Lookups:
    service_ids = sorted({r.service_id for r in referrals if r.service_id}, key=str)
    names: dict[uuid.UUID, str] = {}
    for chunk in _chunks(service_ids):
        statement = (
            sa_select(
                col(HealthcareService.id), col(Organisation.name), col(HealthcareService.name)
            )
            .join(Organisation, col(Organisation.id) == col(HealthcareService.organisation_id))
            .where(col(HealthcareService.id).in_(chunk))
        )
        for service_id, organisation, service in session.execute(statement).all():
            names[service_id] = f"{organisation}: {service}"
    follow_up_ids = sorted({r.check_back_id for r in referrals if r.check_back_id}, key=str)
    check_backs: dict[uuid.UUID, FollowUp] = {}
    for chunk in _chunks(follow_up_ids):
        for follow_up in session.exec(select(FollowUp).where(col(FollowUp.id).in_(chunk))).all():
            check_backs[follow_up.id] = follow_up
    return _Lookups(names, check_backs)


def _send(session: Session, referral: Referral, via: str, at: datetime, days: int) -> FollowUp:
    if referral.status != "draft":
        raise InvalidInput(
            {"status": f"This referral is already {STATUSES[referral.status].lower()}."}
        )
    if via not in SENT_VIA:
        raise InvalidInput({"sent_via": f"Say how it was sent: {', '.join(SENT_VIA)}."})
    _not_before(referral, at)
    follow_up = FollowUp(
        patient_id=referral.patient_id,
        due_at=check_back_due(at, days),
        kind="phone",
        purpose=f"Referral check-back: {_to_text(session, referral)}"[:300],
        referral_id=referral.id,
    )
    session.add(follow_up)
    session.flush()
    referral.apply(
        {
            "status": "sent",
            "status_reason": "",
            "status_at": at,
            "sent_at": at,
            "sent_via": via,
            "check_back_id": follow_up.id,
        }
    )
    session.add(referral)
    _event(session, referral, "sent", f"Sent by {SENT_VIA[via].lower()}", at)
    return follow_up


def send_referral(
    vault: Vault,
    referral_id: uuid.UUID,
    *,
    via: str,
    at: datetime | None = None,
    check_back_days: int | None = None,
) -> Referral:
    """Mark a draft referral sent (fax, phone, portal or paper-slip) and schedule its
    check-back ``check_back_days`` later (default 7; pass ``Settings.referral_check_back_days``)."""
    days = _check_back_days(check_back_days)
    when = _when(at)
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        _send(session, referral, via, when, days)
        return referral


def refer(
    vault: Vault,
    patient_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    via: str,
    at: datetime | None = None,
    check_back_days: int | None = None,
) -> Referral:
    """Create and send a referral in one step (values as ``create_referral``)."""
    days = _check_back_days(check_back_days)
    when = _when(at)
    with vault.session() as session:
        referral = _create(session, vault, patient_id, values, at=when)
        _send(session, referral, via, when, days)
        return referral


def _when(at: datetime | None) -> datetime:
    if at is None:
        return utcnow()
    try:
        moment = _aware(at, "When")
    except ValueError as exc:
        raise InvalidInput({"at": str(exc)}) from None
    if moment > utcnow() + timedelta(minutes=5):
        raise InvalidInput({"at": "A status change cannot be dated in the future."})
    return moment


def update_referral(vault: Vault, referral_id: uuid.UUID, changes: Mapping[str, Any]) -> Referral:
    """Change the reason, urgency, notes, category or plan links; who it goes to
    (``service_id``, ``provider_name``, ``provider_kind``) only while it is a draft."""
    cleaned = _clean_referral(changes)
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        to_whom = {"service_id", "provider_name", "provider_kind"} & set(cleaned)
        if to_whom and referral.status != "draft":
            raise InvalidInput(
                {
                    sorted(to_whom)[0]: "This referral was already sent; cancel it and make "
                    "a new one to refer somewhere else."
                }
            )
        _check_links(session, referral.patient_id, cleaned)
        if referral.apply(cleaned):
            session.add(referral)
        return referral


def _not_before(referral: Referral, at: datetime) -> None:
    if at < referral.status_at - timedelta(seconds=1):
        last = referral.status_at.astimezone().strftime("%Y-%m-%d %H:%M")
        raise InvalidInput(
            {"at": f"This change cannot be dated before the referral's last change ({last})."}
        )


def _cancel_check_back(session: Session, referral: Referral) -> None:
    if referral.check_back_id is None:
        return
    follow_up = session.get(FollowUp, referral.check_back_id)
    if follow_up is not None and follow_up.status == "scheduled":
        follow_up.apply({"status": "cancelled"})
        session.add(follow_up)


def set_status(
    vault: Vault,
    referral_id: uuid.UUID,
    status: str,
    *,
    reason: str = "",
    at: datetime | None = None,
    appointment_at: datetime | str | None = None,
) -> Referral:
    """Move a referral to ``status`` (see ``allowed_next``); declined, no-show and
    cancelled need a ``reason``; scheduled may carry the ``appointment_at``. Sending goes
    through ``send_referral``."""
    reason = " ".join(str(reason or "").split())
    when = _when(at)
    if status not in STATUSES:
        raise InvalidInput({"status": f"Choose a status from: {', '.join(STATUSES)}."})
    if status == "sent":
        raise InvalidInput({"status": "Use Send (send_referral) to say how it was sent."})
    if status in REASON_REQUIRED and not reason:
        raise InvalidInput({"reason": REASON_PROMPTS[status]})
    if len(reason) > 500:
        raise InvalidInput({"reason": f"The reason is too long ({len(reason)} of 500)."})
    appointment: datetime | None = None
    if appointment_at not in (None, ""):
        try:
            appointment = _aware(appointment_at, "The appointment")
        except ValueError as exc:
            raise InvalidInput({"appointment_at": str(exc)}) from None
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        _not_before(referral, when)
        if status not in TRANSITIONS[referral.status]:
            allowed = allowed_next(referral.status)
            then = (
                f"From {STATUSES[referral.status].lower()} it can become: "
                + ", ".join(STATUSES[s].lower() for s in allowed)
                + "."
                if allowed
                else "It is closed; make a new referral to try again."
            )
            raise InvalidInput(
                {
                    "status": f"A referral that is {STATUSES[referral.status].lower()} cannot "
                    f"become {STATUSES[status].lower()}. {then}"
                }
            )
        changes: dict[str, Any] = {"status": status, "status_reason": reason, "status_at": when}
        if status == "scheduled":
            changes["appointment_at"] = appointment
        referral.apply(changes)
        session.add(referral)
        _event(session, referral, status, reason, when)
        if status in CLOSED_STATUSES:
            _cancel_check_back(session, referral)
        return referral


# -- closing the loop ------------------------------------------------------------------------


@dataclass(frozen=True)
class BarrierSuggestion:
    """What a barrier met at the check-back would add to the care plan."""

    text: str
    domain: str
    evidence: str


@dataclass(frozen=True)
class CheckBack:
    referral: Referral
    follow_up: FollowUp | None  # the check-back it completed (None: none was scheduled)
    contact: Contact
    suggestion: BarrierSuggestion | None  # a need to offer, when a barrier was met


def barrier_suggestion(referral: Referral, to: str) -> BarrierSuggestion | None:
    """The need a barrier suggests ("No transportation to reach Eastside Food Pantry")."""
    if not referral.barrier:
        return None
    text = BARRIER_NEEDS[referral.barrier].format(to=to)
    day = (referral.checked_back_at or utcnow()).astimezone().date().isoformat()
    got = "did not get" if referral.got_service is False else "had trouble with"
    evidence = f"Referral check-back on {day}: the patient {got} {to}"
    if referral.barrier_note:
        evidence += f" ({referral.barrier_note})"
    return BarrierSuggestion(text[:300], BARRIER_DOMAINS[referral.barrier], evidence[:500])


def complete_check_back(
    vault: Vault,
    referral_id: uuid.UUID,
    *,
    got_service: bool,
    barrier: str = "",
    note: str = "",
    at: datetime | None = None,
    minutes: int = 5,
    with_whom: str = "patient",
) -> CheckBack:
    """Record the check-back call: whether the patient got the service and any barrier.

    In one transaction: logs the call (a reached phone contact of ``minutes``), completes
    the scheduled check-back follow-up, records the answer on the referral and, when the
    patient got the service, completes the referral. A barrier is returned as a
    suggestion; ``add_barrier_need`` puts it in the care plan."""
    from carenav.services.contacts import _clean_contact

    if barrier and barrier not in BARRIERS:
        raise InvalidInput({"barrier": f"Choose a barrier from: {', '.join(BARRIERS)}."})
    note = " ".join(str(note or "").split())
    if len(note) > 500:
        raise InvalidInput({"note": f"The note is too long ({len(note)} of 500)."})
    when = _when(at)
    contact_values = _clean_contact(
        {
            "occurred_at": when,
            "kind": "phone",
            "with_whom": with_whom,
            "outcome": "reached",
            "minutes": minutes,
            "notes": "Referral check-back" + (f": {note}" if note else ""),
        },
        creating=True,
    )
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        if referral.status == "draft" or referral.sent_at is None:
            raise InvalidInput({"status": "Send the referral first; then check back."})
        contact = Contact(patient_id=referral.patient_id, author=vault.audit.user, **contact_values)
        session.add(contact)
        session.flush()
        follow_up = (
            session.get(FollowUp, referral.check_back_id) if referral.check_back_id else None
        )
        if follow_up is not None and follow_up.status == "scheduled":
            contact.follow_up_id = follow_up.id
            follow_up.apply({"status": "completed", "completed_at": when, "contact_id": contact.id})
            session.add(follow_up)
        else:
            follow_up = None
        referral.apply(
            {
                "checked_back_at": when,
                "got_service": got_service,
                "barrier": barrier,
                "barrier_note": note,
            }
        )
        if got_service and referral.status in OPEN_STATUSES:
            referral.apply({"status": "completed", "status_reason": "", "status_at": when})
            _event(session, referral, "completed", "The patient got the service (check-back)", when)
        session.add(referral)
        suggestion = barrier_suggestion(referral, _to_text(session, referral))
        return CheckBack(referral, follow_up, contact, suggestion)


ATTEMPT_OUTCOMES = ("no-answer", "voicemail", "wrong-number")


def check_back_attempt(
    vault: Vault,
    referral_id: uuid.UUID,
    *,
    outcome: str = "no-answer",
    retry_at: datetime,
    at: datetime | None = None,
) -> FollowUp:
    """A check-back call that reached no one: log the attempt (2 minutes) and move the
    check-back to ``retry_at``, in one transaction. Returns the moved follow-up."""
    from carenav.services.contacts import _clean_contact

    if outcome not in ATTEMPT_OUTCOMES:
        raise InvalidInput({"outcome": f"Choose what happened: {', '.join(ATTEMPT_OUTCOMES)}."})
    when = _when(at)
    try:
        retry = _aware(retry_at, "When to try again")
    except ValueError as exc:
        raise InvalidInput({"retry_at": str(exc)}) from None
    if retry <= when:
        raise InvalidInput({"retry_at": "Try again later than this call; choose a later time."})
    values = _clean_contact(
        {
            "occurred_at": when,
            "kind": "phone",
            "outcome": outcome,
            "minutes": 2,
            "notes": "Referral check-back attempt",
        },
        creating=True,
    )
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        follow_up = (
            session.get(FollowUp, referral.check_back_id) if referral.check_back_id else None
        )
        if follow_up is None or follow_up.status != "scheduled":
            raise InvalidInput(
                {"status": "This referral has no check-back scheduled; record the answer instead."}
            )
        session.add(Contact(patient_id=referral.patient_id, author=vault.audit.user, **values))
        follow_up.apply({"due_at": retry})
        session.add(follow_up)
        return follow_up


def add_barrier_need(vault: Vault, referral_id: uuid.UUID) -> PlanNeed:
    """Put the barrier recorded at the check-back into the patient's current care plan as
    a need (domain transportation, financial, health-care-access or other), with the
    check-back as its evidence. Refused without a barrier, twice, or without a plan."""
    from carenav.services import care_plans

    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        to = _to_text(session, referral)
        plan = care_plans._current(session, referral.patient_id)
    suggestion = barrier_suggestion(referral, to)
    if suggestion is None:
        raise InvalidInput({"barrier": "No barrier was recorded at the check-back."})
    if referral.barrier_need_id is not None:
        raise InvalidInput({"barrier": "This barrier is already a need in the care plan."})
    if plan is None:
        raise InvalidInput(
            {"plan": "This patient has no care plan in use. Start a care plan, then add the need."}
        )
    source = "social" if suggestion.domain in care_plans.SOCIAL_DOMAINS else "care-manager"
    need = care_plans.add_need(
        vault,
        plan.id,
        {
            "text": suggestion.text,
            "domain": suggestion.domain,
            "source": source,
            "evidence": suggestion.evidence,
        },
    )
    with vault.session() as session:
        referral = _live_referral(session, referral_id)
        referral.apply({"barrier_need_id": need.id})
        session.add(referral)
    return need


# -- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralView:
    """A referral with whom it goes to and its dated history, oldest first."""

    referral: Referral
    to: str  # "Organisation: service", or the provider's name
    history: list[ReferralEvent]
    check_back: FollowUp | None

    @property
    def is_open(self) -> bool:
        return self.referral.status in OPEN_STATUSES

    def as_json(self) -> dict[str, object]:
        r = self.referral
        return {
            "id": str(r.id),
            "patient": str(r.patient_id),
            "to": self.to,
            "service_id": str(r.service_id) if r.service_id else None,
            "provider_kind": r.provider_kind,
            "category": r.category,
            "need_id": str(r.need_id) if r.need_id else None,
            "goal_id": str(r.goal_id) if r.goal_id else None,
            "intervention_id": str(r.intervention_id) if r.intervention_id else None,
            "reason": r.reason,
            "urgency": r.urgency,
            "sent_via": r.sent_via or None,
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            "status": r.status,
            "status_reason": r.status_reason,
            "status_at": r.status_at.isoformat(),
            "appointment_at": r.appointment_at.isoformat() if r.appointment_at else None,
            "reference_code": r.reference_code,
            "check_back_due": (
                self.check_back.due_at.isoformat()
                if self.check_back and self.check_back.status == "scheduled"
                else None
            ),
            "got_service": r.got_service,
            "barrier": r.barrier or None,
            "history": [
                {"at": e.at.isoformat(), "status": e.status, "reason": e.reason}
                for e in self.history
            ],
        }


def _views(session: Session, referrals: Sequence[Referral]) -> list[ReferralView]:
    ids = [r.id for r in referrals]
    events: dict[uuid.UUID, list[ReferralEvent]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        statement = (
            select(ReferralEvent)
            .where(
                col(ReferralEvent.referral_id).in_(chunk), col(ReferralEvent.deleted_at).is_(None)
            )
            .order_by(col(ReferralEvent.at), col(ReferralEvent.created_at))
        )
        for event in session.exec(statement).all():
            events[event.referral_id].append(event)
    known = _lookups(session, referrals)
    return [ReferralView(r, known.to(r), events[r.id], known.check_back(r)) for r in referrals]


def referrals_for(
    vault: Vault, patient_id: uuid.UUID, *, open_only: bool = False
) -> list[ReferralView]:
    """The patient's referrals, newest first, each with its history."""
    statement = select(Referral).where(
        Referral.patient_id == patient_id, col(Referral.deleted_at).is_(None)
    )
    if open_only:
        statement = statement.where(col(Referral.status).in_(sorted(OPEN_STATUSES)))
    statement = statement.order_by(col(Referral.created_at).desc())
    with vault.session() as session:
        return _views(session, list(session.exec(statement).all()))


def all_referrals(vault: Vault, *, open_only: bool = False) -> list[ReferralView]:
    """Every referral of the agency (the command line's list), newest first."""
    statement = select(Referral).where(col(Referral.deleted_at).is_(None))
    if open_only:
        statement = statement.where(col(Referral.status).in_(sorted(OPEN_STATUSES)))
    statement = statement.order_by(col(Referral.created_at).desc())
    with vault.session() as session:
        return _views(session, list(session.exec(statement).all()))


def referral_of_follow_up(vault: Vault, follow_up_id: uuid.UUID) -> uuid.UUID | None:
    """The referral a follow-up checks back on (None: an ordinary follow-up), so the Today
    list can open the check-back rather than the quick log."""
    with vault.session() as session:
        follow_up = session.get(FollowUp, follow_up_id)
        return follow_up.referral_id if follow_up is not None else None


def get_referral(vault: Vault, referral_id: uuid.UUID) -> ReferralView:
    with vault.session() as session:
        return _views(session, [_live_referral(session, referral_id)])[0]


@dataclass(frozen=True)
class OpenReferral:
    """A row of the agency-wide list of open referrals."""

    referral_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    to: str
    category: str
    urgency: str
    status: str
    status_at: datetime
    sent_at: datetime | None
    age_days: int  # since sent (a draft: since written)
    days_in_status: int
    check_back_due: datetime | None
    check_back_overdue: bool


def open_referrals(
    vault: Vault, today: date | None = None, *, statuses: Sequence[str] | None = None
) -> list[OpenReferral]:
    """Open referrals of every patient still on the caseload, oldest first (then by
    status), with their age in days and the check-back due."""
    from carenav.services.patients import name_text

    today = today or date.today()
    wanted = sorted(set(statuses) & OPEN_STATUSES if statuses else OPEN_STATUSES)
    # the columns the list shows, in one query (whole records cost 300 ms at 3,000)
    statement = (
        sa_select(
            col(Referral.id),
            col(Referral.patient_id),
            col(Referral.provider_name),
            col(Referral.category),
            col(Referral.urgency),
            col(Referral.status),
            col(Referral.status_at),
            col(Referral.sent_at),
            col(Referral.created_at),
            col(Patient.family_name),
            col(Patient.given_name),
            col(Patient.preferred_name),
            col(Organisation.name),
            col(HealthcareService.name),
            col(FollowUp.due_at),
            col(FollowUp.status),
        )
        .join(Patient, col(Patient.id) == col(Referral.patient_id))
        .outerjoin(HealthcareService, col(HealthcareService.id) == col(Referral.service_id))
        .outerjoin(Organisation, col(Organisation.id) == col(HealthcareService.organisation_id))
        .outerjoin(FollowUp, col(FollowUp.id) == col(Referral.check_back_id))
        .where(
            col(Referral.status).in_(wanted),
            col(Referral.deleted_at).is_(None),
            col(Patient.deleted_at).is_(None),
        )
    )
    start_of_today = datetime.combine(today, time()).astimezone().astimezone(UTC)
    rows: list[OpenReferral] = []
    with vault.engine.connect() as conn:
        found = conn.execute(statement).all()
    for (
        referral_id,
        patient_id,
        provider,
        category,
        urgency,
        status,
        status_at,
        sent_at,
        created_at,
        family,
        given,
        preferred,
        organisation,
        service,
        due_at,
        follow_up_status,
    ) in found:
        due = due_at if follow_up_status == "scheduled" else None
        since = sent_at or created_at
        rows.append(
            OpenReferral(
                referral_id=referral_id,
                patient_id=patient_id,
                patient_name=name_text(family, given, preferred),
                to=f"{organisation}: {service}" if service else (provider or "the service"),
                category=category,
                urgency=urgency,
                status=status,
                status_at=status_at,
                sent_at=sent_at,
                age_days=max((today - since.astimezone().date()).days, 0),
                days_in_status=max((today - status_at.astimezone().date()).days, 0),
                check_back_due=due,
                check_back_overdue=due is not None and due < start_of_today,
            )
        )
    order = {s: i for i, s in enumerate(STATUSES)}
    rows.sort(key=lambda r: (-r.age_days, order[r.status], str(r.referral_id)))
    return rows


# -- authorisations --------------------------------------------------------------------------


def _units(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        units = int(str(value).strip())
    except ValueError:
        raise ValueError("Units must be a whole number, for example 12.") from None
    if not 0 <= units <= 100_000:
        raise ValueError("Units must be between 0 and 100,000.")
    return units


def _clean_authorisation(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(values)
    if creating and "service" not in values:
        c.errors["service"] = "Say which service needs the authorisation."
    c.text("service", label="Service", required=True)
    c.text("payer", label="Payer")
    c.text("number", label="Authorisation number", max_len=60)
    c.code("status", label="Status", choices=AUTHORISATION_STATUSES)
    c.date("requested_on", label="Date requested", not_future=True)
    c.date("approved_on", label="Date approved", not_future=True)
    c.date("denied_on", label="Date denied", not_future=True)
    c._run("units", _units)
    c.text("unit_label", label="Unit", max_len=40)
    c.date("starts_on", label="Start date")
    c.date("expires_on", label="Expiry date")
    c.text("denial_reason", label="Reason for denial", max_len=500)
    c.text("alternative", label="Alternative proposed", max_len=1000)
    c.text("notes", label="Notes", max_len=2000)
    c._run("referral_id", _uuid_or_none)
    return c.done()


def _check_authorisation(auth: Authorization) -> None:
    errors: dict[str, str] = {}
    if auth.status == "approved" and auth.approved_on is None:
        errors["approved_on"] = "Give the date it was approved (YYYY-MM-DD)."
    if auth.status == "denied":
        if auth.denied_on is None:
            errors["denied_on"] = "Give the date it was denied (YYYY-MM-DD)."
        if not auth.alternative:
            errors["alternative"] = (
                "Write the alternative proposed to the patient (another service, an appeal "
                "filed), or 'none yet'."
            )
    if auth.expires_on and auth.starts_on and auth.expires_on < auth.starts_on:
        errors["expires_on"] = "The expiry date is before the start date; check both."
    if errors:
        raise InvalidInput(errors)


def add_authorisation(
    vault: Vault, patient_id: uuid.UUID, values: Mapping[str, Any]
) -> Authorization:
    """Record an authorisation: ``service`` required; ``payer``, ``number``, ``status``
    (requested, approved, denied), dates requested / approved / denied, ``units`` and
    ``unit_label``, ``starts_on`` / ``expires_on``, and for a denial the
    ``denial_reason`` and the ``alternative`` proposed; optional ``referral_id``."""
    cleaned = _clean_authorisation(values, creating=True)
    with vault.session() as session:
        _live_patient(session, patient_id)
        _check_referral_link(session, patient_id, cleaned.get("referral_id"))
        auth = Authorization(patient_id=patient_id, **cleaned)
        _check_authorisation(auth)
        session.add(auth)
        session.flush()
        return auth


def _check_referral_link(
    session: Session, patient_id: uuid.UUID, referral_id: uuid.UUID | None
) -> None:
    if referral_id is None:
        return
    referral = session.get(Referral, referral_id)
    if referral is None or referral.deleted_at is not None or referral.patient_id != patient_id:
        raise InvalidInput({"referral_id": "Choose one of this patient's referrals."})


def update_authorisation(
    vault: Vault, authorisation_id: uuid.UUID, changes: Mapping[str, Any]
) -> Authorization:
    """Change an authorisation (e.g. record the approval or the denial)."""
    cleaned = _clean_authorisation(changes, creating=False)
    with vault.session() as session:
        auth = session.get(Authorization, authorisation_id)
        if auth is None or auth.deleted_at is not None:
            raise RecordNotFound("authorisation")
        _check_referral_link(session, auth.patient_id, cleaned.get("referral_id"))
        before = auth.model_dump()
        auth.apply(cleaned)
        try:
            _check_authorisation(auth)
        except InvalidInput:
            for name, value in before.items():
                setattr(auth, name, value)
            session.expunge(auth)
            raise
        session.add(auth)
        return auth


def advocacy_from_denial(
    vault: Vault,
    authorisation_id: uuid.UUID,
    *,
    appeal_steps: str = "",
    appeal_deadline: date | None = None,
) -> AdvocacyRecord:
    """Record a denied authorisation in the patient's current care plan as advocacy (the
    plan's "denied services" with the appeal): the service, payer, date, reason and the
    alternative proposed, linked back to the authorisation and to the need its referral
    serves. Refused unless denied, twice, or without a plan in use."""
    from carenav.services import care_plans

    with vault.session() as session:
        auth = session.get(Authorization, authorisation_id)
        if auth is None or auth.deleted_at is not None:
            raise RecordNotFound("authorisation")
        if auth.status != "denied":
            raise InvalidInput({"status": "Only a denied authorisation is recorded as advocacy."})
        already = session.exec(
            select(AdvocacyRecord).where(
                AdvocacyRecord.authorization_id == authorisation_id,
                col(AdvocacyRecord.deleted_at).is_(None),
            )
        ).first()
        if already is not None:
            raise InvalidInput({"status": "This denial is already in the care plan's advocacy."})
        plan = care_plans._current(session, auth.patient_id)
        referral = session.get(Referral, auth.referral_id) if auth.referral_id else None
        need_id = referral.need_id if referral is not None else None
        if need_id is not None:
            need = session.get(PlanNeed, need_id)
            if (
                need is None
                or need.deleted_at is not None
                or plan is None
                or need.plan_id != plan.id
            ):
                need_id = None
    if plan is None:
        raise InvalidInput(
            {"plan": "This patient has no care plan in use. Start a care plan, then record it."}
        )
    record = care_plans.add_advocacy(
        vault,
        plan.id,
        {
            "service": auth.service,
            "payer": auth.payer,
            "denied_on": auth.denied_on,
            "reason_given": auth.denial_reason,
            "alternative": auth.alternative,
            "appeal_steps": appeal_steps,
            "appeal_deadline": appeal_deadline,
        },
        need_id=need_id,
    )
    with vault.session() as session:
        stored = session.get(AdvocacyRecord, record.id)
        assert stored is not None
        stored.apply({"authorization_id": authorisation_id})
        session.add(stored)
        return stored


def authorisation_flags(auth: Authorization, today: date) -> list[str]:
    """'denied'; 'expired' or 'expiring' (approved, expiring within ``EXPIRING_DAYS``)."""
    flags = []
    if auth.status == "denied":
        flags.append("denied")
    if auth.status == "approved" and auth.expires_on is not None:
        if auth.expires_on < today:
            flags.append("expired")
        elif auth.expires_on <= today + timedelta(days=EXPIRING_DAYS):
            flags.append("expiring")
    return flags


@dataclass(frozen=True)
class AuthorisationView:
    authorisation: Authorization
    flags: list[str] = field(default_factory=list)
    days_left: int | None = None  # until expiry, for an approved one with an expiry date

    def as_json(self) -> dict[str, object]:
        a = self.authorisation

        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": str(a.id),
            "patient": str(a.patient_id),
            "service": a.service,
            "payer": a.payer,
            "number": a.number,
            "status": a.status,
            "requested_on": day(a.requested_on),
            "approved_on": day(a.approved_on),
            "denied_on": day(a.denied_on),
            "units": a.units,
            "unit_label": a.unit_label,
            "expires_on": day(a.expires_on),
            "alternative": a.alternative,
            "flags": self.flags,
        }


def _auth_view(auth: Authorization, today: date) -> AuthorisationView:
    left = (
        (auth.expires_on - today).days
        if auth.status == "approved" and auth.expires_on is not None
        else None
    )
    return AuthorisationView(auth, authorisation_flags(auth, today), left)


def authorisations_for(
    vault: Vault, patient_id: uuid.UUID, today: date | None = None
) -> list[AuthorisationView]:
    """The patient's authorisations with their flags, soonest expiry first."""
    today = today or date.today()
    statement = select(Authorization).where(
        Authorization.patient_id == patient_id, col(Authorization.deleted_at).is_(None)
    )
    with vault.session() as session:
        auths = list(session.exec(statement).all())
    auths.sort(key=lambda a: (a.expires_on or date.max, a.created_at))
    return [_auth_view(a, today) for a in auths]


def flagged_authorisations(vault: Vault, today: date | None = None) -> list[AuthorisationView]:
    """Every patient's denied, expired or soon-expiring authorisations (agency-wide),
    expiring soonest first, then denied."""
    today = today or date.today()
    horizon = today + timedelta(days=EXPIRING_DAYS)
    statement = (
        select(Authorization)
        .join(Patient, col(Patient.id) == col(Authorization.patient_id))
        .where(
            col(Authorization.deleted_at).is_(None),
            col(Patient.deleted_at).is_(None),
            (col(Authorization.status) == "denied")
            | (
                (col(Authorization.status) == "approved")
                & (col(Authorization.expires_on) <= horizon)
            ),
        )
    )
    with vault.session() as session:
        auths = list(session.exec(statement).all())
    views = [_auth_view(a, today) for a in auths]
    views.sort(
        key=lambda v: (v.days_left if v.days_left is not None else 10**6, str(v.authorisation.id))
    )
    return views
