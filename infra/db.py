"""Connection pool and per-use-case transactions that carry the caller to PostgreSQL.

Every transaction starts by setting ``app.*`` with ``set_config(..., true)`` so that
row-level security sees the caller; a transaction opened without a scope sees nothing.

Nothing waits forever: a pooled connection is waited for at most
``acquire_timeout_seconds`` (then :class:`~infra.errors.ServiceUnavailable`), and each
statement runs at most ``statement_timeout_ms`` (PostgreSQL's ``statement_timeout``, set
per transaction; then :class:`~infra.errors.DeadlineExceeded`, the transaction rolled back).
A database that is down or restarting, or a backend terminated mid-transaction, is
:class:`~infra.errors.ServiceUnavailable` at once. A cancelled transaction stays cancelled
even when its rollback fails.
Code holding a transaction never opens a second one on the pool: with every connection
held by such code, all of it would wait for each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from infra.errors import DeadlineExceeded, ServiceUnavailable
from infra.scope import AccessScope

DEFAULT_ACQUIRE_TIMEOUT_SECONDS = 10.0  # as Settings.db_acquire_timeout_seconds
DEFAULT_STATEMENT_TIMEOUT_MS = 15_000  # as Settings.db_statement_timeout_ms

# A pooled connection is a proxy with the same interface as a plain one.
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


async def apply_scope(
    conn: Connection, scope: AccessScope, *, statement_timeout_ms: int | None = None
) -> None:
    """The caller's ``app.*`` settings (and the statement timeout) for this transaction.

    JIT is off for every use case: row-level security inflates the planner's estimates
    past ``jit_above_cost`` on small OLTP queries, and compiling then cost seconds where
    running took milliseconds (the admin's statistics: 2.96 s compiling, 20 ms running).
    """
    settings = {**scope.settings(), "jit": "off"}
    if statement_timeout_ms is not None:
        settings = {**settings, "statement_timeout": str(statement_timeout_ms)}
    await conn.execute(
        "select set_config(k, v, true) from unnest($1::text[], $2::text[]) as s(k, v)",
        list(settings.keys()),
        list(settings.values()),
    )


PreCommitWork: TypeAlias = "Callable[[Connection, bool], Awaitable[None]]"


class _Frame:
    """One open use-case transaction on a connection, and the work to run before it ends."""

    def __init__(self, commits: bool) -> None:
        self.commits = commits  # False: a savepoint inside a transaction (tests)
        self.work: list[PreCommitWork] = []


# The open use-case transactions per connection, innermost last (the connection
# database nests them as savepoints).
_frames: dict[int, list[_Frame]] = {}


def pre_commit_work(conn: Connection) -> list[PreCommitWork] | None:
    """The work to run on ``conn`` just before its use case's transaction ends, in order:
    append to it. Each runs inside the transaction (a failure rolls everything back) and
    is told whether a COMMIT follows (False for a savepoint: deferred constraints will not
    fire then). None when ``conn`` is not in a transaction opened by
    :meth:`Database.transaction`: do the work now."""
    stack = _frames.get(id(conn))
    return stack[-1].work if stack else None


@asynccontextmanager
async def _pre_commit_frame(conn: Connection, *, commits: bool) -> AsyncIterator[None]:
    """Collects the :func:`pre_commit_work` of the block; runs it when the block ends
    normally, drops it when the block raises."""
    stack = _frames.setdefault(id(conn), [])
    frame = _Frame(commits)
    stack.append(frame)
    try:
        yield
        while frame.work:
            await frame.work.pop(0)(conn, commits)
    finally:
        stack.pop()
        if not stack:
            del _frames[id(conn)]


class Database(Protocol):
    """What use cases and request handlers get: scoped transactions."""

    def transaction(self, scope: AccessScope) -> AbstractAsyncContextManager[Connection]: ...


# The server went away (restarted, this backend terminated, the network cut) or does not
# take connections yet: the request fails at once with SERVICE_UNAVAILABLE, and the pool
# opens a new connection on a later acquire. (_CLIENT_SIDE errors count only with the
# connection closed: raised by other code in the block they are not the database's.)
_DATABASE_GONE = (
    asyncpg.PostgresConnectionError,  # class 08, e.g. "connection was closed in the middle"
    asyncpg.AdminShutdownError,  # 57P01: shut down, or pg_terminate_backend
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
)
# what asyncpg (or the socket) raises on this side when the connection dropped under it
_CLIENT_SIDE = (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError)
UNREACHABLE = "the database cannot be reached right now; try again shortly"


def _connection_lost(conn: Connection) -> bool:
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:  # the pool already took the dead connection back
        return True


class PoolDatabase:
    """Production: each transaction on its own pooled connection, none waiting forever."""

    def __init__(
        self,
        pool: asyncpg.Pool[asyncpg.Record],
        *,
        acquire_timeout_seconds: float = DEFAULT_ACQUIRE_TIMEOUT_SECONDS,
        statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS,
    ) -> None:
        self.pool = pool
        self.acquire_timeout_seconds = acquire_timeout_seconds
        self.statement_timeout_ms = statement_timeout_ms

    @asynccontextmanager
    async def transaction(self, scope: AccessScope) -> AsyncIterator[Connection]:
        try:
            conn = await self.pool.acquire(timeout=self.acquire_timeout_seconds)
        except TimeoutError as exc:
            raise ServiceUnavailable(
                "no database connection came free in time; try again shortly"
            ) from exc
        except (*_DATABASE_GONE, OSError, asyncpg.TooManyConnectionsError) as exc:
            raise ServiceUnavailable(UNREACHABLE) from exc
        cancelled = False
        try:
            async with conn.transaction(), _pre_commit_frame(conn, commits=True):
                try:
                    await apply_scope(conn, scope, statement_timeout_ms=self.statement_timeout_ms)
                    yield conn
                except asyncio.CancelledError:
                    cancelled = True
                    raise
        except (asyncpg.QueryCanceledError, TimeoutError) as exc:
            if cancelled:  # the cancel reached the ROLLBACK too: still a cancel
                raise asyncio.CancelledError() from exc
            # statement_timeout on the server, or asyncpg's command_timeout on this side
            raise DeadlineExceeded("the request took too long and was stopped") from exc
        except Exception as exc:
            if cancelled:  # the ROLLBACK failed (the connection died): still a cancel
                raise asyncio.CancelledError() from exc
            if isinstance(exc, _DATABASE_GONE) or (
                isinstance(exc, _CLIENT_SIDE) and _connection_lost(conn)
            ):
                raise ServiceUnavailable(UNREACHABLE) from exc
            raise
        finally:
            try:
                await self.pool.release(conn)  # shielded by asyncpg: runs even when cancelled
            except (*_CLIENT_SIDE, *_DATABASE_GONE):
                # it died on its way back (the reset query failed): asyncpg has dropped it and
                # the pool opens another; what the transaction did is already decided
                if not _connection_lost(conn):
                    raise


class ConnectionDatabase:
    """Tests: all transactions on one connection inside an outer transaction
    (each becomes a savepoint), rolled back when the test ends."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @asynccontextmanager
    async def transaction(self, scope: AccessScope) -> AsyncIterator[Connection]:
        async with self.conn.transaction(), _pre_commit_frame(self.conn, commits=False):
            await apply_scope(self.conn, scope)
            yield self.conn


async def create_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 10, behind_transaction_pooler: bool = False
) -> asyncpg.Pool[asyncpg.Record]:
    """Behind a transaction-mode pooler (PgBouncer) each transaction may run on another
    server connection: asyncpg then keeps no named prepared statements (one prepared on
    one server connection is unknown on the next). Nothing else needs to change: the
    caller's settings are ``set_config(..., true)``, scoped to the transaction."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        command_timeout=60,
        statement_cache_size=0 if behind_transaction_pooler else 100,
    )
    assert pool is not None
    return pool


async def close_pool(pool: asyncpg.Pool[asyncpg.Record], *, within_seconds: float) -> None:
    """Close gracefully, waiting at most ``within_seconds`` for held connections; then terminate."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            pool.close(), within_seconds
        )  # on timeout close() terminates the pool


async def try_xact_lock(conn: Connection, key: int, subkey: int | None = None) -> bool:
    """Take the advisory lock ``key`` (or ``(key, subkey)``) until the transaction ends,
    without waiting; False when another transaction holds it (one job run at a time)."""
    if subkey is None:
        taken = await conn.fetchval("select pg_try_advisory_xact_lock($1)", key)
    else:
        taken = await conn.fetchval("select pg_try_advisory_xact_lock($1, $2)", key, subkey)
    return bool(taken)
