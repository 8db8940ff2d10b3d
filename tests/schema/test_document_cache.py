"""Parsed and validated documents are reused, and the reuse never lets a refused one through.

``schema.document_limits.ValidDocuments`` keeps only documents that passed the limits,
the literal check and validation; the variables are checked on every request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from graphql import parse
from strawberry.schema.schema import validate_document

from exchange.partners.models import Partner
from exchange.vacancies.models import Vacancy
from infra.db import ConnectionDatabase
from schema import document_limits
from schema.hardening import HardenedGraphQLRouter
from tests.support.callers import partner_caller
from tests.support.factories import create_consortium, create_partner, create_vacancy
from tests.support.harness import Harness, harness, production

START = (dt.date.today() + dt.timedelta(days=30)).isoformat()
VACANCY = "query One($id: ID!) { vacancy(id: $id) { id title } }"
CREATE_VACANCY = """
mutation Create($input: VacancyInputType!) {
  createVacancy(input: $input) { vacancy { id } userErrors { field code message } }
}"""


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    return await create_partner(db, await create_consortium(db))


@pytest.fixture
async def vacancy(db: ConnectionDatabase, partner: Partner) -> Vacancy:
    return await create_vacancy(db, partner_caller(partner))


@pytest.fixture
async def api(db: ConnectionDatabase, partner: Partner) -> AsyncIterator[Harness]:
    async with harness(production(), db, partner_caller(partner)) as h:
        yield h


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per document graphql-core validates."""
    calls: list[int] = []

    def counted(*args: Any) -> Any:
        calls.append(1)
        return validate_document(*args)

    monkeypatch.setattr(document_limits, "validate_document", counted)
    return calls


def nested(levels: int) -> str:
    return "{ " + " { ".join(["vacancies"] + ["edges"] * (levels - 1)) + " }" * levels


async def answer(api: Harness, query: str, **extra: Any) -> dict[str, Any]:
    response = await api.post(query, **extra)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_valid_document_is_validated_once_and_answers_every_time(
    api: Harness, vacancy: Vacancy, validations: list[int]
) -> None:
    variables = {"id": str(vacancy.id)}
    first = await answer(api, VACANCY, variables=variables)
    second = await answer(api, VACANCY, variables=variables)
    assert first == second == {"data": {"vacancy": {"id": str(vacancy.id), "title": vacancy.title}}}
    assert len(validations) == 1


async def test_a_document_over_a_limit_is_refused_every_time(
    api: Harness, validations: list[int]
) -> None:
    for _ in range(3):
        body = await answer(api, nested(20))
        assert [e["message"] for e in body["errors"]] == [
            "The query is 20 levels deep; at most 12 allowed."
        ]
        assert body.get("data") is None
    assert validations == []  # refused before validation, each time
    assert api.db.transactions == 0


async def test_an_invalid_document_is_validated_and_refused_every_time(
    api: Harness, validations: list[int]
) -> None:
    for _ in range(2):
        body = await answer(api, "{ vacancies { nosuchfield } }")
        assert "Cannot query field 'nosuchfield'" in body["errors"][0]["message"]
    assert len(validations) == 2
    assert api.db.transactions == 0


async def test_variables_of_a_cached_document_are_still_checked(
    api: Harness, validations: list[int]
) -> None:
    good = {"input": {"title": "Klantenservice", "postcodeArea": "6411", "hoursMin": 24,
                      "hoursMax": 36, "startDate": START}}  # fmt: skip
    created = await answer(api, CREATE_VACANCY, variables=good)
    assert created["data"]["createVacancy"]["userErrors"] == []
    bad = {"input": {**good["input"], "title": "Klanten\x00service"}}
    refused = await answer(api, CREATE_VACANCY, variables=bad)
    assert refused["errors"][0]["extensions"]["field"] == "input.title"
    assert len(validations) == 1  # the document came from the cache; the variables did not
    transactions = api.db.transactions
    await answer(api, CREATE_VACANCY, variables=bad)
    assert api.db.transactions == transactions  # refused before anything ran


def test_only_valid_documents_are_kept_and_the_oldest_goes_first() -> None:
    kept = document_limits.ValidDocuments(maxsize=2)
    a, b, c = (parse(q) for q in ("{ a }", "{ b }", "{ c }"))
    kept.add("{ a }", a)
    kept.add("{ b }", b)
    assert kept.get("{ a }") is a  # a is now the most recent
    kept.add("{ c }", c)
    assert kept.get("{ b }") is None
    assert kept.get("{ a }") is a
    assert kept.get("{ c }") is c
    assert len(kept) == 2


def test_responses_are_encoded_with_orjson_and_odd_values_still_encode() -> None:
    router = HardenedGraphQLRouter.__new__(HardenedGraphQLRouter)
    data = {"data": {"name": "Zoë \u2028", "n": 3, "x": 1.5, "none": None}}
    assert router.encode_json(data) == orjson.dumps(data)
    assert orjson.loads(router.encode_json({"big": 2**70})) == {"big": 2**70}  # stdlib fallback
