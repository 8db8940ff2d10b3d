"""API client credentials: generating them, hashing secrets with argon2, checking them.

Whoever creates API clients (the admin use case, the CLI, the demo) calls
:func:`new_client_credentials`, stores ``secret_hash`` (for instance through
:func:`insert_api_client`) and shows ``secret`` exactly once.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import uuid
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error

from exchange.identity import repository
from exchange.identity.models import ApiClient
from infra.db import Connection, Database
from infra.scope import AccessScope

CLIENT_ID_PREFIX = "tdc_"
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
MAX_SECRET_LENGTH = 256

# Secrets are 256 random bits, so the hash needs no extreme cost; OWASP's argon2id
# minimum (19 MiB, t=2) keeps each check ~30 ms and bounded in memory.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# At most this many checks run at once (each takes 19 MiB in a worker thread).
_VERIFY_SLOTS = threading.BoundedSemaphore(4)


class ClientCredentials(NamedTuple):
    client_id: str
    secret: str
    secret_hash: str


def generate_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(10)


def generate_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_client_secret(secret: str) -> str:
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        raise ValueError(f"a client secret has 1..{MAX_SECRET_LENGTH} characters")
    return _HASHER.hash(secret)


def new_client_credentials() -> ClientCredentials:
    """A fresh client id, its secret (show it once) and the hash to store."""
    secret = generate_client_secret()
    return ClientCredentials(generate_client_id(), secret, hash_client_secret(secret))


@cache
def _dummy_hash() -> str:
    """Checked against when the client id is unknown, so both paths cost one argon2 run."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def verify_client_secret(secret_hash: str | None, secret: str) -> bool:
    """Constant-time check (argon2's own comparison); ``None`` hash checks a dummy and fails."""
    candidate = secret_hash if secret_hash is not None else _dummy_hash()
    matches: bool
    try:
        with _VERIFY_SLOTS:
            matches = _HASHER.verify(candidate, secret)
    except Argon2Error:  # mismatch, or a malformed stored hash
        matches = False
    return matches and secret_hash is not None


def needs_rehash(secret_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(secret_hash)
    except Argon2Error:
        return False


async def verify_client_secret_async(secret_hash: str | None, secret: str) -> bool:
    """:func:`verify_client_secret` in a worker thread, never blocking the event loop."""
    return await asyncio.to_thread(verify_client_secret, secret_hash, secret)


async def insert_api_client(
    conn: Connection,
    *,
    consortium_id: UUID,
    partner_id: UUID | None,
    name: str,
    scopes: Iterable[str],
    client_id: str,
    secret_hash: str,
) -> UUID:
    """Store a client (needs a system or consortium-admin scope); return its row id."""
    if not CLIENT_ID_PATTERN.fullmatch(client_id):
        raise ValueError("client_id must be 1-100 characters of A-Z a-z 0-9 . _ ~ -")
    row_id = uuid.uuid4()
    await repository.insert_api_client(
        conn,
        id=row_id,
        consortium_id=consortium_id,
        partner_id=partner_id,
        client_id=client_id,
        secret_hash=secret_hash,
        name=name,
        scopes=scopes,
    )
    return row_id


async def find_api_client(database: Database, client_id: str) -> ApiClient | None:
    """The client a token request names, found through the anonymous ``client_id`` lookup."""
    if not CLIENT_ID_PATTERN.fullmatch(client_id):
        return None
    async with database.transaction(AccessScope.anonymous(client_id=client_id)) as conn:
        return await repository.find_api_client(conn, client_id=client_id)
