"""A valid signature is not enough: every request re-checks the subject in PostgreSQL."""

from __future__ import annotations

import uuid

import httpx

from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.auth.helpers import error_code, me
from tests.conftest import BearerHeaders
from tests.factories import (
    admin_caller,
    create_consortium,
    create_partner,
    partner_caller,
    share_profile,
)


async def _set_partner_status(db: ConnectionDatabase, partner_id: uuid.UUID, status: str) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update partner set status = $2 where id = $1", partner_id, status)


async def test_suspended_partners_token_stops_at_the_next_request(
    client: httpx.AsyncClient, db: ConnectionDatabase, bearer: BearerHeaders
) -> None:
    partner = await create_partner(db, await create_consortium(db))
    headers = await bearer(partner_caller(partner))
    assert error_code(await me(client, headers)) is None

    await _set_partner_status(db, partner.id, "SUSPENDED")
    assert error_code(await me(client, headers)) == "UNAUTHENTICATED"

    await _set_partner_status(db, partner.id, "ACTIVE")  # reinstated: the token works again
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
    await _set_partner_status(db, partner.id, "SUSPENDED")
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
    client: httpx.AsyncClient, db: ConnectionDatabase, app: object
) -> None:
    from exchange.identity.keys import key_store
    from exchange.identity.tokens import issue_access_token

    services = app.state.services  # type: ignore[attr-defined]
    ring = await key_store(services).get(db)
    token = issue_access_token(ring, services.settings, admin_caller(await create_consortium(db)))
    response = await me(client, {"Authorization": f"Bearer {token.access_token}"})
    assert error_code(response) == "UNAUTHENTICATED"
