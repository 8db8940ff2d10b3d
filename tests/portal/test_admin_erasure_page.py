"""Erasure notices in the admin's portal, from the one source of truth (the
``erasure_notice`` table): which partner must erase what it received, why, when it was
told, by when, whether it confirmed — overdue ones stand out — and nothing about the
person; the partners no notice can reach."""

from __future__ import annotations

import httpx

from exchange.consent_flow import rights
from exchange.webhooks import service as notices_service
from exchange.webhooks.models import ErasureMethod
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.exchange_steps import run_exchange
from tests.support.staff_portal import sign_in_admin

PAGE = "/portal/admin/erasure"


def _rows(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


async def test_the_admin_follows_every_partners_notices_from_the_notice_table(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    exchanged = await run_exchange(db)
    world = exchanged.world
    await factories.create_staff(db, world.b, email="hr.b@example.nl")
    await sign_in_admin(client, db, app_settings, world.a)
    before = await client.get(PAGE)
    assert before.status_code == 200 and "Geen wisverzoeken gevonden." in _rows(before.text)
    assert 'href="/portal/admin/erasure" aria-current="page"' in before.text  # the admin menu

    async with db.transaction(world.person.access_scope()) as conn:
        await rights.erase_my_data(conn, world.person, app_settings)

    after = await client.get(PAGE)
    rows = _rows(after.text)
    assert world.b.name in rows and "gegevens gewist" in rows and ">open<" in rows
    assert world.a.name not in rows  # A shared the profile but got no contact data
    assert "Canary" not in after.text and world.email not in after.text
    assert "hr.b@example.nl" not in after.text
    assert "0 wisverzoeken zijn te laat." in after.text and 'class="overdue"' not in rows
    assert (await client.get(PAGE + "?overdue=1")).text.count('<th scope="row">') == 0

    await system_fetch(db, "update erasure_notice set erase_by = now() - interval '1 day'")
    late = await client.get(PAGE + "?overdue=1")
    assert 'class="overdue"' in _rows(late.text) and "<strong>te laat</strong>" in late.text
    assert "1 wisverzoek is te laat." in late.text
    assert 'name="overdue" value="1" checked' in late.text

    async with db.transaction(world.hr_b.access_scope()) as conn:
        [notice] = await notices_service.erasure_notices(conn, world.hr_b)
        await notices_service.confirm_erasure(
            conn, world.hr_b, notice_id=notice.id, method=ErasureMethod.DELETED
        )
    confirmed = _rows((await client.get(PAGE + "?status=CONFIRMED")).text)
    assert world.b.name in confirmed and "bevestigd op" in confirmed and "(verwijderd)" in confirmed
    assert 'class="overdue"' not in confirmed
    still_open = await client.get(PAGE + "?status=OPEN")
    assert "Geen wisverzoeken gevonden." in _rows(still_open.text)
    english = await client.get(PAGE + "?lang=en")
    assert "confirmed on" in _rows(english.text) and "(deleted)" in _rows(english.text)


async def test_the_admin_sees_the_partners_no_notice_can_reach(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    consortium = await factories.create_consortium(db)
    reached = await factories.create_partner(db, consortium, name="Bereikbaar BV")
    unreached = await factories.create_partner(db, consortium, name="Onbereikbaar BV")
    await factories.create_staff(db, reached)
    await sign_in_admin(client, db, app_settings, reached)
    page = await client.get(PAGE)
    section = page.text.split("Werkgevers die geen verwijderverzoek bereikt")[1]
    assert unreached.name in section and reached.name not in section


async def test_only_admins_open_the_admin_erasure_page(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    assert (await client.get(PAGE)).status_code == 401
