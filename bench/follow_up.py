"""Follow-up benchmark at agency scale: the Today list, the month view and the minutes report.

    .venv/bin/python bench/follow_up.py [--patients 10000] [--contacts 200000] [--repeat 10]
                                        [--json FILE]

Builds a temporary encrypted vault (cheap key derivation: unlock is not measured here)
with the demo caseload (``fill_demo_caseload``), then bulk-inserts made-up contacts (one
Core insert per chunk, every column in every row, a seeded random generator) spread over
the last 12 months for patients chosen at random until the contact log holds
``--contacts`` rows, and extra scheduled follow-ups until about 3,000 fall in the coming
30 days. Then it measures, as median and p95 over the repetitions:

* Today: ``worklist(vault, today)``, target under 200 ms;
* the month view: the per-day counts of the current calendar month (the grid's badges)
  and the list of today's follow-ups, as the calendar's month tab loads them, target
  under 100 ms; the whole month as one list (reported); and, when ``CalendarPage`` can
  be shown offscreen, switching it to its month view up to the first paint (reported);
* the monthly minutes report: ``ccm_minutes(vault, month)`` for this month, target 1 s,
  and for the last full month (early in a month the current one holds few contacts).

It prints a table with PASS or FAIL per target and always exits 0: it is a report, not a
test. Every patient is made up; nothing but the temporary vault (deleted at the end) and,
if asked, the JSON file of timings is written.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert
from sqlmodel import col, select

from bench.timing import CHEAP_KDF, PASSPHRASE, ms, repeated, summary
from carenav.models import Patient
from carenav.models.followup import Contact, FollowUp
from carenav.services.contacts import ccm_minutes, follow_up_counts_by_day, follow_ups_between
from carenav.services.demo import fill_demo_caseload, table_of
from carenav.services.worklist import worklist
from carenav.store.vault import Vault

TARGET_TODAY_MS = 200.0
TARGET_MONTH_MS = 100.0
TARGET_MINUTES_MS = 1000.0
COMING_DAYS = 30
CHUNK = 20_000
SEED = 7
PAGE_SIZE = (1280, 800)

KINDS = ("phone", "phone", "phone", "home-visit", "video", "clinic-visit")
WHOM = ("patient", "patient", "caregiver", "care-team")
OUTCOMES = ("reached", "reached", "reached", "no-answer", "voicemail")
PURPOSES = ("Weight and symptom check", "Medication check", "Blood sugar review", "Plan review")


# -- building the vault ---------------------------------------------------------------------


def _record(rng: random.Random, at: datetime) -> dict[str, Any]:
    row_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    return {"id": row_id, "created_at": at, "updated_at": at, "version": 1, "deleted_at": None}


def patient_ids(vault: Vault, *, active_only: bool) -> list[uuid.UUID]:
    statement = select(Patient.id).where(col(Patient.deleted_at).is_(None))
    if active_only:
        statement = statement.where(Patient.status == "active")
    with vault.session() as session:
        return sorted(session.exec(statement).all(), key=str)


def count_rows(vault: Vault, kind: type[Any], *where: Any) -> int:
    with vault.session() as session:
        return int(session.exec(select(func.count()).select_from(kind).where(*where)).one())


def contact_row(rng: random.Random, patient: uuid.UUID, now: datetime) -> dict[str, Any]:
    at = now - timedelta(seconds=rng.randrange(1, 365 * 86400))
    outcome = rng.choice(OUTCOMES)
    reached = outcome == "reached"
    return {
        **_record(rng, at),
        "patient_id": patient,
        "occurred_at": at,
        "kind": rng.choice(KINDS),
        "with_whom": rng.choice(WHOM),
        "with_name": "",
        "direction": "inbound" if rng.random() < 0.2 else "outbound",
        "outcome": outcome,
        "minutes": rng.randint(5, 40) if reached else 2,
        "spent_by": "clinician" if rng.random() < 0.1 else "staff",
        "counts_for_ccm": rng.random() < 0.9,
        "notes": "Made-up contact for the benchmark." if rng.random() < 0.5 else "",
        "goal_ids": [],
        "check_in_response_id": None,
        "follow_up_id": None,
        "episode_id": None,
        "author": "bench",
    }


def follow_up_row(rng: random.Random, patient: uuid.UUID, now: datetime) -> dict[str, Any]:
    # at least an hour ahead and an hour inside the window, so that rounding the time down
    # to a quarter hour keeps it within the coming days (never before now)
    due = now + timedelta(seconds=rng.randrange(3600, COMING_DAYS * 86400 - 3600))
    due = due.replace(minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0)
    return {
        **_record(rng, now - timedelta(days=rng.randint(1, 20))),
        "patient_id": patient,
        "due_at": due,
        "kind": "home-visit" if rng.random() < 0.25 else "phone",
        "purpose": rng.choice(PURPOSES),
        "recurrence_days": rng.choice((None, None, 14, 28)),
        "status": "scheduled",
        "completed_at": None,
        "contact_id": None,
    }


def bulk_insert(
    vault: Vault, kind: type[Any], rows: Callable[[int], list[dict[str, Any]]], count: int
) -> None:
    done = 0
    while done < count:
        step = min(CHUNK, count - done)
        with vault.session() as session:
            session.connection().execute(insert(table_of(kind)), rows(step))
        done += step


def coming_follow_ups(vault: Vault, now: datetime) -> int:
    return len(follow_ups_between(vault, now, now + timedelta(days=COMING_DAYS)))


def build(vault: Vault, patients: int, contacts: int, coming: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    start = time.perf_counter()
    fill_demo_caseload(vault, patients=patients)
    fill_s = time.perf_counter() - start
    now = datetime.now(UTC)
    everyone = patient_ids(vault, active_only=False)
    active = patient_ids(vault, active_only=True) or everyone
    demo_contacts = count_rows(vault, Contact)
    start = time.perf_counter()
    extra = max(contacts - demo_contacts, 0)
    bulk_insert(
        vault,
        Contact,
        lambda n: [contact_row(rng, rng.choice(everyone), now) for _ in range(n)],
        extra,
    )
    demo_coming = coming_follow_ups(vault, now)
    extra_follow_ups = max(coming - demo_coming, 0)
    bulk_insert(
        vault,
        FollowUp,
        lambda n: [follow_up_row(rng, rng.choice(active), now) for _ in range(n)],
        extra_follow_ups,
    )
    return {
        "patients": len(everyone),
        "active_patients": len(active),
        "fill_s": round(fill_s, 1),
        "extra_s": round(time.perf_counter() - start, 1),
        "demo_contacts": demo_contacts,
        "contacts": count_rows(vault, Contact),
        "demo_coming_follow_ups": demo_coming,
        "coming_follow_ups": coming_follow_ups(vault, now),
        "follow_ups": count_rows(vault, FollowUp),
        "vault_mb": round(vault.db_path.stat().st_size / 1e6, 1),
    }


# -- measuring ------------------------------------------------------------------------------


def month_window(today: date) -> tuple[datetime, datetime]:
    """The current calendar month, local midnight to local midnight, as UTC."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, datetime.min.time()).astimezone()
    end = datetime.combine(following, datetime.min.time()).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def measure(vault: Vault, today: date, repeat: int) -> dict[str, Any]:
    # as the app does once its window is up (carenav.ui.app.run_gui): what lives for the
    # whole session is kept out of the garbage collector's full passes
    gc.collect()
    gc.freeze()
    month = today.strftime("%Y-%m")
    start, end = month_window(today)
    results: dict[str, Any] = {}
    items = worklist(vault, today)
    results["today"] = dict(
        summary(repeated(lambda: worklist(vault, today), repeat)), items=len(items)
    )
    # the month view: the grid's per-day badges, then the selected day's list (as
    # CalendarPage._load_month does); the whole month as a list is reported alongside
    day_start = datetime.combine(today, datetime.min.time()).astimezone().astimezone(UTC)
    day_end = day_start + timedelta(days=1)

    def month_view() -> int:
        counts = follow_up_counts_by_day(vault, start, end)
        follow_ups_between(vault, day_start, day_end)
        return sum(counts.values())

    results["month"] = dict(
        summary(repeated(month_view, repeat)),
        follow_ups=month_view(),
        selected_day=len(follow_ups_between(vault, day_start, day_end)),
    )
    scheduled = follow_ups_between(vault, start, end)
    results["month_list"] = dict(
        summary(repeated(lambda: follow_ups_between(vault, start, end), repeat)),
        follow_ups=len(scheduled),
    )
    # early in a month the current month holds few contacts, so the last full month too
    last = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for name, which in (("minutes", month), ("minutes_last_month", last)):
        counted = ccm_minutes(vault, which)
        results[name] = dict(
            summary(repeated(lambda m=which: ccm_minutes(vault, m), repeat)),  # type: ignore[misc]
            patients=len(counted),
            month=which,
        )
    return results


