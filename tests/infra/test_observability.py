"""Request ids, the access log, masked errors in the log, /metrics, /healthz and /readyz."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.app import create_app
from exchange.partners.models import Partner
from infra.db import ConnectionDatabase, Database, PoolDatabase
from infra.observability import Metrics, RequestRecord, accept_request_id, configure_logging
from infra.scope import AccessScope
from tests.support.callers import partner_caller
from tests.support.databases import app_database
from tests.support.factories import create_consortium, create_partner
from tests.support.harness import TOKEN, FixedAuthenticator, Harness, harness, production
from tests.support.http import client_of

VACANCIES = "query MyVacancies($first: Int) { vacancies(first: $first) { edges { cursor } } }"


REFUSAL = "connection refused for user sanne@example.nl"  # as a driver might word it


class SwitchableDatabase:
    """The real database, or, once ``fail`` is set, one whose every transaction fails."""

    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.fail = False

    def transaction(self, scope: AccessScope) -> Any:
        if self.fail:
            raise RuntimeError(REFUSAL)
        return self.inner.transaction(scope)


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    return await create_partner(db, await create_consortium(db))


@pytest.fixture
async def api(db: ConnectionDatabase, partner: Partner) -> AsyncIterator[Harness]:
    async with harness(production(), db, partner_caller(partner)) as h:
        yield h


@pytest.fixture
def client(api: Harness) -> httpx.AsyncClient:
    return api.client


@pytest.fixture
def log_lines() -> list[dict[str, Any]]:
    """JSON log lines written from now on (create the app first: it configures logging)."""
    buffer = io.StringIO()
    configure_logging(production(), stream=buffer)

    class Lines(list[dict[str, Any]]):
        def refresh(self) -> Lines:
            self[:] = [json.loads(line) for line in buffer.getvalue().splitlines()]
            return self

    return Lines()


# --- request ids and the access log -------------------------------------------------------


async def test_a_sane_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21-0042"})
    assert response.headers["x-request-id"] == "lb-7f3a9c21-0042"


@pytest.mark.parametrize("given", ["short", "has spaces in it", "x" * 200, "line\nbreak-0000"])
def test_an_insane_request_id_is_replaced(given: str) -> None:
    chosen = accept_request_id(given)
    assert chosen != given
    assert len(chosen) == 32


async def test_a_request_without_an_id_gets_one(client: httpx.AsyncClient) -> None:
    first = (await client.get("/healthz")).headers["x-request-id"]
    second = (await client.get("/healthz")).headers["x-request-id"]
    assert len(first) == 32 and first != second


async def test_one_access_line_per_request_without_variables_or_tokens(
    api: Harness, log_lines: Any
) -> None:
    response = await api.post(
        VACANCIES,
        headers={"X-Request-ID": "req-access-0001"},
        variables={"first": 7, "note": "sanne@example.nl"},
    )
    assert response.status_code == 200
    lines = log_lines.refresh()
    access = [line for line in lines if line["event"] == "http.request"]
    assert len(access) == 1
    [line] = access
    assert line["request_id"] == "req-access-0001"
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert line["operation"] == "MyVacancies"
    assert line["operation_type"] == "query"
    assert line["outcome"] == "ok"
    assert isinstance(line["duration_ms"], float)
    everything = json.dumps(lines)
    assert TOKEN not in everything
    assert "sanne@example.nl" not in everything


async def test_routes_are_logged_by_template_without_query_string(
    client: httpx.AsyncClient, log_lines: Any
) -> None:
    await client.get("/no/such/page", params={"token": "abc123secret"})
    [line] = [x for x in log_lines.refresh() if x["event"] == "http.request"]
    assert line["status"] == 404
    assert line["path"] == "/no/such/page"
    assert "abc123secret" not in json.dumps(line)


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    db: ConnectionDatabase, partner: Partner
) -> None:
    database = SwitchableDatabase(db)
    async with harness(production(), database, partner_caller(partner)) as api:
        buffer = io.StringIO()
        configure_logging(production(), stream=buffer)
        database.fail = True
        response = await api.post(VACANCIES, headers={"X-Request-ID": "req-boom-0001"})
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert "sanne" not in response.text
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    [logged] = [x for x in lines if x["event"] == "graphql.unexpected_error"]
    assert logged["request_id"] == "req-boom-0001"
    assert logged["level"] == "error"
    assert logged["operation"] == "MyVacancies"
    assert logged["error_type"] == "RuntimeError"
    assert "File " in logged["traceback"]  # where it happened: frames, no locals
    assert "exception" not in logged  # nor the message, which may quote personal data
    assert "sanne" not in buffer.getvalue()
    [access] = [x for x in lines if x["event"] == "http.request"]
    assert access["request_id"] == "req-boom-0001"
    assert access["outcome"] == "error"


async def test_an_oversized_body_is_logged_as_413_not_as_an_error(
    api: Harness, log_lines: Any
) -> None:
    response = await api.post("{ __typename }" + " " * 1_000_000)
    assert response.status_code == 413
    lines = log_lines.refresh()
    assert [x["status"] for x in lines if x["event"] == "http.request"] == [413]
    assert not [x for x in lines if x["level"] == "error"]
    text = (await api.client.get("/metrics")).text
    labels = {"method": "POST", "route": "/graphql", "status": "413"}
    assert sample(text, "tussendeur_http_requests_total", labels) == 1


def test_console_logs_when_json_is_off() -> None:
    buffer = io.StringIO()
    configure_logging(production(log_json=False), stream=buffer)
    import structlog

    structlog.get_logger("tussendeur.test").info("hello.console", answer=42)
    output = buffer.getvalue()
    assert "hello.console" in output and "answer" in output
    assert not output.lstrip().startswith("{")
    configure_logging(production())


# --- metrics -------------------------------------------------------------------------------


def sample(text: str, name: str, labels: dict[str, str]) -> float:
    for family in text_string_to_metric_families(text):
        for metric in family.samples:
            if metric.name == name and all(metric.labels.get(k) == v for k, v in labels.items()):
                return float(metric.value)
    return 0.0


async def test_metrics_count_graphql_operations(api: Harness) -> None:
    labels = {"operation": "MyVacancies", "type": "query", "outcome": "ok"}
    name = "tussendeur_graphql_operations_total"
    before = sample((await api.client.get("/metrics")).text, name, labels)
    assert (await api.post(VACANCIES)).status_code == 200
    assert (await api.post(VACANCIES)).status_code == 200
    text = (await api.client.get("/metrics")).text
    assert sample(text, name, labels) == before + 2
    histogram = "tussendeur_graphql_operation_duration_seconds_count"
    assert sample(text, histogram, {"operation": "MyVacancies", "type": "query"}) >= 2


async def test_metrics_count_rejected_documents_and_http_routes(
    api: Harness,
) -> None:
    await api.post("query Broken { vacancies { nope } }")
    await api.client.get("/healthz")
    text = (await api.client.get("/metrics")).text
    rejected = {"operation": "Broken", "type": "query", "outcome": "rejected"}
    assert sample(text, "tussendeur_graphql_operations_total", rejected) == 1
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert sample(text, "tussendeur_http_requests_total", healthz) == 1


async def test_routes_are_labelled_by_template(db: ConnectionDatabase) -> None:
    app = create_app(production(), database=db, authenticator=FixedAuthenticator(None))
    consent = APIRouter(prefix="/consent")

    @consent.get("/{token}/receipt")
    async def receipt(token: str) -> dict[str, str]:
        return {}

    @app.get("/files/{name:path}")
    async def files(name: str) -> dict[str, str]:
        return {}

    app.include_router(consent)
    async with client_of(app) as client:
        assert (await client.get("/consent/tok-5ecret/receipt")).status_code == 200
        assert (await client.get("/files/a/b/c.css")).status_code == 200
        await client.post("/graphql", json={"query": "{ __typename }"})
        text = (await client.get("/metrics")).text
    routes = {
        family_sample.labels["route"]
        for family in text_string_to_metric_families(text)
        for family_sample in family.samples
        if family_sample.name == "tussendeur_http_requests_total"
    }
    assert {"/consent/{token}/receipt", "/files/{name}", "/graphql"} <= routes
    assert "5ecret" not in text


def test_operation_labels_are_bounded() -> None:
    metrics = Metrics(max_operation_names=2)
    assert metrics.operation_label("First") == "First"
    assert metrics.operation_label("Second") == "Second"
    assert metrics.operation_label("Third") == "other"
    assert metrics.operation_label("First") == "First"
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("not a name; drop table") == "invalid"
    metrics.observe(
        method="POST",
        route="/graphql",
        status=200,
        seconds=0.01,
        record=RequestRecord("r", graphql_operation="Fourth", graphql_outcome="ok"),
    )
    assert "Fourth" not in metrics.render().decode()


async def test_metrics_can_be_switched_off(db: ConnectionDatabase, partner: Partner) -> None:
    async with harness(production(metrics_enabled=False), db, partner_caller(partner)) as api:
        assert (await api.client.get("/metrics")).status_code == 404


# --- health and readiness ----------------------------------------------------------------


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
async def pool_database(fresh_database: str) -> AsyncIterator[PoolDatabase]:
    async with app_database(fresh_database, max_size=3) as database:
        yield database


async def test_readyz_when_migrated(pool_database: PoolDatabase) -> None:
    async with harness(production(), pool_database, None) as api:
        response = await api.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_readyz_503_when_a_migration_is_pending(
    pool_database: PoolDatabase, fresh_database: str
) -> None:
    async with harness(production(), pool_database, None) as api:
        assert (await api.client.get("/readyz")).status_code == 200
        owner = await asyncpg.connect(fresh_database)
        try:
            last = await owner.fetchrow(
                "delete from schema_migration where version = "
                "(select max(version) from schema_migration) returning version, name"
            )
        finally:
            await owner.close()
        response = await api.client.get("/readyz")
    assert response.status_code == 503
    assert last is not None
    assert response.json() == {
        "status": "migrations pending",
        "pending": [f"{last['version']:04d}_{last['name']}"],
    }


async def test_readyz_503_when_the_database_is_unreachable(pool_database: PoolDatabase) -> None:
    async with harness(production(), pool_database, None) as api:
        await pool_database.pool.close()
        response = await api.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
