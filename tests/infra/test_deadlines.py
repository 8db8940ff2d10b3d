"""No request hangs: the pool, a statement and a whole request each have a deadline.

The app runs on a real, small pool on a fresh database (real commits), as in production;
``asyncio.wait_for`` around each step is the assertion that nothing hangs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from entrypoints.app import create_app
from exchange.identity.keys import key_store
from exchange.identity.tokens import issue_access_token
from exchange.matching.proposals import ProposalCache
from infra.caller import Caller
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.errors import DeadlineExceeded, ServiceUnavailable
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support import callers, factories
from tests.support.databases import APP_ROLE
from tests.support.http import TEST_BASE_URL
from tests.support.tokens import ensure_token_subject

NOTHING_HANGS = 30.0  # seconds: far above any deadline below, far below "forever"
PROPOSALS = "placementProposals(first: 1) { nodes { rank } }"
TEN_ALIASES = "{ " + " ".join(f"p{i}: {PROPOSALS}" for i in range(10)) + " }"


class CountingCache(ProposalCache):
    """The real cache, counting the computations it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.computations = 0

    async def _compute(self, *args: Any) -> Any:
        self.computations += 1
        return await super()._compute(*args)


@dataclass
class World:
    database: PoolDatabase
    hirer: Caller


@pytest.fixture
def app_dsn(fresh_database: str) -> str:
    return dsn_for_role(fresh_database, APP_ROLE, None)


@asynccontextmanager
async def pool_database(app_dsn: str, size: int, **timeouts: Any) -> AsyncIterator[PoolDatabase]:
    pool = await create_pool(app_dsn, min_size=1, max_size=size)
    try:
        yield PoolDatabase(pool, **timeouts)
    finally:
        pool.terminate()


async def make_world(database: PoolDatabase) -> World:
    consortium = await factories.create_consortium(database)
    sharer, hirer = [
        callers.partner_caller(await factories.create_partner(database, consortium, name=name))
        for name in ("Sharer", "Hirer")
    ]
    for _ in range(6):
        profile = await factories.share_profile(database, sharer)
        await factories.activate_profile(database, profile)
    for _ in range(2):
        await factories.create_vacancy(database, hirer)
    await ensure_token_subject(database, hirer)
    return World(database, hirer)


def quiet_settings(**overrides: Any) -> Settings:
    return Settings(
        env=Environment.TEST,
        public_url=TEST_BASE_URL,
        smtp_host=None,
        retention_interval_seconds=0,
        audit_checkpoint_interval_seconds=0,
        **overrides,
    )


@asynccontextmanager
async def serving(
    database: PoolDatabase, settings: Settings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings, database=database)
    async with AsyncExitStack() as stack:
        manager = await stack.enter_async_context(LifespanManager(app, startup_timeout=60))
        transport = httpx.ASGITransport(app=manager.app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=TEST_BASE_URL, timeout=NOTHING_HANGS)
        )
        yield app, client


async def bearer(app: FastAPI, database: PoolDatabase, caller: Caller) -> dict[str, str]:
    services = app.state.services
    ring = await key_store(services).get(database)
    token = issue_access_token(ring, services.settings, caller)
    return {"Authorization": f"Bearer {token.access_token}"}


def graphql(
    client: httpx.AsyncClient, query: str, headers: dict[str, str]
) -> Awaitable[httpx.Response]:
    return client.post("/graphql", json={"query": query}, headers=headers)


