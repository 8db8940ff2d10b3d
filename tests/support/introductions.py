"""A small consortium for introduction and placement tests, and their use-case steps.

A shares a profile (consent active, all partners), B and C each post a vacancy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from exchange.introductions import service
from exchange.introductions.models import Introduction, IntroductionRules, MyIntroduction
from exchange.partners.models import Consortium, Partner
from exchange.profiles.models import Profile
from exchange.vacancies.models import PayRange, Vacancy
from infra.caller import Caller
from infra.db import ConnectionDatabase
from matching.types import PayPeriod
from tests.support import callers, factories


@dataclass
class World:
    consortium: Consortium
    a: Partner
    b: Partner
    c: Partner
    hr_a: Caller
    hr_b: Caller
    hr_c: Caller
    profile: Profile
    person: Caller
    vacancy_b: Vacancy
    vacancy_c: Vacancy
    email: str


async def build_world(
    db: ConnectionDatabase, *, language: str = "nl", **profile_overrides: Any
) -> World:
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Callcenter Maastricht A")
    b = await factories.create_partner(db, consortium, name="Klantcontact Heerlen B")
    c = await factories.create_partner(db, consortium, name="Servicedesk Sittard C")
    hr_a, hr_b, hr_c = (callers.partner_caller(p) for p in (a, b, c))
    email = f"canary.{uuid.uuid4().hex[:8]}@example.nl"
    contact = factories.contact_input(
        full_name="Canary Vermeulen", email=email, phone="+31 6 99887766"
    )
    profile = await factories.share_profile(
        db, hr_a, contact=contact, language=language, **profile_overrides
    )
    await factories.activate_profile(db, profile)
    vacancy_b = await factories.create_vacancy(
        db,
        hr_b,
        title="Klantenservice energie",
        pay=PayRange(1650, 1900, PayPeriod.HOUR),
        training_offered="Vier weken inwerktraject",
    )
    vacancy_c = await factories.create_vacancy(db, hr_c, title="Servicedesk telecom")
    return World(
        consortium=consortium,
        a=a,
        b=b,
        c=c,
        hr_a=hr_a,
        hr_b=hr_b,
        hr_c=hr_c,
        profile=profile,
        person=callers.candidate_caller(profile),
        vacancy_b=vacancy_b,
        vacancy_c=vacancy_c,
        email=email,
    )


async def request(
    db: ConnectionDatabase,
    caller: Caller,
    profile_id: uuid.UUID,
    vacancy_id: uuid.UUID,
    *,
    message: str | None = "Wij zoeken iemand zoals u.",
    rules: IntroductionRules | None = None,
    now: dt.datetime | None = None,
) -> Introduction:
    async with db.transaction(caller.access_scope()) as conn:
        return await service.request_introduction(
            conn,
            caller,
            profile_id=profile_id,
            vacancy_id=vacancy_id,
            message=message,
            rules=rules,
            now=now,
        )


async def respond(
    db: ConnectionDatabase,
    person: Caller,
    introduction_id: uuid.UUID,
    *,
    accept: bool,
    message: str | None = None,
    now: dt.datetime | None = None,
) -> MyIntroduction:
    async with db.transaction(person.access_scope()) as conn:
        return await service.respond_to_introduction(
            conn, person, introduction_id, accept=accept, message=message, now=now
        )


async def partner_view(db: ConnectionDatabase, caller: Caller) -> list[Introduction]:
    async with db.transaction(caller.access_scope()) as conn:
        page = await service.list_introductions(conn, caller, status=None, limit=50, after=None)
    return page.items
