"""Platform signing keys: created on first use, rotated with a grace period, public only."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from exchange.identity.keys import KeyStore, list_keys, load_key_ring, rotate_keys
from exchange.identity.tokens import issue_access_token, validate_access_token
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support.callers import admin_caller
from tests.support.factories import create_consortium


async def test_first_load_creates_one_active_key(db: ConnectionDatabase) -> None:
    first = await load_key_ring(db)
    again = await load_key_ring(db)
    assert first.active.kid == again.active.kid
    keys = await list_keys(db)
    assert [(k.kid, k.status) for k in keys] == [(first.active.kid, "ACTIVE")]


async def test_rotation_keeps_old_tokens_valid_during_grace(
    db: ConnectionDatabase, app_settings: Settings
) -> None:
    caller = admin_caller(await create_consortium(db))
    old_ring = await load_key_ring(db)
    old_token = issue_access_token(old_ring, app_settings, caller).access_token

    new_key = await rotate_keys(db)
    ring = await load_key_ring(db)
    assert ring.active.kid == new_key.kid != old_ring.active.kid
    assert ring.kids == {new_key.kid, old_ring.active.kid}
    assert validate_access_token(old_token, ring, app_settings).user_id == caller.user_id
    new_token = issue_access_token(ring, app_settings, caller).access_token
    assert new_token.split(".")[0] != old_token.split(".")[0]  # signed under the new kid
    statuses = {k.kid: k.status for k in await list_keys(db)}
    assert statuses == {new_key.kid: "ACTIVE", old_ring.active.kid: "PUBLISHED"}

    async with db.transaction(AccessScope.system()) as conn:  # the grace period passes
        await conn.execute(
            "update platform_key set retired_at = now() - interval '2 days' where kid = $1",
            old_ring.active.kid,
        )
    ring = await load_key_ring(db)
    assert ring.kids == {new_key.kid}
    assert {k.kid: k.status for k in await list_keys(db)}[old_ring.active.kid] == "EXPIRED"


async def test_key_store_picks_up_a_rotation_through_an_unknown_kid(
    db: ConnectionDatabase, app_settings: Settings
) -> None:
    now = [0.0]
    store = KeyStore(max_age_seconds=60, miss_refresh_seconds=5, clock=lambda: now[0])
    ring = await store.get(db)
    await rotate_keys(db)  # e.g. `tussendeur keys rotate` in another process
    assert await store.get(db) is ring  # cached
    now[0] = 1.0
    assert await store.refresh_for_unknown_kid(db) is ring  # too soon: no query storm
    now[0] = 6.0
    refreshed = await store.refresh_for_unknown_kid(db)
    assert refreshed.active.kid != ring.active.kid
    now[0] = 100.0
    assert (await store.get(db)) is not refreshed  # aged out: reloaded


async def test_jwks_serves_public_keys_of_the_ring(
    client: httpx.AsyncClient, app: FastAPI, db: ConnectionDatabase
) -> None:
    first = (await client.get("/.well-known/jwks.json")).json()
    await rotate_keys(db)
    app.state.services.key_store.invalidate()
    second = (await client.get("/.well-known/jwks.json")).json()
    assert len(second["keys"]) == 2
    assert second["keys"][1]["kid"] == first["keys"][0]["kid"]  # newest first
    for key in second["keys"]:
        assert set(key) == {"kty", "crv", "x", "y", "kid", "alg", "use"}


async def test_private_keys_are_invisible_without_the_system_scope(db: ConnectionDatabase) -> None:
    await load_key_ring(db)
    for scope in (AccessScope.nobody(), AccessScope.anonymous(client_id="x")):
        async with db.transaction(scope) as conn:
            assert await conn.fetchval("select count(*) from platform_key") == 0
