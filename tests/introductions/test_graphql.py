"""Introductions and placements over HTTP with real bearer tokens (two partners, the person)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infra.caller import Caller
from infra.db import ConnectionDatabase
from tests.support import factories, introductions
from tests.support.as_system import counts
from tests.support.introductions import World

REQUEST = """
mutation($p: ID!, $v: ID!, $m: String) {
  requestIntroduction(profileId: $p, vacancyId: $v, message: $m) {
    introduction { id status vacancyTitle profilePseudonym contact { fullName } }
    userErrors { field code message }
  }
}"""
INTRODUCTIONS = """
query($status: IntroductionStatus) {
  introductions(first: 10, status: $status) {
    edges { cursor node { id status contact { fullName email phone } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
MY_INTRODUCTIONS = """
{ myIntroductions(first: 5) { nodes { id status isOpen message
    offer { title partnerName trainingOffered pay { min max period } hoursMin hoursMax } } } }"""
RESPOND = """
mutation($id: ID!, $accept: Boolean!, $m: String) {
  respondToIntroduction(id: $id, accept: $accept, message: $m) {
    introduction { id status responseMessage }
    userErrors { field code }
  }
}"""
PLACE = """
mutation($id: ID!, $start: Date!) {
  recordPlacement(introductionId: $id, startDate: $start) {
    placement { id yourRole sharingPartnerId startDate }
    userErrors { field code }
  }
}"""
OUTCOME = """
mutation($id: ID!, $left: Date, $reason: LeftReason, $three: Boolean) {
  recordPlacementOutcome(placementId: $id, leftOn: $left, leftReason: $reason,
                         employedAt3Months: $three) {
    placement { id leftReason }
    userErrors { field code }
  }
}"""
RESUME = "mutation { resumeMyProfile { profileId status userErrors { field code } } }"
PLACEMENTS = "{ placements(first: 5) { nodes { id yourRole } } }"


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


async def test_introduce_accept_place_and_resume_over_http(gql: Any, world: World) -> None:
    profile_id, vacancy_id = str(world.profile.id), str(world.vacancy_b.id)

    body = await gql(world.hr_b, REQUEST, p=profile_id, v=vacancy_id, m="Kom kennismaken")
    payload = body["data"]["requestIntroduction"]
    assert payload["userErrors"] == []
    introduction = payload["introduction"]
    assert introduction["status"] == "REQUESTED"
    assert introduction["contact"] is None
    assert introduction["profilePseudonym"] == world.profile.pseudonym

    # a second one for the same vacancy: refused with its code
    again = await gql(world.hr_b, REQUEST, p=profile_id, v=vacancy_id)
    assert again["data"]["requestIntroduction"]["userErrors"][0]["code"] == ("CONFLICT")
    # another partner's vacancy: not found, never "not yours"
    foreign = await gql(world.hr_c, REQUEST, p=profile_id, v=vacancy_id)
    assert foreign["data"]["requestIntroduction"] == {
        "introduction": None,
        "userErrors": [
            {
                "field": "vacancyId",
                "code": "NOT_FOUND",
                "message": "you have no vacancy with this id",
            }
        ],
    }

    mine = await gql(world.person, MY_INTRODUCTIONS)
    (node,) = mine["data"]["myIntroductions"]["nodes"]
    assert node["isOpen"] is True and node["message"] == "Kom kennismaken"
    assert node["offer"]["title"] == "Klantenservice energie"
    assert node["offer"]["partnerName"] == "Klantcontact Heerlen B"
    assert node["offer"]["pay"] == {"min": 16.5, "max": 19.0, "period": "HOUR"}

    answered = await gql(world.person, RESPOND, id=introduction["id"], accept=True, m="Graag")
    assert answered["data"]["respondToIntroduction"]["introduction"]["status"] == "ACCEPTED"

    listed = await gql(world.hr_b, INTRODUCTIONS, status="ACCEPTED")
    (edge,) = listed["data"]["introductions"]["edges"]
    assert edge["node"]["contact"] == {
        "fullName": "Canary Vermeulen",
        "email": world.email,
        "phone": "+31 6 99887766",
    }
    for other in (world.hr_a, world.hr_c):
        seen = await gql(other, INTRODUCTIONS)
        assert seen["data"]["introductions"]["edges"] == []

    placed = await gql(world.hr_b, PLACE, id=introduction["id"], start=str(dt.date.today()))
    placement = placed["data"]["recordPlacement"]["placement"]
    assert placement["yourRole"] == "HIRING"
    assert placement["sharingPartnerId"] == str(world.a.id)
    credit = await gql(world.hr_a, PLACEMENTS)
    assert credit["data"]["placements"]["nodes"] == [{"id": placement["id"], "yourRole": "SHARING"}]
    twice = await gql(world.hr_b, PLACE, id=introduction["id"], start=str(dt.date.today()))
    assert twice["data"]["recordPlacement"]["userErrors"] == [
        {"field": "introductionId", "code": "CONFLICT"}
    ]

    bad = await gql(world.hr_b, OUTCOME, id=placement["id"], left=str(dt.date.today()))
    assert bad["data"]["recordPlacementOutcome"]["userErrors"] == [
        {"field": "leftReason", "code": "REQUIRED"}
    ]
    early = await gql(world.hr_b, OUTCOME, id=placement["id"], three=True)
    assert early["data"]["recordPlacementOutcome"]["userErrors"] == [
        {"field": "employedAt3Months", "code": "TOO_EARLY"}
    ]

    resumed = await gql(world.person, RESUME)
    assert resumed["data"]["resumeMyProfile"] == {
        "profileId": profile_id,
        "status": "ACTIVE",
        "userErrors": [],
    }


async def test_refusals_over_http(gql: Any, world: World, db: ConnectionDatabase) -> None:
    before = await counts(db)
    not_accepted = await gql(world.hr_b, PLACE, id=str(world.profile.id), start="2030-01-01")
    assert not_accepted["data"]["recordPlacement"]["userErrors"] == [
        {"field": "introductionId", "code": "NOT_FOUND"}
    ]
    bad_id = await gql(world.hr_b, REQUEST, p="not-a-uuid", v=str(world.vacancy_b.id))
    assert bad_id["data"]["requestIntroduction"]["userErrors"][0]["code"] == "INVALID_ID"
    too_long = await gql(
        world.hr_b, REQUEST, p=str(world.profile.id), v=str(world.vacancy_b.id), m="x" * 2001
    )
    assert too_long["data"]["requestIntroduction"]["userErrors"] == [
        {"field": "message", "code": "TOO_LONG", "message": "must be at most 2000 characters"}
    ]
    assert await counts(db) == before

    # the person may not request, a partner may not answer or read the person's list
    forbidden: list[tuple[Caller, str, dict[str, Any]]] = [
        (world.person, REQUEST, {"p": str(world.profile.id), "v": str(world.vacancy_b.id)}),
        (world.hr_b, RESPOND, {"id": str(world.profile.id), "accept": True}),
        (world.hr_b, MY_INTRODUCTIONS, {}),
        (world.person, INTRODUCTIONS, {}),
    ]
    for caller, query, variables in forbidden:
        body = await gql(caller, query, **variables)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_pagination_is_capped_and_cursored(
    gql: Any, world: World, db: ConnectionDatabase
) -> None:
    for i in range(3):
        vacancy = await factories.create_vacancy(db, world.hr_b, title=f"Vacature {i}")
        await introductions.request(db, world.hr_b, world.profile.id, vacancy.id)
    query = """query($after: String) { introductions(first: 2, after: $after) {
        nodes { id } pageInfo { hasNextPage endCursor } } }"""
    first = (await gql(world.hr_b, query))["data"]["introductions"]
    assert len(first["nodes"]) == 2 and first["pageInfo"]["hasNextPage"] is True
    rest = (await gql(world.hr_b, query, after=first["pageInfo"]["endCursor"]))["data"]
    assert len(rest["introductions"]["nodes"]) == 1
    assert rest["introductions"]["pageInfo"]["hasNextPage"] is False
    over = await gql(world.hr_b, "{ introductions(first: 1000) { nodes { id } } }")
    assert over["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
