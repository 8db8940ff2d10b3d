"""Consent steps: share with the real consent request, and grant consent as the person."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from consent.models import CollectionMethod
from exchange.consent_flow import service as flow
from exchange.profiles.models import Profile
from infra.caller import Caller
from infra.db import Database
from infra.settings import Settings
from tests.support import callers, factories

SETTINGS = Settings(public_url="https://tussendeur.example", env="test")


async def grant(
    db: Database,
    person: Caller,
    *,
    kind: str = "ALL_PARTNERS",
    partners: tuple[UUID, ...] = (),
    months: int | None = None,
    settings: Settings = SETTINGS,
    now: dt.datetime | None = None,
) -> flow.ConsentOutcome:
    async with db.transaction(person.access_scope()) as conn:
        return await flow.grant_consent(
            conn,
            person,
            flow.ConsentChoice(kind, partners, months),
            method=CollectionMethod.API,
            settings=settings,
            now=now,
        )


async def shared_and_confirmed(
    db: Database, hr: Caller, **grant_args: Any
) -> tuple[Profile, Caller]:
    profile = await factories.share_profile(db, hr)
    person = callers.candidate_caller(profile)
    await grant(db, person, **grant_args)
    return profile, person


async def withdraw(db: Database, person: Caller) -> flow.ConsentOutcome:
    async with db.transaction(person.access_scope()) as conn:
        return await flow.withdraw_consent(conn, person, method=CollectionMethod.API)
