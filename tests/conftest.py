"""Tests run on a real PostgreSQL: the embedded one, or TEST_DATABASE_URL when set.

Per session: one migrated template database. Per test: an app-role connection in
an outer transaction that is rolled back (``db``), or a whole fresh database cloned
from the template (``fresh_database``) for tests that need real commits.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from infra.db import ConnectionDatabase, dsn_for_role, init_connection
from infra.embedded import start_embedded_postgres
from infra.migrate import migrate
from infra.runtime import with_database
from infra.settings import DEFAULT_APP_ROLE

APP_ROLE = DEFAULT_APP_ROLE


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """DSN of a database on the server under test, connected as its owner."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="tussendeur-test-") as data_dir:
        dsn, server = start_embedded_postgres(Path(data_dir))
        try:
            yield dsn
        finally:
            server.cleanup()


async def _create_database(server_dsn: str, name: str, template: str | None = None) -> str:
    conn = await asyncpg.connect(server_dsn)
    try:
        clause = f' template "{template}"' if template else ""
        await conn.execute(f'create database "{name}"{clause}')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def _drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def template_database(server_dsn: str) -> AsyncIterator[str]:
    """Name of a migrated database that nobody stays connected to (clone source)."""
    name = f"td_tpl_{uuid.uuid4().hex[:10]}"
    owner_dsn = await _create_database(server_dsn, name)
    await migrate(owner_dsn, app_role=APP_ROLE)
    yield name
    await _drop_database(server_dsn, name)


@pytest.fixture(scope="session")
async def owner_dsn(server_dsn: str, template_database: str) -> AsyncIterator[str]:
    """Owner DSN of the shared test database (a clone of the template)."""
    name = f"td_test_{uuid.uuid4().hex[:10]}"
    dsn = await _create_database(server_dsn, name, template=template_database)
    yield dsn
    await _drop_database(server_dsn, name)


@pytest.fixture(scope="session")
def app_dsn(owner_dsn: str) -> str:
    return dsn_for_role(owner_dsn, APP_ROLE, None)


@pytest.fixture
async def conn(app_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """An app-role connection inside a transaction that is rolled back after the test."""
    connection = await asyncpg.connect(app_dsn)
    await init_connection(connection)
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


@pytest.fixture
def db(conn: asyncpg.Connection) -> ConnectionDatabase:
    return ConnectionDatabase(conn)


@pytest.fixture
async def fresh_database(server_dsn: str, template_database: str) -> AsyncIterator[str]:
    """Owner DSN of a brand-new migrated database, dropped after the test."""
    name = f"td_fresh_{uuid.uuid4().hex[:10]}"
    dsn = await _create_database(server_dsn, name, template=template_database)
    yield dsn
    await _drop_database(server_dsn, name)


@pytest.fixture
async def empty_database(server_dsn: str) -> AsyncIterator[str]:
    """Owner DSN of an empty database with no migrations applied."""
    name = f"td_empty_{uuid.uuid4().hex[:10]}"
    dsn = await _create_database(server_dsn, name)
    yield dsn
    await _drop_database(server_dsn, name)
