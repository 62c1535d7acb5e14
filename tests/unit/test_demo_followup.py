"""The demo caseload's follow-up: contact histories, schedules and open TCM episodes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

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
