"""The audit trail: an append-only, hash-chained record of who did what, and when.

Each ``audit_event`` row carries ``mac = HMAC-SHA256(K_audit, prev_mac || canonical(row))``
where ``K_audit = HKDF-SHA256(data key, info="carenav-audit-v1")`` and the first
row's ``prev_mac`` is 64 zeros (the key already ties the chain to one vault). A
changed, removed or reordered row breaks the chain; a trigger refuses UPDATE and
DELETE on the table. Rows hold no patient values: an action, a record type and id,
the local user, an outcome and a short fixed detail.

The head of the chain (last seq and mac) is also kept outside the database in
``<db>.audit-head``, written atomically after each commit that appended rows and
tagged with ``HMAC(K_head, seq:mac)`` (``K_head = HKDF(data key, "carenav-audit-head-v1")``)
so it cannot be forged without the key. At unlock the database must reach that head
with the same mac: a rolled-back, truncated or WAL-damaged database falls short and
is reported as damaged. Behind the database (a crash between commit and head write)
is normal and the head is rewritten; a missing or unreadable head file (an old
backup restored without it) is rebuilt and the rebuild itself is audited.

Record changes are audited without any work by the service that makes them:
``Vault.session()`` hands out an ``AuditedSession`` whose flushes append one row per
created, changed or (soft-)deleted record in the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from carenav.errors import CareNavError, VaultDamaged
from carenav.models import Draft, Record
from carenav.store.engine import DataKey
from carenav.store.header import atomic_write

if TYPE_CHECKING:
    from carenav.store.lockout import UnlockThrottle
    from carenav.store.vault import Vault

log = logging.getLogger(__name__)

GENESIS_MAC = "0" * 64
AUDIT_INFO = b"carenav-audit-v1"
HEAD_INFO = b"carenav-audit-head-v1"
HEAD_FORMAT = "carenav-audit-head"
TRAIL_KEY = "carenav.audit.trail"
PENDING_HEAD_KEY = "carenav.audit.pending_head"
FAILURES_KEY = "failure_times"
MAX_REMEMBERED_FAILURES = 100
DETAIL_MAX = 200
NOT_AUDITED: tuple[type[Record], ...] = (Draft,)  # a draft is unsaved typing, not a record
BOOKKEEPING = frozenset({"updated_at", "version", "search_text"})
ROLLED_BACK = (
    "the database lost recent changes (its audit trail is behind the record kept beside it)"
)

AUDIT_TABLE = SQLModel.metadata.tables["audit_event"]


# -- keys and macs ------------------------------------------------------------------


def _derive(data_key: DataKey, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key.raw())


def canonical(
    seq: int,
    occurred_at: datetime,
    user: str,
    action: str,
    record_type: str,
    record_id: str,
    outcome: str,
    detail: str,
) -> bytes:
    """The row as bytes for the mac: a JSON array, so no field can bleed into another."""
    when = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [seq, when, user, action, record_type, record_id, outcome, detail]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_mac(key: bytes, prev_mac: str, row_bytes: bytes) -> str:
    return hmac.new(key, bytes.fromhex(prev_mac) + row_bytes, hashlib.sha256).hexdigest()


# -- what is recorded -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One event to append. ``detail`` is a fixed phrase or field names, never a value."""

    action: str
    record_type: str = ""
    record_id: str = ""
    outcome: str = "success"
    detail: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    seq: int
    occurred_at: datetime
    user: str
    action: str
    record_type: str
    record_id: str
    outcome: str
    detail: str
    prev_mac: str
    mac: str

    def canonical(self) -> bytes:
        return canonical(
            self.seq,
            self.occurred_at,
            self.user,
            self.action,
            self.record_type,
            self.record_id,
            self.outcome,
            self.detail,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="seconds"),
            "user": self.user,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "outcome": self.outcome,
            "detail": self.detail,
        }


