"""Caseload benchmark: a 10,000-patient demo vault at production key-derivation cost.

    .venv/bin/python bench/caseload.py [--patients 10000] [--out DIR] [--json FILE]

Builds (or, with --out pointing at an earlier run, reuses) an encrypted demo vault,
then measures in one process what a care manager waits for:

* unlock: the whole ``Vault.unlock``, and separately the key derivation (opening the
  passphrase slot) and the database open (engine, keying, schema check);
* the caseload after unlock: what the caseload page does (count the patients, run the
  query in the ``CaseloadModel``, then paint the first 40 rows in every column);
* search as you type: each keystroke of realistic sequences (family names, full names,
  phone fragments, member ids) through ``CaseloadModel.set_query`` plus painting the
  visible rows; and the same searches as raw SQL on a keyed sqlcipher3 connection
  (the floor);
* opening a chart (``load_chart``) for 200 random patients;
* peak memory of the measuring process (the build runs in a child process so that
  its own peak does not count).

It prints a table with each target marked PASS or FAIL and always exits 0: it is a
report, not a test. All data is synthetic (carenav.services.demo).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import PASSPHRASE, ms, percentile
from carenav.services.chart import load_chart
from carenav.services.demo import fill_demo_caseload
from carenav.services.patients import CaseloadQuery, count_patients, list_patients
from carenav.services.validation import search_tokens
from carenav.store import vault as vault_module
from carenav.store.engine import DataKey, raw_connect
from carenav.store.header import calibrate_kdf, normalise_secret, read_header
from carenav.store.vault import Vault, header_path_for

VISIBLE_ROWS = 40
CHART_SAMPLE = 200
SEED = 1

TARGET_SHOWN_MS = 300.0
TARGET_SEARCH_P95_MS = 50.0
TARGET_FLOOR_RATIO = 3.0
TARGET_CHART_P95_MS = 100.0
TARGET_MEMORY_MB = 300.0


def timed(action: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


# -- building the vault ---------------------------------------------------------


def build_vault(path: Path, patients: int) -> dict[str, Any]:
    """Runs in a child process (see ``ensure_vault``); prints its figures as JSON."""
    calibrate_s, kdf = timed(calibrate_kdf)
    create_s, (vault, _code) = timed(lambda: Vault.create(path, PASSPHRASE, kdf=kdf))
    try:
        fill_s, _count = timed(lambda: fill_demo_caseload(vault, patients=patients, seed=SEED))
    finally:
        close_s, _ = timed(vault.close)
    return {
        "kdf": {"time_cost": kdf.time_cost, "memory_kib": kdf.memory_kib, "lanes": kdf.parallelism},
        "calibrate_s": round(calibrate_s, 2),
        "create_s": round(create_s, 2),
        "fill_s": round(fill_s, 2),
        "close_s": round(close_s, 2),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def ensure_vault(path: Path, patients: int) -> dict[str, Any]:
    if header_path_for(path).exists():
        return {"reused": True, "file_mb": round(path.stat().st_size / 2**20, 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Building a {patients:,}-patient demo vault at {path} ...", flush=True)
    command = [sys.executable, __file__, "--build-only", str(path), "--patients", str(patients)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]), reused=False)


# -- measuring ----------------------------------------------------------------------


@dataclass
class Opened:
    vault: Vault
    key: bytearray
    figures: dict[str, float]


def measure_unlock(path: Path) -> Opened:
    unlock_s, vault = timed(lambda: Vault.unlock(path, PASSPHRASE))
    header = read_header(header_path_for(path))
    slot = header.slots_of_kind("passphrase")[0]
    kdf_s, key = timed(lambda: slot.open(normalise_secret(PASSPHRASE), header.vault_id))
    assert key is not None
    open_s, second = timed(
        lambda: Vault._open_with_key(path, header, bytearray(key), allow_migration=False, events=[])
    )
    second.close(checkpoint_first=False)
    figures = {"unlock_ms": ms(unlock_s), "kdf_ms": ms(kdf_s), "db_open_ms": ms(open_s)}
    page_check = getattr(vault_module, "_failed_pages", None)  # the HMAC check on open, if any
    if page_check is not None:
        check_s, _pages = timed(lambda: page_check(path, DataKey(bytearray(key))))
        figures["page_check_ms"] = ms(check_s)
    return Opened(vault, key, figures)


def paint(model: Any, rows: int) -> None:
    """What the table view asks for when it paints the visible rows."""
    from PySide6.QtCore import Qt

    for row in range(min(rows, model.rowCount())):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            model.data(index, Qt.ItemDataRole.DisplayRole)
            model.data(index, Qt.ItemDataRole.ForegroundRole)


def measure_caseload_shown(vault: Vault) -> tuple[Any, dict[str, float]]:
    from carenav.ui.item_models.caseload import CaseloadModel

    count_s, _total = timed(lambda: count_patients(vault))
    model = CaseloadModel(vault)
    query_s, _ = timed(model.set_query, CaseloadQuery())
    paint_s, _ = timed(paint, model, VISIBLE_ROWS)

    def show_again() -> None:
        model.set_query(CaseloadQuery())
        paint(model, VISIBLE_ROWS)

    again = [timed(show_again)[0] for _ in range(5)]
    return model, {
        "shown_ms": ms(count_s + query_s + paint_s),
        "count_ms": ms(count_s),
        "query_ms": ms(query_s),
        "paint_ms": ms(paint_s),
        "shown_again_median_ms": ms(statistics.median(again)),
        "rows": model.rowCount(),
    }


def keystrokes(vault: Vault) -> list[tuple[str, str]]:
    """(kind, text so far) for each key a care manager presses, from real demo records."""
    rng = random.Random(SEED)
    patients = list_patients(vault)
    picked = rng.sample(patients, 45)
    typed: list[tuple[str, str]] = []

    def type_out(kind: str, text: str) -> None:
        typed.extend((kind, text[:end]) for end in range(1, len(text) + 1))

    for p in picked[:15]:
        type_out("family name", p.family_name)
    for p in picked[15:25]:
        type_out("given + family", f"{p.given_name} {p.family_name}")
    phoned = [p for p in picked[25:] if p.phone_mobile or p.phone_home][:10]
    for p in phoned:
        type_out("phone fragment", (p.phone_mobile or p.phone_home)[-8:])
    for p in picked[35:45]:
        type_out("member id", p.member_id[:8])
    return typed


def measure_search(model: Any, typed: list[tuple[str, str]]) -> dict[str, Any]:
    full: list[float] = []
    query_only: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for kind, text in typed:
        query_s, _ = timed(model.set_query, CaseloadQuery(text=text))
        paint_s, _ = timed(paint, model, VISIBLE_ROWS)
        full.append(query_s + paint_s)
        query_only.append(query_s)
        by_kind.setdefault(kind, []).append(query_s + paint_s)
    slowest = max(range(len(full)), key=full.__getitem__)
    return {
        "keystrokes": len(full),
        "p50_ms": ms(percentile(full, 0.5)),
        "p95_ms": ms(percentile(full, 0.95)),
        "max_ms": ms(max(full)),
        "query_p50_ms": ms(percentile(query_only, 0.5)),
        "query_p95_ms": ms(percentile(query_only, 0.95)),
        "by_kind_p95_ms": {k: ms(percentile(v, 0.95)) for k, v in by_kind.items()},
        "slowest_keystroke_length": len(typed[slowest][1]),
    }


def raw_search_sql(text: str) -> tuple[str, list[str]]:
    """The same search the service runs, written by hand: the floor for its cost."""
    tokens = search_tokens(text)
    where = "".join(" AND search_text LIKE '%' || ? || '%' ESCAPE '/'" for _ in tokens)
    sql = (
        f"SELECT id FROM patient WHERE deleted_at IS NULL{where} "
        "ORDER BY lower(family_name), lower(given_name), id"
    )
    return sql, tokens


def fetch_all(connection: Any, sql: str, params: list[str]) -> list[Any]:
    return list(connection.execute(sql, params).fetchall())


def measure_floor(path: Path, key: bytearray, typed: list[tuple[str, str]]) -> dict[str, Any]:
    connection = raw_connect(path, DataKey(bytearray(key)))
    try:
        times = []
        for _kind, text in typed:
            sql, params = raw_search_sql(text)
            took, _rows = timed(fetch_all, connection, sql, params)
            times.append(took)
    finally:
        connection.close()
    return {"p50_ms": ms(percentile(times, 0.5)), "p95_ms": ms(percentile(times, 0.95))}


def measure_charts(vault: Vault) -> dict[str, float]:
    rng = random.Random(SEED + 1)
    ids = [p.id for p in list_patients(vault)]
    sample = rng.sample(ids, min(CHART_SAMPLE, len(ids)))
    times = [timed(load_chart, vault, i)[0] for i in sample]
    return {
        "p50_ms": ms(percentile(times, 0.5)),
        "p95_ms": ms(percentile(times, 0.95)),
        "max_ms": ms(max(times)),
    }


# -- report ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(":memory:")
    version = connection.execute("PRAGMA cipher_version").fetchone()[0]
    connection.close()
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlcipher.sqlite_version,
        "sqlcipher": version,
    }


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    shown = results["caseload"]["shown_ms"]
    search = results["search"]["p95_ms"]
    query, floor = results["search"]["query_p95_ms"], results["floor"]["p95_ms"]
    ratio = query / floor if floor else float("inf")
    results["search"]["floor_ratio"] = round(ratio, 2)
    chart = results["charts"]["p95_ms"]
    memory = results["peak_memory_mb"]
    return [
        ("Caseload shown after unlock", f"{shown} ms", f"< {TARGET_SHOWN_MS:.0f} ms",
         shown < TARGET_SHOWN_MS),
        ("Search keystroke p95 (query + paint)", f"{search} ms",
         f"< {TARGET_SEARCH_P95_MS:.0f} ms", search < TARGET_SEARCH_P95_MS),
        ("Search query p95 vs raw SQL floor", f"{ratio:.2f}x ({query} / {floor} ms)",
         f"<= {TARGET_FLOOR_RATIO:.0f}x", ratio <= TARGET_FLOOR_RATIO),
        ("Chart open p95", f"{chart} ms", f"< {TARGET_CHART_P95_MS:.0f} ms",
         chart < TARGET_CHART_P95_MS),
        ("Peak memory (measuring process)", f"{memory} MB", f"< {TARGET_MEMORY_MB:.0f} MB",
         memory < TARGET_MEMORY_MB),
    ]  # fmt: skip


def print_report(results: dict[str, Any], checks: list[tuple[str, str, str, bool]]) -> None:
    info = results["machine"]
    build = results["build"]
    unlock = results["unlock"]
    shown = results["caseload"]
    search = results["search"]
    print()
    print(f"CareNav caseload benchmark: {results['patients']:,} patients")
    print(
        f"Machine: {info['cpus']} CPUs, {info['platform']}, Python {info['python']}, "
        f"SQLite {info['sqlite']} / SQLCipher {info['sqlcipher']}"
    )
    if build.get("reused"):
        print(f"Vault: reused ({build['file_mb']} MB)")
    else:
        kdf = build["kdf"]
        print(
            f"Vault: built in {build['fill_s']} s (demo fill) + {build['create_s']} s (create); "
            f"{build['file_mb']} MB; Argon2id t={kdf['time_cost']} m={kdf['memory_kib']} KiB "
            f"p={kdf['lanes']}; build peak {build['peak_mb']} MB"
        )
    check = unlock.get("page_check_ms")
    of_which = f" (page check alone: {check} ms)" if check is not None else ""
    print(
        f"Unlock: {unlock['unlock_ms']} ms in all = key derivation {unlock['kdf_ms']} ms "
        f"+ database open {unlock['db_open_ms']} ms{of_which}; the rest is header and lockout file"
    )
    print(
        f"Caseload shown: {shown['shown_ms']} ms = count {shown['count_ms']} + query "
        f"{shown['query_ms']} + first {VISIBLE_ROWS} rows {shown['paint_ms']} ms "
        f"(again: {shown['shown_again_median_ms']} ms median)"
    )
    print(
        f"Search: {search['keystrokes']} keystrokes, p50 {search['p50_ms']} ms, p95 "
        f"{search['p95_ms']} ms, max {search['max_ms']} ms; query alone p50 "
        f"{search['query_p50_ms']} / p95 {search['query_p95_ms']} ms; raw SQL floor p50 "
        f"{results['floor']['p50_ms']} / p95 {results['floor']['p95_ms']} ms"
    )
    kinds = ", ".join(f"{k} {v} ms" for k, v in search["by_kind_p95_ms"].items())
    print(f"Search p95 by kind: {kinds}")
    charts = results["charts"]
    print(
        f"Chart open ({CHART_SAMPLE} patients): p50 {charts['p50_ms']} ms, p95 "
        f"{charts['p95_ms']} ms, max {charts['max_ms']} ms"
    )
    print()
    width = max(len(c[0]) for c in checks)
    print(f"{'Target':<{width}}  {'Measured':<28}  {'Goal':<10}  Result")
    for name, measured, goal, passed in checks:
        print(f"{name:<{width}}  {measured:<28}  {goal:<10}  {'PASS' if passed else 'FAIL'}")


def run(args: argparse.Namespace) -> None:
    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="carenav-bench-"))
    path = folder / f"demo-{args.patients}.cnv"
    try:
        results: dict[str, Any] = {"patients": args.patients, "machine": machine()}
        results["build"] = ensure_vault(path, args.patients)
        from PySide6.QtGui import QGuiApplication

        _app = QGuiApplication.instance() or QGuiApplication([])
        opened = measure_unlock(path)
        results["unlock"] = opened.figures
        try:
            model, results["caseload"] = measure_caseload_shown(opened.vault)
            typed = keystrokes(opened.vault)
            results["search"] = measure_search(model, typed)
            results["floor"] = measure_floor(path, opened.key, typed)
            results["charts"] = measure_charts(opened.vault)
        finally:
            opened.vault.close()
            for i in range(len(opened.key)):
                opened.key[i] = 0
        results["peak_memory_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        checks = verdicts(results)
        results["targets"] = {name: {"measured": m, "goal": g, "pass": ok}
                              for name, m, g, ok in checks}  # fmt: skip
        print_report(results, checks)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
            print(f"\nResults written to {args.json}")
    finally:
        if not args.out:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000, help="caseload size (10000)")
    parser.add_argument("--out", help="keep the vault in this folder (reused on the next run)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--build-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        print(json.dumps(build_vault(Path(args.build_only), args.patients)))
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
