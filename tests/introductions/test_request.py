"""requestIntroduction: who may ask, for what, how often — and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

import pytest

from exchange.identity.one_time import TokenPurpose, redeem_one_time_token, token_scope
from exchange.introductions.models import IntroductionRules, IntroductionStatus
from exchange.vacancies import service as vacancies_service
from infra.caller import CallerRole, Scope
from infra.db import ConnectionDatabase
from infra.errors import Forbidden, UserError
from tests.support import callers, factories, introductions
from tests.support.as_system import counts, set_partner_status, set_profile_status, system_fetchrow
from tests.support.introductions import World


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


async def test_request_stores_an_open_introduction_and_mails_the_person(
    db: ConnectionDatabase, world: World
) -> None:
    before = await counts(db)
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)

    assert introduction.status is IntroductionStatus.REQUESTED
    assert introduction.contact is None
    assert introduction.vacancy_title == "Klantenservice energie"
    assert introduction.profile_pseudonym == world.profile.pseudonym
    assert introduction.sharing_partner_id == world.a.id
    assert introduction.expires_at - introduction.requested_at == dt.timedelta(days=14)
    after = await counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "introduction": 1,
        "placement": 0,
        "mail_outbox": 1,
        "sign_in_token": 1,
        "audit_event": 1,
    }

    mail = await system_fetchrow(
        db,
        "select to_address, subject, body_text, template, language, person_id"
        " from mail_outbox where person_id = $1 and template <> 'consent_request'",
        world.profile.person_id,
    )
    assert mail["to_address"] == world.email.lower()
    assert mail["template"] == "introduction_request"
    assert mail["language"] == "nl"
    assert mail["body_text"].startswith("Hallo,")
    assert "Canary" not in mail["body_text"]
    assert "Klantcontact Heerlen B" in mail["subject"]
    assert "Wij zoeken iemand zoals u." in mail["body_text"]
    link = next(line for line in mail["body_text"].splitlines() if "token=" in line)
    raw_token = link.split("token=")[1].split("&")[0]
    async with db.transaction(token_scope(raw_token)) as conn:
        token = await redeem_one_time_token(conn, raw_token, TokenPurpose.INTRODUCTION)
    assert token is not None and token.introduction_id == introduction.id

    event = await system_fetchrow(
        db,
        "select action, subject_kind, subject_id, partner_id, details::text as details"
        " from audit_event where action = 'introduction.requested'"
        " and subject_id = $1",
        str(introduction.id),
    )
    assert event["subject_kind"] == "introduction"
    assert event["partner_id"] == world.b.id
    assert str(world.profile.id) in event["details"]
    for personal in ("Canary", world.email, "99887766", "Wij zoeken"):
        assert personal not in event["details"]


async def test_the_mail_follows_the_persons_language(db: ConnectionDatabase) -> None:
    world = await introductions.build_world(db, language="en")
    await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id, message=None)
    mail = await system_fetchrow(
        db,
        "select subject, body_text, language from mail_outbox"
        " where person_id = $1 and template = 'introduction_request'",
        world.profile.person_id,
    )
    assert mail["language"] == "en"
    assert mail["body_text"].startswith("Hello,")
    assert "would like to meet you" in mail["subject"]
    assert "&lang=en" in mail["body_text"]


Refusal = Callable[[ConnectionDatabase, World], Awaitable[tuple[uuid.UUID, uuid.UUID]]]


async def _out_of_scope(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await factories.activate_profile(db, w.profile, scope_kind="ONLY", scope_partner_ids=(w.c.id,))
    return w.profile.id, w.vacancy_b.id


async def _excluded(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await factories.activate_profile(
        db, w.profile, scope_kind="ALL_EXCEPT", scope_partner_ids=(w.b.id,)
    )
    return w.profile.id, w.vacancy_b.id


async def _consent_ended(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await factories.activate_profile(db, w.profile, days=-1)
    return w.profile.id, w.vacancy_b.id


async def _pending(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    pending = await factories.share_profile(db, w.hr_a)
    return pending.id, w.vacancy_b.id


async def _withdrawn(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await set_profile_status(db, w.profile, "WITHDRAWN")
    return w.profile.id, w.vacancy_b.id


async def _paused(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await set_profile_status(db, w.profile, "PAUSED")
    return w.profile.id, w.vacancy_b.id


async def _sharer_suspended(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await set_partner_status(db, w.a, "SUSPENDED")
    return w.profile.id, w.vacancy_b.id


async def _own_profile(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    own = await factories.share_profile(db, w.hr_b)
    await factories.activate_profile(db, own)
    return own.id, w.vacancy_b.id


async def _unknown_profile(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.uuid4(), w.vacancy_b.id


async def _other_partners_vacancy(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    return w.profile.id, w.vacancy_c.id


async def _unknown_vacancy(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    return w.profile.id, uuid.uuid4()


async def _closed_vacancy(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    async with db.transaction(w.hr_b.access_scope()) as conn:
        await vacancies_service.close_vacancy(conn, w.hr_b, w.vacancy_b.id)
    return w.profile.id, w.vacancy_b.id


async def _already_open(db: ConnectionDatabase, w: World) -> tuple[uuid.UUID, uuid.UUID]:
    await introductions.request(db, w.hr_b, w.profile.id, w.vacancy_b.id)
    return w.profile.id, w.vacancy_b.id


REFUSALS: list[tuple[str, Refusal, str, str]] = [
    ("consent scope ONLY names another partner", _out_of_scope, "profileId", "NOT_FOUND"),
    ("consent scope ALL_EXCEPT names the caller", _excluded, "profileId", "NOT_FOUND"),
    ("consent ran out", _consent_ended, "profileId", "NOT_FOUND"),
    ("profile still pending consent", _pending, "profileId", "NOT_FOUND"),
    ("consent withdrawn", _withdrawn, "profileId", "NOT_FOUND"),
    ("profile paused", _paused, "profileId", "NOT_FOUND"),
    ("sharing partner suspended", _sharer_suspended, "profileId", "NOT_FOUND"),
    ("the caller's own profile", _own_profile, "profileId", "NOT_FOUND"),
    ("no such profile", _unknown_profile, "profileId", "NOT_FOUND"),
    ("another partner's vacancy", _other_partners_vacancy, "vacancyId", "NOT_FOUND"),
    ("no such vacancy", _unknown_vacancy, "vacancyId", "NOT_FOUND"),
    ("closed vacancy", _closed_vacancy, "vacancyId", "CLOSED"),
    ("second open request", _already_open, "profileId", "CONFLICT"),
]


@pytest.mark.parametrize(
    ("setup", "field", "code"),
    [pytest.param(s, f, c, id=name) for name, s, f, c in REFUSALS],
)
async def test_every_refusal_is_specific_and_writes_nothing(
    db: ConnectionDatabase, world: World, setup: Refusal, field: str, code: str
) -> None:
    profile_id, vacancy_id = await setup(db, world)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await introductions.request(db, world.hr_b, profile_id, vacancy_id)
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert await counts(db) == before


async def test_another_partners_vacancy_reads_exactly_like_a_missing_one(
    db: ConnectionDatabase, world: World
) -> None:
    messages = []
    for vacancy_id in (world.vacancy_c.id, uuid.uuid4()):
        with pytest.raises(UserError) as refused:
            await introductions.request(db, world.hr_b, world.profile.id, vacancy_id)
        messages.append(refused.value.errors[0].message)
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    ("message", "code"),
    [("x" * 2_001, "TOO_LONG"), ("hallo\x00daar", "INVALID_CHARACTERS")],
)
async def test_the_message_is_validated_by_field(
    db: ConnectionDatabase, world: World, message: str, code: str
) -> None:
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await introductions.request(
            db, world.hr_b, world.profile.id, world.vacancy_b.id, message=message
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [("message", code)]
    assert await counts(db) == before


async def test_a_message_of_2000_characters_is_fine(db: ConnectionDatabase, world: World) -> None:
    introduction = await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, message="x" * 2_000
    )
    assert introduction.message == "x" * 2_000


async def test_daily_cap_per_partner_per_profile(db: ConnectionDatabase, world: World) -> None:
    vacancies = [
        await factories.create_vacancy(db, world.hr_b, title=f"Vacature {i}") for i in range(5)
    ]
    now = dt.datetime.now(dt.UTC)
    for vacancy in vacancies[:3]:
        await introductions.request(db, world.hr_b, world.profile.id, vacancy.id, now=now)
    before = await counts(db)
    with pytest.raises(UserError) as refused:
        await introductions.request(db, world.hr_b, world.profile.id, vacancies[3].id, now=now)
    assert refused.value.errors[0].code == "LIMIT_REACHED"
    assert await counts(db) == before

    # another partner has its own cap; 24 hours later the caller may ask again
    await introductions.request(db, world.hr_c, world.profile.id, world.vacancy_c.id, now=now)
    later = now + dt.timedelta(hours=24, seconds=1)
    await introductions.request(db, world.hr_b, world.profile.id, vacancies[3].id, now=later)


async def test_the_cap_is_configurable(db: ConnectionDatabase, world: World) -> None:
    rules = IntroductionRules(daily_cap=1)
    second = await factories.create_vacancy(db, world.hr_b, title="Tweede vacature")
    await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id, rules=rules)
    with pytest.raises(UserError) as refused:
        await introductions.request(db, world.hr_b, world.profile.id, second.id, rules=rules)
    assert refused.value.errors[0].code == "LIMIT_REACHED"


async def test_only_partner_hr_with_the_scope_may_request(
    db: ConnectionDatabase, world: World
) -> None:
    without_scope = callers.partner_caller(world.b, scopes=frozenset({Scope.VACANCIES_READ.value}))
    for caller in (without_scope, world.person):
        with pytest.raises(Forbidden):
            await introductions.request(db, caller, world.profile.id, world.vacancy_b.id)
    assert world.person.role is CallerRole.CANDIDATE