def id_text(record_id: uuid.UUID | str | None) -> str:
    if record_id is None:
        return ""
    if isinstance(record_id, uuid.UUID):
        return record_id.hex
    return uuid.UUID(str(record_id)).hex


def _audited(obj: object) -> bool:
    return isinstance(obj, Record) and not isinstance(obj, NOT_AUDITED)


def _entry_for(obj: Record, action: str, detail: str = "") -> AuditEntry:
    return AuditEntry(action, str(obj.__tablename__), obj.id.hex, detail=detail[:DETAIL_MAX])


def _changed_fields(obj: Record) -> list[str]:
    attrs = inspect(obj).attrs
    return sorted(a.key for a in attrs if a.key not in BOOKKEEPING and a.history.has_changes())


def _change_of(session: Session, obj: Record) -> AuditEntry | None:
    if not session.is_modified(obj, include_collections=False):
        return None
    history = inspect(obj).attrs.deleted_at.history
    was = history.deleted[0] if history.deleted else None
    now = obj.deleted_at
    if now is not None and was is None and history.has_changes():
        return _entry_for(obj, "record_deleted")
    if now is None and was is not None:
        return _entry_for(obj, "record_changed", "restored")
    fields = _changed_fields(obj)
    if not fields:
        return None
    return _entry_for(obj, "record_changed", "fields: " + ", ".join(fields))


def record_changes(session: Session) -> list[AuditEntry]:
    """One entry per record this flush creates, changes or deletes."""
    entries = [_entry_for(o, "record_created") for o in session.new if _audited(o)]
    for obj in session.dirty:
        if _audited(obj):
            change = _change_of(session, obj)
            if change is not None:
                entries.append(change)
    entries += [_entry_for(o, "record_deleted", "removed") for o in session.deleted if _audited(o)]
    return entries


def _statement_entries(state: ORMExecuteState) -> list[AuditEntry]:
    """Entries for an ORM bulk INSERT/UPDATE/DELETE (e.g. the CSV import)."""
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, Record):
        return []
    if issubclass(mapper.class_, NOT_AUDITED):
        return []
    table = str(mapper.class_.__tablename__)
    params = state.parameters
    rows: list[dict[str, Any]] = []
    if isinstance(params, dict):
        rows = [params]
    elif isinstance(params, list | tuple):
        rows = [p for p in params if isinstance(p, dict)]
    with_ids = [r for r in rows if r.get("id") is not None]
    if state.is_insert:
        action = "record_created"
    elif state.is_update:
        action = "record_changed"
    else:
        action = "record_deleted"
    if not with_ids:
        return [AuditEntry(action, table, detail="several records in one statement")]
    entries = []
    for row in with_ids:
        row_action = action
        if state.is_update and row.get("deleted_at") is not None:
            row_action = "record_deleted"
        entries.append(AuditEntry(row_action, table, id_text(row["id"])))
    return entries


# -- the session that audits itself ---------------------------------------------------


class AuditedSession(Session):
    """A session whose record changes are appended to the audit trail in the same
    transaction. The trail travels in ``session.info`` (set by ``Vault.session()``)."""


def _trail_of(session: OrmSession) -> AuditTrail | None:
    trail = session.info.get(TRAIL_KEY)
    return trail if isinstance(trail, AuditTrail) else None


@event.listens_for(AuditedSession, "before_flush")
def _audit_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    trail = _trail_of(session)
    if trail is not None:
        entries = record_changes(session)
        if entries:
            trail.append(session, entries)


@event.listens_for(AuditedSession, "do_orm_execute")
def _audit_bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    trail = _trail_of(state.session)
    if trail is not None:
        entries = _statement_entries(state)
        if entries:
            trail.append(state.session, entries)


@event.listens_for(AuditedSession, "after_commit")
def _audit_committed(session: Session) -> None:
    head = session.info.pop(PENDING_HEAD_KEY, None)
    trail = _trail_of(session)
    if trail is not None and head is not None:
        trail.advance_head(*head)


