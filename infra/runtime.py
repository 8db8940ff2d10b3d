"""Bringing up the database side of a process: which PostgreSQL, migrations, the app pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from infra.db import PoolDatabase, close_pool, create_pool, dsn_for_role
from infra.embedded import start_embedded_postgres
from infra.key_encryption import key_encryption_keys
from infra.migrate import ensure_database, migrate
from infra.settings import DatabasePooler, Settings

EMBEDDED_DATABASE = "tussendeur"
# At shutdown, after requests are drained or cancelled: then held connections are cut.
POOL_CLOSE_TIMEOUT_SECONDS = 5.0


@dataclass
class Runtime:
    settings: Settings
    owner_dsn: str
    app_dsn: str
    listen_dsn: str  # the app role on PostgreSQL itself, never through a transaction pooler
    pool: asyncpg.Pool
    database: PoolDatabase
    embedded_server: Any | None
    migrations_applied: list[str]


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


async def resolve_owner_dsn(settings: Settings) -> tuple[str, Any | None]:
    """The owner DSN for session work (migrations, CLI commands) straight to PostgreSQL:
    TUSSENDEUR_DIRECT_DATABASE_URL, else DATABASE_URL, else an embedded server it starts
    (or joins)."""
    if settings.direct_database_url:
        return settings.direct_database_url, None
    if settings.database_url:
        return settings.database_url, None
    server_dsn, server = start_embedded_postgres(settings.data_dir)
    await ensure_database(server_dsn, EMBEDDED_DATABASE)
    return with_database(server_dsn, EMBEDDED_DATABASE), server


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, run_migrations: bool = True
) -> AsyncIterator[Runtime]:
    key_encryption_keys(settings)  # no start without a KEK to seal the private keys with
    owner_dsn, server = await resolve_owner_dsn(settings)
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
    applied: list[str] = []
    if run_migrations:
        applied = await migrate(owner_dsn, app_role=settings.app_db_role, app_password=password)
    # requests go through DATABASE_URL (perhaps a pooler); the index listener never does
    app_dsn = dsn_for_role(settings.database_url or owner_dsn, settings.app_db_role, password)
    listen_dsn = dsn_for_role(owner_dsn, settings.app_db_role, password)
    pool = await create_pool(
        app_dsn,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        behind_transaction_pooler=settings.database_pooler is DatabasePooler.TRANSACTION,
    )
    try:
        yield Runtime(
            settings=settings,
            owner_dsn=owner_dsn,
            app_dsn=app_dsn,
            listen_dsn=listen_dsn,
            pool=pool,
            database=PoolDatabase(
                pool,
                acquire_timeout_seconds=settings.db_acquire_timeout_seconds,
                statement_timeout_ms=settings.db_statement_timeout_ms,
            ),
            embedded_server=server,
            migrations_applied=applied,
        )
    finally:
        await close_pool(pool, within_seconds=POOL_CLOSE_TIMEOUT_SECONDS)
        if server is not None:
            server.cleanup()
