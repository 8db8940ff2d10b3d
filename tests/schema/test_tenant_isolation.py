"""Over HTTP with real tokens: partner A cannot read, change or even detect partner B's rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest

from infra.caller import Caller
from infra.db import ConnectionDatabase
from tests.support import callers, factories
from tests.support.http import graphql
from tests.support.tokens import BearerHeaders

CREATE_VACANCY = """
mutation Create($input: VacancyInputType!) {
  createVacancy(input: $input) {
    vacancy { id title status requirements { phrase conceptId } }
    userErrors { field code message }
  }
}"""
CLOSE_VACANCY = """
mutation($id: ID!) {
  closeVacancy(id: $id) { vacancy { id } userErrors { field code message } }
}"""
UPDATE_VACANCY = """
mutation($id: ID!, $input: VacancyInputType!) {
  updateVacancy(id: $id, input: $input) { vacancy { id } userErrors { field code message } }
}"""
SHARE_PROFILE = """
mutation Share($input: ShareProfileInputType!) {
  shareProfile(input: $input) { profile { id pseudonym status } userErrors { field code } }
}"""


def in_days(days: int) -> str:
    """A date relative to the day the use cases read from the same (UTC) clock."""
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def vacancy_variables(title: str = "Klantadviseur energie") -> dict[str, Any]:
    return {
        "title": title,
        "postcodeArea": "6411",
        "hoursMin": 24,
        "hoursMax": 36,
        "startDate": in_days(30),
        "requirements": [{"phrase": "klachten afhandelen", "mustHave": True, "weight": 2}],
        "languages": [{"language": "nl", "minLevel": "C1"}],
    }


@pytest.fixture
async def two_partners(db: ConnectionDatabase) -> tuple[Caller, Caller]:
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Partner A")
    b = await factories.create_partner(db, consortium, name="Partner B")
    return callers.partner_caller(a), callers.partner_caller(b)


async def test_partner_a_cannot_read_change_or_detect_partner_b(
    client: httpx.AsyncClient, bearer: BearerHeaders, two_partners: tuple[Caller, Caller]
) -> None:
    a, b = two_partners
    headers_a, headers_b = await bearer(a), await bearer(b)
    created = await graphql(client, headers_b, CREATE_VACANCY, input=vacancy_variables())
    vacancy_b = created["data"]["createVacancy"]["vacancy"]["id"]
    shared = await graphql(
        client,
        headers_b,
        SHARE_PROFILE,
        input={
            "profile": {
                "kind": "READY_TO_MOVE",
                "postcodeArea": "6221",
                "maxTravelKm": 25,
                "hoursMin": 24,
                "hoursMax": 32,
                "availableFrom": in_days(14),
                "competencies": [{"phrase": "klachtafhandeling"}],
            },
            "contact": {"fullName": "Canary Pieters", "email": "canary@example.nl"},
        },
    )
    assert shared["data"]["shareProfile"]["userErrors"] == []

    # reads: B's rows are absent, and a real id answers exactly like a random one
    listing = await graphql(client, headers_a, "{ vacancies { edges { node { id } } } }")
    assert listing["data"]["vacancies"]["edges"] == []
    profiles = await graphql(client, headers_a, "{ sharedProfiles { edges { node { id } } } }")
    assert profiles["data"]["sharedProfiles"]["edges"] == []
    for vacancy_id in (vacancy_b, str(uuid.uuid4())):
        one = await graphql(
            client, headers_a, "query($id: ID!) { vacancy(id: $id) { id } }", id=vacancy_id
        )
        assert one == {"data": {"vacancy": None}}

    # changes: same NOT_FOUND for B's vacancy and for a random id; nothing changes
    answers = []
    for vacancy_id in (vacancy_b, str(uuid.uuid4())):
        closed = await graphql(
            client,
            headers_a,
            CLOSE_VACANCY,
            id=vacancy_id,
        )
        updated = await graphql(
            client,
            headers_a,
            UPDATE_VACANCY,
            id=vacancy_id,
            input=vacancy_variables("Overgenomen"),
        )
        matches = await graphql(
            client,
            headers_a,
            "query($id: ID!) { matches(vacancyId: $id) { edges { node { score } } } }",
            id=vacancy_id,
        )
        answers.append(
            (
                closed["data"]["closeVacancy"],
                updated["data"]["updateVacancy"],
                [e["extensions"].get("userErrors") for e in matches.get("errors", [])],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0]["userErrors"][0]["code"] == "NOT_FOUND"

    still = await graphql(
        client, headers_b, "query($id: ID!) { vacancy(id: $id) { title status } }", id=vacancy_b
    )
    assert still["data"]["vacancy"] == {"title": "Klantadviseur energie", "status": "OPEN"}


async def test_candidate_and_anonymous_callers_cannot_use_partner_operations(
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
    two_partners: tuple[Caller, Caller],
    db: ConnectionDatabase,
) -> None:
    a, _ = two_partners
    profile = await factories.share_profile(db, a)
    candidate = await bearer(callers.candidate_caller(profile))
    for headers, code in ((candidate, "FORBIDDEN"), ({}, "UNAUTHENTICATED")):
        for query in (
            "{ vacancies { edges { node { id } } } }",
            "{ sharedProfiles { edges { node { id } } } }",
            "{ placementProposals { edges { node { score } } } }",
        ):
            body = await graphql(client, headers, query)
            assert body["data"] is None
            assert [e["extensions"]["code"] for e in body["errors"]] == [code]
        created = await graphql(client, headers, CREATE_VACANCY, input=vacancy_variables())
        assert created["errors"][0]["extensions"]["code"] == code


async def test_vacancy_bad_input_over_graphql_names_fields_and_writes_nothing(
    client: httpx.AsyncClient, bearer: BearerHeaders, two_partners: tuple[Caller, Caller]
) -> None:
    a, _ = two_partners
    headers = await bearer(a)
    bad = vacancy_variables(title="")
    bad["hoursMax"] = 60
    bad["postcodeArea"] = "62"
    bad["languages"] = [{"language": "de", "minLevel": "C3"}]
    bad["requirements"] = [{"phrase": "z" * 10_240}]
    body = await graphql(client, headers, CREATE_VACANCY, input=bad)
    payload = body["data"]["createVacancy"]
    assert payload["vacancy"] is None
    assert {(e["field"], e["code"]) for e in payload["userErrors"]} >= {
        ("input.title", "REQUIRED"),
        ("input.hoursMax", "OUT_OF_RANGE"),
        ("input.postcodeArea", "INVALID_POSTCODE"),
        ("input.languages.0.level", "INVALID_CEFR_LEVEL"),
        ("input.requirements.0.phrase", "TOO_LONG"),
    }
    listing = await graphql(client, headers, "{ vacancies { edges { node { id } } } }")
    assert listing["data"]["vacancies"]["edges"] == []


async def test_share_profile_bad_input_over_graphql_names_fields_and_writes_nothing(
    client: httpx.AsyncClient, bearer: BearerHeaders, two_partners: tuple[Caller, Caller]
) -> None:
    a, _ = two_partners
    headers = await bearer(a)
    bad: dict[str, Any] = {
        "profile": {
            "kind": "REJECTED_CANDIDATE",
            "postcodeArea": "62a1",
            "maxTravelKm": 30,
            "hoursMin": 24,
            "hoursMax": 60,
            "availableFrom": in_days(14),
            "competencies": [{"phrase": f"vaardigheid {i}"} for i in range(500)],
            "languages": [{"language": "de", "level": "Z9"}],
        },
        "contact": {"fullName": "Canary", "email": "geen-adres"},
    }
    body = await graphql(client, headers, SHARE_PROFILE, input=bad)
    payload = body["data"]["shareProfile"]
    assert payload["profile"] is None
    assert {(e["field"], e["code"]) for e in payload["userErrors"]} >= {
        ("input.profile.postcodeArea", "INVALID_POSTCODE"),
        ("input.profile.hoursMax", "OUT_OF_RANGE"),
        ("input.profile.competencies", "TOO_MANY"),
        ("input.profile.languages.0.level", "INVALID_CEFR_LEVEL"),
        ("input.contact.email", "INVALID_EMAIL"),
    }
    long_phrase = {**bad["profile"], "postcodeArea": "6221", "hoursMax": 32, "languages": []}
    long_phrase["competencies"] = [{"phrase": "p" * 10_240}]
    body = await graphql(
        client, headers, SHARE_PROFILE, input={**bad, "profile": long_phrase,
                                               "contact": {"fullName": "C", "email": "c@e.nl"}}
    )  # fmt: skip
    assert body["data"]["shareProfile"]["userErrors"] == [
        {"field": "input.profile.competencies.0.phrase", "code": "TOO_LONG"}
    ]
    shared = await graphql(client, headers, "{ sharedProfiles { edges { node { id } } } }")
    assert shared["data"]["sharedProfiles"]["edges"] == []
