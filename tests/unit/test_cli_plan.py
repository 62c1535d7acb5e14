"""``carenav plan show``: a patient's care plan on the command line, run in-process."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from carenav import cli
from carenav.models import PlanGoal, PlanIntervention
from carenav.services import care_plans as plans
from carenav.services import plan_versions as versions
from carenav.services.audit import AuditFilter, events
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"signature-bytes-never-printed" * 4


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def show(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: Path,
    patient: str,
    *extra: str,
) -> tuple[int, str, str]:
    """``carenav plan show --vault PATH --patient ID [EXTRA] --passphrase-stdin``."""
    return run(
        monkeypatch,
        capsys,
        "plan",
        "show",
        "--vault",
        str(path),
        "--patient",
        patient,
        *extra,
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )


def _patient(vault: Vault, family: str, programs: list[str]) -> uuid.UUID:
    return create_patient(
        vault,
        {
            "family_name": family,
            "given_name": "Grace",
            "birth_date": date(1944, 3, 9),
            "programs": programs,
        },
    )


@pytest.fixture
def planned(vault_path: Path) -> tuple[Path, dict[str, str]]:
    """A CCM patient whose plan has two versions (agreed, one signed on screen), then an
    unpublished change; a patient without a plan; a patient with a draft never published."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    today = date.today()
    patient = _patient(vault, "Okafor", ["ccm"])
    plan = plans.start_plan(vault, patient, {"title": "Care plan"})
    plans.update_plan(
        vault,
        plan.id,
        {
            "expected_outcome": "Fewer hospital stays",
            "prognosis": "Stable with support",
            "medication_management": "Pill organiser filled weekly by her son",
            "community_services": "Meals on wheels ordered",
            "coordination": "Care manager shares the plan with cardiology monthly",
            "next_review": today + timedelta(days=90),
        },
    )
    need = plans.add_need(vault, plan.id, {"text": "Heart failure with fluid build-up"})
    goal = plans.add_goal(
        vault,
        plan.id,
        need.id,
        {
            "text": "Keep my weight steady",
            "measure": "Morning weight",
            "target_value": "no gain over 2 lb a day",
            "target_date": today + timedelta(days=60),
        },
    )
    weigh = plans.add_intervention(
        vault,
        plan.id,
        need.id,
        {"what": "Weigh every morning", "category": "symptom-management", "responsible": "patient"},
        goal_id=goal.id,
    )
    plans.add_intervention(
        vault,
        plan.id,
        need.id,
        {
            "what": "Review weights with cardiology",
            "category": "coordination",
            "responsible": "provider",
            "responsible_name": "Alan Whitaker, MD",
        },
    )
    first = versions.publish(vault, plan.id, change_note="First plan")
    versions.record_agreement(
        vault,
        first.id,
        {
            "agreed_by": "Grace Okafor",
            "agreed_on": today,
            "method": "verbal",
            "copy_given_on": today,
            "copy_method": "mailed",
        },
    )
    plans.update_item(vault, PlanGoal, goal.id, {"target_value": "no gain over 3 lb"})
    plans.update_item(vault, PlanIntervention, weigh.id, {"status": "completed"})
    second = versions.publish(vault, plan.id, change_note="Target eased")
    versions.record_agreement(
        vault,
        second.id,
        {
            "agreed_by": "Grace Okafor",
            "agreed_on": today,
            "method": "screen",
            "signature_png": SIGNATURE,
        },
    )
    plans.add_need(vault, plan.id, {"text": "Lonely since her sister moved", "domain": "social"})
    no_plan = _patient(vault, "Mensah", [])
    draft_only = _patient(vault, "Haddad", [])
    plans.add_need(vault, plans.start_plan(vault, draft_only).id, {"text": "Falls at home"})
    vault.close()
    return vault_path, {"patient": str(patient), "no_plan": str(no_plan), "draft": str(draft_only)}


