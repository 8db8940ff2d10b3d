"""Platform signing keys: ES256 keys kept in PostgreSQL (table ``platform_key``).

Private keys are stored sealed (``infra.keywrap``: AES-256-GCM under a per-key data key,
wrapped by the key-encryption key from ``infra.key_encryption``), never in clear. Loading
the keys first seals any private key an earlier version left in clear (migration 0010);
:func:`rewrap_keys` moves every sealed key to the current KEK after a KEK rotation.

The newest key that is not retired signs; :func:`rotate_keys` retires it and makes a
new one. Retired keys stay published in the JWKS (and keep verifying) for a grace
period that must outlast the longest token lifetime, so rotation never cuts off a
token that was valid when it was issued.

A process keeps a :class:`KeyRing` snapshot in a :class:`KeyStore`, reloaded now and
then (so a rotation by the CLI or another replica reaches it) and at once, but at
most every few seconds, when a token names a key it does not know.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from joserfc import jwt
from joserfc.jwk import ECKey

from exchange.identity import repository
from exchange.identity.models import KeyInfo, StoredKey
from infra.db import Connection, Database
from infra.key_encryption import (
    KEK_VARIABLE,
    PREVIOUS_VARIABLE,
    KeyEncryptionUnavailable,
    key_encryption_keys,
)
from infra.keywrap import KeyEncryptionKeys, SealedSecret, SealError
from infra.scope import AccessScope
from infra.settings import get_settings

SIGNING_ALG = "ES256"
CURVE = "P-256"
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 (a media type, not a secret)
DEFAULT_RETIREMENT_GRACE = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlatformKey:
    kid: str
    alg: str
    created_at: dt.datetime
    retired_at: dt.datetime | None
    public_jwk: dict[str, Any]
    private_key: ECKey | None = field(default=None, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.retired_at is None


class KeyRing:
    """An immutable snapshot of the keys that sign and verify right now."""

    def __init__(self, keys: Sequence[PlatformKey]) -> None:
        signing = [k for k in keys if k.active and k.private_key is not None]
        if not signing:
            raise ValueError("a key ring needs an active signing key")
        self.active: PlatformKey = max(signing, key=lambda k: k.created_at)
        self.keys: tuple[PlatformKey, ...] = tuple(keys)
        self._verify = {k.kid: ECKey.import_key(k.public_jwk) for k in keys if k.alg == SIGNING_ALG}

    def verification_key(self, kid: str) -> ECKey | None:
        return self._verify.get(kid)

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._verify)

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JWK Set (RFC 7517), newest key first."""
        ordered = sorted(self.keys, key=lambda k: k.created_at, reverse=True)
        return {"keys": [dict(k.public_jwk) for k in ordered]}

    def sign(self, claims: dict[str, Any], *, typ: str = ACCESS_TOKEN_TYPE) -> str:
        """A compact JWS over ``claims``, signed by the active key."""
        assert self.active.private_key is not None
        header = {"alg": SIGNING_ALG, "kid": self.active.kid, "typ": typ}
        return jwt.encode(header, claims, self.active.private_key, algorithms=[SIGNING_ALG])


def generate_key() -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A fresh P-256 key: its kid (RFC 7638 thumbprint), private and public JWK."""
    key = ECKey.generate_key(CURVE, private=True)
    kid = key.thumbprint()
    params = {"kid": kid, "alg": SIGNING_ALG, "use": "sig"}
    return (
        kid,
        dict(key.as_dict(private=True, **params)),
        dict(key.as_dict(private=False, **params)),
    )


def _seal(keks: KeyEncryptionKeys, kid: str, private_jwk: dict[str, Any]) -> SealedSecret:
    return keks.seal(json.dumps(private_jwk, sort_keys=True).encode(), associated=kid)


def _unseal(keks: KeyEncryptionKeys, kid: str, sealed: SealedSecret) -> dict[str, Any]:
    try:
        opened: dict[str, Any] = json.loads(keks.unseal(sealed, associated=kid))
    except SealError as exc:
        raise KeyEncryptionUnavailable(
            f"platform key {kid} is {exc}: set {KEK_VARIABLE} to the key-encryption key it "
            f"was sealed with, or list that key in {PREVIOUS_VARIABLE} until "
            "`tussendeur keys rewrap` has run"
        ) from None
    return opened


async def _insert_new_key(conn: Connection, keks: KeyEncryptionKeys) -> KeyInfo:
    kid, private_jwk, public_jwk = generate_key()
    return await repository.insert_sealed_key(
        conn, kid=kid, alg=SIGNING_ALG, public_jwk=public_jwk, sealed=_seal(keks, kid, private_jwk)
    )


async def _seal_clear_keys(conn: Connection, keks: KeyEncryptionKeys) -> int:
    """Seal the private keys an earlier version stored in clear; call under the key lock."""
    clear = await repository.clear_private_keys(conn)
    for key in clear:
        sealed = _seal(keks, key.kid, key.private_jwk)
        await repository.store_sealed_private_key(conn, kid=key.kid, sealed=sealed)
    return len(clear)


def _platform_key(stored: StoredKey, keks: KeyEncryptionKeys) -> PlatformKey:
    private = None
    if stored.sealed_private is not None:
        private = ECKey.import_key(_unseal(keks, stored.kid, stored.sealed_private))
    return PlatformKey(
        kid=stored.kid,
        alg=stored.alg,
        created_at=stored.created_at,
        retired_at=stored.retired_at,
        public_jwk=stored.public_jwk,
        private_key=private,
    )


def _has_active(keys: list[StoredKey]) -> bool:
    return any(k.retired_at is None for k in keys)


def configured_keks() -> KeyEncryptionKeys:
    """The process's KEKs, from its settings."""
    return key_encryption_keys(get_settings())


