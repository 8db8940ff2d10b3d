"""/oauth/token (RFC 6749 §4.4) driven by authlib's own async OAuth2 client, and raw HTTP
for the malformed requests a well-behaved client never sends."""

from __future__ import annotations

import base64
import uuid
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet

from exchange.identity import clients
from exchange.identity.clients import ClientCredentials, insert_api_client, new_client_credentials
from exchange.partners.models import Partner
from infra.caller import PARTNER_SCOPES
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support.factories import create_consortium, create_partner
from tests.support.http import TEST_BASE_URL, me
from tests.support.tokens import bearer_header

with warnings.catch_warnings():  # authlib prefers httpx2 and says so on import
    import authlib.deprecate  # noqa: F401  (installs its "always" filter before ours)

    warnings.simplefilter("ignore")
    from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

OAuthFactory = Callable[..., AsyncOAuth2Client]
ALL_PARTNER = sorted(s.value for s in PARTNER_SCOPES)


@dataclass
class Registered:
    partner: Partner
    credentials: ClientCredentials


@pytest.fixture
async def registered(db: ConnectionDatabase) -> Registered:
    consortium = await create_consortium(db)
    partner = await create_partner(db, consortium)
    credentials = new_client_credentials()
    async with db.transaction(AccessScope.system()) as conn:
        await insert_api_client(
            conn,
            consortium_id=consortium.id,
            partner_id=partner.id,
            name="ATS koppeling",
            scopes=ALL_PARTNER,
            client_id=credentials.client_id,
            secret_hash=credentials.secret_hash,
        )
    return Registered(partner, credentials)


@pytest.fixture
async def oauth(app: FastAPI) -> AsyncIterator[OAuthFactory]:
    opened: list[AsyncOAuth2Client] = []

    def make(
        client_id: str,
        secret: str,
        *,
        method: str = "client_secret_basic",
        scope: str | None = None,
    ) -> AsyncOAuth2Client:
        session = AsyncOAuth2Client(
            client_id,
            secret,
            token_endpoint_auth_method=method,
            scope=scope,
            transport=httpx.ASGITransport(app=app),
            base_url=TEST_BASE_URL,
        )
        opened.append(session)
        return session

    yield make
    for session in opened:
        await session.aclose()


TOKEN_URL = f"{TEST_BASE_URL}/oauth/token"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_authlib_client_gets_a_working_token(
    oauth: OAuthFactory, registered: Registered, client: httpx.AsyncClient, method: str
) -> None:
    creds = registered.credentials
    session = oauth(creds.client_id, creds.secret, method=method)
    token = await session.fetch_token(TOKEN_URL, grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer"
    assert 0 < token["expires_in"] <= 900
    assert sorted(token["scope"].split()) == ALL_PARTNER
    response = await me(client, bearer_header(token["access_token"]))
    data = response.json()["data"]["me"]
    assert data["role"] == "PARTNER_HR"
    assert data["subject"] == creds.client_id
    assert data["partnerId"] == str(registered.partner.id)
    assert sorted(data["scopes"]) == ALL_PARTNER


async def test_token_claims_follow_rfc_9068(
    oauth: OAuthFactory, registered: Registered, client: httpx.AsyncClient
) -> None:
    creds = registered.credentials
    token = await oauth(creds.client_id, creds.secret).fetch_token(
        TOKEN_URL, grant_type="client_credentials"
    )
    jwks = (await client.get("/.well-known/jwks.json")).json()
    decoded = jwt.decode(token["access_token"], KeySet.import_key_set(jwks), algorithms=["ES256"])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["kid"] == jwks["keys"][0]["kid"]
    claims = decoded.claims
    for name in ("iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id", "scope"):
        assert name in claims, name
    assert claims["iss"] == TEST_BASE_URL
    assert claims["sub"] == claims["client_id"] == creds.client_id
    assert claims["tdr_role"] == "partner_hr"
    assert claims["tdr_partner"] == str(registered.partner.id)
    assert claims["tdr_consortium"] == str(registered.partner.consortium_id)


async def test_scope_subset_is_granted_and_limits_the_token(
    oauth: OAuthFactory, registered: Registered, client: httpx.AsyncClient
) -> None:
    creds = registered.credentials
    session = oauth(creds.client_id, creds.secret, scope="vacancies:read matches:read")
    token = await session.fetch_token(TOKEN_URL, grant_type="client_credentials")
    assert sorted(token["scope"].split()) == ["matches:read", "vacancies:read"]
    data = (await me(client, bearer_header(token["access_token"]))).json()["data"]["me"]
    assert sorted(data["scopes"]) == ["matches:read", "vacancies:read"]


@pytest.mark.parametrize("scope", ["admin", "vacancies:read admin", "nonsense", "a\\b"])
async def test_scope_beyond_the_client_is_invalid_scope(
    oauth: OAuthFactory, registered: Registered, scope: str
) -> None:
    creds = registered.credentials
    with pytest.raises(AuthlibOAuthError) as raised:
        await oauth(creds.client_id, creds.secret, scope=scope).fetch_token(
            TOKEN_URL, grant_type="client_credentials"
        )
    assert raised.value.error == "invalid_scope"


async def test_wrong_secret_is_invalid_client(oauth: OAuthFactory, registered: Registered) -> None:
    with pytest.raises(AuthlibOAuthError) as raised:
        await oauth(registered.credentials.client_id, "wrong-secret").fetch_token(
            TOKEN_URL, grant_type="client_credentials"
        )
    assert raised.value.error == "invalid_client"


async def _raw_token_request(
    client: httpx.AsyncClient, client_id: str, secret: str
) -> httpx.Response:
    return await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


async def test_unknown_client_looks_like_wrong_secret_and_costs_a_hash(
    client: httpx.AsyncClient, registered: Registered, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str | None] = []
    original = clients.verify_client_secret

    def counting(secret_hash: str | None, secret: str) -> bool:
        checked.append(secret_hash)
        return original(secret_hash, secret)

    monkeypatch.setattr(clients, "verify_client_secret", counting)
    wrong = await _raw_token_request(client, registered.credentials.client_id, "wrong-secret")
    unknown = await _raw_token_request(client, f"tdc_{uuid.uuid4().hex[:20]}", "wrong-secret")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "invalid_client",
            "error_description": "client authentication failed",
        }
    )
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"]
    # both paths ran exactly one argon2 verification: the known hash, then the dummy
    assert checked == [registered.credentials.secret_hash, None]


