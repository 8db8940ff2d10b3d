"""HTTP face of identity: discovery, the token endpoint, sign-in links.

- ``GET  /.well-known/jwks.json`` — public signing keys (RFC 7517)
- ``GET  /.well-known/oauth-authorization-server`` — metadata (RFC 8414)
- ``POST /oauth/token`` — client credentials (RFC 6749 §4.4), errors per §5.2
- ``POST /auth/sign-in`` — ``email`` (form or JSON): mail a sign-in link

Both POSTs are throttled (:mod:`exchange.identity.throttle`): past a limit they answer
429 ``{"error": "slow_down"}`` with ``Retry-After``.
- ``GET  /auth/sign-in/redeem?token=…`` — the emailed link: the portal's page whose button
  POSTs to ``/portal/sign-in/redeem`` and opens a portal session (a GET never uses the
  token, so mail scanners that follow links do no harm)
- ``POST /auth/sign-in/redeem`` — ``token`` (form or JSON) → access token, for API
  clients; a browser's form post (``Accept: text/html``) gets the link's page instead
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask

from exchange.identity import throttle
from exchange.identity.exceptions import OAuthError, invalid_client
from exchange.identity.keys import key_store
from exchange.identity.models import SignInDoor
from exchange.identity.oauth import ALL_SCOPES, GRANT_CLIENT_CREDENTIALS, client_credentials_grant
from exchange.identity.service import (
    SIGN_IN_ACCEPTED,
    SIGN_IN_PATH,
    AuditRecorder,
    accept_sign_in,
    redeem_sign_in,
    send_sign_in_links,
)
from infra.errors import UserError
from infra.mail import deliver_pending, mail_sender
from portal.links import link_page
from portal.pages.staff import LINK_REDEEM
from portal.web import portal_page

log = logging.getLogger("tussendeur.auth")

MAX_FORM_BYTES = 8192
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


async def read_body(request: Request, limit: int = MAX_FORM_BYTES) -> bytes:
    """The request body, refusing (413) more than ``limit`` bytes before reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(f"the request body exceeds {limit} bytes", 413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BadRequest(f"the request body exceeds {limit} bytes", 413)
    return bytes(body)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_form(body: bytes) -> dict[str, str]:
    """An urlencoded body; a parameter sent twice is an error (RFC 6749 §3.2)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=20, errors="strict"
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("the form body is malformed") from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadRequest(f"the parameter {name} is repeated")
        fields[name] = value
    return fields


async def read_fields(request: Request) -> dict[str, str]:
    """String fields of a form or JSON object body."""
    body = await read_body(request)
    media = _media_type(request)
    if media == _FORM:
        return parse_form(body)
    if media == "application/json":
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequest("the JSON body is malformed") from exc
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise BadRequest("send a JSON object of strings")
        return data
    raise BadRequest(f"send {_FORM} or application/json", 415)


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or len(encoded) > 1024:
        raise invalid_client("use HTTP Basic or client_secret_post client authentication")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_client("the Basic credentials are malformed") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise invalid_client("the Basic credentials are malformed")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    headers = request.headers.getlist("authorization")
    if len(headers) > 1:
        raise OAuthError("invalid_request", "send one Authorization header")
    if headers:
        if "client_secret" in form:
            raise OAuthError("invalid_request", "use one client authentication method, not two")
        client_id, secret = _basic_credentials(headers[0])
        if form.get("client_id", client_id) != client_id:
            raise OAuthError("invalid_request", "client_id differs from the Basic credentials")
        return client_id, secret
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    raise invalid_client("client authentication is required")


def _oauth_error(error: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="tussendeur", charset="UTF-8"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _bad_request(error: BadRequest) -> JSONResponse:
    body = {"error": "invalid_request", "error_description": error.description}
    return JSONResponse(body, status_code=error.status, headers=NO_STORE)


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _slow_down(verdict: throttle.Verdict) -> JSONResponse:
    """429 with ``slow_down`` (the token-endpoint error RFC 8628 §3.5 registered for "ask
    less often") and ``Retry-After`` (RFC 6585 §4, RFC 9110 §10.2.3)."""
    seconds = verdict.retry_after or 1
    body = {"error": "slow_down", "error_description": f"too many requests; retry in {seconds} s"}
    headers = {**NO_STORE, "Retry-After": str(seconds)}
    return JSONResponse(body, status_code=429, headers=headers)


def _user_error(error: UserError, code: str) -> JSONResponse:
    body = {
        "error": code,
        "error_description": error.message,
        "errors": [{"field": e.field, "code": e.code, "message": e.message} for e in error.errors],
    }
    return JSONResponse(body, status_code=400, headers=NO_STORE)


async def _sign_in_and_deliver(services: Any, address: str) -> None:
    await send_sign_in_links(services.database, services.settings, address, SignInDoor.API)
    try:
        await deliver_pending(services.database, mail_sender(services))
    except Exception:  # after the response: log it, the mail worker tries again
        log.exception("sign-in mail delivery failed")


def auth_router(*, audit: AuditRecorder) -> APIRouter:
    """The identity routes; ``audit`` is ``exchange.audit.service.record_caller_event``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/.well-known/jwks.json")
    async def jwks(request: Request) -> JSONResponse:
        services = request.app.state.services
        ring = await key_store(services).get(services.database)
        return JSONResponse(ring.jwks(), headers={"Cache-Control": "public, max-age=60"})

    @router.get("/.well-known/oauth-authorization-server")
    async def metadata(request: Request) -> JSONResponse:
        settings = request.app.state.services.settings
        base = settings.public_url.rstrip("/")
        return JSONResponse(
            {
                "issuer": settings.issuer,
                "token_endpoint": f"{base}/oauth/token",
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "grant_types_supported": [GRANT_CLIENT_CREDENTIALS],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "scopes_supported": sorted(ALL_SCOPES),
                "response_types_supported": [],
            },
            headers={"Cache-Control": "public, max-age=300"},
        )

    @router.post("/oauth/token")
    async def token(request: Request) -> Response:
        """Throttled per source address and per client id (:mod:`exchange.identity.throttle`):
        a client id's attempt counts until its secret proves right."""
        services = request.app.state.services
        database, settings = services.database, services.settings
        try:
            if _media_type(request) != _FORM:
                raise BadRequest(f"the token endpoint takes {_FORM}")
            form = parse_form(await read_body(request))
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type is required")
            client_id, secret = _client_credentials(request, form)
            if grant_type != GRANT_CLIENT_CREDENTIALS:
                raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
        except (OAuthError, BadRequest) as error:
            verdict = await throttle.admit_token_request(
                database, settings, source=_source(request), client_id=None
            )
            if verdict.refused:
                return _slow_down(verdict)
            return _oauth_error(error) if isinstance(error, OAuthError) else _bad_request(error)
        verdict = await throttle.admit_token_request(
            database, settings, source=_source(request), client_id=client_id
        )
        if verdict.refused:
            return _slow_down(verdict)
        refund = BackgroundTask(
            throttle.refund_token_attempt, database, settings, client_id=client_id
        )
        try:
            issued = await client_credentials_grant(
                database,
                key_store(services),
                settings,
                client_id=client_id,
                client_secret=secret,
                scope=form.get("scope"),
            )
        except OAuthError as error:
            response = _oauth_error(error)
            if error.error != "invalid_client":  # the secret was right, or never checked
                response.background = refund
            return response
        return JSONResponse(issued.response(), headers=NO_STORE, background=refund)

    @router.post("/auth/sign-in")
    async def sign_in(request: Request, background: BackgroundTasks) -> Response:
        """Answers before looking the address up (the lookup, the link and the mail happen
        after the response), so neither the answer nor its timing tells who has an account."""
        services = request.app.state.services
        verdict = await throttle.admit_sign_in(
            services.database, services.settings, source=_source(request)
        )
        if verdict.refused:
            return _slow_down(verdict)
        try:
            fields = await read_fields(request)
            address = accept_sign_in(fields.get("email", ""))
        except BadRequest as error:
            return _bad_request(error)
        except UserError as error:
            return _user_error(error, "invalid_request")
        background.add_task(_sign_in_and_deliver, services, address)
        return JSONResponse({"status": "accepted", "message": SIGN_IN_ACCEPTED}, status_code=202)

    @router.get(SIGN_IN_PATH)
    async def sign_in_page(request: Request, token: str = "") -> Response:
        """The emailed link in a browser: the portal's page whose button opens a session."""
        return link_page(await portal_page(request), token[:128], LINK_REDEEM)

    @router.post(SIGN_IN_PATH)
    async def redeem(request: Request) -> Response:
        """The token exchange for API clients. A browser that posts a form here (it asks
        for HTML) uses nothing: it gets the link's page again, whose CSRF-protected
        button opens a portal session instead of answering with a token."""
        services = request.app.state.services
        try:
            fields = await read_fields(request)
            if _from_browser(request):
                token = fields.get("token", "")[:128]
                return link_page(await portal_page(request), token, LINK_REDEEM)
            issued = await redeem_sign_in(
                services.database,
                key_store(services),
                services.settings,
                fields.get("token", ""),
                audit=audit,
            )
        except BadRequest as error:
            return _bad_request(error)
        except UserError as error:
            return _user_error(error, "invalid_grant")
        return JSONResponse(issued.response(), headers=NO_STORE)

    return router


def _from_browser(request: Request) -> bool:
    """A browser's form post: it accepts HTML and sends a form, not JSON."""
    accept = request.headers.get("accept", "").lower()
    return _media_type(request) == _FORM and "text/html" in accept
