"""Shared helpers for the identity tests: hand-made JWTs and the `me` query."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from infra.settings import Settings

ME_QUERY = "{ me { role subject consortiumId partnerId scopes } }"


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


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME_QUERY}, headers=headers)


def error_code(response: httpx.Response) -> str | None:
    """The GraphQL error code, or "HTTP <status>" for a non-GraphQL refusal."""
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    errors = response.json().get("errors") or []
    return errors[0]["extensions"].get("code") if errors else None


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