def test_the_plan_now_with_its_cms_elements_and_versions(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    code, out, err = show(monkeypatch, capsys, path, ids["patient"], "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert set(shown) >= {"patient", "plan", "needs", "cms", "versions"}
    assert shown["patient"] == ids["patient"]
    plan = shown["plan"]
    assert plan["status"] == "active" and plan["published_version"] == 2
    assert plan["changed_since_publish"] is True
    assert plan["period"]["start"] == date.today().isoformat()
    assert plan["coordination"].startswith("Care manager shares")
    assert plan["next_review"] == (date.today() + timedelta(days=90)).isoformat()
    assert [n["text"] for n in shown["needs"]] == [
        "Heart failure with fluid build-up",
        "Lonely since her sister moved",  # the change not yet published
    ]
    [goal] = shown["needs"][0]["goals"]
    assert goal["target_value"] == "no gain over 3 lb"
    assert [i["responsible_name"] for i in shown["needs"][0]["interventions"]] == [
        "",
        "Alan Whitaker, MD",
    ]
    assert shown["cms"]["required"] is True
    elements = shown["cms"]["elements"]
    assert len(elements) == 9 and all(e["met"] for e in elements), elements
    assert set(elements[0]) == {"code", "label", "met", "exception"}
    assert [(v["number"], v["status"], v["change_note"]) for v in shown["versions"]] == [
        (1, "revised", "First plan"),
        (2, "active", "Target eased"),
    ]
    [verbal] = shown["versions"][0]["agreements"]
    assert verbal == {
        "agreed_by": "Grace Okafor",
        "relationship": "patient",
        "agreed_on": date.today().isoformat(),
        "method": "verbal",
        "signed_on_screen": False,
        "copy_given_on": date.today().isoformat(),
        "copy_method": "mailed",
    }
    [signed] = shown["versions"][1]["agreements"]
    assert signed["signed_on_screen"] is True and signed["copy_given_on"] is None
    assert "signature" not in out.replace("signed_on_screen", "")
    assert "iVBOR" not in out  # no base64 PNG either


def test_a_published_version_shows_what_was_frozen(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    code, out, err = show(monkeypatch, capsys, path, ids["patient"], "--json", "--version", "1")
    assert code == 0, err
    first = json.loads(out)
    assert first["showing"] == "version 1"
    assert first["plan"]["status"] == "revised"
    assert [n["text"] for n in first["needs"]] == ["Heart failure with fluid build-up"]
    goal = first["needs"][0]["goals"][0]
    assert goal["target_value"] == "no gain over 2 lb a day"
    assert first["needs"][0]["interventions"][0]["status"] == "not-started"
    assert len(first["versions"]) == 2  # the list of versions is always the whole list
    _, out, _ = show(monkeypatch, capsys, path, ids["patient"], "--json", "--version", "2")
    second = json.loads(out)
    assert second["plan"]["status"] == "active"
    assert second["needs"][0]["interventions"][0]["status"] == "completed"


def test_an_unknown_version_exits_5_naming_those_that_exist(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    code, out, err = show(monkeypatch, capsys, path, ids["patient"], "--json", "--version", "7")
    assert code == 5 and out == ""
    assert "no version 7" in err and "1, 2" in err
    code, _, err = show(monkeypatch, capsys, path, ids["draft"], "--json", "--version", "1")
    assert code == 5
    assert "not been published" in err
    code, _, err = show(monkeypatch, capsys, path, ids["patient"], "--json", "--version", "0")
    assert code == 5 and "numbered from 1" in err


def test_a_patient_without_a_plan_or_unknown_exits_5(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    code, out, err = show(monkeypatch, capsys, path, ids["no_plan"], "--json")
    assert (code, out) == (5, "")
    assert "has no care plan" in err
    code, _, err = show(monkeypatch, capsys, path, str(uuid.uuid4()), "--json")
    assert code == 5 and "patient no longer exists" in err
    code, _, err = show(monkeypatch, capsys, path, "Okafor", "--json")
    assert code == 5 and "list --json" in err
    assert "Okafor" not in err.replace("'Okafor'", "")  # the message names no patient


def test_the_ids_that_list_prints_are_accepted(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ids = planned
    listing = ("list", "--vault", str(path), "--json", "--passphrase-stdin")
    _, out, _ = run(monkeypatch, capsys, *listing, stdin=PASSPHRASE + "\n")
    listed = {row["family"]: row["id"] for row in json.loads(out)}
    code, out, err = show(monkeypatch, capsys, path, listed["Haddad"], "--json")
    assert code == 0, err
    draft = json.loads(out)
    assert draft["plan"]["status"] == "draft" and draft["versions"] == []
    assert draft["cms"]["required"] is False
    assert [n["text"] for n in draft["needs"]] == ["Falls at home"]
    hex_id = uuid.UUID(listed["Haddad"]).hex
    assert show(monkeypatch, capsys, path, hex_id, "--json")[0] == 0


def test_without_json_a_readable_outline(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    code, out, err = show(monkeypatch, capsys, path, ids["patient"])
    assert code == 0, err
    assert out.startswith("Care plan (as it stands now; active)")
    assert "Published: version 2; changes not yet published" in out
    assert "  1. Heart failure with fluid build-up [Care manager]" in out
    assert "Goal: Keep my weight steady (proposed)" in out
    assert "Review weights with cardiology (Provider: Alan Whitaker, MD; not started)" in out
    assert "[met] Periodic review and revision" in out
    assert "2. " in out and "(active) - Target eased" in out
    assert "signed on screen; no copy given yet" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_showing_a_plan_is_recorded_in_the_audit_trail(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, ids = planned
    assert show(monkeypatch, capsys, path, ids["patient"], "--json")[0] == 0
    with Vault.unlock(path, PASSPHRASE) as vault:
        exported = events(vault, AuditFilter(action="export"))
    assert [(e.record_type, e.detail) for e in exported] == [
        ("care_plan", "care plan printed by the command line")
    ]


def test_usage_errors_exit_2(
    planned: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ids = planned
    assert run(monkeypatch, capsys, "plan")[0] == 2
    assert run(monkeypatch, capsys, "plan", "show", "--vault", str(path))[0] == 2
    assert run(monkeypatch, capsys, "plan", "show", "--patient", "x", "--version", "two")[0] == 2


def test_every_demo_plan_can_be_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.cnv"
    code, _, err = run(
        monkeypatch,
        capsys,
        "demo",
        "--vault",
        str(path),
        "--patients",
        "12",
        "--seed",
        "3",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert code == 0, err
    listing = ("list", "--vault", str(path), "--json", "--passphrase-stdin")
    _, out, _ = run(monkeypatch, capsys, *listing, stdin=PASSPHRASE + "\n")
    shown = []
    for row in json.loads(out):
        code, out, err = show(monkeypatch, capsys, path, row["id"], "--json")
        if code == 5:
            assert "no care plan" in err
            continue
        assert code == 0, err
        document = json.loads(out)
        newest = document["plan"]["published_version"]
        if newest:
            code, out, err = show(monkeypatch, capsys, path, row["id"], "--version", str(newest))
            assert code == 0 and "Versions" in out, err
        shown.append(document)
    assert len(shown) >= 6
    assert any(len(d["versions"]) >= 2 for d in shown)
    assert any(v["agreements"] for d in shown for v in d["versions"])
