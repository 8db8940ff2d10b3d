"""respondToIntroduction: contact data goes to the accepting partner alone, only after accept."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from exchange.introductions import service
from exchange.introductions.models import IntroductionStatus
from infra.db import ConnectionDatabase
from infra.errors import Forbidden, UserError
from infra.scope import AccessScope
from tests.support import callers, factories, introductions
from tests.support.as_system import contact_rows_seen_by, counts
from tests.support.introductions import World


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


async def test_accept_reveals_contact_to_the_requesting_partner_only(
    db: ConnectionDatabase, world: World
) -> None:
    person_id = world.profile.person_id
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    # before the answer: nobody but the person reads the contact data, at any level
    for caller in (world.hr_a, world.hr_b, world.hr_c):
        assert await contact_rows_seen_by(db, caller, person_id) == 0
    assert [i.contact for i in await introductions.partner_view(db, world.hr_b)] == [None]

    answered = await introductions.respond(
        db, world.person, introduction.id, accept=True, message="Graag!"
    )
    assert answered.status is IntroductionStatus.ACCEPTED
    assert answered.response_message == "Graag!"

    (seen,) = await introductions.partner_view(db, world.hr_b)
    assert seen.status is IntroductionStatus.ACCEPTED
    assert seen.contact is not None
    assert (seen.contact.full_name, seen.contact.email, seen.contact.phone) == (
        "Canary Vermeulen",
        world.email,
        "+31 6 99887766",
    )
    assert await contact_rows_seen_by(db, world.hr_b, person_id) == 1
    # the other partner and even the sharing partner still see nothing
    for other in (world.hr_a, world.hr_c):
        assert await contact_rows_seen_by(db, other, person_id) == 0
        assert await introductions.partner_view(db, other) == []
    async with db.transaction(world.hr_c.access_scope()) as conn:
        leaked = await conn.fetchval(
            "select count(*) from person_contact c join introduction i using (person_id)"
        )
        assert await service.get_introduction(conn, world.hr_c, introduction.id) is None
    assert leaked == 0


async def test_contact_shows_only_on_the_accepted_introduction(
    db: ConnectionDatabase, world: World
) -> None:
    second_vacancy = await factories.create_vacancy(db, world.hr_b, title="Tweede vacature")
    first = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    second = await introductions.request(db, world.hr_b, world.profile.id, second_vacancy.id)
    await introductions.respond(db, world.person, first.id, accept=True)
    contact_by_id = {i.id: i.contact for i in await introductions.partner_view(db, world.hr_b)}
    assert contact_by_id[first.id] is not None
    assert contact_by_id[second.id] is None


async def test_decline_closes_without_revealing(db: ConnectionDatabase, world: World) -> None:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    answered = await introductions.respond(db, world.person, introduction.id, accept=False)
    assert answered.status is IntroductionStatus.DECLINED
    (seen,) = await introductions.partner_view(db, world.hr_b)
    assert seen.status is IntroductionStatus.DECLINED and seen.contact is None
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0
    # declined is closed: the partner may ask again for the same vacancy
    again = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    assert again.status is IntroductionStatus.REQUESTED


async def test_answers_are_audited_without_personal_data(
    db: ConnectionDatabase, world: World
) -> None:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await introductions.respond(
        db, world.person, introduction.id, accept=True, message="Bel me maar"
    )
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch(
            """select action, actor_kind, actor_id, partner_id, details::text as details
               from audit_event where subject_id = $1 order by seq""",
            str(introduction.id),
        )
    assert [r["action"] for r in rows] == [
        "introduction.requested",
        "introduction.accepted",
        "contact.revealed",
    ]
    revealed = rows[2]
    assert revealed["actor_kind"] == "person"
    assert revealed["partner_id"] is None  # the person acted for themselves
    assert str(world.b.id) in revealed["details"]
    for row in rows:
        for personal in ("Canary", world.email, "Bel me"):
            assert personal not in row["details"]


async def test_refusals_when_answering(db: ConnectionDatabase, world: World) -> None:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    stranger_profile = await factories.share_profile(db, world.hr_a)
    stranger = callers.candidate_caller(stranger_profile)
    cases = [
        (stranger, introduction.id, {}, "NOT_FOUND"),
        (world.person, uuid.uuid4(), {}, "NOT_FOUND"),
        (world.person, introduction.id, {"message": "x" * 2_001}, "TOO_LONG"),
        (
            world.person,
            introduction.id,
            {"now": introduction.expires_at + dt.timedelta(seconds=1)},
            "CLOSED",
        ),
    ]
    for person, introduction_id, extra, code in cases:
        before = await counts(db)
        with pytest.raises(UserError) as refused:
            await introductions.respond(db, person, introduction_id, accept=True, **extra)  # type: ignore[arg-type]
        assert refused.value.errors[0].code == code
        assert await counts(db) == before

    await introductions.respond(db, world.person, introduction.id, accept=False)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await introductions.respond(db, world.person, introduction.id, accept=True)
    assert refused.value.errors[0].code == "CLOSED"
    assert await counts(db) == before
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0


async def test_partners_cannot_answer_for_the_person(db: ConnectionDatabase, world: World) -> None:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    with pytest.raises(Forbidden):
        await introductions.respond(db, world.hr_b, introduction.id, accept=True)
    # nor at SQL level: RLS lets the partner write its own request, the guard trigger
    # (migration 0006) keeps the answer to the person
    attempts = [
        ("update introduction set status = 'ACCEPTED' where id = $1", introduction.id),
        ("update introduction set requesting_partner_id = $1", world.c.id),
    ]
    for sql, arg in attempts:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with db.transaction(world.hr_b.access_scope()) as conn:
                await conn.execute(sql, arg)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(world.hr_b.access_scope()) as conn:
            await conn.execute(
                """insert into introduction (id, consortium_id, profile_id, person_id,
                       vacancy_id, requesting_partner_id, sharing_partner_id, status,
                       expires_at)
                   values ($1, $2, $3, $4, $5, $6, $7, 'ACCEPTED', now() + interval '1 day')""",
                uuid.uuid4(),
                world.consortium.id,
                world.profile.id,
                world.profile.person_id,
                world.vacancy_b.id,
                world.b.id,
                world.a.id,
            )
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0
    # another partner cannot hijack the request either: it is not even visible to it
    async with db.transaction(world.hr_c.access_scope()) as conn:
        touched = await conn.execute(
            "update introduction set status = 'WITHDRAWN' where id = $1", introduction.id
        )
    assert touched == "UPDATE 0"


async def test_my_introductions_show_what_the_vacancy_offers(
    db: ConnectionDatabase, world: World
) -> None:
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    async with db.transaction(world.person.access_scope()) as conn:
        page = await service.list_my_introductions(
            conn, world.person, status=None, limit=10, after=None
        )
        one = await service.get_my_introduction(conn, world.person, introduction.id)
    assert [i.id for i in page.items] == [introduction.id]
    mine = page.items[0]
    assert mine == one
    assert mine.offer.title == "Klantenservice energie"
    assert mine.offer.partner_name == "Klantcontact Heerlen B"
    assert (mine.offer.pay_min_cents, mine.offer.pay_max_cents) == (1650, 1900)
    assert mine.offer.training_offered == "Vier weken inwerktraject"
    assert mine.message == "Wij zoeken iemand zoals u."
    assert mine.is_open(dt.datetime.now(dt.UTC))

    stranger = callers.candidate_caller(await factories.share_profile(db, world.hr_a))
    async with db.transaction(stranger.access_scope()) as conn:
        page = await service.list_my_introductions(
            conn, stranger, status=None, limit=10, after=None
        )
        assert await service.get_my_introduction(conn, stranger, introduction.id) is None
    assert page.items == []
