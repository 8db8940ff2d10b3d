"""The introduction answer page behind the emailed link, over HTTP: offer, accept, decline."""

from __future__ import annotations

import httpx
import pytest

from exchange.introductions.models import Introduction
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import introductions
from tests.support.as_system import contact_rows_seen_by
from tests.support.http import csrf_of, path_of, post_form, token_of
from tests.support.introductions import World
from tests.support.mail import emailed_link

TEMPLATE = "introduction_request"


@pytest.fixture
async def world(db: ConnectionDatabase) -> World:
    return await introductions.build_world(db)


@pytest.fixture
async def introduction(db: ConnectionDatabase, world: World) -> Introduction:
    return await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, message="Wij bellen je graag!"
    )


async def _open(client: httpx.AsyncClient, link: str) -> str:
    landing = await client.get(path_of(link))
    assert landing.status_code == 200
    assert 'action="/portal/introductions/open"' in landing.text
    opened = await post_form(
        client, "/portal/introductions/open", page=landing, token=token_of(link)
    )
    assert opened.status_code == 303 and opened.headers["location"] == "/portal/introductions"
    listing = await client.get("/portal/introductions")
    assert listing.status_code == 303  # the one open request: straight to it
    page = await client.get(listing.headers["location"])
    assert page.status_code == 200
    return page.text


async def test_the_person_reads_the_offer_and_accepts(
    db: ConnectionDatabase,
    client: httpx.AsyncClient,
    world: World,
    introduction: Introduction,
) -> None:
    link = await emailed_link(db, world.profile.person_id, TEMPLATE)
    html = await _open(client, link)
    # Dutch by default: what the vacancy offers
    assert "Klantcontact Heerlen B wil graag met je kennismaken" in html
    assert "Klantenservice energie" in html
    assert "€\xa016,50" in html and "€\xa019,00" in html and "per uur" in html
    assert "24–36" in html
    assert "Vier weken inwerktraject" in html
    assert "Wij bellen je graag!" in html
    assert "Ja, ik wil graag kennismaken" in html
    csrf = csrf_of(html)
    path = f"/portal/introductions/{introduction.id}"

    refused = await client.post(path, data={"answer": "accept"})  # no CSRF token
    assert refused.status_code == 403
    too_long = await client.post(
        path, data={"csrf_token": csrf, "answer": "accept", "message": "x" * 2001}
    )
    assert too_long.status_code == 422
    assert "Je bericht mag hoogstens 2000 tekens lang zijn." in too_long.text
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0

    done = await client.post(
        path, data={"csrf_token": csrf, "answer": "accept", "message": "Bel me na vijven"}
    )
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=accepted"
    after = await client.get(done.headers["location"])
    assert "heeft nu je naam, e-mailadres en telefoonnummer" in after.text
    assert "Ja, ik wil graag kennismaken" not in after.text  # answered: no form any more

    (seen,) = await introductions.partner_view(db, world.hr_b)
    assert seen.contact is not None and seen.contact.email == world.email
    assert seen.response_message == "Bel me na vijven"
    assert await contact_rows_seen_by(db, world.hr_c, world.profile.person_id) == 0

    again = await client.post(path, data={"csrf_token": csrf, "answer": "decline"})
    assert again.status_code == 409  # CLOSED: answered already
    assert "Je hebt dit verzoek al beantwoord." in again.text

    # the emailed link worked once
    reused = await client.post(
        "/portal/introductions/open", data={"csrf_token": csrf, "token": token_of(link)}
    )
    assert reused.status_code == 400


async def test_decline_in_english(
    db: ConnectionDatabase,
    client: httpx.AsyncClient,
    world: World,
    introduction: Introduction,
) -> None:
    link = await emailed_link(db, world.profile.person_id, TEMPLATE)
    html = await _open(client, link.replace("?token=", "?lang=en&token="))
    assert "Klantcontact Heerlen B would like to meet you" in html
    assert "€16.50" in html and "per hour" in html
    done = await client.post(
        f"/portal/introductions/{introduction.id}",
        data={"csrf_token": csrf_of(html), "answer": "decline"},
    )
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "You declined" in after.text
    (seen,) = await introductions.partner_view(db, world.hr_b)
    assert seen.status.value == "DECLINED" and seen.contact is None


async def test_an_expired_request_cannot_be_answered(
    db: ConnectionDatabase,
    client: httpx.AsyncClient,
    world: World,
    introduction: Introduction,
) -> None:
    link = await emailed_link(db, world.profile.person_id, TEMPLATE)
    html = await _open(client, link)
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update introduction set expires_at = now() - interval '1 minute' where id = $1",
            introduction.id,
        )
    answered = await client.post(
        f"/portal/introductions/{introduction.id}",
        data={"csrf_token": csrf_of(html), "answer": "accept"},
    )
    assert answered.status_code == 409  # CLOSED: expired
    assert "Dit verzoek is verlopen" in answered.text
    assert await contact_rows_seen_by(db, world.hr_b, world.profile.person_id) == 0


async def test_pages_need_the_persons_session(
    client: httpx.AsyncClient, introduction: Introduction
) -> None:
    for path in ("/portal/introductions", f"/portal/introductions/{introduction.id}"):
        response = await client.get(path)
        assert response.status_code == 401
    bogus = await client.get("/portal/introductions/answer?token=not-a-real-token-at-all-123")
    opened = await post_form(
        client, "/portal/introductions/open", page=bogus, token="not-a-real-token-at-all-123"
    )
    assert opened.status_code == 400
