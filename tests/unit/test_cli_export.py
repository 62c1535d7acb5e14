"""carenav export-plan and visit-packet on a demo caseload in a real vault."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlmodel import col, select

from carenav import cli
from carenav.models import AuditEvent, CarePlan, FollowUp, Patient
from carenav.services.demo import fill_demo_caseload
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    code = cli.main([*argv, "--passphrase-stdin"])
    out, err = capsys.readouterr()
    return code, out, err


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


@pytest.fixture
def demo(vault_path: Path) -> tuple[Path, str, str, date]:
    """A demo caseload: a patient with a published plan, their name, and a day of visits."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    fill_demo_caseload(vault, patients=12, seed=1)
    with vault.session() as session:
        plan = session.exec(
            select(CarePlan).where(CarePlan.published_version > 1).order_by(col(CarePlan.id))
        ).first()
        assert plan is not None
        patient = session.get(Patient, plan.patient_id)
        assert patient is not None
        visit = session.exec(
            select(FollowUp)
            .where(FollowUp.kind == "home-visit", FollowUp.status == "scheduled")
            .order_by(col(FollowUp.due_at))
        ).first()
        assert visit is not None
        day = visit.due_at.astimezone().date()
        name = patient.family_name
        patient_id = str(plan.patient_id)
    vault.close()
    return vault_path, patient_id, name, day


def exports(vault_path: Path) -> list[AuditEvent]:
    with Vault.unlock(vault_path, PASSPHRASE) as vault, vault.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all())


def test_export_plan_writes_the_pdf_and_says_it_leaves_the_vault(
    demo: tuple[Path, str, str, date],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault_path, patient_id, family_name, _day = demo
    out = tmp_path / "plan.pdf"
    code, _out, err = run(
        monkeypatch, capsys, "export-plan", "--vault", str(vault_path), "--patient", patient_id,
        "--out", str(out), "--large-print", "--lang", "es", "--version", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "not encrypted" in err and family_name not in err
    text = text_of(out)
    assert "Mi plan de cuidado" in text and "Versión 1" in text
    assert family_name in text
    events = exports(vault_path)
    assert len(events) == 1 and events[0].record_type == "care_plan"
    assert family_name not in events[0].detail


def test_export_plan_clinician_summary_and_the_draft(
    demo: tuple[Path, str, str, date],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault_path, patient_id, _name, _day = demo
    out = tmp_path / "summary.pdf"
    code, _out, err = run(
        monkeypatch, capsys, "export-plan", "--vault", str(vault_path), "--patient", patient_id,
        "--out", str(out), "--clinician", "--version", "0",
    )  # fmt: skip
    assert code == 0, err
    text = text_of(out)
    assert "Comprehensive care plan elements (CMS)" in text and "DRAFT" in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--lang", "xx"), "--lang"),
        (("--version", "-1"), "--version"),
        (("--version", "99"), "version"),
    ],
)
def test_export_plan_refuses_bad_options(
    demo: tuple[Path, str, str, date],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    field: str,
) -> None:
    vault_path, patient_id, _name, _day = demo
    out = tmp_path / "plan.pdf"
    code, _out, err = run(
        monkeypatch, capsys, "export-plan", "--vault", str(vault_path), "--patient", patient_id,
        "--out", str(out), *args,
    )  # fmt: skip
    assert code == 5 and field in err
    assert not out.exists()


def test_visit_packet_for_a_day(
    demo: tuple[Path, str, str, date],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault_path, _pid, _name, day = demo
    out = tmp_path / "packet.pdf"
    code, _out, err = run(
        monkeypatch, capsys, "visit-packet", "--vault", str(vault_path), "--date", day.isoformat(),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "Home visit" in text_of(out) and "not encrypted" in err
    assert any("packet" in e.detail for e in exports(vault_path))
    empty = date(1999, 1, 1)
    code, _out, err = run(
        monkeypatch, capsys, "visit-packet", "--vault", str(vault_path), "--date",
        empty.isoformat(), "--out", str(tmp_path / "none.pdf"),
    )  # fmt: skip
    assert code == 5 and "No home visits" in err
    spanish = tmp_path / "es.pdf"
    code, _out, err = run(
        monkeypatch, capsys, "visit-packet", "--vault", str(vault_path), "--date", day.isoformat(),
        "--out", str(spanish), "--lang", "es",
    )  # fmt: skip
    assert code == 0, err
    assert "Visita a domicilio" in text_of(spanish)  # every page in Spanish when asked
    code, _out, err = run(
        monkeypatch, capsys, "export-plan", "--vault", str(vault_path), "--patient", _pid,
        "--out", str(tmp_path / "p.pdf"), "--lang", "patient",
    )  # fmt: skip
    assert code == 5 and "--lang" in err  # "each patient" is for packets only
