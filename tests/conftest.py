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


# =====================================================================================
# HTTP fixtures (identity): the app on the rolled-back ``db``, an HTTP client, and real
# bearer tokens signed by the app's own key ring.
#
#     async def test_me(client, bearer, partner_caller_):
#         response = await client.post("/graphql", json={"query": "{ me { role } }"},
#                                      headers=await bearer(partner_caller_))
# =====================================================================================
from collections.abc import Awaitable, Callable  # noqa: E402

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from entrypoints.app import create_app  # noqa: E402
from exchange.identity.clients import hash_client_secret  # noqa: E402
from exchange.identity.keys import key_store  # noqa: E402
from exchange.identity.tokens import issue_access_token  # noqa: E402
from infra.caller import Caller  # noqa: E402
from infra.db import Database  # noqa: E402
from infra.scope import AccessScope  # noqa: E402
from infra.settings import Environment, Settings  # noqa: E402

BearerHeaders = Callable[[Caller], Awaitable[dict[str, str]]]
TEST_BASE_URL = "http://testserver"


@pytest.fixture
def app_settings() -> Settings:
    """Test settings: issuer and public URL are the test client's base URL; no SMTP."""
    return Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)


@pytest.fixture
async def app(db: ConnectionDatabase, app_settings: Settings) -> AsyncIterator[FastAPI]:
    """The whole app on the rolled-back test connection, its lifespan run."""
    application = create_app(app_settings, database=db)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=TEST_BASE_URL) as http:
        yield http


async def ensure_token_subject(database: Database, caller: Caller) -> None:
    """Make the row a token's per-request check looks for: an api_client for client
    callers, a staff_user for staff callers (people must exist already)."""
    async with database.transaction(AccessScope.system()) as conn:
        if caller.client_id:
            await conn.execute(
                """insert into api_client (id, consortium_id, partner_id, client_id, secret_hash,
                                           name, scopes)
                   values ($1, $2, $3, $4, $5, 'test client', $6)
                   on conflict (client_id) do nothing""",
                uuid.uuid4(),
                caller.consortium_id,
                caller.partner_id,
                caller.client_id,
                hash_client_secret(uuid.uuid4().hex),
                sorted(caller.scopes),
            )
        elif caller.user_id is not None:
            await conn.execute(
                """insert into staff_user (id, consortium_id, partner_id, role, email, display_name)
                   values ($1, $2, $3, $4, $5, 'Test user') on conflict (id) do nothing""",
                caller.user_id,
                caller.consortium_id,
                caller.partner_id,
                caller.role.value,
                f"staff-{caller.user_id.hex[:12]}@example.nl",
            )


@pytest.fixture
def bearer(app: FastAPI, db: ConnectionDatabase) -> BearerHeaders:
    """``await bearer(caller)`` → ``{"Authorization": "Bearer <real token>"}`` for ``caller``.

    The token's ``sub`` follows the caller's ids (client id, staff user id, person id).
    """
    services = app.state.services

    async def headers(caller: Caller) -> dict[str, str]:
        await ensure_token_subject(db, caller)
        ring = await key_store(services).get(db)
        token = issue_access_token(ring, services.settings, caller)
        return {"Authorization": f"Bearer {token.access_token}"}

    return headers
