"""Throttles at the doors that take guesses (issue 11, finding 8): per client id and per
source address, counted in PostgreSQL so every replica shares them, answered with 429 and
``Retry-After``; the counters hold keyed hashes, never an address or a client id."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from urllib.parse import quote_plus, urlencode

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from entrypoints.app import create_app
from exchange.identity import repository
from exchange.identity.clients import ClientCredentials, insert_api_client, new_client_credentials
from exchange.identity.throttle import LIMITER_SCOPE, source_key
from infra.caller import PARTNER_SCOPES
from infra.db import ConnectionDatabase, Database, init_connection
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support import callers, factories
from tests.support.http import TEST_BASE_URL

FORM = {"content-type": "application/x-www-form-urlencoded"}
CSRF = "c" * 43
PORTAL_FORM = {**FORM, "cookie": f"td_csrf={CSRF}"}


async def register_client(db: Database) -> ClientCredentials:
    partner = await factories.create_partner(db, await factories.create_consortium(db))
    credentials = new_client_credentials()
    async with db.transaction(AccessScope.system()) as conn:
        await insert_api_client(
            conn,
            consortium_id=partner.consortium_id,
            partner_id=partner.id,
            name="ATS koppeling",
            scopes=sorted(s.value for s in PARTNER_SCOPES),
            client_id=credentials.client_id,
            secret_hash=credentials.secret_hash,
        )
    return credentials


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {**FORM, "authorization": "Basic " + base64.b64encode(raw).decode()}


async def ask_token(http: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await http.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic(client_id, secret)
    )


def http_from(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=TEST_BASE_URL)


def assert_slow_down(response: httpx.Response, window: int) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= window
    assert response.headers["cache-control"] == "no-store"


async def end_windows(db: Database) -> None:
    """As if every window had run out (time passes without sleeping in the test)."""
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            """update rate_limit_counter
               set window_start = window_start - interval '1 day',
                   window_end = statement_timestamp() - interval '1 second'"""
        )


# ---------------------------------------------------------------- the token endpoint


async def test_the_eleventh_wrong_secret_is_refused_until_the_window_ends(
    app: FastAPI, db: ConnectionDatabase
) -> None:
    credentials = await register_client(db)
    async with http_from(app) as http:
        wrong = [await ask_token(http, credentials.client_id, "wrong secret") for _ in range(12)]
        assert [r.status_code for r in wrong[:10]] == [401] * 10
        for refused in wrong[10:]:
            assert_slow_down(refused, 60)
            assert refused.json()["error"] == "slow_down"
        # while the window lasts, not even the right secret is tried
        assert_slow_down(await ask_token(http, credentials.client_id, credentials.secret), 60)

        await end_windows(db)
        right = await ask_token(http, credentials.client_id, credentials.secret)
    assert right.status_code == 200, right.text
    assert right.json()["token_type"] == "Bearer"


async def test_right_secrets_are_no_failures(app: FastAPI, db: ConnectionDatabase) -> None:
    credentials = await register_client(db)
    async with http_from(app) as http:
        answers = [
            await ask_token(http, credentials.client_id, credentials.secret) for _ in range(12)
        ]
        wrong = await ask_token(http, credentials.client_id, "wrong secret")
    assert [a.status_code for a in answers] == [200] * 12
    assert wrong.status_code == 401


async def test_one_address_may_ask_sixty_times_a_minute(app: FastAPI) -> None:
    async with http_from(app, "198.51.100.4") as http:
        # malformed requests count too: they are the cheapest way to probe
        answers = [await http.post("/oauth/token", content="x", headers=FORM) for _ in range(61)]
    async with http_from(app, "198.51.100.5") as other:
        elsewhere = await other.post("/oauth/token", content="x", headers=FORM)
    assert {a.status_code for a in answers[:60]} == {400}
    assert_slow_down(answers[60], 60)
    assert elsewhere.status_code == 400


# ---------------------------------------------------------------- the sign-in doors


async def test_twenty_sign_in_requests_per_address_over_both_doors(
    app: FastAPI, db: ConnectionDatabase
) -> None:
    async with http_from(app, "192.0.2.10") as http:
        api = [
            await http.post("/auth/sign-in", json={"email": f"n{i}@example.nl"}) for i in range(15)
        ]
        portal = [
            await http.post(
                "/portal/sign-in?lang=en",
                content=urlencode({"email": f"p{i}@example.nl", "csrf_token": CSRF}),
                headers=PORTAL_FORM,
            )
            for i in range(6)
        ]
        refused_api = await http.post("/auth/sign-in", json={"email": "late@example.nl"})
    async with http_from(app, "192.0.2.11") as other:
        elsewhere = await other.post("/auth/sign-in", json={"email": "late@example.nl"})

    assert {a.status_code for a in api} == {202}
    assert [p.status_code for p in portal[:5]] == [200] * 5
    assert_slow_down(portal[5], 900)
    assert "Please wait a moment" in portal[5].text and "minutes" in portal[5].text
    assert_slow_down(refused_api, 900)
    assert refused_api.json()["error"] == "slow_down"
    assert elsewhere.status_code == 202


async def test_the_portal_says_it_in_dutch(app: FastAPI) -> None:
    async with http_from(app, "192.0.2.12") as http:
        for _ in range(21):
            answer = await http.post(
                "/portal/sign-in",
                content=urlencode({"email": "a@example.nl", "csrf_token": CSRF}),
                headers={**PORTAL_FORM, "accept-language": "nl"},
            )
    assert_slow_down(answer, 900)
    assert "Even geduld" in answer.text and "minuten opnieuw" in answer.text


# ---------------------------------------------------------------- what is stored


async def test_counters_hold_no_address_and_no_client_id(
    app: FastAPI, db: ConnectionDatabase
) -> None:
    credentials = await register_client(db)
    async with http_from(app, "203.0.113.77") as http:
        await ask_token(http, credentials.client_id, "wrong secret")
        await http.post("/auth/sign-in", json={"email": "someone@example.nl"})
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch("select c::text as line, key_hash from rate_limit_counter c")
    async with db.transaction(callers.admin_caller(
        await factories.create_consortium(db)).access_scope()) as conn:  # fmt: skip
        seen_by_admin = await conn.fetchval("select count(*) from rate_limit_counter")
    assert len(rows) == 3  # token per address, token per client, sign-in per address
    for row in rows:
        assert len(row["key_hash"]) == 32
        for clear in ("203.0.113.77", "203.0.113", credentials.client_id):
            assert clear not in row["line"]
            assert clear.encode().hex() not in row["line"]
    assert seen_by_admin == 0


def test_an_ipv6_subscriber_counts_as_its_network() -> None:
    assert source_key("2001:db8:1:2:aaaa::1") == source_key("2001:db8:1:2:bbbb::9")
    assert source_key("2001:db8:1:3::1") != source_key("2001:db8:1:2::1")
    assert source_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert source_key(None) == "unknown"


# ---------------------------------------------------------------- two replicas


@pytest.fixture
async def replicas(fresh_database: str) -> AsyncIterator[tuple[FastAPI, FastAPI, Database]]:
    """Two apps, each with its own pool, on one database: two replicas; and the owner's
    connection beside them."""
    settings = Settings(
        env=Environment.TEST,
        database_url=fresh_database,
        public_url=TEST_BASE_URL,
        retention_interval_seconds=0,
        audit_checkpoint_interval_seconds=0,
        smtp_host=None,
        log_json=False,
    )
    first, second = create_app(settings), create_app(settings)
    owner = await asyncpg.connect(fresh_database)
    await init_connection(owner)
    try:
        async with (
            LifespanManager(first, startup_timeout=60, shutdown_timeout=30),
            LifespanManager(second, startup_timeout=60, shutdown_timeout=30),
        ):
            yield first, second, ConnectionDatabase(owner)
    finally:
        await owner.close()


@pytest.mark.slow
async def test_replicas_share_the_count_even_for_parallel_guesses(
    replicas: tuple[FastAPI, FastAPI, Database],
) -> None:
    first, second, owner = replicas
    credentials = await register_client(owner)
    async with http_from(first) as one, http_from(second) as two:
        answers = await asyncio.gather(
            *(ask_token(http, credentials.client_id, "wrong secret") for http in [one, two] * 12)
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [401] * 10 + [429] * 14
        later = await ask_token(two, credentials.client_id, "wrong secret")
    assert_slow_down(later, 60)


@pytest.mark.slow
async def test_replicas_share_the_sign_in_count(
    replicas: tuple[FastAPI, FastAPI, Database],
) -> None:
    first, second, _ = replicas
    async with http_from(first, "192.0.2.20") as one, http_from(second, "192.0.2.20") as two:
        answers = [
            await http.post("/auth/sign-in", json={"email": "x@example.nl"})
            for http in [one, two] * 10
        ]
        refused = await one.post("/auth/sign-in", json={"email": "x@example.nl"})
    assert {a.status_code for a in answers} == {202}
    assert_slow_down(refused, 900)


# ---------------------------------------------------------------- the statement itself


async def test_a_hit_opens_windows_and_clears_old_counters(db: ConnectionDatabase) -> None:
    stale, live = b"\x01" * 32, b"\x02" * 32
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            """insert into rate_limit_counter (bucket, key_hash, window_start, window_end, hits)
               values ('t', $1, statement_timestamp() - interval '1 hour',
                       statement_timestamp() - interval '30 minutes', 7)""",
            stale,
        )
    async with db.transaction(LIMITER_SCOPE) as conn:
        first = await repository.count_hits(conn, hits=[("t", live, 60)])
        second = await repository.count_hits(conn, hits=[("t", live, 60)])
    await end_windows(db)
    async with db.transaction(LIMITER_SCOPE) as conn:
        renewed = await repository.count_hits(conn, hits=[("t", live, 60)])
        left = await conn.fetch("select key_hash from rate_limit_counter where bucket = 't'")
    assert [c.hits for c in first + second] == [1, 2]
    assert first[0].seconds_left == 60 and 1 <= second[0].seconds_left <= 60
    assert (renewed[0].hits, renewed[0].seconds_left) == (1, 60)  # a new window
    assert [bytes(r["key_hash"]) for r in left] == [live]  # the stale counter is gone
