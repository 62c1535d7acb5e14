"""Domain errors, each with a message a care manager can act on.

Messages never contain patient information: they may be shown in dialogs,
printed to stderr by the command line, or end up in a log.
"""

from __future__ import annotations


class CareNavError(Exception):
    """Base class. ``str(error)`` is a complete, plain-language message."""

    exit_code = 1


class VaultError(CareNavError):
    exit_code = 4


class VaultNotFound(VaultError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"No vault was found at {path}. Check the path, or create a new vault "
            "with 'carenav init'."
        )


class VaultExists(VaultError):
    exit_code = 5

    def __init__(self, path: str) -> None:
        super().__init__(
            f"A vault or file already exists at {path}. Nothing was changed. "
            "Choose another location for a new vault."
        )


class WrongPassphrase(VaultError):
    exit_code = 3

    def __init__(self, failures: int = 0, retry_after: float = 0.0) -> None:
        self.failures = failures
        self.retry_after = retry_after
        msg = "That passphrase did not unlock the vault. Check Caps Lock and try again."
        if retry_after > 0:
            msg += f" You can try again in {retry_after:.0f} seconds."
        super().__init__(msg)


class UnlockDelayed(VaultError):
    """Too many failed attempts: the next try must wait."""

    exit_code = 3

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Too many unsuccessful attempts. Wait {max(retry_after, 1):.0f} seconds "
            "before trying again, or unlock with the recovery code."
        )


class VaultDamaged(VaultError):
    """The passphrase was right but the database cannot be read safely."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"The vault is damaged and was not opened ({detail}). Nothing was deleted "
            "or overwritten. Keep the files as they are and restore from a backup, "
            "or contact your agency's support."
        )


class NotAVault(VaultError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path} is not a CareNav vault ({detail}). Nothing was changed.")


class NewerVaultVersion(VaultError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"This vault was written by a newer version of CareNav ({detail}). "
            "Install the latest CareNav to open it; the vault was not changed."
        )


class MigrationFailed(VaultError):
    """Updating an older vault's tables failed; the vault was left as it was."""

    def __init__(self, backup: object | None) -> None:
        self.backup = backup
        where = f" A copy taken before the update is at {backup}." if backup else ""
        super().__init__(
            "The vault could not be updated to this version of CareNav, so it was left "
            f"exactly as it was.{where} Check that the disk has free space and try again; "
            "if it happens again, contact your agency's support."
        )


class SQLCipherUnavailable(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "The encryption library (SQLCipher) is not active, so CareNav refuses to "
            "store any data. Reinstall CareNav with its 'sqlcipher3' dependency."
        )


class VaultLocked(VaultError):
    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it with your passphrase first.")


class WeakPassphrase(CareNavError):
    exit_code = 5


class InvalidInput(CareNavError):
    """One or more fields failed validation; ``errors`` maps field name to message."""

    exit_code = 5

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        lines = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"Please correct: {lines}")


class RecordNotFound(CareNavError):
    exit_code = 5

    def __init__(self, kind: str) -> None:
        super().__init__(f"That {kind} no longer exists. It may have been removed.")


class StaleRecord(CareNavError):
    exit_code = 5

    def __init__(self) -> None:
        super().__init__(
            "This record was changed elsewhere after you opened it. "
            "Reopen it to see the latest version, then make your change again."
        )
