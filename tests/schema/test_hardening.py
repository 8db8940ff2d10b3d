"""Abuse of /graphql is refused without a 5xx and before the database is touched."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import pytest
from graphql import parse
from graphql.language import ExecutableDefinitionNode
from starlette.exceptions import WebSocketException
from starlette.websockets import WebSocket
from strawberry.schema.schema import validate_document

from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from schema import document_limits
from schema.document_limits import measure_document
from schema.hardening import graphql_request_guard
from tests.support.callers import partner_caller
from tests.support.factories import create_consortium, create_partner
from tests.support.harness import TOKEN, Harness, harness, production
from tests.support.tokens import bearer_header

START = (dt.date.today() + dt.timedelta(days=30)).isoformat()
CREATE_VACANCY = """mutation Create {
  createVacancy(input: {title: "Klantenservice", postcodeArea: "6411", hoursMin: 24,
                        hoursMax: 36, startDate: "START"}) {
    vacancy { id } userErrors { field code message }
  }
}""".replace("START", START)


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    return await create_partner(db, await create_consortium(db))


@pytest.fixture
async def api(db: ConnectionDatabase, partner: Partner) -> AsyncIterator[Harness]:
    async with harness(production(), db, partner_caller(partner)) as h:
        yield h


async def vacancy_count(db: ConnectionDatabase, partner: Partner) -> int:
    async with db.transaction(AccessScope.system()) as conn:
        count: int = await conn.fetchval(
            "select count(*) from vacancy where partner_id = $1", partner.id
        )
    return count


def messages(errors: list[dict[str, Any]]) -> str:
    return " | ".join(e["message"] for e in errors)


def nested(levels: int) -> str:
    return "{ " + " { ".join(["vacancies"] + ["edges"] * (levels - 1)) + " }" * levels


# --- document limits ---------------------------------------------------------------------


async def test_depth_20_is_refused_before_execution(api: Harness) -> None:
    errors = await api.errors(nested(20))
    assert "20 levels deep; at most 12 allowed" in messages(errors)
    assert api.db.transactions == 0


async def test_depth_limit_comes_from_settings(db: ConnectionDatabase, partner: Partner) -> None:
    query = "{ vacancies { edges { node { requirements { phrase } } } } }"  # 5 levels
    async with harness(production(), db, partner_caller(partner)) as h:
        assert await h.errors(query) == []
    async with harness(production(graphql_max_depth=4), db, partner_caller(partner)) as h:
        assert "5 levels deep; at most 4 allowed" in messages(await h.errors(query))
        assert h.db.transactions == 0


async def test_a_thousand_aliases_are_refused(db: ConnectionDatabase, partner: Partner) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
    async with harness(production(), db, partner_caller(partner)) as h:
        # 3,000 tokens: the parser stops at the token limit first
        assert "more than 2000 tokens" in messages(await h.errors(query))
    async with harness(production(graphql_max_tokens=10_000), db, partner_caller(partner)) as h:
        assert "1000 aliases; at most 30 allowed" in messages(await h.errors(query))


async def test_a_thousand_aliases_through_fragments_are_refused(api: Harness) -> None:
    ten = " ".join(f"a{i}: __typename" for i in range(10))
    spreads = " ".join(["...Ten"] * 10)
    query = (
        "query { " + " ".join(["...Hundred"] * 10) + " }\n"
        f"fragment Hundred on Query {{ {spreads} }}\n"
        f"fragment Ten on Query {{ {ten} }}"
    )
    assert "1000 aliases; at most 30 allowed" in messages(await api.errors(query))
    assert api.db.transactions == 0


async def test_fragments_fanning_out_are_counted_without_expanding_them(api: Harness) -> None:
    # Each fragment spreads the next twice: 2**60 aliases if expanded one by one.
    chain = [
        f"fragment F{i} on Query {{ a: __typename ...F{i + 1} ...F{i + 1} }}" for i in range(60)
    ]
    chain.append("fragment F60 on Query { a: __typename }")
    query = "query { ...F0 }\n" + "\n".join(chain)
    assert "more than a billion aliases" in messages(await api.errors(query))


async def test_a_circular_fragment_is_refused(api: Harness) -> None:
    query = """
        query { ...A }
        fragment A on Query { vacancies { edges { cursor } } ...B }
        fragment B on Query { ...A }
    """
    errors = await api.errors(query)
    assert "Cannot spread fragment 'A' within itself via 'B'." in messages(errors)
    assert api.db.transactions == 0


def test_measuring_is_linear_and_cycle_safe() -> None:
    document = parse(
        """
        query { a: x { b: y { ...F } } ...G }
        fragment F on T { c: z { ...G } }
        fragment G on T { d: w ...F }
        """
    )
    definitions = [d for d in document.definitions if isinstance(d, ExecutableDefinitionNode)]
    size = measure_document(definitions)
    assert size.depth == 4  # x > y > z (F) > w (G); the spread closing the F-G cycle counts empty
    assert size.aliases == 5  # a, b, c, d, and d again through the top-level ...G
    assert size.fields == 5  # x, y, z and w through ...F, w again through the top-level ...G


async def test_many_repeated_fields_are_refused_before_validation(api: Harness) -> None:
    # 7.8 KB, under the token limit: graphql-core's overlapping-fields check is quadratic
    # in the 490 identical selections and blocked the event loop for seconds.
    query = "{ " + " ".join(["partners { id }"] * 490) + " }"
    errors = await api.errors(query)
    assert messages(errors) == "The query selects 980 fields; at most 200 allowed."
    assert api.db.transactions == 0


async def test_a_large_document_is_validated_off_the_event_loop(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()

    def held_validation(*args: Any) -> Any:
        entered.set()
        release.wait(timeout=10)
        return validate_document(*args)

    monkeypatch.setattr(document_limits, "validate_document", held_validation)
    query = "{ " + " ".join(["partners { id }"] * 75) + " }"  # 150 fields: under the cap of 200
    request = asyncio.create_task(api.post(query))
    try:
        assert await asyncio.to_thread(entered.wait, 10), "validation never started"
        health = await asyncio.wait_for(api.client.get("/healthz"), timeout=10)
        assert health.status_code == 200
        assert not release.is_set()  # answered while the document was still being validated
    finally:
        release.set()
    response = await request
    assert response.status_code == 200
    assert "errors" not in response.json()


# --- the HTTP guard ----------------------------------------------------------------------


async def test_a_one_megabyte_document_gets_413(api: Harness) -> None:
    query = "{ vacancies { edges { cursor } } }" + " " * 1_000_000
    response = await api.post(query)
    assert response.status_code == 413
    assert api.untouched()


async def test_a_streamed_body_without_length_is_capped_too(api: Harness) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ vacancies { edges { cursor } } }", "pad": "'
        for _ in range(200):
            yield b"x" * 8192
        yield b'"}'

    response = await api.client.post(
        "/graphql",
        content=chunks(),
        headers={"Content-Type": "application/json", **bearer_header(TOKEN)},
    )
    assert response.status_code == 413
    assert api.untouched()


async def test_first_100000_names_first(api: Harness) -> None:
    errors = await api.errors("{ vacancies(first: 100000) { edges { cursor } } }")
    assert len(errors) == 1
    error = errors[0]
    assert "first" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [e["field"] for e in error["extensions"]["userErrors"]] == ["first"]
    assert api.db.transactions == 0


async def test_a_mutation_via_get_is_refused(
    api: Harness, db: ConnectionDatabase, partner: Partner
) -> None:
    for query in (CREATE_VACANCY, "{ vacancies { edges { cursor } } }"):
        response = await api.client.get(
            "/graphql", params={"query": query}, headers=bearer_header(TOKEN)
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
    assert api.untouched()
    assert await vacancy_count(db, partner) == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain; charset=application/json", "application/jsonx", ""],
)
async def test_a_mutation_in_another_content_type_is_refused(
    api: Harness, db: ConnectionDatabase, partner: Partner, content_type: str
) -> None:
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": CREATE_VACANCY}),
        headers={"Content-Type": content_type, **bearer_header(TOKEN)},
    )
    assert response.status_code == 415
    assert api.untouched()
    assert await vacancy_count(db, partner) == 0


async def test_a_form_post_is_refused(
    api: Harness, db: ConnectionDatabase, partner: Partner
) -> None:
    response = await api.client.post("/graphql", data={"query": CREATE_VACANCY})
    assert response.status_code == 415
    assert api.untouched()
    assert await vacancy_count(db, partner) == 0


async def test_a_batch_of_100_operations_is_refused(
    api: Harness, db: ConnectionDatabase, partner: Partner
) -> None:
    response = await api.client.post(
        "/graphql",
        json=[{"query": CREATE_VACANCY}] * 100,
        headers=bearer_header(TOKEN),
    )
    assert response.status_code == 400
    assert "Batched requests are not supported" in response.json()["detail"]
    assert api.untouched()
    assert await vacancy_count(db, partner) == 0


@pytest.mark.parametrize("body", ['"just a string"', "42", "", "null"])
async def test_a_body_that_is_not_an_object_gets_400(api: Harness, body: str) -> None:
    response = await api.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert api.untouched()


MALFORMED = {
    "nested JSON": b'{"query": "{ __typename }", "variables": {"a": '
    + b"[" * 40_000
    + b"]" * 40_000
    + b"}}",
    "bad UTF-8": b'{"query": "\xff\xfe"}',
    "broken JSON": b'{"query": ',
    "query not a string": b'{"query": 42}',
    "variables not an object": b'{"query": "{ __typename }", "variables": [1]}',
    "operation name not a string": b'{"query": "{ __typename }", "operationName": 5}',
    "no query": b"{}",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_bodies_get_400_never_500(api: Harness, body: bytes) -> None:
    response = await api.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert api.db.transactions == 0


async def test_the_same_mutation_posted_as_json_is_written(
    api: Harness, db: ConnectionDatabase, partner: Partner
) -> None:
    """The control for the refusals above: the guard lets a proper request through."""
    response = await api.post(CREATE_VACANCY)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["createVacancy"]["userErrors"] == []
    assert await vacancy_count(db, partner) == 1


async def test_websockets_are_refused() -> None:
    async def receive() -> dict[str, Any]:
        raise AssertionError("the guard must not read the socket")

    async def send(message: MutableMapping[str, Any]) -> None:
        raise AssertionError("the guard must not write to the socket")

    scope = {"type": "websocket", "path": "/graphql", "headers": [], "subprotocols": []}
    guard = graphql_request_guard(production())
    with pytest.raises(WebSocketException):
        await guard(WebSocket(scope, receive, send))


# --- introspection, suggestions, error codes -----------------------------------------------

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPOS = (
    "{ vacancie { edges { cursor } } }",  # field
    "{ vacancies(frist: 1) { edges { cursor } } }",  # argument
    "{ vacancies(status: OPN) { edges { cursor } } }",  # enum value
)


async def test_introspection_is_off_in_production(api: Harness) -> None:
    errors = await api.errors(INTROSPECTION)
    assert "introspection" in messages(errors).lower()
    assert api.db.transactions == 0


async def test_introspection_and_suggestions_work_in_development(
    db: ConnectionDatabase, partner: Partner
) -> None:
    settings = Settings(env=Environment.DEVELOPMENT, database_url=None)
    async with harness(settings, db, partner_caller(partner)) as h:
        response = await h.post(INTROSPECTION)
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
        for query in TYPOS:
            assert "Did you mean" in messages(await h.errors(query)), query


async def test_graphiql_only_in_development(db: ConnectionDatabase, partner: Partner) -> None:
    html = {"Accept": "text/html"}
    settings = Settings(env=Environment.DEVELOPMENT, database_url=None)
    async with harness(settings, db, partner_caller(partner)) as h:
        page = await h.client.get("/graphql", headers=html)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        query = await h.client.get("/graphql", params={"query": "{ __typename }"}, headers=html)
        assert query.status_code == 405  # the IDE, yes; queries via GET, no
    async with harness(production(), db, partner_caller(partner)) as h:
        assert (await h.client.get("/graphql", headers=html)).status_code == 405


async def test_no_suggestions_in_production(api: Harness) -> None:
    for query in TYPOS:
        errors = await api.errors(query)
        assert errors, query
        assert "Did you mean" not in messages(errors), query


async def test_authentication_and_permission_failures_carry_codes(
    db: ConnectionDatabase, partner: Partner
) -> None:
    query = "{ vacancies { edges { cursor } } }"
    async with harness(production(), db, partner_caller(partner)) as h:
        response = await h.client.post("/graphql", json={"query": query})  # no token
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    no_scopes = partner_caller(partner, scopes=frozenset())
    async with harness(production(), db, no_scopes) as h:
        errors = await h.errors(query)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_input_and_document_errors_carry_codes_and_are_not_masked(api: Harness) -> None:
    variable = await api.post(
        "query Q($f: Int) { vacancies(first: $f) { edges { cursor } } }",
        variables={"f": 10**30},
    )
    [error] = variable.json()["errors"]
    assert error["message"].startswith("Variable '$f' has invalid value")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    [syntax] = await api.errors("{ vacancies { ")
    assert syntax["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    [invalid] = await api.errors("{ vacancies { nope } }")
    assert invalid["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert api.db.transactions == 0


class ExplodingDatabase:
    def transaction(self, scope: AccessScope) -> Any:
        raise RuntimeError("connection to 10.0.0.7 refused for user sanne@example.nl")


@pytest.fixture
def exploding() -> Iterator[ExplodingDatabase]:
    yield ExplodingDatabase()


async def test_an_unexpected_error_is_masked(
    db: ConnectionDatabase, partner: Partner, exploding: ExplodingDatabase
) -> None:
    async with harness(production(), db, partner_caller(partner)) as h:
        h.db.inner = exploding  # after start-up, every transaction fails
        response = await h.post("{ vacancies { edges { cursor } } }")
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "sanne" not in response.text and "10.0.0.7" not in response.text