async def test_revoked_client_is_refused(
    client: httpx.AsyncClient, registered: Registered, db: ConnectionDatabase
) -> None:
    creds = registered.credentials
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update api_client set revoked_at = now() where client_id = $1", creds.client_id
        )
    response = await _raw_token_request(client, creds.client_id, creds.secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_suspended_partners_client_is_refused(
    client: httpx.AsyncClient, registered: Registered, db: ConnectionDatabase
) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update partner set status = 'SUSPENDED' where id = $1", registered.partner.id
        )
    creds = registered.credentials
    response = await _raw_token_request(client, creds.client_id, creds.secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_success_sets_no_store_and_last_used_at(
    client: httpx.AsyncClient, registered: Registered, db: ConnectionDatabase
) -> None:
    creds = registered.credentials
    response = await _raw_token_request(client, creds.client_id, creds.secret)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    async with db.transaction(AccessScope.system()) as conn:
        used = await conn.fetchval(
            "select last_used_at from api_client where client_id = $1", creds.client_id
        )
    assert used is not None


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.mark.parametrize(
    ("data", "headers", "status", "error"),
    [
        ("grant_type=password", "basic", 400, "unsupported_grant_type"),
        ("grant_type=authorization_code&code=x", "basic", 400, "unsupported_grant_type"),
        ("", "basic", 400, "invalid_request"),
        (
            "grant_type=client_credentials&grant_type=client_credentials",
            "basic",
            400,
            "invalid_request",
        ),
        ("grant_type=client_credentials&client_secret=x", "basic", 400, "invalid_request"),
        ("grant_type=client_credentials&client_id=other", "basic", 400, "invalid_request"),
        ("grant_type=client_credentials", None, 401, "invalid_client"),
        ("grant_type=client_credentials&client_id=x", None, 401, "invalid_client"),
        ("grant_type=client_credentials", "Basic !!!notbase64", 401, "invalid_client"),
        ("grant_type=client_credentials", "Basic bm9jb2xvbg==", 401, "invalid_client"),
        ("grant_type=client_credentials", "Bearer abc", 401, "invalid_client"),
        ("grant_type=client_credentials", "Basic " + "A" * 5000, 401, "invalid_client"),
        ("grant_type=client_credentials&%ff%fe=1", "basic", 400, "invalid_request"),
        (
            "grant_type=client_credentials&" + "&".join(f"p{i}=1" for i in range(40)),
            "basic",
            400,
            "invalid_request",
        ),
    ],
)
async def test_malformed_token_requests_get_rfc_6749_errors(
    client: httpx.AsyncClient,
    registered: Registered,
    data: str,
    headers: str | None,
    status: int,
    error: str,
) -> None:
    creds = registered.credentials
    sent = {"content-type": "application/x-www-form-urlencoded"}
    if headers == "basic":
        sent["authorization"] = _basic(creds.client_id, creds.secret)
    elif headers is not None:
        sent["authorization"] = headers
    response = await client.post("/oauth/token", content=data.encode(), headers=sent)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic ")


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json", 400),
        (b"grant_type=client_credentials", "text/plain", 400),
        (
            b"grant_type=client_credentials&x=" + b"y" * 20_000,
            "application/x-www-form-urlencoded",
            413,
        ),
    ],
)
async def test_wrong_body_kinds_are_refused_without_5xx(
    client: httpx.AsyncClient,
    registered: Registered,
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    creds = registered.credentials
    response = await client.post(
        "/oauth/token",
        content=content,
        headers={
            "content-type": content_type,
            "authorization": _basic(creds.client_id, creds.secret),
        },
    )
    assert response.status_code == status
    assert response.json()["error"] == "invalid_request"


async def test_secret_with_reserved_characters_through_basic(
    client: httpx.AsyncClient, db: ConnectionDatabase, registered: Registered
) -> None:
    """RFC 6749 §2.3.1: Basic credentials are form-urlencoded first; authlib does that."""
    secret = "p@ss:w0rd+/=&%"
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update api_client set secret_hash = $2 where client_id = $1",
            registered.credentials.client_id,
            clients.hash_client_secret(secret),
        )
    header = _basic(quote_plus(registered.credentials.client_id), quote_plus(secret))
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"authorization": header}
    )
    assert response.status_code == 200, response.text


async def test_discovery_documents(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == TEST_BASE_URL
    assert metadata["token_endpoint"] == f"{TEST_BASE_URL}/oauth/token"
    assert metadata["jwks_uri"] == f"{TEST_BASE_URL}/.well-known/jwks.json"
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert set(ALL_PARTNER) <= set(metadata["scopes_supported"])
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwks["keys"]
    for key in jwks["keys"]:
        assert key["kty"] == "EC" and key["alg"] == "ES256" and key["use"] == "sig"
        assert "d" not in key  # public keys only
