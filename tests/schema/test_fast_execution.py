"""The plain-subtree executor answers exactly what graphql-core's own completion answers.

Each query runs twice — through ``schema.fast_execution.PlainSubtreeExecutor`` and
through strawberry's stock executor — and the two JSON answers (data, errors, their
paths and messages) must be equal byte for byte: on a small schema with every case
the plan must hand back to graphql-core (nulls in non-null fields, a value a scalar
refuses, an exception as a value, resolvers, arguments, fragments, directives), and on
the real ``matches`` and ``placementProposals`` with full profile cards and
explanations, whose values are also checked against the use case's domain values.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import schema.root
from exchange.matching import service
from exchange.matching.engine import MatchEngine
from infra.caller import Caller
from infra.db import ConnectionDatabase
from schema.fast_execution import PlainSubtreeExecutor
from schema.ids import to_id
from tests.support import callers, factories
from tests.support.harness import Harness, harness, production


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    colour: Colour
    size: float | None
    count: int
    when: dt.date

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Branch:
    label: str
    leaves: list[Leaf]
    best: Leaf | None
    tags: list[str | None]


class Boom:
    """Reading ``name`` raises: the field's error must be graphql-core's, with its path."""

    colour = Colour.RED
    size = None
    count = 1
    when = dt.date(2025, 1, 1)

    @property
    def name(self) -> str:
        raise ValueError("no name")


def _leaf(name: str | None, **overrides: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": name,
        "colour": Colour.BLUE,
        "size": 1.5,
        "count": 3,
        "when": dt.date(2025, 3, 1),
    }
    values.update(overrides)
    return Leaf(**values)


def _branch(leaves: Any, best: Any = None, tags: Any = ()) -> Branch:
    return Branch(label="a", leaves=leaves, best=best, tags=tags)


BRANCHES: dict[str, list[Branch]] = {
    "plain": [_branch([_leaf("x"), _leaf("y", size=None)], None, ["t", None])],
    "null_in_non_null": [_branch([_leaf("x"), _leaf(None)], _leaf("z"), [])],
    "refused_scalar": [_branch([_leaf("x", count=2**40)])],
    "not_a_number": [_branch([_leaf("x", size=float("nan"))])],
    "raising_property": [_branch([Boom()])],
    "exception_value": [_branch([_leaf("x")], ValueError("bad best"), [])],
    "int_as_float": [_branch([_leaf("x", size=2)], None, ["t"])],
    "tuple_list": [_branch((_leaf("x"),), None, ("t",))],
}


@strawberry.type
class Query:
    @strawberry.field
    def branches(self, case: str) -> list[Branch]:
        return BRANCHES[case]

    @strawberry.field
    async def later(self, case: str) -> list[Branch]:
        return BRANCHES[case]


ALL_FIELDS = """
query($case: String!, $skip: Boolean!) {
  branches(case: $case) {
    __typename label tags
    leaves { name colour size count when shout }
    best { name colour ... on Leaf { when } }
    again: leaves { n: name ...L @skip(if: $skip) }
  }
  later(case: $case) { leaves { name size count } best { name } }
}
fragment L on Leaf { colour count shout(times: 2) }
"""


def _schemas() -> Iterator[strawberry.Schema]:
    yield strawberry.Schema(query=Query)
    yield strawberry.Schema(query=Query, execution_context_class=PlainSubtreeExecutor)


@pytest.mark.parametrize("case", sorted(BRANCHES))
@pytest.mark.parametrize("skip", [False, True])
async def test_every_case_answers_as_graphql_core_does(case: str, skip: bool) -> None:
    answers = []
    for one in _schemas():
        result = await one.execute(ALL_FIELDS, variable_values={"case": case, "skip": skip})
        errors = [e.formatted for e in result.errors or []]
        answers.append(orjson.dumps({"data": result.data, "errors": errors}))
    stock, plain = answers
    assert plain == stock


def test_the_plan_is_used_for_all_basic_selections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only equal: the fast path really completes the plain case (no silent fallback)."""
    planned: list[str] = []
    build = PlainSubtreeExecutor._build_object_plan

    def counted(self: PlainSubtreeExecutor, object_type: Any, details: Any) -> Any:
        plan = build(self, object_type, details)
        if plan is not None:
            planned.append(object_type.name)
        return plan

    monkeypatch.setattr(PlainSubtreeExecutor, "_build_object_plan", counted)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainSubtreeExecutor)
    result = schema.execute_sync(
        '{ branches(case: "plain") { label leaves { name colour size count when } } }'
    )
    assert result.errors is None
    assert "Branch" in planned and "Leaf" in planned


