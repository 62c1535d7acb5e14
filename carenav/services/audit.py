"""Reading the audit trail: filtered pages for the viewer and the command line, CSV export.

Audit rows hold no patient values (see carenav.store.audit), so they may be shown,
printed as JSON or exported as CSV; exporting is itself recorded as an event.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from carenav.store.audit import AUDIT_TABLE, AuditRow, record_event, row_from
from carenav.store.header import atomic_write
from carenav.store.vault import Vault

__all__ = [
    "CSV_COLUMNS",
    "AuditFilter",
    "audit_csv",
    "count_events",
    "event_choices",
    "event_page",
    "events",
    "export_audit_csv",
    "record_event",
]

CSV_COLUMNS = (
    "seq",
    "occurred_at",
    "user",
    "action",
    "record_type",
    "record_id",
    "outcome",
    "detail",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to show. Days are local calendar days, both ends included."""

    action: str = ""
    record_type: str = ""
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[Any]:
        table = AUDIT_TABLE.c
        found: list[Any] = []
        if self.action:
            found.append(table.action == self.action)
        if self.record_type:
            found.append(table.record_type == self.record_type)
        if self.since is not None:
            found.append(table.occurred_at >= _local_midnight_utc(self.since))
        if self.until is not None:
            found.append(table.occurred_at < _local_midnight_utc(self.until + timedelta(days=1)))
        return found


def _local_midnight_utc(day: date) -> datetime:
    """The start of a local calendar day, as the aware UTC time the table stores."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def count_events(vault: Vault, where: AuditFilter = AuditFilter()) -> int:
    statement = select(func.count()).select_from(AUDIT_TABLE).where(*where.conditions())
    with vault.engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def event_page(
    vault: Vault, where: AuditFilter = AuditFilter(), *, offset: int = 0, limit: int = 200
) -> list[AuditRow]:
    """Rows newest first, ``limit`` of them from ``offset`` (the viewer reads in blocks)."""
    statement = (
        select(AUDIT_TABLE)
        .where(*where.conditions())
        .order_by(AUDIT_TABLE.c.seq.desc())
        .offset(offset)
        .limit(limit)
    )
    with vault.engine.connect() as conn:
        return [row_from(r._mapping) for r in conn.execute(statement)]


def events(vault: Vault, where: AuditFilter = AuditFilter()) -> list[AuditRow]:
    """Every matching row, oldest first (the command line and the CSV export)."""
    statement = select(AUDIT_TABLE).where(*where.conditions()).order_by(AUDIT_TABLE.c.seq)
    with vault.engine.connect() as conn:
        return [row_from(r._mapping) for r in conn.execute(statement)]


def event_choices(vault: Vault) -> tuple[list[str], list[str]]:
    """The actions and record types present in the trail, for the viewer's filters."""
    with vault.engine.connect() as conn:
        actions = conn.execute(
            select(AUDIT_TABLE.c.action).distinct().order_by(AUDIT_TABLE.c.action)
        ).scalars()
        kinds = conn.execute(
            select(AUDIT_TABLE.c.record_type)
            .where(AUDIT_TABLE.c.record_type != "")
            .distinct()
            .order_by(AUDIT_TABLE.c.record_type)
        ).scalars()
        return [str(a) for a in actions], [str(k) for k in kinds]


def audit_csv(rows: list[AuditRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = row.as_json()
        writer.writerow([values[name] for name in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def export_audit_csv(vault: Vault, path: Path, where: AuditFilter = AuditFilter()) -> int:
    """Write the matching rows (oldest first) to ``path`` atomically; returns how many.

    The export itself is recorded (action ``export``, record type ``audit_event``).
    """
    rows = events(vault, where)
    atomic_write(Path(path), audit_csv(rows))
    record_event(
        vault, "export", record_type="audit_event", detail=f"audit trail as CSV, {len(rows)} rows"
    )
    return len(rows)
