"""Encrypted drafts: what was typed in an unsaved form when the vault locked.

Locking must never lose what a care manager typed, and must never stop to ask
a question. So the open forms are saved here, inside the encrypted vault (never
in a file, setting or temporary folder), and offered back the next time the
chart is opened. There is one live draft per form, patient and record: saving
again replaces it. Discarding empties the draft and leaves a tombstone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.models import Draft, utcnow
from carenav.store.vault import Vault

DraftValue = str | bool | list[str]
FORM_NAME_MAX = 60
PAYLOAD_ERROR = "A draft keeps only text, yes/no answers and lists of choices."


def check_payload(payload: Mapping[str, Any]) -> dict[str, DraftValue]:
    """A copy of the payload, or InvalidInput naming the fields a draft cannot keep."""
    bad = {
        str(name): PAYLOAD_ERROR
        for name, value in payload.items()
        if not isinstance(name, str) or not _is_draft_value(value)
    }
    if bad:
        raise InvalidInput(bad)
    return {
        name: list(value) if isinstance(value, list) else value for name, value in payload.items()
    }


def _is_draft_value(value: Any) -> bool:
    if isinstance(value, str | bool):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_form(form: str) -> None:
    if not form or len(form) > FORM_NAME_MAX:
        raise InvalidInput({"form": f"A form name has 1 to {FORM_NAME_MAX} characters."})


def _of_patient(patient_id: uuid.UUID | None) -> Any:
    return col(Draft.patient_id).is_(None) if patient_id is None else Draft.patient_id == patient_id


def _live_draft_of(
    session: Session, form: str, patient_id: uuid.UUID | None, record_id: uuid.UUID | None
) -> Draft | None:
    statement = select(Draft).where(
        Draft.form == form,
        _of_patient(patient_id),
        col(Draft.record_id).is_(None) if record_id is None else Draft.record_id == record_id,
        col(Draft.deleted_at).is_(None),
    )
    return session.exec(statement).first()


def save_draft(
    vault: Vault,
    *,
    form: str,
    patient_id: uuid.UUID | None,
    record_id: uuid.UUID | None,
    payload: Mapping[str, DraftValue],
) -> uuid.UUID:
    """Keep the form's values; replaces the live draft of the same form, patient and record."""
    _check_form(form)
    values = check_payload(payload)
    with vault.session() as session:
        draft = _live_draft_of(session, form, patient_id, record_id)
        if draft is None:
            draft = Draft(form=form, patient_id=patient_id, record_id=record_id, payload=values)
        else:
            draft.payload = values
            draft.touch()
        session.add(draft)
    return draft.id


def merge_into_draft(
    vault: Vault,
    *,
    form: str,
    patient_id: uuid.UUID | None,
    record_id: uuid.UUID | None,
    changes: Mapping[str, Any],
) -> uuid.UUID:
    """Add changed form values to the live draft of this form (or start one).

    Values already kept by an earlier draft that was not restored stay, unless
    the same field was changed again: nothing typed before is lost.
    """
    earlier = next(
        (d for d in drafts_for(vault, patient_id) if d.form == form and d.record_id == record_id),
        None,
    )
    payload = dict(earlier.payload) if earlier is not None else {}
    payload.update(draft_values(changes))
    return save_draft(vault, form=form, patient_id=patient_id, record_id=record_id, payload=payload)


def draft_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values as a draft keeps them: dates and times as ISO text, nothing left out."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, datetime | date):
            kept[name] = value.isoformat()
        elif value is None:
            kept[name] = ""
        elif isinstance(value, tuple):
            kept[name] = list(value)
        else:
            kept[name] = value
    return kept


def drafts_for(vault: Vault, patient_id: uuid.UUID | None) -> list[Draft]:
    """The live drafts of one patient (None: of new patients not yet added), newest first."""
    statement = (
        select(Draft)
        .where(
            col(Draft.patient_id).is_(None)
            if patient_id is None
            else Draft.patient_id == patient_id,
            col(Draft.deleted_at).is_(None),
        )
        .order_by(col(Draft.updated_at).desc(), col(Draft.id))
    )
    with vault.session() as session:
        return list(session.exec(statement).all())


def get_draft(vault: Vault, draft_id: uuid.UUID) -> Draft:
    with vault.session() as session:
        draft = session.get(Draft, draft_id)
        if draft is None or draft.deleted_at is not None:
            raise RecordNotFound("draft")
        return draft


def discard_draft(vault: Vault, draft_id: uuid.UUID) -> bool:
    """Empty the draft and mark it deleted. False if it was already discarded."""
    with vault.session() as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            raise RecordNotFound("draft")
        if draft.deleted_at is not None:
            return False
        draft.payload = {}
        draft.deleted_at = utcnow()
        draft.touch()
        session.add(draft)
    return True


def discard_drafts(vault: Vault, draft_ids: Sequence[uuid.UUID]) -> int:
    """Discard several drafts (e.g. all of one chart); returns how many were live."""
    return sum(1 for draft_id in draft_ids if discard_draft(vault, draft_id))
