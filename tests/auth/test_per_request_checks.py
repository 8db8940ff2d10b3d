"""A valid signature is not enough: every request re-checks the subject in PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support.as_system import set_partner_status
from tests.support.callers import admin_caller, partner_caller
from tests.support.factories import create_consortium, create_partner, share_profile
from tests.support.http import error_code, me
from tests.support.tokens import BearerHeaders, access_token, bearer_header


async def test_suspended_partners_token_stops_at_the_next_request(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    headers = await bearer(partner_caller(partner))
    assert error_code(await me(client, headers)) is None

    await set_partner_status(db, partner.id, "SUSPENDED")
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"

    await set_partner_status(db, partner.id, "ACTIVE")  # reinstated: the token works again
    assert error_code(await me(client, headers)) is None


async def test_revoked_clients_token_stops_at_the_next_request(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    caller = partner_caller(partner)
    headers = await bearer(caller)
    assert error_code(await me(client, headers)) is None
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update api_client set revoked_at = now() where client_id = $1", caller.client_id
        )
    response = await me(client, headers)
    assert error_code(response) == "UNAUTHENTICATED"
    assert "revoked" in response.json()["errors"][0]["message"]


async def test_scopes_taken_from_a_client_leave_its_tokens(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    caller = partner_caller(partner)
    headers = await bearer(caller)
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update api_client set scopes = '{vacancies:read}' where client_id = $1",
            caller.client_id,
        )
    response = await me(client, headers)
    assert response.json()["data"]["me"]["scopes"] == ["vacancies:read"]


async def test_token_of_a_client_moved_to_another_partner_is_refused(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    consortium = await create_consortium(db)
    partner = await create_partner(db, consortium)
    other = await create_partner(db, consortium)
    caller = partner_caller(partner)
    headers = await bearer(caller)
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update api_client set partner_id = $2 where client_id = $1", caller.client_id, other.id
        )
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"


async def test_disabled_staff_users_token_stops(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    caller = admin_caller(await create_consortium(db))
    headers = await bearer(caller)
    response = await me(client, headers)
    assert response.json()["data"]["me"]["role"] == "CONSORTIUM_ADMIN"
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update staff_user set disabled_at = now() where id = $1", caller.user_id
        )
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"


async def test_partner_hr_staff_stops_with_their_partner(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    caller = Caller.partner_staff(partner.consortium_id, partner.id, uuid.uuid4())
    headers = await bearer(caller)
    assert error_code(await me(client, headers)) is None
    await set_partner_status(db, partner.id, "SUSPENDED")
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"


async def test_erased_persons_token_stops(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    profile = await share_profile(db, partner_caller(partner))
    caller = Caller.person(profile.consortium_id, profile.person_id)
    headers = await bearer(caller)
    response = await me(client, headers)
    assert response.json()["data"]["me"]["role"] == "CANDIDATE"
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("delete from person where id = $1", profile.person_id)
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"


async def test_staff_token_for_a_user_that_never_existed_is_refused(
    client: httpx.AsyncClient, db: ConnectionDatabase, app: FastAPI
) -> None:
    caller = admin_caller(await create_consortium(db))
    token = await access_token(app, db, caller, register=False)  # no staff_user row for it
    response = await me(client, bearer_header(token))
    assert error_code(response) == "UNAUTHENTICATED"
