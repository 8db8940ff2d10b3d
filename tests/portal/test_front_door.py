"""The front door at ``/``, and the emailed sign-in link opened in a browser: staff land
on their portal page (a recruiter's dashboard) with a session cookie, never on JSON; API
clients keep the JSON token exchange."""

from __future__ import annotations

import re

import httpx
import pytest

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners.models import Partner
from infra.caller import CallerRole
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import csrf_of, path_of, post_form, token_of
from tests.support.staff_portal import BROWSER, staff_sign_in_link

URL_ATTRIBUTE = re.compile(r'(?:href|src|action)="([^"]*)"')


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    consortium = await factories.create_consortium(db)
    return await factories.create_partner(db, consortium, name="Contactcenter Maas")


@pytest.mark.parametrize(
    ("query", "texts"),
    [
        (
            "",
            [
                "Hoe wil je inloggen?",
                "Inloggen met je e-mailadres",
                "Inloggen als werkgever",
                "Inloggen als beheerder",
            ],
        ),
        (
            "?lang=en",
            [
                "How do you want to sign in?",
                "Sign in with your email",
                "Sign in as an employer",
                "Sign in as an administrator",
            ],
        ),
    ],
)
async def test_the_front_door_shows_a_way_in_for_each_group(
    client: httpx.AsyncClient, query: str, texts: list[str]
) -> None:
    response = await client.get("/" + query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.count("<h1") == 1
    for text in texts:
        assert text in html
    assert 'href="/portal/sign-in"' in html
    assert html.count('href="/portal/staff/sign-in"') == 2
    urls = URL_ATTRIBUTE.findall(html)
    assert urls and all(url[0] in "/#" and not url.startswith("//") for url in urls)
    assert "http://" not in html and "https://" not in html and "<script" not in html


async def test_a_staff_link_opened_in_a_browser_lands_on_the_staff_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    user_id, email = await factories.create_staff(db, partner, display_name="Anouk de Vries")
    link = await staff_sign_in_link(db, app_settings, user_id, partner, "partner_hr")
    client.headers.update(BROWSER)

    page = await client.get(path_of(link))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'action="/portal/sign-in/redeem"' in page.text
    # A browser posting a form to the link itself (Accept: text/html) gets the page again:
    # no JSON, and nothing used without the page's CSRF token.
    posted = await client.post(path_of(link).split("?")[0], data={"token": token_of(link)})
    assert posted.status_code == 200 and posted.headers["content-type"].startswith("text/html")
    assert "access_token" not in posted.text
    refused = await client.post("/portal/sign-in/redeem", data={"token": token_of(link)})
    assert refused.status_code == 403

    opened = await post_form(client, "/portal/sign-in/redeem", page=posted, token=token_of(link))
    assert opened.status_code == 303 and opened.headers["location"] == "/portal/staff"
    cookie = next(c for c in opened.headers.get_list("set-cookie") if c.startswith("td_session="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()

    home = await client.get("/portal/staff")
    assert home.status_code == 303 and home.headers["location"] == "/portal/hr"
    mine = await client.get("/portal/hr")
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/html")
    for shown in ("Anouk de Vries", "Contactcenter Maas"):
        assert shown in mine.text
    assert email not in mine.text
    assert (await client.get("/portal/me")).status_code == 401  # no candidate page for staff
    assert (await client.get("/portal", follow_redirects=False)).headers["location"] == (
        "/portal/staff"
    )
    signed_in = await system_fetch(
        db,
        "select 1 from audit_event where action = 'auth.signed_in' and actor_id = $1",
        str(user_id),
    )
    assert len(signed_in) == 1

    again = await post_form(client, "/portal/sign-in/redeem", page=mine, token=token_of(link))
    assert again.status_code == 400  # the link worked once

    out = await post_form(client, "/portal/sign-out", page=mine)
    assert out.status_code == 200
    assert (await client.get("/portal/staff")).status_code == 401
    sessions = await system_fetch(
        db, "select 1 from portal_session where staff_user_id = $1", user_id
    )
    assert sessions == []


async def test_an_admin_lands_on_the_staff_page_of_the_consortium(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    user_id, _ = await factories.create_staff(
        db, partner, role="consortium_admin", display_name="Sanne"
    )
    link = await staff_sign_in_link(db, app_settings, user_id, partner, "consortium_admin")
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.headers["location"] == "/portal/staff"
    mine = await client.get("/portal/staff?lang=en")
    assert mine.status_code == 303 and mine.headers["location"] == "/portal/admin"
    hr = await client.get("/portal/hr?lang=en")
    assert hr.status_code == 403 and "Only for recruiters" in hr.text


async def test_a_suspended_partner_ends_its_staff_sessions(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    user_id, _ = await factories.create_staff(db, partner)
    link = await staff_sign_in_link(db, app_settings, user_id, partner, "partner_hr")
    page = await client.get(path_of(link))
    await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert (await client.get("/portal/hr")).status_code == 200
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update partner set status = 'SUSPENDED' where id = $1", partner.id)
    assert (await client.get("/portal/staff")).status_code == 401
    assert (await client.get("/portal/hr")).status_code == 401


async def test_a_persons_link_opened_in_a_browser_lands_on_their_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    profile = await factories.share_profile(db, callers.partner_caller(partner))
    person = Identity(
        SubjectKind.PERSON, profile.person_id, partner.consortium_id, CallerRole.CANDIDATE
    )
    async with db.transaction(AccessScope.system()) as conn:
        link = await issue_sign_in_link(conn, app_settings, person)
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.headers["location"] == "/portal/me"
    assert (await client.get("/portal/me")).status_code == 200
    assert (await client.get("/portal/staff")).status_code == 401  # no staff page for a person


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"headers": {"accept": "application/json"}},
        {"headers": {"accept": "*/*"}},
        {"headers": BROWSER, "json": True},
    ],
    ids=["form-accept-json", "form-curl", "json-body"],
)
async def test_api_clients_still_get_a_json_token(
    client: httpx.AsyncClient,
    db: ConnectionDatabase,
    app_settings: Settings,
    partner: Partner,
    request_kwargs: dict[str, object],
) -> None:
    user_id, _ = await factories.create_staff(db, partner)
    token = token_of(await staff_sign_in_link(db, app_settings, user_id, partner, "partner_hr"))
    headers = request_kwargs["headers"]
    assert isinstance(headers, dict)
    if request_kwargs.get("json"):
        redeemed = await client.post("/auth/sign-in/redeem", json={"token": token}, headers=headers)
    else:
        redeemed = await client.post("/auth/sign-in/redeem", data={"token": token}, headers=headers)
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["token_type"] == "Bearer"
    assert "td_session" not in redeemed.headers.get("set-cookie", "")


async def test_staff_ask_for_a_link_on_their_sign_in_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    _, email = await factories.create_staff(db, partner)
    form = await client.get("/portal/staff/sign-in")
    assert form.status_code == 200 and '<label for="email">' in form.text
    csrf = csrf_of(form.text)
    bad = await client.post("/portal/staff/sign-in", data={"csrf_token": csrf, "email": "x"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    unknown = await client.post(
        "/portal/staff/sign-in", data={"csrf_token": csrf, "email": "nobody@example.nl"}
    )
    sent = await client.post("/portal/staff/sign-in", data={"csrf_token": csrf, "email": email})
    assert sent.status_code == unknown.status_code == 200 and sent.text == unknown.text
    mails = await system_fetch(db, "select body_text from mail_outbox where to_address = $1", email)
    assert len(mails) == 1 and "/auth/sign-in/redeem?token=" in mails[0]["body_text"]
