"""Bearer-token authentication of API requests.

A token is checked twice: cryptographically (:func:`exchange.identity.tokens.validate_access_token`)
and then against PostgreSQL on every request, so revoking a client, suspending a
partner or disabling a staff user stops its tokens at the next request instead of
at their expiry.
"""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from exchange.identity import repository
from exchange.identity.exceptions import UnknownKey
from exchange.identity.keys import KeyStore, key_store
from exchange.identity.models import SubjectKind, SubjectStanding
from exchange.identity.tokens import (
    MAX_TOKEN_BYTES,
    ROLE_SCOPES,
    subject_kind,
    validate_access_token,
)
from infra.caller import Caller
from infra.db import Connection, Database
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
        standing = await _standing(conn, caller, kind)
    if standing.consortium_id != caller.consortium_id or standing.partner_id != caller.partner_id:
        raise Unauthenticated("the access token does not match its subject")
    if not standing.partner_active:
        raise Unauthenticated("the partner is suspended")
    held = standing.scopes if standing.scopes is not None else ROLE_SCOPES[caller.role]
    scopes = caller.scopes & held
    if scopes == caller.scopes:
        return caller
    return caller.with_scopes(scopes)


async def _standing(conn: Connection, caller: Caller, kind: SubjectKind) -> SubjectStanding:
    if kind is SubjectKind.API_CLIENT:
        assert caller.client_id is not None
        client = await repository.api_client_standing(conn, client_id=caller.client_id)
        if client is None:
            raise Unauthenticated("the API client has been revoked")
        return client
    if kind is SubjectKind.STAFF_USER:
        assert caller.user_id is not None
        staff = await repository.active_staff_user(conn, user_id=caller.user_id)
        if staff is None or staff.role is not caller.role:
            raise Unauthenticated("the user account is no longer active")
        return SubjectStanding(staff.consortium_id, staff.partner_id, staff.partner_active)
    assert caller.person_id is not None
    person = await repository.find_person(conn, person_id=caller.person_id)
    if person is None:
        raise Unauthenticated("the person no longer exists")
    return SubjectStanding(person.consortium_id, None, partner_active=True)


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
