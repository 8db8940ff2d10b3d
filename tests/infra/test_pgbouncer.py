"""Behind PgBouncer in transaction mode (``TUSSENDEUR_DATABASE_POOLER=transaction``).

The app's request pool goes through a PgBouncer the test starts (a few server connections
shared by every transaction); the match index's listener and the migrations go straight
to PostgreSQL (``TUSSENDEUR_DIRECT_DATABASE_URL``). A partner posts a vacancy, a person
grants consent, the partner lists the matches the listener brought in, and many
concurrent requests reuse the server connections: no prepared-statement surprise
(``prepared statement "__asyncpg_stmt_1__" does not exist``), no caller's setting left
behind for the next."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pydantic
import pytest

from entrypoints.app import create_app
from infra.settings import DatabasePooler, Environment, Settings
from tests.support import callers, factories
from tests.support.databases import APP_ROLE
from tests.support.http import TEST_BASE_URL, asgi_client, graphql, graphql_data, started
from tests.support.pgbouncer import pgbouncer_binary, pgbouncer_in_front_of
from tests.support.tokens import access_token, bearer_header
from tests.support.waiting import eventually

pytestmark = pytest.mark.skipif(pgbouncer_binary() is None, reason="pgbouncer is not installed")

SERVER_CONNECTIONS = 3  # PgBouncer's pool: fewer than the app's, so they are shared

CREATE_VACANCY = """
mutation ($input: VacancyInputType!) {
  createVacancy(input: $input) { vacancy { id status } userErrors { field code } }
}"""
GRANT_CONSENT = """
mutation { grantConsent(input: {scope: {kind: ALL_PARTNERS}, durationMonths: 6}) {
  profileStatus userErrors { field code } } }"""
MATCHES = "query ($id: ID!) { matches(vacancyId: $id) { nodes { profile { id } } } }"
MINE = "{ vacancies(first: 50) { edges { node { id } } } }"


def vacancy_input() -> dict[str, Any]:
    return {
        "title": "Klantenservice achter PgBouncer",
        "postcodeArea": "6411",
        "hoursMin": 24,
        "hoursMax": 36,
        "startDate": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "requirements": [{"phrase": "klachtafhandeling", "mustHave": True, "weight": 2}],
        "languages": [{"language": "nl", "minLevel": "C1", "mustHave": True}],
    }


def settings_behind(bouncer_dsn: str, direct_dsn: str) -> Settings:
    return Settings(
        env=Environment.TEST,
        database_url=bouncer_dsn,
        direct_database_url=direct_dsn,
        database_pooler=DatabasePooler.TRANSACTION,
        db_pool_max=8,
        public_url=TEST_BASE_URL,
        smtp_host=None,
        retention_interval_seconds=0,
        audit_checkpoint_interval_seconds=0,
    )


def test_transaction_pooling_needs_a_direct_url_for_listen_and_migrations() -> None:
    with pytest.raises(pydantic.ValidationError, match="DIRECT_DATABASE_URL"):
        Settings(database_url="postgresql://x@pgbouncer/db", database_pooler="transaction")


async def test_the_api_works_through_pgbouncer_and_the_listener_does_not(
    fresh_database: str,
) -> None:
    with pgbouncer_in_front_of(fresh_database, pool_size=SERVER_CONNECTIONS) as bouncer:
        app = create_app(settings_behind(bouncer.dsn(fresh_database), fresh_database))
        async with started(app), asgi_client(app) as client:
            database = app.state.services.database  # the request pool, through PgBouncer
            consortium = await factories.create_consortium(database)
            a, b = [await factories.create_partner(database, consortium) for _ in range(2)]
            hr_a = callers.partner_caller(a)
            token_a = bearer_header(await access_token(app, database, hr_a))
            vacancy = (await graphql_data(client, token_a, CREATE_VACANCY, input=vacancy_input()))[
                "createVacancy"
            ]["vacancy"]
            assert vacancy["status"] == "OPEN"

            profile = await factories.share_profile(database, callers.partner_caller(b))
            person = callers.candidate_caller(profile)
            token_person = bearer_header(await access_token(app, database, person))
            granted = await graphql_data(client, token_person, GRANT_CONSENT)
            assert granted["grantConsent"]["profileStatus"] == "ACTIVE"

            async def matched() -> set[str] | None:
                data = await graphql_data(client, token_a, MATCHES, id=vacancy["id"])
                found = {n["profile"]["id"] for n in data["matches"]["nodes"]}
                return found or None

            # the consent's NOTIFY reached the index over the listener's direct connection
            found, _ = await eventually(matched, within=10)
            assert found == {str(profile.id)}

            # many transactions of two callers on three server connections: each sees its own
            token_b = bearer_header(await access_token(app, database, callers.partner_caller(b)))

            async def own_vacancies(token: dict[str, str]) -> set[uuid.UUID]:
                body = await graphql(client, token, MINE)
                assert "errors" not in body, body
                return {uuid.UUID(e["node"]["id"]) for e in body["data"]["vacancies"]["edges"]}

            answers = await asyncio.wait_for(
                asyncio.gather(*(own_vacancies(t) for _ in range(40) for t in (token_a, token_b))),
                60,
            )
            assert answers == [{uuid.UUID(vacancy["id"])}, set()] * 40
            assert (await client.get("/readyz")).status_code == 200

        log = bouncer.log.read_text()
    assert f"user={APP_ROLE}" in log, log  # the requests did go through PgBouncer