@event.listens_for(AuditedSession, "after_rollback")
def _audit_rolled_back(session: Session) -> None:
    session.info.pop(PENDING_HEAD_KEY, None)


# -- the head kept beside the database ------------------------------------------------


def audit_head_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-head")


@dataclass(frozen=True)
class ChainHead:
    seq: int
    mac: str


class HeadUnreadable(Exception):
    """The head file exists but is damaged or was not written with this vault's key."""


def _head_tag(key: bytes, seq: int, mac: str) -> str:
    return hmac.new(key, f"{seq}:{mac}".encode("ascii"), hashlib.sha256).hexdigest()


def head_bytes(key: bytes, head: ChainHead) -> bytes:
    content = {
        "format": HEAD_FORMAT,
        "version": 1,
        "seq": head.seq,
        "mac": head.mac,
        "tag": _head_tag(key, head.seq, head.mac),
    }
    return (json.dumps(content) + "\n").encode("ascii")


def parse_head(key: bytes, raw: bytes) -> ChainHead:
    try:
        content = json.loads(raw.decode("ascii"))
        seq, mac, tag = int(content["seq"]), str(content["mac"]), str(content["tag"])
        ok = content.get("format") == HEAD_FORMAT
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise HeadUnreadable() from exc
    if not ok or not hmac.compare_digest(tag, _head_tag(key, seq, mac)):
        raise HeadUnreadable()
    return ChainHead(seq, mac)


def last_row(conn: Connection) -> ChainHead | None:
    found = conn.execute(
        select(AUDIT_TABLE.c.seq, AUDIT_TABLE.c.mac).order_by(AUDIT_TABLE.c.seq.desc()).limit(1)
    ).first()
    return ChainHead(int(found[0]), str(found[1])) if found else None


def mac_at(conn: Connection, seq: int) -> str | None:
    found = conn.execute(select(AUDIT_TABLE.c.mac).where(AUDIT_TABLE.c.seq == seq)).first()
    return str(found[0]) if found else None


# -- the trail of one open vault ------------------------------------------------------


class AuditTrail:
    """Appends chained rows for one vault and keeps its head file up to date."""

    def __init__(self, db_path: Path, key: Callable[[], DataKey], user: str) -> None:
        self.db_path = db_path
        self.head_path = audit_head_path_for(db_path)
        self._key = key
        self.user = user[:100]
        self._head_lock = threading.Lock()
        self._head_seq = 0

    @property
    def audit_key(self) -> bytes:
        return _derive(self._key(), AUDIT_INFO)

    @property
    def head_key(self) -> bytes:
        return _derive(self._key(), HEAD_INFO)

    def append(self, session: OrmSession, entries: Sequence[AuditEntry]) -> ChainHead:
        """Append entries inside the session's transaction (the head file follows the commit)."""
        if not entries:
            raise ValueError("nothing to append to the audit trail")
        conn = session.connection()
        # Take the write lock first, so no other writer can slip a row in between
        # reading the last row and appending after it (the trigger ignores zero rows).
        conn.exec_driver_sql("UPDATE audit_event SET seq = seq WHERE 0")
        previous = last_row(conn) or ChainHead(0, GENESIS_MAC)
        rows = self._chain(previous, entries)
        conn.execute(insert(AUDIT_TABLE), rows)
        head = ChainHead(rows[-1]["seq"], rows[-1]["mac"])
        session.info[PENDING_HEAD_KEY] = (head.seq, head.mac)
        return head

    def _chain(self, previous: ChainHead, entries: Sequence[AuditEntry]) -> list[dict[str, Any]]:
        key = self.audit_key
        now = datetime.now(UTC)
        seq, prev_mac = previous.seq, previous.mac
        rows = []
        for entry in entries:
            seq += 1
            values: dict[str, Any] = {
                "seq": seq,
                "occurred_at": entry.occurred_at or now,
                "user": self.user,
                "action": entry.action[:40],
                "record_type": entry.record_type[:40],
                "record_id": entry.record_id[:32],
                "outcome": entry.outcome[:20],
                "detail": entry.detail[:DETAIL_MAX],
            }
            row_bytes = canonical(**values)
            values["prev_mac"] = prev_mac
            values["mac"] = prev_mac = chain_mac(key, prev_mac, row_bytes)
            rows.append(values)
        return rows

    # -- head file

    def read_head(self) -> ChainHead | None:
        """The head kept beside the database; None when there is none."""
        try:
            raw = self.head_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HeadUnreadable() from exc
        return parse_head(self.head_key, raw)

    def advance_head(self, seq: int, mac: str) -> None:
        """Write the head after a commit; never moves it back (threads may commit out of turn)."""
        with self._head_lock:
            if seq <= self._head_seq:
                return
            try:
                atomic_write(self.head_path, head_bytes(self.head_key, ChainHead(seq, mac)))
            except (OSError, CareNavError):
                # Committed data is safe; a head left behind is rewritten at the next unlock.
                log.warning("The audit trail head file could not be written.")
                return
            self._head_seq = seq

    def reconcile_at_open(self, conn: Connection) -> list[AuditEntry]:
        """Compare the database with the head beside it. Raises VaultDamaged when the
        database falls short of the head; returns warning entries to append otherwise."""
        last = last_row(conn)
        try:
            head = self.read_head()
            problem = "the record kept beside the vault was missing"
        except HeadUnreadable:
            head = None
            problem = "the record kept beside the vault was unreadable"
        if head is None:
            if last is None:
                return []
            return [AuditEntry("audit_head_recreated", outcome="warning", detail=problem)]
        if last is None or last.seq < head.seq or mac_at(conn, head.seq) != head.mac:
            raise VaultDamaged(ROLLED_BACK)
        self._head_seq = head.seq
        return []


