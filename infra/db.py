"""Connection pool and per-use-case transactions that carry the caller to PostgreSQL.

Every transaction starts by setting ``app.*`` with ``set_config(..., true)`` so that
row-level security sees the caller; a transaction opened without a scope sees nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from infra.scope import AccessScope

# A pooled connection is a proxy with the same interface as a plain one.
# A string: asyncpg's classes are generic only in its stubs, not at run time.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


async def init_connection(conn: Connection) -> None:
    """Codecs shared by every connection: jsonb and json as Python values."""
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


def dsn_for_role(owner_dsn: str, role: str, password: str | None) -> str:
    """The owner's DSN with the user (and password) swapped for the app role."""
    parts = urlsplit(owner_dsn)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    credentials = quote(role, safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    netloc = f"{credentials}@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def apply_scope(conn: Connection, scope: AccessScope) -> None:
    settings = scope.settings()
    await conn.execute(
        "select set_config(k, v, true) from unnest($1::text[], $2::text[]) as s(k, v)",
        list(settings.keys()),
        list(settings.values()),
    )


class Database(Protocol):
    """What use cases and request handlers get: scoped transactions."""

    def transaction(self, scope: AccessScope) -> AbstractAsyncContextManager[Connection]: ...


class PoolDatabase:
    """Production: each transaction on its own pooled connection."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self, scope: AccessScope) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            await apply_scope(conn, scope)
            yield conn


class ConnectionDatabase:
    """Tests: all transactions on one connection inside an outer transaction
    (each becomes a savepoint), rolled back when the test ends."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @asynccontextmanager
    async def transaction(self, scope: AccessScope) -> AsyncIterator[Connection]:
        async with self.conn.transaction():
            await apply_scope(self.conn, scope)
            yield self.conn


async def create_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 10
) -> asyncpg.Pool[asyncpg.Record]:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=init_connection, command_timeout=60
    )
    assert pool is not None
    return pool