def painted(widget: Any) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.grab()


def measure_calendar(vault: Vault, today: date, repeat: int) -> dict[str, Any] | None:
    """CalendarPage: ``show_for`` once, then switching from the agenda to the month view
    (the month reloaded, as its page change does) up to the first paint; None on failure."""
    try:
        from PySide6.QtWidgets import QApplication

        from carenav.ui.pages.calendar import CalendarPage

        _app = QApplication.instance() or QApplication([])
        start = time.perf_counter()
        page = CalendarPage()
        page.resize(*PAGE_SIZE)
        page.show_for(vault, today)
        page.show()
        painted(page)
        results: dict[str, Any] = {"show_for_ms": ms(time.perf_counter() - start)}
        month_tab = next(i for i in range(page.tabs.count()) if page.tabs.tabText(i) == "Month")

        def switch() -> None:
            page.tabs.setCurrentIndex(month_tab)
            page._load_month()  # what turning to a month page does
            painted(page)

        times = []
        for _ in range(repeat):
            page.tabs.setCurrentIndex(0)
            painted(page)
            start = time.perf_counter()
            switch()
            times.append(time.perf_counter() - start)
        page.clear()
        page.close()
        page.deleteLater()
        QApplication.processEvents()
        results.update(summary(times))
        return results
    except Exception as exc:  # a report: say why and go on
        print(f"(calendar month view not measured: {type(exc).__name__}: {exc})")
        return None


