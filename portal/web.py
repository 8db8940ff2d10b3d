"""The portal's footing: templates per language, the request's page context, cookies,
CSRF protection and responses with safe headers.

Cookies (HttpOnly, SameSite=Lax, Secure when the public URL is https; the session's path
is /portal, the CSRF token's and the language's /, since the front door and the pages
behind emailed links outside /portal — ``/auth/sign-in/redeem`` — read them too):

* ``td_session`` — the person's or staff user's session (see :mod:`portal.sessions`);
* ``td_csrf`` — a random token every form carries back in a hidden field (double
  submit); a POST whose field does not match it, or whose ``Origin`` is foreign, is
  refused with 403 before anything runs;
* ``td_lang`` — the language the visitor chose with the switch link.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData

from exchange.competencies import CompetencyNormalizer
from exchange.identity.service import portal_session_caller
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.errors import FieldError
from infra.settings import Settings
from portal import i18n, labels
from portal.sessions import SESSION_COOKIE

CSRF_COOKIE = "td_csrf"
CSRF_FIELD = "csrf_token"
COOKIE_PATH = "/portal"
# read by every page that shows a portal form or the language switch, inside /portal or not
SITE_WIDE_COOKIES = {CSRF_COOKIE: "/", i18n.LANGUAGE_COOKIE: "/"}
TEMPLATES = Path(__file__).parent / "templates"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # links carry one-time tokens
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


ENVIRONMENTS = {language: _environment(language) for language in i18n.LANGUAGES}


class PortalServices(Protocol):
    """What pages use of the app's long-lived collaborators (``entrypoints.app.Services``)."""

    settings: Settings
    database: Database
    normalizer: CompetencyNormalizer


@dataclass
class Page:
    """One portal request: who, in which language, with which CSRF token."""

    request: Request
    settings: Settings
    services: PortalServices
    language: str
    csrf_token: str
    caller: Caller | None
    """The signed-in person (candidate); a staff session is in :attr:`staff` instead."""
    new_cookies: dict[str, str] = field(default_factory=dict)
    cleared_cookies: list[str] = field(default_factory=list)
    staff: Caller | None = None
    """The signed-in partner staff user or consortium admin, kept apart from
    :attr:`caller` so that no candidate page ever serves a staff session."""
    shows_link: bool = False
    """The page behind an emailed link (its token unused yet): switching the language
    keeps the token, so the page in the other language still opens the link."""

    @property
    def database(self) -> Database:
        return self.services.database

    @property
    def fmt(self) -> i18n.Formatter:
        return i18n.Formatter(self.language)

    def gettext(self, message: str) -> str:
        return i18n.translations(self.language).gettext(message)

    def require_person(self) -> Caller:
        if self.caller is None:
            raise HTTPException(status_code=401)
        return self.caller

    def url_with_language(self, language: str) -> str:
        dropped = ("lang",) if self.shows_link else ("lang", "token")
        params = {k: v for k, v in self.request.query_params.items() if k not in dropped}
        params["lang"] = language
        return f"{self.request.url.path}?{urlencode(params)}"


def secure_cookies(settings: Settings) -> bool:
    return settings.public_url.lower().startswith("https://")


async def portal_page(request: Request) -> Page:
    """FastAPI dependency: the page context of this request."""
    services: PortalServices = request.app.state.services
    settings = services.settings
    query_language = request.query_params.get("lang")
    language = i18n.negotiate(
        query_language,
        request.cookies.get(i18n.LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    page = Page(request, settings, services, language, csrf, None)
    if len(csrf) < 32:
        page.csrf_token = secrets.token_urlsafe(32)
        page.new_cookies[CSRF_COOKIE] = page.csrf_token
    if query_language in i18n.LANGUAGES:
        page.new_cookies[i18n.LANGUAGE_COOKIE] = language
    raw_session = request.cookies.get(SESSION_COOKIE)
    if raw_session:
        caller = await portal_session_caller(services.database, raw_session, language=language)
        if caller is None:
            page.cleared_cookies.append(SESSION_COOKIE)
        elif caller.role is CallerRole.CANDIDATE:
            page.caller = caller
        else:
            page.staff = caller
    return page


async def checked_form(page: Page) -> FormData:
    """The POSTed form after the CSRF checks; 403 when they fail."""
    request = page.request
    origin = request.headers.get("origin")
    if origin and origin != "null" and not _same_origin(origin, page):
        raise HTTPException(status_code=403, detail="cross-site form post refused")
    form = await request.form()
    sent = form.get(CSRF_FIELD, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if (
        not cookie
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), cookie.encode())
    ):
        raise HTTPException(status_code=403, detail="the form's security token does not match")
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _same_origin(origin: str, page: Page) -> bool:
    allowed = {_origin(page.settings.public_url), _origin(str(page.request.base_url))}
    return _origin(origin) in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def finish(page: Page, response: Response) -> Response:
    secure = secure_cookies(page.settings)
    for name, value in page.new_cookies.items():
        language = name == i18n.LANGUAGE_COOKIE
        response.set_cookie(
            name, value, httponly=True, samesite="lax", secure=secure,
            path=SITE_WIDE_COOKIES.get(name, COOKIE_PATH),
            max_age=60 * 60 * 24 * 365 if language else None,
        )  # fmt: skip
    for name in page.cleared_cookies:
        response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True)
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def render(
    page: Page,
    template: str,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    **context: Any,
) -> Response:
    env = ENVIRONMENTS[page.language]
    html = env.get_template(template).render(
        page=page,
        lang=page.language,
        fmt=page.fmt,
        labels=labels.Labels(page.gettext),
        csrf_field=CSRF_FIELD,
        errors={e.field: e for e in errors or []},
        error_list=errors or [],
        **context,
    )
    return finish(page, HTMLResponse(html, status_code=status_code))


def with_own_scripts(response: Response, *, connect: bool = False) -> Response:
    """Let this one page run the app's own script files (progressive enhancement: every
    page works without them); ``connect`` lets them fetch from the app too. No other page
    may run a script."""
    policy = SECURITY_HEADERS["Content-Security-Policy"] + "; script-src 'self'"
    response.headers["Content-Security-Policy"] = policy + (
        "; connect-src 'self'" if connect else ""
    )
    return response


def redirect(page: Page, url: str) -> Response:
    return finish(page, RedirectResponse(url, status_code=303))
