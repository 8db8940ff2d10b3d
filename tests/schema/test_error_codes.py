"""One code per situation across the API (issue 8, bug 7).

Every operation that takes a vacancy, introduction, placement or profile id answers a
random id and another partner's (or person's) id alike, with ``NOT_FOUND``: the same code,
field and message, whether it is a query (``extensions.code``) or a mutation
(``userErrors``). A closed vacancy answers ``CLOSED`` everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from infra.caller import Caller
from infra.db import ConnectionDatabase
from tests.support import callers, factories, introductions
from tests.support.introductions import World

MATCHES = "query($v: ID!) { matches(vacancyId: $v) { edges { node { score } } } }"
REQUEST = """
mutation($p: ID!, $v: ID!) {
  requestIntroduction(profileId: $p, vacancyId: $v) {
    introduction { id } userErrors { field code message }
  }
}"""
UPDATE = """
mutation($v: ID!, $input: VacancyInputType!) {
  updateVacancy(id: $v, input: $input) { vacancy { id } userErrors { field code message } }
}"""
CLOSE = """
mutation($v: ID!) { closeVacancy(id: $v) { vacancy { id } userErrors { field code message } } }"""
RESPOND = """
mutation($i: ID!) {
  respondToIntroduction(id: $i, accept: true) {
    introduction { id } userErrors { field code message }
  }
}"""
PLACE = """
mutation($i: ID!, $start: Date!) {
  recordPlacement(introductionId: $i, startDate: $start) {
    placement { id } userErrors { field code message }
  }
}"""
OUTCOME = """
mutation($pl: ID!) {
  recordPlacementOutcome(placementId: $pl, employedAt3Months: true) {
    placement { id } userErrors { field code message }
  }
}"""
VACANCY_INPUT = {
    "title": "Klantadviseur",
    "postcodeArea": "6411",
    "hoursMin": 24,
    "hoursMax": 36,
    "startDate": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
    "requirements": [{"phrase": "klachten afhandelen"}],
}


def refusal(body: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """(code, field errors) of a refused operation, query or mutation alike."""
    if body.get("errors"):
        (error,) = body["errors"]
        return error["extensions"]["code"], error["extensions"].get("userErrors", [])
    (payload,) = body["data"].values()
    errors = payload["userErrors"]
    assert errors, body
    codes = {e["code"] for e in errors}
    assert len(codes) == 1, errors
    return codes.pop(), errors


async def test_a_foreign_id_and_a_random_id_answer_not_found_everywhere(
    db: ConnectionDatabase, gql: Any
) -> None:
    world: World = await introductions.build_world(db)
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await introductions.respond(db, world.person, introduction.id, accept=True)
    start = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    placed = await gql(world.hr_b, PLACE, i=str(introduction.id), start=start)
    placement_id = placed["data"]["recordPlacement"]["placement"]["id"]
    other_profile = await factories.share_profile(db, world.hr_a)
    await factories.activate_profile(db, other_profile)
    other_person = callers.candidate_caller(other_profile)
    profile_id = str(world.profile.id)

    # (caller, query, the variable holding the id, the id someone else owns, other variables)
    cases: list[tuple[Caller, str, str, str, dict[str, Any]]] = [
        (world.hr_c, MATCHES, "v", str(world.vacancy_b.id), {}),
        (world.hr_c, REQUEST, "v", str(world.vacancy_b.id), {"p": profile_id}),
        (world.hr_c, UPDATE, "v", str(world.vacancy_b.id), {"input": VACANCY_INPUT}),
        (world.hr_c, CLOSE, "v", str(world.vacancy_b.id), {}),
        (world.hr_c, PLACE, "i", str(introduction.id), {"start": start}),
        (world.hr_c, OUTCOME, "pl", placement_id, {}),
        (other_person, RESPOND, "i", str(introduction.id), {}),
    ]
    codes: list[str] = []
    for caller, query, name, foreign_id, variables in cases:
        foreign = refusal(await gql(caller, query, **variables, **{name: foreign_id}))
        random = refusal(await gql(caller, query, **variables, **{name: str(uuid.uuid4())}))
        assert foreign == random, query  # same code, field and message: existence never leaks
        codes.append(foreign[0])
    assert codes == ["NOT_FOUND"] * len(cases)

    # a profile the partner cannot see answers like a random profile id
    hidden = refusal(await gql(world.hr_c, REQUEST, p=str(uuid.uuid4()), v=str(world.vacancy_c.id)))
    assert hidden[0] == "NOT_FOUND"


async def test_a_closed_vacancy_answers_closed_everywhere(db: ConnectionDatabase, gql: Any) -> None:
    world: World = await introductions.build_world(db)
    vacancy_id = str(world.vacancy_b.id)
    closed = await gql(world.hr_b, CLOSE, v=vacancy_id)
    assert closed["data"]["closeVacancy"]["userErrors"] == []
    codes = [
        refusal(await gql(world.hr_b, MATCHES, v=vacancy_id))[0],
        refusal(await gql(world.hr_b, REQUEST, p=str(world.profile.id), v=vacancy_id))[0],
        refusal(await gql(world.hr_b, UPDATE, v=vacancy_id, input=VACANCY_INPUT))[0],
        refusal(await gql(world.hr_b, CLOSE, v=vacancy_id))[0],
    ]
    assert codes == ["CLOSED"] * 4
