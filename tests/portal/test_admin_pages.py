"""The consortium admin's pages over HTTP: the overview, partners, API clients and staff;
who may open them, and that no form changes anything without its CSRF token."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import asgi_client, path_of, post_form, token_of
from tests.support.mail import emailed_link
from tests.support.staff_portal import sign_in_admin, sign_in_staff

ADMIN_PAGES = (
    "/portal/admin",
    "/portal/admin/partners",
    "/portal/admin/clients",
    "/portal/admin/staff",
    "/portal/admin/audit",
    "/portal/admin/audit/verify",
    "/portal/admin/audit/checkpoints",
    "/portal/admin/audit/events/1",
    "/portal/admin/audit/events.csv",
    "/portal/admin/statistics",
    "/portal/admin/erasure",
)


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    consortium = await factories.create_consortium(db)
    return await factories.create_partner(db, consortium, name="Contactcenter Maas")


@pytest.fixture
async def admin(client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings,
                partner: Partner) -> httpx.AsyncClient:  # fmt: skip
    await sign_in_admin(client, db, app_settings, partner)
    return client


async def test_the_overview_links_every_admin_page_in_dutch_and_english(
    admin: httpx.AsyncClient,
) -> None:
    home = await admin.get("/portal/admin")
    assert home.status_code == 200
    assert "<h1>Consortiumbeheer</h1>" in home.text
    for path in ("partners", "clients", "staff", "audit", "statistics", "erasure"):
        assert f'href="/portal/admin/{path}"' in home.text
    english = await admin.get("/portal/admin?lang=en")
    assert "<h1>Consortium administration</h1>" in english.text
    assert (
        "script-src" not in home.headers["content-security-policy"]
    )  # only where a secret is shown


async def test_partner_staff_and_strangers_cannot_open_admin_pages(
    app: FastAPI, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    async with asgi_client(app) as stranger, asgi_client(app) as recruiter:
        await sign_in_staff(recruiter, db, app_settings, partner, role="partner_hr")
        for path in ADMIN_PAGES:
            assert (await stranger.get(path)).status_code == 401
            refused = await recruiter.get(path)
            assert refused.status_code == 403 and "Consortiumbeheer" not in refused.text
        page = await recruiter.get("/portal/admin/partners")
        posted = await post_form(recruiter, "/portal/admin/partners", page=page, name="Sneaky BV")
        assert posted.status_code == 403
    assert await system_fetch(db, "select 1 from partner where name = 'Sneaky BV'") == []


async def test_register_suspend_and_reinstate_a_partner(
    admin: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    page = await admin.get("/portal/admin/partners")
    assert "Contactcenter Maas" in page.text
    refused = await post_form(admin, "/portal/admin/partners", page=page, name="")
    assert refused.status_code == 422 and "Vul een naam in" in refused.text
    done = await post_form(
        admin, "/portal/admin/partners", page=page, name="Bel & Zo Heerlen", city="Heerlen"
    )
    assert done.status_code == 303
    listed = await admin.get(done.headers["location"])
    assert "Bel &amp; Zo Heerlen" in listed.text and "bel-zo-heerlen" in listed.text
    again = await post_form(admin, "/portal/admin/partners", page=page, name="Bel & Zo Heerlen")
    assert again.status_code == 409 and "bestaat al" in again.text

    listed_again = await admin.get("/portal/admin/partners")
    assert f'href="/portal/admin/partners/{partner.id}/suspend"' in listed_again.text
    confirm = await admin.get(f"/portal/admin/partners/{partner.id}/suspend")
    assert confirm.status_code == 200 and "Contactcenter Maas schorsen?" in confirm.text
    assert "Open introducties die worden ingetrokken" in confirm.text
    rows = await system_fetch(db, "select status from partner where id = $1", partner.id)
    assert rows[0]["status"] == "ACTIVE"  # looking changes nothing
    suspended = await post_form(
        admin, f"/portal/admin/partners/{partner.id}/suspend", page=confirm, reason="PAYMENT"
    )
    assert suspended.status_code == 303
    rows = await system_fetch(db, "select status from partner where id = $1", partner.id)
    assert rows[0]["status"] == "SUSPENDED"
    twice = await post_form(admin, f"/portal/admin/partners/{partner.id}/suspend", page=page)
    assert twice.status_code == 409
    reinstated = await post_form(admin, f"/portal/admin/partners/{partner.id}/reinstate", page=page)
    assert reinstated.status_code == 303
    rows = await system_fetch(db, "select status from partner where id = $1", partner.id)
    assert rows[0]["status"] == "ACTIVE"
    events = await system_fetch(
        db,
        "select action from audit_event where consortium_id = $1 order by seq",
        partner.consortium_id,
    )
    actions = [e["action"] for e in events]
    assert "partner.registered" in actions and "partner.suspended" in actions
    assert "partner.reinstated" in actions
    missing = await post_form(admin, "/portal/admin/partners/not-an-id/suspend", page=page)
    assert missing.status_code == 404
    assert (await admin.get("/portal/admin/partners/not-an-id/suspend")).status_code == 404
    unknown = f"/portal/admin/partners/{uuid.uuid4()}/suspend"
    assert (await admin.get(unknown)).status_code == 404


async def test_every_admin_form_refuses_a_post_without_a_valid_csrf_token(
    admin: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    forms = {
        "/portal/admin/partners": {"name": "Zonder Token BV"},
        f"/portal/admin/partners/{partner.id}/suspend": {"reason": "OTHER"},
        f"/portal/admin/partners/{partner.id}/reinstate": {},
        "/portal/admin/clients": {"partner": str(partner.id)},
        "/portal/admin/clients/revoke": {"client_id": "x"},
        "/portal/admin/staff": {"email": "a@example.nl", "display_name": "A", "role": "partner_hr"},
        "/portal/admin/audit/verify": {},
    }
    for path, fields in forms.items():
        assert (await admin.post(path, data=fields)).status_code == 403, path
        wrong = {"csrf_token": "x" * 43, **fields}
        assert (await admin.post(path, data=wrong)).status_code == 403, path
    rows = await system_fetch(db, "select status from partner where id = $1", partner.id)
    assert rows[0]["status"] == "ACTIVE"
    assert (
        await system_fetch(db, "select 1 from api_client where partner_id = $1", partner.id) == []
    )


async def test_an_api_client_secret_is_shown_once_and_the_client_can_be_revoked(
    admin: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    page = await admin.get("/portal/admin/clients")
    created = await post_form(
        admin, "/portal/admin/clients", page=page, partner=str(partner.id), name="ATS Maas"
    )
    assert created.status_code == 200
    assert "Dit is de enige keer" in created.text
    assert 'src="/portal/static/copy.js"' in created.text and "data-copy-from" in created.text
    assert created.headers["content-security-policy"].endswith("; script-src 'self'")
    assert "readonly" in created.text
    assert created.headers["cache-control"] == "no-store"
    rows = await system_fetch(
        db, "select client_id, scopes from api_client where partner_id = $1", partner.id
    )
    client_id = rows[0]["client_id"]
    assert "vacancies:read" in rows[0]["scopes"]
    listed = await admin.get("/portal/admin/clients")
    assert client_id in listed.text and "ATS Maas" in listed.text
    secret = created.text.split('id="client-secret" readonly value="')[1].split('"')[0]
    assert secret and secret not in listed.text

    wrong_scope = await post_form(
        admin, "/portal/admin/clients", page=page, partner=str(partner.id), scopes="admin"
    )
    assert wrong_scope.status_code == 422
    revoked = await post_form(
        admin, "/portal/admin/clients/revoke", page=listed, client_id=client_id
    )
    assert revoked.status_code == 303
    rows = await system_fetch(
        db, "select revoked_at from api_client where client_id = $1", client_id
    )
    assert rows[0]["revoked_at"] is not None
    twice = await post_form(admin, "/portal/admin/clients/revoke", page=listed, client_id=client_id)
    assert twice.status_code == 409


async def test_add_a_recruiter_and_an_administrator(
    admin: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    page = await admin.get("/portal/admin/staff")
    no_partner = await post_form(
        admin, "/portal/admin/staff", page=page, email="noor@example.nl",
        display_name="Noor", role="partner_hr", partner="", language="nl",
    )  # fmt: skip
    assert no_partner.status_code == 422 and "Kies de werkgever" in no_partner.text
    assert 'value="noor@example.nl"' in no_partner.text  # the form keeps what was typed
    added = await post_form(
        admin, "/portal/admin/staff", page=page, email="noor@example.nl",
        display_name="Noor", role="partner_hr", partner=str(partner.id), language="en",
    )  # fmt: skip
    assert added.status_code == 303
    admin_added = await post_form(
        admin, "/portal/admin/staff", page=page, email="joost@example.nl",
        display_name="Joost", role="consortium_admin", partner="", language="nl",
    )  # fmt: skip
    assert admin_added.status_code == 303
    listed = await admin.get("/portal/admin/staff")
    assert "noor@example.nl" in listed.text and "joost@example.nl" in listed.text
    taken = await post_form(
        admin, "/portal/admin/staff", page=page, email="noor@example.nl",
        display_name="Noor", role="partner_hr", partner=str(partner.id), language="nl",
    )  # fmt: skip
    assert taken.status_code == 409
    rows = await system_fetch(
        db, "select role, partner_id from staff_user where email = 'noor@example.nl'"
    )
    assert rows[0]["role"] == "partner_hr" and rows[0]["partner_id"] == partner.id


async def test_a_signed_in_candidate_cannot_open_admin_pages(
    client: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    profile = await factories.share_profile(db, callers.partner_caller(partner))
    link = await emailed_link(db, profile.person_id, "consent_request")
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/consent/open", page=page, token=token_of(link))
    assert opened.status_code == 303
    assert (await client.get("/portal/consent")).status_code == 200  # the candidate's session
    for path in ADMIN_PAGES:
        refused = await client.get(path)
        assert refused.status_code == 401 and "Consortiumbeheer" not in refused.text, path
    posted = await post_form(client, "/portal/admin/partners", page=page, name="Kandidaat BV")
    assert posted.status_code == 401
    assert await system_fetch(db, "select 1 from partner where name = 'Kandidaat BV'") == []
