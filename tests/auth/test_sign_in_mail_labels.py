"""A sign-in mail names each link's consortium (and partner, for HR), so a person with
accounts in two consortia knows which link opens which."""

from __future__ import annotations

from exchange.identity.models import SignInDoor
from exchange.identity.service import send_sign_in_links
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import system_fetch


async def _mail_body(db: ConnectionDatabase, email: str, template: str) -> str:
    rows = await system_fetch(
        db,
        "select body_text from mail_outbox where to_address = $1 and template = $2",
        email,
        template,
    )
    assert len(rows) == 1
    body = rows[0]["body_text"]
    assert isinstance(body, str)
    return body


async def test_staff_links_name_consortium_and_partner(
    db: ConnectionDatabase, app_settings: Settings
) -> None:
    north = await factories.create_consortium(db, name="Regio Noord")
    south = await factories.create_consortium(db, name="Zuid-Limburg")
    belwerk = await factories.create_partner(db, north, name="Belwerk")
    maas = await factories.create_partner(db, south, name="Contactcenter Maas")
    email = "anouk.twice@example.nl"
    await factories.create_staff(db, belwerk, email=email)
    await factories.create_staff(db, maas, email=email, role="consortium_admin")

    sent = await send_sign_in_links(db, app_settings, email, SignInDoor.API, language="nl")

    assert sent == 2
    body = await _mail_body(db, email, "sign_in")
    assert "Als HR-medewerker van Belwerk in Regio Noord:" in body
    assert "Als consortiumbeheerder van Zuid-Limburg:" in body
    assert body.count("/auth/sign-in/redeem?token=") == 2


async def test_a_persons_links_name_their_consortia(
    db: ConnectionDatabase, app_settings: Settings
) -> None:
    north = await factories.create_consortium(db, name="Regio Noord")
    south = await factories.create_consortium(db, name="Zuid-Limburg")
    contact = factories.contact_input()
    for consortium in (north, south):
        partner = await factories.create_partner(db, consortium)
        await factories.share_profile(db, callers.partner_caller(partner), contact=contact)

    sent = await send_sign_in_links(db, app_settings, contact.email, SignInDoor.PORTAL)

    assert sent == 2
    body = await _mail_body(db, contact.email, "portal_sign_in")
    assert "Je profiel in Regio Noord:" in body and "Je profiel in Zuid-Limburg:" in body