def record_event(
    vault: Vault,
    action: str,
    *,
    record_type: str = "",
    record_id: uuid.UUID | str | None = None,
    detail: str = "",
    outcome: str = "success",
) -> None:
    """Append one event in its own transaction: lock, export, print, backup, restore...

    ``detail`` must never hold patient values: a fixed phrase, a count, a file kind.
    """
    entry = AuditEntry(action, record_type, id_text(record_id), outcome, detail)
    with vault.session() as session:
        vault.audit.append(session, [entry])


def record_in(session: OrmSession, entries: Iterable[AuditEntry]) -> None:
    """Append events inside an open ``Vault.session()`` (e.g. chart_opened with the read)."""
    trail = _trail_of(session)
    if trail is None:
        raise TypeError("record_in needs a session from Vault.session()")
    trail.append(session, list(entries))


# -- failed unlocks: remembered beside the vault until the next successful unlock -------


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_failed_unlock(throttle: UnlockThrottle, via: str) -> int:
    """Count a failure (with its time) in the unlock-state file; returns the count.

    The database cannot be written without the key, so each failure's time and kind
    wait in the unlock-state file (no patient data) until the next successful unlock.
    """
    earlier = _read_state(throttle.path).get(FAILURES_KEY, [])
    failures = throttle.record_failure()
    state = _read_state(throttle.path)
    if not state:
        return failures
    times = [t for t in earlier if isinstance(t, dict)] if isinstance(earlier, list) else []
    times.append({"at": throttle.clock(), "via": via})
    state[FAILURES_KEY] = times[-MAX_REMEMBERED_FAILURES:]
    with contextlib.suppress(OSError):
        atomic_write(throttle.path, json.dumps(state).encode("utf-8"))
    return failures


def pending_failed_unlocks(state_path: Path) -> list[AuditEntry]:
    """One unlock_failed entry per failure since the last successful unlock."""
    state = _read_state(state_path)
    try:
        count = int(state.get("failures", 0))
    except (TypeError, ValueError):
        count = 0
    times = state.get(FAILURES_KEY, [])
    known = [t for t in times if isinstance(t, dict)] if isinstance(times, list) else []
    known = known[-count:] if count > 0 else []
    entries = []
    if count > len(known):
        entries.append(
            AuditEntry(
                "unlock_failed",
                outcome="failure",
                detail=f"{count - len(known)} earlier failed attempt(s); times not recorded",
            )
        )
    entries += [_failure_entry(t) for t in known]
    return entries


