"""Single sign-on for partner staff and consortium admins: OpenID Connect through
authlib's Starlette client, when ``TUSSENDEUR_OIDC_*`` configure a provider.

``/portal/staff/sso/start`` sends the browser to the provider (authorization code flow
with PKCE, a state and a nonce); ``/portal/staff/sso/callback`` takes the code back,
lets authlib fetch and check the ID token (signature against the provider's JWKS,
issuer, audience, expiry, nonce), and hands the verified address to
:func:`exchange.identity.single_sign_on.open_sso_session`, which decides who that is.

authlib keeps a flow's state, nonce and PKCE verifier in ``request.session``; the app
has no session middleware, so that dict lives for one flow in its own cookie
(``td_sso``: HttpOnly, SameSite=Lax, Secure on https, path ``/portal/staff/sso``, ten
minutes), signed with an HMAC under the client secret so it cannot be forged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Depends
from fastapi.responses import Response
from joserfc.errors import JoseError

from exchange.audit.service import record_caller_event
from exchange.identity.single_sign_on import SsoRefusal, open_sso_session
from infra.settings import Settings
from portal.sessions import SESSION_COOKIE
from portal.web import Page, finish, portal_page, redirect, render, secure_cookies

log = logging.getLogger(__name__)
router = APIRouter()

SSO_PATH = "/portal/staff/sso"
START = SSO_PATH + "/start"
CALLBACK = SSO_PATH + "/callback"
FLOW_COOKIE = "td_sso"
FLOW_SECONDS = 600
STAFF_HOME = "/portal/staff"
_clients: dict[tuple[str, str], Any] = {}  # one authlib client per provider: it caches
# the discovery document and the JWKS


def _client(settings: Settings) -> Any:
    assert settings.oidc_discovery_url and settings.oidc_client_id
    assert settings.oidc_client_secret is not None
    key = (settings.oidc_discovery_url, settings.oidc_client_id)
    if key not in _clients:
        oauth = OAuth()
        oauth.register(
            name="staff",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=settings.oidc_discovery_url,
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        _clients[key] = oauth.create_client("staff")
    return _clients[key]


def _signature(settings: Settings, payload: bytes) -> str:
    assert settings.oidc_client_secret is not None
    secret = settings.oidc_client_secret.get_secret_value().encode()
    return hmac.new(secret, b"td_sso:" + payload, hashlib.sha256).hexdigest()


def _flow_cookie(settings: Settings, flow: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(flow, separators=(",", ":")).encode())
    return f"{payload.decode()}.{_signature(settings, payload)}"


def _flow_of(settings: Settings, cookie: str | None) -> dict[str, Any]:
    """The flow's session dict from its cookie; empty when missing or forged."""
    if not cookie or "." not in cookie:
        return {}
    payload, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature, _signature(settings, payload.encode())):
        return {}
    try:
        flow = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return {}
    return flow if isinstance(flow, dict) else {}


def _ended_flow(page: Page, response: Response) -> Response:
    response.delete_cookie(
        FLOW_COOKIE, path=SSO_PATH, secure=secure_cookies(page.settings), httponly=True
    )
    return finish(page, response)


def _failed(page: Page, status_code: int) -> Response:
    return _ended_flow(page, render(page, "staff_sso_failed.html", status_code=status_code))


@router.get(START)
async def start(page: Page = Depends(portal_page)) -> Response:
    settings = page.settings
    if not settings.oidc_enabled:
        return render(page, "not_found.html", status_code=404)
    request = page.request
    request.scope["session"] = {}
    callback = settings.public_url.rstrip("/") + CALLBACK
    try:
        response = await _client(settings).authorize_redirect(request, callback)
    except (OAuthError, httpx.HTTPError, ValueError) as error:
        log.warning("sso start failed: %s", type(error).__name__)
        return _failed(page, 502)
    response.set_cookie(
        FLOW_COOKIE,
        _flow_cookie(settings, request.scope["session"]),
        max_age=FLOW_SECONDS,
        path=SSO_PATH,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )
    return finish(page, response)


@router.get(CALLBACK)
async def callback(page: Page = Depends(portal_page)) -> Response:
    settings = page.settings
    if not settings.oidc_enabled or settings.oidc_consortium is None:
        return render(page, "not_found.html", status_code=404)
    request = page.request
    request.scope["session"] = _flow_of(settings, request.cookies.get(FLOW_COOKIE))
    try:
        token = await _client(settings).authorize_access_token(request)
    except (OAuthError, JoseError, httpx.HTTPError, ValueError) as error:
        log.warning("sso callback refused: %s", type(error).__name__)
        return _failed(page, 400)
    claims = token.get("userinfo") or {}
    opened = await open_sso_session(
        page.database,
        consortium_slug=settings.oidc_consortium,
        email=claims.get("email"),
        email_verified=claims.get("email_verified"),
        minutes=settings.portal_session_minutes,
        audit=record_caller_event,
    )
    if isinstance(opened, SsoRefusal):
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        response = render(
            page,
            "staff_sso_refused.html",
            status_code=403,
            unverified=opened is SsoRefusal.UNVERIFIED,
            email=email,
            provider=settings.oidc_provider_name,
        )
        return _ended_flow(page, response)
    page.new_cookies[SESSION_COOKIE] = opened.raw_token
    page.caller, page.staff = None, opened.caller
    return _ended_flow(page, redirect(page, STAFF_HOME))
