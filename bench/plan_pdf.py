"""Printing benchmark: one printed care plan, and a day's home-visit packet.

    .venv/bin/python bench/plan_pdf.py [--patients 200] [--visits 50] [--repeat 10]
                                       [--json FILE]

Builds a temporary encrypted vault (cheap key derivation: unlock is not measured)
with the demo caseload (``fill_demo_caseload``), then schedules ``--visits`` home
visits tomorrow for patients who have a published care plan. It measures, as median
and p95 over the repetitions:

* one plan: ``render_plan`` for a patient with a full plan and medicine list, in
  standard and in large print (target under 300 ms);
* the packet: ``build_visit_packet`` for the day, one combined PDF with a visit sheet
  and the plan of each visit (target under 15 s for 50 visits; run twice at most).

It prints a table with PASS or FAIL per target and always exits 0: it is a report, not
a test. Every patient is made up; nothing but the temporary vault and PDF (deleted at
the end) and, if asked, the JSON file of timings is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import col, select

from bench.timing import CHEAP_KDF, PASSPHRASE, repeated, summary
from carenav.export.plan_pdf import PrintOptions, build_visit_packet, render_plan
from carenav.models import CarePlan, MedicationStatement
from carenav.services.contacts import schedule_follow_up
from carenav.services.demo import fill_demo_caseload
from carenav.store.vault import Vault

TARGET_PLAN_MS = 300.0
TARGET_PACKET_MS = 15000.0


def planned_patients(vault: Vault) -> list[uuid.UUID]:
    """Patients with a published plan, those with the most medicines first."""
    with vault.session() as session:
        ids = list(
            session.exec(
                select(CarePlan.patient_id)
                .where(CarePlan.published_version > 0, col(CarePlan.deleted_at).is_(None))
                .order_by(col(CarePlan.patient_id))
            ).all()
        )
        meds = {
            pid: len(
                session.exec(
                    select(MedicationStatement.id).where(
                        MedicationStatement.patient_id == pid,
                        MedicationStatement.status == "active",
                    )
                ).all()
            )
            for pid in ids
        }
    return sorted(ids, key=lambda pid: (-meds[pid], str(pid)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--visits", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="carenav-bench-print-"))
    try:
        vault, _code = Vault.create(folder / "bench.cnv", PASSPHRASE, kdf=CHEAP_KDF)
        with vault:
            fill_demo_caseload(vault, patients=args.patients, seed=7)
            planned = planned_patients(vault)
            day = date.today() + timedelta(days=1)
            start = datetime.combine(day, datetime.min.time()).astimezone().replace(hour=8)
            chosen = planned[: args.visits]
            for n, pid in enumerate(chosen):
                due = (start + timedelta(minutes=10 * n)).astimezone(UTC)
                schedule_follow_up(
                    vault, pid, {"due_at": due, "kind": "home-visit", "purpose": "Visit"}
                )
            one = planned[0]
            render_plan(vault, one, options=PrintOptions())  # fonts and templates load once
            standard = repeated(
                lambda: render_plan(vault, one, options=PrintOptions()), args.repeat
            )
            large = repeated(
                lambda: render_plan(vault, one, options=PrintOptions(large_print=True)), args.repeat
            )
            size = len(render_plan(vault, one, options=PrintOptions()))
            out = folder / "packet.pdf"
            packet = repeated(lambda: build_visit_packet(vault, day, out), min(2, args.repeat))
            packet_bytes = out.stat().st_size
        results: dict[str, Any] = {
            "vault": {"patients": args.patients, "with_plan": len(planned), "visits": len(chosen)},
            "plan_standard": {**summary(standard), "bytes": size},
            "plan_large": summary(large),
            "packet": {**summary(packet), "visits": len(chosen), "bytes": packet_bytes},
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = [
        ("One plan, standard print", results["plan_standard"], TARGET_PLAN_MS),
        ("One plan, large print", results["plan_large"], TARGET_PLAN_MS),
        (f"Visit packet, {len(chosen)} visits", results["packet"], TARGET_PACKET_MS),
    ]
    print(f"{'figure':34} {'median':>10} {'p95':>10} {'target':>10}")
    for label, figures, target in rows:
        verdict = "PASS" if figures["p95_ms"] <= target else "FAIL"
        print(
            f"{label:34} {figures['median_ms']:>8.1f}ms {figures['p95_ms']:>8.1f}ms "
            f"{target:>8.0f}ms {verdict}"
        )
    print(f"Demo caseload of {args.patients} patients; unlock is not measured.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