def _failure_entry(item: dict[str, Any]) -> AuditEntry:
    via = "recovery code" if item.get("via") == "recovery code" else "passphrase"
    try:
        when: datetime | None = datetime.fromtimestamp(float(item["at"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        when = None
    return AuditEntry("unlock_failed", outcome="failure", detail=via, occurred_at=when)


# -- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    rows: int
    first_bad_seq: int | None
    reason: str

    def summary(self) -> str:
        if self.intact:
            return f"Audit trail intact: {self.rows:,} entries."
        return f"Audit trail not intact: {self.reason}"


@dataclass
class _Walk:
    key: bytes
    expected: int = 1
    prev_mac: str = GENESIS_MAC
    rows: int = 0

    def problem_with(self, row: AuditRow) -> tuple[int, str] | None:
        if row.seq != self.expected:
            missing = f"entry {self.expected:,}" + (
                f" to {row.seq - 1:,}" if row.seq - 1 > self.expected else ""
            )
            return self.expected, f"{missing} missing (removed from the middle of the trail)."
        if row.prev_mac != self.prev_mac:
            return row.seq, f"entry {row.seq:,} does not follow the entry before it."
        if not hmac.compare_digest(row.mac, chain_mac(self.key, row.prev_mac, row.canonical())):
            return row.seq, f"entry {row.seq:,} was changed after it was written."
        self.expected += 1
        self.prev_mac = row.mac
        self.rows += 1
        return None


def iter_rows(conn: Connection, *, newest_first: bool = False) -> Iterator[AuditRow]:
    order = AUDIT_TABLE.c.seq.desc() if newest_first else AUDIT_TABLE.c.seq
    for found in conn.execute(select(AUDIT_TABLE).order_by(order)):
        yield row_from(found._mapping)


def row_from(values: Any) -> AuditRow:
    return AuditRow(
        seq=int(values["seq"]),
        occurred_at=values["occurred_at"],
        user=str(values["user"]),
        action=str(values["action"]),
        record_type=str(values["record_type"]),
        record_id=str(values["record_id"]),
        outcome=str(values["outcome"]),
        detail=str(values["detail"]),
        prev_mac=str(values["prev_mac"]),
        mac=str(values["mac"]),
    )


def verify_chain(vault: Vault) -> ChainReport:
    """Recompute every mac, look for gaps, and compare the end with the head file."""
    trail = vault.audit
    # The head first: it is written after each commit, so rows read after it reach it.
    try:
        head = trail.read_head()
        head_problem = "" if head is not None else "the record kept beside the vault is missing."
    except HeadUnreadable:
        head, head_problem = None, "the record kept beside the vault is unreadable."
    walk = _Walk(trail.audit_key)
    with vault.engine.connect() as conn:
        for row in iter_rows(conn):
            problem = walk.problem_with(row)
            if problem is not None:
                return ChainReport(False, walk.rows, problem[0], problem[1])
            if head is not None and row.seq == head.seq and row.mac != head.mac:
                return ChainReport(
                    False,
                    walk.rows,
                    row.seq,
                    f"entry {row.seq:,} differs from the record kept beside the vault.",
                )
    if head_problem and walk.rows:
        return ChainReport(False, walk.rows, None, head_problem)
    if head is not None and head.seq > walk.rows:
        lost = head.seq - walk.rows
        return ChainReport(
            False,
            walk.rows,
            walk.rows + 1,
            f"the last {lost:,} entr{'y is' if lost == 1 else 'ies are'} missing "
            "(the trail was cut short).",
        )
    return ChainReport(True, walk.rows, None, "")
