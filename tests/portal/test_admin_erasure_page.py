"""Erasure notices in the admin's portal: the partner that held contact data was told,
when, and whether the mail went — and nothing about the person."""

from __future__ import annotations

import httpx

from exchange.consent_flow import rights
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import factories
from tests.support.exchange_steps import run_exchange
from tests.support.staff_portal import sign_in_admin


async def test_the_admin_sees_which_partner_was_told_to_erase_and_when(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    exchanged = await run_exchange(db)
    world = exchanged.world
    await factories.create_staff(db, world.b, email="hr.b@example.nl")
    await sign_in_admin(client, db, app_settings, world.a)
    before = await client.get("/portal/admin/erasure")
    assert before.status_code == 200 and "Nog geen wisverzoeken" in before.text

    async with db.transaction(world.person.access_scope()) as conn:
        counts = await rights.erase_my_data(conn, world.person, app_settings)
    assert counts["notices"] == 1

    after = await client.get("/portal/admin/erasure")
    table = after.text.split("<tbody>")[1]
    assert "Klantcontact Heerlen B" in table and "wacht op verzending" in table
    assert "Callcenter Maastricht A" not in table  # A shared the profile but got no contact data
    assert "Canary" not in after.text and world.email not in after.text
    assert "hr.b@example.nl" not in after.text
    assert "1 wisverzoek is nog niet bezorgd." in after.text