# --- the real matches and placement proposals ------------------------------------------

MATCHES = """
query($id: ID!) {
  matches(vacancyId: $id, first: 50) {
    edges {
      cursor
      node {
        rank score
        profile {
          id pseudonym kind status headline notFitReason presentRole postcodeArea maxTravelKm
          hoursMin hoursMax availableFrom ambitions shifts workModes minPay { amount period }
          transferableSectors competencies { phrase conceptId confidence level }
          languages { language level } consentExpiresAt pendingUntil createdAt
        }
        explanation {
          requirement kind matchedPhrase similarity weight points met mustHave
          concept { id label { nl en localized } }
        }
      }
    }
    nodes { rank profile { pseudonym } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PROPOSALS = """
{
  placementProposals(first: 50) {
    edges {
      cursor
      node {
        rank score
        vacancy { id title status requirements { phrase conceptId mustHave } }
        profile { id pseudonym kind competencies { phrase level } languages { language level } }
        explanation { requirement kind matchedPhrase points met concept { id label { nl } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
async def hiring(db: ConnectionDatabase) -> tuple[Caller, str]:
    consortium = await factories.create_consortium(db)
    sharer = callers.partner_caller(await factories.create_partner(db, consortium, name="S"))
    hirer = callers.partner_caller(await factories.create_partner(db, consortium, name="H"))
    for n in range(4):
        profile = await factories.share_profile(
            db, sharer, postcode_area=f"62{n}1", headline=f"Kop {n}" if n % 2 else None
        )
        await factories.activate_profile(db, profile)
    vacancy = await factories.create_vacancy(db, hirer)
    return hirer, to_id(vacancy.id)


@asynccontextmanager
async def _app(
    db: ConnectionDatabase, caller: Caller, executor: type, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    with monkeypatch.context() as patch:
        patch.setattr(schema.root, "PlainSubtreeExecutor", executor)
        async with harness(production(), db, caller) as api:
            yield api


async def _both(
    db: ConnectionDatabase,
    caller: Caller,
    monkeypatch: pytest.MonkeyPatch,
    ask: Callable[[Harness], Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = []
    for executor in (StrawberryGraphQLCoreExecutionContext, PlainSubtreeExecutor):
        async with _app(db, caller, executor, monkeypatch) as api:
            response = await ask(api)
            assert response.status_code == 200
            answers.append(response.content)
    stock, plain = answers
    assert plain == stock  # the same bytes: same values, same order, same number formats
    return orjson.loads(stock), orjson.loads(plain)


async def test_matches_answer_the_same_json_and_the_domain_values(
    db: ConnectionDatabase, hiring: tuple[Caller, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hirer, vacancy_id = hiring
    _, plain = await _both(
        db, hirer, monkeypatch, lambda api: api.post(MATCHES, variables={"id": vacancy_id})
    )
    assert "errors" not in plain
    edges = plain["data"]["matches"]["edges"]
    assert len(edges) == 4

    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    async with db.transaction(hirer.access_scope()) as conn:
        page = await service.find_matches(
            conn,
            hirer,
            engine,
            vacancy_id=hirer_vacancy(vacancy_id),
            first=50,
            offset=0,
            min_score=0,
        )
    for edge, item in zip(edges, page.items, strict=True):
        node = edge["node"]
        assert node["rank"] == item.rank + 1
        assert node["score"] == item.result.score
        card = node["profile"]
        assert card["id"] == to_id(item.profile.id)
        assert card["pseudonym"] == item.profile.pseudonym
        assert card["kind"] == item.profile.kind.name
        assert card["availableFrom"] == item.profile.available_from.isoformat()
        assert [c["phrase"] for c in card["competencies"]] == [
            c.phrase for c in item.profile.competencies
        ]
        assert [(lang["language"], lang["level"]) for lang in card["languages"]] == [
            (lang.language, lang.level.name) for lang in item.profile.languages
        ]
        assert [
            (e["requirement"], e["kind"], e["points"], e["met"], e["mustHave"])
            for e in node["explanation"]
        ] == [
            (e.requirement, e.kind, e.points, e.met, e.must_have) for e in item.result.explanation
        ]


def hirer_vacancy(vacancy_id: str) -> Any:
    from schema.ids import parse_id

    return parse_id(vacancy_id, "vacancyId")


async def test_placement_proposals_answer_the_same_json(
    db: ConnectionDatabase, hiring: tuple[Caller, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hirer, _ = hiring
    _, plain = await _both(db, hirer, monkeypatch, lambda api: api.post(PROPOSALS))
    assert "errors" not in plain
    assert plain["data"]["placementProposals"]["edges"]
