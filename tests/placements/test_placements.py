"""Placements: only after accept, one per introduction, pause and resume, outcomes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from exchange.introductions import repository as introductions_repository
from exchange.introductions.models import Introduction
from exchange.placements import service
from exchange.placements.models import Placement, PlacementOutcomeInput, PlacementRole
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.support import callers, factories, introductions
from tests.support.as_system import counts, set_profile_status, system_fetchrow
from tests.support.introductions import World


def today() -> dt.date:
    """Today as the server sees it, asked when needed: a run may cross midnight."""
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


async def _accepted(db: ConnectionDatabase, world: World) -> Introduction:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await introductions.respond(db, world.person, introduction.id, accept=True)
    return introduction


async def _place(
    db: ConnectionDatabase,
    caller: Caller,
    introduction_id: uuid.UUID,
    start_date: dt.date | None = None,
) -> Placement:
    async with db.transaction(caller.access_scope()) as conn:
        return await service.record_placement(
            conn, caller, introduction_id=introduction_id, start_date=start_date or today()
        )


async def _outcome(
    db: ConnectionDatabase,
    caller: Caller,
    placement_id: uuid.UUID,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Placement:
    async with db.transaction(caller.access_scope()) as conn:
        return await service.record_placement_outcome(
            conn, caller, placement_id, PlacementOutcomeInput(**fields), now=now
        )


async def _visible_to(db: ConnectionDatabase, caller: Caller, profile_id: uuid.UUID) -> bool:
    assert caller.partner_id is not None
    async with db.transaction(caller.access_scope()) as conn:
        found = await introductions_repository.find_visible_profile(
            conn, profile_id=profile_id, partner_id=caller.partner_id
        )
    return found is not None


async def test_placing_pauses_the_profile_and_credits_the_sharing_partner(
    db: ConnectionDatabase, world: World
) -> None:
    introduction = await _accepted(db, world)
    assert await _visible_to(db, world.hr_c, world.profile.id)
    placement = await _place(db, world.hr_b, introduction.id)

    assert placement.hiring_partner_id == world.b.id
    assert placement.sharing_partner_id == world.a.id
    assert placement.shared_at == world.profile.created_at
    row = await system_fetchrow(db, "select status from profile where id = $1", world.profile.id)
    assert row["status"] == "PAUSED"
    # hidden from every other partner's matching
    assert not await _visible_to(db, world.hr_c, world.profile.id)
    # the sharing partner reads the placement (reciprocity), a bystander does not
    for caller, role in ((world.hr_a, PlacementRole.SHARING), (world.hr_b, PlacementRole.HIRING)):
        async with db.transaction(caller.access_scope()) as conn:
            page = await service.list_placements(conn, caller, limit=10, after=None)
        assert [p.id for p in page.items] == [placement.id]
        assert caller.partner_id is not None
        assert page.items[0].role_of(caller.partner_id) is role
    async with db.transaction(world.hr_c.access_scope()) as conn:
        assert await conn.fetchval("select count(*) from placement") == 0
    async with db.transaction(AccessScope.system()) as conn:
        actions = [
            r["action"]
            for r in await conn.fetch(
                "select action from audit_event where subject_id = any($1::text[]) order by seq",
                [str(placement.id), str(world.profile.id)],
            )
        ]
    assert actions[-2:] == ["placement.recorded", "profile.paused"]


async def test_place_only_after_accept(db: ConnectionDatabase, world: World) -> None:
    requested = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    other_vacancy = await factories.create_vacancy(db, world.hr_b, title="Tweede")
    declined = await introductions.request(db, world.hr_b, world.profile.id, other_vacancy.id)
    await introductions.respond(db, world.person, declined.id, accept=False)
    accepted_by_c = await introductions.request(
        db, world.hr_c, world.profile.id, world.vacancy_c.id
    )
    await introductions.respond(db, world.person, accepted_by_c.id, accept=True)

    for caller, introduction_id, code in (
        (world.hr_b, requested.id, "CONFLICT"),
        (world.hr_b, declined.id, "CONFLICT"),
        (world.hr_b, accepted_by_c.id, "NOT_FOUND"),  # accepted, but another partner's
        (world.hr_b, uuid.uuid4(), "NOT_FOUND"),
        (world.hr_a, accepted_by_c.id, "NOT_FOUND"),  # the sharing partner does not place
    ):
        before = await counts(db)
        with pytest.raises(UserError) as refused:
            await _place(db, caller, introduction_id)
        assert [(e.field, e.code) for e in refused.value.errors] == [("introductionId", code)]
        assert await counts(db) == before
    row = await system_fetchrow(db, "select status from profile where id = $1", world.profile.id)
    assert row["status"] == "ACTIVE"


async def test_one_placement_per_introduction(db: ConnectionDatabase, world: World) -> None:
    introduction = await _accepted(db, world)
    await _place(db, world.hr_b, introduction.id)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await _place(db, world.hr_b, introduction.id)
    assert refused.value.errors[0].code == "CONFLICT"
    assert await counts(db) == before


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (today() - dt.timedelta(days=30), "BEFORE_INTRODUCTION"),
        (today() + dt.timedelta(days=400), "TOO_FAR_AHEAD"),
    ],
)
async def test_start_date_is_validated(
    db: ConnectionDatabase, world: World, start: dt.date, code: str
) -> None:
    introduction = await _accepted(db, world)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await _place(db, world.hr_b, introduction.id, start)
    assert [(e.field, e.code) for e in refused.value.errors] == [("startDate", code)]
    assert await counts(db) == before


async def test_placements_cannot_be_forged_at_sql_level(
    db: ConnectionDatabase, world: World
) -> None:
    requested = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(world.hr_b.access_scope()) as conn:
            await conn.execute(
                """insert into placement (id, consortium_id, introduction_id, profile_id,
                       vacancy_id, hiring_partner_id, sharing_partner_id, shared_at, start_date)
                   values ($1, $2, $3, $4, $5, $6, $7, now(), current_date)""",
                uuid.uuid4(),
                world.consortium.id,
                requested.id,
                world.profile.id,
                world.vacancy_b.id,
                world.b.id,
                world.c.id,  # a made-up sharing partner
            )


async def test_the_person_resumes_a_paused_profile(db: ConnectionDatabase, world: World) -> None:
    introduction = await _accepted(db, world)
    await _place(db, world.hr_b, introduction.id)
    async with db.transaction(world.person.access_scope()) as conn:
        resumed = await service.resume_my_profile(conn, world.person)
    assert (resumed.profile_id, resumed.status) == (world.profile.id, "ACTIVE")
    assert await _visible_to(db, world.hr_c, world.profile.id)

    before = await counts(db)
    with pytest.raises(UserError) as refused:
        async with db.transaction(world.person.access_scope()) as conn:
            await service.resume_my_profile(conn, world.person)
    assert refused.value.errors[0].code == "CONFLICT"
    assert await counts(db) == before


async def test_resume_needs_live_consent(db: ConnectionDatabase, world: World) -> None:
    await set_profile_status(db, world.profile, "PAUSED")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=181)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        async with db.transaction(world.person.access_scope()) as conn:
            await service.resume_my_profile(conn, world.person, now=later)
    assert refused.value.errors[0].code == "CLOSED"
    assert await counts(db) == before
    stranger = callers.candidate_caller(await factories.share_profile(db, world.hr_a))
    with pytest.raises(UserError) as refused:
        async with db.transaction(stranger.access_scope()) as conn:
            await service.resume_my_profile(conn, stranger, profile_id=world.profile.id)
    assert refused.value.errors[0].code == "CONFLICT"


async def test_outcomes_are_recorded_step_by_step(db: ConnectionDatabase, world: World) -> None:
    introduction = await _accepted(db, world)
    placement = await _place(db, world.hr_b, introduction.id)
    at_3 = dt.datetime.combine(today() + dt.timedelta(days=95), dt.time(), dt.UTC)
    at_7 = dt.datetime.combine(today() + dt.timedelta(days=215), dt.time(), dt.UTC)
    first = await _outcome(db, world.hr_b, placement.id, now=at_3, employed_at_3_months=True)
    assert (first.employed_at_3_months, first.employed_at_6_months) == (True, None)
    second = await _outcome(
        db,
        world.hr_b,
        placement.id,
        now=at_7,
        employed_at_6_months=False,
        left_on=today() + dt.timedelta(days=150),
        left_reason="NO_GROWTH",
    )
    assert second.employed_at_3_months is True
    assert second.left_reason is not None and second.left_reason.value == "NO_GROWTH"
    assert second.outcome_recorded_at == at_7
    # the sharing partner reads the outcome too
    async with db.transaction(world.hr_a.access_scope()) as conn:
        row = await conn.fetchrow(
            "select employed_at_3_months, left_reason from placement where id = $1", placement.id
        )
    assert row is not None
    assert (row["employed_at_3_months"], row["left_reason"]) == (True, "NO_GROWTH")


DAY = dt.timedelta(days=1)
OUTCOME_ERRORS: list[tuple[int, dict[str, Any], list[tuple[str, str]]]] = [
    (10, {}, [("input", "NOTHING_TO_RECORD")]),
    (10, {"employed_at_3_months": True}, [("employedAt3Months", "TOO_EARLY")]),
    (100, {"employed_at_6_months": True}, [("employedAt6Months", "TOO_EARLY")]),
    (200, {"left_reason": "BORED"}, [("leftReason", "INVALID_LEFT_REASON")]),
    (200, {"left_on": today() + dt.timedelta(days=20)}, [("leftReason", "REQUIRED")]),
    (200, {"left_reason": "PAY"}, [("leftOn", "REQUIRED")]),
    (
        200,
        {"left_on": today() - DAY, "left_reason": "PAY"},
        [("leftOn", "BEFORE_START")],
    ),
    (
        30,
        {"left_on": today() + 40 * DAY, "left_reason": "PAY"},
        [("leftOn", "IN_FUTURE")],
    ),
    (
        200,
        {
            "employed_at_3_months": True,
            "left_on": today() + dt.timedelta(days=40),
            "left_reason": "PAY",
        },
        [("employedAt3Months", "CONTRADICTS_LEFT_ON")],
    ),
    (
        200,
        {"employed_at_3_months": False, "employed_at_6_months": True},
        [("employedAt6Months", "CONTRADICTS_3_MONTHS")],
    ),
]


@pytest.mark.parametrize(("days_later", "fields", "errors"), OUTCOME_ERRORS)
async def test_outcome_validation_names_the_field_and_writes_nothing(
    db: ConnectionDatabase,
    world: World,
    days_later: int,
    fields: dict[str, Any],
    errors: list[tuple[str, str]],
) -> None:
    introduction = await _accepted(db, world)
    placement = await _place(db, world.hr_b, introduction.id)
    now = dt.datetime.combine(today() + dt.timedelta(days=days_later), dt.time(12), dt.UTC)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await _outcome(db, world.hr_b, placement.id, now=now, **fields)
    assert [(e.field, e.code) for e in refused.value.errors] == errors
    assert await counts(db) == before


async def test_leaving_early_may_be_recorded_early(db: ConnectionDatabase, world: World) -> None:
    introduction = await _accepted(db, world)
    placement = await _place(db, world.hr_b, introduction.id)
    now = dt.datetime.combine(today() + dt.timedelta(days=45), dt.time(12), dt.UTC)
    recorded = await _outcome(
        db,
        world.hr_b,
        placement.id,
        now=now,
        employed_at_3_months=False,
        employed_at_6_months=False,
        left_on=today() + dt.timedelta(days=40),
        left_reason="SCHEDULE",
    )
    assert recorded.employed_at_3_months is False


async def test_only_the_hiring_partner_records_outcomes(
    db: ConnectionDatabase, world: World
) -> None:
    introduction = await _accepted(db, world)
    placement = await _place(db, world.hr_b, introduction.id)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=100)
    for caller in (world.hr_a, world.hr_c):
        with pytest.raises(UserError) as refused:
            await _outcome(db, caller, placement.id, now=later, employed_at_3_months=True)
        assert refused.value.errors[0].code == "NOT_FOUND"
