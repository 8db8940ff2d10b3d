"""The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), free of HTTP.

:mod:`entrypoints.auth_routes` parses the request and renders :class:`OAuthError` as the
RFC 6749 §5.2 error response.
"""

from __future__ import annotations

import re

from exchange.identity import repository
from exchange.identity.clients import (
    find_api_client,
    hash_client_secret,
    needs_rehash,
    verify_client_secret_async,
)
from exchange.identity.exceptions import OAuthError, invalid_client
from exchange.identity.keys import KeyStore
from exchange.identity.tokens import ROLE_SCOPES, IssuedToken, issue_access_token
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.scope import AccessScope, ScopeRole
from infra.settings import Settings

GRANT_CLIENT_CREDENTIALS = "client_credentials"
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,64}$")  # RFC 6749 §3.3
ALL_SCOPES = frozenset().union(*ROLE_SCOPES.values())


def parse_scope(scope: str | None) -> frozenset[str] | None:
    """The requested scopes; ``None`` when none were requested (the client's default)."""
    if scope is None or not scope.strip():
        return None
    tokens = scope.split(" ")
    if len(tokens) > 32 or not all(_SCOPE_TOKEN.fullmatch(t) for t in tokens):
        raise OAuthError("invalid_scope", "scope must be space-separated scope tokens")
    return frozenset(tokens)


async def client_credentials_grant(
    database: Database,
    keys: KeyStore,
    settings: Settings,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
) -> IssuedToken:
    """Authenticate the client and issue its access token.

    An unknown client id costs the same argon2 check as a known one (against a dummy
    hash), and fails with the same ``invalid_client`` as a wrong secret or a revoked
    client, so the endpoint does not tell which client ids exist.
    """
    requested = parse_scope(scope)
    client = await find_api_client(database, client_id)
    verified = await verify_client_secret_async(
        client.secret_hash if client else None, client_secret
    )
    if client is None or not verified or client.revoked_at is not None:
        raise invalid_client()

    role = CallerRole.PARTNER_HR if client.partner_id else CallerRole.CONSORTIUM_ADMIN
    held = client.scopes & ROLE_SCOPES[role]
    if requested is None:
        granted = held
    elif requested <= held:
        granted = requested
    else:
        unknown = sorted(requested - held)
        raise OAuthError("invalid_scope", f"the client may not request: {' '.join(unknown)}")
    if not granted:
        raise OAuthError("invalid_scope", "the client holds no scopes")

    acting = AccessScope(
        role=ScopeRole(role.value),
        consortium_id=client.consortium_id,
        partner_id=client.partner_id,
        lookups={"client_id": client.client_id},
    )
    async with database.transaction(acting) as conn:
        if client.partner_id is not None and not await repository.partner_is_active(
            conn, partner_id=client.partner_id
        ):
            raise invalid_client("the client's partner is suspended")
        if not await repository.mark_client_used(conn, client_id=client.client_id):
            raise invalid_client()  # revoked between the two transactions
        if needs_rehash(client.secret_hash):
            await repository.replace_secret_hash(
                conn, client_id=client.client_id, secret_hash=hash_client_secret(client_secret)
            )

    caller = Caller.api_client(
        client.consortium_id, client.client_id, partner_id=client.partner_id, scopes=granted
    )
    ring = await keys.get(database)
    return issue_access_token(ring, settings, caller)
