"""Envelope encryption of secrets at rest under a key-encryption key (KEK).

A secret is encrypted with AES-256-GCM under a fresh data key; the data key is itself
encrypted (wrapped) with AES-256-GCM under the KEK. The caller names what the secret
belongs to (``associated``, e.g. a key id): it is bound into both encryptions, with the
KEK's id as well for the wrap, so a sealed value copied to another row, or relabelled
with another KEK id, no longer opens. The KEK never reaches the database; only its id
(a one-way fingerprint) is stored next to each sealed value.

This module is pure cryptography: where the KEK comes from is ``infra.key_encryption``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEK_BYTES = 32  # AES-256
NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value cannot be opened: its KEK is unknown, or it does not decrypt."""


class UnknownKeyEncryptionKey(SealError):
    def __init__(self, kek_id: str) -> None:
        super().__init__(f"sealed under key-encryption key {kek_id}, which is not configured")
        self.kek_id = kek_id


@dataclass(frozen=True, slots=True)
class KeyEncryptionKey:
    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != KEK_BYTES:
            raise ValueError(f"a key-encryption key is {KEK_BYTES} bytes, not {len(self.key)}")

    @property
    def id(self) -> str:
        """A fingerprint that names the KEK without revealing it."""
        digest = hashlib.sha256(b"tussendeur key-encryption key id\0" + self.key).hexdigest()
        return "kek-" + digest[:16]


@dataclass(frozen=True, slots=True)
class SealedSecret:
    """What is stored: the encrypted secret, its nonce, the wrapped data key, the KEK's id."""

    ciphertext: bytes
    nonce: bytes
    wrapped_key: bytes  # wrap nonce ‖ AES-GCM(KEK, data key)
    kek_id: str


class KeyEncryptionKeys:
    """The current KEK (seals) and earlier ones (still open what they sealed)."""

    def __init__(
        self, current: KeyEncryptionKey, previous: Sequence[KeyEncryptionKey] = ()
    ) -> None:
        self.current = current
        self.previous = tuple(k for k in previous if k.id != current.id)
        self._by_id = {k.id: k for k in (*self.previous, current)}

    def knows(self, kek_id: str) -> bool:
        return kek_id in self._by_id

    def seal(self, secret: bytes, *, associated: str) -> SealedSecret:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(data_key).encrypt(nonce, secret, _aad(associated))
        kek = self.current
        wrap_nonce = os.urandom(NONCE_BYTES)
        wrapped = AESGCM(kek.key).encrypt(wrap_nonce, data_key, _aad(associated, kek.id))
        return SealedSecret(ciphertext, nonce, wrap_nonce + wrapped, kek.id)

    def unseal(self, sealed: SealedSecret, *, associated: str) -> bytes:
        kek = self._by_id.get(sealed.kek_id)
        if kek is None:
            raise UnknownKeyEncryptionKey(sealed.kek_id)
        wrap_nonce, wrapped = sealed.wrapped_key[:NONCE_BYTES], sealed.wrapped_key[NONCE_BYTES:]
        try:
            data_key = AESGCM(kek.key).decrypt(wrap_nonce, wrapped, _aad(associated, sealed.kek_id))
            return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, _aad(associated))
        except (InvalidTag, ValueError) as exc:
            raise SealError(
                f"does not decrypt under key-encryption key {sealed.kek_id} (altered or moved)"
            ) from exc


def _aad(*parts: str) -> bytes:
    return "\0".join(("tussendeur sealed secret v1", *parts)).encode()


def parse_kek(text: str) -> KeyEncryptionKey:
    """A KEK from its base64 text (standard or URL-safe alphabet, padding optional)."""
    cleaned = "".join(text.split())
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        raw = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != KEK_BYTES:
        raise ValueError(f"decodes to {len(raw)} bytes; a key-encryption key is {KEK_BYTES}")
    return KeyEncryptionKey(raw)


def new_kek_text() -> str:
    """A fresh KEK as base64 text (what ``TUSSENDEUR_KEY_ENCRYPTION_KEY`` holds)."""
    return base64.b64encode(secrets.token_bytes(KEK_BYTES)).decode()


def read_kek_file(path: Path) -> KeyEncryptionKey:
    return parse_kek(path.read_text(encoding="ascii"))


def read_or_create_kek_file(path: Path) -> tuple[KeyEncryptionKey, bool]:
    """The KEK in ``path``, creating the file (mode 600) when there is none; also whether
    it was created. Two processes racing here end up with the same file."""
    if path.exists():
        return read_kek_file(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(new_kek_text() + "\n")
        try:
            os.link(scratch, path)  # never replaces a file another process made meanwhile
            created = True
        except FileExistsError:
            created = False
    finally:
        scratch.unlink(missing_ok=True)
    return read_kek_file(path), created
