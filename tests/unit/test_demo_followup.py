"""The demo caseload's follow-up: contact histories, schedules and open TCM episodes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from carenav.models import CareTransition, Contact, FollowUp
from carenav.services import contacts, demo, transitions
from carenav.services.worklist import worklist
from carenav.store.header import KdfParams
from carenav.store.vault import Vault

CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)

AS_OF = date(2026, 11, 20)


def test_the_demo_logs_contacts_schedules_follow_ups_and_opens_tcm_episodes(
    vault: Vault,
) -> None:
    demo.fill_demo_caseload(vault, patients=80, seed=5, as_of=AS_OF)
    with vault.session() as session:
        logged = list(session.exec(select(Contact)).all())
        scheduled = list(session.exec(select(FollowUp)).all())
        episodes = list(session.exec(select(CareTransition)).all())
    assert len(logged) > 100
    assert {c.outcome for c in logged} >= {"reached", "no-answer"}
    assert all(c.occurred_at <= datetime.now(UTC) for c in logged)
    assert any(c.kind == "home-visit" for c in logged)
    assert scheduled and any(f.recurrence_days for f in scheduled)
    start = datetime.combine(AS_OF, datetime.min.time()).astimezone()
    assert any(f.due_at < start for f in scheduled)  # some are overdue
    assert episodes
    assert all((AS_OF - e.discharge_date).days < 30 for e in episodes)
    month = contacts.ccm_minutes(vault, AS_OF.strftime("%Y-%m"))
    assert any(m.total < 20 for m in month) and any(m.total >= 20 for m in month)
    now = datetime.combine(AS_OF, datetime.min.time()).astimezone() + timedelta(hours=10)
    assert transitions.open_episodes(vault, now=now)
    kinds = {i.kind for i in worklist(vault, AS_OF, now=now)}
    assert {"follow-up", "ccm-minutes"} <= kinds


def test_the_demo_follow_up_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    def rows(path: Path) -> list[tuple[object, ...]]:
        vault, _code = Vault.create(path, "correct horse battery staple", kdf=CHEAP_KDF)
        try:
            demo.fill_demo_caseload(vault, patients=30, seed=4, as_of=AS_OF)
            with vault.session() as session:
                found = [
                    (c.id, c.occurred_at, c.kind, c.outcome, c.minutes)
                    for c in session.exec(select(Contact)).all()
                ]
                found += [
                    (f.id, f.due_at, f.kind, f.purpose)
                    for f in session.exec(select(FollowUp)).all()
                ]
        finally:
            vault.close()
        return sorted(found, key=str)

    assert rows(tmp_path / "a.cnv") == rows(tmp_path / "b.cnv")


def test_heart_failure_calls_carry_check_ins_that_trend(tmp_path: Path) -> None:
    from carenav.models import QuestionnaireResponse
    from carenav.services import assessments
    from carenav.services.demo import fill_demo_caseload

    vault, _ = Vault.create(
        tmp_path / "v.cnv", "correct horse battery staple", kdf=KdfParams(1, 8192, 1)
    )
    try:
        fill_demo_caseload(vault, patients=80, seed=4)
        with vault.session() as session:
            carried = session.exec(
                select(Contact).where(col(Contact.check_in_response_id).is_not(None))
            ).all()
            forms = {
                r.id: r
                for r in session.exec(
                    select(QuestionnaireResponse).where(
                        QuestionnaireResponse.questionnaire == "hf-checkin"
                    )
                ).all()
            }
        assert carried, "no heart-failure call carried a check-in"
        assert {c.check_in_response_id for c in carried} == set(forms)
        for contact in carried:
            form = forms[contact.check_in_response_id]
            assert form.patient_id == contact.patient_id
            assert form.authored_at == contact.occurred_at and contact.outcome == "reached"
        patient = carried[0].patient_id
        series = assessments.score_series(vault, patient, "hf-checkin")
        assert len(series) == sum(1 for c in carried if c.patient_id == patient)
        assert all(point.band in ("green zone", "yellow zone") for point in series)
    finally:
        vault.close()
