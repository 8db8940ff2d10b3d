"""Single sign-on for staff against a small OpenID Connect provider started in the test
(127.0.0.1, ``tests/support/oidc_provider.py``): a verified address of an active staff
user of the configured consortium opens that user's staff page; anything else gets a
clear page and no session, and no account is ever created."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from entrypoints.app import create_app
from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.settings import Environment, Settings
from tests.support import factories
from tests.support.as_system import system_fetch, system_value
from tests.support.http import TEST_BASE_URL, client_of
from tests.support.oidc_provider import OidcProvider, SignedInThere, serve_oidc_provider

SLUG = "sso-test"


@pytest.fixture
async def provider() -> AsyncIterator[OidcProvider]:
    async with serve_oidc_provider() as running:
        yield running


@pytest.fixture
def app_settings(provider: OidcProvider) -> Settings:
    """The conftest's test settings, with the provider configured for one consortium."""
    return Settings(
        env=Environment.TEST,
        public_url=TEST_BASE_URL,
        smtp_host=None,
        oidc_issuer=provider.issuer,
        oidc_client_id=provider.client_id,
        oidc_client_secret=provider.client_secret,
        oidc_consortium=SLUG,
        oidc_provider_name="Maas ID",
    )


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    consortium = await factories.create_consortium(db, slug=SLUG)
    return await factories.create_partner(db, consortium, name="Contactcenter Maas")


async def _sign_in(client: httpx.AsyncClient, provider: OidcProvider) -> httpx.Response:
    """Start at the staff sign-in page's button, let the provider approve, come back."""
    started = await client.get("/portal/staff/sso/start")
    assert started.status_code == 302
    authorize = started.headers["location"]
    assert authorize.startswith(provider.issuer + "/authorize?")
    sent = parse_qs(urlsplit(authorize).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["state"]
    assert sent["redirect_uri"] == [TEST_BASE_URL + "/portal/staff/sso/callback"]
    flow_cookie = next(c for c in started.headers.get_list("set-cookie") if c.startswith("td_sso="))
    assert {"httponly", "samesite=lax", "path=/portal/staff/sso"} <= {
        part.strip().lower() for part in flow_cookie.split(";")
    }
    async with httpx.AsyncClient() as browser_at_provider:
        approved = await browser_at_provider.get(authorize)
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    return await client.get(f"{back.path}?{back.query}")


async def test_a_verified_staff_address_opens_the_staff_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    user_id, email = await factories.create_staff(db, partner, display_name="Anouk de Vries")
    form = await client.get("/portal/staff/sign-in?lang=en")
    assert 'href="/portal/staff/sso/start"' in form.text and "Sign in with Maas ID" in form.text
    provider.user = SignedInThere(email=email.upper())  # addresses compare normalised

    landed = await _sign_in(client, provider)

    assert landed.status_code == 303 and landed.headers["location"] == "/portal/staff"
    cookies = landed.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("td_session="))
    assert "httponly" in session.lower()
    assert any(c.startswith("td_sso=") and "max-age=0" in c.lower() for c in cookies)
    mine = await client.get("/portal/staff", follow_redirects=True)
    assert mine.status_code == 200 and "Anouk de Vries" in mine.text, mine.url
    events = await system_fetch(
        db,
        "select details from audit_event where action = 'auth.signed_in' and actor_id = $1",
        str(user_id),
    )
    assert [e["details"]["method"] for e in events] == ["oidc"]


async def test_an_unknown_address_gets_a_clear_page_and_no_account(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    before = await system_value(db, "select count(*) from staff_user")
    provider.user = SignedInThere(email="nieuw@maas.example")

    refused = await _sign_in(client, provider)

    assert refused.status_code == 403
    assert "Geen account voor dit adres" in refused.text and "nieuw@maas.example" in refused.text
    assert not any(c.startswith("td_session=") for c in refused.headers.get_list("set-cookie"))
    assert await system_value(db, "select count(*) from staff_user") == before
    assert (await client.get("/portal/staff")).status_code == 401


async def test_an_address_of_another_consortium_is_unknown_here(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    elsewhere = await factories.create_consortium(db, name="Elders")
    other = await factories.create_partner(db, elsewhere)
    _, email = await factories.create_staff(db, other)
    provider.user = SignedInThere(email=email)
    refused = await _sign_in(client, provider)
    assert refused.status_code == 403 and "Geen account voor dit adres" in refused.text


async def test_an_unverified_address_is_not_trusted(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    _, email = await factories.create_staff(db, partner)
    provider.user = SignedInThere(email=email, email_verified=False)
    refused = await _sign_in(client, provider)
    assert refused.status_code == 403
    assert "Je adres kon niet worden bevestigd" in refused.text
    assert (await client.get("/portal/staff")).status_code == 401


async def test_an_id_token_signed_with_an_unpublished_key_is_refused(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    _, email = await factories.create_staff(db, partner)
    provider.user = SignedInThere(email=email)
    provider.sign_with_unpublished_key = True
    refused = await _sign_in(client, provider)
    assert refused.status_code == 400 and "Inloggen via je organisatie is niet gelukt" in (
        refused.text
    )
    assert (await client.get("/portal/staff")).status_code == 401


async def test_a_callback_without_its_flow_is_refused(
    client: httpx.AsyncClient, db: ConnectionDatabase, provider: OidcProvider, partner: Partner
) -> None:
    _, email = await factories.create_staff(db, partner)
    provider.user = SignedInThere(email=email)
    started = await client.get("/portal/staff/sso/start")
    async with httpx.AsyncClient() as elsewhere:
        approved = await elsewhere.get(started.headers["location"])
    back = urlsplit(approved.headers["location"])
    client.cookies.set("td_sso", "forged.0000", path="/portal/staff/sso")
    refused = await client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 400
    assert provider.token_requests == 0  # the code was never even exchanged
    assert (await client.get("/portal/staff")).status_code == 401


async def test_without_settings_there_is_no_single_sign_on(db: ConnectionDatabase) -> None:
    settings = Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)
    assert not settings.oidc_enabled
    async with client_of(create_app(settings, database=db)) as client:
        assert (await client.get("/portal/staff/sso/start")).status_code == 404
        assert (await client.get("/portal/staff/sso/callback?code=x&state=y")).status_code == 404
        form = await client.get("/portal/staff/sign-in")
    assert "/portal/staff/sso/start" not in form.text
