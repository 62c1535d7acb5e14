"""The demo's coordination data: a fictional directory, referrals in every state with a
history that reads in order, check-backs, and flagged authorisations; deterministic."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlmodel import col, select

from carenav.models import Authorization, FollowUp, Organisation, Referral
from carenav.services import demo, directory, referrals
from carenav.services.worklist import worklist
from carenav.store.vault import Vault

FICTIONAL_PHONE = re.compile(r"^\(555\) 0\d\d-\d{4}$")


def test_the_demo_fills_a_directory_and_referrals_in_every_state(vault: Vault) -> None:
    demo.fill_demo_caseload(vault, patients=200, seed=3)
    with vault.session() as session:
        organisations = list(session.exec(select(Organisation)).all())
        refs = list(session.exec(select(Referral)).all())
        auths = list(session.exec(select(Authorization)).all())
        check_backs = list(
            session.exec(select(FollowUp).where(col(FollowUp.referral_id).is_not(None))).all()
        )
    assert len(organisations) == 40
    assert all(FICTIONAL_PHONE.match(o.phone) for o in organisations)
    assert all(o.website.endswith(".example") for o in organisations)
    views = directory.search_services(vault, limit=None)
    assert len(views) >= 60
    assert {c for v in views for c in v.categories} == set(directory.CATEGORIES) - {"other"}
    assert {"English", "Spanish", "Vietnamese", "Haitian Creole"} <= set(
        directory.languages_in_use(vault)
    )
    assert directory.search_services(vault, "pantry", category="food", language="spanish")

    assert set(Counter(r.status for r in refs)) == set(referrals.STATUSES)
    assert any(r.service_id for r in refs) and any(r.provider_name for r in refs)
    assert any(r.need_id for r in refs)
    assert any(r.barrier for r in refs) and any(r.got_service for r in refs)
    for view in referrals.all_referrals(vault):
        moments = [e.at for e in view.history]
        assert moments == sorted(moments)
        assert view.history[-1].status == view.referral.status
        if view.referral.status in referrals.REASON_REQUIRED:
            assert view.referral.status_reason and view.history[-1].reason
    assert {f.status for f in check_backs} == {"scheduled", "completed", "cancelled"}
    assert {a.status for a in auths} >= {"approved", "denied"}
    flags = {f for v in referrals.flagged_authorisations(vault) for f in v.flags}
    assert {"denied", "expiring"} <= flags
    assert all(a.alternative for a in auths if a.status == "denied")
    # some check-backs are due within the coming week, on the worklist that day
    due = [f for f in check_backs if f.status == "scheduled"]
    day = min(f.due_at for f in due).astimezone().date()
    listed = {i.record_id for i in worklist(vault, max(day, date.today()))}
    assert any(f.id in listed for f in due)
    assert referrals.open_referrals(vault, date.today() + timedelta(days=1))


def test_the_demo_coordination_is_the_same_for_the_same_seed(
    vault: Vault, tmp_path: object
) -> None:
    from pathlib import Path

    from carenav.store.header import KdfParams

    demo.fill_demo_caseload(vault, patients=60, seed=5)
    assert isinstance(tmp_path, Path)
    other, _code = Vault.create(
        tmp_path / "again" / "v.cnv",
        "correct horse battery staple",
        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    try:
        demo.fill_demo_caseload(other, patients=60, seed=5)
        assert directory.directory_csv(other) == directory.directory_csv(vault)

        def summary(v: Vault) -> list[tuple[str, str, str, str]]:
            return sorted(
                (str(r.referral.id), r.referral.status, r.referral.reference_code, r.to)
                for r in referrals.all_referrals(v)
            )

        assert summary(other) == summary(vault)
    finally:
        other.close()
