"""Tests run on a real PostgreSQL: the embedded one, or TEST_DATABASE_URL when set.

Per session: one migrated template database. Per test: an app-role connection in
an outer transaction that is rolled back (``db``), or a whole fresh database cloned
from the template (``fresh_database``) for tests that need real commits.

The fixtures live here; the helpers they and the tests use live in ``tests/support``
(see its docstring).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from entrypoints.app import create_app
from infra.caller import Caller
from infra.db import ConnectionDatabase, dsn_for_role, init_connection
from infra.embedded import start_embedded_postgres
from infra.migrate import migrate
from infra.settings import Environment, Settings
from tests.support.browser import served_on_localhost
from tests.support.databases import APP_ROLE, create_database, drop_database
from tests.support.http import TEST_BASE_URL, asgi_client, graphql, started
from tests.support.processes import TEST_KEY_ENCRYPTION_KEY
from tests.support.tokens import BearerHeaders, access_token, bearer_header

# Sealing private keys needs a key-encryption key; without one the suite would write a
# first-try key file into the user's data directory.
os.environ.setdefault("TUSSENDEUR_KEY_ENCRYPTION_KEY", TEST_KEY_ENCRYPTION_KEY)


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


@pytest.fixture(scope="session")
async def template_database(server_dsn: str) -> AsyncIterator[str]:
    """Name of a migrated database that nobody stays connected to (clone source)."""
    name = f"td_tpl_{uuid.uuid4().hex[:10]}"
    owner_dsn = await create_database(server_dsn, name)
    await migrate(owner_dsn, app_role=APP_ROLE)
    yield name
    await drop_database(server_dsn, name)


@pytest.fixture(scope="session")
async def owner_dsn(server_dsn: str, template_database: str) -> AsyncIterator[str]:
    """Owner DSN of the shared test database (a clone of the template)."""
    name = f"td_test_{uuid.uuid4().hex[:10]}"
    dsn = await create_database(server_dsn, name, template=template_database)
    yield dsn
    await drop_database(server_dsn, name)


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
    dsn = await create_database(server_dsn, name, template=template_database)
    yield dsn
    await drop_database(server_dsn, name)


@pytest.fixture
async def empty_database(server_dsn: str) -> AsyncIterator[str]:
    """Owner DSN of an empty database with no migrations applied."""
    name = f"td_empty_{uuid.uuid4().hex[:10]}"
    dsn = await create_database(server_dsn, name)
    yield dsn
    await drop_database(server_dsn, name)


# =====================================================================================
# HTTP fixtures: the app on the rolled-back ``db``, an HTTP client, real bearer tokens
# signed by the app's own key ring, and one GraphQL operation as a caller.
#
#     async def test_me(client, bearer, gql):
#         response = await client.post("/graphql", json={"query": "{ me { role } }"},
#                                      headers=await bearer(caller))
#         body = await gql(caller, "{ me { role } }")
# =====================================================================================


@pytest.fixture
def app_settings() -> Settings:
    """Test settings: issuer and public URL are the test client's base URL; no SMTP."""
    return Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)


@pytest.fixture
async def app(db: ConnectionDatabase, app_settings: Settings) -> AsyncIterator[FastAPI]:
    """The whole app on the rolled-back test connection, its lifespan run."""
    async with started(create_app(app_settings, database=db)) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


@pytest.fixture
def bearer(app: FastAPI, db: ConnectionDatabase) -> BearerHeaders:
    """``await bearer(caller)`` → ``{"Authorization": "Bearer <real token>"}`` for ``caller``.

    The token's ``sub`` follows the caller's ids (client id, staff user id, person id).
    """

    async def headers(caller: Caller) -> dict[str, str]:
        return bearer_header(await access_token(app, db, caller))

    return headers


GraphQLAs = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(client: httpx.AsyncClient, bearer: BearerHeaders) -> GraphQLAs:
    """``await gql(caller, query, **variables)`` → the body of one operation (answered 200)
    sent with ``caller``'s real bearer token."""

    async def call(caller: Caller, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql(client, await bearer(caller), query, **variables)

    return call


# ---------------------------------------------------------------- a real browser


@pytest.fixture
async def served(fresh_database: str) -> AsyncIterator[tuple[str, ConnectionDatabase]]:
    """The whole app under uvicorn on 127.0.0.1, and a connection that commits."""
    async with served_on_localhost(fresh_database) as base_and_db:
        yield base_and_db
