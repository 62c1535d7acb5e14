"""The audit trail (FHIR AuditEvent) and encrypted drafts of unsaved forms."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from carenav.models.base import Record, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One row per audited action. Append-only: a trigger refuses UPDATE and DELETE.

    Holds no patient values: only what happened, to which kind of record and
    its id, by which local user, and when. ``mac`` chains each row to the one
    before it (HMAC keyed from the vault key), so a changed, removed or
    reordered row breaks the chain.
    """

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    user: str = Field(max_length=100)
    action: str = Field(max_length=40, index=True)
    record_type: str = Field(default="", max_length=40)
    record_id: str = Field(default="", max_length=32)
    outcome: str = Field(default="success", max_length=20)
    detail: str = Field(default="", max_length=200)
    prev_mac: str = Field(max_length=64)
    mac: str = Field(max_length=64)


class Draft(Record, table=True):
    """What was typed in an unsaved form when the vault locked (kept encrypted)."""

    form: str = Field(max_length=60)
    patient_id: uuid.UUID | None = Field(default=None, index=True)
    record_id: uuid.UUID | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
