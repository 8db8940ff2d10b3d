"""The deadline settings reach the code, set in the environment as an operator would.

The app runs as ``tussendeur serve`` runs it (its own pool from ``DATABASE_URL``); each
case runs with the value set and with the documented default, and tells the two apart.
``TUSSENDEUR_SHUTDOWN_GRACE_SECONDS`` is observed by ``test_shutdown.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from entrypoints.app import Services, create_app
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support.http import TEST_BASE_URL

NOTHING_HANGS = 30.0
STILL_WAITING_AFTER = 2.0  # seconds: the default deadlines are far longer


@pytest.fixture(params=[True, False], ids=["set", "default"])
def configured(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@asynccontextmanager
async def served(
    owner_dsn: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    monkeypatch.setenv("DATABASE_URL", owner_dsn)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(
        env=Environment.TEST,
        public_url=TEST_BASE_URL,
        smtp_host=None,
        retention_interval_seconds=0,
        audit_checkpoint_interval_seconds=0,
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=TEST_BASE_URL, timeout=NOTHING_HANGS
        ) as client:
            yield app.state.services, client


async def test_db_statement_timeout_ms(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch, configured: bool
) -> None:
    env = {"TUSSENDEUR_DB_STATEMENT_TIMEOUT_MS": "250"} if configured else {}
    async with served(fresh_database, monkeypatch, env) as (services, _):
        database = services.database
        async with database.transaction(AccessScope.nobody()) as conn:
            shown = await conn.fetchval("show statement_timeout")
    assert shown == ("250ms" if configured else "15s")


async def test_db_acquire_timeout_seconds(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch, configured: bool
) -> None:
    env = {"TUSSENDEUR_DB_POOL_MAX": "1"}
    if configured:
        env["TUSSENDEUR_DB_ACQUIRE_TIMEOUT_SECONDS"] = "0.5"
    async with served(fresh_database, monkeypatch, env) as (services, client):
        assert services.runtime is not None
        pool = services.runtime.pool
        held = await pool.acquire()  # the pool's only connection
        try:
            answer = asyncio.create_task(client.get("/audit/checkpoints"))
            await asyncio.wait([answer], timeout=STILL_WAITING_AFTER)
            if configured:
                assert answer.done()
                assert (await answer).status_code == 503
                assert (await answer).json()["error"] == "SERVICE_UNAVAILABLE"
            else:
                assert not answer.done()
        finally:
            await pool.release(held)
        assert (await asyncio.wait_for(answer, NOTHING_HANGS)).status_code == (
            503 if configured else 200
        )


async def test_request_timeout_seconds(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch, configured: bool
) -> None:
    env = {"TUSSENDEUR_READYZ_TIMEOUT_SECONDS": "60", "TUSSENDEUR_DB_STATEMENT_TIMEOUT_MS": "0"}
    if configured:
        env["TUSSENDEUR_REQUEST_TIMEOUT_SECONDS"] = "1"
    async with served(fresh_database, monkeypatch, env) as (_, client):
        owner = await asyncpg.connect(fresh_database)
        try:
            locked = owner.transaction()
            await locked.start()
            await owner.execute("lock table schema_migration in access exclusive mode")
            answer = asyncio.create_task(client.get("/readyz"))
            await asyncio.wait([answer], timeout=STILL_WAITING_AFTER)
            assert answer.done() == configured
            await locked.rollback()
        finally:
            await owner.close()
        response = await asyncio.wait_for(answer, NOTHING_HANGS)
    if configured:
        assert response.status_code == 503
        assert response.json()["error"] == "TIMEOUT"
        assert response.headers["retry-after"]
    else:
        assert response.status_code == 200