async def load_key_ring(
    database: Database,
    *,
    keks: KeyEncryptionKeys | None = None,
    grace: dt.timedelta = DEFAULT_RETIREMENT_GRACE,
) -> KeyRing:
    """The current keys; seals keys left in clear and creates the first active key when
    there is none. A KEK that cannot open the active key raises
    :class:`KeyEncryptionUnavailable` with what to set."""
    keks = keks if keks is not None else configured_keks()
    async with database.transaction(AccessScope.system()) as conn:
        keys = await repository.current_keys(conn, grace=grace)
        if not _has_active(keys) or await repository.clear_private_keys(conn):
            await repository.lock_keys(conn)  # two replicas starting at once make one key
            await _seal_clear_keys(conn, keks)
            keys = await repository.current_keys(conn, grace=grace)
            if not _has_active(keys):
                await _insert_new_key(conn, keks)
                keys = await repository.current_keys(conn, grace=grace)
        return KeyRing([_platform_key(k, keks) for k in keys])


async def rotate_keys(database: Database, *, keks: KeyEncryptionKeys | None = None) -> KeyInfo:
    """Retire the active key(s) and make a new active key; return the new key."""
    keks = keks if keks is not None else configured_keks()
    async with database.transaction(AccessScope.system()) as conn:
        await repository.lock_keys(conn)
        await _seal_clear_keys(conn, keks)
        await repository.retire_active_keys(conn)
        return await _insert_new_key(conn, keks)


async def rewrap_keys(database: Database, *, keks: KeyEncryptionKeys | None = None) -> list[str]:
    """Re-seal every stored private key under the current KEK (after a KEK rotation, with
    the old KEK in ``TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS``); return the kids moved.
    All or nothing: one key no KEK opens leaves every key as it was."""
    keks = keks if keks is not None else configured_keks()
    moved: list[str] = []
    async with database.transaction(AccessScope.system()) as conn:
        await repository.lock_keys(conn)
        moved += [key.kid for key in await repository.clear_private_keys(conn)]
        await _seal_clear_keys(conn, keks)
        for key in await repository.sealed_private_keys(conn):
            if key.sealed.kek_id == keks.current.id:
                continue
            private_jwk = _unseal(keks, key.kid, key.sealed)
            sealed = _seal(keks, key.kid, private_jwk)
            await repository.store_sealed_private_key(conn, kid=key.kid, sealed=sealed)
            moved.append(key.kid)
    return moved


async def list_keys(
    database: Database, *, grace: dt.timedelta = DEFAULT_RETIREMENT_GRACE
) -> list[KeyInfo]:
    """Every key ever made, newest first, with whether it still signs or verifies."""
    async with database.transaction(AccessScope.system()) as conn:
        return await repository.list_keys(conn, grace=grace)


class KeyStore:
    """A process's cached key ring, reloaded from PostgreSQL when it grows old."""

    def __init__(
        self,
        *,
        keks: KeyEncryptionKeys | None = None,
        grace: dt.timedelta = DEFAULT_RETIREMENT_GRACE,
        max_age_seconds: float = 60.0,
        miss_refresh_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keks = keks
        self.grace = grace
        self.max_age_seconds = max_age_seconds
        self.miss_refresh_seconds = miss_refresh_seconds
        self._clock = clock
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, database: Database) -> KeyRing:
        ring = self._ring
        if ring is not None and self._clock() - self._loaded_at < self.max_age_seconds:
            return ring
        return await self._reload(database, unless_younger_than=self.max_age_seconds)

    async def refresh_for_unknown_kid(self, database: Database) -> KeyRing:
        """Reload at once, but not more often than every ``miss_refresh_seconds``:
        a stream of tokens with invented kids must not become a stream of queries."""
        return await self._reload(database, unless_younger_than=self.miss_refresh_seconds)

    def invalidate(self) -> None:
        self._ring = None

    async def _reload(self, database: Database, *, unless_younger_than: float) -> KeyRing:
        async with self._lock:  # one reload at a time; waiters reuse its result
            ring = self._ring
            if ring is not None and self._clock() - self._loaded_at < unless_younger_than:
                return ring
            ring = await load_key_ring(database, keks=self.keks, grace=self.grace)
            self._ring, self._loaded_at = ring, self._clock()
            return ring


class HoldsKeyStore(Protocol):
    key_store: KeyStore


def key_store(services: HoldsKeyStore) -> KeyStore:
    """The one key store of an app (``Services.key_store``)."""
    return services.key_store
