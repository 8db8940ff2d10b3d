"""Unanswered requests expire after 14 days; withdrawal closes open ones."""

from __future__ import annotations

import datetime as dt

import pytest

from exchange.introductions import service
from exchange.introductions.models import IntroductionStatus
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.support import introductions
from tests.support.as_system import contact_rows_seen_by, counts, system_fetchrow
from tests.support.introductions import World


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


async def _expire(db: ConnectionDatabase, now: dt.datetime) -> int:
    async with db.transaction(AccessScope.system()) as conn:
        return await service.expire_introductions(conn, now)


async def _status(db: ConnectionDatabase, introduction_id: object) -> str:
    row = await system_fetchrow(
        db, "select status from introduction where id = $1", introduction_id
    )
    return str(row["status"])


async def test_retention_expires_unanswered_requests_once(
    db: ConnectionDatabase, world: World
) -> None:
    now = dt.datetime.now(dt.UTC)
    old = await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, now=now - dt.timedelta(days=15)
    )
    fresh = await introductions.request(
        db, world.hr_c, world.profile.id, world.vacancy_c.id, now=now
    )

    assert await _expire(db, now) == 1
    assert await _status(db, old.id) == "EXPIRED"
    assert await _status(db, fresh.id) == "REQUESTED"
    before = await counts(db)
    assert await _expire(db, now) == 0  # idempotent: a second run changes nothing
    assert await counts(db) == before

    with pytest.raises(UserError) as refused:
        await introductions.respond(db, world.person, old.id, accept=True)
    assert refused.value.errors[0].code == "CLOSED"
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0

    # day 15 for the fresh one too
    assert await _expire(db, now + dt.timedelta(days=14, seconds=1)) == 1
    async with db.transaction(AccessScope.system()) as conn:
        audited = await conn.fetchval(
            "select count(*) from audit_event where action = 'introduction.expired'"
        )
    assert audited == 2


async def test_an_overdue_request_no_longer_blocks_a_new_one(
    db: ConnectionDatabase, world: World
) -> None:
    now = dt.datetime.now(dt.UTC)
    old = await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, now=now - dt.timedelta(days=15)
    )
    # the retention run has not come by yet; the new request expires the old one itself
    again = await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, now=now
    )
    assert again.status is IntroductionStatus.REQUESTED
    assert await _status(db, old.id) == "EXPIRED"


async def test_an_overdue_request_cannot_be_accepted_before_the_run(
    db: ConnectionDatabase, world: World
) -> None:
    introduction = await introductions.request(
        db,
        world.hr_b,
        world.profile.id,
        world.vacancy_b.id,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=14, minutes=1),
    )
    with pytest.raises(UserError) as refused:
        await introductions.respond(db, world.person, introduction.id, accept=True)
    assert refused.value.errors[0].code == "CLOSED"
    assert await _status(db, introduction.id) == "REQUESTED"


async def test_withdrawing_consent_closes_open_requests(
    db: ConnectionDatabase, world: World
) -> None:
    requested = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    accepted = await introductions.request(db, world.hr_c, world.profile.id, world.vacancy_c.id)
    await introductions.respond(db, world.person, accepted.id, accept=True)
    async with db.transaction(world.person.access_scope()) as conn:
        closed = await service.withdraw_introductions_for_profile(conn, profile_id=world.profile.id)
    assert closed == 1
    assert await _status(db, requested.id) == "WITHDRAWN"
    assert await _status(db, accepted.id) == "ACCEPTED"
    with pytest.raises(UserError) as refused:
        await introductions.respond(db, world.person, requested.id, accept=True)
    assert refused.value.errors[0].code == "CLOSED"
