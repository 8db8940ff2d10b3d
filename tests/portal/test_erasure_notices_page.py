"""The staff page of erasure notices: a partner's HR confirms there (it is in the recruiter's
menu); an admin is sent to the admin's own erasure page."""

from __future__ import annotations

import httpx

from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.consent import withdraw
from tests.support.http import post_form
from tests.support.introductions import World, build_world, request, respond
from tests.support.staff_portal import open_staff_session

PAGE = "/portal/staff/erasure-notices"


async def _withdrawn(db: ConnectionDatabase) -> World:
    world = await build_world(db)
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    await withdraw(db, world.person)
    return world


async def test_partner_staff_confirm_an_erasure_in_the_portal(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    world = await _withdrawn(db)
    user_id, _ = await factories.create_staff(db, world.b)
    await open_staff_session(client, db, app_settings, user_id, world.b)
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "Wisverzoeken" in page.text and "toestemming ingetrokken" in page.text
    assert 'href="/portal/staff/erasure-notices" aria-current="page"' in page.text
    assert '<th scope="col">' in page.text and "<legend>" in page.text
    assert "Canary" not in page.text and world.email not in page.text
    [notice] = await system_fetch(db, "select id from erasure_notice")
    action = f"{PAGE}/{notice['id']}/confirm"
    refused = await post_form(client, action, page=page, method="BURNED")
    assert refused.status_code == 400 and "error-summary" in refused.text
    done = await post_form(client, action, page=page, method="ANONYMISED")
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "de verwijdering is bevestigd" in after.text and "geanonimiseerd" in after.text
    again = await post_form(client, action, page=after, method="DELETED")
    assert again.status_code == 400 and "al bevestigd" in again.text
    [row] = await system_fetch(db, "select method, confirmed_by from erasure_notice")
    assert row["method"] == "ANONYMISED" and row["confirmed_by"].endswith(str(user_id))


async def test_another_partner_cannot_confirm_and_admins_are_sent_to_their_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    world = await _withdrawn(db)
    c_user, _ = await factories.create_staff(db, world.c)
    await open_staff_session(client, db, app_settings, c_user, world.c)
    page = await client.get(PAGE)
    assert "Er zijn geen verwijderverzoeken." in page.text
    [notice] = await system_fetch(db, "select id from erasure_notice")
    refused = await post_form(client, f"{PAGE}/{notice['id']}/confirm", page=page, method="DELETED")
    assert refused.status_code == 400 and "niet voor jou" in refused.text

    admin_client = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with admin_client:
        admin_id, _ = await factories.create_staff(db, world.a, role="consortium_admin")
        await open_staff_session(
            admin_client, db, app_settings, admin_id, world.a, "consortium_admin"
        )
        sent = await admin_client.get(PAGE)
        assert sent.status_code == 303
        assert sent.headers["location"] == "/portal/admin/erasure"
        overview = await admin_client.get(sent.headers["location"])
        confirm = await post_form(
            admin_client, f"{PAGE}/{notice['id']}/confirm", page=overview, method="DELETED"
        )
    assert overview.status_code == 200 and world.b.name in overview.text  # whose notice
    assert "Verwijdering bevestigen</button>" not in overview.text
    assert confirm.status_code == 404  # admins follow notices, partners confirm them


async def test_the_recruiters_menu_links_to_the_erasure_notices(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    world = await build_world(db)
    user_id, _ = await factories.create_staff(db, world.b)
    await open_staff_session(client, db, app_settings, user_id, world.b)
    home = await client.get("/portal/hr")
    assert home.status_code == 200
    assert '<a href="/portal/staff/erasure-notices">Wisverzoeken</a>' in home.text


async def test_without_a_staff_session_the_page_asks_to_sign_in(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get(PAGE)).status_code == 401
