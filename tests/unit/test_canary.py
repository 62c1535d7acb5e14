"""Canary sweep: a marker typed into every text field never shows up outside the
encrypted vault - not in any file, file name, temp file, setting, log or output."""

from __future__ import annotations

import base64
import logging
import uuid
from pathlib import Path

import pytest
from phi_fields import CHART_PHONE_FIELDS, CHART_TEXT_FIELDS, PATIENT_TEXT_FIELDS

from carenav.errors import WrongPassphrase
from carenav.models import (
    AllergyIntolerance,
    CaseNote,
)
from carenav.services.chart import (
    add_chart_record,
    load_chart,
    remove_chart_record,
    update_chart_record,
)
from carenav.services.patients import (
    CaseloadQuery,
    caseload_rows,
    create_patient,
    get_patient,
    list_patients,
    search_patient_ids,
    update_patient,
)
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
SQLITE_MAGIC = b"SQLite format 3\x00"


def encodings(text: str) -> list[bytes]:
    """The marker as UTF-8, UTF-16-LE and base64 (at each of the three alignments)."""
    forms = [text.encode(), text.encode("utf-16-le")]
    for raw in (text.encode(), text.encode("utf-16-le")):
        for shift in range(3):
            encoded = base64.b64encode(b"\x00" * shift + raw)
            # drop the characters that mix in neighbouring bytes
            forms.append(encoded[4 if shift else 0 : -4])
    return forms


def needles(marker: str, phone_digits: str) -> list[bytes]:
    found: list[bytes] = []
    for text in (marker, marker.lower(), marker.upper(), phone_digits):
        found += encodings(text)
    return found


def hits_in_files(root: Path, wanted: list[bytes]) -> list[str]:
    hits = []
    for path in sorted(root.rglob("*")):
        hits += [f"file name {path}" for n in wanted if n.decode("latin-1") in str(path)]
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}: {n[:12]!r}" for n in wanted if n in data]
    return hits


def fill_every_field(vault: Vault, marker: str, phone: str) -> uuid.UUID:
    values: dict[str, object] = {name: f"{marker}" for name in PATIENT_TEXT_FIELDS}
    values.update(
        birth_date="1944-02-29",
        phone_home=phone,
        phone_mobile=phone,
        programs=["ccm"],
        consent_date="2024-01-05",
        consent_method="verbal",
    )
    patient_id = create_patient(vault, values)
    for kind, fields in CHART_TEXT_FIELDS.items():
        record: dict[str, object] = {name: marker for name in fields}
        record.update({name: phone for name in CHART_PHONE_FIELDS.get(kind, ())})
        add_chart_record(vault, kind, patient_id, record)
    return patient_id


def use_the_caseload(vault: Vault, patient_id: uuid.UUID, marker: str, phone: str) -> None:
    assert search_patient_ids(vault, CaseloadQuery(text=marker)) == [patient_id]
    assert search_patient_ids(vault, CaseloadQuery(text=marker.lower()[:12])) == [patient_id]
    assert search_patient_ids(vault, CaseloadQuery(text=phone)) == [patient_id]
    assert caseload_rows(vault, [patient_id])[patient_id].city == marker
    update_patient(vault, patient_id, {"visit_notes": f"{marker} dog in the yard"})
    chart = load_chart(vault, patient_id)
    update_chart_record(vault, CaseNote, chart.notes[0].id, {"text": f"{marker} revisited"})
    remove_chart_record(vault, AllergyIntolerance, chart.allergies[0].id)
    assert get_patient(vault, patient_id).visit_notes.startswith(marker)
    assert [p.id for p in list_patients(vault)] == [patient_id]


def test_marker_never_leaves_the_encrypted_vault(
    tmp_path: Path,
    vault_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every SQL statement
    marker = "ZQXCANARY" + uuid.uuid4().hex[:10].upper()
    phone = "555" + str(uuid.uuid4().int)[:7]
    wanted = needles(marker, phone)

    vault, _code = Vault.create(vault_path, PASSPHRASE, kdf=CHEAP_KDF)
    patient_id = fill_every_field(vault, marker, phone)
    use_the_caseload(vault, patient_id, marker, phone)

    # while the vault is open the newest pages live in the write-ahead log
    wal = Path(f"{vault_path}-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert not wal.read_bytes().startswith(SQLITE_MAGIC)
    assert hits_in_files(tmp_path, wanted) == []

    assert vault.check().sound
    vault.close()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, "not the right passphrase")
    with Vault.unlock(vault_path, PASSPHRASE) as again:
        assert load_chart(again, patient_id).patient.family_name == marker
        assert len(load_chart(again, patient_id).medications) == 1

    assert not vault_path.read_bytes().startswith(SQLITE_MAGIC)
    assert not wal.exists() or not wal.read_bytes().startswith(SQLITE_MAGIC)
    assert hits_in_files(tmp_path, wanted) == []  # vault folder, HOME, XDG dirs, TMPDIR

    assert "INSERT INTO patient" in caplog.text  # statements were logged...
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert [n for n in wanted if n.decode("latin-1") in logged] == []  # ...never values
    out, err = capfd.readouterr()
    assert [n for n in wanted if n.decode("latin-1") in out + err] == []


def test_the_sweep_finds_a_marker_that_does_leak(tmp_path: Path) -> None:
    """The detector itself must work, or the sweep above proves nothing."""
    marker = "ZQXCANARY" + uuid.uuid4().hex[:10].upper()
    wanted = needles(marker, "5550001111")
    folder = tmp_path / "leaks"
    folder.mkdir()
    (folder / "plain.txt").write_text(f"note: {marker}")
    (folder / "wide.bin").write_bytes(b"\xff" + f"x{marker.lower()}".encode("utf-16-le"))
    for shift in range(3):
        payload = b"ab"[:shift] + marker.encode() + b"tail"
        (folder / f"b64-{shift}.txt").write_bytes(base64.b64encode(payload))
    hits = hits_in_files(folder, wanted)
    assert {h.split(":")[0] for h in hits} == {
        "plain.txt",
        "wide.bin",
        "b64-0.txt",
        "b64-1.txt",
        "b64-2.txt",
    }
