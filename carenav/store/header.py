"""The key header: the small file beside the database that holds key slots.

The database is encrypted with a random 256-bit data key that is never
stored in the clear. Each slot wraps that key with AES-256-GCM under a
key-encryption key that Argon2id derives from a secret (the passphrase, or
the recovery code). The slot's additional data binds it to its slot id and
to the vault id, so a slot cannot be moved to another vault.

The header also carries a SHA-256 checksum of its own content, so that a
damaged header is reported as damage, never as a wrong passphrase.
See docs/architecture.md ("The vault") for the reasons.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from carenav.errors import NewerVaultVersion, NotAVault, VaultDamaged

HEADER_FORMAT = "carenav-vault-header"
HEADER_VERSION = 1
KEY_BYTES = 32
AD_PREFIX = "carenav-keyslot-v1"
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
# How a header file starts, and disjoint markers inside it (one flipped bit can
# break at most one): a damaged or cut-short header is damage, not a foreign file.
HEADER_START = b'{\n "format": "' + HEADER_FORMAT.encode() + b'"'
HEADER_MARKERS = (b'"vault_id"', b'"slots"', b'"checksum"')


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: t passes over m KiB of memory with p lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def derive(self, secret: str, salt: bytes) -> bytes:
        return hash_secret_raw(
            # surrogatepass: a lone surrogate (never an accepted passphrase) must not crash
            secret=secret.encode("utf-8", "surrogatepass"),
            salt=salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


# Floor for production slots (RFC 9106 second recommendation; security.md S7).
PRODUCTION_FLOOR = KdfParams(time_cost=3, memory_kib=64 * 1024, parallelism=2)


def calibrate_kdf(target_seconds: float = 0.5, max_time_cost: int = 24) -> KdfParams:
    """Raise the Argon2id pass count until one derivation takes ~target_seconds here."""
    params = PRODUCTION_FLOOR
    salt = secrets.token_bytes(16)
    while True:
        start = time.perf_counter()
        params.derive("calibration", salt)
        elapsed = time.perf_counter() - start
        if elapsed >= target_seconds or params.time_cost >= max_time_cost:
            return params
        per_pass = elapsed / params.time_cost
        wanted = max(params.time_cost + 1, int(target_seconds / max(per_pass, 1e-6)))
        params = KdfParams(min(wanted, max_time_cost), params.memory_kib, params.parallelism)


def normalise_secret(secret: str) -> str:
    """NFKC-normalise as NIST SP 800-63B asks; never truncate."""
    return unicodedata.normalize("NFKC", secret)


def normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def new_recovery_code() -> str:
    """25 Crockford base32 characters (125 bits) in five groups of five."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(25))
    return "-".join(chars[i : i + 5] for i in range(0, 25, 5))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass
class KeySlot:
    slot_id: str
    kind: str  # "passphrase" or "recovery"
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes

    @classmethod
    def seal(
        cls,
        *,
        slot_id: str,
        kind: str,
        secret: str,
        data_key: bytes | bytearray,
        vault_id: str,
        kdf: KdfParams,
    ) -> KeySlot:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = kdf.derive(secret, salt)
        ad = f"{AD_PREFIX}:{slot_id}:{vault_id}".encode()
        ciphertext = AESGCM(kek).encrypt(nonce, bytes(data_key), ad)
        return cls(slot_id, kind, kdf, salt, nonce, ciphertext)

    def open(self, secret: str, vault_id: str) -> bytearray | None:
        """The data key, or None when the secret is not the one this slot was sealed with."""
        kek = self.kdf.derive(secret, self.salt)
        ad = f"{AD_PREFIX}:{self.slot_id}:{vault_id}".encode()
        try:
            return bytearray(AESGCM(kek).decrypt(self.nonce, self.ciphertext, ad))
        except InvalidTag:
            return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.slot_id,
            "kind": self.kind,
            "kdf": {
                "name": "argon2id",
                "t": self.kdf.time_cost,
                "m": self.kdf.memory_kib,
                "p": self.kdf.parallelism,
            },
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "ct": _b64(self.ciphertext),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeySlot:
        kdf = data["kdf"]
        if kdf["name"] != "argon2id":
            raise ValueError("unknown key derivation")
        return cls(
            slot_id=str(data["id"]),
            kind=str(data["kind"]),
            kdf=KdfParams(int(kdf["t"]), int(kdf["m"]), int(kdf["p"])),
            salt=_unb64(data["salt"]),
            nonce=_unb64(data["nonce"]),
            ciphertext=_unb64(data["ct"]),
        )


@dataclass
class VaultHeader:
    vault_id: str
    created_at: str
    app_version: str
    slots: list[KeySlot] = field(default_factory=list)
    initialised: bool = True

    def slots_of_kind(self, kind: str) -> list[KeySlot]:
        return [s for s in self.slots if s.kind == kind]

    def replace_slot(self, slot: KeySlot) -> None:
        self.slots = [s for s in self.slots if s.slot_id != slot.slot_id] + [slot]

    def _content(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "header_version": HEADER_VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "initialised": self.initialised,
            "slots": [s.to_json() for s in self.slots],
        }

    def to_bytes(self) -> bytes:
        content = self._content()
        content["checksum"] = _checksum(content)
        return (json.dumps(content, indent=1, sort_keys=False) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes, *, path: str) -> VaultHeader:
        looks_ours = _looks_like_a_header(raw)
        try:
            content = json.loads(raw.decode("utf-8"))
            if not isinstance(content, dict):
                raise ValueError("not an object")
        except (UnicodeDecodeError, ValueError) as exc:
            if looks_ours:
                raise VaultDamaged("the key header file is unreadable") from exc
            raise NotAVault(path, "its key header file is not a CareNav header") from exc
        if content.get("format") != HEADER_FORMAT:
            if looks_ours:
                raise VaultDamaged("the key header file is damaged")
            raise NotAVault(path, "its key header file is not a CareNav header")
        stored = content.pop("checksum", None)
        if stored != _checksum(content):
            raise VaultDamaged("the key header file failed its checksum")
        version = content.get("header_version")
        if not isinstance(version, int) or version > HEADER_VERSION:
            raise NewerVaultVersion(f"key header version {version}")
        try:
            return cls(
                vault_id=str(content["vault_id"]),
                created_at=str(content["created_at"]),
                app_version=str(content["app_version"]),
                initialised=bool(content["initialised"]),
                slots=[KeySlot.from_json(s) for s in content["slots"]],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultDamaged("the key header file is missing required fields") from exc


def _looks_like_a_header(raw: bytes) -> bool:
    start = raw[: len(HEADER_START)]
    if start and HEADER_START.startswith(start):  # cut short within the first line
        return True
    return HEADER_FORMAT.encode() in raw or sum(m in raw for m in HEADER_MARKERS) >= 2


def _checksum(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def read_header(path: Path) -> VaultHeader:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise VaultDamaged(f"the key header file cannot be read: {exc.strerror}") from exc
    if not raw:
        raise VaultDamaged("the key header file is empty")
    return VaultHeader.from_bytes(raw, path=str(path))


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write via a temporary file, fsync, rename over the target, fsync the folder."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_header(path: Path, header: VaultHeader) -> None:
    atomic_write(path, header.to_bytes())


def clean_stale_temp_files(folder: Path, name: str) -> None:
    """Remove temporary header files left by a crash mid-write."""
    for stale in folder.glob(f".{name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
