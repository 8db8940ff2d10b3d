"""The CSRF cookie (``td_csrf``) is site-wide: the page behind a staff sign-in link, at
``/auth/sign-in/redeem``, reuses the token every portal page uses instead of issuing a
fresh one on each visit; HttpOnly, SameSite=Lax, and Secure when the site is https."""

from __future__ import annotations

import httpx

from entrypoints.app import create_app
from infra.db import ConnectionDatabase
from infra.settings import Environment, Settings
from tests.support.http import client_of, csrf_of

BROWSER = {"accept": "text/html"}


def _csrf_cookie(response: httpx.Response) -> str | None:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("td_csrf=")]
    return found[0] if found else None


async def test_one_csrf_token_serves_the_portal_and_the_sign_in_link_page(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update(BROWSER)
    first = await client.get("/portal/sign-in")
    cookie = _csrf_cookie(first)
    assert cookie is not None
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"path=/", "httponly", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # the test site is plain http

    link_page = await client.get("/auth/sign-in/redeem?token=not-a-real-one")
    assert link_page.status_code == 200
    assert _csrf_cookie(link_page) is None  # no fresh token: the portal's one is sent here
    assert csrf_of(link_page.text) == csrf_of(first.text) == client.cookies["td_csrf"]
    again = await client.get("/auth/sign-in/redeem?token=not-a-real-one")
    assert _csrf_cookie(again) is None and csrf_of(again.text) == csrf_of(first.text)


async def test_a_link_page_opened_first_sets_a_cookie_the_portal_reads(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update(BROWSER)
    link_page = await client.get("/auth/sign-in/redeem?token=not-a-real-one")
    assert _csrf_cookie(link_page) is not None
    portal = await client.get("/portal/staff/sign-in")
    assert _csrf_cookie(portal) is None and csrf_of(portal.text) == csrf_of(link_page.text)


async def test_the_csrf_cookie_is_secure_on_an_https_site(db: ConnectionDatabase) -> None:
    settings = Settings(env=Environment.TEST, public_url="https://testserver", smtp_host=None)
    app = create_app(settings, database=db)
    async with client_of(app, base_url="https://testserver") as client:
        cookie = _csrf_cookie(await client.get("/portal/sign-in"))
    assert cookie is not None
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"path=/", "httponly", "samesite=lax", "secure"} <= attributes
