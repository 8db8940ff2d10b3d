"""Bearer tokens for tests: a real signed token for a caller (one way), and hand-made ones.

``access_token`` signs with the app's own key ring, as ``POST /oauth/token`` and the
sign-in link do; the hand-made JWTs (``es256_sign``, ``valid_claims``) are for tests that
need headers or claims the app would never write.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from exchange.identity.clients import hash_client_secret
from exchange.identity.keys import key_store
from exchange.identity.tokens import issue_access_token
from infra.caller import Caller
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Settings

BearerHeaders = Callable[[Caller], Awaitable[dict[str, str]]]
"""The conftest's ``bearer`` fixture: ``await bearer(caller)`` → the Authorization header."""


def bearer_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def access_token(
    app: FastAPI, database: Database, caller: Caller, *, register: bool = True
) -> str:
    """A real access token for ``caller``, signed by ``app``'s key ring. With ``register``
    the row the per-request check looks for is made first (see ``ensure_token_subject``);
    without it the token names a subject the database may not know."""
    services = app.state.services
    if register:
        await ensure_token_subject(database, caller)
    ring = await key_store(services).get(database)
    return issue_access_token(ring, services.settings, caller).access_token


async def ensure_token_subject(database: Database, caller: Caller) -> None:
    """Make the row a token's per-request check looks for: an api_client for client
    callers, a staff_user for staff callers (people must exist already)."""
    async with database.transaction(AccessScope.system()) as conn:
        if caller.client_id:
            await conn.execute(
                """insert into api_client (id, consortium_id, partner_id, client_id, secret_hash,
                                           name, scopes)
                   values ($1, $2, $3, $4, $5, 'test client', $6)
                   on conflict (client_id) do nothing""",
                uuid.uuid4(),
                caller.consortium_id,
                caller.partner_id,
                caller.client_id,
                hash_client_secret(uuid.uuid4().hex),
                sorted(caller.scopes),
            )
        elif caller.user_id is not None:
            await conn.execute(
                """insert into staff_user (id, consortium_id, partner_id, role, email, display_name)
                   values ($1, $2, $3, $4, $5, 'Test user') on conflict (id) do nothing""",
                caller.user_id,
                caller.consortium_id,
                caller.partner_id,
                caller.role.value,
                f"staff-{caller.user_id.hex[:12]}@example.nl",
            )


# ---------------------------------------------------------------- hand-made JWTs


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def es256_sign(header: dict[str, Any], claims: dict[str, Any], key: ECKey) -> str:
    """A compact JWS signed by hand, so headers joserfc would refuse to write can be tested."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = JWSRegistry.algorithms["ES256"].sign(signing_input.encode(), key)
    return f"{signing_input}.{b64(signature)}"


def valid_claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Claims of a consortium-admin API client token that would be accepted as they are."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.token_audience,
        "sub": "tdc_client",
        "client_id": "tdc_client",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "scope": "admin",
        "tdr_role": "consortium_admin",
        "tdr_consortium": str(uuid.uuid4()),
        "tdr_sub_kind": "api_client",
        "tdr_lang": "nl",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}
