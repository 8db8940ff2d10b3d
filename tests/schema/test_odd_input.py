"""Odd input from outside is a clear error naming the field: never an internal error.

Found by the security campaign (issue 11, item 7): NUL bytes and lone surrogates in text,
a pay of 1.8e308, malformed pagination cursors, a NUL in a query parameter of
``/audit/checkpoints`` and an odd ``from`` on the audit CSV export.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
import structlog
from graphql import GraphQLError

from exchange.partners.models import Partner
from exchange.vacancies.models import Vacancy
from infra.db import ConnectionDatabase
from schema import hardening
from schema.root import build_schema
from tests.support.callers import admin_caller, partner_caller
from tests.support.factories import create_consortium, create_partner, create_vacancy
from tests.support.harness import TOKEN, Harness, harness, production
from tests.support.tokens import bearer_header

START = (dt.date.today() + dt.timedelta(days=30)).isoformat()
CREATE_VACANCY = """
mutation Create($input: VacancyInputType!) {
  createVacancy(input: $input) { vacancy { id } userErrors { field code message } }
}"""


def vacancy_variables(**overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "title": "Klantenservice",
            "postcodeArea": "6411",
            "hoursMin": 24,
            "hoursMax": 36,
            "startDate": START,
            **overrides,
        }
    }


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    return await create_partner(db, await create_consortium(db))


@pytest.fixture
async def vacancy(db: ConnectionDatabase, partner: Partner) -> Vacancy:
    return await create_vacancy(db, partner_caller(partner))


@pytest.fixture
async def api(db: ConnectionDatabase, partner: Partner) -> Any:
    async with harness(production(), db, partner_caller(partner)) as h:
        yield h


def problems(body: dict[str, Any]) -> list[dict[str, Any]]:
    """userErrors of the first mutation payload, or the GraphQL errors."""
    found: list[dict[str, Any]] = list(body.get("errors") or [])
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            found += payload.get("userErrors") or []
    return found


async def post(api: Harness, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    # json.dumps escapes a lone surrogate as \\ud800, as a hostile client would send it
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={**bearer_header(TOKEN), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


ODD_TEXT = {"nul": "a\x00b", "lone surrogate": "a\ud800b"}


@pytest.mark.parametrize("text", ODD_TEXT.values(), ids=ODD_TEXT.keys())
@pytest.mark.parametrize("field", ["title", "description", "trainingOffered", "postcodeArea"])
async def test_odd_text_in_a_variable_names_the_field(api: Harness, field: str, text: str) -> None:
    body = await post(api, CREATE_VACANCY, vacancy_variables(**{field: text}))
    found = problems(body)
    assert found, body
    assert all((e.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR" for e in found)
    assert any(field in (e.get("field") or e.get("message", "")) for e in found), found


async def test_odd_text_in_the_query_itself_is_refused(api: Harness) -> None:
    query = 'mutation { closeVacancy(id: "a\\u0000b") { userErrors { field code } } }'
    body = await post(api, query, {})
    found = problems(body)
    assert found
    assert all((e.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR" for e in found)


@pytest.mark.parametrize("amount", ["1.8e308", "-1.8e308", "1.7e308", "1e300"])
async def test_an_enormous_pay_names_the_pay_field(api: Harness, amount: str) -> None:
    # Written as JSON text: Python's json reads 1.8e308 as infinity, 1.7e308 overflows in cents.
    pay = {"min": 0, "max": 0, "period": "MONTH"}
    body_text = json.dumps({"query": CREATE_VACANCY, "variables": vacancy_variables(pay=pay)})
    body_text = body_text.replace('"min": 0, "max": 0', f'"min": {amount}, "max": {amount}')
    response = await api.client.post(
        "/graphql",
        content=body_text,
        headers={**bearer_header(TOKEN), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    found = problems(response.json())
    assert found, response.json()
    assert all((e.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR" for e in found)
    assert any("pay" in (e.get("field") or e["message"]) for e in found), found


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ZERO_ID = "00000000-0000-0000-0000-000000000000"
BAD_CURSORS = {
    "not base64": "!!!",
    "superscript digit": b64("²"),
    "nul": b64("\x00"),
    "year one with an offset": b64(
        "0001-01-01T00:00:00+14:00|" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    ),
    "year 9999 behind": b64(f"9999-12-31T23:59:59-14:00|{ZERO_ID}"),
    "naive time": b64(f"2026-01-01T00:00:00|{ZERO_ID}"),
    "huge number": b64("9" * 140),
    "lone surrogate": "7aCA",
}


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
@pytest.mark.parametrize(
    "query",
    [
        "query($v: ID!, $after: String) "
        "{ matches(vacancyId: $v, first: 5, after: $after) { nodes { rank } } }",
        "query($after: String) { placementProposals(first: 5, after: $after) { nodes { rank } } }",
        "query($after: String) { vacancies(first: 5, after: $after) { nodes { id } } }",
        "query($after: String) { sharedProfiles(first: 5, after: $after) { nodes { id } } }",
        "query($after: String) { introductions(first: 5, after: $after) { nodes { id } } }",
    ],
    ids=["matches", "placementProposals", "vacancies", "sharedProfiles", "introductions"],
)
async def test_a_malformed_cursor_names_after(
    api: Harness, vacancy: Vacancy, query: str, cursor: str
) -> None:
    variables: dict[str, Any] = {"after": cursor}
    if "$v" in query:
        variables["v"] = str(vacancy.id)
    body = await post(api, query, variables)
    found = problems(body)
    assert found, body
    assert all((e.get("extensions") or {}).get("code") == "BAD_USER_INPUT" for e in found), found


async def test_a_nul_in_the_checkpoint_query_is_a_400(api: Harness) -> None:
    response = await api.client.get("/audit/checkpoints?consortium=a%00b")
    assert response.status_code == 400, response.text
    assert response.json()["userErrors"][0]["field"] == "consortium"


async def test_an_encoded_surrogate_in_the_checkpoint_query_is_no_error(api: Harness) -> None:
    response = await api.client.get("/audit/checkpoints?consortium=a%ED%A0%80b")
    assert response.status_code == 200, response.text  # decoded as U+FFFD: no such consortium
    assert response.json() == []


def test_an_unexpected_error_is_logged_without_its_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema(production())
    refused = "invalid input for query argument $1: 'jan.canary@example.nl'"
    try:
        raise ValueError(refused)  # as asyncpg's DataError quotes what it refused
    except ValueError as exc:
        error = GraphQLError("boom", original_error=exc, path=["shareProfile"])
    with structlog.testing.capture_logs() as events:
        # a fresh logger: the module's own may be cached with the app's processors
        monkeypatch.setattr(hardening, "log", structlog.get_logger("tussendeur.graphql"))
        schema.process_errors([error])
    logged = repr(events)
    assert [e["event"] for e in events] == ["graphql.unexpected_error"]
    assert "ValueError" in logged and "test_odd_input.py" in logged  # the type and the place
    assert "canary" not in logged


ODD_CSV_QUERIES = {
    "year one with an offset": {"from": "0001-01-01T00:00:00+14:00"},
    "past year 9999": {"to": "9999-12-31T23:59:59-14:00"},
    "nul in action": {"action": "a\x00b"},
    "nul in subject": {"subject": "a\x00b"},
}


@pytest.mark.parametrize("params", ODD_CSV_QUERIES.values(), ids=ODD_CSV_QUERIES.keys())
async def test_odd_csv_filters_are_a_400_before_any_byte(
    db: ConnectionDatabase, partner: Partner, params: dict[str, str]
) -> None:
    consortium = await create_consortium(db)
    async with harness(production(), db, admin_caller(consortium)) as admin:
        response = await admin.client.get(
            "/audit/events.csv", params=params, headers=bearer_header(TOKEN)
        )
    assert response.status_code == 400, response.text
    assert response.json()["userErrors"][0]["field"] == next(iter(params))
