"""Acceptance: bad bearer tokens get UNAUTHENTICATED, never a 5xx.

Every bad token below differs from an accepted one (``test_control_token_is_accepted``)
in exactly the property under test, and all but the forged ones carry a genuine
signature by the platform key: so each test fails if its check were removed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc.jwk import ECKey

from exchange.identity.keys import key_store
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support.factories import create_consortium
from tests.support.http import error_code, me
from tests.support.tokens import (
    b64,
    bearer_header,
    ensure_token_subject,
    es256_sign,
    segment,
    valid_claims,
)


@dataclass
class Signer:
    key: ECKey
    kid: str
    claims: dict[str, Any]

    @property
    def header(self) -> dict[str, Any]:
        return {"alg": "ES256", "kid": self.kid, "typ": "at+jwt"}

    def token(self, header: dict[str, Any] | None = None, **claims: Any) -> str:
        body = {**self.claims, **claims}
        return es256_sign(
            header or self.header, {k: v for k, v in body.items() if v is not None}, self.key
        )


@pytest.fixture
async def signer(app: FastAPI, db: ConnectionDatabase, app_settings: Settings) -> Signer:
    consortium = await create_consortium(db)
    client_id = f"tdc_{uuid.uuid4().hex[:12]}"
    caller = Caller.api_client(consortium.id, client_id)
    await ensure_token_subject(db, caller)
    ring = await key_store(app.state.services).get(db)
    assert ring.active.private_key is not None
    claims = valid_claims(
        app_settings, sub=client_id, client_id=client_id, tdr_consortium=str(consortium.id)
    )
    return Signer(ring.active.private_key, ring.active.kid, claims)


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def public_pem(signer: Signer) -> bytes:
    return ECKey.import_key(signer.key.as_dict(private=False)).as_pem(private=False)


async def assert_unauthenticated(client: httpx.AsyncClient, token: str) -> None:
    response = await me(client, bearer_header(token))
    assert error_code(response) in ("UNAUTHENTICATED", "HTTP 401"), response.text
    if response.status_code == 200:
        assert response.json()["data"] is None


async def test_control_token_is_accepted(client: httpx.AsyncClient, signer: Signer) -> None:
    response = await me(client, bearer_header(signer.token()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["me"]["role"] == "CONSORTIUM_ADMIN"
    assert body["data"]["me"]["subject"] == signer.claims["sub"]


def _now() -> int:
    return int(time.time())


BAD_TOKENS: dict[str, Callable[[Signer], str]] = {
    "alg none, no signature": lambda s: (
        f"{segment({**s.header, 'alg': 'none'})}.{segment(s.claims)}."
    ),
    "alg none, some signature": lambda s: (
        f"{segment({**s.header, 'alg': 'none'})}.{segment(s.claims)}.{b64(b'x' * 64)}"
    ),
    "HS256 with the public key (PEM) as HMAC secret": lambda s: hs256(
        {**s.header, "alg": "HS256"}, s.claims, public_pem(s)
    ),
    "HS256 with the public JWK as HMAC secret": lambda s: hs256(
        {**s.header, "alg": "HS256"},
        s.claims,
        json.dumps(s.key.as_dict(private=False)).encode(),
    ),
    "HS256 with an empty HMAC key": lambda s: hs256({**s.header, "alg": "HS256"}, s.claims, b""),
    "unknown crit header": lambda s: s.token({**s.header, "crit": ["tdr_x"], "tdr_x": True}),
    "crit naming a known header": lambda s: s.token({**s.header, "crit": ["kid"]}),
    "expired": lambda s: s.token(iat=_now() - 900, nbf=_now() - 900, exp=_now() - 120),
    "nbf in the future": lambda s: s.token(nbf=_now() + 600),
    "iat in the future": lambda s: s.token(iat=_now() + 600),
    "missing exp": lambda s: s.token(exp=None),
    "missing iat": lambda s: s.token(iat=None),
    "exp not a number": lambda s: s.token(exp="tomorrow"),
    "lifetime beyond a day": lambda s: s.token(exp=_now() + 3 * 86400),
    "wrong iss": lambda s: s.token(iss="https://evil.example"),
    "missing iss": lambda s: s.token(iss=None),
    "wrong aud": lambda s: s.token(aud="some-other-api"),
    "missing aud": lambda s: s.token(aud=None),
    "unknown kid": lambda s: es256_sign({**s.header, "kid": "not-a-known-key"}, s.claims, s.key),
    "attacker key under its own kid": lambda s: (
        lambda k: es256_sign({**s.header, "kid": k.thumbprint()}, s.claims, k)
    )(ECKey.generate_key("P-256")),
    "attacker key under our kid": lambda s: es256_sign(
        s.header, s.claims, ECKey.generate_key("P-256")
    ),
    "attacker key embedded as jwk header": lambda s: (
        lambda k: es256_sign({**s.header, "jwk": k.as_dict(private=False)}, s.claims, k)
    )(ECKey.generate_key("P-256")),
    "jku header": lambda s: s.token({**s.header, "jku": "https://evil.example/jwks"}),
    "missing kid": lambda s: s.token({"alg": "ES256", "typ": "at+jwt"}),
    "typ JWT (not an access token)": lambda s: s.token({**s.header, "typ": "JWT"}),
    "no typ": lambda s: s.token({"alg": "ES256", "kid": s.kid}),
    "tampered payload": lambda s: (
        lambda t: ".".join(
            [t.split(".")[0], segment({**s.claims, "scope": "admin audit:read"}), t.split(".")[2]]
        )
    )(s.token(scope="admin")),
    "tampered header": lambda s: (
        lambda t: ".".join([segment({**s.header, "typ": "AT+JWT"}), *t.split(".")[1:]])
    )(s.token()),
    "truncated signature": lambda s: s.token()[:-10],
    "300 KB token": lambda s: s.token(padding="x" * 300_000),
    "300 KB of junk": lambda s: "a" * 300_000,
    "not a JWS": lambda s: "not-a-token",
    "JWE-shaped (five parts)": lambda s: ".".join([segment(s.header)] * 5),
    "header not JSON": lambda s: f"{b64(b'{nope')}.{segment(s.claims)}.{b64(b'x')}",
    "header a JSON list": lambda s: f"{segment([1, 2])}.{segment(s.claims)}.{b64(b'x')}",
    "unknown role claim": lambda s: s.token(tdr_role="superuser"),
    "scope beyond the role": lambda s: s.token(scope="admin vacancies:write"),
    "subject not its client": lambda s: s.token(sub="tdc_someone_else"),
    "partner claim on an admin token": lambda s: s.token(tdr_partner=str(uuid.uuid4())),
    "malformed consortium": lambda s: s.token(tdr_consortium="zuid-limburg"),
    "another consortium": lambda s: s.token(tdr_consortium=str(uuid.uuid4())),
    "unknown client": lambda s: s.token(sub="tdc_unknown", client_id="tdc_unknown"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_token_is_unauthenticated(
    client: httpx.AsyncClient, signer: Signer, case: str
) -> None:
    await assert_unauthenticated(client, BAD_TOKENS[case](signer))


@pytest.mark.parametrize(
    "value",
    [
        "Basic dGRjOnNlY3JldA==",
        "Token abc",
        "Bearer",
        "Bearer ",
        "bearer-abc",
        "Bearer a b",
        "Bearer " + "x" * 300_000,
    ],
)
async def test_malformed_authorization_header(client: httpx.AsyncClient, value: str) -> None:
    response = await me(client, {"Authorization": value})
    assert error_code(response) in ("UNAUTHENTICATED", "HTTP 401"), response.text


async def test_two_authorization_headers(client: httpx.AsyncClient, signer: Signer) -> None:
    token = signer.token()
    headers = [("authorization", f"Bearer {token}"), ("authorization", f"Bearer {token}")]
    response = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert error_code(response) in ("UNAUTHENTICATED", "HTTP 401"), response.text


async def test_no_token_is_unauthenticated_too(client: httpx.AsyncClient) -> None:
    response = await me(client, {})
    assert error_code(response) == "UNAUTHENTICATED"


async def test_lowercase_bearer_scheme_is_accepted(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    response = await me(client, {"Authorization": f"bearer {signer.token()}"})
    assert error_code(response) is None, response.text
