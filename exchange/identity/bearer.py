"""Bearer-token authentication of API requests.

A token is checked twice: cryptographically (:func:`exchange.identity.tokens.validate_access_token`)
and then against PostgreSQL on every request, so revoking a client, suspending a
partner or disabling a staff user stops its tokens at the next request instead of
at their expiry.
"""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from exchange.identity.keys import KeyStore, key_store
from exchange.identity.tokens import (
    MAX_TOKEN_BYTES,
    ROLE_SCOPES,
    SubjectKind,
    UnknownKey,
    subject_kind,
    validate_access_token,
)
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.errors import Unauthenticated
from infra.settings import Settings

_MAX_HEADER = MAX_TOKEN_BYTES + 16


async def authenticate_token(
    raw: str, database: Database, keys: KeyStore, settings: Settings
) -> Caller:
    """The caller an access token stands for right now, or :class:`Unauthenticated`."""
    ring = await keys.get(database)
    try:
        caller = validate_access_token(raw, ring, settings)
    except UnknownKey:
        # Perhaps a key made by a rotation elsewhere; reload (rate-limited) and retry once.
        ring = await keys.refresh_for_unknown_kid(database)
        caller = validate_access_token(raw, ring, settings)
    return await check_caller_active(database, caller)


async def check_caller_active(database: Database, caller: Caller) -> Caller:
    """Is the token's subject still allowed in? Returns the caller with the scopes it
    holds now (a client's scopes may have shrunk since the token was issued)."""
    kind = subject_kind(caller)
    lookups = {"client_id": caller.client_id} if caller.client_id else {}
    scope = dataclasses.replace(caller.access_scope(), lookups=lookups)
    async with database.transaction(scope) as conn:
        if kind is SubjectKind.API_CLIENT:
            row = await conn.fetchrow(
                """select c.consortium_id, c.partner_id, c.scopes, c.revoked_at,
                          p.status as partner_status
                   from api_client c left join partner p on p.id = c.partner_id
                   where c.client_id = $1""",
                caller.client_id,
            )
            if row is None or row["revoked_at"] is not None:
                raise Unauthenticated("the API client has been revoked")
            held = frozenset(row["scopes"])
        elif kind is SubjectKind.STAFF_USER:
            row = await conn.fetchrow(
                """select s.consortium_id, s.partner_id, s.role, p.status as partner_status
                   from staff_user s left join partner p on p.id = s.partner_id
                   where s.id = $1 and s.disabled_at is null""",
                caller.user_id,
            )
            if row is None or row["role"] != caller.role.value:
                raise Unauthenticated("the user account is no longer active")
            held = ROLE_SCOPES[caller.role]
        else:
            row = await conn.fetchrow(
                "select consortium_id, null::uuid as partner_id, null as partner_status "
                "from person where id = $1",
                caller.person_id,
            )
            if row is None:
                raise Unauthenticated("the person no longer exists")
            held = ROLE_SCOPES[CallerRole.CANDIDATE]
    if row["consortium_id"] != caller.consortium_id or row["partner_id"] != caller.partner_id:
        raise Unauthenticated("the access token does not match its subject")
    if row["partner_id"] is not None and row["partner_status"] != "ACTIVE":
        raise Unauthenticated("the partner is suspended")
    scopes = caller.scopes & held
    if scopes == caller.scopes:
        return caller
    return caller.with_scopes(scopes)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``None`` without the header."""
    values = request.headers.getlist("authorization")
    if not values:
        return None
    if len(values) > 1:
        raise Unauthenticated("send one Authorization header")
    value = values[0]
    if len(value) > _MAX_HEADER:  # before any parsing or decoding
        raise Unauthenticated("the access token is too large")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated("use the Bearer authorization scheme")
    token = token.strip(" ")
    if not token:
        raise Unauthenticated("the bearer token is empty")
    return token


class BearerAuthenticator:
    """The app's default :class:`exchange.identity.authenticator.Authenticator`."""

    def __init__(self, settings: Settings, keys: KeyStore | None = None) -> None:
        self.settings = settings
        self._keys = keys

    def keys_for(self, request: Request) -> KeyStore:
        if self._keys is not None:
            return self._keys
        return key_store(request.app.state.services)

    async def authenticate(self, request: Request, database: Database) -> Caller | None:
        token = bearer_token(request)
        if token is None:
            return None
        return await authenticate_token(token, database, self.keys_for(request), self.settings)
