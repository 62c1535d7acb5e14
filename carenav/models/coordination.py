"""Coordination: the community resource directory, closed-loop referrals and authorisations.

Shaped like FHIR so export is a mapping: an organisation is an Organization, each of its
services a HealthcareService; a referral is a ServiceRequest (its status history the
Task that tracks it); an insurance authorisation is close to a CoverageEligibilityResponse
(prior authorisation). The directory holds no patient information; referrals and
authorisations do, and live in the encrypted vault like every chart record.

Category codes (``carenav.services.directory.CATEGORIES``) are aligned with the
social-needs domains of the assessments and the care plan (food, housing,
transportation, utilities, financial, safety, behavioural health, caregiver, ...), so a
need found by a screener leads to the services that answer it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from carenav.models.base import Record, UTCDateTime
from carenav.models.patient import patient_fk


def _link(table: str) -> Any:
    """An optional link to a record that may be removed later (the link is then cleared)."""
    return Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey(f"{table}.id", ondelete="SET NULL"), nullable=True),
    )


def _parent(table: str) -> Any:
    return Field(
        sa_column=Column(
            Uuid, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class Organisation(Record, table=True):
    """An agency, clinic or programme in the resource directory (FHIR Organization)."""

    __tablename__ = "organisation"
    name: str = Field(max_length=200, index=True)
    phone: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=200)
    address_line: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=40)
    postal_code: str = Field(default="", max_length=20)


class HealthcareService(Record, table=True):
    """One service an organisation offers (FHIR HealthcareService).

    ``categories`` are directory category codes; ``languages`` the languages the service
    is offered in, as written ("English", "Spanish"). ``search_text``, ``category_keys``
    and ``language_keys`` are kept by the directory service for fast search: lower-cased,
    accent-free text of the names, categories and details, and ``|food|housing|``-style
    keys for exact filters.
    """

    __tablename__ = "healthcare_service"
    organisation_id: uuid.UUID = _parent("organisation")
    name: str = Field(max_length=200)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phone: str = Field(default="", max_length=40)  # a direct line; "" = the organisation's
    hours: str = Field(default="", max_length=300)
    eligibility: str = Field(default="", max_length=1000)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    how_to_refer: str = Field(default="", max_length=1000)
    what_to_bring: str = Field(default="", max_length=1000)
    notes: str = Field(default="", max_length=2000)
    last_verified: date | None = None
    search_text: str = Field(default="", max_length=4000)
    category_keys: str = Field(default="", max_length=600)
    language_keys: str = Field(default="", max_length=600)


class Referral(Record, table=True):
    """A referral for a patient (FHIR ServiceRequest), tracked to its outcome.

    To a directory service (``service_id``, with its ``organisation_id``) or to a provider
    named in ``provider_name`` (a specialist, home health, therapy) of kind
    ``provider_kind``. ``need_id``, ``goal_id`` and ``intervention_id`` say which part of
    the care plan it serves. ``status`` is one of draft, sent, accepted, scheduled,
    completed, declined, no-show, cancelled; each change is a ``ReferralEvent``.
    The check-back (closing the loop) records ``got_service`` and any ``barrier``.
    """

    patient_id: uuid.UUID = patient_fk()
    service_id: uuid.UUID | None = _link("healthcare_service")
    organisation_id: uuid.UUID | None = _link("organisation")
    provider_name: str = Field(default="", max_length=200)
    provider_kind: str = Field(default="community", max_length=20)
    category: str = Field(default="", max_length=40)
    need_id: uuid.UUID | None = _link("plan_need")
    goal_id: uuid.UUID | None = _link("plan_goal")
    intervention_id: uuid.UUID | None = _link("plan_intervention")
    reason: str = Field(default="", max_length=1000)
    urgency: str = Field(default="routine", max_length=10)  # routine, urgent, asap
    sent_via: str = Field(default="", max_length=20)  # fax, phone, portal, paper-slip
    status: str = Field(default="draft", max_length=20, index=True)
    status_reason: str = Field(default="", max_length=500)
    status_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    appointment_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    reference_code: str = Field(default="", max_length=20)
    check_back_id: uuid.UUID | None = None  # the follow-up that closes the loop
    checked_back_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    got_service: bool | None = None
    barrier: str = Field(default="", max_length=20)  # transport, cost, language, ...
    barrier_note: str = Field(default="", max_length=500)
    barrier_need_id: uuid.UUID | None = None  # the plan need the barrier became
    notes: str = Field(default="", max_length=2000)
    author: str = Field(default="", max_length=100)


class ReferralEvent(Record, table=True):
    """One dated status change of a referral, with its reason (the FHIR Task history)."""

    __tablename__ = "referral_event"
    referral_id: uuid.UUID = _parent("referral")
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    author: str = Field(default="", max_length=100)


class Authorization(Record, table=True):
    """An insurance (prior) authorisation the care manager chases.

    ``status``: requested, approved or denied. Approved ones carry the units and the
    expiry; a denied one records the alternative proposed (advocacy).
    """

    patient_id: uuid.UUID = patient_fk()
    referral_id: uuid.UUID | None = _link("referral")
    payer: str = Field(default="", max_length=200)
    service: str = Field(max_length=200)
    number: str = Field(default="", max_length=60)
    status: str = Field(default="requested", max_length=20)
    requested_on: date | None = None
    approved_on: date | None = None
    denied_on: date | None = None
    units: int | None = None
    unit_label: str = Field(default="", max_length=40)  # visits, hours, days, trips
    starts_on: date | None = None
    expires_on: date | None = Field(default=None, index=True)
    denial_reason: str = Field(default="", max_length=500)
    alternative: str = Field(default="", max_length=1000)
    notes: str = Field(default="", max_length=2000)


COORDINATION_RECORD_TYPES: tuple[type[Record], ...] = (
    Organisation,
    HealthcareService,
    Referral,
    ReferralEvent,
    Authorization,
)