async def within(seconds: float, work: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(work, seconds)


# ---------------------------------------------------------------- placement proposals


async def test_ten_aliases_and_twelve_concurrent_requests_finish_on_a_pool_of_three(
    app_dsn: str,
) -> None:
    async with pool_database(app_dsn, 3) as database:
        world = await make_world(database)
        async with serving(database, quiet_settings()) as (app, client):
            cache = CountingCache()
            app.state.services.proposal_cache = cache
            headers = await bearer(app, database, world.hirer)

            one = await within(NOTHING_HANGS, graphql(client, TEN_ALIASES, headers))
            assert one.status_code == 200
            body = one.json()
            assert "errors" not in body, body
            assert sorted(body["data"]) == [f"p{i}" for i in range(10)]
            assert body["data"]["p0"]["nodes"], "six fitting profiles must yield a proposal"

            single = "{ " + PROPOSALS + " }"
            answers = await within(
                NOTHING_HANGS,
                asyncio.gather(
                    *(graphql(client, TEN_ALIASES if i % 2 else single, headers) for i in range(12))
                ),
            )
            assert [a.status_code for a in answers] == [200] * 12
            assert all("errors" not in a.json() for a in answers)
            assert cache.computations == 1  # everyone shared the first computation


async def test_concurrent_first_requests_share_one_computation(app_dsn: str) -> None:
    async with pool_database(app_dsn, 4) as database:
        world = await make_world(database)
        async with serving(database, quiet_settings()) as (app, client):
            cache = CountingCache()
            app.state.services.proposal_cache = cache
            headers = await bearer(app, database, world.hirer)
            answers = await within(
                NOTHING_HANGS,
                asyncio.gather(*(graphql(client, TEN_ALIASES, headers) for _ in range(6))),
            )
            assert all("errors" not in a.json() for a in answers)
            assert cache.computations == 1


# ---------------------------------------------------------------- an exhausted pool


async def test_an_exhausted_pool_fails_cleanly_and_health_still_answers(app_dsn: str) -> None:
    async with pool_database(app_dsn, 2, acquire_timeout_seconds=0.5) as database:
        world = await make_world(database)
        settings = quiet_settings(readyz_timeout_seconds=30.0)
        async with serving(database, settings) as (app, client):
            headers = await bearer(app, database, world.hirer)
            held = [await database.pool.acquire() for _ in range(2)]
            try:
                answer = await within(
                    NOTHING_HANGS, graphql(client, "{ " + PROPOSALS + " }", headers)
                )
                assert answer.status_code == 503
                assert answer.headers["retry-after"]
                assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

                audit = await within(NOTHING_HANGS, client.get("/audit/checkpoints"))
                assert audit.status_code == 503
                assert audit.json()["error"] == "SERVICE_UNAVAILABLE"

                health = await within(NOTHING_HANGS, client.get("/healthz"))
                assert health.status_code == 200
                ready = await within(NOTHING_HANGS, client.get("/readyz"))
                assert ready.status_code == 503
            finally:
                for conn in held:
                    await database.pool.release(conn)
            again = await within(NOTHING_HANGS, graphql(client, "{ " + PROPOSALS + " }", headers))
            assert "errors" not in again.json()


# ---------------------------------------------------------------- statement and request deadlines


async def test_a_statement_past_its_timeout_rolls_back_and_the_connection_is_reusable(
    app_dsn: str,
) -> None:
    async with pool_database(app_dsn, 1, statement_timeout_ms=200) as database:
        consortium = await factories.create_consortium(database)
        slug = f"c-{uuid.uuid4().hex[:8]}"
        with pytest.raises(DeadlineExceeded) as raised:
            async with database.transaction(AccessScope.system()) as conn:
                await conn.execute(
                    "update consortium set slug = $2 where id = $1", consortium.id, slug
                )
                await conn.execute("select pg_sleep(5)")
        assert raised.value.code == "TIMEOUT"
        assert isinstance(raised.value, ServiceUnavailable)
        async with database.transaction(AccessScope.system()) as conn:  # the only connection
            found = await conn.fetchval("select slug from consortium where id = $1", consortium.id)
            assert found == consortium.slug  # the update rolled back
            assert await conn.fetchval("show statement_timeout") == "200ms"
        async with database.pool.acquire() as bare:  # set for the transaction only
            assert await bare.fetchval("show statement_timeout") == "0"


@asynccontextmanager
async def vacancies_locked(owner_dsn: str) -> AsyncIterator[None]:
    """The vacancy table locked by its owner: every read of it waits."""
    owner = await asyncpg.connect(owner_dsn)
    transaction = owner.transaction()
    await transaction.start()
    await owner.execute("lock table vacancy in access exclusive mode")
    try:
        yield
    finally:
        await transaction.rollback()
        await owner.close()


async def waiting_on_locks(owner_dsn: str) -> int:
    conn = await asyncpg.connect(owner_dsn)
    try:
        count: int = await conn.fetchval(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and wait_event_type = 'Lock'"
        )
        return count
    finally:
        await conn.close()


async def eventually_zero(probe: Callable[[], Awaitable[int]]) -> None:
    for _ in range(100):
        if await probe() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("still waiting")


async def test_a_statement_past_its_timeout_is_a_graphql_error_with_its_code(
    fresh_database: str, app_dsn: str
) -> None:
    async with pool_database(app_dsn, 2, statement_timeout_ms=300) as database:
        world = await make_world(database)
        async with serving(database, quiet_settings()) as (app, client):
            headers = await bearer(app, database, world.hirer)
            async with vacancies_locked(fresh_database):
                answer = await within(
                    NOTHING_HANGS, graphql(client, "{ " + PROPOSALS + " }", headers)
                )
            body = answer.json()
            assert body["data"] is None
            assert body["errors"][0]["path"] == ["placementProposals"]
            assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"


async def test_a_request_past_its_deadline_is_cancelled_and_gives_its_connection_back(
    fresh_database: str, app_dsn: str
) -> None:
    async with pool_database(app_dsn, 2, statement_timeout_ms=0) as database:
        world = await make_world(database)
        settings = quiet_settings(request_timeout_seconds=1.0)
        async with serving(database, settings) as (app, client):
            headers = await bearer(app, database, world.hirer)
            async with vacancies_locked(fresh_database):
                answers = await within(
                    NOTHING_HANGS,
                    asyncio.gather(
                        *(graphql(client, "{ " + PROPOSALS + " }", headers) for _ in range(3))
                    ),
                )
                for answer in answers:
                    assert answer.status_code == 503
                    assert answer.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
                # the cancelled statements stopped waiting on the server, too
                await within(
                    NOTHING_HANGS, eventually_zero(lambda: waiting_on_locks(fresh_database))
                )
            again = await within(NOTHING_HANGS, graphql(client, "{ " + PROPOSALS + " }", headers))
            assert "errors" not in again.json()
