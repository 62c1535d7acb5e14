"""The process that gets killed: small loops over the real vault, run as a script.

    python fault_child.py writer DB PASSPHRASE COUNT
    python fault_child.py passwd DB PASSPHRASE_A PASSPHRASE_B
    python fault_child.py diskfull DB PASSPHRASE LIMIT_BYTES

Each acknowledged step is printed (and flushed) only after it returned, so
the parent knows exactly what the vault promised before the kill.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path

from carenav.errors import WrongPassphrase
from carenav.services.patients import create_patient
from carenav.store.faults import StorageFull, translate_storage_error
from carenav.store.vault import Vault


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def patient(n: int, notes: str = "") -> dict[str, object]:
    return {
        "family_name": f"Faultwriter{n:05d}",
        "given_name": "Synthetic",
        "birth_date": "1951-06-15",
        "preferred_language": "English",
        "visit_notes": notes,
    }


def writer(db: Path, passphrase: str, count: int) -> None:
    vault = Vault.unlock(db, passphrase)
    say("ready")
    for n in range(count):
        say(create_patient(vault, patient(n)).hex)
    vault.close()
    say("done")


def passwd(db: Path, first: str, second: str) -> None:
    try:
        vault, current, other = Vault.unlock(db, first), first, second
    except WrongPassphrase:
        vault, current, other = Vault.unlock(db, second), second, first
    say(f"ready {0 if current == first else 1}")
    for _ in range(10_000):
        vault.change_passphrase(current, other)
        current, other = other, current
        say(f"now {0 if current == first else 1}")


def diskfull(db: Path, passphrase: str, limit: int) -> None:
    vault = Vault.unlock(db, passphrase)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write(), not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    say("ready")
    for n in range(100_000):
        try:
            patient_id = create_patient(vault, patient(n, notes="Full disk note. " * 120))
        except Exception as exc:
            # Vault.session already turns a storage failure into StorageFull.
            translated = exc if isinstance(exc, StorageFull) else translate_storage_error(exc)
            driver = exc.__cause__ if isinstance(exc, StorageFull) else exc
            say(
                json.dumps(
                    {
                        "raised": type(exc).__name__,
                        "driver": str(getattr(driver, "orig", driver)),
                        "translated": type(translated).__name__ if translated else None,
                        "message": str(translated) if translated else "",
                    }
                )
            )
            vault.close()  # the checkpoint may fail too: close must still let go
            return
        say(patient_id.hex)


def main(argv: list[str]) -> None:
    mode, db = argv[0], Path(argv[1])
    if mode == "writer":
        writer(db, argv[2], int(argv[3]))
    elif mode == "passwd":
        passwd(db, argv[2], argv[3])
    elif mode == "diskfull":
        diskfull(db, argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
