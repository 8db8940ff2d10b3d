"""A small OpenID Connect provider for tests, on 127.0.0.1 under uvicorn.

It serves discovery, its JWKS, an authorization endpoint that approves at once (it
redirects back with a code for whoever the test says is signed in there), and a token
endpoint that checks the client's secret, the code, the redirect URI and PKCE, and
answers with an ID token signed by an RSA key made for this provider (joserfc, the JOSE
library authlib itself uses). Knobs let a test make it misbehave: vouch for an address
without ``email_verified``, or sign with a key it does not publish.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.processes import free_port


@dataclass
class SignedInThere:
    """Who the provider says is signed in: the ID token's claims about the person."""

    email: str
    email_verified: bool = True
    sub: str = field(default_factory=lambda: secrets.token_hex(8))
    name: str = "Test Person"


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    user: SignedInThere | None = None
    sign_with_unpublished_key: bool = False
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-1"}))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-1"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        """Approve at once: back to the client with a code (no login page here)."""
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if self.user is None:
            error = {"error": "access_denied", "state": q.get("state", "")}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode(error)}", status_code=302)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": q.get("redirect_uri"),
            "nonce": q.get("nonce"),
            "code_challenge": q.get("code_challenge"),
            "scope": q.get("scope", ""),
            "user": self.user,
        }
        back = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{q['redirect_uri']}?{back}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        client_id, secret = _client_credentials(request, form)
        if (client_id, secret) != (self.client_id, self.client_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if grant["code_challenge"] != challenge.rstrip(b"=").decode():
            return JSONResponse({"error": "invalid_grant", "detail": "PKCE"}, status_code=400)
        user: SignedInThere = grant["user"]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user.sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
        }
        key = self.other_key if self.sign_with_unpublished_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )


def _client_credentials(request: Request, form: Any) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


@asynccontextmanager
async def serve_oidc_provider(
    *, client_id: str = "tussendeur-test", client_secret: str | None = None
) -> AsyncIterator[OidcProvider]:
    """The provider under uvicorn on a free port of 127.0.0.1, for the ``with`` block."""
    port = free_port()
    provider = OidcProvider(
        issuer=f"http://127.0.0.1:{port}",
        client_id=client_id,
        client_secret=client_secret or secrets.token_urlsafe(24),
    )
    server = uvicorn.Server(
        uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