# -- report ---------------------------------------------------------------------------------


def verdict(p95: float, target: float) -> str:
    shown = f"{target / 1000:.0f} s" if target >= 1000 else f"{target:.0f} ms"
    return f"< {shown} {'PASS' if p95 < target else 'FAIL'}"


def print_report(results: dict[str, Any]) -> None:
    built = results["vault"]
    print()
    print(
        f"CareNav follow-up benchmark: {built['patients']:,} patients, "
        f"{built['contacts']:,} contacts, {built['follow_ups']:,} follow-ups "
        f"({built['coming_follow_ups']:,} in the coming {COMING_DAYS} days); "
        f"{results['repeat']} runs each"
    )
    print(
        f"Demo fill {built['fill_s']} s, extra rows {built['extra_s']} s, "
        f"vault {built['vault_mb']} MB"
    )
    today, month, minutes = results["today"], results["month"], results["minutes"]
    rows: list[tuple[str, str, str, str]] = [
        (
            f"Today: worklist ({today['items']:,} items)",
            f"{today['median_ms']}",
            f"{today['p95_ms']}",
            verdict(today["p95_ms"], TARGET_TODAY_MS),
        ),
        (
            f"Month view: day counts ({month['follow_ups']:,}) + the day's "
            f"{month['selected_day']:,}",
            f"{month['median_ms']}",
            f"{month['p95_ms']}",
            verdict(month["p95_ms"], TARGET_MONTH_MS),
        ),
        (
            f"Whole month as a list ({results['month_list']['follow_ups']:,} follow-ups)",
            f"{results['month_list']['median_ms']}",
            f"{results['month_list']['p95_ms']}",
            "(reported)",
        ),
    ]
    calendar = results.get("calendar")
    if calendar is None:
        rows.append(("Calendar page (not measured)", "", "", ""))
    else:
        rows.append(("Calendar page show_for (once)", f"{calendar['show_for_ms']}", "", ""))
        rows.append(
            (
                "Calendar page, switch to month + first paint",
                f"{calendar['median_ms']}",
                f"{calendar['p95_ms']}",
                "(reported)",
            )
        )
    for figures in (minutes, results["minutes_last_month"]):
        rows.append(
            (
                f"Minutes report: ccm_minutes {figures['month']} "
                f"({figures['patients']:,} patients)",
                f"{figures['median_ms']}",
                f"{figures['p95_ms']}",
                verdict(figures["p95_ms"], TARGET_MINUTES_MS),
            )
        )
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'Figure':<{width}}  {'median ms':>9}  {'p95 ms':>7}  Target")
    for name, median, p95, target in rows:
        print(f"{name:<{width}}  {median:>9}  {p95:>7}  {target}")


def described(vault: Vault) -> dict[str, Any]:
    """What a kept vault holds (it was built by an earlier run with --keep)."""
    now = datetime.now(UTC)
    everyone = patient_ids(vault, active_only=False)
    return {
        "patients": len(everyone),
        "active_patients": len(patient_ids(vault, active_only=True)),
        "fill_s": "(kept)",
        "extra_s": "(kept)",
        "demo_contacts": None,
        "contacts": count_rows(vault, Contact),
        "demo_coming_follow_ups": None,
        "coming_follow_ups": coming_follow_ups(vault, now),
        "follow_ups": count_rows(vault, FollowUp),
        "vault_mb": round(vault.db_path.stat().st_size / 1e6, 1),
    }


def run(args: argparse.Namespace) -> None:
    kept = Path(args.keep) if args.keep else None
    folder = kept or Path(tempfile.mkdtemp(prefix="carenav-bench-followup-"))
    vault: Vault | None = None
    try:
        results: dict[str, Any] = {"repeat": args.repeat}
        path = folder / "bench.cnv"
        if kept is not None and path.exists():
            vault = Vault.unlock(path, PASSPHRASE)
            results["vault"] = described(vault)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            vault, _code = Vault.create(path, PASSPHRASE, kdf=CHEAP_KDF)
            results["vault"] = build(vault, args.patients, args.contacts, args.coming)
        today = date.today()
        results.update(measure(vault, today, args.repeat))
        results["calendar"] = measure_calendar(vault, today, args.repeat)
        print_report(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
            print(f"\nResults written to {args.json}")
    finally:
        if vault is not None:
            vault.close()
        if kept is None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000, help="demo patients (10000)")
    parser.add_argument("--contacts", type=int, default=200_000, help="contacts in all (200000)")
    parser.add_argument(
        "--coming", type=int, default=3_000, help="follow-ups in the coming 30 days (3000)"
    )
    parser.add_argument("--repeat", type=int, default=10, help="runs per figure (10)")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="build the vault in DIR and keep it; a later run with the same DIR reuses it "
        "(made-up patients only; delete DIR when done)",
    )
    args = parser.parse_args()
    if args.patients < 1 or args.repeat < 1:
        parser.error("use at least 1 patient and 1 run")
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
