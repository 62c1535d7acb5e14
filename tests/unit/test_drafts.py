"""Encrypted drafts of unsaved forms: saved, replaced, listed and discarded in the vault."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from carenav.errors import InvalidInput, RecordNotFound
from carenav.models import Draft
from carenav.services.drafts import (
    discard_draft,
    discard_drafts,
    drafts_for,
    get_draft,
    save_draft,
)
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"  # the conftest vault fixture's
MARKER = "Zqxv-draft-marker-7731"


def _patient(vault: Vault, family: str = "Okafor") -> uuid.UUID:
    return create_patient(
        vault, {"family_name": family, "given_name": "Ada", "birth_date": date(1950, 2, 3)}
    )


def _payload(note: str = MARKER) -> dict[str, Any]:
    return {"visit_notes": note, "interpreter_needed": True, "programs": ["ccm", "tcm"]}


def test_a_saved_draft_comes_back_with_every_value(vault: Vault) -> None:
    patient_id = _patient(vault)
    draft_id = save_draft(
        vault, form="patient", patient_id=patient_id, record_id=None, payload=_payload()
    )
    drafts = drafts_for(vault, patient_id)
    assert [d.id for d in drafts] == [draft_id]
    assert drafts[0].form == "patient"
    assert drafts[0].record_id is None
    assert drafts[0].payload == _payload()


def test_saving_again_replaces_the_live_draft_of_the_same_form(vault: Vault) -> None:
    patient_id = _patient(vault)
    first = save_draft(
        vault, form="patient", patient_id=patient_id, record_id=None, payload=_payload("one")
    )
    second = save_draft(
        vault, form="patient", patient_id=patient_id, record_id=None, payload=_payload("two")
    )
    assert second == first
    drafts = drafts_for(vault, patient_id)
    assert len(drafts) == 1
    assert drafts[0].payload["visit_notes"] == "two"
    assert drafts[0].version == 2


def test_different_forms_and_records_keep_separate_drafts(vault: Vault) -> None:
    patient_id = _patient(vault)
    record_id = uuid.uuid4()
    ids = {
        save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload={}),
        save_draft(
            vault, form="record:Notes", patient_id=patient_id, record_id=None, payload={"a": "1"}
        ),
        save_draft(
            vault,
            form="record:Notes",
            patient_id=patient_id,
            record_id=record_id,
            payload={"a": "2"},
        ),
    }
    assert len(ids) == 3
    assert {d.id for d in drafts_for(vault, patient_id)} == ids


def test_drafts_belong_to_one_patient(vault: Vault) -> None:
    ada, ben = _patient(vault, "Okafor"), _patient(vault, "Lindqvist")
    save_draft(vault, form="patient", patient_id=ada, record_id=None, payload=_payload())
    assert drafts_for(vault, ben) == []
    assert len(drafts_for(vault, ada)) == 1


def test_new_patient_drafts_have_no_patient(vault: Vault) -> None:
    patient_id = _patient(vault)
    save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload={})
    new_id = save_draft(
        vault, form="new_patient", patient_id=None, record_id=None, payload={"family_name": "X"}
    )
    assert [d.id for d in drafts_for(vault, None)] == [new_id]


def test_drafts_are_listed_newest_first(vault: Vault) -> None:
    patient_id = _patient(vault)
    older = save_draft(vault, form="a", patient_id=patient_id, record_id=None, payload={})
    newer = save_draft(vault, form="b", patient_id=patient_id, record_id=None, payload={})
    assert [d.id for d in drafts_for(vault, patient_id)] == [newer, older]
    save_draft(vault, form="a", patient_id=patient_id, record_id=None, payload={"x": "y"})
    assert [d.id for d in drafts_for(vault, patient_id)] == [older, newer]


def test_discard_empties_the_draft_and_leaves_a_tombstone(vault: Vault) -> None:
    patient_id = _patient(vault)
    draft_id = save_draft(
        vault, form="patient", patient_id=patient_id, record_id=None, payload=_payload()
    )
    assert discard_draft(vault, draft_id) is True
    assert drafts_for(vault, patient_id) == []
    with vault.session() as session:
        row = session.exec(select(Draft).where(Draft.id == draft_id)).one()
    assert row.deleted_at is not None
    assert row.payload == {}
    assert discard_draft(vault, draft_id) is False
    with pytest.raises(RecordNotFound):
        get_draft(vault, draft_id)


def test_after_a_discard_a_new_draft_of_the_same_form_is_a_new_row(vault: Vault) -> None:
    patient_id = _patient(vault)
    first = save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload={})
    discard_draft(vault, first)
    second = save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload={})
    assert second != first
    assert [d.id for d in drafts_for(vault, patient_id)] == [second]


def test_discarding_an_unknown_draft_says_it_no_longer_exists(vault: Vault) -> None:
    with pytest.raises(RecordNotFound, match="draft no longer exists"):
        discard_draft(vault, uuid.uuid4())


def test_discard_drafts_counts_the_live_ones(vault: Vault) -> None:
    patient_id = _patient(vault)
    a = save_draft(vault, form="a", patient_id=patient_id, record_id=None, payload={})
    b = save_draft(vault, form="b", patient_id=patient_id, record_id=None, payload={})
    discard_draft(vault, a)
    assert discard_drafts(vault, [a, b]) == 1
    assert drafts_for(vault, patient_id) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"birth_date": date(1950, 1, 1)},
        {"count": 3},
        {"programs": ["ccm", 4]},
        {"nested": {"a": "b"}},
        {"missing": None},
    ],
)
def test_values_a_draft_cannot_keep_are_refused_and_nothing_is_written(
    vault: Vault, payload: dict[str, Any]
) -> None:
    patient_id = _patient(vault)
    with pytest.raises(InvalidInput) as caught:
        save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload=payload)
    assert set(caught.value.errors) == set(payload)
    assert "text, yes/no answers and lists of choices" in str(caught.value)
    assert drafts_for(vault, patient_id) == []


@pytest.mark.parametrize("form", ["", "x" * 61])
def test_a_form_name_must_be_given_and_short(vault: Vault, form: str) -> None:
    with pytest.raises(InvalidInput, match="1 to 60 characters"):
        save_draft(vault, form=form, patient_id=None, record_id=None, payload={})


def test_drafts_survive_lock_and_unlock_and_stay_encrypted(vault: Vault, vault_path: Path) -> None:
    patient_id = _patient(vault)
    save_draft(vault, form="patient", patient_id=patient_id, record_id=None, payload=_payload())
    vault.close()
    folder_bytes = b"".join(p.read_bytes() for p in vault_path.parent.iterdir() if p.is_file())
    assert MARKER.encode() not in folder_bytes
    reopened = Vault.unlock(vault_path, PASSPHRASE)
    try:
        assert drafts_for(reopened, patient_id)[0].payload["visit_notes"] == MARKER
    finally:
        reopened.close()
