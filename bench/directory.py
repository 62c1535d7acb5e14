"""Resource directory benchmark: search over 5,000 services, and the CSV round trip.

    .venv/bin/python bench/directory.py [--services 5000] [--repeat 20] [--referrals 3000]
                                        [--patients 300] [--json FILE]

Builds a temporary encrypted vault (cheap key derivation: unlock is not measured here)
and bulk-inserts made-up organisations (about three services each) until the directory
holds ``--services`` services, with categories, languages, towns and words drawn by a
seeded random generator, and the same search columns the directory service keeps. Then
it measures, as median and p95 over the repetitions, ``search_services`` as the
directory screen calls it (at most 200 rows):

* every service (no filter), a category, a language, a category and a language;
* one typed word, two words, a word with a category, a word that matches nothing;

target: every search under 50 ms (p95). It also reports exporting the whole directory to
CSV and importing that file into an empty vault (all rows checked, then written in one
transaction), and, with ``--referrals N`` (default 3,000), the agency-wide list of open
referrals (``open_referrals``) and the command line's list of every referral with its
history (``all_referrals``) once N open referrals with their check-backs are added for
the patients of a small demo caseload (``--patients``, default 300). It prints a table
with PASS or FAIL and always exits 0: it is a report, not a test. Nothing but the
temporary vaults (deleted at the end) and, if asked, the JSON file of timings is
written.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bench.timing import CHEAP_KDF, PASSPHRASE, ms, repeated, summary
from carenav.models import (
    FollowUp,
    HealthcareService,
    Organisation,
    Patient,
    Referral,
    ReferralEvent,
)
from carenav.services import directory, referrals
from carenav.services.demo import fill_demo_caseload, table_of
from carenav.store.vault import Vault

TARGET_SEARCH_MS = 50.0
SEED = 11
CHUNK = 2_000

FIRST = ("Bright", "Maple", "River", "Cedar", "Harbor", "Lantern", "Willow", "Granite",
         "Sunrise", "Evergreen", "Open Door", "Keystone", "Blue Heron", "Hope")  # fmt: skip
SECOND = ("Community", "Family", "Senior", "Neighborhood", "Valley", "County", "Parish",
          "Friends", "Helping Hands", "Peer")  # fmt: skip
KIND = ("Center", "Alliance", "Services", "Network", "Collaborative", "Clinic", "Project")
SERVICE_WORDS = ("pantry", "rides", "meals", "counselling", "repairs", "vouchers", "classes",
                 "support group", "visits", "assistance", "navigation", "delivery")  # fmt: skip
LANGUAGES = (("English", 1.0), ("Spanish", 0.45), ("Vietnamese", 0.08), ("Chinese", 0.08),
             ("Russian", 0.06), ("Haitian Creole", 0.07), ("Arabic", 0.06),
             ("Portuguese", 0.08), ("Somali", 0.03))  # fmt: skip
TOWNS = (("Springfield", "MA", "01103"), ("Holyoke", "MA", "01040"), ("Hartford", "CT", "06106"),
         ("Chicopee", "MA", "01013"), ("Westfield", "MA", "01085"),
         ("Brattleboro", "VT", "05301"))  # fmt: skip
SEARCHES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("everything", "", None, None),
    ("category", "", "food", None),
    ("language", "", None, "Vietnamese"),
    ("category and language", "", "transportation", "Spanish"),
    ("one word", "pantry", None, None),
    ("two words", "harbor meals", None, None),
    ("word and category", "holyoke", "housing", None),
    ("no match", "zzqxnothing", None, None),
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _record(rng: random.Random, at: datetime) -> dict[str, Any]:
    return {"id": _uuid(rng), "created_at": at, "updated_at": at, "version": 1, "deleted_at": None}


def directory_rows(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(organisation rows, service rows): about three services per organisation."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    categories = list(directory.CATEGORIES)
    organisations: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    while len(services) < count:
        city, state, postal = rng.choice(TOWNS)
        org_values = {
            "name": f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(KIND)} "
            f"{len(organisations) + 1}",
            "phone": f"(555) 0{rng.randrange(100):02d}-{rng.randrange(10000):04d}",
            "website": "",
            "address_line": f"{rng.randint(1, 999)} Main St",
            "city": city,
            "state": state,
            "postal_code": postal,
        }
        org_row = {**_record(rng, now), **org_values}
        organisations.append(org_row)
        shadow_org = Organisation(**org_values)
        for number in range(min(rng.randint(1, 5), count - len(services))):
            cats = rng.sample(categories, rng.choice((1, 1, 2, 3)))
            langs = [name for name, share in LANGUAGES if rng.random() < share] or ["English"]
            values = {
                "name": f"{rng.choice(SERVICE_WORDS).capitalize()} {number + 1}",
                "categories": cats,
                "phone": "",
                "hours": "Mon-Fri 9:00-17:00",
                "eligibility": rng.choice(("Age 60+", "County residents", "Anyone", "")),
                "languages": langs,
                "how_to_refer": "Call intake.",
                "what_to_bring": "Photo ID",
                "notes": rng.choice(("", "Walk-ins welcome", "Wheelchair accessible")),
                "last_verified": date.today() - timedelta(days=rng.randint(1, 400)),
            }
            service = HealthcareService(organisation_id=org_row["id"], **values)
            directory._refresh(shadow_org, service)
            services.append(
                {
                    **_record(rng, now),
                    "organisation_id": org_row["id"],
                    **values,
                    "search_text": service.search_text,
                    "category_keys": service.category_keys,
                    "language_keys": service.language_keys,
                }
            )
    return organisations, services


def build(vault: Vault, count: int) -> dict[str, Any]:
    start = time.perf_counter()
    organisations, services = directory_rows(count)
    with vault.session() as session:
        connection = session.connection()
        for kind, rows in ((Organisation, organisations), (HealthcareService, services)):
            for first in range(0, len(rows), CHUNK):
                connection.execute(insert(table_of(kind)), rows[first : first + CHUNK])
    return {
        "organisations": len(organisations),
        "services": directory.count_services(vault),
        "build_s": round(time.perf_counter() - start, 1),
    }


def add_referrals(vault: Vault, patients: int, count: int) -> dict[str, Any]:
    """A demo caseload (no directory of its own), then ``count`` open referrals to random
    services, each with its history and a check-back follow-up."""
    from sqlmodel import select

    start = time.perf_counter()
    fill_demo_caseload(vault, patients=patients, coordination=False)
    rng = random.Random(SEED + 1)
    now = datetime.now(UTC)
    with vault.session() as session:
        people = list(session.exec(select(Patient.id)).all())
        services = list(
            session.exec(select(HealthcareService.id, HealthcareService.organisation_id)).all()
        )
    statuses = ("draft", "sent", "accepted", "scheduled", "no-show")
    rows: dict[type[Any], list[dict[str, Any]]] = {Referral: [], ReferralEvent: [], FollowUp: []}
    for _ in range(count):
        sent = now - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
        status = rng.choice(statuses)
        service_id, organisation_id = rng.choice(services)
        referral = {
            **_record(rng, sent),
            "patient_id": rng.choice(people),
            "service_id": service_id,
            "organisation_id": organisation_id,
            "provider_name": "",
            "provider_kind": "community",
            "category": "food",
            "need_id": None,
            "goal_id": None,
            "intervention_id": None,
            "reason": "Made-up referral for the benchmark",
            "urgency": "routine",
            "sent_via": "" if status == "draft" else "fax",
            "status": status,
            "status_reason": "Not known" if status == "no-show" else "",
            "status_at": sent,
            "sent_at": None if status == "draft" else sent,
            "appointment_at": None,
            "reference_code": f"R-BNCH-{rng.randrange(10**4):04d}",
            "check_back_id": None,
            "checked_back_at": None,
            "got_service": None,
            "barrier": "",
            "barrier_note": "",
            "barrier_need_id": None,
            "notes": "",
            "author": "bench",
        }
        if status != "draft":
            follow_up = {
                **_record(rng, sent),
                "patient_id": referral["patient_id"],
                "due_at": referrals.check_back_due(sent, 7),
                "kind": "phone",
                "purpose": "Referral check-back",
                "recurrence_days": None,
                "status": "scheduled",
                "completed_at": None,
                "contact_id": None,
                "referral_id": referral["id"],
            }
            referral["check_back_id"] = follow_up["id"]
            rows[FollowUp].append(follow_up)
        rows[Referral].append(referral)
        for event_status in ("draft", "sent", status)[: 1 if status == "draft" else 3]:
            rows[ReferralEvent].append(
                {
                    **_record(rng, sent),
                    "referral_id": referral["id"],
                    "at": sent,
                    "status": event_status,
                    "reason": "",
                    "author": "bench",
                }
            )
    with vault.session() as session:
        connection = session.connection()
        for kind, kind_rows in rows.items():
            for first in range(0, len(kind_rows), CHUNK):
                connection.execute(insert(table_of(kind)), kind_rows[first : first + CHUNK])
    return {
        "patients": len(people),
        "open_referrals": count,
        "build_s": round(time.perf_counter() - start, 1),
    }


def measure_referrals(vault: Vault, repeat: int) -> dict[str, Any]:
    listed = referrals.open_referrals(vault)
    every = referrals.all_referrals(vault)
    return {
        "open": dict(
            summary(repeated(lambda: referrals.open_referrals(vault), repeat)), rows=len(listed)
        ),
        "all_with_history": dict(
            summary(repeated(lambda: referrals.all_referrals(vault), max(repeat // 4, 2))),
            rows=len(every),
        ),
    }


def measure(vault: Vault, folder: Path, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {"searches": {}}
    for name, text, category, language in SEARCHES:

        def search(t: str = text, c: str | None = category, lang: str | None = language) -> Any:
            return directory.search_services(vault, t, category=c, language=lang)

        found = len(search())
        results["searches"][name] = dict(summary(repeated(search, repeat)), rows=found)
    out = folder / "directory.csv"
    start = time.perf_counter()
    written = directory.export_csv(vault, out)
    results["export"] = {"ms": ms(time.perf_counter() - start), "services": written}
    other, _code = Vault.create(folder / "import" / "v.cnv", PASSPHRASE, kdf=CHEAP_KDF)
    try:
        start = time.perf_counter()
        report = directory.import_csv(other, out)
        results["import"] = {"ms": ms(time.perf_counter() - start), "services": report.added}
        again = folder / "again.csv"
        directory.export_csv(other, again)
        results["round_trip_exact"] = again.read_bytes() == out.read_bytes()
    finally:
        other.close()
    return results


def report(built: dict[str, Any], results: dict[str, Any]) -> None:
    print(
        f"Directory: {built['services']:,} services of {built['organisations']:,} organisations "
        f"(built in {built['build_s']} s)"
    )
    print(f"{'search':<24}{'rows':>6}{'median ms':>11}{'p95 ms':>9}  target")
    for name, figures in results["searches"].items():
        verdict = "PASS" if figures["p95_ms"] < TARGET_SEARCH_MS else "FAIL"
        print(
            f"{name:<24}{figures['rows']:>6}{figures['median_ms']:>11}{figures['p95_ms']:>9}"
            f"  < {TARGET_SEARCH_MS:.0f} ms {verdict}"
        )
    print(f"CSV export: {results['export']['ms']} ms ({results['export']['services']:,} services)")
    print(f"CSV import into an empty vault: {results['import']['ms']} ms")
    print(f"Round trip exact: {results['round_trip_exact']}")
    if "referrals" in results:
        made = results["referrals_built"]
        print(
            f"Referrals: {made['open_referrals']:,} open for {made['patients']:,} patients "
            f"(built in {made['build_s']} s)"
        )
        for name, label in (
            ("open", "open referrals list"),
            ("all_with_history", "every referral with history"),
        ):
            figures = results["referrals"][name]
            print(
                f"{label:<28}{figures['rows']:>7}{figures['median_ms']:>11}{figures['p95_ms']:>9}"
                "  (reported)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--referrals", type=int, default=3000, help="0: skip the referral lists")
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="carenav-bench-directory-"))
    try:
        vault, _code = Vault.create(folder / "vault" / "v.cnv", PASSPHRASE, kdf=CHEAP_KDF)
        try:
            built = build(vault, args.services)
            results = measure(vault, folder, args.repeat)
            if args.referrals > 0:
                results["referrals_built"] = add_referrals(vault, args.patients, args.referrals)
                results["referrals"] = measure_referrals(vault, args.repeat)
        finally:
            vault.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(built, results)
    if args.json:
        args.json.write_text(json.dumps({"vault": built, **results}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
