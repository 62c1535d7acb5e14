"""``carenav backup`` and ``carenav restore``: registered into the main parser by ``register``.

The secret read is the vault's passphrase (or its recovery code) for ``backup``,
and the backup's passphrase of that day (or the recovery code) for ``restore``.
Exit codes as in ``carenav.cli``: 0 ok, 3 wrong passphrase, 4 damaged or
unreadable, 5 invalid input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carenav.errors import InvalidInput
from carenav.store.backup import backup_vault, restore_backup

if TYPE_CHECKING:
    from carenav.cli import SecretReader

Handler = Callable[[argparse.Namespace, "SecretReader"], int]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vault",
        type=Path,
        required=True,
        metavar="PATH",
        help="the vault's database file (its .keys header sits beside it)",
    )
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase (or recovery code) from standard input instead of prompting",
    )


VAULT_SUFFIXES = ("", ".keys", "-wal", "-shm", ".audit-head")


def checked_output_file(out: Path, vault: Path) -> Path:
    """``--out`` for a file a command writes: in a folder that exists, and never one of the
    vault's own files (writing the export there would destroy the caseload)."""
    if out.is_dir() or not out.parent.is_dir():
        raise InvalidInput({"--out": "name a file in a folder that exists"})
    own = {vault.with_name(vault.name + suffix).resolve() for suffix in VAULT_SUFFIXES}
    if out.resolve() in own:
        raise InvalidInput({"--out": "choose a file other than the vault's own files"})
    return out


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``backup`` and ``restore`` sub-commands; returns their handlers by name."""
    p = subparsers.add_parser(
        "backup",
        help="take a verified, encrypted backup (the app may be running)",
        description="Copy the vault into one encrypted .cnvbackup file and check the copy. "
        "The backup opens with today's passphrase or with the recovery code.",
    )
    _common(p)
    p.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the backup file to create"
    )
    p = subparsers.add_parser(
        "restore",
        help="check a backup, keep the current vault aside, and restore the backup",
        description="Checks the backup first. The current vault is never deleted: it is "
        "moved to a <name>.before-restore-<time> folder beside it.",
    )
    p.add_argument("--backup", type=Path, required=True, metavar="FILE", help="the .cnvbackup file")
    _common(p)
    return {"backup": cmd_backup, "restore": cmd_restore}


def _say(message: str) -> None:
    from carenav.cli import say

    say(message)


def cmd_backup(args: argparse.Namespace, secrets: SecretReader) -> int:
    from carenav.store.vault import Vault

    with Vault.unlock(args.vault, secrets.read("Passphrase")) as vault:
        info = backup_vault(vault, args.out)
    _say(
        f"Backed up {info.patients} patients to {info.path} ({info.size / 1e6:.1f} MB); "
        "the copy passed its checks. It opens with today's passphrase or the recovery code."
    )
    return 0


def cmd_restore(args: argparse.Namespace, secrets: SecretReader) -> int:
    secret = secrets.read("Passphrase of the backup (or the recovery code)")
    result = restore_backup(args.backup, args.vault, secret)
    made = result.backup.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    kept = (
        f" Your previous vault was kept, unchanged, in {result.kept}."
        if result.kept is not None
        else ""
    )
    _say(
        f"Restored the backup of {made} ({result.backup.patients} patients) to "
        f"{result.vault_path}.{kept} Unlock it with the passphrase that was in use when the "
        "backup was made, or with the recovery code; if you have changed your passphrase "
        "since, change it again now."
    )
    return 0
